/**
 * A client connection speaking ZooKeeper's binary protocol over TCP, so the coordinator client
 * works against Apache ZooKeeper (3.5 to 3.9) as well as against our coordinator, which
 * answers both protocols on its client port. The packet formats are in
 * `src/protocol/zookeeper/` (docs/zookeeper-protocol.md); see `./connection.ts` for the
 * contract with the client.
 *
 * What this layer adds to plain encoding is bookkeeping the binary protocol needs and the
 * JSON one does not:
 * - A reply carries no operation, only the xid, so each request's reply shape (its opcode) is
 *   kept until the reply arrives, as the Java client keeps its Packet.
 * - Auth packets travel with the reserved xid -4, and ZooKeeper answers them at once, ahead
 *   of replies to requests sent earlier that are still in its pipeline. The client expects
 *   replies in request order, so an early auth answer is held here until every reply before
 *   it has arrived, then handed on under the xid the client gave the request.
 * - Creates go out as create2 (ZooKeeper 3.5+), whose reply includes the new node's Stat, as
 *   the WebSocket protocol's does.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Request } from '../protocol/coordinator/messages.js';
import type { ClientFrame, ServerFrame } from '../protocol/coordinator/ws-codec.js';
import {
  createOpCode,
  defaultOpCode,
  encodeConnectRequestFrame,
  encodeRequestFrame,
} from '../protocol/zookeeper/codec.js';
import {
  decodeConnectResponse,
  readReplyBody,
  readReplyHeader,
  readWatchEvent,
} from '../protocol/zookeeper/client-codec.js';
import { FrameReader } from '../protocol/zookeeper/frame-reader.js';
import { JuteError, JuteReader } from '../protocol/zookeeper/jute.js';
import { OpCode, Xid } from '../protocol/zookeeper/op-codes.js';
import type { ServerAddress } from './connect-string.js';
import type { ClientConnection, ConnectionHandlers, ConnectionOptions } from './connection.js';
import { Fifo } from './fifo.js';

/** ZooKeeper's client protocol version; the JSON protocol has its own numbering. */
const ZOOKEEPER_PROTOCOL_VERSION = 0;

interface Outstanding {
  /** The xid the client gave the request (and expects in the reply). */
  xid: number;
  /** The xid on the wire: the same, except -4 for auth packets. */
  wireXid: number;
  opCode: number;
  /** The reply, once it has arrived but must wait for earlier ones. */
  answer?: ServerFrame;
}

function opCodeFor(request: Request): number {
  return request.op === 'create' ? createOpCode(request.mode, true) : defaultOpCode(request);
}

export function openZooKeeperConnection(
  server: ServerAddress,
  options: ConnectionOptions,
  handlers: ConnectionHandlers,
): ClientConnection {
  let live = true;
  let connected = false;
  const reader = new FrameReader({ packetBytesMax: options.frameBytesMax });
  /** Every request awaiting its reply, in the order sent: replies are handed on in it. */
  const inOrder = new Fifo<Outstanding>();
  /** The same entries, split by the queue their replies come back on. */
  const normal = new Fifo<Outstanding>();
  const auth = new Fifo<Outstanding>();

  // With TLS the protocol starts once the handshake is done ('secureConnect').
  const socket = options.tls
    ? tls.connect({
        ...options.tls,
        host: server.host,
        port: server.port,
        servername: options.tls.servername ?? (net.isIP(server.host) ? undefined : server.host),
      })
    : net.connect({ host: server.host, port: server.port });
  socket.setNoDelay(true);

  const end = (reason: string): void => {
    if (!live) return;
    live = false;
    socket.destroy();
    handlers.onClose(reason);
  };

  const release = (): void => {
    while (live && inOrder.peek()?.answer !== undefined) {
      handlers.onFrame(inOrder.shift()!.answer!);
    }
  };

  const onPacket = (packet: Buffer): void => {
    if (!connected) {
      connected = true;
      handlers.onFrame({ type: 'connected', connected: decodeConnectResponse(packet) });
      return;
    }
    const body = new JuteReader(packet);
    const header = readReplyHeader(body);
    if (header.xid === Xid.notification) {
      const event = readWatchEvent(body, header.zxid);
      if (event !== undefined) handlers.onFrame({ type: 'event', event });
      return;
    }
    if (header.xid === Xid.ping) {
      handlers.onFrame({ type: 'reply', ...header, result: {} });
      return;
    }
    const entry = header.xid === Xid.auth ? auth.shift() : normal.shift();
    if (entry === undefined || entry.wireXid !== header.xid) {
      return end(`reply xid ${header.xid}, expected ${entry?.wireXid ?? 'none'}`);
    }
    const result = readReplyBody(body, header, { opCode: entry.opCode });
    entry.answer = { type: 'reply', xid: entry.xid, zxid: header.zxid, err: header.err, result };
    release();
  };

  socket.on(options.tls ? 'secureConnect' : 'connect', () => {
    if (live) handlers.onOpen();
  });
  socket.on('data', (chunk: Buffer) => {
    if (!live) return;
    for (const out of reader.push(chunk)) {
      if (out.kind === 'error') return end(`bad frame from server: ${out.message}`);
      if (out.kind !== 'frame') continue;
      try {
        onPacket(out.packet);
      } catch (err) {
        const message = err instanceof JuteError ? err.message : String(err);
        return end(`undecodable packet from server: ${message}`);
      }
      if (!live) return;
    }
  });
  // 'error' is always followed by 'close'; act on 'close' (with the error's message).
  let failure = '';
  socket.on('error', (err: Error) => (failure = `: ${err.message}`));
  socket.on('close', () =>
    end(connected ? `socket closed${failure}` : `connection refused or closed${failure}`),
  );

  return {
    send(frame: ClientFrame): void {
      if (!live) return;
      if (frame.type === 'connect') {
        const request = { ...frame.connect, protocolVersion: ZOOKEEPER_PROTOCOL_VERSION };
        socket.write(encodeConnectRequestFrame(request, true));
        return;
      }
      if (frame.type !== 'request') return end(`cannot send a ${frame.type} frame`);
      const { xid, request } = frame;
      if (request.op === 'ping') {
        socket.write(encodeRequestFrame(Xid.ping, request, OpCode.ping));
        return;
      }
      const opCode = opCodeFor(request);
      const entry: Outstanding = { xid, wireXid: request.op === 'auth' ? Xid.auth : xid, opCode };
      inOrder.push(entry);
      (request.op === 'auth' ? auth : normal).push(entry);
      socket.write(encodeRequestFrame(entry.wireXid, request, opCode));
    },
    close(): void {
      if (!live) return;
      live = false;
      socket.destroy();
    },
  };
}
