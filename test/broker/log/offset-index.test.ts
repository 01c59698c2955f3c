import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { OffsetIndex } from '../../../broker/log/offset-index.js';

const open = (dir: string, maxIndexBytes = 1024) =>
  new OffsetIndex({
    path: path.join(dir, '00000000000000000100.index'),
    baseOffset: 100,
    maxIndexBytes,
  });

t.test('lookup returns the greatest entry <= target, or the segment start', async (t) => {
  const index = open(t.testdir());
  t.same(index.lookup(150), { offset: 100, position: 0 }, 'empty index');
  index.append(110, 4000);
  index.append(120, 8000);
  index.append(130, 12000);
  t.same(index.lookup(105), { offset: 100, position: 0 });
  t.same(index.lookup(110), { offset: 110, position: 4000 });
  t.same(index.lookup(129), { offset: 120, position: 8000 });
  t.same(index.lookup(1_000), { offset: 130, position: 12000 });
  t.equal(index.lastOffset, 130);
});

t.test('entries must increase in both offset and position', async (t) => {
  const index = open(t.testdir());
  t.throws(() => index.append(101, 0), /never indexed/);
  index.append(110, 4000);
  t.throws(() => index.append(110, 5000), /invariant/);
  t.throws(() => index.append(111, 4000), /invariant/);
});

t.test(
  'a preallocated index is trimmed on close and reloads with exactly its entries',
  async (t) => {
    const dir = t.testdir();
    const index = open(dir);
    index.preallocate();
    const file = path.join(dir, '00000000000000000100.index');
    t.equal(fs.statSync(file).size, 1024, 'preallocated to maxIndexBytes');
    index.append(110, 4000);
    index.append(120, 8000);
    index.persist(false);
    // A crash here leaves two entries followed by zeros: the loader stops at the zeros.
    const crashed = open(dir);
    t.equal(crashed.entryCount, 2);
    t.same(crashed.lookup(125), { offset: 120, position: 8000 });
    index.trimToValidSize();
    t.equal(fs.statSync(file).size, 16, 'trimmed to 2 entries x 8 bytes');
    t.equal(open(dir).entryCount, 2);
  },
);

t.test('truncateTo removes entries at and after the offset, on disk too', async (t) => {
  const dir = t.testdir();
  const index = open(dir);
  index.preallocate();
  for (let i = 1; i <= 5; i++) index.append(100 + i * 10, i * 4000);
  index.persist(false);
  index.truncateTo(130);
  t.equal(index.entryCount, 2);
  t.equal(index.lastOffset, 120);
  index.append(125, 9000);
  index.persist(false);
  // The stale entries (130, 140, 150) must not come back on reload.
  const reloaded = open(dir);
  t.equal(reloaded.entryCount, 3);
  t.same(reloaded.lookup(10_000), { offset: 125, position: 9000 });
});

t.test('an index reports full at maxIndexBytes', async (t) => {
  const index = open(t.testdir(), 16);
  index.append(101, 10);
  t.notOk(index.isFull);
  index.append(102, 20);
  t.ok(index.isFull);
  t.throws(() => index.append(103, 30), /full/);
});
