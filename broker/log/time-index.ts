/**
 * The time index (`<baseOffset>.timeindex`): maps timestamps to offsets, sparsely, for
 * ListOffsets by timestamp and for time-based retention.
 *
 * On disk: a flat array of 12-byte big-endian entries, no header:
 *
 *   int64 timestamp        the segment's largest batch maxTimestamp so far
 *   int32 relativeOffset   offset - baseOffset of the batch that first reached it (its
 *                          last offset, as Kafka records it for v2 batches)
 *
 * An entry is added together with an offset-index entry (every ~indexIntervalBytes), but
 * only if its timestamp is larger than the last entry's, so timestamps strictly increase and
 * offsets never decrease. When a segment stops being the active one, a final entry records
 * the segment's largest timestamp so far: retention reads it as the segment's age.
 *
 * Each entry is (running maximum timestamp of the segment, offset where that maximum was
 * first reached). lookup(t) returns the greatest entry (T, O) with T <= t. Every batch
 * before the one holding O has a maxTimestamp < T <= t, so the first record with a
 * timestamp >= t cannot be earlier: the segment scans batches from O for the first one
 * whose maxTimestamp >= t, as Kafka does. (Timestamps in a log are not monotonic, which is
 * why the index stores running maxima rather than each batch's timestamp.)
 *
 * Zero entries (a preallocated tail) stop the loader because 0 does not increase on the
 * previous timestamp. File mechanics: index-file.ts.
 */
import { invariant } from '../../src/assert.js';
import { IndexFile } from './index-file.js';
import { readInt64, writeInt64 } from '../../src/protocol/kafka/record-batch.js';

export const TIME_INDEX_ENTRY_BYTES = 12;
const INT32_MAX = 0x7fff_ffff;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex extends IndexFile {
  constructor(options: { path: string; baseOffset: number; maxIndexBytes: number }) {
    super({ ...options, entryBytes: TIME_INDEX_ENTRY_BYTES });
  }

  protected isValidNext(entries: Buffer, i: number): boolean {
    const at = i * TIME_INDEX_ENTRY_BYTES;
    const timestamp = readInt64(entries, at);
    const relativeOffset = entries.readInt32BE(at + 8);
    if (i === 0) return timestamp >= 0 && relativeOffset >= 0;
    const previous = at - TIME_INDEX_ENTRY_BYTES;
    return (
      timestamp > readInt64(entries, previous) &&
      relativeOffset >= entries.readInt32BE(previous + 8)
    );
  }

  entry(i: number): TimestampOffset {
    const at = i * TIME_INDEX_ENTRY_BYTES;
    return {
      timestamp: readInt64(this.entries, at),
      offset: this.baseOffset + this.entries.readInt32BE(at + 8),
    };
  }

  /** The last entry, or (-1, baseOffset) when empty (Kafka's convention). */
  get lastEntry(): TimestampOffset {
    const count = this.entryCount;
    return count === 0 ? { timestamp: -1, offset: this.baseOffset } : this.entry(count - 1);
  }

  /** The greatest entry with timestamp <= target, or (-1, baseOffset) if there is none. */
  lookup(targetTimestamp: number): TimestampOffset {
    const entries = this.entries;
    const i = this.largestLowerBound(targetTimestamp, (k) =>
      readInt64(entries, k * TIME_INDEX_ENTRY_BYTES),
    );
    return i < 0 ? { timestamp: -1, offset: this.baseOffset } : this.entry(i);
  }

  /**
   * Adds (timestamp, offset) if timestamp is larger than the last entry's. `skipFullCheck`
   * lets the final entry on roll be written into an index that is otherwise full (Kafka
   * reserves no slot for it either; a full index already caused the roll, so there is at
   * most one such entry and we simply skip it if there is truly no room).
   */
  maybeAppend(timestamp: number, offset: number, skipFullCheck = false): void {
    const last = this.lastEntry;
    if (timestamp <= last.timestamp) return;
    if (this.isFull) {
      invariant(skipFullCheck, `time index ${this.path} is full: the segment should have rolled`);
      return;
    }
    const relative = offset - this.baseOffset;
    invariant(relative >= 0 && relative <= INT32_MAX, `offset ${offset} outside index range`);
    invariant(offset >= last.offset, `time index offset ${offset} before ${last.offset}`);
    const at = this.appendSlot();
    writeInt64(this.entries, at, timestamp);
    this.entries.writeInt32BE(relative, at + 8);
  }

  /** Removes every entry with offset >= `offset`. Offsets never decrease, so a scan from the
   *  end would do, but binary search on the offset column is just as simple. */
  truncateTo(offset: number): void {
    const entries = this.entries;
    const i = this.largestLowerBound(offset - this.baseOffset - 1, (k) =>
      entries.readInt32BE(k * TIME_INDEX_ENTRY_BYTES + 8),
    );
    this.truncateToEntries(i + 1);
  }
}
