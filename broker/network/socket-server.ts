/**
 * The broker's Kafka listener: a `net` server that turns each TCP connection into a sequence
 * of decoded requests and writes the handler's responses back.
 *
 * Per connection (Kafka's SocketServer + RequestChannel, collapsed into one event loop):
 *
 *   bytes --FrameReader--> frames --peek header--> admit? --decode--> handler --encode--> bytes
 *
 * Ordering: clients pipeline requests and match responses by correlation id, but they also
 * rely on responses arriving in request order, as Kafka promises. Handlers are async (a Fetch may
 * wait for data), so each connection keeps a promise chain: request N+1 is handled only after
 * the response to N has been written. Kafka gets the same effect by muting the socket while a
 * request is in flight. While more than `queuedRequestsMax` frames wait, the socket is paused,
 * so a client cannot make us buffer without bound.
 *
 * Admission, before any body is parsed (the header is always readable):
 *   - API key not advertised                  -> close (Kafka closes; clients expect it)
 *   - ApiVersions above our maximum           -> v0 fallback reply: UNSUPPORTED_VERSION and
 *                                                ApiVersions' own range (KIP-511)
 *   - other version outside the advertised range -> close
 *   - frame above socket.request.max.bytes, undecodable body, handler failure -> close
 * Every close is logged with its reason, at `info` (client errors) or `error` (our bugs).
 *
 * ApiVersions requests are answered here (api-versions.ts); everything else goes to `handler`.
 * A handler returns the response body, or `null` for requests without a response (Produce with
 * acks=0).
 */
import net from 'node:net';
import type { Logger } from '../../src/logger.js';
import {
  apiName,
  decodeRequest,
  encodeResponseFrame,
  KafkaProtocolError,
  type ApiKey,
  type DecodedRequest,
  type Encodable,
} from '../../src/protocol/kafka/codec.js';
import {
  API_VERSIONS_MAX_VERSION,
  ApiKey as ApiKeys,
  advertisedRange,
  apiVersionsFallbackResponse,
  type AdvertisedApi,
} from '../../src/protocol/kafka/api-keys.js';
import { FrameReader, peekRequestHeader } from '../../src/protocol/kafka/frame-reader.js';
import type { ResponseBodyByApiKey } from '../../src/protocol/kafka/generated/index.js';
import { handleApiVersions } from './api-versions.js';

/** The response to a request of API K, or null when the client expects none. */
export type HandlerResult = { [K in ApiKey]: Encodable<ResponseBodyByApiKey[K]> }[ApiKey] | null;

export interface ConnectionInfo {
  readonly connectionId: number;
  readonly remoteAddress: string;
}

export type RequestHandler = (
  request: DecodedRequest,
  connection: ConnectionInfo,
) => HandlerResult | Promise<HandlerResult>;

export interface SocketServerOptions {
  readonly host: string;
  readonly port: number;
  readonly advertised: readonly AdvertisedApi[];
  readonly handler: RequestHandler;
  readonly logger: Logger;
  /** Kafka's socket.request.max.bytes (default 100 MiB). */
  readonly frameBytesMax?: number;
  /** Frames a connection may have waiting before we stop reading it (Kafka: 500). */
  readonly queuedRequestsMax?: number;
}

export class SocketServer {
  readonly #options: SocketServerOptions;
  readonly #logger: Logger;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #nextConnectionId = 1;

  constructor(options: SocketServerOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'socket-server' });
    this.#server = net.createServer((socket) => this.#accept(socket));
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const port = (this.#server.address() as net.AddressInfo).port;
    this.#logger.info({ host: this.#options.host, port }, 'listening');
    return port;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: net.Socket): void {
    const connection: ConnectionInfo = {
      connectionId: this.#nextConnectionId++,
      remoteAddress: `${socket.remoteAddress}:${socket.remotePort}`,
    };
    const log = this.#logger.child(connection);
    const frames = new FrameReader({ frameBytesMax: this.#options.frameBytesMax });
    const queuedMax = this.#options.queuedRequestsMax ?? 500;
    let queued = 0;
    let tail: Promise<void> = Promise.resolve();
    let closed = false;
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    log.debug('connection accepted');

    const close = (level: 'info' | 'error', reason: string, err?: unknown): void => {
      if (closed) return;
      closed = true;
      log[level]({ err }, `closing connection: ${reason}`);
      socket.destroy();
    };

    socket.on('data', (chunk: Buffer) => {
      const result = frames.push(chunk);
      for (const frame of result.frames) {
        queued++;
        if (queued > queuedMax) socket.pause();
        tail = tail.then(async () => {
          try {
            if (!closed) await this.#serve(frame, socket, connection, close);
          } catch (err) {
            close('error', 'unexpected failure while serving a request', err);
          }
          queued--;
          if (queued <= queuedMax && !closed) socket.resume();
        });
      }
      if (result.error) {
        // Answer what came before the bad frame, then close.
        const reason = result.error.reason;
        tail = tail.then(() => close('info', reason));
      }
    });
    socket.on('error', (err) => log.debug({ err }, 'socket error'));
    socket.on('close', () => {
      closed = true;
      this.#sockets.delete(socket);
      log.debug('connection closed');
    });
  }

  async #serve(
    frame: Buffer,
    socket: net.Socket,
    connection: ConnectionInfo,
    close: (level: 'info' | 'error', reason: string, err?: unknown) => void,
  ): Promise<void> {
    const peeked = peekRequestHeader(frame);
    if (!peeked.ok) return close('info', 'unreadable request header', peeked.error);
    const { apiKey, apiVersion, correlationId, clientId } = peeked.header;
    const range = advertisedRange(apiKey, this.#options.advertised);
    if (!range) return close('info', `unsupported API key ${apiKey} from client ${clientId}`);
    if (apiKey === ApiKeys.ApiVersions && apiVersion > API_VERSIONS_MAX_VERSION) {
      return this.#write(
        socket,
        encodeResponseFrame(18, 0, correlationId, apiVersionsFallbackResponse()),
      );
    }
    if (apiVersion < range.minVersion || apiVersion > range.maxVersion) {
      return close(
        'info',
        `unsupported ${apiName(apiKey)} version ${apiVersion} ` +
          `(advertised ${range.minVersion}-${range.maxVersion}) from client ${clientId}`,
      );
    }
    let request: DecodedRequest;
    try {
      request = decodeRequest(frame);
    } catch (err) {
      if (err instanceof KafkaProtocolError) {
        return close('info', `malformed ${apiName(apiKey)} v${apiVersion} request`, err);
      }
      throw err;
    }
    let body: HandlerResult;
    try {
      body =
        request.apiKey === ApiKeys.ApiVersions
          ? handleApiVersions(request.apiVersion, request.body, this.#options.advertised)
          : await this.#options.handler(request, connection);
    } catch (err) {
      return close('error', `handler for ${apiName(apiKey)} failed`, err);
    }
    if (body === null) return;
    let chunks: Buffer[];
    try {
      chunks = encodeResponseFrame(apiKey as ApiKey, apiVersion, correlationId, body as never);
    } catch (err) {
      return close('error', `could not encode ${apiName(apiKey)} v${apiVersion} response`, err);
    }
    this.#write(socket, chunks);
  }

  #write(socket: net.Socket, chunks: Buffer[]): void {
    if (socket.destroyed) return;
    socket.cork();
    for (const chunk of chunks) socket.write(chunk);
    socket.uncork();
  }
}
