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
 *
 * In-place changes (LogAppendTime) write into the request buffer; a recompression returns a
 * new buffer with the new batches. Pure apart from that mutation: `nowMs` comes from the
 * caller's clock.
 */
import {
  buildRecordBatch,
  decodeRecords,
  readBatches,
  recordBatchError,
  RecordBatchDecodeError,
  type CompressionName,
  type RecordBatch,
  type RecordBatchError,
} from '../../src/protocol/kafka/record-batch.js';
import type { CompressionType, LogConfig } from './log-config.js';

export type ValidatedRecords =
  | { ok: true; records: Buffer; batches: RecordBatch[]; recompressed: boolean }
  | { ok: false; error: RecordBatchError };

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
    'messageTimestampType' | 'messageTimestampDifferenceMaxMs' | 'compressionType'
  >,
  nowMs: number,
): ValidatedRecords {
  if (config.messageTimestampType === 'CreateTime') {
    for (const batch of batches) {
      const error = timestampError(batch, config.messageTimestampDifferenceMaxMs, nowMs);
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
  });
  return { ok: true, bytes };
}
