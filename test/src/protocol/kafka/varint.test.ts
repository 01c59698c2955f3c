import t from 'tap';
import { readVarint, varintSize, writeVarint } from '../../../../src/protocol/kafka/varint.js';

/** Writes `value` alone and returns its bytes as hex. */
function encode(value: number): string {
  const buffer = Buffer.alloc(varintSize(value));
  const end = writeVarint(buffer, 0, value);
  t.equal(end, buffer.length, `varintSize(${value}) is the size written`);
  return buffer.toString('hex');
}

function decode(hex: string): number | undefined {
  const buffer = Buffer.from(hex, 'hex');
  return readVarint(buffer, { position: 0 }, buffer.length);
}

t.test('zig-zag varints, byte for byte (vectors of Kafka ByteUtilsTest)', async (t) => {
  const vectors: [number, string][] = [
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-64, '7f'],
    [64, '8001'],
    [300, 'd804'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ];
  for (const [value, bytes] of vectors) {
    t.equal(encode(value), bytes, `write ${value}`);
    t.equal(decode(bytes), value, `read ${bytes}`);
  }
});

t.test('values beyond 32 bits stay exact below 2^52 in magnitude (timestamp deltas)', async (t) => {
  for (const value of [2 ** 32, -(2 ** 32) - 1, 1_700_000_000_000, 2 ** 52 - 1]) {
    t.equal(decode(encode(value)), value, `${value}`);
    t.equal(decode(encode(-value)), -value, `${-value}`);
  }
});

t.test('the cursor moves past each varint, so several read back to back', async (t) => {
  const buffer = Buffer.alloc(varintSize(-1) + varintSize(300) + varintSize(1));
  let position = writeVarint(buffer, 0, -1);
  position = writeVarint(buffer, position, 300);
  writeVarint(buffer, position, 1);
  const cursor = { position: 0 };
  t.same(
    [0, 1, 2].map(() => readVarint(buffer, cursor, buffer.length)),
    [-1, 300, 1],
  );
  t.equal(cursor.position, buffer.length);
});

t.test('a truncated or endless varint reads as undefined, never past its end', async (t) => {
  t.equal(decode('80'), undefined, 'continuation bit set on the last byte');
  t.equal(decode('ff'.repeat(11)), undefined, 'longer than 10 bytes');
  const buffer = Buffer.from('8001', 'hex');
  const cursor = { position: 0 };
  t.equal(readVarint(buffer, cursor, 1), undefined, 'the end bound is honoured');
  t.ok(cursor.position <= 1);
});
