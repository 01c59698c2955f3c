/**
 * ChunkQueue: the bytes a socket has delivered and a frame reader has not consumed yet, kept as
 * the list of received chunks. Both of our length-prefixed protocols (Kafka's frames, ZooKeeper's
 * packets) read from one.
 *
 * `take(n)` returns the next n bytes. When they lie in the first chunk, the result is a
 * zero-copy slice of it (Node allocates a fresh Buffer for each socket read, so a slice stays
 * valid after the read); when they span chunks, one exact-size copy. Nothing is copied on
 * `push`, so a large frame arriving in many pieces is copied once, when it is complete.
 */
export class ChunkQueue {
  #chunks: Buffer[] = [];
  #bytes = 0;

  /** How many bytes are queued. */
  get length(): number {
    return this.#bytes;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
  }

  /** Removes and returns the next `n` bytes; the caller has checked that `n <= length`. */
  take(n: number): Buffer {
    if (n > this.#bytes) throw new RangeError(`take(${n}) with only ${this.#bytes} bytes queued`);
    this.#bytes -= n;
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= n) {
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0]!;
      const used = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(used);
    }
    return out;
  }

  /** Drops everything queued (the stream failed or ended). */
  clear(): void {
    this.#chunks = [];
    this.#bytes = 0;
  }
}
