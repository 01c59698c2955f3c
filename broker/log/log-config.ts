/**
 * The per-log configuration and Kafka's defaults for it (Kafka 2.8.2, NOTES Appendix A).
 *
 * Each field has the meaning of the Kafka property named next to it; the broker's config
 * module maps `log.segment.bytes` and friends (and per-topic overrides such as
 * `segment.bytes`) onto this object. Kafka's "never" is Long.MAX_VALUE; here it is
 * `Infinity`, which compares the same way and cannot overflow.
 */
export interface LogConfig {
  /** `log.segment.bytes` / `segment.bytes`: roll when a segment would grow past this. */
  segmentBytes: number;
  /** `log.roll.ms` (`log.roll.hours`) / `segment.ms`: roll a non-empty segment this old. */
  segmentMs: number;
  /** `log.roll.jitter.ms` / `segment.jitter.ms`: subtracted from segmentMs. */
  segmentJitterMs: number;
  /** `log.index.interval.bytes` / `index.interval.bytes`: bytes between index entries. */
  indexIntervalBytes: number;
  /** `log.index.size.max.bytes` / `segment.index.bytes`: index files are preallocated to
   *  this size; a full index rolls the segment. */
  maxIndexBytes: number;
  /** `message.max.bytes` / `max.message.bytes`: the largest batch a producer may send. */
  maxMessageBytes: number;
  /** `log.flush.interval.messages` / `flush.messages`: fsync after this many messages. */
  flushIntervalMessages: number;
  /** `log.flush.interval.ms` / `flush.ms`: fsync a log whose last flush is this old. */
  flushIntervalMs: number;
  /** `log.retention.ms` (`log.retention.hours`) / `retention.ms`; -1 = keep forever. */
  retentionMs: number;
  /** `log.retention.bytes` / `retention.bytes`; -1 = unlimited. */
  retentionBytes: number;
  /** `log.message.timestamp.type` / `message.timestamp.type`. */
  messageTimestampType: 'CreateTime' | 'LogAppendTime';
  /** `log.message.timestamp.difference.max.ms` / `message.timestamp.difference.max.ms`:
   *  with CreateTime, a batch whose timestamp is further than this from the broker's clock
   *  is refused (INVALID_TIMESTAMP). */
  messageTimestampDifferenceMaxMs: number;
  /** `log.cleanup.policy` / `cleanup.policy`: `delete` (retention), `compact` (the log
   *  cleaner keeps the latest record per key), or both. */
  cleanupPolicy: readonly CleanupPolicy[];
  /** `log.cleaner.min.compaction.lag.ms` / `min.compaction.lag.ms`: a record stays
   *  uncompacted at least this long. */
  minCompactionLagMs: number;
  /** `log.cleaner.max.compaction.lag.ms` / `max.compaction.lag.ms`: a dirty record is
   *  compacted at the latest this long after it was written. */
  maxCompactionLagMs: number;
  /** `log.cleaner.delete.retention.ms` / `delete.retention.ms`: how long a tombstone stays
   *  after its segment was cleaned. */
  deleteRetentionMs: number;
  /** `log.cleaner.min.cleanable.ratio` / `min.cleanable.dirty.ratio`: clean a log once
   *  this share of it is dirty (not yet cleaned). */
  minCleanableDirtyRatio: number;
  /** `log.segment.delete.delay.ms` / `file.delete.delay.ms`: a segment is renamed
   *  `.deleted` first and removed from disk this much later. */
  fileDeleteDelayMs: number;
  /** `compression.type` (broker and topic): `producer` keeps what the producer sent;
   *  any codec recompresses batches that carry another. */
  compressionType: CompressionType;
}

export type CleanupPolicy = 'delete' | 'compact';
export type CompressionType = 'producer' | 'uncompressed' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

const HOUR_MS = 60 * 60 * 1000;

export const DEFAULT_SEGMENT_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_SEGMENT_MS = 168 * HOUR_MS;
export const DEFAULT_SEGMENT_JITTER_MS = 0;
export const DEFAULT_INDEX_INTERVAL_BYTES = 4096;
export const DEFAULT_MAX_INDEX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
export const DEFAULT_FLUSH_INTERVAL_MESSAGES = Infinity;
export const DEFAULT_FLUSH_INTERVAL_MS = Infinity;
export const DEFAULT_RETENTION_MS = 168 * HOUR_MS;
export const DEFAULT_RETENTION_BYTES = -1;
export const DEFAULT_MESSAGE_TIMESTAMP_DIFFERENCE_MAX_MS = Infinity;
export const DEFAULT_CLEANUP_POLICY: readonly CleanupPolicy[] = Object.freeze(['delete']);
export const DEFAULT_MIN_COMPACTION_LAG_MS = 0;
export const DEFAULT_MAX_COMPACTION_LAG_MS = Infinity;
export const DEFAULT_DELETE_RETENTION_MS = 24 * HOUR_MS;
export const DEFAULT_MIN_CLEANABLE_DIRTY_RATIO = 0.5;
export const DEFAULT_FILE_DELETE_DELAY_MS = 60_000;
export const DEFAULT_COMPRESSION_TYPE: CompressionType = 'producer';
/** `log.retention.check.interval.ms`: how often the log manager runs retention. */
export const DEFAULT_RETENTION_CHECK_INTERVAL_MS = 300_000;
/** `log.flush.offset.checkpoint.interval.ms`: recovery-point checkpoint period. */
export const DEFAULT_RECOVERY_POINT_CHECKPOINT_INTERVAL_MS = 60_000;
/** `log.flush.start.offset.checkpoint.interval.ms`: log-start-offset checkpoint period. */
export const DEFAULT_LOG_START_OFFSET_CHECKPOINT_INTERVAL_MS = 60_000;

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: DEFAULT_SEGMENT_BYTES,
  segmentMs: DEFAULT_SEGMENT_MS,
  segmentJitterMs: DEFAULT_SEGMENT_JITTER_MS,
  indexIntervalBytes: DEFAULT_INDEX_INTERVAL_BYTES,
  maxIndexBytes: DEFAULT_MAX_INDEX_BYTES,
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  flushIntervalMessages: DEFAULT_FLUSH_INTERVAL_MESSAGES,
  flushIntervalMs: DEFAULT_FLUSH_INTERVAL_MS,
  retentionMs: DEFAULT_RETENTION_MS,
  retentionBytes: DEFAULT_RETENTION_BYTES,
  messageTimestampType: 'CreateTime',
  messageTimestampDifferenceMaxMs: DEFAULT_MESSAGE_TIMESTAMP_DIFFERENCE_MAX_MS,
  cleanupPolicy: DEFAULT_CLEANUP_POLICY,
  minCompactionLagMs: DEFAULT_MIN_COMPACTION_LAG_MS,
  maxCompactionLagMs: DEFAULT_MAX_COMPACTION_LAG_MS,
  deleteRetentionMs: DEFAULT_DELETE_RETENTION_MS,
  minCleanableDirtyRatio: DEFAULT_MIN_CLEANABLE_DIRTY_RATIO,
  fileDeleteDelayMs: DEFAULT_FILE_DELETE_DELAY_MS,
  compressionType: DEFAULT_COMPRESSION_TYPE,
});

/** Kafka's defaults with some fields overridden. */
export function logConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides };
}
