/**
 * Requests from this broker to another broker, answered asynchronously: Kafka's
 * InterBrokerSendThread with a NetworkClient, as the transaction coordinator uses it to send
 * WriteTxnMarkers to partition leaders. One connection per destination broker, opened on first
 * use with the inter-broker connector (TLS, SASL) and reused; several requests may be in
 * flight on it, matched to their responses by correlation id (a Kafka broker answers the
 * requests of one connection in order, but the matching does not rely on it).
 *
 * Failure model: a request that cannot be sent, or gets no answer within `requestTimeoutMs`,
 * rejects, and the connection is closed (every other request in flight on it rejects too).
 * Retrying is the caller's decision: the caller knows whether the request still matters.
 * The next request opens a new connection.
 *
 * Over SASL with a session lifetime, the first request once the session is due for
 * re-authentication starts it (SaslHandshake, SaslAuthenticate on the same connection, with
 * correlation ids like any request), and every request waits for it to end (KIP-368). A
 * refused re-authentication closes the connection.
 */
import type net from 'node:net';
import type { Logger } from '../../src/logger.js';
import type { Scheduler } from '../../src/scheduler.js';
import {
  decodeResponse,
  encodeRequestFrame,
  type Encodable,
} from '../../src/protocol/kafka/codec.js';
import { FrameReader } from '../../src/protocol/kafka/frame-reader.js';
import type {
  GeneratedApiKey,
  RequestBodyByApiKey,
  ResponseBodyByApiKey,
} from '../../src/protocol/kafka/generated/index.js';
import type { BrokerConnector, BrokerLink } from './broker-connector.js';
import type { SaslRequest } from './sasl-client.js';

export interface BrokerTarget {
  readonly id: number;
  readonly host: string;
  readonly port: number;
}

/** Requests in flight per connection before new ones are refused (a bound, not a queue). */
const IN_FLIGHT_REQUESTS_MAX = 100;

interface InFlight {
  resolve: (frame: Buffer) => void;
  reject: (err: Error) => void;
}

class Connection {
  readonly target: BrokerTarget;
  readonly #link: Promise<BrokerLink>;
  readonly #inFlight = new Map<number, InFlight>();
  readonly #reader = new FrameReader();
  readonly #nextCorrelationId: () => number;
  readonly #clientId: string;
  /** A re-authentication in progress (KIP-368): new requests wait for it. */
  #reauthenticating: Promise<void> | undefined;
  closed = false;

  constructor(
    target: BrokerTarget,
    connect: BrokerConnector,
    nextCorrelationId: () => number,
    clientId: string,
  ) {
    this.target = target;
    this.#nextCorrelationId = nextCorrelationId;
    this.#clientId = clientId;
    this.#link = connect(target.host, target.port).then((link) => {
      const socket = link.socket;
      socket.on('data', (chunk: Buffer) => {
        const result = this.#reader.push(chunk);
        for (const frame of result.frames) {
          const correlationId = frame.readInt32BE(0);
          const waiting = this.#inFlight.get(correlationId);
          this.#inFlight.delete(correlationId);
          waiting?.resolve(frame);
        }
        if (result.error !== undefined) this.close(new Error(result.error.reason));
      });
      socket.on('error', (err) => this.close(err));
      socket.on('close', () => this.close(new Error('connection closed')));
      if (this.closed) socket.destroy();
      return link;
    });
    this.#link.catch((err: unknown) => this.close(err as Error));
  }

  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  async send(correlationId: number, chunks: Buffer[]): Promise<Buffer> {
    const link = await this.#link;
    await this.#reauthenticateIfDue(link);
    if (this.closed) throw new Error('connection closed');
    return this.#write(link.socket, correlationId, chunks);
  }

  /**
   * Requests already sent are answered before the other broker reads the SaslHandshake (it
   * serves a connection's requests in order); requests sent meanwhile wait here, so none
   * arrives between the handshake and the end of the login.
   */
  #reauthenticateIfDue(link: BrokerLink): Promise<void> {
    const session = link.session;
    if (this.#reauthenticating === undefined && session?.reauthenticationDue === true) {
      const request: SaslRequest = async (apiKey, apiVersion, body) => {
        const correlationId = this.#nextCorrelationId();
        const chunks = encodeRequestFrame(
          { apiKey, apiVersion, correlationId, clientId: this.#clientId },
          body,
        );
        const frame = await this.#write(link.socket, correlationId, chunks);
        return decodeResponse(apiKey, apiVersion, frame).body;
      };
      this.#reauthenticating = session
        .reauthenticate(request)
        .catch((err: unknown) => {
          this.close(err as Error);
          throw err;
        })
        .finally(() => (this.#reauthenticating = undefined));
    }
    return this.#reauthenticating ?? Promise.resolve();
  }

  #write(socket: net.Socket, correlationId: number, chunks: Buffer[]): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise<Buffer>((resolve, reject) => {
      this.#inFlight.set(correlationId, { resolve, reject });
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    });
  }

  forget(correlationId: number): void {
    this.#inFlight.delete(correlationId);
  }

  close(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const waiting of this.#inFlight.values()) waiting.reject(err);
    this.#inFlight.clear();
    void this.#link.then((l) => l.socket.destroy()).catch(() => undefined);
  }
}

export class BrokerRequestSender {
  readonly #connect: BrokerConnector;
  readonly #scheduler: Scheduler;
  readonly #clientId: string;
  readonly #requestTimeoutMs: number;
  readonly #log: Logger;
  readonly #connections = new Map<number, Connection>();
  #correlationId = 0;
  #stopped = false;

  constructor(options: {
    connect: BrokerConnector;
    scheduler: Scheduler;
    clientId: string;
    requestTimeoutMs: number;
    logger: Logger;
    component: string;
  }) {
    this.#connect = options.connect;
    this.#scheduler = options.scheduler;
    this.#clientId = options.clientId;
    this.#requestTimeoutMs = options.requestTimeoutMs;
    this.#log = options.logger.child({ component: options.component });
  }

  /** Sends one request to `target` and resolves with the decoded response body. */
  async send<K extends GeneratedApiKey>(
    target: BrokerTarget,
    apiKey: K,
    apiVersion: number,
    body: Encodable<RequestBodyByApiKey[K]>,
  ): Promise<ResponseBodyByApiKey[K]> {
    if (this.#stopped) throw new Error('sender stopped');
    const connection = this.#connectionTo(target);
    if (connection.inFlightCount >= IN_FLIGHT_REQUESTS_MAX) {
      throw new Error(`${IN_FLIGHT_REQUESTS_MAX} requests already in flight to ${target.id}`);
    }
    const correlationId = this.#nextCorrelationId();
    const chunks = encodeRequestFrame(
      { apiKey, apiVersion, correlationId, clientId: this.#clientId },
      body,
    );
    const timer = this.#scheduler.schedule(this.#requestTimeoutMs, () => {
      connection.forget(correlationId);
      connection.close(new Error(`no response within ${this.#requestTimeoutMs} ms`));
    });
    try {
      const frame = await connection.send(correlationId, chunks);
      return decodeResponse(apiKey, apiVersion, frame).body;
    } catch (err) {
      this.#log.debug(
        { err: (err as Error).message, targetBrokerId: target.id },
        'inter-broker request failed',
      );
      throw err;
    } finally {
      timer.cancel();
    }
  }

  #connectionTo(target: BrokerTarget): Connection {
    const existing = this.#connections.get(target.id);
    if (
      existing !== undefined &&
      !existing.closed &&
      existing.target.host === target.host &&
      existing.target.port === target.port
    ) {
      return existing;
    }
    existing?.close(new Error('broker moved'));
    const connection = new Connection(
      target,
      this.#connect,
      () => this.#nextCorrelationId(),
      this.#clientId,
    );
    this.#connections.set(target.id, connection);
    return connection;
  }

  #nextCorrelationId(): number {
    this.#correlationId = (this.#correlationId + 1) & 0x7fffffff;
    return this.#correlationId;
  }

  shutdown(): void {
    this.#stopped = true;
    for (const c of this.#connections.values()) c.close(new Error('sender stopped'));
    this.#connections.clear();
  }
}
