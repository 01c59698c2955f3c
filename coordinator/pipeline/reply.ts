/**
 * The reply stage: the send half of ZooKeeper's FinalRequestProcessor, plus the per-connection
 * ordering rule of its CommitProcessor. Two pieces:
 *
 * `ReplyQueue` — every outgoing item (handshake answer, reply, watch event, close) of every
 * connection enters ONE queue, tagged with the last zxid applied when it was made. The group
 * commit (group-commit.ts) releases the queue up to the zxid it has made durable, in order.
 * So nobody hears of a change before it is on disk, replies leave in the order they were
 * made, and a watch event leaves before every reply made after the change that fired it.
 * Delivering a reply also counts its latency (cons, srvr, mntr's read/update latency).
 *
 * `RequestOrder` — one per connection: which of its requests may run now. A connection's
 * writes may all be in flight at once (the proposer commits them in the order submitted, so
 * their replies keep the request order), but a read waits until every earlier write of the
 * connection is applied, and everything waits behind a barrier: a handshake or a `sync`
 * whose answer is not in yet. Waiting requests keep their arrival order. In standalone mode
 * writes, handshakes and syncs complete synchronously (a quorum of one, propose.ts), so
 * nothing ever waits here; in an ensemble they wait for Zab.
 *
 * Both are plain objects driven by the core (coordinator-server.ts); the queue's only outside
 * effects are `conn.send` and the `close` callback it is given.
 */
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/logger.js';
import { ErrorCode, errorName } from '../../src/protocol/coordinator/errors.js';
import type { Request } from '../../src/protocol/coordinator/messages.js';
import type { ConnectionStats, Outbound, ServerConnection } from '../connection.js';
import type { ServerMetrics } from '../server-metrics.js';

/**
 * Requests that are transactions (they take a zxid): their latency is mntr's updatelatency,
 * every other request's is readlatency, as ZooKeeper splits them.
 */
export const WRITE_OPS: ReadonlySet<Request['op']> = new Set([
  'create',
  'delete',
  'setData',
  'setACL',
  'multi',
  'close',
]);

/** What the queue needs of a connection. */
export interface ReplyTarget {
  conn: ServerConnection;
  stats: ConnectionStats;
  /** Set once the connection is gone: nothing more is sent to it. */
  closed: boolean;
}

export interface QueueEntry<S extends ReplyTarget> {
  state: S;
  /** Released when the disk has every write up to this zxid. */
  zxid: number;
  item?: Outbound;
  /** Instead of an item: close the connection, with this reason. */
  closeReason?: string;
  /** For replies: when the request arrived, for latency statistics. */
  receivedAtMs?: number;
}

export interface ReplyQueueOptions<S extends ReplyTarget> {
  clock: Clock;
  metrics: ServerMetrics;
  logger: Logger;
  /** Carries out a queued close (detach the connection, then close it). */
  close: (state: S, reason: string) => void;
  /** The zxid already durable when the queue starts (after recovery). */
  durableZxid: number;
}

export class ReplyQueue<S extends ReplyTarget> {
  readonly #clock: Clock;
  readonly #metrics: ServerMetrics;
  readonly #log: Logger;
  readonly #close: (state: S, reason: string) => void;
  #durableZxid: number;
  #queue: QueueEntry<S>[] = [];
  #head = 0;
  // Server-wide statistics for srvr/mntr.
  #packetsSent = 0;
  #latencyMinMs = Infinity;
  #latencyMaxMs = 0;
  #latencyTotalMs = 0;
  #latencyCount = 0;

  constructor(options: ReplyQueueOptions<S>) {
    this.#clock = options.clock;
    this.#metrics = options.metrics;
    this.#log = options.logger;
    this.#close = options.close;
    this.#durableZxid = options.durableZxid;
  }

  /** The highest zxid the disk holds: items tagged up to it have left. */
  get durableZxid(): number {
    return this.#durableZxid;
  }

  /** Items waiting for their commit (srvr's Outstanding). */
  get outstanding(): number {
    return this.#queue.length - this.#head;
  }

  get packetsSent(): number {
    return this.#packetsSent;
  }

  get latencyMinMs(): number {
    return this.#latencyCount === 0 ? 0 : this.#latencyMinMs;
  }

  get latencyAvgMs(): number {
    return this.#latencyCount === 0 ? 0 : this.#latencyTotalMs / this.#latencyCount;
  }

  get latencyMaxMs(): number {
    return this.#latencyMaxMs;
  }

  /** srst: the server-wide counters start again. */
  resetStats(): void {
    this.#packetsSent = 0;
    this.#latencyMinMs = Infinity;
    this.#latencyMaxMs = 0;
    this.#latencyTotalMs = 0;
    this.#latencyCount = 0;
  }

  /**
   * Queue one item. With nothing queued before it and its zxid already durable it leaves at
   * once (a read of durable state does not wait for a commit that has nothing to do with it).
   */
  enqueue(entry: QueueEntry<S>): void {
    if (this.#head === this.#queue.length && entry.zxid <= this.#durableZxid) {
      this.#deliver(entry);
      return;
    }
    this.#queue.push(entry);
  }

  /** The group commit made everything up to `zxid` durable: release the queue that far. */
  release(zxid: number): void {
    if (zxid > this.#durableZxid) this.#durableZxid = zxid;
    const queue = this.#queue;
    let head = this.#head;
    while (head < queue.length && queue[head]!.zxid <= this.#durableZxid) {
      this.#deliver(queue[head]!);
      head++;
    }
    if (head === queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else {
      this.#head = head;
    }
  }

  #deliver(entry: QueueEntry<S>): void {
    const { state } = entry;
    if (state.closed) return;
    if (entry.closeReason !== undefined) {
      this.#close(state, entry.closeReason);
      return;
    }
    const item = entry.item!;
    if (item.kind === 'reply') {
      state.stats.lastZxid = item.zxid;
      if (entry.receivedAtMs !== undefined) this.#countLatency(state.stats, item, entry);
      if (item.err !== ErrorCode.OK) {
        this.#log.debug(
          { conn: state.conn.id, xid: item.xid, op: item.request.op, err: errorName(item.err) },
          'request failed',
        );
      }
    }
    state.stats.packetsSent++;
    this.#packetsSent++;
    this.#metrics.recordResponse(state.conn.send(item));
  }

  #countLatency(
    stats: ConnectionStats,
    item: Extract<Outbound, { kind: 'reply' }>,
    entry: QueueEntry<S>,
  ): void {
    const now = this.#clock.nowMs();
    const latency = now - entry.receivedAtMs!;
    stats.lastResponseAtMs = now;
    stats.lastLatencyMs = latency;
    stats.minLatencyMs = Math.min(stats.minLatencyMs, latency);
    stats.maxLatencyMs = Math.max(stats.maxLatencyMs, latency);
    stats.totalLatencyMs += latency;
    stats.replies++;
    this.#latencyMinMs = Math.min(this.#latencyMinMs, latency);
    this.#latencyMaxMs = Math.max(this.#latencyMaxMs, latency);
    this.#latencyTotalMs += latency;
    this.#latencyCount++;
    const summary = WRITE_OPS.has(item.request.op)
      ? this.#metrics.updateLatency
      : this.#metrics.readLatency;
    summary.add(latency);
  }
}

/** A request that arrived and has not run yet. */
export interface WaitingRequest {
  xid: number;
  request: Request;
  receivedAtMs: number;
}

/** One connection's ordering state (see the module comment). */
export class RequestOrder {
  /** Writes submitted to the proposer and not yet applied. */
  inFlight = 0;
  /** A handshake or a `sync` is in flight: every later request waits. */
  barrier = false;
  /** Requests waiting, in arrival order. */
  readonly waiting: WaitingRequest[] = [];

  /** May a newly arrived request run now, or must it wait behind earlier ones? */
  mayRunNow(request: Request): boolean {
    if (this.barrier || this.waiting.length > 0) return false;
    return WRITE_OPS.has(request.op) || this.inFlight === 0;
  }

  /** May the oldest waiting request run now? (A write only waits for a barrier.) */
  mayRunNext(): boolean {
    const next = this.waiting[0];
    if (next === undefined || this.barrier) return false;
    return WRITE_OPS.has(next.request.op) || this.inFlight === 0;
  }
}
