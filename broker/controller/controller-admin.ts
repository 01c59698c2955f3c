/**
 * ControllerAdminImpl: the control plane's side of the `ControllerAdmin` interface that the
 * request handlers (broker/server/admin-apis.ts) call for CreateTopics, DeleteTopics,
 * CreatePartitions and topic auto-creation.
 *
 * In ZooKeeper mode these are znode writes (AdminZkClient, src/kafka-zk/admin-zk-client.ts); the
 * controller's watches then do the real work. The writes are made with this broker's
 * coordinator session. Only the admin *requests* are restricted to the active controller
 * (`isActive`); auto-creation happens on whichever broker received the Metadata request, as
 * in Kafka.
 *
 * Replicas are assigned over the *registered* brokers (children of /brokers/ids), read fresh
 * for every call, so a broker that just joined is already a candidate.
 */
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import type { Logger } from '../../src/logger.js';
import { KafkaError, type KafkaErrorName, ErrorCode } from '../../src/protocol/kafka/errors.js';
import type {
  ControllerAdmin,
  NewPartitions,
  NewTopic,
  TopicResult,
} from '../server/admin-apis.js';
import { addPartitions, createTopic, deleteTopic } from '../../src/kafka-zk/admin-zk-client.js';
import { BrokerIdsZNode } from '../../src/znodes.js';

/** Internal topics are created with their own partition count and replication factor. */
export interface InternalTopicSettings {
  numPartitions: number;
  replicationFactor: number;
  /** Topic config overrides it is created with (`__consumer_offsets`: cleanup.policy=compact). */
  configs?: Record<string, string>;
}

export interface ControllerAdminOptions {
  controller: { isActive(): boolean };
  zk: () => CoordinatorClient;
  logger: Logger;
  /** num.partitions / default.replication.factor for auto-created topics. */
  numPartitions: number;
  defaultReplicationFactor: number;
  /** e.g. `__consumer_offsets` -> offsets.topic.num.partitions / .replication.factor. */
  internalTopics?: ReadonlyMap<string, InternalTopicSettings>;
  random?: () => number;
}

export class ControllerAdminImpl implements ControllerAdmin {
  readonly #options: ControllerAdminOptions;
  readonly #log: Logger;

  constructor(options: ControllerAdminOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'controller-admin' });
  }

  isActive(): boolean {
    return this.#options.controller.isActive();
  }

  async #brokerIds(): Promise<number[]> {
    const children = await this.#options.zk().getChildren(BrokerIdsZNode.path);
    return children
      .filter((c) => /^\d+$/.test(c))
      .map(Number)
      .sort((a, b) => a - b);
  }

  async createTopics(topics: NewTopic[], validateOnly: boolean): Promise<TopicResult[]> {
    const brokerIds = await this.#brokerIds();
    const results: TopicResult[] = [];
    for (const topic of topics) {
      const result = await createTopic(this.#options.zk(), {
        topic: topic.name,
        partitions: topic.numPartitions,
        replicationFactor: topic.replicationFactor,
        assignment:
          topic.assignments && topic.assignments.length > 0
            ? new Map(topic.assignments.map((a) => [a.partitionIndex, a.brokerIds]))
            : undefined,
        config: topic.configs,
        brokerIds,
        validateOnly,
        random: this.#options.random,
      });
      if (result.errorCode === ErrorCode.NONE && !validateOnly) {
        this.#log.info(
          { topic: topic.name, assignment: Object.fromEntries(result.assignment ?? []) },
          'topic assignment written',
        );
      }
      results.push({
        name: topic.name,
        errorCode: result.errorCode,
        errorMessage: result.errorMessage,
      });
    }
    return results;
  }

  async deleteTopics(names: string[]): Promise<TopicResult[]> {
    const results: TopicResult[] = [];
    for (const name of names) {
      const result = await deleteTopic(this.#options.zk(), name);
      if (result.errorCode === ErrorCode.NONE)
        this.#log.info({ topic: name }, 'topic marked for deletion');
      results.push({ name, errorCode: result.errorCode, errorMessage: result.errorMessage });
    }
    return results;
  }

  async createPartitions(topics: NewPartitions[], validateOnly: boolean): Promise<TopicResult[]> {
    const brokerIds = await this.#brokerIds();
    const results: TopicResult[] = [];
    for (const topic of topics) {
      const result = await addPartitions(this.#options.zk(), {
        topic: topic.name,
        totalPartitions: topic.count,
        brokerIds,
        newAssignments: topic.assignments ?? undefined,
        validateOnly,
      });
      results.push({
        name: topic.name,
        errorCode: result.errorCode,
        errorMessage: result.errorMessage,
      });
    }
    return results;
  }

  async autoCreateTopic(name: string): Promise<void> {
    const brokerIds = await this.#brokerIds();
    const internal = this.#options.internalTopics?.get(name);
    // Internal topics: the replication factor is capped at the live broker count, so a
    // one-broker development cluster still gets consumer groups. (Kafka refuses until enough
    // brokers exist; its sample server.properties sets the factor to 1 for the same reason.)
    const replicationFactor = internal
      ? Math.max(1, Math.min(internal.replicationFactor, brokerIds.length))
      : this.#options.defaultReplicationFactor;
    const result = await createTopic(this.#options.zk(), {
      topic: name,
      partitions: internal?.numPartitions ?? this.#options.numPartitions,
      replicationFactor,
      brokerIds,
      random: this.#options.random,
      config: internal?.configs,
    });
    if (result.errorCode === ErrorCode.NONE) {
      this.#log.info(
        { topic: name, assignment: Object.fromEntries(result.assignment ?? []) },
        'auto-created topic',
      );
      return;
    }
    throw new KafkaError(errorName(result.errorCode), result.errorMessage ?? undefined);
  }
}

function errorName(code: number): KafkaErrorName {
  switch (code) {
    case ErrorCode.TOPIC_ALREADY_EXISTS:
      return 'TOPIC_ALREADY_EXISTS';
    case ErrorCode.INVALID_REPLICATION_FACTOR:
      return 'INVALID_REPLICATION_FACTOR';
    case ErrorCode.INVALID_PARTITIONS:
      return 'INVALID_PARTITIONS';
    case ErrorCode.INVALID_TOPIC_EXCEPTION:
      return 'INVALID_TOPIC_EXCEPTION';
    default:
      return 'UNKNOWN_SERVER_ERROR';
  }
}
