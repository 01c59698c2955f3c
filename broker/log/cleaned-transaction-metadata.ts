/**
 * What the log cleaner knows of transactions while it walks a log in offset order (Kafka
 * 2.8's CleanedTransactionMetadata, LogCleaner.scala). Compaction and transactions meet in
 * three places:
 *
 *   - records of an aborted transaction are never mapped (an aborted value must not make the
 *     cleaner drop an older committed value of the same key) and are removed from the
 *     cleaned log: `onBatchRead` answers "discard" for them;
 *   - a COMMIT marker may go (once past the delete horizon, like a tombstone) when this pass
 *     saw none of its transaction's data: that data is gone already, so no reader needs the
 *     marker to know where it ends. An ABORT marker likewise, except that while its
 *     transaction's data is still being read the marker stays, and its entry goes into the
 *     cleaned segment's `.txnindex` (`cleanedIndex`);
 *   - the aborted transactions come from the log's own transaction indexes
 *     (`Log.collectAbortedTransactions`) and are fed in per segment (`addAbortedTransactions`)
 *     before its batches are read.
 *
 * The cleaner never reaches an open transaction: the cleanable part of a log ends at the
 * first unstable offset (log-cleaner-rules.ts), as in Kafka.
 *
 * Pure: the cleaner passes batches' headers and decoded markers in; the only effect is the
 * optional `cleanedIndex.append`.
 */
import type { ControlRecordType } from '../../src/protocol/kafka/end-transaction-marker.js';
import type { AbortedTxn } from './transaction-index.js';

/** The header fields the rules read (a RecordBatch view has them all). */
export interface CleanerBatch {
  readonly producerId: number;
  readonly lastOffset: number;
  readonly isTransactional: boolean;
}

interface AbortedTransactionMetadata {
  readonly abortedTxn: AbortedTxn;
  /** Set once a data batch of the transaction is read in this pass. */
  lastObservedBatchOffset: number | undefined;
}

export class CleanedTransactionMetadata {
  /** Producers whose committed transaction's data this pass has read (until its marker). */
  readonly #ongoingCommittedTxns = new Set<number>();
  /** Aborted transactions that have started (by offset), by producer, until their marker. */
  readonly #ongoingAbortedTxns = new Map<number, AbortedTransactionMetadata>();
  /** Aborted transactions not yet started, by first offset. */
  #abortedTransactions: AbortedTxn[] = [];
  readonly #cleanedIndex: { append(txn: AbortedTxn): void } | undefined;

  constructor(cleanedIndex?: { append(txn: AbortedTxn): void }) {
    this.#cleanedIndex = cleanedIndex;
  }

  addAbortedTransactions(txns: readonly AbortedTxn[]): void {
    const known = new Set(this.#abortedTransactions.map((a) => `${a.producerId}@${a.firstOffset}`));
    for (const txn of txns) {
      const id = `${txn.producerId}@${txn.firstOffset}`;
      const started = this.#ongoingAbortedTxns.get(txn.producerId)?.abortedTxn;
      if (known.has(id) || (started !== undefined && started.firstOffset === txn.firstOffset)) {
        continue;
      }
      this.#abortedTransactions.push(txn);
      known.add(id);
    }
    this.#abortedTransactions.sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /**
   * A control batch was read; `marker` is its decoded type (undefined: an emptied marker).
   * Returns whether the marker may be discarded (the cleaner also waits for the horizon).
   */
  onControlBatchRead(batch: CleanerBatch, marker: ControlRecordType | undefined): boolean {
    this.#consumeAbortedTxnsUpTo(batch.lastOffset);
    // An empty control batch was cleaned already: it may go.
    if (marker === undefined) return true;
    if (marker === 'ABORT') {
      const aborted = this.#ongoingAbortedTxns.get(batch.producerId);
      this.#ongoingAbortedTxns.delete(batch.producerId);
      // Keep the marker until every batch of its transaction has been removed.
      if (aborted !== undefined && aborted.lastObservedBatchOffset !== undefined) {
        this.#cleanedIndex?.append(aborted.abortedTxn);
        return false;
      }
      return true;
    }
    // COMMIT: removable only if we did not read any of its transaction's data.
    return !this.#ongoingCommittedTxns.delete(batch.producerId);
  }

  /** A data batch was read. Returns whether it belongs to an aborted transaction. */
  onBatchRead(batch: CleanerBatch): boolean {
    this.#consumeAbortedTxnsUpTo(batch.lastOffset);
    if (!batch.isTransactional) return false;
    const aborted = this.#ongoingAbortedTxns.get(batch.producerId);
    if (aborted !== undefined) {
      aborted.lastObservedBatchOffset = batch.lastOffset;
      return true;
    }
    this.#ongoingCommittedTxns.add(batch.producerId);
    return false;
  }

  #consumeAbortedTxnsUpTo(offset: number): void {
    while (
      this.#abortedTransactions.length > 0 &&
      this.#abortedTransactions[0]!.firstOffset <= offset
    ) {
      const txn = this.#abortedTransactions.shift()!;
      if (!this.#ongoingAbortedTxns.has(txn.producerId)) {
        this.#ongoingAbortedTxns.set(txn.producerId, {
          abortedTxn: txn,
          lastObservedBatchOffset: undefined,
        });
      }
    }
  }
}
