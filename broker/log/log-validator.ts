/**
 * What the leader does to a producer's batches between the checks (checkProducerBatch) and
 * the offset assignment, after Kafka's LogValidator (2.8): the topic's timestamp and
 * compression policy.
 *
 *   message.timestamp.type=CreateTime      the producer's timestamps are kept, but a batch
 *     whose first or largest timestamp is further than message.timestamp.difference.max.ms
 *     from the broker's clock is refused with INVALID_TIMESTAMP. (Kafka checks every record;
 *     we check the batch's two header timestamps, which needs no decompression. A record in
 *     between that is out of range gets through.)
 *   message.timestamp.type=LogAppendTime   the broker's time is stamped on the batch (its
 *     maxTimestamp and the timestamp-type bit; consumers then read it for every record).
 *   compression.type=producer (the default)  batches are stored as the producer sent them.
 *   compression.type=<codec>|uncompressed    a batch carrying another codec is decompressed
 *     and rebuilt with the topic's codec: same records, keys, values, headers, timestamps,
 *     producer id/epoch/sequence and transactional flag. Batches already in the topic's
 *     codec are stored as they are (Kafka does the same for magic v2).
 *   cleanup.policy contains compact         every record needs a key: the cleaner keeps the
 *     latest record *per key*, so a keyless one could never be compacted away. A batch with
 *     a keyless record is refused whole with INVALID_RECORD, as Kafka 2.8's
 *     LogValidator.validateKey does: error_message "One or more records have been
 *     rejected", and one record_errors entry per keyless record, its index in the batch and
 *     "Compacted topic cannot accept message without key in topic partition <T>-<P>."
 *     This is the one check that opens the records on the append path, and only for
 *     compacted topics: an uncompressed batch is walked one record header at a time, a
 *     compressed one is inflated first (Kafka inflates every compressed batch; we do it only
 *     here and for recompression). Records that do not parse are CORRUPT_MESSAGE.
 *
 * Order of the checks, as in Kafka: timestamps, then keys (Kafka collects both per record
 * and reports INVALID_TIMESTAMP when any record has one), then the codec.
 *
 * In-place changes (LogAppendTime) write into the request buffer; a recompression returns a
 * new buffer with the new batches. Pure apart from that mutation: `nowMs` comes from the
 * caller's clock.
 */
import { invariant } from '../../src/assert.js';
import { DecompressionError } from '../../src/protocol/kafka/compression.js';
import {
  buildRecordBatch,
  decodeRecords,
  NO_TIMESTAMP,
  readBatches,
  recordBatchError,
  RecordBatchDecodeError,
  type CompressionName,
  type RecordBatch,
  type RecordBatchError,
} from '../../src/protocol/kafka/record-batch.js';
import { readRawRecords } from './batch-filter.js';
import type { CompressionType, LogConfig } from './log-config.js';

/** One refused record, for the Produce response's record_errors (v8+). */
export interface RecordError {
  /** The record's index in its batch (Kafka's batch_index). */
  batchIndex: number;
  message: string;
}

/** A refusal that names the records at fault (Kafka's RecordValidationException). */
export interface RecordValidationError extends RecordBatchError {
  readonly recordErrors: readonly RecordError[];
}

export type ValidatedRecords =
  | { ok: true; records: Buffer; batches: RecordBatch[]; recompressed: boolean }
  | { ok: false; error: RecordBatchError | RecordValidationError };

/** Kafka's top-level message when records are refused one by one. */
export const RECORDS_REJECTED_MESSAGE = 'One or more records have been rejected';

/** The codec a topic stores, or undefined for "as the producer sent it". */
export function targetCodec(compressionType: CompressionType): CompressionName | undefined {
  if (compressionType === 'producer') return undefined;
  return compressionType === 'uncompressed' ? 'none' : compressionType;
}

export function validateRecords(
  records: Buffer,
  batches: RecordBatch[],
  config: Pick<
    LogConfig,
    'messageTimestampType' | 'messageTimestampDifferenceMaxMs' | 'compressionType' | 'cleanupPolicy'
  >,
  context: { nowMs: number; partition: string },
): ValidatedRecords {
  const { nowMs } = context;
  if (config.messageTimestampType === 'CreateTime') {
    for (const batch of batches) {
      const error = timestampError(batch, config.messageTimestampDifferenceMaxMs, nowMs);
      if (error !== undefined) return { ok: false, error };
    }
  }
  if (config.cleanupPolicy.includes('compact')) {
    for (const batch of batches) {
      const error = missingKeyError(batch, context.partition);
      if (error !== undefined) return { ok: false, error };
    }
  }
  const codec = targetCodec(config.compressionType);
  const logAppendTime = config.messageTimestampType === 'LogAppendTime';
  if (codec === undefined || batches.every((b) => b.compression === codec)) {
    if (logAppendTime) for (const batch of batches) batch.setLogAppendTime(nowMs);
    return { ok: true, records, batches, recompressed: false };
  }
  const rebuilt: Buffer[] = [];
  for (const batch of batches) {
    if (batch.compression === codec) {
      if (logAppendTime) batch.setLogAppendTime(nowMs);
      rebuilt.push(batch.bytes());
      continue;
    }
    const result = recompress(batch, codec);
    if (!result.ok) return result;
    const view = readBatches(result.bytes).batches[0]!;
    if (logAppendTime) view.setLogAppendTime(nowMs);
    rebuilt.push(result.bytes);
  }
  const out = Buffer.concat(rebuilt);
  return { ok: true, records: out, batches: readBatches(out).batches, recompressed: true };
}

function timestampError(
  batch: RecordBatch,
  differenceMaxMs: number,
  nowMs: number,
): RecordBatchError | undefined {
  if (!Number.isFinite(differenceMaxMs)) return undefined;
  for (const timestamp of [batch.baseTimestamp, batch.maxTimestamp]) {
    // Records without a timestamp (magic 0 messages converted to v2) are not checked, as Kafka.
    if (timestamp === NO_TIMESTAMP) continue;
    if (Math.abs(timestamp - nowMs) > differenceMaxMs) {
      return recordBatchError(
        'INVALID_TIMESTAMP',
        `timestamp ${timestamp} is out of range: more than ` +
          `message.timestamp.difference.max.ms ${differenceMaxMs} from the broker's ${nowMs}`,
      );
    }
  }
  return undefined;
}

/**
 * INVALID_RECORD with one record error per keyless record of `batch`, or CORRUPT_MESSAGE
 * when its records do not parse, or undefined when every record has a key.
 */
export function missingKeyError(
  batch: RecordBatch,
  partition: string,
): RecordBatchError | RecordValidationError | undefined {
  let records;
  try {
    records = readRawRecords(batch);
  } catch (err) {
    if (err instanceof RangeError || err instanceof DecompressionError) {
      return recordBatchError('CORRUPT_MESSAGE', err.message);
    }
    throw err;
  }
  // checkProducerBatch refused unknown codecs before this point.
  invariant(records !== undefined, `batch ${batch.baseOffset} has an unknown codec`);
  const recordErrors: RecordError[] = [];
  records.forEach((record, batchIndex) => {
    if (record.key !== null) return;
    recordErrors.push({
      batchIndex,
      message: `Compacted topic cannot accept message without key in topic partition ${partition}.`,
    });
  });
  if (recordErrors.length === 0) return undefined;
  return { ...recordBatchError('INVALID_RECORD', RECORDS_REJECTED_MESSAGE), recordErrors };
}

function recompress(
  batch: RecordBatch,
  codec: CompressionName,
): { ok: true; bytes: Buffer } | { ok: false; error: RecordBatchError } {
  let decoded;
  try {
    decoded = decodeRecords(batch);
  } catch (err) {
    if (err instanceof RecordBatchDecodeError) return { ok: false, error: err.detail };
    throw err;
  }
  const bytes = buildRecordBatch({
    records: decoded.map((r) => ({
      key: r.key,
      value: r.value,
      headers: r.headers,
      timestamp: r.timestamp,
    })),
    baseTimestamp: batch.baseTimestamp,
    compression: codec,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    transactional: batch.isTransactional,
    // Transaction markers (control batches, written by the coordinator) stay markers.
    control: batch.isControl,
  });
  return { ok: true, bytes };
}
