/**
 * A reassignment that only reorders a partition's replicas (the same brokers, a new preferred
 * replica), with real processes: a coordinator and three brokers, driven through the
 * coordinator CLI as a user would. Kafka completes such a reassignment at once (nothing to
 * copy): the final assignment is written, the request leaves /admin/reassign_partitions, and a
 * preferred-leader election can then move leadership to the new first replica.
 */
import t from 'tap';
import {
  cli,
  createTopic,
  partitionState,
  startCluster,
  waitFor,
  type Cluster,
} from '../helpers/replication-cluster.js';

// Process starts and session expiries: beyond the 120 s per file of package.json when the
// machine is loaded.
t.setTimeout(300_000);

/** A znode's JSON, via `coordinator get`. */
async function getJson(cluster: Cluster, path: string): Promise<unknown> {
  const { stdout } = await cli(cluster, ['get', path]);
  return JSON.parse(stdout.slice(stdout.indexOf('{'), stdout.lastIndexOf('}') + 1));
}

t.test('reorder [a,b,c] -> [c,b,a]: complete at once, then elect-leaders', async (t) => {
  const cluster = await startCluster(t, []);
  await createTopic(cluster, 'demo', 1);
  const before = (await getJson(cluster, '/brokers/topics/demo')) as {
    partitions: Record<string, number[]>;
  };
  const original = before.partitions['0']!;
  const target = [...original].reverse();
  await waitFor('the full ISR', async () => {
    const s = await partitionState(cluster, 'demo', 0);
    return s.isr.length === 3 ? s : undefined;
  });
  const leaderBefore = (await partitionState(cluster, 'demo', 0)).leader;
  t.equal(leaderBefore, original[0], 'the preferred replica leads');

  const replicas = target.join(',');
  const args = ['--topic', 'demo', '--partition', '0', '--replicas', replicas];
  const { stdout } = await cli(cluster, ['reassign', ...args]);
  t.match(stdout, /Successfully started partition reassignment for demo-0/);
  const verified = await waitFor('the reorder to complete', async () => {
    const { stdout: v } = await cli(cluster, ['reassign', '--verify', ...args]);
    return v.includes('is complete') ? v : undefined;
  });
  t.match(verified, /Reassignment of partition demo-0 is complete/);
  const { stdout: exists } = await cli(cluster, ['ls', '/admin']);
  t.notMatch(exists, /reassign_partitions/, 'the request znode is gone');
  const after = (await getJson(cluster, '/brokers/topics/demo')) as {
    partitions: Record<string, number[]>;
    adding_replicas?: Record<string, number[]>;
    removing_replicas?: Record<string, number[]>;
  };
  t.same(after.partitions['0'], target, 'the final assignment is the new order');
  t.same(after.adding_replicas?.['0'] ?? [], [], 'nothing being added');
  t.same(after.removing_replicas?.['0'] ?? [], [], 'nothing being removed');
  t.equal(
    (await partitionState(cluster, 'demo', 0)).leader,
    leaderBefore,
    'the leader is in the new set: it keeps leading until a preferred election',
  );

  const { stdout: elected } = await cli(cluster, [
    'elect-leaders',
    '--topic',
    'demo',
    '--partition',
    '0',
  ]);
  t.notMatch(elected, /reassigned/, `elect-leaders is not refused: ${elected.trim()}`);
  const moved = await waitFor('the new preferred replica to lead', async () => {
    const s = await partitionState(cluster, 'demo', 0);
    return s.leader === target[0] ? s : undefined;
  });
  t.equal(moved.leader, target[0], 'the new preferred replica leads');
});
