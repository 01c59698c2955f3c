/**
 * What a broker knows about the other end of one connection: which listener it came in on,
 * who it is (the principal the authorizer checks) and how far its SASL login has got. One
 * object per connection, made by the socket server when it accepts the connection; the SASL
 * handlers (sasl-server.ts) update it; every handler can read it (ConnectionInfo.session).
 *
 * Principal, as Kafka's DefaultKafkaPrincipalBuilder derives it:
 *   PLAINTEXT                 User:ANONYMOUS
 *   SSL                       User:<the client certificate's DN>, or User:ANONYMOUS
 *   SASL_PLAINTEXT, SASL_SSL  User:<the SASL user> once authenticated
 */
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import type { SecurityProtocol } from './security-config.js';
import { ANONYMOUS_PRINCIPAL } from '../network/tls-server.js';

/** The SASL side of a connection, as the socket server needs it. */
export interface SaslConnection {
  /**
   * After SaslHandshake v0, the client sends its SASL tokens as bare size-prefixed frames,
   * without Kafka request headers, until the login completes.
   */
  readonly expectsRawToken: boolean;
  /** Handles one raw token; resolves with the raw answer, or a reason to close. */
  rawToken(token: Buffer): Promise<{ response: Buffer } | { close: string }>;
  /**
   * Whether a request of `apiKey` arrives after the session expired (connections.max.reauth.ms,
   * KIP-368) without a re-authentication: the socket server then closes the connection.
   */
  expired(apiKey: number): boolean;
}

export interface ConnectionSession {
  readonly listenerName: string;
  readonly securityProtocol: SecurityProtocol;
  /** `User:<name>`; User:ANONYMOUS until proven otherwise. */
  principal: string;
  /** The client's address without the port (what ACLs name as `host`). */
  readonly clientHost: string;
  /** False on SASL listeners until a login succeeds: only ApiVersions and SASL are served. */
  authenticated: boolean;
  /** Present on SASL listeners. */
  sasl: SaslConnection | undefined;
  /** Set by a handler whose response must be the last (a failed login): close after it. */
  closeAfterResponse: string | undefined;
}

/**
 * The session of a newly accepted connection: SASL listeners start unauthenticated (the SASL
 * handlers then set `sasl`, `authenticated` and the principal), the others authenticated as
 * `principal` (User:ANONYMOUS, or the client certificate's DN on SSL).
 */
export function newConnectionSession(options: {
  listenerName: string;
  securityProtocol: SecurityProtocol;
  clientHost: string;
  principal?: string;
  authenticated: boolean;
}): ConnectionSession {
  return {
    listenerName: options.listenerName,
    securityProtocol: options.securityProtocol,
    principal: options.principal ?? ANONYMOUS_PRINCIPAL,
    clientHost: options.clientHost,
    authenticated: options.authenticated,
    sasl: undefined,
    closeAfterResponse: undefined,
  };
}

/** The APIs a SASL listener serves before authentication (Kafka's SaslServerAuthenticator). */
export const API_KEYS_BEFORE_AUTHENTICATION: ReadonlySet<number> = new Set([
  ApiKey.ApiVersions,
  ApiKey.SaslHandshake,
  ApiKey.SaslAuthenticate,
]);
