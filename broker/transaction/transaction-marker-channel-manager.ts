/**
 * How the transaction coordinator gets a transaction's COMMIT or ABORT markers written: Kafka
 * 2.8's TransactionMarkerChannelManager and TransactionMarkerRequestCompletionHandler. Once
 * PrepareCommit (or PrepareAbort) is in `__transaction_state`, every partition of the
 * transaction needs a control batch from its leader; we send each leader one WriteTxnMarkers
 * request (v1) naming its partitions, the producer id, the bumped-or-current epoch, the
 * outcome and the coordinator epoch (the leader epoch of our `__transaction_state`
 * partition, which lets leaders refuse a deposed coordinator).
 *
 * The answer is per partition, and so is what happens next (Kafka's completion handler):
 *
 *   NONE                                           written: the partition is done
 *   UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS,
 *   NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT, KAFKA_STORAGE_ERROR,
 *   COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE
 *                                                  retried (with the leader looked up again)
 *   UNSUPPORTED_FOR_MESSAGE_FORMAT, UNSUPPORTED_VERSION
 *                                                  given up for that partition: the producer
 *                                                  could not have written to it either
 *   INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED
 *                                                  the whole send is abandoned: a newer
 *                                                  coordinator or producer epoch exists
 *   anything else                                  logged as an error and retried: Kafka
 *                                                  throws here; a broker must not crash on
 *                                                  another broker's answer
 *
 * A request that fails as a whole (connection refused, timed out) retries all of its
 * partitions. Partitions of a topic deleted meanwhile are dropped (Kafka does the same), and
 * partitions without a leader wait for one. Before every attempt the coordinator is asked
 * whether the transaction is still its own at this coordinator epoch (`isStillOwned`): after
 * the `__transaction_state` partition moved, the new coordinator sends the markers itself.
 *
 * Differences from Kafka: one request per transaction and leader (Kafka batches the markers
 * of several transactions into one request per broker), and the retry wait is a fixed
 * `retryBackoffMs`.
 */
import type { Logger } from '../../src/logger.js';
import type { Scheduler } from '../../src/scheduler.js';
import { ErrorCode, errorForCode } from '../../src/protocol/kafka/errors.js';
import type {
  WriteTxnMarkersRequest,
  WriteTxnMarkersResponse,
} from '../../src/protocol/kafka/generated/index.js';
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import type { MetadataCache } from '../server/metadata-cache.js';
import type { BrokerTarget } from '../network/broker-request-sender.js';
import type { TxnTopicPartition } from './transaction-state-machine.js';

/** The WriteTxnMarkers version Kafka 2.8 brokers send each other (inter.broker.protocol 2.8). */
export const WRITE_TXN_MARKERS_VERSION = 1;

export interface TxnMarkerEntry {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  committed: boolean;
  coordinatorEpoch: number;
  partitions: readonly TxnTopicPartition[];
}

/** How a send ended: every marker written, abandoned (fenced), or no longer ours. */
export type MarkerOutcome = 'written' | 'fenced' | 'not-owned';

/** Sends one WriteTxnMarkers request (broker-request-sender.ts in the broker). */
export type WriteTxnMarkersTransport = (
  target: BrokerTarget,
  request: Encodable<WriteTxnMarkersRequest>,
) => Promise<WriteTxnMarkersResponse>;

const RETRIABLE = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
]);
const GIVE_UP_PARTITION = new Set<number>([
  ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
  ErrorCode.UNSUPPORTED_VERSION,
]);
const FENCED = new Set<number>([
  ErrorCode.INVALID_PRODUCER_EPOCH,
  ErrorCode.TRANSACTION_COORDINATOR_FENCED,
]);

/** What one partition's answer means for the send (the table in the header). */
export function markerErrorAction(errorCode: number): 'done' | 'retry' | 'drop' | 'fenced' {
  if (errorCode === ErrorCode.NONE) return 'done';
  if (RETRIABLE.has(errorCode)) return 'retry';
  if (GIVE_UP_PARTITION.has(errorCode)) return 'drop';
  if (FENCED.has(errorCode)) return 'fenced';
  return 'retry';
}

export interface TransactionMarkerChannelManagerOptions {
  metadataCache: MetadataCache;
  transport: WriteTxnMarkersTransport;
  scheduler: Scheduler;
  logger: Logger;
  /** Wait before a retry (Kafka: retry.backoff.ms of the channel, 100 ms). */
  retryBackoffMs?: number;
}

const DEFAULT_RETRY_BACKOFF_MS = 100;

export class TransactionMarkerChannelManager {
  readonly #o: TransactionMarkerChannelManagerOptions;
  readonly #log: Logger;
  readonly #retryBackoffMs: number;
  #stopped = false;

  constructor(options: TransactionMarkerChannelManagerOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'transaction-marker-channel-manager' });
    this.#retryBackoffMs = options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS;
  }

  shutdown(): void {
    this.#stopped = true;
  }

  /**
   * Gets every marker of `entry` written, retrying as the header says, and resolves with how
   * it ended. Never rejects.
   */
  async writeMarkers(entry: TxnMarkerEntry, isStillOwned: () => boolean): Promise<MarkerOutcome> {
    let pending = [...entry.partitions];
    for (;;) {
      if (this.#stopped || !isStillOwned()) return 'not-owned';
      const snapshot = this.#o.metadataCache.snapshot;
      // Partitions of deleted topics need no marker; the others go to their leaders.
      pending = pending.filter((tp) => snapshot.hasTopic(tp.topic));
      if (pending.length === 0) return 'written';
      const byLeader = new Map<number, TxnTopicPartition[]>();
      for (const tp of pending) {
        const leader = snapshot.partition(tp)?.leader ?? -1;
        if (leader < 0 || snapshot.brokerOn(leader, undefined) === undefined) continue;
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), tp]);
      }
      const results = await Promise.all(
        [...byLeader].map(([leader, partitions]) => this.#send(entry, leader, partitions)),
      );
      if (results.some((r) => r.fenced)) {
        this.#log.info(
          { transactionalId: entry.transactionalId, producerId: entry.producerId },
          'markers abandoned: a newer coordinator or producer epoch exists',
        );
        return 'fenced';
      }
      const done = new Set(results.flatMap((r) => r.done).map(keyOf));
      pending = pending.filter((tp) => !done.has(keyOf(tp)));
      if (pending.length === 0) return 'written';
      await new Promise<void>((resolve) =>
        this.#o.scheduler.schedule(this.#retryBackoffMs, resolve),
      );
    }
  }

  /** One request to one leader: which partitions are done, and whether we are fenced. */
  async #send(
    entry: TxnMarkerEntry,
    leaderId: number,
    partitions: TxnTopicPartition[],
  ): Promise<{ done: TxnTopicPartition[]; fenced: boolean }> {
    const target = this.#o.metadataCache.snapshot.brokerOn(leaderId, undefined);
    if (target === undefined) return { done: [], fenced: false };
    const byTopic = new Map<string, number[]>();
    for (const tp of partitions)
      byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    let response: WriteTxnMarkersResponse;
    try {
      response = await this.#o.transport(target, {
        markers: [
          {
            producerId: entry.producerId,
            producerEpoch: entry.producerEpoch,
            transactionResult: entry.committed,
            coordinatorEpoch: entry.coordinatorEpoch,
            topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
          },
        ],
      });
    } catch (err) {
      this.#log.debug(
        { err: (err as Error).message, leaderId, transactionalId: entry.transactionalId },
        'WriteTxnMarkers failed; retrying',
      );
      return { done: [], fenced: false };
    }
    const done: TxnTopicPartition[] = [];
    let fenced = false;
    for (const marker of response.markers) {
      for (const topic of marker.topics) {
        for (const p of topic.partitions) {
          const tp = { topic: topic.name, partition: p.partitionIndex };
          const action = markerErrorAction(p.errorCode);
          if (action === 'done' || action === 'drop') done.push(tp);
          if (action === 'fenced') fenced = true;
          if (action === 'drop' || (action === 'retry' && !RETRIABLE.has(p.errorCode))) {
            this.#log[action === 'drop' ? 'info' : 'error'](
              { ...tp, leaderId, error: errorForCode(p.errorCode).name },
              action === 'drop'
                ? 'marker not supported by the partition; giving up on it'
                : 'unexpected WriteTxnMarkers error; retrying',
            );
          }
        }
      }
    }
    return { done, fenced };
  }
}

function keyOf(tp: TxnTopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}
