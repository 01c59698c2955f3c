/**
 * Replication with real processes (a coordinator and three brokers; kafkajs and kcat): kill -9
 * of a partition leader in the middle of acks=all production loses no acknowledged record, the
 * new leader comes from the old ISR, the killed broker rejoins the ISR after its restart, and
 * the three replicas' log files end up byte for byte equal; then with two brokers of three
 * down, acks=all gets NOT_ENOUGH_REPLICAS (min.insync.replicas=2) while acks=1 still works.
 *
 * kcat is a Debian package: without it the test skips with a message, except under CI=true.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
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
  t.test(
    'kill -9 of a leader under acks=all production loses no acknowledged record',
    async (t) => {
      const cluster = await startCluster(t, { overrides: ['min.insync.replicas=2'] });
      const topic = 'acked';
      await createTopic(cluster, topic, 2);
      const before = await partitionState(cluster, topic, 0);
      t.same([...before.isr].sort(), [1, 2, 3], 'all three replicas in sync at the start');

      const kafka = new Kafka({
        clientId: 'replication-test',
        brokers: cluster.bootstrap().split(','),
        logLevel: logLevel.NOTHING,
        retry: { retries: 50, initialRetryTime: 100, maxRetryTime: 1_000 },
      });
      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      t.teardown(() => producer.disconnect());

      // Produce to partition 0 in batches of 10 with acks=all; remember what was acknowledged.
      const acknowledged: string[] = [];
      let failures = 0;
      let n = 0;
      const produceBatch = async () => {
        const values = Array.from({ length: 10 }, () => `v-${n++}`);
        try {
          await producer.send({
            topic,
            acks: -1,
            timeout: 10_000,
            messages: values.map((value) => ({ partition: 0, value })),
          });
          acknowledged.push(...values);
        } catch {
          failures++;
        }
      };
      while (acknowledged.length < 300) await produceBatch();
      const victim = before.leader;
      const victimBroker = cluster.brokers.get(victim)!;
      const killedAt = acknowledged.length;
      await kill9(cluster, victim);
      t.comment(`killed broker ${victim}, the leader of ${topic}-0, after ${killedAt} acks`);
      while (acknowledged.length < killedAt + 300) await produceBatch();
      t.comment(`${failures} batches failed (not acknowledged) around the failover`);

      const after = await partitionState(cluster, topic, 0);
      t.not(after.leader, victim, 'a new leader');
      t.ok(before.isr.includes(after.leader), 'elected from the old ISR');
      t.ok(after.leader_epoch > before.leader_epoch, 'with a higher leader epoch');
      t.notOk(after.isr.includes(victim), 'the dead broker left the ISR');

      await restart(t, cluster, victimBroker);
      const rejoined = await waitFor('the restarted broker to rejoin the ISR', async () => {
        const state = await partitionState(cluster, topic, 0);
        return state.isr.includes(victim) ? state : undefined;
      });
      t.same([...rejoined.isr].sort(), [1, 2, 3], 'ISR complete again');

      const consumed = await consume(cluster.bootstrap(), topic, 0);
      const seen = new Set(consumed);
      t.same(
        acknowledged.filter((v) => !seen.has(v)),
        [],
        `every one of ${acknowledged.length} acknowledged records is there`,
      );
      const order = acknowledged.map((v) => consumed.indexOf(v));
      t.ok(
        order.every((index, i) => i === 0 || index > order[i - 1]!),
        'acknowledged records in the order they were acknowledged',
      );
      const bytes = await waitForEqualReplicas(cluster, topic, 0);
      t.ok(bytes.length > 0, 'the three replicas of acked-0 are byte for byte equal');

      // Two brokers of three down: only the leader is left in the ISR.
      const leader = rejoined.leader;
      const others = [1, 2, 3].filter((id) => id !== leader);
      for (const id of others) await kill9(cluster, id);
      await waitFor('the ISR to shrink to the leader', async () => {
        const state = await partitionState(cluster, topic, 0);
        return state.isr.length === 1 ? state : undefined;
      });
      const leaderBootstrap = `127.0.0.1:${cluster.brokers.get(leader)!.port}`;
      const refused = await kcatProduce(leaderBootstrap, topic, 0, 'all', ['refused']);
      t.match(refused, /Not enough in-sync replicas/, 'acks=all: NOT_ENOUGH_REPLICAS');
      const accepted = await kcatProduce(leaderBootstrap, topic, 0, '1', ['accepted']);
      t.equal(accepted.trim(), '', 'acks=1: accepted');
      const last = await consume(leaderBootstrap, topic, 0);
      t.equal(last.at(-1), 'accepted');
      t.notOk(last.includes('refused'), 'the refused record was never appended');
    },
  );
}
