/** The mntr summaries and counters of coordinator/server-metrics.ts, driven directly. */
import t from 'tap';
import {
  PERCENTILE_SAMPLES_MAX,
  ServerMetrics,
  Summary,
} from '../../coordinator/server-metrics.js';

t.test('a summary reports avg, min, max, cnt and sum under ZooKeeper names', async (t) => {
  const s = new Summary('fsynctime');
  t.same(s.entries(), [
    ['avg_fsynctime', 0],
    ['min_fsynctime', 0],
    ['max_fsynctime', 0],
    ['cnt_fsynctime', 0],
    ['sum_fsynctime', 0],
  ]);
  for (const v of [3, 1, 2]) s.add(v);
  t.same(Object.fromEntries(s.entries()), {
    avg_fsynctime: 2,
    min_fsynctime: 1,
    max_fsynctime: 3,
    cnt_fsynctime: 3,
    sum_fsynctime: 6,
  });
});

t.test('percentiles come from the most recent samples only', async (t) => {
  const s = new Summary('readlatency', { percentiles: true });
  for (let i = 1; i <= 100; i++) s.add(i);
  const first = Object.fromEntries(s.entries());
  t.equal(first.p50_readlatency, 50);
  t.equal(first.p95_readlatency, 95);
  t.equal(first.p99_readlatency, 99);
  t.equal(first.p999_readlatency, 100);
  // Fill the ring with 1000s: the old values no longer count, but cnt and sum still do.
  for (let i = 0; i < PERCENTILE_SAMPLES_MAX; i++) s.add(1000);
  const later = Object.fromEntries(s.entries());
  t.equal(later.p50_readlatency, 1000);
  t.equal(later.min_readlatency, 1);
  t.equal(later.cnt_readlatency, 100 + PERCENTILE_SAMPLES_MAX);
});

t.test('response sizes and reset (srst)', async (t) => {
  const m = new ServerMetrics();
  m.recordResponse(16);
  m.recordResponse(5000);
  m.recordResponse(20);
  m.authFailedCount++;
  let e = Object.fromEntries(m.entries());
  t.match(e, {
    last_client_response_size: 20,
    min_client_response_size: 16,
    max_client_response_size: 5000,
    response_bytes: 5036,
    auth_failed_count: 1,
  });
  m.reset();
  e = Object.fromEntries(m.entries());
  t.match(e, { min_client_response_size: 0, response_bytes: 0, auth_failed_count: 0 });
});
