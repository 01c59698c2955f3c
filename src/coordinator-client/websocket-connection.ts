/**
 * A client connection speaking the coordinator's WebSocket JSON protocol: each frame is one
 * text message, encoded and decoded by `src/protocol/coordinator/ws-codec.ts`
 * (docs/coordinator-protocol.md). See `./connection.ts` for the contract.
 */
import WebSocket from 'ws';
import {
  decodeServerFrame,
  encodeClientFrame,
  FrameError,
  messageText,
  type ClientFrame,
  type ServerFrame,
} from '../protocol/coordinator/ws-codec.js';
import { serverUrl, type ServerAddress } from './connect-string.js';
import type { ClientConnection, ConnectionHandlers, ConnectionOptions } from './connection.js';

// Pings are frequent and always the same text: encode once.
const PING_TEXT = encodeClientFrame({ type: 'request', xid: -2, request: { op: 'ping' } });

export function openWebSocketConnection(
  server: ServerAddress,
  options: ConnectionOptions,
  handlers: ConnectionHandlers,
): ClientConnection {
  let live = true;
  const ws = new WebSocket(serverUrl(server, options.tls !== undefined), {
    ...options.tls,
    maxPayload: options.frameBytesMax,
    // Compression costs CPU per message and our messages are small.
    perMessageDeflate: false,
  });
  const end = (reason: string): void => {
    if (!live) return;
    live = false;
    terminate();
    handlers.onClose(reason);
  };
  const terminate = (): void => {
    ws.removeAllListeners('message');
    // Keep a no-op error listener: a late socket error must not become an uncaught exception.
    ws.on('error', () => {});
    ws.terminate();
  };
  ws.on('open', () => {
    if (live) handlers.onOpen();
  });
  ws.on('message', (data, isBinary) => {
    if (!live) return;
    if (isBinary) return end('server sent a binary message');
    let frame: ServerFrame;
    try {
      frame = decodeServerFrame(messageText(data));
    } catch (err) {
      const message = err instanceof FrameError ? err.message : String(err);
      return end(`undecodable message from server: ${message}`);
    }
    handlers.onFrame(frame);
  });
  // 'error' is always followed by 'close'; act on 'close'.
  ws.on('error', () => {});
  ws.on('close', (code, reason) => {
    end(`socket closed (${code}${reason.length ? ' ' + reason.toString() : ''})`);
  });
  return {
    send(frame: ClientFrame): void {
      if (!live || ws.readyState !== WebSocket.OPEN) return;
      const ping = frame.type === 'request' && frame.request.op === 'ping';
      ws.send(ping ? PING_TEXT : encodeClientFrame(frame));
    },
    close(): void {
      if (!live) return;
      live = false;
      terminate();
    },
  };
}
