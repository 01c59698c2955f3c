/**
 * The coordinator's /metrics (coordinator/metrics.ts) on a real process: the mntr figures
 * as gauges (znodes, watches, sessions, outstanding requests), and the request-latency and
 * fsync histograms counting what a real client did.
 */
import t from 'tap';
import { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { startCoordinatorProcess } from '../helpers/processes.js';
import { httpGet, sample } from '../helpers/prometheus.js';

t.test('coordinator /metrics: mntr gauges and latency histograms', async (t) => {
  const coord = await startCoordinatorProcess({ dataDir: t.testdir() });
  t.teardown(() => coord.kill('SIGKILL'));
  const url = `http://127.0.0.1:${coord.adminPort}/metrics`;
  const before = await httpGet(url);
  t.equal(before.status, 200);
  const znodesBefore = sample(before.body, 'coordinator_znode_count')!;
  t.ok(znodesBefore >= 1, 'znode count');
  t.equal(sample(before.body, 'coordinator_global_sessions'), 0);

  const client = new CoordinatorClient(`127.0.0.1:${coord.port}`, { sessionTimeoutMs: 4000 });
  await client.connect();
  t.teardown(() => client.close());
  await client.create('/metered', Buffer.from('a'));
  await client.create('/metered/child', null);
  await client.getData('/metered', () => undefined);
  await client.getChildren('/metered', () => undefined);

  const { body } = await httpGet(url);
  t.equal(sample(body, 'coordinator_znode_count'), znodesBefore + 2, 'two more znodes');
  t.equal(sample(body, 'coordinator_global_sessions'), 1, 'one session');
  t.equal(sample(body, 'coordinator_num_alive_connections'), 1);
  t.ok(sample(body, 'coordinator_watch_count')! >= 2, 'the data and child watches');
  t.equal(sample(body, 'coordinator_outstanding_requests'), 0);
  t.ok(sample(body, 'coordinator_cnt_updatelatency')! >= 2, 'mntr summaries are there too');
  const updates = sample(body, 'coordinator_request_latency_seconds_count', { type: 'update' });
  t.ok(updates! >= 2, `update latency histogram counted ${updates}`);
  const reads = sample(body, 'coordinator_request_latency_seconds_count', { type: 'read' });
  t.ok(reads! >= 2, `read latency histogram counted ${reads}`);
  t.ok(sample(body, 'coordinator_fsync_seconds_count')! >= 1, 'fsyncs counted');
  t.ok(sample(body, 'process_resident_memory_bytes')! > 0, 'process metrics');
});
