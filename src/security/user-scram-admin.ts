/**
 * Adding and removing SCRAM credentials in `/config/users/<name>`, as ZooKeeper-mode
 * Kafka's `kafka-configs.sh --zookeeper ... --entity-type users --alter` and the
 * AlterUserScramCredentials API do: the credential (never the password) is stored in the
 * user's entity config, next to any quota settings there, and a change notification
 * `/config/changes/config_change_<seq>` with {"version":2,"entity_path":"users/<name>"} is
 * written for brokers that cache entity configs. Used by `coordinator configs` (which may
 * not import broker/) and by the broker's SCRAM admin APIs.
 */
import type { CoordinatorClient } from '../coordinator-client/client.js';
import { ensurePath } from '../coordinator-client/recipes/ensure-path.js';
import { ErrorCode, hasCode } from '../protocol/coordinator/errors.js';
import {
  ConfigChangeNotification,
  formatScramCredential,
  isScramMechanism,
  parseScramCredential,
  scramCredentialOf,
  SCRAM_ITERATIONS_MAX,
  SCRAM_ITERATIONS_MIN,
  UserConfigZNode,
  type ScramCredential,
  type ScramMechanism,
} from './scram-credential.js';

export interface ScramUpsertion {
  mechanism: ScramMechanism;
  iterations: number;
  /** Either a password (the salt is drawn here) or a ready credential (AlterUser... API). */
  password?: string;
  credential?: ScramCredential;
}

/**
 * Parses kafka-configs.sh's `--add-config` value for users:
 * `SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=x]`.
 */
export function parseScramAddConfig(text: string): ScramUpsertion[] {
  const result: ScramUpsertion[] = [];
  const re = /\s*([A-Z0-9-]+)=\[([^\]]*)\]\s*(,|$)/y;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < text.length && (m = re.exec(text)) !== null) {
    at = re.lastIndex;
    const mechanism = m[1] as string;
    if (!isScramMechanism(mechanism)) {
      throw new Error(`${mechanism} is not SCRAM-SHA-256 or SCRAM-SHA-512`);
    }
    const fields = new Map<string, string>();
    for (const part of (m[2] as string).split(',')) {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new Error(`"${part}" in ${mechanism}=[...] is not key=value`);
      fields.set(part.slice(0, eq).trim(), part.slice(eq + 1));
    }
    const password = fields.get('password');
    if (password === undefined || password === '') {
      throw new Error(`${mechanism}=[...] needs password=...`);
    }
    const iterations = Number(fields.get('iterations') ?? SCRAM_ITERATIONS_MIN);
    checkIterations(mechanism, iterations);
    result.push({ mechanism, iterations, password });
  }
  if (at !== text.length || result.length === 0) {
    throw new Error(
      `cannot parse --add-config "${text}": expected SCRAM-SHA-256=[password=...] or ` +
        'SCRAM-SHA-512=[iterations=N,password=...]',
    );
  }
  return result;
}

export function checkIterations(mechanism: string, iterations: number): void {
  if (
    !Number.isInteger(iterations) ||
    iterations < SCRAM_ITERATIONS_MIN ||
    iterations > SCRAM_ITERATIONS_MAX
  ) {
    throw new Error(
      `${mechanism} iterations must be ${SCRAM_ITERATIONS_MIN}..${SCRAM_ITERATIONS_MAX}, ` +
        `not ${iterations}`,
    );
  }
}

/** The user's entity config (empty if the znode does not exist) and its version. */
export async function readUserConfig(
  zk: CoordinatorClient,
  user: string,
): Promise<{ config: Record<string, string>; version: number | undefined }> {
  try {
    const { data, stat } = await zk.getData(UserConfigZNode.path(user));
    return { config: UserConfigZNode.decode(data), version: stat.version };
  } catch (err) {
    if (hasCode(err, ErrorCode.NONODE)) return { config: {}, version: undefined };
    throw err;
  }
}

/** Applies upsertions and deletions (mechanism names) to one user; writes the notification. */
export async function alterUserScram(
  zk: CoordinatorClient,
  user: string,
  change: { upsert: readonly ScramUpsertion[]; delete: readonly ScramMechanism[] },
): Promise<void> {
  if (user === '') throw new Error('the user name is empty');
  const { config, version } = await readUserConfig(zk, user);
  for (const u of change.upsert) {
    const credential =
      u.credential ?? scramCredentialOf(u.mechanism, u.password ?? '', u.iterations);
    config[u.mechanism] = formatScramCredential(credential);
  }
  for (const mechanism of change.delete) delete config[mechanism];
  const path = UserConfigZNode.path(user);
  const bytes = UserConfigZNode.encode(config);
  if (version === undefined) {
    await ensurePath(zk, '/config/users');
    await zk.create(path, bytes);
  } else {
    // Conditional on the version read: a concurrent change fails instead of being lost.
    await zk.setData(path, bytes, version);
  }
  await ensurePath(zk, '/config/changes');
  await zk.create(
    ConfigChangeNotification.prefix,
    ConfigChangeNotification.encode(`users/${encodeURIComponent(user)}`),
    { mode: 'persistent_sequential' },
  );
}

/** The SCRAM mechanisms and iteration counts a user has (what Describe... answers). */
export async function describeUserScram(
  zk: CoordinatorClient,
  user: string,
): Promise<{ mechanism: ScramMechanism; iterations: number }[]> {
  const { config } = await readUserConfig(zk, user);
  return Object.entries(config).flatMap(([k, v]) =>
    isScramMechanism(k) ? [{ mechanism: k, iterations: parseScramCredential(v).iterations }] : [],
  );
}
