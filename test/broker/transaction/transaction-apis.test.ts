/**
 * The transaction coordinator's APIs against one in-process broker, with raw requests:
 * FindCoordinator for a transactional id creates `__transaction_state`, InitProducerId bumps
 * the epoch (fencing the previous instance), AddPartitionsToTxn opens the transaction and
 * every change is a record of Kafka's format in `__transaction_state`.
 */
import t from 'tap';
import { startBroker, RawClient, type TestBroker } from '../server/harness.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { decodeRecords, readBatches } from '../../../src/protocol/kafka/record-batch.js';
import {
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  type TransactionLogValue,
} from '../../../src/protocol/kafka/transaction-records.js';
import { TRANSACTION_STATE_TOPIC_NAME } from '../../../broker/transaction/transaction-state-manager.js';
import { TransactionApis } from '../../../broker/transaction/transaction-apis.js';
import type { AuthorizationCheck } from '../../../broker/security/acl-cache.js';
import type { ConnectionSession } from '../../../broker/security/session.js';
import { silentLogger } from '../../../src/logger.js';

/** FindCoordinator(TRANSACTION) until it names a coordinator. */
async function findCoordinator(client: RawClient, transactionalId: string) {
  return waitFor(`coordinator of ${transactionalId}`, async () => {
    const answer = await client.send(ApiKey.FindCoordinator, 3, {
      key: transactionalId,
      keyType: 1,
    });
    return answer.errorCode === ErrorCode.NONE ? answer : undefined;
  });
}

/** InitProducerId until the coordinator has loaded its partition. */
async function initProducerId(client: RawClient, transactionalId: string) {
  return waitFor(`InitProducerId ${transactionalId}`, async () => {
    const answer = await client.send(ApiKey.InitProducerId, 4, {
      transactionalId,
      transactionTimeoutMs: 60_000,
      producerId: -1n,
      producerEpoch: -1,
    });
    if (answer.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return undefined;
    return answer;
  });
}

/** Every record of `__transaction_state` (tombstones left out), decoded, in log order. */
function transactionLog(broker: TestBroker): { id: string; value: TransactionLogValue }[] {
  return transactionLogWithTombstones(broker).flatMap((r) =>
    r.value === null ? [] : [{ id: r.id, value: r.value }],
  );
}

function transactionLogWithTombstones(
  broker: TestBroker,
): { id: string; value: TransactionLogValue | null }[] {
  const log = broker.logManager.getLog({ topic: TRANSACTION_STATE_TOPIC_NAME, partition: 0 });
  if (log === undefined) return [];
  const read = log.read({ fetchOffset: 0, maxBytes: 1 << 20, minOneBatch: true });
  if (!read.ok) return [];
  return readBatches(read.records).batches.flatMap((batch) =>
    decodeRecords(batch).map((r) => ({
      id: decodeTransactionLogKey(r.key!),
      value: r.value === null ? null : decodeTransactionLogValue(r.value),
    })),
  );
}

t.test(
  'FindCoordinator(TRANSACTION) creates __transaction_state and names its leader',
  async (t) => {
    const broker = await startBroker(t);
    const client = await RawClient.connect(broker.port);
    t.teardown(() => client.close());
    const first = await client.send(ApiKey.FindCoordinator, 3, { key: 'tx', keyType: 1 });
    t.equal(first.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE, 'not before the topic exists');
    t.match(first.errorMessage, /__transaction_state is being created/);
    const found = await findCoordinator(client, 'tx');
    t.equal(found.port, broker.port);
    t.ok(broker.controller.topics.has(TRANSACTION_STATE_TOPIC_NAME));
  },
);

t.test('InitProducerId, AddPartitionsToTxn and fencing, recorded in Kafka format', async (t) => {
  const broker = await startBroker(t);
  await broker.controller.createTopic('out', 2);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  await findCoordinator(client, 'tx-a');

  const first = await initProducerId(client, 'tx-a');
  t.equal(first.errorCode, ErrorCode.NONE);
  t.equal(first.producerEpoch, 0);
  const second = await initProducerId(client, 'tx-a');
  t.equal(second.producerId, first.producerId, 'same transactional id, same producer id');
  t.equal(second.producerEpoch, 1, 'a new instance: epoch + 1');

  const add = (version: number, epoch: number, partitions = [0, 1], topic = 'out') =>
    client.send(ApiKey.AddPartitionsToTxn, version, {
      v3AndBelowTransactionalId: 'tx-a',
      v3AndBelowProducerId: first.producerId,
      v3AndBelowProducerEpoch: epoch,
      v3AndBelowTopics: [{ name: topic, partitions }],
    });
  const errors = (r: Awaited<ReturnType<typeof add>>) =>
    r.resultsByTopicV3AndBelow.flatMap((tp) =>
      tp.resultsByPartition.map((p) => p.partitionErrorCode),
    );
  t.same(errors(await add(3, 0)), [ErrorCode.PRODUCER_FENCED, ErrorCode.PRODUCER_FENCED], 'zombie');
  t.same(
    errors(await add(1, 0)),
    [ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.INVALID_PRODUCER_EPOCH],
    'before KIP-588 the same is INVALID_PRODUCER_EPOCH',
  );
  t.same(
    errors(
      await client.send(ApiKey.AddPartitionsToTxn, 3, {
        v3AndBelowTransactionalId: 'tx-a',
        v3AndBelowProducerId: first.producerId,
        v3AndBelowProducerEpoch: 1,
        v3AndBelowTopics: [
          { name: 'out', partitions: [0] },
          { name: 'nope', partitions: [0] },
        ],
      }),
    ),
    [ErrorCode.OPERATION_NOT_ATTEMPTED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
  );
  t.same(errors(await add(3, 1)), [ErrorCode.NONE, ErrorCode.NONE], 'the current epoch');

  const offsets = await client.send(ApiKey.AddOffsetsToTxn, 3, {
    transactionalId: 'tx-a',
    producerId: first.producerId,
    producerEpoch: 1,
    groupId: 'readers',
  });
  t.equal(offsets.errorCode, ErrorCode.NONE);

  const records = transactionLog(broker).filter((r) => r.id === 'tx-a');
  t.same(
    records.map((r) => [r.value.transactionStatus, r.value.producerEpoch]),
    [
      [0, 0], // Empty, epoch 0
      [0, 1], // Empty, epoch 1
      [1, 1], // Ongoing
      [1, 1], // Ongoing, with the __consumer_offsets partition
    ],
  );
  const last = records.at(-1)!.value;
  t.same(last.transactionPartitions.map((p) => p.topic).sort(), ['__consumer_offsets', 'out']);
  t.equal(last.transactionTimeoutMs, 60_000);
  t.ok(last.transactionStartTimestampMs > 0n);
});

t.test('EndTxn without a transaction, and with an unknown transactional id', async (t) => {
  const broker = await startBroker(t);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  await findCoordinator(client, 'tx-b');
  const init = await initProducerId(client, 'tx-b');
  const end = (transactionalId: string) =>
    client.send(ApiKey.EndTxn, 3, {
      transactionalId,
      producerId: init.producerId,
      producerEpoch: init.producerEpoch,
      committed: true,
    });
  t.equal((await end('tx-b')).errorCode, ErrorCode.INVALID_TXN_STATE, 'nothing begun');
  t.equal((await end('tx-unknown')).errorCode, ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  const badTimeout = await client.send(ApiKey.InitProducerId, 4, {
    transactionalId: 'tx-b',
    transactionTimeoutMs: 900_001,
    producerId: -1n,
    producerEpoch: -1,
  });
  t.equal(badTimeout.errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
});

t.test('ApiVersions advertises the transaction APIs at Kafka 2.8 ranges', async (t) => {
  const broker = await startBroker(t);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  const versions = await client.send(ApiKey.ApiVersions, 3, {
    clientSoftwareName: 'test',
    clientSoftwareVersion: '1',
  });
  const range = (key: number) => {
    const found = versions.apiKeys.find((k) => k.apiKey === key);
    return found === undefined ? undefined : [found.minVersion, found.maxVersion];
  };
  t.same(range(ApiKey.AddPartitionsToTxn), [0, 3]);
  t.same(range(ApiKey.AddOffsetsToTxn), [0, 3]);
  t.same(range(ApiKey.EndTxn), [0, 3]);
  t.same(range(ApiKey.TxnOffsetCommit), [0, 3]);
});

t.test(
  'transaction.timeout.ms: a stuck transaction is aborted and its producer fenced',
  async (t) => {
    const broker = await startBroker(t, {
      transactions: { abortTimedOutTransactionsIntervalMs: 20 },
    });
    await broker.controller.createTopic('slow', 1);
    const client = await RawClient.connect(broker.port);
    t.teardown(() => client.close());
    await findCoordinator(client, 'tx-slow');
    const init = await waitFor('InitProducerId tx-slow', async () => {
      const answer = await client.send(ApiKey.InitProducerId, 4, {
        transactionalId: 'tx-slow',
        transactionTimeoutMs: 50,
        producerId: -1n,
        producerEpoch: -1,
      });
      return answer.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? undefined : answer;
    });
    const added = await client.send(ApiKey.AddPartitionsToTxn, 3, {
      v3AndBelowTransactionalId: 'tx-slow',
      v3AndBelowProducerId: init.producerId,
      v3AndBelowProducerEpoch: init.producerEpoch,
      v3AndBelowTopics: [{ name: 'slow', partitions: [0] }],
    });
    t.equal(
      added.resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode,
      ErrorCode.NONE,
    );
    // Ongoing 1, then the coordinator's abort: PrepareAbort 3, CompleteAbort 5.
    await waitFor('the abort completes', () => {
      const states = transactionLog(broker)
        .filter((r) => r.id === 'tx-slow')
        .map((r) => r.value.transactionStatus);
      return states.at(-1) === 5 ? states : undefined;
    });
    const aborted = transactionLog(broker)
      .filter((r) => r.id === 'tx-slow')
      .at(-1)!.value;
    t.equal(aborted.producerEpoch, init.producerEpoch + 1, 'aborted under a bumped epoch');
    const commit = await client.send(ApiKey.EndTxn, 3, {
      transactionalId: 'tx-slow',
      producerId: init.producerId,
      producerEpoch: init.producerEpoch,
      committed: true,
    });
    t.equal(commit.errorCode, ErrorCode.PRODUCER_FENCED, 'the stuck producer is fenced');
    // The ABORT marker is in the partition, with the bumped epoch.
    const log = broker.logManager.getLog({ topic: 'slow', partition: 0 })!;
    const read = log.read({ fetchOffset: 0, maxBytes: 1 << 20, minOneBatch: true });
    t.ok(read.ok);
    if (!read.ok) return;
    const [marker] = readBatches(read.records).batches;
    t.ok(marker?.isControl, 'a control batch');
    t.equal(marker?.producerEpoch, init.producerEpoch + 1);
  },
);

t.test('transactional.id.expiration.ms: an idle id is removed with a tombstone', async (t) => {
  const broker = await startBroker(t, {
    transactions: { transactionalIdExpirationMs: 50, removeExpiredTransactionalIdsIntervalMs: 20 },
  });
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  await findCoordinator(client, 'tx-idle');
  const first = await initProducerId(client, 'tx-idle');
  t.equal(first.errorCode, ErrorCode.NONE);
  await waitFor('the tombstone', () =>
    transactionLogWithTombstones(broker).some((r) => r.id === 'tx-idle' && r.value === null),
  );
  t.equal(broker.transactions.stateManager.get('tx-idle'), undefined, 'forgotten in memory');
  // Coming back with the same id is a new producer: a new id at epoch 0.
  const again = await initProducerId(client, 'tx-idle');
  t.equal(again.errorCode, ErrorCode.NONE);
  t.not(again.producerId, first.producerId);
  t.equal(again.producerEpoch, 0);
});

t.test('ACLs: WRITE on the transactional id, WRITE on topics, READ on the group', async (t) => {
  const broker = await startBroker(t);
  await broker.controller.createTopic('out', 1);
  await broker.controller.createTopic('secret', 1);
  const denyAll: AuthorizationCheck = () => false;
  const apis = new TransactionApis({
    producerIdManager: undefined as never,
    logger: silentLogger(),
    authorize: denyAll,
    transactions: {
      coordinator: broker.transactions.coordinator,
      stateManager: broker.transactions.stateManager,
      metadataCache: broker.metadataCache,
      controllerAdmin: broker.controller,
      replicationFactor: 1,
      offsetsPartitionFor: () => 0,
    },
  });
  const noTxnId = { transactionalId: false, resource: () => true };
  const init = await apis.initProducerId(
    { transactionalId: 'tx', transactionTimeoutMs: 1000, producerId: -1n, producerEpoch: -1 },
    4,
    noTxnId,
  );
  t.equal(init.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  const add = await apis.addPartitionsToTxn(
    {
      transactions: [],
      v3AndBelowTransactionalId: 'tx',
      v3AndBelowProducerId: 1n,
      v3AndBelowProducerEpoch: 0,
      v3AndBelowTopics: [
        { name: 'out', partitions: [0] },
        { name: 'secret', partitions: [0] },
      ],
    },
    3,
    { transactionalId: true, resource: (topic) => topic !== 'secret' },
  );
  t.same(
    add.resultsByTopicV3AndBelow!.map((r) => r.resultsByPartition![0]!.partitionErrorCode),
    [ErrorCode.OPERATION_NOT_ATTEMPTED, ErrorCode.TOPIC_AUTHORIZATION_FAILED],
  );
  const offsets = await apis.addOffsetsToTxn(
    { transactionalId: 'tx', producerId: 1n, producerEpoch: 0, groupId: 'g' },
    3,
    { transactionalId: true, resource: () => false },
  );
  t.equal(offsets.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
  const end = await apis.endTxn(
    { transactionalId: 'tx', producerId: 1n, producerEpoch: 0, committed: true },
    3,
    noTxnId,
  );
  t.equal(end.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  const found = await apis.findCoordinator('tx', undefined, {} as ConnectionSession);
  t.equal(found.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'DESCRIBE needed');
});
