/**
 * Transaction markers: the control records a partition leader writes when a transaction ends
 * (Kafka's `EndTransactionMarker` and `ControlRecordType`, KIP-98). The transaction
 * coordinator asks for them with WriteTxnMarkers; consumers in read_committed mode use them
 * to know where a transaction's records stop, and the producer state uses them to close the
 * producer's open transaction on the partition.
 *
 * A marker is a batch of its own: attributes control (bit 5) and transactional (bit 4), the
 * producer id and epoch of the transaction, base sequence -1, uncompressed, holding exactly
 * one record:
 *
 *   key    int16 version (0)   int16 type (0 ABORT, 1 COMMIT)              4 bytes
 *   value  int16 version (0)   int32 coordinator_epoch                     6 bytes
 *
 * Kafka reads a key or value of a higher version by its version-0 prefix and rejects a
 * shorter one; so do we. Other control types (Kafka 3.x's leader-change records of KRaft)
 * are not markers: `decodeEndTxnMarker` answers undefined for them.
 */
import { buildRecordBatch, decodeRecords, type RecordBatch } from './record-batch.js';

export type ControlRecordType = 'ABORT' | 'COMMIT';

export const CONTROL_RECORD_KEY_VERSION = 0;
export const END_TXN_MARKER_VALUE_VERSION = 0;
const CONTROL_TYPE_ID: Record<ControlRecordType, number> = { ABORT: 0, COMMIT: 1 };
const CONTROL_KEY_BYTES = 4;
const MARKER_VALUE_BYTES = 6;

export interface EndTxnMarker {
  readonly type: ControlRecordType;
  /** The epoch of the coordinator's `__transaction_state` partition that wrote it. */
  readonly coordinatorEpoch: number;
}

export function encodeControlRecordKey(type: ControlRecordType): Buffer {
  const key = Buffer.alloc(CONTROL_KEY_BYTES);
  key.writeInt16BE(CONTROL_RECORD_KEY_VERSION, 0);
  key.writeInt16BE(CONTROL_TYPE_ID[type], 2);
  return key;
}

export function encodeEndTxnMarkerValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.alloc(MARKER_VALUE_BYTES);
  value.writeInt16BE(END_TXN_MARKER_VALUE_VERSION, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

/** The control type of a control record's key, or undefined if it is not ABORT/COMMIT. */
export function controlRecordTypeOf(key: Buffer | null): ControlRecordType | undefined {
  if (key === null || key.length < CONTROL_KEY_BYTES || key.readInt16BE(0) < 0) return undefined;
  switch (key.readInt16BE(2)) {
    case 0:
      return 'ABORT';
    case 1:
      return 'COMMIT';
    default:
      return undefined;
  }
}

/**
 * The marker a control batch holds, or undefined when the batch is not a control batch, holds
 * no record (the cleaner may empty one) or holds another control type. Throws
 * RecordBatchDecodeError on malformed records (a batch that passed its CRC check on the way
 * in never is).
 */
export function decodeEndTxnMarker(batch: RecordBatch): EndTxnMarker | undefined {
  if (!batch.isControl || batch.recordsCount === 0) return undefined;
  const record = decodeRecords(batch)[0];
  if (record === undefined) return undefined;
  const type = controlRecordTypeOf(record.key);
  const value = record.value;
  if (type === undefined || value === null || value.length < MARKER_VALUE_BYTES) return undefined;
  return { type, coordinatorEpoch: value.readInt32BE(2) };
}

/**
 * One marker batch, as Kafka's MemoryRecords.withEndTransactionMarker builds it: offset 0 (the
 * leader assigns the real one), no leader epoch yet, base sequence -1.
 */
export function buildEndTxnMarkerBatch(options: {
  producerId: number;
  producerEpoch: number;
  marker: EndTxnMarker;
  timestampMs: number;
}): Buffer {
  return buildRecordBatch({
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    baseSequence: -1,
    transactional: true,
    control: true,
    baseTimestamp: options.timestampMs,
    records: [
      {
        key: encodeControlRecordKey(options.marker.type),
        value: encodeEndTxnMarkerValue(options.marker.coordinatorEpoch),
        timestamp: options.timestampMs,
      },
    ],
  });
}
