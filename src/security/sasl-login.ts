/**
 * A SASL login to a broker, as Kafka's SaslClientAuthenticator runs it: SaslHandshake v1
 * naming the mechanism, then SaslAuthenticate v1 with the mechanism's tokens (PLAIN: one
 * token, `\0user\0password`; SCRAM-SHA-256/512: client-first and client-final, and the
 * server's signature is checked, src/security/scram-client.ts). The last SaslAuthenticate
 * answer carries session_lifetime_ms (0: the session lasts as long as the connection).
 *
 * The requests go through a function the caller gives (`SaslRequest`), so the login is pure
 * of sockets: the brokers' logins to each other (broker/network/sasl-client.ts, which adds
 * re-authentication) and the tools' Kafka client (src/kafka-client.ts) share it.
 */
import { randomBytes } from 'node:crypto';
import { ApiKey } from '../protocol/kafka/api-keys.js';
import type { Encodable } from '../protocol/kafka/codec.js';
import { ErrorCode, errorForCode } from '../protocol/kafka/errors.js';
import type {
  RequestBodyByApiKey,
  ResponseBodyByApiKey,
} from '../protocol/kafka/generated/index.js';
import { ScramClient } from './scram-client.js';
import { saltedPassword, type ScramMechanism } from './scram-credential.js';

export type SaslApiKey = typeof ApiKey.SaslHandshake | typeof ApiKey.SaslAuthenticate;

/** Sends one SASL request (at version 1) on the connection and resolves with its answer. */
export type SaslRequest = <K extends SaslApiKey>(
  apiKey: K,
  apiVersion: number,
  body: Encodable<RequestBodyByApiKey[K]>,
) => Promise<ResponseBodyByApiKey[K]>;

/** The mechanisms a client here logs in with (Kafka's names). */
export const SASL_CLIENT_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslClientMechanism = 'PLAIN' | ScramMechanism;

export interface SaslCredentials {
  mechanism: SaslClientMechanism;
  username: string;
  password: string;
}

/** The SASL request version spoken (v1: in-band, with session lifetimes). */
export const SASL_VERSION = 1;

/** A refused login: `errorName` is the broker's error (SASL_AUTHENTICATION_FAILED, ...). */
export class SaslLoginError extends Error {
  constructor(
    message: string,
    readonly errorName: string,
  ) {
    super(message);
    this.name = 'SaslLoginError';
  }
}

/**
 * One login; resolves with the session lifetime the broker gave (ms; 0: none). `who` names
 * the login in errors ("inter-broker SASL login").
 */
export async function saslLogin(
  request: SaslRequest,
  sasl: SaslCredentials,
  who = 'SASL login',
): Promise<number> {
  const handshake = await request(ApiKey.SaslHandshake, SASL_VERSION, {
    mechanism: sasl.mechanism,
  });
  if (handshake.errorCode !== ErrorCode.NONE) {
    const name = errorForCode(handshake.errorCode).name;
    throw new SaslLoginError(`SaslHandshake ${sasl.mechanism}: ${name}`, name);
  }
  let sessionLifetimeMs = 0n;
  const authenticate = async (token: Buffer): Promise<Buffer> => {
    const answer = await request(ApiKey.SaslAuthenticate, SASL_VERSION, { authBytes: token });
    if (answer.errorCode !== ErrorCode.NONE) {
      const name = errorForCode(answer.errorCode).name;
      throw new SaslLoginError(
        `${who} as ${sasl.username} refused: ${name} ${answer.errorMessage ?? ''}`,
        name,
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
