/**
 * AdminZkClient: topic administration the classic way, by writing znodes that the controller
 * watches (Kafka's `AdminZkClient`; docs/controller.md). Used by the broker for CreateTopics /
 * DeleteTopics / CreatePartitions and auto-creation, and by `coordinator topics ...`.
 *
 *   create     validate, assign replicas (b.8) unless given, write /config/topics/<t> then
 *              /brokers/topics/<t> (the controller's child watch on /brokers/topics does the
 *              rest: partition state znodes, leader election, LeaderAndIsr)
 *   delete     create /admin/delete_topics/<t> (the controller does the rest)
 *   partitions rewrite /brokers/topics/<t> with more partitions, conditional on the version
 *              read (the controller's data watch on the topic notices)
 *
 * Results are values with Kafka error codes (TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS,
 * INVALID_REPLICATION_FACTOR, INVALID_TOPIC_EXCEPTION, UNKNOWN_TOPIC_OR_PARTITION,
 * INVALID_REPLICA_ASSIGNMENT), so a request handler can put them straight into its per-topic
 * response.
 */
import type { CoordinatorClient } from '../coordinator-client/client.js';
import { ErrorCode, hasCode } from '../protocol/coordinator/errors.js';
import {
  DeleteTopicZNode,
  TopicConfigZNode,
  TopicZNode,
  validateTopicName,
  ZNODE_DATA_BYTES_MAX,
  type ReplicaAssignment,
} from '../znodes.js';
import { assignAdditionalPartitions, assignReplicasToBrokers } from './replica-assignment.js';
import { getAllTopics, getTopicAssignment } from './kafka-zk-client.js';
import { ErrorCode as KafkaErrorCode } from '../protocol/kafka/errors.js';

export interface AdminResult {
  errorCode: number;
  errorMessage: string | null;
}

const ok: AdminResult = { errorCode: KafkaErrorCode.NONE, errorMessage: null };
const fail = (errorCode: number, errorMessage: string): AdminResult => ({
  errorCode,
  errorMessage,
});

export interface CreateTopicOptions {
  topic: string;
  partitions: number;
  replicationFactor: number;
  /** Explicit assignment (CreateTopics' `assignments`); replaces partitions/RF when given. */
  assignment?: ReplicaAssignment;
  config?: Record<string, string>;
  /** Registered broker ids to assign over. */
  brokerIds: readonly number[];
  /** Validate only (CreateTopics' validate_only). */
  validateOnly?: boolean;
  random?: () => number;
}

/** Kafka treats '.' and '_' as the same in topic names (metric names collide). */
function collides(a: string, b: string): boolean {
  return a !== b && a.replace(/\./g, '_') === b.replace(/\./g, '_');
}

export async function createTopic(
  client: CoordinatorClient,
  options: CreateTopicOptions,
): Promise<AdminResult & { assignment?: ReplicaAssignment }> {
  const { topic } = options;
  const invalid = validateTopicName(topic);
  if (invalid) return fail(KafkaErrorCode.INVALID_TOPIC_EXCEPTION, invalid);
  let assignment: ReplicaAssignment;
  if (options.assignment && options.assignment.size > 0) {
    const problem = checkAssignment(options.assignment, options.brokerIds);
    if (problem) return fail(KafkaErrorCode.INVALID_REPLICA_ASSIGNMENT, problem);
    const bytes = TopicZNode.encode(options.assignment).length;
    if (bytes > ZNODE_DATA_BYTES_MAX) {
      return fail(
        KafkaErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `the assignment takes ${bytes} bytes, more than the ${ZNODE_DATA_BYTES_MAX} ` +
          'bytes one znode can hold',
      );
    }
    assignment = options.assignment;
  } else {
    const result = assignReplicasToBrokers({
      brokerIds: options.brokerIds,
      partitions: options.partitions,
      replicationFactor: options.replicationFactor,
      random: options.random,
    });
    if (!result.ok) return fail(result.errorCode, result.message);
    assignment = result.assignment;
  }
  const configBytes = TopicConfigZNode.encode(options.config ?? {}).length;
  if (configBytes > ZNODE_DATA_BYTES_MAX) {
    return fail(
      KafkaErrorCode.INVALID_CONFIG,
      `the topic's configs take ${configBytes} bytes, more than the ${ZNODE_DATA_BYTES_MAX} ` +
        'bytes one znode can hold',
    );
  }
  const existing = await getAllTopics(client);
  if (existing.includes(topic))
    return fail(KafkaErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${topic}' already exists.`);
  const clash = existing.find((t) => collides(t, topic));
  if (clash) {
    return fail(
      KafkaErrorCode.INVALID_TOPIC_EXCEPTION,
      `Topic '${topic}' collides with existing topic: ${clash}`,
    );
  }
  if (options.validateOnly) return { ...ok, assignment };
  // Config first, so that when the controller (and brokers) see the topic its config is there.
  const configPath = TopicConfigZNode.path(topic);
  const configData = TopicConfigZNode.encode(options.config ?? {});
  try {
    await client.create(configPath, configData);
  } catch (err) {
    if (!hasCode(err, ErrorCode.NODEEXISTS)) throw err;
    await client.setData(configPath, configData); // left over from an old deletion
  }
  try {
    await client.create(TopicZNode.path(topic), TopicZNode.encode(assignment));
  } catch (err) {
    if (hasCode(err, ErrorCode.NODEEXISTS)) {
      return fail(KafkaErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${topic}' already exists.`);
    }
    throw err;
  }
  return { ...ok, assignment };
}

function checkAssignment(
  assignment: ReplicaAssignment,
  brokerIds: readonly number[],
): string | null {
  const ids = [...assignment.keys()].sort((a, b) => a - b);
  if (ids.some((p, i) => p !== i)) return 'partitions must be numbered consecutively from 0';
  const sizes = new Set([...assignment.values()].map((r) => r.length));
  if (sizes.size !== 1) return 'all partitions must have the same number of replicas';
  for (const [p, replicas] of assignment) {
    if (replicas.length === 0) return `partition ${p} has no replicas`;
    if (new Set(replicas).size !== replicas.length) return `partition ${p} lists a broker twice`;
    const unknown = replicas.find((b) => !brokerIds.includes(b));
    if (unknown !== undefined) return `broker ${unknown} of partition ${p} is not registered`;
  }
  return null;
}

/** Ask the controller to delete a topic (create /admin/delete_topics/<t>). */
export async function deleteTopic(client: CoordinatorClient, topic: string): Promise<AdminResult> {
  if ((await client.exists(TopicZNode.path(topic))) === null) {
    return fail(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${topic}' does not exist.`);
  }
  try {
    await client.create(DeleteTopicZNode.path(topic));
  } catch (err) {
    if (!hasCode(err, ErrorCode.NODEEXISTS)) throw err; // already marked: fine
  }
  return ok;
}

/** Grow a topic to `totalPartitions` (CreatePartitions). */
export async function addPartitions(
  client: CoordinatorClient,
  options: {
    topic: string;
    totalPartitions: number;
    brokerIds: readonly number[];
    /** New partitions' replicas, in order, when the request gives them. */
    newAssignments?: number[][];
    validateOnly?: boolean;
  },
): Promise<AdminResult> {
  const { topic } = options;
  let read;
  try {
    read = await client.getData(TopicZNode.path(topic));
  } catch (err) {
    if (hasCode(err, ErrorCode.NONODE))
      return fail(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${topic}' does not exist.`);
    throw err;
  }
  const current = TopicZNode.decode(topic, read.data);
  let added: ReplicaAssignment;
  if (options.newAssignments && options.newAssignments.length > 0) {
    const expected = options.totalPartitions - current.partitions.size;
    if (options.newAssignments.length !== expected) {
      return fail(
        KafkaErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `expected ${expected} new assignments`,
      );
    }
    added = new Map(options.newAssignments.map((r, i) => [current.partitions.size + i, r]));
    const merged = new Map([...current.partitions, ...added]);
    const problem = checkAssignment(merged, options.brokerIds);
    if (problem) return fail(KafkaErrorCode.INVALID_REPLICA_ASSIGNMENT, problem);
  } else {
    const result = assignAdditionalPartitions({
      brokerIds: options.brokerIds,
      existing: current.partitions,
      totalPartitions: options.totalPartitions,
    });
    if (!result.ok) return fail(result.errorCode, result.message);
    added = result.assignment;
  }
  const merged = new Map([...current.partitions, ...added]);
  const encoded = TopicZNode.encode(merged);
  if (encoded.length > ZNODE_DATA_BYTES_MAX) {
    return fail(
      KafkaErrorCode.INVALID_PARTITIONS,
      `${merged.size} partitions need a replica assignment of ${encoded.length} bytes, more ` +
        `than the ${ZNODE_DATA_BYTES_MAX} bytes one znode can hold`,
    );
  }
  if (options.validateOnly) return ok;
  try {
    await client.setData(TopicZNode.path(topic), encoded, read.stat.version);
  } catch (err) {
    if (hasCode(err, ErrorCode.BADVERSION)) {
      return fail(
        KafkaErrorCode.INVALID_PARTITIONS,
        `Topic '${topic}' changed concurrently; retry`,
      );
    }
    throw err;
  }
  return ok;
}

export { getTopicAssignment };
