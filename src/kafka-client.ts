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
 */
import net from 'node:net';
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

  constructor(address: BrokerAddress) {
    this.#socket = net.connect(address.port, address.host);
    this.#ready = new Promise((resolve, reject) => {
      this.#socket.once('connect', () => resolve());
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
  #correlationId = 1;

  constructor(
    brokers: readonly BrokerAddress[],
    options: { clientId?: string; requestTimeoutMs?: number } = {},
  ) {
    this.#brokers = new Map(brokers.map((b) => [b.nodeId, b]));
    this.#clientId = options.clientId ?? 'samsa-tools';
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
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
      connection = new BrokerConnection(address);
      this.#connections.set(nodeId, connection);
    }
    const correlationId = this.#correlationId++;
    const frame = encodeRequestFrame(
      { apiKey, apiVersion, correlationId, clientId: this.#clientId },
      body,
    );
    try {
      const response = await connection.send(frame, correlationId, this.#requestTimeoutMs);
      return decodeResponse(apiKey, apiVersion, response).body;
    } catch (err) {
      // A broken connection is opened again by the next request.
      this.#connections.delete(nodeId);
      connection.close();
      throw err;
    }
  }

  close(): void {
    for (const connection of this.#connections.values()) connection.close();
    this.#connections.clear();
  }
}
