/**
 * The client against the real coordinator: the whole API round-trips, watches fire across
 * clients, and after a network cut the session resumes and setWatches delivers the events
 * missed meanwhile. Also a pipelining smoke test: thousands of requests in flight at once.
 */
import t from 'tap';
import { MultiError, Op } from '../../../src/coordinator-client/client.js';
import { ManualScheduler } from '../../../src/scheduler.js';
import { ErrorCode } from '../../../src/protocol/coordinator/errors.js';
import type { WatchEvent } from '../../../src/protocol/coordinator/messages.js';
import { connectedClient, startTestCoordinator, TcpProxy } from './real-server.js';
import { waitFor } from '../../helpers/wait-for.js';

t.test('the API round-trips against the real server', async (t) => {
  const { connectString } = await startTestCoordinator(t);
  const c = await connectedClient(t, connectString);
  t.equal(await c.create('/a', 'x'), '/a');
  const { path, stat } = await c.createWithStat('/a/s-', null, { mode: 'persistent_sequential' });
  t.equal(path, '/a/s-0000000000');
  t.equal(stat.version, 0);
  t.equal((await c.setData('/a', 'y', 0)).version, 1);
  await t.rejects(c.setData('/a', 'z', 0), { code: ErrorCode.BADVERSION });
  t.same(await c.getChildren('/a'), ['s-0000000000']);
  t.equal(await c.getAllChildrenNumber('/a'), 1);
  await c.create('/e', null, { mode: 'ephemeral' });
  t.same(await c.getEphemerals('/'), ['/e']);
  t.equal((await c.exists('/e'))?.ephemeralOwner, c.sessionId);
  t.equal(await c.sync('/a'), '/a');
  const { acl } = await c.getACL('/a');
  t.same(acl, [{ perms: 31, scheme: 'world', id: 'anyone' }]);
  const results = await c.multi([Op.create('/m'), Op.setData('/m', 'v'), Op.check('/m', 1)]);
  t.same(
    results.map((r) => r.err),
    [0, 0, 0],
  );
  const err = await c.multi([Op.create('/m2'), Op.create('/m')]).catch((e: unknown) => e);
  t.ok(err instanceof MultiError);
  t.equal((err as MultiError).code, ErrorCode.NODEEXISTS);
  t.equal(await c.exists('/m2'), null, 'a failed multi applies nothing');
  await c.delete('/a/s-0000000000');
  await c.delete('/a', 1);
  t.equal(await c.exists('/a'), null);
});

t.test("watches set by one client fire on another client's writes", async (t) => {
  const { connectString } = await startTestCoordinator(t);
  const a = await connectedClient(t, connectString);
  const b = await connectedClient(t, connectString);
  const seen: string[] = [];
  const w = (e: WatchEvent): void => void seen.push(`${e.type} ${e.path}`);
  t.equal(await a.exists('/w', w), null);
  await b.create('/w', 'x');
  await waitFor('the first event', () => seen.length === 1);
  await a.getData('/w', w);
  await a.getChildren('/w', w);
  await b.create('/w/c');
  await b.setData('/w', 'y');
  await waitFor('three events', () => seen.length === 3);
  t.same(seen, ['NodeCreated /w', 'NodeChildrenChanged /w', 'NodeDataChanged /w']);
});

t.test(
  'after a network cut the session resumes and missed events arrive via setWatches',
  async (t) => {
    const { port, connectString } = await startTestCoordinator(t);
    const proxy = await TcpProxy.start(port);
    t.teardown(() => proxy.cut());
    const a = await connectedClient(t, proxy.connectString, { sessionTimeoutMs: 3000 });
    const b = await connectedClient(t, connectString);
    await b.create('/d', 'v0');
    await a.create('/mine', null, { mode: 'ephemeral' });
    const seen: string[] = [];
    await a.getData('/d', (e) => seen.push(`${e.type} ${e.path}`));
    const sessionId = a.sessionId;

    const disconnected = new Promise((resolve) => a.once('disconnected', resolve));
    await proxy.cut();
    await disconnected;
    await b.setData('/d', 'v1'); // happens while a is away
    t.same(seen, [], 'nothing can arrive while cut off');
    const resumed = new Promise((resolve) => a.once('connected', resolve));
    await proxy.restore();
    t.match(await resumed, { resumed: true, sessionId });
    await waitFor('the missed event', () => seen.length === 1);
    t.same(seen, ['NodeDataChanged /d'], 'the missed change is reported after resume');
    t.not(await b.exists('/mine'), null, 'the ephemeral survived: same session');
  },
);

t.test('thousands of pipelined requests complete in order', async (t) => {
  // Server and client on one ManualScheduler that never moves: no session expiry and no read
  // timeout, however long a loaded machine takes to answer 5000 queued writes.
  const scheduler = new ManualScheduler();
  const { connectString } = await startTestCoordinator(t, 100, scheduler);
  const c = await connectedClient(t, connectString, { scheduler });
  await c.create('/p');
  const n = 5000;
  const writes = Array.from({ length: n }, (_, i) => c.create(`/p/n${i}`));
  const paths = await Promise.all(writes);
  t.equal(paths[n - 1], `/p/n${n - 1}`);
  const reads = await Promise.all(Array.from({ length: n }, (_, i) => c.exists(`/p/n${i}`)));
  t.ok(
    reads.every((s, i) => s !== null && (i === 0 || s.czxid > reads[i - 1]!.czxid)),
    'czxids increase in request order',
  );
  t.equal(await c.getAllChildrenNumber('/p'), n);
});

t.test('addAuth gives the session an identity that the auth ACL scheme expands to', async (t) => {
  // (ACL enforcement itself, NOAUTH, is the server's business and not tested here.)
  const { connectString } = await startTestCoordinator(t);
  const alice = await connectedClient(t, connectString);
  await alice.addAuth('digest', 'alice:secret');
  await alice.create('/private', 'x', { acl: [{ perms: 31, scheme: 'auth', id: '' }] });
  const { acl } = await alice.getACL('/private');
  t.match(acl, [{ perms: 31, scheme: 'digest', id: /^alice:/ }]);
  t.match(await alice.whoAmI(), [{ authScheme: 'ip' }, { authScheme: 'digest', user: 'alice' }]);
});
