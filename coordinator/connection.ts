/**
 * The boundary between the coordinator's semantics core (`coordinator-server.ts`) and its
 * transports (the WebSocket JSON protocol in `ws-server.ts`, ZooKeeper's binary protocol in
 * `zk-server.ts`). A transport decodes frames into `ConnectRequest`s and `Request`s, hands
 * them to the core, and implements `ServerConnection` so the core can send back handshake
 * answers, replies and watch events. The core never sees bytes; a transport never sees the
 * data tree.
 *
 * Ordering promise of the core: for one connection, `send()` is called in exactly the order
 * the client must receive the items: the `connected` answer first, then replies in request
 * order, with each watch event placed before any reply that reflects the change that fired
 * it. A transport must write items in the order it is given them.
 */
import type {
  ConnectRequest,
  ConnectResponse,
  Request,
  Result,
  WatchEvent,
} from '../src/protocol/coordinator/messages.js';

export type Outbound =
  | { kind: 'connected'; response: ConnectResponse }
  | {
      kind: 'reply';
      xid: number;
      zxid: number;
      err: number;
      /** The request this answers, so a transport can choose the reply's wire shape. */
      request: Request;
      result: Result;
    }
  | { kind: 'event'; event: WatchEvent };

export interface ServerConnection {
  /** Unique per process, for logs and `cons`. */
  readonly id: number;
  /** `ws` or `zk`: which protocol this client speaks. */
  readonly protocol: 'ws' | 'zk';
  /** `127.0.0.1:52344` */
  readonly remoteAddress: string;
  /**
   * Queue one item for the client, in order. Returns the size of the frame it becomes, in
   * bytes (0 if nothing was written), for mntr's response-size statistics.
   */
  send(item: Outbound): number;
  /**
   * Close the connection (after writing what was already sent). The core calls this when a
   * session is closed, expired or moved to another connection; `reason` is logged.
   */
  close(reason: string): void;
}

/** Per-connection counters for the `cons` / `stat` four-letter words. */
export interface ConnectionStats {
  connectedAtMs: number;
  packetsReceived: number;
  packetsSent: number;
  lastOp: string;
  lastCxid: number;
  lastZxid: number;
  lastResponseAtMs: number;
  lastLatencyMs: number;
  minLatencyMs: number;
  maxLatencyMs: number;
  totalLatencyMs: number;
  /** replies counted in totalLatencyMs */
  replies: number;
}

export type { ConnectRequest, Request };
