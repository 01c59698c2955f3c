/**
 * The last stable offset of a replicated partition (broker/server/partition.ts): a marker
 * makes a transaction stable only once the high watermark passes it, on the leader and on a
 * follower that copied the batches; read_committed reads and ListOffsets stop at the LSO.
 */
import * as path from 'node:path';
import t from 'tap';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/logger.js';
import { buildRecordBatch } from '../../../src/protocol/kafka/record-batch.js';
import { buildEndTxnMarkerBatch } from '../../../src/protocol/kafka/end-transaction-marker.js';
import type { LeaderAndIsrPartitionState } from '../../../src/protocol/kafka/generated/leader-and-isr.js';
import { Log } from '../../../broker/log/log.js';
import { logConfig } from '../../../broker/log/log-config.js';
import { Partition } from '../../../broker/server/partition.js';

const logger = silentLogger();
const TP = { topic: 'orders', partition: 0 };

function openPartition(dir: string, brokerId: number): Partition {
  const log = Log.open({
    dir: path.join(dir, `broker-${brokerId}`, 'orders-0'),
    topicPartition: TP,
    config: logConfig({}),
    clock: new ManualClock(),
    logger,
    recoveryPoint: 0,
    hadCleanShutdown: true,
  });
  return new Partition({
    topicPartition: TP,
    localBrokerId: brokerId,
    log,
    checkpointedHighWatermark: undefined,
    logger,
  });
}

function state(leader: number): LeaderAndIsrPartitionState {
  return {
    topicName: TP.topic,
    partitionIndex: TP.partition,
    controllerEpoch: 1,
    leader,
    leaderEpoch: 0,
    isr: [1, 2],
    partitionEpoch: 0,
    replicas: [1, 2],
    addingReplicas: [],
    removingReplicas: [],
    isNew: true,
    leaderRecoveryState: 0,
  };
}

const txn = (producerId: number, seq: number, count: number) =>
  buildRecordBatch({
    producerId,
    producerEpoch: 0,
    baseSequence: seq,
    transactional: true,
    baseTimestamp: 1000,
    records: Array.from({ length: count }, (_, i) => ({ value: `p${producerId}-${seq + i}` })),
  });
const marker = (producerId: number, type: 'COMMIT' | 'ABORT') =>
  buildEndTxnMarkerBatch({
    producerId,
    producerEpoch: 0,
    marker: { type, coordinatorEpoch: 0 },
    timestampMs: 1000,
  });

t.test('the LSO moves when the high watermark passes the marker', async (t) => {
  const dir = t.testdir();
  const leader = openPartition(dir, 1);
  const follower = openPartition(dir, 2);
  leader.makeLeader(state(1), 0);
  follower.makeFollower(state(1));
  const append = (records: Buffer, origin: 'client' | 'coordinator' = 'client') => {
    const outcome = leader.appendRecordsToLeader(records, {
      acks: -1,
      minInsyncReplicas: 1,
      origin,
    });
    if (!outcome.ok) throw new Error(outcome.message);
  };
  /** The follower copies everything new, then fetches again (which tells the leader). */
  const replicate = () => {
    const read = leader.read({
      fetchOffset: follower.logEndOffset,
      maxBytes: 1 << 20,
      minOneBatch: true,
      upTo: 'logEndOffset',
      currentLeaderEpoch: 0,
    });
    if (read.records.length > 0) follower.appendRecordsAsFollower(read.records);
    leader.updateFollowerFetchState(2, follower.logEndOffset, 0);
    follower.updateFollowerHighWatermark(leader.highWatermark);
  };
  append(txn(1, 0, 2)); // 0-1
  append(txn(2, 0, 1)); // 2
  replicate();
  t.same([leader.highWatermark, leader.lastStableOffset], [3, 0], 'open transactions');
  append(marker(1, 'ABORT'), 'coordinator'); // 3
  append(marker(2, 'COMMIT'), 'coordinator'); // 4
  t.same([leader.highWatermark, leader.lastStableOffset], [3, 0], 'markers not yet committed');
  replicate();
  t.same([leader.highWatermark, leader.lastStableOffset], [5, 5], 'committed: stable');
  replicate(); // the follower learns the new HW
  t.same([follower.highWatermark, follower.lastStableOffset], [5, 5], 'the same on the follower');
  t.same(
    follower.log.producerState.ongoingTxns,
    [],
    'the follower closed both from the markers it copied',
  );
  t.same(
    follower.log.activeSegment.txnIndex.entries,
    leader.log.activeSegment.txnIndex.entries,
    'and wrote the same .txnindex',
  );
  const committed = leader.read({
    fetchOffset: 0,
    maxBytes: 1 << 20,
    minOneBatch: true,
    upTo: 'lastStableOffset',
    currentLeaderEpoch: -1,
  });
  t.same(
    committed.abortedTransactions?.map((a) => [a.producerId, a.firstOffset]),
    [[1, 0]],
  );
  append(txn(3, 0, 1)); // 5
  replicate();
  t.equal(leader.fetchOffsetForTimestamp(-1, 'readCommitted')?.offset, 5);
  t.equal(leader.fetchOffsetForTimestamp(-1, 'readUncommitted')?.offset, 6);
  // DeleteRecords past the open transaction's start: the LSO counts from the log start.
  leader.log.maybeIncrementLogStartOffset(6);
  t.equal(leader.lastStableOffset, 6);
});
