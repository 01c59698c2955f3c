/**
 * A byte-rate throttle for background I/O, after Kafka's `kafka.utils.Throttler` (the log
 * cleaner's log.cleaner.io.max.bytes.per.second). The caller reports the bytes it read or
 * wrote; once a check interval (300 ms, as Kafka's) has passed, the throttle compares the rate
 * of that interval with the desired one and, if it was faster, says how long to pause so that
 * the interval's bytes average out to the desired rate. Then a new interval starts.
 *
 *   rate = bytes / elapsed;  if rate > desired: pause = bytes / desired - elapsed
 *
 * Pure: time comes in as `nowMs`, and the pause is returned, not slept, so the cleaner can
 * wait on its scheduler (and tests on a manual clock). A desired rate of Infinity (Kafka's
 * default, Double.MaxValue) never pauses.
 */
export const THROTTLE_CHECK_INTERVAL_MS = 300;

export class Throttler {
  #periodStartMs: number;
  #observed = 0;

  constructor(
    /** Bytes per second; Infinity for no limit. */
    readonly desiredBytesPerSecond: number,
    nowMs: number,
    readonly checkIntervalMs = THROTTLE_CHECK_INTERVAL_MS,
  ) {
    if (!(desiredBytesPerSecond > 0)) {
      throw new RangeError(`a throttle rate must be positive, not ${desiredBytesPerSecond}`);
    }
    this.#periodStartMs = nowMs;
  }

  /** Records `bytes` done at `nowMs`; returns how many ms to pause (0: carry on). */
  observe(bytes: number, nowMs: number): number {
    if (this.desiredBytesPerSecond === Infinity) return 0;
    this.#observed += bytes;
    const elapsedMs = nowMs - this.#periodStartMs;
    if (elapsedMs <= this.checkIntervalMs || this.#observed <= 0) return 0;
    const rate = (this.#observed * 1000) / elapsedMs;
    let pauseMs = 0;
    if (rate > this.desiredBytesPerSecond) {
      pauseMs = Math.max(
        0,
        Math.round((this.#observed * 1000) / this.desiredBytesPerSecond - elapsedMs),
      );
    }
    // The next interval starts after the pause, as Kafka's does after its sleep.
    this.#periodStartMs = nowMs + pauseMs;
    this.#observed = 0;
    return pauseMs;
  }
}
