/**
 * The transaction coordinator of a broker: Kafka 2.8's TransactionCoordinator, carrying out
 * the decisions of transaction-state-machine.ts with the state manager (the
 * `__transaction_state` log) and the marker channel (WriteTxnMarkers to partition leaders).
 *
 * How a transaction travels through it:
 *
 *   InitProducerId(id)     id unknown: a fresh producer id, epoch 0, state Empty, written
 *                          id known: epoch + 1 (fencing the old instance), written; an open
 *                          transaction is aborted first (CONCURRENT_TRANSACTIONS meanwhile)
 *   AddPartitionsToTxn     the partitions join the transaction (state Ongoing), written;
 *   AddOffsetsToTxn        the group's __consumer_offsets partition joins it the same way
 *   EndTxn(commit|abort)   PrepareCommit/PrepareAbort written, the client is answered, then
 *                          the markers are written by every partition's leader, then
 *                          CompleteCommit/CompleteAbort is written
 *
 * Every change is written before anyone is answered or any marker is sent, so a coordinator
 * that dies at any point leaves a log from which its successor can continue: on loading a
 * partition, transactions found in PrepareCommit or PrepareAbort get their markers (again:
 * a marker written twice is harmless) and are completed. Transactions open longer than their
 * timeout are aborted by a periodic check
 * (transaction.abort.timed.out.transaction.cleanup.interval.ms).
 *
 * Concurrency: Node runs one callback at a time. Each decision is made synchronously from the
 * entry as it is, and the entry's `pendingState` is set before the first await, so a second
 * request for the same id arriving during the write is answered CONCURRENT_TRANSACTIONS. A
 * write's result is applied only if the entry is still the one the decision was made on
 * (the partition may have been unloaded and reloaded meanwhile).
 */
import type { Logger } from '../../src/logger.js';
import type { Scheduler, Timer } from '../../src/scheduler.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import type { ProducerIdManager } from './producer-id-manager.js';
import type { TransactionMarkerChannelManager } from './transaction-marker-channel-manager.js';
import type {
  LoadedTransactionPartition,
  TransactionEntry,
  TransactionStateManager,
} from './transaction-state-manager.js';
import {
  completeTransaction,
  decideAddPartitions,
  decideEndTxn,
  decideInitProducerId,
  decideTimeoutAbort,
  initProducerIdNeedsNewId,
  isExpired,
  isTimedOut,
  type TransactionDecision,
  type TransactionMetadata,
  type TxnTopicPartition,
} from './transaction-state-machine.js';

export interface TransactionCoordinatorConfig {
  /** transaction.max.timeout.ms (900000): the longest transaction.timeout.ms allowed. */
  transactionMaxTimeoutMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms (10000). */
  abortTimedOutTransactionsIntervalMs: number;
  /** transactional.id.expiration.ms (604800000, 7 days): idle ids are removed after it. */
  transactionalIdExpirationMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms (3600000). */
  removeExpiredTransactionalIdsIntervalMs: number;
}

export interface InitProducerIdResult {
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

export class TransactionCoordinator {
  readonly #config: TransactionCoordinatorConfig;
  readonly #state: TransactionStateManager;
  readonly #markers: TransactionMarkerChannelManager;
  readonly #producerIds: Pick<ProducerIdManager, 'generateProducerId'>;
  readonly #scheduler: Scheduler;
  readonly #log: Logger;
  #timeoutTimer: Timer | undefined;
  #expirationTimer: Timer | undefined;

  constructor(options: {
    config: TransactionCoordinatorConfig;
    stateManager: TransactionStateManager;
    markerChannel: TransactionMarkerChannelManager;
    producerIdManager: Pick<ProducerIdManager, 'generateProducerId'>;
    scheduler: Scheduler;
    logger: Logger;
  }) {
    this.#config = options.config;
    this.#state = options.stateManager;
    this.#markers = options.markerChannel;
    this.#producerIds = options.producerIdManager;
    this.#scheduler = options.scheduler;
    this.#log = options.logger.child({ component: 'transaction-coordinator' });
  }

  startup(): void {
    this.#state.startup({
      onLoaded: (loaded) => this.#onPartitionLoaded(loaded),
      onUnloaded: () => undefined,
    });
    this.#timeoutTimer ??= this.#scheduler.repeat(
      this.#config.abortTimedOutTransactionsIntervalMs,
      () => this.abortTimedOutTransactions(),
    );
    this.#expirationTimer ??= this.#scheduler.repeat(
      this.#config.removeExpiredTransactionalIdsIntervalMs,
      () => void this.removeExpiredTransactionalIds(),
    );
  }

  shutdown(): void {
    this.#timeoutTimer?.cancel();
    this.#timeoutTimer = undefined;
    this.#expirationTimer?.cancel();
    this.#expirationTimer = undefined;
    this.#markers.shutdown();
    this.#state.shutdown();
  }

  // ---------------------------------------------------------------------------------------
  // InitProducerId
  // ---------------------------------------------------------------------------------------

  async initProducerId(request: {
    transactionalId: string;
    transactionTimeoutMs: number;
    expected: { producerId: bigint; producerEpoch: number } | undefined;
  }): Promise<InitProducerIdResult> {
    const fail = (errorCode: number): InitProducerIdResult => ({
      errorCode,
      producerId: -1n,
      producerEpoch: -1,
    });
    const { transactionalId } = request;
    if (transactionalId === '') return fail(ErrorCode.INVALID_REQUEST);
    const coordinatorError = this.#state.coordinatorError(transactionalId);
    if (coordinatorError !== ErrorCode.NONE) return fail(coordinatorError);
    // A fresh id has to be fetched before deciding (it may need a coordinator round trip).
    let freshProducerId: bigint | undefined;
    if (initProducerIdNeedsNewId(this.#state.get(transactionalId)?.metadata)) {
      try {
        freshProducerId = BigInt(await this.#producerIds.generateProducerId());
      } catch (err) {
        this.#log.warn({ err }, 'could not allocate a producer id');
        return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      }
    }
    // Everything below runs without an await until the write is under way.
    const again = this.#state.coordinatorError(transactionalId);
    if (again !== ErrorCode.NONE) return fail(again);
    const coordinatorEpoch = this.#state.coordinatorEpochOf(transactionalId)!;
    const existing = this.#state.get(transactionalId);
    if (existing === undefined && freshProducerId === undefined) {
      return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
    }
    const decision = decideInitProducerId({
      current: existing?.metadata,
      pendingState: existing?.pendingState,
      transactionalId,
      transactionTimeoutMs: request.transactionTimeoutMs,
      transactionMaxTimeoutMs: this.#config.transactionMaxTimeoutMs,
      expected: request.expected,
      freshProducerId,
      nowMs: this.#scheduler.nowMs(),
    });
    if (decision.kind === 'answer') return fail(decision.errorCode);
    let entry = existing;
    if (entry === undefined) {
      // A new id: in memory now (so a concurrent InitProducerId waits), removed if the write
      // fails.
      entry = { metadata: decision.next, pendingState: undefined };
      this.#state.put(entry);
    }
    if (decision.kind === 'fence') {
      const errorCode = await this.#prepareAndComplete(entry, decision.next, coordinatorEpoch);
      return fail(errorCode === ErrorCode.NONE ? decision.errorCode : errorCode);
    }
    const errorCode = await this.#write(entry, decision.next, coordinatorEpoch);
    if (errorCode !== ErrorCode.NONE) {
      if (existing === undefined) this.#state.remove(transactionalId, entry);
      return fail(errorCode);
    }
    this.#log.info(
      {
        transactionalId,
        producerId: decision.next.producerId,
        producerEpoch: decision.next.producerEpoch,
      },
      'transactional producer initialised',
    );
    return {
      errorCode: ErrorCode.NONE,
      producerId: decision.next.producerId,
      producerEpoch: decision.next.producerEpoch,
    };
  }

  // ---------------------------------------------------------------------------------------
  // AddPartitionsToTxn, AddOffsetsToTxn
  // ---------------------------------------------------------------------------------------

  async addPartitions(request: {
    transactionalId: string;
    producerId: bigint;
    producerEpoch: number;
    partitions: readonly TxnTopicPartition[];
  }): Promise<number> {
    const { transactionalId } = request;
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const coordinatorError = this.#state.coordinatorError(transactionalId);
    if (coordinatorError !== ErrorCode.NONE) return coordinatorError;
    const entry = this.#state.get(transactionalId);
    const decision = decideAddPartitions({
      current: entry?.metadata,
      pendingState: entry?.pendingState,
      producerId: request.producerId,
      producerEpoch: request.producerEpoch,
      partitions: request.partitions,
      nowMs: this.#scheduler.nowMs(),
    });
    return this.#carryOut(entry, decision, transactionalId);
  }

  // ---------------------------------------------------------------------------------------
  // EndTxn
  // ---------------------------------------------------------------------------------------

  async endTransaction(request: {
    transactionalId: string;
    producerId: bigint;
    producerEpoch: number;
    committed: boolean;
  }): Promise<number> {
    const { transactionalId } = request;
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const coordinatorError = this.#state.coordinatorError(transactionalId);
    if (coordinatorError !== ErrorCode.NONE) return coordinatorError;
    const entry = this.#state.get(transactionalId);
    const decision = decideEndTxn({
      current: entry?.metadata,
      pendingState: entry?.pendingState,
      producerId: request.producerId,
      producerEpoch: request.producerEpoch,
      committed: request.committed,
      nowMs: this.#scheduler.nowMs(),
    });
    return this.#carryOut(entry, decision, transactionalId);
  }

  /** Answers, or writes and then answers; a Prepare state also gets its markers. */
  async #carryOut(
    entry: TransactionEntry | undefined,
    decision: TransactionDecision,
    transactionalId: string,
  ): Promise<number> {
    if (decision.kind === 'answer') return decision.errorCode;
    const coordinatorEpoch = this.#state.coordinatorEpochOf(transactionalId)!;
    if (entry === undefined) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    const next = decision.next;
    if (next.state === 'PrepareCommit' || next.state === 'PrepareAbort') {
      return this.#prepareAndComplete(entry, next, coordinatorEpoch);
    }
    return this.#write(entry, next, coordinatorEpoch);
  }

  // ---------------------------------------------------------------------------------------
  // Timeouts
  // ---------------------------------------------------------------------------------------

  /** Aborts every Ongoing transaction older than its timeout (fencing its producer). */
  abortTimedOutTransactions(): void {
    const nowMs = this.#scheduler.nowMs();
    for (const entry of [...this.#state.allEntries()]) {
      if (!isTimedOut(entry.metadata, entry.pendingState, nowMs)) continue;
      const decision = decideTimeoutAbort(entry.metadata, nowMs);
      if (decision.kind !== 'fence') continue;
      const { transactionalId } = entry.metadata;
      const coordinatorEpoch = this.#state.coordinatorEpochOf(transactionalId);
      if (coordinatorEpoch === undefined) continue;
      this.#log.info(
        {
          transactionalId,
          producerId: entry.metadata.producerId,
          txnTimeoutMs: entry.metadata.txnTimeoutMs,
          startedMs: entry.metadata.txnStartTimestampMs,
        },
        'aborting a transaction that exceeded its timeout',
      );
      void this.#prepareAndComplete(entry, decision.next, coordinatorEpoch);
    }
  }

  /**
   * transactional.id.expiration.ms (Kafka's removeExpiredTransactionalIds): an id with no
   * transaction open and no change for that long is removed with a tombstone; a producer
   * that comes back with it later is new (a new producer id, epoch 0). Resolves to the
   * number of ids removed.
   */
  async removeExpiredTransactionalIds(): Promise<number> {
    const nowMs = this.#scheduler.nowMs();
    const expirationMs = this.#config.transactionalIdExpirationMs;
    let removed = 0;
    for (const entry of [...this.#state.allEntries()]) {
      if (!isExpired(entry.metadata, entry.pendingState, nowMs, expirationMs)) continue;
      const { transactionalId } = entry.metadata;
      const coordinatorEpoch = this.#state.coordinatorEpochOf(transactionalId);
      if (coordinatorEpoch === undefined) continue;
      const before = entry.metadata;
      entry.pendingState = 'Dead';
      const errorCode = await this.#state.appendTombstone(transactionalId, coordinatorEpoch);
      entry.pendingState = undefined;
      if (errorCode !== ErrorCode.NONE || entry.metadata !== before) continue;
      this.#state.remove(transactionalId, entry);
      removed++;
      this.#log.info(
        {
          transactionalId,
          producerId: before.producerId,
          lastUpdateMs: before.txnLastUpdateTimestampMs,
        },
        'removed an expired transactional id',
      );
    }
    return removed;
  }

  // ---------------------------------------------------------------------------------------
  // Writing, and the markers
  // ---------------------------------------------------------------------------------------

  /** Writes `next` for `entry`; on success the entry holds it. Resolves to an error code. */
  async #write(
    entry: TransactionEntry,
    next: TransactionMetadata,
    coordinatorEpoch: number,
  ): Promise<number> {
    const before = entry.metadata;
    entry.pendingState = next.state;
    const errorCode = await this.#state.append(next, coordinatorEpoch);
    entry.pendingState = undefined;
    if (errorCode !== ErrorCode.NONE) return errorCode;
    // Reloaded meanwhile (the entry object was replaced) or changed under us: not ours.
    if (this.#state.get(next.transactionalId) !== entry || entry.metadata !== before) {
      return ErrorCode.NOT_COORDINATOR;
    }
    if (before.state !== next.state) {
      this.#log.info(
        { transactionalId: next.transactionalId, from: before.state, to: next.state },
        `transaction ${before.state} -> ${next.state}`,
      );
    }
    entry.metadata = next;
    return ErrorCode.NONE;
  }

  /**
   * Writes a PrepareCommit/PrepareAbort, answers (the promise resolves once it is written),
   * and goes on in the background: markers, then CompleteCommit/CompleteAbort.
   */
  async #prepareAndComplete(
    entry: TransactionEntry,
    next: TransactionMetadata,
    coordinatorEpoch: number,
  ): Promise<number> {
    const errorCode = await this.#write(entry, next, coordinatorEpoch);
    if (errorCode !== ErrorCode.NONE) return errorCode;
    void this.#sendMarkersAndComplete(entry, coordinatorEpoch);
    return ErrorCode.NONE;
  }

  async #sendMarkersAndComplete(entry: TransactionEntry, coordinatorEpoch: number): Promise<void> {
    const prepared = entry.metadata;
    const { transactionalId } = prepared;
    const stillOwned = () =>
      this.#state.get(transactionalId) === entry &&
      entry.metadata === prepared &&
      this.#state.coordinatorEpochOf(transactionalId) === coordinatorEpoch;
    const outcome = await this.#markers.writeMarkers(
      {
        transactionalId,
        producerId: prepared.producerId,
        producerEpoch: prepared.producerEpoch,
        committed: prepared.state === 'PrepareCommit',
        coordinatorEpoch,
        partitions: prepared.partitions,
      },
      stillOwned,
    );
    if (outcome !== 'written') return;
    // The Complete record: retried while we are still the coordinator (Kafka retries this
    // append too; until it succeeds the id answers CONCURRENT_TRANSACTIONS).
    for (;;) {
      if (!stillOwned()) return;
      const complete = completeTransaction(prepared, this.#scheduler.nowMs());
      const errorCode = await this.#write(entry, complete, coordinatorEpoch);
      if (errorCode === ErrorCode.NONE || errorCode === ErrorCode.NOT_COORDINATOR) return;
      await new Promise<void>((resolve) => this.#scheduler.schedule(100, resolve));
    }
  }

  /**
   * Recovery (Kafka's onTransactionsLoaded / TransactionMarkerChannelManager.addTxnMarkersToSend
   * for loaded transactions): whatever was prepared but not completed gets its markers now.
   */
  #onPartitionLoaded(loaded: LoadedTransactionPartition): void {
    for (const entry of loaded.entries.values()) {
      const state = entry.metadata.state;
      if (state !== 'PrepareCommit' && state !== 'PrepareAbort') continue;
      this.#log.info(
        {
          transactionalId: entry.metadata.transactionalId,
          state,
          partitions: entry.metadata.partitions.length,
        },
        'completing a transaction found prepared on load',
      );
      void this.#sendMarkersAndComplete(entry, loaded.coordinatorEpoch);
    }
  }
}
