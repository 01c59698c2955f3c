/**
 * The WebSocket transport: the coordinator's JSON protocol (src/protocol/coordinator/
 * ws-codec.ts, documented in docs/coordinator-protocol.md) over `ws`.
 *
 * One `WsConnection` per socket implements `ServerConnection`. The first message must be a
 * `connect` (the session handshake) or a `command` (a four-letter word, answered and then
 * closed). Every later message is a `request`. The transport only decodes and encodes; order
 * and semantics belong to the core. Bad input never reaches the core:
 *   - binary frames, non-JSON, or a message without a readable xid: close with a logged reason;
 *   - a request with a readable xid but a bad field: a BADARGUMENTS reply in its place;
 *   - an unknown op: UNIMPLEMENTED in its place, then close (as ZooKeeper does);
 *   - frames larger than `frameBytesMax`: ws closes with 1009 (message too big);
 *   - no handshake within `handshakeTimeoutMs`: close.
 */
import { IncomingMessage, createServer, type Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import type { Logger } from '../src/logger.js';
import { ErrorCode, errorName } from '../src/protocol/coordinator/errors.js';
import {
  FrameError,
  decodeClientFrame,
  encodeServerFrame,
  type ServerFrame,
  messageText,
} from '../src/protocol/coordinator/ws-codec.js';
import type { Outbound, ServerConnection } from './connection.js';
import type { CoordinatorServer } from './coordinator-server.js';

/**
 * 1 MiB of node data is about 1.4 MB once base64-encoded; leave room for the rest of the
 * message. ZooKeeper's own bound (jute.maxbuffer) is 1 MiB per packet.
 */
export const WS_FRAME_BYTES_MAX = 2 * 1024 * 1024;
/** ZooKeeper drops a connection that sends no ConnectRequest within 10 s. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** A client that stops reading while we keep queueing replies is cut off past this. */
export const SEND_BUFFER_BYTES_MAX = 64 * 1024 * 1024;

let nextConnectionId = 1;

export function nextConnId(): number {
  return nextConnectionId++;
}

class WsConnection implements ServerConnection {
  readonly id = nextConnId();
  readonly protocol = 'ws' as const;
  readonly remoteAddress: string;
  readonly #ws: WebSocket;
  readonly #log: Logger;
  #closing = false;
  #corked = false;

  constructor(ws: WebSocket, remoteAddress: string, log: Logger) {
    this.#ws = ws;
    this.remoteAddress = remoteAddress;
    this.#log = log;
  }

  send(item: Outbound): number {
    if (this.#closing) return 0;
    let frame: ServerFrame;
    switch (item.kind) {
      case 'connected':
        frame = { type: 'connected', connected: item.response };
        break;
      case 'reply':
        frame = {
          type: 'reply',
          xid: item.xid,
          zxid: item.zxid,
          err: item.err,
          result: item.result,
        };
        break;
      case 'event':
        frame = { type: 'event', event: item.event };
        break;
    }
    const text = encodeServerFrame(frame, errorName);
    if (this.#log.isLevelEnabled('trace'))
      this.#log.trace({ conn: this.id, out: text.slice(0, 500) }, 'send');
    if (this.#ws.bufferedAmount > SEND_BUFFER_BYTES_MAX) {
      this.#log.warn(
        { conn: this.id, bufferedBytes: this.#ws.bufferedAmount },
        'client is not reading its replies; closing',
      );
      this.close('client is not reading its replies');
      return 0;
    }
    this.#cork();
    this.#ws.send(text);
    return Buffer.byteLength(text);
  }

  /**
   * The core hands over many items at once when a group commit completes. Corking the
   * socket until the end of this tick turns hundreds of small writes into one writev.
   */
  #cork(): void {
    if (this.#corked) return;
    const socket = (this.#ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (!socket) return;
    this.#corked = true;
    socket.cork();
    process.nextTick(() => {
      this.#corked = false;
      socket.uncork();
    });
  }

  sendText(text: string): void {
    if (!this.#closing) this.#ws.send(text);
  }

  close(reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#log.debug({ conn: this.id, reason }, 'closing connection');
    // 1000 = normal closure; the reason is truncated to fit a close frame.
    this.#ws.close(1000, reason.slice(0, 120));
  }
}

export interface WsTransport {
  /** The HTTP server whose upgrades become WebSocket connections (not listening by itself). */
  httpServer: HttpServer;
  wss: WebSocketServer;
  /** Hand an accepted socket (whose first bytes are HTTP) to the HTTP/WebSocket server. */
  handleSocket(socket: Duplex): void;
}

export function createWsTransport(core: CoordinatorServer, logger: Logger): WsTransport {
  const log = logger.child({ component: 'ws-server' });
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_FRAME_BYTES_MAX });
  const httpServer = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end(
      'This is the coordinator client port: connect with a WebSocket (or a ZooKeeper client).\n',
    );
  });
  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req));
  });
  httpServer.on('clientError', (err, socket) => {
    log.debug({ err }, 'bad HTTP request on the client port');
    socket.destroy();
  });

  function onConnection(ws: WebSocket, req: IncomingMessage): void {
    const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? 0}`;
    const conn = new WsConnection(ws, remote, log);
    let phase: 'handshake' | 'session' | 'done' = 'handshake';
    core.attach(conn);
    log.debug({ conn: conn.id, remote }, 'connection accepted');
    const handshakeTimer = core.scheduler
      .schedule(HANDSHAKE_TIMEOUT_MS, () => {
        if (phase === 'handshake') conn.close('no handshake within 10 s');
      })
      .unref();

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (phase === 'done') return;
      if (isBinary) {
        log.warn({ conn: conn.id }, 'closing: binary frame (the protocol is JSON text)');
        phase = 'done';
        conn.close('binary frames are not part of the protocol');
        return;
      }
      const text = messageText(data);
      if (log.isLevelEnabled('debug'))
        log.debug({ conn: conn.id, in: text.slice(0, 500) }, 'receive');
      let frame;
      try {
        frame = decodeClientFrame(text);
      } catch (err) {
        const fe = err as FrameError;
        if (fe.xid !== undefined && phase === 'session') {
          const unknownOp = /^unknown op/.test(fe.message);
          log.warn(
            { conn: conn.id, xid: fe.xid, reason: fe.message },
            unknownOp ? 'unknown op: closing' : 'bad request',
          );
          if (unknownOp) {
            phase = 'done';
            core.reject(conn, fe.xid, ErrorCode.UNIMPLEMENTED, fe.message);
          } else {
            core.reject(conn, fe.xid, ErrorCode.BADARGUMENTS);
          }
          return;
        }
        log.warn({ conn: conn.id, reason: fe.message }, 'closing: malformed message');
        phase = 'done';
        conn.close(`malformed message: ${fe.message}`);
        return;
      }
      if (phase === 'handshake') {
        if (frame.type === 'command') {
          phase = 'done';
          const output =
            core.fourLetterWord(frame.command) ?? `${frame.command} is not a known command`;
          conn.sendText(encodeServerFrame({ type: 'command', command: frame.command, output }));
          conn.close('four-letter word answered');
          return;
        }
        if (frame.type !== 'connect') {
          phase = 'done';
          log.warn({ conn: conn.id }, 'closing: request before the handshake');
          conn.close('the first message must be connect');
          return;
        }
        phase = 'session';
        handshakeTimer.cancel();
        core.connect(conn, frame.connect);
        return;
      }
      if (frame.type !== 'request') {
        phase = 'done';
        log.warn(
          { conn: conn.id, type: frame.type },
          'closing: handshake message after the handshake',
        );
        conn.close(`unexpected ${frame.type} message`);
        return;
      }
      core.submit(conn, frame.xid, frame.request);
    });
    ws.on('close', (code: number) => {
      handshakeTimer.cancel();
      core.detach(conn, `socket closed (${code})`);
    });
    ws.on('error', (err: Error) => {
      log.warn({ conn: conn.id, err: err.message }, 'websocket error; closing');
    });
  }

  return {
    httpServer,
    wss,
    handleSocket(socket: Duplex): void {
      httpServer.emit('connection', socket);
    },
  };
}
