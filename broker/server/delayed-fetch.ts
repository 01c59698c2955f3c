/**
 * A Fetch that waits in the purgatory for data: Fetch's long poll (Kafka's `DelayedFetch`).
 *
 * A consumer that has read everything sends Fetch with min_bytes (usually 1) and max_wait_ms
 * (kafkajs 5000, librdkafka 500). If the first read finds fewer than min_bytes, the request
 * is parked here, watched under each of its partitions. Every append (or HW move) on one of
 * them calls `tryComplete`; so does the timer after max_wait_ms. Either way the response is a
 * fresh read at completion time, so it carries everything that arrived meanwhile.
 *
 * read_committed consumers (isolation level 1) wait for the last stable offset instead of the
 * high watermark: data of an open transaction does not complete their fetch.
 *
 * `tryComplete` is called once per append on a watched partition, so it avoids reading the
 * log when it can: it completes at once on anything that changes the answer's shape (the
 * partition moved, the epoch changed, the offset fell out of range) and, when new data is
 * visible and min_bytes is 1, without measuring it. Only a larger min_bytes makes it read to
 * count bytes (Kafka compares segment positions instead; our log does not expose them).
 *
 * A follower's fetch of a partition the leader throttles (replication-quota.ts) is not
 * completed by new data there while the leader quota is exceeded: it waits for other data
 * or for max_wait_ms, and the answer then carries no records for that partition.
 */
import { DelayedOperation } from './delayed-operation.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import {
  fetchUpperBound,
  type FetchParams,
  type FetchPartitionResult,
  type ReplicaManager,
} from './replica-manager.js';

export class DelayedFetch extends DelayedOperation {
  readonly #params: FetchParams;
  readonly #replicaManager: ReplicaManager;
  readonly #respond: (results: FetchPartitionResult[]) => void;

  constructor(options: {
    params: FetchParams;
    replicaManager: ReplicaManager;
    respond: (results: FetchPartitionResult[]) => void;
  }) {
    super(options.params.maxWaitMs);
    this.#params = options.params;
    this.#replicaManager = options.replicaManager;
    this.#respond = options.respond;
  }

  tryComplete(): boolean {
    const params = this.#params;
    let newData = false;
    const upTo = fetchUpperBound(params);
    for (const request of params.partitions) {
      const partition = this.#replicaManager.getPartition(request.topicPartition);
      // Gone, no longer led here, or re-elected: the answer is an error now, send it.
      if (partition === undefined || !partition.isLeader) return this.forceComplete();
      if (partition.checkCurrentLeaderEpoch(request.currentLeaderEpoch) !== ErrorCode.NONE) {
        return this.forceComplete();
      }
      const bound = upTo === 'logEndOffset' ? partition.logEndOffset : partition.highWatermark;
      // Truncated below us or retention passed us: OFFSET_OUT_OF_RANGE, send it.
      if (request.fetchOffset > bound || request.fetchOffset < partition.logStartOffset) {
        return this.forceComplete();
      }
      // read_committed consumers wait for the LSO, which moves when the HW passes a marker
      // (or the first unstable offset moves with it); a fetch offset between the LSO and the
      // HW waits too: the records there belong to transactions still open.
      const end = upTo === 'lastStableOffset' ? partition.lastStableOffset : bound;
      // Data a throttled follower may not have yet does not complete its fetch (Kafka's
      // DelayedFetch skips throttled partitions when it adds up the bytes available).
      const throttled =
        params.replicaId >= 0 &&
        this.#replicaManager.shouldLeaderThrottle(partition, params.replicaId);
      if (end > request.fetchOffset && !throttled) newData = true;
    }
    if (!newData) return false;
    // Any visible batch is at least 61 bytes, so min_bytes <= 1 is met without measuring.
    if (params.minBytes <= 1) return this.forceComplete();
    const bytes = this.#replicaManager
      .readFromLocalLog(params)
      .reduce((sum, r) => sum + r.records.length, 0);
    return bytes >= params.minBytes ? this.forceComplete() : false;
  }

  protected onComplete(): void {
    this.#respond(this.#replicaManager.readFromLocalLog(this.#params));
  }
}
