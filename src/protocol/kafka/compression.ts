/**
 * The four codecs of Kafka record batches (attributes bits 0-2), with the framing Kafka's
 * Java client writes and reads, so batches we compress are read by every client and batches
 * any client compressed are read by us:
 *
 *   1 gzip    RFC 1952 gzip stream                             node:zlib
 *   2 snappy  xerial snappy-java framing: the 16-byte header    snappy (napi-rs)
 *             82 'SNAPPY' 00 | version 1 | compatible 1, then blocks of int32 length +
 *             raw snappy (32 KiB of input each). Raw (unframed) snappy, as some clients
 *             write it, is read too.
 *   3 lz4     LZ4 frame format (magic 04 22 4D 18), KIP-57       lz4-napi
 *   4 zstd    Zstandard frames (KIP-110; Produce v7+, Fetch v10+) zstd-napi
 *
 * Only the records section of a batch (everything after the 61-byte header) is compressed.
 *
 * Decompression is bounded by `maxBytes`, and the bound holds before anything is allocated,
 * never after: the bytes are whatever a producer sent, and a size that a header claims is
 * not a reason to allocate it. Kafka inflates through a BufferSupplier a chunk at a time
 * (ChunkedBytesStream); so do we, and we stop at the bound. Per codec:
 *
 *   gzip    zlib inflates in 16 KiB steps and stops at maxOutputLength.
 *   snappy  each raw block starts with its uncompressed length (a varint); the library
 *           allocates it whole, so the length is checked first: against what is left of the
 *           bound, and against 22 times the block's size (a snappy copy element of 3 bytes
 *           yields at most 64, so no honest block inflates more than that).
 *   lz4     the frame is walked first without writing anything (block sizes against the
 *           frame's maximum block size, every sequence's literal and match lengths), which
 *           gives the exact inflated size; only when it is within the bound does the native
 *           decoder run. A declared content size that differs from it is corrupt.
 *   zstd    the frame is decoded in chunks (at most 8 MiB each, the first sized by the
 *           declared content size when there is one) and stops once the output passes the
 *           bound. A declared content size over the bound is refused before decoding.
 *           zstd's own window limit (2^27 bytes, ZSTD_WINDOWLOG_LIMIT_DEFAULT) stays.
 *
 * What is refused throws DecompressionError; the broker answers it with CORRUPT_MESSAGE.
 * (Kafka 2.8 answers a stream it cannot inflate with UNKNOWN_SERVER_ERROR, "Failed to
 * decompress record stream", and has no bound of its own besides the JVM heap.)
 */
import { createRequire } from 'node:module';
import { gunzipSync, gzipSync } from 'node:zlib';
import snappy from 'snappy';
import lz4 from 'lz4-napi';
import * as zstd from 'zstd-napi';

// The low-level zstd binding (streaming decompression into buffers we size). It is a native
// CommonJS module whose names ESM cannot see, hence require.
const zstdBinding = createRequire(import.meta.url)(
  'zstd-napi/binding.js',
) as typeof import('zstd-napi/binding.js');

export type CodecName = 'gzip' | 'snappy' | 'lz4' | 'zstd';

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;
/** snappy-java's default block size. */
const XERIAL_BLOCK_BYTES = 32 * 1024;
/** No raw snappy block inflates to more than this many times its size (see above). */
const SNAPPY_RATIO_MAX = 22;

/** Output chunks: the first at least this large, later ones doubling up to the most. */
const CHUNK_BYTES_MIN = 64 * 1024;
const CHUNK_BYTES_MAX = 8 * 1024 * 1024;

export class DecompressionError extends Error {
  override name = 'DecompressionError';
}

export function compress(codec: CodecName, data: Buffer): Buffer {
  switch (codec) {
    case 'gzip':
      return gzipSync(data);
    case 'snappy':
      return xerialCompress(data);
    case 'lz4':
      return lz4.compressFrameSync(data);
    case 'zstd':
      return zstd.compress(data);
    default: {
      const never: never = codec;
      return never;
    }
  }
}

/** Inflates `data`; throws DecompressionError when it is corrupt or larger than maxBytes. */
export function decompress(codec: CodecName, data: Buffer, maxBytes: number): Buffer {
  let out: Buffer;
  try {
    switch (codec) {
      case 'gzip':
        out = gunzipSync(data, { maxOutputLength: maxBytes });
        break;
      case 'snappy':
        out = xerialDecompress(data, maxBytes);
        break;
      case 'lz4':
        out = lz4Decompress(data, maxBytes);
        break;
      case 'zstd':
        out = zstdDecompress(data, maxBytes);
        break;
      default: {
        const never: never = codec;
        return never;
      }
    }
  } catch (err) {
    if (err instanceof DecompressionError) throw err;
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE')
      throw tooLarge(codec, maxBytes);
    throw new DecompressionError(`cannot decompress ${codec} records: ${String(err)}`, {
      cause: err,
    });
  }
  if (out.length > maxBytes) throw tooLarge(codec, maxBytes);
  return out;
}

function tooLarge(codec: CodecName, maxBytes: number): DecompressionError {
  return new DecompressionError(`${codec} records inflate past ${maxBytes} bytes`);
}

/**
 * Output collected a chunk at a time, never more than `maxBytes` in all: each chunk is at
 * most what is left of the bound plus one byte, so passing the bound is noticed having
 * allocated at most one byte more than it.
 */
class BoundedOutput {
  readonly #chunks: Buffer[] = [];
  #total = 0;
  #next: number;

  constructor(
    readonly codec: CodecName,
    readonly maxBytes: number,
    firstChunkBytes: number,
  ) {
    this.#next = Math.min(CHUNK_BYTES_MAX, Math.max(CHUNK_BYTES_MIN, firstChunkBytes));
  }

  /** A buffer for the decoder to write into. */
  room(): Buffer {
    const size = Math.min(this.#next, this.maxBytes - this.#total + 1);
    this.#next = Math.min(CHUNK_BYTES_MAX, this.#next * 2);
    return Buffer.allocUnsafe(size);
  }

  /** The decoder wrote `produced` bytes at the start of `chunk`. */
  add(chunk: Buffer, produced: number): void {
    this.#total += produced;
    if (this.#total > this.maxBytes) throw tooLarge(this.codec, this.maxBytes);
    if (produced > 0) this.#chunks.push(chunk.subarray(0, produced));
  }

  result(): Buffer {
    if (this.#chunks.length === 1) return this.#chunks[0]!;
    return Buffer.concat(this.#chunks, this.#total);
  }
}

// --- zstd ------------------------------------------------------------------------------

let zstdContext: InstanceType<typeof zstdBinding.DCtx> | undefined;

function zstdDecompress(data: Buffer, maxBytes: number): Buffer {
  if (data.length === 0) throw new DecompressionError('empty zstd records');
  // What the first frame's header claims (null when it does not say). The claim only sizes
  // the first chunk; a claim over the bound is refused without decoding.
  const declared = zstdBinding.getFrameContentSize(data);
  if (declared !== null && declared > maxBytes) {
    throw new DecompressionError(
      `zstd frame claims ${declared} bytes, more than the ${maxBytes} allowed`,
    );
  }
  const dctx = (zstdContext ??= new zstdBinding.DCtx());
  const out = new BoundedOutput('zstd', maxBytes, declared ?? data.length * 4);
  let input = data;
  try {
    for (;;) {
      const room = out.room();
      const [remaining, produced, consumed] = dctx.decompressStream(room, input);
      out.add(room, produced);
      input = input.subarray(consumed);
      // 0: a frame is complete and flushed; more input may hold another frame.
      if (remaining === 0 && input.length === 0) return out.result();
      if (input.length === 0 && produced < room.length) {
        throw new DecompressionError('truncated zstd frame');
      }
      if (produced === 0 && consumed === 0) throw new DecompressionError('zstd made no progress');
    }
  } catch (err) {
    // A frame left half decoded must not leak into the next call.
    dctx.reset(zstdBinding.ResetDirective.sessionOnly);
    throw err;
  }
}

// --- lz4 -------------------------------------------------------------------------------

const LZ4_MAGIC = 0x184d2204;
/** Skippable frames: magic 0x184D2A50 to 0x184D2A5F, then a 4-byte length. */
const LZ4_SKIPPABLE_MAGIC = 0x184d2a50;
/** Block maximum sizes by the BD byte's bits 4-6 (4: 64 KiB ... 7: 4 MiB). */
const LZ4_BLOCK_MAX: Record<number, number> = {
  4: 64 * 1024,
  5: 256 * 1024,
  6: 1024 * 1024,
  7: 4 * 1024 * 1024,
};

function lz4Decompress(data: Buffer, maxBytes: number): Buffer {
  const size = lz4FrameContentBytes(data, maxBytes);
  const out = lz4.decompressFrameSync(data);
  if (out.length !== size) {
    throw new DecompressionError(`lz4 frame inflated to ${out.length} bytes, not ${size}`);
  }
  return out;
}

/**
 * The exact number of bytes an LZ4 frame (or frames) inflates to, by walking its blocks and
 * sequences without writing them. Throws DecompressionError when the framing is broken or
 * the total passes `maxBytes`. Offsets and checksums are left to the decoder.
 */
export function lz4FrameContentBytes(data: Buffer, maxBytes: number): number {
  const corrupt = (what: string): never => {
    throw new DecompressionError(`corrupt lz4 frame: ${what}`);
  };
  let total = 0;
  let p = 0;
  if (data.length === 0) corrupt('no frame');
  while (p < data.length) {
    if (p + 4 > data.length) corrupt('truncated magic');
    const magic = data.readUInt32LE(p);
    p += 4;
    if ((magic & 0xfffffff0) === LZ4_SKIPPABLE_MAGIC) {
      if (p + 4 > data.length) corrupt('truncated skippable frame');
      p += 4 + data.readUInt32LE(p);
      if (p > data.length) corrupt('truncated skippable frame');
      continue;
    }
    if (magic !== LZ4_MAGIC) corrupt(`bad magic 0x${magic.toString(16)}`);
    if (p + 3 > data.length) corrupt('truncated frame descriptor');
    const flags = data[p]!;
    const bd = data[p + 1]!;
    p += 2;
    if (flags >> 6 !== 1) corrupt(`version ${flags >> 6}`);
    const blockChecksum = (flags & 0x10) !== 0;
    const hasContentSize = (flags & 0x08) !== 0;
    const contentChecksum = (flags & 0x04) !== 0;
    const hasDictId = (flags & 0x01) !== 0;
    const blockMax = LZ4_BLOCK_MAX[(bd >> 4) & 0x07] ?? corrupt(`block size id ${bd >> 4}`);
    let declared: number | undefined;
    if (hasContentSize) {
      if (p + 8 > data.length) corrupt('truncated content size');
      declared = data.readUInt32LE(p + 4) * 2 ** 32 + data.readUInt32LE(p);
      p += 8;
    }
    if (hasDictId) p += 4;
    p += 1; // header checksum
    if (p > data.length) corrupt('truncated frame descriptor');
    let frameBytes = 0;
    for (;;) {
      if (p + 4 > data.length) corrupt('truncated block size');
      const word = data.readUInt32LE(p);
      p += 4;
      if (word === 0) break; // end mark
      const blockBytes = word & 0x7fffffff;
      if (blockBytes > blockMax) corrupt(`block of ${blockBytes} bytes, more than ${blockMax}`);
      if (p + blockBytes > data.length) corrupt('truncated block');
      const inflated =
        (word & 0x80000000) !== 0 ? blockBytes : lz4BlockBytes(data, p, p + blockBytes, blockMax);
      p += blockBytes + (blockChecksum ? 4 : 0);
      frameBytes += inflated;
      if (total + frameBytes > maxBytes) throw tooLarge('lz4', maxBytes);
    }
    if (contentChecksum) p += 4;
    if (p > data.length) corrupt('truncated checksum');
    if (declared !== undefined && declared !== frameBytes) {
      corrupt(`content size ${declared} declared, ${frameBytes} in the blocks`);
    }
    total += frameBytes;
  }
  return total;
}

/** What one compressed LZ4 block inflates to: the sum of its sequences' lengths. */
function lz4BlockBytes(data: Buffer, start: number, end: number, blockMax: number): number {
  const corrupt = (what: string): never => {
    throw new DecompressionError(`corrupt lz4 block: ${what}`);
  };
  let p = start;
  let out = 0;
  while (p < end) {
    const token = data[p++]!;
    let literals = token >> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (p >= end) corrupt('truncated literal length');
        b = data[p++]!;
        literals += b;
      } while (b === 255);
    }
    p += literals;
    out += literals;
    if (p > end) corrupt('literals overrun the block');
    if (p === end) break; // the last sequence has literals only
    if (p + 2 > end) corrupt('truncated match offset');
    if (data[p] === 0 && data[p + 1] === 0) corrupt('match offset 0');
    p += 2;
    let match = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b: number;
      do {
        if (p >= end) corrupt('truncated match length');
        b = data[p++]!;
        match += b;
        if (out + match > blockMax) corrupt(`block inflates past ${blockMax} bytes`);
      } while (b === 255);
    }
    out += match;
    if (out > blockMax) corrupt(`block inflates past ${blockMax} bytes`);
  }
  return out;
}

// --- snappy ----------------------------------------------------------------------------

function xerialCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [XERIAL_MAGIC, int32(1), int32(1)];
  for (let p = 0; p < data.length || p === 0; p += XERIAL_BLOCK_BYTES) {
    const block = snappy.compressSync(data.subarray(p, p + XERIAL_BLOCK_BYTES));
    parts.push(int32(block.length), block);
    if (data.length === 0) break;
  }
  return Buffer.concat(parts);
}

function xerialDecompress(data: Buffer, maxBytes: number): Buffer {
  const framed = data.length >= XERIAL_HEADER_BYTES && data.subarray(0, 8).equals(XERIAL_MAGIC);
  if (!framed) return snappyBlock(data, maxBytes);
  const blocks: Buffer[] = [];
  let total = 0;
  let p = XERIAL_HEADER_BYTES;
  while (p < data.length) {
    if (p + 4 > data.length) throw new DecompressionError('truncated snappy block length');
    const length = data.readInt32BE(p);
    p += 4;
    if (length < 0 || p + length > data.length)
      throw new DecompressionError('truncated snappy block');
    const block = snappyBlock(data.subarray(p, p + length), maxBytes - total);
    total += block.length;
    blocks.push(block);
    p += length;
  }
  return Buffer.concat(blocks, total);
}

/**
 * One raw snappy block, its claimed length checked before the library allocates it: within
 * `maxBytes`, and no more than an honest block of this size could inflate to.
 */
function snappyBlock(block: Buffer, maxBytes: number): Buffer {
  // The preamble: the uncompressed length as a little-endian base-128 varint (uint32).
  let claimed = 0;
  let p = 0;
  for (let shift = 0; ; shift += 7) {
    if (p >= block.length || shift > 28) throw new DecompressionError('bad snappy length');
    const b = block[p++]!;
    claimed += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (claimed > maxBytes) throw tooLarge('snappy', maxBytes);
  if (claimed > SNAPPY_RATIO_MAX * block.length) {
    throw new DecompressionError(
      `snappy block of ${block.length} bytes claims ${claimed}, more than it can hold`,
    );
  }
  return snappy.uncompressSync(block) as Buffer;
}

function int32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n);
  return b;
}
