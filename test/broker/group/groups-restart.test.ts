/**
 * Consumer groups across a coordinator crash, with real processes: a coordinator and a
 * broker (`broker/cli.ts start`, __consumer_offsets with one replica), kafkajs consumers, and
 * the `coordinator groups` tool. The broker that coordinates the group is killed with SIGKILL
 * and started again: it loads the group's offsets from __consumer_offsets, `groups describe`
 * shows them with the right lag, a new member resumes exactly there, and `groups
 * reset-offsets` moves the group back so that it reads exactly those records again.
 *
 * The failover to another replica, with three brokers: coordinator-failover.test.ts.
 */
import t from 'tap';
import {
  coordinatorCommand as cli,
  kafka as kafkaClient,
  kill9,
  restart,
  startCluster,
} from '../../helpers/cluster.js';

t.test('a group survives a SIGKILL of its coordinator; describe and reset-offsets', async (t) => {
  // The only broker is the controller; it serves metadata once it has taken that role.
  const readyText = 'became controller';
  const cluster = await startCluster(t, {
    brokers: [1],
    overrides: ['offsets.topic.replication.factor=1', 'offsets.topic.num.partitions=5'],
    readyText,
  });
  const connect = cluster.connect;

  const kafka = kafkaClient(cluster, { clientId: 'restart-test' });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  // The controller's first UpdateMetadata to itself may still be on its way.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.createTopics({
        topics: [{ topic: 'log', numPartitions: 2 }],
        waitForLeaders: true,
      });
      break;
    } catch (err) {
      if (attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const produce = async (from: number, n: number) => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'log',
      acks: -1,
      messages: Array.from({ length: n }, (_, i) => ({
        key: `k${from + i}`,
        value: `${from + i}`,
      })),
    });
    await producer.disconnect();
  };
  /** Runs one group member until it has read `n` records; returns them. */
  const consume = async (n: number): Promise<string[]> => {
    const seen: string[] = [];
    const consumer = kafka.consumer({ groupId: 'readers', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'log', fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value!.toString());
          if (seen.length >= n) resolve();
        },
      });
    });
    await consumer.disconnect(); // commits and leaves
    return seen.sort((a, b) => Number(a) - Number(b));
  };
  const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => String(from + i));

  await produce(0, 20);
  t.same(await consume(20), range(0, 20), 'the first member reads everything');

  const killed = await kill9(cluster, 1);
  // As in Kafka, the broker cannot register again while its old session's ephemeral
  // /brokers/ids/1 is alive: restart waits for the session to expire (2 s) first.
  const restarted = await restart(t, cluster, killed, { readyText });
  t.equal(restarted.child.exitCode, null, 'the coordinating broker was killed and started again');

  await produce(20, 10);
  let described: { code: number; stdout: string; stderr: string };
  let view: { state: string; partitions: { currentOffset: number; lag: number }[] } | undefined;
  // The restarted broker loads __consumer_offsets first (COORDINATOR_LOAD_IN_PROGRESS).
  for (let attempt = 0; attempt < 100; attempt++) {
    described = await cli(['--server', connect, 'groups', 'describe', 'readers', '--json']);
    if (described.code === 0) {
      view = JSON.parse(described.stdout);
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  t.ok(view, 'groups describe answers once the offsets are loaded');
  t.equal(view!.state, 'Empty');
  t.equal(
    view!.partitions.reduce((sum, p) => sum + p.currentOffset, 0),
    20,
    'the committed offsets survived the crash',
  );
  t.equal(
    view!.partitions.reduce((sum, p) => sum + p.lag, 0),
    10,
    'lag: the ten records produced since',
  );
  const text = await cli(['--server', connect, 'groups', 'describe', 'readers']);
  t.match(text.stdout, /GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG/);

  t.same(await consume(10), range(20, 10), 'a new member resumes: nothing skipped or repeated');

  const dry = await cli([
    '--server',
    connect,
    'groups',
    'reset-offsets',
    'readers',
    '--topic',
    'log',
    '--to-earliest',
  ]);
  t.equal(dry.code, 0, dry.stderr);
  t.match(dry.stdout, /dry run/);
  const executed = await cli([
    '--server',
    connect,
    'groups',
    'reset-offsets',
    'readers',
    '--topic',
    'log',
    '--shift-by',
    '-3',
    '--execute',
    '--json',
  ]);
  t.equal(executed.code, 0, executed.stderr);
  const plan = JSON.parse(executed.stdout) as { partitions: { newOffset: number }[] };
  t.equal(plan.partitions.length, 2);
  const again = await consume(6);
  t.equal(
    new Set(again).size,
    6,
    'after moving back three records per partition, exactly six are read again',
  );
  t.ok(
    again.every((v) => Number(v) >= 20),
    'and they are the newest ones',
  );

  const listed = await cli(['--server', connect, 'groups', 'list', '--json']);
  t.same(
    (JSON.parse(listed.stdout) as { groupId: string; state: string }[]).map((g) => [
      g.groupId,
      g.state,
    ]),
    [['readers', 'Empty']],
  );
  t.equal((await cli(['--server', connect, 'groups', 'delete', 'readers'])).code, 0);
  const after = await cli(['--server', connect, 'groups', 'list', '--json']);
  t.same(JSON.parse(after.stdout), [], 'the group is gone');
});
