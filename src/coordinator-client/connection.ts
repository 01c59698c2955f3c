/**
 * One connection from the coordinator client to one server, whatever protocol it speaks.
 * The client (`./client.ts`) owns the session — xids, the in-order reply queue, watches,
 * keep-alive, reconnects — and hands each connection whole frames of the transport-neutral
 * messages (`src/protocol/coordinator/ws-codec.ts` defines `ClientFrame` and `ServerFrame`).
 * A connection only turns them into bytes and back:
 *
 *   websocket  the coordinator's JSON protocol, one frame per WebSocket text message
 *              (`./websocket-connection.ts`; what browsers and tools use)
 *   zookeeper  ZooKeeper's binary protocol over TCP (`./zookeeper-connection.ts`; what Apache
 *              ZooKeeper speaks, and our coordinator on the same port)
 *
 * Contract: `onOpen` once the transport is up (the client then sends the `connect` frame);
 * `onFrame` for each decoded server frame, in arrival order; `onClose` exactly once, with a
 * reason, when the connection ends for any cause (closed by either side, an undecodable frame,
 * a socket error). After `close()` no handler is called again.
 */
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { ClientFrame, ServerFrame } from '../protocol/coordinator/ws-codec.js';
import type { ServerAddress } from './connect-string.js';

export type ConnectionProtocol = 'websocket' | 'zookeeper';

export interface ConnectionHandlers {
  onOpen(): void;
  onFrame(frame: ServerFrame): void;
  onClose(reason: string): void;
}

export interface ConnectionOptions {
  /** The largest frame accepted from the server, in bytes. */
  frameBytesMax: number;
  /**
   * Connect with TLS (the coordinator's secure client port, ZooKeeper's secureClientPort):
   * node's TLS options (`ca`, and `cert`/`key` for client authentication). The server's
   * certificate must be valid for the host named in the connect string.
   */
  tls?: TlsConnectionOptions;
}

export type { TlsConnectionOptions };

export interface ClientConnection {
  /** Sends a `connect` or `request` frame; a no-op once the connection has ended. */
  send(frame: ClientFrame): void;
  /** Ends the connection at once (no handler is called afterwards). */
  close(): void;
}

export type ConnectionFactory = (
  server: ServerAddress,
  options: ConnectionOptions,
  handlers: ConnectionHandlers,
) => ClientConnection;
