/**
 * The ZooKeeper transport: ZooKeeper's own binary (jute) client protocol over one TCP socket,
 * so that unmodified ZooKeeper clients (the Java client and zkCli.sh, kazoo,
 * node-zookeeper-client, Kafka's ZooKeeper client) can use the coordinator.
 *
 * One `ZkConnection` per socket implements `ServerConnection` (./connection.ts). It decodes
 * frames into `ConnectRequest`s and `Request`s for the core and encodes what the core sends
 * back; all semantics (sessions, the tree, watches, auth) belong to the core. Wire format:
 * src/protocol/zookeeper/codec.ts; framing: src/protocol/zookeeper/frame-reader.ts.
 *
 * Connection states:
 *
 *   HANDSHAKE ──ConnectRequest──▶ CONNECTING ──core sends `connected`──▶ SESSION
 *       │                              │  (requests that arrive meanwhile are held, in order,
 *       │                              │   and the socket is paused; they are submitted once
 *       │                              │   the ConnectResponse is written)
 *       ├─ four-letter word: write the core's text, then close
 *       └─ anything undecodable, oversize, or 10 s of silence: close
 *   any state ──close(reason) / socket gone──▶ CLOSED (input ignored, core detached once)
 *
 * Ordering: the core calls `send()` in the order the client must receive items, and this
 * class writes them in that order. Replies carry no opcode, so the reply's wire shape
 * (create vs create2, getChildren vs getChildren2, ...) comes from a FIFO of pending requests:
 * every request handed to the core (`submit` or `reject`) pushes its `ReplyShape`, and every
 * reply pops the oldest entry with the same xid. Requests we cannot serve (unknown opcode,
 * undecodable body, bad flags) go to `core.reject`, which answers in the request's place in
 * the reply order and closes afterwards when asked to.
 *
 * Special xids (docs/zookeeper-protocol.md): pings are answered with xid -2 and auth packets
 * with xid -4 (whatever the client sent); setWatches echoes its xid; notifications carry xid -1
 * and, like ZooKeeper 3.8, zxid -1 (option `notificationZxid: 'event'` sends the triggering zxid,
 * as 3.9 does).
 *
 * Robustness: no exception escapes a socket handler. Framing violations and undecodable
 * packets close the connection with a logged reason; the process and every other connection
 * carry on.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../src/logger.js';
import type { Scheduler, Timer } from '../src/scheduler.js';
import type { ConnectRequest, Request } from '../src/protocol/coordinator/messages.js';
import { errorName } from '../src/protocol/coordinator/errors.js';
import {
  decodeConnectRequest,
  decodeRequest,
  encodeConnectResponseFrame,
  encodeNotificationFrame,
  encodeReplyFrame,
  type ReplyShape,
} from '../src/protocol/zookeeper/codec.js';
import { FrameReader, type FrameReaderOutput } from '../src/protocol/zookeeper/frame-reader.js';
import { JUTE_MAX_BUFFER_BYTES, JuteError } from '../src/protocol/zookeeper/jute.js';
import { OpCode, Xid, opCodeName } from '../src/protocol/zookeeper/op-codes.js';
import type { Outbound, ServerConnection } from './connection.js';
import { nextConnId } from './ws-server.js';

/** ZooKeeper drops a connection that sends no ConnectRequest within 10 s. */
export const ZK_HANDSHAKE_TIMEOUT_MS = 10_000;
/**
 * Bytes queued on a socket whose client does not read. Past this the client is too slow to
 * keep up with its own replies and watch events; ZooKeeper would also give up on it.
 */
export const ZK_OUTBOUND_BYTES_MAX = 64 * 1024 * 1024;
/** How long a closing connection may linger before it is destroyed. */
const CLOSE_LINGER_MS = 5_000;

/** The part of CoordinatorServer this transport uses (kept narrow so tests can fake it). */
export interface ZkCore {
  /** Handshake and linger timeouts run on the core's scheduler. */
  readonly scheduler: Scheduler;
  attach(conn: ServerConnection): void;
  connect(conn: ServerConnection, request: ConnectRequest): void;
  submit(conn: ServerConnection, xid: number, request: Request): void;
  reject(conn: ServerConnection, xid: number, err: number, closeReason?: string): void;
  detach(conn: ServerConnection, reason: string): void;
  fourLetterWord(word: string): string | undefined;
}

export interface ZkConnectionOptions {
  core: ZkCore;
  logger: Logger;
  /** jute.maxbuffer: the largest request packet accepted. */
  packetBytesMax?: number;
  handshakeTimeoutMs?: number;
  outboundBytesMax?: number;
  /** Zxid in notification headers: -1 as in ZooKeeper 3.8 (default), or the event's zxid. */
  notificationZxid?: 'minus-one' | 'event';
}

type State = 'HANDSHAKE' | 'CONNECTING' | 'SESSION' | 'CLOSED';

interface Pending {
  xid: number;
  shape: ReplyShape;
}

export class ZkConnection implements ServerConnection {
  readonly id = nextConnId();
  readonly protocol = 'zk' as const;
  readonly remoteAddress: string;
  readonly #socket: Socket;
  readonly #core: ZkCore;
  readonly #log: Logger;
  readonly #reader: FrameReader;
  readonly #outboundBytesMax: number;
  readonly #notificationZxid: 'minus-one' | 'event';
  #state: State = 'HANDSHAKE';
  /** Whether the client's ConnectRequest had the readOnly byte (the response mirrors it). */
  #readOnlyByte = false;
  /** Request packets that arrived behind the ConnectRequest, before the session existed. */
  #held: Buffer[] = [];
  /** Requests handed to the core and not yet answered, oldest first. */
  #pending: Pending[] = [];
  #handshakeTimer: Timer | undefined;
  /** Set once no further request may be processed (a request that closes, or closing). */
  #inputClosed = false;
  #detached = false;
  /** Frames written this tick, sent together by #flush() (see #write). */
  #outbound: Buffer[] = [];
  #outboundBytes = 0;

  constructor(socket: Socket, options: ZkConnectionOptions) {
    this.#socket = socket;
    this.#core = options.core;
    this.remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    this.#log = options.logger.child({ component: 'zk-server', conn: this.id });
    this.#reader = new FrameReader({
      packetBytesMax: options.packetBytesMax ?? JUTE_MAX_BUFFER_BYTES,
      detectFourLetterWords: true,
    });
    this.#outboundBytesMax = options.outboundBytesMax ?? ZK_OUTBOUND_BYTES_MAX;
    this.#notificationZxid = options.notificationZxid ?? 'minus-one';
    this.#core.attach(this);
    this.#log.debug({ remote: this.remoteAddress }, 'connection accepted');

    const handshakeTimeoutMs = options.handshakeTimeoutMs ?? ZK_HANDSHAKE_TIMEOUT_MS;
    this.#handshakeTimer = this.#core.scheduler
      .schedule(handshakeTimeoutMs, () => {
        if (this.#state === 'HANDSHAKE')
          this.#abort(`no ConnectRequest within ${handshakeTimeoutMs} ms`);
      })
      .unref();

    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => this.#log.debug({ err: err.message }, 'socket error'));
    socket.on('close', () => this.#detach('socket closed'));
  }

  /** Feed bytes read from the socket (also used for bytes a port sniffer already read). */
  receive(chunk: Buffer): void {
    this.#guard(() => {
      // One chunk may hold many packets; stop at once when one of them ends the input.
      for (const output of this.#reader.push(chunk)) {
        if (this.#inputClosed) return;
        this.#onReaderOutput(output);
      }
    });
  }

  #onReaderOutput(output: FrameReaderOutput): void {
    switch (output.kind) {
      case 'fourLetterWord':
        this.#answerFourLetterWord(output.word);
        return;
      case 'error':
        // ZooKeeper drops such a connection without a reply: there is no xid to answer.
        this.#log.warn({ code: output.code }, `closing: ${output.message}`);
        this.#abort(output.message);
        return;
      case 'frame':
        this.#onPacket(output.packet);
        return;
    }
  }

  #onPacket(packet: Buffer): void {
    switch (this.#state) {
      case 'HANDSHAKE':
        this.#onConnectRequest(packet);
        return;
      case 'CONNECTING':
        // Clients pipeline requests behind the ConnectRequest (the Java client sends auth and
        // setWatches this way on reconnect). Hold them until the session exists, and stop
        // reading so that a client cannot make us hold an unbounded amount.
        this.#held.push(packet);
        this.#socket.pause();
        return;
      case 'SESSION':
        this.#onRequest(packet);
        return;
      case 'CLOSED':
        return;
    }
  }

  #onConnectRequest(packet: Buffer): void {
    let decoded;
    try {
      decoded = decodeConnectRequest(packet);
    } catch (err) {
      if (!(err instanceof JuteError)) throw err;
      this.#log.warn(
        { bytes: packet.length },
        `closing: undecodable ConnectRequest: ${err.message}`,
      );
      this.#abort('undecodable ConnectRequest');
      return;
    }
    this.#handshakeTimer?.cancel();
    this.#readOnlyByte = decoded.hasReadOnly;
    this.#state = 'CONNECTING';
    this.#log.debug(
      {
        sessionId: '0x' + decoded.request.sessionId.toString(16),
        timeoutMs: decoded.request.timeoutMs,
        readOnlyByte: decoded.hasReadOnly,
      },
      'ConnectRequest',
    );
    this.#core.connect(this, decoded.request);
  }

  #onRequest(packet: Buffer): void {
    let decoded;
    try {
      decoded = decodeRequest(packet);
    } catch (err) {
      if (!(err instanceof JuteError)) throw err;
      // Not even a RequestHeader: nothing to answer.
      this.#log.warn({ bytes: packet.length }, `closing: request without a header: ${err.message}`);
      this.#abort('request without a header');
      return;
    }
    if (this.#log.isLevelEnabled('trace')) {
      this.#log.trace({ xid: decoded.xid, bytes: packet.length, kind: decoded.kind }, 'receive');
    }
    if (decoded.kind === 'rejected') {
      this.#log.warn(
        { xid: decoded.xid, op: opCodeName(decoded.opCode), err: errorName(decoded.err) },
        decoded.close ? `rejecting and closing: ${decoded.reason}` : `rejecting: ${decoded.reason}`,
      );
      this.#pending.push({ xid: decoded.xid, shape: { opCode: decoded.opCode } });
      if (decoded.close) {
        // Stop reading: ZooKeeper handles nothing after a request that makes it close.
        this.#stopReading();
        this.#core.reject(this, decoded.xid, decoded.err, decoded.reason);
      } else {
        this.#core.reject(this, decoded.xid, decoded.err);
      }
      return;
    }
    this.#pending.push({ xid: decoded.xid, shape: decoded.shape });
    this.#core.submit(this, decoded.xid, decoded.request);
  }

  #answerFourLetterWord(word: string): void {
    // Commands that the core does not know are answered as ZooKeeper answers a command left
    // out of 4lw.commands.whitelist.
    const output =
      this.#core.fourLetterWord(word) ??
      `${word} is not executed because it is not in the whitelist.\n`;
    this.#log.debug({ word }, 'four-letter word');
    this.#socket.write(output);
    this.close(`four-letter word ${word} answered`);
  }

  // =====================================================================================
  // ServerConnection: what the core calls.

  send(item: Outbound): number {
    if (this.#state === 'CLOSED') return 0;
    let bytes = 0;
    this.#guard(() => {
      switch (item.kind) {
        case 'connected':
          bytes = this.#sendConnected(item);
          return;
        case 'reply': {
          const frame = this.#encodeReply(item);
          bytes = frame.length;
          this.#write(frame);
          return;
        }
        case 'event': {
          const zxid = this.#notificationZxid === 'event' ? item.event.zxid : -1;
          const frame = encodeNotificationFrame(item.event, zxid);
          bytes = frame.length;
          this.#write(frame);
          return;
        }
      }
    });
    return bytes;
  }

  close(reason: string): void {
    if (this.#state === 'CLOSED') return;
    this.#log.debug({ reason }, 'closing connection');
    this.#stopReading();
    this.#flush();
    // end() sends what is already written, then FIN; the client closes its side on EOF.
    // If it does not, the linger timer ends the socket anyway.
    this.#socket.end();
    this.#core.scheduler.schedule(CLOSE_LINGER_MS, () => this.#socket.destroy()).unref();
    this.#detach(reason);
  }

  // =====================================================================================

  /** Returns the size of the ConnectResponse frame. */
  #sendConnected(item: Extract<Outbound, { kind: 'connected' }>): number {
    const frame = encodeConnectResponseFrame(item.response, this.#readOnlyByte);
    this.#write(frame);
    if (item.response.timeoutMs <= 0) {
      // An expired or unknown session: the core closes the connection next. Nothing that
      // was pipelined behind the handshake can be served.
      this.#held = [];
      return frame.length;
    }
    this.#state = 'SESSION';
    const held = this.#held;
    this.#held = [];
    for (const packet of held) {
      if (this.#inputClosed) return frame.length;
      this.#onRequest(packet);
    }
    if (!this.#inputClosed) this.#socket.resume();
    return frame.length;
  }

  #encodeReply(item: Extract<Outbound, { kind: 'reply' }>): Buffer {
    const index = this.#pending.findIndex((p) => p.xid === item.xid);
    if (index < 0) {
      throw new Error(`reply with xid ${item.xid} matches no pending request`);
    }
    if (index > 0) {
      // The core answers in request order, so this means requests it dropped (say, after
      // the session started closing). Forget them rather than mis-shape later replies.
      this.#log.warn({ xid: item.xid, skipped: index }, 'replies arrived out of request order');
    }
    const { shape } = this.#pending[index] as Pending;
    this.#pending.splice(0, index + 1);
    // Pings and auth replies have fixed xids whatever the client sent (ZooKeeperServer
    // answers with the constants), and auth replies carry zxid 0.
    const xid =
      shape.opCode === OpCode.ping ? Xid.ping : shape.opCode === OpCode.auth ? Xid.auth : item.xid;
    const zxid = shape.opCode === OpCode.auth ? 0 : item.zxid;
    if (this.#log.isLevelEnabled('trace')) {
      this.#log.trace({ xid, op: opCodeName(shape.opCode), err: item.err }, 'reply');
    }
    return encodeReplyFrame({ xid, zxid, err: item.err, shape, result: item.result });
  }

  /**
   * Queue a frame; the queue goes out as ONE socket write at the end of this tick. The core
   * hands over many replies at once (all those released by one group commit, or the answers
   * to a chunk of pipelined reads), and one write per reply cost a syscall each: about 30% of
   * the server's CPU at 16 pipelining sessions (node --cpu-prof, scripts/bench-zookeeper.ts).
   * Order is kept: every frame goes through this queue, and close() flushes it first.
   */
  #write(frame: Buffer): void {
    this.#outbound.push(frame);
    this.#outboundBytes += frame.length;
    if (this.#socket.writableLength + this.#outboundBytes > this.#outboundBytesMax) {
      const queuedBytes = this.#socket.writableLength + this.#outboundBytes;
      this.#log.warn({ queuedBytes }, 'closing: client does not read its replies');
      this.#abort('outbound buffer limit exceeded');
      return;
    }
    if (this.#outbound.length === 1) process.nextTick(() => this.#flush());
  }

  #flush(): void {
    if (this.#outbound.length === 0) return;
    const frames = this.#outbound;
    this.#outbound = [];
    this.#outboundBytes = 0;
    if (this.#socket.destroyed) return;
    this.#socket.write(frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames));
  }

  #stopReading(): void {
    this.#inputClosed = true;
    this.#socket.pause();
    this.#socket.removeAllListeners('data');
  }

  /** Drop the connection at once, without flushing: for protocol violations. */
  #abort(reason: string): void {
    this.#outbound = [];
    this.#outboundBytes = 0;
    this.#stopReading();
    this.#socket.destroy();
    this.#detach(reason);
  }

  #detach(reason: string): void {
    this.#state = 'CLOSED';
    this.#handshakeTimer?.cancel();
    if (this.#detached) return;
    this.#detached = true;
    this.#core.detach(this, reason);
  }

  /** Run a socket-side step; any unexpected error closes this connection, never the process. */
  #guard(step: () => void): void {
    try {
      step();
    } catch (err) {
      this.#log.error({ err }, 'unexpected error on a ZooKeeper connection; closing it');
      this.#abort('internal error');
    }
  }
}

/** Serve one accepted socket with the ZooKeeper protocol; `initialBytes` were already read. */
export function serveZooKeeperConnection(
  socket: Socket,
  options: ZkConnectionOptions,
  initialBytes?: Buffer,
): ZkConnection {
  const conn = new ZkConnection(socket, options);
  // The sniffer may have paused the socket. Resume first: the bytes it read are processed
  // synchronously below, before any new 'data' event, and may pause the socket again.
  socket.resume();
  if (initialBytes && initialBytes.length > 0) conn.receive(initialBytes);
  return conn;
}
