/**
 * Reader/Writer primitives: known encodings (varint zigzag vectors from the Kafka protocol
 * guide), boundaries, and that bad input becomes a KafkaProtocolError, never a RangeError.
 */
import t from 'tap';
import {
  KafkaProtocolError,
  Reader,
  Writer,
  ZERO_COPY_MIN_BYTES,
  ZERO_UUID,
} from '../../../../src/protocol/kafka/primitives.js';

const hex = (w: Writer): string => w.toBuffer().toString('hex');

t.test('fixed-width integers are big-endian', async (t) => {
  const w = new Writer();
  w.int8(-1);
  w.int16(0x1234);
  w.uint16(0xfffe);
  w.int32(-2);
  w.int64(-3n);
  w.float64(1.5);
  w.bool(true);
  t.equal(
    hex(w),
    'ff' + '1234' + 'fffe' + 'fffffffe' + 'fffffffffffffffd' + '3ff8000000000000' + '01',
  );
  const r = new Reader(w.toBuffer());
  t.same(
    [r.int8(), r.int16(), r.uint16(), r.int32(), r.int64(), r.float64(), r.bool()],
    [-1, 0x1234, 0xfffe, -2, -3n, 1.5, true],
  );
  t.equal(r.remaining(), 0);
});

t.test('unsigned varints', async (t) => {
  const w = new Writer();
  w.unsignedVarint(0xffffffff);
  t.equal(hex(w), 'ffffffff0f');
  t.equal(new Reader(w.toBuffer()).unsignedVarint(), 0xffffffff);
});

t.test('bad varints are malformed, not endless', async (t) => {
  t.throws(() => new Reader(Buffer.from('ffffffffff01', 'hex')).unsignedVarint(), {
    code: 'KP_ERR_MALFORMED',
  });
  t.throws(
    () => new Reader(Buffer.from('ffffffff7f', 'hex')).unsignedVarint(),
    { code: 'KP_ERR_MALFORMED' },
    'more than 32 bits',
  );
  t.throws(() => new Reader(Buffer.from('80', 'hex')).unsignedVarint(), {
    code: 'KP_ERR_TRUNCATED',
  });
});

t.test('strings and bytes, classic and compact, with nulls', async (t) => {
  const w = new Writer();
  w.string('hé', false);
  w.string(null, false);
  w.string('hé', true);
  w.string(null, true);
  w.bytes(Buffer.from([1, 2]), false);
  w.bytes(null, false);
  w.bytes(Buffer.from([1, 2]), true);
  w.bytes(null, true);
  t.equal(
    hex(w),
    '000368c3a9' + 'ffff' + '0468c3a9' + '00' + '000000020102' + 'ffffffff' + '030102' + '00',
  );
  const r = new Reader(w.toBuffer());
  t.equal(r.string(false, false), 'hé');
  t.equal(r.string(false, true), null);
  t.equal(r.string(true, false), 'hé');
  t.throws(() => r.string(true, false), { code: 'KP_ERR_MALFORMED' }, 'null where not nullable');
  t.same(r.bytes(false, false), Buffer.from([1, 2]));
  t.equal(r.bytes(false, true), null);
  t.same(r.bytes(true, false), Buffer.from([1, 2]));
  t.equal(r.bytes(true, true), null);
  t.throws(
    () => new Reader(Buffer.from('fffe', 'hex')).string(false, true),
    { code: 'KP_ERR_MALFORMED' },
    'length -2',
  );
  t.throws(() => new Reader(Buffer.from('00056869', 'hex')).string(false, false), {
    code: 'KP_ERR_TRUNCATED',
  });
});

t.test('uuid uses Kafka text form', async (t) => {
  const w = new Writer();
  w.uuid(ZERO_UUID);
  w.uuid('AQIDBAUGBwgJCgsMDQ4PEA');
  t.equal(hex(w), '00'.repeat(16) + '0102030405060708090a0b0c0d0e0f10');
  const r = new Reader(w.toBuffer());
  t.equal(r.uuid(), ZERO_UUID);
  t.equal(r.uuid(), 'AQIDBAUGBwgJCgsMDQ4PEA');
  t.throws(() => new Writer().uuid('nope'), KafkaProtocolError);
});

t.test('array lengths are checked against the remaining bytes', async (t) => {
  t.equal(new Reader(Buffer.from('00000002aabb', 'hex')).arrayLength(false, false), 2);
  t.equal(new Reader(Buffer.from('ffffffff', 'hex')).arrayLength(false, true), -1);
  t.throws(() => new Reader(Buffer.from('ffffffff', 'hex')).arrayLength(false, false), {
    code: 'KP_ERR_MALFORMED',
  });
  t.throws(() => new Reader(Buffer.from('00000003aabb', 'hex')).arrayLength(false, false), {
    code: 'KP_ERR_MALFORMED',
  });
  t.throws(() => new Reader(Buffer.from('8080808008', 'hex')).arrayLength(true, false), {
    code: 'KP_ERR_MALFORMED',
  });
});

t.test('writer: large buffers are referenced, small ones copied, size prefix filled', async (t) => {
  const big = Buffer.alloc(ZERO_COPY_MIN_BYTES, 1);
  const w = new Writer({ sizePrefix: true });
  w.int32(7);
  w.raw(Buffer.from([9]));
  w.raw(big);
  w.int8(5);
  const chunks = w.finish();
  t.equal(chunks.length, 3);
  t.equal(chunks[1], big, 'the same Buffer object, not a copy');
  const all = Buffer.concat(chunks);
  t.equal(all.readInt32BE(0), all.length - 4);
  t.equal(all.length, 4 + 4 + 1 + big.length + 1);
  // Many small writes cross chunk boundaries without losing bytes.
  const many = new Writer();
  for (let i = 0; i < 20000; i++) many.int32(i);
  const r = new Reader(many.toBuffer());
  let ok = true;
  for (let i = 0; i < 20000; i++) ok &&= r.int32() === i;
  t.ok(ok, '20000 int32 across chunks');
});
