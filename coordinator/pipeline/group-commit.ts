/**
 * The durability stage: group commit into the `Store` (store.ts), the role of ZooKeeper's
 * SyncRequestProcessor (which batches txns into its log and fsyncs once per batch).
 *
 * Whenever the tree or the sessions changed and no commit is running, the changed nodes and
 * sessions are written to the store in one fsynced batch, tagged with the last applied zxid.
 * Writes applied while a commit runs wait for the next one, so many writes share one fsync.
 * When a batch is on disk, `onDurable(zxid)` releases the reply queue (reply.ts) up to it.
 *
 * Unlike ZooKeeper's log, which holds txns *before* they are applied, our store holds the
 * current state of what changed (store.ts explains why). So a txn is applied to the tree
 * first and made durable after, and the tree runs ahead of the disk by at most one commit;
 * nobody sees the difference, because nothing applied leaves the server before it is durable.
 * If a commit fails the process cannot go on (memory and disk disagree about unacknowledged
 * writes): `onFatal` is called and no further commit runs.
 *
 * Commits are started with `setImmediate`, so every request already read from the sockets in
 * this turn of the event loop joins the batch. Only one commit runs at a time.
 */
import type { Logger } from '../../src/logger.js';
import type { ServerMetrics } from '../server-metrics.js';
import type { Store, StoredNode, StoredSession } from '../store.js';

/** What the group commit reads from the applied state. */
export interface CommitSource {
  /** The last zxid applied. */
  lastZxid(): number;
  /** Whether nodes changed since the last `takeChangedNodes`. */
  hasChangedNodes(): boolean;
  /** The changed nodes as of now (null: deleted), forgetting them. */
  takeChangedNodes(): Map<string, StoredNode | null>;
}

export interface GroupCommitOptions {
  store: Store;
  source: CommitSource;
  /** The zxid the store held when it was loaded. */
  durableZxid: number;
  metrics: ServerMetrics;
  logger: Logger;
  onDurable: (zxid: number) => void;
  onFatal: (error: unknown) => void;
}

export class GroupCommit {
  readonly #store: Store;
  readonly #source: CommitSource;
  readonly #metrics: ServerMetrics;
  readonly #log: Logger;
  readonly #onDurable: (zxid: number) => void;
  readonly #onFatal: (error: unknown) => void;
  #durableZxid: number;
  #changedSessions = new Map<bigint, StoredSession | null>();
  #committing = false;
  #scheduled = false;
  #stopped = false;
  /** Callers of `flush()` waiting for the commit in progress (or scheduled) to finish. */
  #idleWaiters: (() => void)[] = [];
  #commits = 0;
  #commitTotalMs = 0;

  constructor(options: GroupCommitOptions) {
    this.#store = options.store;
    this.#source = options.source;
    this.#durableZxid = options.durableZxid;
    this.#metrics = options.metrics;
    this.#log = options.logger;
    this.#onDurable = options.onDurable;
    this.#onFatal = options.onFatal;
  }

  get durableZxid(): number {
    return this.#durableZxid;
  }

  /** Batches written so far (srvr's commit count). */
  get commits(): number {
    return this.#commits;
  }

  get commitAvgMs(): number {
    return this.#commits === 0 ? 0 : this.#commitTotalMs / this.#commits;
  }

  /** A session to write (or, null, to delete) in the next batch. */
  sessionChanged(id: bigint, session: StoredSession | null): void {
    this.#changedSessions.set(id, session);
  }

  /** Something was applied: make sure a commit will run. */
  schedule(): void {
    if (this.#committing || this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => void this.#commit());
  }

  /** Waits for the commit running or scheduled, then commits what is left. */
  async flush(): Promise<void> {
    while (this.#committing || this.#scheduled)
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    await this.#commit();
  }

  /** No commit runs after this (the server is closing or has failed). */
  stop(): void {
    this.#stopped = true;
  }

  #pending(): boolean {
    return (
      this.#source.lastZxid() > this.#durableZxid ||
      this.#source.hasChangedNodes() ||
      this.#changedSessions.size > 0
    );
  }

  async #commit(): Promise<void> {
    this.#scheduled = false;
    if (this.#committing || this.#stopped || !this.#pending()) return this.#wakeIdleWaiters();
    this.#committing = true;
    const zxid = this.#source.lastZxid();
    const nodes = this.#source.takeChangedNodes();
    const sessions = this.#changedSessions;
    this.#changedSessions = new Map();
    const startedMs = performance.now();
    try {
      // Store.commit encodes every node synchronously before its first await, so the batch
      // is the tree exactly as of `zxid`, whatever is applied while the fsync runs.
      await this.#store.commit({ lastZxid: zxid, nodes, sessions });
    } catch (error) {
      this.#log.fatal({ err: error, zxid }, 'could not write to the data directory; stopping');
      this.#stopped = true;
      this.#committing = false;
      this.#wakeIdleWaiters();
      this.#onFatal(error);
      return;
    }
    this.#commits++;
    const commitMs = performance.now() - startedMs;
    this.#commitTotalMs += commitMs;
    this.#metrics.fsyncTime.add(Math.round(commitMs));
    this.#metrics.syncBatchSize.add(zxid - this.#durableZxid);
    this.#durableZxid = zxid;
    this.#committing = false;
    this.#onDurable(zxid);
    if (this.#pending()) this.schedule();
    this.#wakeIdleWaiters();
  }

  /** Resolves `flush()`'s wait once no commit runs and none is scheduled. */
  #wakeIdleWaiters(): void {
    if (this.#committing || this.#scheduled) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
