/**
 * Timers as an injectable dependency, beside the clock (`clock.ts`): everything in Samsa that
 * waits for time to pass (session expiry, purgatory timeouts, client pings and read timeouts,
 * retention checks, replica.lag.time.max.ms, group session and rebalance timeouts) takes a
 * `Scheduler` instead of calling the global `setTimeout`/`setInterval`. Production code gets
 * `systemScheduler`; tests get a `ManualScheduler` and move time with `advance(ms)`, so they
 * never sleep and never assert on wall-clock windows. Models: Kafka's `Time`/`MockTime` and
 * `MockScheduler`, the ticks of etcd's raft, TigerBeetle's simulated time.
 *
 * Semantics shared by both implementations:
 *   - `schedule(delayMs, fn)` runs `fn` once, no earlier than `delayMs` from now.
 *   - `repeat(intervalMs, fn)` runs `fn` every `intervalMs` until cancelled (fixed rate from
 *     the moment it was set up; a late run does not shift the next one in the manual scheduler,
 *     as with `setInterval`).
 *   - `cancel(timer)` stops a pending timer; cancelling twice, or a timer that already ran,
 *     does nothing. A callback may cancel or schedule other timers, itself included.
 */
import type { Clock } from './clock.js';

/** An opaque handle for a pending timer. */
export interface Timer {
  /** Same as `scheduler.cancel(timer)`. */
  cancel(): void;
  /**
   * Lets the process exit while this timer is still pending (Node's `unref`), for timers
   * that guard something else that keeps the process alive (a socket's handshake or linger
   * timeout). Does nothing on the manual scheduler. Returns the timer.
   */
  unref(): Timer;
}

export interface Scheduler extends Clock {
  /** Runs `fn` once after `delayMs` (0 or more) milliseconds. */
  schedule(delayMs: number, fn: () => void): Timer;
  /** Runs `fn` every `intervalMs` (more than 0) milliseconds until cancelled. */
  repeat(intervalMs: number, fn: () => void): Timer;
  cancel(timer: Timer): void;
}

/**
 * The real scheduler: Node's timers. Timers are `unref`ed only when asked, so by default a
 * pending timer keeps the process alive, as Node's own do.
 */
export class SystemScheduler implements Scheduler {
  readonly #unref: boolean;

  constructor(options: { unref?: boolean } = {}) {
    this.#unref = options.unref ?? false;
  }

  nowMs(): number {
    return Date.now();
  }

  schedule(delayMs: number, fn: () => void): Timer {
    checkDelay(delayMs, 'delayMs', 0);
    const handle = setTimeout(fn, delayMs);
    if (this.#unref) handle.unref();
    const timer: Timer = {
      cancel: () => clearTimeout(handle),
      unref: () => (handle.unref(), timer),
    };
    return timer;
  }

  repeat(intervalMs: number, fn: () => void): Timer {
    checkDelay(intervalMs, 'intervalMs', 1);
    const handle = setInterval(fn, intervalMs);
    if (this.#unref) handle.unref();
    const timer: Timer = {
      cancel: () => clearInterval(handle),
      unref: () => (handle.unref(), timer),
    };
    return timer;
  }

  cancel(timer: Timer): void {
    timer.cancel();
  }
}

/** The scheduler production code uses unless it is given another. */
export const systemScheduler: Scheduler = new SystemScheduler();

interface ManualTimer extends Timer {
  readonly id: number;
  dueMs: number;
  readonly intervalMs: number | undefined;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A scheduler (and clock) whose time moves only when a test calls `advance`. Due timers fire
 * in order of their due time, ties in the order they were scheduled, each with `nowMs()` set
 * to its own due time, so a callback that reads the clock sees the moment it was due.
 */
export class ManualScheduler implements Scheduler {
  #nowMs: number;
  #nextId = 0;
  #pending: ManualTimer[] = [];
  #pendingWaiters: { count: number; wake: () => void }[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.#nowMs = startMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  /** How many timers are waiting (repeating ones count once). */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /**
   * Resolves once at least `count` timers are pending. A test awaits it to learn, without
   * polling, that the code under test has started waiting for time (a parked long poll, a
   * request timeout) before it moves time with `advance`.
   */
  untilPending(count = 1): Promise<void> {
    if (this.#pending.length >= count) return Promise.resolve();
    return new Promise((wake) => this.#pendingWaiters.push({ count, wake }));
  }

  /** The due time of the earliest pending timer, or undefined when none is pending. */
  nextDueMs(): number | undefined {
    return this.#earliest()?.dueMs;
  }

  schedule(delayMs: number, fn: () => void): Timer {
    checkDelay(delayMs, 'delayMs', 0);
    return this.#add(this.#nowMs + delayMs, undefined, fn);
  }

  repeat(intervalMs: number, fn: () => void): Timer {
    checkDelay(intervalMs, 'intervalMs', 1);
    return this.#add(this.#nowMs + intervalMs, intervalMs, fn);
  }

  cancel(timer: Timer): void {
    timer.cancel();
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, in order. Timers
   * that callbacks schedule inside the window fire too if they fall due within it.
   */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`cannot advance by ${ms} ms`);
    const targetMs = this.#nowMs + ms;
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next.dueMs > targetMs) break;
      this.#nowMs = next.dueMs;
      if (next.intervalMs === undefined) {
        this.#remove(next);
      } else {
        next.dueMs += next.intervalMs;
      }
      next.fn();
    }
    this.#nowMs = targetMs;
  }

  /** Fires everything pending, advancing to each due time in turn (not repeating timers). */
  runAll(maxTimers = 10_000): void {
    for (let fired = 0; fired < maxTimers; fired += 1) {
      const next = this.#earliest();
      if (next === undefined) return;
      if (next.intervalMs !== undefined && this.#pending.every((t) => t.intervalMs !== undefined))
        return;
      this.advance(next.dueMs - this.#nowMs);
    }
    throw new Error(`runAll: more than ${maxTimers} timers fired; a timer reschedules itself`);
  }

  #add(dueMs: number, intervalMs: number | undefined, fn: () => void): ManualTimer {
    const timer: ManualTimer = {
      id: this.#nextId++,
      dueMs,
      intervalMs,
      fn,
      cancelled: false,
      cancel: () => {
        if (timer.cancelled) return;
        timer.cancelled = true;
        this.#remove(timer);
      },
      unref: () => timer,
    };
    this.#pending.push(timer);
    if (this.#pendingWaiters.length > 0) {
      const pending = this.#pending.length;
      const due = this.#pendingWaiters.filter((w) => w.count <= pending);
      this.#pendingWaiters = this.#pendingWaiters.filter((w) => w.count > pending);
      for (const waiter of due) waiter.wake();
    }
    return timer;
  }

  #remove(timer: ManualTimer): void {
    const at = this.#pending.indexOf(timer);
    if (at >= 0) this.#pending.splice(at, 1);
  }

  #earliest(): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const t of this.#pending) {
      if (best === undefined || t.dueMs < best.dueMs || (t.dueMs === best.dueMs && t.id < best.id))
        best = t;
    }
    return best;
  }
}

function checkDelay(ms: number, name: string, min: number): void {
  if (!Number.isFinite(ms) || ms < min) throw new RangeError(`${name} must be >= ${min}: ${ms}`);
}
