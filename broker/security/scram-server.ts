/**
 * The server side of a SCRAM exchange (RFC 5802, SHA-256/512 per RFC 7677), as Kafka's
 * ScramSaslServer runs it. A pure state machine: messages in, messages out; the credential
 * lookup and the nonce are given by the caller, so tests can replay the RFC's examples.
 *
 *   state             input                       output / next state
 *   RECEIVE_CLIENT_FIRST  n,,n=<user>,r=<cnonce>    r=<cnonce+snonce>,s=<salt>,i=<n>
 *                                                   -> RECEIVE_CLIENT_FINAL
 *   RECEIVE_CLIENT_FINAL  c=biws,r=<nonce>,p=<proof> v=<server signature> -> COMPLETE
 *   any failure                                    -> FAILED (the caller answers
 *                                                     SASL_AUTHENTICATION_FAILED and closes)
 *
 * What is checked: the GS2 header (no channel binding: "n" or "y"; an authzid must equal the
 * user, as Kafka requires), the nonce echoed with the server's part, the channel binding
 * attribute `c=` being the GS2 header, and the proof: ClientKey = proof XOR
 * HMAC(StoredKey, AuthMessage) must hash to StoredKey. An unknown user gets the same
 * "invalid credentials" failure as a wrong password, after a server-first message made from
 * a fake salt, so that the exchange does not tell which users exist.
 *
 * Kafka's extensions (`tokenauth=true` for delegation tokens) are refused: there are none.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  hash,
  hmac,
  type ScramCredential,
  type ScramMechanism,
} from '../../src/security/scram-credential.js';
import { scramAttributes } from '../../src/security/scram-client.js';

export type ScramState = 'RECEIVE_CLIENT_FIRST' | 'RECEIVE_CLIENT_FINAL' | 'COMPLETE' | 'FAILED';

export type ScramStep =
  | { kind: 'challenge'; message: string }
  | { kind: 'complete'; message: string; user: string }
  | { kind: 'failed'; reason: string };

export interface ScramServerOptions {
  mechanism: ScramMechanism;
  /** The printable server nonce to append to the client's (random in production). */
  serverNonce: string;
  /** Looks up the stored credential of a user; undefined if there is none. */
  credentialOf: (user: string) => ScramCredential | undefined;
}

/** RFC 5802's saslname: `=2C` is a comma, `=3D` an equals sign; any other `=` is an error. */
export function decodeSaslName(name: string): string | undefined {
  if (/=(?!2C|3D)/.test(name)) return undefined;
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

export class ScramServer {
  readonly #o: ScramServerOptions;
  #state: ScramState = 'RECEIVE_CLIENT_FIRST';
  #user = '';
  #gs2Header = '';
  #clientFirstBare = '';
  #serverFirst = '';
  #nonce = '';
  #credential: ScramCredential | undefined;

  constructor(options: ScramServerOptions) {
    this.#o = options;
  }

  /**
   * The user a client-first message names (undefined if it is malformed), so that the
   * caller can fetch the credential before calling step().
   */
  static userOf(clientFirst: string): string | undefined {
    const m = /^[ny],(?:a=[^,]*)?,n=([^,]*),/.exec(clientFirst);
    return m ? decodeSaslName(m[1] as string) : undefined;
  }

  get state(): ScramState {
    return this.#state;
  }

  /** Feeds the next client message; returns what to send back. */
  step(message: string): ScramStep {
    switch (this.#state) {
      case 'RECEIVE_CLIENT_FIRST':
        return this.#clientFirst(message);
      case 'RECEIVE_CLIENT_FINAL':
        return this.#clientFinal(message);
      case 'COMPLETE':
      case 'FAILED':
        return this.#fail(`unexpected message in state ${this.#state}`);
    }
  }

  #fail(reason: string): ScramStep {
    this.#state = 'FAILED';
    return { kind: 'failed', reason };
  }

  #clientFirst(message: string): ScramStep {
    // gs2-header = gs2-cbind-flag "," [ authzid ] ","; then client-first-message-bare.
    const m = /^([ny]),(a=[^,]*)?,(.*)$/.exec(message);
    if (!m) return this.#fail('invalid client-first message (channel binding is not supported)');
    this.#gs2Header = `${m[1]},${m[2] ?? ''},`;
    this.#clientFirstBare = m[3] as string;
    const attrs = scramAttributes(this.#clientFirstBare);
    const rawUser = attrs?.get('n');
    const clientNonce = attrs?.get('r');
    if (attrs === undefined || rawUser === undefined || clientNonce === undefined) {
      return this.#fail('invalid client-first message');
    }
    if (attrs.get('m') !== undefined) return this.#fail('mandatory extensions are not supported');
    // Kafka's SCRAM extensions ride as extra attributes: tokenauth=true asks for token auth.
    if (attrs.get('tokenauth') === 'true') {
      return this.#fail('delegation tokens are not supported');
    }
    const user = decodeSaslName(rawUser);
    if (user === undefined || user === '') return this.#fail('invalid user name');
    const authzid = m[2] === undefined ? undefined : decodeSaslName(m[2].slice(2));
    if (authzid !== undefined && authzid !== '' && authzid !== user) {
      return this.#fail('authorization id must be the user name');
    }
    this.#user = user;
    this.#nonce = clientNonce + this.#o.serverNonce;
    this.#credential = this.#o.credentialOf(user);
    // For an unknown user, a salt derived from the name (stable, so that it looks like a real
    // one across attempts); the proof check below will fail.
    const salt = this.#credential?.salt ?? createHash('sha256').update(`unknown:${user}`).digest();
    const iterations = this.#credential?.iterations ?? 4096;
    this.#serverFirst = `r=${this.#nonce},s=${salt.toString('base64')},i=${iterations}`;
    this.#state = 'RECEIVE_CLIENT_FINAL';
    return { kind: 'challenge', message: this.#serverFirst };
  }

  #clientFinal(message: string): ScramStep {
    const proofAt = message.lastIndexOf(',p=');
    if (proofAt < 0) return this.#fail('client-final message without a proof');
    const withoutProof = message.slice(0, proofAt);
    const attrs = scramAttributes(withoutProof);
    if (attrs === undefined) return this.#fail('invalid client-final message');
    if (attrs.get('c') !== Buffer.from(this.#gs2Header).toString('base64')) {
      return this.#fail('channel binding does not match the GS2 header');
    }
    // Kafka's ScramSaslServer only checks that the echoed nonce ENDS with ours: librdkafka
    // sends its client nonce again in front of the whole server nonce (`r=<c><c><s>`). The
    // AuthMessage is built from what the client sent, so the proof still covers it.
    if (!(attrs.get('r') ?? '').endsWith(this.#nonce)) return this.#fail('nonce mismatch');
    const proof = Buffer.from(message.slice(proofAt + 3), 'base64');
    const credential = this.#credential;
    const mechanism = this.#o.mechanism;
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${withoutProof}`;
    if (credential === undefined || proof.length !== credential.storedKey.length) {
      return this.#fail('Authentication failed: Invalid user credentials');
    }
    const clientSignature = hmac(mechanism, credential.storedKey, authMessage);
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) {
      clientKey[i] = (proof[i] as number) ^ (clientSignature[i] as number);
    }
    if (!timingSafeEqual(hash(mechanism, clientKey), credential.storedKey)) {
      return this.#fail('Authentication failed: Invalid user credentials');
    }
    const serverSignature = hmac(mechanism, credential.serverKey, authMessage);
    this.#state = 'COMPLETE';
    return {
      kind: 'complete',
      message: `v=${serverSignature.toString('base64')}`,
      user: this.#user,
    };
  }
}

/** The client side lives in src/ (the dashboard's Kafka client logs in with it too). */
export { ScramClient } from '../../src/security/scram-client.js';
