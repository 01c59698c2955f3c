/**
 * Kafka's message format before record batches, and its conversion to a v2 batch.
 *
 * Produce v0-2 may carry a *message set* of magic 0 (Kafka 0.8-0.9) or magic 1 (0.10, KIP-31/32
 * added the timestamp) instead of a record batch. Each message on the wire:
 *
 *   int64  offset          magic 0: any (producers write 0..n-1); magic 1: see below
 *   int32  message_size    bytes from crc to the end of value
 *   uint32 crc             CRC-32 (IEEE, not CRC-32C) of magic..value
 *   int8   magic           0 or 1
 *   int8   attributes      bits 0-2 codec (0 none, 1 gzip, 2 snappy, 3 lz4), bit 3 (magic 1)
 *                          timestamp type: 0 CreateTime, 1 LogAppendTime
 *   int64  timestamp       magic 1 only
 *   bytes  key             int32 length, -1 for null
 *   bytes  value           int32 length, -1 for null
 *
 * A compressed message is a *wrapper*: its value is the codec's output of an inner message set
 * of uncompressed messages of the same magic (for magic 1 the inner offsets are relative,
 * 0..n-1). A wrapper with the LogAppendTime bit gives its own timestamp to every inner message.
 *
 * The broker stores only magic 2, as Kafka 2.8 does with its default log.message.format.version:
 * Kafka's LogValidator "up-converts" such a set on the produce path into one v2 batch holding
 * every message as a record, in order, compressed with the codec the producer used (the topic's
 * compression.type is applied afterwards, as for any batch). Magic 0 messages have no
 * timestamp: their records get NO_TIMESTAMP (-1). There is no producer id, epoch or sequence.
 * Clients that send these sets are old (librdkafka with broker.version.fallback=0.9.0,
 * kafka-python with api_version=(0, 9) or (0, 10)); they read with Fetch versions the broker
 * does not serve, so nothing converts back down.
 *
 * Not supported: lz4 in magic 0 with Kafka 0.8's faulty frame header checksum (KAFKA-3160); the
 * frame is refused as corrupt. Pure: no I/O.
 */
import { crc32 } from '@node-rs/crc32';
import { decompress, DecompressionError, type CodecName } from './compression.js';
import {
  buildRecordBatch,
  MAGIC_POSITION,
  MAGIC_V2,
  NO_TIMESTAMP,
  recordBatchError,
  type RecordBatchError,
  type RecordInput,
} from './record-batch.js';

export const MAGIC_V0 = 0;
export const MAGIC_V1 = 1;

/** offset (8) + message_size (4). */
const MESSAGE_OVERHEAD_BYTES = 12;
/** crc (4) + magic (1) + attributes (1) + key length (4) + value length (4). */
const MESSAGE_MIN_SIZE_V0 = 14;
/** ... plus the timestamp (8). */
const MESSAGE_MIN_SIZE_V1 = 22;
const CODEC_MASK = 0x07;
const TIMESTAMP_TYPE_BIT = 0x08;
const LEGACY_CODECS: Record<number, CodecName | undefined> = { 1: 'gzip', 2: 'snappy', 3: 'lz4' };

/** True when `records` starts with a magic 0 or 1 message rather than a v2 batch. */
export function hasLegacyMagic(records: Buffer): boolean {
  return records.length > MAGIC_POSITION && records[MAGIC_POSITION]! < MAGIC_V2;
}

export type UpConversion = { ok: true; records: Buffer } | { ok: false; error: RecordBatchError };

interface LegacyMessage {
  magic: number;
  codec: CodecName | undefined;
  logAppendTime: boolean;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

class MessageSetError extends Error {
  constructor(readonly error: RecordBatchError) {
    super(error.message);
  }
}

const corrupt = (message: string): MessageSetError =>
  new MessageSetError(recordBatchError('CORRUPT_MESSAGE', message));

/**
 * Converts a magic 0/1 message set into one v2 batch (see the module comment), or says why it
 * cannot: CORRUPT_MESSAGE for framing, CRC or codec damage, INVALID_RECORD for what Kafka
 * refuses in a valid frame (nested compression, mixed magic, an empty set).
 * `maxDecompressedBytes` bounds what one wrapper may inflate to.
 */
export function upConvertMessageSet(records: Buffer, maxDecompressedBytes: number): UpConversion {
  try {
    const outer = readMessageSet(records);
    if (outer.length === 0) throw corrupt('empty message set');
    const magic = outer[0]!.magic;
    const inputs: RecordInput[] = [];
    let codec: CodecName | undefined;
    for (const message of outer) {
      if (message.magic !== magic) {
        throw new MessageSetError(
          recordBatchError('INVALID_RECORD', 'a message set mixes magic 0 and magic 1 messages'),
        );
      }
      if (message.codec === undefined) {
        inputs.push(recordOf(message, message.timestamp));
        continue;
      }
      codec ??= message.codec;
      if (message.value === null) throw corrupt('a compressed wrapper message without a value');
      const inner = readMessageSet(decompress(message.codec, message.value, maxDecompressedBytes));
      if (inner.length === 0) throw corrupt('a compressed wrapper message with no messages');
      for (const m of inner) {
        if (m.codec !== undefined) {
          throw new MessageSetError(
            recordBatchError('INVALID_RECORD', 'compressed message inside a compressed message'),
          );
        }
        if (m.magic !== magic) {
          throw new MessageSetError(
            recordBatchError('INVALID_RECORD', 'inner message magic differs from its wrapper'),
          );
        }
        inputs.push(recordOf(m, message.logAppendTime ? message.timestamp : m.timestamp));
      }
    }
    const batch = buildRecordBatch({
      records: inputs,
      baseTimestamp: inputs[0]!.timestamp!,
      compression: codec ?? 'none',
    });
    return { ok: true, records: batch };
  } catch (err) {
    if (err instanceof MessageSetError) return { ok: false, error: err.error };
    if (err instanceof DecompressionError) {
      return { ok: false, error: recordBatchError('CORRUPT_MESSAGE', err.message) };
    }
    throw err;
  }
}

function recordOf(message: LegacyMessage, timestamp: number): RecordInput {
  return { key: message.key, value: message.value, timestamp };
}

/** Every message of a set; a truncated or damaged message anywhere is CORRUPT_MESSAGE. */
function readMessageSet(buffer: Buffer): LegacyMessage[] {
  const messages: LegacyMessage[] = [];
  let p = 0;
  while (p < buffer.length) {
    if (p + MESSAGE_OVERHEAD_BYTES > buffer.length) throw corrupt('truncated message header');
    const size = buffer.readInt32BE(p + 8);
    const start = p + MESSAGE_OVERHEAD_BYTES;
    const end = start + size;
    if (size < MESSAGE_MIN_SIZE_V0 || end > buffer.length) {
      throw corrupt(`message size ${size} does not fit the message set`);
    }
    messages.push(readMessage(buffer, start, end));
    p = end;
  }
  return messages;
}

function readMessage(buffer: Buffer, start: number, end: number): LegacyMessage {
  const storedCrc = buffer.readUInt32BE(start);
  const magic = buffer.readInt8(start + 4);
  if (magic !== MAGIC_V0 && magic !== MAGIC_V1) throw corrupt(`message magic ${magic}`);
  if (magic === MAGIC_V1 && end - start < MESSAGE_MIN_SIZE_V1) {
    throw corrupt(`magic 1 message of ${end - start} bytes`);
  }
  if (crc32(buffer.subarray(start + 4, end)) !== storedCrc) {
    throw corrupt('message CRC does not match');
  }
  const attributes = buffer.readInt8(start + 5);
  const codecId = attributes & CODEC_MASK;
  const codec = LEGACY_CODECS[codecId];
  if (codecId !== 0 && codec === undefined) {
    throw new MessageSetError(
      recordBatchError('UNSUPPORTED_COMPRESSION_TYPE', `message compression id ${codecId}`),
    );
  }
  let p = start + 6;
  let timestamp = NO_TIMESTAMP;
  if (magic === MAGIC_V1) {
    timestamp = Number(buffer.readBigInt64BE(p));
    p += 8;
  }
  const key = readBytes(buffer, p, end);
  p = key.next;
  const value = readBytes(buffer, p, end);
  if (value.next !== end) throw corrupt('message has bytes after its value');
  return {
    magic,
    codec,
    logAppendTime: magic === MAGIC_V1 && (attributes & TIMESTAMP_TYPE_BIT) !== 0,
    timestamp,
    key: key.bytes,
    value: value.bytes,
  };
}

function readBytes(buffer: Buffer, p: number, end: number): { bytes: Buffer | null; next: number } {
  if (p + 4 > end) throw corrupt('truncated key or value length');
  const length = buffer.readInt32BE(p);
  if (length === -1) return { bytes: null, next: p + 4 };
  if (length < 0 || p + 4 + length > end) throw corrupt(`key or value length ${length}`);
  return { bytes: buffer.subarray(p + 4, p + 4 + length), next: p + 4 + length };
}
