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
 * Decompression is bounded: input that inflates past `maxBytes` is refused, so a small
 * hostile batch cannot take the broker's memory.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import snappy from 'snappy';
import lz4 from 'lz4-napi';
import * as zstd from 'zstd-napi';

export type CodecName = 'gzip' | 'snappy' | 'lz4' | 'zstd';

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;
/** snappy-java's default block size. */
const XERIAL_BLOCK_BYTES = 32 * 1024;

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
        out = lz4.decompressFrameSync(data);
        break;
      case 'zstd':
        out = zstd.decompress(data);
        break;
      default: {
        const never: never = codec;
        return never;
      }
    }
  } catch (err) {
    throw new DecompressionError(`cannot decompress ${codec} records: ${String(err)}`, {
      cause: err,
    });
  }
  if (out.length > maxBytes)
    throw new DecompressionError(`${codec} records inflate past ${maxBytes} bytes`);
  return out;
}

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
  if (!framed) return snappy.uncompressSync(data) as Buffer;
  const blocks: Buffer[] = [];
  let total = 0;
  let p = XERIAL_HEADER_BYTES;
  while (p < data.length) {
    if (p + 4 > data.length) throw new DecompressionError('truncated snappy block length');
    const length = data.readInt32BE(p);
    p += 4;
    if (length < 0 || p + length > data.length)
      throw new DecompressionError('truncated snappy block');
    const block = snappy.uncompressSync(data.subarray(p, p + length)) as Buffer;
    total += block.length;
    if (total > maxBytes) throw new DecompressionError(`snappy records inflate past ${maxBytes}`);
    blocks.push(block);
    p += length;
  }
  return Buffer.concat(blocks);
}

function int32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n);
  return b;
}
