/**
 * Properties of the v2 record batch code (src/protocol/kafka/record-batch.ts):
 *
 *   - building then decoding is the identity: random records (null and empty keys and values,
 *     headers, timestamps before and after the base) survive buildRecordBatch, readBatches
 *     and decodeRecords, uncompressed and gzip, and the built batch passes every check;
 *   - for arbitrary bytes, and for valid batches with bytes corrupted (with the CRC fixed up
 *     afterwards, so the corruption reaches the record decoder), readBatches and the checks
 *     return values and never throw, and decodeRecords returns records or throws
 *     RecordBatchDecodeError, never a RangeError or a zlib error.
 */
import t from 'tap';
import fc from 'fast-check';
import {
  ATTRIBUTES_POSITION,
  buildRecordBatch,
  checkBatchIntegrity,
  checkProducerBatch,
  checkRecordFraming,
  CRC_POSITION,
  decodeRecords,
  readBatches,
  RecordBatchDecodeError,
  RECORD_BATCH_HEADER_BYTES,
  type RecordInput,
} from '../../../../src/protocol/kafka/record-batch.js';
import { crc32c } from '../../../../src/protocol/kafka/crc32c.js';
import { bytesArbitrary } from '../../../fuzz/kafka-arbitrary.js';
import { applyMutations, mutations } from '../../../fuzz/byte-mutations.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const LIMITS = { maxMessageBytes: 1_048_588 };

const nullableBytes = fc.option(bytesArbitrary(0, 12), { nil: null, freq: 4 });
const baseTimestamp = fc.integer({ min: 0, max: 2 ** 42 });
const record: fc.Arbitrary<RecordInput> = fc.record({
  key: nullableBytes,
  value: nullableBytes,
  headers: fc.array(
    fc.record({ key: fc.string({ unit: 'binary', maxLength: 6 }), value: nullableBytes }),
    { maxLength: 3 },
  ),
  timestampDeltaMs: fc.integer({ min: -1_000_000, max: 1_000_000 }),
}) as unknown as fc.Arbitrary<RecordInput>;

const batchOptions = fc.record({
  records: fc.array(record, { minLength: 1, maxLength: 5 }),
  baseOffset: fc.integer({ min: 0, max: 2 ** 40 }),
  baseTimestamp,
  compression: fc.constantFrom('none' as const, 'gzip' as const),
});

type BatchOptions = typeof batchOptions extends fc.Arbitrary<infer T> ? T : never;

function build(options: BatchOptions): Buffer {
  const records = options.records.map((r) => {
    const { timestampDeltaMs, ...rest } = r as RecordInput & { timestampDeltaMs: number };
    return { ...rest, timestamp: options.baseTimestamp + timestampDeltaMs };
  });
  return buildRecordBatch({ ...options, records });
}

/** Recomputes the CRC so that a corrupted batch still passes the integrity check. */
function fixCrc(batch: Buffer): Buffer {
  if (batch.length >= RECORD_BATCH_HEADER_BYTES) {
    batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES_POSITION)), CRC_POSITION);
  }
  return batch;
}

/** Everything a broker or tool may call on untrusted bytes; throws only what is allowed. */
function inspect(bytes: Buffer): void {
  for (const batch of readBatches(bytes).batches) {
    checkBatchIntegrity(batch);
    checkProducerBatch(batch, LIMITS);
    checkRecordFraming(batch);
    try {
      decodeRecords(batch);
    } catch (err) {
      if (!(err instanceof RecordBatchDecodeError)) throw err;
    }
  }
}

t.test('built batches decode to the records they were built from', async (t) => {
  fc.assert(
    fc.property(batchOptions, (options) => {
      const bytes = build(options);
      const scan = readBatches(bytes);
      if (scan.tail !== 'complete' || scan.batches.length !== 1) return false;
      const batch = scan.batches[0]!;
      if (checkProducerBatch(batch, LIMITS) !== undefined) return false;
      if (checkRecordFraming(batch) !== undefined) return false;
      const decoded = decodeRecords(batch);
      return (
        batch.baseOffset === options.baseOffset &&
        decoded.length === options.records.length &&
        decoded.every((d, i) => {
          const input = options.records[i] as RecordInput & { timestampDeltaMs: number };
          const same = (a: Buffer | null, b: unknown) =>
            a === null ? b === null : Buffer.isBuffer(b) && a.equals(b);
          return (
            d.offset === options.baseOffset + i &&
            d.timestamp === options.baseTimestamp + input.timestampDeltaMs &&
            same(d.key, input.key) &&
            same(d.value, input.value) &&
            d.headers.length === (input.headers ?? []).length &&
            d.headers.every(
              (h, j) => h.key === input.headers![j]!.key && same(h.value, input.headers![j]!.value),
            )
          );
        })
      );
    }),
    { numRuns: 300, seed },
  );
  t.pass('300 random batches round-trip');
});

t.test('arbitrary bytes never make the batch code throw a foreign error', async (t) => {
  fc.assert(
    fc.property(bytesArbitrary(0, 200), (bytes) => {
      inspect(bytes);
    }),
    { numRuns: 500, seed },
  );
  // A well-formed header in front of random record bytes gets past the framing checks.
  fc.assert(
    fc.property(batchOptions, bytesArbitrary(0, 64), (options, garbage) => {
      const header = build(options).subarray(0, RECORD_BATCH_HEADER_BYTES);
      const bytes = Buffer.concat([header, garbage]);
      bytes.writeInt32BE(bytes.length - 12, 8);
      inspect(fixCrc(bytes));
    }),
    { numRuns: 500, seed },
  );
  t.pass('1000 inputs inspected');
});

t.test('corrupted batches never make the batch code throw a foreign error', async (t) => {
  fc.assert(
    fc.property(batchOptions, mutations, fc.boolean(), (options, list, crc) => {
      const bytes = applyMutations(build(options), list);
      inspect(crc ? fixCrc(bytes) : bytes);
    }),
    { numRuns: 1000, seed },
  );
  t.pass('1000 corrupted batches inspected');
});
