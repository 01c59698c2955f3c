/**
 * A Produce with acks=-1 waiting until its records are committed (Kafka's `DelayedProduce`).
 *
 * acks=-1 ("all") promises the producer that every in-sync replica has the records, which is
 * the same as: the partition's high watermark has passed the last appended offset. The leader
 * appends first (replica-manager.ts), then parks the response here, watched under each
 * partition it wrote to. Whenever a partition's HW moves (a follower fetched, or with a single
 * replica right after the append) `tryComplete` checks every partition still pending:
 *
 *   HW >= last offset + 1, ISR >= min.insync.replicas -> NONE
 *   HW >= last offset + 1, ISR shrank below the minimum -> NOT_ENOUGH_REPLICAS_AFTER_APPEND (20)
 *   partition no longer led here                       -> NOT_LEADER_OR_FOLLOWER (6)
 *   request timeout_ms passed first                    -> REQUEST_TIMED_OUT (7)
 *
 * The records stay in the leader's log in the last two cases: the producer retries, which can
 * duplicate them unless it is idempotent (that is Kafka's contract too).
 */
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import { DelayedOperation } from './delayed-operation.js';
import type { ProducePartitionResult, ReplicaManager } from './replica-manager.js';

/** One partition's part of the response, and what it still waits for. */
export interface ProducePartitionStatus {
  result: ProducePartitionResult;
  /** The offset after the last appended record; the HW must reach it. */
  requiredOffset: number;
  pending: boolean;
}

export class DelayedProduce extends DelayedOperation {
  readonly #statuses: ProducePartitionStatus[];
  readonly #replicaManager: ReplicaManager;
  readonly #minInsyncReplicas: (topic: string) => number;
  readonly #respond: (results: ProducePartitionResult[]) => void;

  constructor(options: {
    timeoutMs: number;
    statuses: ProducePartitionStatus[];
    replicaManager: ReplicaManager;
    minInsyncReplicas: (topic: string) => number;
    respond: (results: ProducePartitionResult[]) => void;
  }) {
    super(options.timeoutMs);
    this.#statuses = options.statuses;
    this.#replicaManager = options.replicaManager;
    this.#minInsyncReplicas = options.minInsyncReplicas;
    this.#respond = options.respond;
  }

  tryComplete(): boolean {
    for (const status of this.#statuses) {
      if (!status.pending) continue;
      const tp = status.result.topicPartition;
      const partition = this.#replicaManager.getPartition(tp);
      if (partition === undefined) {
        status.pending = false;
        // The replica was stopped here (moved, or its topic deleted).
        status.result.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
        continue;
      }
      const check = partition.checkEnoughReplicasReachOffset(
        status.requiredOffset,
        this.#minInsyncReplicas(tp.topic),
      );
      if (check.done) {
        status.pending = false;
        status.result.errorCode = check.errorCode;
      }
    }
    return this.#statuses.every((s) => !s.pending) ? this.forceComplete() : false;
  }

  /** Runs once: on success, or at the timeout, when whatever is still pending timed out. */
  protected onComplete(): void {
    for (const status of this.#statuses) {
      if (status.pending) {
        status.pending = false;
        status.result.errorCode = ErrorCode.REQUEST_TIMED_OUT;
      }
    }
    this.#respond(this.#statuses.map((s) => s.result));
  }
}
