/**
 * Throughput accounting for the dashboard: counters sampled now and then (a partition's log end
 * offset, a broker's `kafka_server_brokertopicmetrics_bytesin_total{topic}`) turned into what
 * the page shows per topic and per broker: a total since the dashboard started and a rate
 * series for the charts. Pure: the caller gives the time of every sample, so tests need no
 * clock.
 *
 *   CounterDeltas   per source counter: the increase since its previous sample
 *   Meter           per shown key (a topic, a broker): deltas added up into a total, and one
 *                   rate point per flush, the increase since the key's previous point divided
 *                   by the time since then
 *
 * The two promises the test of the dashboard against the brokers' /metrics relies on:
 *   - a total is the sum of every increase observed, so it equals the counters' own delta
 *     over the same span, even when a sample is missed (a scrape that timed out): the next
 *     sample's delta carries what was missed;
 *   - the rate points integrate to the total (each point's rate times the time since the
 *     point before it), as a point's span starts where the previous one ended.
 *
 * A counter first sampled has no delta: what it counted before the dashboard looked is not
 * the dashboard's to show, unless the caller knows the counter was 0 at an earlier time
 * (`zeroAtMs`): a partition created since the previous poll, or a broker's per-topic counter
 * absent from its previous scrape (prom-client creates a labelled series on its first count).
 * A counter that went backwards (a broker restarted, a topic deleted and created again) gives
 * no delta for that interval, never a negative one.
 */
import { TimeSeries } from './time-series.js';

export class CounterDeltas {
  readonly #last = new Map<string, { timeMs: number; value: number }>();

  /**
   * The increase of `key` since its previous sample, with the time that previous sample was
   * taken; undefined for a first sample (unless `zeroAtMs` says the counter was 0 then) or a
   * counter that went backwards.
   */
  sample(
    key: string,
    timeMs: number,
    value: number,
    zeroAtMs?: number,
  ): { fromMs: number; delta: number } | undefined {
    const previous =
      this.#last.get(key) ?? (zeroAtMs === undefined ? undefined : { timeMs: zeroAtMs, value: 0 });
    this.#last.set(key, { timeMs, value });
    if (previous === undefined || timeMs <= previous.timeMs || value < previous.value) {
      return undefined;
    }
    return { fromMs: previous.timeMs, delta: value - previous.value };
  }

  /** Forgets `key`'s last sample (its counter restarted from 0). */
  delete(key: string): void {
    this.#last.delete(key);
  }

  has(key: string): boolean {
    return this.#last.has(key);
  }

  forget(keep: (key: string) => boolean): void {
    for (const key of [...this.#last.keys()]) if (!keep(key)) this.#last.delete(key);
  }
}

export class Meter {
  readonly #makeSeries: () => TimeSeries;
  /** Per key: the time of its previous point (or of the start of its first span). */
  readonly #spanStartMs = new Map<string, number>();
  readonly #pending = new Map<string, number>();
  readonly #totals = new Map<string, number>();
  readonly #series = new Map<string, TimeSeries>();

  constructor(makeSeries: () => TimeSeries) {
    this.#makeSeries = makeSeries;
  }

  /**
   * `delta` counted for `key` since `fromMs`. The first delta (or `start`) of a key starts its
   * span; later ones fall in the span that is open.
   */
  add(key: string, delta: { fromMs: number; delta: number }): void {
    const start = this.#spanStartMs.get(key);
    if (start === undefined || delta.fromMs < start) {
      // Only before a key's first point can a delta reach back before its span.
      if (!this.#series.has(key)) this.#spanStartMs.set(key, delta.fromMs);
    }
    this.#pending.set(key, (this.#pending.get(key) ?? 0) + delta.delta);
  }

  /** A baseline was taken for `key` at `timeMs`: its first span starts there. */
  start(key: string, timeMs: number): void {
    if (!this.#spanStartMs.has(key)) this.#spanStartMs.set(key, timeMs);
  }

  /**
   * Closes the open span of each of `keys` at `nowMs`: its increase goes into the total and
   * one rate point (per second) into the series. A key with no span yet gets no point.
   */
  flush(keys: Iterable<string>, nowMs: number): void {
    for (const key of keys) {
      const start = this.#spanStartMs.get(key);
      if (start === undefined || nowMs <= start) continue;
      const increase = this.#pending.get(key) ?? 0;
      this.#pending.delete(key);
      this.#totals.set(key, (this.#totals.get(key) ?? 0) + increase);
      let series = this.#series.get(key);
      if (series === undefined) {
        series = this.#makeSeries();
        this.#series.set(key, series);
      }
      series.push(nowMs, (increase * 1000) / (nowMs - start));
      this.#spanStartMs.set(key, nowMs);
    }
  }

  /** Drops every key for which `keep` is false (a deleted topic). */
  forget(keep: (key: string) => boolean): void {
    for (const m of [this.#spanStartMs, this.#pending, this.#totals, this.#series]) {
      for (const key of [...m.keys()]) if (!keep(key)) m.delete(key);
    }
  }

  /** Total increase per key, of the spans closed so far. */
  totals(): Record<string, number> {
    return Object.fromEntries([...this.#totals].sort((a, b) => a[0].localeCompare(b[0])));
  }

  /** Rate series per key: [times in seconds, values per second], the shape uPlot takes. */
  series(): Record<string, [number[], number[]]> {
    return Object.fromEntries(
      [...this.#series].sort((a, b) => a[0].localeCompare(b[0])).map(([k, s]) => [k, s.toJSON()]),
    );
  }
}

/** The three BrokerTopicMetrics counters the dashboard reads, by their Prometheus names. */
export const TOPIC_COUNTERS = {
  messagesIn: 'kafka_server_brokertopicmetrics_messagesin_total',
  bytesIn: 'kafka_server_brokertopicmetrics_bytesin_total',
  bytesOut: 'kafka_server_brokertopicmetrics_bytesout_total',
} as const;
export type TopicCounter = keyof typeof TOPIC_COUNTERS;

export interface BrokerScrape {
  /** Counter -> topic -> value. */
  counters: Record<TopicCounter, Map<string, number>>;
  /** process_start_time_seconds, when the broker reports it: a new value means a restart. */
  startTimeSeconds: number | undefined;
}

/**
 * The per-topic BrokerTopicMetrics counters and the process start time of one broker's
 * Prometheus text. Lines are read by exact metric name; the topic is the `topic` label.
 */
export function parseBrokerScrape(text: string): BrokerScrape {
  const byName = new Map<string, TopicCounter>(
    Object.entries(TOPIC_COUNTERS).map(([k, name]) => [name, k as TopicCounter]),
  );
  const counters: BrokerScrape['counters'] = {
    messagesIn: new Map(),
    bytesIn: new Map(),
    bytesOut: new Map(),
  };
  let startTimeSeconds: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    if (m[1] === 'process_start_time_seconds') {
      startTimeSeconds = value;
      continue;
    }
    const counter = byName.get(m[1]!);
    if (counter === undefined) continue;
    const topic = /(?:^|,)\s*topic="((?:[^"\\]|\\.)*)"/.exec(m[2] ?? '')?.[1];
    if (topic === undefined) continue;
    counters[counter].set(topic, (counters[counter].get(topic) ?? 0) + value);
  }
  return { counters, startTimeSeconds };
}
