/**
 * A scriptable fake coordinator for unit tests of the client: a real WebSocket server on
 * 127.0.0.1 that decodes client frames with the real codec, records them, and lets each test
 * decide how to answer. By default it grants sessions and answers every request with err 0
 * and an empty result, so a test only scripts what it is about.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import type {
  ConnectRequest,
  Request,
  Result,
  WatchEvent,
} from '../../../src/protocol/coordinator/messages.js';
import {
  decodeClientFrame,
  encodeServerFrame,
  messageText,
} from '../../../src/protocol/coordinator/ws-codec.js';
import { errorName } from '../../../src/protocol/coordinator/errors.js';

export interface ReceivedRequest {
  xid: number;
  request: Request;
}

export class FakeConnection {
  readonly connects: ConnectRequest[] = [];
  readonly requests: ReceivedRequest[] = [];
  /** Pings received (answered by the server, not recorded in `requests`). */
  pings = 0;
  constructor(readonly ws: WebSocket) {}

  /** The handshake's answer; `readOnly`: as a server in read-only mode answers. */
  connected(
    sessionId: bigint,
    timeoutMs: number,
    password = Buffer.alloc(16, 7),
    readOnly = false,
  ): void {
    this.ws.send(
      encodeServerFrame({
        type: 'connected',
        connected: { protocolVersion: 1, timeoutMs, sessionId, password, readOnly },
      }),
    );
  }
  reply(xid: number, zxid: number, err = 0, result: Result = {}): void {
    this.ws.send(encodeServerFrame({ type: 'reply', xid, zxid, err, result }, errorName));
  }
  event(event: WatchEvent): void {
    this.ws.send(encodeServerFrame({ type: 'event', event }));
  }
  /** Drop the TCP connection without a WebSocket close handshake. */
  kill(): void {
    this.ws.terminate();
  }
}

export type ConnectHandler = (conn: FakeConnection, connect: ConnectRequest) => void;
export type RequestHandler = (conn: FakeConnection, xid: number, request: Request) => void;

export class FakeServer {
  readonly connections: FakeConnection[] = [];
  /** Default: a new session 0x100000000000001 (or the one asked for), timeout as requested. */
  onConnect: ConnectHandler = (conn, c) =>
    conn.connected(c.sessionId || 0x100000000000001n, c.timeoutMs);
  /** Default: err 0, an empty result, zxid 1; pings answered with xid -2. */
  onRequest: RequestHandler = (conn, xid) => conn.reply(xid, 1);
  #wss: WebSocketServer;
  #waiters: (() => void)[] = [];

  private constructor(wss: WebSocketServer) {
    this.#wss = wss;
    wss.on('connection', (ws) => {
      const conn = new FakeConnection(ws);
      this.connections.push(conn);
      ws.on('message', (data) => {
        const frame = decodeClientFrame(messageText(data));
        if (frame.type === 'connect') {
          conn.connects.push(frame.connect);
          this.onConnect(conn, frame.connect);
        } else if (frame.type === 'request') {
          if (frame.request.op === 'ping') {
            conn.pings++;
            conn.reply(-2, 1);
          } else {
            conn.requests.push({ xid: frame.xid, request: frame.request });
            this.onRequest(conn, frame.xid, frame.request);
          }
        }
        this.#wake();
      });
      this.#wake();
    });
  }

  static async start(): Promise<FakeServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    return new FakeServer(wss);
  }

  get port(): number {
    return (this.#wss.address() as AddressInfo).port;
  }
  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }
  get last(): FakeConnection {
    return this.connections[this.connections.length - 1];
  }

  /** Resolve once `predicate` holds (checked after every message and connection). */
  async waitFor(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('fake server: condition not reached in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}

export const STAT = {
  czxid: 5,
  mzxid: 6,
  ctime: 1000,
  mtime: 2000,
  version: 1,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  dataLength: 2,
  numChildren: 0,
  pzxid: 5,
};
