/**
 * Container and TTL nodes are cleaned up by the server's periodic task through the normal
 * write path, so watchers see NodeDeleted (ZooKeeper's ContainerManager). Driven on the core
 * with a ManualScheduler: the check runs every `containerCheckIntervalMs` of manual time.
 */
import t from 'tap';
import { ErrorCode } from '../../src/protocol/coordinator/errors.js';
import { requests, startCore } from './core-harness.js';

const CHECK_MS = 100;

t.test('a container is deleted at the first check after its last child goes', async (t) => {
  const { core, scheduler, connect } = await startCore(t, { containerCheckIntervalMs: CHECK_MS });
  const { conn } = await connect();
  t.equal((await conn.call(requests.create('/box', 'container'))).err, ErrorCode.OK);
  t.equal(core.tree.get('/box')!.ephemeralOwner, 0n, 'containers report ephemeralOwner 0');
  scheduler.advance(10 * CHECK_MS);
  t.ok(core.tree.get('/box'), 'a container that never had a child stays');

  t.equal((await conn.call(requests.create('/box/item'))).err, ErrorCode.OK);
  t.equal((await conn.call(requests.exists('/box', true))).err, ErrorCode.OK);
  t.equal((await conn.call(requests.delete('/box/item'))).err, ErrorCode.OK);
  t.ok(core.tree.get('/box'), 'still there until the next check');
  scheduler.advance(CHECK_MS);
  t.match(await conn.nextEvent(), { type: 'NodeDeleted', path: '/box' });
  t.equal(core.tree.get('/box'), undefined, 'the empty container went away');
});

t.test('a TTL node is deleted at the first check after its TTL without changes', async (t) => {
  const { core, scheduler, connect } = await startCore(t, {
    containerCheckIntervalMs: CHECK_MS,
    extendedTypesEnabled: true,
  });
  const { conn } = await connect();
  t.equal(
    (await conn.call(requests.create('/short-lived', 'persistent_with_ttl', 250))).err,
    ErrorCode.OK,
  );
  t.equal((await conn.call(requests.exists('/short-lived', true))).err, ErrorCode.OK);
  scheduler.advance(2 * CHECK_MS);
  t.ok(core.tree.get('/short-lived'), 'kept at 200 ms: its TTL is 250 ms');
  scheduler.advance(CHECK_MS);
  t.match(await conn.nextEvent(), { type: 'NodeDeleted', path: '/short-lived' });
  t.equal(core.tree.get('/short-lived'), undefined, 'deleted at the check at 300 ms');
});

t.test('TTL nodes need extended types', async (t) => {
  const { connect } = await startCore(t);
  const { conn } = await connect();
  const { err } = await conn.call(requests.create('/ttl', 'persistent_with_ttl', 250));
  t.equal(err, ErrorCode.UNIMPLEMENTED, 'refused as ZooKeeper refuses with extendedTypes off');
});
