/**
 * Replication with real processes (a coordinator and three brokers; kcat): a follower that
 * stops fetching (SIGSTOP) is shrunk out of the ISR by the leader after
 * replica.lag.time.max.ms, written to the state znode and announced to the controller (the
 * brokers' metadata shows it); the topic's own min.insync.replicas=3 then refuses acks=all;
 * after SIGCONT the follower catches up and the leader writes it back into the ISR.
 *
 * kcat is a Debian package: without it the test skips with a message, except under CI=true.
 */
import t from 'tap';
import {
  kcatInstalled,
  startCluster,
  cli,
  partitionState,
  waitFor,
  consume,
  kcatProduce,
  run,
} from '../helpers/cluster.js';

// Process starts, session expiries and ISR lag times: well over a minute on a busy 2-core
// machine, so more than the 120 s per file of package.json when the machine is loaded.
t.setTimeout(300_000);

if (kcatInstalled(t)) {
  t.test(
    'the leader shrinks the ISR of a follower that stops fetching, and expands it',
    async (t) => {
      // The coordinator's default tick allows an 18 s session, so a stopped follower keeps its
      // registration: only the leader's lag rule can take it out of the ISR.
      const cluster = await startCluster(t, {
        overrides: ['replica.lag.time.max.ms=3000'],
        tickMs: 2000,
        sessionTimeoutMs: 18_000,
      });
      const topic = 'lagging';
      await cli(
        cluster,
        ['topics', 'create', topic, '--partitions', '1'].concat([
          '--replication-factor',
          '3',
          '--config',
          'min.insync.replicas=3',
        ]),
      );
      const start = await waitFor('a leader and a full ISR', async () => {
        const state = await partitionState(cluster, topic, 0);
        return state.leader >= 0 && state.isr.length === 3 ? state : undefined;
      });
      const leaderAddress = `127.0.0.1:${cluster.brokers.get(start.leader)!.port}`;
      t.equal(
        (await kcatProduce(leaderAddress, topic, 0, 'all', ['three in sync'])).trim(),
        '',
        'acks=all with all three in sync',
      );
      const follower = start.isr.find((id) => id !== start.leader)!;
      const stopped = cluster.brokers.get(follower)!;
      process.kill(stopped.pid, 'SIGSTOP');
      t.teardown(() => {
        if (stopped.child.exitCode === null) process.kill(stopped.pid, 'SIGCONT');
      });
      const shrunk = await waitFor('the leader to shrink the ISR', async () => {
        const state = await partitionState(cluster, topic, 0);
        return state.isr.includes(follower) ? undefined : state;
      });
      t.equal(shrunk.leader, start.leader, 'same leader');
      t.equal(shrunk.leader_epoch, start.leader_epoch, 'same epoch: only the ISR changed');
      // The leader logs the change once the coordinator has acknowledged the write, which
      // may be just after this test read the new state.
      const leaderLog = await waitFor('the leader to log the shrink', async () => {
        const log = cluster.brokers.get(start.leader)!.log();
        return /ISR shrinking from/.test(log) ? log : undefined;
      });
      t.match(leaderLog, /ISR shrinking from/, 'written by the leader');
      // The ISR change notification reaches the controller, which updates every broker.
      await waitFor("the brokers' metadata to show the smaller ISR", async () => {
        const { stdout } = await run('kcat', ['-b', leaderAddress, '-L', '-t', topic, '-J']);
        const isr = JSON.parse(stdout).topics[0].partitions[0].isrs as number[];
        return isr.length === 2 ? isr : undefined;
      });
      const refused = await kcatProduce(leaderAddress, topic, 0, 'all', ['two in sync']);
      t.match(refused, /Not enough in-sync replicas/, "the topic's min.insync.replicas=3 holds");
      process.kill(stopped.pid, 'SIGCONT');
      const expanded = await waitFor('the follower to rejoin', async () => {
        const state = await partitionState(cluster, topic, 0);
        return state.isr.includes(follower) ? state : undefined;
      });
      t.equal(expanded.isr.length, 3);
      t.equal(
        (await kcatProduce(leaderAddress, topic, 0, 'all', ['three again'])).trim(),
        '',
        'acks=all works again',
      );
      t.same(await consume(leaderAddress, topic, 0), ['three in sync', 'three again']);
    },
  );
}
