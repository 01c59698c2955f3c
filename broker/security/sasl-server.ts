/**
 * SASL logins on SASL_PLAINTEXT and SASL_SSL listeners, as Kafka 2.8's
 * SaslServerAuthenticator runs them, one SaslServerConnection per connection:
 *
 *   state        request                      answer / next state
 *   HANDSHAKE    ApiVersions                  served as usual
 *                SaslHandshake(mechanism)     enabled: NONE + our mechanisms; v0 -> RAW,
 *                                             v1 -> AUTHENTICATE.  Not enabled:
 *                                             UNSUPPORTED_SASL_MECHANISM (the client may try
 *                                             another one)
 *                anything else                the connection is closed (logged)
 *   RAW          a bare size-prefixed token   the mechanism's answer, bare; COMPLETE when done
 *                (no Kafka header: SaslHandshake v0 clients, KIP-43)
 *   AUTHENTICATE SaslAuthenticate(authBytes)  the answer in authBytes; COMPLETE when done
 *   COMPLETE     any request                  served; the principal is User:<name>
 *                SaslHandshake v1 (after a    re-authentication (KIP-368): AUTHENTICATE again
 *                SaslAuthenticate v1+ login)  with the same mechanism, ending with the same
 *                                             principal, or SASL_AUTHENTICATION_FAILED + close
 *   failure      -                            SASL_AUTHENTICATION_FAILED with the reason
 *                                             (v1: then the connection is closed; raw: closed)
 *
 * Session lifetime (connections.max.reauth.ms, KIP-368; 0, the default, means none): a login
 * that completes starts a session of that many ms, told to the client in SaslAuthenticate v1+
 * (session_lifetime_ms). A request other than the re-authentication's own, arriving after the
 * session ended, closes the connection (the socket server asks `expired`), as Kafka's
 * SocketServer does; clients that logged in with SaslHandshake v0 or SaslAuthenticate v0
 * cannot re-authenticate, so their connections end with their sessions.
 *
 * Mechanisms:
 *   PLAIN (RFC 4616)   one token `authzid NUL user NUL password`, checked against the
 *                      user_<name>="<password>" options of the listener's JAAS config
 *   SCRAM-SHA-256/512  scram-server.ts, with the credential of `/config/users/<name>`
 *                      (read at each login, so a new or changed user works at once)
 *
 * On a listener without SASL, SaslHandshake and SaslAuthenticate answer ILLEGAL_SASL_STATE,
 * as Kafka's KafkaApis does.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../../src/logger.js';
import type { Clock } from '../../src/clock.js';
import { systemScheduler } from '../../src/scheduler.js';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import {
  isScramMechanism,
  type ScramCredential,
  type ScramMechanism,
} from '../../src/security/scram-credential.js';
import {
  apiHandler,
  type AnyApiHandler,
  type ConnectionInfo,
} from '../network/api-handler-table.js';
import { ScramServer } from './scram-server.js';
import type { ListenerSasl, SaslMechanism } from './security-config.js';
import type { ConnectionSession, SaslConnection } from './session.js';

/** Where SCRAM credentials come from (the coordinator's /config/users, in the broker). */
export interface ScramCredentialSource {
  credential(mechanism: ScramMechanism, user: string): Promise<ScramCredential | undefined>;
}

type State = 'HANDSHAKE' | 'RAW' | 'AUTHENTICATE' | 'COMPLETE' | 'FAILED';

/** One step's outcome: bytes for the client, and whether the login is over. */
type Step =
  | { kind: 'continue'; response: Buffer }
  | { kind: 'complete'; response: Buffer; user: string }
  | { kind: 'failed'; reason: string };

export interface SaslServerConnectionOptions {
  sasl: ListenerSasl;
  session: ConnectionSession;
  credentials: ScramCredentialSource;
  logger: Logger;
  /** Time for session lifetimes; the system clock by default. */
  clock?: Clock;
}

/** A re-authentication in progress: what the first login established. */
interface Reauthentication {
  mechanism: SaslMechanism;
  principal: string;
  /** Set when the client asked for another mechanism: the next token fails with it. */
  badMechanism: string | undefined;
}

export class SaslServerConnection implements SaslConnection {
  readonly #o: SaslServerConnectionOptions;
  #state: State = 'HANDSHAKE';
  #mechanism: SaslMechanism | undefined;
  #scram: ScramServer | undefined;
  /** The login used SaslAuthenticate v1+, so the client can re-authenticate (Kafka's rule). */
  #supportsReauthentication = false;
  #reauthentication: Reauthentication | undefined;
  /** When the session ends (clock ms); undefined: never. */
  #expiresAtMs: number | undefined;
  readonly #clock: Clock;

  constructor(options: SaslServerConnectionOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemScheduler;
  }

  /** See SaslConnection.expired: the re-authentication's own requests are let through. */
  expired(apiKey: number): boolean {
    if (this.#expiresAtMs === undefined || this.#clock.nowMs() < this.#expiresAtMs) return false;
    const reauthenticating =
      this.#supportsReauthentication &&
      (apiKey === ApiKey.SaslHandshake || apiKey === ApiKey.SaslAuthenticate);
    return !reauthenticating;
  }

  get state(): State {
    return this.#state;
  }

  get expectsRawToken(): boolean {
    return this.#state === 'RAW';
  }

  /** SaslHandshake: pick the mechanism. */
  handshake(mechanism: string, apiVersion: number): { errorCode: number; mechanisms: string[] } {
    const mechanisms = [...this.#o.sasl.enabledMechanisms];
    if (this.#state === 'COMPLETE' && this.#supportsReauthentication && apiVersion >= 1) {
      return this.#beginReauthentication(mechanism, mechanisms);
    }
    if (this.#state !== 'HANDSHAKE') {
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms };
    }
    const chosen = this.#o.sasl.enabledMechanisms.find((m) => m === mechanism);
    if (chosen === undefined) {
      this.#o.logger.info({ mechanism }, 'SASL mechanism not enabled on this listener');
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms };
    }
    this.#mechanism = chosen;
    this.#state = apiVersion === 0 ? 'RAW' : 'AUTHENTICATE';
    return { errorCode: ErrorCode.NONE, mechanisms };
  }

  /** A SaslHandshake on an authenticated connection (KIP-368). */
  #beginReauthentication(
    mechanism: string,
    mechanisms: string[],
  ): { errorCode: number; mechanisms: string[] } {
    const previous = this.#mechanism!;
    // As Kafka: the handshake is answered, and the first token fails if the mechanism changed.
    const badMechanism =
      mechanism === previous
        ? undefined
        : `SASL mechanism '${mechanism}' requested by client is not supported for ` +
          `re-authentication of mechanism '${previous}'`;
    this.#reauthentication = {
      mechanism: previous,
      principal: this.#o.session.principal,
      badMechanism,
    };
    this.#scram = undefined;
    this.#state = 'AUTHENTICATE';
    return { errorCode: ErrorCode.NONE, mechanisms };
  }

  /** SaslAuthenticate (v1 handshakes): one token in, one out, and the session's lifetime. */
  async authenticate(
    token: Buffer,
    apiVersion: number,
  ): Promise<{
    errorCode: number;
    errorMessage: string | null;
    authBytes: Buffer;
    sessionLifetimeMs: bigint;
  }> {
    const failed = (errorCode: number, reason: string) => {
      this.#o.session.closeAfterResponse = `SASL authentication failed: ${reason}`;
      return { errorCode, errorMessage: reason, authBytes: EMPTY, sessionLifetimeMs: 0n };
    };
    if (this.#state !== 'AUTHENTICATE') {
      return failed(ErrorCode.ILLEGAL_SASL_STATE, `SaslAuthenticate in state ${this.#state}`);
    }
    const badMechanism = this.#reauthentication?.badMechanism;
    if (badMechanism !== undefined) {
      this.#state = 'FAILED';
      return failed(ErrorCode.SASL_AUTHENTICATION_FAILED, badMechanism);
    }
    const step = await this.#step(token);
    if (step.kind === 'failed') return failed(ErrorCode.SASL_AUTHENTICATION_FAILED, step.reason);
    let sessionLifetimeMs = 0n;
    if (step.kind === 'complete') {
      this.#supportsReauthentication = apiVersion >= 1;
      sessionLifetimeMs = BigInt(this.#reauthMs());
    }
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      authBytes: step.response,
      sessionLifetimeMs,
    };
  }

  async rawToken(token: Buffer): Promise<{ response: Buffer } | { close: string }> {
    const step = await this.#step(token);
    if (step.kind === 'failed') return { close: `SASL authentication failed: ${step.reason}` };
    return { response: step.response };
  }

  async #step(token: Buffer): Promise<Step> {
    const mechanism = this.#mechanism!;
    let step: Step;
    if (mechanism === 'PLAIN') step = this.#plain(token);
    else step = await this.#scramStep(mechanism, token);
    const reauthentication = this.#reauthentication;
    if (step.kind === 'complete' && reauthentication !== undefined) {
      const principal = `User:${step.user}`;
      if (principal !== reauthentication.principal) {
        const [from, to] = [reauthentication.principal, principal].map((p) => p.replace(':', '.'));
        step = {
          kind: 'failed',
          reason: `Cannot change principals during re-authentication from ${from}: ${to}`,
        };
      }
    }
    if (step.kind === 'failed') {
      this.#state = 'FAILED';
      this.#o.logger.info({ mechanism, reason: step.reason }, 'SASL authentication failed');
    } else if (step.kind === 'complete') {
      this.#state = 'COMPLETE';
      this.#o.session.principal = `User:${step.user}`;
      this.#o.session.authenticated = true;
      const reauthMs = this.#reauthMs();
      this.#expiresAtMs = reauthMs > 0 ? this.#clock.nowMs() + reauthMs : undefined;
      this.#reauthentication = undefined;
      this.#o.logger.info(
        { mechanism, principal: this.#o.session.principal, sessionLifetimeMs: reauthMs },
        reauthentication === undefined ? 'authenticated' : 're-authenticated',
      );
    }
    return step;
  }

  #plain(token: Buffer): Step {
    // RFC 4616: [authzid] NUL authcid NUL passwd.
    const parts = token.toString('utf8').split('\u0000');
    if (parts.length !== 3) return { kind: 'failed', reason: 'Invalid PLAIN token' };
    const [authzid, user, password] = parts as [string, string, string];
    if (user === '') return { kind: 'failed', reason: 'Authentication failed: no user name' };
    if (authzid !== '' && authzid !== user) {
      return { kind: 'failed', reason: 'Authentication failed: authorization id is not the user' };
    }
    const expected = this.#o.sasl.plainUsers.get(user);
    // Compare digests so that the time taken does not depend on where the passwords differ.
    const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
    if (expected === undefined || !timingSafeEqual(digest(expected), digest(password))) {
      return { kind: 'failed', reason: 'Authentication failed: Invalid username or password' };
    }
    return { kind: 'complete', response: EMPTY, user };
  }

  /** The session lifetime of the mechanism in use (connections.max.reauth.ms; 0: none). */
  #reauthMs(): number {
    return this.#o.sasl.connectionsMaxReauthMs.get(this.#mechanism!) ?? 0;
  }

  async #scramStep(mechanism: SaslMechanism, token: Buffer): Promise<Step> {
    if (!isScramMechanism(mechanism)) return { kind: 'failed', reason: `no ${mechanism}` };
    const message = token.toString('utf8');
    if (this.#scram === undefined) {
      const user = ScramServer.userOf(message);
      let credential: ScramCredential | undefined;
      if (user !== undefined) {
        try {
          credential = await this.#o.credentials.credential(mechanism, user);
        } catch (err) {
          this.#o.logger.warn({ err, user }, 'cannot read SCRAM credentials');
          return { kind: 'failed', reason: 'Authentication failed: credentials unavailable' };
        }
      }
      this.#scram = new ScramServer({
        mechanism,
        serverNonce: randomBytes(18).toString('base64url'),
        credentialOf: () => credential,
      });
    }
    const step = this.#scram.step(message);
    switch (step.kind) {
      case 'challenge':
        return { kind: 'continue', response: Buffer.from(step.message) };
      case 'complete':
        return { kind: 'complete', response: Buffer.from(step.message), user: step.user };
      case 'failed':
        return { kind: 'failed', reason: step.reason };
    }
  }
}

const EMPTY = Buffer.alloc(0);

function saslOf(connection: ConnectionInfo): SaslServerConnection | undefined {
  const sasl = connection.session.sasl;
  return sasl instanceof SaslServerConnection ? sasl : undefined;
}

/** The SaslHandshake and SaslAuthenticate rows of the handler table. */
export function saslApiHandlers(): AnyApiHandler[] {
  return [
    apiHandler(ApiKey.SaslHandshake, { minVersion: 0, maxVersion: 1 }, (r, connection) => {
      const sasl = saslOf(connection);
      if (sasl === undefined) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
      return sasl.handshake(r.body.mechanism, r.apiVersion);
    }),
    apiHandler(ApiKey.SaslAuthenticate, { minVersion: 0, maxVersion: 2 }, async (r, connection) => {
      const sasl = saslOf(connection);
      if (sasl === undefined) {
        return {
          errorCode: ErrorCode.ILLEGAL_SASL_STATE,
          errorMessage: 'this listener does not use SASL',
          authBytes: EMPTY,
          sessionLifetimeMs: 0n,
        };
      }
      // v1+ tell the client how long its session lasts (KIP-368; 0: for ever).
      return sasl.authenticate(r.body.authBytes, r.apiVersion);
    }),
  ];
}
