/**
 * Partition reassignment through /admin/reassign_partitions, carried out by the controller
 * against a real in-process coordinator with simulated brokers (harness.ts). The followers'
 * catching up is simulated the way a leader reports it: an ISR change in the state znode
 * plus an /isr_change_notification entry.
 */
import t from 'tap';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { ReassignPartitionsZNode, TopicZNode } from '../../../src/znodes.js';
import { startBench, until, type Bench } from './harness.js';

const topicZNode = async (bench: Bench, topic: string) =>
  TopicZNode.decode(topic, (await bench.admin.getData(TopicZNode.path(topic))).data);

const requestReassignment = (bench: Bench, topic: string, partition: number, replicas: number[]) =>
  bench.admin.create(
    ReassignPartitionsZNode.path,
    ReassignPartitionsZNode.encode([{ topic, partition, replicas }]),
  );

t.test('reassignment [1,2] -> [2,3]', async (t) => {
  const bench = await startBench(t);
  for (const id of [1, 2, 3]) await bench.startBroker(id);
  const controller = bench.controller(1);
  controller.startup();
  await until(async () => controller.isActive(), 'active');
  await bench.createTopic('r', { 0: [1, 2] });
  await controller.whenIdle();
  controller.sender.sent.length = 0;

  await requestReassignment(bench, 'r', 0, [2, 3]);
  await until(async () => (await topicZNode(bench, 'r')).partitions.get(0)?.length === 3, 'RS');
  await controller.whenIdle();
  const moving = await topicZNode(bench, 'r');
  t.same(moving.partitions.get(0), [2, 3, 1], 'the assignment is RS = target + removed');
  t.same(moving.addingReplicas.get(0), [3]);
  t.same(moving.removingReplicas.get(0), [1]);
  t.same(
    await bench.state('r', 0),
    { leader: 1, leaderEpoch: 1, isr: [1, 2], controllerEpoch: 1 },
    'the leader epoch was bumped so every replica learns RS',
  );
  t.ok(
    controller.sender.sent.some((s) => s.apiKey === ApiKey.LeaderAndIsr && s.to === 3),
    'the new replica got a LeaderAndIsr (it starts following)',
  );
  t.ok(await bench.admin.exists(ReassignPartitionsZNode.path), 'still requested while waiting');

  // Broker 3 catches up; the leader adds it to the ISR.
  controller.sender.sent.length = 0;
  await bench.setIsr('r', 0, [1, 2, 3]);
  await until(
    async () => (await bench.admin.exists(ReassignPartitionsZNode.path)) === null,
    'the request is removed when done',
  );
  await controller.whenIdle();
  const done = await topicZNode(bench, 'r');
  t.same(done.partitions.get(0), [2, 3], 'final assignment');
  t.same(done.addingReplicas.size + done.removingReplicas.size, 0, 'no moving replicas left');
  const state = await bench.state('r', 0);
  t.equal(state.leader, 2, 'leadership moved into the target set');
  t.same(state.isr, [2, 3], 'the removed replica left the ISR');
  const stops = controller.sender.sent.filter((s) => s.apiKey === ApiKey.StopReplica && s.to === 1);
  t.ok(
    stops.some((s) => s.body.deletePartitions === true),
    'StopReplica with delete to the removed replica',
  );
});

t.test('controller failover in the middle of a reassignment', async (t) => {
  const bench = await startBench(t);
  for (const id of [1, 2, 3]) await bench.startBroker(id);
  const first = bench.controller(1);
  first.startup();
  await until(async () => first.isActive(), 'controller 1');
  const second = bench.controller(2);
  second.startup();
  await bench.createTopic('f', { 0: [1, 2] });
  await first.whenIdle();
  await requestReassignment(bench, 'f', 0, [2, 3]);
  await until(async () => (await topicZNode(bench, 'f')).partitions.get(0)?.length === 3, 'RS');
  await first.whenIdle();

  // Controller 1 goes away while the reassignment waits for broker 3.
  await first.shutdown();
  await bench.killBroker(1);
  await until(async () => second.isActive(), 'controller 2 takes over');
  await second.whenIdle();
  t.equal(second.epoch, 2);
  t.ok(await bench.admin.exists(ReassignPartitionsZNode.path), 'still in progress');
  t.equal((await bench.state('f', 0)).leader, 2, 'broker 1 died: 2 leads');

  await bench.setIsr('f', 0, [2, 3]);
  await until(
    async () => (await bench.admin.exists(ReassignPartitionsZNode.path)) === null,
    'the new controller completes it',
  );
  await second.whenIdle();
  t.same((await topicZNode(bench, 'f')).partitions.get(0), [2, 3]);
  t.same((await bench.state('f', 0)).isr, [2, 3]);
});

t.test('an invalid request is dropped from the znode', async (t) => {
  const bench = await startBench(t);
  for (const id of [1, 2]) await bench.startBroker(id);
  const controller = bench.controller(1);
  controller.startup();
  await until(async () => controller.isActive(), 'active');
  await bench.createTopic('v', { 0: [1] });
  await requestReassignment(bench, 'v', 0, [7]);
  await until(
    async () => (await bench.admin.exists(ReassignPartitionsZNode.path)) === null,
    'removed',
  );
  t.same((await topicZNode(bench, 'v')).partitions.get(0), [1], 'assignment untouched');
});

t.test('AlterPartitionReassignments, ListPartitionReassignments and cancelling', async (t) => {
  const bench = await startBench(t);
  for (const id of [1, 2, 3]) await bench.startBroker(id);
  const controller = bench.controller(1);
  controller.startup();
  await until(async () => controller.isActive(), 'active');
  await bench.createTopic('api', { 0: [1, 2], 1: [1, 2] });
  await controller.whenIdle();
  const tp0 = { topic: 'api', partition: 0 };
  const tp1 = { topic: 'api', partition: 1 };
  t.same(
    await controller.alterPartitionReassignments([
      { tp: tp0, replicas: [2, 3] },
      { tp: tp1, replicas: [1, 9] },
      { tp: { topic: 'nope', partition: 0 }, replicas: [1] },
    ]),
    [
      { tp: tp0, errorCode: ErrorCode.NONE, errorMessage: null },
      {
        tp: tp1,
        errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        errorMessage: 'the proposed assignment contains non-existent broker ids [9]',
      },
      {
        tp: { topic: 'nope', partition: 0 },
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: null,
      },
    ],
    'started; INVALID_REPLICA_ASSIGNMENT; UNKNOWN_TOPIC_OR_PARTITION',
  );
  t.same(await controller.listPartitionReassignments(null), [
    { tp: tp0, replicas: [2, 3, 1], adding: [3], removing: [1] },
  ]);
  t.same(
    (await topicZNode(bench, 'api')).addingReplicas.get(0),
    [3],
    'recorded in the topic znode (no /admin/reassign_partitions for API requests)',
  );
  t.same(
    await controller.alterPartitionReassignments([{ tp: tp1, replicas: null }]),
    [{ tp: tp1, errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: null }],
    'cancelling a partition that is not moving: NO_REASSIGNMENT_IN_PROGRESS',
  );
  t.same(await controller.alterPartitionReassignments([{ tp: tp0, replicas: null }]), [
    { tp: tp0, errorCode: ErrorCode.NONE, errorMessage: null },
  ]);
  await controller.whenIdle();
  const back = await topicZNode(bench, 'api');
  t.same(back.partitions.get(0), [1, 2], 'cancelled: the original replicas again');
  t.equal(back.addingReplicas.size + back.removingReplicas.size, 0);
  t.same(await controller.listPartitionReassignments(null), []);
  t.ok(
    controller.sender.sent.some(
      (s) => s.apiKey === ApiKey.StopReplica && s.to === 3 && s.body.deletePartitions,
    ),
    'the replica that was being added is deleted',
  );
});

t.test('a reorder [1,3,2] -> [2,3,1] completes at once; then a preferred election', async (t) => {
  const bench = await startBench(t);
  for (const id of [1, 2, 3]) await bench.startBroker(id);
  const controller = bench.controller(1);
  controller.startup();
  await until(async () => controller.isActive(), 'active');
  await bench.createTopic('o', { 0: [1, 3, 2] });
  await controller.whenIdle();
  await bench.setIsr('o', 0, [1, 3, 2]);
  await controller.whenIdle();

  await requestReassignment(bench, 'o', 0, [2, 3, 1]);
  await until(
    async () => (await bench.admin.exists(ReassignPartitionsZNode.path)) === null,
    'the request is removed without any ISR change',
  );
  await controller.whenIdle();
  const done = await topicZNode(bench, 'o');
  t.same(done.partitions.get(0), [2, 3, 1], 'final assignment: the new order');
  t.equal(done.addingReplicas.size + done.removingReplicas.size, 0, 'nothing moving');
  t.same(await controller.listPartitionReassignments(null), [], 'no reassignment in progress');
  t.equal((await bench.state('o', 0)).leader, 1, 'leader 1 is in the new set: it stays');

  const tp = { topic: 'o', partition: 0 };
  t.same(
    await controller.electLeaders('preferred', [tp]),
    [{ tp, errorCode: ErrorCode.NONE, errorMessage: null }],
    'the preferred election is no longer blocked by the reassignment',
  );
  t.equal((await bench.state('o', 0)).leader, 2, 'the new preferred replica leads');
});
