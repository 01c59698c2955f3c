/**
 * The four codecs through real clients, both ways, and the topic's compression and timestamp
 * policy (broker/log/log-validator.ts): one coordinator and one broker process.
 *
 * - compression.type=producer: kcat -z <codec> writes, the batch is stored in that codec
 *   (read back from the segment file), kcat and kafkajs (with its codec plugins) read it;
 *   kafkajs writes each codec and kcat reads it.
 * - compression.type=<codec>: a batch in another codec is recompressed to the topic's codec
 *   before it is stored; both clients read the same records.
 * - message.timestamp.type=LogAppendTime: the broker's time replaces the producer's.
 * - message.timestamp.difference.max.ms: a batch from the far past gets INVALID_TIMESTAMP.
 *
 * librdkafka sends a batch uncompressed when compressing would not make it smaller, so the
 * records are long enough to compress.
 *
 * Also the sample Kafka 2.8 config/server.properties starts this broker unchanged.
 */
import * as fs from 'node:fs';
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import kafkajs from 'kafkajs';
import { createRequire } from 'node:module';
import * as zstd from 'zstd-napi';
import { freePort, spawnDaemon, startCoordinatorProcess } from '../../helpers/processes.js';
import { readBatches } from '../../../src/protocol/kafka/record-batch.js';

const { CompressionCodecs, CompressionTypes, Kafka, logLevel } = kafkajs;
const run = promisify(execFile);
const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
type Codec = (typeof CODECS)[number];
const KAFKAJS_TYPE: Record<Codec, number> = {
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

const require = createRequire(import.meta.url);
const SnappyCodec = require('kafkajs-snappy') as unknown;
const LZ4Codec = require('kafkajs-lz4') as new () => { codec: unknown };
// kafkajs ships gzip only; the others come as plugins (zstd through zstd-napi, the codec the
// broker uses, since @kafkajs/zstd needs a native build that does not install here).
CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec as never;
CompressionCodecs[CompressionTypes.LZ4] = new LZ4Codec().codec as never;
CompressionCodecs[CompressionTypes.ZSTD] = (() => ({
  compress: async (encoder: { buffer: Buffer }) => zstd.compress(encoder.buffer),
  decompress: async (buffer: Buffer) => zstd.decompress(buffer),
})) as never;

function kcatProduce(bootstrap: string, args: string[], lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-b', bootstrap, '-P', ...args], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat: ${stderr}`))));
    child.stdin.end(lines.join('\n') + '\n');
  });
}

async function kcatConsume(bootstrap: string, topic: string, format = '%s\\n'): Promise<string[]> {
  const { stdout } = await run(
    'kcat',
    ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', format],
    { timeout: 30_000 },
  );
  return stdout.split('\n').filter((l) => l !== '');
}

/** The codec of every batch stored in partition 0's first segment. */
function storedCodecs(dataDir: string, topic: string): string[] {
  const dir = `${dataDir}/${topic}-0`;
  const log = fs.readdirSync(dir).find((f) => f.endsWith('.log'))!;
  const codecs = readBatches(fs.readFileSync(`${dir}/${log}`)).batches.map(
    (b) => b.compression ?? '?',
  );
  // kcat sends one batch per line; which codec each carries is what counts.
  return [...new Set(codecs)];
}

t.test('codecs and compression policy with kcat and kafkajs', async (t) => {
  const dir = t.testdir();
  const coordinator = await startCoordinatorProcess({ dataDir: `${dir}/coordinator`, tickMs: 100 });
  t.teardown(() => coordinator.kill('SIGKILL'));
  const port = await freePort();
  const dataDir = `${dir}/broker-1`;
  // Kafka 2.8's own sample server.properties, unchanged; the flags replace its broker id,
  // listener, coordinator and log.dirs.
  const serverProperties = fileURLToPath(
    new URL('../../fixtures/kafka/server.properties', import.meta.url),
  );
  const broker = await spawnDaemon(
    'broker/cli.ts',
    [
      'start',
      '--config',
      serverProperties,
      '--id',
      '1',
      '--port',
      String(port),
      '--coordinator',
      `127.0.0.1:${coordinator.port}`,
      '--data-dir',
      dataDir,
    ],
    'broker listening',
  );
  t.teardown(() => broker.kill('SIGKILL'));
  const bootstrap = `127.0.0.1:${port}`;
  const kafka = new Kafka({ clientId: 'codecs', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const topics = [
    ...CODECS.map((c) => ({ topic: `producer-${c}`, configEntries: [] })),
    ...CODECS.map((c) => ({
      topic: `kafkajs-${c}`,
      configEntries: [],
    })),
    ...CODECS.map((c) => ({
      topic: `topic-${c}`,
      configEntries: [{ name: 'compression.type', value: c }],
    })),
    {
      topic: 'append-time',
      configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
    },
    {
      topic: 'recent-only',
      configEntries: [{ name: 'message.timestamp.difference.max.ms', value: '60000' }],
    },
  ];
  // The controller is elected just after the broker listens: wait until Metadata names it.
  for (let i = 0; (await admin.describeCluster()).controller !== 1; i++) {
    if (i > 100) throw new Error('no controller elected');
    await new Promise((r) => setTimeout(r, 100));
  }
  await admin.createTopics({
    topics: topics.map((x) => ({ ...x, numPartitions: 1, replicationFactor: 1 })),
    waitForLeaders: true,
  });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const lines = (tag: string) =>
    Array.from({ length: 5 }, (_, i) => `${tag}-${i}-${'v'.repeat(500)}`);

  for (const codec of CODECS) {
    // kcat writes the codec, stored as is (compression.type=producer, the default).
    await kcatProduce(
      bootstrap,
      ['-t', `producer-${codec}`, '-X', `compression.codec=${codec}`],
      lines(codec),
    );
    // librdkafka compresses gzip, snappy and lz4 only when the broker's Produce range
    // includes v0 (it checks Produce 0..0 for them), which is why the broker serves v0-2.
    t.same(storedCodecs(dataDir, `producer-${codec}`), [codec], `kcat ${codec} stored as sent`);
    t.same(await kcatConsume(bootstrap, `producer-${codec}`), lines(codec), `kcat reads ${codec}`);
    // kafkajs writes the codec; kcat reads it.
    await producer.send({
      topic: `kafkajs-${codec}`,
      compression: KAFKAJS_TYPE[codec],
      messages: lines(`js-${codec}`).map((value) => ({ value })),
    });
    t.same(storedCodecs(dataDir, `kafkajs-${codec}`), [codec], `kafkajs ${codec} stored as sent`);
    t.same(
      await kcatConsume(bootstrap, `kafkajs-${codec}`),
      lines(`js-${codec}`),
      `kcat reads kafkajs's ${codec}`,
    );
    // Another codec than the topic's: recompressed to the topic's codec.
    const other: Codec = codec === 'gzip' ? 'snappy' : 'gzip';
    await kcatProduce(bootstrap, ['-t', `topic-${codec}`, '-z', other], lines(`re-${codec}`));
    await kcatProduce(bootstrap, ['-t', `topic-${codec}`, '-z', 'none'], lines(`plain-${codec}`));
    t.same(storedCodecs(dataDir, `topic-${codec}`), [codec], `recompressed to ${codec}`);
    t.same(
      await kcatConsume(bootstrap, `topic-${codec}`, '%o %s\\n'),
      [...lines(`re-${codec}`), ...lines(`plain-${codec}`)].map((l, i) => `${i} ${l}`),
      `kcat reads the recompressed ${codec} records at their offsets`,
    );
  }

  // kafkajs reads every topic back, decompressing with its plugins.
  const consumer = kafka.consumer({ groupId: 'codecs', maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  const wanted = new Map<string, string[]>();
  for (const codec of CODECS) {
    wanted.set(`producer-${codec}`, lines(codec));
    wanted.set(`kafkajs-${codec}`, lines(`js-${codec}`));
    wanted.set(`topic-${codec}`, [...lines(`re-${codec}`), ...lines(`plain-${codec}`)]);
  }
  await consumer.subscribe({ topics: [...wanted.keys()], fromBeginning: true });
  const got = new Map<string, string[]>();
  const total = [...wanted.values()].reduce((n, l) => n + l.length, 0);
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ topic, message }) => {
          got.set(topic, [...(got.get(topic) ?? []), message.value!.toString()]);
          if (++seen === total) resolve();
        },
      })
      .catch(reject);
  });
  for (const [topic, values] of wanted) t.same(got.get(topic), values, `kafkajs reads ${topic}`);

  // LogAppendTime: the broker's clock replaces the producer's timestamp.
  const before = Date.now();
  await producer.send({ topic: 'append-time', messages: [{ value: 'a', timestamp: '1000' }] });
  const [stamped] = await kcatConsume(bootstrap, 'append-time', '%T\\n');
  t.ok(Number(stamped) >= before - 1000, `LogAppendTime stamped ${stamped}, not 1000`);

  // message.timestamp.difference.max.ms=60000: a record from 1970 is refused.
  const invalid = await producer
    .send({ topic: 'recent-only', messages: [{ value: 'old', timestamp: '1000' }] })
    .then(
      () => 'accepted',
      (err: { type?: string }) => err.type,
    );
  t.equal(invalid, 'INVALID_TIMESTAMP');
  await producer.send({ topic: 'recent-only', messages: [{ value: 'now' }] });
  t.same(await kcatConsume(bootstrap, 'recent-only'), ['now']);
});
