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
 * The login itself is src/security/sasl-login.ts (shared with the tools' Kafka client).
 * The requests go through a function the caller gives (`SaslRequest`): on a fresh socket the
 * connector's own exchange, afterwards the connection's request path, with its correlation ids.
 * Pure of sockets; time comes from the clock.
 */
import type { Clock } from '../../src/clock.js';
import { saslLogin as saslLoginAs, type SaslRequest } from '../../src/security/sasl-login.js';
import type { InterBrokerSecurity } from '../security/security-config.js';

export { SASL_VERSION, type SaslApiKey, type SaslRequest } from '../../src/security/sasl-login.js';

export type InterBrokerSasl = NonNullable<InterBrokerSecurity['sasl']>;

/** Kafka's client window: re-authenticate at 85 % of the session, plus up to 10 % jitter. */
const REAUTH_WINDOW_FACTOR = 0.85;
const REAUTH_WINDOW_JITTER = 0.1;

/** One login (src/security/sasl-login.ts); resolves with the session lifetime (ms; 0: none). */
export function saslLogin(request: SaslRequest, sasl: InterBrokerSasl): Promise<number> {
  return saslLoginAs(request, sasl, 'inter-broker SASL login');
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
