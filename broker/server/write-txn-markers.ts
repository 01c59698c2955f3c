/**
 * WriteTxnMarkers (API key 27, v0-1): the transaction coordinator tells the leaders of a
 * transaction's partitions that it ended, and each leader writes a COMMIT or ABORT marker
 * into the partition (Kafka 2.8's KafkaApis.handleWriteTxnMarkersRequest). Only brokers send
 * it (CLUSTER_ACTION on the cluster; anyone else gets CLUSTER_AUTHORIZATION_FAILED on every
 * partition).
 *
 *   request  markers: [producer id, producer epoch, COMMIT?, coordinator epoch,
 *                      topics: [name, partition indexes]]
 *   response markers: [producer id, topics: [name, partitions: [index, error code]]]
 *
 * For each marker, every partition gets one control batch (end-transaction-marker.ts) with the
 * marker's producer id and epoch, appended as the broker's own write (origin 'coordinator':
 * control batches allowed, sequences not checked, epochs checked) with acks=-1, so the answer
 * waits until every in-sync replica has the marker (or request.timeout.ms passes). The
 * producer state on the leader, and on each follower as it copies the marker, closes the
 * producer's transaction there; an ABORT goes into the segment's `.txnindex`; the last stable
 * offset moves once the high watermark passes the marker (producer-state-manager.ts).
 *
 * Per-partition errors, as in Kafka 2.8:
 *   partition not hosted here                    UNKNOWN_TOPIC_OR_PARTITION (3)
 *   hosted, but this broker is a follower        NOT_LEADER_OR_FOLLOWER (6)
 *   producer epoch older than the partition's    INVALID_PRODUCER_EPOCH (47)
 *   coordinator epoch older than the last marker TRANSACTION_COORDINATOR_FENCED (52)
 *   ISR below min.insync.replicas                NOT_ENOUGH_REPLICAS (19) / _AFTER_APPEND (20)
 *   not replicated within request.timeout.ms     REQUEST_TIMED_OUT (7)
 *
 * Transactional offset commits: once a marker is written on a `__consumer_offsets` partition,
 * the group coordinator must make that producer's pending offsets visible (COMMIT) or drop
 * them (ABORT). This module calls a `TxnMarkerListener` for that (the group coordinator,
 * injected where the broker is assembled); with none set it does nothing. A listener that
 * throws turns those partitions' answers into UNKNOWN_SERVER_ERROR, as in Kafka.
 */
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/logger.js';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import { buildEndTxnMarkerBatch } from '../../src/protocol/kafka/end-transaction-marker.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import type {
  WritableTxnMarker,
  WritableTxnMarkerResult,
  WriteTxnMarkersRequest,
  WriteTxnMarkersResponse,
} from '../../src/protocol/kafka/generated/write-txn-markers.js';
import type { TopicPartition } from '../log/log.js';
import { apiHandler, type AnyApiHandler } from '../network/api-handler-table.js';
import type { AuthorizationCheck } from '../security/acl-cache.js';
import type { ConnectionSession } from '../security/session.js';
import type { ReplicaManager } from './replica-manager.js';

/** Kafka's GROUP_METADATA_TOPIC_NAME. */
export const GROUP_METADATA_TOPIC_NAME = '__consumer_offsets';

/** Told when a transaction's marker is written on `__consumer_offsets` partitions. */
export interface TxnMarkerListener {
  /**
   * `offsetsPartitions`: the `__consumer_offsets` partitions whose marker was written;
   * `committed`: COMMIT (make the producer's pending offsets visible) or ABORT (drop them).
   */
  onTxnCompleted(producerId: bigint, offsetsPartitions: number[], committed: boolean): void;
}

export interface WriteTxnMarkersDeps {
  replicaManager: ReplicaManager;
  clock: Clock;
  /** `request.timeout.ms` (30000): how long a marker may wait for the ISR. */
  requestTimeoutMs: number;
  /** The group coordinator's hook; none: nothing to tell. */
  txnMarkerListener?: TxnMarkerListener;
  /** The authorizer's check; everything is allowed without one. */
  authorize?: AuthorizationCheck;
  logger: Logger;
}

export function writeTxnMarkersHandlers(deps: WriteTxnMarkersDeps): AnyApiHandler[] {
  const handler = new WriteTxnMarkersHandler(deps);
  return [
    apiHandler(ApiKey.WriteTxnMarkers, { minVersion: 0, maxVersion: 1 }, (r, connection) =>
      handler.handle(r.body, connection.session),
    ),
  ];
}

type MarkerResult = Encodable<WritableTxnMarkerResult>;

export class WriteTxnMarkersHandler {
  readonly #deps: WriteTxnMarkersDeps;
  readonly #logger: Logger;

  constructor(deps: WriteTxnMarkersDeps) {
    this.#deps = deps;
    this.#logger = deps.logger.child({ component: 'write-txn-markers' });
  }

  async handle(
    request: WriteTxnMarkersRequest,
    session?: ConnectionSession,
  ): Promise<Encodable<WriteTxnMarkersResponse>> {
    const authorize = this.#deps.authorize;
    if (session !== undefined && authorize && !authorize(session, 'ClusterAction', 'Cluster')) {
      return {
        markers: request.markers.map((m) =>
          answerAll(m, () => ErrorCode.CLUSTER_AUTHORIZATION_FAILED),
        ),
      };
    }
    // One append per marker, all at once (Kafka does the same); answered in request order.
    return { markers: await Promise.all(request.markers.map((m) => this.#writeMarker(m))) };
  }

  async #writeMarker(marker: WritableTxnMarker): Promise<MarkerResult> {
    const replicas = this.#deps.replicaManager;
    const errors = new Map<string, number>();
    const entries: { topicPartition: TopicPartition; records: Buffer }[] = [];
    const producerId = Number(marker.producerId);
    const type = marker.transactionResult ? 'COMMIT' : 'ABORT';
    const timestampMs = this.#deps.clock.nowMs();
    for (const topic of marker.topics) {
      for (const partition of topic.partitionIndexes) {
        const topicPartition = { topic: topic.name, partition };
        // Kafka asks for the local log's message format: no log here, no marker.
        if (replicas.getPartition(topicPartition) === undefined) {
          errors.set(key(topicPartition), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          continue;
        }
        const records = buildEndTxnMarkerBatch({
          producerId,
          producerEpoch: marker.producerEpoch,
          marker: { type, coordinatorEpoch: marker.coordinatorEpoch },
          timestampMs,
        });
        entries.push({ topicPartition, records });
      }
    }
    if (entries.length > 0) {
      const results = await replicas.appendRecords({
        acks: -1,
        timeoutMs: this.#deps.requestTimeoutMs,
        internalTopicsAllowed: true,
        origin: 'coordinator',
        entries,
      });
      for (const r of results) errors.set(key(r.topicPartition), r.errorCode);
      const written = results.filter(
        (r) =>
          r.topicPartition.topic === GROUP_METADATA_TOPIC_NAME && r.errorCode === ErrorCode.NONE,
      );
      if (written.length > 0) this.#notifyListener(marker, written, errors);
      this.#logger.debug(
        {
          producerId,
          producerEpoch: marker.producerEpoch,
          type,
          partitions: results.map((r) => [key(r.topicPartition), r.errorCode]),
        },
        `wrote ${type} markers`,
      );
    }
    return answerAll(marker, (tp) => errors.get(key(tp)) ?? ErrorCode.UNKNOWN_SERVER_ERROR);
  }

  #notifyListener(
    marker: WritableTxnMarker,
    written: { topicPartition: TopicPartition }[],
    errors: Map<string, number>,
  ): void {
    const listener = this.#deps.txnMarkerListener;
    if (listener === undefined) return;
    try {
      listener.onTxnCompleted(
        marker.producerId,
        written.map((r) => r.topicPartition.partition),
        marker.transactionResult,
      );
    } catch (err) {
      this.#logger.error(
        { err, producerId: String(marker.producerId) },
        'the transaction marker listener failed',
      );
      for (const r of written) errors.set(key(r.topicPartition), ErrorCode.UNKNOWN_SERVER_ERROR);
    }
  }
}

function key(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}

/** One marker's answer, shaped like its request, with an error code per partition. */
function answerAll(
  marker: WritableTxnMarker,
  errorOf: (tp: TopicPartition) => number,
): MarkerResult {
  return {
    producerId: marker.producerId,
    topics: marker.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitionIndexes.map((partition) => ({
        partitionIndex: partition,
        errorCode: errorOf({ topic: topic.name, partition }),
      })),
    })),
  };
}
