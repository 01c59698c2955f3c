/**
 * The log cleaner: log compaction for topics with cleanup.policy=compact (or compact,delete).
 * Modelled on Kafka 2.8's `LogCleaner` and `LogCleanerManager`; the decisions are the pure
 * functions of log-cleaner-rules.ts, the record filtering is batch-filter.ts, and the swap of
 * cleaned segments into the log is `Log.replaceSegments`. docs/log.md tells the story.
 *
 * One cleaning of one log:
 *   1. choose the filthiest compacted log (`chooseFilthiestLog`); nothing eligible: wait
 *      log.cleaner.backoff.ms and look again;
 *   2. read its cleanable part [firstDirtyOffset, firstUncleanableOffset) and build the
 *      key -> latest offset map (offset-map.ts, at most log.cleaner.dedupe.buffer.size bytes;
 *      when it fills up the cleaning covers only the offsets mapped so far);
 *   3. find each producer's last batch in the log (its header survives even if all of its
 *      records go, so idempotent producers keep their sequence numbers);
 *   4. rewrite the log from its first segment to the end of the map, a group of segments at
 *      a time (`groupSegmentsBySize`), into a new `<base>.log.cleaned` segment per group:
 *      every record either dropped or kept with its offset, batches rebuilt around the kept
 *      ones; then fsync, keep the source's modification time, and swap it in
 *      (`.cleaned` -> `.swap` -> live, the old segments to `.deleted`);
 *   5. write the new first dirty offset to `cleaner-offset-checkpoint` in the log dir.
 *
 * Not blocking the event loop: Node has one thread for produce, fetch and the cleaner. The
 * cleaner does its reading, filtering and writing in chunks of log.cleaner.io.buffer.size
 * bytes and yields to the event loop (setImmediate) whenever it has worked for
 * `sliceMs` (10 ms by default) since the last yield, so a request waits at most about that
 * long behind it. The alternative, a worker_thread, would have to share the segments' file
 * descriptors and the swap with the main thread; chunking keeps every change to a Log on one
 * thread (docs/benchmarks.md has the produce latency measured while the cleaner runs).
 *
 * Because the cleaner yields, the log can change under it: segments rolled (harmless: only
 * segments that were inactive when the cleaning began are touched), deleted by retention or
 * DeleteRecords, truncated by a follower, or the whole log deleted. The swap checks that the
 * segments it replaces are still there (`replaceSegments` returns false otherwise) and any
 * read of a vanished segment throws; either way the cleaning is abandoned, its `.cleaned`
 * file removed, and the next round starts from fresh numbers (Kafka aborts the cleaning too).
 *
 * Throttling: log.cleaner.io.max.bytes.per.second (unlimited by default, as in Kafka) bounds
 * the bytes the cleaner reads plus writes per second (throttler.ts, Kafka's Throttler): after
 * each chunk it may pause on the scheduler, so a big compaction does not take the disk from
 * producers and consumers.
 *
 * Transactions (Kafka 2.8, cleaned-transaction-metadata.ts): the cleanable part ends at the
 * first unstable offset (no open transaction is touched); records of aborted transactions are
 * never mapped and are removed; a marker is removed once past the delete horizon and once the
 * data of its transaction is gone, and the cleaned segment's `.txnindex` keeps the entries of
 * the ABORT markers it still holds. A producer's last batch stays (emptied if need be), so its
 * epoch and sequence survive, as before.
 *
 * Not done: log.cleaner.threads > 1 (one cleaner; more threads are accepted and ignored).
 */
import { performance } from 'node:perf_hooks';
import { invariant } from '../../src/assert.js';
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/logger.js';
import { readBatches, type RecordBatch } from '../../src/protocol/kafka/record-batch.js';
import { systemScheduler, type Scheduler, type Timer } from '../../src/scheduler.js';
import { filterBatch, readRawRecords, type BatchRetention } from './batch-filter.js';
import {
  chooseFilthiestLog,
  cleanableOffsets,
  deleteHorizonMs,
  groupSegmentsBySize,
  logToClean,
  maxCompactionDelayMs,
  segmentsOverlapping,
  shouldRetainRecord,
  type SegmentSummary,
} from './log-cleaner-rules.js';
import { partitionDirName, type Log, type TopicPartition } from './log.js';
import { CLEANED_FILE_SUFFIX, LogSegment } from './log-segment.js';
import { CleanedTransactionMetadata } from './cleaned-transaction-metadata.js';
import {
  decodeEndTxnMarker,
  type ControlRecordType,
} from '../../src/protocol/kafka/end-transaction-marker.js';
import { OffsetMap } from './offset-map.js';
import { THROTTLE_CHECK_INTERVAL_MS, Throttler } from './throttler.js';

export interface LogCleanerConfig {
  /** log.cleaner.backoff.ms (15000): the pause when no log needs cleaning. */
  backoffMs: number;
  /** log.cleaner.dedupe.buffer.size (128 MiB): memory for the key -> offset map. */
  dedupeBufferBytes: number;
  /** log.cleaner.io.buffer.size (512 KiB): bytes read or written at a time. */
  ioBufferBytes: number;
  /** log.cleaner.io.buffer.load.factor (0.9): how full the offset map may get. */
  loadFactor: number;
  /** Work at most this long before yielding to the event loop. */
  sliceMs: number;
  /** log.cleaner.io.max.bytes.per.second (unlimited): bytes read plus written per second. */
  ioMaxBytesPerSecond: number;
  /** How often the throttle compares the rate with the limit (Kafka: 300 ms). */
  throttleCheckIntervalMs: number;
}

export const DEFAULT_LOG_CLEANER_CONFIG: Readonly<LogCleanerConfig> = Object.freeze({
  backoffMs: 15_000,
  dedupeBufferBytes: 128 * 1024 * 1024,
  ioBufferBytes: 512 * 1024,
  loadFactor: 0.9,
  sliceMs: 10,
  ioMaxBytesPerSecond: Infinity,
  throttleCheckIntervalMs: THROTTLE_CHECK_INTERVAL_MS,
});

/** The cleaner's view of the logs: the log manager's, with checkpoints per log dir. */
export interface CleanerLogs {
  /** Every open log, with its log dir. */
  logs(): Iterable<{ log: Log; logDir: string }>;
  highWatermarkOf(tp: TopicPartition): number;
  /** The cleaner checkpoint of a log dir: partition key -> first dirty offset. */
  readCheckpoint(logDir: string): Map<string, number>;
  writeCheckpoint(logDir: string, offsets: ReadonlyMap<string, number>): void;
}

export interface CleaningStats {
  topicPartition: TopicPartition;
  firstDirtyOffset: number;
  /** The next cleaning starts here: the end of the offset map. */
  endOffset: number;
  bytesRead: number;
  bytesWritten: number;
  recordsRead: number;
  recordsRemoved: number;
  mapEntries: number;
  durationMs: number;
  /** False when the log changed under the cleaner and the result was thrown away. */
  completed: boolean;
}

/** Thrown inside a cleaning when the log moved on; the cleaning is abandoned. */
class CleaningAborted extends Error {}

export class LogCleaner {
  readonly config: LogCleanerConfig;
  readonly #logs: CleanerLogs;
  readonly #clock: Clock;
  readonly #scheduler: Scheduler;
  readonly #logger: Logger;
  /** Partition key -> first dirty offset, for every log dir (loaded on first use). */
  readonly #checkpoints = new Map<string, Map<string, number>>();
  #timer: Timer | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = false;
  #sliceStartMs = 0;
  #lastStats: CleaningStats | undefined;
  readonly #throttler: Throttler;
  /** Bytes written since the throttle last heard of them. */
  #unthrottledWrites = 0;

  constructor(options: {
    logs: CleanerLogs;
    config?: Partial<LogCleanerConfig>;
    clock: Clock;
    scheduler?: Scheduler;
    logger: Logger;
  }) {
    this.config = { ...DEFAULT_LOG_CLEANER_CONFIG, ...options.config };
    this.#logs = options.logs;
    this.#clock = options.clock;
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#logger = options.logger.child({ component: 'log-cleaner' });
    this.#throttler = new Throttler(
      this.config.ioMaxBytesPerSecond,
      this.#clock.nowMs(),
      this.config.throttleCheckIntervalMs,
    );
  }

  /** The last cleaning's figures (tests, benchmarks). */
  get lastStats(): CleaningStats | undefined {
    return this.#lastStats;
  }

  /** Starts the background loop: clean, and when nothing needs it, wait backoffMs. */
  startup(): void {
    this.#logger.info({ ...this.config }, 'log cleaner started');
    this.#schedule(this.config.backoffMs);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = this.#scheduler
      .schedule(delayMs, () => {
        this.#timer = undefined;
        const run = this.cleanFilthiestLog().then(
          (stats) => this.#schedule(stats?.completed === true ? 0 : this.config.backoffMs),
          (err: unknown) => {
            this.#logger.error({ err }, 'log cleaning failed');
            this.#schedule(this.config.backoffMs);
          },
        );
        this.#running = run;
      })
      .unref();
  }

  /** Stops the loop and waits for a cleaning in progress to end (it is abandoned). */
  async shutdown(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    await this.#running;
  }

  /**
   * One round: picks the filthiest compacted log and cleans it. Resolves with the figures, or
   * undefined when no log needed cleaning.
   */
  async cleanFilthiestLog(): Promise<CleaningStats | undefined> {
    const nowMs = this.#clock.nowMs();
    const candidates = [];
    for (const { log, logDir } of this.#logs.logs()) {
      if (!log.config.cleanupPolicy.includes('compact')) continue;
      const segments = summarise(log);
      const offsets = cleanableOffsets({
        segments,
        logStartOffset: log.logStartOffset,
        logEndOffset: log.logEndOffset,
        highWatermark: Math.min(this.#logs.highWatermarkOf(log.topicPartition), log.logEndOffset),
        firstUnstableOffset: log.producerState.firstUnstableOffset,
        checkpointedDirtyOffset: this.#checkpoint(logDir).get(keyOf(log.topicPartition)),
        config: log.config,
        nowMs,
      });
      const delayMs = maxCompactionDelayMs({
        segments,
        firstDirtyOffset: offsets.firstDirtyOffset,
        config: log.config,
        nowMs,
      });
      candidates.push(
        logToClean({
          key: { log, logDir, segments },
          segments,
          offsets,
          maxCompactionDelayMs: delayMs,
          minCleanableDirtyRatio: log.config.minCleanableDirtyRatio,
        }),
      );
    }
    const chosen = chooseFilthiestLog(candidates);
    if (chosen === undefined) return undefined;
    const { log, logDir } = chosen.key;
    this.#logger.debug(
      {
        partition: partitionDirName(log.topicPartition),
        dirtyRatio: chosen.dirtyRatio,
        needCompactionNow: chosen.needCompactionNow,
      },
      'cleaning log',
    );
    const stats = await this.clean(log, chosen.offsets);
    if (stats.completed) {
      const checkpoint = this.#checkpoint(logDir);
      checkpoint.set(keyOf(log.topicPartition), stats.endOffset);
      this.#writeCheckpoint(logDir);
    }
    this.#lastStats = stats;
    return stats;
  }

  #checkpoint(logDir: string): Map<string, number> {
    let map = this.#checkpoints.get(logDir);
    if (map === undefined) {
      map = this.#logs.readCheckpoint(logDir);
      this.#checkpoints.set(logDir, map);
    }
    return map;
  }

  #writeCheckpoint(logDir: string): void {
    const live = new Set<string>();
    for (const { log, logDir: dir } of this.#logs.logs())
      if (dir === logDir) live.add(keyOf(log.topicPartition));
    const map = this.#checkpoint(logDir);
    for (const k of [...map.keys()]) if (!live.has(k)) map.delete(k);
    this.#logs.writeCheckpoint(logDir, map);
  }

  /** Cleans [offsets.firstDirtyOffset, offsets.firstUncleanableOffset) of `log`. */
  async clean(
    log: Log,
    offsets: { firstDirtyOffset: number; firstUncleanableOffset: number },
  ): Promise<CleaningStats> {
    const startedMs = performance.now();
    this.#sliceStartMs = startedMs;
    const stats: CleaningStats = {
      topicPartition: log.topicPartition,
      firstDirtyOffset: offsets.firstDirtyOffset,
      endOffset: offsets.firstDirtyOffset,
      bytesRead: 0,
      bytesWritten: 0,
      recordsRead: 0,
      recordsRemoved: 0,
      mapEntries: 0,
      durationMs: 0,
      completed: false,
    };
    const partition = partitionDirName(log.topicPartition);
    try {
      const map = await this.#buildOffsetMap(log, offsets, stats);
      const summaries = summarise(log);
      const horizonMs = deleteHorizonMs({
        segments: summaries,
        firstDirtyOffset: offsets.firstDirtyOffset,
        deleteRetentionMs: log.config.deleteRetentionMs,
      });
      const lastBatchOfProducer = await this.#lastBatchOfEachProducer(log);
      // Only segments that were inactive at the start, and only up to the end of the map.
      const all = log.segments();
      const toClean = segmentsOverlapping(
        summaries.slice(0, -1).map((s, i) => ({ ...s, segment: all[i]! })),
        0,
        stats.endOffset,
      );
      for (const group of groupSegmentsBySize(toClean, log.config.segmentBytes)) {
        const segments = group.map((i) => toClean[i]!.segment);
        await this.#cleanGroup(log, segments, { map, horizonMs, lastBatchOfProducer, stats });
      }
      stats.completed = true;
    } catch (err) {
      if (!(err instanceof CleaningAborted)) {
        // A vanished segment shows up as an I/O error or a failed invariant in its reads.
        this.#logger.info({ err, partition }, 'log cleaning abandoned: the log changed');
      } else {
        this.#logger.info({ partition, reason: err.message }, 'log cleaning abandoned');
      }
    }
    stats.durationMs = performance.now() - startedMs;
    if (stats.completed) {
      this.#logger.info(
        {
          partition,
          ...stats,
          topicPartition: undefined,
          mbPerSecond: stats.bytesRead / 1e6 / Math.max(stats.durationMs / 1000, 1e-6),
        },
        `cleaned log ${partition}: ${stats.recordsRemoved} of ${stats.recordsRead} records removed`,
      );
    }
    return stats;
  }

  /** Yields to the event loop if this cleaning has run for sliceMs since the last yield. */
  #maybeYield(): Promise<void> | undefined {
    if (performance.now() - this.#sliceStartMs < this.config.sliceMs) return undefined;
    return this.#yield();
  }

  /** Pauses when the bytes read (and written since) exceed ioMaxBytesPerSecond. */
  async #maybeThrottle(bytesRead: number): Promise<void> {
    const bytes = bytesRead + this.#unthrottledWrites;
    this.#unthrottledWrites = 0;
    const pauseMs = this.#throttler.observe(bytes, this.#clock.nowMs());
    if (pauseMs === 0) return;
    await new Promise<void>((resolve) => this.#scheduler.schedule(pauseMs, resolve));
    if (this.#stopped) throw new CleaningAborted('the broker is shutting down');
    this.#sliceStartMs = performance.now();
  }

  async #yield(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.#stopped) throw new CleaningAborted('the broker is shutting down');
    this.#sliceStartMs = performance.now();
  }

  /**
   * Reads every batch of `segment` in chunks of ioBufferBytes, calling `visit` for each, and
   * yields to the event loop whenever a slice is used up.
   */
  async #forEachBatch(
    segment: LogSegment,
    visit: (batch: RecordBatch) => void | 'stop',
  ): Promise<number> {
    let offset = segment.baseOffset;
    let bytes = 0;
    for (;;) {
      const chunk = segment.read({
        startOffset: offset,
        maxBytes: this.config.ioBufferBytes,
        minOneBatch: true,
      });
      if (chunk === undefined || chunk.records.length === 0) return bytes;
      bytes += chunk.records.length;
      await this.#maybeThrottle(chunk.records.length);
      for (const batch of readBatches(chunk.records).batches) {
        if (batch.lastOffset < offset) continue;
        offset = batch.nextOffset;
        if (visit(batch) === 'stop') return bytes;
        // Checked per batch: a chunk of small records can take longer than a slice.
        await this.#maybeYield();
      }
    }
  }

  /**
   * The key -> latest offset map of the cleanable part. Sets stats.endOffset to where it
   * ends: the end of the cleanable part, or the offset after the last one that fitted.
   */
  async #buildOffsetMap(
    log: Log,
    offsets: { firstDirtyOffset: number; firstUncleanableOffset: number },
    stats: CleaningStats,
  ): Promise<{ map: OffsetMap; coveredUpTo: number }> {
    const { firstDirtyOffset, firstUncleanableOffset } = offsets;
    const span = Math.max(firstUncleanableOffset - firstDirtyOffset, 1);
    // Kafka allocates the whole buffer; we allocate no more slots than the cleanable part has
    // offsets, which is the most keys it can hold, so small logs do not cost 128 MiB.
    const slots = Math.min(
      OffsetMap.slotsFor(this.config.dedupeBufferBytes),
      Math.ceil(span / this.config.loadFactor) + 2,
    );
    const map = new OffsetMap({ slots, loadFactor: this.config.loadFactor });
    let coveredUpTo = firstUncleanableOffset - 1;
    const segments = [...log.segments()];
    const dirty = segments
      .slice(0, -1)
      .filter((_s, i) => (segments[i + 1]?.baseOffset ?? Infinity) > firstDirtyOffset)
      .filter((s) => s.baseOffset < firstUncleanableOffset);
    let full = false;
    // Aborted transactions' records must not shadow committed values of their keys.
    const transactions = new CleanedTransactionMetadata();
    transactions.addAbortedTransactions(
      log.collectAbortedTransactions(firstDirtyOffset, firstUncleanableOffset),
    );
    for (const segment of dirty) {
      await this.#forEachBatch(segment, (batch) => {
        if (batch.baseOffset >= firstUncleanableOffset) return 'stop';
        if (batch.isControl) {
          transactions.onControlBatchRead(batch, markerTypeOf(batch));
          return;
        }
        if (transactions.onBatchRead(batch)) return;
        const records = readRawRecords(batch);
        if (records === undefined) return; // a codec we cannot open: kept whole, not mapped
        for (const record of records) {
          if (record.offset < firstDirtyOffset || record.offset >= firstUncleanableOffset) continue;
          if (record.key === null) continue;
          if (!map.put(record.key, record.offset)) {
            full = true;
            coveredUpTo = map.latestOffset;
            return 'stop';
          }
        }
      });
      if (full) break;
    }
    stats.mapEntries = map.size;
    stats.endOffset = coveredUpTo + 1;
    if (full) {
      this.#logger.info(
        { partition: partitionDirName(log.topicPartition), entries: map.size, coveredUpTo },
        'offset map is full: cleaning only up to the last offset that fitted',
      );
    }
    return { map, coveredUpTo };
  }

  /** producer id -> last offset of its last batch anywhere in the log (headers only). */
  async #lastBatchOfEachProducer(log: Log): Promise<Map<number, number>> {
    const last = new Map<number, number>();
    for (const segment of [...log.segments()]) {
      segment.forEachBatchHeader((batch) => {
        if (batch.producerId >= 0) last.set(batch.producerId, batch.lastOffset);
      });
      await this.#maybeYield();
    }
    return last;
  }

  /** Cleans a group of consecutive segments into one `.cleaned` segment and swaps it in. */
  async #cleanGroup(
    log: Log,
    group: readonly LogSegment[],
    context: {
      map: { map: OffsetMap; coveredUpTo: number };
      horizonMs: number;
      lastBatchOfProducer: ReadonlyMap<number, number>;
      stats: CleaningStats;
    },
  ): Promise<void> {
    const { map, horizonMs, lastBatchOfProducer, stats } = context;
    const base = group[0]!.baseOffset;
    const cleaned = LogSegment.create(log.newSegmentOptions(base, CLEANED_FILE_SUFFIX));
    // The ABORT markers kept in the cleaned segment get their index entries there.
    const transactions = new CleanedTransactionMetadata(cleaned.txnIndex);
    const logSegments = log.segments();
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flushPending = (): void => {
      if (pendingBytes === 0) return;
      const records = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
      cleaned.append(records, readBatches(records).batches);
      stats.bytesWritten += records.length;
      this.#unthrottledWrites += records.length;
      pending = [];
      pendingBytes = 0;
    };
    const write = (bytes: Buffer): void => {
      pending.push(bytes);
      pendingBytes += bytes.length;
      if (pendingBytes >= this.config.ioBufferBytes) flushPending();
    };
    try {
      for (const segment of group) {
        // Tombstones and markers stay in segments modified after the delete horizon (2.8).
        const retainDeletes = segment.lastModifiedMs > horizonMs;
        const next = logSegments[logSegments.indexOf(segment) + 1];
        const upperBound = Math.min(next?.baseOffset ?? Infinity, map.coveredUpTo + 1);
        transactions.addAbortedTransactions(
          log.collectAbortedTransactions(segment.baseOffset, upperBound),
        );
        stats.bytesRead += await this.#forEachBatch(segment, (batch) => {
          stats.recordsRead += batch.recordsCount;
          const isLastOfProducer =
            batch.producerId >= 0 && lastBatchOfProducer.get(batch.producerId) === batch.lastOffset;
          if (batch.isControl) {
            const discard =
              transactions.onControlBatchRead(batch, markerTypeOf(batch)) && !retainDeletes;
            // The producer's last batch keeps its epoch for fencing, even as a marker.
            if (discard && !isLastOfProducer) stats.recordsRemoved += batch.recordsCount;
            else write(Buffer.from(batch.bytes()));
            return;
          }
          const retention: BatchRetention = isLastOfProducer ? 'retain-empty' : 'delete-empty';
          const aborted = transactions.onBatchRead(batch);
          if (aborted && !isLastOfProducer) {
            stats.recordsRemoved += batch.recordsCount;
            return;
          }
          const outcome = filterBatch(
            batch,
            (record) =>
              !aborted &&
              shouldRetainRecord({
                offset: record.offset,
                hasKey: record.key !== null,
                hasValue: record.hasValue,
                latestOffsetForKey: record.key === null ? -1 : map.map.get(record.key),
                mapLatestOffset: map.coveredUpTo,
                retainDeletes,
              }),
            retention,
          );
          switch (outcome.kind) {
            case 'unchanged':
            case 'opaque':
              write(Buffer.from(batch.bytes()));
              break;
            case 'rewritten':
              stats.recordsRemoved += outcome.removed;
              write(outcome.bytes);
              break;
            case 'removed':
              stats.recordsRemoved += outcome.removed;
              break;
            default: {
              const never: never = outcome;
              invariant(false, `unknown filter outcome ${String(never)}`);
            }
          }
        });
      }
      flushPending();
      cleaned.onBecomeInactive();
      cleaned.flush();
      // The cleaned segment is as old as the newest of its sources, for the next delete
      // horizon and for time-based retention of an empty segment.
      cleaned.setLastModifiedMs(group[group.length - 1]!.lastModifiedMs);
      if (this.#stopped) throw new CleaningAborted('the broker is shutting down');
      if (!log.replaceSegments(cleaned, group)) {
        throw new CleaningAborted('the segments changed during the cleaning');
      }
    } catch (err) {
      cleaned.delete();
      throw err;
    }
  }
}

/** The numbers the rules need, per segment of `log` (the active one last). */
export function summarise(log: Log): SegmentSummary[] {
  const segments = log.segments();
  return segments.map((s, i) => ({
    baseOffset: s.baseOffset,
    endOffset: segments[i + 1]?.baseOffset ?? log.logEndOffset,
    sizeBytes: s.size,
    largestTimestamp: s.largestTimestamp,
    firstBatchTimestamp: s.firstBatchTimestamp,
    lastModifiedMs: s.lastModifiedMs,
  }));
}

function keyOf(tp: TopicPartition): string {
  return `${tp.topic} ${tp.partition}`;
}

/** The type of a control batch's marker; undefined for an emptied or unreadable one. */
function markerTypeOf(batch: RecordBatch): ControlRecordType | undefined {
  try {
    return decodeEndTxnMarker(batch)?.type;
  } catch {
    return undefined;
  }
}
