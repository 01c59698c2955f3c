/**
 * Replication with real processes (a coordinator and three brokers; kcat): a follower with
 * divergent records (an old leader that wrote records nobody copied, replaced by an unclean
 * election) truncates them when it comes back and converges on the new leader's log, byte
 * for byte (KIP-101).
 *
 * kcat is a Debian package: without it the test skips with a message, except under CI=true.
 */
import t from 'tap';
import {
  kcatInstalled,
  startCluster,
  kill9,
  restart,
  partitionState,
  waitFor,
  createTopic,
  consume,
  kcatProduce,
  waitForEqualReplicas,
} from '../helpers/cluster.js';

// Process starts, session expiries and ISR lag times: well over a minute on a busy 2-core
// machine, so more than the 120 s per file of package.json when the machine is loaded.
t.setTimeout(300_000);

if (kcatInstalled(t)) {
  t.test('a follower with divergent records truncates and converges', async (t) => {
    // Unclean election lets an out-of-sync replica lead, which is what creates divergence.
    const cluster = await startCluster(t, {
      overrides: ['min.insync.replicas=1', 'unclean.leader.election.enable=true'],
    });
    const topic = 'diverge';
    await createTopic(cluster, topic, 1);
    const bootstrap = () => cluster.bootstrap();
    const first = await partitionState(cluster, topic, 0);
    const [oldLeader, next] = [first.leader, first.isr.find((id) => id !== first.leader)!];
    const third = [1, 2, 3].find((id) => id !== oldLeader && id !== next)!;

    const common = Array.from({ length: 100 }, (_, i) => `common-${i}`);
    t.equal((await kcatProduce(bootstrap(), topic, 0, 'all', common)).trim(), '');
    // The two followers die; the old leader alone takes records nobody copies.
    const broker = (id: number) => cluster.brokers.get(id)!;
    const [nextBroker, thirdBroker, oldBroker] = [broker(next), broker(third), broker(oldLeader)];
    await kill9(cluster, next);
    await kill9(cluster, third);
    await waitFor('the ISR to shrink to the old leader', async () => {
      const state = await partitionState(cluster, topic, 0);
      return state.isr.length === 1 ? state : undefined;
    });
    const lost = Array.from({ length: 50 }, (_, i) => `only-on-old-leader-${i}`);
    t.equal((await kcatProduce(bootstrap(), topic, 0, '1', lost)).trim(), '');
    await kill9(cluster, oldLeader);
    // A follower without those records comes back and is elected (unclean), then takes
    // different records at the same offsets.
    await restart(t, cluster, nextBroker);
    await waitFor(`broker ${next} to lead`, async () => {
      const state = await partitionState(cluster, topic, 0);
      return state.leader === next ? state : undefined;
    });
    const fresh = Array.from({ length: 70 }, (_, i) => `new-leader-${i}`);
    t.equal((await kcatProduce(bootstrap(), topic, 0, '1', fresh)).trim(), '');
    // The old leader and the third replica return as followers.
    await Promise.all([restart(t, cluster, oldBroker), restart(t, cluster, thirdBroker)]);
    const bytes = await waitForEqualReplicas(cluster, topic, 0);
    t.ok(bytes.length > 0, 'the three replicas are byte for byte equal');
    const log = cluster.brokers.get(oldLeader)!.log();
    t.match(log, /leader epoch truncation/, 'the old leader asked OffsetsForLeaderEpoch');
    t.match(log, /truncating to offset 100/, 'and cut its divergent records at offset 100');
    const consumed = await consume(bootstrap(), topic, 0);
    t.same(consumed, [...common, ...fresh], "the new leader's log, on every replica");
  });
}
