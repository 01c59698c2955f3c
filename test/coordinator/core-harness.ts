/**
 * The coordinator core (coordinator/coordinator-server.ts) with no sockets, no disk and no
 * real time, for unit tests: a `MemoryStore`, a `ManualScheduler`, and `FakeConnection`s that
 * implement the transport boundary (`ServerConnection`) by recording what the core sends.
 * A test moves time with `scheduler.advance(ms)` and awaits what it expects to be sent; the
 * core still releases replies only after a (memory) commit, as in production.
 */
import type { Test } from 'tap';
import type { Outbound, ServerConnection } from '../../coordinator/connection.js';
import {
  CoordinatorServer,
  type CoordinatorServerOptions,
} from '../../coordinator/coordinator-server.js';
import { MemoryStore } from '../../coordinator/memory-store.js';
import { silentLogger } from '../../src/logger.js';
import {
  OPEN_ACL_UNSAFE,
  type ConnectResponse,
  type CreateModeName,
  type Request,
  type Result,
  type WatchEvent,
} from '../../src/protocol/coordinator/messages.js';
import { ManualScheduler } from '../../src/scheduler.js';

let nextConnId = 1;

type Reply = Extract<Outbound, { kind: 'reply' }>;

/** One client connection as the core sees it; everything sent to it is kept in order. */
export class FakeConnection implements ServerConnection {
  readonly id = nextConnId++;
  readonly protocol = 'ws' as const;
  readonly remoteAddress = '127.0.0.1:1';
  /** Everything the core sent that the test has not taken yet, in order. */
  readonly received: Outbound[] = [];
  closeReason: string | undefined;
  #xid = 0;
  #waiters: (() => void)[] = [];

  constructor(readonly core: CoordinatorServer) {
    core.attach(this);
  }

  /** Records the item; a fake connection has no wire, so it reports 0 bytes written. */
  send(item: Outbound): number {
    this.received.push(item);
    this.#notify();
    return 0;
  }

  close(reason: string): void {
    this.closeReason = reason;
    this.#notify();
  }

  /** Takes the oldest item the core sent (waits for one). */
  next(): Promise<Outbound> {
    return this.#take(() => 0);
  }

  /** Takes the oldest watch event; replies stay where they are. */
  async nextEvent(): Promise<WatchEvent> {
    const item = await this.#take(() => this.received.findIndex((i) => i.kind === 'event'));
    return (item as Extract<Outbound, { kind: 'event' }>).event;
  }

  /** Resolves with the reason once the core closes the connection. */
  async closed(): Promise<string> {
    while (this.closeReason === undefined) await this.#changed();
    return this.closeReason;
  }

  /** The session handshake; resolves with the core's answer. */
  async handshake(
    timeoutMs: number,
    resume?: { sessionId: bigint; password: Buffer },
  ): Promise<ConnectResponse> {
    this.core.connect(this, {
      protocolVersion: 0,
      lastZxidSeen: 0,
      timeoutMs,
      sessionId: resume?.sessionId ?? 0n,
      password: resume?.password ?? Buffer.alloc(16),
      readOnly: false,
    });
    const answer = await this.next();
    if (answer.kind !== 'connected') throw new Error(`expected connected, got ${answer.kind}`);
    return answer.response;
  }

  /** Sends one request and resolves with its reply; events stay for `nextEvent`. */
  async call(request: Request): Promise<{ err: number; result: Result }> {
    const xid = ++this.#xid;
    this.core.submit(this, xid, request);
    const reply = (await this.#take(() =>
      this.received.findIndex((i) => i.kind === 'reply' && i.xid === xid),
    )) as Reply;
    return { err: reply.err, result: reply.result };
  }

  /** A ping, as a client's keep-alive sends it. */
  ping(): void {
    this.core.submit(this, -2, { op: 'ping' });
  }

  /** Removes and returns the item at `indexOf()` once there is one (-1: not yet). */
  async #take(indexOf: () => number): Promise<Outbound> {
    for (;;) {
      const at = this.received.length === 0 ? -1 : indexOf();
      if (at >= 0) return this.received.splice(at, 1)[0]!;
      if (this.closeReason !== undefined) throw new Error(`closed: ${this.closeReason}`);
      await this.#changed();
    }
  }

  #changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Requests with the defaults a client library would fill in. */
export const requests = {
  create(path: string, mode: CreateModeName = 'persistent', ttlMs?: number): Request {
    return { op: 'create', path, data: null, acl: [...OPEN_ACL_UNSAFE], mode, ttlMs };
  },
  exists(path: string, watch = false): Request {
    return { op: 'exists', path, watch };
  },
  delete(path: string): Request {
    return { op: 'delete', path, version: -1 };
  },
};

export interface CoreHarness {
  core: CoordinatorServer;
  scheduler: ManualScheduler;
  store: MemoryStore;
  /** A function property, not a method, so that tests can destructure it. */
  connect: (timeoutMs?: number) => Promise<{ conn: FakeConnection; session: ConnectResponse }>;
}

/** Opens a core on a MemoryStore and a ManualScheduler; closed in the test's teardown. */
export async function startCore(
  t: Test,
  options: Partial<Omit<CoordinatorServerOptions, 'scheduler' | 'store' | 'logger'>> = {},
): Promise<CoreHarness> {
  const scheduler = new ManualScheduler();
  const store = new MemoryStore();
  const core = await CoordinatorServer.open({
    dataDir: '(memory)',
    tickMs: 100,
    ...options,
    logger: silentLogger(),
    scheduler,
    store,
  });
  t.teardown(() => core.close());
  return {
    core,
    scheduler,
    store,
    connect: async (timeoutMs = 2000) => {
      const conn = new FakeConnection(core);
      return { conn, session: await conn.handshake(timeoutMs) };
    },
  };
}
