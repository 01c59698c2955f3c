/**
 * The in-memory Store used by the core's unit tests keeps what the LevelDB store keeps: a
 * commit is a copy (later changes to the objects do not leak in), load gives nodes parents
 * first with every field as committed, deletions and session removals apply, and the store
 * survives close + reopen as a data directory survives a restart.
 */
import t from 'tap';
import { MemoryStore } from '../../coordinator/memory-store.js';
import type { StoredNode } from '../../coordinator/store.js';

function node(data: string | null, overrides: Partial<StoredNode> = {}): StoredNode {
  return {
    data: data === null ? null : Buffer.from(data),
    acl: [{ perms: 31, scheme: 'world', id: 'anyone' }],
    czxid: 1,
    mzxid: 2,
    pzxid: 3,
    ctimeMs: 1_700_000_000_000,
    mtimeMs: 1_700_000_000_500,
    version: 4,
    aversion: 5,
    childCreations: 6,
    ephemeralOwner: 0n,
    kind: 'normal',
    ttlMs: 0,
    ...overrides,
  };
}

t.test('commit then load round-trips nodes, sessions and lastZxid', async (t) => {
  const store = new MemoryStore();
  t.same(await store.load(), { lastZxid: 0, nodes: [], sessions: [] }, 'empty at first');
  const child = node('c', { ephemeralOwner: -5n, kind: 'ttl', ttlMs: 250 });
  const password = Buffer.alloc(16, 9);
  await store.commit({
    lastZxid: 7,
    nodes: new Map([
      ['/a/b', child],
      ['/a', node(null, { kind: 'container' })],
      ['/', node('')],
    ]),
    sessions: new Map([[-5n, { id: -5n, timeoutMs: 4000, password }]]),
  });
  // Mutating what was committed must not change what is stored.
  child.data!.write('X');
  child.version = 99;
  password.fill(0);
  const loaded = await store.load();
  t.equal(loaded.lastZxid, 7);
  t.same(
    loaded.nodes.map(([path]) => path),
    ['/', '/a', '/a/b'],
    'parents first',
  );
  t.same(loaded.nodes[2]![1], node('c', { ephemeralOwner: -5n, kind: 'ttl', ttlMs: 250 }));
  t.equal(loaded.nodes[1]![1].data, null, 'null data stays null');
  t.same(loaded.nodes[0]![1].data, Buffer.alloc(0), 'empty data stays empty');
  t.same(loaded.sessions, [{ id: -5n, timeoutMs: 4000, password: Buffer.alloc(16, 9) }]);
  t.equal(store.commitCount, 1);
});

t.test('null entries delete; a closed store reopens with its contents', async (t) => {
  const store = new MemoryStore();
  await store.commit({
    lastZxid: 1,
    nodes: new Map([['/x', node('1')]]),
    sessions: new Map([[1n, { id: 1n, timeoutMs: 2000, password: Buffer.alloc(16) }]]),
  });
  await store.commit({
    lastZxid: 2,
    nodes: new Map([['/x', null]]),
    sessions: new Map([[1n, null]]),
  });
  await store.close();
  await t.rejects(store.load(), /closed/, 'a closed store refuses to load');
  const loaded = await store.reopen().load();
  t.same(loaded, { lastZxid: 2, nodes: [], sessions: [] });
});

t.test('overlapping commits are a bug in the caller', async (t) => {
  const store = new MemoryStore();
  const batch = { lastZxid: 1, nodes: new Map(), sessions: new Map() };
  const first = store.commit(batch);
  await t.rejects(store.commit({ ...batch, lastZxid: 2 }), /overlap/);
  await first;
});
