/**
 * The file mechanics shared by the offset index (.index) and the time index (.timeindex):
 * a flat array of fixed-size big-endian entries, sorted, kept in memory and written to disk.
 *
 * Kafka memory-maps its index files, so every entry lands in the page cache the moment it is
 * added. Node cannot mmap, so we keep the entries in a Buffer and write the new ones with
 * write(2) when the segment is flushed, rolled or closed. That is safe because an index is
 * only a cache of the .log file: after an unclean shutdown every segment from the recovery
 * point on is re-scanned and its indexes rebuilt (see log-segment.ts), and every segment
 * before the recovery point was flushed, indexes included.
 *
 * Like Kafka, the index of the active segment is preallocated (a sparse file of
 * `maxIndexBytes`, i.e. log.index.size.max.bytes) and trimmed to its real size when the
 * segment is rolled or closed. A preallocated file has a tail of zero entries; since entries
 * are strictly increasing, the loader stops at the first entry that does not increase
 * (`isValidNext`), which also rejects the zeros.
 *
 * Entries of inactive segments are loaded lazily, on the first lookup, so a broker with
 * thousands of old segments does not hold all their indexes in memory at start-up.
 *
 * Single-threaded: only the owning segment calls these methods, each runs to completion.
 */
import * as fs from 'node:fs';
import { invariant } from '../../src/assert.js';

/**
 * The entries of every index that holds none (most of a new topic's partitions): shared,
 * never written (appendSlot allocates before the first entry), so that thousands of empty
 * indexes do not cost a Buffer each.
 */
const NO_ENTRIES = Buffer.alloc(0);

export abstract class IndexFile {
  /** Changes only by `renameTo` (a segment's `.cleaned` -> `.swap` -> live, or `.deleted`). */
  #path: string;
  readonly baseOffset: number;
  readonly entryBytes: number;
  /** How many entries fit in maxIndexBytes; a full index makes the segment roll. */
  readonly maxEntries: number;
  #entries: Buffer | undefined;
  #count = 0;
  /** Entries [0, #writtenCount) are already in the file. */
  #writtenCount = 0;
  /** Size of the file on disk (preallocated or trimmed). */
  #fileBytes = 0;

  protected constructor(options: {
    path: string;
    baseOffset: number;
    entryBytes: number;
    maxIndexBytes: number;
  }) {
    this.#path = options.path;
    this.baseOffset = options.baseOffset;
    this.entryBytes = options.entryBytes;
    this.maxEntries = Math.floor(options.maxIndexBytes / options.entryBytes);
    invariant(this.maxEntries > 0, `index of ${options.maxIndexBytes} bytes holds no entry`);
    if (fs.existsSync(this.path)) {
      this.#fileBytes = fs.statSync(this.path).size;
    } else {
      fs.writeFileSync(this.path, Buffer.alloc(0));
    }
  }

  /** True if entry `i` can follow entry `i - 1` (or be the first, when i = 0). */
  protected abstract isValidNext(entries: Buffer, i: number): boolean;

  get entryCount(): number {
    this.#load();
    return this.#count;
  }

  get isFull(): boolean {
    return this.entryCount >= this.maxEntries;
  }

  /** The in-memory entries; subclasses read them with their own layout. */
  protected get entries(): Buffer {
    this.#load();
    return this.#entries!;
  }

  /**
   * Binary search: the index of the greatest entry whose key is <= target, or -1 if every
   * entry's key is greater (or there are none).
   */
  protected largestLowerBound(target: number, keyAt: (i: number) => number): number {
    let lo = 0;
    let hi = this.entryCount - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (keyAt(mid) <= target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Reserves room for one more entry and returns its byte position in `entries`. */
  protected appendSlot(): number {
    this.#load();
    invariant(this.#count < this.maxEntries, `index ${this.path} is full`);
    const needed = (this.#count + 1) * this.entryBytes;
    if (this.#entries!.length < needed) {
      // Grow geometrically but never past the preallocated maximum.
      const grown = Math.min(
        this.maxEntries * this.entryBytes,
        Math.max(needed, this.#entries!.length * 2, 1024),
      );
      const next = Buffer.alloc(grown);
      this.#entries!.copy(next, 0, 0, this.#count * this.entryBytes);
      this.#entries = next;
    }
    const position = this.#count * this.entryBytes;
    this.#count++;
    return position;
  }

  /** Keeps the first `count` entries (truncation after the log was truncated). */
  protected truncateToEntries(count: number): void {
    this.#load();
    invariant(count >= 0 && count <= this.#count, `bad index truncation to ${count}`);
    this.#count = count;
    if (this.#writtenCount > count) {
      // The file holds entries we just dropped; zero them, or a later load could take them
      // for valid entries.
      this.#writtenCount = count;
      this.#zeroFileFrom(count * this.entryBytes);
    }
  }

  /** Drops every entry (before a rebuild during recovery). */
  reset(): void {
    // No need to read the old entries just to throw them away.
    this.#entries ??= NO_ENTRIES;
    this.truncateToEntries(0);
    if (this.#fileBytes > 0) this.#zeroFileFrom(0);
  }

  /**
   * Writes entries added since the last call (write(2): page cache) and, with `sync`, fsyncs.
   * Called on flush, roll and close.
   */
  persist(sync: boolean): void {
    if (this.#entries === undefined) return; // never loaded, so never changed
    const fd = fs.openSync(this.path, 'r+');
    try {
      if (this.#count > this.#writtenCount) {
        const from = this.#writtenCount * this.entryBytes;
        const to = this.#count * this.entryBytes;
        fs.writeSync(fd, this.#entries, from, to - from, from);
        this.#writtenCount = this.#count;
        this.#fileBytes = Math.max(this.#fileBytes, to);
      }
      if (sync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Preallocates the file to maxIndexBytes (for the active segment), as Kafka does. */
  preallocate(): void {
    const size = this.maxEntries * this.entryBytes;
    if (this.#fileBytes !== size) {
      this.#load(); // the zero tail must not be mistaken for data we have not read yet
      fs.truncateSync(this.path, size);
      this.#fileBytes = size;
    }
  }

  /** Writes pending entries and cuts the file to exactly the entries it holds. */
  trimToValidSize(): void {
    this.persist(false);
    const size = this.#count * this.entryBytes;
    if (this.#entries !== undefined && this.#fileBytes !== size) {
      fs.truncateSync(this.path, size);
      this.#fileBytes = size;
    }
  }

  get path(): string {
    return this.#path;
  }

  /** Renames the file (entries not yet written go to the new name later). */
  renameTo(newPath: string): void {
    fs.renameSync(this.#path, newPath);
    this.#path = newPath;
  }

  deleteFile(): void {
    fs.rmSync(this.path, { force: true });
  }

  /**
   * Reads the file on first use and keeps the longest valid prefix of entries. Whatever lies
   * beyond that prefix (preallocated zeros, or garbage from a crash) is zeroed on disk, so
   * that entries appended and written later cannot be followed by stale ones.
   */
  #load(): void {
    if (this.#entries !== undefined) return;
    const bytes = this.#fileBytes > 0 ? fs.readFileSync(this.path) : Buffer.alloc(0);
    const available = Math.min(this.maxEntries, Math.floor(bytes.length / this.entryBytes));
    let count = 0;
    while (count < available && this.isValidNext(bytes, count)) count++;
    const validBytes = count * this.entryBytes;
    // Copy the prefix out: the file of an active segment is 10 MiB of mostly zeros.
    this.#entries = validBytes === 0 ? NO_ENTRIES : Buffer.from(bytes.subarray(0, validBytes));
    this.#count = count;
    this.#writtenCount = count;
    if (this.#fileBytes > validBytes) this.#zeroFileFrom(validBytes);
  }

  /** Shrinking a file and growing it back zero-fills the part in between. */
  #zeroFileFrom(position: number): void {
    fs.truncateSync(this.path, position);
    fs.truncateSync(this.path, this.#fileBytes);
  }
}
