import { createRequire } from 'node:module';
import t from 'tap';
import { crc32c } from '../../../../src/protocol/kafka/crc32c.js';
import {
  RecordBatch,
  buildRecordBatch,
  checkBatchIntegrity,
  checkProducerBatch,
  checkRecordFraming,
  decodeRecords,
  readBatches,
  readInt64,
  writeInt64,
  CRC_POSITION,
  LAST_OFFSET_DELTA_POSITION,
  MAGIC_POSITION,
} from '../../../../src/protocol/kafka/record-batch.js';
import { ErrorCode } from '../../../../src/protocol/kafka/errors.js';

const limits = { maxMessageBytes: 1_048_588 };

// A known-good batch: the bytes kafka-python's DefaultRecordBatchBuilder writes for it.
const VECTOR_HEX =
  '00000000000000000000004affffffff02a94f3d630000000000010000018bcfe568000000018bcfe56805' +
  'ffffffffffffffffffffffffffff0000000210000000026b0276001e000a02010a68656c6c6f0202680278';

t.test('CRC-32C check value', async (t) => {
  t.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  t.equal(crc32c(Buffer.from('56789'), crc32c(Buffer.from('1234'))), 0xe3069283, 'incremental');
});

t.test('int64 helpers round trip negatives and values above 2^32', async (t) => {
  const b = Buffer.alloc(8);
  for (const v of [0, -1, 1, 2 ** 32, 2 ** 32 + 7, -(2 ** 40) - 3, Number.MAX_SAFE_INTEGER]) {
    writeInt64(b, 0, v);
    t.equal(readInt64(b, 0), v);
    t.equal(b.readBigInt64BE(0), BigInt(v), `same bytes as BigInt for ${v}`);
  }
});

t.test('builds the reference batch byte for byte and reads its header', async (t) => {
  const built = buildRecordBatch({
    records: [
      { key: 'k', value: 'v', timestamp: 1_700_000_000_000 },
      {
        key: null,
        value: 'hello',
        timestamp: 1_700_000_000_005,
        headers: [{ key: 'h', value: 'x' }],
      },
    ],
  });
  t.equal(built.toString('hex'), VECTOR_HEX);
  const batch = new RecordBatch(built, 0);
  t.equal(batch.sizeInBytes, 86);
  t.equal(batch.crc, 0xa94f3d63);
  t.equal(batch.partitionLeaderEpoch, -1);
  t.equal(batch.lastOffsetDelta, 1);
  t.equal(batch.recordsCount, 2);
  t.equal(batch.maxTimestamp, 1_700_000_000_005);
  t.equal(batch.producerId, -1);
  t.equal(batch.compression, 'none');
  t.equal(batch.timestampType, 'CreateTime');
  t.equal(checkProducerBatch(batch, limits), undefined);
  t.equal(checkRecordFraming(batch), undefined);
  const records = decodeRecords(batch);
  t.same(
    records.map((r) => ({
      offset: r.offset,
      timestamp: r.timestamp,
      key: r.key?.toString() ?? null,
      value: r.value?.toString() ?? null,
      headers: r.headers.map((h) => [h.key, h.value?.toString()]),
    })),
    [
      { offset: 0, timestamp: 1_700_000_000_000, key: 'k', value: 'v', headers: [] },
      { offset: 1, timestamp: 1_700_000_000_005, key: null, value: 'hello', headers: [['h', 'x']] },
    ],
  );
});

t.test(
  'baseOffset and partitionLeaderEpoch are rewritten in place without touching the CRC',
  async (t) => {
    const buf = Buffer.from(VECTOR_HEX, 'hex');
    const batch = new RecordBatch(buf, 0);
    batch.setBaseOffset(2 ** 40 + 5);
    batch.setPartitionLeaderEpoch(7);
    t.equal(batch.baseOffset, 2 ** 40 + 5);
    t.equal(batch.lastOffset, 2 ** 40 + 6);
    t.equal(batch.partitionLeaderEpoch, 7);
    t.equal(checkBatchIntegrity(batch), undefined, 'CRC still valid');
    t.equal(decodeRecords(batch)[1]!.offset, 2 ** 40 + 6);
  },
);

t.test('LogAppendTime rewrites maxTimestamp and re-checksums', async (t) => {
  const batch = new RecordBatch(Buffer.from(VECTOR_HEX, 'hex'), 0);
  batch.setLogAppendTime(1_800_000_000_000);
  t.equal(batch.timestampType, 'LogAppendTime');
  t.equal(batch.maxTimestamp, 1_800_000_000_000);
  t.equal(checkBatchIntegrity(batch), undefined);
  t.ok(decodeRecords(batch).every((r) => r.timestamp === 1_800_000_000_000));
});

t.test('gzip batches round trip', async (t) => {
  const records = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'x'.repeat(100) }));
  const built = buildRecordBatch({ records, compression: 'gzip', baseTimestamp: 1000 });
  const batch = new RecordBatch(built, 0);
  t.equal(batch.compression, 'gzip');
  t.ok(built.length < 50 * 100, 'compressed');
  t.equal(checkProducerBatch(batch, limits), undefined);
  const decoded = decodeRecords(batch);
  t.equal(decoded.length, 50);
  t.equal(decoded[49]!.key!.toString(), 'k49');
  t.equal(decoded[49]!.offset, 49);
});

t.test('readBatches splits several batches and reports a truncated or corrupt tail', async (t) => {
  const a = buildRecordBatch({ records: [{ value: 'a' }] });
  const b = buildRecordBatch({ records: [{ value: 'bb' }, { value: 'cc' }] });
  const both = Buffer.concat([a, b]);
  const full = readBatches(both);
  t.equal(full.tail, 'complete');
  t.equal(full.batches.length, 2);
  t.equal(full.batches[1]!.position, a.length);
  t.equal(full.validBytes, both.length);

  const cut = readBatches(both.subarray(0, both.length - 3));
  t.equal(cut.tail, 'truncated');
  t.equal(cut.batches.length, 1);
  t.equal(cut.validBytes, a.length);
  t.equal(readBatches(both.subarray(0, a.length + 5)).tail, 'truncated', 'cut inside framing');

  const garbage = Buffer.concat([a, Buffer.alloc(20)]); // batchLength 0
  const bad = readBatches(garbage);
  t.equal(bad.tail, 'corrupt');
  t.equal(bad.validBytes, a.length);
  t.equal(readBatches(Buffer.alloc(0)).tail, 'complete');
});

t.test('validation errors carry Kafka names and codes', async (t) => {
  const fresh = () => new RecordBatch(Buffer.from(VECTOR_HEX, 'hex'), 0);

  const flipped = fresh();
  flipped.buffer[70]! ^= 0x01;
  t.match(checkBatchIntegrity(flipped), {
    error: 'CORRUPT_MESSAGE',
    errorCode: ErrorCode.CORRUPT_MESSAGE,
  });

  const magic = fresh();
  magic.buffer.writeInt8(1, MAGIC_POSITION);
  t.match(checkBatchIntegrity(magic), {
    error: 'INVALID_RECORD',
    errorCode: ErrorCode.INVALID_RECORD,
  });

  t.match(checkProducerBatch(fresh(), { maxMessageBytes: 50 }), {
    error: 'MESSAGE_TOO_LARGE',
    errorCode: ErrorCode.MESSAGE_TOO_LARGE,
  });

  const delta = fresh();
  delta.buffer.writeInt32BE(5, LAST_OFFSET_DELTA_POSITION);
  delta.buffer.writeUInt32BE(delta.computeCrc(), CRC_POSITION);
  t.match(checkProducerBatch(delta, limits), { error: 'INVALID_RECORD' });

  const control = new RecordBatch(
    buildRecordBatch({ records: [{ value: 'x' }], control: true }),
    0,
  );
  t.match(checkProducerBatch(control, limits), { error: 'INVALID_RECORD' });

  const noSeq = new RecordBatch(buildRecordBatch({ records: [{ value: 'x' }], producerId: 9 }), 0);
  t.match(checkProducerBatch(noSeq, limits), { error: 'INVALID_RECORD' });
});

t.test('checkRecordFraming catches records that do not tile the batch', async (t) => {
  const buf = Buffer.from(VECTOR_HEX, 'hex');
  buf[61] = 0x20; // first record claims 16 bytes instead of 15
  const batch = new RecordBatch(buf, 0);
  buf.writeUInt32BE(batch.computeCrc(), CRC_POSITION);
  t.equal(checkBatchIntegrity(batch), undefined, 'the CRC alone cannot see it');
  t.match(checkRecordFraming(batch), { error: 'CORRUPT_MESSAGE' });
  t.throws(() => decodeRecords(batch), { name: 'RecordBatchDecodeError' });
});

t.test('decodes a batch encoded by kafkajs (byte compatibility)', async (t) => {
  const require = createRequire(import.meta.url);
  const { RecordBatch: KafkaJsBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js');
  const KafkaJsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js');
  const Long = require('kafkajs/src/utils/long.js');
  const encoder = await KafkaJsBatch({
    firstOffset: Long.fromInt(0),
    firstTimestamp: 1_700_000_000_000,
    maxTimestamp: 1_700_000_000_010,
    partitionLeaderEpoch: 0,
    lastOffsetDelta: 2,
    records: [0, 1, 2].map((i) =>
      KafkaJsRecord({
        offsetDelta: i,
        timestampDelta: i * 5,
        key: Buffer.from(`key-${i}`),
        value: Buffer.from(`value-${i}`),
        headers: i === 1 ? { trace: 'abc' } : {},
      }),
    ),
  });
  const bytes: Buffer = encoder.buffer;
  const scan = readBatches(bytes);
  t.equal(scan.tail, 'complete');
  t.equal(scan.batches.length, 1);
  const batch = scan.batches[0]!;
  // kafkajs idempotence defaults: producerEpoch 0, baseSequence 0, producerId -1.
  t.equal(checkBatchIntegrity(batch), undefined, 'CRC-32C agrees with kafkajs');
  t.equal(checkRecordFraming(batch), undefined);
  t.equal(batch.recordsCount, 3);
  t.equal(batch.maxTimestamp, 1_700_000_000_010);
  const records = decodeRecords(batch);
  t.same(
    records.map((r) => r.value!.toString()),
    ['value-0', 'value-1', 'value-2'],
  );
  t.same(
    records.map((r) => r.timestamp),
    [1_700_000_000_000, 1_700_000_000_005, 1_700_000_000_010],
  );
  t.equal(records[1]!.headers[0]!.key, 'trace');
  t.equal(records[1]!.headers[0]!.value!.toString(), 'abc');

  // And our encoder produces the same bytes for the same input.
  const ours = buildRecordBatch({
    partitionLeaderEpoch: 0,
    producerEpoch: 0,
    baseSequence: 0,
    baseTimestamp: 1_700_000_000_000,
    records: [0, 1, 2].map((i) => ({
      key: `key-${i}`,
      value: `value-${i}`,
      timestamp: 1_700_000_000_000 + i * 5,
      headers: i === 1 ? [{ key: 'trace', value: 'abc' }] : [],
    })),
  });
  t.equal(ours.toString('hex'), bytes.toString('hex'));
});
