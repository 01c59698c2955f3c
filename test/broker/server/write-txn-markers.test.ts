/**
 * WriteTxnMarkers and read_committed against one in-process broker, through its socket with
 * our own codec: transactional batches go in with Produce, markers with WriteTxnMarkers as a
 * transaction coordinator sends them, and Fetch / ListOffsets answer per isolation level.
 * kafkajs and kcat then read the same partition as read_committed and read_uncommitted
 * consumers.
 */
import t, { type Test } from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, RawClient, type TestBroker } from './harness.js';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { buildRecordBatch } from '../../../src/protocol/kafka/record-batch.js';
import { kcatInstalled, run } from '../../helpers/cluster.js';
import type { TxnMarkerListener } from '../../../broker/server/write-txn-markers.js';

const TOPIC = 'txn';

async function setup(t: Test, listener?: TxnMarkerListener) {
  const broker = await startBroker(t, { txnMarkerListener: listener });
  await broker.controller.createTopic(TOPIC, 1);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  return { broker, client, ...requests(client) };
}

function requests(client: RawClient) {
  const produce = async (producerId: number, seq: number, values: string[], epoch = 0) => {
    const response = await client.send(ApiKey.Produce, 7, {
      transactionalId: `tx-${producerId}`,
      acks: -1,
      timeoutMs: 5000,
      topicData: [
        {
          name: TOPIC,
          partitionData: [
            {
              index: 0,
              records: buildRecordBatch({
                producerId,
                producerEpoch: epoch,
                baseSequence: seq,
                transactional: true,
                records: values.map((value) => ({ value })),
              }),
            },
          ],
        },
      ],
    });
    return response.responses[0]!.partitionResponses[0]!;
  };
  const marker = async (options: {
    producerId: number;
    commit: boolean;
    epoch?: number;
    coordinatorEpoch?: number;
    topics?: { name: string; partitionIndexes: number[] }[];
  }) => {
    const response = await client.send(ApiKey.WriteTxnMarkers, 1, {
      markers: [
        {
          producerId: BigInt(options.producerId),
          producerEpoch: options.epoch ?? 0,
          transactionResult: options.commit,
          coordinatorEpoch: options.coordinatorEpoch ?? 0,
          topics: options.topics ?? [{ name: TOPIC, partitionIndexes: [0] }],
        },
      ],
    });
    return response.markers[0]!.topics.flatMap((topic) =>
      topic.partitions.map((p) => [topic.name, p.partitionIndex, p.errorCode]),
    );
  };
  const fetch = async (isolationLevel: number, fetchOffset = 0) => {
    const response = await client.send(ApiKey.Fetch, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: TOPIC,
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: BigInt(fetchOffset),
              logStartOffset: -1n,
              partitionMaxBytes: 1 << 20,
            },
          ],
        },
      ],
    });
    return response.responses[0]!.partitions[0]!;
  };
  const latest = async (isolationLevel: number) => {
    const response = await client.send(ApiKey.ListOffsets, 5, {
      replicaId: -1,
      isolationLevel,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
    });
    return response.topics[0]!.partitions[0]!.offset;
  };
  return { produce, marker, fetch, latest };
}

t.test('markers close transactions; read_committed stops at the LSO', async (t) => {
  const { produce, marker, fetch, latest } = await setup(t);
  t.equal((await produce(1, 0, ['a1', 'a2'])).errorCode, ErrorCode.NONE); // 0-1, will abort
  t.equal((await produce(2, 0, ['c1'])).errorCode, ErrorCode.NONE); // 2, will commit
  let committed = await fetch(1);
  t.equal(committed.highWatermark, 3n);
  t.equal(committed.lastStableOffset, 0n, 'the open transaction at 0 holds the LSO');
  t.equal(committed.records?.length ?? 0, 0, 'read_committed gets nothing yet');
  t.equal(await latest(1), 0n, 'ListOffsets latest, read_committed: the LSO');
  t.equal(await latest(0), 3n, 'ListOffsets latest, read_uncommitted: the HW');
  const uncommitted = await fetch(0);
  t.equal(uncommitted.lastStableOffset, 0n, 'the LSO is reported to read_uncommitted too');
  t.ok((uncommitted.records?.length ?? 0) > 0, 'read_uncommitted sees the open transactions');
  t.equal(uncommitted.abortedTransactions, null);

  t.same(await marker({ producerId: 1, commit: false }), [[TOPIC, 0, ErrorCode.NONE]]); // 3
  committed = await fetch(1);
  t.equal(committed.lastStableOffset, 2n, 'now producer 2 holds it');
  t.same(committed.abortedTransactions, [{ producerId: 1n, firstOffset: 0n }]);
  t.same(await marker({ producerId: 2, commit: true }), [[TOPIC, 0, ErrorCode.NONE]]); // 4
  committed = await fetch(1);
  t.equal(committed.lastStableOffset, 5n, 'everything is stable');
  t.equal(committed.highWatermark, 5n);
  t.same(committed.abortedTransactions, [{ producerId: 1n, firstOffset: 0n }]);
  t.same(
    (await fetch(1, 2)).abortedTransactions,
    [{ producerId: 1n, firstOffset: 0n }],
    'its ABORT marker at 3 is in [2, 5)',
  );
  t.same((await fetch(1, 4)).abortedTransactions, [], 'none overlaps [4, 5)');
  t.equal(await latest(1), 5n);
});

t.test('per-partition errors of WriteTxnMarkers', async (t) => {
  const { broker, produce, marker } = await setup(t);
  await produce(1, 0, ['x'], 3);
  t.same(
    await marker({
      producerId: 1,
      commit: true,
      epoch: 3,
      coordinatorEpoch: 2,
      topics: [
        { name: TOPIC, partitionIndexes: [0, 7] },
        { name: 'nowhere', partitionIndexes: [0] },
      ],
    }),
    [
      [TOPIC, 0, ErrorCode.NONE],
      [TOPIC, 7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ['nowhere', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ],
  );
  t.same(await marker({ producerId: 1, commit: false, epoch: 2, coordinatorEpoch: 2 }), [
    [TOPIC, 0, ErrorCode.INVALID_PRODUCER_EPOCH],
  ]);
  t.same(await marker({ producerId: 1, commit: false, epoch: 3, coordinatorEpoch: 1 }), [
    [TOPIC, 0, ErrorCode.TRANSACTION_COORDINATOR_FENCED],
  ]);
  const log = broker.logManager.getLog({ topic: TOPIC, partition: 0 })!;
  t.equal(log.logEndOffset, 2, 'only the first marker was written');
  // A client's own control batch is refused.
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  const forged = await client.send(ApiKey.Produce, 7, {
    transactionalId: 'tx-1',
    acks: 1,
    timeoutMs: 1000,
    topicData: [
      {
        name: TOPIC,
        partitionData: [
          {
            index: 0,
            records: buildRecordBatch({
              producerId: 1,
              producerEpoch: 3,
              baseSequence: 1,
              transactional: true,
              control: true,
              records: [{ key: Buffer.from([0, 0, 0, 0]), value: Buffer.from([0, 0, 0, 0, 0, 2]) }],
            }),
          },
        ],
      },
    ],
  });
  t.equal(forged.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.INVALID_RECORD);
  // Transactional records need a transactional id (Kafka 2.8's handleProduceRequest).
  const anonymous = await client.send(ApiKey.Produce, 7, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 1000,
    topicData: [
      {
        name: TOPIC,
        partitionData: [
          {
            index: 0,
            records: buildRecordBatch({
              producerId: 5,
              producerEpoch: 0,
              baseSequence: 0,
              transactional: true,
              records: [{ value: 'no id' }],
            }),
          },
        ],
      },
    ],
  });
  t.equal(
    anonymous.responses[0]!.partitionResponses[0]!.errorCode,
    ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  );
  t.equal(log.logEndOffset, 2, 'nothing appended');
});

t.test('markers on __consumer_offsets are reported to the listener', async (t) => {
  const calls: [bigint, number[], boolean][] = [];
  const { broker, marker } = await setup(t, {
    onTxnCompleted: (producerId, partitions, committed) =>
      calls.push([producerId, partitions, committed]),
  });
  await broker.controller.createTopic('__consumer_offsets', 3);
  const answer = await marker({
    producerId: 11,
    commit: true,
    topics: [
      { name: '__consumer_offsets', partitionIndexes: [0, 2] },
      { name: TOPIC, partitionIndexes: [0] },
    ],
  });
  t.same(answer, [
    ['__consumer_offsets', 0, ErrorCode.NONE],
    ['__consumer_offsets', 2, ErrorCode.NONE],
    [TOPIC, 0, ErrorCode.NONE],
  ]);
  t.same(calls, [[11n, [0, 2], true]]);
  await marker({ producerId: 12, commit: false, topics: [{ name: TOPIC, partitionIndexes: [0] }] });
  t.equal(calls.length, 1, 'no call without __consumer_offsets partitions');
});

/** Two transactions, one aborted and one committed, interleaved, plus plain records. */
async function interleaved(broker: TestBroker, client: RawClient) {
  const { produce, marker } = requests(client);
  await produce(1, 0, ['aborted-1', 'aborted-2']);
  await produce(2, 0, ['committed-1']);
  await produce(1, 2, ['aborted-3']);
  await produce(2, 1, ['committed-2', 'committed-3']);
  await marker({ producerId: 1, commit: false });
  await marker({ producerId: 2, commit: true });
  const log = broker.logManager.getLog({ topic: TOPIC, partition: 0 })!;
  return log.logEndOffset;
}

const COMMITTED = ['committed-1', 'committed-2', 'committed-3'];
const ALL = ['aborted-1', 'aborted-2', 'committed-1', 'aborted-3', 'committed-2', 'committed-3'];

t.test('kafkajs: read_committed sees committed records only', async (t) => {
  const { broker, client } = await setup(t);
  await interleaved(broker, client);
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const read = async (readUncommitted: boolean, expected: number) => {
    const consumer = kafka.consumer({
      groupId: `readers-${readUncommitted}`,
      readUncommitted,
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    t.teardown(() => consumer.disconnect());
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const values: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value!.toString());
          if (values.length === expected) resolve();
        },
      });
    });
    await consumer.disconnect();
    return values;
  };
  t.same(await read(false, COMMITTED.length), COMMITTED, 'readUncommitted: false');
  t.same(await read(true, ALL.length), ALL, 'readUncommitted: true');
});

t.test('kcat: isolation.level=read_committed sees committed records only', async (t) => {
  if (!kcatInstalled(t)) return;
  const { broker, client } = await setup(t);
  const end = await interleaved(broker, client);
  const consume = async (isolation: string) => {
    const { stdout } = await run('kcat', [
      '-C',
      '-b',
      broker.bootstrap,
      '-t',
      TOPIC,
      '-p',
      '0',
      '-o',
      'beginning',
      '-e',
      '-q',
      '-X',
      `isolation.level=${isolation}`,
      '-f',
      '%s\n',
    ]);
    return stdout.split('\n').filter((line) => line !== '');
  };
  t.same(await consume('read_committed'), COMMITTED);
  t.same(await consume('read_uncommitted'), ALL);
  t.equal(end, 8, 'six records and two markers');
});

t.test('a waiting read_committed fetch completes at the marker, not at the data', async (t) => {
  const { broker, produce, marker } = await setup(t);
  const replicas = broker.replicaManager;
  const fetch = (isolationLevel: number) =>
    replicas.fetchMessages({
      replicaId: -1,
      maxWaitMs: 20_000,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel,
      partitions: [
        {
          topicPartition: { topic: TOPIC, partition: 0 },
          fetchOffset: 0,
          partitionMaxBytes: 1 << 20,
          currentLeaderEpoch: -1,
        },
      ],
    });
  let committedAnswer: Awaited<ReturnType<typeof fetch>> | undefined;
  let uncommittedAnswer: Awaited<ReturnType<typeof fetch>> | undefined;
  void fetch(1).then((r) => (committedAnswer = r));
  void fetch(0).then((r) => (uncommittedAnswer = r));
  // Appending completes waiting fetches synchronously; by the time the ack is here, the
  // fetches that could complete have.
  await produce(1, 0, ['in-txn']);
  t.ok(uncommittedAnswer !== undefined, 'read_uncommitted: completed by the data');
  t.equal(committedAnswer, undefined, 'read_committed: still waiting (LSO 0)');
  await marker({ producerId: 1, commit: true });
  t.ok(committedAnswer !== undefined, 'completed by the COMMIT marker');
  t.match(committedAnswer![0], { lastStableOffset: 2, highWatermark: 2 });
  t.ok(committedAnswer![0]!.records.length > 0);
});
