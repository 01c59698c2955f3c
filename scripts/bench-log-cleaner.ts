/**
 * The log cleaner's rate and what it costs a producer on the same event loop.
 *
 *   npx tsx scripts/bench-log-cleaner.ts [megabytes=64] [keys=10000]
 *
 * Builds a compacted log of `megabytes` of 100-byte values over `keys` keys (10 records per
 * batch, 16 MiB segments) in a temporary directory, then cleans it with the real LogCleaner
 * while a producer appends one batch every millisecond to another log on the same event loop.
 * Prints the cleaning rate (MB of log read per second) and the producer's append latency
 * (time from when the append was due to when it ran: what the cleaner's chunks cost it), with
 * and without the cleaner running. Results go to docs/benchmarks.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../src/clock.js';
import { silentLogger } from '../src/logger.js';
import { buildRecordBatch } from '../src/protocol/kafka/record-batch.js';
import { Log } from '../broker/log/log.js';
import { logConfig } from '../broker/log/log-config.js';
import { LogCleaner } from '../broker/log/log-cleaner.js';

const megabytes = Number(process.argv[2] ?? 64);
const keys = Number(process.argv[3] ?? 10_000);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cleaner-'));
const logger = silentLogger();
const clock = systemClock;

function open(name: string, compact: boolean): Log {
  return Log.open({
    dir: path.join(root, `${name}-0`),
    topicPartition: { topic: name, partition: 0 },
    config: logConfig({
      segmentBytes: 16 * 1024 * 1024,
      cleanupPolicy: compact ? ['compact'] : ['delete'],
      fileDeleteDelayMs: 0,
    }),
    clock,
    logger,
    recoveryPoint: 0,
    hadCleanShutdown: true,
  });
}

const value = 'v'.repeat(100);
const compacted = open('compacted', true);
let n = 0;
while (compacted.size < megabytes * 1024 * 1024) {
  const records = Array.from({ length: 10 }, () => ({ key: `key-${n++ % keys}`, value }));
  compacted.appendAsLeader(buildRecordBatch({ records }), { leaderEpoch: 0 });
}
compacted.roll();
const sizeMb = compacted.size / 1e6;

const produced = open('produced', false);
async function measureAppends(whileRunning: Promise<unknown> | undefined, ms: number) {
  const lags: number[] = [];
  let due = performance.now();
  const deadline = due + ms;
  let done = false;
  void whileRunning?.then(() => (done = true));
  while ((whileRunning === undefined && performance.now() < deadline) || (whileRunning && !done)) {
    due += 1;
    const wait = Math.max(0, due - performance.now());
    await new Promise((r) => setTimeout(r, wait));
    lags.push(performance.now() - due);
    produced.appendAsLeader(buildRecordBatch({ records: [{ key: 'p', value }] }), {
      leaderEpoch: 0,
    });
    if (lags.length > 1 && performance.now() - due > 1) due = performance.now();
  }
  lags.sort((a, b) => a - b);
  const at = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))]!;
  return { appends: lags.length, p50: at(0.5), p99: at(0.99), max: lags[lags.length - 1]! };
}

const idle = await measureAppends(undefined, 2000);
const cleaner = new LogCleaner({
  logs: {
    logs: () => [{ log: compacted, logDir: root }],
    highWatermarkOf: () => compacted.logEndOffset,
    readCheckpoint: () => new Map(),
    writeCheckpoint: () => {},
  },
  clock,
  logger,
});
const started = performance.now();
const cleaning = cleaner.cleanFilthiestLog();
const busy = await measureAppends(cleaning, 0);
const stats = await cleaning;
const seconds = (performance.now() - started) / 1000;
const fmt = (x: { appends: number; p50: number; p99: number; max: number }) =>
  `${x.appends} appends, lag p50 ${x.p50.toFixed(2)} ms, p99 ${x.p99.toFixed(2)} ms, ` +
  `max ${x.max.toFixed(1)} ms`;
console.log(`log: ${sizeMb.toFixed(1)} MB, ${n} records over ${keys} keys`);
console.log(
  `cleaned in ${seconds.toFixed(2)} s: ${(sizeMb / seconds).toFixed(1)} MB/s, ` +
    `${stats?.recordsRemoved} records removed, ${(stats!.bytesWritten / 1e6).toFixed(1)} MB kept`,
);
console.log(`producer without the cleaner: ${fmt(idle)}`);
console.log(`producer while it cleans:     ${fmt(busy)}`);
compacted.close();
produced.close();
fs.rmSync(root, { recursive: true, force: true });
