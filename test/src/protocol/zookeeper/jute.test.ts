import t from 'tap';
import {
  JuteError,
  JuteReader,
  JuteWriter,
  longToNumber,
} from '../../../../src/protocol/zookeeper/jute.js';

t.test('primitives are big-endian with the documented sizes', async (t) => {
  const w = new JuteWriter(1);
  w.int(-2).long(0x0102030405060708n).boolean(true).buffer(Buffer.from('ab')).ustring('é');
  t.same(
    w.toBuffer(),
    Buffer.from([
      0xff,
      0xff,
      0xff,
      0xfe, // int -2
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8, // long
      1, // boolean
      0,
      0,
      0,
      2,
      0x61,
      0x62, // buffer "ab"
      0,
      0,
      0,
      2,
      0xc3,
      0xa9, // ustring "é" is 2 UTF-8 bytes
    ]),
  );
  const r = new JuteReader(w.toBuffer());
  t.equal(r.int(), -2);
  t.equal(r.long(), 0x0102030405060708n);
  t.equal(r.boolean(), true);
  t.same(r.buffer(), Buffer.from('ab'));
  t.equal(r.ustring(), 'é');
  t.equal(r.remaining, 0);
});

t.test('null buffer is length -1 and stays apart from empty', async (t) => {
  const w = new JuteWriter().buffer(null).buffer(Buffer.alloc(0));
  t.same(w.toBuffer(), Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
  const r = new JuteReader(w.toBuffer());
  t.equal(r.buffer(), null);
  t.same(r.buffer(), Buffer.alloc(0));
});

t.test('long keeps all 64 bits of unsigned ids', async (t) => {
  const w = new JuteWriter().long(0xff00000000000001n);
  t.same(w.toBuffer(), Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 1]));
  t.equal(new JuteReader(w.toBuffer()).long(), -0x00ffffffffffffffn);
});

t.test('vectors: count then elements; null reads as empty', async (t) => {
  const w = new JuteWriter().vector(['a', 'bc'], (w, s) => w.ustring(s)).vector(null, () => {});
  t.same(
    w.toBuffer(),
    Buffer.from([0, 0, 0, 2, 0, 0, 0, 1, 0x61, 0, 0, 0, 2, 0x62, 0x63, 0xff, 0xff, 0xff, 0xff]),
  );
  const r = new JuteReader(w.toBuffer());
  t.same(
    r.vector((r) => r.ustring()),
    ['a', 'bc'],
  );
  t.same(
    r.vector((r) => r.ustring()),
    [],
  );
});

t.test('every read is bounds checked', async (t) => {
  t.throws(() => new JuteReader(Buffer.alloc(3)).int(), JuteError);
  t.throws(() => new JuteReader(Buffer.alloc(7)).long(), JuteError);
  t.throws(() => new JuteReader(Buffer.from([0, 0, 0, 5, 1])).buffer(), /truncated/);
  t.throws(() => new JuteReader(Buffer.from([0xff, 0xff, 0xff, 0xfe])).buffer(), /negative/);
  t.equal(new JuteReader(Buffer.from([0xff, 0xff, 0xff, 0xff])).ustring(), null, 'null, as Java');
  t.throws(() => new JuteReader(Buffer.from([0, 0, 0, 1, 0xff])).ustring(), /UTF-8/);
  // A hostile vector count fails before any element is read.
  t.throws(
    () => new JuteReader(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0])).vector((r) => r.int()),
    /exceeds/,
  );
});

t.test('toFrame prefixes the length', async (t) => {
  t.same(new JuteWriter().int(7).toFrame(), Buffer.from([0, 0, 0, 4, 0, 0, 0, 7]));
});

t.test('longToNumber refuses values beyond 2^53', async (t) => {
  t.equal(longToNumber(42n, 'zxid'), 42);
  t.throws(() => longToNumber(1n << 60n, 'zxid'), JuteError);
});
