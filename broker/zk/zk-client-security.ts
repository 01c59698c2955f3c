/**
 * How a broker's coordinator session is secured, from Kafka 2.8's settings:
 *
 *   JAAS `Client` section (the file named by `broker start --jaas-config FILE`, or by
 *   `-Djava.security.auth.login.config=FILE` in KAFKA_OPTS, as kafka-server-start.sh passes it):
 *
 *       Client {
 *         org.apache.zookeeper.server.auth.DigestLoginModule required
 *         username="kafka"
 *         password="kafka-secret";
 *       };
 *
 *     Kafka's ZooKeeper client logs in with SASL DIGEST-MD5 from this section; ours sends the
 *     same username and password as a `digest` auth packet (zkCli's `addauth digest`), so the
 *     broker's identity on the coordinator is `digest:kafka:<base64 sha1>`.
 *   zookeeper.set.acl=true      the znodes the broker creates get Kafka's secure ACLs
 *                               (src/kafka-zk/secure-acls.ts); like Kafka, refused without a
 *                               JAAS Client section to authenticate with
 *   zookeeper.ssl.client.enable=true   TLS to the coordinator's secure client port, with
 *     zookeeper.ssl.keystore.location / .type / .password  the client certificate (PEM with
 *                               key and chain, or PKCS12), for ssl.clientAuth=need servers
 *     zookeeper.ssl.truststore.location / .type            the CA (PEM)
 *     zookeeper.ssl.endpoint.identification.algorithm      HTTPS (default): the server's
 *                               certificate must name the host; empty: not checked
 *     zookeeper.clientCnxnSocket  Kafka needs org.apache.zookeeper.ClientCnxnSocketNetty for
 *                               TLS; it may be given (or left out), no other value is accepted
 *   Store types default from the file name, as ZooKeeper's X509Util: .pem PEM, .p12/.pfx PKCS12.
 *
 * Pure apart from reading the files it names.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { CoordinatorClientOptions } from '../../src/coordinator-client/client.js';
import { kafkaDefaultAcls } from '../../src/kafka-zk/secure-acls.js';
import { ConfigError } from '../config.js';
import { parseJaasConfig, type JaasEntry } from '../security/security-config.js';

/** The JAAS section ZooKeeper's client reads (zookeeper.sasl.clientconfig's default). */
export const JAAS_CLIENT_SECTION = 'Client';
const NETTY_SOCKET = 'org.apache.zookeeper.ClientCnxnSocketNetty';

export type ZkClientSecurity = Pick<CoordinatorClientOptions, 'tls' | 'authInfo' | 'defaultAcl'>;

/**
 * The sections of a JAAS login configuration file: `Name { Module flag k="v" ...; ... };`.
 * Comments (`//`, `/* *\/`) are dropped. Each section holds one or more login modules.
 */
export function parseJaasFile(text: string, source = 'JAAS file'): Map<string, JaasEntry[]> {
  const clean = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:"])\/\/.*$/gm, '$1');
  const sections = new Map<string, JaasEntry[]>();
  const sectionRe = /([A-Za-z0-9_.-]+)\s*\{([\s\S]*?)\}\s*;/g;
  let match: RegExpExecArray | null;
  while ((match = sectionRe.exec(clean)) !== null) {
    const body = match[2]!;
    const entries = body
      .split(/;(?=(?:[^"]*"[^"]*")*[^"]*$)/)
      .map((e) => e.trim())
      .filter((e) => e !== '')
      .map((e) => parseJaasConfig(`${source} ${match![1]}`, `${e};`));
    sections.set(match[1]!, entries);
  }
  if (sections.size === 0 && clean.trim() !== '')
    throw new ConfigError(source, 'no "Name { LoginModule required key="value"; };" section');
  return sections;
}

/** The file named in KAFKA_OPTS' -Djava.security.auth.login.config=FILE, if any. */
export function jaasFileOfKafkaOpts(kafkaOpts: string | undefined): string | undefined {
  const m = /-Djava\.security\.auth\.login\.config=("([^"]*)"|(\S+))/.exec(kafkaOpts ?? '');
  return m ? (m[2] ?? m[3]) : undefined;
}

/** The digest credentials of the JAAS Client section, or undefined when there is none. */
export function clientCredentials(
  jaasText: string | undefined,
  source: string,
): { username: string; password: string } | undefined {
  if (jaasText === undefined) return undefined;
  const entries = parseJaasFile(jaasText, source).get(JAAS_CLIENT_SECTION);
  if (entries === undefined) return undefined;
  const entry = entries[0]!;
  const username = entry.options.get('username');
  const password = entry.options.get('password');
  if (username === undefined || password === undefined || username.includes(':'))
    throw new ConfigError(
      `${source} ${JAAS_CLIENT_SECTION}`,
      'needs username="..." (without ":") and password="..."',
    );
  return { username, password };
}

function storeType(given: string | undefined, location: string, key: string): string {
  if (given !== undefined && given !== '') return given.toUpperCase();
  if (/\.pem$/i.test(location)) return 'PEM';
  if (/\.(p12|pfx)$/i.test(location)) return 'PKCS12';
  throw new ConfigError(key, `give the store type of ${location} (PEM or PKCS12)`);
}

function readStore(location: string, key: string): Buffer {
  try {
    return readFileSync(location);
  } catch (err) {
    throw new ConfigError(key, `cannot read ${location}: ${(err as Error).message}`);
  }
}

/** TLS options from the zookeeper.ssl.* properties (undefined when TLS is off). */
function tlsOptions(value: (key: string) => string | undefined): TlsConnectionOptions | undefined {
  if (value('zookeeper.ssl.client.enable') !== 'true') return undefined;
  const socket = value('zookeeper.clientCnxnSocket');
  if (socket !== undefined && socket !== '' && socket !== NETTY_SOCKET)
    throw new ConfigError('zookeeper.clientCnxnSocket', `TLS needs ${NETTY_SOCKET}`);
  const options: TlsConnectionOptions = {};
  const trust = value('zookeeper.ssl.truststore.location');
  if (trust !== undefined && trust !== '') {
    const key = 'zookeeper.ssl.truststore.type';
    if (storeType(value(key), trust, key) !== 'PEM')
      throw new ConfigError(key, 'only PEM trust stores are readable here');
    options.ca = readStore(trust, 'zookeeper.ssl.truststore.location');
  }
  const keystore = value('zookeeper.ssl.keystore.location');
  if (keystore !== undefined && keystore !== '') {
    const key = 'zookeeper.ssl.keystore.type';
    const type = storeType(value(key), keystore, key);
    const bytes = readStore(keystore, 'zookeeper.ssl.keystore.location');
    const password = value('zookeeper.ssl.keystore.password');
    if (type === 'PEM') {
      options.key = bytes;
      options.cert = bytes;
      if (password !== undefined && password !== '') options.passphrase = password;
    } else if (type === 'PKCS12') {
      options.pfx = bytes;
      if (password !== undefined) options.passphrase = password;
    } else {
      throw new ConfigError(key, `${type} stores are not readable here; use PEM or PKCS12`);
    }
  }
  const identification = value('zookeeper.ssl.endpoint.identification.algorithm');
  if (identification !== undefined && identification.trim() === '')
    options.checkServerIdentity = () => undefined;
  return options;
}

/**
 * The coordinator client options of a broker: `properties` are its merged Kafka properties,
 * `jaasText` the JAAS file's text (undefined: none given).
 */
export function zkClientSecurity(
  properties: ReadonlyMap<string, string>,
  jaasText: string | undefined,
  jaasSource = 'JAAS file',
): ZkClientSecurity {
  const value = (key: string): string | undefined => properties.get(key);
  const credentials = clientCredentials(jaasText, jaasSource);
  const secureAcls = value('zookeeper.set.acl') === 'true';
  if (secureAcls && credentials === undefined)
    // KafkaServer.initZkClient: "zookeeper.set.acl is true, but the verification of the JAAS
    // login file failed."
    throw new ConfigError(
      'zookeeper.set.acl',
      'is true, but there is no JAAS Client section to log in to the coordinator with ' +
        '(broker start --jaas-config FILE)',
    );
  const security: ZkClientSecurity = {};
  const tls = tlsOptions(value);
  if (tls !== undefined) security.tls = tls;
  if (credentials !== undefined)
    security.authInfo = [
      { scheme: 'digest', auth: `${credentials.username}:${credentials.password}` },
    ];
  if (secureAcls) security.defaultAcl = (path) => kafkaDefaultAcls(true, path);
  return security;
}
