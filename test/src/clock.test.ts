import t from 'tap';
import { ManualClock } from '../../src/clock.js';

t.test('a ManualClock moves only when told, and never backwards', async (t) => {
  const clock = new ManualClock(1000);
  t.equal(clock.nowMs(), 1000);
  clock.advance(250);
  t.equal(clock.nowMs(), 1250);
  t.throws(() => clock.advance(-1));
});
