import t from 'tap';
import { ownedBytes } from '../../src/owned-bytes.js';

t.test('a slice of a pool or a frame is copied into memory of its own', async (t) => {
  const pooled = Buffer.from('twenty bytes of data');
  t.ok(pooled.buffer.byteLength > pooled.length, 'Buffer.from of a short string is pooled');
  const owned = ownedBytes(pooled);
  t.not(owned, pooled);
  t.same(owned, pooled, 'same bytes');
  t.equal(owned.byteOffset, 0);
  t.equal(owned.buffer.byteLength, pooled.length, 'the copy owns exactly its bytes');

  const frame = Buffer.alloc(65_536, 7);
  const field = frame.subarray(100, 110);
  const copy = ownedBytes(field);
  t.equal(copy.buffer.byteLength, 10);
  frame.fill(0);
  t.same(copy, Buffer.alloc(10, 7), 'the copy does not share memory with the frame');
});

t.test('a buffer that owns its whole ArrayBuffer is returned as it is', async (t) => {
  const whole = Buffer.allocUnsafeSlow(32);
  t.equal(ownedBytes(whole), whole);
  const empty = ownedBytes(Buffer.alloc(0));
  t.equal(empty.length, 0);
});
