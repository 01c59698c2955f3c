/**
 * A log segment: one slice of a partition's log, covering the offsets from its base offset up
 * to the next segment's base offset. Modelled on Kafka's `LogSegment`.
 *
 * On disk, three files named by the base offset as a 20-digit zero-padded decimal:
 *
 *   00000000000000368769.log        record batches (format v2, record-batch.ts), back to
 *                                   back, exactly as they travel on the wire; no header
 *   00000000000000368769.index      sparse offset -> file position index (offset-index.ts)
 *   00000000000000368769.timeindex  sparse timestamp -> offset index (time-index.ts)
 *   00000000000000368769.txnindex   aborted transactions whose ABORT marker is in this
 *                                   segment (transaction-index.ts); only once there is one
 *
 * The .log file is the only source of truth; both indexes can be rebuilt from it (`recover`).
 * The transaction index needs the producer state as well, so the log rebuilds it (log.ts).
 * Batches are appended in offset order, so offsets increase through the file and a segment
 * can find any offset with an index lookup plus a short forward scan of batch headers.
 *
 * Durability: `append` writes with write(2), synchronously. Once it returns the bytes are in
 * the kernel's page cache and survive a crash of this process (kill -9), but not a power
 * loss. Only `flush` (fsync) makes them survive power loss. Index entries reach the file on
 * `flush`, `onBecomeInactive` and `close` (see index-file.ts for why that is enough).
 *
 * Reads are synchronous positional reads (pread) into a fresh buffer: one copy from the page
 * cache, no more. No read is ever in flight across an `await`; still, a segment leaving the
 * log is renamed `.deleted` and removed file.delete.delay.ms later, as in Kafka (whose
 * sendfile() transfers may still be running), so that the log cleaner, which does yield
 * between its reads, and any future asynchronous reader are never cut off (log.ts).
 *
 * Concurrency: single-threaded; every method runs to completion. The owning `Log` serialises
 * appends and truncation.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { invariant } from '../../src/assert.js';
import type { Clock } from '../../src/clock.js';
import {
  RecordBatch,
  checkBatchIntegrity,
  decodeRecords,
  readBatches,
  LOG_OVERHEAD_BYTES,
  RECORD_BATCH_HEADER_BYTES,
  BATCH_LENGTH_MIN,
  BATCH_LENGTH_POSITION,
  NO_TIMESTAMP,
  type RecordBatchError,
} from '../../src/protocol/kafka/record-batch.js';
import { OffsetIndex } from './offset-index.js';
import { TimeIndex, type TimestampOffset } from './time-index.js';
import { TransactionIndex, TXN_INDEX_FILE_SUFFIX } from './transaction-index.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';

export const LOG_FILE_SUFFIX = '.log';
export const INDEX_FILE_SUFFIX = '.index';
export const TIME_INDEX_FILE_SUFFIX = '.timeindex';
/**
 * Suffixes a segment's three files carry while they are not (or no longer) live, as in
 * Kafka's Log: `.cleaned` while the log cleaner writes a segment, `.swap` once it is complete
 * and about to replace the segments it was cleaned from, `.deleted` from the moment a segment
 * leaves the log until its files are removed `file.delete.delay.ms` later. Start-up removes
 * `.cleaned` and `.deleted` files and completes `.swap` ones (log.ts).
 */
export const CLEANED_FILE_SUFFIX = '.cleaned';
export const SWAP_FILE_SUFFIX = '.swap';
export const DELETED_FILE_SUFFIX = '.deleted';
/** Relative offsets are stored as int32 in the indexes. */
const INT32_MAX = 0x7fff_ffff;
/** Header scans (finding an offset) read this much at a time. */
const HEADER_SCAN_CHUNK_BYTES = 16 * 1024;
/** Recovery reads whole batches this much at a time. */
const RECOVERY_CHUNK_BYTES = 1024 * 1024;

/** `00000000000000368769` for 368769. */
export function segmentFileStem(baseOffset: number): string {
  invariant(Number.isSafeInteger(baseOffset) && baseOffset >= 0, `bad base offset ${baseOffset}`);
  return String(baseOffset).padStart(20, '0');
}

export interface LogSegmentOptions {
  dir: string;
  baseOffset: number;
  indexIntervalBytes: number;
  maxIndexBytes: number;
  clock: Clock;
  /** `.cleaned` or `.swap` after each file name (the log cleaner's segments); none if live. */
  fileSuffix?: string;
}

/** Where a batch lives in the .log file. */
export interface BatchLocation {
  baseOffset: number;
  lastOffset: number;
  position: number;
  sizeInBytes: number;
}

export interface SegmentReadOptions {
  startOffset: number;
  maxBytes: number;
  /** Do not return bytes at or after this file position (the high-watermark bound). */
  maxPosition?: number;
  /** Return the first batch whole even if it is larger than maxBytes (KIP-74). */
  minOneBatch: boolean;
}

export interface SegmentReadResult {
  /** Whole batches only; may be empty. Shares no memory with the segment. */
  records: Buffer;
  /** Where the first returned batch starts (or would start). */
  position: number;
}

export interface RecoveryResult {
  /** The offset after the last valid batch (baseOffset if none). */
  nextOffset: number;
  /** Bytes cut off the end of the .log file because they were not a valid batch. */
  truncatedBytes: number;
  /** Why recovery stopped early, if it did. */
  corruption?: RecordBatchError;
}

export class LogSegment {
  readonly baseOffset: number;
  #logPath: string;
  #fileSuffix: string;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  readonly txnIndex: TransactionIndex;
  readonly #indexIntervalBytes: number;
  readonly #clock: Clock;
  #fd: number;
  #size: number;
  #bytesSinceLastIndexEntry = 0;
  /** Running maximum batch timestamp and where it was first reached; loaded lazily. */
  #maxTimestampSoFar: TimestampOffset | undefined;
  /** The first batch's maxTimestamp, the reference for time-based rolling; lazy. */
  #rollingBasedTimestamp: number | undefined;
  /** When this segment was created (or, after a restart, last modified). */
  #createdMs: number;

  private constructor(options: LogSegmentOptions, fd: number) {
    this.baseOffset = options.baseOffset;
    const stem = path.join(options.dir, segmentFileStem(options.baseOffset));
    const suffix = options.fileSuffix ?? '';
    this.#fileSuffix = suffix;
    this.#logPath = stem + LOG_FILE_SUFFIX + suffix;
    this.#fd = fd;
    const stat = fs.fstatSync(fd);
    this.#size = stat.size;
    this.#createdMs = stat.size === 0 ? options.clock.nowMs() : stat.mtimeMs;
    this.#indexIntervalBytes = options.indexIntervalBytes;
    this.#clock = options.clock;
    const indexOptions = { baseOffset: options.baseOffset, maxIndexBytes: options.maxIndexBytes };
    this.offsetIndex = new OffsetIndex({
      ...indexOptions,
      path: stem + INDEX_FILE_SUFFIX + suffix,
    });
    this.timeIndex = new TimeIndex({
      ...indexOptions,
      path: stem + TIME_INDEX_FILE_SUFFIX + suffix,
    });
    this.txnIndex = new TransactionIndex({
      baseOffset: options.baseOffset,
      path: stem + TXN_INDEX_FILE_SUFFIX + suffix,
    });
  }

  static #logPathOf(options: LogSegmentOptions): string {
    const stem = segmentFileStem(options.baseOffset);
    return path.join(options.dir, stem + LOG_FILE_SUFFIX + (options.fileSuffix ?? ''));
  }

  /** A new, empty segment. Fails if its .log file already exists. */
  static create(options: LogSegmentOptions): LogSegment {
    // 'wx+': create exclusively, so we never silently clobber an existing segment.
    return new LogSegment(options, fs.openSync(LogSegment.#logPathOf(options), 'wx+'));
  }

  /** An existing segment. Its indexes are trusted as they are; call `recover` if unsure. */
  static open(options: LogSegmentOptions): LogSegment {
    return new LogSegment(options, fs.openSync(LogSegment.#logPathOf(options), 'r+'));
  }

  get logPath(): string {
    return this.#logPath;
  }

  /** '' for a live segment, else `.cleaned`, `.swap` or `.deleted`. */
  get fileSuffix(): string {
    return this.#fileSuffix;
  }

  /**
   * Renames all three files from the current suffix to `suffix` (Kafka's
   * changeFileSuffixes). The open file descriptor survives the rename, so reads go on. The
   * .log goes last: start-up decides what a segment is by its .log file's name.
   */
  changeFileSuffix(suffix: string): void {
    const rename = (from: string): string =>
      from.slice(0, from.length - this.#fileSuffix.length) + suffix;
    this.offsetIndex.renameTo(rename(this.offsetIndex.path));
    this.timeIndex.renameTo(rename(this.timeIndex.path));
    this.txnIndex.renameTo(rename(this.txnIndex.path));
    const logPath = rename(this.#logPath);
    fs.renameSync(this.#logPath, logPath);
    this.#logPath = logPath;
    this.#fileSuffix = suffix;
  }

  /** The .log file's modification time (Kafka's lastModified: delete.retention.ms uses it). */
  get lastModifiedMs(): number {
    return fs.fstatSync(this.#fd).mtimeMs;
  }

  /** Sets the modification time of the .log file (a cleaned segment keeps its source's). */
  setLastModifiedMs(ms: number): void {
    fs.futimesSync(this.#fd, ms / 1000, ms / 1000);
  }

  /** Bytes in the .log file. */
  get size(): number {
    return this.#size;
  }

  /**
   * The segment's largest timestamp, for time-based retention: the largest batch
   * maxTimestamp, or the file's modification time if no batch has a timestamp (Kafka).
   */
  get largestTimestamp(): number {
    const max = this.#maxTimestamp();
    if (max.timestamp >= 0) return max.timestamp;
    return fs.fstatSync(this.#fd).mtimeMs;
  }

  // ---------------------------------------------------------------------------------------
  // Appending
  // ---------------------------------------------------------------------------------------

  /**
   * Appends batches whose offsets are already assigned. `batches` must be views into
   * `records` that tile it exactly, with increasing offsets all >= baseOffset. One write(2)
   * for the whole buffer; then, per batch, index entries every indexIntervalBytes.
   */
  append(records: Buffer, batches: readonly RecordBatch[]): void {
    invariant(batches.length > 0, 'append of no batches');
    const last = batches[batches.length - 1]!;
    invariant(this.canHoldOffset(last.lastOffset), `offset ${last.lastOffset} overflows segment`);
    invariant(batches[0]!.baseOffset >= this.baseOffset, 'batch before segment base offset');
    const startPosition = this.#size;
    const written = fs.writeSync(this.#fd, records, 0, records.length, startPosition);
    // write(2) to a regular file only writes short on a full disk or a signal; either way
    // the segment would now end mid-batch, which is what recovery exists for.
    invariant(written === records.length, `short write to ${this.logPath}`);
    this.#size += records.length;
    if (startPosition === 0) this.#rollingBasedTimestamp = batches[0]!.maxTimestamp;
    for (const batch of batches) {
      this.#indexBatch(batch, startPosition + batch.position - batches[0]!.position);
    }
  }

  /**
   * The index bookkeeping for one batch at `position`, shared by append and recovery
   * (Kafka's LogSegment.append). The batch is indexed only if more than indexIntervalBytes
   * were appended since the previous entry, so the first batch is never indexed.
   */
  #indexBatch(batch: RecordBatch, position: number): void {
    const max = this.#maxTimestamp();
    const batchMax = batch.maxTimestamp;
    if (batchMax > max.timestamp) {
      this.#maxTimestampSoFar = { timestamp: batchMax, offset: batch.lastOffset };
    }
    if (this.#bytesSinceLastIndexEntry > this.#indexIntervalBytes) {
      this.offsetIndex.append(batch.lastOffset, position);
      const soFar = this.#maxTimestampSoFar!;
      this.timeIndex.maybeAppend(soFar.timestamp, soFar.offset);
      this.#bytesSinceLastIndexEntry = 0;
    }
    this.#bytesSinceLastIndexEntry += batch.sizeInBytes;
  }

  /** Relative offsets must fit the indexes' int32 column. */
  canHoldOffset(offset: number): boolean {
    return offset >= this.baseOffset && offset - this.baseOffset <= INT32_MAX;
  }

  /**
   * Kafka's roll conditions for an append of `bytes` bytes whose largest offset is
   * `maxOffset` and largest timestamp `maxTimestamp`:
   * - the segment would grow past segmentBytes;
   * - it is non-empty and older than segmentMs - jitter. Age is measured on *record
   *   timestamps* (the new batch's maxTimestamp minus the first batch's), falling back to
   *   the wall clock since creation when batches carry no timestamp (-1), as in Kafka;
   * - either index is full;
   * - the new offsets would not fit as int32 relative offsets.
   */
  shouldRoll(params: {
    bytes: number;
    maxOffset: number;
    maxTimestamp: number;
    segmentBytes: number;
    segmentMs: number;
    segmentJitterMs: number;
  }): boolean {
    const reachedRollMs =
      this.#size > 0 &&
      this.#timeWaitedForRoll(params.maxTimestamp) > params.segmentMs - params.segmentJitterMs;
    return (
      this.#size > params.segmentBytes - params.bytes ||
      reachedRollMs ||
      this.offsetIndex.isFull ||
      this.timeIndex.isFull ||
      !this.canHoldOffset(params.maxOffset)
    );
  }

  #timeWaitedForRoll(messageTimestamp: number): number {
    const first = this.#firstBatchTimestamp();
    if (first >= 0 && messageTimestamp >= 0) return messageTimestamp - first;
    return this.#clock.nowMs() - this.#createdMs;
  }

  /** The first batch's maxTimestamp (-1 if none): max.compaction.lag.ms measures from it. */
  get firstBatchTimestamp(): number {
    return this.#firstBatchTimestamp();
  }

  /**
   * Calls visit(headerView, position) for every batch from the start of the file. The view
   * holds the 61-byte header only: read header fields, not records.
   */
  forEachBatchHeader(visit: (batch: RecordBatch, position: number) => void): void {
    this.#scanHeaders(0, (batch, position) => {
      visit(batch, position);
      return true;
    });
  }

  #firstBatchTimestamp(): number {
    if (this.#rollingBasedTimestamp === undefined) {
      const first = this.#size > 0 ? this.#readHeader(0) : undefined;
      this.#rollingBasedTimestamp = first?.maxTimestamp ?? NO_TIMESTAMP;
    }
    return this.#rollingBasedTimestamp;
  }

  // ---------------------------------------------------------------------------------------
  // Reading
  // ---------------------------------------------------------------------------------------

  /**
   * The first batch whose lastOffset >= `offset`, searching from `startingPosition`, or
   * undefined if the segment holds no such batch (Kafka's `translateOffset`).
   */
  translateOffset(offset: number, startingPosition = 0): BatchLocation | undefined {
    const indexed = this.offsetIndex.lookup(offset);
    let found: BatchLocation | undefined;
    this.#scanHeaders(Math.max(indexed.position, startingPosition), (batch, position) => {
      if (batch.lastOffset < offset) return true;
      found = {
        baseOffset: batch.baseOffset,
        lastOffset: batch.lastOffset,
        position,
        sizeInBytes: batch.sizeInBytes,
      };
      return false;
    });
    return found;
  }

  /**
   * Whole batches starting with the one that holds `startOffset`, at most maxBytes of them
   * (but the first one whole when minOneBatch), never reaching maxPosition. Undefined if
   * the segment holds nothing at or after startOffset.
   */
  read(options: SegmentReadOptions): SegmentReadResult | undefined {
    const start = this.translateOffset(options.startOffset);
    if (start === undefined) return undefined;
    const maxPosition = Math.min(options.maxPosition ?? this.#size, this.#size);
    if (start.position >= maxPosition)
      return { records: Buffer.alloc(0), position: start.position };
    const wanted = options.minOneBatch
      ? Math.max(options.maxBytes, start.sizeInBytes)
      : options.maxBytes;
    const length = Math.min(maxPosition - start.position, wanted);
    const bytes = this.#readAt(start.position, length);
    // Cut back to the last whole batch. The tail can only be 'truncated' here: every batch
    // in the file passed integrity checks on the way in or during recovery.
    const { validBytes } = readBatches(bytes);
    return { records: bytes.subarray(0, validBytes), position: start.position };
  }

  /**
   * The first record with timestamp >= `timestamp` and offset >= `startingOffset` (Kafka's
   * findOffsetByTimestamp). Uses the time index to skip ahead, then scans batch headers, then
   * decodes the one batch that qualifies (inflating it first if it is compressed, in any of
   * the four codecs), as Kafka does.
   */
  findOffsetByTimestamp(timestamp: number, startingOffset: number): TimestampOffset | undefined {
    const indexed = this.timeIndex.lookup(timestamp);
    const position = this.offsetIndex.lookup(Math.max(indexed.offset, startingOffset)).position;
    let location: BatchLocation | undefined;
    this.#scanHeaders(position, (batch, at) => {
      if (batch.maxTimestamp < timestamp || batch.lastOffset < startingOffset) return true;
      location = { ...this.#locate(batch), position: at };
      return false;
    });
    if (location === undefined) return undefined;
    const batch = new RecordBatch(this.#readAt(location.position, location.sizeInBytes), 0);
    const record = decodeRecords(batch).find(
      (r) => r.timestamp >= timestamp && r.offset >= startingOffset,
    );
    invariant(record !== undefined, 'a batch with maxTimestamp >= t holds a record >= t');
    return { timestamp: record.timestamp, offset: record.offset };
  }

  #locate(batch: RecordBatch): Omit<BatchLocation, 'position'> {
    return {
      baseOffset: batch.baseOffset,
      lastOffset: batch.lastOffset,
      sizeInBytes: batch.sizeInBytes,
    };
  }

  /** The offset after the last batch, found from the last index entry (no full scan). */
  readNextOffset(): number {
    let next = this.baseOffset;
    const from = this.offsetIndex.lookup(this.offsetIndex.lastOffset).position;
    this.#scanHeaders(from, (batch) => {
      next = batch.nextOffset;
      return true;
    });
    return next;
  }

  /**
   * Calls visit(headerView, filePosition) for each batch from `position` until visit returns
   * false or the file ends. The view holds at least the 61-byte header, not necessarily the
   * records: use header fields only. A header that does not fit the file ends the scan.
   */
  #scanHeaders(position: number, visit: (batch: RecordBatch, position: number) => boolean): void {
    while (position + RECORD_BATCH_HEADER_BYTES <= this.#size) {
      const chunk = this.#readAt(
        position,
        Math.min(HEADER_SCAN_CHUNK_BYTES, this.#size - position),
      );
      let offsetInChunk = 0;
      // Walk every header that lies wholly inside this chunk.
      while (offsetInChunk + RECORD_BATCH_HEADER_BYTES <= chunk.length) {
        const batch = new RecordBatch(chunk, offsetInChunk);
        if (batch.batchLength < BATCH_LENGTH_MIN) return; // cannot happen after recovery
        if (!visit(batch, position + offsetInChunk)) return;
        offsetInChunk += batch.sizeInBytes;
      }
      position += offsetInChunk;
    }
  }

  #readHeader(position: number): RecordBatch | undefined {
    if (position + RECORD_BATCH_HEADER_BYTES > this.#size) return undefined;
    return new RecordBatch(this.#readAt(position, RECORD_BATCH_HEADER_BYTES), 0);
  }

  #readAt(position: number, length: number): Buffer {
    const buffer = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.#fd, buffer, done, length - done, position + done);
      invariant(n > 0, `unexpected end of ${this.logPath} at ${position + done}`);
      done += n;
    }
    return buffer;
  }

  #maxTimestamp(): TimestampOffset {
    if (this.#maxTimestampSoFar === undefined)
      this.#maxTimestampSoFar = this.#loadLargestTimestamp();
    return this.#maxTimestampSoFar;
  }

  /**
   * The running max from the time index's last entry, then from the headers of the batches
   * after it (they may not be indexed yet), as Kafka's loadLargestTimestamp does.
   */
  #loadLargestTimestamp(): TimestampOffset {
    let max = this.timeIndex.lastEntry;
    const position = this.offsetIndex.lookup(max.offset).position;
    this.#scanHeaders(position, (batch) => {
      if (batch.maxTimestamp > max.timestamp) {
        max = { timestamp: batch.maxTimestamp, offset: batch.lastOffset };
      }
      return true;
    });
    return max;
  }

  // ---------------------------------------------------------------------------------------
  // Recovery and truncation
  // ---------------------------------------------------------------------------------------

  /**
   * Re-reads the whole .log file, checking every batch (framing, magic, CRC-32C, offsets
   * increasing and within this segment), and rebuilds both indexes from scratch. At the
   * first byte that is not a valid batch, the file is truncated there: a torn write at the
   * tail (kill -9 or power loss mid-append), or garbage after it. Kafka's LogSegment.recover.
   */
  recover(): RecoveryResult {
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.#bytesSinceLastIndexEntry = 0;
    this.#maxTimestampSoFar = { timestamp: NO_TIMESTAMP, offset: this.baseOffset };
    this.#rollingBasedTimestamp = undefined;
    let position = 0;
    let nextOffset = this.baseOffset;
    let corruption: RecordBatchError | undefined;
    while (position < this.#size && corruption === undefined) {
      const chunk = this.#readAt(position, Math.min(RECOVERY_CHUNK_BYTES, this.#size - position));
      let { batches, validBytes } = readBatches(chunk);
      if (batches.length === 0) {
        // Either garbage, a torn tail, or one batch bigger than the chunk.
        const whole = this.#readWholeBatchAt(position);
        if (whole === undefined) break;
        batches = [new RecordBatch(whole, 0)];
        validBytes = whole.length;
      }
      for (const batch of batches) {
        corruption = this.#checkRecoveredBatch(batch, nextOffset);
        if (corruption !== undefined) {
          validBytes = batch.position; // keep only the batches before this one
          break;
        }
        this.#indexBatch(batch, position + batch.position);
        nextOffset = batch.nextOffset;
      }
      position += validBytes;
    }
    const truncatedBytes = this.#size - position;
    if (truncatedBytes > 0) this.#truncateFile(position);
    return corruption === undefined
      ? { nextOffset, truncatedBytes }
      : { nextOffset, truncatedBytes, corruption };
  }

  #readWholeBatchAt(position: number): Buffer | undefined {
    if (position + LOG_OVERHEAD_BYTES > this.#size) return undefined;
    const batchLength = this.#readAt(position, LOG_OVERHEAD_BYTES).readInt32BE(
      BATCH_LENGTH_POSITION,
    );
    if (batchLength < BATCH_LENGTH_MIN) return undefined;
    const size = LOG_OVERHEAD_BYTES + batchLength;
    if (position + size > this.#size) return undefined;
    return this.#readAt(position, size);
  }

  #checkRecoveredBatch(batch: RecordBatch, nextOffset: number): RecordBatchError | undefined {
    const integrity = checkBatchIntegrity(batch);
    if (integrity !== undefined) return integrity;
    if (batch.baseOffset < nextOffset || batch.lastOffset < batch.baseOffset) {
      return {
        error: 'CORRUPT_MESSAGE',
        errorCode: ErrorCode.CORRUPT_MESSAGE,
        message: `offset ${batch.baseOffset} out of order`,
      };
    }
    if (!this.canHoldOffset(batch.lastOffset)) {
      return {
        error: 'CORRUPT_MESSAGE',
        errorCode: ErrorCode.CORRUPT_MESSAGE,
        message: `offset ${batch.lastOffset} outside segment`,
      };
    }
    return undefined;
  }

  /**
   * Quick consistency check of the indexes against the .log file, used on start-up after a
   * clean shutdown instead of a full recovery (Kafka's sanityCheck). False means: recover.
   */
  indexesLookSane(): boolean {
    const offsetEntries = this.offsetIndex.entryCount;
    if (offsetEntries > 0 && this.offsetIndex.entry(offsetEntries - 1).position >= this.#size) {
      return false;
    }
    // Time entries are added together with offset entries, plus one final entry when the
    // segment becomes inactive; any more means the files do not belong together.
    return this.timeIndex.entryCount <= offsetEntries + 1;
  }

  /**
   * Removes every batch from the one holding `offset` onwards (Kafka's truncateTo; callers
   * truncate at batch boundaries). Returns the number of bytes removed.
   */
  truncateTo(offset: number): number {
    const location = this.translateOffset(offset);
    this.offsetIndex.truncateTo(offset);
    this.timeIndex.truncateTo(offset);
    this.txnIndex.truncateTo(offset);
    if (location === undefined) return 0;
    const removed = this.#size - location.position;
    this.#truncateFile(location.position);
    this.#bytesSinceLastIndexEntry = 0;
    this.#maxTimestampSoFar = undefined; // recomputed lazily from what is left
    if (this.#size === 0) this.#rollingBasedTimestamp = undefined;
    return removed;
  }

  #truncateFile(size: number): void {
    fs.ftruncateSync(this.#fd, size);
    this.#size = size;
  }

  // ---------------------------------------------------------------------------------------
  // Life cycle
  // ---------------------------------------------------------------------------------------

  /** fsync the .log file, write and fsync both indexes. */
  flush(): void {
    fs.fsyncSync(this.#fd);
    this.offsetIndex.persist(true);
    this.timeIndex.persist(true);
    this.txnIndex.flush();
  }

  /**
   * fsync without blocking the event loop, for a segment that has just been rolled (it is
   * immutable now, so nothing races with the sync). Its indexes were already written by
   * onBecomeInactive; they are fsynced too.
   */
  async flushAsync(): Promise<void> {
    const fd = this.#fd;
    if (fd < 0) return;
    await new Promise<void>((resolve, reject) =>
      fs.fsync(fd, (err) => (err ? reject(err) : resolve())),
    );
    const files = [this.offsetIndex.path, this.timeIndex.path];
    if (fs.existsSync(this.txnIndex.path)) files.push(this.txnIndex.path);
    for (const file of files) {
      const handle = await fs.promises.open(file, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  }

  /** Makes the indexes ready for appends (preallocated, as Kafka's active segment). */
  becomeActive(): void {
    this.offsetIndex.preallocate();
    this.timeIndex.preallocate();
  }

  /**
   * When a newer segment takes over: record the final max timestamp in the time index (it
   * is the segment's age for retention) and trim both indexes to their real size.
   */
  onBecomeInactive(): void {
    const max = this.#maxTimestamp();
    if (max.timestamp >= 0) this.timeIndex.maybeAppend(max.timestamp, max.offset, true);
    this.offsetIndex.trimToValidSize();
    this.timeIndex.trimToValidSize();
  }

  close(): void {
    this.onBecomeInactive();
    fs.closeSync(this.#fd);
    this.#fd = -1;
  }

  /** Closes and removes the files; the .log first, so a crash midway leaves only indexes,
   *  which start-up removes as orphans. */
  delete(): void {
    if (this.#fd >= 0) fs.closeSync(this.#fd);
    this.#fd = -1;
    fs.rmSync(this.logPath, { force: true });
    this.offsetIndex.deleteFile();
    this.timeIndex.deleteFile();
    this.txnIndex.deleteFile();
  }
}
