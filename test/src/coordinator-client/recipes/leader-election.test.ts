/**
 * Leader election against the real coordinator: the lowest offer leads, followers watch only
 * their predecessor, and when the leader's session ends (closed, or expired after a network
 * cut) the next contender takes over.
 */
import t from 'tap';
import { LeaderElection } from '../../../../src/coordinator-client/recipes/leader-election.js';
import { connectedClient, sleep, startTestCoordinator, TcpProxy } from '../real-server.js';
import { waitFor } from '../../../helpers/wait-for.js';

t.test('the first contender leads; when its session is closed the second takes over', async (t) => {
  const { connectString } = await startTestCoordinator(t);
  const a = await connectedClient(t, connectString);
  const b = await connectedClient(t, connectString);
  const c = await connectedClient(t, connectString);
  const ea = new LeaderElection(a, '/election', { data: 'a' });
  const eb = new LeaderElection(b, '/election', { data: 'b' });
  const ec = new LeaderElection(c, '/election', { data: 'c' });
  await ea.start();
  await eb.start();
  await ec.start();
  t.equal(ea.state, 'leader');
  t.equal(eb.state, 'follower');
  t.equal(ec.state, 'follower');
  t.equal((await eb.leaderData())?.toString(), 'a', 'everyone can see who leads');
  t.match(ea.offerPath, /^\/election\/n_[0-9a-f-]{36}_0000000000$/);

  const bElected = new Promise<void>((resolve) => eb.once('elected', () => resolve()));
  await a.close(); // the leader's session ends: its ephemeral offer is deleted at once
  await bElected;
  t.equal(eb.state, 'leader');
  t.equal(ec.state, 'follower', 'only the successor woke up and won');
  t.equal((await ec.leaderData())?.toString(), 'b');
});

t.test('a follower whose predecessor dies re-checks instead of assuming it leads', async (t) => {
  const { connectString } = await startTestCoordinator(t);
  const [a, b, c] = await Promise.all([1, 2, 3].map(() => connectedClient(t, connectString)));
  const ea = new LeaderElection(a, '/e2');
  const eb = new LeaderElection(b, '/e2');
  const ec = new LeaderElection(c, '/e2');
  for (const e of [ea, eb, ec]) await e.start();
  const states: string[] = [];
  ec.on('state', (s) => states.push(s));
  await eb.stop(); // a follower (c's predecessor) leaves; a still leads
  await waitFor('c to follow', () => states.includes('follower'));
  t.equal(ea.state, 'leader');
  t.equal(ec.state, 'follower', 'c now follows a');
  t.same(states, ['determining', 'follower']);
  await ea.stop();
  await waitFor('c to lead', () => ec.isLeader);
});

t.test('when the leader is cut off, its session expires and the follower is elected', async (t) => {
  const { port, connectString } = await startTestCoordinator(t, 100);
  const proxy = await TcpProxy.start(port);
  t.teardown(() => proxy.cut());
  // Timeout 400 ms (tick 100 ms allows [200, 2000]).
  const a = await connectedClient(t, proxy.connectString, { sessionTimeoutMs: 400 });
  const b = await connectedClient(t, connectString, { sessionTimeoutMs: 400 });
  const ea = new LeaderElection(a, '/e3', { data: 'a' });
  const eb = new LeaderElection(b, '/e3', { data: 'b' });
  await ea.start();
  await eb.start();
  t.ok(ea.isLeader);
  const failed = new Promise<Error>((resolve) => ea.once('failed', resolve));
  await proxy.cut(); // a crashes, as far as the server can tell
  await waitFor('b to lead', () => eb.isLeader);
  t.equal((await eb.leaderData())?.toString(), 'b');
  // When a's network comes back, it learns that its session expired and leaves the race.
  await sleep(50);
  await proxy.restore();
  t.match((await failed).message, /expired/);
  t.equal(ea.state, 'failed');
  t.equal(a.state, 'expired');
});
