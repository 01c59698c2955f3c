/**
 * The log of one partition: a directory `<topic>-<partition>` holding a sequence of
 * segments (log-segment.ts), the oldest first, the last one "active" (the only one appended
 * to). Modelled on Kafka's `Log` (kafka.log.Log in 2.8).
 *
 *   orders-0/
 *     00000000000000000000.log .index .timeindex      offsets [0, 368769)
 *     00000000000000368769.log .index .timeindex      offsets [368769, logEndOffset)  active
 *     00000000000000368769.txnindex                   aborted transactions (if any)
 *     00000000000000368769.snapshot                   producer state at 368769
 *
 * Offsets this class owns:
 * - logEndOffset (LEO): the offset the next appended record gets;
 * - logStartOffset: the first offset a client may read (moved forward by retention);
 * - recoveryPoint: every offset below it is known to be fsynced. After an unclean shutdown
 *   only the segments from the recovery point on are re-scanned.
 * The high watermark is NOT owned here: the replica layer (broker/cluster/) owns it and
 * passes it in as `maxOffset` on reads and as the bound for retention.
 *
 * Appending as leader (Kafka's Log.appendAsLeader + LogValidator, uncompressed or not):
 *   1. split the Produce `records` buffer into batches by their framing (no copy);
 *   2. check each batch (`checkProducerBatch`: size, magic, CRC-32C, header consistency);
 *   3. apply the topic's timestamp and compression policy (log-validator.ts: LogAppendTime
 *      stamped in place, INVALID_TIMESTAMP, recompression to the topic's codec into a new
 *      buffer), then write the offsets and leader epoch into the batch headers (both fields
 *      lie outside the CRC);
 *   4. roll the active segment if needed, then one write(2) of the whole buffer.
 * No record is decoded: per-record cost on this path is zero. The caller must not reuse the
 * buffer for anything that expects the producer's original header bytes.
 *
 * Durability: `append` returns after write(2), i.e. the data is in the page cache and
 * survives kill -9 of the broker but not a power loss. It is fsynced when
 * flushIntervalMessages unflushed messages accumulate, when the log manager's periodic
 * check finds the last flush older than flushIntervalMs, when a segment rolls (the rolled
 * segment is fsynced asynchronously, then the recovery point moves to the new segment), and
 * on clean shutdown. Kafka's defaults never flush by count or time: replication, not fsync,
 * is what makes Kafka durable. docs/log.md has the full table.
 *
 * Transactions: every append (leader, follower, replay) runs through the producer state
 * (producer-state-manager.ts), which opens a producer's transaction at its first transactional
 * batch and closes it at its COMMIT/ABORT marker (a control batch only the coordinator origin
 * may write). For an ABORT the log appends (producer, first offset, marker offset, LSO) to the
 * active segment's `.txnindex` (transaction-index.ts). A read_committed read is bounded by the
 * LSO (the caller's `maxOffset`) and returns the aborted transactions overlapping its records.
 * After an unclean shutdown the `.txnindex` of every re-scanned segment is rebuilt by the
 * producer state's replay, which then starts at or before the first re-scanned segment.
 *
 * Concurrency: single-threaded. Every public method is synchronous and runs to completion,
 * so an append, a read and a truncation never interleave. The only asynchronous work is the
 * fsync of rolled segments, chained so the recovery point only ever moves forward.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { invariant } from '../../src/assert.js';
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/logger.js';
import { systemScheduler, type Scheduler, type Timer } from '../../src/scheduler.js';
import {
  checkBatchIntegrity,
  checkProducerBatch,
  readBatches,
  recordBatchError,
  NO_TIMESTAMP,
  type RecordBatch,
  type RecordBatchError,
} from '../../src/protocol/kafka/record-batch.js';
import { decodeEndTxnMarker } from '../../src/protocol/kafka/end-transaction-marker.js';
import { TXN_INDEX_FILE_SUFFIX, type AbortedTxn } from './transaction-index.js';
import type { LogConfig } from './log-config.js';
import { validateRecords, type RecordValidationError } from './log-validator.js';
import {
  LogSegment,
  CLEANED_FILE_SUFFIX,
  DELETED_FILE_SUFFIX,
  INDEX_FILE_SUFFIX,
  LOG_FILE_SUFFIX,
  SWAP_FILE_SUFFIX,
  TIME_INDEX_FILE_SUFFIX,
} from './log-segment.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import {
  ProducerStateManager,
  firstOffsetOf,
  type AppendOrigin,
  type BatchMetadata,
  type CompletedTxnWithLso,
  type ProducerBatch,
} from './producer-state-manager.js';
import {
  CorruptSnapshotError,
  deleteProducerSnapshot,
  listProducerSnapshots,
  readProducerSnapshot,
  writeProducerSnapshot,
} from './producer-snapshot-file.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** `orders-0`: the partition's directory name. Topics may contain '-', partitions cannot. */
export function partitionDirName(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** The inverse of partitionDirName, or undefined if `name` is not a partition dir. */
export function parsePartitionDirName(name: string): TopicPartition | undefined {
  const match = /^([a-zA-Z0-9._-]+)-(\d+)$/.exec(name);
  if (match === null) return undefined;
  return { topic: match[1]!, partition: Number(match[2]) };
}

/** ListOffsets' special timestamps. */
export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;

/** An append the replica fetcher got wrong: the batches do not start at our end. */
export interface UnexpectedAppendOffsetError {
  readonly error: 'UNEXPECTED_APPEND_OFFSET';
  /** ErrorCode.UNKNOWN_SERVER_ERROR on the wire, as Kafka's exception would be. */
  readonly errorCode: number;
  readonly message: string;
}

/** A batch refused by the producer state (sequence numbers, epochs: see
 *  producer-state-manager.ts). */
export interface ProducerStateAppendError {
  readonly error: 'PRODUCER_STATE';
  /** OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH or INVALID_TXN_STATE. */
  readonly errorCode: number;
  readonly message: string;
}

export type LogAppendError =
  | RecordBatchError
  /** INVALID_RECORD naming each refused record (a keyless record on a compacted topic). */
  | RecordValidationError
  | UnexpectedAppendOffsetError
  | ProducerStateAppendError;

export interface LogAppendInfo {
  /** -1 (with lastOffset -1) when `records` held no batch at all, as in Kafka. */
  firstOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  /** The broker time stamped on the batches, or -1 for CreateTime topics. */
  logAppendTimeMs: number;
  logStartOffset: number;
  batchCount: number;
  bytes: number;
  /** The request repeated a batch already in the log (an idempotent producer's retry): the
   *  offsets are the original ones and nothing was written. */
  duplicate: boolean;
}

export type LogAppendResult =
  | { ok: true; info: LogAppendInfo }
  | { ok: false; error: LogAppendError };

export interface LogReadOptions {
  fetchOffset: number;
  maxBytes: number;
  /** Exclusive upper bound (a consumer's high watermark); defaults to the log end offset. */
  maxOffset?: number;
  /** Return the first batch whole even if larger than maxBytes (KIP-74; Fetch v3+). */
  minOneBatch?: boolean;
  /**
   * read_committed: also return the aborted transactions that overlap the returned records
   * (the caller passes the last stable offset as maxOffset).
   */
  includeAbortedTxns?: boolean;
}

export type LogReadResult =
  | {
      ok: true;
      records: Buffer;
      logStartOffset: number;
      logEndOffset: number;
      /** With includeAbortedTxns: oldest first; [] when none overlap (or nothing was read). */
      abortedTransactions?: AbortedTxn[];
    }
  | { ok: false; error: 'OFFSET_OUT_OF_RANGE'; errorCode: number; message: string };

export interface LogOptions {
  /** The partition directory; created if missing. */
  dir: string;
  topicPartition: TopicPartition;
  config: LogConfig;
  clock: Clock;
  logger: Logger;
  /** From recovery-point-offset-checkpoint; 0 if the partition is not in it. */
  recoveryPoint: number;
  /** From log-start-offset-checkpoint, if present. */
  logStartOffset?: number;
  /** Whether the log dir had a `.kafka_cleanshutdown` marker. */
  hadCleanShutdown: boolean;
  /** `producer.id.expiration.ms` (1 day): when idle producers' state is dropped. */
  producerIdExpirationMs?: number;
  /**
   * Timers for removing `.deleted` segments file.delete.delay.ms after they left the log
   * (unref'd: they never keep the process alive). The system scheduler by default.
   */
  scheduler?: Scheduler;
}

/** Kafka's producer.id.expiration.ms default (KIP-854): one day. */
export const PRODUCER_ID_EXPIRATION_MS_DEFAULT = 86_400_000;
/** How much of the log one step of the producer state's replay reads. */
const PRODUCER_STATE_REPLAY_READ_BYTES = 1_048_576;

export class Log {
  readonly dir: string;
  readonly topicPartition: TopicPartition;
  config: LogConfig;
  /** Idempotent and transactional producers' sequence numbers and epochs (one per log, as
   *  in Kafka; its snapshots are the `.snapshot` files beside the segments). */
  readonly producerState: ProducerStateManager;
  readonly #clock: Clock;
  readonly #scheduler: Scheduler;
  readonly #parentLogger: Logger;
  /** Created on first use: a pino child costs about 400 bytes, and most logs never log. */
  #childLogger: Logger | undefined;
  /** The offset of the newest producer snapshot on disk (-1: none). */
  #lastSnapshotOffset = -1;
  /** Sorted by baseOffset; never empty; the last is the active segment. */
  #segments: LogSegment[] = [];
  #logEndOffset = 0;
  #logStartOffset = 0;
  #recoveryPoint = 0;
  #lastFlushMs: number;
  /** Set when a segment file was created since the last directory fsync. */
  #dirDirty = false;
  /** Serialises the asynchronous fsyncs of rolled segments. */
  #flushChain: Promise<void> = Promise.resolve();
  #closed = false;
  /**
   * Segments renamed `.deleted`, waiting for file.delete.delay.ms; removed on close. Made on
   * first use: most logs never have one, and an empty Map costs about 200 bytes.
   */
  #pendingDeletes: Map<LogSegment, Timer> | undefined;
  /**
   * Segments whose transaction index recovery emptied: the producer state's replay at load
   * writes their aborted transactions back (`#recordCompletedTxns`). Empty after loading.
   */
  readonly #txnIndexRebuild = new Set<LogSegment>();

  private constructor(options: LogOptions) {
    this.dir = options.dir;
    this.topicPartition = options.topicPartition;
    this.config = options.config;
    this.#clock = options.clock;
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#parentLogger = options.logger;
    this.#lastFlushMs = options.clock.nowMs();
    this.producerState = new ProducerStateManager({
      producerIdExpirationMs: options.producerIdExpirationMs ?? PRODUCER_ID_EXPIRATION_MS_DEFAULT,
      partitionName: partitionDirName(options.topicPartition),
    });
  }

  get #logger(): Logger {
    this.#childLogger ??= this.#parentLogger.child({
      component: 'log',
      partition: partitionDirName(this.topicPartition),
    });
    return this.#childLogger;
  }

  /** The logger when debug is on, else undefined: a debug line must not create the child. */
  get #debugLogger(): Logger | undefined {
    return this.#parentLogger.isLevelEnabled('debug') ? this.#logger : undefined;
  }

  /** Opens (or creates) the log in `options.dir`, recovering it if the shutdown was unclean. */
  static open(options: LogOptions): Log {
    const log = new Log(options);
    fs.mkdirSync(options.dir, { recursive: true });
    log.#load(options);
    return log;
  }

  get logEndOffset(): number {
    return this.#logEndOffset;
  }
  get logStartOffset(): number {
    return this.#logStartOffset;
  }
  get recoveryPoint(): number {
    return this.#recoveryPoint;
  }
  /** Total bytes of all segments. */
  get size(): number {
    let size = 0;
    for (const segment of this.#segments) size += segment.size;
    return size;
  }
  get segmentCount(): number {
    return this.#segments.length;
  }
  get segmentBaseOffsets(): number[] {
    return this.#segments.map((s) => s.baseOffset);
  }
  get activeSegment(): LogSegment {
    return this.#segments[this.#segments.length - 1]!;
  }
  get lastFlushMs(): number {
    return this.#lastFlushMs;
  }
  /** Messages (offsets) appended since the last flush. */
  get unflushedMessages(): number {
    return this.#logEndOffset - this.#recoveryPoint;
  }

  // ---------------------------------------------------------------------------------------
  // Loading
  // ---------------------------------------------------------------------------------------

  #load(options: LogOptions): void {
    const baseOffsets = this.#scanDirectory();
    const missingIndexes = new Set<number>();
    for (const baseOffset of baseOffsets) {
      const stem = path.join(this.dir, String(baseOffset).padStart(20, '0'));
      if (
        !fs.existsSync(stem + INDEX_FILE_SUFFIX) ||
        !fs.existsSync(stem + TIME_INDEX_FILE_SUFFIX)
      ) {
        missingIndexes.add(baseOffset);
      }
      this.#segments.push(LogSegment.open(this.#segmentOptions(baseOffset)));
    }
    if (this.#segments.length === 0) {
      const start = options.logStartOffset ?? 0;
      this.#segments.push(this.#createSegment(start));
      this.#logEndOffset = start;
      this.#logStartOffset = start;
      this.#recoveryPoint = start;
      this.activeSegment.becomeActive();
      this.#loadProducerState({ trustSnapshots: false });
      return;
    }
    if (options.hadCleanShutdown) {
      for (const segment of this.#segments) {
        if (missingIndexes.has(segment.baseOffset) || !segment.indexesLookSane()) {
          this.#logger.warn({ baseOffset: segment.baseOffset }, 'rebuilding indexes of segment');
          segment.recover();
        }
      }
    } else {
      this.#recoverFrom(options.recoveryPoint, missingIndexes);
    }
    this.#logEndOffset = this.activeSegment.readNextOffset();
    this.#logStartOffset = Math.max(options.logStartOffset ?? 0, this.#segments[0]!.baseOffset);
    this.#recoveryPoint = Math.min(
      options.hadCleanShutdown ? this.#logEndOffset : options.recoveryPoint,
      this.#logEndOffset,
    );
    this.activeSegment.becomeActive();
    this.#loadProducerState({ trustSnapshots: options.hadCleanShutdown });
    this.#debugLogger?.debug(
      {
        logStartOffset: this.#logStartOffset,
        logEndOffset: this.#logEndOffset,
        segments: this.#segments.length,
      },
      'loaded log',
    );
  }

  /**
   * Lists segment base offsets and removes what a crash can leave behind: temporary files,
   * half-done swaps of the log cleaner (see #completeSwaps), indexes whose .log is gone (a
   * deletion cut short).
   */
  #scanDirectory(): number[] {
    this.#removeTemporaryFiles();
    this.#completeSwaps();
    const names = fs.readdirSync(this.dir);
    const logs = new Set(names.filter((n) => n.endsWith(LOG_FILE_SUFFIX)));
    const baseOffsets: number[] = [];
    for (const name of names) {
      const match = /^(\d{20})\.(log|index|timeindex|txnindex)$/.exec(name);
      if (match === null) continue;
      if (match[2] === 'log') baseOffsets.push(Number(match[1]));
      else if (!logs.has(`${match[1]}${LOG_FILE_SUFFIX}`)) {
        this.#logger.warn({ file: name }, 'removing orphaned index file');
        fs.rmSync(path.join(this.dir, name), { force: true });
      }
    }
    return baseOffsets.sort((a, b) => a - b);
  }

  /**
   * Unclean shutdown: re-scan every segment that may hold offsets at or after the recovery
   * point. If one turns out to be corrupt, it is truncated at the first bad batch and every
   * later segment is deleted: data after a hole cannot be trusted to be in order.
   */
  #recoverFrom(recoveryPoint: number, missingIndexes: Set<number>): void {
    for (let i = 0; i < this.#segments.length; i++) {
      const segment = this.#segments[i]!;
      const next = this.#segments[i + 1];
      const unflushed = next === undefined || next.baseOffset > recoveryPoint;
      if (!unflushed && !missingIndexes.has(segment.baseOffset)) continue;
      const result = segment.recover();
      // Its aborted transactions are written again by the producer state's replay.
      segment.txnIndex.reset();
      this.#txnIndexRebuild.add(segment);
      if (result.truncatedBytes === 0) continue;
      this.#logger.warn(
        {
          baseOffset: segment.baseOffset,
          truncatedBytes: result.truncatedBytes,
          reason: result.corruption?.message ?? 'torn write',
        },
        'recovery truncated segment at the first invalid batch',
      );
      for (const later of this.#segments.splice(i + 1)) {
        this.#logger.warn({ baseOffset: later.baseOffset }, 'deleting segment after corruption');
        this.#txnIndexRebuild.delete(later);
        later.delete();
      }
    }
    this.#logger.info({ recoveryPoint }, 'recovered log after unclean shutdown');
  }

  #segmentOptions(baseOffset: number) {
    return {
      dir: this.dir,
      baseOffset,
      indexIntervalBytes: this.config.indexIntervalBytes,
      maxIndexBytes: this.config.maxIndexBytes,
      clock: this.#clock,
    };
  }

  #createSegment(baseOffset: number): LogSegment {
    this.#dirDirty = true;
    return LogSegment.create(this.#segmentOptions(baseOffset));
  }

  // ---------------------------------------------------------------------------------------
  // Appending
  // ---------------------------------------------------------------------------------------

  /**
   * Appends a Produce request's `records` (one or more batches): validates, assigns offsets
   * from the log end offset, stamps `leaderEpoch`, checks idempotent producers' sequence
   * numbers and epochs, writes. Mutates `records` in place. A retried batch that is already
   * in the log is not written again: the result carries its original offsets, with
   * `duplicate` set. `origin` is 'coordinator' for the group and transaction coordinators'
   * own writes (epochs are checked, sequences not).
   */
  appendAsLeader(
    records: Buffer,
    options: { leaderEpoch: number; origin?: AppendOrigin },
  ): LogAppendResult {
    const split = this.#split(records);
    if (!split.ok) return split;
    const { batches } = split;
    if (batches.length === 0) return this.#emptyAppend();
    const origin = options.origin ?? 'client';
    const limits = {
      maxMessageBytes: this.config.maxMessageBytes,
      fromClient: origin === 'client',
    };
    for (const batch of batches) {
      const error = checkProducerBatch(batch, limits);
      if (error !== undefined) return { ok: false, error };
    }
    // Timestamps, keys of compacted topics and compression policy (log-validator.ts): may
    // stamp LogAppendTime in place or return recompressed batches in a new buffer.
    const nowMs = this.#clock.nowMs();
    const validated = validateRecords(records, batches, this.config, {
      nowMs,
      partition: partitionDirName(this.topicPartition),
    });
    if (!validated.ok) return validated;
    const logAppendTimeMs =
      this.config.messageTimestampType === 'LogAppendTime' ? nowMs : NO_TIMESTAMP;
    // Decide every offset first, then touch the disk: the validation above cannot fail
    // halfway through a write.
    let nextOffset = this.#logEndOffset;
    for (const batch of validated.batches) {
      batch.setBaseOffset(nextOffset);
      batch.setPartitionLeaderEpoch(options.leaderEpoch);
      nextOffset = batch.nextOffset;
    }
    // The producer state's verdict needs the offsets (it remembers where each batch went)
    // and must come before the write: a refused or duplicate batch is not written.
    const check = this.producerState.prepareAppend(producerBatchesOf(validated.batches), origin);
    switch (check.kind) {
      case 'rejected':
        return {
          ok: false,
          error: { error: 'PRODUCER_STATE', errorCode: check.errorCode, message: check.message },
        };
      case 'duplicate':
        this.#debugLogger?.debug(
          { producerId: validated.batches[0]!.producerId, lastOffset: check.batch.lastOffset },
          'duplicate batch from an idempotent producer: acknowledged, not appended',
        );
        return { ok: true, info: this.#duplicateAppend(check.batch) };
      case 'append': {
        const info = this.#write(validated.records, validated.batches, logAppendTimeMs);
        this.#recordCompletedTxns(this.producerState.completeAppend(check.updates));
        return { ok: true, info };
      }
    }
  }

  /**
   * The answer to a retry (Kafka's Log.append with a duplicate): the offsets of the batch as
   * it was first appended, and, as Kafka does, that batch's timestamp as its append time.
   */
  #duplicateAppend(batch: BatchMetadata): LogAppendInfo {
    return {
      firstOffset: firstOffsetOf(batch),
      lastOffset: batch.lastOffset,
      maxTimestamp: batch.timestampMs,
      logAppendTimeMs: batch.timestampMs,
      logStartOffset: this.#logStartOffset,
      batchCount: 0,
      bytes: 0,
      duplicate: true,
    };
  }

  /**
   * Appends batches fetched from the leader as they are: offsets and leader epochs are kept.
   * Only integrity is checked (CRC). The first batch must start at or after our log end
   * offset (gaps are legal: the leader's log may be compacted).
   */
  appendAsFollower(records: Buffer): LogAppendResult {
    const split = this.#split(records);
    if (!split.ok) return split;
    const { batches } = split;
    if (batches.length === 0) return this.#emptyAppend();
    let expected = this.#logEndOffset;
    for (const batch of batches) {
      const error = checkBatchIntegrity(batch);
      if (error !== undefined) return { ok: false, error };
      if (batch.baseOffset < expected || batch.lastOffset < batch.baseOffset) {
        return {
          ok: false,
          error: {
            error: 'UNEXPECTED_APPEND_OFFSET',
            errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
            message: `batch at offset ${batch.baseOffset} does not follow ${expected}`,
          },
        };
      }
      expected = batch.nextOffset;
    }
    // A follower keeps the producer state too (nothing is refused: the leader checked), so
    // that it can deduplicate retries if it becomes the leader.
    const check = this.producerState.prepareAppend(producerBatchesOf(batches), 'replication');
    invariant(check.kind === 'append', 'replicated batches are never refused');
    const info = this.#write(records, batches, NO_TIMESTAMP);
    this.#recordCompletedTxns(this.producerState.completeAppend(check.updates));
    return { ok: true, info };
  }

  #split(
    records: Buffer,
  ): { ok: true; batches: RecordBatch[] } | { ok: false; error: RecordBatchError } {
    const { batches, tail } = readBatches(records);
    if (tail !== 'complete') {
      // Kafka silently drops a partial trailing batch from a Produce request; we reject it,
      // because a well-behaved client never sends one.
      return {
        ok: false,
        error: recordBatchError('CORRUPT_MESSAGE', `records end with a ${tail} batch`),
      };
    }
    if (records.length > this.config.segmentBytes) {
      return {
        ok: false,
        error: recordBatchError(
          'RECORD_LIST_TOO_LARGE',
          `${records.length} bytes of records exceed segment.bytes ${this.config.segmentBytes}`,
        ),
      };
    }
    return { ok: true, batches };
  }

  #emptyAppend(): LogAppendResult {
    return {
      ok: true,
      info: {
        firstOffset: -1,
        lastOffset: -1,
        maxTimestamp: NO_TIMESTAMP,
        logAppendTimeMs: NO_TIMESTAMP,
        logStartOffset: this.#logStartOffset,
        batchCount: 0,
        bytes: 0,
        duplicate: false,
      },
    };
  }

  /** Rolls if needed, writes, advances the log end offset, flushes if the policy says so. */
  #write(records: Buffer, batches: readonly RecordBatch[], logAppendTimeMs: number): LogAppendInfo {
    invariant(!this.#closed, 'append to a closed log');
    const first = batches[0]!;
    const last = batches[batches.length - 1]!;
    let maxTimestamp = NO_TIMESTAMP;
    for (const batch of batches) maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp);
    this.#maybeRoll({
      bytes: records.length,
      firstOffset: first.baseOffset,
      maxOffset: last.lastOffset,
      maxTimestamp,
    });
    this.activeSegment.append(records, batches);
    invariant(last.nextOffset > this.#logEndOffset, 'the log end offset only moves forward');
    this.#logEndOffset = last.nextOffset;
    if (this.unflushedMessages >= this.config.flushIntervalMessages) this.flush();
    return {
      firstOffset: first.baseOffset,
      lastOffset: last.lastOffset,
      maxTimestamp,
      logAppendTimeMs,
      logStartOffset: this.#logStartOffset,
      batchCount: batches.length,
      bytes: records.length,
      duplicate: false,
    };
  }

  #maybeRoll(append: {
    bytes: number;
    firstOffset: number;
    maxOffset: number;
    maxTimestamp: number;
  }): void {
    const active = this.activeSegment;
    const shouldRoll = active.shouldRoll({
      bytes: append.bytes,
      maxOffset: append.maxOffset,
      maxTimestamp: append.maxTimestamp,
      segmentBytes: this.config.segmentBytes,
      segmentMs: this.config.segmentMs,
      segmentJitterMs: this.config.segmentJitterMs,
    });
    // An empty active segment already starts where the append does: nothing to roll to.
    if (shouldRoll && !(active.size === 0 && active.baseOffset === append.firstOffset)) {
      this.roll(append.firstOffset);
    }
  }

  /**
   * Starts a new active segment at `baseOffset` (default: the log end offset). The old one
   * gets its final time-index entry and trimmed indexes, and is fsynced in the background;
   * when that completes the recovery point moves up to the new segment.
   */
  roll(baseOffset = this.#logEndOffset): LogSegment {
    const old = this.activeSegment;
    invariant(
      baseOffset >= this.#logEndOffset,
      `roll to ${baseOffset} below end ${this.#logEndOffset}`,
    );
    if (old.size === 0 && old.baseOffset === baseOffset) return old;
    // The producer state as of the new segment's start, so that recovery replays at most the
    // segments after it (Kafka takes this snapshot on every roll).
    if (baseOffset > this.producerState.mapEndOffset) {
      this.producerState.updateMapEndOffset(baseOffset);
    }
    this.#takeProducerSnapshot();
    old.onBecomeInactive();
    const segment = this.#createSegment(baseOffset);
    segment.becomeActive();
    this.#segments.push(segment);
    this.#logger.info({ baseOffset, previousSize: old.size }, 'rolled new log segment');
    this.#flushChain = this.#flushChain.then(() => this.#flushRolled(old, baseOffset));
    return segment;
  }

  async #flushRolled(segment: LogSegment, newBaseOffset: number): Promise<void> {
    try {
      await segment.flushAsync();
      await fsyncDirectory(this.dir);
      if (
        !this.#closed &&
        this.#segments.includes(segment) &&
        newBaseOffset > this.#recoveryPoint
      ) {
        this.#recoveryPoint = Math.min(newBaseOffset, this.#logEndOffset);
      }
    } catch (err) {
      // The segment may have been deleted meanwhile (retention, truncation): nothing to do.
      // Any other failure leaves the recovery point where it was, which is safe.
      this.#debugLogger?.debug(
        { err, baseOffset: segment.baseOffset },
        'background flush of rolled segment failed',
      );
    }
  }

  /** Resolves when every background fsync started so far has finished (for tests). */
  async flushedRolledSegments(): Promise<void> {
    await this.#flushChain;
  }

  // ---------------------------------------------------------------------------------------
  // Flushing
  // ---------------------------------------------------------------------------------------

  /**
   * fsyncs every segment that may hold data at or after the recovery point (plus their
   * indexes and, if a segment was created, the directory), then moves the recovery point to
   * the log end offset. Synchronous: it blocks the event loop for the fsync's duration,
   * which is why Kafka's defaults (and ours) never call it except on roll and shutdown.
   */
  flush(): void {
    const i = Math.max(0, this.#floorIndex(this.#recoveryPoint));
    for (const segment of this.#segments.slice(i)) segment.flush();
    if (this.#dirDirty) {
      fsyncDirectorySync(this.dir);
      this.#dirDirty = false;
    }
    this.#recoveryPoint = this.#logEndOffset;
    this.#lastFlushMs = this.#clock.nowMs();
  }

  // ---------------------------------------------------------------------------------------
  // Reading
  // ---------------------------------------------------------------------------------------

  /**
   * Whole batches from the one holding `fetchOffset`, at most `maxBytes` (but the first batch
   * whole if minOneBatch), never reaching `maxOffset`. The first batch may start before
   * fetchOffset (clients skip the records they did not ask for). A fetch at exactly the end
   * returns no records; outside [logStartOffset, logEndOffset] is OFFSET_OUT_OF_RANGE.
   */
  read(options: LogReadOptions): LogReadResult {
    const { fetchOffset } = options;
    if (fetchOffset < this.#logStartOffset || fetchOffset > this.#logEndOffset) {
      return {
        ok: false,
        error: 'OFFSET_OUT_OF_RANGE',
        errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
        message:
          `offset ${fetchOffset} is outside ` + `[${this.#logStartOffset}, ${this.#logEndOffset}]`,
      };
    }
    const maxOffset = Math.min(options.maxOffset ?? this.#logEndOffset, this.#logEndOffset);
    const empty = {
      ok: true as const,
      records: Buffer.alloc(0),
      logStartOffset: this.#logStartOffset,
      logEndOffset: this.#logEndOffset,
      ...(options.includeAbortedTxns === true ? { abortedTransactions: [] } : {}),
    };
    if (fetchOffset >= maxOffset) return empty;
    // The batch holding maxOffset (if any) is where reading must stop.
    const boundIndex = this.#floorIndex(maxOffset);
    const boundSegment = this.#segments[boundIndex];
    const boundPosition =
      maxOffset < this.#logEndOffset
        ? boundSegment?.translateOffset(maxOffset)?.position
        : undefined;
    for (let i = Math.max(0, this.#floorIndex(fetchOffset)); i < this.#segments.length; i++) {
      const segment = this.#segments[i]!;
      if (segment.baseOffset >= maxOffset) break;
      const result = segment.read({
        startOffset: fetchOffset,
        maxBytes: options.maxBytes,
        maxPosition: i === boundIndex ? boundPosition : undefined,
        minOneBatch: options.minOneBatch ?? true,
      });
      // Undefined: nothing at or after fetchOffset in this segment (compaction gap); go on.
      if (result !== undefined) {
        if (options.includeAbortedTxns !== true) return { ...empty, records: result.records };
        const abortedTransactions = this.#abortedTxnsOf(fetchOffset, result.records);
        return { ...empty, records: result.records, abortedTransactions };
      }
    }
    return empty;
  }

  /**
   * The aborted transactions a read_committed consumer needs for `records` read from
   * `fetchOffset` (Kafka's addAbortedTransactions): those overlapping [fetchOffset, the offset
   * after the last returned batch).
   */
  #abortedTxnsOf(fetchOffset: number, records: Buffer): AbortedTxn[] {
    const { batches } = readBatches(records);
    const last = batches[batches.length - 1];
    if (last === undefined) return [];
    return this.collectAbortedTransactions(fetchOffset, last.nextOffset);
  }

  /**
   * The aborted transactions overlapping [startOffset, upperBoundOffset), from the segment
   * holding startOffset on, until an entry's last stable offset shows that no later segment
   * can hold more (Kafka's collectAbortedTransactions; the log cleaner uses it too).
   */
  collectAbortedTransactions(startOffset: number, upperBoundOffset: number): AbortedTxn[] {
    const found: AbortedTxn[] = [];
    for (let i = Math.max(0, this.#floorIndex(startOffset)); i < this.#segments.length; i++) {
      const search = this.#segments[i]!.txnIndex.collectAbortedTxns(startOffset, upperBoundOffset);
      found.push(...search.abortedTransactions);
      if (search.isComplete) break;
    }
    return found;
  }

  /**
   * ListOffsets: EARLIEST_TIMESTAMP (-2) gives the log start offset, LATEST_TIMESTAMP (-1)
   * the log end offset, a timestamp t the first record with timestamp >= t (undefined when
   * there is none: ListOffsets then answers offset -1).
   */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | undefined {
    if (timestamp === EARLIEST_TIMESTAMP)
      return { offset: this.#logStartOffset, timestamp: NO_TIMESTAMP };
    if (timestamp === LATEST_TIMESTAMP)
      return { offset: this.#logEndOffset, timestamp: NO_TIMESTAMP };
    invariant(timestamp >= 0, `unsupported ListOffsets timestamp ${timestamp}`);
    // The first segment whose largest timestamp reaches t; earlier ones cannot hold t.
    const segment = this.#segments.find((s) => s.size > 0 && s.largestTimestamp >= timestamp);
    return segment?.findOffsetByTimestamp(timestamp, this.#logStartOffset);
  }

  /** Index of the last segment with baseOffset <= offset, or -1. */
  #floorIndex(offset: number): number {
    let lo = 0;
    let hi = this.#segments.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  // ---------------------------------------------------------------------------------------
  // Producer state (idempotent and transactional producers, producer-state-manager.ts)
  // ---------------------------------------------------------------------------------------

  /**
   * Rebuilds the producer state (Kafka's Log.loadProducerState): snapshots past the log end
   * (they describe records that are gone) or before the first segment are deleted, the newest
   * readable one is loaded (a corrupt one is deleted and the next older tried), and the
   * batches after it are replayed. A log that had a clean shutdown but has no snapshot at all
   * was written before producers were tracked: like Kafka, we then skip the full scan and
   * start with no producer state (`trustSnapshots`).
   */
  #loadProducerState(options: { trustSnapshots: boolean }): void {
    const end = this.#logEndOffset;
    const start = this.#segments[0]!.baseOffset;
    // Transaction indexes being rebuilt need the replay to cover their segments whole.
    let replayFromAtMost = end;
    for (const segment of this.#txnIndexRebuild) {
      replayFromAtMost = Math.min(replayFromAtMost, segment.baseOffset);
    }
    const usable: number[] = [];
    for (const offset of listProducerSnapshots(this.dir)) {
      if (offset > end || offset < start) deleteProducerSnapshot(this.dir, offset);
      else if (offset <= replayFromAtMost) usable.push(offset);
      else this.#deleteIfCorrupt(offset);
    }
    this.#lastSnapshotOffset = -1;
    const nowMs = this.#clock.nowMs();
    for (let offset = usable.pop(); offset !== undefined; offset = usable.pop()) {
      try {
        this.producerState.loadSnapshot(readProducerSnapshot(this.dir, offset), offset, nowMs);
        this.#lastSnapshotOffset = offset;
        break;
      } catch (err) {
        if (!(err instanceof CorruptSnapshotError)) throw err;
        this.#logger.warn({ err, offset }, 'deleting corrupt producer snapshot');
        deleteProducerSnapshot(this.dir, offset);
      }
    }
    if (this.#lastSnapshotOffset < 0) {
      this.producerState.truncateFullyAndStartAt(this.#logStartOffset);
      if (options.trustSnapshots) {
        this.producerState.updateMapEndOffset(end);
        this.#txnIndexRebuild.clear();
        return;
      }
    }
    const replayed = this.#replayProducerState();
    this.#txnIndexRebuild.clear();
    this.#debugLogger?.debug(
      { snapshotOffset: this.#lastSnapshotOffset, replayedBatches: replayed },
      'loaded producer state',
    );
  }

  /** A snapshot the load skips is still checked: a corrupt one must not be used later. */
  #deleteIfCorrupt(offset: number): void {
    try {
      readProducerSnapshot(this.dir, offset);
    } catch (err) {
      if (!(err instanceof CorruptSnapshotError)) throw err;
      this.#logger.warn({ err, offset }, 'deleting corrupt producer snapshot');
      deleteProducerSnapshot(this.dir, offset);
    }
  }

  /** Feeds the batches from the producer state's end to the log end through it. */
  #replayProducerState(): number {
    const end = this.#logEndOffset;
    let offset = Math.max(this.producerState.mapEndOffset, this.#logStartOffset);
    let replayed = 0;
    while (offset < end) {
      const result = this.read({
        fetchOffset: offset,
        maxBytes: PRODUCER_STATE_REPLAY_READ_BYTES,
        minOneBatch: true,
      });
      if (!result.ok || result.records.length === 0) break;
      // The first batch read may start before `offset` (it holds it): already counted.
      const from = offset;
      const fresh = readBatches(result.records).batches.filter((b) => b.lastOffset >= from);
      if (fresh.length === 0) break;
      this.#recordCompletedTxns(this.producerState.replay(producerBatchesOf(fresh)), 'replay');
      offset = fresh[fresh.length - 1]!.nextOffset;
      replayed += fresh.length;
    }
    this.producerState.updateMapEndOffset(end);
    return replayed;
  }

  /**
   * Writes the aborted ones of `completed` to the transaction index of the segment holding
   * their marker (Kafka's LogSegment.updateTxnIndex): on append, the active segment; on a
   * replay at load, only segments whose index recovery emptied (the others still have
   * their entries).
   */
  #recordCompletedTxns(completed: CompletedTxnWithLso[], when: 'append' | 'replay' = 'append') {
    for (const txn of completed) {
      if (!txn.isAborted) continue;
      const segment =
        when === 'append' ? this.activeSegment : this.#segments[this.#floorIndex(txn.lastOffset)];
      if (segment === undefined || (when === 'replay' && !this.#txnIndexRebuild.has(segment))) {
        continue;
      }
      segment.txnIndex.append({
        producerId: txn.producerId,
        firstOffset: txn.firstOffset,
        lastOffset: txn.lastOffset,
        lastStableOffset: txn.lastStableOffset,
      });
    }
  }

  /** Kafka's takeSnapshot: the state at its end offset, unless that snapshot exists. */
  #takeProducerSnapshot(): void {
    const offset = this.producerState.mapEndOffset;
    if (offset <= this.#lastSnapshotOffset) return;
    writeProducerSnapshot(this.dir, offset, this.producerState.activeProducers.values());
    this.#lastSnapshotOffset = offset;
    this.#dirDirty = true;
    // Snapshots from before the first segment describe records that retention removed.
    this.deleteProducerSnapshotsBelow(this.#segments[0]!.baseOffset);
  }

  /**
   * Removes the snapshots below `offset` (retention and the cleaner call this with the new
   * first segment's base offset; the newest snapshot is always kept).
   */
  deleteProducerSnapshotsBelow(offset: number): void {
    const offsets = listProducerSnapshots(this.dir);
    for (const old of offsets.slice(0, -1)) {
      if (old < offset) deleteProducerSnapshot(this.dir, old);
    }
  }

  /** Forgets producers idle for producer.id.expiration.ms (the log manager's timer). */
  removeExpiredProducers(nowMs: number): number[] {
    const expired = this.producerState.removeExpiredProducers(nowMs);
    if (expired.length > 0) {
      this.#debugLogger?.debug({ producerIds: expired }, 'expired idle producer ids');
    }
    return expired;
  }

  // ---------------------------------------------------------------------------------------
  // Truncation and retention
  // ---------------------------------------------------------------------------------------

  /**
   * Removes every offset >= targetOffset (a follower diverged from its new leader, KIP-101).
   * Callers truncate at batch boundaries; a target inside a batch removes the whole batch.
   */
  truncateTo(targetOffset: number): void {
    invariant(targetOffset >= 0, `truncation to ${targetOffset}`);
    if (targetOffset >= this.#logEndOffset) return;
    if (targetOffset < this.#segments[0]!.baseOffset) {
      this.truncateFullyAndStartAt(targetOffset);
      return;
    }
    const keep = this.#floorIndex(targetOffset);
    for (const segment of this.#segments.splice(keep + 1)) segment.delete();
    const active = this.activeSegment;
    active.truncateTo(targetOffset);
    active.becomeActive();
    this.#logEndOffset = targetOffset;
    this.#logStartOffset = Math.min(this.#logStartOffset, targetOffset);
    this.#recoveryPoint = Math.min(this.#recoveryPoint, targetOffset);
    // The removed batches may have moved producers' sequences: rebuild from the newest
    // snapshot at or below the target (later ones are deleted) and the batches after it.
    this.#loadProducerState({ trustSnapshots: false });
    this.#logger.info({ targetOffset }, 'truncated log');
  }

  /** Deletes everything and restarts the log empty at `newOffset` (follower out of range). */
  truncateFullyAndStartAt(newOffset: number): void {
    for (const segment of this.#segments) segment.delete();
    this.#segments = [this.#createSegment(newOffset)];
    this.activeSegment.becomeActive();
    this.#logEndOffset = newOffset;
    this.#logStartOffset = newOffset;
    this.#recoveryPoint = newOffset;
    for (const offset of listProducerSnapshots(this.dir)) deleteProducerSnapshot(this.dir, offset);
    this.#lastSnapshotOffset = -1;
    this.producerState.truncateFullyAndStartAt(newOffset);
    this.#logger.info({ newOffset }, 'truncated log fully');
  }

  /** Moves the log start offset forward (DeleteRecords, or a follower following its leader). */
  maybeIncrementLogStartOffset(offset: number): void {
    if (offset <= this.#logStartOffset) return;
    invariant(offset <= this.#logEndOffset, `log start ${offset} past end ${this.#logEndOffset}`);
    this.#logStartOffset = offset;
  }

  // ---------------------------------------------------------------------------------------
  // Log management: retention, delayed deletion, the log cleaner's swap (docs/log.md)
  // ---------------------------------------------------------------------------------------

  /**
   * Retention (Kafka's deleteOldSegments). With cleanup.policy containing `delete`: deletes
   * the oldest segments whose largest timestamp is older than retentionMs, then the oldest
   * while the log is larger than retentionBytes. Whatever the policy: the segments wholly
   * below the log start offset (DeleteRecords moved it). Only segments wholly below
   * `highWatermark` are eligible (a record not yet committed may be needed by a follower and
   * must not vanish before consumers could read it); it defaults to the log end offset.
   * Deleted segments leave the log at once and their files follow file.delete.delay.ms later
   * (`#deleteSegmentLater`). Returns how many segments were deleted.
   */
  deleteOldSegments(options: { nowMs: number; highWatermark?: number }): number {
    const highWatermark = options.highWatermark ?? this.#logEndOffset;
    const { retentionMs, retentionBytes, cleanupPolicy } = this.config;
    let deleted = 0;
    if (cleanupPolicy.includes('delete')) {
      if (retentionMs >= 0) {
        deleted += this.#deleteWhile(
          highWatermark,
          (s) => options.nowMs - s.largestTimestamp > retentionMs,
          'retention time',
        );
      }
      if (retentionBytes >= 0) {
        let excess = this.size - retentionBytes;
        deleted += this.#deleteWhile(
          highWatermark,
          (s) => {
            if (excess - s.size < 0) return false;
            excess -= s.size;
            return true;
          },
          'retention size',
        );
      }
    }
    deleted += this.#deleteWhile(
      highWatermark,
      (_s, nextBase) => nextBase <= this.#logStartOffset,
      'log start offset',
    );
    return deleted;
  }

  /** Deletes segments from the oldest while `predicate` holds. */
  #deleteWhile(
    highWatermark: number,
    predicate: (segment: LogSegment, nextBaseOffset: number) => boolean,
    reason: string,
  ): number {
    let count = 0;
    while (count < this.#segments.length) {
      const segment = this.#segments[count]!;
      const next = this.#segments[count + 1];
      const upperBound = next?.baseOffset ?? this.#logEndOffset;
      // The active segment goes only if it holds data, all of it below the high watermark.
      const isLastAndEmpty = next === undefined && segment.size === 0;
      if (isLastAndEmpty || upperBound > highWatermark || !predicate(segment, upperBound)) break;
      count++;
    }
    if (count === 0) return 0;
    // Never leave a log without segments: start a fresh active one first.
    if (count === this.#segments.length) this.roll();
    const from = this.#logStartOffset;
    for (const segment of this.#segments.splice(0, count)) {
      this.#logger.info(
        { baseOffset: segment.baseOffset, size: segment.size, reason },
        'deleting segment',
      );
      this.#deleteSegmentLater(segment);
    }
    this.#logStartOffset = Math.max(this.#logStartOffset, this.#segments[0]!.baseOffset);
    this.#recoveryPoint = Math.max(this.#recoveryPoint, this.#segments[0]!.baseOffset);
    // The producer snapshots of the removed segments go with them (the newest stays).
    this.deleteProducerSnapshotsBelow(this.#segments[0]!.baseOffset);
    if (this.#logStartOffset > from) {
      this.#logger.info(
        { from, to: this.#logStartOffset, reason },
        `log start offset moved to ${this.#logStartOffset}`,
      );
    }
    return count;
  }

  /**
   * A segment that has left the log: its files are renamed `.deleted` now and removed
   * file.delete.delay.ms later (Kafka's asyncDeleteSegment), so that a reader holding the
   * file open is not cut off and a crash in between leaves only `.deleted` files, which
   * start-up removes. The open descriptor keeps working after the rename.
   */
  #deleteSegmentLater(segment: LogSegment): void {
    segment.changeFileSuffix(DELETED_FILE_SUFFIX);
    if (this.config.fileDeleteDelayMs <= 0) {
      this.#removeDeleted(segment);
      return;
    }
    const timer = this.#scheduler.schedule(this.config.fileDeleteDelayMs, () =>
      this.#removeDeleted(segment),
    );
    (this.#pendingDeletes ??= new Map()).set(segment, timer.unref());
  }

  #removeDeleted(segment: LogSegment): void {
    this.#pendingDeletes?.get(segment)?.cancel();
    this.#pendingDeletes?.delete(segment);
    try {
      segment.delete();
    } catch (err) {
      this.#logger.warn({ err, file: segment.logPath }, 'could not remove deleted segment');
    }
  }

  /** Segments waiting for file.delete.delay.ms (tests). */
  get pendingDeletes(): number {
    return this.#pendingDeletes?.size ?? 0;
  }

  /** Start-up: `.deleted` (removal cut short), `.cleaned` (cleaning cut short), `.tmp`. */
  #removeTemporaryFiles(): void {
    for (const name of fs.readdirSync(this.dir)) {
      const temporary =
        name.endsWith(DELETED_FILE_SUFFIX) ||
        name.endsWith(CLEANED_FILE_SUFFIX) ||
        name.endsWith('.tmp') ||
        // Index files of a swap are rebuilt from its .log (#completeSwaps); its transaction
        // index cannot be (it needs the producer state), so it is kept.
        (name.endsWith(SWAP_FILE_SUFFIX) &&
          !name.endsWith(LOG_FILE_SUFFIX + SWAP_FILE_SUFFIX) &&
          !name.endsWith(TXN_INDEX_FILE_SUFFIX + SWAP_FILE_SUFFIX));
      if (temporary) fs.rmSync(path.join(this.dir, name), { force: true });
    }
  }

  /**
   * Start-up: a `.log.swap` file is a cleaned segment that was complete (it was fsynced
   * before being renamed from `.cleaned`) but had not yet replaced the segments it was made
   * from when the broker stopped. Finish the swap as Kafka does: rebuild its indexes, delete
   * the live segments whose offsets it covers, and make it live. It covers [its base offset,
   * its last offset]; an empty swap (every record of its group removed) covers its base
   * offset only. Segments of the group past its end may stay: they hold older values of keys
   * the log has newer ones for, which the next cleaning removes.
   */
  #completeSwaps(): void {
    const swaps = fs
      .readdirSync(this.dir)
      .map((name) => /^(\d{20})\.log\.swap$/.exec(name))
      .filter((m) => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    for (const baseOffset of swaps) {
      const swap = LogSegment.open({
        ...this.#segmentOptions(baseOffset),
        fileSuffix: SWAP_FILE_SUFFIX,
      });
      swap.recover();
      const end = Math.max(swap.readNextOffset(), baseOffset + 1);
      for (const name of fs.readdirSync(this.dir)) {
        const m = /^(\d{20})\.(log|index|timeindex|txnindex)$/.exec(name);
        if (m === null) continue;
        const base = Number(m[1]);
        if (base >= baseOffset && base < end) fs.rmSync(path.join(this.dir, name));
      }
      swap.changeFileSuffix('');
      swap.close();
      fsyncDirectorySync(this.dir);
      this.#logger.warn({ baseOffset, endOffset: end }, 'completed a cleaned-segment swap');
    }
  }

  /** The segments, oldest first (the last one is active); for the log cleaner. */
  segments(): readonly LogSegment[] {
    return this.#segments;
  }

  /** The segment options a new segment of this log gets (the cleaner's `.cleaned` ones). */
  newSegmentOptions(baseOffset: number, fileSuffix: string) {
    return { ...this.#segmentOptions(baseOffset), fileSuffix };
  }

  /**
   * The log cleaner's swap (Kafka's replaceSegments): `cleaned`, a complete `.cleaned`
   * segment made from the consecutive inactive segments `old`, takes their place:
   *
   *   1. cleaned .cleaned -> .swap, directory fsynced: from here on start-up finishes the swap;
   *   2. old segments -> .deleted (removed file.delete.delay.ms later);
   *   3. cleaned .swap -> live, directory fsynced;
   *   4. the in-memory list takes the new segment in one step.
   *
   * All of it is synchronous, so no append, read or truncation sees a half-swapped log.
   * Returns false (and changes nothing) if `old` is no longer a run of inactive segments of
   * this log: retention, a truncation or a deletion came first, and the cleaning is void.
   */
  replaceSegments(cleaned: LogSegment, old: readonly LogSegment[]): boolean {
    const first = this.#segments.indexOf(old[0]!);
    const intact =
      !this.#closed &&
      old.length > 0 &&
      first >= 0 &&
      first + old.length < this.#segments.length &&
      old.every((s, i) => this.#segments[first + i] === s);
    if (!intact) return false;
    invariant(cleaned.baseOffset === old[0]!.baseOffset, 'a cleaned segment keeps its base');
    cleaned.changeFileSuffix(SWAP_FILE_SUFFIX);
    fsyncDirectorySync(this.dir);
    for (const segment of old) this.#deleteSegmentLater(segment);
    cleaned.changeFileSuffix('');
    fsyncDirectorySync(this.dir);
    this.#segments.splice(first, old.length, cleaned);
    return true;
  }

  // ---------------------------------------------------------------------------------------
  // Life cycle
  // ---------------------------------------------------------------------------------------

  /**
   * Closes every segment (trimming indexes). Does not flush: the log manager does that. The
   * producer state is snapshotted at the log end offset, so that a clean restart reads it
   * back instead of replaying the active segment.
   */
  close(): void {
    if (this.#closed) return;
    try {
      this.#takeProducerSnapshot();
    } catch (err) {
      // Not fatal: recovery replays the log instead.
      this.#logger.warn({ err }, 'could not write the producer snapshot on close');
    }
    // Nobody reads from a closed log: `.deleted` segments can go now.
    for (const segment of [...(this.#pendingDeletes?.keys() ?? [])]) this.#removeDeleted(segment);
    for (const segment of this.#segments) segment.close();
    this.#closed = true;
  }

  /** Closes and removes the whole partition directory. */
  delete(): void {
    for (const segment of [...(this.#pendingDeletes?.keys() ?? [])]) this.#removeDeleted(segment);
    for (const segment of this.#segments) segment.delete();
    this.#closed = true;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** fsync a directory so that files created or renamed in it survive power loss. */
export function fsyncDirectorySync(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The producer state's view of batches: data batches as they are, control batches with their
 * transaction marker decoded (a malformed or empty one counts as no marker, as in Kafka).
 */
function producerBatchesOf(batches: readonly RecordBatch[]): ProducerBatch[] {
  return batches.map((batch) => {
    if (!batch.isControl) return batch;
    let endTxnMarker;
    try {
      endTxnMarker = decodeEndTxnMarker(batch);
    } catch {
      endTxnMarker = undefined;
    }
    return {
      producerId: batch.producerId,
      producerEpoch: batch.producerEpoch,
      baseSequence: batch.baseSequence,
      baseOffset: batch.baseOffset,
      lastOffset: batch.lastOffset,
      maxTimestamp: batch.maxTimestamp,
      isTransactional: batch.isTransactional,
      isControl: true,
      endTxnMarker,
    };
  });
}
