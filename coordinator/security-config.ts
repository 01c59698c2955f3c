/**
 * The coordinator's security settings, named as ZooKeeper 3.8 names them in zoo.cfg (and as
 * `coordinator start` flags, docs/coordinator-cli.md):
 *
 *   DigestAuthenticationProvider.superDigest   the super user's digest, `super:<base64 sha1>`
 *     (ZooKeeper reads it as the system property
 *     zookeeper.DigestAuthenticationProvider.superDigest; both spellings are accepted here)
 *   secureClientPort        a second client port that speaks TLS (both protocols, as the
 *                           plain port: ZooKeeper's binary one and WebSocket, i.e. wss)
 *   ssl.keyStore.location   the server's private key and certificate chain, one PEM file
 *   ssl.trustStore.location the CA certificates (PEM) client certificates are checked against
 *   ssl.clientAuth          none | want | need (ZooKeeper's default: need)
 *   admin.forceHttps        the admin HTTP port speaks TLS only (ZooKeeper 3.7+), with
 *                           ssl.quorum.keyStore.location / ssl.quorum.trustStore.location
 *                           (ZooKeeper's admin server reads the quorum stores), else the above
 *   admin.needClientAuth    the admin port asks for a client certificate (ZooKeeper 3.9;
 *                           default false)
 *   admin.login             `user:<base64 sha1>`: every admin request must log in (HTTP Basic,
 *                           or ZooKeeper 3.9's `Authorization: digest user:password`)
 *
 * ZooKeeper's stores are JKS or PKCS12 by default; here they are PEM files only, what
 * ZooKeeper reads with ssl.keyStore.type=PEM (3.6+). ssl.keyStore.type and ssl.trustStore.type
 * may be given and must then be PEM.
 *
 * Pure: settings in, checked values out; files are read by `loadTlsMaterial`.
 */
import { readFileSync } from 'node:fs';
import { isValidDigestId } from './acl.js';

export type ClientAuth = 'none' | 'want' | 'need';

export interface TlsStores {
  /** PEM file: private key and certificate chain. */
  keyStore: string;
  /** PEM file of trusted CA certificates; absent: client certificates cannot be checked. */
  trustStore: string | undefined;
  clientAuth: ClientAuth;
}

export interface CoordinatorSecurity {
  superDigest: string | undefined;
  /** undefined: no secure port. 0 picks a free one. */
  secureClientPort: number | undefined;
  /** The stores of the secure client port (present when secureClientPort is). */
  clientTls: TlsStores | undefined;
  /** The stores of the admin port when admin.forceHttps is on. */
  adminTls: TlsStores | undefined;
  /** `user:<base64 sha1>` whose password every admin request must give. */
  adminLogin: string | undefined;
}

export class SecurityConfigError extends Error {
  override name = 'SecurityConfigError';
  readonly code = 'KC_ERR_SECURITY_CONFIG';
}

/** The zoo.cfg keys this module reads; the value of a key given twice is the last one. */
export const SECURITY_KEYS = [
  'DigestAuthenticationProvider.superDigest',
  'zookeeper.DigestAuthenticationProvider.superDigest',
  'secureClientPort',
  'ssl.keyStore.location',
  'ssl.keyStore.type',
  'ssl.trustStore.location',
  'ssl.trustStore.type',
  'ssl.clientAuth',
  'ssl.quorum.keyStore.location',
  'ssl.quorum.keyStore.type',
  'ssl.quorum.trustStore.location',
  'ssl.quorum.trustStore.type',
  'admin.forceHttps',
  'admin.needClientAuth',
  'admin.login',
] as const;

export type SecuritySettings = Partial<Record<(typeof SECURITY_KEYS)[number], string>>;

/** The security keys of a zoo.cfg text (other keys are someone else's). */
export function securitySettingsOfZooCfg(text: string): SecuritySettings {
  const known = new Set<string>(SECURITY_KEYS);
  const settings: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (known.has(key)) settings[key] = line.slice(eq + 1).trim();
  }
  return settings;
}

/** Checks the settings and resolves the defaults (see the module comment). */
export function buildSecurityConfig(s: SecuritySettings): CoordinatorSecurity {
  const superDigest =
    s['zookeeper.DigestAuthenticationProvider.superDigest'] ??
    s['DigestAuthenticationProvider.superDigest'];
  if (superDigest !== undefined && !isValidDigestId(superDigest)) {
    throw new SecurityConfigError(
      'DigestAuthenticationProvider.superDigest must be user:base64(sha1(user:password))',
    );
  }
  const adminLogin = s['admin.login'];
  if (adminLogin !== undefined && !isValidDigestId(adminLogin)) {
    throw new SecurityConfigError('admin.login must be user:base64(sha1(user:password))');
  }
  let secureClientPort: number | undefined;
  if (s.secureClientPort !== undefined) {
    if (!/^\d+$/.test(s.secureClientPort) || Number(s.secureClientPort) > 65535)
      throw new SecurityConfigError(`secureClientPort must be a port, got ${s.secureClientPort}`);
    secureClientPort = Number(s.secureClientPort);
  }
  const clientAuth = (s['ssl.clientAuth'] ?? 'need').toLowerCase();
  if (clientAuth !== 'none' && clientAuth !== 'want' && clientAuth !== 'need')
    throw new SecurityConfigError(`ssl.clientAuth must be none, want or need, got ${clientAuth}`);
  const stores = (
    prefix: 'ssl' | 'ssl.quorum',
    what: string,
    clientAuth: ClientAuth,
  ): TlsStores | undefined => {
    for (const kind of ['keyStore', 'trustStore'] as const) {
      const type = s[`${prefix}.${kind}.type`];
      if (type !== undefined && type.toUpperCase() !== 'PEM')
        throw new SecurityConfigError(`${prefix}.${kind}.type must be PEM here, got ${type}`);
    }
    const keyStore = s[`${prefix}.keyStore.location`];
    if (keyStore === undefined) return undefined;
    const trustStore = s[`${prefix}.trustStore.location`];
    if (clientAuth !== 'none' && trustStore === undefined)
      throw new SecurityConfigError(
        `${what}: ssl.clientAuth=${clientAuth} needs ${prefix}.trustStore.location`,
      );
    return { keyStore, trustStore, clientAuth };
  };
  const clientTls = stores('ssl', 'secureClientPort', clientAuth);
  if (secureClientPort !== undefined && clientTls === undefined)
    throw new SecurityConfigError('secureClientPort needs ssl.keyStore.location');
  let adminTls: TlsStores | undefined;
  const forceHttps = s['admin.forceHttps'];
  if (forceHttps !== undefined && forceHttps !== 'true' && forceHttps !== 'false')
    throw new SecurityConfigError(`admin.forceHttps must be true or false, got ${forceHttps}`);
  if (forceHttps === 'true') {
    // ZooKeeper 3.9's admin.needClientAuth (default false): no client certificate asked.
    const needClientAuth = s['admin.needClientAuth'];
    if (needClientAuth !== undefined && needClientAuth !== 'true' && needClientAuth !== 'false')
      throw new SecurityConfigError(`admin.needClientAuth must be true or false`);
    const adminAuth: ClientAuth = needClientAuth === 'true' ? 'need' : 'none';
    adminTls =
      stores('ssl.quorum', 'admin.forceHttps', adminAuth) ??
      stores('ssl', 'admin.forceHttps', adminAuth);
    if (adminTls === undefined)
      throw new SecurityConfigError(
        'admin.forceHttps needs ssl.quorum.keyStore.location or ssl.keyStore.location',
      );
  }
  return {
    superDigest,
    secureClientPort,
    clientTls: secureClientPort === undefined ? undefined : clientTls,
    adminTls,
    adminLogin,
  };
}

/** Node TLS server options for `stores`: the files are read now. */
export function loadTlsMaterial(stores: TlsStores): {
  key: Buffer;
  cert: Buffer;
  ca: Buffer | undefined;
  requestCert: boolean;
  rejectUnauthorized: boolean;
} {
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new SecurityConfigError(`cannot read the ${what} ${file}: ${(err as Error).message}`);
    }
  };
  // One PEM file with both blocks: node picks the key and the certificates out of it.
  const keyStore = read(stores.keyStore, 'key store');
  return {
    key: keyStore,
    cert: keyStore,
    ca: stores.trustStore === undefined ? undefined : read(stores.trustStore, 'trust store'),
    requestCert: stores.clientAuth !== 'none',
    // want: a client may come without a certificate; one it shows is checked (client-port.ts).
    rejectUnauthorized: stores.clientAuth === 'need',
  };
}
