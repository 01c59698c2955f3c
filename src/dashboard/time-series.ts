/**
 * Time series kept in memory for the dashboard's charts: points (timeMs, value) no older than
 * `maxAgeMs` and no more than `pointsMax`, oldest first. A pure structure: the caller gives
 * the time of each point, so tests need no clock. Rates from counters: throughput.ts.
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
