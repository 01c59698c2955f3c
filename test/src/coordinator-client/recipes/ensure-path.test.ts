/**
 * ensurePath against the real coordinator: creates every missing level in one pipelined
 * round, accepts levels that already exist, and leaves existing data alone.
 */
import t from 'tap';
import {
  ensurePath,
  pathPrefixes,
} from '../../../../src/coordinator-client/recipes/ensure-path.js';
import { connectedClient, startTestCoordinator } from '../real-server.js';

t.test('pathPrefixes lists every ancestor, root excluded', async (t) => {
  t.same(pathPrefixes('/a/b/c'), ['/a', '/a/b', '/a/b/c']);
  t.same(pathPrefixes('/'), []);
  t.throws(() => pathPrefixes('a/b'));
});

t.test('creates missing levels and tolerates existing ones', async (t) => {
  const { connectString } = await startTestCoordinator(t);
  const client = await connectedClient(t, connectString);
  await client.create('/a', 'keep');
  await ensurePath(client, '/a/b/c/d', { data: 'new' });
  t.equal((await client.getData('/a')).data?.toString(), 'keep', 'existing data untouched');
  t.equal((await client.getData('/a/b/c/d')).data?.toString(), 'new');
  await ensurePath(client, '/a/b/c/d'); // already there: a no-op
  await ensurePath(client, '/');
  // Two clients racing to make the same path both succeed.
  const other = await connectedClient(t, connectString);
  await Promise.all([ensurePath(client, '/x/y/z'), ensurePath(other, '/x/y/z')]);
  t.not(await client.exists('/x/y/z'), null);
});

t.test('a create error other than NodeExists is reported', async (t) => {
  const { connectString } = await startTestCoordinator(t);
  const client = await connectedClient(t, connectString);
  await client.create('/eph', null, { mode: 'ephemeral' });
  await t.rejects(ensurePath(client, '/eph/child'), { message: /NoChildrenForEphemerals/ });
});
