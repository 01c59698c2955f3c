import t from 'tap';
import {
  afterFollowerFetch,
  highWatermarkFor,
  initialFollowerState,
  isCaughtUpForIsr,
  outOfSyncReplicas,
} from '../../../broker/replica/isr-rules.js';

const LAG_MS = 30_000;

t.test('a fetch at the leader LEO means caught up now', async (t) => {
  const s0 = initialFollowerState({ inIsr: false, nowMs: 1_000 });
  t.equal(s0.lastCaughtUpTimeMs, 0, 'a replica outside the ISR starts as never caught up');
  const s1 = afterFollowerFetch(s0, { fetchOffset: 50, leaderLogEndOffset: 50, nowMs: 2_000 });
  t.equal(s1.logEndOffset, 50);
  t.equal(s1.lastCaughtUpTimeMs, 2_000);
});

t.test('under steady load: caught up as of the previous fetch', async (t) => {
  // The leader's LEO moves between every two fetches, so the follower is never exactly at
  // the end; but each fetch reaches the LEO the leader had at the previous one.
  let s = initialFollowerState({ inIsr: true, nowMs: 0 });
  s = afterFollowerFetch(s, { fetchOffset: 0, leaderLogEndOffset: 10, nowMs: 100 });
  s = afterFollowerFetch(s, { fetchOffset: 10, leaderLogEndOffset: 25, nowMs: 200 });
  t.equal(s.lastCaughtUpTimeMs, 100, 'had everything that existed at t=100');
  s = afterFollowerFetch(s, { fetchOffset: 25, leaderLogEndOffset: 40, nowMs: 300 });
  t.equal(s.lastCaughtUpTimeMs, 200);
  // Now it falls behind: it fetches offset 30, short of the 40 the leader had at t=300.
  s = afterFollowerFetch(s, { fetchOffset: 30, leaderLogEndOffset: 60, nowMs: 400 });
  t.equal(s.lastCaughtUpTimeMs, 200, 'not caught up: the time stays');
});

t.test('a follower leaves the ISR after replica.lag.time.max.ms without catching up', async (t) => {
  const followers = new Map([
    [2, { ...initialFollowerState({ inIsr: true, nowMs: 0 }), lastCaughtUpTimeMs: 10_000 }],
    [3, { ...initialFollowerState({ inIsr: true, nowMs: 0 }), lastCaughtUpTimeMs: 5_000 }],
  ]);
  const check = (nowMs: number) =>
    outOfSyncReplicas({
      leaderId: 1,
      isr: [1, 2, 3],
      followers,
      nowMs,
      replicaLagTimeMaxMs: LAG_MS,
    });
  t.same(check(35_000), [], 'exactly at the limit is still in sync');
  t.same(check(35_001), [3]);
  t.same(check(40_001), [2, 3]);
  t.same(
    outOfSyncReplicas({
      leaderId: 1,
      isr: [1, 4],
      followers,
      nowMs: 0,
      replicaLagTimeMaxMs: LAG_MS,
    }),
    [4],
    'an ISR member the leader does not know as a replica is out',
  );
});

t.test('joining the ISR needs the HW and the start of the current leader epoch', async (t) => {
  t.ok(
    isCaughtUpForIsr({ followerLogEndOffset: 100, highWatermark: 100, leaderEpochStartOffset: 80 }),
  );
  t.notOk(
    isCaughtUpForIsr({ followerLogEndOffset: 99, highWatermark: 100, leaderEpochStartOffset: 80 }),
  );
  t.notOk(
    isCaughtUpForIsr({ followerLogEndOffset: 100, highWatermark: 90, leaderEpochStartOffset: 120 }),
    'may still hold records of an older epoch the leader lacks',
  );
});

t.test('the high watermark is the smallest LEO over the ISR', async (t) => {
  const followers = new Map([
    [2, { ...initialFollowerState({ inIsr: true, nowMs: 0 }), logEndOffset: 70 }],
    [3, { ...initialFollowerState({ inIsr: true, nowMs: 0 }), logEndOffset: 40 }],
  ]);
  t.equal(
    highWatermarkFor({ leaderId: 1, leaderLogEndOffset: 100, isr: [1, 2, 3], followers }),
    40,
  );
  t.equal(highWatermarkFor({ leaderId: 1, leaderLogEndOffset: 100, isr: [1, 2], followers }), 70);
  t.equal(highWatermarkFor({ leaderId: 1, leaderLogEndOffset: 100, isr: [1], followers }), 100);
  t.equal(
    highWatermarkFor({ leaderId: 1, leaderLogEndOffset: 100, isr: [1, 5], followers }),
    -1,
    'a member that never fetched holds it',
  );
});
