/**
 * A controller test bench: a real in-process coordinator, brokers simulated by registration
 * znodes (each with its own session, so closing it is a broker death), a recording request
 * sender that answers like a broker that accepted everything, and helpers to read and write
 * partition state the way a partition leader would (ISR changes plus a notification).
 */
import type { Test } from 'tap';
import { startCoordinator } from '../../../coordinator/main.js';
import { CoordinatorClient } from '../../../src/coordinator-client/client.js';
import { ManualScheduler } from '../../../src/scheduler.js';
import { silentLogger } from '../../../src/logger.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import {
  IsrChangeNotificationZNode,
  TopicPartitionStateZNode,
  TopicZNode,
  type LeaderAndIsr,
} from '../../../src/znodes.js';
import {
  KafkaController,
  type BrokerRequestSender,
  type ControllerOptions,
} from '../../../broker/controller/controller.js';
import type {
  ControlApiKey,
  QueuedRequest,
} from '../../../broker/controller/controller-channel-manager.js';
import { createTopLevelPaths, registerBroker } from '../../../src/kafka-zk/kafka-zk-client.js';

export interface Sent {
  to: number;
  apiKey: ControlApiKey;
  body: Record<string, unknown>;
}

export class RecordingSender implements BrokerRequestSender {
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
    const ok = { errorCode: ErrorCode.NONE, partitionErrors: [] };
    queueMicrotask(() => request.onResponse?.(ok as never));
  }
  shutdown(): void {}
}

export async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Bench {
  admin: CoordinatorClient;
  /** The coordinator's connect string. */
  connect: string;
  scheduler: ManualScheduler;
  /** Register broker `id` with a session of its own. */
  startBroker(id: number): Promise<CoordinatorClient>;
  /** Close broker `id`'s session: its registration vanishes, as when it dies. */
  killBroker(id: number): Promise<void>;
  /** A controller running as broker `id` (which must be registered). */
  controller(
    id: number,
    options?: Partial<ControllerOptions>,
  ): KafkaController & { sender: RecordingSender };
  createTopic(
    topic: string,
    assignment: Record<number, number[]>,
    config?: Record<string, string>,
  ): Promise<void>;
  state(topic: string, partition: number): Promise<LeaderAndIsr>;
  /** What a partition leader does when its ISR changes: state write + notification. */
  setIsr(topic: string, partition: number, isr: number[]): Promise<void>;
}

export async function startBench(t: Test): Promise<Bench> {
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
  const controllers: KafkaController[] = [];
  t.teardown(async () => {
    for (const c of controllers) await c.shutdown();
  });
  const scheduler = new ManualScheduler();
  const bench: Bench = {
    admin,
    connect,
    scheduler,
    async startBroker(id) {
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
      return s;
    },
    async killBroker(id) {
      await brokerSessions.get(id)?.close();
      brokerSessions.delete(id);
    },
    controller(id, options = {}) {
      const sender = new RecordingSender();
      const zk = brokerSessions.get(id);
      if (!zk) throw new Error(`broker ${id} is not registered`);
      const controller = new KafkaController({
        brokerId: id,
        zk: () => zk,
        createSender: () => sender,
        interBrokerListenerName: 'PLAINTEXT',
        uncleanLeaderElectionEnable: false,
        deleteTopicEnable: true,
        clock: scheduler,
        scheduler,
        logger: silentLogger(),
        ...options,
      });
      controllers.push(controller);
      return Object.assign(controller, { sender });
    },
    async createTopic(topic, assignment, config) {
      if (config) {
        await admin.create(
          `/config/topics/${topic}`,
          Buffer.from(JSON.stringify({ version: 1, config })),
        );
      }
      await admin.create(
        TopicZNode.path(topic),
        TopicZNode.encode(new Map(Object.entries(assignment).map(([p, r]) => [Number(p), r]))),
      );
      const partitions = Object.keys(assignment).map(Number);
      await until(async () => {
        for (const p of partitions)
          if (!(await admin.exists(TopicPartitionStateZNode.path(topic, p)))) return false;
        return true;
      }, `states of ${topic}`);
    },
    async state(topic, partition) {
      const { data } = await admin.getData(TopicPartitionStateZNode.path(topic, partition));
      return TopicPartitionStateZNode.decode(topic, partition, data);
    },
    async setIsr(topic, partition, isr) {
      const path = TopicPartitionStateZNode.path(topic, partition);
      const { data, stat } = await admin.getData(path);
      const current = TopicPartitionStateZNode.decode(topic, partition, data);
      await admin.setData(path, TopicPartitionStateZNode.encode({ ...current, isr }), stat.version);
      await admin.create(
        IsrChangeNotificationZNode.prefix,
        IsrChangeNotificationZNode.encode([{ topic, partition }]),
        { mode: 'persistent_sequential' },
      );
    },
  };
  return bench;
}
