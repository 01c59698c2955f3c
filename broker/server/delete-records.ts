/**
 * DeleteRecords (API key 21): move partitions' log start offsets forward by hand, the API
 * behind kafka-delete-records.sh and admin clients' deleteRecords. Modelled on Kafka 2.8's
 * `ReplicaManager.deleteRecords` and `DelayedDeleteRecords`.
 *
 * Per partition, on its leader (Partition.deleteRecordsOnLeader):
 *   offset -1 means "the high watermark"; an offset past the high watermark or below 0 is
 *   OFFSET_OUT_OF_RANGE; not the leader is NOT_LEADER_OR_FOLLOWER; an unknown partition
 *   UNKNOWN_TOPIC_OR_PARTITION; a compact-only topic POLICY_VIOLATION. Otherwise the log start
 *   offset moves there at once: consumers below it get OFFSET_OUT_OF_RANGE from now on, and
 *   the next retention check removes the segments wholly below it.
 *
 * Then, like Kafka, the answer waits (DelayedDeleteRecords, in the purgatory of
 * delayed-operation.ts) until the partition's *low watermark* reaches the requested offset:
 * the smallest log start offset among the leader and the followers on live brokers. Followers
 * learn the new start offset from the leader's Fetch responses (`log_start_offset`, followed
 * by the replica fetcher) and report theirs in their next Fetch request, which wakes the
 * waiting request. So a successful answer means every live replica has stopped serving the
 * deleted records. If `timeout_ms` runs out first, the partition is answered
 * REQUEST_TIMED_OUT with the low watermark reached so far (the leader's start offset has
 * moved all the same, as in Kafka). Kafka's alternative of answering at once with the
 * leader's low watermark would let a client believe records gone that a follower, promoted a
 * moment later, still serves.
 */
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import type {
  DeleteRecordsRequest,
  DeleteRecordsResponse,
} from '../../src/protocol/kafka/generated/delete-records.js';
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import type { Scheduler } from '../../src/scheduler.js';
import type { Logger } from '../../src/logger.js';
import type { TopicPartition } from '../log/log.js';
import { topicPartitionKey } from '../log/log-manager.js';
import { DelayedOperation, DelayedOperationPurgatory } from './delayed-operation.js';
import type { ReplicaManager } from './replica-manager.js';

interface PartitionStatus {
  topicPartition: TopicPartition;
  /** The offset the log start must reach on every live replica; -1 after an error. */
  requestedOffset: number;
  lowWatermark: number;
  errorCode: number;
  pending: boolean;
}

/** One DeleteRecords request waiting for the followers (Kafka's DelayedDeleteRecords). */
class DelayedDeleteRecords extends DelayedOperation {
  readonly #statuses: PartitionStatus[];
  readonly #replicaManager: ReplicaManager;
  readonly #respond: (statuses: PartitionStatus[]) => void;

  constructor(options: {
    timeoutMs: number;
    statuses: PartitionStatus[];
    replicaManager: ReplicaManager;
    respond: (statuses: PartitionStatus[]) => void;
  }) {
    super(options.timeoutMs);
    this.#statuses = options.statuses;
    this.#replicaManager = options.replicaManager;
    this.#respond = options.respond;
  }

  tryComplete(): boolean {
    const alive = (id: number) => this.#replicaManager.metadataCache.snapshot.isBrokerAlive(id);
    for (const status of this.#statuses) {
      if (!status.pending) continue;
      const partition = this.#replicaManager.getPartition(status.topicPartition);
      if (partition === undefined || !partition.isLeader) {
        status.pending = false;
        status.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
        status.lowWatermark = -1;
        continue;
      }
      status.lowWatermark = partition.lowWatermark(alive);
      if (status.lowWatermark >= status.requestedOffset) {
        status.pending = false;
        status.errorCode = ErrorCode.NONE;
      }
    }
    return this.#statuses.every((s) => !s.pending) ? this.forceComplete() : false;
  }

  protected onComplete(): void {
    for (const status of this.#statuses) {
      if (!status.pending) continue;
      status.pending = false;
      status.errorCode = ErrorCode.REQUEST_TIMED_OUT;
    }
    this.#respond(this.#statuses);
  }
}

export class DeleteRecordsHandler {
  readonly #replicaManager: ReplicaManager;
  readonly #purgatory: DelayedOperationPurgatory<DelayedDeleteRecords>;
  readonly #logger: Logger;

  constructor(options: { replicaManager: ReplicaManager; scheduler: Scheduler; logger: Logger }) {
    this.#replicaManager = options.replicaManager;
    this.#purgatory = new DelayedOperationPurgatory('DeleteRecords', options.scheduler);
    this.#logger = options.logger.child({ component: 'delete-records' });
    options.replicaManager.onFollowerLogStartOffset((tp) =>
      this.#purgatory.checkAndComplete(topicPartitionKey(tp)),
    );
  }

  handle(request: DeleteRecordsRequest): Promise<Encodable<DeleteRecordsResponse>> {
    const statuses: PartitionStatus[] = [];
    for (const topic of request.topics) {
      for (const p of topic.partitions) {
        const tp = { topic: topic.name, partition: p.partitionIndex };
        statuses.push(this.#deleteOnLeader(tp, Number(p.offset)));
      }
    }
    this.#logger.debug(
      { partitions: statuses.map((s) => ({ ...s.topicPartition, offset: s.requestedOffset })) },
      'DeleteRecords',
    );
    return new Promise((resolve) => {
      const operation = new DelayedDeleteRecords({
        timeoutMs: Math.max(0, request.timeoutMs),
        statuses,
        replicaManager: this.#replicaManager,
        respond: (done) => resolve(response(request, done)),
      });
      this.#purgatory.tryCompleteElseWatch(
        operation,
        statuses.filter((s) => s.pending).map((s) => topicPartitionKey(s.topicPartition)),
      );
    });
  }

  #deleteOnLeader(tp: TopicPartition, offset: number): PartitionStatus {
    const partition = this.#replicaManager.getPartition(tp);
    const failed = (errorCode: number): PartitionStatus => ({
      topicPartition: tp,
      requestedOffset: -1,
      lowWatermark: -1,
      errorCode,
      pending: false,
    });
    if (partition === undefined) {
      const known = this.#replicaManager.metadataCache.snapshot.partition(tp) !== undefined;
      return failed(
        known ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      );
    }
    const outcome = partition.deleteRecordsOnLeader(offset);
    if (outcome.errorCode !== ErrorCode.NONE) return failed(outcome.errorCode);
    return {
      topicPartition: tp,
      requestedOffset: outcome.requestedOffset,
      lowWatermark: -1,
      errorCode: ErrorCode.NONE,
      pending: true,
    };
  }

  shutdown(): void {
    this.#purgatory.shutdown();
  }
}

function response(
  request: DeleteRecordsRequest,
  statuses: readonly PartitionStatus[],
): Encodable<DeleteRecordsResponse> {
  let i = 0;
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map(() => {
        const status = statuses[i++]!;
        return {
          partitionIndex: status.topicPartition.partition,
          lowWatermark: BigInt(status.lowWatermark),
          errorCode: status.errorCode,
        };
      }),
    })),
  };
}
