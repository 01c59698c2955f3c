/**
 * DeleteRecords on a Partition driven directly (broker/server/partition.ts): where the log
 * start offset may move, the errors, and the low watermark a DeleteRecords request waits for
 * (the smallest start offset among the leader and the followers on live brokers).
 */
import * as path from 'node:path';
import t from 'tap';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/logger.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { buildRecordBatch } from '../../../src/protocol/kafka/record-batch.js';
import { Log } from '../../../broker/log/log.js';
import { logConfig, type LogConfig } from '../../../broker/log/log-config.js';
import { DELETE_RECORDS_HIGH_WATERMARK, Partition } from '../../../broker/server/partition.js';

const logger = silentLogger();
const TP = { topic: 'orders', partition: 0 };

function leader(dir: string, config: Partial<LogConfig> = {}): Partition {
  const log = Log.open({
    dir: path.join(dir, 'orders-0'),
    topicPartition: TP,
    config: logConfig(config),
    clock: new ManualClock(),
    logger,
    recoveryPoint: 0,
    hadCleanShutdown: true,
  });
  const partition = new Partition({
    topicPartition: TP,
    localBrokerId: 1,
    log,
    checkpointedHighWatermark: undefined,
    logger,
  });
  partition.makeLeader(
    {
      topicName: TP.topic,
      partitionIndex: 0,
      controllerEpoch: 1,
      leader: 1,
      leaderEpoch: 0,
      isr: [1, 2, 3],
      partitionEpoch: 0,
      replicas: [1, 2, 3],
      addingReplicas: [],
      removingReplicas: [],
      isNew: true,
      leaderRecoveryState: 0,
    },
    0,
  );
  const records = buildRecordBatch({
    records: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })),
  });
  partition.appendRecordsToLeader(records, { acks: 1, minInsyncReplicas: 1 });
  return partition;
}

t.test('the log start offset moves up to the high watermark, no further', (t) => {
  const p = leader(t.testdir());
  // Followers 2 and 3 have fetched up to 6: the HW is 6.
  p.updateFollowerFetchState(2, 6, 0);
  p.updateFollowerFetchState(3, 6, 0);
  t.equal(p.highWatermark, 6);
  t.same(p.deleteRecordsOnLeader(7), {
    errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
    requestedOffset: -1,
  });
  t.same(p.deleteRecordsOnLeader(4), { errorCode: ErrorCode.NONE, requestedOffset: 4 });
  t.equal(p.logStartOffset, 4);
  t.same(p.deleteRecordsOnLeader(2), { errorCode: ErrorCode.NONE, requestedOffset: 2 });
  t.equal(p.logStartOffset, 4, 'never backwards');
  t.same(p.deleteRecordsOnLeader(DELETE_RECORDS_HIGH_WATERMARK), {
    errorCode: ErrorCode.NONE,
    requestedOffset: 6,
  });
  const read = p.read({
    fetchOffset: 3,
    maxBytes: 1000,
    minOneBatch: true,
    upTo: 'highWatermark',
    currentLeaderEpoch: -1,
  });
  t.equal(read.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE, 'a fetch below the start');
  t.end();
});

t.test('the low watermark waits for the followers on live brokers', (t) => {
  const p = leader(t.testdir());
  p.updateFollowerFetchState(2, 10, 0);
  p.updateFollowerFetchState(3, 10, 0);
  p.deleteRecordsOnLeader(5);
  const allAlive = () => true;
  t.equal(p.lowWatermark(allAlive), -1, 'followers not heard from count as -1');
  p.updateFollowerLogStartOffset(2, 5);
  t.equal(p.lowWatermark(allAlive), -1);
  t.equal(
    p.lowWatermark((id) => id !== 3),
    5,
    'a dead broker is not waited for',
  );
  p.updateFollowerLogStartOffset(3, 5);
  t.equal(p.lowWatermark(allAlive), 5);
  t.end();
});

t.test('refused off the leader and for compact-only topics', (t) => {
  const compact = leader(t.testdir(), { cleanupPolicy: ['compact'] });
  t.equal(compact.deleteRecordsOnLeader(1).errorCode, ErrorCode.POLICY_VIOLATION);
  compact.makeFollower({
    topicName: TP.topic,
    partitionIndex: 0,
    controllerEpoch: 1,
    leader: 2,
    leaderEpoch: 1,
    isr: [1, 2, 3],
    partitionEpoch: 1,
    replicas: [1, 2, 3],
    addingReplicas: [],
    removingReplicas: [],
    isNew: false,
    leaderRecoveryState: 0,
  });
  t.equal(compact.deleteRecordsOnLeader(1).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  t.end();
});
