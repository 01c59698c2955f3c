/**
 * A throwaway certificate authority and brokers with every kind of listener, for the security
 * tests (test/broker/security/): openssl makes a CA, a broker certificate for 127.0.0.1 and
 * localhost, and client certificates (CN=alice...); `startSecureBroker` writes a
 * server.properties with PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL listeners on free ports
 * and spawns `broker start --config` against a coordinator process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  freePort,
  spawnDaemon,
  startCoordinatorProcess,
  type CoordinatorProcess,
  type DaemonProcess,
} from './processes.js';

export const opensslAvailable = spawnSync('openssl', ['version']).status === 0;

export interface Certificates {
  dir: string;
  /** The CA certificate (PEM): the trust store of brokers and clients. */
  ca: string;
  /** The broker's private key and certificate chain in one PEM file (ssl.keystore.type=PEM). */
  brokerPem: string;
  brokerKey: string;
  brokerCert: string;
  /** A client's key and certificate files, by the CN given to makeClient. */
  client(cn: string): { key: string; cert: string };
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** Makes the CA, the broker certificate and one client certificate per CN. */
export function makeCertificates(dir: string, clientCns: readonly string[]): Certificates {
  fs.mkdirSync(dir, { recursive: true });
  openssl(
    dir,
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key'].concat([
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/O=Samsa Test/CN=Samsa Test CA',
    ]),
  );
  const sign = (name: string, subject: string, ext: string): void => {
    openssl(
      dir,
      ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`].concat([
        '-out',
        `${name}.csr`,
        '-subj',
        subject,
      ]),
    );
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl(
      dir,
      ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key'].concat([
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        '2',
        '-extfile',
        `${name}.ext`,
      ]),
    );
  };
  sign('broker', '/O=Samsa Test/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const cn of clientCns) {
    sign(`client-${cn}`, `/O=Samsa Test/OU=clients/CN=${cn}`, 'extendedKeyUsage=clientAuth\n');
  }
  const brokerPem = path.join(dir, 'broker-keystore.pem');
  fs.writeFileSync(
    brokerPem,
    fs.readFileSync(path.join(dir, 'broker.key'), 'utf8') +
      fs.readFileSync(path.join(dir, 'broker.pem'), 'utf8'),
  );
  return {
    dir,
    ca: path.join(dir, 'ca.pem'),
    brokerPem,
    brokerKey: path.join(dir, 'broker.key'),
    brokerCert: path.join(dir, 'broker.pem'),
    client: (cn) => ({
      key: path.join(dir, `client-${cn}.key`),
      cert: path.join(dir, `client-${cn}.pem`),
    }),
  };
}

export interface SecureBroker extends DaemonProcess {
  id: number;
  ports: { PLAINTEXT: number; SSL: number; SASL_PLAINTEXT: number; SASL_SSL: number };
}

export const PLAIN_USERS = { admin: 'admin-secret', alice: 'alice-secret' } as const;

/** The JAAS config of PLAIN: the broker logs in as admin, alice is a user. */
export const PLAIN_JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required ' +
  'username="admin" password="admin-secret" ' +
  Object.entries(PLAIN_USERS)
    .map(([u, p]) => `user_${u}="${p}"`)
    .join(' ') +
  ';';

/** Starts one broker with the four listeners; `extra` lines are appended to its properties. */
export async function startSecureBroker(
  t: { teardown(fn: () => unknown): void },
  options: { id: number; connect: string; dataDir: string; certs: Certificates; extra?: string[] },
): Promise<SecureBroker> {
  const ports = {
    PLAINTEXT: await freePort(),
    SSL: await freePort(),
    SASL_PLAINTEXT: await freePort(),
    SASL_SSL: await freePort(),
  };
  const { certs } = options;
  const properties = [
    `broker.id=${options.id}`,
    `zookeeper.connect=${options.connect}`,
    `log.dirs=${options.dataDir}`,
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=2',
    'group.initial.rebalance.delay.ms=0',
    'listeners=' +
      Object.entries(ports)
        .map(([name, port]) => `${name}://127.0.0.1:${port}`)
        .join(','),
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${certs.brokerPem}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${certs.ca}`,
    'ssl.client.auth=requested',
    'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    `sasl.jaas.config=${PLAIN_JAAS}`,
    ...(options.extra ?? []),
  ];
  const file = path.join(options.dataDir + '.properties');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, properties.join('\n') + '\n');
  const daemon = await spawnDaemon(
    'broker/cli.ts',
    ['start', '--config', file],
    'broker listening',
  );
  t.teardown(() => daemon.kill('SIGKILL'));
  return { ...daemon, id: options.id, ports };
}

/**
 * ZooKeeper's DigestAuthenticationProvider.generateDigest (`user:base64(sha1(user:password))`),
 * written out here on purpose, apart from src/security/http-login.ts, so that the tests check
 * the coordinator's digests against an independent computation.
 */
export function zkDigest(userPassword: string): string {
  const user = userPassword.slice(0, userPassword.indexOf(':'));
  return `${user}:${createHash('sha1').update(userPassword).digest('base64')}`;
}

export interface TlsCoordinator {
  process: CoordinatorProcess;
  /** host:port of the plain client port. */
  plain: string;
  /** host:port of the secure client port (TLS, client certificates required). */
  secure: string;
}

/**
 * A coordinator process locked with a super digest and a secure client port that requires
 * client certificates signed by `certs`' CA; `extraArgs` are appended to its command line.
 * It is killed (SIGKILL) when the test ends.
 */
export async function startTlsCoordinator(
  t: { teardown(fn: () => unknown): void },
  options: {
    dataDir: string;
    certs: Certificates;
    superUser: string;
    tickMs?: number;
    extraArgs?: string[];
  },
): Promise<TlsCoordinator> {
  const securePort = await freePort();
  const coordinator = await startCoordinatorProcess({
    dataDir: options.dataDir,
    ...(options.tickMs === undefined ? {} : { tickMs: options.tickMs }),
    extraArgs: [
      '--super-digest',
      zkDigest(options.superUser),
      '--secure-client-port',
      String(securePort),
      '--ssl-keystore',
      options.certs.brokerPem,
      '--ssl-truststore',
      options.certs.ca,
      '--ssl-client-auth',
      'need',
      ...(options.extraArgs ?? []),
    ],
  });
  t.teardown(() => coordinator.kill('SIGKILL'));
  return {
    process: coordinator,
    plain: `127.0.0.1:${coordinator.port}`,
    secure: `127.0.0.1:${securePort}`,
  };
}
