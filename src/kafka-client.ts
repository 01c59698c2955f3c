/**
 * A small Kafka-protocol client for our tools (`coordinator groups ...`): one TCP connection
 * per broker, requests typed by API key, pipelined with correlation ids, answered in the
 * order the broker sends them. It is not a consumer or producer library: it sends exactly
 * the requests a tool asks for, with no retries of its own, so that a tool's output shows
 * what the cluster answered.
 *
 * Brokers are given as {nodeId, host, port} (the tools read them from the coordinator's
 * /brokers/ids). `send(nodeId, ...)` opens the connection on first use. Each request has a
 * timeout (requestTimeoutMs); a connection that fails rejects everything in flight on it.
 *
 * With `tls` (node's TLS options: `ca`, and `cert`/`key` for mutual TLS) every connection
 * is TLS, for brokers' SSL listeners; the broker's certificate must name the host (node's
 * default check) unless `rejectUnauthorized: false`. With `sasl` (PLAIN, SCRAM-SHA-256 or
 * SCRAM-SHA-512, src/security/sasl-login.ts) each new connection logs in first, for
 * SASL_PLAINTEXT and SASL_SSL listeners; the requests wait for the login, and a refused login
 * rejects them (SaslLoginError, e.g. SASL_AUTHENTICATION_FAILED). A session lifetime the
 * broker gives (connections.max.reauth.ms) is not renewed: the tools' connections are short.
 */
import net from 'node:net';
import tls from 'node:tls';
import {
  decodeResponse,
  encodeRequestFrame,
  type ApiKey,
  type Encodable,
} from './protocol/kafka/codec.js';
import { FrameReader } from './protocol/kafka/frame-reader.js';
import type {
  RequestBodyByApiKey,
  ResponseBodyByApiKey,
} from './protocol/kafka/generated/index.js';
import { saslLogin, type SaslCredentials } from './security/sasl-login.js';

export interface BrokerAddress {
  nodeId: number;
  host: string;
  port: number;
}

interface Pending {
  resolve: (frame: Buffer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

class BrokerConnection {
  readonly #socket: net.Socket;
  readonly #reader = new FrameReader();
  readonly #pending = new Map<number, Pending>();
  readonly #ready: Promise<void>;
  #failure: Error | undefined;
  /** The SASL login, when the client has credentials: every other request waits for it. */
  login: Promise<number> | undefined;

  constructor(address: BrokerAddress, tlsOptions: tls.ConnectionOptions | undefined) {
    this.#socket =
      tlsOptions === undefined
        ? net.connect(address.port, address.host)
        : tls.connect({ ...tlsOptions, host: address.host, port: address.port });
    this.#ready = new Promise((resolve, reject) => {
      this.#socket.once(tlsOptions === undefined ? 'connect' : 'secureConnect', () => resolve());
      this.#socket.once('error', reject);
    });
    this.#socket.on('data', (chunk) => {
      const { frames, error } = this.#reader.push(chunk);
      for (const frame of frames) {
        const correlationId = frame.readInt32BE(0);
        const pending = this.#pending.get(correlationId);
        if (pending === undefined) continue;
        this.#pending.delete(correlationId);
        clearTimeout(pending.timer);
        pending.resolve(frame);
      }
      if (error) this.#fail(new Error(`broker ${address.nodeId}: ${error.reason}`));
    });
    const onClose = (err?: Error) =>
      this.#fail(
        new Error(
          `connection to broker ${address.nodeId} (${address.host}:${address.port}) ` +
            (err ? `failed: ${err.message}` : 'closed'),
        ),
      );
    this.#socket.on('error', onClose);
    this.#socket.on('close', () => onClose());
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(this.#failure);
    }
    this.#pending.clear();
    this.#socket.destroy();
  }

  async send(frameChunks: Buffer[], correlationId: number, timeoutMs: number): Promise<Buffer> {
    await this.#ready;
    if (this.#failure) throw this.#failure;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(correlationId);
        reject(new Error(`request ${correlationId} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(correlationId, { resolve, reject, timer });
      for (const chunk of frameChunks) this.#socket.write(chunk);
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}

export class KafkaClient {
  readonly #brokers: Map<number, BrokerAddress>;
  readonly #connections = new Map<number, BrokerConnection>();
  readonly #clientId: string;
  readonly #requestTimeoutMs: number;
  readonly #tls: tls.ConnectionOptions | undefined;
  readonly #sasl: SaslCredentials | undefined;
  #correlationId = 1;

  constructor(
    brokers: readonly BrokerAddress[],
    options: {
      clientId?: string;
      requestTimeoutMs?: number;
      tls?: tls.ConnectionOptions;
      sasl?: SaslCredentials;
    } = {},
  ) {
    this.#brokers = new Map(brokers.map((b) => [b.nodeId, b]));
    this.#clientId = options.clientId ?? 'samsa-tools';
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#tls = options.tls;
    this.#sasl = options.sasl;
  }

  get brokers(): BrokerAddress[] {
    return [...this.#brokers.values()].sort((a, b) => a.nodeId - b.nodeId);
  }

  /** Adds or updates brokers (e.g. from a Metadata response). */
  learn(brokers: readonly BrokerAddress[]): void {
    for (const b of brokers) this.#brokers.set(b.nodeId, b);
  }

  /** Sends one request to broker `nodeId` and resolves with the decoded response body. */
  async send<K extends ApiKey>(
    nodeId: number,
    apiKey: K,
    apiVersion: number,
    body: Encodable<RequestBodyByApiKey[K]>,
  ): Promise<ResponseBodyByApiKey[K]> {
    const address = this.#brokers.get(nodeId);
    if (address === undefined) throw new Error(`unknown broker ${nodeId}`);
    let connection = this.#connections.get(nodeId);
    if (connection === undefined) {
      const opened = new BrokerConnection(address, this.#tls);
      connection = opened;
      this.#connections.set(nodeId, opened);
      if (this.#sasl !== undefined) {
        opened.login = saslLogin(
          (saslKey, saslVersion, saslBody) =>
            this.#exchange(opened, saslKey, saslVersion, saslBody),
          this.#sasl,
        );
      }
    }
    try {
      await connection.login;
      return await this.#exchange(connection, apiKey, apiVersion, body);
    } catch (err) {
      // A broken connection is opened again by the next request.
      this.#connections.delete(nodeId);
      connection.close();
      throw err;
    }
  }

  async #exchange<K extends ApiKey>(
    connection: BrokerConnection,
    apiKey: K,
    apiVersion: number,
    body: Encodable<RequestBodyByApiKey[K]>,
  ): Promise<ResponseBodyByApiKey[K]> {
    const correlationId = this.#correlationId++;
    const frame = encodeRequestFrame(
      { apiKey, apiVersion, correlationId, clientId: this.#clientId },
      body,
    );
    const response = await connection.send(frame, correlationId, this.#requestTimeoutMs);
    return decodeResponse(apiKey, apiVersion, response).body;
  }

  close(): void {
    for (const connection of this.#connections.values()) connection.close();
    this.#connections.clear();
  }
}
