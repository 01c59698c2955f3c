/**
 * A bare WebSocket client for protocol-level tests: send any JSON (or garbage), then await
 * the server's messages one by one, in order. Our real client (src/coordinator-client) hides
 * exactly the details these tests need to see.
 */
import WebSocket from 'ws';
import { messageText } from '../../src/protocol/coordinator/ws-codec.js';

export class RawWs {
  readonly ws: WebSocket;
  readonly #messages: Record<string, unknown>[] = [];
  readonly #waiters: ((m: Record<string, unknown>) => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #xid = 0;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const message = JSON.parse(messageText(data)) as Record<string, unknown>;
      const waiter = this.#waiters.shift();
      if (waiter) waiter(message);
      else this.#messages.push(message);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static open(port: number): Promise<RawWs> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RawWs(ws)));
      ws.once('error', reject);
    });
  }

  /** Open and run the handshake; returns the `connected` answer. */
  static async session(
    port: number,
    fields: Record<string, unknown> = {},
  ): Promise<{ raw: RawWs; connected: Record<string, unknown> }> {
    const raw = await RawWs.open(port);
    raw.send({ type: 'connect', timeoutMs: 10_000, ...fields });
    return { raw, connected: await raw.next() };
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Send a request with the next xid; returns the xid. */
  request(fields: Record<string, unknown>): number {
    const xid = ++this.#xid;
    this.send({ type: 'request', xid, ...fields });
    return xid;
  }

  next(timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const queued = this.#messages.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message from the server')), timeoutMs);
      this.#waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }

  /** Send a request and wait for its reply (skipping nothing: the next message must be it). */
  async call(fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.request(fields);
    return this.next();
  }

  terminate(): void {
    this.ws.terminate();
  }
}

export const b64 = (text: string): string => Buffer.from(text).toString('base64');
