/**
 * SCRAM credentials (RFC 5802, with SHA-256 and SHA-512 as RFC 7677 and Kafka's KIP-84 use
 * them) and the way ZooKeeper-mode Kafka stores them: the user's entity config znode
 * `/config/users/<name>` holds
 *
 *   {"version":1,"config":{"SCRAM-SHA-256":"salt=<b64>,stored_key=<b64>,server_key=<b64>,
 *                                            iterations=4096"}}
 *
 * so the broker never sees a password, only what it needs to check a proof:
 *   SaltedPassword = PBKDF2-HMAC-H(password, salt, iterations)
 *   ClientKey = HMAC(SaltedPassword, "Client Key");  StoredKey = H(ClientKey)
 *   ServerKey = HMAC(SaltedPassword, "Server Key")
 *
 * Shared by the broker (which checks logins), the `coordinator configs` command and the
 * AlterUserScramCredentials API (which make credentials). Pure apart from random salts.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

export const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type ScramMechanism = (typeof SCRAM_MECHANISMS)[number];

export function isScramMechanism(name: string): name is ScramMechanism {
  return (SCRAM_MECHANISMS as readonly string[]).includes(name);
}

/** Kafka's ScramMechanism: the hash, and the iteration bounds it accepts. */
export const SCRAM_HASH: Record<ScramMechanism, { hash: 'sha256' | 'sha512'; bytes: number }> = {
  'SCRAM-SHA-256': { hash: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { hash: 'sha512', bytes: 64 },
};
/** Kafka refuses fewer iterations than 4096 (and more than 16384) for both mechanisms. */
export const SCRAM_ITERATIONS_MIN = 4096;
export const SCRAM_ITERATIONS_MAX = 16384;
export const SCRAM_ITERATIONS_DEFAULT = 4096;

export interface ScramCredential {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
  iterations: number;
}

export function hmac(mechanism: ScramMechanism, key: Buffer, data: Buffer | string): Buffer {
  return createHmac(SCRAM_HASH[mechanism].hash, key).update(data).digest();
}

export function hash(mechanism: ScramMechanism, data: Buffer): Buffer {
  return createHash(SCRAM_HASH[mechanism].hash).update(data).digest();
}

/** Hi() of RFC 5802: PBKDF2 with HMAC-H, output as long as the hash. */
export function saltedPassword(
  mechanism: ScramMechanism,
  password: string,
  salt: Buffer,
  iterations: number,
): Buffer {
  const { hash: h, bytes } = SCRAM_HASH[mechanism];
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, bytes, h);
}

/** The stored credential of a password (a random 32-byte salt unless one is given). */
export function scramCredentialOf(
  mechanism: ScramMechanism,
  password: string,
  iterations: number = SCRAM_ITERATIONS_DEFAULT,
  salt: Buffer = randomBytes(32),
): ScramCredential {
  const salted = saltedPassword(mechanism, password, salt, iterations);
  return credentialFromSaltedPassword(mechanism, salted, salt, iterations);
}

export function credentialFromSaltedPassword(
  mechanism: ScramMechanism,
  salted: Buffer,
  salt: Buffer,
  iterations: number,
): ScramCredential {
  const clientKey = hmac(mechanism, salted, 'Client Key');
  return {
    salt,
    storedKey: hash(mechanism, clientKey),
    serverKey: hmac(mechanism, salted, 'Server Key'),
    iterations,
  };
}

/** Kafka's ScramCredentialUtils.credentialToString. */
export function formatScramCredential(c: ScramCredential): string {
  return (
    `salt=${c.salt.toString('base64')},stored_key=${c.storedKey.toString('base64')},` +
    `server_key=${c.serverKey.toString('base64')},iterations=${c.iterations}`
  );
}

/** Parses what formatScramCredential writes; throws on anything else. */
export function parseScramCredential(text: string): ScramCredential {
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`bad SCRAM credential field "${part}"`);
    fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const need = (k: string): string => {
    const v = fields.get(k);
    if (v === undefined) throw new Error(`SCRAM credential without ${k}`);
    return v;
  };
  const iterations = Number(need('iterations'));
  if (!Number.isInteger(iterations) || iterations <= 0) {
    throw new Error(`bad SCRAM iterations ${need('iterations')}`);
  }
  return {
    salt: Buffer.from(need('salt'), 'base64'),
    storedKey: Buffer.from(need('stored_key'), 'base64'),
    serverKey: Buffer.from(need('server_key'), 'base64'),
    iterations,
  };
}

/** `/config/users/<name>`: Kafka's user entity config (sanitized name: URL-encoded). */
export const UserConfigZNode = {
  path(user: string): string {
    return `/config/users/${encodeURIComponent(user)}`;
  },
  /** The entity config JSON (SCRAM credentials and quotas live side by side in `config`). */
  encode(config: Readonly<Record<string, string>>): Buffer {
    return Buffer.from(JSON.stringify({ version: 1, config }));
  },
  decode(bytes: Buffer | null): Record<string, string> {
    if (bytes === null || bytes.length === 0) return {};
    const j = JSON.parse(bytes.toString('utf8')) as { config?: Record<string, unknown> };
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(j.config ?? {})) if (typeof v === 'string') out[k] = v;
    return out;
  },
};

/** `/config/changes/config_change_<seq>`: tells brokers an entity config changed. */
export const ConfigChangeNotification = {
  prefix: '/config/changes/config_change_',
  /** Kafka 2.8 writes version 2: {"version":2,"entity_path":"users/alice"}. */
  encode(entityPath: string): Buffer {
    return Buffer.from(JSON.stringify({ version: 2, entity_path: entityPath }));
  },
};
