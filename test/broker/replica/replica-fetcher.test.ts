/**
 * The replica fetcher against a real leader (the in-process broker of
 * test/broker/server/harness.ts, over TCP): it copies the leader's batches byte for byte,
 * takes the leader's high watermark, and after a leader change truncates the records it wrote
 * as a leader the new leader never had (OffsetsForLeaderEpoch on the wire) before copying the
 * new leader's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/logger.js';
import { SystemScheduler } from '../../../src/scheduler.js';
import { buildRecordBatch } from '../../../src/protocol/kafka/record-batch.js';
import type { LeaderAndIsrPartitionState } from '../../../src/protocol/kafka/generated/leader-and-isr.js';
import { Log } from '../../../broker/log/log.js';
import { logConfig } from '../../../broker/log/log-config.js';
import { Partition } from '../../../broker/server/partition.js';
import {
  DEFAULT_REPLICA_FETCHER_CONFIG,
  ReplicaFetcher,
} from '../../../broker/replica/replica-fetcher.js';
import {
  ReplicationQuotaManager,
  UNBOUNDED_RATE,
} from '../../../broker/replica/replication-quota.js';
import { BROKER_ID, RawClient, startBroker } from '../server/harness.js';

const logger = silentLogger();
const FOLLOWER_ID = 2;
const TP = { topic: 'orders', partition: 0 };

function state(leader: number, leaderEpoch: number): LeaderAndIsrPartitionState {
  return {
    topicName: TP.topic,
    partitionIndex: TP.partition,
    controllerEpoch: 1,
    leader,
    leaderEpoch,
    isr: [BROKER_ID, FOLLOWER_ID],
    partitionEpoch: 0,
    replicas: [BROKER_ID, FOLLOWER_ID],
    addingReplicas: [],
    removingReplicas: [],
    isNew: false,
    leaderRecoveryState: 0,
  };
}

const batch = (values: string[]) =>
  buildRecordBatch({ records: values.map((value) => ({ value })), baseTimestamp: 1_000 });

async function waitFor(what: string, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function segmentBytes(dir: string): Buffer {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  return Buffer.concat(files.map((f) => fs.readFileSync(path.join(dir, f))));
}

t.test('copies, truncates after a leader change, and converges byte for byte', async (t) => {
  const leader = await startBroker(t);
  await leader.controller.createTopic(TP.topic, 1);
  const client = await RawClient.connect(leader.port);
  t.teardown(() => client.close());
  const produce = (values: string[]) =>
    client.send(0, 7, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 5000,
      topicData: [{ name: TP.topic, partitionData: [{ index: 0, records: batch(values) }] }],
    });
  await produce(['a0', 'a1', 'a2', 'a3', 'a4']);

  const follower = new Partition({
    topicPartition: TP,
    localBrokerId: FOLLOWER_ID,
    log: Log.open({
      dir: path.join(t.testdir(), 'orders-0'),
      topicPartition: TP,
      config: logConfig({}),
      clock: new ManualClock(),
      logger,
      recoveryPoint: 0,
      hadCleanShutdown: true,
    }),
    checkpointedHighWatermark: undefined,
    logger,
  });
  const startFetcher = (leaderEpoch: number) => {
    const fetcher = new ReplicaFetcher({
      sourceBroker: { id: BROKER_ID, host: '127.0.0.1', port: leader.port },
      localBrokerId: FOLLOWER_ID,
      scheduler: new SystemScheduler(),
      config: { ...DEFAULT_REPLICA_FETCHER_CONFIG, fetchWaitMaxMs: 100, fetchBackoffMs: 50 },
      partitions: { getPartition: () => follower },
      logger,
    });
    fetcher.addPartitions([{ tp: TP, leaderEpoch }]);
    return fetcher;
  };

  // Epoch 0: broker 1 leads; the follower copies its five records and its HW.
  follower.makeFollower(state(BROKER_ID, 0));
  const first = startFetcher(0);
  await waitFor(
    'the first copy',
    () => follower.logEndOffset === 5 && follower.highWatermark === 5,
  );
  first.shutdown();
  const leaderDir = path.join(leader.logDir, 'orders-0');
  t.ok(segmentBytes(follower.log.dir).equals(segmentBytes(leaderDir)), 'same bytes as the leader');

  // Epoch 1: the follower leads for a while (the old leader is unreachable) and writes four
  // records nobody copies. Epoch 2: broker 1 leads again and writes six other records.
  follower.makeLeader(state(FOLLOWER_ID, 1), 0);
  const lost = follower.appendRecordsToLeader(batch(['lost0', 'lost1', 'lost2', 'lost3']), {
    acks: 1,
    minInsyncReplicas: 1,
  });
  t.ok(lost.ok);
  t.equal(follower.logEndOffset, 9);
  await leader.controller.publish([TP.topic], { bumpEpoch: true });
  await leader.controller.publish([TP.topic], { bumpEpoch: true });
  t.equal(leader.replicaManager.getPartition(TP)?.leaderEpoch, 2);
  await produce(['b0', 'b1', 'b2', 'b3', 'b4', 'b5']);

  // The follower follows broker 1 at epoch 2: truncate to 5, then copy offsets 5-10.
  follower.makeFollower(state(BROKER_ID, 2));
  const second = startFetcher(2);
  t.teardown(() => second.shutdown());
  await waitFor('convergence', () => follower.logEndOffset === 11 && follower.highWatermark === 11);
  t.ok(
    segmentBytes(follower.log.dir).equals(segmentBytes(leaderDir)),
    "the follower's log is the leader's, byte for byte",
  );
  t.same(
    follower.leaderEpochCache.entries,
    leader.replicaManager.getPartition(TP)!.leaderEpochCache.entries,
    'and so are the epochs',
  );
  t.same(
    second.describe(),
    [{ partition: 'orders-0', state: 'fetching', leaderEpoch: 2 }],
    'truncation done, fetching',
  );
});

t.test('throttled partitions that are behind wait for the follower quota', async (t) => {
  // Two partitions from the same leader, one throttled on the follower side. Each fetch
  // brings one batch per partition (replica.fetch.max.bytes=1: the first batch is always
  // whole), so after the first answer both are behind the leader's HW.
  const leader = await startBroker(t);
  await leader.controller.createTopic('pair', 2);
  const client = await RawClient.connect(leader.port);
  t.teardown(() => client.close());
  const produce = (partition: number, values: string[]) =>
    client.send(0, 7, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 5000,
      topicData: [{ name: 'pair', partitionData: [{ index: partition, records: batch(values) }] }],
    });
  for (const partition of [0, 1]) {
    for (const values of [['a'], ['b'], ['c']]) await produce(partition, values);
  }
  const followers = [0, 1].map((partition) => {
    const tp = { topic: 'pair', partition };
    const replica = new Partition({
      topicPartition: tp,
      localBrokerId: FOLLOWER_ID,
      log: Log.open({
        dir: path.join(t.testdir(), `pair-${partition}`),
        topicPartition: tp,
        config: logConfig({}),
        clock: new ManualClock(),
        logger,
        recoveryPoint: 0,
        hadCleanShutdown: true,
      }),
      checkpointedHighWatermark: undefined,
      logger,
    });
    replica.makeFollower({ ...state(BROKER_ID, 0), topicName: 'pair', partitionIndex: partition });
    return replica;
  });
  const [throttled, free] = followers as [Partition, Partition];
  // The quota's clock stands still: once exceeded, it stays exceeded until the bound moves.
  const quota = new ReplicationQuotaManager({ side: 'follower', clock: new ManualClock(0) });
  quota.updateQuota(1);
  quota.markThrottled('pair', new Set([0]));
  const fetcher = new ReplicaFetcher({
    sourceBroker: { id: BROKER_ID, host: '127.0.0.1', port: leader.port },
    localBrokerId: FOLLOWER_ID,
    scheduler: new SystemScheduler(),
    config: {
      ...DEFAULT_REPLICA_FETCHER_CONFIG,
      fetchWaitMaxMs: 100,
      fetchBackoffMs: 50,
      fetchMaxBytes: 1,
    },
    partitions: { getPartition: (tp) => followers[tp.partition] },
    logger,
    quota,
  });
  t.teardown(() => fetcher.shutdown());
  fetcher.addPartitions(
    [0, 1].map((partition) => ({ tp: { topic: 'pair', partition }, leaderEpoch: 0 })),
  );

  await waitFor('the free partition to catch up', () => free.logEndOffset === 3);
  t.equal(throttled.logEndOffset, 1, 'the throttled one got the first batch, then waited');
  t.ok(quota.isQuotaExceeded(), 'its bytes were recorded against the quota');

  quota.updateQuota(UNBOUNDED_RATE);
  await waitFor('the throttled partition to catch up', () => throttled.logEndOffset === 3);

  // Caught up (its LEO reached the leader's HW): in sync, so no longer throttled.
  quota.updateQuota(1);
  t.ok(quota.isQuotaExceeded());
  await produce(0, ['d']);
  await produce(1, ['d']);
  await waitFor('both to copy the new batch', () => {
    return throttled.logEndOffset === 4 && free.logEndOffset === 4;
  });
  t.same(
    [throttled.logEndOffset, free.logEndOffset],
    [4, 4],
    'an in-sync replica is never throttled',
  );
});
