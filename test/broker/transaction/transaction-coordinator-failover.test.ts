/**
 * The transaction coordinator fails over, with real processes: a coordinator and three
 * brokers, `__transaction_state` with three replicas and min.insync.replicas 2, and a kafkajs
 * transactional producer. The broker that coordinates the producer's transactional id (the
 * leader of its `__transaction_state` partition) is killed with SIGKILL twice:
 *
 *   1. while a transaction is open: the producer's EndTxn(commit) goes to the new coordinator,
 *      which loaded the Ongoing transaction (and its partitions) from its replica;
 *   2. right after a commit was answered: the markers may or may not have been written; the
 *      new coordinator finds the transaction PrepareCommit (or complete) and finishes it, so
 *      the producer's next transaction can begin.
 *
 * Checked: a read_committed consumer gets every committed record exactly once and none of an
 * aborted transaction.
 */
import t from 'tap';
import { partitionForTransactionalId } from '../../../src/protocol/kafka/transaction-records.js';
import {
  createTopic,
  kafka,
  kill9,
  partitionState,
  restart,
  startCluster,
  waitFor,
  waitForLeaders,
} from '../../helpers/cluster.js';

// Process starts and session expiries: beyond the default per-file timeout when loaded.
t.setTimeout(300_000);

const TRANSACTIONAL_ID = 'failover-tx';
const TXN_PARTITIONS = 3;
const TOPIC = 'txn-failover';

t.test('kill -9 of the transaction coordinator: transactions survive and complete', async (t) => {
  const cluster = await startCluster(t, {
    overrides: [
      'transaction.state.log.replication.factor=3',
      `transaction.state.log.num.partitions=${TXN_PARTITIONS}`,
      'transaction.state.log.min.isr=2',
      'offsets.topic.replication.factor=3',
      'offsets.topic.num.partitions=3',
    ],
  });
  await createTopic(cluster, TOPIC, 3, { configs: ['min.insync.replicas=2'] });
  const client = kafka(cluster);
  const producer = client.producer({
    transactionalId: TRANSACTIONAL_ID,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const txnPartition = partitionForTransactionalId(TRANSACTIONAL_ID, TXN_PARTITIONS);
  const coordinatorId = async () => {
    await waitForLeaders(cluster, '__transaction_state', TXN_PARTITIONS, 3);
    return (await partitionState(cluster, '__transaction_state', txnPartition)).leader;
  };
  const send = (txn: Awaited<ReturnType<typeof producer.transaction>>, values: string[]) =>
    txn.send({
      topic: TOPIC,
      acks: -1,
      messages: values.map((value, i) => ({ value, partition: i % 3 })),
    });
  const committed: string[] = [];
  const numbered = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

  // 1. The coordinator dies while the transaction is open.
  const first = await producer.transaction();
  await send(first, numbered('first', 6));
  const firstCoordinator = await coordinatorId();
  const killed = await kill9(cluster, firstCoordinator);
  await waitFor('a new transaction coordinator', async () => {
    const state = await partitionState(cluster, '__transaction_state', txnPartition);
    return state.leader >= 0 && state.leader !== firstCoordinator ? state : undefined;
  });
  await first.commit();
  committed.push(...numbered('first', 6));
  // Back to three brokers, so that min.insync.replicas=2 holds after the second kill.
  await restart(t, cluster, killed);
  await waitForLeaders(cluster, TOPIC, 3, 3);

  // An aborted transaction in between: none of it may be read.
  const aborted = await producer.transaction();
  await send(aborted, numbered('aborted', 3));
  await aborted.abort();

  // 2. The coordinator dies right after answering the commit.
  const second = await producer.transaction();
  await send(second, numbered('second', 6));
  const secondCoordinator = await coordinatorId();
  await second.commit();
  committed.push(...numbered('second', 6));
  const killedAgain = await kill9(cluster, secondCoordinator);

  // The next transaction can only begin once the new coordinator completed the second.
  const third = await producer.transaction();
  await send(third, ['end']);
  await third.commit();
  committed.push('end');

  // __consumer_offsets needs its three brokers before the consumer group can begin.
  await restart(t, cluster, killedAgain);

  const consumer = client.consumer({ groupId: 'failover-readers', maxWaitTimeInMs: 200 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
        if (seen.length >= committed.length) resolve();
      },
    });
  });
  t.same([...seen].sort(), [...committed].sort(), 'every committed record once, no aborted one');
});
