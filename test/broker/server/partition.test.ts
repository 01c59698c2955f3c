/**
 * broker/server/partition.ts driven directly: the leader's follower fetch state, the
 * high-watermark rule, ISR shrink and expansion through the ISR manager (with a manual
 * scheduler and an in-memory state store), acks=-1 checks, and the follower side (copying
 * batches, truncating after a leader change until the logs are byte for byte equal).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/logger.js';
import { ManualScheduler } from '../../../src/scheduler.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { buildRecordBatch } from '../../../src/protocol/kafka/record-batch.js';
import type { LeaderAndIsrPartitionState } from '../../../src/protocol/kafka/generated/leader-and-isr.js';
import type { LeaderAndIsr } from '../../../src/znodes.js';
import { Log, type TopicPartition } from '../../../broker/log/log.js';
import { logConfig } from '../../../broker/log/log-config.js';
import { Partition, type IsrUpdateResult } from '../../../broker/server/partition.js';
import { IsrManager } from '../../../broker/replica/isr-manager.js';
import type { PartitionStateStore } from '../../../broker/replica/partition-state-store.js';
import { truncationOffset } from '../../../broker/replica/replica-fetcher.js';

const logger = silentLogger();
const TP = { topic: 'orders', partition: 0 };
const LAG_MS = 30_000;

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

function state(over: Partial<LeaderAndIsrPartitionState>): LeaderAndIsrPartitionState {
  return {
    topicName: TP.topic,
    partitionIndex: TP.partition,
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
    ...over,
  };
}

function batch(n: number, tag = 'r'): Buffer {
  return buildRecordBatch({
    records: Array.from({ length: n }, (_, i) => ({ value: `${tag}-${i}` })),
    baseTimestamp: 1_000,
  });
}

function produce(partition: Partition, n: number, tag?: string) {
  const outcome = partition.appendRecordsToLeader(batch(n, tag), { acks: 1, minInsyncReplicas: 1 });
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome;
}

/** A state znode in memory: conditional on its version, like the coordinator. */
class MemoryStateStore implements PartitionStateStore {
  version = 0;
  state: LeaderAndIsr | undefined;
  notifications: TopicPartition[][] = [];
  async updateLeaderAndIsr(
    _tp: TopicPartition,
    next: LeaderAndIsr,
    zkVersion: number,
  ): Promise<IsrUpdateResult> {
    if (zkVersion !== this.version) {
      return {
        outcome: 'stale',
        current: this.state && { leaderAndIsr: this.state, zkVersion: this.version },
      };
    }
    this.state = next;
    this.version++;
    return { outcome: 'written', zkVersion: this.version };
  }
  async writeIsrChangeNotification(partitions: readonly TopicPartition[]): Promise<void> {
    this.notifications.push([...partitions]);
  }
}

t.test(
  'leader: the HW is the smallest LEO over the ISR, learned from follower fetches',
  async (t) => {
    const leader = openPartition(t.testdir(), 1);
    leader.makeLeader(state({}), 0);
    produce(leader, 10);
    t.equal(leader.logEndOffset, 10);
    t.equal(leader.highWatermark, 0, 'no follower has fetched yet');
    let update = leader.updateFollowerFetchState(2, 10, 100);
    t.notOk(update.highWatermarkIncreased, 'follower 3 still unknown');
    t.equal(leader.followerState(2)?.logEndOffset, 10);
    t.equal(leader.followerState(2)?.lastCaughtUpTimeMs, 100, 'fetched at the LEO: caught up');
    update = leader.updateFollowerFetchState(3, 4, 100);
    t.ok(update.highWatermarkIncreased);
    t.equal(leader.highWatermark, 4, 'min(10, 10, 4)');
    leader.updateFollowerFetchState(3, 10, 200);
    t.equal(leader.highWatermark, 10);
    t.equal(
      leader.updateFollowerFetchState(9, 10, 200).highWatermarkIncreased,
      false,
      'not a replica',
    );
    const read = leader.read({
      fetchOffset: 0,
      maxBytes: 1 << 20,
      minOneBatch: true,
      upTo: 'highWatermark',
      currentLeaderEpoch: -1,
    });
    t.equal(read.highWatermark, 10);
    t.ok(read.records.length > 0);
  },
);

t.test('consumers never read above the HW; followers read to the LEO', async (t) => {
  const leader = openPartition(t.testdir(), 1);
  leader.makeLeader(state({}), 0);
  produce(leader, 5);
  const opts = { fetchOffset: 0, maxBytes: 1 << 20, minOneBatch: true, currentLeaderEpoch: -1 };
  t.equal(leader.read({ ...opts, upTo: 'highWatermark' }).records.length, 0);
  t.ok(leader.read({ ...opts, upTo: 'logEndOffset' }).records.length > 0);
  t.equal(
    leader.fetchOffsetForTimestamp(-1, 'readUncommitted')?.offset,
    0,
    'latest for consumers: the HW',
  );
  t.equal(leader.fetchOffsetForTimestamp(-1, undefined)?.offset, 5, 'latest for replicas: the LEO');
});

t.test('acks=-1: min.insync.replicas before appending and after', async (t) => {
  const leader = openPartition(t.testdir(), 1);
  leader.makeLeader(state({ isr: [1] }), 0);
  const refused = leader.appendRecordsToLeader(batch(1), { acks: -1, minInsyncReplicas: 2 });
  t.match(refused, { ok: false, errorCode: ErrorCode.NOT_ENOUGH_REPLICAS });
  t.equal(leader.logEndOffset, 0, 'nothing appended');
  t.match(leader.appendRecordsToLeader(batch(1), { acks: 1, minInsyncReplicas: 2 }), { ok: true });
  t.same(leader.checkEnoughReplicasReachOffset(1, 2), {
    done: true,
    errorCode: ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  });
  t.same(leader.checkEnoughReplicasReachOffset(2, 1), { done: false });
});

t.test('epoch fencing of clients', async (t) => {
  const leader = openPartition(t.testdir(), 1);
  leader.makeLeader(state({ leaderEpoch: 5 }), 0);
  t.equal(leader.checkCurrentLeaderEpoch(4), ErrorCode.FENCED_LEADER_EPOCH);
  t.equal(leader.checkCurrentLeaderEpoch(6), ErrorCode.UNKNOWN_LEADER_EPOCH);
  t.equal(leader.checkCurrentLeaderEpoch(5), ErrorCode.NONE);
  t.equal(leader.checkCurrentLeaderEpoch(-1), ErrorCode.NONE);
  t.equal(
    leader.lastOffsetForLeaderEpoch({ currentLeaderEpoch: 4, leaderEpoch: 5 }).errorCode,
    ErrorCode.FENCED_LEADER_EPOCH,
  );
});

t.test(
  'ISR shrink after replica.lag.time.max.ms, written conditionally, then the HW moves',
  async (t) => {
    const scheduler = new ManualScheduler(0);
    const store = new MemoryStateStore();
    const leader = openPartition(t.testdir(), 1);
    leader.makeLeader(state({}), scheduler.nowMs());
    const completed: TopicPartition[] = [];
    const isr = new IsrManager({
      scheduler,
      store,
      replicaLagTimeMaxMs: LAG_MS,
      partitions: () => [leader],
      onHighWatermarkIncreased: (tp) => completed.push(tp),
      logger,
      propagationBlackoutMs: 5_000,
      propagationIntervalMs: 60_000,
      propagationCheckIntervalMs: 2_500,
    });
    isr.startup();
    t.teardown(() => isr.shutdown());
    produce(leader, 10);
    // Follower 2 keeps up; follower 3 never fetches.
    for (let ms = 1_000; ms <= 31_000; ms += 1_000) {
      scheduler.advance(1_000);
      leader.updateFollowerFetchState(2, 10, scheduler.nowMs());
    }
    t.equal(leader.highWatermark, 0, 'held by follower 3');
    t.same(leader.isr, [1, 2, 3], 'not yet: 30 s have not passed since 3 was last caught up');
    scheduler.advance(15_000); // the next check, at 45 s
    await new Promise((r) => setImmediate(r));
    t.same(store.state?.isr, [1, 2], 'the shrink was written');
    t.same(leader.isr, [1, 2], 'and is in force');
    t.equal(leader.zkVersion, 1, 'with the new znode version');
    t.equal(leader.highWatermark, 10, 'no longer held by 3');
    t.same(completed, [TP], 'waiting requests are told');

    // The controller is told 5 s after the last change, by one notification.
    t.same(store.notifications, []);
    scheduler.advance(7_500);
    await new Promise((r) => setImmediate(r));
    t.same(store.notifications, [[TP]]);

    // Follower 3 comes back and catches up: expansion.
    const update = leader.updateFollowerFetchState(3, 10, scheduler.nowMs());
    t.equal(update.isrProposal?.kind, 'expand');
    t.same(leader.isr, [1, 2], 'not in force before it is written');
    await isr.submit(leader, update.isrProposal!);
    t.same(leader.isr, [1, 2, 3]);
    t.same(store.state?.isr, [1, 2, 3]);
  },
);

t.test('a follower must reach the current epoch start offset to rejoin', async (t) => {
  const leader = openPartition(t.testdir(), 1);
  leader.makeLeader(state({ isr: [1] }), 0);
  produce(leader, 10);
  leader.makeLeader(state({ isr: [1], leaderEpoch: 1 }), 0);
  t.equal(leader.leaderEpochStartOffset, 10);
  t.equal(leader.highWatermark, 10);
  t.equal(leader.updateFollowerFetchState(2, 9, 0).isrProposal, undefined, 'below the HW');
  t.equal(leader.updateFollowerFetchState(2, 10, 0).isrProposal?.kind, 'expand');
  t.equal(leader.updateFollowerFetchState(3, 10, 0).isrProposal, undefined, 'one change at a time');
});

t.test('a stale znode version: adopt the newer state if it is still ours, else stop', async (t) => {
  const leader = openPartition(t.testdir(), 1);
  leader.makeLeader(state({ isr: [1, 2] }), 0);
  produce(leader, 3);
  // The controller removed 2 from the ISR meanwhile (same leader epoch here).
  const proposal = leader.updateFollowerFetchState(3, 3, 0).isrProposal!;
  t.ok(proposal, 'expansion proposed');
  leader.completeIsrUpdate(proposal, {
    outcome: 'stale',
    current: {
      leaderAndIsr: { leader: 1, leaderEpoch: 0, isr: [1], controllerEpoch: 1 },
      zkVersion: 4,
    },
  });
  t.same(leader.isr, [1], 'adopted');
  t.equal(leader.zkVersion, 4);
  const again = leader.updateFollowerFetchState(3, 3, 0).isrProposal!;
  leader.completeIsrUpdate(again, {
    outcome: 'stale',
    current: {
      leaderAndIsr: { leader: 2, leaderEpoch: 1, isr: [2], controllerEpoch: 2 },
      zkVersion: 5,
    },
  });
  t.same(leader.isr, [1], 'another leader exists: our state is left alone until LeaderAndIsr');
  t.equal(leader.pendingIsrUpdate, undefined);
  t.ok(leader.updateFollowerFetchState(3, 3, 0).isrProposal, 'a failure leaves room to retry');
});

t.test('followers copy batches as written; HW from the leader, capped by the LEO', async (t) => {
  const dir = t.testdir();
  const leader = openPartition(dir, 1);
  const follower = openPartition(dir, 2);
  leader.makeLeader(state({}), 0);
  follower.makeFollower(state({}));
  produce(leader, 4);
  produce(leader, 3);
  const copied = leader.read({
    fetchOffset: 0,
    maxBytes: 1 << 20,
    minOneBatch: true,
    upTo: 'logEndOffset',
    currentLeaderEpoch: 0,
  });
  t.match(follower.appendRecordsAsFollower(copied.records), { ok: true });
  t.equal(follower.logEndOffset, 7);
  follower.updateFollowerHighWatermark(100);
  t.equal(follower.highWatermark, 7, 'capped by our LEO');
  follower.updateFollowerHighWatermark(3);
  t.equal(follower.highWatermark, 3);
  t.same(follower.leaderEpochCache.entries, [{ epoch: 0, startOffset: 0 }]);
  t.match(follower.appendRecordsToLeader(batch(1), { acks: 1, minInsyncReplicas: 1 }), {
    ok: false,
    errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
  });
});

/** Copies everything from `leader` to `follower` from the follower's LEO, as a fetcher does. */
function catchUp(leader: Partition, follower: Partition): void {
  const read = leader.read({
    fetchOffset: follower.logEndOffset,
    maxBytes: 1 << 24,
    minOneBatch: true,
    upTo: 'logEndOffset',
    currentLeaderEpoch: -1,
  });
  const result = follower.appendRecordsAsFollower(read.records);
  if (!result.ok) throw new Error(result.error.message);
  follower.updateFollowerHighWatermark(leader.highWatermark);
}

/** The truncation rounds a fetcher runs against `leader` before it fetches. */
function truncateAgainst(leader: Partition, follower: Partition): number {
  for (let round = 1; ; round++) {
    const latest = follower.leaderEpochCache.latestEpoch;
    if (latest === undefined) {
      follower.truncateTo(follower.highWatermark);
      return round;
    }
    const answer = leader.lastOffsetForLeaderEpoch({ currentLeaderEpoch: -1, leaderEpoch: latest });
    const decision = truncationOffset({
      requestedEpoch: latest,
      leaderEpoch: answer.epoch,
      leaderEndOffset: answer.endOffset,
      partition: follower,
    });
    follower.truncateTo(decision.offset);
    if (decision.done) return round;
  }
}

function segmentBytes(p: Partition): Buffer {
  const dir = p.log.dir;
  return Buffer.concat(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .sort()
      .map((f) => fs.readFileSync(path.join(dir, f))),
  );
}

t.test(
  'a divergent follower truncates and converges (KIP-101): old leader comes back',
  async (t) => {
    const dir = t.testdir();
    const b1 = openPartition(dir, 1);
    const b2 = openPartition(dir, 2);
    // Epoch 0: broker 1 leads, 2 follows; 10 records replicated, then 5 more only on 1.
    b1.makeLeader(state({ leader: 1, leaderEpoch: 0, isr: [1, 2] }), 0);
    b2.makeFollower(state({ leader: 1, leaderEpoch: 0, isr: [1, 2] }));
    produce(b1, 10, 'a');
    catchUp(b1, b2);
    produce(b1, 5, 'lost');
    // Broker 1 dies; 2 leads at epoch 1 and takes 7 different records at offsets 10-16.
    b2.makeLeader(state({ leader: 2, leaderEpoch: 1, isr: [2] }), 0);
    produce(b2, 7, 'b');
    // Broker 1 returns as a follower: its offsets 10-14 hold records 2 never had.
    b1.makeFollower(state({ leader: 2, leaderEpoch: 2, isr: [2] }));
    t.equal(truncateAgainst(b2, b1), 1, 'one round');
    t.equal(b1.logEndOffset, 10, 'truncated to where epoch 0 ends on the leader');
    catchUp(b2, b1);
    t.equal(b1.logEndOffset, 17);
    t.ok(segmentBytes(b1).equals(segmentBytes(b2)), 'the logs are byte for byte equal');
    t.same(b1.leaderEpochCache.entries, b2.leaderEpochCache.entries);
  },
);

t.test(
  'several quick failovers: the follower steps back one epoch per round (KIP-279)',
  async (t) => {
    const dir = t.testdir();
    const b1 = openPartition(dir, 1);
    const b2 = openPartition(dir, 2);
    const b3 = openPartition(dir, 3);
    // Epoch 0 on 1, replicated to 2 and 3.
    b1.makeLeader(state({ leader: 1, leaderEpoch: 0 }), 0);
    b2.makeFollower(state({ leader: 1, leaderEpoch: 0 }));
    b3.makeFollower(state({ leader: 1, leaderEpoch: 0 }));
    produce(b1, 4, 'e0');
    catchUp(b1, b2);
    catchUp(b1, b3);
    // Epoch 1: 2 leads and writes 3 records that no other replica copies.
    b2.makeLeader(state({ leader: 2, leaderEpoch: 1 }), 0);
    produce(b2, 3, 'e1');
    // Epoch 2: 1 leads again (it never saw epoch 1), writes 2 records; 3 copies them.
    b1.makeFollower(state({ leader: 2, leaderEpoch: 1 }));
    b1.makeLeader(state({ leader: 1, leaderEpoch: 2 }), 0);
    produce(b1, 2, 'e2');
    b3.makeFollower(state({ leader: 1, leaderEpoch: 2 }));
    t.equal(truncateAgainst(b1, b3), 1);
    catchUp(b1, b3);
    // Epoch 3: 3 leads, writes more; 2 (with epoch 1's records at 4-6) follows it.
    b3.makeLeader(state({ leader: 3, leaderEpoch: 3 }), 0);
    produce(b3, 6, 'e3');
    b2.makeFollower(state({ leader: 3, leaderEpoch: 3 }));
    const rounds = truncateAgainst(b3, b2);
    t.equal(b2.logEndOffset, 4, 'epoch 1 cut off: 3 has epoch 0 ending at 4');
    t.ok(rounds >= 1);
    catchUp(b3, b2);
    t.ok(segmentBytes(b2).equals(segmentBytes(b3)), 'converged byte for byte');
    t.same(
      b2.leaderEpochCache.entries.map((e) => e.epoch),
      [0, 2, 3],
      'the follower now has the epochs of the leader',
    );
  },
);

t.test('truncationOffset: no epoch on the leader means truncate to the HW', async (t) => {
  const follower = openPartition(t.testdir(), 2);
  follower.makeFollower(state({ leader: 1 }));
  t.same(
    truncationOffset({
      requestedEpoch: 0,
      leaderEpoch: -1,
      leaderEndOffset: -1,
      partition: follower,
    }),
    { offset: 0, done: true },
  );
});
