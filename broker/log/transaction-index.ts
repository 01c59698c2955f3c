/**
 * The aborted-transaction index of one segment (`<baseOffset>.txnindex`, Kafka's
 * TransactionIndex, KIP-98): one entry per transaction whose ABORT marker lies in the segment.
 * A read_committed Fetch looks up the aborted transactions overlapping the records it returns
 * and sends them with the records, so the consumer can drop those records without the broker
 * ever rewriting a batch.
 *
 * On disk: a flat array of 34-byte big-endian entries, no header, in marker-offset order:
 *
 *   int16 version           0
 *   int64 producerId
 *   int64 firstOffset       the transaction's first record on this partition
 *   int64 lastOffset        the offset of its ABORT marker
 *   int64 lastStableOffset  the partition's last stable offset once the marker was written
 *
 * `lastStableOffset` lets a search stop early: once an entry's LSO is at or past the end of the
 * fetched range, no later entry (in this segment or the next) can start inside the range,
 * because every transaction that was open when that marker was written started at or after
 * that LSO (`collectAbortedTxns`).
 *
 * The file is created on the first append only, so most segments have none, as in Kafka.
 * Appends go to the file at once with write(2) (they are rare: one per aborted transaction),
 * so the index survives kill -9 with its segment; `flush` fsyncs it with the segment. After an
 * unclean shutdown the log rebuilds the index of every segment it recovers (log.ts). A torn
 * last entry is cut off when the file is loaded.
 *
 * Single-threaded: only the owning segment calls these methods, each runs to completion.
 */
import * as fs from 'node:fs';
import { invariant } from '../../src/assert.js';
import { readInt64, writeInt64 } from '../../src/protocol/kafka/record-batch.js';

export const TXN_INDEX_FILE_SUFFIX = '.txnindex';
export const ABORTED_TXN_ENTRY_BYTES = 34;
export const ABORTED_TXN_VERSION = 0;

/** One entry (Kafka's AbortedTxn). */
export interface AbortedTxn {
  readonly producerId: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly lastStableOffset: number;
}

/** What a search found, and whether later segments need searching too. */
export interface TxnIndexSearchResult {
  readonly abortedTransactions: AbortedTxn[];
  readonly isComplete: boolean;
}

export function encodeAbortedTxn(txn: AbortedTxn): Buffer {
  const entry = Buffer.alloc(ABORTED_TXN_ENTRY_BYTES);
  entry.writeInt16BE(ABORTED_TXN_VERSION, 0);
  writeInt64(entry, 2, txn.producerId);
  writeInt64(entry, 10, txn.firstOffset);
  writeInt64(entry, 18, txn.lastOffset);
  writeInt64(entry, 26, txn.lastStableOffset);
  return entry;
}

export class TransactionIndex {
  #path: string;
  readonly baseOffset: number;
  /** Loaded lazily from the file on first use. */
  #entries: AbortedTxn[] | undefined;

  constructor(options: { path: string; baseOffset: number }) {
    this.#path = options.path;
    this.baseOffset = options.baseOffset;
  }

  get path(): string {
    return this.#path;
  }

  get entries(): readonly AbortedTxn[] {
    return this.#load();
  }

  /** Adds the entry of an ABORT marker; markers come in offset order. */
  append(txn: AbortedTxn): void {
    const entries = this.#load();
    const last = entries[entries.length - 1];
    invariant(
      last === undefined || txn.lastOffset > last.lastOffset,
      `aborted transaction at ${txn.lastOffset} does not follow ${last?.lastOffset}`,
    );
    fs.appendFileSync(this.#path, encodeAbortedTxn(txn));
    entries.push(txn);
  }

  /**
   * The aborted transactions that overlap [fetchOffset, upperBoundOffset): those whose marker
   * is at or after fetchOffset and whose first offset is before the bound (Kafka's
   * collectAbortedTxns). Complete once an entry's last stable offset reaches the bound.
   */
  collectAbortedTxns(fetchOffset: number, upperBoundOffset: number): TxnIndexSearchResult {
    const abortedTransactions: AbortedTxn[] = [];
    for (const txn of this.#load()) {
      if (txn.lastOffset >= fetchOffset && txn.firstOffset < upperBoundOffset) {
        abortedTransactions.push(txn);
      }
      if (txn.lastStableOffset >= upperBoundOffset) {
        return { abortedTransactions, isComplete: true };
      }
    }
    return { abortedTransactions, isComplete: false };
  }

  /** Removes the entries whose marker is at or after `offset` (the log was truncated). */
  truncateTo(offset: number): void {
    const entries = this.#load();
    const keep = entries.filter((e) => e.lastOffset < offset);
    if (keep.length === entries.length) return;
    this.#entries = keep;
    this.#rewrite();
  }

  /** Empties the index (before a segment's recovery rebuilds it). */
  reset(): void {
    this.#entries = [];
    fs.rmSync(this.#path, { force: true });
  }

  renameTo(path: string): void {
    if (fs.existsSync(this.#path)) fs.renameSync(this.#path, path);
    this.#path = path;
  }

  flush(): void {
    if (!fs.existsSync(this.#path)) return;
    const fd = fs.openSync(this.#path, 'r+');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  deleteFile(): void {
    fs.rmSync(this.#path, { force: true });
    this.#entries = [];
  }

  #rewrite(): void {
    const entries = this.#entries ?? [];
    if (entries.length === 0) {
      fs.rmSync(this.#path, { force: true });
      return;
    }
    fs.writeFileSync(this.#path, Buffer.concat(entries.map(encodeAbortedTxn)));
  }

  #load(): AbortedTxn[] {
    if (this.#entries !== undefined) return this.#entries;
    const entries: AbortedTxn[] = [];
    if (fs.existsSync(this.#path)) {
      const bytes = fs.readFileSync(this.#path);
      const whole = bytes.length - (bytes.length % ABORTED_TXN_ENTRY_BYTES);
      for (let at = 0; at < whole; at += ABORTED_TXN_ENTRY_BYTES) {
        entries.push({
          producerId: readInt64(bytes, at + 2),
          firstOffset: readInt64(bytes, at + 10),
          lastOffset: readInt64(bytes, at + 18),
          lastStableOffset: readInt64(bytes, at + 26),
        });
      }
      // A torn last entry (kill -9 in the middle of an append) is cut off.
      if (whole < bytes.length) fs.truncateSync(this.#path, whole);
    }
    this.#entries = entries;
    return entries;
  }
}
