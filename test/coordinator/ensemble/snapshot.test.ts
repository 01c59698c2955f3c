/**
 * The bytes of a Zab snapshot (coordinator/ensemble/snapshot.ts): a tree and its sessions
 * come back exactly, and bytes cut short or of another format are refused; a copy-on-write
 * view of a tree (data-tree.ts `openView`) serialized in slices, while writes are applied
 * between the slices, holds exactly the tree at the view's moment.
 */
import t from 'tap';
import assert from 'node:assert';
import { performance } from 'node:perf_hooks';
import {
  SnapshotAbortedError,
  SnapshotFormatError,
  decodeSnapshot,
  encodeSnapshot,
  encodeSnapshotInSlices,
} from '../../../coordinator/ensemble/snapshot.js';
import { DataTree } from '../../../coordinator/data-tree.js';
import type { LoadedState, StoredNode } from '../../../coordinator/store.js';

const node = (fields: Partial<StoredNode>): StoredNode => ({
  data: Buffer.from('x'),
  acl: [{ perms: 31, scheme: 'world', id: 'anyone' }],
  czxid: 1,
  mzxid: 2,
  pzxid: 3,
  ctimeMs: 1000,
  mtimeMs: 2000,
  version: 4,
  aversion: 0,
  childCreations: 5,
  ephemeralOwner: 0n,
  ttlMs: 0,
  kind: 'normal',
  ...fields,
});

t.test('a tree and its sessions round-trip', async (t) => {
  const state: LoadedState = {
    lastZxid: 2 ** 32 * 3 + 17,
    nodes: [
      ['/', node({ data: Buffer.alloc(0) })],
      ['/a', node({ data: null, kind: 'container' })],
      ['/t', node({ kind: 'ttl', ttlMs: 60_000 })],
      ['/a/é', node({ ephemeralOwner: -5n, data: Buffer.from([0, 255]) })],
    ],
    sessions: [
      { id: 0x0100000000000001n, timeoutMs: 4000, password: Buffer.alloc(16, 7) },
      { id: -2n, timeoutMs: 30_000, password: Buffer.alloc(0) },
    ],
  };
  const bytes = encodeSnapshot(state);
  t.same(decodeSnapshot(bytes), state);
  // Encoded in any order (the tree's map order), decoded parents first.
  const shuffled = { ...state, nodes: [state.nodes[3]!, ...state.nodes.slice(0, 3)] };
  t.same(decodeSnapshot(encodeSnapshot(shuffled)), state, 'decoded parents first, by depth');
  t.throws(() => decodeSnapshot(bytes.subarray(0, bytes.length - 1)), SnapshotFormatError);
  t.throws(() => decodeSnapshot(Buffer.concat([bytes, Buffer.from([0])])), SnapshotFormatError);
  t.throws(() => decodeSnapshot(Buffer.from('not a snapshot at all')), /not a snapshot/);
});

/** The tree's state as `decodeSnapshot` returns it: nodes parents first, no children sets. */
function stateOf(tree: DataTree, lastZxid: number): LoadedState {
  const view = tree.openView();
  try {
    return {
      lastZxid,
      nodes: view.paths.map((path): [string, StoredNode] => {
        const { children: _children, ...node } = tree.get(path)!;
        return [path, node];
      }),
      sessions: [],
    };
  } finally {
    view.close();
  }
}

const byPath = (state: LoadedState): Map<string, StoredNode> => new Map(state.nodes);

t.test('a view serialized in slices is the tree at its moment while writes go on', async (t) => {
  const tree = new DataTree();
  const acl = [{ perms: 31, scheme: 'world', id: 'anyone' }];
  const create = (path: string, zxid: number): void => {
    tree.create({
      path,
      data: Buffer.from(path),
      acl,
      mode: 'persistent',
      sessionId: 0n,
      zxid,
      timeMs: zxid,
    });
  };
  let zxid = 0;
  create('/big', ++zxid);
  for (let i = 0; i < 20; i++) {
    create(`/big/d${i}`, ++zxid);
    for (let j = 0; j < 1000; j++) create(`/big/d${i}/n${j}`, ++zxid);
  }
  // A failed multi re-inserts the nodes it touched at the end of the tree's map, after their
  // children: the view must still list parents first.
  const failed = tree.multi(
    [
      { op: 'setData', path: '/big', data: Buffer.from('x'), version: -1 },
      { op: 'setData', path: '/big/d0', data: Buffer.from('x'), version: -1 },
      { op: 'delete', path: '/missing', version: -1 },
    ],
    { zxid: ++zxid, timeMs: zxid, sessionId: 0n },
  );
  t.equal(failed.ok, false);
  const mapOrder = [...tree.paths()];
  t.ok(
    mapOrder.indexOf('/big') > mapOrder.indexOf('/big/d1'),
    "the map's order is not parents first",
  );
  const before = stateOf(tree, zxid);
  const atStart = zxid;

  const view = tree.openView();
  let slicesSeen = 0;
  const encoding = encodeSnapshotInSlices(
    { lastZxid: atStart, paths: view.paths, node: (p) => view.get(p), sessions: [] },
    {
      pause: () => new Promise((resolve) => setImmediate(resolve)),
      nowMs: () => performance.now(),
      sliceMs: 0, // a slice per 256 nodes
    },
  ).finally(() => view.close());
  // Writes run between the slices, as a server's client requests do: both wait for the
  // event loop with setImmediate, so each write lands between two slices.
  let finished = false;
  void encoding.then(() => (finished = true));
  let writes = 0;
  while (!finished) {
    const i = writes++ % 20;
    tree.setData(`/big/d${i}/n${writes % 1000}`, Buffer.from('changed'), -1, ++zxid, zxid);
    if (writes % 3 === 0) tree.delete(`/big/d${i}/n${(writes * 7) % 1000}`, -1, ++zxid);
    if (writes % 5 === 0) create(`/big/d${i}/new${writes}`, ++zxid);
    tree.setAcl(`/big/d${i}`, [{ perms: 1, scheme: 'world', id: 'anyone' }], -1);
    slicesSeen++;
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { data, slices, longestSliceMs } = await encoding;
  t.ok(slices > 50, `encoded in ${slices} slices (longest ${longestSliceMs.toFixed(1)} ms)`);
  t.ok(slicesSeen >= slices - 1, `${slicesSeen} rounds of writes ran between the slices`);
  t.equal(tree.openViews, 0, 'the view is closed');
  const decoded = decodeSnapshot(data);
  t.equal(decoded.lastZxid, atStart);
  t.equal(decoded.nodes.length, before.nodes.length, 'the nodes of the moment, no later ones');
  const expected = byPath(before);
  const differing = decoded.nodes.filter(([path, node]) => {
    try {
      assert.deepStrictEqual(node, expected.get(path));
      return false;
    } catch {
      return true;
    }
  });
  t.same(
    differing.map(([path]) => path),
    [],
    'every node as it was when the view opened',
  );
  // And it loads: parents before children.
  const loaded = new DataTree();
  for (const [path, node] of decoded.nodes) loaded.loadNode(path, node);
  t.equal(loaded.nodeCount, before.nodes.length);
  t.ok(tree.nodeCount !== before.nodes.length || writes > 0, 'the live tree moved on');
  t.notSame(tree.get('/big/d0')!.acl, expected.get('/big/d0')!.acl, 'live ACL changed');
});

t.test('a slice abandoned when the server closes', async (t) => {
  const tree = new DataTree();
  const view = tree.openView();
  let closed = false;
  const source = {
    lastZxid: 0,
    paths: Array.from({ length: 2000 }, () => '/'),
    node: (p: string) => view.get(p),
    sessions: [],
  };
  const encoding = encodeSnapshotInSlices(source, {
    pause: async () => {
      closed = true;
    },
    nowMs: () => performance.now(),
    sliceMs: 0,
    aborted: () => closed,
  });
  await t.rejects(encoding, SnapshotAbortedError);
  view.close();
});
