/**
 * The offset index (`<baseOffset>.index`): maps offsets to byte positions in the segment's
 * .log file, sparsely, so a read can jump close to the batch it wants and scan from there.
 *
 * On disk: a flat array of 8-byte big-endian entries, no header:
 *
 *   int32 relativeOffset   offset - baseOffset of the segment (fits in 4 bytes because a
 *                          segment rolls before its offsets span more than 2^31)
 *   int32 position         byte position in the .log file of the batch holding that offset
 *
 * The segment adds an entry after roughly every `indexIntervalBytes` (4096) appended bytes:
 * the entry is (last offset of a batch, position where that batch starts). Both columns are
 * strictly increasing, so a lookup is a binary search for the greatest entry <= target,
 * followed by a short scan of the .log from its position. An offset smaller than every
 * entry starts the scan at position 0.
 *
 * The first entry never has position 0 (the first batch of a segment is never indexed,
 * because no bytes precede it), so an all-zero entry always marks the end of the valid data
 * in a preallocated file. File mechanics (preallocation, lazy loading, writing): index-file.ts.
 */
import { invariant } from '../../src/assert.js';
import { IndexFile } from './index-file.js';

export const OFFSET_INDEX_ENTRY_BYTES = 8;
const INT32_MAX = 0x7fff_ffff;

export interface OffsetPosition {
  offset: number;
  position: number;
}

export class OffsetIndex extends IndexFile {
  constructor(options: { path: string; baseOffset: number; maxIndexBytes: number }) {
    super({ ...options, entryBytes: OFFSET_INDEX_ENTRY_BYTES });
  }

  protected isValidNext(entries: Buffer, i: number): boolean {
    const at = i * OFFSET_INDEX_ENTRY_BYTES;
    const relativeOffset = entries.readInt32BE(at);
    const position = entries.readInt32BE(at + 4);
    if (i === 0) return relativeOffset >= 0 && position > 0;
    return (
      relativeOffset > entries.readInt32BE(at - OFFSET_INDEX_ENTRY_BYTES) &&
      position > entries.readInt32BE(at - OFFSET_INDEX_ENTRY_BYTES + 4)
    );
  }

  entry(i: number): OffsetPosition {
    const at = i * OFFSET_INDEX_ENTRY_BYTES;
    return {
      offset: this.baseOffset + this.entries.readInt32BE(at),
      position: this.entries.readInt32BE(at + 4),
    };
  }

  /** The last indexed offset, or baseOffset when the index is empty (as in Kafka). */
  get lastOffset(): number {
    const count = this.entryCount;
    return count === 0 ? this.baseOffset : this.entry(count - 1).offset;
  }

  /** The greatest entry with offset <= target, or (baseOffset, 0) if there is none. */
  lookup(targetOffset: number): OffsetPosition {
    const relative = targetOffset - this.baseOffset;
    const entries = this.entries;
    const i = this.largestLowerBound(relative, (k) =>
      entries.readInt32BE(k * OFFSET_INDEX_ENTRY_BYTES),
    );
    return i < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(i);
  }

  append(offset: number, position: number): void {
    const relative = offset - this.baseOffset;
    invariant(relative >= 0 && relative <= INT32_MAX, `offset ${offset} outside index range`);
    const count = this.entryCount;
    if (count > 0) {
      const last = this.entry(count - 1);
      invariant(offset > last.offset, `index offset ${offset} after ${last.offset}`);
      invariant(position > last.position, `index position ${position} after ${last.position}`);
    } else {
      invariant(position > 0, 'the first batch of a segment is never indexed');
    }
    const at = this.appendSlot();
    this.entries.writeInt32BE(relative, at);
    this.entries.writeInt32BE(position, at + 4);
  }

  /** Removes every entry with offset >= `offset` (the log is being truncated there). */
  truncateTo(offset: number): void {
    const entries = this.entries;
    const i = this.largestLowerBound(offset - this.baseOffset - 1, (k) =>
      entries.readInt32BE(k * OFFSET_INDEX_ENTRY_BYTES),
    );
    this.truncateToEntries(i + 1);
  }
}
