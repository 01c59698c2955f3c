/**
 * ControllerChannelManager: how the controller talks to brokers (Kafka's class of the same
 * name, with one `RequestSendThread` per broker). One TCP connection and one FIFO queue per
 * live broker, *including the controller's own broker*: the controller does not call its
 * local replica manager directly, it sends itself the same LeaderAndIsr / UpdateMetadata /
 * StopReplica requests over the loopback, so there is exactly one code path for them.
 *
 * Wire format: the real Kafka protocol, `int32 size + request header v1 + body`, encoded by
 * `encodeRequestFrame` and answered with `int32 size + response header + body`, read with the
 * same `FrameReader` the socket server uses. The client id is `controller-<id>`.
 *
 * Ordering and retries (the promises the controller relies on):
 *   - Per broker, requests are sent one at a time, in enqueue order; the next one leaves only
 *     after the previous one was answered. A broker therefore applies the controller's
 *     decisions in the order they were made.
 *   - When the broker cannot be reached (connection refused, closed, no answer within
 *     `requestTimeoutMs`), the *same* request is retried after `retryBackoffMs` on a new
 *     connection, until it is answered or the broker is removed (its registration vanished:
 *     the controller calls `removeBroker`). Kafka does the same; the requests are idempotent
 *     on the broker side (leader epochs decide).
 *   - The queue per broker is bounded (`queuedRequestsMax`). When full, the oldest request is
 *     dropped with a warning: a later LeaderAndIsr/UpdateMetadata carries newer state, so the
 *     newest requests are the ones worth keeping.
 */
import net from 'node:net';
import {
  withReauthentication,
  type BrokerConnector,
  type BrokerLink,
} from '../network/broker-connector.js';
import type { SaslApiKey } from '../network/sasl-client.js';
import type { Logger } from '../../src/logger.js';
import { systemScheduler, type Scheduler } from '../../src/scheduler.js';
import {
  apiName,
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

export type ControlApiKey = 4 | 5 | 6;

export interface QueuedRequest<K extends ControlApiKey = ControlApiKey> {
  apiKey: K;
  apiVersion: number;
  body: Encodable<RequestBodyByApiKey[K]>;
  /** Called with the decoded response (on the controller's event queue's behalf). */
  onResponse?: (response: ResponseBodyByApiKey[K]) => void;
}

export interface BrokerAddress {
  id: number;
  host: string;
  port: number;
}

export interface ChannelManagerOptions {
  controllerId: number;
  logger: Logger;
  requestTimeoutMs?: number;
  retryBackoffMs?: number;
  queuedRequestsMax?: number;
  /** Request and connect timeouts, retry backoff; the system scheduler by default. */
  scheduler?: Scheduler;
  /** Opens connections over the inter-broker listener's security; TCP if unset. */
  connect?: BrokerConnector;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_RETRY_BACKOFF_MS = 300;
const DEFAULT_QUEUED_REQUESTS_MAX = 1_000;

export class ControllerChannelManager {
  readonly #options: ChannelManagerOptions;
  readonly #channels = new Map<number, BrokerChannel>();

  constructor(options: ChannelManagerOptions) {
    this.#options = options;
  }

  addBroker(broker: BrokerAddress): void {
    const existing = this.#channels.get(broker.id);
    if (existing && existing.address.host === broker.host && existing.address.port === broker.port)
      return;
    existing?.stop();
    this.#channels.set(broker.id, new BrokerChannel(broker, this.#options));
  }

  removeBroker(brokerId: number): void {
    this.#channels.get(brokerId)?.stop();
    this.#channels.delete(brokerId);
  }

  hasBroker(brokerId: number): boolean {
    return this.#channels.has(brokerId);
  }

  send<K extends ControlApiKey>(brokerId: number, request: QueuedRequest<K>): void {
    const channel = this.#channels.get(brokerId);
    if (!channel) {
      this.#options.logger.warn(
        { brokerId, apiKey: request.apiKey },
        'no channel to broker; request dropped',
      );
      return;
    }
    channel.enqueue(request as unknown as QueuedRequest);
  }

  shutdown(): void {
    for (const channel of this.#channels.values()) channel.stop();
    this.#channels.clear();
  }
}

const API_NAMES: Record<ControlApiKey, string> = {
  4: 'LeaderAndIsr',
  5: 'StopReplica',
  6: 'UpdateMetadata',
};

/** One broker's connection and queue (Kafka's RequestSendThread). */
class BrokerChannel {
  readonly address: BrokerAddress;
  readonly #log: Logger;
  readonly #controllerId: number;
  readonly #requestTimeoutMs: number;
  readonly #retryBackoffMs: number;
  readonly #queuedMax: number;
  readonly #scheduler: Scheduler;
  readonly #connectTo: BrokerConnector | undefined;
  readonly #queue: QueuedRequest[] = [];
  #link: BrokerLink | undefined;
  #reader = new FrameReader();
  #correlationId = 0;
  #running = false;
  #stopped = false;
  /** The in-flight request's resolver, fed by the socket's data handler. */
  #awaiting:
    | { correlationId: number; resolve: (frame: Buffer) => void; reject: (err: Error) => void }
    | undefined;

  constructor(address: BrokerAddress, options: ChannelManagerOptions) {
    this.address = address;
    this.#controllerId = options.controllerId;
    this.#log = options.logger.child({
      component: 'controller-channel',
      targetBrokerId: address.id,
    });
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#retryBackoffMs = options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS;
    this.#queuedMax = options.queuedRequestsMax ?? DEFAULT_QUEUED_REQUESTS_MAX;
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#connectTo = options.connect;
  }

  enqueue(request: QueuedRequest): void {
    if (this.#stopped) return;
    if (this.#queue.length >= this.#queuedMax) {
      const dropped = this.#queue.shift() as QueuedRequest;
      this.#log.warn(
        { api: API_NAMES[dropped.apiKey] },
        'request queue full; dropped the oldest request',
      );
    }
    this.#queue.push(request);
    if (!this.#running) void this.#run();
  }

  stop(): void {
    this.#stopped = true;
    this.#queue.length = 0;
    this.#awaiting?.reject(new Error('channel stopped'));
    this.#link?.socket.destroy();
  }

  /** Drains the queue, one request at a time, retrying each until it is answered. */
  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (!this.#stopped && this.#queue.length > 0) {
        const request = this.#queue[0] as QueuedRequest;
        try {
          const response = await this.#roundTrip(request);
          // Only remove after success: a failure leaves it at the head for the retry.
          if (this.#queue[0] === request) this.#queue.shift();
          request.onResponse?.(response as never);
        } catch (err) {
          if (this.#stopped) break;
          this.#log.warn(
            {
              err: (err as Error).message,
              api: API_NAMES[request.apiKey],
              host: this.address.host,
              port: this.address.port,
            },
            `cannot reach broker; retrying in ${this.#retryBackoffMs} ms`,
          );
          this.#link?.socket.destroy();
          this.#link = undefined;
          await new Promise<void>((r) => this.#scheduler.schedule(this.#retryBackoffMs, r));
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /** One queued request; after a re-authentication of the session when it is due. */
  async #roundTrip(request: QueuedRequest): Promise<unknown> {
    const link = await this.#connect();
    return withReauthentication(
      link,
      (apiKey, apiVersion, body) =>
        this.#exchange(link.socket, { apiKey, apiVersion, body }) as never,
      () => this.#exchange(link.socket, request),
    );
  }

  async #exchange(
    socket: net.Socket,
    request: { apiKey: ControlApiKey | SaslApiKey; apiVersion: number; body: unknown },
  ): Promise<unknown> {
    const correlationId = ++this.#correlationId;
    const chunks = encodeRequestFrame(
      {
        apiKey: request.apiKey as ApiKey,
        apiVersion: request.apiVersion,
        correlationId,
        clientId: `controller-${this.#controllerId}`,
      } as never,
      request.body as never,
    );
    const frame = await new Promise<Buffer>((resolve, reject) => {
      const timer = this.#scheduler.schedule(this.#requestTimeoutMs, () =>
        reject(new Error(`no response within ${this.#requestTimeoutMs} ms`)),
      );
      this.#awaiting = {
        correlationId,
        resolve: (f) => {
          timer.cancel();
          resolve(f);
        },
        reject: (e) => {
          timer.cancel();
          reject(e);
        },
      };
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    }).finally(() => (this.#awaiting = undefined));
    const decoded = decodeResponse(request.apiKey, request.apiVersion, frame);
    if (decoded.correlationId !== correlationId) {
      throw new Error(
        `response correlation id ${decoded.correlationId}, expected ${correlationId}`,
      );
    }
    this.#log.debug({ api: apiName(request.apiKey), correlationId }, 'response received');
    return decoded.body;
  }

  async #connect(): Promise<BrokerLink> {
    if (this.#link && !this.#link.socket.destroyed) return this.#link;
    this.#reader = new FrameReader();
    const link = this.#connectTo
      ? await this.#connectTo(this.address.host, this.address.port)
      : { socket: await this.#connectTcp(), session: undefined };
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
    this.#link = link;
    this.#log.info({ host: this.address.host, port: this.address.port }, 'connected to broker');
    return link;
  }

  async #connectTcp(): Promise<net.Socket> {
    const socket = net.connect({ host: this.address.host, port: this.address.port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      const timer = this.#scheduler.schedule(this.#requestTimeoutMs, () =>
        reject(new Error('connect timed out')),
      );
      socket.once('connect', () => {
        timer.cancel();
        resolve();
      });
      socket.once('error', (err) => {
        timer.cancel();
        reject(err);
      });
    });
    return socket;
  }
}
