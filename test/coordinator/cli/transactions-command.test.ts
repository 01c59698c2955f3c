/**
 * `coordinator transactions list|describe` against a real broker process: a kafkajs
 * transactional producer leaves a transaction open, the tool shows it Ongoing with its
 * partitions, and after the commit CompleteCommit; an unknown id is an error.
 */
import t from 'tap';
import { cli, coordinatorCommand, kafka, startCluster, waitFor } from '../../helpers/cluster.js';

t.test('transactions list and describe read __transaction_state', async (t) => {
  const cluster = await startCluster(t, {
    brokers: [1],
    readyText: 'became controller',
    overrides: [
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=3',
    ],
  });
  const empty = await cli(cluster, ['transactions', 'list']);
  t.match(empty.stdout, /no transactional ids/, 'before any transactional producer');

  const client = kafka(cluster);
  const admin = client.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await waitFor('the topic', async () =>
    admin
      .createTopics({ topics: [{ topic: 'txn-out', numPartitions: 2 }], waitForLeaders: true })
      .then(
        () => true,
        () => undefined,
      ),
  );
  const producer = client.producer({
    transactionalId: 'shop-checkout',
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const txn = await producer.transaction();
  await txn.send({
    topic: 'txn-out',
    messages: [
      { key: 'a', value: '1', partition: 0 },
      { key: 'b', value: '2', partition: 1 },
    ],
  });

  const list = JSON.parse((await cli(cluster, ['transactions', 'list', '--json'])).stdout) as {
    transactionalId: string;
    state: string;
    coordinatorId: number;
    topicPartitions: { topic: string; partition: number }[];
  }[];
  t.same(
    list.map((x) => [x.transactionalId, x.state, x.coordinatorId]),
    [['shop-checkout', 'Ongoing', 1]],
  );
  t.same(
    list[0]!.topicPartitions.sort((a, b) => a.partition - b.partition),
    [
      { topic: 'txn-out', partition: 0 },
      { topic: 'txn-out', partition: 1 },
    ],
    'the open transaction with its partitions',
  );
  const text = await cli(cluster, ['transactions', 'describe', 'shop-checkout']);
  t.match(
    text.stdout,
    /^CoordinatorId\s+TransactionalId\s+ProducerId\s+ProducerEpoch\s+TransactionState/,
  );
  t.match(
    text.stdout,
    /shop-checkout\s+\d+\s+\d+\s+Ongoing\s+60000\s+\d+\s+\d+\s+txn-out-0,txn-out-1/,
  );

  await txn.commit();
  const after = await waitFor('the commit to be recorded', async () => {
    const out = (await cli(cluster, ['transactions', 'list'])).stdout;
    return /CompleteCommit/.test(out) ? out : undefined;
  });
  t.match(
    after,
    /^TransactionalId\s+Coordinator\s+ProducerId\s+TransactionState\nshop-checkout\s+1\s+\d+\s+CompleteCommit$/m,
  );

  const unknown = await coordinatorCommand([
    '--server',
    cluster.connect,
    'transactions',
    'describe',
    'nobody',
  ]);
  t.not(unknown.code, 0, 'an unknown id fails');
  t.match(unknown.stderr, /not known to any coordinator/);
});
