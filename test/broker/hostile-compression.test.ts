/**
 * Hostile compressed batches through a real broker: each is small (under the default
 * max.message.bytes of 1,048,588 bytes, CRC correct) and claims or holds far more than a
 * request may carry. They reach the two places a broker inflates a producer's batch: a
 * topic whose compression.type asks for another codec (here uncompressed), and a compacted
 * topic, whose keys are checked. Each is answered CORRUPT_MESSAGE (Produce v7, the newest we
 * serve, carries no error message), and the broker's peak memory stays far below what they
 * claim: one holds 4 GiB for real, and inflating it as its header says would write 4 GiB.
 * An honest batch of every codec is stored afterwards.
 */
import * as fs from 'node:fs';
import t from 'tap';
import { KafkaClient } from '../../src/kafka-client.js';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import { buildRecordBatch } from '../../src/protocol/kafka/record-batch.js';
import { createTopic, startCluster } from '../helpers/cluster.js';
import {
  MiB,
  batchWithSection,
  gzipBomb,
  lz4Bomb,
  lz4Claiming4GiB,
  snappyClaiming4GiB,
  xerialSnappyClaiming4GiB,
  zstdBombWithoutSize,
  zstdClaiming4GiB,
  zstdHolding4GiB,
} from '../fuzz/hostile-compression.js';

function peakRssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
}

t.test('hostile compressed batches get CORRUPT_MESSAGE, not the memory they claim', async (t) => {
  const cluster = await startCluster(t, { brokers: [1] });
  const broker = cluster.brokers.get(1)!;
  await createTopic(cluster, 'recompressed', 1, {
    replicationFactor: 1,
    configs: ['compression.type=uncompressed'],
  });
  await createTopic(cluster, 'compacted', 1, {
    replicationFactor: 1,
    configs: ['cleanup.policy=compact'],
  });
  const client = new KafkaClient([{ nodeId: 1, host: '127.0.0.1', port: broker.port }]);
  t.teardown(() => client.close());
  const produce = async (topic: string, records: Buffer) => {
    const response = await client.send(1, ApiKey.Produce, 7, {
      acks: -1,
      timeoutMs: 10_000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
    });
    return response.responses[0]!.partitionResponses[0]!;
  };

  const hostile: [string, Buffer][] = [
    ['zstd frame of 20 bytes claiming 4 GiB', batchWithSection('zstd', zstdClaiming4GiB())],
    ['zstd frame of 128 KiB holding 4 GiB', batchWithSection('zstd', zstdHolding4GiB())],
    [
      'zstd frame without a size holding 1 GiB',
      batchWithSection('zstd', zstdBombWithoutSize(1024 * MiB)),
    ],
    ['gzip bomb of 128 MiB', batchWithSection('gzip', gzipBomb(128 * MiB))],
    ['lz4 bomb of 128 MiB', batchWithSection('lz4', lz4Bomb(128 * MiB))],
    ['lz4 frame claiming 4 GiB', batchWithSection('lz4', lz4Claiming4GiB())],
    ['raw snappy claiming 4 GiB', batchWithSection('snappy', snappyClaiming4GiB())],
    ['xerial snappy claiming 4 GiB', batchWithSection('snappy', xerialSnappyClaiming4GiB())],
  ];
  const peakBefore = peakRssMiB(broker.pid);
  for (const topic of ['recompressed', 'compacted']) {
    for (const [name, batch] of hostile) {
      t.ok(batch.length <= 1_048_588, `${name}: a batch of ${batch.length} bytes`);
      const answer = await produce(topic, batch);
      t.equal(answer.errorCode, ErrorCode.CORRUPT_MESSAGE, `${topic}: ${name} is CORRUPT_MESSAGE`);
    }
  }
  const peakAfter = peakRssMiB(broker.pid);
  t.comment(
    `broker peak RSS ${peakBefore.toFixed(0)} MiB before, ${peakAfter.toFixed(0)} MiB after`,
  );
  // The 100 MiB bound, a chunk list and its concatenation, and the broker itself: far from
  // the 4 GiB the frames claim.
  t.ok(peakAfter < 1024, `peak RSS ${peakAfter.toFixed(0)} MiB stays under 1 GiB`);

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
    for (const topic of ['recompressed', 'compacted']) {
      const batch = buildRecordBatch({
        records: [{ key: `key-${codec}`, value: `an honest ${codec} record `.repeat(20) }],
        compression: codec,
      });
      const answer = await produce(topic, batch);
      t.equal(answer.errorCode, ErrorCode.NONE, `${topic}: an honest ${codec} batch is stored`);
    }
  }
});
