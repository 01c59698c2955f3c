import t from 'tap';
import { Throttler } from '../../../broker/log/throttler.js';

t.test('a throttle pauses so that each interval averages out to the desired rate', async (t) => {
  const throttle = new Throttler(1000, 0); // 1,000 bytes/s
  t.equal(throttle.observe(500, 100), 0, 'within the first check interval: no decision yet');
  // 1,500 bytes after 400 ms is 3,750 B/s: pause until 1.5 s have passed.
  t.equal(throttle.observe(1000, 400), 1100);
  // The next interval starts after the pause (at 1,500 ms).
  t.equal(throttle.observe(100, 1600), 0, 'inside the new interval');
  t.equal(throttle.observe(100, 2000), 0, '200 bytes in 500 ms is 400 B/s: slower, no pause');
});

t.test('the paused rate holds over many small steps', async (t) => {
  const throttle = new Throttler(10_000, 0);
  let now = 0;
  let bytes = 0;
  // A reader that could do 1 MB/s: 1,000 bytes every ms.
  while (now < 60_000) {
    bytes += 1000;
    now += 1 + throttle.observe(1000, now + 1);
  }
  const rate = (bytes * 1000) / now;
  t.ok(rate <= 10_000 * 1.02 && rate >= 10_000 * 0.9, `average ${rate.toFixed(0)} B/s`);
});

t.test('Infinity never pauses; a rate must be positive', async (t) => {
  const free = new Throttler(Infinity, 0);
  t.equal(free.observe(1e12, 301), 0);
  t.throws(() => new Throttler(0, 0), RangeError);
  t.throws(() => new Throttler(Number.NaN, 0), RangeError);
});
