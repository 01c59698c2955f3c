/**
 * kafkajs transactional producers against one in-process broker, end to end: the
 * transaction coordinator (InitProducerId, AddPartitionsToTxn, EndTxn, markers sent over the
 * loopback to the partition leader), the partition's last stable offset and read_committed
 * consumers, and sendOffsets (AddOffsetsToTxn + TxnOffsetCommit) with offsets that become
 * visible only at the commit. Also: a second producer with the same transactional id fences
 * the first.
 */
import t, { type Test } from 'tap';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startBroker, type TestBroker } from '../server/harness.js';
import { waitFor } from '../../helpers/wait-for.js';
import { decodeRecords, readBatches } from '../../../src/protocol/kafka/record-batch.js';
import {
  decodeTransactionLogKey,
  decodeTransactionLogValue,
} from '../../../src/protocol/kafka/transaction-records.js';

function client(broker: TestBroker, clientId: string) {
  return new Kafka({
    brokers: [broker.bootstrap],
    clientId,
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 50 },
  });
}

async function transactionalProducer(t: Test, kafka: Kafka, transactionalId: string) {
  const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  return producer;
}

/** The states the transactional id went through, as written to __transaction_state. */
function transactionStates(broker: TestBroker, transactionalId: string): number[] {
  const log = broker.logManager.getLog({ topic: '__transaction_state', partition: 0 });
  if (log === undefined) return [];
  const read = log.read({ fetchOffset: 0, maxBytes: 1 << 20, minOneBatch: true });
  if (!read.ok) return [];
  return readBatches(read.records)
    .batches.flatMap((b) => decodeRecords(b))
    .filter((r) => decodeTransactionLogKey(r.key!) === transactionalId)
    .map((r) => decodeTransactionLogValue(r.value!).transactionStatus);
}

t.test('commit and abort: read_committed consumers see committed records only', async (t) => {
  const broker = await startBroker(t);
  await broker.controller.createTopic('txn-out', 1);
  const kafka = client(broker, 'txn-commit');
  const producer = await transactionalProducer(t, kafka, 'tx-commit');
  const partition = broker.replicaManager.getPartition({ topic: 'txn-out', partition: 0 })!;

  // An open transaction holds the last stable offset at its first record.
  const open = await producer.transaction();
  await open.send({ topic: 'txn-out', messages: [{ value: 'c-1' }, { value: 'c-2' }] });
  await waitFor('records replicated', () => partition.highWatermark === 2);
  t.equal(partition.lastStableOffset, 0, 'uncommitted records are above the LSO');
  await open.commit();
  await waitFor('the COMMIT marker moves the LSO', () => partition.lastStableOffset === 3);

  const aborted = await producer.transaction();
  await aborted.send({ topic: 'txn-out', messages: [{ value: 'a-1' }, { value: 'a-2' }] });
  await aborted.abort();

  const last = await producer.transaction();
  await last.send({ topic: 'txn-out', messages: [{ value: 'end' }] });
  await last.commit();

  const consumer = kafka.consumer({ groupId: 'readers', maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'txn-out', fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
        if (message.value!.toString() === 'end') resolve();
      },
    });
  });
  t.same(seen, ['c-1', 'c-2', 'end'], 'aborted records are never delivered');
  // Empty 0, Ongoing 1, PrepareCommit 2, CompleteCommit 4, ..., PrepareAbort 3, CompleteAbort 5
  const states = transactionStates(broker, 'tx-commit');
  t.same(states.slice(0, 4), [0, 1, 2, 4], 'Empty, Ongoing, PrepareCommit, CompleteCommit');
  t.same(states.slice(4, 7), [1, 3, 5], 'Ongoing, PrepareAbort, CompleteAbort');
});

t.test('sendOffsets: the group offsets become visible with the commit', async (t) => {
  const broker = await startBroker(t);
  await broker.controller.createTopic('txn-in', 1);
  await broker.controller.createTopic('txn-out2', 1);
  const kafka = client(broker, 'txn-offsets');
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const producer = await transactionalProducer(t, kafka, 'tx-offsets');
  const committedOffset = async () => {
    const [topic] = await admin.fetchOffsets({ groupId: 'ctp', topics: ['txn-in'] });
    return topic!.partitions[0]!.offset;
  };

  const txn = await producer.transaction();
  await txn.send({ topic: 'txn-out2', messages: [{ value: 'transformed' }] });
  await txn.sendOffsets({
    consumerGroupId: 'ctp',
    topics: [{ topic: 'txn-in', partitions: [{ partition: 0, offset: '17' }] }],
  });
  t.equal(await committedOffset(), '-1', 'pending until the transaction commits');
  await txn.commit();
  await waitFor('offset visible after the commit', async () => (await committedOffset()) === '17');

  const abortedTxn = await producer.transaction();
  await abortedTxn.sendOffsets({
    consumerGroupId: 'ctp',
    topics: [{ topic: 'txn-in', partitions: [{ partition: 0, offset: '99' }] }],
  });
  await abortedTxn.abort();
  await waitFor('the abort is complete', () =>
    transactionStates(broker, 'tx-offsets').at(-1) === 5 ? true : undefined,
  );
  t.equal(await committedOffset(), '17', 'an aborted sendOffsets changes nothing');
  t.equal(broker.groups.coordinator.group('ctp')!.pendingTxnOffsets.size, 0);
});

t.test('a second producer with the same transactional id fences the first', async (t) => {
  const broker = await startBroker(t);
  await broker.controller.createTopic('txn-zombie', 1);
  const kafka = client(broker, 'txn-zombie');
  const zombie: Producer = await transactionalProducer(t, kafka, 'tx-zombie');
  const open = await zombie.transaction();
  await open.send({ topic: 'txn-zombie', messages: [{ value: 'from-the-zombie' }] });

  // The new instance's InitProducerId (kafkajs sends it with its first transaction) aborts
  // the zombie's open transaction, then bumps the epoch again (kafkajs retries on
  // CONCURRENT_TRANSACTIONS).
  const fresh = await transactionalProducer(t, kafka, 'tx-zombie');
  const txn = await fresh.transaction();
  const err = await open.commit().then(
    () => undefined,
    (e: unknown) => e as { type?: string; name?: string },
  );
  t.ok(err !== undefined, 'the zombie cannot commit');
  t.match(err?.type, /PRODUCER_FENCED|INVALID_PRODUCER_EPOCH/);

  await txn.send({ topic: 'txn-zombie', messages: [{ value: 'from-the-new-one' }] });
  await txn.commit();
  const consumer = kafka.consumer({ groupId: 'zombie-readers', maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'txn-zombie', fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
        if (message.value!.toString() === 'from-the-new-one') resolve();
      },
    });
  });
  t.same(seen, ['from-the-new-one'], "the zombie's transaction was aborted");
});

t.test(
  'pending and committed transactional offsets survive a reload of __consumer_offsets',
  async (t) => {
    const broker = await startBroker(t);
    await broker.controller.createTopic('reload-in', 1);
    const kafka = client(broker, 'txn-reload');
    const admin = kafka.admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    const producer = await transactionalProducer(t, kafka, 'tx-reload');
    const committedOffset = async () => {
      const [topic] = await admin.fetchOffsets({ groupId: 'reloaded', topics: ['reload-in'] });
      return topic!.partitions[0]!.offset;
    };
    const sendOffsets = (txn: Awaited<ReturnType<Producer['transaction']>>, offset: string) =>
      txn.sendOffsets({
        consumerGroupId: 'reloaded',
        topics: [{ topic: 'reload-in', partitions: [{ partition: 0, offset }] }],
      });
    const first = await producer.transaction();
    await sendOffsets(first, '17');
    await first.commit();
    await waitFor('17 committed', async () => (await committedOffset()) === '17');
    const second = await producer.transaction();
    await sendOffsets(second, '99');

    // A new leader epoch for every __consumer_offsets partition: the group is read back from
    // the log, with the COMMIT marker of the first transaction and none yet for the second.
    await broker.controller.publish(['__consumer_offsets'], { bumpEpoch: true });
    const reloaded = await waitFor('the group reloaded', () => {
      const group = broker.groups.coordinator.group('reloaded');
      return group !== undefined && group.pendingTxnOffsets.size === 1 ? group : undefined;
    });
    t.equal(await committedOffset(), '17', 'the committed transaction counts after the reload');
    t.same(
      [...reloaded.pendingTxnOffsets.values()].map((m) => [...m.values()].map((o) => o.offset)),
      [[99n]],
      'the open one is pending again',
    );
    await second.abort();
    await waitFor('the abort dropped the pending offsets', () =>
      broker.groups.coordinator.group('reloaded')!.pendingTxnOffsets.size === 0 ? true : undefined,
    );
    await broker.controller.publish(['__consumer_offsets'], { bumpEpoch: true });
    await waitFor('reloaded again', () => broker.groups.coordinator.group('reloaded'));
    t.equal(await committedOffset(), '17', 'the ABORT marker keeps 99 out after a reload');
    t.equal(broker.groups.coordinator.group('reloaded')!.pendingTxnOffsets.size, 0);
  },
);
