/**
 * The security part of the broker configuration, resolved per listener as Kafka 2.8 does:
 * each listener has a security protocol (listener.security.protocol.map), and its SSL and SASL
 * settings are read first from the listener-prefixed property
 * (`listener.name.<listener, lower case>.ssl.keystore.location`, and for the JAAS config of one
 * mechanism `listener.name.<listener>.<mechanism, lower case>.sasl.jaas.config`), then from
 * the unprefixed one (`ssl.keystore.location`, `sasl.jaas.config`).
 *
 * Pure: file paths stay paths here (tls-context.ts reads them when the listener starts), so
 * every rule is unit-tested without a disk.
 *
 * Kafka's key/trust stores are JKS by default; we read PEM (ssl.keystore.type=PEM, Kafka
 * 2.7+: a file holding the private key and the certificate chain, or the inline
 * ssl.keystore.key / ssl.keystore.certificate.chain) and PKCS12 (the `pfx` node's TLS reads).
 * A JKS store is refused at start-up with a message saying so.
 */
import { ConfigError } from '../config.js';

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

export function isSecurityProtocol(name: string): name is SecurityProtocol {
  return (SECURITY_PROTOCOLS as readonly string[]).includes(name);
}

export function usesTls(protocol: SecurityProtocol): boolean {
  return protocol === 'SSL' || protocol === 'SASL_SSL';
}

export function usesSasl(protocol: SecurityProtocol): boolean {
  return protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
}

/** The SASL mechanisms this broker implements (Kafka's names). */
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export function isSaslMechanism(name: string): name is SaslMechanism {
  return (SASL_MECHANISMS as readonly string[]).includes(name);
}

export type SslClientAuth = 'none' | 'requested' | 'required';

/** Where a listener's (or the inter-broker client's) key and certificates come from. */
export type KeyStore =
  /** A PEM file with the private key and the certificate chain (ssl.keystore.type=PEM). */
  | { kind: 'pem-file'; location: string; keyPassword: string | undefined }
  /** Inline PEM text (ssl.keystore.key and ssl.keystore.certificate.chain). */
  | { kind: 'pem-inline'; key: string; certificateChain: string; keyPassword: string | undefined }
  /** A PKCS#12 file (ssl.keystore.type=PKCS12) and its password. */
  | { kind: 'pkcs12'; location: string; password: string | undefined };

/** The CA certificates peers are checked against. */
export type TrustStore =
  | { kind: 'pem-file'; location: string }
  | { kind: 'pem-inline'; certificates: string };

export interface SslConfig {
  keyStore: KeyStore | undefined;
  trustStore: TrustStore | undefined;
  clientAuth: SslClientAuth;
  /** ssl.endpoint.identification.algorithm=https: clients check the host name. */
  endpointIdentification: boolean;
  /** ssl.enabled.protocols, in node's names (TLSv1.2, TLSv1.3). */
  enabledProtocols: string[];
}

/** One `LoginModule flag key="value" ...;` entry of a JAAS configuration. */
export interface JaasEntry {
  loginModule: string;
  flag: string;
  options: Map<string, string>;
}

export interface ListenerSecurity {
  listenerName: string;
  securityProtocol: SecurityProtocol;
  /** Present for SSL and SASL_SSL listeners. */
  ssl: SslConfig | undefined;
  /** Present for SASL_PLAINTEXT and SASL_SSL listeners. */
  sasl: ListenerSasl | undefined;
}

export interface ListenerSasl {
  enabledMechanisms: SaslMechanism[];
  /** PLAIN's users (user_<name>="<password>" in the JAAS config of PLAIN). */
  plainUsers: ReadonlyMap<string, string>;
  /** The JAAS entry of each enabled mechanism, if any (its username/password log us in). */
  jaas: ReadonlyMap<SaslMechanism, JaasEntry>;
  /**
   * connections.max.reauth.ms of each enabled mechanism (KIP-368): the listener's
   * `listener.name.<l>.<mechanism>.connections.max.reauth.ms`, else the broker-wide value.
   */
  connectionsMaxReauthMs: ReadonlyMap<SaslMechanism, number>;
}

/** How this broker connects to other brokers (replica fetchers, controller, shutdown). */
export interface InterBrokerSecurity {
  listenerName: string;
  securityProtocol: SecurityProtocol;
  ssl: SslConfig | undefined;
  /** sasl.mechanism.inter.broker.protocol and the credentials from its JAAS entry. */
  sasl: { mechanism: SaslMechanism; username: string; password: string } | undefined;
}

export interface AuthorizerConfig {
  /** authorizer.class.name=kafka.security.authorizer.AclAuthorizer switches it on. */
  enabled: boolean;
  /** super.users: principals allowed everything (`User:admin;User:broker`). */
  superUsers: string[];
  allowEveryoneIfNoAclFound: boolean;
}

export interface SecurityConfig {
  listeners: ReadonlyMap<string, ListenerSecurity>;
  interBroker: InterBrokerSecurity;
  /** connections.max.reauth.ms (KIP-368): 0 = sessions never expire. */
  connectionsMaxReauthMs: number;
  authorizer: AuthorizerConfig;
}

/** The class name Kafka 2.8 uses for its ZooKeeper-backed authorizer. */
export const ACL_AUTHORIZER_CLASS = 'kafka.security.authorizer.AclAuthorizer';

/** Properties that may also be given with a `listener.name.<listener>.` prefix. */
const LISTENER_PREFIXABLE =
  /^(ssl\.[a-z.]+|sasl\.enabled\.mechanisms|[a-z0-9-]+\.sasl\.jaas\.config|[a-z0-9-]+\.connections\.max\.reauth\.ms)$/;

/** Is `key` a listener-prefixed form of a known security property? */
export function isListenerPrefixedProperty(key: string, known: (k: string) => boolean): boolean {
  const m = /^listener\.name\.([a-z0-9_]+)\.(.+)$/.exec(key);
  if (!m) return false;
  const rest = m[2] as string;
  if (!LISTENER_PREFIXABLE.test(rest)) return false;
  if (rest.endsWith('.sasl.jaas.config')) return true;
  if (rest.endsWith('.connections.max.reauth.ms')) return true;
  return known(rest);
}

/** Parses `listener.security.protocol.map` (`NAME:PROTOCOL,...`). */
export function parseProtocolMap(entries: readonly string[]): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>();
  for (const entry of entries) {
    const [name, protocol] = entry.split(':');
    if (!name || !protocol) {
      throw new ConfigError('listener.security.protocol.map', `"${entry}" is not NAME:PROTOCOL`);
    }
    if (!isSecurityProtocol(protocol)) {
      throw new ConfigError(
        'listener.security.protocol.map',
        `${protocol} is not one of ${SECURITY_PROTOCOLS.join(', ')}`,
      );
    }
    map.set(name, protocol);
  }
  return map;
}

/**
 * Parses a JAAS configuration as Kafka's `sasl.jaas.config` holds it:
 * `org.apache.kafka.common.security.plain.PlainLoginModule required username="admin"
 * password="admin-secret" user_alice="alice-secret";`. Values may be quoted (with `\"`
 * escapes) or bare words.
 */
export function parseJaasConfig(key: string, text: string): JaasEntry {
  const s = text.trim();
  const head = /^([A-Za-z0-9_.$]+)\s+(required|requisite|sufficient|optional)\b/.exec(s);
  if (!head) throw new ConfigError(key, 'expected "<LoginModule> required key="value" ...;"');
  const options = new Map<string, string>();
  let i = head[0].length;
  for (;;) {
    while (i < s.length && /\s/.test(s[i] as string)) i++;
    if (s[i] === ';') {
      if (s.slice(i + 1).trim() !== '') throw new ConfigError(key, 'only one login module');
      break;
    }
    if (i >= s.length) throw new ConfigError(key, 'the JAAS entry must end with ";"');
    const name = /^[A-Za-z0-9_.-]+/.exec(s.slice(i));
    if (!name) throw new ConfigError(key, `unexpected "${s.slice(i, i + 10)}"`);
    i += name[0].length;
    if (s[i] !== '=') throw new ConfigError(key, `option ${name[0]} has no "="`);
    i++;
    let value = '';
    if (s[i] === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        value += s[i];
        i++;
      }
      if (s[i] !== '"') throw new ConfigError(key, `unterminated value of ${name[0]}`);
      i++;
    } else {
      const bare = /^[^\s;]*/.exec(s.slice(i))![0];
      value = bare;
      i += bare.length;
    }
    options.set(name[0], value);
  }
  return { loginModule: head[1] as string, flag: head[2] as string, options };
}

/** Reads a property for one listener: the listener-prefixed value, else the plain one. */
export type ListenerValue = (listenerName: string, key: string) => string | undefined;

/**
 * Builds the security configuration from the merged property values. `value(key)` reads one
 * property (with its default); `listenerValue` the listener-prefixed lookup above.
 */
export function buildSecurityConfig(input: {
  listeners: readonly { listenerName: string; securityProtocol: string }[];
  interBrokerListenerName: string;
  value: (key: string) => string | undefined;
}): SecurityConfig {
  const { value } = input;
  const listenerValue: ListenerValue = (listenerName, key) =>
    value(`listener.name.${listenerName.toLowerCase()}.${key}`) ?? value(key);
  const listeners = new Map<string, ListenerSecurity>();
  for (const l of input.listeners) {
    const securityProtocol = l.securityProtocol as SecurityProtocol;
    listeners.set(l.listenerName, {
      listenerName: l.listenerName,
      securityProtocol,
      ssl: usesTls(securityProtocol) ? sslConfig(l.listenerName, listenerValue, true) : undefined,
      sasl: usesSasl(securityProtocol)
        ? listenerSasl(l.listenerName, listenerValue, value('connections.max.reauth.ms'))
        : undefined,
    });
  }
  const inter = listeners.get(input.interBrokerListenerName);
  if (inter === undefined) {
    throw new ConfigError(
      'inter.broker.listener.name',
      `no listener is named ${input.interBrokerListenerName}`,
    );
  }
  let interSasl: InterBrokerSecurity['sasl'];
  if (inter.sasl !== undefined) {
    const mechanism = value('sasl.mechanism.inter.broker.protocol') ?? 'GSSAPI';
    if (!isSaslMechanism(mechanism) || !inter.sasl.enabledMechanisms.includes(mechanism)) {
      throw new ConfigError(
        'sasl.mechanism.inter.broker.protocol',
        `${mechanism} is not enabled on listener ${inter.listenerName} ` +
          `(enabled: ${inter.sasl.enabledMechanisms.join(', ')})`,
      );
    }
    const jaas = inter.sasl.jaas.get(mechanism);
    const username = jaas?.options.get('username');
    const password = jaas?.options.get('password');
    if (username === undefined || password === undefined) {
      throw new ConfigError(
        `listener.name.${inter.listenerName.toLowerCase()}.${mechanism.toLowerCase()}` +
          '.sasl.jaas.config',
        'the inter-broker listener needs username="..." password="..." for the broker itself',
      );
    }
    interSasl = { mechanism, username, password };
  }
  const reauth = Number(value('connections.max.reauth.ms') ?? '0');
  return {
    listeners,
    interBroker: {
      listenerName: inter.listenerName,
      securityProtocol: inter.securityProtocol,
      ssl: inter.ssl,
      sasl: interSasl,
    },
    connectionsMaxReauthMs: reauth,
    authorizer: authorizerConfig(value),
  };
}

function authorizerConfig(value: (key: string) => string | undefined): AuthorizerConfig {
  const className = value('authorizer.class.name') ?? '';
  if (className !== '' && className !== ACL_AUTHORIZER_CLASS) {
    throw new ConfigError('authorizer.class.name', `only ${ACL_AUTHORIZER_CLASS} is implemented`);
  }
  const superUsers = (value('super.users') ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const p of superUsers) {
    if (!/^[A-Za-z]+:.+$/.test(p)) {
      throw new ConfigError('super.users', `"${p}" is not a principal like User:admin`);
    }
  }
  return {
    enabled: className !== '',
    superUsers,
    allowEveryoneIfNoAclFound: value('allow.everyone.if.no.acl.found') === 'true',
  };
}

function sslConfig(listenerName: string, get: ListenerValue, server: boolean): SslConfig {
  const key = (k: string): string => `listener.name.${listenerName.toLowerCase()}.${k} or ${k}`;
  const keystoreType = (get(listenerName, 'ssl.keystore.type') ?? 'JKS').toUpperCase();
  const keystoreLocation = get(listenerName, 'ssl.keystore.location');
  const keyPassword = get(listenerName, 'ssl.key.password');
  const inlineKey = get(listenerName, 'ssl.keystore.key');
  const inlineChain = get(listenerName, 'ssl.keystore.certificate.chain');
  let keyStore: KeyStore | undefined;
  if (inlineKey !== undefined || inlineChain !== undefined) {
    if (inlineKey === undefined || inlineChain === undefined || keystoreType !== 'PEM') {
      throw new ConfigError(
        key('ssl.keystore.key'),
        'ssl.keystore.key and ssl.keystore.certificate.chain go together, with ' +
          'ssl.keystore.type=PEM',
      );
    }
    keyStore = { kind: 'pem-inline', key: inlineKey, certificateChain: inlineChain, keyPassword };
  } else if (keystoreLocation !== undefined) {
    if (keystoreType === 'PEM')
      keyStore = { kind: 'pem-file', location: keystoreLocation, keyPassword };
    else if (keystoreType === 'PKCS12') {
      keyStore = {
        kind: 'pkcs12',
        location: keystoreLocation,
        password: get(listenerName, 'ssl.keystore.password'),
      };
    } else {
      throw new ConfigError(
        key('ssl.keystore.type'),
        `${keystoreType} stores are not readable here; use PEM or PKCS12`,
      );
    }
  }
  if (server && keyStore === undefined) {
    throw new ConfigError(
      key('ssl.keystore.location'),
      `listener ${listenerName} uses TLS and needs a key and certificate`,
    );
  }
  const truststoreType = (get(listenerName, 'ssl.truststore.type') ?? 'JKS').toUpperCase();
  const truststoreLocation = get(listenerName, 'ssl.truststore.location');
  const inlineCerts = get(listenerName, 'ssl.truststore.certificates');
  let trustStore: TrustStore | undefined;
  if (inlineCerts !== undefined) trustStore = { kind: 'pem-inline', certificates: inlineCerts };
  else if (truststoreLocation !== undefined) {
    if (truststoreType !== 'PEM') {
      throw new ConfigError(
        key('ssl.truststore.type'),
        `${truststoreType} trust stores are not readable here; use PEM`,
      );
    }
    trustStore = { kind: 'pem-file', location: truststoreLocation };
  }
  const clientAuth = get(listenerName, 'ssl.client.auth') ?? 'none';
  if (clientAuth !== 'none' && clientAuth !== 'requested' && clientAuth !== 'required') {
    throw new ConfigError(
      key('ssl.client.auth'),
      `"${clientAuth}" is not none, requested or required`,
    );
  }
  if (clientAuth !== 'none' && trustStore === undefined) {
    throw new ConfigError(
      key('ssl.truststore.location'),
      `ssl.client.auth=${clientAuth} needs a trust store to check client certificates`,
    );
  }
  const protocols = (get(listenerName, 'ssl.enabled.protocols') ?? 'TLSv1.2,TLSv1.3')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const p of protocols) {
    if (p !== 'TLSv1.2' && p !== 'TLSv1.3') {
      throw new ConfigError(key('ssl.enabled.protocols'), `${p} is not TLSv1.2 or TLSv1.3`);
    }
  }
  return {
    keyStore,
    trustStore,
    clientAuth,
    endpointIdentification:
      (get(listenerName, 'ssl.endpoint.identification.algorithm') ?? 'https') !== '',
    enabledProtocols: protocols,
  };
}

function listenerSasl(
  listenerName: string,
  get: ListenerValue,
  reauthMsDefault: string | undefined,
): ListenerSasl {
  const prefix = `listener.name.${listenerName.toLowerCase()}.`;
  const mechanisms = (get(listenerName, 'sasl.enabled.mechanisms') ?? 'GSSAPI')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const enabledMechanisms: SaslMechanism[] = [];
  for (const m of mechanisms) {
    if (!isSaslMechanism(m)) {
      throw new ConfigError(
        `${prefix}sasl.enabled.mechanisms or sasl.enabled.mechanisms`,
        `${m} is not implemented on listener ${listenerName} (use ${SASL_MECHANISMS.join(', ')})`,
      );
    }
    enabledMechanisms.push(m);
  }
  if (enabledMechanisms.length === 0) {
    throw new ConfigError(`${prefix}sasl.enabled.mechanisms`, 'no SASL mechanism enabled');
  }
  const jaas = new Map<SaslMechanism, JaasEntry>();
  for (const m of enabledMechanisms) {
    const k = `${m.toLowerCase()}.sasl.jaas.config`;
    const text = get(listenerName, k) ?? get(listenerName, 'sasl.jaas.config');
    if (text !== undefined) jaas.set(m, parseJaasConfig(`${prefix}${k}`, text));
  }
  const plainUsers = new Map<string, string>();
  for (const [name, password] of jaas.get('PLAIN')?.options ?? []) {
    if (name.startsWith('user_')) plainUsers.set(name.slice('user_'.length), password);
  }
  if (enabledMechanisms.includes('PLAIN') && plainUsers.size === 0) {
    throw new ConfigError(
      `${prefix}plain.sasl.jaas.config`,
      'PLAIN is enabled but its JAAS config names no user_<name>="<password>"',
    );
  }
  const connectionsMaxReauthMs = new Map<SaslMechanism, number>();
  for (const m of enabledMechanisms) {
    const k = `${prefix}${m.toLowerCase()}.connections.max.reauth.ms`;
    const text =
      get(listenerName, `${m.toLowerCase()}.connections.max.reauth.ms`) ?? reauthMsDefault;
    const ms = Number(text ?? '0');
    if (!Number.isSafeInteger(ms) || ms < 0) {
      throw new ConfigError(k, `${text} is not a number of milliseconds >= 0`);
    }
    connectionsMaxReauthMs.set(m, ms);
  }
  return { enabledMechanisms, plainUsers, jaas, connectionsMaxReauthMs };
}
