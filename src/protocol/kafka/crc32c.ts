/**
 * CRC-32C (Castagnoli), the checksum of Kafka's record batch format v2 (magic 2).
 *
 * Record batches carry a CRC-32C over the bytes from `attributes` to the end of the batch
 * (see record-batch.ts). Legacy message formats (magic 0/1) used CRC-32 (IEEE) instead,
 * which we do not need. The work is done by `@node-rs/crc32`, a native addon that uses the
 * SSE4.2 `crc32` instruction, so checksumming runs at several GB/s: this matters because
 * the broker checks the CRC of every batch a producer sends and of every batch it re-reads
 * during recovery.
 *
 * Check value: crc32c("123456789") = 0xE3069283.
 */
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/**
 * The CRC-32C of `bytes` as an unsigned 32-bit integer. Pass the result of a previous call
 * as `previous` to checksum data that arrives in pieces:
 * `crc32c(b, crc32c(a)) === crc32c(concat(a, b))`.
 */
export function crc32c(bytes: Uint8Array, previous?: number): number {
  // The addon already returns an unsigned value; `>>> 0` documents (and guarantees) it.
  return nativeCrc32c(bytes, previous) >>> 0;
}
