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
import { Kafka, logLevel } from 'kafkajs';
import { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { ControllerZNode, DeleteTopicZNode, TopicZNode } from '../../src/znodes.js';
import { freePort, spawnDaemon, startCoordinatorProcess } from '../helpers/processes.js';

/** Polls `probe` until it gives a value (the test helpers' shared version is on its way). */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

t.test('impossible admin requests are refused and long topic names delete cleanly', async (t) => {
  const dir = t.testdir();
  const coordinator = await startCoordinatorProcess({ dataDir: `${dir}/coordinator`, tickMs: 100 });
  t.teardown(() => coordinator.kill('SIGKILL'));
  const connect = `127.0.0.1:${coordinator.port}`;
  const port = await freePort();
  const broker = await spawnDaemon(
    'broker/cli.ts',
    [
      'start',
      '--id',
      '1',
      '--port',
      String(port),
      '--coordinator',
      connect,
      '--data-dir',
      `${dir}/broker-1`,
      '--override',
      'zookeeper.session.timeout.ms=2000',
    ],
    'broker listening',
  );
  t.teardown(() => broker.kill('SIGKILL'));

  const zk = new CoordinatorClient(connect);
  await zk.connect();
  t.teardown(() => zk.close());
  const controllerBefore = await waitFor('a controller', async () => {
    const stat = await zk.exists(ControllerZNode.path);
    return stat ?? undefined;
  });

  const kafka = new Kafka({
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  });
  const admin = kafka.admin();
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
  const producer = kafka.producer();
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
