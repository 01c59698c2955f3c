/**
 * The log cleaner's key -> latest offset map, in a fixed amount of memory: Kafka's
 * `SkimpyOffsetMap` (kafka.log.OffsetMap, 2.8).
 *
 * Layout: one open-addressing hash table of `slots` entries, each 24 bytes, as in Kafka:
 *
 *   hashes   slots x 16 bytes   the MD5 digest of the key (the key itself is never kept)
 *   offsets  slots x 8 bytes    the latest offset seen for that digest; -1 = empty slot
 *
 * so a map of `log.cleaner.dedupe.buffer.size` bytes holds `bytes / 24` slots, and the cleaner
 * stops adding keys once `slots x log.cleaner.io.buffer.load.factor` (0.9) are used: a fuller
 * table makes probing slow. A key that collides in all 16 bytes with another one would share
 * its offset (Kafka takes the same risk: with MD5 the odds are negligible). Keys are found by
 * linear probing from the slot the digest's first 4 bytes pick.
 *
 * Why digests and not a JavaScript Map of keys: the memory is then exactly bounded (keys may
 * be up to a megabyte each) and no garbage is made per key.
 */
import { createHash } from 'node:crypto';
import { invariant } from '../../src/assert.js';

/** Kafka's bytes per entry: a 16-byte MD5 plus an 8-byte offset. */
export const OFFSET_MAP_ENTRY_BYTES = 24;
const HASH_BYTES = 16;
/** `log.cleaner.io.buffer.load.factor`: the share of slots the cleaner fills at most. */
export const DEFAULT_OFFSET_MAP_LOAD_FACTOR = 0.9;

export class OffsetMap {
  readonly slots: number;
  /** How many keys may go in before `isFull` (slots x load factor). */
  readonly maxEntries: number;
  readonly #hashes: Buffer;
  readonly #offsets: Float64Array;
  #entries = 0;
  #latestOffset = -1;

  constructor(options: { slots: number; loadFactor?: number }) {
    invariant(Number.isSafeInteger(options.slots) && options.slots > 1, 'offset map needs slots');
    this.slots = options.slots;
    // At least one slot stays empty, so that probing for a new key always ends.
    const loadFactor = options.loadFactor ?? DEFAULT_OFFSET_MAP_LOAD_FACTOR;
    this.maxEntries = Math.min(
      options.slots - 1,
      Math.max(1, Math.floor(options.slots * loadFactor)),
    );
    this.#hashes = Buffer.alloc(options.slots * HASH_BYTES);
    this.#offsets = new Float64Array(options.slots).fill(-1);
  }

  /** The slots that `bufferBytes` of dedupe buffer buys (Kafka: memory / 24). */
  static slotsFor(bufferBytes: number): number {
    return Math.max(2, Math.floor(bufferBytes / OFFSET_MAP_ENTRY_BYTES));
  }

  get size(): number {
    return this.#entries;
  }

  get isFull(): boolean {
    return this.#entries >= this.maxEntries;
  }

  /** The largest offset put so far (-1 when empty): the map covers the log up to it. */
  get latestOffset(): number {
    return this.#latestOffset;
  }

  /**
   * Records `offset` as the latest for `key`. Offsets must be put in increasing order.
   * Returns false (and changes nothing) when the key is new and the map is full.
   */
  put(key: Buffer, offset: number): boolean {
    invariant(offset > this.#latestOffset, 'offsets are put in increasing order');
    const digest = md5(key);
    const slot = this.#find(digest);
    if (this.#offsets[slot] === -1) {
      if (this.isFull) return false;
      digest.copy(this.#hashes, slot * HASH_BYTES);
      this.#entries++;
    }
    this.#offsets[slot] = offset;
    this.#latestOffset = offset;
    return true;
  }

  /** The latest offset put for `key`, or -1 when it was never put. */
  get(key: Buffer): number {
    return this.#offsets[this.#find(md5(key))]!;
  }

  /** Either the slot holding `digest` or the empty slot where it would go. */
  #find(digest: Buffer): number {
    let slot = digest.readUInt32BE(0) % this.slots;
    // The table always has an empty slot (maxEntries < slots), so this ends.
    for (;;) {
      if (this.#offsets[slot] === -1) return slot;
      if (digest.equals(this.#hashes.subarray(slot * HASH_BYTES, (slot + 1) * HASH_BYTES)))
        return slot;
      slot = (slot + 1) % this.slots;
    }
  }
}

function md5(key: Buffer): Buffer {
  return createHash('md5').update(key).digest();
}
