/**
 * TLS for the broker's SSL and SASL_SSL listeners, and for its own connections to other
 * brokers over such a listener: node:tls options built from a listener's SslConfig
 * (broker/security/security-config.ts), and the principal a client certificate names.
 *
 * Files are read once, when the listener starts (Kafka reloads stores only on a dynamic
 * config change; we have none). A missing or unreadable file stops the start with the
 * property and the path named.
 *
 * ssl.client.auth, as Kafka's SslFactory maps it onto the TLS engine:
 *   none       no certificate is asked for; the principal is User:ANONYMOUS
 *   requested  a certificate is asked for; a client may send none (ANONYMOUS), but one it
 *              sends must be signed by the trust store, or the handshake fails
 *   required   a client without a valid certificate fails the handshake
 *
 * The principal of a certificate is Kafka's default (ssl.principal.mapping.rules=DEFAULT):
 * the subject's distinguished name as X500Principal.getName() prints it, RFC 2253, the most
 * specific part first: `User:CN=alice,OU=orders,O=Example`.
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { ConfigError } from '../config.js';
import type { KeyStore, SslConfig, TrustStore } from '../security/security-config.js';

/** The principal of a connection that has not proved who it is. */
export const ANONYMOUS_PRINCIPAL = 'User:ANONYMOUS';

function readFile(what: string, location: string): Buffer {
  try {
    return fs.readFileSync(location);
  } catch (err) {
    throw new ConfigError(what, `cannot read ${location}: ${(err as Error).message}`);
  }
}

/** The key and certificate chain, as tls.createSecureContext wants them. */
function keyStoreOptions(store: KeyStore): tls.SecureContextOptions {
  switch (store.kind) {
    case 'pem-file': {
      // One PEM file with the private key and the chain (Kafka's PEM keystore file).
      const pem = readFile('ssl.keystore.location', store.location);
      return { key: pem, cert: pem, passphrase: store.keyPassword };
    }
    case 'pem-inline':
      return { key: store.key, cert: store.certificateChain, passphrase: store.keyPassword };
    case 'pkcs12':
      return { pfx: readFile('ssl.keystore.location', store.location), passphrase: store.password };
  }
}

function trustStoreOptions(store: TrustStore | undefined): tls.SecureContextOptions {
  if (store === undefined) return {};
  if (store.kind === 'pem-inline') return { ca: store.certificates };
  return { ca: readFile('ssl.truststore.location', store.location) };
}

function versionRange(ssl: SslConfig): Pick<tls.SecureContextOptions, 'minVersion' | 'maxVersion'> {
  const versions = ssl.enabledProtocols as tls.SecureVersion[];
  const sorted = [...versions].sort();
  return { minVersion: sorted[0], maxVersion: sorted[sorted.length - 1] };
}

/** Options for `tls.createServer` of one listener. */
export function tlsServerOptions(ssl: SslConfig): tls.TlsOptions {
  if (ssl.keyStore === undefined) throw new ConfigError('ssl.keystore.location', 'is required');
  const options: tls.TlsOptions = {
    ...keyStoreOptions(ssl.keyStore),
    ...trustStoreOptions(ssl.trustStore),
    ...versionRange(ssl),
    requestCert: ssl.clientAuth !== 'none',
    rejectUnauthorized: ssl.clientAuth === 'required',
  };
  // Fail now, at start-up, rather than at the first handshake: a key that does not match its
  // certificate, a wrong passphrase, a file that is not PEM.
  try {
    tls.createSecureContext(options);
  } catch (err) {
    throw new ConfigError('ssl.keystore.location', `unusable key store: ${(err as Error).message}`);
  }
  return options;
}

/** Options for `tls.connect` to another broker (our key store for mutual TLS, if any). */
export function tlsClientOptions(ssl: SslConfig, host: string): tls.ConnectionOptions {
  return {
    ...(ssl.keyStore ? keyStoreOptions(ssl.keyStore) : {}),
    ...trustStoreOptions(ssl.trustStore),
    ...versionRange(ssl),
    // SNI carries host names only (RFC 6066); an address is still checked against the
    // certificate's IP subjectAltNames.
    ...(net.isIP(host) === 0 ? { servername: host } : {}),
    rejectUnauthorized: true,
    // ssl.endpoint.identification.algorithm= (empty) switches off the host name check only.
    checkServerIdentity: ssl.endpointIdentification ? tls.checkServerIdentity : () => undefined,
  };
}

/**
 * Creates the TLS server of a listener. `onSecure` gets each connection once its handshake
 * is done. With ssl.client.auth=requested node accepts any certificate (rejectUnauthorized is
 * false so that clients without one get in): one that does not verify is refused here.
 */
export function createTlsServer(
  ssl: SslConfig,
  onSecure: (socket: tls.TLSSocket) => void,
  onRefused: (socket: tls.TLSSocket, reason: string) => void,
): tls.Server {
  const server = tls.createServer(tlsServerOptions(ssl), (socket) => {
    if (ssl.clientAuth === 'requested' && !socket.authorized && hasPeerCertificate(socket)) {
      onRefused(socket, `client certificate rejected: ${String(socket.authorizationError)}`);
      socket.destroy();
      return;
    }
    onSecure(socket);
  });
  return server;
}

function hasPeerCertificate(socket: tls.TLSSocket): boolean {
  const cert = socket.getPeerCertificate();
  return cert !== null && Object.keys(cert).length > 0;
}

/** `User:<RFC 2253 DN>` of a verified client certificate, or User:ANONYMOUS. */
export function principalOfTlsSocket(socket: tls.TLSSocket): string {
  if (!socket.authorized) return ANONYMOUS_PRINCIPAL;
  const cert = socket.getPeerX509Certificate();
  if (cert === undefined) return ANONYMOUS_PRINCIPAL;
  return `User:${rfc2253Name(cert)}`;
}

/**
 * The subject DN as RFC 2253 writes it: node prints the RDNs one a line in certificate order
 * (least specific first, `C=US\nO=Example\nCN=alice`); RFC 2253 reverses them and joins
 * them with commas, escaping `,+"\<>;` in values.
 */
export function rfc2253Name(cert: X509Certificate): string {
  return cert.subject
    .split('\n')
    .filter((line) => line !== '')
    .reverse()
    .map((rdn) => {
      const eq = rdn.indexOf('=');
      const value = rdn.slice(eq + 1).replace(/([,+"\\<>;])/g, '\\$1');
      return `${rdn.slice(0, eq)}=${value}`;
    })
    .join(',');
}
