/**
 * Producer state snapshot files (Kafka's `<offset>.snapshot`, written by ProducerStateManager):
 * the producer state of a partition as it was at `offset`, the offset where the segment that
 * starts there begins (a snapshot is taken when a segment rolls, and at the log end offset on
 * clean shutdown). After a restart the log loads the newest snapshot at or below its end and
 * replays only the batches after it.
 *
 *   orders-0/
 *     00000000000000000000.log  ...
 *     00000000000000368769.log  ...
 *     00000000000000368769.snapshot     state at offset 368769 (written when that segment rolled)
 *     00000000000000412007.snapshot     state at the log end offset (clean shutdown)
 *
 * Byte layout, Kafka's (version 1; integers big-endian):
 *
 *   int16  version                  1
 *   uint32 crc                      CRC-32C of every byte after this field
 *   int32  count                    number of producer entries, then per entry (46 bytes):
 *     int64  producer_id
 *     int16  producer_epoch
 *     int32  last_sequence          of the producer's last batch (-1 if it has none)
 *     int64  last_offset            of that batch (-1 if none)
 *     int32  offset_delta           last_offset - the batch's first offset
 *     int64  timestamp              the producer's last write (the batch's max timestamp)
 *     int32  coordinator_epoch      of its last transaction marker (-1 if none)
 *     int64  current_txn_first_offset   first offset of its open transaction (-1 if none)
 *
 * Only each producer's last batch is kept, so after a restart only a retry of the very last
 * batch is recognised as a duplicate (as in Kafka). Files are written whole and fsynced;
 * a torn or corrupt one fails its CRC and is deleted at load, and the log falls back to an
 * older snapshot (or to replaying from the start).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32c } from '../../src/protocol/kafka/crc32c.js';
import { readInt64, writeInt64 } from '../../src/protocol/kafka/record-batch.js';
import type { ProducerStateEntry } from './producer-state-manager.js';

export const PRODUCER_SNAPSHOT_FILE_SUFFIX = '.snapshot';
export const PRODUCER_SNAPSHOT_VERSION = 1;
const CRC_POSITION = 2;
const ENTRIES_POSITION = 6;
const ENTRY_BYTES = 46;
/** More producers than this in one partition's snapshot means a corrupt count. */
const SNAPSHOT_ENTRIES_MAX = 10_000_000;

export class CorruptSnapshotError extends Error {
  override name = 'CorruptSnapshotError';
  readonly code = 'KB_ERR_CORRUPT_PRODUCER_SNAPSHOT';
}

/** `<dir>/00000000000000368769.snapshot`. */
export function producerSnapshotPath(dir: string, offset: number): string {
  return path.join(dir, String(offset).padStart(20, '0') + PRODUCER_SNAPSHOT_FILE_SUFFIX);
}

/** The snapshot offsets present in `dir`, ascending. */
export function listProducerSnapshots(dir: string): number[] {
  const offsets: number[] = [];
  for (const name of fs.readdirSync(dir)) {
    const match = /^(\d{20})\.snapshot$/.exec(name);
    if (match !== null) offsets.push(Number(match[1]));
  }
  return offsets.sort((a, b) => a - b);
}

export function encodeProducerSnapshot(entries: Iterable<ProducerStateEntry>): Buffer {
  const list = [...entries];
  const buffer = Buffer.alloc(ENTRIES_POSITION + 4 + list.length * ENTRY_BYTES);
  buffer.writeInt16BE(PRODUCER_SNAPSHOT_VERSION, 0);
  buffer.writeInt32BE(list.length, ENTRIES_POSITION);
  let p = ENTRIES_POSITION + 4;
  for (const entry of list) {
    const last = entry.batches[entry.batches.length - 1];
    writeInt64(buffer, p, entry.producerId);
    buffer.writeInt16BE(entry.producerEpoch, p + 8);
    buffer.writeInt32BE(last?.lastSeq ?? -1, p + 10);
    writeInt64(buffer, p + 14, last?.lastOffset ?? -1);
    buffer.writeInt32BE(last?.offsetDelta ?? 0, p + 22);
    writeInt64(buffer, p + 26, entry.lastTimestampMs);
    buffer.writeInt32BE(entry.coordinatorEpoch, p + 34);
    writeInt64(buffer, p + 38, entry.currentTxnFirstOffset ?? -1);
    p += ENTRY_BYTES;
  }
  buffer.writeUInt32BE(crc32c(buffer.subarray(ENTRIES_POSITION)), CRC_POSITION);
  return buffer;
}

export function decodeProducerSnapshot(buffer: Buffer, file = 'snapshot'): ProducerStateEntry[] {
  const fail = (why: string): never => {
    throw new CorruptSnapshotError(`${file}: ${why}`);
  };
  if (buffer.length < ENTRIES_POSITION + 4) fail(`${buffer.length} bytes is too short`);
  const version = buffer.readInt16BE(0);
  if (version !== PRODUCER_SNAPSHOT_VERSION) fail(`unknown version ${version}`);
  const stored = buffer.readUInt32BE(CRC_POSITION);
  const computed = crc32c(buffer.subarray(ENTRIES_POSITION));
  if (stored !== computed) fail(`CRC ${stored} does not match the content's ${computed}`);
  const count = buffer.readInt32BE(ENTRIES_POSITION);
  if (count < 0 || count > SNAPSHOT_ENTRIES_MAX) fail(`bad entry count ${count}`);
  if (buffer.length !== ENTRIES_POSITION + 4 + count * ENTRY_BYTES) {
    fail(`${buffer.length} bytes do not hold exactly ${count} entries`);
  }
  const entries: ProducerStateEntry[] = [];
  let p = ENTRIES_POSITION + 4;
  for (let i = 0; i < count; i++, p += ENTRY_BYTES) {
    const lastSeq = buffer.readInt32BE(p + 10);
    const lastOffset = readInt64(buffer, p + 14);
    const offsetDelta = buffer.readInt32BE(p + 22);
    const timestampMs = readInt64(buffer, p + 26);
    const txnFirstOffset = readInt64(buffer, p + 38);
    entries.push({
      producerId: readInt64(buffer, p),
      producerEpoch: buffer.readInt16BE(p + 8),
      // A producer whose only record is a transaction marker has no data batch to remember.
      batches: lastOffset >= 0 ? [{ lastSeq, lastOffset, offsetDelta, timestampMs }] : [],
      coordinatorEpoch: buffer.readInt32BE(p + 34),
      lastTimestampMs: timestampMs,
      currentTxnFirstOffset: txnFirstOffset >= 0 ? txnFirstOffset : undefined,
    });
  }
  return entries;
}

/** Writes (or replaces) the snapshot at `offset` and fsyncs it. */
export function writeProducerSnapshot(
  dir: string,
  offset: number,
  entries: Iterable<ProducerStateEntry>,
): void {
  const fd = fs.openSync(producerSnapshotPath(dir, offset), 'w');
  try {
    fs.writeSync(fd, encodeProducerSnapshot(entries));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function readProducerSnapshot(dir: string, offset: number): ProducerStateEntry[] {
  const file = producerSnapshotPath(dir, offset);
  return decodeProducerSnapshot(fs.readFileSync(file), path.basename(file));
}

export function deleteProducerSnapshot(dir: string, offset: number): void {
  fs.rmSync(producerSnapshotPath(dir, offset), { force: true });
}
