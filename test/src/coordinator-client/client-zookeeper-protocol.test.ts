/**
 * The client over ZooKeeper's binary protocol (`protocol: 'zookeeper'`), against both servers
 * that speak it: our coordinator (which answers both protocols on one port) and a real Apache
 * ZooKeeper 3.8. The same script runs on each: the whole API round-trips, watches fire, a
 * failed multi applies nothing, auth travels on its reserved xid while other requests are in
 * flight, and a chroot in the connect string roots every path.
 */
import t, { type Test } from 'tap';
import { CoordinatorClient, MultiError, Op } from '../../../src/coordinator-client/client.js';
import { fourLetterWord } from '../../../src/coordinator-client/four-letter-words.js';
import { ErrorCode } from '../../../src/protocol/coordinator/errors.js';
import type { WatchEvent } from '../../../src/protocol/coordinator/messages.js';
import { startApacheZooKeeper } from '../../helpers/apache-zookeeper.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startTestCoordinator } from './real-server.js';

async function zkClient(t: Test, connectString: string): Promise<CoordinatorClient> {
  const client = new CoordinatorClient(connectString, {
    protocol: 'zookeeper',
    sessionTimeoutMs: 10_000,
    reconnectBackoffMinMs: 10,
    reconnectBackoffMaxMs: 50,
  });
  t.teardown(() => client.close());
  await client.connect();
  return client;
}

async function apiRoundTrip(t: Test, connectString: string): Promise<void> {
  const c = await zkClient(t, connectString);
  t.ok(c.sessionId !== 0n, 'a session');
  t.equal(await c.create('/a', 'x'), '/a');
  const { path, stat } = await c.createWithStat('/a/s-', null, { mode: 'persistent_sequential' });
  t.equal(path, '/a/s-0000000000');
  t.equal(stat.version, 0);
  t.equal((await c.setData('/a', 'y', 0)).version, 1);
  await t.rejects(c.setData('/a', 'z', 0), { code: ErrorCode.BADVERSION });
  const { data } = await c.getData('/a');
  t.equal(data?.toString(), 'y');
  t.same(await c.getChildren('/a'), ['s-0000000000']);
  t.equal(await c.getAllChildrenNumber('/a'), 1);
  await c.create('/e', null, { mode: 'ephemeral' });
  t.same(await c.getEphemerals('/'), ['/e']);
  t.equal((await c.exists('/e'))?.ephemeralOwner, c.sessionId);
  t.equal(await c.exists('/missing'), null);
  t.equal(await c.sync('/a'), '/a');
  const { acl } = await c.getACL('/a');
  t.same(acl, [{ perms: 31, scheme: 'world', id: 'anyone' }]);
  const results = await c.multi([Op.create('/m'), Op.setData('/m', 'v'), Op.check('/m', 1)]);
  t.same(
    results.map((r) => r.err),
    [0, 0, 0],
  );
  const err = await c.multi([Op.create('/m2'), Op.create('/m')]).catch((e: unknown) => e);
  t.ok(err instanceof MultiError, 'a failed multi rejects');
  t.equal((err as MultiError).code, ErrorCode.NODEEXISTS);
  t.equal(await c.exists('/m2'), null, 'a failed multi applies nothing');
  await t.rejects(c.delete('/a'), { code: ErrorCode.NOTEMPTY });
  await c.delete('/a/s-0000000000');
  await c.delete('/a', 1);
  t.equal(await c.exists('/a'), null);
}

async function watchesFire(t: Test, connectString: string): Promise<void> {
  const a = await zkClient(t, connectString);
  const b = await zkClient(t, connectString);
  const seen: string[] = [];
  const w = (e: WatchEvent): void => void seen.push(`${e.type} ${e.path}`);
  t.equal(await a.exists('/w', w), null);
  await b.create('/w', 'v');
  await waitFor('NodeCreated', () => seen.length === 1);
  await a.getData('/w', w);
  await a.getChildren('/w', w);
  await b.create('/w/c', null);
  await b.setData('/w', 'v2');
  await waitFor('two more events', () => seen.length === 3);
  t.same(seen, ['NodeCreated /w', 'NodeChildrenChanged /w', 'NodeDataChanged /w']);
}

async function authInFlight(t: Test, connectString: string): Promise<void> {
  const c = await zkClient(t, connectString);
  // Requests in flight on both sides of an addAuth: ZooKeeper answers the auth packet ahead
  // of them, and the client must still settle each in order.
  const before = Array.from({ length: 200 }, (_, i) => c.create(`/p${i}`, null));
  const auth = c.addAuth('digest', 'alice:secret');
  const after = Array.from({ length: 200 }, (_, i) => c.exists(`/p${i}`));
  await Promise.all(before);
  await auth;
  t.ok(
    (await Promise.all(after)).every((stat) => stat !== null),
    'all 400 answered in order',
  );
  await c.create('/private', 'x', {
    acl: [{ perms: 31, scheme: 'auth', id: '' }],
  });
  const other = await zkClient(t, connectString);
  await t.rejects(other.getData('/private'), { code: ErrorCode.NOAUTH });
  t.equal((await c.getData('/private')).data?.toString(), 'x', 'the owner reads it');
}

async function chroot(t: Test, connectString: string): Promise<void> {
  const root = await zkClient(t, connectString);
  await root.create('/cluster-a', null);
  const c = await zkClient(t, `${connectString}/cluster-a`);
  const events: string[] = [];
  t.equal(await c.create('/brokers', null), '/brokers');
  await c.getChildren('/brokers', (e) => void events.push(`${e.type} ${e.path}`));
  t.equal(
    await c.create('/brokers/id-', '1', { mode: 'ephemeral_sequential' }),
    '/brokers/id-0000000000',
  );
  t.same(await c.getChildren('/'), ['brokers']);
  t.same(await root.getChildren('/cluster-a/brokers'), ['id-0000000000'], 'under the chroot');
  t.same(await c.getEphemerals('/'), ['/brokers/id-0000000000']);
  const results = await c.multi([Op.create('/x'), Op.delete('/x')]);
  t.equal(results[0]?.path, '/x', 'multi results lose the chroot too');
  await waitFor('the child watch', () => events.length === 1);
  t.same(events, ['NodeChildrenChanged /brokers']);
}

async function fourLetterWords(t: Test, connectString: string): Promise<void> {
  t.equal(await fourLetterWord(connectString, 'ruok', { protocol: 'zookeeper' }), 'imok');
  t.match(await fourLetterWord(connectString, 'srvr', { protocol: 'zookeeper' }), /Mode: /);
}

const scripts = { apiRoundTrip, watchesFire, authInFlight, chroot, fourLetterWords };

t.test('over the binary protocol against our coordinator', async (t) => {
  for (const [name, script] of Object.entries(scripts)) {
    await t.test(name, async (t) => {
      const { connectString } = await startTestCoordinator(t);
      await script(t, connectString);
    });
  }
});

t.test('over the binary protocol against Apache ZooKeeper 3.8', async (t) => {
  const { connectString } = await startApacheZooKeeper(t);
  let n = 0;
  for (const [name, script] of Object.entries(scripts)) {
    // One server for all scripts: each works under its own fresh chroot-like prefix node.
    const base = `/t${n++}`;
    const setup = await zkClient(t, connectString);
    await setup.create(base, null);
    await t.test(name, (t) => script(t, `${connectString}${base}`));
  }
});
