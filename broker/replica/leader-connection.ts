/**
 * A follower's connection to one leader broker (Kafka's ReplicaFetcherBlockingSend): one TCP
 * socket, one request in flight at a time, each answered or failed within
 * `requestTimeoutMs`. The replica fetcher is its only user and is itself sequential, so there
 * is no queue: `send` may only be called when the previous one has settled.
 *
 * Wire format: the Kafka protocol as clients speak it (size + request header + body; the
 * answer is size + response header + body), encoded by codec.ts and split by FrameReader.
 * A failure of any kind (refused, closed, timed out, unreadable frame) closes the socket; the
 * next `send` connects again. The client id is `replica-fetcher-<local id>`, as in Kafka's
 * logs and `kafka-configs` quotas. Over SASL with a session lifetime, a request once the
 * session is due for re-authentication is preceded by the re-authentication, on the same
 * socket (broker-connector.ts, KIP-368).
 */
import net from 'node:net';
import {
  withReauthentication,
  type BrokerConnector,
  type BrokerLink,
} from '../network/broker-connector.js';
import type { Scheduler } from '../../src/scheduler.js';
import {
  decodeResponse,
  encodeRequestFrame,
  type ApiKey,
  type Encodable,
} from '../../src/protocol/kafka/codec.js';
import { FrameReader } from '../../src/protocol/kafka/frame-reader.js';
import type {
  RequestBodyByApiKey,
  ResponseBodyByApiKey,
} from '../../src/protocol/kafka/generated/index.js';

export interface BrokerEndPoint {
  id: number;
  host: string;
  port: number;
}

export class LeaderConnection {
  readonly endPoint: BrokerEndPoint;
  readonly #clientId: string;
  readonly #scheduler: Scheduler;
  readonly #requestTimeoutMs: number;
  readonly #connectTo: BrokerConnector | undefined;
  #link: BrokerLink | undefined;
  #reader = new FrameReader();
  #correlationId = 0;
  #awaiting: { resolve: (frame: Buffer) => void; reject: (err: Error) => void } | undefined;

  constructor(options: {
    endPoint: BrokerEndPoint;
    localBrokerId: number;
    scheduler: Scheduler;
    requestTimeoutMs: number;
    connect?: BrokerConnector;
  }) {
    this.#connectTo = options.connect;
    this.endPoint = options.endPoint;
    this.#clientId = `replica-fetcher-${options.localBrokerId}`;
    this.#scheduler = options.scheduler;
    this.#requestTimeoutMs = options.requestTimeoutMs;
  }

  async send<K extends ApiKey>(
    apiKey: K,
    apiVersion: number,
    body: Encodable<RequestBodyByApiKey[K]>,
  ): Promise<ResponseBodyByApiKey[K]> {
    if (this.#awaiting !== undefined) throw new Error('LeaderConnection: one request at a time');
    try {
      const link = await this.#connect();
      return await withReauthentication(
        link,
        (k, v, b) => this.#exchange(link.socket, k, v, b),
        () => this.#exchange(link.socket, apiKey, apiVersion, body),
      );
    } catch (err) {
      this.close();
      throw err;
    }
  }

  close(): void {
    this.#link?.socket.destroy();
    this.#link = undefined;
    this.#awaiting?.reject(new Error('connection closed'));
  }

  /** One request and its response on `socket`. */
  async #exchange<K extends ApiKey>(
    socket: net.Socket,
    apiKey: K,
    apiVersion: number,
    body: Encodable<RequestBodyByApiKey[K]>,
  ): Promise<ResponseBodyByApiKey[K]> {
    const correlationId = ++this.#correlationId;
    const chunks = encodeRequestFrame(
      { apiKey, apiVersion, correlationId, clientId: this.#clientId } as never,
      body as never,
    );
    const frame = await this.#await(() => {
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    });
    const decoded = decodeResponse(apiKey, apiVersion, frame);
    if (decoded.correlationId !== correlationId) {
      throw new Error(`correlation id ${decoded.correlationId}, expected ${correlationId}`);
    }
    return decoded.body;
  }

  /** Runs `start` and waits for the next frame, a failure, or the timeout. */
  #await(start: () => void): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const timer = this.#scheduler.schedule(this.#requestTimeoutMs, () =>
        this.#awaiting?.reject(new Error(`no response within ${this.#requestTimeoutMs} ms`)),
      );
      this.#awaiting = {
        resolve: (frame) => {
          timer.cancel();
          this.#awaiting = undefined;
          resolve(frame);
        },
        reject: (err) => {
          timer.cancel();
          this.#awaiting = undefined;
          reject(err);
        },
      };
      start();
    });
  }

  async #connect(): Promise<BrokerLink> {
    if (this.#link !== undefined && !this.#link.socket.destroyed) return this.#link;
    this.#reader = new FrameReader();
    if (this.#connectTo !== undefined) {
      const secured = await this.#connectTo(this.endPoint.host, this.endPoint.port);
      this.#attach(secured);
      return secured;
    }
    const socket = net.connect({ host: this.endPoint.host, port: this.endPoint.port });
    socket.setNoDelay(true);
    const link = { socket, session: undefined };
    this.#attach(link);
    await new Promise<void>((resolve, reject) => {
      const timer = this.#scheduler.schedule(this.#requestTimeoutMs, () => {
        socket.destroy();
        reject(new Error('connect timed out'));
      });
      socket.once('connect', () => {
        timer.cancel();
        resolve();
      });
      socket.once('error', (err) => {
        timer.cancel();
        reject(err);
      });
    });
    return link;
  }

  /** Feeds the socket's frames to the waiting request. */
  #attach(link: BrokerLink): void {
    this.#link = link;
    const socket = link.socket;
    socket.on('data', (chunk: Buffer) => {
      const result = this.#reader.push(chunk);
      for (const frame of result.frames) this.#awaiting?.resolve(frame);
      if (result.error) {
        this.#awaiting?.reject(new Error(result.error.reason));
        socket.destroy();
      }
    });
    socket.on('error', (err) => this.#awaiting?.reject(err));
    socket.on('close', () => this.#awaiting?.reject(new Error('connection closed')));
  }
}
