/**
 * Leadership changes carried out by the controller's partition and replica state machines,
 * against a real in-process coordinator with simulated brokers (harness.ts): a partition whose
 * every replica is down goes offline and comes back, unclean election per topic, controlled
 * shutdown, the preferred replica election through /admin/preferred_replica_election, and the
 * automatic leader rebalance driven by a manual scheduler.
 */
import t from 'tap';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { PreferredReplicaElectionZNode } from '../../../src/znodes.js';
import { startBench, until } from './harness.js';

t.test('leadership through the controller', async (t) => {
  const bench = await startBench(t);
  for (const id of [1, 2, 3, 4]) await bench.startBroker(id);
  const controller = bench.controller(1, { leaderImbalanceCheckIntervalMs: 300_000 });
  controller.startup();
  await until(async () => controller.isActive(), 'controller 1 active');
  await controller.whenIdle();

  await t.test(
    'every replica down: offline (leader -1), back when the ISR member returns',
    async (t) => {
      await bench.createTopic('solo', { 0: [3] });
      t.same(await bench.state('solo', 0), {
        leader: 3,
        leaderEpoch: 0,
        isr: [3],
        controllerEpoch: 1,
      });
      await bench.killBroker(3);
      await until(async () => (await bench.state('solo', 0)).leader === -1, 'solo-0 offline');
      t.same(
        await bench.state('solo', 0),
        { leader: -1, leaderEpoch: 1, isr: [3], controllerEpoch: 1 },
        'the ISR keeps its last member',
      );
      await controller.whenIdle();
      t.same(
        controller.metricsSnapshot(),
        { offlinePartitions: 1, topics: 1, partitions: 1 },
        'OfflinePartitionsCount counts it',
      );
      await bench.startBroker(3);
      await until(async () => (await bench.state('solo', 0)).leader === 3, 'solo-0 back');
      t.same(await bench.state('solo', 0), {
        leader: 3,
        leaderEpoch: 2,
        isr: [3],
        controllerEpoch: 1,
      });
      await controller.whenIdle();
      t.same(controller.metricsSnapshot(), { offlinePartitions: 0, topics: 1, partitions: 1 });
    },
  );

  await t.test('unclean.leader.election.enable as a topic override', async (t) => {
    await bench.createTopic('dirty', { 0: [2, 3] }, { 'unclean.leader.election.enable': 'true' });
    await bench.createTopic('clean', { 0: [2, 3] });
    await controller.whenIdle();
    // Broker 3 fell out of both ISRs (the leader shrank them), then the leader dies.
    await bench.setIsr('dirty', 0, [2]);
    await bench.setIsr('clean', 0, [2]);
    await until(async () => (await bench.state('clean', 0)).isr.length === 1, 'shrunk');
    await controller.whenIdle();
    await bench.killBroker(2);
    await until(async () => (await bench.state('dirty', 0)).leader === 3, 'dirty-0 unclean');
    await until(async () => (await bench.state('clean', 0)).leader === -1, 'clean-0 offline');
    t.same((await bench.state('dirty', 0)).isr, [3], 'the unclean leader is alone in the ISR');
    t.same((await bench.state('clean', 0)).isr, [2], 'the clean topic waits for broker 2');
    await bench.startBroker(2);
    await until(async () => (await bench.state('clean', 0)).leader === 2, 'clean-0 back on 2');
  });

  await t.test(
    'controlled shutdown moves leadership away and takes the broker out of ISRs',
    async (t) => {
      await bench.createTopic('cs', { 0: [2, 1, 3], 1: [3, 2, 1], 2: [2] });
      await controller.whenIdle();
      controller.sender.sent.length = 0;
      const result = await controller.controlledShutdown(2, -1n);
      t.same(
        result,
        { errorCode: ErrorCode.NONE, remainingPartitions: [{ topic: 'clean', partition: 0 }] },
        'clean-0 stays: its other replica (3) is out of sync and might still catch up',
      );
      t.same(await bench.state('cs', 0), {
        leader: 1,
        leaderEpoch: 1,
        isr: [1, 3],
        controllerEpoch: 1,
      });
      t.same(await bench.state('cs', 1), {
        leader: 3,
        leaderEpoch: 1,
        isr: [3, 1],
        controllerEpoch: 1,
      });
      t.same(
        await bench.state('cs', 2),
        { leader: 2, leaderEpoch: 0, isr: [2], controllerEpoch: 1 },
        'a single-replica partition cannot move and is not waited for',
      );
      await controller.whenIdle();
      const stops = controller.sender.sent.filter(
        (s) => s.apiKey === ApiKey.StopReplica && s.to === 2,
      );
      t.ok(
        stops.some((s) => s.body.deletePartitions === false),
        'the follower replica on broker 2 is stopped (not deleted)',
      );
      t.same(
        await controller.controlledShutdown(9, -1n),
        { errorCode: ErrorCode.BROKER_NOT_AVAILABLE, remainingPartitions: [] },
        'an unknown broker',
      );
      t.same(
        await controller.controlledShutdown(3, 1n),
        { errorCode: ErrorCode.STALE_BROKER_EPOCH, remainingPartitions: [] },
        'an older incarnation of broker 3',
      );
      const other = bench.controller(4);
      other.startup();
      await until(async () => other.activeControllerId === 1, 'broker 4 sees controller 1');
      t.same(
        await other.controlledShutdown(2, -1n),
        { errorCode: ErrorCode.NOT_CONTROLLER, remainingPartitions: [] },
        'a broker that is not the controller',
      );
      // The broker stops; when it comes back it is a follower of everything.
      await bench.killBroker(2);
      await bench.startBroker(2);
      await controller.whenIdle();
    },
  );

  await t.test(
    'preferred replica election through /admin/preferred_replica_election',
    async (t) => {
      // cs-0 prefers broker 2, which is back; its leader has let it into the ISR again.
      await bench.setIsr('cs', 0, [1, 3, 2]);
      await until(async () => (await bench.state('cs', 0)).isr.length === 3, 'isr grown');
      await controller.whenIdle();
      await bench.admin.create(
        PreferredReplicaElectionZNode.path,
        PreferredReplicaElectionZNode.encode([
          { topic: 'cs', partition: 0 },
          { topic: 'cs', partition: 1 },
        ]),
      );
      await until(
        async () => (await bench.admin.exists(PreferredReplicaElectionZNode.path)) === null,
        'the controller deletes the request',
      );
      t.equal((await bench.state('cs', 0)).leader, 2, 'cs-0 back on its preferred replica');
      t.equal(
        (await bench.state('cs', 1)).leader,
        3,
        'cs-1 already on its preferred replica: untouched',
      );
      t.equal((await bench.state('cs', 1)).leaderEpoch, 1, 'no write for cs-1');
    },
  );

  await t.test('the ElectLeaders API: preferred and unclean elections', async (t) => {
    await bench.createTopic('el', { 0: [3, 1], 1: [1, 3] });
    await controller.whenIdle();
    await bench.setIsr('el', 0, [3]);
    await until(async () => (await bench.state('el', 0)).isr.length === 1, 'shrunk');
    await controller.whenIdle();
    await bench.killBroker(3);
    await until(async () => (await bench.state('el', 0)).leader === -1, 'el-0 offline');
    const el0 = { topic: 'el', partition: 0 };
    const el1 = { topic: 'el', partition: 1 };
    t.same(await controller.electLeaders('preferred', [el0, el1]), [
      {
        tp: el1,
        errorCode: ErrorCode.ELECTION_NOT_NEEDED,
        errorMessage: 'the partition has the right leader',
      },
      {
        tp: el0,
        errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
        errorMessage: 'the preferred replica 3 is not live and in ISR [3]',
      },
    ]);
    t.same(await controller.electLeaders('unclean', [el0]), [
      { tp: el0, errorCode: ErrorCode.NONE, errorMessage: null },
    ]);
    t.same(await bench.state('el', 0), { leader: 1, leaderEpoch: 2, isr: [1], controllerEpoch: 1 });
    await bench.startBroker(3);
    await controller.whenIdle();
  });

  await t.test('auto leader rebalance every leader.imbalance.check.interval', async (t) => {
    await bench.createTopic('ar', { 0: [4, 1], 1: [4, 3] });
    await controller.whenIdle();
    await bench.killBroker(4);
    await until(async () => (await bench.state('ar', 1)).leader === 3, 'ar moved off 4');
    await bench.startBroker(4);
    await controller.whenIdle();
    await bench.setIsr('ar', 0, [1, 4]);
    await bench.setIsr('ar', 1, [3, 4]);
    await until(async () => (await bench.state('ar', 1)).isr.length === 2, 'isr grown');
    await controller.whenIdle();
    t.equal((await bench.state('ar', 0)).leader, 1, 'nothing moves before the check');
    bench.scheduler.advance(300_000);
    await until(async () => (await bench.state('ar', 0)).leader === 4, 'ar-0 rebalanced');
    await until(async () => (await bench.state('ar', 1)).leader === 4, 'ar-1 rebalanced');
    t.same(
      [(await bench.state('ar', 0)).leader, (await bench.state('ar', 1)).leader],
      [4, 4],
      'both partitions lead from broker 4 again',
    );
  });
});
