/**
 * Compressed records sections built to make a broker allocate: each is small, and each
 * claims or really holds far more than any request may carry (100 MiB). Used by the
 * compression unit tests and by the broker test that sends them in Produce requests.
 */
import { gzipSync } from 'node:zlib';
import lz4 from 'lz4-napi';
import { crc32c } from '../../src/protocol/kafka/crc32c.js';
import {
  buildRecordBatch,
  ATTRIBUTES_POSITION,
  BATCH_LENGTH_POSITION,
  CRC_POSITION,
  Compression,
  LOG_OVERHEAD_BYTES,
  RECORDS_POSITION,
} from '../../src/protocol/kafka/record-batch.js';

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** zstd's largest block: 128 KiB. */
export const ZSTD_BLOCK_BYTES = 128 * 1024;

/**
 * A zstd frame of `blocks` RLE blocks (4 bytes each, 128 KiB of one byte each when
 * inflated), with an 8-byte content size claiming `declaredBytes`, or no content size.
 */
export function zstdRleFrame(blocks: number, declaredBytes?: number): Buffer {
  const header: number[] = [...ZSTD_MAGIC];
  if (declaredBytes === undefined) {
    header.push(0x00, 0x38); // no content size; window 2^17
  } else {
    header.push(0xc0, 0x38); // 8-byte content size; window 2^17
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(declaredBytes));
    header.push(...size);
  }
  const out = Buffer.alloc(header.length + blocks * 4);
  Buffer.from(header).copy(out);
  for (let i = 0; i < blocks; i++) {
    const last = i === blocks - 1 ? 1 : 0;
    const word = (ZSTD_BLOCK_BYTES << 3) | (1 << 1) | last; // RLE block of 128 KiB
    const p = header.length + i * 4;
    out.writeUIntLE(word, p, 3);
    out[p + 3] = 0x61;
  }
  return out;
}

/** 20 bytes: a zstd frame that claims 4 GiB and holds one 128 KiB block. */
export const zstdClaiming4GiB = (): Buffer => zstdRleFrame(1, 4 * GiB);

/** 128 KiB: a zstd frame that claims 4 GiB and really inflates to it. */
export const zstdHolding4GiB = (): Buffer => zstdRleFrame((4 * GiB) / ZSTD_BLOCK_BYTES, 4 * GiB);

/** A zstd frame without a content size that inflates to `bytes` (a multiple of 128 KiB). */
export const zstdBombWithoutSize = (bytes: number): Buffer =>
  zstdRleFrame(Math.ceil(bytes / ZSTD_BLOCK_BYTES));

/** A gzip stream of `bytes` zero bytes (about 1 KiB per MiB). */
export const gzipBomb = (bytes: number): Buffer => gzipSync(Buffer.alloc(bytes));

/** An LZ4 frame of `bytes` zero bytes (about 4 KiB per MiB). */
export const lz4Bomb = (bytes: number): Buffer => lz4.compressFrameSync(Buffer.alloc(bytes));

/** An LZ4 frame whose descriptor declares 4 GiB of content and whose one block holds 5 bytes. */
export function lz4Claiming4GiB(): Buffer {
  const frame = lz4.compressFrameSync(Buffer.from('hello'));
  // Rebuild the descriptor with the content-size flag: FLG | BD | size (8) | HC.
  const flags = frame[4]! | 0x08;
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(4 * GiB));
  const rest = frame.subarray(7); // after magic, FLG, BD, HC
  return Buffer.concat([
    frame.subarray(0, 4),
    Buffer.from([flags, frame[5]!]),
    size,
    Buffer.from([0]),
    rest,
  ]);
}

/** Raw snappy whose preamble claims 4 GiB - 1 bytes, followed by a 5-byte literal. */
export const snappyClaiming4GiB = (): Buffer =>
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x10, 0x68, 0x65, 0x6c, 0x6c, 0x6f]);

/** The same raw block inside snappy-java's (xerial) framing. */
export function xerialSnappyClaiming4GiB(): Buffer {
  const block = snappyClaiming4GiB();
  const header = Buffer.from([
    0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1,
  ]);
  const length = Buffer.alloc(4);
  length.writeInt32BE(block.length);
  return Buffer.concat([header, length, block]);
}

/**
 * A v2 batch of one record whose records section is `section`, compressed with `codec`:
 * header fields as a producer writes them, the CRC correct, so every check before
 * decompression passes.
 */
export function batchWithSection(codec: keyof typeof Compression, section: Buffer): Buffer {
  const plain = buildRecordBatch({ records: [{ key: 'k', value: 'v' }] });
  const out = Buffer.concat([plain.subarray(0, RECORDS_POSITION), section]);
  out.writeInt32BE(out.length - LOG_OVERHEAD_BYTES, BATCH_LENGTH_POSITION);
  const attributes = out.readInt16BE(ATTRIBUTES_POSITION);
  out.writeInt16BE((attributes & ~0x07) | Compression[codec], ATTRIBUTES_POSITION);
  out.writeUInt32BE(crc32c(out.subarray(ATTRIBUTES_POSITION)), CRC_POSITION);
  return out;
}
