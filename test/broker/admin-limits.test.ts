/**
 * Admin requests a careless or hostile client can send, against real processes (a coordinator
 * and one broker) through kafkajs's admin client:
 *   - CreateTopics and CreatePartitions with impossible counts are refused at once with
 *     INVALID_PARTITIONS / INVALID_REPLICATION_FACTOR, and the broker stays the controller with
 *     its session (a 10,000,000-partition request used to stall it for over 30 s);
 *   - a topic with the longest legal name (249 characters) is deleted with its data, and a
 *     topic re-created under that name is empty (the rename to a `-delete` directory used to
 *     fail with ENAMETOOLONG and leave the records to be served again).
 */
import t from 'tap';
import { ControllerZNode, DeleteTopicZNode, TopicZNode } from '../../src/znodes.js';
import { kafka, startCluster, waitFor } from '../helpers/cluster.js';

t.test('impossible admin requests are refused and long topic names delete cleanly', async (t) => {
  const cluster = await startCluster(t, { brokers: [1] });
  const { zk } = cluster;
  const broker = cluster.brokers.get(1)!;
  const controllerBefore = await waitFor('a controller', async () => {
    const stat = await zk.exists(ControllerZNode.path);
    return stat ?? undefined;
  });

  const client = kafka(cluster, { retry: { retries: 2 } });
  const admin = client.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());

  const refusal = async (promise: Promise<unknown>): Promise<string[]> => {
    try {
      await promise;
      return ['(accepted)'];
    } catch (err) {
      const e = err as { errors?: { type?: string }[]; type?: string };
      return e.errors?.map((x) => x.type ?? '?') ?? [e.type ?? String(err)];
    }
  };
  for (const numPartitions of [10_000_000, 2_147_483_647]) {
    t.same(
      await refusal(
        admin.createTopics({ topics: [{ topic: `huge-${numPartitions}`, numPartitions }] }),
      ),
      ['INVALID_PARTITIONS'],
      `${numPartitions} partitions are refused`,
    );
  }
  t.same(
    await refusal(
      admin.createTopics({
        topics: [{ topic: 'wide', numPartitions: 1, replicationFactor: 32_767 }],
      }),
    ),
    ['INVALID_REPLICATION_FACTOR'],
  );
  await admin.createTopics({
    topics: [{ topic: 'small', numPartitions: 1 }],
    waitForLeaders: true,
  });
  t.same(
    await refusal(
      admin.createPartitions({ topicPartitions: [{ topic: 'small', count: 2_147_483_647 }] }),
    ),
    ['INVALID_PARTITIONS'],
    'CreatePartitions to 2,147,483,647 is refused',
  );
  const controllerAfter = await zk.exists(ControllerZNode.path);
  t.equal(controllerAfter?.czxid, controllerBefore.czxid, 'the controller never resigned');

  // The longest legal topic name: produce, delete, re-create, and find it empty.
  const longest = 'L'.repeat(249);
  await admin.createTopics({
    topics: [{ topic: longest, numPartitions: 1 }],
    waitForLeaders: true,
  });
  const producer = client.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: longest, acks: 1, messages: [{ value: 'a' }, { value: 'b' }] });
  t.same(
    (await admin.fetchTopicOffsets(longest)).map((p) => p.high),
    ['2'],
  );
  await admin.deleteTopics({ topics: [longest], timeout: 10_000 });
  // Deletion is finished when the controller has removed the topic's znodes.
  await waitFor('the deletion to finish', async () =>
    (await zk.exists(TopicZNode.path(longest))) === null &&
    (await zk.exists(DeleteTopicZNode.path(longest))) === null
      ? true
      : undefined,
  );
  t.notOk(broker.log().includes('ENAMETOOLONG'), 'the deletion renamed the directory');
  await admin.createTopics({
    topics: [{ topic: longest, numPartitions: 1 }],
    waitForLeaders: true,
  });
  const offsets = await waitFor('the re-created topic to be served', async () =>
    (await admin.fetchTopicOffsets(longest)).map((p) => p.high),
  );
  t.same(offsets, ['0'], 'the re-created topic holds none of the deleted records');
});
