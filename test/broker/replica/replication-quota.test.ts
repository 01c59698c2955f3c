/**
 * Replication quotas (KIP-73), driven with a manual clock: the sampled rate, when the quota
 * counts as exceeded, which partitions a broker throttles from the topic configs, and the
 * leader's rule in the replica manager (a throttled follower outside the ISR gets no records
 * while the quota is exceeded; one in the ISR always does).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/logger.js';
import { ManualScheduler } from '../../../src/scheduler.js';
import { buildRecordBatch } from '../../../src/protocol/kafka/record-batch.js';
import type { LeaderAndIsrRequest } from '../../../src/protocol/kafka/generated/index.js';
import {
  applyTopicThrottles,
  createReplicationQuotas,
  ReplicationQuotaManager,
  SampledRate,
  throttledPartitionsFor,
  UNBOUNDED_RATE,
} from '../../../broker/replica/replication-quota.js';
import { topicConfigError } from '../../../src/kafka-config/topic-configs.js';
import { ConfigRepository } from '../../../broker/server/config-repository.js';
import { prepareBrokerChange } from '../../../broker/server/alter-configs.js';
import { logConfig } from '../../../broker/log/log-config.js';
import { LogManager } from '../../../broker/log/log-manager.js';
import { MetadataCache } from '../../../broker/server/metadata-cache.js';
import { ReplicaManager } from '../../../broker/server/replica-manager.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';

const SECOND = 1000;

t.test('the rate: bytes over the time since the oldest sample, at least one window', async (t) => {
  const clock = new ManualClock(0);
  const rate = new SampledRate({ samples: 11, windowMs: SECOND });
  rate.record(1000, clock.nowMs());
  t.equal(rate.measure(clock.nowMs()), 1000, 'the first bytes are spread over one full window');
  clock.advance(500);
  t.equal(rate.measure(clock.nowMs()), 1000, 'still less than a window: still one window');
  clock.advance(1500);
  t.equal(rate.measure(clock.nowMs()), 500, '1000 bytes over 2 s');
  rate.record(3000, clock.nowMs());
  t.equal(rate.measure(clock.nowMs()), 2000, '4000 bytes over 2 s');
  // The samples cover 11 windows; after that the first sample (1000 bytes) is dropped.
  clock.advance(8 * SECOND);
  t.equal(rate.measure(clock.nowMs()), 4000 / 10, 'both samples, over 10 s');
  clock.advance(SECOND);
  t.equal(rate.measure(clock.nowMs()), 3000 / 9, 'at 11 s the first sample aged out');
  clock.advance(11 * SECOND);
  t.equal(rate.measure(clock.nowMs()), 0, 'a quiet spell forgets everything');
});

t.test('the quota is exceeded while the rate is above the bound', async (t) => {
  const clock = new ManualClock(0);
  const recorded: number[] = [];
  const quota = new ReplicationQuotaManager({
    side: 'leader',
    clock,
    onRecord: (bytes) => recorded.push(bytes),
  });
  t.equal(quota.upperBound, UNBOUNDED_RATE, 'no bound by default (Long.MAX_VALUE)');
  quota.record(10_000_000);
  t.notOk(quota.isQuotaExceeded(), 'without a bound nothing is ever exceeded');

  quota.updateQuota(200_000);
  t.ok(quota.isQuotaExceeded(), '10 MB in the first second is far above 200 KB/s');
  // 10 MB at 200 KB/s is 50 s of budget, but the samples only span 11 s: after 11 s the burst
  // ages out of the rate (Kafka's windowed rate forgets, it does not bill the debt forever).
  clock.advance(10 * SECOND);
  t.ok(quota.isQuotaExceeded());
  clock.advance(SECOND);
  t.notOk(quota.isQuotaExceeded(), 'the burst left the sampled span');

  quota.record(100_000);
  t.notOk(quota.isQuotaExceeded(), '100 KB in a window is below 200 KB/s');
  quota.record(100_001);
  t.ok(quota.isQuotaExceeded(), 'just above: exceeded (the bound itself is still accepted)');
  quota.updateQuota(UNBOUNDED_RATE);
  t.notOk(quota.isQuotaExceeded(), 'removing the rate lifts the throttle at once');
  t.same(recorded, [10_000_000, 100_000, 100_001], 'every recorded amount reaches the hook');
});

t.test('a greedy throttled copy averages to the bound', async (t) => {
  // A follower that fetches 64 KiB whenever the quota allows, every 50 ms, for 60 s.
  const clock = new ManualClock(0);
  const quota = new ReplicationQuotaManager({ side: 'follower', clock });
  const bound = 200_000;
  quota.updateQuota(bound);
  const chunk = 65_536;
  let copied = 0;
  const samples: { ms: number; copied: number }[] = [];
  for (let ms = 0; ms <= 60_000; ms += 50) {
    if (!quota.isQuotaExceeded()) {
      quota.record(chunk);
      copied += chunk;
    }
    samples.push({ ms, copied });
    clock.advance(50);
  }
  const average = copied / 60;
  t.ok(average <= bound * 1.05, `average ${Math.round(average)} B/s is within 5% of the bound`);
  t.ok(average >= bound * 0.9, `and the copy is not starved: ${Math.round(average)} B/s`);
  // Over any 10 s stretch it stays within the bound plus what one fetch may overshoot.
  let fastestStretch = 0;
  for (const a of samples) {
    const b = samples.find((s) => s.ms === a.ms + 10_000);
    if (b !== undefined) fastestStretch = Math.max(fastestStretch, b.copied - a.copied);
  }
  t.ok(
    fastestStretch <= bound * 10 + 2 * chunk,
    `the most copied in any 10 s is ${fastestStretch} bytes`,
  );
});

t.test('throttled partitions: the entries naming this broker, or every partition', async (t) => {
  t.equal(throttledPartitionsFor('*', 1), 'all');
  t.same([...(throttledPartitionsFor('0:1,1:2,2:1', 1) as Set<number>)], [0, 2]);
  t.same([...(throttledPartitionsFor(' 0 : 3 ', 3) as Set<number>)], [0], 'spaces are allowed');
  t.same([...(throttledPartitionsFor('0:2', 1) as Set<number>)], [], 'not this broker');

  const quotas = createReplicationQuotas({ clock: new ManualClock(0) });
  applyTopicThrottles(quotas, {
    topic: 'orders',
    brokerId: 2,
    overrides: {
      'leader.replication.throttled.replicas': '0:1,0:2',
      'follower.replication.throttled.replicas': '0:3',
      'retention.ms': '1000',
    },
  });
  t.ok(quotas.leader.isThrottled('orders', 0), 'broker 2 throttles partition 0 as its leader');
  t.equal(quotas.leader.describeThrottle('orders'), '0');
  t.notOk(quotas.leader.isThrottled('orders', 1), 'not partition 1');
  t.notOk(quotas.follower.isThrottled('orders', 0), 'the follower list names broker 3 only');
  t.notOk(quotas.leader.isThrottled('other', 0), 'other topics are not throttled');

  applyTopicThrottles(quotas, {
    topic: 'orders',
    brokerId: 2,
    overrides: { 'follower.replication.throttled.replicas': '*' },
  });
  t.notOk(quotas.leader.isThrottled('orders', 0), 'a removed list removes the throttle');
  t.ok(quotas.follower.isThrottled('orders', 7), '* throttles every partition');
  applyTopicThrottles(quotas, { topic: 'orders', brokerId: 2, overrides: {} });
  t.same(quotas.follower.throttledTopics(), [], 'no overrides, no throttle');
});

t.test('the configs: validated as Kafka does, resolved per broker', async (t) => {
  t.equal(topicConfigError({ 'leader.replication.throttled.replicas': '0:1,1:2' }), undefined);
  t.equal(topicConfigError({ 'follower.replication.throttled.replicas': '*' }), undefined);
  t.equal(topicConfigError({ 'follower.replication.throttled.replicas': '' }), undefined);
  t.match(
    topicConfigError({ 'leader.replication.throttled.replicas': '0-1' }),
    /must be the literal '\*' or a list of replicas/,
  );
  t.match(topicConfigError({ 'leader.replication.throttled.replicas': '*,0:1' }), /literal/);

  t.ok(prepareBrokerChange({ 'leader.replication.throttled.rate': '200000' }, 'own').ok);
  t.ok(prepareBrokerChange({ 'follower.replication.throttled.rate': '1' }, 'default').ok);
  const negative = prepareBrokerChange({ 'leader.replication.throttled.rate': '-1' }, 'own');
  t.equal(negative.ok, false, 'a negative rate is refused');
  if (!negative.ok) t.equal(negative.errorCode, ErrorCode.INVALID_CONFIG);
  const jbod = prepareBrokerChange(
    { 'replica.alter.log.dirs.io.max.bytes.per.second': '1' },
    'own',
  );
  t.equal(jbod.ok, false, 'the log-dir quota is Kafka config Samsa has no use for');

  const repository = new ConfigRepository({
    brokerId: 1,
    log: logConfig(),
    minInsyncReplicas: 1,
    uncleanLeaderElectionEnable: false,
    properties: new Map(),
    staticProperties: new Map(),
  });
  t.equal(repository.replicationThrottledRate('leader'), Infinity, 'unset: no bound');
  repository.setBrokerConfig('default', { 'leader.replication.throttled.rate': '500' });
  t.equal(repository.replicationThrottledRate('leader'), 500, 'the cluster-wide default');
  repository.setBrokerConfig('own', { 'leader.replication.throttled.rate': '300' });
  t.equal(repository.replicationThrottledRate('leader'), 300, "this broker's own value wins");
  t.equal(repository.replicationThrottledRate('follower'), Infinity, 'each side on its own');
});

t.test('the leader holds back records from a throttled follower outside the ISR', async (t) => {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-throttle-'));
  t.teardown(() => fs.rmSync(logDir, { recursive: true, force: true }));
  const scheduler = new ManualScheduler(0);
  const logger = silentLogger();
  const logManager = LogManager.startup({
    logDirs: [logDir],
    defaultConfig: logConfig(),
    clock: scheduler,
    scheduler,
    logger,
  });
  const quotas = createReplicationQuotas({ clock: scheduler });
  const replicaManager = new ReplicaManager({
    brokerId: 1,
    logManager,
    metadataCache: new MetadataCache({ clusterId: 'c' }),
    minInsyncReplicas: () => 1,
    clock: scheduler,
    scheduler,
    logger,
    replicationQuotas: quotas,
  });
  t.teardown(async () => {
    replicaManager.shutdown();
    await logManager.shutdown();
  });
  // Broker 1 leads orders-0 with replicas 1, 2, 3; broker 3 is in the ISR, broker 2 (being
  // added, say by a reassignment) is not.
  const request = {
    controllerId: 1,
    isKRaftController: false,
    controllerEpoch: 1,
    brokerEpoch: -1n,
    type: 0,
    ungroupedPartitionStates: [],
    topicStates: [
      {
        topicName: 'orders',
        topicId: '',
        partitionStates: [
          {
            topicName: 'orders',
            partitionIndex: 0,
            controllerEpoch: 1,
            leader: 1,
            leaderEpoch: 0,
            isr: [1, 3],
            partitionEpoch: 0,
            zkVersion: 0,
            replicas: [1, 2, 3],
            addingReplicas: [2],
            removingReplicas: [],
            isNew: true,
            leaderRecoveryState: 0,
            offlineReplicas: [],
          },
        ],
      },
    ],
    liveLeaders: [],
  } as unknown as LeaderAndIsrRequest;
  const answer = await replicaManager.becomeLeaderOrFollower(request, 4);
  t.equal(answer.errorCode, ErrorCode.NONE);
  const tp = { topic: 'orders', partition: 0 };
  const records = buildRecordBatch({
    records: Array.from({ length: 100 }, (_, i) => ({ value: `record-${i}`.padEnd(1000, '.') })),
    baseTimestamp: 0,
  });
  const [appended] = await replicaManager.appendRecords({
    acks: 1,
    timeoutMs: 1000,
    internalTopicsAllowed: false,
    entries: [{ topicPartition: tp, records }],
  });
  t.equal(appended?.errorCode, ErrorCode.NONE);
  const fetch = async (replicaId: number, fetchOffset = 0) => {
    const [result] = await replicaManager.fetchMessages({
      replicaId,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 10_000_000,
      isolationLevel: 0,
      partitions: [
        { topicPartition: tp, fetchOffset, partitionMaxBytes: 1_000_000, currentLeaderEpoch: 0 },
      ],
    });
    return result!;
  };

  quotas.leader.updateQuota(10_000);
  quotas.leader.markThrottled('orders', new Set([0]));
  const first = await fetch(2);
  t.equal(first.records.length, records.length, 'the quota is not exceeded yet: all of it');
  t.ok(quotas.leader.isQuotaExceeded(), '~100 KB sent: far above 10 KB/s');
  t.ok(quotas.leader.byteRate() >= records.length, 'the bytes were recorded against the quota');

  const held = await fetch(2);
  t.equal(held.errorCode, ErrorCode.NONE, 'no error ...');
  t.equal(held.records.length, 0, '... and no records for the throttled follower');
  t.equal(held.logEndOffset, 100, 'but the offsets, so it knows how far behind it is');

  const inSync = await fetch(3);
  t.equal(inSync.records.length, records.length, 'an ISR member is never throttled');

  // Broker 3 reports it has everything: the HW moves to 100, and consumers may read it all.
  await fetch(3, 100);
  const consumer = await fetch(-1);
  t.equal(consumer.records.length, records.length, 'consumers are not replication traffic');

  quotas.leader.markThrottled('orders', new Set([1]));
  t.equal((await fetch(2)).records.length, records.length, 'partition 0 no longer listed');

  quotas.leader.markThrottled('orders', 'all');
  t.equal((await fetch(2)).records.length, 0, 'throttled again');
  scheduler.advance(30 * SECOND);
  t.equal((await fetch(2)).records.length, records.length, 'the rate fell below the bound');
});
