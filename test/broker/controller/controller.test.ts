/**
 * KafkaController against a real (in-process) coordinator, with brokers simulated by
 * registration znodes and a recording request sender that answers like a broker would.
 * Covers what the process-level test does not: the requests the controller sends, topic
 * deletion, added partitions, and fencing by a newer controller epoch.
 */
import t from 'tap';
import { startCoordinator } from '../../../coordinator/main.js';
import { CoordinatorClient, Op } from '../../../src/coordinator-client/client.js';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/logger.js';
import {
  BrokerIdZNode,
  ControllerEpochZNode,
  ControllerZNode,
  DeleteTopicZNode,
  TopicPartitionStateZNode,
  TopicZNode,
} from '../../../src/znodes.js';
import {
  KafkaController,
  type BrokerRequestSender,
} from '../../../broker/controller/controller.js';
import type {
  ControlApiKey,
  QueuedRequest,
} from '../../../broker/controller/controller-channel-manager.js';
import { createTopLevelPaths, registerBroker } from '../../../src/kafka-zk/kafka-zk-client.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import { waitFor } from '../../helpers/wait-for.js';

interface Sent {
  to: number;
  apiKey: ControlApiKey;
  body: Record<string, unknown>;
}

class RecordingSender implements BrokerRequestSender {
  readonly sent: Sent[] = [];
  readonly brokers = new Set<number>();
  addBroker(b: { id: number }): void {
    this.brokers.add(b.id);
  }
  removeBroker(id: number): void {
    this.brokers.delete(id);
  }
  send<K extends ControlApiKey>(brokerId: number, request: QueuedRequest<K>): void {
    this.sent.push({
      to: brokerId,
      apiKey: request.apiKey,
      body: request.body as Record<string, unknown>,
    });
    // Answer as a broker that accepted everything.
    const ok = { errorCode: ErrorCode.NONE, partitionErrors: [] };
    queueMicrotask(() => request.onResponse?.(ok as never));
  }
  shutdown(): void {}
}

t.test('controller with simulated brokers', async (t) => {
  const coordinator = await startCoordinator({
    port: 0,
    adminPort: -1,
    dataDir: t.testdir(),
    tickMs: 100,
    logger: silentLogger(),
  });
  t.teardown(() => coordinator.close());
  const connect = `127.0.0.1:${coordinator.port}`;
  const sessions: CoordinatorClient[] = [];
  const session = async (): Promise<CoordinatorClient> => {
    const c = new CoordinatorClient(connect, { sessionTimeoutMs: 2_000 });
    await c.connect();
    sessions.push(c);
    return c;
  };
  t.teardown(async () => {
    for (const s of sessions) await s.close();
  });
  const admin = await session();
  await createTopLevelPaths(admin);
  const brokerSessions = new Map<number, CoordinatorClient>();
  for (const id of [1, 2, 3]) {
    const s = await session();
    await registerBroker(s, {
      id,
      endpoints: [
        {
          listenerName: 'PLAINTEXT',
          host: '127.0.0.1',
          port: 9090 + id,
          securityProtocol: 'PLAINTEXT',
        },
      ],
      rack: null,
      jmxPort: -1,
      timestampMs: 1,
    });
    brokerSessions.set(id, s);
  }

  const sender = new RecordingSender();
  const controllerZk = brokerSessions.get(1)!;
  const controller = new KafkaController({
    brokerId: 1,
    zk: () => controllerZk,
    createSender: () => sender,
    interBrokerListenerName: 'PLAINTEXT',
    uncleanLeaderElectionEnable: false,
    deleteTopicEnable: true,
    clock: new ManualClock(),
    logger: silentLogger(),
  });
  controller.startup();
  await controller.whenIdle();
  t.ok(controller.isActive(), 'became controller');
  t.equal(controller.epoch, 1);
  t.same([...sender.brokers].sort(), [1, 2, 3], 'a channel to every broker, itself included');
  t.same(
    sender.sent
      .filter((s) => s.apiKey === ApiKey.UpdateMetadata)
      .map((s) => s.to)
      .sort(),
    [1, 2, 3],
    'UpdateMetadata to every broker on failover',
  );

  const state = async (topic: string, p: number) =>
    TopicPartitionStateZNode.decode(
      topic,
      p,
      (await admin.getData(TopicPartitionStateZNode.path(topic, p))).data,
    );

  await t.test(
    'a new topic: state znodes, LeaderAndIsr(isNew) to replicas, UpdateMetadata to all',
    async (t) => {
      sender.sent.length = 0;
      await admin.create(
        TopicZNode.path('t'),
        TopicZNode.encode(
          new Map([
            [0, [2, 3]],
            [1, [3, 1]],
          ]),
        ),
      );
      await waitFor(
        'states',
        async () => (await admin.exists(TopicPartitionStateZNode.path('t', 1))) !== null,
      );
      await controller.whenIdle();
      t.same(await state('t', 0), { leader: 2, leaderEpoch: 0, isr: [2, 3], controllerEpoch: 1 });
      t.same(await state('t', 1), { leader: 3, leaderEpoch: 0, isr: [3, 1], controllerEpoch: 1 });
      const lai = sender.sent.filter((s) => s.apiKey === ApiKey.LeaderAndIsr);
      t.same(lai.map((s) => s.to).sort(), [1, 2, 3]);
      const toBroker3 = lai.find((s) => s.to === 3)!.body as {
        topicStates: {
          partitionStates: { isNew: boolean; partitionIndex: number; leader: number }[];
        }[];
        controllerEpoch: number;
      };
      t.equal(toBroker3.controllerEpoch, 1);
      t.same(
        toBroker3.topicStates[0]!.partitionStates.map((p) => [p.partitionIndex, p.leader, p.isNew]),
        [
          [0, 2, true],
          [1, 3, true],
        ],
      );
      t.same(
        sender.sent
          .filter((s) => s.apiKey === ApiKey.UpdateMetadata)
          .map((s) => s.to)
          .sort(),
        [1, 2, 3],
      );
    },
  );

  await t.test('added partitions are initialised', async (t) => {
    const { stat } = await admin.getData(TopicZNode.path('t'));
    await admin.setData(
      TopicZNode.path('t'),
      TopicZNode.encode(
        new Map([
          [0, [2, 3]],
          [1, [3, 1]],
          [2, [1, 2]],
        ]),
      ),
      stat.version,
    );
    await waitFor(
      'partition 2',
      async () => (await admin.exists(TopicPartitionStateZNode.path('t', 2))) !== null,
    );
    t.same(await state('t', 2), { leader: 1, leaderEpoch: 0, isr: [1, 2], controllerEpoch: 1 });
  });

  await t.test(
    'a broker dies: its partitions get leaders from the ISR, it leaves every ISR',
    async (t) => {
      sender.sent.length = 0;
      await brokerSessions.get(3)!.close();
      await waitFor('t-1 moves to broker 1', async () => (await state('t', 1)).leader === 1);
      await controller.whenIdle();
      t.same(await state('t', 1), { leader: 1, leaderEpoch: 1, isr: [1], controllerEpoch: 1 });
      t.same(
        await state('t', 0),
        { leader: 2, leaderEpoch: 1, isr: [2], controllerEpoch: 1 },
        'ISR shrink',
      );
      t.notOk(sender.brokers.has(3), 'channel to the dead broker closed');
      t.notOk(
        sender.sent.some((s) => s.to === 3),
        'nothing sent to the dead broker',
      );
    },
  );

  await t.test(
    'topic deletion: leader -2 in UpdateMetadata, StopReplica(delete), znodes removed',
    async (t) => {
      await admin.create(TopicZNode.path('gone'), TopicZNode.encode(new Map([[0, [1, 2]]])));
      await waitFor(
        'created',
        async () => (await admin.exists(TopicPartitionStateZNode.path('gone', 0))) !== null,
      );
      await controller.whenIdle();
      sender.sent.length = 0;
      await admin.create(DeleteTopicZNode.path('gone'));
      await waitFor(
        'topic znode removed',
        async () => (await admin.exists(TopicZNode.path('gone'))) === null,
      );
      t.equal(await admin.exists(DeleteTopicZNode.path('gone')), null, 'marker removed');
      const um = sender.sent.find((s) => s.apiKey === ApiKey.UpdateMetadata)!.body as {
        topicStates: { topicName: string; partitionStates: { leader: number }[] }[];
      };
      t.equal(um.topicStates.find((ts) => ts.topicName === 'gone')!.partitionStates[0]!.leader, -2);
      const stops = sender.sent.filter((s) => s.apiKey === ApiKey.StopReplica);
      t.same(stops.map((s) => s.to).sort(), [1, 2]);
      t.ok(stops.every((s) => s.body.deletePartitions === true));
    },
  );

  await t.test('a newer controller epoch fences this controller: it resigns', async (t) => {
    // Watch /controller: resigning deletes it, and only a fenced controller resigns here.
    let resignation: string | undefined;
    await admin.exists(ControllerZNode.path, (event) => (resignation = event.type));
    t.ok(controller.isActive(), 'active before the fence');
    // Someone else bumps /controller_epoch (as a new controller's election would).
    const { data, stat } = await admin.getData(ControllerEpochZNode.path);
    await admin.multi([
      Op.setData(
        ControllerEpochZNode.path,
        ControllerEpochZNode.encode(ControllerEpochZNode.decode(data) + 1),
        stat.version,
      ),
    ]);
    // Any write by the old controller now fails its check: trigger one with a new topic.
    await admin.create(TopicZNode.path('late'), TopicZNode.encode(new Map([[0, [1]]])));
    t.equal(await waitFor('/controller to change', () => resignation), 'NodeDeleted', 'resigned');
    // Giving up /controller starts a new election; it may win again, with a new epoch.
    await waitFor('re-elected', async () => controller.isActive() && controller.epoch === 3);
    await controller.whenIdle();
    t.equal(controller.epoch, 3, 'won the fresh election with epoch 3');
    t.equal(ControllerEpochZNode.decode((await admin.getData(ControllerEpochZNode.path)).data), 3);
    await waitFor(
      'the new term handles the topic',
      async () => (await admin.exists(TopicPartitionStateZNode.path('late', 0))) !== null,
    );
    t.equal(
      (await state('late', 0)).controllerEpoch,
      3,
      'the state was written by the new term; the epoch-1 write was refused by the check',
    );
  });

  await controller.shutdown();
  t.equal(await admin.exists(BrokerIdZNode.path(3)), null);
});
