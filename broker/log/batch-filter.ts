/**
 * Filtering the records of one stored batch, for the log cleaner: Kafka's
 * `MemoryRecords.filterTo` (2.8) for v2 batches. Pure: bytes in, bytes out.
 *
 * A batch (record-batch.ts) is a 61-byte header and a records section; each record is
 *
 *   length varint | attributes int8 | timestampDelta varint | offsetDelta varint |
 *   keyLength varint | key | valueLength varint | value | headers...
 *
 * with the offset and the timestamp stored *relative to the batch header*. So a record can
 * be kept by copying its bytes unchanged, as long as the rebuilt batch keeps the original
 * baseOffset and baseTimestamp: every kept record keeps its offset, its timestamp, its key,
 * value and headers, byte for byte. The outcomes, as in Kafka:
 *
 *   every record kept        -> the original batch bytes, untouched ('unchanged')
 *   some kept                -> a rebuilt batch ('rewritten'): same baseOffset, same
 *                               lastOffsetDelta (Kafka's overrideLastOffset, so the batch still
 *                               ends where the producer's did), same producer id, epoch and
 *                               base sequence, transactional/control flags, leader epoch,
 *                               timestamp type and codec; new length, record count,
 *                               maxTimestamp (of the kept records) and CRC
 *   none kept, retain-empty  -> the header alone with 0 records ('rewritten'): Kafka keeps the
 *                               last batch of a producer this way so that its sequence
 *                               numbers survive for idempotence (writeEmptyHeader)
 *   none kept, delete-empty  -> nothing ('removed')
 *
 * Codecs: a compressed batch (gzip, snappy, lz4 or zstd) is inflated through compression.ts,
 * filtered like an uncompressed one, and the kept records are compressed again with the
 * batch's own codec, as Kafka's filterTo does (it writes with the original batch's
 * compression type). Inflating is bounded by DECOMPRESSED_RECORDS_BYTES_MAX. Only a batch
 * with a codec id no codec has (5-7; the leader refuses those, so none is stored) cannot be
 * opened and is kept whole ('opaque'): the cleaner then keeps more than it must, never less.
 */
import { compress, decompress } from '../../src/protocol/kafka/compression.js';
import { crc32c } from '../../src/protocol/kafka/crc32c.js';
import {
  ATTRIBUTES_POSITION,
  BASE_TIMESTAMP_POSITION,
  BATCH_LENGTH_POSITION,
  CRC_POSITION,
  DECOMPRESSED_RECORDS_BYTES_MAX,
  LOG_OVERHEAD_BYTES,
  MAX_TIMESTAMP_POSITION,
  RECORDS_COUNT_POSITION,
  RECORDS_POSITION,
  RECORD_BATCH_HEADER_BYTES,
  NO_TIMESTAMP,
  writeInt64,
  type RecordBatch,
} from '../../src/protocol/kafka/record-batch.js';
import { readVarint, type VarintCursor } from '../../src/protocol/kafka/varint.js';

/** A record as the cleaner sees it: where it is, and what decides whether it stays. */
export interface RawRecord {
  offset: number;
  timestamp: number;
  /** null: the record has no key (not allowed in a compacted topic; the cleaner drops it). */
  key: Buffer | null;
  /** False for a tombstone (a null value: "delete this key"). */
  hasValue: boolean;
  /** The whole record, its length prefix included. */
  bytes: Buffer;
}

export type BatchRetention = 'retain-empty' | 'delete-empty';

export type FilterOutcome =
  | { kind: 'unchanged'; kept: number }
  | { kind: 'rewritten'; bytes: Buffer; kept: number; removed: number }
  | { kind: 'removed'; removed: number }
  | { kind: 'opaque' };

/** The low three attribute bits: the codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
const COMPRESSION_MASK = 0x07;

/**
 * The records of a batch, or undefined when its codec id is unknown. Throws RangeError on
 * records that do not parse and DecompressionError (compression.ts) on a records section
 * that does not inflate: every stored batch passed a CRC check, so either means a bug or a
 * producer that framed its records wrongly. The producer-facing caller (log-validator.ts)
 * turns both into CORRUPT_MESSAGE.
 */
export function readRawRecords(batch: RecordBatch): RawRecord[] | undefined {
  const section = recordsSection(batch);
  if (section === undefined) return undefined;
  const { buffer, start, end } = section;
  const baseOffset = batch.baseOffset;
  const logAppendTime = batch.timestampType === 'LogAppendTime' ? batch.maxTimestamp : undefined;
  const baseTimestamp = batch.baseTimestamp;
  const cursor: VarintCursor = { position: start };
  const varint = (limit: number): number => {
    const value = readVarint(buffer, cursor, limit);
    if (value === undefined) throw new RangeError(`truncated record in batch ${baseOffset}`);
    return value;
  };
  const records: RawRecord[] = [];
  for (let i = 0; i < batch.recordsCount; i++) {
    const recordStart = cursor.position;
    const length = varint(end);
    const recordEnd = cursor.position + length;
    if (length < 0 || recordEnd > end) throw new RangeError(`record overruns batch ${baseOffset}`);
    cursor.position += 1; // attributes
    const timestampDelta = varint(recordEnd);
    const offsetDelta = varint(recordEnd);
    const keyLength = varint(recordEnd);
    let key: Buffer | null = null;
    if (keyLength >= 0) {
      key = buffer.subarray(cursor.position, cursor.position + keyLength);
      cursor.position += keyLength;
    }
    const valueLength = varint(recordEnd);
    records.push({
      offset: baseOffset + offsetDelta,
      timestamp: logAppendTime ?? baseTimestamp + timestampDelta,
      key,
      hasValue: valueLength >= 0,
      bytes: buffer.subarray(recordStart, recordEnd),
    });
    cursor.position = recordEnd;
  }
  return records;
}

/** Keeps the records `keep` accepts; see the module comment for the outcomes. */
export function filterBatch(
  batch: RecordBatch,
  keep: (record: RawRecord) => boolean,
  retention: BatchRetention,
): FilterOutcome {
  const records = readRawRecords(batch);
  if (records === undefined) return { kind: 'opaque' };
  const kept = records.filter(keep);
  const removed = records.length - kept.length;
  if (removed === 0) return { kind: 'unchanged', kept: kept.length };
  if (kept.length === 0 && retention === 'delete-empty') return { kind: 'removed', removed };
  return { kind: 'rewritten', bytes: rebuildBatch(batch, kept), kept: kept.length, removed };
}

/**
 * The batch with only `kept` records. The header is copied (so baseOffset, lastOffsetDelta,
 * producer fields, leader epoch and flags stay), then length, count, timestamps and CRC are
 * set for the new contents.
 */
function rebuildBatch(batch: RecordBatch, kept: readonly RawRecord[]): Buffer {
  const original = batch.bytes();
  const codec = batch.compression;
  let body: Buffer = Buffer.concat(kept.map((r) => r.bytes));
  // The batch's own codec again (an empty header is never compressed: writeEmptyHeader).
  if (kept.length > 0 && codec !== undefined && codec !== 'none') body = compress(codec, body);
  const out = Buffer.allocUnsafe(RECORD_BATCH_HEADER_BYTES + body.length);
  original.copy(out, 0, 0, RECORD_BATCH_HEADER_BYTES);
  body.copy(out, RECORDS_POSITION);
  out.writeInt32BE(out.length - LOG_OVERHEAD_BYTES, BATCH_LENGTH_POSITION);
  out.writeInt32BE(kept.length, RECORDS_COUNT_POSITION);
  if (kept.length === 0) {
    // Kafka's writeEmptyHeader: no codec, no base timestamp, the original maxTimestamp.
    out.writeInt16BE(batch.attributes & ~COMPRESSION_MASK, ATTRIBUTES_POSITION);
    writeInt64(out, BASE_TIMESTAMP_POSITION, NO_TIMESTAMP);
  } else if (batch.timestampType === 'CreateTime') {
    let maxTimestamp = NO_TIMESTAMP;
    for (const record of kept) maxTimestamp = Math.max(maxTimestamp, record.timestamp);
    writeInt64(out, MAX_TIMESTAMP_POSITION, maxTimestamp);
  }
  // LogAppendTime batches keep their maxTimestamp: it is every record's timestamp.
  out.writeUInt32BE(crc32c(out.subarray(ATTRIBUTES_POSITION)), CRC_POSITION);
  return out;
}

function recordsSection(
  batch: RecordBatch,
): { buffer: Buffer; start: number; end: number } | undefined {
  const start = batch.position + RECORDS_POSITION;
  const end = batch.position + batch.sizeInBytes;
  const codec = batch.compression;
  if (codec === 'none') return { buffer: batch.buffer, start, end };
  if (codec === undefined) return undefined;
  const inflated = decompress(
    codec,
    batch.buffer.subarray(start, end),
    DECOMPRESSED_RECORDS_BYTES_MAX,
  );
  return { buffer: inflated, start: 0, end: inflated.length };
}
