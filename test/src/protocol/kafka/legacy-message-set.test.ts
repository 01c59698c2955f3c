/**
 * Magic 0/1 message sets become one v2 batch (src/protocol/kafka/legacy-message-set.ts). The
 * vectors are the bytes kafka-python 2.0's LegacyRecordBatchBuilder writes for two messages,
 * ("k", "hello") and (null, "world"), at timestamps 1700000000000 and ...001 for magic 1.
 */
import { crc32 } from '@node-rs/crc32';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { compress } from '../../../../src/protocol/kafka/compression.js';
import {
  hasLegacyMagic,
  upConvertMessageSet,
} from '../../../../src/protocol/kafka/legacy-message-set.js';
import {
  buildRecordBatch,
  checkProducerBatch,
  decodeRecords,
  NO_TIMESTAMP,
  readBatches,
} from '../../../../src/protocol/kafka/record-batch.js';

const VECTORS = {
  'magic 0, uncompressed':
    '000000000000000000000014a4cdab3a0000000000016b0000000568656c6c6f0000000000000001000000138b' +
    'c0cd770000ffffffff00000005776f726c64',
  'magic 0, gzip':
    '00000000000000000000004b99838c630001ffffffff0000003d1f8b08000e24106b02ff636080039125675' +
    '75b81598cd9408235233527271f2ac708c4c2dd07ce963330fc07029074797e514e0a006df281783f000000',
  'magic 1, uncompressed':
    '00000000000000000000001caa1f677901000000018bcfe56800000000016b0000000568656c6c6f0000000000' +
    '0000010000001b1f8b5d0901000000018bcfe56801ffffffff00000005776f726c64',
  'magic 1, gzip':
    '00000000000000000000005b7f2230ca01010000000000000000ffffffff000000451f8b08000e24106b02ff6' +
    '36080039955f2e9958c400663f7f9a7192011c66c20c19a919a93930f5503929696ef8ee584ab63fc0f0420' +
    '65e5f9453929004c9e872c4f000000',
};

/** One legacy message, written the way the format describes (independent of the reader). */
function message(
  magic: 0 | 1,
  key: string | null,
  value: Buffer | string | null,
  options: { attributes?: number; timestamp?: bigint; offset?: bigint } = {},
): Buffer {
  const bytes = (v: Buffer | string | null): Buffer => {
    if (v === null) return Buffer.from([0xff, 0xff, 0xff, 0xff]);
    const b = Buffer.from(v);
    const len = Buffer.alloc(4);
    len.writeInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const head = Buffer.from([magic, options.attributes ?? 0]);
  const ts = Buffer.alloc(magic === 1 ? 8 : 0);
  if (magic === 1) ts.writeBigInt64BE(options.timestamp ?? 0n);
  const body = Buffer.concat([head, ts, bytes(key), bytes(value)]);
  const out = Buffer.alloc(16);
  out.writeBigInt64BE(options.offset ?? 0n, 0);
  out.writeInt32BE(body.length + 4, 8);
  out.writeUInt32BE(crc32(body), 12);
  return Buffer.concat([out, body]);
}

function convert(set: Buffer) {
  const result = upConvertMessageSet(set, 1 << 20);
  if (!result.ok) throw new Error(`refused: ${result.error.message}`);
  const { batches, tail } = readBatches(result.records);
  return { batches, tail, records: decodeRecords(batches[0]!) };
}

t.test("kafka-python's message sets become one v2 batch with the same records", async (t) => {
  for (const [name, hex] of Object.entries(VECTORS)) {
    const set = Buffer.from(hex, 'hex');
    t.ok(hasLegacyMagic(set), `${name}: recognised as legacy`);
    const { batches, tail, records } = convert(set);
    t.equal(tail, 'complete');
    t.equal(batches.length, 1, `${name}: one batch`);
    const batch = batches[0]!;
    t.equal(batch.magic, 2);
    t.equal(batch.compression, name.endsWith('gzip') ? 'gzip' : 'none', `${name}: codec kept`);
    t.equal(checkProducerBatch(batch, { maxMessageBytes: 1 << 20 }), undefined, 'a valid batch');
    t.same(
      records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString()]),
      [
        [0, 'k', 'hello'],
        [1, null, 'world'],
      ],
    );
    const stamps = name.startsWith('magic 0')
      ? [NO_TIMESTAMP, NO_TIMESTAMP]
      : [1700000000000, 1700000000001];
    t.same(
      records.map((r) => r.timestamp),
      stamps,
      `${name}: timestamps`,
    );
    t.equal(batch.producerId, -1, 'no producer id');
  }
});

t.test('a v2 batch is not legacy', async (t) => {
  t.notOk(hasLegacyMagic(buildRecordBatch({ records: [{ value: 'x' }] })));
  t.notOk(hasLegacyMagic(Buffer.alloc(10)), 'too short to carry a magic byte');
});

t.test('a LogAppendTime wrapper gives its timestamp to every inner message', async (t) => {
  const inner = Buffer.concat([
    message(1, null, 'a', { timestamp: 5n }),
    message(1, null, 'b', { timestamp: 6n, offset: 1n }),
  ]);
  const wrapper = message(1, null, compress('snappy', inner), {
    attributes: 2 | 0x08,
    timestamp: 1234n,
    offset: 1n,
  });
  const { batches, records } = convert(wrapper);
  t.equal(batches[0]!.compression, 'snappy');
  t.same(
    records.map((r) => [r.value?.toString(), r.timestamp]),
    [
      ['a', 1234],
      ['b', 1234],
    ],
  );
});

t.test('several uncompressed and compressed messages in one set keep their order', async (t) => {
  const set = Buffer.concat([
    message(0, 'a', '1'),
    message(0, null, gzipSync(Buffer.concat([message(0, 'b', '2'), message(0, 'c', '3')])), {
      attributes: 1,
    }),
    message(0, 'd', null),
  ]);
  const { records, batches } = convert(set);
  t.equal(batches[0]!.compression, 'gzip');
  t.same(
    records.map((r) => [r.offset, r.key?.toString(), r.value?.toString() ?? null]),
    [
      [0, 'a', '1'],
      [1, 'b', '2'],
      [2, 'c', '3'],
      [3, 'd', null],
    ],
  );
});

t.test('damaged or refused message sets get the error Kafka gives', async (t) => {
  const good = message(1, 'k', 'v', { timestamp: 1n });
  const badCrc = Buffer.from(good);
  badCrc[badCrc.length - 1] ^= 1;
  const nested = message(
    0,
    null,
    gzipSync(
      message(0, null, gzipSync(message(0, null, 'x')), {
        attributes: 1,
      }),
    ),
    { attributes: 1 },
  );
  const cases: [string, Buffer, string][] = [
    ['bad CRC', badCrc, 'CORRUPT_MESSAGE'],
    ['truncated', good.subarray(0, good.length - 3), 'CORRUPT_MESSAGE'],
    [
      'size past the end',
      Buffer.concat([good.subarray(0, 8), Buffer.from([0, 0, 1, 0])]),
      'CORRUPT_MESSAGE',
    ],
    ['mixed magic', Buffer.concat([message(0, null, 'a'), good]), 'INVALID_RECORD'],
    ['nested compression', nested, 'INVALID_RECORD'],
    ['codec 5', message(0, null, 'x', { attributes: 5 }), 'UNSUPPORTED_COMPRESSION_TYPE'],
    [
      'garbage in a gzip wrapper',
      message(0, null, 'not gzip', { attributes: 1 }),
      'CORRUPT_MESSAGE',
    ],
    ['wrapper without value', message(0, null, null, { attributes: 1 }), 'CORRUPT_MESSAGE'],
  ];
  for (const [name, set, error] of cases) {
    const result = upConvertMessageSet(set, 1 << 20);
    t.equal(result.ok ? 'ok' : result.error.error, error, name);
  }
  const bomb = message(0, null, gzipSync(Buffer.concat([message(0, null, Buffer.alloc(4096))])), {
    attributes: 1,
  });
  const bounded = upConvertMessageSet(bomb, 1024);
  t.equal(bounded.ok ? 'ok' : bounded.error.error, 'CORRUPT_MESSAGE', 'inflating past the bound');
});
