import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import {
  formatCheckpoint,
  parseCheckpoint,
  readCheckpointFile,
  writeCheckpointFile,
} from '../../../broker/log/offset-checkpoint-file.js';

t.test("Kafka's text format: version, count, then `topic partition offset` lines", async (t) => {
  const entries = [
    { topic: 'orders', partition: 0, offset: 368769 },
    { topic: '__consumer_offsets', partition: 17, offset: 0 },
  ];
  const text = formatCheckpoint(entries);
  t.equal(text, '0\n2\norders 0 368769\n__consumer_offsets 17 0\n');
  t.same(parseCheckpoint(text), entries);
  t.same(parseCheckpoint('0\n0\n'), []);
});

t.test('malformed checkpoints are refused with a stable code', async (t) => {
  for (const bad of [
    '1\n0\n',
    '0\n2\norders 0 1\n',
    '0\n1\norders 0\n',
    '0\n1\norders x 1\n',
    '',
  ]) {
    t.throws(
      () => parseCheckpoint(bad),
      { code: 'LOG_ERR_CHECKPOINT_FORMAT' },
      JSON.stringify(bad),
    );
  }
});

t.test('written atomically through a temp file; a missing file reads as empty', async (t) => {
  const dir = t.testdir();
  t.same(readCheckpointFile(dir, 'recovery-point-offset-checkpoint'), []);
  writeCheckpointFile(dir, 'recovery-point-offset-checkpoint', [
    { topic: 'a', partition: 1, offset: 5 },
  ]);
  writeCheckpointFile(dir, 'recovery-point-offset-checkpoint', [
    { topic: 'a', partition: 1, offset: 9 },
  ]);
  t.same(readCheckpointFile(dir, 'recovery-point-offset-checkpoint'), [
    { topic: 'a', partition: 1, offset: 9 },
  ]);
  t.same(fs.readdirSync(dir), ['recovery-point-offset-checkpoint'], 'no temp file left behind');
  fs.writeFileSync(path.join(dir, 'recovery-point-offset-checkpoint.tmp'), 'garbage from a crash');
  t.same(readCheckpointFile(dir, 'recovery-point-offset-checkpoint'), [
    { topic: 'a', partition: 1, offset: 9 },
  ]);
});
