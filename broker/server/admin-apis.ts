/**
 * CreateTopics (19), DeleteTopics (20) and CreatePartitions (37): the admin requests that
 * change which topics and partitions exist, and the `ControllerAdmin` interface through which
 * they reach the controller.
 *
 * ZooKeeper-mode Kafka (2.x) routes these to the *controller* broker: a client sends them to
 * the broker Metadata names as controller, any other broker answers NOT_CONTROLLER (41) and
 * the client refreshes its metadata and retries there. The controller writes the change into
 * the coordinator (`/brokers/topics/<t>`, `/admin/delete_topics/<t>`), and its own watch on
 * those paths then drives the real work: electing leaders, sending LeaderAndIsr and
 * UpdateMetadata to the brokers (docs/controller.md).
 *
 * So "the topic was created" has two moments, and Kafka's answer waits for the second:
 *   1. ControllerAdmin.createTopics resolves: the assignment is in the coordinator;
 *   2. the metadata cache of THIS broker shows every new partition with a leader.
 * Between them the handler waits (Kafka's DelayedCreatePartitions) for at most the request's
 * timeout_ms; if it passes, the topic's error is REQUEST_TIMED_OUT (7), although the topic
 * will most likely appear shortly after. timeout_ms <= 0 answers right after moment 1.
 * Deletion is the mirror image: wait until the topic is gone from the metadata cache.
 *
 * Checks done here, before the controller is asked (as in Kafka's KafkaApis/AdminManager):
 * not the controller, duplicate names in one request (INVALID_REQUEST 42), illegal names
 * (INVALID_TOPIC_EXCEPTION 17), bad counts (INVALID_PARTITIONS 37, INVALID_REPLICATION_FACTOR
 * 38), assignments mixed with counts (INVALID_REQUEST), unknown topics for delete/partitions
 * (UNKNOWN_TOPIC_OR_PARTITION 3). The controller checks what needs the cluster's state:
 * existing topics (TOPIC_ALREADY_EXISTS 36), replication factor vs live brokers, bad
 * assignments (INVALID_REPLICA_ASSIGNMENT 39), bad configs (INVALID_CONFIG 40).
 */
import type { Logger } from '../../src/logger.js';
import { systemScheduler, type Scheduler } from '../../src/scheduler.js';
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import type {
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreateTopicsRequest,
  CreateTopicsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
} from '../../src/protocol/kafka/generated/index.js';
import { errorCodeOf, ErrorCode } from '../../src/protocol/kafka/errors.js';
import { describeTopicConfigs, repositoryOf, type BrokerConfigView } from './describe-configs.js';
import { topicConfigError } from '../../src/kafka-config/topic-configs.js';
import type { MetadataCache, MetadataSnapshot } from './metadata-cache.js';
import { topicNameError } from './topic-name.js';

/** A topic to create, with every count resolved (no -1 "use the default" left). */
export interface NewTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  /**
   * Explicit replica lists, partition index -> broker ids (the first is the preferred
   * leader). When present it is authoritative: numPartitions and replicationFactor were
   * derived from it. When absent the controller assigns replicas itself.
   */
  assignments?: { partitionIndex: number; brokerIds: number[] }[];
  /** Topic-level config overrides (e.g. `retention.ms`), to store with the topic. */
  configs: Record<string, string>;
}

/** New partitions for an existing topic. */
export interface NewPartitions {
  name: string;
  /** The new TOTAL number of partitions (larger than the current one). */
  count: number;
  /** Broker ids for each NEW partition, in order; null lets the controller choose. */
  assignments: number[][] | null;
}

/** The outcome for one topic, as it goes on the wire. */
export interface TopicResult {
  name: string;
  /** 0, or a Kafka error code (36 TOPIC_ALREADY_EXISTS, 38, 39, 40, 41 ...). */
  errorCode: number;
  errorMessage?: string | null;
}

/**
 * What the data plane needs from the controller. Implemented by the control-plane code
 * (broker/controller/), which owns the coordinator session. Contract for every method:
 * resolve with per-topic results (errors as codes); reject only for unexpected failures
 * (coordinator unreachable...), which become UNKNOWN_SERVER_ERROR for every topic asked.
 */
export interface ControllerAdmin {
  /** Whether this broker is the active controller right now (admin requests need it). */
  isActive(): boolean;
  /**
   * Validates and (unless validateOnly) writes each topic's replica assignment and configs to
   * the coordinator. Resolves once written, one result per input topic in the same order,
   * without waiting for leaders. Called only while isActive().
   */
  createTopics(topics: NewTopic[], validateOnly: boolean): Promise<TopicResult[]>;
  /**
   * Marks topics for deletion (`/admin/delete_topics/<t>`); resolves once marked, one result
   * per name. The controller later sends StopReplica(delete) and UpdateMetadata (leader -2).
   */
  deleteTopics(names: string[]): Promise<TopicResult[]>;
  /** Adds partitions to existing topics; one result per input, same order. */
  createPartitions(topics: NewPartitions[], validateOnly: boolean): Promise<TopicResult[]>;
  /**
   * Creates `name` with num.partitions and default.replication.factor (internal topics such
   * as `__consumer_offsets` with their own settings). Called by Metadata on ANY broker, not
   * only the controller: in ZooKeeper mode every broker wrote the assignment znode itself
   * (AdminZkClient) and the controller picked it up. Rejects with a KafkaError:
   * TOPIC_ALREADY_EXISTS (treated as success), INVALID_REPLICATION_FACTOR (e.g. fewer live
   * brokers than the default factor; passed to the client), anything else -> UNKNOWN_SERVER_ERROR.
   */
  autoCreateTopic(name: string): Promise<void>;
}

export interface AdminApisOptions {
  controllerAdmin: ControllerAdmin;
  metadataCache: MetadataCache;
  config: BrokerConfigView & { deleteTopicEnable: boolean };
  logger: Logger;
  topicConfigOverrides: (topic: string) => Readonly<Record<string, string>> | undefined;
  /** Runs the wait for metadata after CreateTopics; the system scheduler by default. */
  scheduler?: Scheduler;
}

const NOT_CONTROLLER = 41;
const REQUEST_TIMED_OUT = 7;
const INVALID_REQUEST = 42;

/** Names that occur more than once in `names`. */
function duplicatesOf(names: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const name of names) (seen.has(name) ? duplicates : seen).add(name);
  return duplicates;
}

export class AdminApis {
  readonly #o: AdminApisOptions;

  constructor(options: AdminApisOptions) {
    this.#o = options;
  }

  /**
   * Waits until `ready(snapshot)` holds for the metadata cache, or `timeoutMs` passes.
   * Resolves with whether it became ready.
   */
  #waitForMetadata(ready: (s: MetadataSnapshot) => boolean, timeoutMs: number): Promise<boolean> {
    const cache = this.#o.metadataCache;
    if (ready(cache.snapshot)) return Promise.resolve(true);
    if (timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (result: boolean) => {
        timer.cancel();
        unsubscribe();
        resolve(result);
      };
      const timer = (this.#o.scheduler ?? systemScheduler).schedule(timeoutMs, () => done(false));
      const unsubscribe = cache.onUpdate((snapshot) => {
        if (ready(snapshot)) done(true);
      });
    });
  }

  /** Calls the controller; an unexpected rejection becomes an error for every topic. */
  async #ask(
    names: string[],
    call: () => Promise<TopicResult[]>,
    what: string,
  ): Promise<Map<string, TopicResult>> {
    try {
      const results = await call();
      return new Map(results.map((r) => [r.name, r]));
    } catch (err) {
      const errorCode = errorCodeOf(err);
      this.#o.logger.error({ err, topics: names }, `${what} failed in the controller`);
      return new Map(
        names.map((name) => [
          name,
          { name, errorCode, errorMessage: err instanceof Error ? err.message : String(err) },
        ]),
      );
    }
  }

  async createTopics(
    request: CreateTopicsRequest,
    apiVersion: number,
  ): Promise<Encodable<CreateTopicsResponse>> {
    const { config } = this.#o;
    const duplicates = duplicatesOf(request.topics.map((t) => t.name));
    const answers = new Map<string, TopicResult>();
    const accepted: NewTopic[] = [];
    for (const topic of request.topics) {
      const fail = (errorCode: number, errorMessage: string) => {
        answers.set(topic.name, { name: topic.name, errorCode, errorMessage });
      };
      if (duplicates.has(topic.name)) {
        fail(INVALID_REQUEST, `topic ${topic.name} appears more than once in the request`);
        continue;
      }
      if (!this.#o.controllerAdmin.isActive()) {
        fail(NOT_CONTROLLER, 'this broker is not the controller');
        continue;
      }
      const invalid = topicNameError(topic.name);
      if (invalid !== undefined) {
        fail(17, invalid);
        continue;
      }
      const resolved = resolveCounts(topic, config);
      if ('errorCode' in resolved) {
        fail(resolved.errorCode, resolved.errorMessage);
        continue;
      }
      const configs: Record<string, string> = {};
      for (const c of topic.configs) if (c.value !== null) configs[c.name] = c.value;
      const configError = topicConfigError(configs);
      if (configError !== undefined) {
        fail(ErrorCode.INVALID_CONFIG, configError);
        continue;
      }
      accepted.push({ name: topic.name, ...resolved, configs });
    }
    if (accepted.length > 0) {
      const results = await this.#ask(
        accepted.map((t) => t.name),
        () => this.#o.controllerAdmin.createTopics(accepted, request.validateOnly),
        'CreateTopics',
      );
      const created = accepted.filter((t) => results.get(t.name)?.errorCode === ErrorCode.NONE);
      for (const topic of accepted) {
        answers.set(
          topic.name,
          results.get(topic.name) ?? {
            name: topic.name,
            errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
            errorMessage: 'no result from the controller',
          },
        );
      }
      if (!request.validateOnly && created.length > 0) {
        await this.#waitForLeaders(
          created.map((t) => ({ name: t.name, count: t.numPartitions })),
          request.timeoutMs,
          answers,
        );
      }
    }
    const byName = new Map(accepted.map((t) => [t.name, t]));
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => {
        const answer = answers.get(topic.name)!;
        const resolved = byName.get(topic.name);
        const ok = answer.errorCode === ErrorCode.NONE && resolved !== undefined;
        return {
          name: topic.name,
          errorCode: answer.errorCode,
          errorMessage: answer.errorMessage ?? null,
          // v5+ echo what was created, with its effective configs.
          numPartitions: ok ? resolved.numPartitions : -1,
          replicationFactor: ok ? resolved.replicationFactor : -1,
          configs:
            ok && apiVersion >= 5
              ? describeTopicConfigs(
                  repositoryOf(config).withTopicOverrides(topic.name, resolved.configs),
                  topic.name,
                  {
                    apiVersion: 1,
                    includeSynonyms: false,
                    keys: null,
                  },
                ).map((c) => ({
                  name: c.name,
                  value: c.value,
                  readOnly: c.readOnly,
                  configSource: c.configSource,
                  isSensitive: c.isSensitive,
                }))
              : null,
        };
      }),
    };
  }

  /** Waits for `count` partitions with a leader for each topic; else REQUEST_TIMED_OUT. */
  async #waitForLeaders(
    topics: { name: string; count: number }[],
    timeoutMs: number,
    answers: Map<string, TopicResult>,
  ): Promise<void> {
    const ready = (s: MetadataSnapshot, t: { name: string; count: number }) => {
      const partitions = s.topics.get(t.name);
      if (partitions === undefined || partitions.size < t.count) return false;
      for (const state of partitions.values()) if (state.leader < 0) return false;
      return true;
    };
    const allReady = await this.#waitForMetadata(
      (s) => topics.every((t) => ready(s, t)),
      timeoutMs,
    );
    if (allReady || timeoutMs <= 0) return;
    const snapshot = this.#o.metadataCache.snapshot;
    for (const topic of topics) {
      if (!ready(snapshot, topic)) {
        answers.set(topic.name, {
          name: topic.name,
          errorCode: REQUEST_TIMED_OUT,
          errorMessage:
            `the controller did not elect leaders for ${topic.name} within ` +
            `${timeoutMs} ms; it may still do so`,
        });
      }
    }
  }

  async deleteTopics(
    request: DeleteTopicsRequest,
    apiVersion: number,
  ): Promise<Encodable<DeleteTopicsResponse>> {
    // v6 names topics by name or id; we have no topic ids, so an id alone is unknown.
    const names = apiVersion >= 6 ? request.topics.map((t) => t.name ?? '') : request.topicNames;
    const duplicates = duplicatesOf(names);
    const snapshot = this.#o.metadataCache.snapshot;
    const answers = new Map<string, TopicResult>();
    const accepted: string[] = [];
    for (const name of names) {
      const fail = (errorCode: number, errorMessage: string) =>
        answers.set(name, { name, errorCode, errorMessage });
      if (duplicates.has(name)) fail(INVALID_REQUEST, `topic ${name} appears more than once`);
      else if (!this.#o.controllerAdmin.isActive()) fail(NOT_CONTROLLER, 'not the controller');
      else if (!this.#o.config.deleteTopicEnable) {
        // Before v3 there was no dedicated code; Kafka answered INVALID_REQUEST.
        fail(apiVersion < 3 ? INVALID_REQUEST : 73, 'topic deletion is disabled');
      } else if (!snapshot.hasTopic(name)) fail(3, `topic ${name} does not exist`);
      else accepted.push(name);
    }
    if (accepted.length > 0) {
      const results = await this.#ask(
        accepted,
        () => this.#o.controllerAdmin.deleteTopics(accepted),
        'DeleteTopics',
      );
      const marked = accepted.filter((n) => results.get(n)?.errorCode === ErrorCode.NONE);
      for (const name of accepted) {
        answers.set(name, results.get(name) ?? { name, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR });
      }
      const gone = await this.#waitForMetadata(
        (s) => marked.every((n) => !s.hasTopic(n)),
        request.timeoutMs,
      );
      if (!gone && request.timeoutMs > 0) {
        const now = this.#o.metadataCache.snapshot;
        for (const name of marked) {
          if (now.hasTopic(name)) {
            answers.set(name, {
              name,
              errorCode: REQUEST_TIMED_OUT,
              errorMessage: `${name} is marked for deletion but not yet deleted`,
            });
          }
        }
      }
    }
    return {
      throttleTimeMs: 0,
      responses: names.map((name) => {
        const a = answers.get(name)!;
        return { name, errorCode: a.errorCode, errorMessage: a.errorMessage ?? null };
      }),
    };
  }

  async createPartitions(
    request: CreatePartitionsRequest,
    _apiVersion: number,
  ): Promise<Encodable<CreatePartitionsResponse>> {
    const duplicates = duplicatesOf(request.topics.map((t) => t.name));
    const snapshot = this.#o.metadataCache.snapshot;
    const answers = new Map<string, TopicResult>();
    const accepted: NewPartitions[] = [];
    for (const topic of request.topics) {
      const fail = (errorCode: number, errorMessage: string) =>
        answers.set(topic.name, { name: topic.name, errorCode, errorMessage });
      const current = snapshot.topics.get(topic.name)?.size;
      if (duplicates.has(topic.name)) fail(INVALID_REQUEST, 'topic appears more than once');
      else if (!this.#o.controllerAdmin.isActive()) fail(NOT_CONTROLLER, 'not the controller');
      else if (current === undefined) fail(3, `topic ${topic.name} does not exist`);
      else if (topic.count <= current) {
        fail(
          37,
          topic.count === current
            ? `topic already has ${current} partitions`
            : `topic currently has ${current} partitions, more than the requested ${topic.count}`,
        );
      } else if (topic.assignments !== null && topic.assignments.length !== topic.count - current) {
        fail(
          39,
          `${topic.assignments.length} assignments given for ` +
            `${topic.count - current} new partitions`,
        ); // INVALID_REPLICA_ASSIGNMENT
      } else {
        accepted.push({
          name: topic.name,
          count: topic.count,
          assignments: topic.assignments?.map((a) => a.brokerIds) ?? null,
        });
      }
    }
    if (accepted.length > 0) {
      const results = await this.#ask(
        accepted.map((t) => t.name),
        () => this.#o.controllerAdmin.createPartitions(accepted, request.validateOnly),
        'CreatePartitions',
      );
      for (const topic of accepted) {
        answers.set(
          topic.name,
          results.get(topic.name) ?? {
            name: topic.name,
            errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
          },
        );
      }
      const grown = accepted.filter((t) => answers.get(t.name)?.errorCode === ErrorCode.NONE);
      if (!request.validateOnly && grown.length > 0) {
        await this.#waitForLeaders(grown, request.timeoutMs, answers);
      }
    }
    return {
      throttleTimeMs: 0,
      results: request.topics.map((topic) => {
        const a = answers.get(topic.name)!;
        return { name: topic.name, errorCode: a.errorCode, errorMessage: a.errorMessage ?? null };
      }),
    };
  }
}

/**
 * CreateTopics counts: -1 means "the broker default" (v4+); explicit assignments exclude
 * counts (Kafka: "Both numPartitions or replicationFactor and replicasAssignments were set").
 */
function resolveCounts(
  topic: CreateTopicsRequest['topics'][number],
  config: BrokerConfigView,
):
  | { numPartitions: number; replicationFactor: number; assignments?: NewTopic['assignments'] }
  | { errorCode: number; errorMessage: string } {
  if (topic.assignments.length > 0) {
    if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
      return {
        errorCode: INVALID_REQUEST,
        errorMessage:
          'both num_partitions or ' + 'replication_factor and replica assignments were given',
      };
    }
    const assignments = [...topic.assignments]
      .sort((a, b) => a.partitionIndex - b.partitionIndex)
      .map((a) => ({ partitionIndex: a.partitionIndex, brokerIds: [...a.brokerIds] }));
    const contiguous = assignments.every((a, i) => a.partitionIndex === i);
    const sizes = new Set(assignments.map((a) => a.brokerIds.length));
    if (!contiguous || sizes.size !== 1) {
      return {
        errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        errorMessage:
          'assignments must cover partitions 0..n-1 with ' + 'the same number of replicas each',
      }; // INVALID_REPLICA_ASSIGNMENT
    }
    return {
      numPartitions: assignments.length,
      replicationFactor: assignments[0]!.brokerIds.length,
      assignments,
    };
  }
  const numPartitions = topic.numPartitions === -1 ? config.numPartitions : topic.numPartitions;
  const replicationFactor =
    topic.replicationFactor === -1 ? config.defaultReplicationFactor : topic.replicationFactor;
  if (numPartitions <= 0) {
    return {
      errorCode: ErrorCode.INVALID_PARTITIONS,
      errorMessage: `number of partitions must be > 0, not ${numPartitions}`,
    };
  }
  if (replicationFactor <= 0) {
    return {
      errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
      errorMessage: `replication factor must be > 0, not ${replicationFactor}`,
    };
  }
  return { numPartitions, replicationFactor };
}
