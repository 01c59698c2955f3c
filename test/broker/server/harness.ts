/**
 * A single in-process broker for data-plane tests: a real LogManager in `t.testdir()`, the
 * metadata cache, the replica manager and KafkaApis behind a real SocketServer on
 * 127.0.0.1:0.
 *
 * There is no coordinator and no controller here. `TestController` plays the controller's
 * part over the Kafka protocol, as the real one does: it connects to the broker and sends
 * UpdateMetadata, LeaderAndIsr and StopReplica requests. It also implements ControllerAdmin
 * for the broker, so CreateTopics/DeleteTopics/auto-creation go "through the controller".
 *
 * The group APIs are served by the real group coordinator (broker/group/), with
 * `__consumer_offsets` created through the test controller on first use (replication factor
 * 1, as there is one broker) and group.initial.rebalance.delay.ms 0 unless a test asks.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import type { Test } from 'tap';
import { LogManager } from '../../../broker/log/log-manager.js';
import { logConfig, type LogConfig } from '../../../broker/log/log-config.js';
import { ApiHandlerTable } from '../../../broker/network/api-handler-table.js';
import { SocketServer } from '../../../broker/network/socket-server.js';
import {
  ProducerIdManager,
  type ProducerIdBlockStore,
} from '../../../broker/transaction/producer-id-manager.js';
import {
  DEFAULT_TRANSACTION_COORDINATOR_SETTINGS,
  createTransactionCoordinator,
  type RunningTransactionCoordinator,
  type TransactionCoordinatorSettings,
} from '../../../broker/transaction/index.js';
import { brokerConnector } from '../../../broker/network/broker-connector.js';
import {
  writeTxnMarkersHandlers,
  type TxnMarkerListener,
} from '../../../broker/server/write-txn-markers.js';
import { MetadataCache } from '../../../broker/server/metadata-cache.js';
import { ReplicaManager } from '../../../broker/server/replica-manager.js';
import {
  kafkaApiHandlers,
  type ControllerAdmin,
  type KafkaApisConfig,
  type NewTopic,
  type TopicResult,
} from '../../../broker/server/kafka-apis.js';
import {
  decodeResponse,
  encodeRequestFrame,
  type ApiKey,
  type Encodable,
} from '../../../src/protocol/kafka/codec.js';
import { FrameReader } from '../../../src/protocol/kafka/frame-reader.js';
import type {
  RequestBodyByApiKey,
  ResponseBodyByApiKey,
} from '../../../src/protocol/kafka/generated/index.js';
import { systemScheduler, type Scheduler } from '../../../src/scheduler.js';
import {
  createGroupCoordinator,
  DEFAULT_GROUP_COORDINATOR_SETTINGS,
  type GroupCoordinatorSettings,
  type RunningGroupCoordinator,
} from '../../../broker/group/index.js';
import { createRootLogger, silentLogger } from '../../../src/logger.js';
import { KafkaError, ErrorCode } from '../../../src/protocol/kafka/errors.js';

export const BROKER_ID = 1;
export const CLUSTER_ID = 'test-cluster-id';

/** A raw Kafka-protocol client: one request at a time, typed by API key. */
/** /latest_producer_id_block without a coordinator: the block and a version, in memory. */
class MemoryProducerIdBlockStore implements ProducerIdBlockStore {
  #block: Parameters<ProducerIdBlockStore['writeIfVersion']>[0] | undefined;
  #version = 0;
  read() {
    return Promise.resolve({ block: this.#block, version: this.#version });
  }
  writeIfVersion(block: Parameters<ProducerIdBlockStore['writeIfVersion']>[0], version: number) {
    if (version !== this.#version) return Promise.resolve(false);
    this.#block = block;
    this.#version++;
    return Promise.resolve(true);
  }
}

export class RawClient {
  readonly #socket: net.Socket;
  readonly #reader = new FrameReader();
  readonly #waiting: ((frame: Buffer) => void)[] = [];
  #correlationId = 1;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on('data', (chunk) => {
      for (const frame of this.#reader.push(chunk).frames) this.#waiting.shift()?.(frame);
    });
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new RawClient(socket);
  }

  /** Sends a request and resolves with the decoded response body. */
  send<K extends ApiKey>(
    apiKey: K,
    apiVersion: number,
    body: Encodable<RequestBodyByApiKey[K]>,
  ): Promise<ResponseBodyByApiKey[K]> {
    const correlationId = this.#correlationId++;
    const response = new Promise<ResponseBodyByApiKey[K]>((resolve) => {
      this.#waiting.push((frame) => resolve(decodeResponse(apiKey, apiVersion, frame).body));
    });
    for (const chunk of encodeRequestFrame(
      { apiKey, apiVersion, correlationId, clientId: 'raw-test' },
      body,
    )) {
      this.#socket.write(chunk);
    }
    return response;
  }

  /** Sends a request that gets no response (acks=0). */
  sendOneWay<K extends ApiKey>(
    apiKey: K,
    apiVersion: number,
    body: Encodable<RequestBodyByApiKey[K]>,
  ): void {
    for (const chunk of encodeRequestFrame(
      { apiKey, apiVersion, correlationId: this.#correlationId++, clientId: 'raw-test' },
      body,
    )) {
      this.#socket.write(chunk);
    }
  }

  get socket(): net.Socket {
    return this.#socket;
  }

  close(): void {
    this.#socket.destroy();
  }
}

interface TopicState {
  partitions: number;
  leaderEpoch: number;
}

/**
 * Plays the controller for one broker: every topic's partitions live on BROKER_ID, which
 * leads them. Each change is sent as LeaderAndIsr then UpdateMetadata (the real controller's
 * order, so the broker can serve a partition before clients learn about it).
 */
export class TestController implements ControllerAdmin {
  readonly topics = new Map<string, TopicState>();
  controllerEpoch = 1;
  active = true;
  /** Set by startBroker once the broker listens. */
  client!: RawClient;
  port = 0;

  isActive(): boolean {
    return this.active;
  }

  async createTopics(topics: NewTopic[], validateOnly: boolean): Promise<TopicResult[]> {
    const results: TopicResult[] = [];
    for (const topic of topics) {
      if (this.topics.has(topic.name)) {
        results.push({
          name: topic.name,
          errorCode: ErrorCode.TOPIC_ALREADY_EXISTS,
          errorMessage: 'already exists',
        });
      } else if (topic.replicationFactor > 1) {
        results.push({
          name: topic.name,
          errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
          errorMessage: 'replication factor larger than the number of brokers',
        });
      } else {
        results.push({ name: topic.name, errorCode: ErrorCode.NONE });
        if (!validateOnly) {
          // Like the real controller: the znode is written now, leaders come a bit later.
          this.topics.set(topic.name, { partitions: topic.numPartitions, leaderEpoch: 0 });
          setTimeout(() => void this.publish([topic.name]), 5);
        }
      }
    }
    return results;
  }

  async deleteTopics(names: string[]): Promise<TopicResult[]> {
    setTimeout(() => void this.delete(names), 5);
    return names.map((name) => ({ name, errorCode: ErrorCode.NONE }));
  }

  async createPartitions(topics: { name: string; count: number }[]): Promise<TopicResult[]> {
    for (const t of topics) this.topics.get(t.name)!.partitions = t.count;
    setTimeout(() => void this.publish(topics.map((t) => t.name)), 5);
    return topics.map((t) => ({ name: t.name, errorCode: ErrorCode.NONE }));
  }

  /** Partitions of `__consumer_offsets` when it is auto-created (offsets.topic.num.partitions). */
  offsetsTopicNumPartitions = 50;

  async autoCreateTopic(name: string): Promise<void> {
    if (this.topics.has(name)) throw new KafkaError('TOPIC_ALREADY_EXISTS');
    const numPartitions = name === '__consumer_offsets' ? this.offsetsTopicNumPartitions : 1;
    await this.createTopics([{ name, numPartitions, replicationFactor: 1, configs: {} }], false);
  }

  /** Creates a topic and waits until the broker has been told about it. */
  async createTopic(name: string, partitions: number): Promise<void> {
    this.topics.set(name, { partitions, leaderEpoch: 0 });
    await this.publish([name]);
  }

  /** LeaderAndIsr (leader = BROKER_ID, epoch bumped) then UpdateMetadata for `names`. */
  async publish(names: string[], options: { bumpEpoch?: boolean } = {}) {
    const states = names.flatMap((name) => {
      const topic = this.topics.get(name)!;
      if (options.bumpEpoch) topic.leaderEpoch++;
      return Array.from({ length: topic.partitions }, (_, partitionIndex) => ({
        topicName: name,
        partitionIndex,
        controllerEpoch: this.controllerEpoch,
        leader: BROKER_ID,
        leaderEpoch: topic.leaderEpoch,
        isr: [BROKER_ID],
        partitionEpoch: 0,
        replicas: [BROKER_ID],
        isNew: true,
      }));
    });
    const leaderAndIsr = await this.client.send(4, 2, {
      controllerId: BROKER_ID,
      controllerEpoch: this.controllerEpoch,
      brokerEpoch: -1n,
      topicStates: names.map((name) => ({
        topicName: name,
        partitionStates: states.filter((s) => s.topicName === name),
      })),
      liveLeaders: [{ brokerId: BROKER_ID, hostName: '127.0.0.1', port: this.port }],
    });
    const updateMetadata = await this.sendUpdateMetadata(
      states.map((s) => ({ ...s, zkVersion: 0, offlineReplicas: [] })),
    );
    return { leaderAndIsr, updateMetadata };
  }

  sendUpdateMetadata(
    partitionStates: Encodable<
      RequestBodyByApiKey[6]['topicStates'][number]['partitionStates'][number] & {
        topicName: string;
      }
    >[],
  ) {
    const names = [...new Set(partitionStates.map((s) => s.topicName!))];
    return this.client.send(6, 5, {
      controllerId: BROKER_ID,
      controllerEpoch: this.controllerEpoch,
      brokerEpoch: -1n,
      topicStates: names.map((topicName) => ({
        topicName,
        partitionStates: partitionStates.filter((s) => s.topicName === topicName),
      })),
      liveBrokers: [
        {
          id: BROKER_ID,
          endpoints: [
            { port: this.port, host: '127.0.0.1', listener: 'PLAINTEXT', securityProtocol: 0 },
          ],
          rack: null,
        },
      ],
    });
  }

  /** StopReplica(delete) then UpdateMetadata with leader -2, as for a topic deletion. */
  async delete(names: string[]): Promise<void> {
    const doomed = names.map((name) => ({ name, partitions: this.topics.get(name)!.partitions }));
    for (const name of names) this.topics.delete(name);
    await this.client.send(5, 3, {
      controllerId: BROKER_ID,
      controllerEpoch: this.controllerEpoch,
      brokerEpoch: -1n,
      topicStates: doomed.map((t) => ({
        topicName: t.name,
        partitionStates: Array.from({ length: t.partitions }, (_, partitionIndex) => ({
          partitionIndex,
          leaderEpoch: -2,
          deletePartition: true,
        })),
      })),
    });
    await this.sendUpdateMetadata(
      doomed.flatMap((t) =>
        Array.from({ length: t.partitions }, (_, partitionIndex) => ({
          topicName: t.name,
          partitionIndex,
          controllerEpoch: this.controllerEpoch,
          leader: -2,
          leaderEpoch: 0,
          isr: [],
          zkVersion: 0,
          replicas: [],
          offlineReplicas: [],
        })),
      ),
    );
  }
}

export interface TestBroker {
  port: number;
  bootstrap: string;
  controller: TestController;
  replicaManager: ReplicaManager;
  metadataCache: MetadataCache;
  logManager: LogManager;
  logDir: string;
  groups: RunningGroupCoordinator;
  transactions: RunningTransactionCoordinator;
}

export function testConfig(overrides: Partial<KafkaApisConfig> = {}): KafkaApisConfig {
  return {
    brokerId: BROKER_ID,
    autoCreateTopicsEnable: true,
    numPartitions: 1,
    defaultReplicationFactor: 1,
    deleteTopicEnable: true,
    minInsyncReplicas: 1,
    logDefaults: logConfig(),
    ...overrides,
  };
}

/** Starts a broker, connects the test controller, sends the first UpdateMetadata. */
export async function startBroker(
  t: Test,
  options: {
    config?: Partial<KafkaApisConfig>;
    logConfig?: Partial<LogConfig>;
    /** Group coordinator settings (defaults: Kafka's, with 1 replica and no initial delay). */
    groups?: Partial<GroupCoordinatorSettings>;
    /** Time and timers of the broker (a ManualScheduler makes long polls deterministic). */
    scheduler?: Scheduler;
    /** Transaction coordinator settings (defaults: Kafka's, with 1 replica). */
    transactions?: Partial<TransactionCoordinatorSettings>;
    /** Told of markers written on `__consumer_offsets` (default: the group coordinator). */
    txnMarkerListener?: TxnMarkerListener;
  } = {},
): Promise<TestBroker> {
  // Our own temporary directory (not t.testdir()), so that it outlives the broker's shutdown
  // in t.teardown, which writes the last checkpoints into it.
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-broker-test-'));
  // HARNESS_LOG=debug (or info...) shows the broker's log on stderr while debugging a test.
  const logLevel = process.env.HARNESS_LOG;
  const logger = logLevel ? createRootLogger({ level: logLevel }) : silentLogger();
  const defaults = logConfig(options.logConfig);
  const config = testConfig({ logDefaults: defaults, ...options.config });
  const scheduler = options.scheduler ?? systemScheduler;
  const logManager = LogManager.startup({
    logDirs: [logDir],
    defaultConfig: defaults,
    clock: scheduler,
    scheduler,
    logger,
  });
  const metadataCache = new MetadataCache({ clusterId: CLUSTER_ID });
  const replicaManager = new ReplicaManager({
    brokerId: BROKER_ID,
    logManager,
    metadataCache,
    minInsyncReplicas: () => config.minInsyncReplicas,
    clock: scheduler,
    scheduler,
    logger,
  });
  const controller = new TestController();
  const settings: GroupCoordinatorSettings = {
    ...DEFAULT_GROUP_COORDINATOR_SETTINGS,
    offsetsTopicReplicationFactor: 1,
    groupInitialRebalanceDelayMs: 0,
    ...options.groups,
  };
  controller.offsetsTopicNumPartitions = settings.offsetsTopicNumPartitions;
  const groups = createGroupCoordinator({
    brokerId: BROKER_ID,
    settings,
    replicaManager,
    metadataCache,
    controllerAdmin: controller,
    // The group coordinator's own timers (retention checks, ...) run on real time, so a
    // test that drives the broker's purgatories on a ManualScheduler sees only those.
    scheduler: systemScheduler,
    logger,
  });
  // The transaction coordinator sends its markers over the loopback, to this broker.
  const transactions = createTransactionCoordinator({
    brokerId: BROKER_ID,
    settings: {
      ...DEFAULT_TRANSACTION_COORDINATOR_SETTINGS,
      transactionStateLogReplicationFactor: 1,
      ...options.transactions,
    },
    replicaManager,
    metadataCache,
    controllerAdmin: controller,
    producerIdManager: new ProducerIdManager({
      brokerId: BROKER_ID,
      store: new MemoryProducerIdBlockStore(),
      logger,
    }),
    offsetsPartitionFor: (groupId) => groups.manager.partitionFor(groupId),
    connect: brokerConnector({
      security: undefined,
      clientId: `broker-${BROKER_ID}`,
      timeoutMs: 5_000,
      scheduler: systemScheduler,
    }),
    scheduler: systemScheduler,
    logger,
  });
  groups.apis.setTransactionCoordinatorLookup((id, listener, session) =>
    transactions.apis.findCoordinator(id, listener, session),
  );
  const handlers = new ApiHandlerTable()
    .registerAll(
      kafkaApiHandlers({
        brokerId: BROKER_ID,
        config,
        logManager,
        metadataCache,
        replicaManager,
        controllerAdmin: controller,
        logger,
        scheduler,
      }),
    )
    .registerAll(groups.handlers)
    .registerAll(transactions.handlers)
    .registerAll(
      writeTxnMarkersHandlers({
        replicaManager,
        clock: scheduler,
        requestTimeoutMs: 30_000,
        txnMarkerListener: options.txnMarkerListener ?? groups.coordinator,
        logger,
      }),
    );
  const server = new SocketServer({ host: '127.0.0.1', port: 0, handlers, logger });
  const port = await server.listen();
  controller.port = port;
  controller.client = await RawClient.connect(port);
  t.teardown(async () => {
    controller.client.close();
    transactions.shutdown();
    groups.shutdown();
    replicaManager.shutdown();
    await server.close();
    await logManager.shutdown();
    fs.rmSync(logDir, { recursive: true, force: true });
  });
  await controller.sendUpdateMetadata([]);
  return {
    port,
    bootstrap: `127.0.0.1:${port}`,
    controller,
    replicaManager,
    metadataCache,
    logManager,
    logDir,
    groups,
    transactions,
  };
}
