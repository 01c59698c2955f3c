/**
 * `samsa start --secure`: a development cluster with every security layer on, laid out as
 * kafkajs's own integration tests expect it (its testHelpers and docker-compose files):
 *
 *   broker   PLAINTEXT        SSL              SASL_SSL         admin HTTP
 *   1        127.0.0.1:9092   127.0.0.1:9093   127.0.0.1:9094   8091
 *   2        127.0.0.1:9095   127.0.0.1:9096   127.0.0.1:9097   8092
 *   3        127.0.0.1:9098   127.0.0.1:9099   127.0.0.1:9100   8093
 *
 * - TLS: a throwaway CA and one broker certificate (CN=localhost, SAN localhost and
 *   127.0.0.1), made with openssl under <data>/secure/ on the first start and kept; clients
 *   trust <data>/secure/ca.pem. No client certificate is asked for (ssl.client.auth=none).
 * - SASL on SASL_SSL: PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512. PLAIN users are in the
 *   listener's JAAS config; SCRAM users are created in the coordinator (/config/users/<name>)
 *   by the launcher before the brokers start, as kafkajs's scripts/createScramCredentials.sh
 *   does with kafka-configs.sh.
 * - Brokers talk to each other over SASL_SSL as User:admin with SCRAM-SHA-512.
 * - The ACL authorizer is on with allow.everyone.if.no.acl.found=true (as kafkajs's test
 *   cluster: a resource without ACLs is open, one with ACLs is checked); User:admin is a
 *   super user.
 *
 * The passwords are kafkajs's well-known test passwords: this is a cluster for development
 * and client test suites, never for data anyone cares about. Each broker's configuration is
 * written to <data>/secure/broker-<id>.properties, a sample to start a real one from.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { SCRAM_ITERATIONS_MIN } from '../../src/security/scram-credential.js';
import { alterUserScram } from '../../src/security/user-scram-admin.js';

/** PLAIN users (kafkajs's testHelpers/kafka/server-jaas.conf), and the brokers' own. */
export const SECURE_PLAIN_USERS: Readonly<Record<string, string>> = {
  admin: 'adminadmin',
  test: 'testtest',
  bob: 'bobbob',
  alice: 'alicealice',
};

/** SCRAM users: one password per mechanism, as kafkajs's testHelpers/index.js logs in. */
export const SECURE_SCRAM_USERS: readonly {
  user: string;
  sha256: string;
  sha512: string;
}[] = [
  { user: 'admin', sha256: 'adminadmin', sha512: 'adminadmin' },
  { user: 'testscram', sha256: 'testtestscram=256', sha512: 'testtestscram=512' },
];

/** The principal brokers log in as between themselves. */
export const SECURE_BROKER_USER = 'admin';

export interface SecurePorts {
  PLAINTEXT: number;
  SSL: number;
  SASL_SSL: number;
}

/** Broker `index` (0 for broker 1): three consecutive ports from 9092 + 3 * index. */
export function securePorts(index: number): SecurePorts {
  const base = 9092 + 3 * index;
  return { PLAINTEXT: base, SSL: base + 1, SASL_SSL: base + 2 };
}

export interface SecureFiles {
  dir: string;
  /** The CA certificate clients trust (PEM). */
  ca: string;
  /** The broker's key and certificate in one PEM file (ssl.keystore.type=PEM). */
  keystore: string;
}

function jaasQuote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The server.properties lines of one secure broker. */
export function secureBrokerProperties(options: {
  id: number;
  index: number;
  coordinator: string;
  logDir: string;
  files: SecureFiles;
}): string[] {
  const ports = securePorts(options.index);
  const listeners = (Object.entries(ports) as [keyof SecurePorts, number][])
    .map(([name, port]) => `${name}://127.0.0.1:${port}`)
    .join(',');
  const broker = SECURE_BROKER_USER;
  const plain =
    'org.apache.kafka.common.security.plain.PlainLoginModule required ' +
    `username=${jaasQuote(broker)} password=${jaasQuote(SECURE_PLAIN_USERS[broker]!)} ` +
    Object.entries(SECURE_PLAIN_USERS)
      .map(([user, password]) => `user_${user}=${jaasQuote(password)}`)
      .join(' ') +
    ';';
  const scram = SECURE_SCRAM_USERS.find((u) => u.user === broker)!;
  const scramLogin = (password: string): string =>
    'org.apache.kafka.common.security.scram.ScramLoginModule required ' +
    `username=${jaasQuote(broker)} password=${jaasQuote(password)};`;
  return [
    `broker.id=${options.id}`,
    `zookeeper.connect=${options.coordinator}`,
    `log.dirs=${options.logDir}`,
    `listeners=${listeners}`,
    `advertised.listeners=${listeners}`,
    'inter.broker.listener.name=SASL_SSL',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${options.files.keystore}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${options.files.ca}`,
    'ssl.client.auth=none',
    'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    `listener.name.sasl_ssl.plain.sasl.jaas.config=${plain}`,
    `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${scramLogin(scram.sha256)}`,
    `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${scramLogin(scram.sha512)}`,
    'authorizer.class.name=kafka.security.authorizer.AclAuthorizer',
    `super.users=User:${broker}`,
    'allow.everyone.if.no.acl.found=true',
  ];
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/**
 * The CA and broker certificate under `dir`, made with openssl if they are not there yet
 * (valid 365 days; delete the directory for new ones).
 */
export function ensureSecureFiles(dir: string): SecureFiles {
  const files = { dir, ca: join(dir, 'ca.pem'), keystore: join(dir, 'broker-keystore.pem') };
  if (existsSync(files.ca) && existsSync(files.keystore)) return files;
  if (spawnSync('openssl', ['version']).status !== 0) {
    throw new Error('--secure needs openssl on the PATH to make the cluster its certificates');
  }
  mkdirSync(dir, { recursive: true });
  const days = ['-days', '365'];
  openssl(
    dir,
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key'].concat([
      '-out',
      'ca.pem',
      ...days,
      '-subj',
      '/O=Samsa development/CN=Samsa development CA',
    ]),
  );
  openssl(
    dir,
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'broker.key'].concat([
      '-out',
      'broker.csr',
      '-subj',
      '/O=Samsa development/CN=localhost',
    ]),
  );
  writeFileSync(join(dir, 'broker.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(
    dir,
    ['x509', '-req', '-in', 'broker.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key'].concat([
      '-CAcreateserial',
      '-out',
      'broker.pem',
      ...days,
      '-extfile',
      'broker.ext',
    ]),
  );
  const key = readFileSync(join(dir, 'broker.key'), 'utf8');
  writeFileSync(files.keystore, key + readFileSync(join(dir, 'broker.pem'), 'utf8'), {
    mode: 0o600,
  });
  return files;
}

/** Creates (or resets) the SCRAM users in the coordinator at `coordinator`. */
export async function createSecureScramUsers(coordinator: string): Promise<void> {
  const zk = new CoordinatorClient(coordinator, { sessionTimeoutMs: 10_000 });
  await zk.connect();
  try {
    for (const u of SECURE_SCRAM_USERS) {
      await alterUserScram(zk, u.user, {
        upsert: [
          { mechanism: 'SCRAM-SHA-256', iterations: SCRAM_ITERATIONS_MIN, password: u.sha256 },
          { mechanism: 'SCRAM-SHA-512', iterations: SCRAM_ITERATIONS_MIN, password: u.sha512 },
        ],
        delete: [],
      });
    }
  } finally {
    await zk.close();
  }
}

/** Writes broker `id`'s properties file under the secure directory; returns its path. */
export function writeSecureBrokerConfig(files: SecureFiles, lines: readonly string[], id: number) {
  const file = join(files.dir, `broker-${id}.properties`);
  const text = lines.join('\n') + '\n';
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  return file;
}
