import t from 'tap';
import { ChunkQueue } from '../../../src/protocol/chunk-queue.js';

t.test('bytes within the first chunk come back as a slice of it, not a copy', async (t) => {
  const chunk = Buffer.from('abcdef');
  const queue = new ChunkQueue();
  queue.push(chunk);
  const head = queue.take(2);
  t.equal(head.toString(), 'ab');
  t.equal(head.buffer, chunk.buffer, 'same memory');
  t.equal(queue.length, 4);
  t.equal(queue.take(4).toString(), 'cdef', 'the rest of the chunk, exactly');
  t.equal(queue.length, 0);
});

t.test('bytes across chunks are copied once, in order', async (t) => {
  const queue = new ChunkQueue();
  for (const piece of ['ab', 'c', '', 'defg']) queue.push(Buffer.from(piece));
  t.equal(queue.length, 7, 'an empty chunk adds nothing');
  t.equal(queue.take(5).toString(), 'abcde');
  t.equal(queue.length, 2);
  t.equal(queue.take(2).toString(), 'fg');
});

t.test('take beyond what is queued is a programming error', async (t) => {
  const queue = new ChunkQueue();
  queue.push(Buffer.from('ab'));
  t.throws(() => queue.take(3), RangeError);
  t.equal(queue.length, 2, 'nothing was consumed');
});

t.test('clear drops everything', async (t) => {
  const queue = new ChunkQueue();
  queue.push(Buffer.from('abc'));
  queue.clear();
  t.equal(queue.length, 0);
  queue.push(Buffer.from('z'));
  t.equal(queue.take(1).toString(), 'z');
});
