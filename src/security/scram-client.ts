/**
 * The client side of a SCRAM exchange (RFC 5802, SHA-256/512 per RFC 7677), as Kafka's
 * ScramSaslClient runs it: client-first, then client-final from the server-first message and
 * the salted password, then the server-final message is checked (the server proves it knows
 * the credential too). Pure: the nonce and the salting are given by the caller. Used by the
 * brokers' logins to each other (broker/network/sasl-client.ts) and by src/kafka-client.ts;
 * the server side is broker/security/scram-server.ts.
 */
import { hash, hmac, type ScramMechanism } from './scram-credential.js';

/** An RFC 5802 message's attributes (`r=...,s=...,i=...`), or undefined when malformed. */
export function scramAttributes(message: string): Map<string, string> | undefined {
  const result = new Map<string, string>();
  for (const part of message.split(',')) {
    // RFC 5802 attributes are one letter; Kafka's extensions (tokenauth=true) are words.
    const m = /^([A-Za-z][A-Za-z0-9]*)=/.exec(part);
    if (!m) return undefined;
    result.set(m[1] as string, part.slice(m[0].length));
  }
  return result;
}

/** One client login. */
export class ScramClient {
  readonly #mechanism: ScramMechanism;
  readonly #user: string;
  readonly #clientNonce: string;
  #clientFirstBare = '';
  #expectedServerSignature: Buffer | undefined;

  constructor(options: { mechanism: ScramMechanism; user: string; clientNonce: string }) {
    this.#mechanism = options.mechanism;
    this.#user = options.user;
    this.#clientNonce = options.clientNonce;
  }

  firstMessage(): string {
    const name = this.#user.replace(/=/g, '=3D').replace(/,/g, '=2C');
    this.#clientFirstBare = `n=${name},r=${this.#clientNonce}`;
    return `n,,${this.#clientFirstBare}`;
  }

  /** Answers the server-first message with the client-final one. */
  finalMessage(serverFirst: string, salted: (salt: Buffer, iterations: number) => Buffer): string {
    const attrs = scramAttributes(serverFirst);
    const nonce = attrs?.get('r');
    const salt = attrs?.get('s');
    const iterations = Number(attrs?.get('i'));
    if (!nonce?.startsWith(this.#clientNonce) || salt === undefined || !(iterations > 0)) {
      throw new Error(`invalid SCRAM server-first message "${serverFirst}"`);
    }
    const m = this.#mechanism;
    const saltedPassword = salted(Buffer.from(salt, 'base64'), iterations);
    const clientKey = hmac(m, saltedPassword, 'Client Key');
    const storedKey = hash(m, clientKey);
    const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${nonce}`;
    const authMessage = `${this.#clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = hmac(m, storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) {
      proof[i] = (clientKey[i] as number) ^ (signature[i] as number);
    }
    this.#expectedServerSignature = hmac(m, hmac(m, saltedPassword, 'Server Key'), authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** Checks the server-final message (the server proves it knows the credential too). */
  verifyServerFinal(serverFinal: string): void {
    const v = scramAttributes(serverFinal)?.get('v');
    if (v === undefined || this.#expectedServerSignature === undefined) {
      throw new Error(`SCRAM login refused: ${serverFinal}`);
    }
    if (!Buffer.from(v, 'base64').equals(this.#expectedServerSignature)) {
      throw new Error('SCRAM server signature does not match: not the broker we expected');
    }
  }
}
