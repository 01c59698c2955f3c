/**
 * Where transactions live on disk: the `__transaction_state` topic. Modelled on Kafka 2.8's
 * TransactionStateManager and on our group-metadata-manager.ts, which does the same for
 * `__consumer_offsets`: it decides which broker coordinates a transactional id, writes its
 * metadata through the replica manager, and reads a partition back into memory when this
 * broker becomes its leader.
 *
 * Which partition: `abs(javaStringHashCode(transactionalId)) % partitionCount`
 * (transaction-records.ts), where the count is that of the existing topic
 * (transaction.state.log.num.partitions, 50, when it is created). The coordinator of an id is
 * the leader of its partition, and its *coordinator epoch* is that partition's leader epoch:
 * markers carry it, so partition leaders can tell a deposed coordinator's markers from the
 * current one's.
 *
 * Records: key = the transactional id, value = the whole metadata (transaction-records.ts);
 * the last record of a key is the truth, so the topic is compacted. Every state change is
 * one record, appended as the leader with acks=-1 (the answer waits until every in-sync
 * replica has it, and the topic's min.insync.replicas, transaction.state.log.min.isr = 2,
 * must be met), so a change the coordinator acted on survives the loss of the coordinator.
 *
 * Loading: when this broker leads a partition at a leader epoch it has not loaded, the
 * partition is read from its log start to its log end, keeping the last value of each key.
 * Until then requests for its ids get COORDINATOR_LOAD_IN_PROGRESS; once led elsewhere,
 * NOT_COORDINATOR, and its ids are dropped from memory. Once loaded, the coordinator is
 * told (`onLoaded`), so that it completes the transactions found in PrepareCommit or
 * PrepareAbort: the old coordinator may have died before all their markers were written.
 * Leadership is followed the way group-metadata-manager.ts follows it: on every metadata
 * update and on every request.
 */
import type { Logger } from '../../src/logger.js';
import type { Scheduler } from '../../src/scheduler.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import {
  buildRecordBatch,
  checkBatchIntegrity,
  decodeRecords,
  readBatches,
} from '../../src/protocol/kafka/record-batch.js';
import {
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
  partitionForTransactionalId,
  type TransactionLogValue,
} from '../../src/protocol/kafka/transaction-records.js';
import type { MetadataCache } from '../server/metadata-cache.js';
import type { ReplicaManager } from '../server/replica-manager.js';
import {
  TRANSACTION_STATE_IDS,
  transactionStateOfId,
  type TransactionMetadata,
  type TransactionState,
  type TxnTopicPartition,
} from './transaction-state-machine.js';

export const TRANSACTION_STATE_TOPIC_NAME = '__transaction_state';

/** One transactional id in memory: its stored metadata and the change being written. */
export interface TransactionEntry {
  metadata: TransactionMetadata;
  /** Set while a write is in flight (Kafka's pendingState): others wait. */
  pendingState: TransactionState | undefined;
}

/** The partition, loaded, with its coordinator epoch and its ids. */
export interface LoadedTransactionPartition {
  partition: number;
  coordinatorEpoch: number;
  entries: ReadonlyMap<string, TransactionEntry>;
}

export interface TransactionStateListener {
  onLoaded(loaded: LoadedTransactionPartition): void;
  onUnloaded(partition: number): void;
}

export interface TransactionStateManagerOptions {
  replicaManager: ReplicaManager;
  metadataCache: MetadataCache;
  scheduler: Scheduler;
  logger: Logger;
  /** transaction.state.log.num.partitions (50): used until the topic exists. */
  numPartitions: number;
  /** How long an acks=-1 write may wait (Kafka uses request.timeout.ms, 30 s). */
  writeTimeoutMs: number;
  /** Bytes read per step while loading (transaction.state.log.load.buffer.size, 5 MiB). */
  loadBufferBytes?: number;
}

type PartitionLoad =
  | { state: 'loading'; leaderEpoch: number }
  | { state: 'loaded'; leaderEpoch: number; entries: Map<string, TransactionEntry> };

export class TransactionStateManager {
  readonly #o: TransactionStateManagerOptions;
  readonly #log: Logger;
  readonly #partitions = new Map<number, PartitionLoad>();
  #listener: TransactionStateListener | undefined;
  #stopListening: (() => void) | undefined;

  constructor(options: TransactionStateManagerOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'transaction-state-manager' });
  }

  startup(listener: TransactionStateListener): void {
    this.#listener = listener;
    this.#stopListening = this.#o.metadataCache.onUpdate(() => this.syncPartitions());
    this.syncPartitions();
  }

  shutdown(): void {
    this.#stopListening?.();
    this.#partitions.clear();
  }

  get partitionCount(): number {
    const topic = this.#o.metadataCache.snapshot.topics.get(TRANSACTION_STATE_TOPIC_NAME);
    return topic !== undefined && topic.size > 0 ? topic.size : this.#o.numPartitions;
  }

  partitionFor(transactionalId: string): number {
    return partitionForTransactionalId(transactionalId, this.partitionCount);
  }

  /** NONE, NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS for the id's partition. */
  coordinatorError(transactionalId: string): number {
    const partition = this.partitionFor(transactionalId);
    this.#syncPartition(partition);
    const load = this.#partitions.get(partition);
    if (load === undefined) return ErrorCode.NOT_COORDINATOR;
    return load.state === 'loaded' ? ErrorCode.NONE : ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
  }

  /** The entry of a loaded id (undefined if unknown or not loaded here). */
  get(transactionalId: string): TransactionEntry | undefined {
    const load = this.#partitions.get(this.partitionFor(transactionalId));
    return load?.state === 'loaded' ? load.entries.get(transactionalId) : undefined;
  }

  /** Adds an entry for a new id (its first write is still to come). */
  put(entry: TransactionEntry): boolean {
    const load = this.#partitions.get(this.partitionFor(entry.metadata.transactionalId));
    if (load?.state !== 'loaded') return false;
    load.entries.set(entry.metadata.transactionalId, entry);
    return true;
  }

  /** Forgets a new id whose first write failed. */
  remove(transactionalId: string, entry: TransactionEntry): void {
    const load = this.#partitions.get(this.partitionFor(transactionalId));
    if (load?.state === 'loaded' && load.entries.get(transactionalId) === entry) {
      load.entries.delete(transactionalId);
    }
  }

  /** The coordinator epoch of the id's partition, if loaded here. */
  coordinatorEpochOf(transactionalId: string): number | undefined {
    const load = this.#partitions.get(this.partitionFor(transactionalId));
    return load?.state === 'loaded' ? load.leaderEpoch : undefined;
  }

  /** Every loaded entry (for the timeout check). */
  *allEntries(): Iterable<TransactionEntry> {
    for (const load of this.#partitions.values()) {
      if (load.state === 'loaded') yield* load.entries.values();
    }
  }

  /**
   * Compares what we have loaded with what the replica manager says we lead: loads newly led
   * partitions (or ones led again at a newer epoch) and unloads those led elsewhere now.
   */
  syncPartitions(): void {
    const led = new Set<number>();
    for (const p of this.#o.replicaManager.allPartitions()) {
      if (p.topicPartition.topic === TRANSACTION_STATE_TOPIC_NAME)
        led.add(p.topicPartition.partition);
    }
    for (const partition of new Set([...led, ...this.#partitions.keys()])) {
      this.#syncPartition(partition);
    }
  }

  #syncPartition(partition: number): void {
    const hosted = this.#o.replicaManager.getPartition({
      topic: TRANSACTION_STATE_TOPIC_NAME,
      partition,
    });
    const load = this.#partitions.get(partition);
    const leaderEpoch = hosted?.isLeader === true ? hosted.leaderEpoch : undefined;
    if (load !== undefined && load.leaderEpoch === leaderEpoch) return;
    if (load !== undefined) this.#unload(partition);
    if (leaderEpoch !== undefined) this.#load(partition, leaderEpoch);
  }

  #unload(partition: number): void {
    this.#partitions.delete(partition);
    this.#listener?.onUnloaded(partition);
    this.#log.info({ partition }, 'no longer transaction coordinator for the partition');
  }

  #load(partition: number, leaderEpoch: number): void {
    this.#partitions.set(partition, { state: 'loading', leaderEpoch });
    void this.#readPartition(partition)
      .then((entries) => {
        const current = this.#partitions.get(partition);
        // Leadership moved (or a newer epoch arrived) while we read: that load is void.
        if (current?.state !== 'loading' || current.leaderEpoch !== leaderEpoch) return;
        this.#partitions.set(partition, { state: 'loaded', leaderEpoch, entries });
        this.#log[entries.size > 0 ? 'info' : 'debug'](
          { partition, coordinatorEpoch: leaderEpoch, transactionalIds: entries.size },
          'loaded __transaction_state partition',
        );
        this.#listener?.onLoaded({ partition, coordinatorEpoch: leaderEpoch, entries });
      })
      .catch((err: unknown) => {
        // A corrupt record: stay "loading" (clients retry) and say why, loudly.
        this.#log.error({ err, partition }, 'loading __transaction_state partition failed');
      });
  }

  /** Reads a whole partition; the last record of each key wins, tombstones delete. */
  async #readPartition(partition: number): Promise<Map<string, TransactionEntry>> {
    const tp = { topic: TRANSACTION_STATE_TOPIC_NAME, partition };
    const entries = new Map<string, TransactionEntry>();
    let fetchOffset = this.#o.replicaManager.getPartition(tp)?.logStartOffset ?? 0;
    for (;;) {
      const hosted = this.#o.replicaManager.getPartition(tp);
      if (hosted === undefined || fetchOffset >= hosted.logEndOffset) break;
      const outcome = hosted.read({
        fetchOffset,
        maxBytes: this.#o.loadBufferBytes ?? 5 * 1024 * 1024,
        minOneBatch: true,
        upTo: 'logEndOffset',
        currentLeaderEpoch: -1,
      });
      if (outcome.errorCode !== ErrorCode.NONE || outcome.records.length === 0) break;
      for (const batch of readBatches(outcome.records).batches) {
        fetchOffset = batch.nextOffset;
        const broken = checkBatchIntegrity(batch);
        if (broken !== undefined) throw new Error(`corrupt batch: ${broken.message}`);
        if (batch.isControl) continue;
        for (const record of decodeRecords(batch)) {
          if (record.key === null) continue;
          const transactionalId = decodeTransactionLogKey(record.key);
          if (record.value === null) {
            entries.delete(transactionalId);
            continue;
          }
          const metadata = metadataFromLog(
            transactionalId,
            decodeTransactionLogValue(record.value),
          );
          entries.set(transactionalId, { metadata, pendingState: undefined });
        }
      }
      // Let requests in between chunks: a big partition must not stall the broker.
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const id of [...entries.keys()]) {
      if (partitionForTransactionalId(id, this.partitionCount) !== partition) entries.delete(id);
    }
    return entries;
  }

  /**
   * Writes `metadata` as the id's latest record (acks=-1) and resolves to an error code for
   * the client: NONE once written; NOT_COORDINATOR when this broker lost the partition (or
   * its epoch changed) meanwhile; COORDINATOR_NOT_AVAILABLE when the replicas could not take
   * it (Kafka's appendTransactionToLog translation).
   */
  async append(metadata: TransactionMetadata, coordinatorEpoch: number): Promise<number> {
    return this.#appendRecord(
      metadata.transactionalId,
      encodeTransactionLogValue(metadataToLog(metadata)),
      coordinatorEpoch,
    );
  }

  /** Writes the id's tombstone (transactional.id.expiration.ms), which removes it. */
  async appendTombstone(transactionalId: string, coordinatorEpoch: number): Promise<number> {
    return this.#appendRecord(transactionalId, null, coordinatorEpoch);
  }

  async #appendRecord(
    transactionalId: string,
    value: Buffer | null,
    coordinatorEpoch: number,
  ): Promise<number> {
    const partition = this.partitionFor(transactionalId);
    const batch = buildRecordBatch({
      records: [{ key: encodeTransactionLogKey(transactionalId), value }],
      baseTimestamp: this.#o.scheduler.nowMs(),
    });
    const [result] = await this.#o.replicaManager.appendRecords({
      acks: -1,
      timeoutMs: this.#o.writeTimeoutMs,
      internalTopicsAllowed: true,
      entries: [
        { topicPartition: { topic: TRANSACTION_STATE_TOPIC_NAME, partition }, records: batch },
      ],
    });
    const errorCode = appendError(result!.errorCode);
    if (errorCode !== ErrorCode.NONE) {
      this.#log.warn(
        { transactionalId, partition, errorCode: result!.errorCode },
        'append to __transaction_state failed',
      );
      return errorCode;
    }
    if (this.coordinatorEpochOf(transactionalId) !== coordinatorEpoch) {
      return ErrorCode.NOT_COORDINATOR;
    }
    return ErrorCode.NONE;
  }
}

export function metadataToLog(m: TransactionMetadata): TransactionLogValue {
  const byTopic = new Map<string, number[]>();
  for (const tp of m.partitions)
    byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return {
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    transactionTimeoutMs: m.txnTimeoutMs,
    transactionStatus: TRANSACTION_STATE_IDS[m.state],
    transactionPartitions: [...byTopic].map(([topic, partitionIds]) => ({ topic, partitionIds })),
    transactionLastUpdateTimestampMs: BigInt(m.txnLastUpdateTimestampMs),
    transactionStartTimestampMs: BigInt(m.txnStartTimestampMs),
  };
}

/**
 * The metadata a record describes. The log keeps no previous id or epoch (Kafka's value has
 * none either), so a retried InitProducerId after a coordinator move gets a new bump.
 */
export function metadataFromLog(
  transactionalId: string,
  v: TransactionLogValue,
): TransactionMetadata {
  const partitions: TxnTopicPartition[] = v.transactionPartitions.flatMap((p) =>
    p.partitionIds.map((partition) => ({ topic: p.topic, partition })),
  );
  return {
    transactionalId,
    producerId: v.producerId,
    lastProducerId: -1n,
    producerEpoch: v.producerEpoch,
    lastProducerEpoch: -1,
    txnTimeoutMs: v.transactionTimeoutMs,
    state: transactionStateOfId(v.transactionStatus),
    partitions,
    txnStartTimestampMs: Number(v.transactionStartTimestampMs),
    txnLastUpdateTimestampMs: Number(v.transactionLastUpdateTimestampMs),
  };
}

/** Kafka's translation of append errors in appendTransactionToLog. */
function appendError(errorCode: number): number {
  switch (errorCode) {
    case ErrorCode.NONE:
      return ErrorCode.NONE;
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    default:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}
