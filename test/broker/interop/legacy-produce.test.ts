/**
 * Produce v0-2 with the old message formats, from real clients that still send them, against a
 * real coordinator + broker process (src/protocol/kafka/legacy-message-set.ts):
 *
 * - kcat (librdkafka 2.0.2) told the broker is Kafka 0.9.0 (api.version.request=false,
 *   broker.version.fallback=0.9.0): Produce v1 with magic 0 messages, plain and gzip;
 * - kafka-python 2.0.2 with api_version=(0, 10, 1): Produce v2 with magic 1 messages
 *   (timestamps), plain and gzip; with api_version=(0, 9): Produce v1, magic 0.
 *
 * The broker stores every set as one v2 batch in the producer's codec; a current kcat reads the
 * records back with their keys, values and (magic 1) timestamps.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import t from 'tap';
import { readBatches } from '../../../src/protocol/kafka/record-batch.js';
import { createTopic, kcatInstalled, startCluster } from '../../helpers/cluster.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const pythonKafka = spawnSync(PYTHON, ['-c', 'import kafka']).status === 0;

/** kcat -P as a Kafka 0.9 client: no ApiVersions, magic 0 messages. */
function oldKcatProduce(bootstrap: string, topic: string, codec: string, lines: string[]) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(
      'kcat',
      [
        ...['-b', bootstrap, '-P', '-t', topic, '-p', '0', '-K', ':'],
        ...['-X', 'api.version.request=false', '-X', 'broker.version.fallback=0.9.0'],
        ...['-X', `compression.codec=${codec}`, '-X', 'message.timeout.ms=20000'],
      ],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 && !/fail|error/i.test(stderr) ? resolve() : reject(new Error(`kcat: ${stderr}`)),
    );
    child.stdin.end(lines.join('\n') + '\n');
  });
}

async function kcatRead(bootstrap: string, topic: string, format: string): Promise<string[]> {
  const { stdout } = await run(
    'kcat',
    ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', format],
    { timeout: 30_000 },
  );
  return stdout.split('\n').filter((l) => l !== '');
}

function storedBatches(dataDir: string, topic: string) {
  const dir = `${dataDir}/${topic}-0`;
  const log = fs.readdirSync(dir).find((f) => f.endsWith('.log'))!;
  return readBatches(fs.readFileSync(`${dir}/${log}`)).batches;
}

const PY_SCRIPT = `
import sys
from kafka import KafkaProducer
bootstrap, topic, version, codec = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
api = tuple(int(x) for x in version.split('.'))
producer = KafkaProducer(bootstrap_servers=bootstrap, api_version=api, acks=1,
                         compression_type=None if codec == 'none' else codec, linger_ms=50)
for i in range(20):
    producer.send(topic, partition=0, key=b'k%d' % i, value=(b'v%d-' % i) + b'x' * 200,
                  timestamp_ms=1700000000000 + i)
producer.flush()
print('sent 20')
`;

if (!kcatInstalled(t)) {
  // kcatInstalled fails under CI=true, or comments why the test is skipped.
} else {
  t.test('old clients produce magic 0 and magic 1 message sets', async (t) => {
    const cluster = await startCluster(t, { brokers: [1] });
    const bootstrap = cluster.bootstrap();
    const dataDir = `${cluster.dir}/broker-1`;
    const lines = Array.from({ length: 10 }, (_, i) => `key${i}:value-${i}-${'y'.repeat(300)}`);

    for (const codec of ['none', 'gzip']) {
      const topic = `kcat09-${codec}`;
      await createTopic(cluster, topic, 1, { replicationFactor: 1 });
      await oldKcatProduce(bootstrap, topic, codec, lines);
      t.same(
        await kcatRead(bootstrap, topic, '%k:%s\\n'),
        lines,
        `kcat as a 0.9 client (${codec}): every record back`,
      );
      const batches = storedBatches(dataDir, topic);
      t.ok(batches.length > 0 && batches.every((b) => b.magic === 2), 'stored as v2 batches');
      t.same(
        [...new Set(batches.map((b) => b.compression))],
        [codec],
        `stored in the producer's codec (${codec})`,
      );
      t.same(
        [...new Set(await kcatRead(bootstrap, topic, '%T\\n'))],
        ['-1'],
        'magic 0 messages have no timestamp',
      );
    }

    if (!pythonKafka) {
      if (process.env.CI === 'true') t.fail('python3-kafka is not installed, CI=true needs it');
      else t.comment('python3-kafka is not installed: skipping the kafka-python part');
      return;
    }
    for (const [version, codec] of [
      ['0.10.1', 'none'],
      ['0.10.1', 'gzip'],
      ['0.9', 'gzip'],
    ] as const) {
      const topic = `py-${version.replace(/\./g, '')}-${codec}`;
      await createTopic(cluster, topic, 1, { replicationFactor: 1 });
      const { stdout } = await run(PYTHON, ['-c', PY_SCRIPT, bootstrap, topic, version, codec], {
        timeout: 60_000,
      });
      t.match(stdout, /sent 20/);
      const got = await kcatRead(bootstrap, topic, '%k %T %s\\n');
      const magic1 = version !== '0.9';
      t.same(
        got,
        Array.from(
          { length: 20 },
          (_, i) => `k${i} ${magic1 ? 1700000000000 + i : -1} v${i}-${'x'.repeat(200)}`,
        ),
        `kafka-python api_version=${version} (${codec}): keys, values and timestamps`,
      );
      const batches = storedBatches(dataDir, topic);
      t.same([...new Set(batches.map((b) => `${b.magic}/${b.compression}`))], [`2/${codec}`]);
    }
  });
}
