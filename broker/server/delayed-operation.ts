/**
 * Delayed operations and the "purgatory" that holds them: how a broker answers a request
 * later, when something it waits for has happened. Modelled on Kafka's `DelayedOperation` and
 * `DelayedOperationPurgatory` (kafka.server, 2.8).
 *
 * Two requests use it:
 *   - Fetch with min_bytes > 0 and max_wait_ms > 0 (DelayedFetch): a consumer that is caught
 *     up parks its Fetch here instead of spinning; an append to one of its partitions wakes it.
 *   - Produce with acks=-1 (DelayedProduce): the response waits until the high watermark has
 *     passed the appended records, i.e. every in-sync replica has them.
 *
 * Life of an operation:
 *
 *   tryCompleteElseWatch(op, keys)
 *        |-- op.tryComplete() true  -> completed at once (no timer, no watch)
 *        '-- false -> watched under each key ("topic partition") + a timer of op.delayMs
 *   checkAndComplete(key)            (called after appends and high-watermark moves)
 *        '-- for each op watching key: op.tryComplete()
 *   timer fires -> op.forceComplete(); op.onExpiration()
 *
 * The timers run on the purgatory's `Scheduler` (src/scheduler.ts), so tests move time with a
 * ManualScheduler instead of waiting for a long poll to run out.
 *
 * `forceComplete` is the only way an operation completes, and it returns true exactly once,
 * so `onComplete` (which sends the response) runs exactly once whichever path gets there
 * first. Node runs one callback at a time, so Kafka's locks are not needed: the check and the
 * completion of an operation cannot interleave with another request.
 *
 * Limits: an operation is watched by at most as many keys as its request has partitions, and
 * it is removed from every key when it completes, so the purgatory holds only live operations.
 */
import type { Scheduler, Timer } from '../../src/scheduler.js';

export abstract class DelayedOperation {
  readonly delayMs: number;
  #completed = false;
  #timer: Timer | undefined;
  /** Set by the purgatory: removes the operation from its watch lists. */
  #release: (() => void) | undefined;

  constructor(delayMs: number) {
    this.delayMs = delayMs;
  }

  get isCompleted(): boolean {
    return this.#completed;
  }

  /**
   * Checks whether the operation can complete now; if so, calls `forceComplete()` and returns
   * true. Must be cheap: it runs on every append to a watched partition.
   */
  abstract tryComplete(): boolean;

  /** Builds and delivers the response. Runs exactly once. */
  protected abstract onComplete(): void;

  /** Runs after `onComplete` when the operation completed because its time ran out. */
  protected onExpiration(): void {}

  /** Completes the operation unless it already was; true if this call completed it. */
  forceComplete(): boolean {
    if (this.#completed) return false;
    this.#completed = true;
    this.#timer?.cancel();
    this.#release?.();
    this.onComplete();
    return true;
  }

  /** @internal Called by the purgatory when it starts watching the operation. */
  startWatching(release: () => void, timer: Timer): void {
    this.#release = release;
    this.#timer = timer;
  }

  /** @internal Called by the purgatory's timer. */
  expire(): void {
    if (this.forceComplete()) this.onExpiration();
  }
}

export class DelayedOperationPurgatory<T extends DelayedOperation> {
  readonly name: string;
  readonly #scheduler: Scheduler;
  readonly #watchers = new Map<string, Set<T>>();
  #watched = 0;

  constructor(name: string, scheduler: Scheduler) {
    this.name = name;
    this.#scheduler = scheduler;
  }

  /** Operations waiting right now (for metrics and tests). */
  get watched(): number {
    return this.#watched;
  }

  /**
   * Completes `operation` now if it can; otherwise watches it under `keys` until a
   * `checkAndComplete` of one of them completes it or its delay runs out. Returns whether it
   * completed immediately.
   */
  tryCompleteElseWatch(operation: T, keys: readonly string[]): boolean {
    if (operation.tryComplete()) return true;
    for (const key of keys) {
      let set = this.#watchers.get(key);
      if (set === undefined) {
        set = new Set();
        this.#watchers.set(key, set);
      }
      set.add(operation);
    }
    this.#watched++;
    operation.startWatching(
      () => {
        this.#watched--;
        for (const key of keys) {
          const set = this.#watchers.get(key);
          set?.delete(operation);
          if (set?.size === 0) this.#watchers.delete(key);
        }
      },
      this.#scheduler.schedule(operation.delayMs, () => operation.expire()),
    );
    return false;
  }

  /** Gives every operation watching `key` a chance to complete; returns how many did. */
  checkAndComplete(key: string): number {
    const set = this.#watchers.get(key);
    if (set === undefined) return 0;
    let completed = 0;
    // Copy: completing an operation removes it from `set` while we iterate.
    for (const operation of [...set]) {
      if (!operation.isCompleted && operation.tryComplete()) completed++;
    }
    return completed;
  }

  /** Completes everything still waiting (broker shutdown): each answers with what it has. */
  shutdown(): void {
    const all = new Set<T>();
    for (const set of this.#watchers.values()) for (const op of set) all.add(op);
    for (const op of all) op.forceComplete();
  }
}
