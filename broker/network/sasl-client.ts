/**
 * This broker's SASL logins to other brokers (Kafka's SaslClientAuthenticator), and their
 * re-authentication (KIP-368):
 *
 *   login            SaslHandshake v1 (sasl.mechanism.inter.broker.protocol), then
 *                    SaslAuthenticate v1 with the mechanism's tokens: PLAIN, one token; SCRAM,
 *                    client-first and client-final, and the server's signature is checked.
 *                    The last SaslAuthenticate answer carries session_lifetime_ms (0: the
 *                    session lasts as long as the connection).
 *   session          with a lifetime L, re-authentication is due at a random point between
 *                    85 % and 95 % of L after the login began (Kafka's window: room for latency
 *                    and clock drift, and jitter so that a broker's connections do not all
 *                    re-authenticate at once).
 *   re-authenticate  the same login again, on the same connection, as ordinary requests
 *                    among the connection's others. The caller runs it before its next
 *                    request once it is due, and sends nothing else until it is over, so no
 *                    request reaches the other broker after the session ended. A refusal
 *                    rejects; the caller closes the connection (the next request connects
 *                    and logs in afresh).
 *
 * The requests go through a function the caller gives (`SaslRequest`): on a fresh socket the
 * connector's own exchange, afterwards the connection's request path, with its correlation ids.
 * Pure of sockets; time comes from the clock.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../src/clock.js';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import { ErrorCode, errorForCode } from '../../src/protocol/kafka/errors.js';
import type {
  RequestBodyByApiKey,
  ResponseBodyByApiKey,
} from '../../src/protocol/kafka/generated/index.js';
import { saltedPassword } from '../../src/security/scram-credential.js';
import { ScramClient } from '../security/scram-server.js';
import type { InterBrokerSecurity } from '../security/security-config.js';

export type SaslApiKey = typeof ApiKey.SaslHandshake | typeof ApiKey.SaslAuthenticate;

/** Sends one SASL request (at version 1) on the connection and resolves with its answer. */
export type SaslRequest = <K extends SaslApiKey>(
  apiKey: K,
  apiVersion: number,
  body: Encodable<RequestBodyByApiKey[K]>,
) => Promise<ResponseBodyByApiKey[K]>;

export type InterBrokerSasl = NonNullable<InterBrokerSecurity['sasl']>;

/** The SASL request version this client speaks (v1: in-band, with session lifetimes). */
export const SASL_VERSION = 1;

/** Kafka's client window: re-authenticate at 85 % of the session, plus up to 10 % jitter. */
const REAUTH_WINDOW_FACTOR = 0.85;
const REAUTH_WINDOW_JITTER = 0.1;

/** One login; resolves with the session lifetime the other broker gave (ms; 0: none). */
export async function saslLogin(request: SaslRequest, sasl: InterBrokerSasl): Promise<number> {
  const handshake = await request(ApiKey.SaslHandshake, SASL_VERSION, {
    mechanism: sasl.mechanism,
  });
  if (handshake.errorCode !== ErrorCode.NONE) {
    throw new Error(`SaslHandshake ${sasl.mechanism}: ${errorForCode(handshake.errorCode).name}`);
  }
  let sessionLifetimeMs = 0n;
  const authenticate = async (token: Buffer): Promise<Buffer> => {
    const answer = await request(ApiKey.SaslAuthenticate, SASL_VERSION, { authBytes: token });
    if (answer.errorCode !== ErrorCode.NONE) {
      throw new Error(
        `inter-broker SASL login as ${sasl.username} refused: ` +
          `${errorForCode(answer.errorCode).name} ${answer.errorMessage ?? ''}`,
      );
    }
    sessionLifetimeMs = answer.sessionLifetimeMs;
    return answer.authBytes;
  };
  if (sasl.mechanism === 'PLAIN') {
    await authenticate(Buffer.from(`\u0000${sasl.username}\u0000${sasl.password}`, 'utf8'));
  } else {
    const mechanism = sasl.mechanism;
    const client = new ScramClient({
      mechanism,
      user: sasl.username,
      clientNonce: randomBytes(18).toString('base64url'),
    });
    const serverFirst = await authenticate(Buffer.from(client.firstMessage()));
    const final = client.finalMessage(serverFirst.toString('utf8'), (salt, iterations) =>
      saltedPassword(mechanism, sasl.password, salt, iterations),
    );
    client.verifyServerFinal((await authenticate(Buffer.from(final))).toString('utf8'));
  }
  return Number(sessionLifetimeMs);
}

/** What a connection's owner is told about its re-authentications (metrics). */
export interface SaslSessionHooks {
  reauthenticated(): void;
  reauthenticationFailed(): void;
}

/** The SASL session of one connection to another broker. */
export class SaslClientSession {
  readonly #sasl: InterBrokerSasl;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #hooks: SaslSessionHooks | undefined;
  /** When re-authentication is due (clock ms); undefined: never (no session lifetime). */
  #dueAtMs: number | undefined;
  #reauthentications = 0;

  constructor(options: {
    sasl: InterBrokerSasl;
    clock: Clock;
    /** When the login that opened the session began (clock ms). */
    loginStartedAtMs: number;
    sessionLifetimeMs: number;
    random?: () => number;
    hooks?: SaslSessionHooks;
  }) {
    this.#sasl = options.sasl;
    this.#clock = options.clock;
    this.#random = options.random ?? Math.random;
    this.#hooks = options.hooks;
    this.#schedule(options.loginStartedAtMs, options.sessionLifetimeMs);
  }

  /** Logs in on a fresh connection and returns its session. */
  static async open(
    request: SaslRequest,
    options: {
      sasl: InterBrokerSasl;
      clock: Clock;
      random?: () => number;
      hooks?: SaslSessionHooks;
    },
  ): Promise<SaslClientSession> {
    const loginStartedAtMs = options.clock.nowMs();
    const sessionLifetimeMs = await saslLogin(request, options.sasl);
    return new SaslClientSession({ ...options, loginStartedAtMs, sessionLifetimeMs });
  }

  /** Whether the next request must wait for a re-authentication. */
  get reauthenticationDue(): boolean {
    return this.#dueAtMs !== undefined && this.#clock.nowMs() >= this.#dueAtMs;
  }

  /** When re-authentication is due (clock ms), or undefined when the session never ends. */
  get dueAtMs(): number | undefined {
    return this.#dueAtMs;
  }

  get reauthentications(): number {
    return this.#reauthentications;
  }

  /** Logs in again on the same connection; rejects if the other broker refuses. */
  async reauthenticate(request: SaslRequest): Promise<void> {
    const startedAtMs = this.#clock.nowMs();
    let lifetimeMs: number;
    try {
      lifetimeMs = await saslLogin(request, this.#sasl);
    } catch (err) {
      this.#hooks?.reauthenticationFailed();
      throw err;
    }
    this.#reauthentications++;
    this.#hooks?.reauthenticated();
    this.#schedule(startedAtMs, lifetimeMs);
  }

  #schedule(startedAtMs: number, lifetimeMs: number): void {
    if (!(lifetimeMs > 0)) {
      this.#dueAtMs = undefined;
      return;
    }
    const factor = REAUTH_WINDOW_FACTOR + this.#random() * REAUTH_WINDOW_JITTER;
    this.#dueAtMs = startedAtMs + Math.floor(lifetimeMs * factor);
  }
}
