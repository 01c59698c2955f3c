/**
 * The broker's Kafka listener: a `net` server that turns each TCP connection into a sequence
 * of decoded requests, looks each up in the handler table (api-handler-table.ts) and writes
 * the responses back.
 *
 * Per connection (Kafka's SocketServer + RequestChannel, collapsed into one event loop):
 *
 *   bytes --FrameReader--> frames --queue--> peek header --table--> decode --> handler
 *         <------------------------------- encode <-------------------------------'
 *
 * Ordering: clients pipeline requests and match responses by correlation id, but they also
 * rely on responses arriving in request order. Handlers are async (a Fetch may wait for
 * data), so a connection serves one request at a time, in arrival order.
 *
 * Backpressure (Kafka mutes a connection, i.e. stops reading it, from the moment a request
 * is received until its response has been sent). A connection here is either READING or
 * MUTED; it is muted, with `socket.pause()`, while either holds:
 *   - the queue of received, unserved requests holds more than `queuedRequestBytesMax`
 *     bytes or `queuedRequestsMax` frames, or
 *   - the last response has not drained: `socket.write` returned false (more than the
 *     socket's high-water mark, 16 KiB, is waiting for the client), and `drain` has not
 *     come yet. No further request is served until it does.
 * So a client that never reads costs at most one response (plus the high-water mark of
 * earlier small ones) and a bounded request queue (plus one read chunk and one partial
 * frame below `frameBytesMax`), and it cannot starve the event loop. Kafka would close such
 * a connection after connections.max.idle.ms; we keep it muted until the client goes away.
 *
 * Admission, in Kafka 2.8's terms, before any body is parsed (the header is always readable):
 *   - API key with no schema at all        -> close (nothing can be encoded; Kafka closes too)
 *   - ApiVersions above our range          -> the v0 fallback (api-versions.ts)
 *   - API or version not in the table, but one the codec knows -> decode it and answer with
 *     UNSUPPORTED_VERSION in every error field (error-response.ts). Kafka 2.8 answers versions
 *     it cannot parse by closing; librdkafka then reconnects and retries the same request
 *     forever, kafkajs retries it as a network error. An error response instead fails that
 *     one request with a non-retriable error clients name ("unsupported version"), which is
 *     what the task of a broker that never advertised the API calls for. Well-behaved
 *     clients never get there: they pick versions from ApiVersions.
 *   - version beyond the codec's schemas, frame above socket.request.max.bytes, undecodable
 *     body -> close
 * A handler that throws gets an error response with the code the error carries
 * (UNKNOWN_SERVER_ERROR for our bugs, logged at `error`), as Kafka's `handleError` does; one
 * that throws CloseConnectionError (acks=0 Produce failures) has the connection closed.
 * Every close is logged with its reason, at `info` (client errors) or `error` (our bugs).
 *
 * Security (broker/security/): a server serves one listener. On SSL and SASL_SSL listeners it
 * is a TLS server (tls-server.ts) and a connection starts once its handshake is done. Each
 * connection has a session (listener, principal, SASL state). On SASL listeners, until the
 * login is complete only ApiVersions, SaslHandshake and SaslAuthenticate are served; any
 * other request closes the connection, as Kafka's SaslServerAuthenticator does. After a
 * SaslHandshake v0 the client's SASL tokens come as bare frames (no request header): they go
 * to the session's SASL state machine and its answers go back bare.
 */
import net from 'node:net';
import type tls from 'node:tls';
import type { Logger } from '../../src/logger.js';
import {
  apiName,
  decodeRequest,
  encodeResponseFrame,
  KafkaProtocolError,
  type DecodedRequest,
} from '../../src/protocol/kafka/codec.js';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import { errorResponse } from '../../src/protocol/kafka/error-response.js';
import { ErrorCode, errorCodeOf } from '../../src/protocol/kafka/errors.js';
import { FrameReader, peekRequestHeader } from '../../src/protocol/kafka/frame-reader.js';
import { MESSAGE_SCHEMAS } from '../../src/protocol/kafka/generated/index.js';
import { inVersionRange, parseVersionRange } from '../../src/protocol/kafka/schema.js';
import type { NetworkMetricsHooks } from '../metrics/broker-metrics.js';
import type { ApiHandlerTable, ConnectionInfo, HandlerResult } from './api-handler-table.js';
import { apiVersionsFallbackResponse } from './api-versions.js';
import { usesSasl, usesTls, type ListenerSecurity } from '../security/security-config.js';
import {
  API_KEYS_BEFORE_AUTHENTICATION,
  newConnectionSession,
  type ConnectionSession,
  type SaslConnection,
} from '../security/session.js';
import { ANONYMOUS_PRINCIPAL, createTlsServer, principalOfTlsSocket } from './tls-server.js';

export type { ConnectionInfo, HandlerResult } from './api-handler-table.js';

/** Thrown by a handler to have the connection closed instead of answered (acks=0 Produce). */
export class CloseConnectionError extends Error {
  override name = 'CloseConnectionError';
}

/** Kafka's `queued.max.request.bytes` is unbounded by default; we bound each connection. */
export const QUEUED_REQUEST_BYTES_MAX_DEFAULT = 1024 * 1024;
/** Frames a connection may have waiting before we stop reading it. */
export const QUEUED_REQUESTS_MAX_DEFAULT = 500;

export interface SocketServerOptions {
  readonly host: string;
  readonly port: number;
  readonly handlers: ApiHandlerTable;
  readonly logger: Logger;
  /** Kafka's socket.request.max.bytes (default 100 MiB). */
  readonly frameBytesMax?: number;
  /** Bytes of received, unserved requests a connection may have before it is muted. */
  readonly queuedRequestBytesMax?: number;
  /** Received, unserved requests a connection may have before it is muted. */
  readonly queuedRequestsMax?: number;
  /** Counts bytes and requests for the broker's metrics (broker/metrics/). */
  readonly metrics?: NetworkMetricsHooks;
  /** The listener served: its name and security protocol; PLAINTEXT when not given. */
  readonly listener?: ListenerSecurity;
  /** Makes the SASL state machine of a new connection (required on SASL listeners). */
  readonly saslConnection?: (session: ConnectionSession, logger: Logger) => SaslConnection;
}

const PLAINTEXT_LISTENER: ListenerSecurity = {
  listenerName: 'PLAINTEXT',
  securityProtocol: 'PLAINTEXT',
  ssl: undefined,
  sasl: undefined,
};

/** What one connection holds right now (for tests, metrics and debugging). */
export interface ConnectionStats {
  readonly connectionId: number;
  readonly remoteAddress: string;
  /** READING, or MUTED (not read) while its queue is full or a response has not drained. */
  readonly state: 'READING' | 'MUTED';
  readonly queuedRequests: number;
  readonly queuedRequestBytes: number;
  /** Response bytes written to the socket that the kernel has not taken yet. */
  readonly unsentResponseBytes: number;
  /** The largest single response written on this connection so far. */
  readonly largestResponseBytes: number;
  readonly requestsServed: number;
}

type CloseLevel = 'info' | 'error';

export class SocketServer {
  readonly #options: SocketServerOptions;
  readonly #logger: Logger;
  readonly #server: net.Server;
  readonly #listener: ListenerSecurity;
  readonly #connections = new Set<Connection>();
  #nextConnectionId = 1;

  constructor(options: SocketServerOptions) {
    this.#options = options;
    this.#listener = options.listener ?? PLAINTEXT_LISTENER;
    this.#logger = options.logger.child({
      component: 'socket-server',
      listener: this.#listener.listenerName,
    });
    const protocol = this.#listener.securityProtocol;
    if (usesSasl(protocol) && options.saslConnection === undefined) {
      throw new Error(`listener ${this.#listener.listenerName} needs a SASL connection factory`);
    }
    if (usesTls(protocol)) {
      const ssl = this.#listener.ssl;
      if (ssl === undefined) throw new Error(`listener ${this.#listener.listenerName}: no SSL`);
      const server = createTlsServer(
        ssl,
        (socket) => this.#accept(socket, principalOfTlsSocket(socket)),
        (socket, reason) =>
          this.#logger.info({ remoteAddress: socket.remoteAddress }, `refused: ${reason}`),
      );
      // A failed handshake (no or an untrusted client certificate, a plaintext client).
      server.on('tlsClientError', (err, socket) =>
        this.#logger.info(
          { remoteAddress: socket.remoteAddress, err: err.message },
          'TLS handshake failed',
        ),
      );
      this.#server = server;
    } else {
      this.#server = net.createServer((socket) => this.#accept(socket, ANONYMOUS_PRINCIPAL));
    }
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
    for (const connection of this.#connections) connection.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Every open connection's buffers and state. */
  connections(): ConnectionStats[] {
    return [...this.#connections].map((c) => c.stats());
  }

  #accept(socket: net.Socket | tls.TLSSocket, principal: string): void {
    const connectionId = this.#nextConnectionId++;
    const remoteAddress = `${socket.remoteAddress}:${socket.remotePort}`;
    const logger = this.#logger.child({ connectionId, remoteAddress });
    const sasl = usesSasl(this.#listener.securityProtocol);
    const session = newConnectionSession({
      listenerName: this.#listener.listenerName,
      securityProtocol: this.#listener.securityProtocol,
      principal,
      clientHost: socket.remoteAddress ?? '',
      authenticated: !sasl,
    });
    if (sasl) session.sasl = this.#options.saslConnection!(session, logger);
    const info: ConnectionInfo = { connectionId, remoteAddress, session };
    const connection = new Connection(socket, info, {
      handlers: this.#options.handlers,
      logger,
      frameBytesMax: this.#options.frameBytesMax,
      queuedRequestBytesMax:
        this.#options.queuedRequestBytesMax ?? QUEUED_REQUEST_BYTES_MAX_DEFAULT,
      queuedRequestsMax: this.#options.queuedRequestsMax ?? QUEUED_REQUESTS_MAX_DEFAULT,
      metrics: this.#options.metrics,
    });
    this.#connections.add(connection);
    socket.on('close', () => this.#connections.delete(connection));
  }
}

interface ConnectionOptions {
  readonly handlers: ApiHandlerTable;
  readonly logger: Logger;
  readonly frameBytesMax: number | undefined;
  readonly queuedRequestBytesMax: number;
  readonly queuedRequestsMax: number;
  readonly metrics: NetworkMetricsHooks | undefined;
}

/** One client connection: its frame reader, request queue, mute state and serving loop. */
class Connection {
  readonly #socket: net.Socket;
  readonly #info: ConnectionInfo;
  readonly #options: ConnectionOptions;
  readonly #log: Logger;
  readonly #frames: FrameReader;
  /** Received, unserved request frames, oldest first. */
  readonly #queue: Buffer[] = [];
  #queuedBytes = 0;
  /** A framing error seen after the queued frames: close once they are answered. */
  #closeAfterQueue: string | undefined;
  #serving = false;
  #awaitingDrain = false;
  #muted = false;
  #closed = false;
  #largestResponseBytes = 0;
  #requestsServed = 0;

  constructor(socket: net.Socket, info: ConnectionInfo, options: ConnectionOptions) {
    this.#socket = socket;
    this.#info = info;
    this.#options = options;
    this.#log = options.logger;
    this.#frames = new FrameReader({ frameBytesMax: options.frameBytesMax });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#onDrain());
    socket.on('error', (err) => this.#log.debug({ err }, 'socket error'));
    socket.on('close', () => {
      this.#closed = true;
      this.#queue.length = 0;
      this.#queuedBytes = 0;
      this.#log.debug('connection closed');
    });
    this.#log.debug('connection accepted');
  }

  stats(): ConnectionStats {
    return {
      connectionId: this.#info.connectionId,
      remoteAddress: this.#info.remoteAddress,
      state: this.#muted ? 'MUTED' : 'READING',
      queuedRequests: this.#queue.length,
      queuedRequestBytes: this.#queuedBytes,
      unsentResponseBytes: this.#socket.writableLength,
      largestResponseBytes: this.#largestResponseBytes,
      requestsServed: this.#requestsServed,
    };
  }

  destroy(): void {
    this.#closed = true;
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    this.#options.metrics?.bytesReceived(chunk.length);
    const result = this.#frames.push(chunk);
    for (const frame of result.frames) {
      this.#queue.push(frame);
      this.#queuedBytes += frame.length;
    }
    if (result.error) {
      // Answer what came before the bad frame, then close; read nothing more (muted) meanwhile.
      this.#closeAfterQueue ??= result.error.reason;
    }
    this.#updateMute();
    void this.#serveQueue();
  }

  #onDrain(): void {
    if (!this.#awaitingDrain) return;
    this.#awaitingDrain = false;
    this.#updateMute();
    void this.#serveQueue();
  }

  /**
   * Mutes (pauses reading) exactly while the queue is over its bounds, a write is pending, or
   * the stream is broken (a bad frame: only what came before it is still answered).
   */
  #updateMute(): void {
    if (this.#closed) return;
    const queueFull =
      this.#queuedBytes > this.#options.queuedRequestBytesMax ||
      this.#queue.length > this.#options.queuedRequestsMax;
    const mute = queueFull || this.#awaitingDrain || this.#closeAfterQueue !== undefined;
    if (mute === this.#muted) return;
    this.#muted = mute;
    if (mute) this.#socket.pause();
    else this.#socket.resume();
    this.#log.trace(
      { queuedRequests: this.#queue.length, queuedRequestBytes: this.#queuedBytes },
      mute ? 'muted' : 'unmuted',
    );
  }

  /** Serves queued requests one at a time until the queue is empty or a write must drain. */
  async #serveQueue(): Promise<void> {
    if (this.#serving) return;
    this.#serving = true;
    try {
      while (!this.#closed && !this.#awaitingDrain && this.#queue.length > 0) {
        const frame = this.#queue.shift()!;
        this.#queuedBytes -= frame.length;
        this.#updateMute();
        await this.#serve(frame);
        this.#requestsServed++;
      }
      if (!this.#closed && this.#queue.length === 0 && this.#closeAfterQueue !== undefined) {
        this.#close('info', this.#closeAfterQueue);
      }
    } catch (err) {
      this.#close('error', 'unexpected failure while serving a request', err);
    } finally {
      this.#serving = false;
    }
  }

  #close(level: CloseLevel, reason: string, err?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#log[level]({ err }, `closing connection: ${reason}`);
    this.#socket.destroy();
  }

  async #serve(frame: Buffer): Promise<void> {
    const startedMs = performance.now();
    const session = this.#info.session;
    if (session.sasl?.expectsRawToken) return this.#serveRawSaslToken(session.sasl, frame);
    const peeked = peekRequestHeader(frame);
    if (!peeked.ok) return this.#close('info', 'unreadable request header', peeked.error);
    const { apiKey, apiVersion, correlationId, clientId } = peeked.header;
    if (session.sasl?.expired(apiKey)) {
      return this.#close(
        'info',
        `${apiName(apiKey)} from client ${clientId} after its SASL session expired ` +
          '(connections.max.reauth.ms) without re-authentication',
      );
    }
    if (!session.authenticated && !API_KEYS_BEFORE_AUTHENTICATION.has(apiKey)) {
      return this.#close(
        'info',
        `${apiName(apiKey)} from client ${clientId} before SASL authentication ` +
          `(only ApiVersions, SaslHandshake and SaslAuthenticate are allowed)`,
      );
    }
    const handlers = this.#options.handlers;
    if (apiKey === ApiKey.ApiVersions) {
      const range = handlers.apiVersionsRange;
      if (apiVersion > range.maxVersion) {
        const fallback = apiVersionsFallbackResponse(range);
        return this.#write(encodeResponseFrame(ApiKey.ApiVersions, 0, correlationId, fallback));
      }
    }
    const found = handlers.lookup(apiKey, apiVersion);
    const what = `${apiName(apiKey)} v${apiVersion} from client ${clientId}`;
    if (found.kind !== 'served' && !this.#codecKnows(apiKey, apiVersion)) {
      return this.#close('info', `cannot decode ${what}: no schema for that API or version`);
    }
    let request: DecodedRequest;
    try {
      request = decodeRequest(frame);
    } catch (err) {
      if (err instanceof KafkaProtocolError) return this.#close('info', `malformed ${what}`, err);
      throw err;
    }
    if (request.trailingBytes > 0) {
      // Kafka reads what the schema describes and ignores the rest; so do we (see codec.ts).
      this.#log.debug(
        { trailingBytes: request.trailingBytes },
        `ignoring trailing bytes of ${what}`,
      );
    }
    let body: HandlerResult;
    if (found.kind === 'served') {
      try {
        body = (await (found.handler.handle as (r: DecodedRequest, c: ConnectionInfo) => unknown)(
          request,
          this.#info,
        )) as HandlerResult;
      } catch (err) {
        if (err instanceof CloseConnectionError) return this.#close('info', err.message);
        const errorCode = errorCodeOf(err);
        if (errorCode === ErrorCode.UNKNOWN_SERVER_ERROR) {
          this.#log.error({ err }, `handler for ${what} failed`);
        }
        body = errorResponse(request, errorCode);
      }
    } else {
      const range = handlers.lookupRange(apiKey);
      this.#log.info(
        { advertised: range ? `${range.minVersion}-${range.maxVersion}` : 'none' },
        `answering UNSUPPORTED_VERSION to ${what}`,
      );
      body = errorResponse(request, ErrorCode.UNSUPPORTED_VERSION);
    }
    const done = (): void =>
      this.#options.metrics?.requestCompleted(apiKey, (performance.now() - startedMs) / 1000);
    if (body === null || this.#closed) return done();
    let chunks: Buffer[];
    try {
      chunks = encodeResponseFrame(request.apiKey, apiVersion, correlationId, body as never);
    } catch (err) {
      return this.#close('error', `could not encode the response to ${what}`, err);
    }
    this.#write(chunks);
    done();
    if (session.closeAfterResponse !== undefined) this.#closeAfterWrite(session.closeAfterResponse);
  }

  /** A SASL token without a Kafka header (after SaslHandshake v0): answered the same way. */
  async #serveRawSaslToken(sasl: SaslConnection, token: Buffer): Promise<void> {
    const answer = await sasl.rawToken(token);
    if ('close' in answer) return this.#close('info', answer.close);
    const size = Buffer.alloc(4);
    size.writeInt32BE(answer.response.length);
    this.#write([size, answer.response]);
  }

  /** Sends what is written, then closes (the answer to a failed login is the last one). */
  #closeAfterWrite(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#log.info(`closing connection: ${reason}`);
    this.#socket.end();
  }

  #codecKnows(apiKey: number, apiVersion: number): boolean {
    const schemas = (MESSAGE_SCHEMAS as Partial<Record<number, (typeof MESSAGE_SCHEMAS)[0]>>)[
      apiKey
    ];
    return (
      schemas !== undefined &&
      inVersionRange(parseVersionRange(schemas.request.validVersions), apiVersion)
    );
  }

  /** Writes one response; if the socket's buffer is over its high-water mark, mute and wait. */
  #write(chunks: Buffer[]): void {
    if (this.#closed || this.#socket.destroyed) return;
    let bytes = 0;
    let flushed = true;
    this.#socket.cork();
    for (const chunk of chunks) {
      bytes += chunk.length;
      flushed = this.#socket.write(chunk);
    }
    this.#socket.uncork();
    this.#options.metrics?.bytesSent(bytes);
    if (bytes > this.#largestResponseBytes) this.#largestResponseBytes = bytes;
    if (!flushed) {
      this.#awaitingDrain = true;
      this.#updateMute();
    }
  }
}
