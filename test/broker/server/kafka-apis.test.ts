/**
 * KafkaApis over the wire with a raw protocol client: the controller's requests (and their
 * epoch fencing), Produce validation errors, acks 0/1/-1, Fetch (long poll, limits, out of
 * range, sessions), ListOffsets, Metadata (auto-creation, invalid names), admin requests and
 * DescribeConfigs. Client interop (kafkajs, kcat) is in test/broker/interop/.
 */
import t from 'tap';
import {
  buildRecordBatch,
  decodeRecords,
  readBatches,
} from '../../../src/protocol/kafka/record-batch.js';
import { ManualScheduler } from '../../../src/scheduler.js';
import { RawClient, startBroker, BROKER_ID, CLUSTER_ID } from './harness.js';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { waitFor } from '../../helpers/wait-for.js';

const batch = (values: string[], timestamp = 1_700_000_000_000) =>
  buildRecordBatch({
    records: values.map((value, i) => ({ key: `k${i}`, value, timestamp: timestamp + i })),
  });

function produce(
  client: RawClient,
  topic: string,
  partition: number,
  records: Buffer,
  acks = 1,
  version = 7,
) {
  return client.send(0, version, {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
}

function fetch(
  client: RawClient,
  topic: string,
  partition: number,
  fetchOffset: bigint,
  options: {
    maxWaitMs?: number;
    minBytes?: number;
    maxBytes?: number;
    partitionMaxBytes?: number;
    version?: number;
    sessionId?: number;
    sessionEpoch?: number;
  } = {},
) {
  return client.send(1, options.version ?? 11, {
    replicaId: -1,
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 1,
    maxBytes: options.maxBytes ?? 52428800,
    isolationLevel: 0,
    sessionId: options.sessionId ?? 0,
    sessionEpoch: options.sessionEpoch ?? -1,
    topics: [
      {
        topic,
        partitions: [
          {
            partition,
            currentLeaderEpoch: -1,
            fetchOffset,
            logStartOffset: -1n,
            partitionMaxBytes: options.partitionMaxBytes ?? 1048576,
          },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  });
}

t.test('produce then fetch: offsets assigned, records intact, HW = LEO', async (t) => {
  const broker = await startBroker(t);
  await broker.controller.createTopic('orders', 1);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  const first = await produce(client, 'orders', 0, batch(['a', 'b', 'c']));
  t.equal(first.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
  t.equal(first.responses[0]!.partitionResponses[0]!.baseOffset, 0n);
  const second = await produce(client, 'orders', 0, batch(['d']), -1);
  t.equal(second.responses[0]!.partitionResponses[0]!.baseOffset, 3n, 'acks=-1 with one replica');
  const fetched = await fetch(client, 'orders', 0, 0n);
  const p = fetched.responses[0]!.partitions[0]!;
  t.equal(p.errorCode, ErrorCode.NONE);
  t.equal(p.highWatermark, 4n);
  t.equal(p.lastStableOffset, 4n);
  t.equal(p.logStartOffset, 0n);
  const batches = readBatches(p.records!).batches;
  t.same(
    batches.map((b) => b.baseOffset),
    [0, 3],
  );
  const records = batches.flatMap((b) => decodeRecords(b));
  t.same(
    records.map((r) => r.value?.toString()),
    ['a', 'b', 'c', 'd'],
  );
  t.same(
    records.map((r) => r.key?.toString()),
    ['k0', 'k1', 'k2', 'k0'],
  );
  t.equal(records[1]!.timestamp, 1_700_000_000_001);
});

t.test('produce errors are per partition', async (t) => {
  const broker = await startBroker(t, { logConfig: { maxMessageBytes: 200 } });
  await broker.controller.createTopic('small', 1);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  const code = async (topic: string, partition: number, records: Buffer, acks = 1) =>
    (await produce(client, topic, partition, records, acks)).responses[0]!.partitionResponses[0]!
      .errorCode;

  const corrupt = batch(['hello']);
  corrupt[corrupt.length - 1]! ^= 0xff; // a bit flip inside the CRC-covered records
  t.equal(await code('small', 0, corrupt), 2, 'CORRUPT_MESSAGE');
  t.equal(await code('small', 0, batch(['x'.repeat(500)])), 10, 'MESSAGE_TOO_LARGE');
  t.equal(await code('nope', 0, batch(['a'])), 3, 'UNKNOWN_TOPIC_OR_PARTITION');
  t.equal(await code('small', 7, batch(['a'])), 3, 'unknown partition of a known topic');
  t.equal(await code('small', 0, batch(['a']), 2), 21, 'INVALID_REQUIRED_ACKS');
  t.equal(await code('__consumer_offsets', 0, batch(['a'])), 17, 'internal topic');
  t.equal(await code('small', 0, batch(['fine'])), 0, 'the partition still works');
});

t.test('a partition led elsewhere answers NOT_LEADER_OR_FOLLOWER', async (t) => {
  const broker = await startBroker(t);
  const c = broker.controller;
  c.topics.set('moved', { partitions: 1, leaderEpoch: 0 });
  // Broker 2 leads; we are a follower.
  const response = await c.client.send(4, 2, {
    controllerId: 1,
    controllerEpoch: 1,
    brokerEpoch: -1n,
    topicStates: [
      {
        topicName: 'moved',
        partitionStates: [
          {
            partitionIndex: 0,
            controllerEpoch: 1,
            leader: 2,
            leaderEpoch: 3,
            isr: [2, 1],
            partitionEpoch: 0,
            replicas: [2, 1],
            isNew: true,
          },
        ],
      },
    ],
    liveLeaders: [],
  });
  t.equal(response.partitionErrors[0]!.errorCode, ErrorCode.NONE);
  t.equal(broker.replicaManager.getPartition({ topic: 'moved', partition: 0 })?.role, 'follower');
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  const produced = await produce(client, 'moved', 0, batch(['a']));
  t.equal(
    produced.responses[0]!.partitionResponses[0]!.errorCode,
    ErrorCode.NOT_LEADER_OR_FOLLOWER,
  );
  const fetched = await fetch(client, 'moved', 0, 0n);
  t.equal(fetched.responses[0]!.partitions[0]!.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
});

t.test('acks=0: no response, and failures close the connection', async (t) => {
  const broker = await startBroker(t);
  await broker.controller.createTopic('fire', 1);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  client.sendOneWay(0, 7, {
    transactionalId: null,
    acks: 0,
    timeoutMs: 1000,
    topicData: [{ name: 'fire', partitionData: [{ index: 0, records: batch(['x', 'y']) }] }],
  });
  // The next response on the connection is the Fetch's: nothing came for the Produce.
  const fetched = await fetch(client, 'fire', 0, 0n);
  t.equal(fetched.responses[0]!.partitions[0]!.highWatermark, 2n);
  const closed = new Promise<boolean>((resolve) =>
    client.socket.once('close', () => resolve(true)),
  );
  client.sendOneWay(0, 7, {
    transactionalId: null,
    acks: 0,
    timeoutMs: 1000,
    topicData: [{ name: 'unknown', partitionData: [{ index: 0, records: batch(['x']) }] }],
  });
  t.ok(await closed, 'the broker closed the connection');
});

t.test('fetch: long poll returns as soon as data arrives, or at max_wait_ms', async (t) => {
  // Time moves only when the test says so: the broker's purgatory runs on this scheduler, and
  // the harness starts no other timer.
  const scheduler = new ManualScheduler();
  const broker = await startBroker(t, { scheduler });
  const purgatory = broker.replicaManager.fetchPurgatory;
  await broker.controller.createTopic('poll', 1);
  const consumer = await RawClient.connect(broker.port);
  const producer = await RawClient.connect(broker.port);
  t.teardown(() => {
    consumer.close();
    producer.close();
  });

  const empty = fetch(consumer, 'poll', 0, 0n, { maxWaitMs: 300 });
  await scheduler.untilPending(1);
  t.equal(purgatory.watched, 1, 'a caught-up fetch is parked in the purgatory');
  scheduler.advance(299);
  t.equal(purgatory.watched, 1, 'still parked 1 ms before max_wait_ms');
  scheduler.advance(1);
  t.equal(purgatory.watched, 0, 'answered at max_wait_ms');
  t.equal((await empty).responses[0]!.partitions[0]!.records!.length, 0, 'with no records');

  const startedMs = scheduler.nowMs();
  const pending = fetch(consumer, 'poll', 0, 0n, { maxWaitMs: 10_000 });
  await scheduler.untilPending(1);
  await produce(producer, 'poll', 0, batch(['wake up']));
  const woken = await pending;
  t.equal(scheduler.nowMs(), startedMs, 'answered when data arrived, with no time passing');
  const records = readBatches(woken.responses[0]!.partitions[0]!.records!).batches.flatMap((b) =>
    decodeRecords(b),
  );
  t.same(
    records.map((r) => r.value?.toString()),
    ['wake up'],
  );
  t.equal(purgatory.watched, 0, 'nothing left in the purgatory');
  t.equal(scheduler.pendingCount, 0, 'and its timeout was cancelled');

  // min_bytes larger than one small batch: the second batch completes it.
  const big = fetch(consumer, 'poll', 0, 1n, { maxWaitMs: 10_000, minBytes: 100 });
  await scheduler.untilPending(1);
  await produce(producer, 'poll', 0, batch(['1']));
  t.equal(purgatory.watched, 1, 'one small batch is not min_bytes: still waiting');
  await produce(producer, 'poll', 0, batch(['2']));
  const both = await big;
  t.equal(readBatches(both.responses[0]!.partitions[0]!.records!).batches.length, 2);
  t.equal(scheduler.nowMs(), startedMs, 'still no time passed');
});

t.test('fetch: limits, out of range, sessions', async (t) => {
  const broker = await startBroker(t);
  await broker.controller.createTopic('limits', 1);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  for (let i = 0; i < 5; i++) await produce(client, 'limits', 0, batch([`record-${i}`.repeat(10)]));
  const one = await fetch(client, 'limits', 0, 0n, { partitionMaxBytes: 10 });
  t.equal(
    readBatches(one.responses[0]!.partitions[0]!.records!).batches.length,
    1,
    'the first batch is returned whole even above the limit',
  );
  const middle = await fetch(client, 'limits', 0, 2n);
  t.same(
    readBatches(middle.responses[0]!.partitions[0]!.records!).batches.map((b) => b.baseOffset),
    [2, 3, 4],
  );
  const out = await fetch(client, 'limits', 0, 99n);
  t.equal(out.responses[0]!.partitions[0]!.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
  const atEnd = await fetch(client, 'limits', 0, 5n);
  t.equal(atEnd.responses[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
  t.equal(atEnd.responses[0]!.partitions[0]!.records!.length, 0);
  const newSession = await fetch(client, 'limits', 0, 0n, { sessionEpoch: 0 });
  t.equal(newSession.sessionId, 0, 'no session is created');
  t.equal(newSession.errorCode, ErrorCode.NONE);
  const badSession = await fetch(client, 'limits', 0, 0n, { sessionId: 42, sessionEpoch: 1 });
  t.equal(badSession.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  const v4 = await fetch(client, 'limits', 0, 4n, { version: 4 });
  t.equal(readBatches(v4.responses[0]!.partitions[0]!.records!).batches.length, 1, 'Fetch v4');
  const v12 = await fetch(client, 'limits', 0, 4n, { version: 12 });
  t.equal(readBatches(v12.responses[0]!.partitions[0]!.records!).batches.length, 1, 'Fetch v12');
});

t.test('list offsets: earliest, latest, by timestamp', async (t) => {
  const broker = await startBroker(t);
  await broker.controller.createTopic('times', 1);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  await produce(client, 'times', 0, batch(['a', 'b'], 1000));
  await produce(client, 'times', 0, batch(['c', 'd'], 5000));
  const list = async (timestamp: bigint, version = 5) =>
    (
      await client.send(2, version, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          {
            name: 'times',
            partitions: [
              {
                partitionIndex: 0,
                currentLeaderEpoch: -1,
                timestamp,
                maxNumOffsets: 1,
              },
            ],
          },
        ],
      })
    ).topics[0]!.partitions[0]!;
  t.equal((await list(-2n)).offset, 0n);
  t.equal((await list(-1n)).offset, 4n);
  t.equal((await list(-1n)).leaderEpoch, 0);
  const byTime = await list(4000n);
  t.equal(byTime.offset, 2n);
  t.equal(byTime.timestamp, 5000n);
  t.equal((await list(999_999n)).offset, -1n, 'no record that late');
  t.equal((await list(-1n, 1)).offset, 4n, 'v1');
  // v0 (librdkafka 1.x) answers with a list of offsets instead of one offset.
  t.same((await list(-1n, 0)).oldStyleOffsets, [4n], 'v0: latest');
  t.same((await list(-2n, 0)).oldStyleOffsets, [0n], 'v0: earliest');
});

t.test('offsets for leader epoch: where an epoch ends, fenced like Fetch', async (t) => {
  const broker = await startBroker(t);
  await broker.controller.createTopic('epochs', 1);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  await produce(client, 'epochs', 0, batch(['a', 'b', 'c']));
  const ask = async (leaderEpoch: number, currentLeaderEpoch = -1, version = 3, topic = 'epochs') =>
    (
      await client.send(23, version, {
        replicaId: -1,
        topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch, leaderEpoch }] }],
      })
    ).topics[0]!.partitions[0]!;
  t.match(
    await ask(0),
    { errorCode: ErrorCode.NONE, leaderEpoch: 0, endOffset: 3n },
    'the current epoch: LEO',
  );
  t.match(await ask(0, 0, 4), { errorCode: ErrorCode.NONE, endOffset: 3n }, 'v4 (flexible)');
  t.match(
    await ask(7),
    { errorCode: ErrorCode.NONE, leaderEpoch: -1, endOffset: -1n },
    'unknown epoch',
  );
  t.match(await ask(0, 1), { errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH }, 'UNKNOWN_LEADER_EPOCH');
  t.match(
    await ask(0, -1, 3, 'nope'),
    { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    'UNKNOWN_TOPIC_OR_PARTITION',
  );
  t.match(await ask(0, -1, 0), { errorCode: ErrorCode.NONE, endOffset: 3n }, 'v0');
  const versions = await client.send(18, 3, {
    clientSoftwareName: 'raw-test',
    clientSoftwareVersion: '1',
  });
  t.match(
    versions.apiKeys.find((k) => k.apiKey === ApiKey.OffsetForLeaderEpoch),
    { minVersion: 0, maxVersion: 4 },
    'advertised',
  );
});

t.test('metadata: brokers, controller, cluster id, auto-creation, errors', async (t) => {
  const broker = await startBroker(t);
  await broker.controller.createTopic('existing', 3);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  const all = await client.send(3, 9, { topics: null, allowAutoTopicCreation: true });
  t.same(
    all.brokers.map((b) => [b.nodeId, b.host, b.port]),
    [[BROKER_ID, '127.0.0.1', broker.port]],
  );
  t.equal(all.controllerId, BROKER_ID);
  t.equal(all.clusterId, CLUSTER_ID);
  t.same(
    all.topics.map((topic) => topic.name),
    ['existing'],
  );
  t.same(
    all.topics[0]!.partitions.map((p) => [
      p.partitionIndex,
      p.leaderId,
      p.replicaNodes,
      p.isrNodes,
    ]),
    [
      [0, 1, [1], [1]],
      [1, 1, [1], [1]],
      [2, 1, [1], [1]],
    ],
  );

  const v0All = await client.send(3, 0, { topics: [] });
  t.same(
    v0All.topics.map((topic) => topic.name),
    ['existing'],
    'v0: empty list means all',
  );

  const ask = async (name: string, allow = true) =>
    (
      await client.send(3, 9, {
        topics: [{ name }],
        allowAutoTopicCreation: allow,
      })
    ).topics[0]!;
  t.equal((await ask('no-auto', false)).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  t.equal((await ask('bad name!')).errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
  t.equal((await ask('..')).errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
  t.equal(
    (await ask('x'.repeat(250))).errorCode,
    ErrorCode.INVALID_TOPIC_EXCEPTION,
    'longer than 249',
  );
  t.equal(
    (await ask('auto')).errorCode,
    ErrorCode.LEADER_NOT_AVAILABLE,
    'LEADER_NOT_AVAILABLE while being created',
  );
  const ready = await waitFor('the topic', async () => {
    const topic = await ask('auto');
    return topic.errorCode === ErrorCode.NONE && topic;
  });
  t.equal(ready.partitions.length, 1, 'then the topic is there');
});

t.test('metadata: dead leaders and offline replicas', async (t) => {
  const broker = await startBroker(t);
  const c = broker.controller;
  await c.sendUpdateMetadata([
    {
      topicName: 'split',
      partitionIndex: 0,
      controllerEpoch: 1,
      leader: 3,
      leaderEpoch: 2,
      isr: [3, 1],
      zkVersion: 0,
      replicas: [3, 1],
      offlineReplicas: [3],
    },
  ]);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  const v9 = (await client.send(3, 9, { topics: [{ name: 'split' }] })).topics[0]!;
  t.equal(v9.partitions[0]!.errorCode, ErrorCode.LEADER_NOT_AVAILABLE, 'leader 3 is not alive');
  t.equal(v9.partitions[0]!.leaderId, -1);
  t.same(v9.partitions[0]!.offlineReplicas, [3]);
  const v0 = (await client.send(3, 0, { topics: [{ name: 'split' }] })).topics[0]!;
  t.same(v0.partitions[0]!.replicaNodes, [1], 'v0 leaves dead replicas out');
});

t.test('control requests: controller and leader epoch fencing', async (t) => {
  const broker = await startBroker(t);
  const c = broker.controller;
  await c.createTopic('fenced', 1);
  const tp = { topic: 'fenced', partition: 0 };
  const rm = broker.replicaManager;
  t.equal(rm.getPartition(tp)?.leaderEpoch, 0);
  const again = await c.publish(['fenced']);
  t.equal(
    again.leaderAndIsr.partitionErrors[0]!.errorCode,
    ErrorCode.STALE_CONTROLLER_EPOCH,
    'same leader epoch: STALE_CONTROLLER_EPOCH',
  );
  const bumped = await c.publish(['fenced'], { bumpEpoch: true });
  t.equal(bumped.leaderAndIsr.partitionErrors[0]!.errorCode, ErrorCode.NONE);
  t.equal(rm.getPartition(tp)?.leaderEpoch, 1);

  c.controllerEpoch = 5;
  await c.publish(['fenced'], { bumpEpoch: true });
  c.controllerEpoch = 4;
  const stale = await c.publish(['fenced'], { bumpEpoch: true });
  t.equal(
    stale.leaderAndIsr.errorCode,
    ErrorCode.STALE_CONTROLLER_EPOCH,
    'older controller: STALE_CONTROLLER_EPOCH',
  );
  t.equal(stale.updateMetadata.errorCode, ErrorCode.STALE_CONTROLLER_EPOCH);
  t.equal(rm.getPartition(tp)?.leaderEpoch, 2, 'nothing changed');
  c.controllerEpoch = 5;

  const stop = await c.client.send(5, 3, {
    controllerId: 1,
    controllerEpoch: 5,
    brokerEpoch: -1n,
    topicStates: [
      {
        topicName: 'fenced',
        partitionStates: [{ partitionIndex: 0, leaderEpoch: 1, deletePartition: true }],
      },
    ],
  });
  t.equal(
    stop.partitionErrors[0]!.errorCode,
    ErrorCode.FENCED_LEADER_EPOCH,
    'older leader epoch: FENCED_LEADER_EPOCH',
  );
  t.ok(rm.getPartition(tp), 'still hosted');

  const notReplica = await c.client.send(4, 2, {
    controllerId: 1,
    controllerEpoch: 5,
    brokerEpoch: -1n,
    topicStates: [
      {
        topicName: 'elsewhere',
        partitionStates: [
          {
            partitionIndex: 0,
            controllerEpoch: 5,
            leader: 2,
            leaderEpoch: 0,
            isr: [2],
            partitionEpoch: 0,
            replicas: [2],
          },
        ],
      },
    ],
    liveLeaders: [],
  });
  t.equal(
    notReplica.partitionErrors[0]!.errorCode,
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    'not in the replica list',
  );

  const log = broker.logManager.getLog(tp)!;
  const del = await c.client.send(5, 3, {
    controllerId: 1,
    controllerEpoch: 5,
    brokerEpoch: -1n,
    topicStates: [
      {
        topicName: 'fenced',
        partitionStates: [{ partitionIndex: 0, leaderEpoch: -2, deletePartition: true }],
      },
    ],
  });
  t.equal(del.partitionErrors[0]!.errorCode, ErrorCode.NONE);
  t.equal(rm.getPartition(tp), undefined, 'no longer hosted');
  t.equal(broker.logManager.getLog(tp), undefined, 'log deleted');
  t.ok(log.dir);
});

t.test(
  'older control request versions: LeaderAndIsr v0, UpdateMetadata v0, StopReplica v0',
  async (t) => {
    const broker = await startBroker(t);
    const c = broker.controller;
    const lai = await c.client.send(4, 0, {
      controllerId: 1,
      controllerEpoch: 1,
      ungroupedPartitionStates: [
        {
          topicName: 'old',
          partitionIndex: 0,
          controllerEpoch: 1,
          leader: 1,
          leaderEpoch: 0,
          isr: [1],
          partitionEpoch: 0,
          replicas: [1],
        },
      ],
      liveLeaders: [{ brokerId: 1, hostName: '127.0.0.1', port: broker.port }],
    });
    t.equal(lai.partitionErrors[0]!.errorCode, ErrorCode.NONE);
    const um = await c.client.send(6, 0, {
      controllerId: 1,
      controllerEpoch: 1,
      ungroupedPartitionStates: [
        {
          topicName: 'old',
          partitionIndex: 0,
          controllerEpoch: 1,
          leader: 1,
          leaderEpoch: 0,
          isr: [1],
          zkVersion: 0,
          replicas: [1],
        },
      ],
      liveBrokers: [{ id: 1, v0Host: '127.0.0.1', v0Port: broker.port }],
    });
    t.equal(um.errorCode, ErrorCode.NONE);
    t.equal(broker.metadataCache.snapshot.brokers.get(1)?.port, broker.port);
    const lai7 = await c.client.send(4, 7, {
      controllerId: 1,
      controllerEpoch: 1,
      type: 0,
      topicStates: [
        {
          topicName: 'new',
          topicId: 'AAAAAAAAAAAAAAAAAAAAAQ',
          partitionStates: [
            {
              partitionIndex: 0,
              controllerEpoch: 1,
              leader: 1,
              leaderEpoch: 0,
              isr: [1],
              partitionEpoch: 0,
              replicas: [1],
            },
          ],
        },
      ],
      liveLeaders: [],
    });
    t.equal(
      lai7.topics[0]!.partitionErrors[0]!.errorCode,
      ErrorCode.NONE,
      'v7 answers by topic id',
    );
    const stop = await c.client.send(5, 0, {
      controllerId: 1,
      controllerEpoch: 1,
      deletePartitions: false,
      ungroupedPartitions: [{ topicName: 'old', partitionIndex: 0 }],
    });
    t.equal(stop.partitionErrors[0]!.errorCode, ErrorCode.NONE);
    t.ok(broker.logManager.getLog({ topic: 'old', partition: 0 }), 'delete=false keeps the log');
  },
);

t.test('admin: create, partitions, delete, NOT_CONTROLLER, describe configs', async (t) => {
  const broker = await startBroker(t);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  const created = await client.send(19, 5, {
    timeoutMs: 5000,
    validateOnly: false,
    topics: [
      {
        name: 'made',
        numPartitions: -1,
        replicationFactor: -1,
        assignments: [],
        configs: [{ name: 'retention.ms', value: '1000' }],
      },
      { name: 'made', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
      { name: 'bad/name', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
      { name: 'wide', numPartitions: 1, replicationFactor: 3, assignments: [], configs: [] },
    ],
  });
  t.same(
    created.topics.map((x) => [x.name, x.errorCode]),
    [
      ['made', 42],
      ['made', 42],
      ['bad/name', 17],
      ['wide', 38],
    ],
  );
  const ok = await client.send(19, 5, {
    timeoutMs: 5000,
    validateOnly: false,
    topics: [
      {
        name: 'made',
        numPartitions: 2,
        replicationFactor: -1,
        assignments: [],
        configs: [{ name: 'retention.ms', value: '1000' }],
      },
    ],
  });
  t.equal(ok.topics[0]!.errorCode, ErrorCode.NONE);
  t.equal(ok.topics[0]!.numPartitions, 2);
  t.equal(ok.topics[0]!.configs!.find((x) => x.name === 'retention.ms')?.value, '1000');
  t.equal(
    broker.metadataCache.snapshot.topics.get('made')?.size,
    2,
    'leaders elected before the answer',
  );

  const grown = await client.send(37, 1, {
    timeoutMs: 5000,
    validateOnly: false,
    topics: [
      { name: 'made', count: 4, assignments: null },
      { name: 'ghost', count: 4, assignments: null },
    ],
  });
  t.same(
    grown.results.map((r) => r.errorCode),
    [0, 3],
  );
  t.equal(broker.metadataCache.snapshot.topics.get('made')?.size, 4);
  const shrink = await client.send(37, 1, {
    timeoutMs: 5000,
    validateOnly: false,
    topics: [{ name: 'made', count: 2, assignments: null }],
  });
  t.equal(shrink.results[0]!.errorCode, ErrorCode.INVALID_PARTITIONS);

  const described = await client.send(32, 1, {
    includeSynonyms: true,
    resources: [
      {
        resourceType: 2,
        resourceName: 'made',
        configurationKeys: [
          'retention.ms',
          'segment.bytes',
          'leader.replication.throttled.replicas',
        ],
      },
      { resourceType: 2, resourceName: 'ghost', configurationKeys: null },
      { resourceType: 4, resourceName: '1', configurationKeys: ['num.partitions'] },
      { resourceType: 4, resourceName: '7', configurationKeys: null },
      { resourceType: 8, resourceName: '1', configurationKeys: null },
    ],
  });
  const [topic, ghost, brokerConfig, other, logger] = described.results;
  t.same(
    topic!.configs.map((x) => [x.name, x.value, x.configSource]),
    [
      // An empty list, as Kafka shows it (not null): kafkajs's describeConfigs test checks it.
      ['leader.replication.throttled.replicas', '', 5],
      ['retention.ms', '604800000', 5],
      ['segment.bytes', '1073741824', 5],
    ],
    'defaults (the test controller keeps no overrides)',
  );
  t.equal(ghost!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  t.same(
    brokerConfig!.configs.map((x) => [x.name, x.value]),
    [['num.partitions', '1']],
  );
  t.equal(other!.errorCode, ErrorCode.INVALID_REQUEST);
  t.equal(logger!.errorCode, ErrorCode.INVALID_REQUEST);

  const deleted = await client.send(20, 4, { timeoutMs: 5000, topicNames: ['made', 'ghost'] });
  t.same(
    deleted.responses.map((r) => [r.name, r.errorCode]),
    [
      ['made', 0],
      ['ghost', 3],
    ],
  );
  t.notOk(broker.metadataCache.snapshot.hasTopic('made'), 'gone from the metadata');
  t.equal(broker.logManager.allLogs().length, 0, 'logs deleted');

  broker.controller.active = false;
  const refused = await client.send(19, 3, {
    timeoutMs: 5000,
    validateOnly: false,
    topics: [
      { name: 'later', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
    ],
  });
  t.equal(refused.topics[0]!.errorCode, ErrorCode.NOT_CONTROLLER);
  const refusedDelete = await client.send(20, 1, { timeoutMs: 5000, topicNames: ['x'] });
  t.equal(refusedDelete.responses[0]!.errorCode, ErrorCode.NOT_CONTROLLER);
});

t.test('a log that cannot be created fails its partition, not the broker', async (t) => {
  const broker = await startBroker(t);
  const real = broker.logManager.getOrCreateLog.bind(broker.logManager);
  // What the open-files limit does to log creation (EMFILE), for partition 1 only.
  broker.logManager.getOrCreateLog = (tp) => {
    if (tp.topic === 'nofiles' && tp.partition === 1) {
      throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
    }
    return real(tp);
  };
  broker.controller.topics.set('nofiles', { partitions: 2, leaderEpoch: 0 });
  const { leaderAndIsr } = await broker.controller.publish(['nofiles']);
  t.same(
    leaderAndIsr.partitionErrors.map((p) => [p.partitionIndex, p.errorCode]),
    [
      [0, ErrorCode.NONE],
      [1, ErrorCode.KAFKA_STORAGE_ERROR],
    ],
  );
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  const produced = await produce(client, 'nofiles', 0, batch(['still serving']));
  t.equal(produced.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
});
