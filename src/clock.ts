/**
 * Time as an injectable dependency, so pure cores (session expiry, ISR lag, group
 * rebalance timeouts) can be driven by tests without sleeping. Models: Kafka's `Time` /
 * `MockTime`, TigerBeetle's `src/time.zig`.
 */
export interface Clock {
  /** Wall-clock milliseconds since the epoch (used for ctime/mtime, record timestamps). */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that only moves when a test tells it to. */
export class ManualClock implements Clock {
  #nowMs: number;
  constructor(startMs = 1_700_000_000_000) {
    this.#nowMs = startMs;
  }
  nowMs(): number {
    return this.#nowMs;
  }
  advance(ms: number): void {
    if (ms < 0) throw new Error('time does not go backwards');
    this.#nowMs += ms;
  }
}
