import t from 'tap';
import { inBatches } from '../../src/in-batches.js';

t.test('every item is stepped once, never more than batchSize at a time', async (t) => {
  const items = Array.from({ length: 1_050 }, (_, i) => i);
  let running = 0;
  let runningMax = 0;
  const seen: number[] = [];
  await inBatches(items, 100, async (item) => {
    running++;
    runningMax = Math.max(runningMax, running);
    await new Promise<void>((resolve) => setImmediate(resolve));
    seen.push(item);
    running--;
  });
  t.equal(runningMax, 100, 'a whole batch runs at once, and no more');
  t.same(
    [...seen].sort((a, b) => a - b),
    items,
  );
  t.ok(
    seen.slice(0, 100).every((item) => item < 100),
    'the first batch finishes before the second starts',
  );
});

t.test('a failing step rejects, and later batches do not start', async (t) => {
  const started: number[] = [];
  await t.rejects(
    inBatches([1, 2, 3, 4], 2, async (item) => {
      started.push(item);
      if (item === 2) throw new Error('boom');
    }),
    { message: 'boom' },
  );
  t.same(started, [1, 2]);
});

t.test('an empty list does nothing; a bad batch size is refused', async (t) => {
  await inBatches([], 10, () => Promise.reject(new Error('never')));
  await t.rejects(
    inBatches([1], 0, async () => {}),
    RangeError,
  );
});
