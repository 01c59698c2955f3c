/**
 * Exactly-once consume-transform-produce with real processes and a kill -9: a kafkajs consumer
 * (read_committed, no auto-commit) reads `ctp-in`; for each batch a transactional producer
 * writes the transformed records to `ctp-out` and commits the input offsets with them
 * (sendOffsets), then commits the transaction. In the middle, the broker that coordinates
 * the producer's transactions is killed with SIGKILL. A batch whose transaction did not
 * commit is aborted and read again from the committed offsets.
 *
 * Checked: `ctp-out`, read as read_committed (kcat, librdkafka), holds every input record's
 * transformation exactly once.
 */
import t from 'tap';
import { partitionForTransactionalId } from '../../../src/protocol/kafka/transaction-records.js';
import {
  createTopic,
  kafka,
  kcatInstalled,
  kill9,
  partitionState,
  run,
  startCluster,
  waitFor,
  waitForLeaders,
} from '../../helpers/cluster.js';

t.setTimeout(300_000);

const TRANSACTIONAL_ID = 'ctp-tx';
const TXN_PARTITIONS = 3;
const RECORDS = 300;

t.test('kill -9 of the transaction coordinator in a consume-transform-produce loop', async (t) => {
  if (!kcatInstalled(t)) return;
  const cluster = await startCluster(t, {
    overrides: [
      'transaction.state.log.replication.factor=3',
      `transaction.state.log.num.partitions=${TXN_PARTITIONS}`,
      'transaction.state.log.min.isr=2',
      'offsets.topic.replication.factor=3',
      'offsets.topic.num.partitions=3',
    ],
  });
  await createTopic(cluster, 'ctp-in', 1);
  await createTopic(cluster, 'ctp-out', 1, { configs: ['min.insync.replicas=2'] });
  const client = kafka(cluster);
  const input = client.producer();
  await input.connect();
  t.teardown(() => input.disconnect());
  for (let i = 0; i < RECORDS; i += 50) {
    await input.send({
      topic: 'ctp-in',
      acks: -1,
      messages: Array.from({ length: 50 }, (_, j) => ({ value: String(i + j) })),
    });
  }

  const producer = client.producer({
    transactionalId: TRANSACTIONAL_ID,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const consumer = client.consumer({ groupId: 'ctp', maxBytes: 2048, maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'ctp-in', fromBeginning: true });
  let committedUpTo = 0;
  let aborted = 0;
  void consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async (payload) => {
      const { batch } = payload;
      const txn = await producer.transaction();
      try {
        await txn.send({
          topic: 'ctp-out',
          acks: -1,
          messages: batch.messages.map((m) => ({ value: `out-${m.value!.toString()}` })),
        });
        const next = Number(batch.lastOffset()) + 1;
        await txn.sendOffsets({
          consumerGroupId: 'ctp',
          topics: [{ topic: 'ctp-in', partitions: [{ partition: 0, offset: String(next) }] }],
        });
        await txn.commit();
        committedUpTo = next;
        payload.resolveOffset(batch.lastOffset());
      } catch (err) {
        aborted++;
        await txn.abort().catch(() => undefined);
        throw err;
      }
    },
  });

  await waitFor('a third of the input processed', async () => committedUpTo >= RECORDS / 3);
  const txnPartition = partitionForTransactionalId(TRANSACTIONAL_ID, TXN_PARTITIONS);
  const coordinator = (await partitionState(cluster, '__transaction_state', txnPartition)).leader;
  await kill9(cluster, coordinator);
  await waitFor('all input processed', async () => committedUpTo >= RECORDS);
  await waitForLeaders(cluster, 'ctp-out', 1);

  const { stdout } = await run(
    'kcat',
    [
      '-b',
      cluster.bootstrap(),
      '-C',
      '-t',
      'ctp-out',
      '-o',
      'beginning',
      '-e',
      '-q',
      '-X',
      'isolation.level=read_committed',
    ],
    { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
  );
  const out = stdout.split('\n').filter((l) => l !== '');
  const expected = Array.from({ length: RECORDS }, (_, i) => `out-${i}`);
  t.equal(out.length, RECORDS, `exactly ${RECORDS} committed outputs (${aborted} batches retried)`);
  t.same([...out].sort(), [...expected].sort(), 'each input transformed exactly once');
});
