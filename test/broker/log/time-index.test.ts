import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { TimeIndex } from '../../../broker/log/time-index.js';

t.test('running maxima, lookup, truncation, reload', async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, '00000000000000000100.timeindex');
  const index = new TimeIndex({ path: file, baseOffset: 100, maxIndexBytes: 120 });
  index.preallocate();
  t.same(index.lastEntry, { timestamp: -1, offset: 100 });
  index.maybeAppend(1000, 105);
  index.maybeAppend(1000, 106); // not larger: ignored
  index.maybeAppend(900, 107); // older: ignored
  index.maybeAppend(2000, 110);
  index.maybeAppend(3000, 120);
  t.equal(index.entryCount, 3);
  t.same(index.lookup(999), { timestamp: -1, offset: 100 });
  t.same(index.lookup(2500), { timestamp: 2000, offset: 110 });
  t.same(index.lookup(5000), { timestamp: 3000, offset: 120 });
  index.persist(false);
  const reloaded = new TimeIndex({ path: file, baseOffset: 100, maxIndexBytes: 120 });
  t.equal(reloaded.entryCount, 3, 'zero tail of the preallocated file ignored');
  index.truncateTo(110);
  t.same(index.lastEntry, { timestamp: 1000, offset: 105 });
  index.trimToValidSize();
  t.equal(fs.statSync(file).size, 12);
});
