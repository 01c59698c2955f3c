/**
 * The server's counters and summaries behind `mntr` (and the admin endpoint's `monitor`),
 * named as ZooKeeper 3.8's ServerMetrics names them so dashboards built for ZooKeeper read
 * them unchanged. Only metrics whose meaning carries over to a single coordinator process are
 * kept; the quorum, TLS, throttling and Netty families of ZooKeeper are left out rather than
 * reported as constant zeros.
 *
 * Two shapes, as in ZooKeeper:
 * - a counter: one number (`zk_connection_drop_count 4`);
 * - a summary: count, sum, min, max and average of observed values, reported as
 *   `zk_avg_<name>`, `zk_min_<name>`, `zk_max_<name>`, `zk_cnt_<name>`, `zk_sum_<name>`; a
 *   summary with percentiles adds `zk_p50_<name>`, `p95`, `p99` and `p999`, computed over the
 *   most recent PERCENTILE_SAMPLES_MAX observations (ZooKeeper samples a bounded reservoir
 *   too, so memory stays fixed however long the server runs).
 *
 * Pure state: the core records observations, `entries()` renders them. `srst` resets all.
 */

/** How many recent observations a percentile summary keeps. */
export const PERCENTILE_SAMPLES_MAX = 1024;

export class Summary {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  readonly #samples: number[] | undefined;
  #next = 0;
  /** Sees every value too (the Prometheus histograms of metrics.ts); not reset by srst. */
  observer: ((value: number) => void) | undefined;

  constructor(
    readonly name: string,
    options: { percentiles?: boolean } = {},
  ) {
    this.#samples = options.percentiles === true ? [] : undefined;
  }

  add(value: number): void {
    this.observer?.(value);
    this.count++;
    this.sum += value;
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
    const samples = this.#samples;
    if (samples === undefined) return;
    // A ring buffer: once full, each new value replaces the oldest.
    if (samples.length < PERCENTILE_SAMPLES_MAX) samples.push(value);
    else samples[this.#next] = value;
    this.#next = (this.#next + 1) % PERCENTILE_SAMPLES_MAX;
  }

  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    if (this.#samples) this.#samples.length = 0;
    this.#next = 0;
  }

  /** `[key, value]` lines without the `zk_` prefix, in ZooKeeper's order. */
  entries(): [string, number][] {
    const empty = this.count === 0;
    const lines: [string, number][] = [
      [`avg_${this.name}`, empty ? 0 : round4(this.sum / this.count)],
      [`min_${this.name}`, empty ? 0 : this.min],
      [`max_${this.name}`, empty ? 0 : this.max],
      [`cnt_${this.name}`, this.count],
      [`sum_${this.name}`, this.sum],
    ];
    if (this.#samples) {
      const sorted = [...this.#samples].sort((a, b) => a - b);
      for (const [label, q] of [
        ['p50', 0.5],
        ['p95', 0.95],
        ['p99', 0.99],
        ['p999', 0.999],
      ] as const) {
        lines.push([`${label}_${this.name}`, quantile(sorted, q)]);
      }
    }
    return lines;
  }
}

/** The value at quantile `q` of ascending `sorted` (nearest rank); 0 when there is none. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

export class ServerMetrics {
  /** ConnectRequests received (new sessions and resumes). */
  connectionRequestCount = 0;
  /** Connections that ended while their session was still alive (not by closeSession). */
  connectionDropCount = 0;
  /** Auth packets refused (AuthFailed). */
  authFailedCount = 0;
  /** Sessions expired by the server because their client fell silent. */
  staleSessionsExpired = 0;
  /** Bytes of every reply, event and handshake answer sent to clients. */
  responseBytes = 0;
  lastClientResponseSize = 0;
  minClientResponseSize = Infinity;
  maxClientResponseSize = 0;

  /** Milliseconds from a read request's arrival to its reply. */
  readonly readLatency = new Summary('readlatency', { percentiles: true });
  /** Milliseconds from a write request's arrival to its (durable) reply. */
  readonly updateLatency = new Summary('updatelatency', { percentiles: true });
  /** Milliseconds a group commit took to reach the disk: ZooKeeper's fsync time. */
  readonly fsyncTime = new Summary('fsynctime');
  /** Transactions per group commit: ZooKeeper's sync processor batch size. */
  readonly syncBatchSize = new Summary('sync_processor_batch_size');
  /** Watchers notified per change, by event type. */
  readonly nodeCreatedWatchCount = new Summary('node_created_watch_count');
  readonly nodeDeletedWatchCount = new Summary('node_deleted_watch_count');
  readonly nodeChangedWatchCount = new Summary('node_changed_watch_count');
  readonly nodeChildrenWatchCount = new Summary('node_children_watch_count');

  recordResponse(bytes: number): void {
    this.responseBytes += bytes;
    this.lastClientResponseSize = bytes;
    this.minClientResponseSize = Math.min(this.minClientResponseSize, bytes);
    this.maxClientResponseSize = Math.max(this.maxClientResponseSize, bytes);
  }

  /** Counters and summaries as mntr lines (without the `zk_` prefix). */
  entries(): [string, number][] {
    return [
      ['connection_request_count', this.connectionRequestCount],
      ['connection_drop_count', this.connectionDropCount],
      ['auth_failed_count', this.authFailedCount],
      ['stale_sessions_expired', this.staleSessionsExpired],
      ['response_bytes', this.responseBytes],
      ['last_client_response_size', this.lastClientResponseSize],
      [
        'min_client_response_size',
        this.minClientResponseSize === Infinity ? 0 : this.minClientResponseSize,
      ],
      ['max_client_response_size', this.maxClientResponseSize],
      ...this.#summaries().flatMap((s) => s.entries()),
    ];
  }

  reset(): void {
    this.connectionRequestCount = 0;
    this.connectionDropCount = 0;
    this.authFailedCount = 0;
    this.staleSessionsExpired = 0;
    this.responseBytes = 0;
    this.lastClientResponseSize = 0;
    this.minClientResponseSize = Infinity;
    this.maxClientResponseSize = 0;
    for (const summary of this.#summaries()) summary.reset();
  }

  #summaries(): Summary[] {
    return [
      this.readLatency,
      this.updateLatency,
      this.fsyncTime,
      this.syncBatchSize,
      this.nodeCreatedWatchCount,
      this.nodeDeletedWatchCount,
      this.nodeChangedWatchCount,
      this.nodeChildrenWatchCount,
    ];
  }
}
