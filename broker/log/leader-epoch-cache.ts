/**
 * The leader epoch cache of one partition replica (Kafka's `LeaderEpochFileCache`, KIP-101 and
 * KIP-279): for every leader epoch this replica has seen records from, the offset of the first
 * record written in that epoch. It lets a follower find out, after a leader change, where its
 * log stopped agreeing with the new leader's: the follower asks the leader "where does my
 * latest epoch end in your log?" (OffsetsForLeaderEpoch) and truncates everything after that.
 *
 * On disk: `leader-epoch-checkpoint` in the partition's directory, Kafka's format:
 *
 *   0          <- format version
 *   3          <- number of entries
 *   0 0        <- epoch 0 started at offset 0
 *   2 1500     <- epoch 2 started at offset 1500 (epoch 1 wrote nothing on this replica)
 *   5 2210
 *
 * The file is rewritten atomically (tmp + fsync + rename) on every change (the first entry of
 * an empty log without the fsyncs, see `assign`). Changes are rare:
 * once per leader change on the leader, once per new epoch seen by a follower, and on
 * truncation.
 *
 * Invariants: epochs and start offsets both strictly increase down the list. `assign` keeps
 * them so by removing entries that a new assignment contradicts (as Kafka does), and
 * truncation removes entries that no longer describe records in the log.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { invariant } from '../../src/assert.js';
import { CheckpointFormatError } from './offset-checkpoint-file.js';
import { fsyncDirectorySync } from './log.js';

export const LEADER_EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint';
/** Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET in OffsetsForLeaderEpoch answers. */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;
const CHECKPOINT_VERSION = 0;

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export function formatLeaderEpochCheckpoint(entries: readonly EpochEntry[]): string {
  const lines = [String(CHECKPOINT_VERSION), String(entries.length)];
  for (const e of entries) lines.push(`${e.epoch} ${e.startOffset}`);
  return lines.join('\n') + '\n';
}

export function parseLeaderEpochCheckpoint(text: string, file: string): EpochEntry[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const fail = (why: string): never => {
    throw new CheckpointFormatError(`malformed ${file}: ${why}`);
  };
  if (lines[0] !== String(CHECKPOINT_VERSION)) fail(`unsupported version "${lines[0] ?? ''}"`);
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count < 0) fail(`bad entry count "${lines[1] ?? ''}"`);
  if (lines.length !== count + 2) fail(`expected ${count} entries, found ${lines.length - 2}`);
  return lines.slice(2).map((line) => {
    const fields = line.split(' ');
    const epoch = Number(fields[0]);
    const startOffset = Number(fields[1]);
    if (fields.length !== 2 || !Number.isInteger(epoch) || !Number.isSafeInteger(startOffset)) {
      fail(`bad line "${line}"`);
    }
    return { epoch, startOffset };
  });
}

/** Where an epoch ends in a log, as OffsetsForLeaderEpoch answers it. */
export interface EpochEndOffset {
  /** The largest epoch <= the requested one that this log has, or UNDEFINED_EPOCH. */
  epoch: number;
  /** The start offset of the next epoch (or the LEO for the latest), or UNDEFINED_EPOCH_OFFSET. */
  endOffset: number;
}

export class LeaderEpochCache {
  readonly #dir: string | undefined;
  #entries: EpochEntry[];

  /**
   * Reads `dir/leader-epoch-checkpoint` (missing: empty). `dir` undefined keeps the cache in
   * memory only (unit tests).
   */
  constructor(dir: string | undefined) {
    this.#dir = dir;
    this.#entries = [];
    if (dir === undefined) return;
    const file = path.join(dir, LEADER_EPOCH_CHECKPOINT_FILE);
    let text: string | undefined;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text !== undefined) this.#entries = parseLeaderEpochCheckpoint(text, file);
  }

  get entries(): readonly EpochEntry[] {
    return this.#entries;
  }

  /** The newest epoch, or undefined when no record was ever written here with an epoch. */
  get latestEpoch(): number | undefined {
    return this.#entries.at(-1)?.epoch;
  }

  /**
   * Records that `epoch` starts at `startOffset`: called by a new leader (at its LEO) and by a
   * follower for each fetched batch. An entry already saying the same is a no-op; otherwise
   * entries with an epoch >= `epoch` or a start offset >= `startOffset` are replaced, because
   * the new fact supersedes them (a follower that truncated and re-fetched, for instance).
   */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0) return;
    const latest = this.#entries.at(-1);
    if (latest !== undefined && latest.epoch === epoch) return;
    if (latest !== undefined && latest.epoch > epoch && latest.startOffset <= startOffset) {
      // An older epoch arriving after a newer one at a later offset: cannot happen for
      // batches copied from a leader; ignore it rather than break the ordering.
      return;
    }
    // The first epoch of an empty log (a new partition's first leader) describes no record
    // yet. Its file is written and renamed into place, which survives the broker being killed,
    // but not fsynced: a new topic with thousands of partitions would otherwise spend two
    // fsyncs per partition (milliseconds each, on the event loop) before its leaders answer
    // anyone. Records appended after it are not fsynced either until a flush (Kafka's
    // flush.messages default), so a power loss costs no more than it did. Every later change
    // is fsynced, as Kafka does.
    const firstOfEmptyLog = this.#entries.length === 0 && startOffset === 0;
    this.#entries = this.#entries.filter((e) => e.epoch < epoch && e.startOffset < startOffset);
    this.#entries.push({ epoch, startOffset });
    this.#flush({ fsync: !firstOfEmptyLog });
  }

  /**
   * Kafka's `endOffsetFor`: where `requestedEpoch` ends in this log whose end is
   * `logEndOffset`. For the latest epoch that is the LEO; for an older one, the start of the
   * first newer epoch. An epoch this log never saw is answered with the largest epoch below
   * it. A requested epoch older than every entry gets itself back, ending where the first
   * entry starts; one newer than every entry (or an empty cache) gets UNDEFINED.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEndOffset {
    const undefinedAnswer = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH) return undefinedAnswer;
    const latest = this.#entries.at(-1);
    if (latest === undefined) return undefinedAnswer;
    if (requestedEpoch === latest.epoch) return { epoch: latest.epoch, endOffset: logEndOffset };
    const higher = this.#entries.find((e) => e.epoch > requestedEpoch);
    if (higher === undefined) return undefinedAnswer;
    const floor = this.#entries.filter((e) => e.epoch <= requestedEpoch).at(-1);
    if (floor === undefined) return { epoch: requestedEpoch, endOffset: higher.startOffset };
    return { epoch: floor.epoch, endOffset: higher.startOffset };
  }

  /** The log was truncated to `endOffset`: forget epochs that started at or after it. */
  truncateFromEnd(endOffset: number): void {
    const kept = this.#entries.filter((e) => e.startOffset < endOffset);
    if (kept.length === this.#entries.length) return;
    this.#entries = kept;
    this.#flush();
  }

  /**
   * The log now starts at `startOffset` (retention, or a follower restarting its log): drop
   * epochs wholly below it; the epoch that contains it now starts there.
   */
  truncateFromStart(startOffset: number): void {
    let containing = -1;
    for (let i = 0; i < this.#entries.length; i++) {
      if (this.#entries[i]!.startOffset <= startOffset) containing = i;
    }
    if (containing < 0) return;
    if (containing === 0 && this.#entries[0]!.startOffset === startOffset) return;
    const kept = this.#entries.slice(containing);
    kept[0] = { epoch: kept[0]!.epoch, startOffset };
    this.#entries = kept;
    this.#flush();
  }

  /** Empties the cache (a follower's log restarted from scratch). */
  clear(): void {
    if (this.#entries.length === 0) return;
    this.#entries = [];
    this.#flush();
  }

  #flush(options: { fsync: boolean } = { fsync: true }): void {
    for (let i = 1; i < this.#entries.length; i++) {
      const [a, b] = [this.#entries[i - 1]!, this.#entries[i]!];
      invariant(a.epoch < b.epoch && a.startOffset < b.startOffset, 'epoch cache out of order');
    }
    if (this.#dir === undefined || !fs.existsSync(this.#dir)) return;
    const file = path.join(this.#dir, LEADER_EPOCH_CHECKPOINT_FILE);
    const tmp = `${file}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, formatLeaderEpochCheckpoint(this.#entries));
      if (options.fsync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    if (options.fsync) fsyncDirectorySync(this.#dir);
  }
}
