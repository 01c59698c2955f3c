/**
 * The records of `__transaction_state`: how the transaction coordinator stores each
 * transactional id's metadata in its internal topic, in Kafka's own formats (the
 * `TransactionLogKey` and `TransactionLogValue` schemas of Kafka's internal messages), so
 * that tools reading the topic (kafka-console-consumer with TransactionLogMessageFormatter)
 * decode what our brokers write.
 *
 * Both start with an int16 schema version, then the fields in order (classic encoding:
 * int16-length strings, int32-length arrays):
 *
 *   key    v0: transactionalId string
 *   value  v0: producerId int64, producerEpoch int16, transactionTimeoutMs int32,
 *              transactionStatus int8, transactionPartitions [topic string,
 *              partitionIds [int32]] (nullable), transactionLastUpdateTimestampMs int64,
 *              transactionStartTimestampMs int64
 *
 * Value v1 (Kafka 3.x) is the same fields in the flexible encoding (compact lengths and
 * tagged fields); Kafka 2.8 writes v0 and so do we, and decoding accepts both. The status
 * byte is Kafka's TransactionState id: Empty 0, Ongoing 1, PrepareCommit 2, PrepareAbort 3,
 * CompleteCommit 4, CompleteAbort 5, Dead 6, PrepareEpochFence 7. A record with a null value
 * (a tombstone) removes the transactional id. The partition of a transactional id is
 * `abs(javaStringHashCode(transactionalId)) % partitionCount`, the rule groups use.
 */
import { partitionForGroup } from './group-records.js';
import { Reader, Writer } from './primitives.js';

export const TRANSACTION_LOG_KEY_VERSION = 0;
export const TRANSACTION_LOG_VALUE_VERSION = 0;

export interface TransactionLogPartitions {
  topic: string;
  partitionIds: number[];
}

export interface TransactionLogValue {
  producerId: bigint;
  producerEpoch: number;
  transactionTimeoutMs: number;
  /** Kafka's TransactionState id (see the header). */
  transactionStatus: number;
  transactionPartitions: TransactionLogPartitions[];
  transactionLastUpdateTimestampMs: bigint;
  transactionStartTimestampMs: bigint;
}

export function encodeTransactionLogKey(transactionalId: string): Buffer {
  const w = new Writer();
  w.int16(TRANSACTION_LOG_KEY_VERSION);
  w.string(transactionalId, false);
  return w.toBuffer();
}

/** The transactional id of a key; throws on a version no Kafka release writes. */
export function decodeTransactionLogKey(bytes: Buffer): string {
  const r = new Reader(bytes);
  const version = r.int16();
  if (version !== TRANSACTION_LOG_KEY_VERSION) {
    throw new RangeError(`unknown __transaction_state key version ${version}`);
  }
  return r.string(false, false)!;
}

export function encodeTransactionLogValue(value: TransactionLogValue): Buffer {
  const w = new Writer();
  w.int16(TRANSACTION_LOG_VALUE_VERSION);
  w.int64(value.producerId);
  w.int16(value.producerEpoch);
  w.int32(value.transactionTimeoutMs);
  w.int8(value.transactionStatus);
  w.arrayLength(value.transactionPartitions.length, false);
  for (const p of value.transactionPartitions) {
    w.string(p.topic, false);
    w.arrayLength(p.partitionIds.length, false);
    for (const id of p.partitionIds) w.int32(id);
  }
  w.int64(value.transactionLastUpdateTimestampMs);
  w.int64(value.transactionStartTimestampMs);
  return w.toBuffer();
}

export function decodeTransactionLogValue(bytes: Buffer): TransactionLogValue {
  const r = new Reader(bytes);
  const version = r.int16();
  if (version !== 0 && version !== 1) {
    throw new RangeError(`unsupported __transaction_state value version ${version}`);
  }
  const flexible = version >= 1;
  const producerId = r.int64();
  const producerEpoch = r.int16();
  const transactionTimeoutMs = r.int32();
  const transactionStatus = r.int8();
  const count = r.arrayLength(flexible, true);
  const transactionPartitions: TransactionLogPartitions[] = [];
  for (let i = 0; i < Math.max(0, count); i++) {
    const topic = r.string(flexible, false)!;
    const ids = r.arrayLength(flexible, false);
    const partitionIds: number[] = [];
    for (let j = 0; j < ids; j++) partitionIds.push(r.int32());
    if (flexible) skipTaggedFields(r);
    transactionPartitions.push({ topic, partitionIds });
  }
  const transactionLastUpdateTimestampMs = r.int64();
  const transactionStartTimestampMs = r.int64();
  if (flexible) skipTaggedFields(r);
  return {
    producerId,
    producerEpoch,
    transactionTimeoutMs,
    transactionStatus,
    transactionPartitions,
    transactionLastUpdateTimestampMs,
    transactionStartTimestampMs,
  };
}

/** Flexible versions end each struct with tagged fields: a count, then tag, size, bytes. */
function skipTaggedFields(r: Reader): void {
  const count = r.unsignedVarint();
  for (let i = 0; i < count; i++) {
    r.unsignedVarint();
    const size = r.unsignedVarint();
    r.limit(size);
  }
}

/** Kafka's TransactionStateManager.partitionFor: the group rule, over transactional ids. */
export function partitionForTransactionalId(
  transactionalId: string,
  partitionCount: number,
): number {
  return partitionForGroup(transactionalId, partitionCount);
}
