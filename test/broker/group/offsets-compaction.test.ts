/**
 * __consumer_offsets is a compacted topic (cleanup.policy=compact, as Kafka's
 * GroupMetadataManager creates it): with small segments (offsets.topic.segment.bytes) and a
 * quick cleaner, hundreds of commits of one group/partition key shrink to the latest, a deleted
 * group's tombstones go, and a broker restarted after a SIGKILL loads exactly the latest
 * offsets from the compacted log. Real processes: one coordinator, one broker; kafkajs admin.
 */
import * as fs from 'node:fs';
import t from 'tap';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { decodeRecords, readBatches } from '../../../src/protocol/kafka/record-batch.js';
import { RawClient } from '../server/harness.js';
import {
  kafka as kafkaClient,
  kill9,
  restart,
  startCluster,
  waitFor,
} from '../../helpers/cluster.js';

/** Every record in the partition's segment files: [segment count, records, tombstones]. */
function offsetsLog(dataDir: string): { segments: number; records: number; tombstones: number } {
  const dir = `${dataDir}/__consumer_offsets-0`;
  const logs = fs.readdirSync(dir).filter((f) => f.endsWith('.log'));
  let records = 0;
  let tombstones = 0;
  for (const file of logs) {
    for (const batch of readBatches(fs.readFileSync(`${dir}/${file}`)).batches) {
      for (const record of decodeRecords(batch)) {
        records++;
        if (record.value === null) tombstones++;
      }
    }
  }
  return { segments: logs.length, records, tombstones };
}

t.test('__consumer_offsets is compacted and loads the latest offsets after a crash', async (t) => {
  const readyText = 'became controller';
  const cluster = await startCluster(t, {
    brokers: [1],
    overrides: [
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'offsets.topic.segment.bytes=4096',
      'log.cleaner.backoff.ms=100',
      'log.cleaner.min.cleanable.ratio=0.1',
    ],
    readyText,
  });
  const dataDir = `${cluster.dir}/broker-1`;
  const kafka = kafkaClient(cluster, { clientId: 'offsets-compaction' });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await waitFor('the topic to be created', async () => {
    try {
      await admin.createTopics({
        topics: [{ topic: 'data', numPartitions: 20 }],
        waitForLeaders: true,
      });
      return true;
    } catch {
      return undefined;
    }
  });

  // 40 commits by "busy" of 20 partitions each (800 offset records), 3 by "quiet", and a
  // group that is deleted (a tombstone per key).
  const PARTITIONS = 20;
  // Simple commits (generation -1, no member), as a tool outside the group makes them, over
  // one connection: OffsetCommit v2 straight to the only broker, the group's coordinator.
  const client = await RawClient.connect(cluster.brokers.get(1)!.port);
  t.teardown(() => client.close());
  const commit = async (groupId: string, offset: number) => {
    const response = await client.send(ApiKey.OffsetCommit, 2, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [
        {
          name: 'data',
          partitions: Array.from({ length: PARTITIONS }, (_, p) => ({
            partitionIndex: p,
            committedOffset: BigInt(offset * (p + 1)),
            committedLeaderEpoch: -1,
            commitTimestamp: -1n,
            committedMetadata: '',
          })),
        },
      ],
    });
    const errors = response.topics.flatMap((topic) => topic.partitions.map((p) => p.errorCode));
    if (errors.some((e) => e !== ErrorCode.NONE))
      throw new Error(`commit failed: ${errors.join(',')}`);
  };
  // FindCoordinator creates __consumer_offsets; commits succeed once its partition is loaded.
  await waitFor('__consumer_offsets to be ready', async () => {
    await client.send(ApiKey.FindCoordinator, 1, { key: 'busy', keyType: 0, coordinatorKeys: [] });
    return commit('busy', 1).then(
      () => true,
      () => undefined,
    );
  });
  for (let i = 2; i <= 30; i++) await commit('busy', i);
  for (let i = 1; i <= 3; i++) await commit('quiet', i);
  await commit('gone', 7);
  await admin.deleteGroups(['gone']);
  // Keep committing so that the tombstones and the last commits leave the active segment.
  for (let i = 31; i <= 40; i++) await commit('busy', i);

  const before = offsetsLog(dataDir);
  t.ok(before.segments > 1, `${before.segments} segments of 4 KiB`);
  const compacted = await waitFor('the cleaner to compact __consumer_offsets', async () => {
    const now = offsetsLog(dataDir);
    // Uncompacted the log holds 20 records per commit (880 and the tombstones); compacted,
    // one per key (60) plus what is still in the active segment.
    return now.records < 200 ? now : undefined;
  });
  t.ok(compacted.records < 200, `${compacted.records} records left of more than 880 written`);

  const killed = await kill9(cluster, 1);
  await restart(t, cluster, killed, { readyText });
  const offsets = async (groupId: string) => {
    const result = await waitFor(`the offsets of ${groupId}`, async () => {
      try {
        return await admin.fetchOffsets({ groupId, topics: ['data'] });
      } catch {
        return undefined; // COORDINATOR_LOAD_IN_PROGRESS while the partition loads
      }
    });
    return result[0]!.partitions
      .sort((a, b) => a.partition - b.partition)
      .map((p) => Number(p.offset));
  };
  const each = (f: (p: number) => number) => Array.from({ length: PARTITIONS }, (_, p) => f(p));
  t.same(
    await offsets('busy'),
    each((p) => 40 * (p + 1)),
    'the latest commit of each key',
  );
  t.same(
    await offsets('quiet'),
    each((p) => 3 * (p + 1)),
  );
  t.same(
    await offsets('gone'),
    each(() => -1),
    'the deleted group stays deleted',
  );
});
