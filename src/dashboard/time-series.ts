/**
 * Time series kept in memory for the dashboard's charts: points (timeMs, value) no older than
 * `maxAgeMs` and no more than `pointsMax`, oldest first. A pure structure: the caller gives
 * the time of each point, so tests need no clock.
 *
 * `CounterRates` turns counters (a partition's log end offset, a broker's bytes-in total)
 * into per-second rates between two samples. A counter that went backwards (a topic deleted
 * and created again, a broker restarted with its metrics at zero) gives no rate for that
 * interval instead of a negative one.
 */
export class TimeSeries {
  readonly #maxAgeMs: number;
  readonly #pointsMax: number;
  readonly #times: number[] = [];
  readonly #values: number[] = [];

  constructor(options: { maxAgeMs: number; pointsMax: number }) {
    this.#maxAgeMs = options.maxAgeMs;
    this.#pointsMax = options.pointsMax;
  }

  push(timeMs: number, value: number): void {
    this.#times.push(timeMs);
    this.#values.push(value);
    while (
      this.#times.length > this.#pointsMax ||
      (this.#times.length > 0 && this.#times[0]! < timeMs - this.#maxAgeMs)
    ) {
      this.#times.shift();
      this.#values.shift();
    }
  }

  get length(): number {
    return this.#times.length;
  }

  get last(): number | undefined {
    return this.#values[this.#values.length - 1];
  }

  /** [times in seconds, values]: the shape uPlot takes. */
  toJSON(): [number[], number[]] {
    return [this.#times.map((t) => t / 1000), [...this.#values]];
  }
}

export class CounterRates {
  readonly #last = new Map<string, { timeMs: number; value: number }>();

  /** The rate per second since the previous sample of `key`, or undefined for the first. */
  sample(key: string, timeMs: number, value: number): number | undefined {
    const previous = this.#last.get(key);
    this.#last.set(key, { timeMs, value });
    if (previous === undefined || timeMs <= previous.timeMs) return undefined;
    if (value < previous.value) return undefined;
    return ((value - previous.value) * 1000) / (timeMs - previous.timeMs);
  }

  forget(keep: (key: string) => boolean): void {
    for (const key of [...this.#last.keys()]) if (!keep(key)) this.#last.delete(key);
  }
}
