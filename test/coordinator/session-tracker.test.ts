import t from 'tap';
import { SessionTracker } from '../../coordinator/session-tracker.js';

t.test('timeouts are negotiated into [2, 20] ticks', async (t) => {
  const tracker = new SessionTracker({ tickMs: 2000 }, 0);
  t.equal(tracker.negotiateTimeout(1000), 4000);
  t.equal(tracker.negotiateTimeout(100000), 40000);
  t.equal(tracker.negotiateTimeout(10000), 10000);
});

t.test('a silent session expires between timeout and timeout + tick', async (t) => {
  const tracker = new SessionTracker({ tickMs: 2000 }, 1_000_000);
  const s = tracker.create(4000, 1_000_100);
  t.equal(s.password.length, 16);
  t.equal(s.id >> 56n, 1n, 'the server id sits in the high byte');
  t.same(tracker.expire(1_004_100), [], 'not before the timeout');
  t.same(tracker.expire(1_005_999), [], 'deadline rounds up to the next tick');
  t.same(
    tracker.expire(1_006_000).map((x) => x.id),
    [s.id],
  );
  t.ok(s.closing);
  t.same(tracker.expire(1_100_000), [], 'expired once');
});

t.test('a touch pushes the deadline out', async (t) => {
  const tracker = new SessionTracker({ tickMs: 100 }, 0);
  const s = tracker.create(1000, 0);
  tracker.touch(s, 900);
  t.same(tracker.expire(1500), []);
  t.same(
    tracker.expire(1900).map((x) => x.id),
    [s.id],
  );
  const next = tracker.create(1000, 2000);
  t.not(next.id, s.id);
});
