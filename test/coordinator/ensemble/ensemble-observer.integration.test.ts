/**
 * An observer with real processes (docs/ensemble.md, "Observers"): three voters and one
 * `:observer` member, all from zoo.cfg files. The observer says `Mode: observer`, serves
 * reads, forwards writes (acknowledged), gets every write (by INFORM: the leader sends it no
 * PROPOSAL or COMMIT), and the leader's mntr counts it as a synced observer, not a synced
 * follower; killing it with SIGKILL leaves the quorum alone (the leader keeps leading and
 * writes go on), and restarted it catches up; with both followers killed, the leader and the
 * observer left are no quorum: both stop serving.
 */
import t from 'tap';
import { waitFor } from '../../helpers/wait-for.js';
import { CoordinatorClient } from '../../../src/coordinator-client/client.js';
import { fourLetterWord } from '../../../src/coordinator-client/four-letter-words.js';
import { startEnsemble, type Member } from './ensemble-processes.js';

const TICK_MS = 500;

t.test('3 voters and an observer', async (t) => {
  const ensemble = await startEnsemble(t, { tickMs: TICK_MS, observers: [4], zooCfg: true });
  const { members, mode, start, kill9: kill, modes: modesOf } = ensemble;
  await waitFor(
    'a leader, two followers and an observer',
    async () => (await modesOf(members)) === 'follower,follower,leader,observer',
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  const observer = members[3]!;
  t.equal(await mode(observer), 'observer', 'srvr on the observer says Mode: observer');
  const modes = await Promise.all(members.map(mode));
  const leader = members.find((_, i) => modes[i] === 'leader')!;
  const followers = members.filter((_, i) => modes[i] === 'follower');
  const mntr = await fourLetterWord(`127.0.0.1:${leader.clientPort}`, 'mntr');
  t.match(mntr, /zk_synced_followers\t2\n/, 'the observer is not a synced follower');
  t.match(mntr, /zk_learners\t3\n/, 'two followers and the observer are learners');
  t.match(mntr, /zk_synced_observers\t1\n/, 'the observer is a synced observer');
  t.match(mntr, /zk_synced_non_voting_followers\t0\n/);
  t.match(mntr, /zk_pending_syncs\t0\n/);
  t.match(
    await fourLetterWord(`127.0.0.1:${observer.clientPort}`, 'mntr'),
    /zk_server_state\tobserver/,
  );

  // Writes through the observer are forwarded and acknowledged; every server reads them.
  const viaObserver = new CoordinatorClient(`127.0.0.1:${observer.clientPort}`);
  await viaObserver.connect();
  await viaObserver.create('/obs', 'through the observer');
  for (let i = 0; i < 20; i++) await viaObserver.create(`/obs/n${i}`);
  t.equal((await viaObserver.getChildren('/obs')).length, 20, 'the observer reads its writes');
  await viaObserver.close();
  const childrenOn = async (m: Member): Promise<number> => {
    const reader = new CoordinatorClient(`127.0.0.1:${m.clientPort}`);
    await reader.connect();
    try {
      await reader.sync('/obs');
      return (await reader.getChildren('/obs')).length;
    } finally {
      await reader.close();
    }
  };
  for (const m of members.filter((m) => m !== observer)) {
    t.equal(await childrenOn(m), 20, `server ${m.id} has the observer's writes`);
  }

  // Killing the observer leaves the quorum alone: the leader keeps leading, writes go on.
  await kill(observer);
  await waitFor(
    'the leader has no synced observer',
    async () =>
      /zk_synced_observers\t0\n/.test(
        await fourLetterWord(`127.0.0.1:${leader.clientPort}`, 'mntr'),
      ),
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  const writer = new CoordinatorClient(`127.0.0.1:${followers[0]!.clientPort}`);
  await writer.connect();
  for (let i = 20; i < 40; i++) await writer.create(`/obs/n${i}`);
  await writer.close();
  t.equal(await mode(leader), 'leader', `server ${leader.id} still leads without the observer`);
  t.equal(await modesOf(members.filter((m) => m !== observer)), 'follower,follower,leader');
  t.equal(
    leader.process!.log().split('zab role: looking').length - 1,
    1,
    'the leader went looking only when it started',
  );

  // Restarted, the observer catches up.
  await start(observer);
  await waitFor('the observer back', async () => (await mode(observer)) === 'observer', {
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  t.equal(await childrenOn(observer), 40, 'the restarted observer has every write');

  // Both followers gone: the leader and the observer are no quorum, both stop serving.
  await Promise.all(followers.map(kill));
  await waitFor(
    'the leader and the observer stop serving',
    async () => (await mode(leader)) === 'looking' && (await mode(observer)) === 'looking',
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  t.equal(await mode(leader), 'looking', 'without a quorum of voters the leader stops leading');
  t.equal(await mode(observer), 'looking', 'and the observer stops serving');
});
