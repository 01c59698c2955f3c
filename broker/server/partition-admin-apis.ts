/**
 * The admin APIs that move partition leadership and replicas, answered by the controller
 * (what `kafka-leader-election.sh` and `kafka-reassign-partitions.sh --bootstrap-server` and
 * the admin clients send):
 *
 *   ElectLeaders 43 (KIP-460)                   v0-2: preferred (0) or unclean (1) elections;
 *                                               null partitions = every partition
 *   AlterPartitionReassignments 45 (KIP-455)    v0: start a reassignment, or cancel it with
 *                                               null replicas
 *   ListPartitionReassignments 46 (KIP-455)     v0: the reassignments in progress
 *
 * The work is done on the controller's event queue (KafkaController); these functions only
 * translate between the wire shapes and the controller's. A broker that is not the controller
 * answers NOT_CONTROLLER, and clients retry against the controller they find in Metadata.
 */
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import type {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  ElectLeadersRequest,
  ElectLeadersResponse,
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse,
} from '../../src/protocol/kafka/generated/index.js';

interface TopicPartition {
  topic: string;
  partition: number;
}

interface PartitionResult {
  tp: TopicPartition;
  errorCode: number;
  errorMessage: string | null;
}

/** What these handlers need of the controller (KafkaController in production). */
export interface PartitionAdminController {
  electLeaders(
    electionType: 'preferred' | 'unclean',
    partitions: TopicPartition[] | null,
  ): Promise<PartitionResult[] | null>;
  alterPartitionReassignments(
    requests: { tp: TopicPartition; replicas: number[] | null }[],
  ): Promise<PartitionResult[] | null>;
  listPartitionReassignments(
    partitions: TopicPartition[] | null,
  ): Promise<
    { tp: TopicPartition; replicas: number[]; adding: number[]; removing: number[] }[] | null
  >;
}

/** Kafka's ElectionType: 0 preferred, 1 unclean. */
const ELECTION_TYPES: Record<number, 'preferred' | 'unclean'> = { 0: 'preferred', 1: 'unclean' };

function byTopic<T extends { tp: TopicPartition }>(items: readonly T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(item.tp.topic, [...(map.get(item.tp.topic) ?? []), item]);
  return map;
}

export async function handleElectLeaders(
  controller: PartitionAdminController,
  request: ElectLeadersRequest,
): Promise<Encodable<ElectLeadersResponse>> {
  const requested =
    request.topicPartitions?.flatMap((t) =>
      t.partitions.map((partition) => ({ topic: t.topic, partition })),
    ) ?? null;
  const electionType = ELECTION_TYPES[request.electionType];
  if (electionType === undefined) {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.INVALID_REQUEST,
      replicaElectionResults: [],
    };
  }
  const results = await controller.electLeaders(electionType, requested);
  if (results === null) {
    // Not the controller: every requested partition says so (v0 has no top-level error).
    const all = (requested ?? []).map((tp) => ({
      tp,
      errorCode: ErrorCode.NOT_CONTROLLER,
      errorMessage: null,
    }));
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NOT_CONTROLLER,
      replicaElectionResults: electionResults(all),
    };
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    replicaElectionResults: electionResults(results),
  };
}

function electionResults(results: readonly PartitionResult[]) {
  return [...byTopic(results)].map(([topic, rs]) => ({
    topic,
    partitionResult: rs.map((r) => ({
      partitionId: r.tp.partition,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
    })),
  }));
}

export async function handleAlterPartitionReassignments(
  controller: PartitionAdminController,
  request: AlterPartitionReassignmentsRequest,
): Promise<Encodable<AlterPartitionReassignmentsResponse>> {
  const requests = request.topics.flatMap((t) =>
    t.partitions.map((p) => ({
      tp: { topic: t.name, partition: p.partitionIndex },
      replicas: p.replicas,
    })),
  );
  const results = await controller.alterPartitionReassignments(requests);
  if (results === null) {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NOT_CONTROLLER,
      errorMessage: 'this broker is not the controller',
      responses: [],
    };
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    responses: [...byTopic(results)].map(([name, rs]) => ({
      name,
      partitions: rs.map((r) => ({
        partitionIndex: r.tp.partition,
        errorCode: r.errorCode,
        errorMessage: r.errorMessage,
      })),
    })),
  };
}

export async function handleListPartitionReassignments(
  controller: PartitionAdminController,
  request: ListPartitionReassignmentsRequest,
): Promise<Encodable<ListPartitionReassignmentsResponse>> {
  const wanted =
    request.topics?.flatMap((t) =>
      t.partitionIndexes.map((partition) => ({ topic: t.name, partition })),
    ) ?? null;
  const ongoing = await controller.listPartitionReassignments(wanted);
  if (ongoing === null) {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NOT_CONTROLLER,
      errorMessage: 'this broker is not the controller',
      topics: [],
    };
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topics: [...byTopic(ongoing)].map(([name, rs]) => ({
      name,
      partitions: rs.map((r) => ({
        partitionIndex: r.tp.partition,
        replicas: r.replicas,
        addingReplicas: r.adding,
        removingReplicas: r.removing,
      })),
    })),
  };
}
