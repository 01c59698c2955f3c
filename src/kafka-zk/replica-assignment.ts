/**
 * Replica assignment for new topics and new partitions: Kafka's rack-unaware algorithm from
 * `AdminUtils.assignReplicasToBrokers` (Kafka 2.8). Pure; the random source is injected
 * so tests can pin the two random draws.
 *
 * The algorithm, for sorted broker ids B (n = |B|), p partitions, replication factor r:
 *
 *   startIndex = random in [0, n)      (or fixed)
 *   shift      = random in [0, n)      (or the same fixed value, as Kafka does)
 *   for partition i (counting from startPartitionId):
 *     if i > 0 and i % n == 0: shift += 1
 *     first = (i + startIndex) % n
 *     replicas = [B[first]] + for j in 0..r-2: B[(first + 1 + (shift + j) % (n - 1)) % n]
 *
 * Why this shape: the first replica (the preferred leader) walks round-robin over the brokers,
 * so leadership is spread evenly; the followers sit at an offset from the leader that grows
 * each time the round-robin wraps, so the followers of broker X's partitions are spread over
 * all other brokers instead of always being X+1 (which would make X+1 take all of X's load
 * when X dies). `(shift + j) % (n - 1)` is never n - 1, so a follower is never the leader's
 * own broker, and distinct j give distinct brokers.
 *
 * Errors are values, with Kafka's error codes: INVALID_PARTITIONS when p <= 0 or when
 * the assignment would not fit in the topic's znode (`ZNODE_DATA_BYTES_MAX`),
 * INVALID_REPLICATION_FACTOR when r <= 0 or r exceeds the number of brokers. Both are
 * checked before any work proportional to p is done.
 */
import { brokerIdDigitsMax, topicZNodeBytesUpperBound, ZNODE_DATA_BYTES_MAX } from '../znodes.js';
import { ErrorCode } from '../protocol/kafka/errors.js';

export const INVALID_PARTITIONS = ErrorCode.INVALID_PARTITIONS;
export const INVALID_REPLICATION_FACTOR = ErrorCode.INVALID_REPLICATION_FACTOR;

export interface AssignmentOptions {
  /** Registered broker ids (any order; sorted here as Kafka sorts them). */
  brokerIds: readonly number[];
  partitions: number;
  replicationFactor: number;
  /** Where the round-robin of first replicas starts; random when undefined. */
  fixedStartIndex?: number;
  /** The first partition id to assign (CreatePartitions starts after the existing ones). */
  startPartitionId?: number;
  /** Uniform in [0, 1); Math.random by default. Injected by tests. */
  random?: () => number;
}

export type AssignmentResult =
  | { ok: true; assignment: Map<number, number[]> }
  | { ok: false; errorCode: number; message: string };

export function assignReplicasToBrokers(options: AssignmentOptions): AssignmentResult {
  const { partitions, replicationFactor } = options;
  const brokers = [...options.brokerIds].sort((a, b) => a - b);
  const n = brokers.length;
  if (partitions <= 0) {
    return {
      ok: false,
      errorCode: INVALID_PARTITIONS,
      message: 'Number of partitions must be larger than 0.',
    };
  }
  if (replicationFactor <= 0) {
    return {
      ok: false,
      errorCode: INVALID_REPLICATION_FACTOR,
      message: 'Replication factor must be larger than 0.',
    };
  }
  if (replicationFactor > n) {
    return {
      ok: false,
      errorCode: INVALID_REPLICATION_FACTOR,
      message: `Replication factor: ${replicationFactor} larger than available brokers: ${n}.`,
    };
  }
  // The whole assignment goes into one znode, so a count that cannot fit there is refused
  // here, before the loop below spends time (and memory) proportional to it.
  const totalPartitions = Math.max(0, options.startPartitionId ?? 0) + partitions;
  const bytes = topicZNodeBytesUpperBound({
    partitions: totalPartitions,
    replicationFactor,
    brokerIdDigitsMax: brokerIdDigitsMax(brokers),
  });
  if (bytes > ZNODE_DATA_BYTES_MAX) {
    return {
      ok: false,
      errorCode: INVALID_PARTITIONS,
      message:
        `${totalPartitions} partitions with replication factor ${replicationFactor} need a ` +
        `replica assignment of about ${bytes} bytes, more than the ${ZNODE_DATA_BYTES_MAX} ` +
        'bytes one znode can hold.',
    };
  }
  const random = options.random ?? Math.random;
  const draw = (): number => Math.floor(random() * n);
  const fixed = options.fixedStartIndex !== undefined && options.fixedStartIndex >= 0;
  // Two draws, in this order, as in Kafka: the start index, then the follower shift.
  const startIndex = fixed ? (options.fixedStartIndex as number) : draw();
  let shift = fixed ? (options.fixedStartIndex as number) : draw();
  let partitionId = Math.max(0, options.startPartitionId ?? 0);

  const assignment = new Map<number, number[]>();
  for (let k = 0; k < partitions; k++) {
    if (partitionId > 0 && partitionId % n === 0) shift += 1;
    const first = (partitionId + startIndex) % n;
    const replicas = [brokers[first] as number];
    for (let j = 0; j < replicationFactor - 1; j++) {
      replicas.push(brokers[followerIndex(first, shift, j, n)] as number);
    }
    assignment.set(partitionId, replicas);
    partitionId += 1;
  }
  return { ok: true, assignment };
}

function followerIndex(first: number, shift: number, j: number, n: number): number {
  return (first + 1 + ((shift + j) % (n - 1))) % n;
}

/**
 * For CreatePartitions (`AdminZkClient.createPartitions`): new partitions continue the
 * existing round-robin. The start index is the position of partition 0's first replica among
 * the sorted brokers (so partition k's leader is where it would have been had the topic been
 * created with k+1 partitions), ids continue after the existing ones, and the replication
 * factor is partition 0's. As in Kafka, a fixed start index also fixes the shift: nothing
 * is random here.
 */
export function assignAdditionalPartitions(options: {
  brokerIds: readonly number[];
  existing: ReadonlyMap<number, readonly number[]>;
  totalPartitions: number;
}): AssignmentResult {
  const existingCount = options.existing.size;
  const partition0 = options.existing.get(0);
  if (partition0 === undefined || partition0.length === 0) {
    return { ok: false, errorCode: INVALID_PARTITIONS, message: 'the topic has no partition 0' };
  }
  const toAdd = options.totalPartitions - existingCount;
  if (toAdd <= 0) {
    return {
      ok: false,
      errorCode: INVALID_PARTITIONS,
      message:
        `Topic currently has ${existingCount} partitions, ` +
        `${options.totalPartitions} would not be an increase.`,
    };
  }
  const brokers = [...options.brokerIds].sort((a, b) => a - b);
  const firstOfPartition0 = partition0[0] as number;
  return assignReplicasToBrokers({
    brokerIds: brokers,
    partitions: toAdd,
    replicationFactor: partition0.length,
    fixedStartIndex: Math.max(
      0,
      brokers.findIndex((b) => b >= firstOfPartition0),
    ),
    startPartitionId: existingCount,
  });
}
