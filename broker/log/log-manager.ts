/**
 * The log manager: every partition log on this broker, spread over the directories of
 * `log.dirs`, loaded at start-up, checkpointed, retained and shut down cleanly. Modelled on
 * Kafka's `LogManager` (2.8).
 *
 * Layout of each log dir (NOTES d.1):
 *
 *   <log dir>/
 *     .kafka_cleanshutdown               present only between a clean shutdown and the
 *                                        next start-up
 *     recovery-point-offset-checkpoint   per partition: fsynced up to here
 *     log-start-offset-checkpoint        per partition: first readable offset
 *     replication-offset-checkpoint      per partition: high watermark (replica layer)
 *     orders-0/ orders-1/ ...            one Log each (log.ts)
 *     orders-2.<id>-delete/              a deleted partition not yet removed from disk (the
 *                                        topic part is cut short past 255 bytes)
 *
 * Start-up, per log dir:
 *   1. note whether `.kafka_cleanshutdown` exists, then remove half-deleted partitions;
 *   2. open every partition dir with its recovery point and log start offset from the
 *      checkpoints. After a clean shutdown segments are not re-scanned (only an index sanity
 *      check); after an unclean one every segment from the recovery point on is re-read,
 *      CRC-checked, re-indexed and truncated at the first invalid batch (log.ts);
 *   3. delete the marker, so a crash from now on is detected at the next start-up.
 *
 * Periodic tasks (timers on the given Scheduler, unref'd so they never keep the process
 * alive):
 *   retention every log.retention.check.interval.ms (5 min), recovery-point checkpoint
 *   every log.flush.offset.checkpoint.interval.ms (1 min), log-start-offset checkpoint every
 *   log.flush.start.offset.checkpoint.interval.ms (1 min), and, only if flushIntervalMs is
 *   finite, a flush check at that interval.
 *
 * Clean shutdown: flush every log (fsync), close it (trim indexes), write both checkpoints,
 * then write and fsync `.kafka_cleanshutdown`. The marker goes last, so it is only present
 * when everything before it is on disk.
 *
 * Not done: Kafka's `.lock` file (Node has no portable flock; run one broker per log dir),
 * `meta.properties` (the broker's start-up owns broker.id/cluster.id), log-dir failure
 * handling (an I/O error here throws and should stop the broker).
 *
 * Compaction: the log cleaner (log-cleaner.ts) runs beside the periodic tasks for the logs
 * whose cleanup.policy contains `compact`; its checkpoint is `cleaner-offset-checkpoint`.
 *
 * Single-threaded: all methods are synchronous except `shutdown` (it awaits background
 * fsyncs of rolled segments first).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { invariant } from '../../src/assert.js';
import type { Clock } from '../../src/clock.js';
import { systemScheduler, type Scheduler, type Timer } from '../../src/scheduler.js';
import type { Logger } from '../../src/logger.js';
import {
  DEFAULT_LOG_START_OFFSET_CHECKPOINT_INTERVAL_MS,
  DEFAULT_RECOVERY_POINT_CHECKPOINT_INTERVAL_MS,
  DEFAULT_RETENTION_CHECK_INTERVAL_MS,
  type LogConfig,
} from './log-config.js';
import {
  Log,
  fsyncDirectorySync,
  parsePartitionDirName,
  partitionDirName,
  type TopicPartition,
} from './log.js';
import { LogCleaner, type LogCleanerConfig } from './log-cleaner.js';
import {
  CLEANER_OFFSET_CHECKPOINT_FILE,
  LOG_START_OFFSET_CHECKPOINT_FILE,
  RECOVERY_POINT_CHECKPOINT_FILE,
  REPLICATION_OFFSET_CHECKPOINT_FILE,
  readCheckpointFile,
  writeCheckpointFile,
  type CheckpointEntry,
} from './offset-checkpoint-file.js';

export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
const DELETE_DIR_SUFFIX = '-delete';
/** The longest file name the usual Linux file systems allow (NAME_MAX). */
const FILE_NAME_BYTES_MAX = 255;

/**
 * The name a partition directory is renamed to before it is removed: `<topic>-<partition>.
 * <32 hex digits>-delete`, with the topic cut short as Kafka's `Log.logDeleteDirName` does so
 * the whole name stays within 255 bytes (a topic name may have 249 characters, and
 * `-0.<uuid>-delete` adds 42). Start-up removes every directory whose name ends in `-delete`.
 */
export function deleteDirName(tp: TopicPartition): string {
  const suffix = `-${tp.partition}.${randomUUID().replaceAll('-', '')}${DELETE_DIR_SUFFIX}`;
  // Topic names are ASCII (validated), so characters and bytes are the same here.
  return tp.topic.slice(0, Math.max(0, FILE_NAME_BYTES_MAX - suffix.length)) + suffix;
}

export interface LogManagerOptions {
  /** `log.dirs`: one or more directories (created if missing). */
  logDirs: readonly string[];
  /** The broker-wide defaults (`log.*` properties). */
  defaultConfig: LogConfig;
  /** Per-topic configuration (topic overrides applied to the defaults); defaults to them. */
  configFor?: (topic: string) => LogConfig;
  /**
   * The partition's high watermark (the replica manager's): retention and compaction never
   * go past it. Undefined (a partition not hosted) counts as the log end offset; the broker
   * passes 0 for those instead, so nothing is deleted from a log no replica owns.
   */
  highWatermarkOf?: (tp: TopicPartition) => number | undefined;
  clock: Clock;
  /**
   * Timers of the periodic tasks (the system scheduler by default). Kafka's LogManager also
   * takes `time` and `scheduler` apart; a test gives one ManualScheduler as both.
   */
  scheduler?: Scheduler;
  logger: Logger;
  retentionCheckIntervalMs?: number;
  recoveryPointCheckpointIntervalMs?: number;
  logStartOffsetCheckpointIntervalMs?: number;
  /** `producer.id.expiration.ms` (1 day): idle producers' state is dropped after this. */
  producerIdExpirationMs?: number;
  /** `producer.id.expiration.check.interval.ms` (10 min): how often that is checked. */
  producerIdExpirationCheckIntervalMs?: number;
  /**
   * log.cleaner.enable (true): run the log cleaner (log-cleaner.ts) for compacted topics,
   * with these settings (log.cleaner.backoff.ms and friends; Kafka's defaults otherwise).
   */
  cleanerEnable?: boolean;
  cleanerConfig?: Partial<LogCleanerConfig>;
}

/** Kafka's producer.id.expiration.check.interval.ms default. */
const DEFAULT_PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = 600_000;

interface ManagedLog {
  log: Log;
  logDir: string;
}

export class LogManager {
  readonly logDirs: readonly string[];
  readonly #options: LogManagerOptions;
  readonly #logger: Logger;
  readonly #logs = new Map<string, ManagedLog>();
  /** How many logs each log dir holds (where `getOrCreateLog` puts the next one). */
  readonly #logCounts = new Map<string, number>();
  #timers: Timer[] = [];
  #shutDown = false;
  /** The log cleaner, unless log.cleaner.enable=false. */
  readonly cleaner: LogCleaner | undefined;

  private constructor(options: LogManagerOptions) {
    invariant(options.logDirs.length > 0, 'log.dirs is empty');
    this.logDirs = options.logDirs.map((d) => path.resolve(d));
    this.#options = options;
    this.#logger = options.logger.child({ component: 'log-manager' });
    if (options.cleanerEnable ?? true) {
      this.cleaner = new LogCleaner({
        logs: {
          logs: () => this.#logs.values(),
          highWatermarkOf: (tp) => this.#highWatermarkOf(tp),
          readCheckpoint: (dir) => toMap(readCheckpointFile(dir, CLEANER_OFFSET_CHECKPOINT_FILE)),
          writeCheckpoint: (dir, offsets) =>
            writeCheckpointFile(
              dir,
              CLEANER_OFFSET_CHECKPOINT_FILE,
              [...offsets].map(([k, offset]) => ({ ...parseKey(k), offset })),
            ),
        },
        config: options.cleanerConfig,
        clock: options.clock,
        scheduler: options.scheduler,
        logger: options.logger,
      });
    }
  }

  /** The bound of retention and compaction: the high watermark, else the log end offset. */
  #highWatermarkOf(tp: TopicPartition): number {
    const log = this.getLog(tp);
    const highWatermark = this.#options.highWatermarkOf?.(tp);
    return Math.min(highWatermark ?? log?.logEndOffset ?? 0, log?.logEndOffset ?? 0);
  }

  /** Loads every log in every log dir (recovering after an unclean shutdown). */
  static startup(options: LogManagerOptions): LogManager {
    const manager = new LogManager(options);
    for (const dir of manager.logDirs) manager.#loadLogDir(dir);
    return manager;
  }

  #loadLogDir(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    const markerPath = path.join(dir, CLEAN_SHUTDOWN_FILE);
    const hadCleanShutdown = fs.existsSync(markerPath);
    const recoveryPoints = toMap(readCheckpointFile(dir, RECOVERY_POINT_CHECKPOINT_FILE));
    const logStartOffsets = toMap(readCheckpointFile(dir, LOG_START_OFFSET_CHECKPOINT_FILE));
    const startedMs = this.#options.clock.nowMs();
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      if (entry.name.endsWith(DELETE_DIR_SUFFIX)) {
        // A deletion that was cut short: finish it.
        fs.rmSync(path.join(dir, entry.name), { recursive: true, force: true });
        continue;
      }
      const tp = parsePartitionDirName(entry.name);
      if (tp === undefined) continue;
      invariant(!this.#logs.has(key(tp)), `partition ${entry.name} found in two log dirs`);
      const log = Log.open({
        dir: path.join(dir, entry.name),
        topicPartition: tp,
        config: this.#configFor(tp.topic),
        clock: this.#options.clock,
        scheduler: this.#options.scheduler,
        logger: this.#options.logger,
        recoveryPoint: recoveryPoints.get(key(tp)) ?? 0,
        logStartOffset: logStartOffsets.get(key(tp)),
        hadCleanShutdown,
        producerIdExpirationMs: this.#options.producerIdExpirationMs,
      });
      this.#logs.set(key(tp), { log, logDir: dir });
      this.#countLog(dir, +1);
    }
    if (hadCleanShutdown) {
      fs.rmSync(markerPath);
      fsyncDirectorySync(dir);
    }
    this.#logger.info(
      {
        logDir: dir,
        hadCleanShutdown,
        logs: this.#logsIn(dir).length,
        ms: this.#options.clock.nowMs() - startedMs,
      },
      'loaded log dir',
    );
  }

  #configFor(topic: string): LogConfig {
    return this.#options.configFor?.(topic) ?? this.#options.defaultConfig;
  }

  #countLog(dir: string, delta: 1 | -1): void {
    this.#logCounts.set(dir, this.#logCountIn(dir) + delta);
  }

  #logCountIn(dir: string): number {
    return this.#logCounts.get(dir) ?? 0;
  }

  #logsIn(dir: string): Log[] {
    return [...this.#logs.values()].filter((m) => m.logDir === dir).map((m) => m.log);
  }

  getLog(tp: TopicPartition): Log | undefined {
    return this.#logs.get(key(tp))?.log;
  }

  allLogs(): Log[] {
    return [...this.#logs.values()].map((m) => m.log);
  }

  /**
   * A topic's configuration changed (an override in `/config/topics/<t>` or a dynamic broker
   * default): every open log of the topic takes the new config at once, as Kafka's
   * `LogManager.updateTopicConfig` does; logs created later get it through `configFor`.
   */
  updateTopicConfig(topic: string, config: LogConfig): void {
    for (const { log } of this.#logs.values()) {
      if (log.topicPartition.topic === topic) log.config = config;
    }
  }

  /** Returns the partition's log, creating it in the log dir holding the fewest logs. */
  getOrCreateLog(tp: TopicPartition, config?: LogConfig): Log {
    const existing = this.getLog(tp);
    if (existing !== undefined) return existing;
    invariant(!this.#shutDown, 'log manager is shut down');
    // Counted, not filtered from every log: creating a topic of thousands of partitions would
    // otherwise walk all logs once per new one.
    let logDir = this.logDirs[0]!;
    for (const dir of this.logDirs) {
      if (this.#logCountIn(dir) < this.#logCountIn(logDir)) logDir = dir;
    }
    const dir = path.join(logDir, partitionDirName(tp));
    // Every partition directory on disk was loaded at start-up, so one that exists here but
    // is not managed is the remains of a deletion that failed: its records belong to a topic
    // that was deleted and must not reappear in a new one of the same name.
    invariant(!fs.existsSync(dir), `${dir} is left over from a failed deletion`);
    const log = Log.open({
      dir,
      topicPartition: tp,
      config: config ?? this.#configFor(tp.topic),
      clock: this.#options.clock,
      scheduler: this.#options.scheduler,
      logger: this.#options.logger,
      recoveryPoint: 0,
      hadCleanShutdown: true, // a brand-new directory has nothing to recover
      producerIdExpirationMs: this.#options.producerIdExpirationMs,
    });
    this.#logs.set(key(tp), { log, logDir });
    this.#countLog(logDir, +1);
    this.#logger.info({ partition: partitionDirName(tp), logDir }, 'created log');
    return log;
  }

  /**
   * Deletes a partition's log. The directory is first renamed to a `-delete` name (one atomic
   * rename, see `deleteDirName`), so a crash midway leaves something start-up recognises and
   * finishes. If the rename fails the directory is removed where it is: a deletion that half
   * failed must never leave records behind that a re-created topic would serve again. Throws
   * only when the data could not be removed at all (an I/O error: the caller answers
   * KAFKA_STORAGE_ERROR), and then the directory stays fenced off (`getOrCreateLog` refuses
   * to reopen it until a restart has finished the deletion or shown it is still there).
   */
  deleteLog(tp: TopicPartition): boolean {
    const managed = this.#logs.get(key(tp));
    if (managed === undefined) return false;
    this.#logs.delete(key(tp));
    this.#countLog(managed.logDir, -1);
    managed.log.close();
    const doomed = path.join(managed.logDir, deleteDirName(tp));
    let target = doomed;
    try {
      fs.renameSync(managed.log.dir, doomed);
      fsyncDirectorySync(managed.logDir);
    } catch (err) {
      this.#logger.warn(
        { err, partition: partitionDirName(tp) },
        'could not rename the log for deletion; removing it in place',
      );
      target = managed.log.dir;
    }
    fs.rmSync(target, { recursive: true, force: true });
    this.#logger.info({ partition: partitionDirName(tp) }, 'deleted log');
    return true;
  }

  // ---------------------------------------------------------------------------------------
  // Periodic work
  // ---------------------------------------------------------------------------------------

  /** Starts the periodic tasks (retention, checkpoints, time-based flush). */
  startPeriodicTasks(): void {
    const o = this.#options;
    const scheduler = o.scheduler ?? systemScheduler;
    const every = (ms: number, task: () => void, name: string): void => {
      const timer = scheduler.repeat(ms, () => {
        try {
          task();
        } catch (err) {
          this.#logger.error({ err, task: name }, 'periodic log task failed');
        }
      });
      this.#timers.push(timer.unref());
    };
    every(
      o.retentionCheckIntervalMs ?? DEFAULT_RETENTION_CHECK_INTERVAL_MS,
      () => this.runRetention(),
      'retention',
    );
    every(
      o.recoveryPointCheckpointIntervalMs ?? DEFAULT_RECOVERY_POINT_CHECKPOINT_INTERVAL_MS,
      () => this.checkpointRecoveryPoints(),
      'recovery-point checkpoint',
    );
    every(
      o.logStartOffsetCheckpointIntervalMs ?? DEFAULT_LOG_START_OFFSET_CHECKPOINT_INTERVAL_MS,
      () => this.checkpointLogStartOffsets(),
      'log-start-offset checkpoint',
    );
    if (Number.isFinite(o.defaultConfig.flushIntervalMs)) {
      every(o.defaultConfig.flushIntervalMs, () => this.flushDirtyLogs(), 'flush');
    }
    every(
      o.producerIdExpirationCheckIntervalMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS,
      () => this.removeExpiredProducers(),
      'producer id expiration',
    );
    this.cleaner?.startup();
  }

  /** Forgets, in every log, the producers idle for longer than producer.id.expiration.ms. */
  removeExpiredProducers(nowMs = this.#options.clock.nowMs()): void {
    for (const log of this.allLogs()) log.removeExpiredProducers(nowMs);
  }

  /** Applies retention to every log; returns the number of segments deleted. */
  runRetention(nowMs = this.#options.clock.nowMs()): number {
    let deleted = 0;
    for (const log of this.allLogs()) {
      const highWatermark = this.#highWatermarkOf(log.topicPartition);
      deleted += log.deleteOldSegments({ nowMs, highWatermark });
    }
    if (deleted > 0) this.checkpointLogStartOffsets();
    return deleted;
  }

  /** Flushes every log whose last flush is older than its flushIntervalMs. */
  flushDirtyLogs(nowMs = this.#options.clock.nowMs()): void {
    for (const log of this.allLogs()) {
      if (log.unflushedMessages > 0 && nowMs - log.lastFlushMs >= log.config.flushIntervalMs)
        log.flush();
    }
  }

  checkpointRecoveryPoints(): void {
    this.#writeCheckpoints(RECOVERY_POINT_CHECKPOINT_FILE, (log) => log.recoveryPoint);
  }

  checkpointLogStartOffsets(): void {
    this.#writeCheckpoints(LOG_START_OFFSET_CHECKPOINT_FILE, (log) => log.logStartOffset);
  }

  /** For the replica layer: persist high watermarks (replication-offset-checkpoint). */
  checkpointHighWatermarks(
    highWatermarks: ReadonlyMap<string, number> | ((tp: TopicPartition) => number | undefined),
  ): void {
    const lookup =
      typeof highWatermarks === 'function'
        ? highWatermarks
        : (tp: TopicPartition) => highWatermarks.get(key(tp));
    this.#writeCheckpoints(REPLICATION_OFFSET_CHECKPOINT_FILE, (log) => lookup(log.topicPartition));
  }

  /** For the replica layer at start-up: the high watermarks of every log dir. */
  readHighWatermarks(): Map<string, number> {
    const all = new Map<string, number>();
    for (const dir of this.logDirs) {
      for (const e of readCheckpointFile(dir, REPLICATION_OFFSET_CHECKPOINT_FILE))
        all.set(key(e), e.offset);
    }
    return all;
  }

  #writeCheckpoints(file: string, offsetOf: (log: Log) => number | undefined): void {
    for (const dir of this.logDirs) {
      const entries: CheckpointEntry[] = [];
      for (const log of this.#logsIn(dir)) {
        const offset = offsetOf(log);
        if (offset !== undefined) entries.push({ ...log.topicPartition, offset });
      }
      writeCheckpointFile(dir, file, entries);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Shutdown
  // ---------------------------------------------------------------------------------------

  /** Clean shutdown: flush, close, checkpoint, then the `.kafka_cleanshutdown` marker. */
  async shutdown(): Promise<void> {
    if (this.#shutDown) return;
    this.#shutDown = true;
    for (const timer of this.#timers) timer.cancel();
    this.#timers = [];
    await this.cleaner?.shutdown();
    for (const log of this.allLogs()) await log.flushedRolledSegments();
    for (const log of this.allLogs()) {
      log.flush();
      log.close();
    }
    this.checkpointRecoveryPoints();
    this.checkpointLogStartOffsets();
    for (const dir of this.logDirs) {
      const fd = fs.openSync(path.join(dir, CLEAN_SHUTDOWN_FILE), 'w');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fsyncDirectorySync(dir);
    }
    this.#logger.info({ logs: this.#logs.size }, 'log manager shut down cleanly');
  }
}

/** `orders 0`-style map key for a partition. */
export function topicPartitionKey(tp: TopicPartition): string {
  return `${tp.topic} ${tp.partition}`;
}
const key = topicPartitionKey;

function parseKey(k: string): TopicPartition {
  const space = k.lastIndexOf(' ');
  return { topic: k.slice(0, space), partition: Number(k.slice(space + 1)) };
}

function toMap(entries: readonly CheckpointEntry[]): Map<string, number> {
  return new Map(entries.map((e) => [key(e), e.offset]));
}
