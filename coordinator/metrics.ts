/**
 * The coordinator's Prometheus metrics, served at `/metrics` on the admin port (8080):
 *
 *   - every numeric `mntr` value as a gauge named `coordinator_<key>` (`zk_znode_count` ->
 *     `coordinator_znode_count`, `zk_p99_readlatency` -> `coordinator_p99_readlatency`): the
 *     names ZooKeeper's own Prometheus provider uses, under our prefix. They are set from one
 *     snapshot of the server at each scrape, so a scrape and `mntr` agree;
 *   - histograms in seconds, which Prometheus can aggregate and turn into any quantile (mntr's
 *     summaries only keep the last 1024 values): request latency by kind (read / update) and
 *     the fsync time of a group commit. The core's Summaries (server-metrics.ts) feed them
 *     through their `observer` hook;
 *   - Node's process metrics (prom-client's defaults: CPU, memory, event-loop lag, fds).
 *
 * docs/metrics.md lists them with their ZooKeeper equivalents.
 */
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CoordinatorServer } from './coordinator-server.js';
import { mntr } from './four-letter-words.js';

/** Request and fsync buckets, in seconds: 0.1 ms to 10 s. */
const LATENCY_SECONDS_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
];

/** mntr keys that are not numbers (version, server_state) are left out. */
function numericEntries(core: CoordinatorServer): [string, number][] {
  const entries: [string, number][] = [];
  for (const [key, value] of mntr(core.snapshot())) {
    const n = typeof value === 'number' ? value : Number(value);
    if (Number.isFinite(n)) entries.push([key, n]);
  }
  return entries;
}

export class CoordinatorMetrics {
  readonly registry = new Registry();
  readonly #core: CoordinatorServer;
  readonly #gauges = new Map<string, Gauge>();

  constructor(core: CoordinatorServer, options: { collectProcessMetrics?: boolean } = {}) {
    this.#core = core;
    const registers = [this.registry];
    if (options.collectProcessMetrics !== false) collectDefaultMetrics({ register: this.registry });
    for (const [key] of numericEntries(core)) this.#gauge(key);

    const requestLatency = new Histogram({
      name: 'coordinator_request_latency_seconds',
      help: 'Time from a request arriving to its reply (an update: once durable)',
      labelNames: ['type'],
      buckets: LATENCY_SECONDS_BUCKETS,
      registers,
    });
    const fsync = new Histogram({
      name: 'coordinator_fsync_seconds',
      help: 'Time a group commit took to reach the disk (ZooKeeper: fsynctime)',
      buckets: LATENCY_SECONDS_BUCKETS,
      registers,
    });
    const m = core.metrics;
    m.readLatency.observer = (ms) => requestLatency.observe({ type: 'read' }, ms / 1000);
    m.updateLatency.observer = (ms) => requestLatency.observe({ type: 'update' }, ms / 1000);
    m.fsyncTime.observer = (ms) => fsync.observe(ms / 1000);
  }

  /** The Prometheus text: the mntr gauges set from one fresh snapshot, then everything. */
  async metrics(): Promise<string> {
    for (const [key, value] of numericEntries(this.#core)) this.#gauge(key).set(value);
    return this.registry.metrics();
  }

  #gauge(key: string): Gauge {
    let gauge = this.#gauges.get(key);
    if (gauge === undefined) {
      gauge = new Gauge({
        name: `coordinator_${key}`,
        help: `mntr zk_${key}`,
        registers: [this.registry],
      });
      this.#gauges.set(key, gauge);
    }
    return gauge;
  }
}
