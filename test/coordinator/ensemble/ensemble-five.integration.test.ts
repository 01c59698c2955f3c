/**
 * Five real coordinator processes (docs/ensemble.md): under a write load from a client with
 * all five in its connect string, the leader and one follower are killed with SIGKILL at the
 * same moment. The three survivors are still a quorum: a new leader takes over (the test
 * prints how long until the first acknowledged write), every acknowledged write is on each
 * survivor, and the new leader serves writes.
 */
import t from 'tap';
import { waitFor } from '../../helpers/wait-for.js';
import { CoordinatorClient } from '../../../src/coordinator-client/client.js';
import { fourLetterWord } from '../../../src/coordinator-client/four-letter-words.js';
import { startEnsemble, writeThroughKill } from './ensemble-processes.js';

const TICK_MS = Number(process.env.ENSEMBLE_TICK_MS ?? 500);

t.test('5 servers: kill -9 of the leader and a follower under a write load', async (t) => {
  const ensemble = await startEnsemble(t, { tickMs: TICK_MS, voters: 5 });
  const { members, mode } = ensemble;
  await waitFor(
    'one leader and four followers',
    async () => (await ensemble.modes()) === 'follower,follower,follower,follower,leader',
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  const modes = await Promise.all(members.map(mode));
  const leader = members.find((_, i) => modes[i] === 'leader')!;
  const followers = members.filter((m) => m !== leader);
  const victims = [leader, followers[0]!];
  const survivors = members.filter((m) => !victims.includes(m));
  t.match(
    await fourLetterWord(`127.0.0.1:${leader.clientPort}`, 'mntr'),
    /zk_synced_followers\t4\n/,
    'the leader has four synced followers',
  );

  const writer = new CoordinatorClient(ensemble.connectString, {
    sessionTimeoutMs: 10 * TICK_MS,
    protocol: 'zookeeper',
  });
  await writer.connect();
  await writer.create('/five');
  const TOTAL = 300;
  const { acked, failed, killedAt, firstAckAfterKill } = await writeThroughKill(writer, {
    prefix: '/five',
    total: TOTAL,
    killAfter: 100,
    kill: () => {
      for (const v of victims) v.process!.child.kill('SIGKILL');
    },
  });
  await Promise.all(victims.map((v) => v.process!.exited));
  t.equal(acked.length, TOTAL, `${TOTAL} writes acknowledged (${failed} failed in the failover)`);
  t.ok(firstAckAfterKill > killedAt, 'writes are acknowledged again after the kill');
  const newLeader = await waitFor('a new leader among the survivors', async () => {
    for (const s of survivors) if ((await mode(s)) === 'leader') return s;
    return undefined;
  });
  t.comment(
    `kill -9 of leader ${leader.id} and follower ${victims[1]!.id} -> first acknowledged ` +
      `write after ${firstAckAfterKill - killedAt} ms (tickTime ${TICK_MS} ms); server ` +
      `${newLeader.id} leads now; ${failed} writes failed with ConnectionLoss`,
  );
  await writer.close();

  // No acknowledged write lost: every one is on each survivor.
  for (const s of survivors) {
    const missing = await waitFor(`every acknowledged write on server ${s.id}`, async () => {
      const reader = new CoordinatorClient(`127.0.0.1:${s.clientPort}`);
      await reader.connect();
      try {
        await reader.sync('/five');
        const children = new Set(await reader.getChildren('/five'));
        const m = acked.filter((p) => !children.has(p.slice('/five/'.length)));
        return m.length === 0 ? m : undefined;
      } finally {
        await reader.close();
      }
    });
    t.same(missing, [], `server ${s.id} has all ${acked.length} acknowledged writes`);
  }

  // The new leader serves writes, and they reach the other survivors.
  const onLeader = new CoordinatorClient(`127.0.0.1:${newLeader.clientPort}`);
  await onLeader.connect();
  await onLeader.create('/five/after', `written on server ${newLeader.id}`);
  await onLeader.close();
  for (const s of survivors) {
    const reader = new CoordinatorClient(`127.0.0.1:${s.clientPort}`);
    await reader.connect();
    await reader.sync('/five');
    t.equal(
      (await reader.getData('/five/after')).data?.toString(),
      `written on server ${newLeader.id}`,
      `server ${s.id} reads the new leader's write`,
    );
    await reader.close();
  }
  t.match(
    await fourLetterWord(`127.0.0.1:${newLeader.clientPort}`, 'mntr'),
    /zk_synced_followers\t2\n/,
    'the new leader has the two other survivors in sync',
  );
});
