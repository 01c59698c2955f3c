/**
 * The producer state of one partition (Kafka's `ProducerStateManager`, kafka.log, 2.8): for
 * every idempotent or transactional producer that wrote to this partition, its current epoch
 * and the metadata of its last five batches. It is what makes retries safe: a producer numbers
 * its batches per partition (the batch header's baseSequence; the batch's records take the
 * following numbers), and the leader checks each new batch against what it has.
 *
 * The rules (Kafka's ProducerAppendInfo, KIP-98 with the changes of KIP-360, Kafka 2.5+):
 *
 *   batch from the client                            answer
 *   ------------------------------------------------ -----------------------------------------
 *   same epoch, same sequence range as one of the     duplicate: acknowledged with the offsets
 *     last 5 batches                                  it got the first time, not appended again
 *   epoch older than the producer's                   INVALID_PRODUCER_EPOCH (a zombie)
 *   newer epoch, sequence 0                           appended; the new epoch starts afresh
 *   newer epoch, sequence != 0, producer known        OUT_OF_ORDER_SEQUENCE_NUMBER
 *   same epoch, sequence = last sequence + 1          appended (after Int32.MAX comes 0)
 *   same epoch, any other sequence                    OUT_OF_ORDER_SEQUENCE_NUMBER
 *   producer unknown here (never wrote, or expired)   appended, whatever its sequence
 *
 * The last row is Kafka 2.5+'s: before KIP-360 an unknown producer with a sequence other than
 * 0 got UNKNOWN_PRODUCER_ID, which producers could not handle safely; since then the broker
 * accepts the batch and starts tracking the producer from it, and UNKNOWN_PRODUCER_ID is no
 * longer an answer to Produce. Batches that come through replication (a follower copying its
 * leader) or from the group coordinator are not checked for sequences (the leader already
 * did); an old epoch there is only noted.
 *
 * Transactions (KIP-98). A transactional producer's first transactional batch opens a
 * transaction on this partition (`currentTxnFirstOffset`); a non-transactional batch from it
 * while one is open is refused with INVALID_TXN_STATE. The transaction closes with a COMMIT or
 * ABORT marker (a control batch, end-transaction-marker.ts) that the transaction coordinator
 * has the leader write; a marker with an older coordinator epoch than the producer's last one
 * is refused with TRANSACTION_COORDINATOR_FENCED (a coordinator that lost its partition of
 * `__transaction_state`). Each open transaction is also kept by first offset in `ongoingTxns`;
 * a closed one moves to `unreplicatedTxns` until the high watermark passes its marker. The
 * first offset of the oldest of either is the *first unstable offset*, and the partition's
 * last stable offset (LSO) is min(high watermark, first unstable offset): read_committed
 * consumers read below it only, so they never see a record whose transaction may still abort.
 *
 *   batch / event                 ongoingTxns          unreplicatedTxns      LSO bound
 *   ----------------------------- -------------------- --------------------- ---------------
 *   first transactional batch @F  + (pid, F)                                 F
 *   COMMIT/ABORT marker @M        - (pid, F)           + (pid, F, last M)    F
 *   high watermark passes M                            - (pid, F, M)         (next txn or HW)
 *
 * When a marker is appended the log asks `completeAppend` for each completed transaction and
 * the last stable offset it leaves (Kafka's lastStableOffset(completedTxn): the first offset of
 * the oldest transaction still open by another producer, else the marker's offset + 1); for
 * an ABORT the log records (pid, F, M, that LSO) in the segment's `.txnindex`.
 *
 * Appends are two-phase, so a refused request changes nothing: `prepareAppend` checks all of
 * one request's batches against a working copy and returns the updates; the log writes the
 * batches, then `completeAppend` applies them. `mapEndOffset` is the offset up to which the
 * state reflects the log (the log end offset, once recovery is done).
 *
 * Durability: this module holds memory only. The log writes it to `<offset>.snapshot` files
 * (producer-snapshot-file.ts) when a segment rolls and on clean shutdown, and after a restart
 * rebuilds it from the newest snapshot plus the batches written after it. A snapshot keeps only
 * each producer's last batch, as Kafka's does.
 *
 * Expiry: a producer with no open transaction whose last batch timestamp is at least
 * `producerIdExpirationMs` old is forgotten (`removeExpiredProducers`, driven by the log
 * manager's timer). Timestamps are the batches' own (the producer's clock for CreateTime).
 *
 * Pure: no disk, no clock of its own (times come in as arguments), single-threaded.
 */
import { invariant } from '../../src/assert.js';
import type { EndTxnMarker } from '../../src/protocol/kafka/end-transaction-marker.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';

/** Batches kept per producer for duplicate detection (Kafka's NumBatchesToRetain). */
export const BATCHES_RETAINED_PER_PRODUCER = 5;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
const INT32_MAX = 2_147_483_647;

/** `sequence + increment`, wrapping to 0 after Int32.MAX (Kafka's incrementSequence). */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > INT32_MAX - increment) return increment - (INT32_MAX - sequence) - 1;
  return sequence + increment;
}

/** `sequence - decrement`, wrapping below 0 to Int32.MAX (Kafka's decrementSequence). */
export function decrementSequence(sequence: number, decrement: number): number {
  if (sequence < decrement) return INT32_MAX - (decrement - sequence) + 1;
  return sequence - decrement;
}

/** Whether `next` may follow `last`: the next number, or 0 after Int32.MAX. */
export function inSequence(last: number, next: number): boolean {
  return next === last + 1 || (next === 0 && last === INT32_MAX);
}

/** What the state needs of a batch (a RecordBatch view has all but lastSequence). */
export interface ProducerBatch {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  /** Offsets are assigned before the check: the leader knows where the batch will go. */
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
  readonly isTransactional: boolean;
  readonly isControl: boolean;
  /** A control batch's marker (the log decodes it: record-batch views do not carry it).
   *  Undefined for data batches and for control batches that hold no marker. */
  readonly endTxnMarker?: EndTxnMarker | undefined;
}

/** An open transaction of one producer on this partition (Kafka's TxnMetadata). */
export interface OngoingTxn {
  readonly producerId: number;
  readonly firstOffset: number;
}

/** A transaction a marker has closed (Kafka's CompletedTxn). */
export interface CompletedTxn {
  readonly producerId: number;
  readonly firstOffset: number;
  /** The offset of the marker. */
  readonly lastOffset: number;
  readonly isAborted: boolean;
}

/** A completed transaction as `completeAppend` reports it, for the transaction index. */
export interface CompletedTxnWithLso extends CompletedTxn {
  /** The last stable offset right after this transaction completed. */
  readonly lastStableOffset: number;
}

/** The sequence number of a batch's last record. */
export function lastSequenceOf(batch: ProducerBatch): number {
  return incrementSequence(batch.baseSequence, batch.lastOffset - batch.baseOffset);
}

/** One appended batch, as remembered (Kafka's BatchMetadata). */
export interface BatchMetadata {
  readonly lastSeq: number;
  readonly lastOffset: number;
  /** lastOffset - firstOffset (= lastSeq - firstSeq, modulo the wrap). */
  readonly offsetDelta: number;
  readonly timestampMs: number;
}

export const firstSeqOf = (b: BatchMetadata): number => decrementSequence(b.lastSeq, b.offsetDelta);
export const firstOffsetOf = (b: BatchMetadata): number => b.lastOffset - b.offsetDelta;

/** One producer's state on this partition (Kafka's ProducerStateEntry). */
export interface ProducerStateEntry {
  readonly producerId: number;
  producerEpoch: number;
  /** Oldest first, at most BATCHES_RETAINED_PER_PRODUCER, all of `producerEpoch`. */
  batches: BatchMetadata[];
  /** The epoch of the transaction coordinator that wrote this producer's last marker. */
  coordinatorEpoch: number;
  lastTimestampMs: number;
  /** The first offset of the producer's open transaction here, if one is open. */
  currentTxnFirstOffset: number | undefined;
}

export function emptyEntry(producerId: number): ProducerStateEntry {
  return {
    producerId,
    producerEpoch: NO_PRODUCER_EPOCH,
    batches: [],
    coordinatorEpoch: -1,
    lastTimestampMs: -1,
    currentTxnFirstOffset: undefined,
  };
}

export const lastSeqOf = (e: ProducerStateEntry): number =>
  e.batches.length === 0 ? NO_SEQUENCE : e.batches[e.batches.length - 1]!.lastSeq;

/** Where an append comes from; it decides how much is checked (Kafka's AppendOrigin). */
export type AppendOrigin = 'client' | 'replication' | 'coordinator';

/** The checked changes of one append, to apply once the batches are written. */
export interface ProducerAppendUpdates {
  readonly entries: ReadonlyMap<number, ProducerStateEntry>;
  /** Transactions the append opens, in offset order. */
  readonly startedTxns: readonly OngoingTxn[];
  /** Transactions the append's markers close, in offset order (only non-empty ones). */
  readonly completedTxns: readonly CompletedTxn[];
  /** The offset after the append's last batch. */
  readonly endOffset: number;
}

export type ProducerAppendCheck =
  | { readonly kind: 'append'; readonly updates: ProducerAppendUpdates }
  /** A retry of a batch already in the log: answer with its offsets, write nothing. */
  | { readonly kind: 'duplicate'; readonly batch: BatchMetadata }
  | { readonly kind: 'rejected'; readonly errorCode: number; readonly message: string };

export interface ProducerStateManagerOptions {
  /** `producer.id.expiration.ms`: idle producers are forgotten after this long. */
  producerIdExpirationMs: number;
  /** For messages: `orders-0`. */
  partitionName: string;
}

export class ProducerStateManager {
  readonly producerIdExpirationMs: number;
  readonly #partitionName: string;
  readonly #producers = new Map<number, ProducerStateEntry>();
  /** Open transactions by first offset; inserted in offset order, so the first is oldest. */
  readonly #ongoingTxns = new Map<number, OngoingTxn>();
  /** Completed transactions whose marker is not yet below the high watermark. */
  readonly #unreplicatedTxns = new Map<number, CompletedTxn>();
  #mapEndOffset = 0;

  constructor(options: ProducerStateManagerOptions) {
    invariant(options.producerIdExpirationMs >= 0, 'negative producer id expiration');
    this.producerIdExpirationMs = options.producerIdExpirationMs;
    this.#partitionName = options.partitionName;
  }

  /** The offset up to which this state reflects the log. */
  get mapEndOffset(): number {
    return this.#mapEndOffset;
  }
  get producerCount(): number {
    return this.#producers.size;
  }
  lastEntry(producerId: number): Readonly<ProducerStateEntry> | undefined {
    return this.#producers.get(producerId);
  }
  /** Every producer, by id (for snapshots, tests and tools). */
  get activeProducers(): ReadonlyMap<number, Readonly<ProducerStateEntry>> {
    return this.#producers;
  }
  /** Open transactions, oldest first. */
  get ongoingTxns(): readonly OngoingTxn[] {
    return [...this.#ongoingTxns.values()];
  }

  /**
   * The first offset of the oldest transaction that is open, or closed by a marker the high
   * watermark has not passed yet; undefined if there is none (Kafka's firstUnstableOffset).
   */
  get firstUnstableOffset(): number | undefined {
    let first: number | undefined;
    for (const offset of this.#unreplicatedTxns.keys()) {
      if (first === undefined || offset < first) first = offset;
    }
    // Map order is insertion order, which for open transactions is offset order.
    const oldestOngoing = this.#ongoingTxns.keys().next();
    if (!oldestOngoing.done && (first === undefined || oldestOngoing.value < first)) {
      first = oldestOngoing.value;
    }
    return first;
  }

  /** The last stable offset for a given high watermark: min(HW, first unstable offset). */
  lastStableOffset(highWatermark: number): number {
    const firstUnstable = this.firstUnstableOffset;
    return firstUnstable !== undefined && firstUnstable < highWatermark
      ? firstUnstable
      : highWatermark;
  }

  /**
   * The high watermark moved to `highWatermark`: completed transactions whose marker is now
   * below it are stable (Kafka's onHighWatermarkUpdated).
   */
  onHighWatermarkUpdated(highWatermark: number): void {
    for (const [firstOffset, txn] of this.#unreplicatedTxns) {
      if (txn.lastOffset < highWatermark) this.#unreplicatedTxns.delete(firstOffset);
    }
  }

  /**
   * Checks one append's batches (offsets already assigned) without changing anything. From
   * a client, the first batch that repeats one of its producer's last five makes the whole
   * request a duplicate (producers send one batch per partition per request, so in practice
   * the request is that batch); the other batches are checked in order, each against the
   * state the batches before it leave.
   */
  prepareAppend(batches: readonly ProducerBatch[], origin: AppendOrigin): ProducerAppendCheck {
    const working = new Map<number, ProducerStateEntry>();
    const startedTxns: OngoingTxn[] = [];
    const completedTxns: CompletedTxn[] = [];
    let endOffset = this.#mapEndOffset;
    for (const batch of batches) {
      endOffset = Math.max(endOffset, batch.lastOffset + 1);
      if (batch.producerId < 0) continue;
      const current = this.#producers.get(batch.producerId);
      if (origin === 'client' && current !== undefined) {
        const duplicate = findDuplicateBatch(current, batch);
        if (duplicate !== undefined) return { kind: 'duplicate', batch: duplicate };
      }
      let next = working.get(batch.producerId);
      if (next === undefined) {
        next = copyEntry(current ?? emptyEntry(batch.producerId));
        working.set(batch.producerId, next);
      }
      const openBefore = next.currentTxnFirstOffset;
      const error = batch.isControl
        ? appendEndTxnMarker(next, batch, origin, this.#partitionName)
        : this.#appendDataBatch({ current, next, batch, origin });
      if (error !== undefined) return { kind: 'rejected', ...error };
      if (batch.isControl) {
        // Only a transaction that wrote data here completes (Kafka: a marker without data
        // changes neither the last stable offset nor the transaction index).
        if (openBefore !== undefined && batch.endTxnMarker !== undefined) {
          completedTxns.push({
            producerId: batch.producerId,
            firstOffset: openBefore,
            lastOffset: batch.baseOffset,
            isAborted: batch.endTxnMarker.type === 'ABORT',
          });
        }
      } else if (openBefore === undefined && next.currentTxnFirstOffset !== undefined) {
        startedTxns.push({ producerId: batch.producerId, firstOffset: next.currentTxnFirstOffset });
      }
    }
    return {
      kind: 'append',
      updates: { entries: working, startedTxns, completedTxns, endOffset },
    };
  }

  /**
   * Applies a prepared append, after its batches were written. Returns the transactions its
   * markers completed, each with the last stable offset it leaves behind (the log writes the
   * aborted ones to the transaction index), as Kafka's Log.append does: first every producer
   * update (so transactions this append opens count as open), then the completions in order.
   */
  completeAppend(updates: ProducerAppendUpdates): CompletedTxnWithLso[] {
    invariant(updates.endOffset >= this.#mapEndOffset, 'producer state only moves forward');
    for (const [producerId, entry] of updates.entries) this.#producers.set(producerId, entry);
    for (const txn of updates.startedTxns) {
      invariant(!this.#ongoingTxns.has(txn.firstOffset), `two transactions at ${txn.firstOffset}`);
      this.#ongoingTxns.set(txn.firstOffset, txn);
    }
    const completed: CompletedTxnWithLso[] = [];
    for (const txn of updates.completedTxns) {
      completed.push({ ...txn, lastStableOffset: this.#lastStableOffsetAfter(txn) });
      this.#completeTxn(txn);
    }
    this.#mapEndOffset = updates.endOffset;
    return completed;
  }

  /**
   * Kafka's lastStableOffset(completedTxn): the first offset of the oldest transaction still
   * open by another producer, else the offset after the marker.
   */
  #lastStableOffsetAfter(txn: CompletedTxn): number {
    for (const ongoing of this.#ongoingTxns.values()) {
      if (ongoing.producerId !== txn.producerId) return ongoing.firstOffset;
    }
    return txn.lastOffset + 1;
  }

  #completeTxn(txn: CompletedTxn): void {
    const ongoing = this.#ongoingTxns.get(txn.firstOffset);
    // A replayed log can hold a marker for a transaction opened before the snapshot it
    // started from was taken; that snapshot still has it open, so it is in the map too.
    invariant(
      ongoing !== undefined && ongoing.producerId === txn.producerId,
      `completed transaction of producer ${txn.producerId} at ${txn.firstOffset} was not open`,
    );
    this.#ongoingTxns.delete(txn.firstOffset);
    this.#unreplicatedTxns.set(txn.firstOffset, txn);
  }

  /**
   * Replays batches already in the log (recovery, and after a truncation): as replication,
   * so nothing is refused. Returns the transactions the replayed markers completed.
   */
  replay(batches: readonly ProducerBatch[]): CompletedTxnWithLso[] {
    const check = this.prepareAppend(batches, 'replication');
    invariant(check.kind === 'append', 'replayed batches are never refused');
    return this.completeAppend(check.updates);
  }

  /** The log moved on without producer batches (or recovery reached its end). */
  updateMapEndOffset(offset: number): void {
    this.#mapEndOffset = offset;
  }

  /**
   * Starts over from a snapshot taken at `snapshotOffset` (or from nothing: `entries` empty,
   * the offset the log start). Producers that expired meanwhile are left out, as in Kafka.
   */
  loadSnapshot(
    entries: readonly ProducerStateEntry[],
    snapshotOffset: number,
    nowMs: number,
  ): void {
    this.#producers.clear();
    this.#ongoingTxns.clear();
    this.#unreplicatedTxns.clear();
    for (const entry of entries) {
      if (!this.#isExpired(entry, nowMs)) this.#producers.set(entry.producerId, copyEntry(entry));
    }
    // Open transactions come back from their producers' entries, oldest first.
    const open = [...this.#producers.values()]
      .filter((e) => e.currentTxnFirstOffset !== undefined)
      .sort((a, b) => a.currentTxnFirstOffset! - b.currentTxnFirstOffset!);
    for (const entry of open) {
      const firstOffset = entry.currentTxnFirstOffset!;
      this.#ongoingTxns.set(firstOffset, { producerId: entry.producerId, firstOffset });
    }
    this.#mapEndOffset = snapshotOffset;
  }

  /** Forgets every producer and restarts at `offset` (the log was emptied). */
  truncateFullyAndStartAt(offset: number): void {
    this.#producers.clear();
    this.#ongoingTxns.clear();
    this.#unreplicatedTxns.clear();
    this.#mapEndOffset = offset;
  }

  /** Forgets idle producers (no open transaction, last write expiration-ms ago or more). */
  removeExpiredProducers(nowMs: number): number[] {
    const expired: number[] = [];
    for (const [producerId, entry] of this.#producers) {
      if (this.#isExpired(entry, nowMs)) expired.push(producerId);
    }
    for (const producerId of expired) this.#producers.delete(producerId);
    return expired;
  }

  #isExpired(entry: ProducerStateEntry, nowMs: number): boolean {
    return (
      entry.currentTxnFirstOffset === undefined &&
      nowMs - entry.lastTimestampMs >= this.producerIdExpirationMs
    );
  }

  #appendDataBatch(options: {
    current: ProducerStateEntry | undefined;
    next: ProducerStateEntry;
    batch: ProducerBatch;
    origin: AppendOrigin;
  }): { errorCode: number; message: string } | undefined {
    const { current, next, batch, origin } = options;
    const where =
      `producer ${batch.producerId} at offset ${batch.baseOffset} ` + `in ${this.#partitionName}`;
    const epochError = checkProducerEpoch(next, batch.producerEpoch, origin, where);
    if (epochError !== undefined) return epochError;
    if (origin === 'client') {
      const sequenceError = checkSequence({ current, next, batch, where });
      if (sequenceError !== undefined) return sequenceError;
    }
    if (next.currentTxnFirstOffset !== undefined && !batch.isTransactional) {
      return {
        errorCode: ErrorCode.INVALID_TXN_STATE,
        message: `expected a transactional write from ${where}`,
      };
    }
    addBatch(next, batch);
    if (batch.isTransactional && next.currentTxnFirstOffset === undefined) {
      next.currentTxnFirstOffset = batch.baseOffset;
    }
    return undefined;
  }
}

/** The remembered batch this one repeats, if any (Kafka's findDuplicateBatch). */
function findDuplicateBatch(
  entry: ProducerStateEntry,
  batch: ProducerBatch,
): BatchMetadata | undefined {
  if (batch.producerEpoch !== entry.producerEpoch) return undefined;
  const lastSeq = lastSequenceOf(batch);
  return entry.batches.find((b) => firstSeqOf(b) === batch.baseSequence && b.lastSeq === lastSeq);
}

/**
 * A zombie: a producer instance with an epoch older than the one we know. Since Kafka 2.7
 * (KIP-588) the answer is INVALID_PRODUCER_EPOCH rather than PRODUCER_FENCED, so that a
 * transactional producer can abort and carry on instead of dying.
 */
function checkProducerEpoch(
  next: ProducerStateEntry,
  epoch: number,
  origin: AppendOrigin,
  where: string,
): { errorCode: number; message: string } | undefined {
  if (epoch >= next.producerEpoch || origin === 'replication') return undefined;
  return {
    errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
    message: `epoch ${epoch} of ${where} is older than the last seen epoch ${next.producerEpoch}`,
  };
}

/**
 * Kafka 2.8's checkSequence, rule for rule. `current` is the stored state (undefined for a
 * producer we do not know), `next` the working copy after this request's earlier batches.
 */
function checkSequence(options: {
  current: ProducerStateEntry | undefined;
  next: ProducerStateEntry;
  batch: ProducerBatch;
  where: string;
}): { errorCode: number; message: string } | undefined {
  const { current, next, batch, where } = options;
  const firstSeq = batch.baseSequence;
  if (batch.producerEpoch !== next.producerEpoch) {
    // A new epoch (after InitProducerId, or KIP-360's bump) must start its numbering at 0,
    // unless we know nothing of the producer's earlier epoch either.
    if (firstSeq !== 0 && next.producerEpoch !== NO_PRODUCER_EPOCH) {
      return {
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message:
          `sequence ${firstSeq} for new epoch ${batch.producerEpoch} of ${where} ` +
          `(current epoch ${next.producerEpoch}); a new epoch starts at 0`,
      };
    }
    return undefined;
  }
  const currentEpoch = current?.producerEpoch ?? NO_PRODUCER_EPOCH;
  let lastSeq = NO_SEQUENCE;
  if (next.batches.length > 0) lastSeq = lastSeqOf(next);
  else if (current !== undefined && batch.producerEpoch === currentEpoch)
    lastSeq = lastSeqOf(current);
  // No known epoch: the producer's records were all removed (retention, DeleteRecords) or it
  // was never here. Any sequence is accepted (KIP-360).
  if (currentEpoch === NO_PRODUCER_EPOCH || inSequence(lastSeq, firstSeq)) return undefined;
  return {
    errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    message: `sequence ${firstSeq} of ${where} does not follow ${lastSeq}`,
  };
}

/** Remembers a data batch, dropping the oldest beyond five; a new epoch forgets the old. */
function addBatch(entry: ProducerStateEntry, batch: ProducerBatch): void {
  maybeUpdateProducerEpoch(entry, batch.producerEpoch);
  entry.batches.push({
    lastSeq: lastSequenceOf(batch),
    lastOffset: batch.lastOffset,
    offsetDelta: batch.lastOffset - batch.baseOffset,
    timestampMs: batch.maxTimestamp,
  });
  if (entry.batches.length > BATCHES_RETAINED_PER_PRODUCER) entry.batches.shift();
  entry.lastTimestampMs = batch.maxTimestamp;
}

function maybeUpdateProducerEpoch(entry: ProducerStateEntry, epoch: number): void {
  if (entry.producerEpoch !== epoch) {
    entry.batches = [];
    entry.producerEpoch = epoch;
  }
}

/**
 * A COMMIT or ABORT marker (a control batch the transaction coordinator has the leader write)
 * closes the producer's open transaction here (Kafka's appendEndTxnMarker). Checked: the
 * producer epoch (a marker of an older epoch is a zombie coordinator's or producer's:
 * INVALID_PRODUCER_EPOCH) and the coordinator epoch (older than the producer's last marker:
 * TRANSACTION_COORDINATOR_FENCED); replicated markers are only noted, never refused. A control
 * batch without a marker (emptied by the cleaner) changes nothing.
 */
function appendEndTxnMarker(
  next: ProducerStateEntry,
  batch: ProducerBatch,
  origin: AppendOrigin,
  partitionName: string,
): { errorCode: number; message: string } | undefined {
  const marker = batch.endTxnMarker;
  if (marker === undefined) return undefined;
  const where = `producer ${batch.producerId} at offset ${batch.baseOffset} in ${partitionName}`;
  const epochError = checkProducerEpoch(next, batch.producerEpoch, origin, where);
  if (epochError !== undefined) return epochError;
  if (next.coordinatorEpoch > marker.coordinatorEpoch && origin !== 'replication') {
    return {
      errorCode: ErrorCode.TRANSACTION_COORDINATOR_FENCED,
      message:
        `${marker.type} marker of ${where} has coordinator epoch ${marker.coordinatorEpoch}, ` +
        `older than the last seen ${next.coordinatorEpoch}`,
    };
  }
  maybeUpdateProducerEpoch(next, batch.producerEpoch);
  next.currentTxnFirstOffset = undefined;
  next.coordinatorEpoch = marker.coordinatorEpoch;
  next.lastTimestampMs = batch.maxTimestamp;
  return undefined;
}

function copyEntry(entry: ProducerStateEntry): ProducerStateEntry {
  return { ...entry, batches: [...entry.batches] };
}
