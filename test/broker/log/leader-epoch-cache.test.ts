import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import {
  formatLeaderEpochCheckpoint,
  LEADER_EPOCH_CHECKPOINT_FILE,
  LeaderEpochCache,
  parseLeaderEpochCheckpoint,
  UNDEFINED_EPOCH,
  UNDEFINED_EPOCH_OFFSET,
} from '../../../broker/log/leader-epoch-cache.js';

t.test(
  "Kafka's leader-epoch-checkpoint format: version, count, `epoch startOffset` lines",
  async (t) => {
    const entries = [
      { epoch: 0, startOffset: 0 },
      { epoch: 2, startOffset: 1500 },
    ];
    const text = formatLeaderEpochCheckpoint(entries);
    t.equal(text, '0\n2\n0 0\n2 1500\n');
    t.same(parseLeaderEpochCheckpoint(text, 'f'), entries);
    for (const bad of ['1\n0\n', '0\n1\n', '0\n1\n3\n', '0\n1\nx 1\n']) {
      t.throws(() => parseLeaderEpochCheckpoint(bad, 'f'), { code: 'LOG_ERR_CHECKPOINT_FORMAT' });
    }
  },
);

t.test('every change is written to the file and read back by a new cache', async (t) => {
  const dir = t.testdir();
  const cache = new LeaderEpochCache(dir);
  t.equal(cache.latestEpoch, undefined, 'a new replica knows no epochs');
  cache.assign(0, 0);
  cache.assign(0, 10); // the same epoch again: no change
  cache.assign(3, 40);
  const file = path.join(dir, LEADER_EPOCH_CHECKPOINT_FILE);
  t.equal(fs.readFileSync(file, 'utf8'), '0\n2\n0 0\n3 40\n');
  t.same(new LeaderEpochCache(dir).entries, cache.entries);
  t.notOk(fs.existsSync(`${file}.tmp`), 'no temporary file left behind');
});

t.test('endOffsetFor answers OffsetsForLeaderEpoch as Kafka does', async (t) => {
  const cache = new LeaderEpochCache(undefined);
  t.same(cache.endOffsetFor(0, 0), { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET });
  cache.assign(1, 0);
  cache.assign(2, 100);
  cache.assign(5, 250);
  const leo = 300;
  t.same(cache.endOffsetFor(5, leo), { epoch: 5, endOffset: 300 }, 'latest epoch: the LEO');
  t.same(cache.endOffsetFor(2, leo), { epoch: 2, endOffset: 250 }, 'older: next one starts');
  t.same(cache.endOffsetFor(3, leo), { epoch: 2, endOffset: 250 }, 'unknown: largest below');
  t.same(cache.endOffsetFor(0, leo), { epoch: 0, endOffset: 0 }, 'older than all: itself');
  t.same(
    cache.endOffsetFor(6, leo),
    { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET },
    'newer than all: undefined',
  );
  t.same(cache.endOffsetFor(UNDEFINED_EPOCH, leo).epoch, UNDEFINED_EPOCH);
});

t.test('assign replaces the entries a newer fact contradicts', async (t) => {
  const cache = new LeaderEpochCache(undefined);
  cache.assign(1, 0);
  cache.assign(2, 100);
  cache.assign(3, 50); // a follower truncated to 50 and fetched epoch 3 from there
  t.same(cache.entries, [
    { epoch: 1, startOffset: 0 },
    { epoch: 3, startOffset: 50 },
  ]);
  cache.assign(2, 60); // older epoch at a later offset: ignored, order is kept
  t.equal(cache.latestEpoch, 3);
  cache.assign(-1, 70); // producers' "no epoch" is never recorded
  t.equal(cache.entries.length, 2);
});

t.test('truncation from the end and from the start', async (t) => {
  const cache = new LeaderEpochCache(undefined);
  cache.assign(1, 0);
  cache.assign(2, 100);
  cache.assign(4, 200);
  cache.truncateFromEnd(200);
  t.same(
    cache.entries.map((e) => e.epoch),
    [1, 2],
    'epoch 4 started at the cut: gone',
  );
  cache.truncateFromStart(150);
  t.same(cache.entries, [{ epoch: 2, startOffset: 150 }], 'the containing epoch starts there');
  cache.truncateFromStart(150);
  t.same(cache.entries, [{ epoch: 2, startOffset: 150 }], 'idempotent');
  cache.clear();
  t.equal(cache.latestEpoch, undefined);
});
