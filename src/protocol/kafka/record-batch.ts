/**
 * Kafka record batches, format v2 (magic 2): the unit that producers send, the log stores
 * and consumers fetch. The broker never re-encodes a batch it receives: it checks it, writes
 * the offset and leader epoch into its header in place, and appends its bytes to the log
 * (unless the topic asks for another codec or LogAppendTime: broker/log/log-validator.ts).
 *
 * Byte layout (all integers big-endian; positions are from the start of the batch):
 *
 *   0  int64  baseOffset            first offset; producers send 0, the leader overwrites it
 *   8  int32  batchLength           bytes after this field (= total size - 12)
 *  12  int32  partitionLeaderEpoch  set by the leader on append; producers send -1
 *  16  int8   magic                 2
 *  17  uint32 crc                   CRC-32C over bytes 21..end (attributes to end)
 *  21  int16  attributes            bits 0-2 compression, 3 timestamp type, 4 transactional,
 *                                   5 control, 6 delete horizon
 *  23  int32  lastOffsetDelta       offset of the last record - baseOffset
 *  27  int64  baseTimestamp         timestamp of the first record
 *  35  int64  maxTimestamp          largest record timestamp (broker time if LogAppendTime)
 *  43  int64  producerId            -1 unless idempotent/transactional
 *  51  int16  producerEpoch
 *  53  int32  baseSequence
 *  57  int32  recordsCount
 *  61  ...    records               if compressed, one compressed blob of all records
 *
 * Each record: length varint, attributes int8, timestampDelta varlong, offsetDelta varint,
 * key (varint length, -1 = null, then bytes), value (same), headers count varint, then per
 * header a varint-length UTF-8 key and a varint-length (nullable) value. Varints are
 * zig-zag encoded, then base-128 with the least significant group first.
 *
 * baseOffset and partitionLeaderEpoch lie *outside* the CRC, which is exactly why the leader
 * can assign offsets without re-checksumming (KIP-98 designed the format this way).
 *
 * Offsets, timestamps and producer ids are int64 on the wire; here they are JavaScript
 * numbers, exact up to 2^53. A log would need 9 quadrillion records to go past that, so we
 * trade the unreachable top of the range for plain arithmetic on the hot path (BigInt is
 * several times slower and allocates).
 *
 * Zero copy: `RecordBatch` is a *view* (buffer + position); its getters read the header
 * straight from the buffer that came off the socket or the disk.
 *
 * Errors are values (`RecordBatchError`) named and numbered as in Kafka's `Errors.java`, so
 * the Produce handler can put the code straight into its per-partition response.
 */
import { compress, decompress, DecompressionError } from './compression.js';
import { crc32c } from './crc32c.js';
import { readVarint, varintSize, writeVarint, type VarintCursor } from './varint.js';

// ---------------------------------------------------------------------------------------
// Layout constants
// ---------------------------------------------------------------------------------------

export const BASE_OFFSET_POSITION = 0;
export const BATCH_LENGTH_POSITION = 8;
export const PARTITION_LEADER_EPOCH_POSITION = 12;
export const MAGIC_POSITION = 16;
export const CRC_POSITION = 17;
export const ATTRIBUTES_POSITION = 21;
export const LAST_OFFSET_DELTA_POSITION = 23;
export const BASE_TIMESTAMP_POSITION = 27;
export const MAX_TIMESTAMP_POSITION = 35;
export const PRODUCER_ID_POSITION = 43;
export const PRODUCER_EPOCH_POSITION = 51;
export const BASE_SEQUENCE_POSITION = 53;
export const RECORDS_COUNT_POSITION = 57;
export const RECORDS_POSITION = 61;

/** baseOffset + batchLength: the bytes that frame every batch (Kafka's LOG_OVERHEAD). */
export const LOG_OVERHEAD_BYTES = 12;
/** The fixed header of a v2 batch (Kafka's RECORD_BATCH_OVERHEAD). */
export const RECORD_BATCH_HEADER_BYTES = 61;
/** The smallest legal batchLength: the header minus the 12 framing bytes. */
export const BATCH_LENGTH_MIN = RECORD_BATCH_HEADER_BYTES - LOG_OVERHEAD_BYTES;
export const MAGIC_V2 = 2;
/** Producers that do not know their epoch send -1 (kafka-python sends 0). */
export const NO_PARTITION_LEADER_EPOCH = -1;
export const NO_PRODUCER_ID = -1;
export const NO_TIMESTAMP = -1;

const COMPRESSION_MASK = 0x07;
const TIMESTAMP_TYPE_BIT = 0x08;
const TRANSACTIONAL_BIT = 0x10;
const CONTROL_BIT = 0x20;

export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionName = keyof typeof Compression;
const COMPRESSION_NAMES: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export type TimestampType = 'CreateTime' | 'LogAppendTime';

const TWO_POW_32 = 0x1_0000_0000;

// ---------------------------------------------------------------------------------------
// Errors as values
// ---------------------------------------------------------------------------------------

/**
 * The Kafka error codes a batch can earn, with the names and numbers of `Errors.java`.
 * CORRUPT_MESSAGE is retriable in Kafka (a bit flip on the wire may not recur).
 */
export const RecordBatchErrorCodes = {
  CORRUPT_MESSAGE: 2,
  MESSAGE_TOO_LARGE: 10,
  RECORD_LIST_TOO_LARGE: 18,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  INVALID_RECORD: 87,
} as const;
export type RecordBatchErrorName = keyof typeof RecordBatchErrorCodes;

export interface RecordBatchError {
  readonly error: RecordBatchErrorName;
  readonly errorCode: number;
  /** For logs and for the v8+ Produce response's `error_message`. */
  readonly message: string;
}

export function recordBatchError(error: RecordBatchErrorName, message: string): RecordBatchError {
  return { error, errorCode: RecordBatchErrorCodes[error], message };
}

/** Thrown only by the decoding helpers (tests and tools), never on the append path. */
export class RecordBatchDecodeError extends Error {
  override name = 'RecordBatchDecodeError';
  constructor(readonly detail: RecordBatchError) {
    super(`${detail.error}: ${detail.message}`);
  }
}

// ---------------------------------------------------------------------------------------
// int64 <-> number
// ---------------------------------------------------------------------------------------

/** Reads a big-endian int64 as a number (exact for |n| <= 2^53). Works for negatives:
 *  -1 is hi = -1, lo = 0xffffffff, and -1 * 2^32 + (2^32 - 1) = -1. */
export function readInt64(buffer: Buffer, position: number): number {
  return buffer.readInt32BE(position) * TWO_POW_32 + buffer.readUInt32BE(position + 4);
}

export function writeInt64(buffer: Buffer, position: number, value: number): void {
  const hi = Math.floor(value / TWO_POW_32);
  buffer.writeInt32BE(hi, position);
  buffer.writeUInt32BE(value - hi * TWO_POW_32, position + 4);
}

// ---------------------------------------------------------------------------------------
// RecordBatch: a zero-copy view of one batch
// ---------------------------------------------------------------------------------------

/**
 * A view of the batch that starts at `position` in `buffer`. The constructor does not check
 * anything: get views from `readBatches()` (which checks the framing) and call
 * `checkBatchIntegrity()` before trusting the contents.
 */
export class RecordBatch {
  constructor(
    readonly buffer: Buffer,
    readonly position: number,
  ) {}

  get baseOffset(): number {
    return readInt64(this.buffer, this.position + BASE_OFFSET_POSITION);
  }
  get batchLength(): number {
    return this.buffer.readInt32BE(this.position + BATCH_LENGTH_POSITION);
  }
  /** The whole batch, framing included. */
  get sizeInBytes(): number {
    return LOG_OVERHEAD_BYTES + this.batchLength;
  }
  get partitionLeaderEpoch(): number {
    return this.buffer.readInt32BE(this.position + PARTITION_LEADER_EPOCH_POSITION);
  }
  get magic(): number {
    return this.buffer.readInt8(this.position + MAGIC_POSITION);
  }
  get crc(): number {
    return this.buffer.readUInt32BE(this.position + CRC_POSITION);
  }
  get attributes(): number {
    return this.buffer.readInt16BE(this.position + ATTRIBUTES_POSITION);
  }
  get lastOffsetDelta(): number {
    return this.buffer.readInt32BE(this.position + LAST_OFFSET_DELTA_POSITION);
  }
  get lastOffset(): number {
    return this.baseOffset + this.lastOffsetDelta;
  }
  /** The offset after this batch: what the log end offset becomes once it is appended. */
  get nextOffset(): number {
    return this.lastOffset + 1;
  }
  get baseTimestamp(): number {
    return readInt64(this.buffer, this.position + BASE_TIMESTAMP_POSITION);
  }
  get maxTimestamp(): number {
    return readInt64(this.buffer, this.position + MAX_TIMESTAMP_POSITION);
  }
  get producerId(): number {
    return readInt64(this.buffer, this.position + PRODUCER_ID_POSITION);
  }
  get producerEpoch(): number {
    return this.buffer.readInt16BE(this.position + PRODUCER_EPOCH_POSITION);
  }
  get baseSequence(): number {
    return this.buffer.readInt32BE(this.position + BASE_SEQUENCE_POSITION);
  }
  get recordsCount(): number {
    return this.buffer.readInt32BE(this.position + RECORDS_COUNT_POSITION);
  }
  get compressionId(): number {
    return this.attributes & COMPRESSION_MASK;
  }
  /** undefined for the reserved ids 5-7. */
  get compression(): CompressionName | undefined {
    return COMPRESSION_NAMES[this.compressionId];
  }
  get timestampType(): TimestampType {
    return (this.attributes & TIMESTAMP_TYPE_BIT) !== 0 ? 'LogAppendTime' : 'CreateTime';
  }
  get isTransactional(): boolean {
    return (this.attributes & TRANSACTIONAL_BIT) !== 0;
  }
  get isControl(): boolean {
    return (this.attributes & CONTROL_BIT) !== 0;
  }

  /** The batch's bytes, sharing memory with the underlying buffer (no copy). */
  bytes(): Buffer {
    return this.buffer.subarray(this.position, this.position + this.sizeInBytes);
  }

  /** The CRC-32C of attributes..end, to compare with `crc`. */
  computeCrc(): number {
    const start = this.position + ATTRIBUTES_POSITION;
    return crc32c(this.buffer.subarray(start, this.position + this.sizeInBytes));
  }

  /** Outside the CRC, so this is free: the leader does it on every append. */
  setBaseOffset(baseOffset: number): void {
    writeInt64(this.buffer, this.position + BASE_OFFSET_POSITION, baseOffset);
  }

  /** Outside the CRC as well. */
  setPartitionLeaderEpoch(epoch: number): void {
    this.buffer.writeInt32BE(epoch, this.position + PARTITION_LEADER_EPOCH_POSITION);
  }

  /**
   * For topics with `message.timestamp.type=LogAppendTime`: stamp the broker's time as the
   * batch's maxTimestamp and set the timestamp-type bit. Both are inside the CRC, so unlike
   * the offset this costs a second checksum pass over the batch.
   */
  setLogAppendTime(timestampMs: number): void {
    const p = this.position;
    this.buffer.writeInt16BE(this.attributes | TIMESTAMP_TYPE_BIT, p + ATTRIBUTES_POSITION);
    writeInt64(this.buffer, p + MAX_TIMESTAMP_POSITION, timestampMs);
    this.buffer.writeUInt32BE(this.computeCrc(), p + CRC_POSITION);
  }
}

// ---------------------------------------------------------------------------------------
// Framing: split a `records` buffer into batches
// ---------------------------------------------------------------------------------------

/**
 * How a `records` buffer ended:
 * - `complete`: the batches tile the buffer exactly;
 * - `truncated`: the last batch is cut short. Normal at the end of a Fetch response (the
 *   broker may stop mid-batch), a torn write at the end of a segment after a crash;
 * - `corrupt`: a batchLength smaller than the header, so the bytes cannot be a batch.
 */
export type BatchesTail = 'complete' | 'truncated' | 'corrupt';

export interface BatchScan {
  batches: RecordBatch[];
  /** Bytes covered by `batches` (from `start`). */
  validBytes: number;
  tail: BatchesTail;
}

/**
 * Splits `buffer[start..end)` into batch views using only each batch's 12-byte framing
 * (baseOffset, batchLength). Nothing else is checked here; see `checkBatchIntegrity`.
 */
export function readBatches(buffer: Buffer, start = 0, end = buffer.length): BatchScan {
  const batches: RecordBatch[] = [];
  let position = start;
  let tail: BatchesTail = 'complete';
  while (position < end) {
    const remaining = end - position;
    if (remaining < LOG_OVERHEAD_BYTES) {
      tail = 'truncated';
      break;
    }
    const batchLength = buffer.readInt32BE(position + BATCH_LENGTH_POSITION);
    if (batchLength < BATCH_LENGTH_MIN) {
      tail = 'corrupt';
      break;
    }
    if (remaining < LOG_OVERHEAD_BYTES + batchLength) {
      tail = 'truncated';
      break;
    }
    batches.push(new RecordBatch(buffer, position));
    position += LOG_OVERHEAD_BYTES + batchLength;
  }
  return { batches, validBytes: position - start, tail };
}

// ---------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------

/**
 * What every batch must satisfy wherever it comes from (a producer, a leader, our own disk):
 * magic 2 and a matching CRC. The CRC covers every record byte, so a batch that passes was
 * at least written whole by whoever computed the checksum. Cost: one native CRC pass.
 */
export function checkBatchIntegrity(batch: RecordBatch): RecordBatchError | undefined {
  if (batch.batchLength < BATCH_LENGTH_MIN) {
    return recordBatchError('CORRUPT_MESSAGE', `batch length ${batch.batchLength} is too small`);
  }
  if (batch.magic !== MAGIC_V2) {
    // Kafka answers INVALID_RECORD when Produce v3+ carries an old-format message set.
    return recordBatchError('INVALID_RECORD', `unsupported magic ${batch.magic} (only 2)`);
  }
  const computed = batch.computeCrc();
  if (computed !== batch.crc) {
    return recordBatchError(
      'CORRUPT_MESSAGE',
      `CRC mismatch: stored 0x${batch.crc.toString(16)}, computed 0x${computed.toString(16)}`,
    );
  }
  return undefined;
}

export interface ProducerBatchLimits {
  /** `max.message.bytes`: the largest batch (framing included) a topic accepts. */
  maxMessageBytes: number;
  /**
   * False for the broker's own coordinators' writes (Kafka's AppendOrigin.Coordinator): they
   * may write control batches (transaction markers) and batches without a base sequence.
   * Default true.
   */
  fromClient?: boolean;
}

/**
 * The checks the leader makes on a batch from a producer before it assigns offsets (Kafka's
 * `LogValidator.validateBatch` plus the CRC). What we deliberately do NOT check, to keep the
 * per-record cost of an uncompressed append at zero: the individual records (their lengths,
 * offset deltas and varints). Kafka walks every record of an uncompressed batch; we rely on
 * the CRC to show the producer wrote what it meant to and on the header's count/delta
 * consistency. A producer that checksums garbage records gets garbage stored, and consumers
 * will reject those records, not the broker. `checkRecordFraming` can be called for
 * stricter checking. Compressed batches are decompressed only when the topic's
 * compression.type asks for another codec (broker/log/log-validator.ts).
 */
export function checkProducerBatch(
  batch: RecordBatch,
  limits: ProducerBatchLimits,
): RecordBatchError | undefined {
  if (batch.sizeInBytes > limits.maxMessageBytes) {
    return recordBatchError(
      'MESSAGE_TOO_LARGE',
      `batch of ${batch.sizeInBytes} bytes exceeds max.message.bytes ${limits.maxMessageBytes}`,
    );
  }
  const integrity = checkBatchIntegrity(batch);
  if (integrity !== undefined) return integrity;
  if (batch.compression === undefined) {
    return recordBatchError(
      'UNSUPPORTED_COMPRESSION_TYPE',
      `unknown compression id ${batch.compressionId}`,
    );
  }
  const count = batch.recordsCount;
  if (count <= 0) return recordBatchError('INVALID_RECORD', `invalid record count ${count}`);
  // Offsets inside a batch are contiguous when a producer writes it (gaps only appear
  // after compaction), so the header must claim exactly `count` offsets.
  if (batch.lastOffsetDelta !== count - 1) {
    return recordBatchError(
      'INVALID_RECORD',
      `lastOffsetDelta ${batch.lastOffsetDelta} does not match record count ${count}`,
    );
  }
  if (limits.fromClient === false) return undefined;
  if (batch.isControl) {
    return recordBatchError('INVALID_RECORD', 'clients may not write control batches');
  }
  if (batch.producerId >= 0 && batch.baseSequence < 0) {
    return recordBatchError('INVALID_RECORD', 'idempotent batch without a base sequence');
  }
  return undefined;
}

/**
 * Optional deep check of an uncompressed batch: walks the record length varints and checks
 * that exactly `recordsCount` records tile the records section. Touches one varint per
 * record, decodes nothing else. Compressed batches are not inspected (returns undefined).
 */
export function checkRecordFraming(batch: RecordBatch): RecordBatchError | undefined {
  if (batch.compressionId !== Compression.none) return undefined;
  const end = batch.position + batch.sizeInBytes;
  const cursor = { position: batch.position + RECORDS_POSITION };
  for (let i = 0; i < batch.recordsCount; i++) {
    if (cursor.position >= end) {
      return recordBatchError('CORRUPT_MESSAGE', `record ${i} starts past the end of the batch`);
    }
    const length = readVarint(batch.buffer, cursor, end);
    if (length === undefined || length < 0) {
      return recordBatchError('CORRUPT_MESSAGE', `record ${i} has a bad length`);
    }
    cursor.position += length;
  }
  if (cursor.position !== end) {
    return recordBatchError(
      'CORRUPT_MESSAGE',
      `records do not fill the batch (${end - cursor.position} bytes left over)`,
    );
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Decoding records (tests, tools, offsetForTimestamp) -- never on the append path
// ---------------------------------------------------------------------------------------

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/**
 * Decodes every record of a batch, decompressing it first (compression.ts: gzip, snappy, lz4,
 * zstd; the reserved ids 5-7 throw UNSUPPORTED_COMPRESSION_TYPE). Keys and values share
 * memory with the batch (uncompressed)
 * or with the decompressed buffer. Throws RecordBatchDecodeError on malformed records.
 */
export function decodeRecords(batch: RecordBatch): DecodedRecord[] {
  const { buffer, start, end } = recordsSection(batch);
  const baseOffset = batch.baseOffset;
  // With LogAppendTime every record's timestamp is the batch's maxTimestamp.
  const logAppendTime = batch.timestampType === 'LogAppendTime' ? batch.maxTimestamp : undefined;
  const baseTimestamp = batch.baseTimestamp;
  const records: DecodedRecord[] = [];
  const cursor: VarintCursor = { position: start };
  const fail = (what: string): never => {
    throw new RecordBatchDecodeError(recordBatchError('CORRUPT_MESSAGE', what));
  };
  const varint = (limit: number, what: string): number =>
    readVarint(buffer, cursor, limit) ?? fail(`truncated ${what}`);
  const bytes = (limit: number, what: string): Buffer | null => {
    const length = varint(limit, `${what} length`);
    if (length < 0) return null;
    if (cursor.position + length > limit) fail(`truncated ${what}`);
    const value = buffer.subarray(cursor.position, cursor.position + length);
    cursor.position += length;
    return value;
  };

  for (let i = 0; i < batch.recordsCount; i++) {
    const length = varint(end, 'record length');
    const recordEnd = cursor.position + length;
    if (length < 0 || recordEnd > end) fail(`record ${i} overruns the batch`);
    cursor.position += 1; // record attributes: unused, always 0
    const timestampDelta = varint(recordEnd, 'timestamp delta');
    const offsetDelta = varint(recordEnd, 'offset delta');
    const key = bytes(recordEnd, 'key');
    const value = bytes(recordEnd, 'value');
    const headerCount = varint(recordEnd, 'header count');
    if (headerCount < 0) fail(`record ${i} has a negative header count`);
    const headers: RecordHeader[] = [];
    for (let h = 0; h < headerCount; h++) {
      const headerKey = bytes(recordEnd, 'header key') ?? fail('null header key');
      headers.push({ key: headerKey.toString('utf8'), value: bytes(recordEnd, 'header value') });
    }
    if (cursor.position !== recordEnd) fail(`record ${i} length does not match its fields`);
    records.push({
      offset: baseOffset + offsetDelta,
      timestamp: logAppendTime ?? baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    });
  }
  return records;
}

/**
 * The most a compressed batch may inflate to when decoded: Kafka's default socket.request.max
 * .bytes, so no decoded batch is larger than the largest request a broker accepts.
 */
export const DECOMPRESSED_RECORDS_BYTES_MAX = 104_857_600;

function recordsSection(batch: RecordBatch): { buffer: Buffer; start: number; end: number } {
  const start = batch.position + RECORDS_POSITION;
  const end = batch.position + batch.sizeInBytes;
  const codec = batch.compression;
  if (codec === 'none') return { buffer: batch.buffer, start, end };
  if (codec === undefined) {
    throw new RecordBatchDecodeError(
      recordBatchError('UNSUPPORTED_COMPRESSION_TYPE', `compression id ${batch.compressionId}`),
    );
  }
  // The bytes are whatever a producer sent: corrupt input must become CORRUPT_MESSAGE, not
  // a codec's exception, and a small batch that inflates to gigabytes must stop at a bound.
  try {
    const inflated = decompress(
      codec,
      batch.buffer.subarray(start, end),
      DECOMPRESSED_RECORDS_BYTES_MAX,
    );
    return { buffer: inflated, start: 0, end: inflated.length };
  } catch (err) {
    if (!(err instanceof DecompressionError)) throw err;
    throw new RecordBatchDecodeError(recordBatchError('CORRUPT_MESSAGE', err.message));
  }
}

// ---------------------------------------------------------------------------------------
// Building batches (tests, benchmarks, tools; a future producer of internal topics)
// ---------------------------------------------------------------------------------------

export interface RecordInput {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: { key: string; value: Buffer | string | null }[];
  /** Defaults to the batch's baseTimestamp. */
  timestamp?: number;
}

export interface BuildBatchOptions {
  records: readonly RecordInput[];
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  /** Defaults to the first record's timestamp, else Date.now(). */
  baseTimestamp?: number;
  compression?: CompressionName;
  timestampType?: TimestampType;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
}

const asBytes = (v: Buffer | string | null | undefined): Buffer | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? Buffer.from(v, 'utf8') : v;

/** Builds one v2 batch with a correct CRC. Records get consecutive offset deltas. */
export function buildRecordBatch(options: BuildBatchOptions): Buffer {
  const { records } = options;
  if (records.length === 0) throw new RangeError('a record batch needs at least one record');
  const baseTimestamp = options.baseTimestamp ?? records[0]!.timestamp ?? Date.now();
  const encoded = encodeRecords(records, baseTimestamp);
  const compression = options.compression ?? 'none';
  const body = compression === 'none' ? encoded : compress(compression, encoded);
  let maxTimestamp = NO_TIMESTAMP;
  for (const record of records)
    maxTimestamp = Math.max(maxTimestamp, record.timestamp ?? baseTimestamp);

  const batch = Buffer.allocUnsafe(RECORD_BATCH_HEADER_BYTES + body.length);
  let attributes = Compression[compression];
  if (options.timestampType === 'LogAppendTime') attributes |= TIMESTAMP_TYPE_BIT;
  if (options.transactional === true) attributes |= TRANSACTIONAL_BIT;
  if (options.control === true) attributes |= CONTROL_BIT;
  writeInt64(batch, BASE_OFFSET_POSITION, options.baseOffset ?? 0);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD_BYTES, BATCH_LENGTH_POSITION);
  batch.writeInt32BE(
    options.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH,
    PARTITION_LEADER_EPOCH_POSITION,
  );
  batch.writeInt8(MAGIC_V2, MAGIC_POSITION);
  batch.writeInt16BE(attributes, ATTRIBUTES_POSITION);
  batch.writeInt32BE(records.length - 1, LAST_OFFSET_DELTA_POSITION);
  writeInt64(batch, BASE_TIMESTAMP_POSITION, baseTimestamp);
  writeInt64(batch, MAX_TIMESTAMP_POSITION, maxTimestamp);
  writeInt64(batch, PRODUCER_ID_POSITION, options.producerId ?? NO_PRODUCER_ID);
  batch.writeInt16BE(options.producerEpoch ?? -1, PRODUCER_EPOCH_POSITION);
  batch.writeInt32BE(options.baseSequence ?? -1, BASE_SEQUENCE_POSITION);
  batch.writeInt32BE(records.length, RECORDS_COUNT_POSITION);
  body.copy(batch, RECORDS_POSITION);
  // The CRC goes in last: it covers everything from the attributes onwards.
  batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES_POSITION)), CRC_POSITION);
  return batch;
}

/** Encodes the records section: two passes, one to size and one to write, one allocation. */
function encodeRecords(records: readonly RecordInput[], baseTimestamp: number): Buffer {
  const prepared = records.map((record, offsetDelta) => {
    const key = asBytes(record.key);
    const value = asBytes(record.value);
    const headers = (record.headers ?? []).map((h) => ({
      key: Buffer.from(h.key, 'utf8'),
      value: asBytes(h.value),
    }));
    const timestampDelta = (record.timestamp ?? baseTimestamp) - baseTimestamp;
    let bodySize =
      1 +
      varintSize(timestampDelta) +
      varintSize(offsetDelta) +
      nullableBytesSize(key) +
      nullableBytesSize(value) +
      varintSize(headers.length);
    for (const h of headers) bodySize += nullableBytesSize(h.key) + nullableBytesSize(h.value);
    return { key, value, headers, timestampDelta, offsetDelta, bodySize };
  });
  let total = 0;
  for (const r of prepared) total += varintSize(r.bodySize) + r.bodySize;
  const out = Buffer.allocUnsafe(total);
  let p = 0;
  for (const r of prepared) {
    p = writeVarint(out, p, r.bodySize);
    out[p++] = 0; // attributes
    p = writeVarint(out, p, r.timestampDelta);
    p = writeVarint(out, p, r.offsetDelta);
    p = writeNullableBytes(out, p, r.key);
    p = writeNullableBytes(out, p, r.value);
    p = writeVarint(out, p, r.headers.length);
    for (const h of r.headers) {
      p = writeNullableBytes(out, p, h.key);
      p = writeNullableBytes(out, p, h.value);
    }
  }
  return out;
}

function nullableBytesSize(bytes: Buffer | null): number {
  return bytes === null ? varintSize(-1) : varintSize(bytes.length) + bytes.length;
}

function writeNullableBytes(out: Buffer, position: number, bytes: Buffer | null): number {
  if (bytes === null) return writeVarint(out, position, -1);
  position = writeVarint(out, position, bytes.length);
  bytes.copy(out, position);
  return position + bytes.length;
}
