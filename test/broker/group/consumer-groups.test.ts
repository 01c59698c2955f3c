/**
 * Consumer groups with real clients against one in-process broker (test/broker/server/
 * harness.ts) and its real group coordinator: kafkajs consumers sharing a topic, a
 * rebalance that splits the partitions, commits and a resume that neither skips nor repeats
 * a record, a silent member removed at its session timeout, and kcat's balanced consumer.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { Kafka, logLevel, type Consumer, type EachMessagePayload } from 'kafkajs';
import { RawClient, startBroker, type TestBroker } from '../server/harness.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import {
  encodeConsumerAssignment,
  encodeConsumerSubscription,
} from '../../../src/protocol/kafka/consumer-protocol.js';

const run = promisify(execFile);

function kafkaFor(broker: TestBroker, clientId: string): Kafka {
  return new Kafka({
    brokers: [broker.bootstrap],
    clientId,
    logLevel: process.env.KJ_LOG ? logLevel.DEBUG : logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 50, maxRetryTime: 500 },
  });
}

/** Resolves with each GROUP_JOIN's assignment, as the consumer reports it. */
function assignments(consumer: Consumer) {
  const seen: Record<string, number[]>[] = [];
  let wake: (() => void) | undefined;
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    seen.push(event.payload.memberAssignment);
    wake?.();
  });
  return {
    seen,
    /** Waits for a join whose assignment satisfies `ok`. */
    async until(ok: (a: Record<string, number[]>) => boolean): Promise<Record<string, number[]>> {
      for (;;) {
        const found = seen.find(ok);
        if (found !== undefined) return found;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

const count = (a: Record<string, number[]>, topic: string) => a[topic]?.length ?? 0;

async function produce(kafka: Kafka, topic: string, from: number, n: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: n }, (_, i) => ({
      key: `k${from + i}`,
      value: `v${from + i}`,
    })),
  });
  await producer.disconnect();
}

t.test(
  'kafkajs: two members split the partitions; a new member resumes from the commits',
  async (t) => {
    const broker = await startBroker(t);
    await broker.controller.createTopic('orders', 4);
    const kafka = kafkaFor(broker, 'groups-test');
    const received = new Map<string, string>();
    let duplicates = 0;
    let wake: (() => void) | undefined;
    const onMessage = (member: string) => async (payload: EachMessagePayload) => {
      const value = payload.message.value!.toString();
      if (received.has(value)) duplicates++;
      received.set(value, member);
      wake?.();
    };
    const receivedAtLeast = async (n: number) => {
      while (received.size < n) await new Promise<void>((resolve) => (wake = resolve));
    };

    const a = kafka.consumer({ groupId: 'orders-group', maxWaitTimeInMs: 100 });
    const aJoins = assignments(a);
    await a.connect();
    t.teardown(() => a.disconnect());
    await a.subscribe({ topic: 'orders', fromBeginning: true });
    await a.run({ eachMessage: onMessage('a') });
    const alone = await aJoins.until((x) => count(x, 'orders') === 4);
    t.equal(count(alone, 'orders'), 4, 'the only member gets all four partitions');

    const b = kafka.consumer({ groupId: 'orders-group', maxWaitTimeInMs: 100 });
    const bJoins = assignments(b);
    await b.connect();
    t.teardown(() => b.disconnect());
    await b.subscribe({ topic: 'orders', fromBeginning: true });
    await b.run({ eachMessage: onMessage('b') });
    const bAssignment = await bJoins.until((x) => count(x, 'orders') === 2);
    const aAssignment = await aJoins.until((x) => count(x, 'orders') === 2);
    t.same(
      [...aAssignment.orders!, ...bAssignment.orders!].sort(),
      [0, 1, 2, 3],
      'a second member makes the group split the partitions two and two',
    );

    await produce(kafka, 'orders', 0, 40);
    await receivedAtLeast(40);
    t.equal(duplicates, 0, 'no record was read twice');
    t.ok(
      [...received.values()].includes('a') && [...received.values()].includes('b'),
      'both members consumed',
    );
    // kafkajs commits on stop (and every few seconds); both leave the group.
    await a.disconnect();
    await b.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    const committed = await admin.fetchOffsets({ groupId: 'orders-group', topics: ['orders'] });
    const total = committed[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    t.equal(total, 40, 'the committed offsets cover exactly what was consumed');
    const described = await admin.describeGroups(['orders-group']);
    t.equal(described.groups[0]!.state, 'Empty', 'nobody left in the group');

    await produce(kafka, 'orders', 40, 10);
    const resumed: string[] = [];
    const c = kafka.consumer({ groupId: 'orders-group', maxWaitTimeInMs: 100 });
    await c.connect();
    t.teardown(() => c.disconnect());
    await c.subscribe({ topic: 'orders', fromBeginning: true });
    await new Promise<void>((resolve) => {
      void c.run({
        eachMessage: async ({ message }) => {
          resumed.push(message.value!.toString());
          if (resumed.length >= 10) resolve();
        },
      });
    });
    t.same(
      resumed.sort(),
      Array.from({ length: 10 }, (_, i) => `v${40 + i}`).sort(),
      'a new member resumes at the committed offsets: nothing skipped, nothing read twice',
    );
  },
);

/** One raw group member: joins, syncs with an assignment, and can then fall silent. */
async function rawMember(broker: TestBroker, sessionTimeoutMs: number) {
  const client = await RawClient.connect(broker.port);
  // kafkajs's default assigner, so that a kafkajs member can join the same group.
  const protocols = [
    { name: 'RoundRobinAssigner', metadata: encodeConsumerSubscription(['events']) },
  ];
  const join = (memberId: string) =>
    client.send(ApiKey.JoinGroup, 5, {
      groupId: 'silent-group',
      sessionTimeoutMs,
      rebalanceTimeoutMs: 60_000,
      memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols,
    });
  let joined = await join('');
  if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) joined = await join(joined.memberId);
  return { client, joined };
}

t.test('a member that stops heartbeating is removed after its session timeout', async (t) => {
  const broker = await startBroker(t, { groups: { groupMinSessionTimeoutMs: 100 } });
  await broker.controller.createTopic('events', 2);
  const kafka = kafkaFor(broker, 'silent-test');
  // Find the coordinator (creates __consumer_offsets) before the raw member joins.
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  for (;;) {
    const probe = await RawClient.connect(broker.port);
    const found = await probe.send(ApiKey.FindCoordinator, 2, { key: 'silent-group', keyType: 0 });
    probe.close();
    if (found.errorCode === ErrorCode.NONE) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  let silent: Awaited<ReturnType<typeof rawMember>>;
  for (;;) {
    silent = await rawMember(broker, 1_000);
    if (silent.joined.errorCode === ErrorCode.NONE) break;
    silent.client.close();
    await new Promise((r) => setTimeout(r, 50));
  }
  t.teardown(() => silent.client.close());
  const { joined } = silent;
  const synced = await silent.client.send(ApiKey.SyncGroup, 3, {
    groupId: 'silent-group',
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupInstanceId: null,
    assignments: [
      {
        memberId: joined.memberId,
        assignment: encodeConsumerAssignment([{ topic: 'events', partitions: [0, 1] }]),
      },
    ],
  });
  t.equal(synced.errorCode, ErrorCode.NONE, 'the raw member owns both partitions');

  // The raw member never heartbeats. A kafkajs member joining makes the group rebalance;
  // the silent member does not rejoin, is dropped, and kafkajs ends up with everything.
  const consumer = kafka.consumer({
    groupId: 'silent-group',
    sessionTimeout: 10_000,
    maxWaitTimeInMs: 100,
  });
  const joins = assignments(consumer);
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'events', fromBeginning: true });
  await consumer.run({ eachMessage: async () => {} });
  await joins.until((x) => count(x, 'events') === 2);
  const described = await admin.describeGroups(['silent-group']);
  t.same(
    described.groups[0]!.members.map((m) => m.clientId),
    ['silent-test'],
    'only the kafkajs member is left',
  );
});

const kcatAvailable = spawnSync('kcat', ['-V']).status === 0;
if (!kcatAvailable) {
  if (process.env.CI === 'true') t.fail('kcat is not installed, and CI=true requires it');
  else t.comment('kcat is not installed: skipping the kcat balanced consumer test');
} else {
  t.test('kcat -G: a balanced consumer reads every partition and commits', async (t) => {
    const broker = await startBroker(t);
    await broker.controller.createTopic('kg', 3);
    const kafka = kafkaFor(broker, 'kcat-test');
    await produce(kafka, 'kg', 0, 9);
    const { stdout } = await run(
      'kcat',
      [
        '-b',
        broker.bootstrap,
        '-G',
        'kcat-group',
        '-o',
        'beginning',
        '-e',
        '-q',
        '-f',
        '%p %o %s\\n',
        '-X',
        'socket.timeout.ms=5000',
        'kg',
      ],
      { timeout: 60_000 },
    );
    const lines = stdout.trim().split('\n');
    t.equal(lines.length, 9, 'all nine records');
    t.same(new Set(lines.map((l) => l.split(' ')[0])), new Set(['0', '1', '2']));
    const admin = kafka.admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    const committed = await admin.fetchOffsets({ groupId: 'kcat-group', topics: ['kg'] });
    const total = committed[0]!.partitions.reduce(
      (sum, p) => sum + Math.max(0, Number(p.offset)),
      0,
    );
    t.equal(total, 9, 'kcat committed the end of every partition when it closed');
  });
}
