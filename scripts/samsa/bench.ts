/**
 * `samsa bench produce|consume`: load generators in the manner of Kafka's
 * kafka-producer-perf-test.sh and kafka-consumer-perf-test.sh, run through kafkajs (so the
 * figures are what a Node application gets, client costs included).
 *
 *   bench produce TOPIC --num-records N --record-size B [--throughput R] [--acks A]
 *                       [--batch-records K] [--in-flight F] [--compression C]
 *     F concurrent sends of K records each; a record's latency is the time its send took.
 *     --throughput caps records/s (-1: as fast as possible). Prints a progress line every
 *     second and, at the end, kafka-producer-perf-test's summary:
 *     `N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency,
 *      P50 ms 50th, P95 ms 95th, P99 ms 99th, P999 ms 99.9th.`
 *
 *   bench consume TOPIC --messages N [--group G]
 *     reads N records from the earliest offset (a fresh group unless --group), with a
 *     progress line, then the summary of kafka-consumer-perf-test (MB, MB/s, records,
 *     records/s, time to the first record) plus percentiles of the records' age when read
 *     (now minus the record's timestamp: the end-to-end latency when a producer is running
 *     at the same time; for old data it is just how old it is).
 *
 * MB is 1024 * 1024 bytes, as in Kafka's tools. Record bytes are value bytes (the perf
 * test's "record size"); the protocol's overhead is not counted.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { bootstrapOption, integer, kafkaFor, positiveInteger, Progress } from './kafka.js';
import { compressionType, parseAcks } from './produce.js';

const MB = 1024 * 1024;

/** Latencies in ms, kept whole (a bench run is bounded by --num-records). */
export class LatencyRecorder {
  readonly #values: number[] = [];
  #sorted = true;

  add(ms: number, times = 1): void {
    for (let i = 0; i < times; i++) this.#values.push(ms);
    this.#sorted = false;
  }

  get count(): number {
    return this.#values.length;
  }

  /** Nearest-rank percentile, q in [0, 1]; 0 when empty. */
  percentile(q: number): number {
    if (this.#values.length === 0) return 0;
    if (!this.#sorted) {
      this.#values.sort((a, b) => a - b);
      this.#sorted = true;
    }
    const rank = Math.min(
      this.#values.length - 1,
      Math.max(0, Math.ceil(q * this.#values.length) - 1),
    );
    return this.#values[rank]!;
  }

  get avg(): number {
    return this.#values.length === 0 ? 0 : this.#values.reduce((a, b) => a + b, 0) / this.count;
  }

  get max(): number {
    return this.percentile(1);
  }
}

const f1 = (n: number): string => n.toFixed(1);
const f2 = (n: number): string => n.toFixed(2);

export function produceSummary(s: {
  records: number;
  bytes: number;
  seconds: number;
  latency: LatencyRecorder;
}): string {
  const l = s.latency;
  return (
    `${s.records} records sent, ${f1(s.records / s.seconds)} records/sec ` +
    `(${f2(s.bytes / MB / s.seconds)} MB/sec), ${f2(l.avg)} ms avg latency, ` +
    `${f1(l.max)} ms max latency, ${Math.round(l.percentile(0.5))} ms 50th, ` +
    `${Math.round(l.percentile(0.95))} ms 95th, ${Math.round(l.percentile(0.99))} ms 99th, ` +
    `${Math.round(l.percentile(0.999))} ms 99.9th.`
  );
}

interface BenchProduceOptions {
  bootstrapServer: string;
  numRecords: number;
  recordSize: number;
  throughput: number;
  acks: string;
  batchRecords: number;
  inFlight: number;
  compression: string;
}

export async function benchProduce(topic: string, o: BenchProduceOptions): Promise<void> {
  const acks = parseAcks(o.acks);
  const compression = compressionType(o.compression);
  const kafka = kafkaFor(o.bootstrapServer, 'samsa-producer-perf-test');
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  // One random payload reused, as the perf test does (compression then sees random bytes).
  const value = randomBytes(o.recordSize);
  const latency = new LatencyRecorder();
  const progress = new Progress();
  const startMs = performance.now();
  let sent = 0;
  let acked = 0;
  let windowStartMs = startMs;
  let windowAcked = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    const seconds = (now - windowStartMs) / 1000;
    const n = acked - windowAcked;
    progress.update(
      `${acked}/${o.numRecords} records, ${f1(n / seconds)} records/sec ` +
        `(${f2((n * o.recordSize) / MB / seconds)} MB/sec), ` +
        `p50 ${Math.round(latency.percentile(0.5))} ms, ` +
        `p99 ${Math.round(latency.percentile(0.99))} ms`,
    );
    windowStartMs = now;
    windowAcked = acked;
  }, 1000);
  const worker = async (): Promise<void> => {
    while (sent < o.numRecords) {
      const n = Math.min(o.batchRecords, o.numRecords - sent);
      sent += n;
      if (o.throughput > 0) {
        // Stay under the cap: wait until `sent` records are due.
        const dueMs = startMs + (sent / o.throughput) * 1000;
        const waitMs = dueMs - performance.now();
        if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
      }
      const t0 = performance.now();
      await producer.send({
        topic,
        acks,
        compression,
        messages: Array.from({ length: n }, () => ({ value })),
      });
      latency.add(performance.now() - t0, n);
      acked += n;
    }
  };
  try {
    await Promise.all(Array.from({ length: o.inFlight }, () => worker()));
  } finally {
    clearInterval(ticker);
    progress.done();
    await producer.disconnect();
  }
  const seconds = (performance.now() - startMs) / 1000;
  process.stdout.write(
    produceSummary({ records: acked, bytes: acked * o.recordSize, seconds, latency }) + '\n',
  );
}

interface BenchConsumeOptions {
  bootstrapServer: string;
  messages: number;
  group?: string;
}

export async function benchConsume(topic: string, o: BenchConsumeOptions): Promise<void> {
  const kafka = kafkaFor(o.bootstrapServer, 'samsa-consumer-perf-test');
  const groupId = o.group ?? `samsa-perf-consumer-${randomBytes(4).toString('hex')}`;
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  const age = new LatencyRecorder();
  const progress = new Progress();
  const startMs = performance.now();
  const startWall = new Date();
  let firstRecordMs: number | undefined;
  let records = 0;
  let bytes = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const ticker = setInterval(() => {
    const seconds = (performance.now() - startMs) / 1000;
    progress.update(
      `${records}/${o.messages} records, ${f1(records / seconds)} records/sec ` +
        `(${f2(bytes / MB / seconds)} MB/sec), age p50 ${Math.round(age.percentile(0.5))} ms`,
    );
  }, 1000);
  consumer.on(consumer.events.CRASH, () => done());
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: o.group !== undefined,
      eachBatch: ({ batch }) => {
        const now = Date.now();
        for (const m of batch.messages) {
          if (records >= o.messages) break;
          firstRecordMs ??= performance.now();
          records++;
          bytes += m.value?.length ?? 0;
          age.add(Math.max(0, now - Number(m.timestamp)));
        }
        if (records >= o.messages) done();
        return Promise.resolve();
      },
    });
    await finished;
  } finally {
    clearInterval(ticker);
    progress.done();
    await consumer.disconnect();
  }
  const endWall = new Date();
  const seconds = (performance.now() - startMs) / 1000;
  process.stdout.write(
    'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ' +
      'fetch.start.ms, age.p50.ms, age.p99.ms\n' +
      [
        startWall.toISOString(),
        endWall.toISOString(),
        (bytes / MB).toFixed(4),
        (bytes / MB / seconds).toFixed(4),
        records,
        (records / seconds).toFixed(4),
        Math.round((firstRecordMs ?? performance.now()) - startMs),
        Math.round(age.percentile(0.5)),
        Math.round(age.percentile(0.99)),
      ].join(', ') +
      '\n',
  );
}

export function registerBench(program: Command): void {
  const bench = program.command('bench').description('producer and consumer load tests');
  bootstrapOption(bench.command('produce <topic>').description('kafka-producer-perf-test'))
    .option('--num-records <n>', 'records to send', positiveInteger('--num-records'), 100_000)
    .option(
      '--record-size <bytes>',
      'value bytes per record',
      positiveInteger('--record-size'),
      100,
    )
    .option('--throughput <n>', 'records/s cap, -1 for none', integer('--throughput'), -1)
    .option('--acks <acks>', '0, 1, -1 or all', 'all')
    .option('--batch-records <n>', 'records per send', positiveInteger('--batch-records'), 200)
    .option('--in-flight <n>', 'concurrent sends', positiveInteger('--in-flight'), 5)
    .option('--compression <type>', 'none or gzip', 'none')
    .action((topic: string, o: BenchProduceOptions) => benchProduce(topic, o));
  bootstrapOption(bench.command('consume <topic>').description('kafka-consumer-perf-test'))
    .option('--messages <n>', 'records to read', positiveInteger('--messages'), 100_000)
    .option('--group <group>', 'consumer group (default: a fresh one, no commits)')
    .action((topic: string, o: BenchConsumeOptions) => benchConsume(topic, o));
}
