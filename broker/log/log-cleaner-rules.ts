/**
 * The log cleaner's decisions, as pure functions of numbers: which part of a log may be
 * compacted, which log to compact next, and which record to keep. Modelled on Kafka 2.8's
 * `LogCleanerManager.cleanableOffsets`, `maxCompactionDelay`, `grabFilthiestCompactedLog`,
 * `LogToClean` and `Cleaner.shouldRetainRecord`. The cleaner (log-cleaner.ts) gathers the
 * numbers from the disk and carries out what these functions decide; tests call them
 * directly.
 *
 * A compacted log, from the log start offset to the log end offset:
 *
 *   logStartOffset     firstDirtyOffset           firstUncleanableOffset  active   LEO
 *   |---- clean ---------|---- dirty, cleanable -----|---- dirty, not yet ----|------|
 *
 * - clean: compacted already (the cleaner's checkpoint, `cleaner-offset-checkpoint`, says
 *   where it ends);
 * - cleanable: written since, and old enough to compact. It ends at the first of: the active
 *   segment (never compacted: it is being written), the high watermark (records not yet
 *   committed may still be truncated away), the first unstable offset (an open transaction),
 *   and the first segment holding a record younger
 *   than min.compaction.lag.ms (a consumer is promised it can read every record that young);
 * - the cleaner builds a key -> latest offset map over the cleanable part and then rewrites
 *   the *whole* log below the end of that map, clean part included: a new value of a key
 *   removes its old values wherever they are.
 *
 * Which log: the one with the largest dirty ratio, cleanable bytes / (clean + cleanable bytes),
 * among those above their min.cleanable.dirty.ratio, or that have a record older than
 * max.compaction.lag.ms still uncleaned (those must be compacted now, whatever their ratio).
 *
 * Tombstones (records with a null value) tell consumers a key was deleted, so they must
 * stay long enough for every consumer to see them: delete.retention.ms after the segment
 * holding them was cleaned. Kafka 2.8 measures that with file modification times: the delete
 * horizon is the modification time of the last clean segment minus delete.retention.ms, and a
 * segment modified before the horizon loses its tombstones in the next cleaning.
 */

/** What the cleaner needs to know of one segment (the active one last). */
export interface SegmentSummary {
  baseOffset: number;
  /** The next segment's base offset, or the log end offset for the last one. */
  endOffset: number;
  sizeBytes: number;
  /** The largest record timestamp in the segment (file mtime when it has none). */
  largestTimestamp: number;
  /** The first batch's maxTimestamp, -1 if unknown. */
  firstBatchTimestamp: number;
  lastModifiedMs: number;
}

export interface CompactionLagConfig {
  minCompactionLagMs: number;
  maxCompactionLagMs: number;
}

export interface CleanableOffsets {
  firstDirtyOffset: number;
  firstUncleanableOffset: number;
  /** The checkpoint was outside the log (retention, DeleteRecords): it must be rewritten. */
  forceUpdateCheckpoint: boolean;
}

/**
 * Where the cleanable part of a log starts and ends. `checkpointedDirtyOffset` is the
 * cleaner's checkpoint for the log, undefined if it was never cleaned.
 */
export function cleanableOffsets(options: {
  segments: readonly SegmentSummary[];
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
  /** The first offset of the oldest transaction not yet stable (none: undefined). */
  firstUnstableOffset?: number | undefined;
  checkpointedDirtyOffset: number | undefined;
  config: CompactionLagConfig;
  nowMs: number;
}): CleanableOffsets {
  const { segments, logStartOffset, logEndOffset } = options;
  const checkpoint = options.checkpointedDirtyOffset ?? logStartOffset;
  // A checkpoint below the start (retention moved it) or past the end (the log was truncated
  // or re-created) cannot be used: start over from the log start offset.
  const outside = checkpoint < logStartOffset || checkpoint > logEndOffset;
  const firstDirtyOffset = outside ? logStartOffset : checkpoint;
  const active = segments[segments.length - 1];
  const bounds = [options.highWatermark, active?.baseOffset ?? logEndOffset];
  // Records of a transaction that may still abort (or whose marker is not committed yet) are
  // not compacted: Kafka's firstUncleanableDirtyOffset includes the first unstable offset.
  if (options.firstUnstableOffset !== undefined) bounds.push(options.firstUnstableOffset);
  const minLagMs = Math.max(options.config.minCompactionLagMs, 0);
  if (minLagMs > 0) {
    const tooYoung = dirtyInactiveSegments(segments, firstDirtyOffset).find(
      (s) => s.largestTimestamp > options.nowMs - minLagMs,
    );
    if (tooYoung !== undefined) bounds.push(tooYoung.baseOffset);
  }
  return {
    firstDirtyOffset,
    firstUncleanableOffset: Math.max(firstDirtyOffset, Math.min(...bounds)),
    forceUpdateCheckpoint: outside,
  };
}

/**
 * How long ago the log should have been compacted because of max.compaction.lag.ms
 * (Kafka's maxCompactionDelay): 0 when no uncleaned record is that old yet.
 */
export function maxCompactionDelayMs(options: {
  segments: readonly SegmentSummary[];
  firstDirtyOffset: number;
  config: CompactionLagConfig;
  nowMs: number;
}): number {
  if (!Number.isFinite(options.config.maxCompactionLagMs)) return 0;
  const timestamps = dirtyInactiveSegments(options.segments, options.firstDirtyOffset)
    .map((s) => s.firstBatchTimestamp)
    .filter((t) => t > 0);
  if (timestamps.length === 0) return 0;
  const cleanUntilMs = options.nowMs - Math.max(options.config.maxCompactionLagMs, 0);
  const earliest = Math.min(...timestamps);
  return earliest < cleanUntilMs ? cleanUntilMs - earliest : 0;
}

/** The segments overlapping [from, to) (Kafka's logSegments(from, to)). */
export function segmentsOverlapping<S extends { baseOffset: number; endOffset: number }>(
  segments: readonly S[],
  from: number,
  to: number,
): S[] {
  return segments.filter((s) => s.baseOffset < to && s.endOffset > from);
}

function dirtyInactiveSegments(
  segments: readonly SegmentSummary[],
  firstDirtyOffset: number,
): SegmentSummary[] {
  return segments.slice(0, -1).filter((s) => s.endOffset > firstDirtyOffset);
}

/** One compacted log as a candidate for the next cleaning (Kafka's LogToClean). */
export interface LogToClean<K> {
  key: K;
  offsets: CleanableOffsets;
  cleanBytes: number;
  cleanableBytes: number;
  /** cleanable / (clean + cleanable); 0 for an empty log. */
  dirtyRatio: number;
  needCompactionNow: boolean;
  minCleanableDirtyRatio: number;
}

export function logToClean<K>(options: {
  key: K;
  segments: readonly SegmentSummary[];
  offsets: CleanableOffsets;
  maxCompactionDelayMs: number;
  minCleanableDirtyRatio: number;
}): LogToClean<K> {
  const { segments, offsets } = options;
  const size = (list: readonly SegmentSummary[]) => list.reduce((n, s) => n + s.sizeBytes, 0);
  const cleanBytes = size(segmentsOverlapping(segments, -1, offsets.firstDirtyOffset));
  const cleanableBytes = size(
    segmentsOverlapping(segments, offsets.firstDirtyOffset, offsets.firstUncleanableOffset),
  );
  const total = cleanBytes + cleanableBytes;
  return {
    key: options.key,
    offsets,
    cleanBytes,
    cleanableBytes,
    dirtyRatio: total === 0 ? 0 : cleanableBytes / total,
    needCompactionNow: options.maxCompactionDelayMs > 0,
    minCleanableDirtyRatio: options.minCleanableDirtyRatio,
  };
}

/**
 * The log to clean next (Kafka's grabFilthiestCompactedLog), or undefined: among the logs
 * with something to clean that either must be compacted now (max.compaction.lag.ms) or are
 * dirtier than their min.cleanable.dirty.ratio, the one with the largest dirty ratio.
 */
export function chooseFilthiestLog<K>(
  candidates: readonly LogToClean<K>[],
): LogToClean<K> | undefined {
  let best: LogToClean<K> | undefined;
  for (const c of candidates) {
    if (c.cleanBytes + c.cleanableBytes === 0) continue;
    const eligible =
      (c.needCompactionNow && c.cleanableBytes > 0) || c.dirtyRatio > c.minCleanableDirtyRatio;
    if (eligible && (best === undefined || c.dirtyRatio > best.dirtyRatio)) best = c;
  }
  return best;
}

/**
 * The delete horizon: tombstones in segments last modified before it are removed. It is the
 * modification time of the last segment of the clean part, minus delete.retention.ms; 0 (keep
 * every tombstone) when nothing was cleaned yet, so that a tombstone always survives its
 * first cleaning and stays for at least delete.retention.ms after it.
 */
export function deleteHorizonMs(options: {
  segments: readonly SegmentSummary[];
  firstDirtyOffset: number;
  deleteRetentionMs: number;
}): number {
  const clean = segmentsOverlapping(options.segments, 0, options.firstDirtyOffset);
  const last = clean[clean.length - 1];
  return last === undefined ? 0 : last.lastModifiedMs - options.deleteRetentionMs;
}

/**
 * Whether the cleaner keeps a record (Kafka's shouldRetainRecord):
 * - past the end of the offset map: yes (that part of the log was not looked at);
 * - no key: no. A compacted topic cannot hold keyless records (Kafka refuses them at produce
 *   time); any that got in (written before the topic became compacted) are dropped;
 * - otherwise only the latest record of its key (an offset the map does not know, -1, is
 *   older than anything: kept), and a tombstone only while its segment is newer than the
 *   delete horizon (`retainDeletes`).
 */
export function shouldRetainRecord(options: {
  offset: number;
  hasKey: boolean;
  hasValue: boolean;
  /** The map's offset for the record's key (-1 when absent). */
  latestOffsetForKey: number;
  mapLatestOffset: number;
  retainDeletes: boolean;
}): boolean {
  if (options.offset > options.mapLatestOffset) return true;
  if (!options.hasKey) return false;
  const isLatest = options.offset >= options.latestOffsetForKey;
  return isLatest && (options.hasValue || options.retainDeletes);
}

/**
 * Groups consecutive segments to be cleaned into one new segment each (Kafka's
 * groupSegmentsBySize): a group stays under segment.bytes and its offsets within the int32
 * range of the indexes, so the cleaned segment is a valid segment. Takes and returns indexes
 * into `segments`.
 */
export function groupSegmentsBySize(
  segments: readonly { baseOffset: number; endOffset: number; sizeBytes: number }[],
  maxSegmentBytes: number,
): number[][] {
  const INT32_MAX = 0x7fff_ffff;
  const groups: number[][] = [];
  let i = 0;
  while (i < segments.length) {
    const group = [i];
    let bytes = segments[i]!.sizeBytes;
    const base = segments[i]!.baseOffset;
    i++;
    while (
      i < segments.length &&
      bytes + segments[i]!.sizeBytes <= maxSegmentBytes &&
      segments[i]!.endOffset - 1 - base <= INT32_MAX
    ) {
      bytes += segments[i]!.sizeBytes;
      group.push(i);
      i++;
    }
    groups.push(group);
  }
  return groups;
}
