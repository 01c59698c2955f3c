import t from 'tap';
import { DataTree, statOf, formatSequence } from '../../coordinator/data-tree.js';
import { ErrorCode, KeeperError } from '../../src/protocol/coordinator/errors.js';
import type { CreateModeName } from '../../src/protocol/coordinator/messages.js';

const ACL = [{ perms: 31, scheme: 'world', id: 'anyone' }];
let zxid = 0;
function create(
  tree: DataTree,
  path: string,
  mode: CreateModeName = 'persistent',
  sessionId = 0n,
  data: Buffer | null = null,
) {
  return tree.create({ path, data, acl: ACL, mode, sessionId, zxid: ++zxid, timeMs: 1000 + zxid });
}
function code(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof KeeperError) return err.code;
    throw err;
  }
  return 0;
}

t.test('a fresh tree looks like a fresh ZooKeeper', async (t) => {
  const tree = new DataTree();
  t.same([...tree.get('/')!.children], ['zookeeper']);
  t.equal(statOf(tree.get('/')!).cversion, -1, 'root cversion is -1');
  t.equal(statOf(tree.get('/zookeeper')!).cversion, -2, '/zookeeper cversion is -2');
  t.equal(statOf(tree.get('/zookeeper/config')!).aversion, -1);
  for (const path of ['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config']) {
    t.same(tree.get(path)!.data, Buffer.alloc(0), `${path} holds empty data, not null`);
  }
  t.same(tree.get('/zookeeper/config')!.acl, [{ perms: 1, scheme: 'world', id: 'anyone' }]);
  t.equal(
    code(() => tree.delete('/', -1, 1)),
    ErrorCode.BADARGUMENTS,
  );
  t.equal(
    code(() => tree.delete('/zookeeper', -1, 1)),
    ErrorCode.BADARGUMENTS,
  );
});

t.test('stat fields move exactly when ZooKeeper moves them', async (t) => {
  const tree = new DataTree();
  const a = create(tree, '/a', 'persistent', 0n, Buffer.from('x'));
  const s0 = statOf(a.node);
  t.equal(s0.czxid, s0.mzxid);
  t.equal(s0.czxid, s0.pzxid);
  t.equal(s0.version, 0);
  t.equal(s0.dataLength, 1);
  const child = create(tree, '/a/b');
  let s = statOf(tree.get('/a')!);
  t.equal(s.cversion, 1);
  t.equal(s.numChildren, 1);
  t.equal(s.pzxid, child.node.czxid, 'pzxid moves on child create');
  t.equal(s.mzxid, s0.mzxid, 'mzxid does not move on child create');
  tree.setData('/a/b', Buffer.from('y'), -1, ++zxid, 5000);
  t.equal(
    statOf(tree.get('/a')!).pzxid,
    child.node.czxid,
    "a child's setData does not move the parent's pzxid",
  );
  tree.setData('/a', Buffer.from('x'), 0, ++zxid, 6000);
  s = statOf(tree.get('/a')!);
  t.equal(s.version, 1, 'setData with equal bytes still bumps version');
  t.equal(s.mzxid, zxid);
  t.equal(s.mtime, 6000);
  t.equal(s.ctime, s0.ctime);
  tree.delete('/a/b', -1, ++zxid);
  s = statOf(tree.get('/a')!);
  t.equal(s.cversion, 2, 'visible cversion counts deletes too');
  t.equal(s.pzxid, zxid, 'pzxid moves on child delete');
  tree.setAcl('/a', ACL, 0);
  t.equal(statOf(tree.get('/a')!).aversion, 1);
  t.equal(statOf(tree.get('/a')!).mzxid, s.mzxid, 'setACL does not move mzxid');
});

t.test('sequential names come from the creation counter, not the visible cversion', async (t) => {
  const tree = new DataTree();
  create(tree, '/seq');
  t.equal(create(tree, '/seq/n-', 'persistent_sequential').path, '/seq/n-0000000000');
  t.equal(create(tree, '/seq/n-', 'persistent_sequential').path, '/seq/n-0000000001');
  create(tree, '/seq/plain');
  tree.delete('/seq/n-0000000000', -1, ++zxid);
  t.equal(statOf(tree.get('/seq')!).cversion, 4);
  t.equal(create(tree, '/seq/n-', 'persistent_sequential').path, '/seq/n-0000000003');
  t.equal(
    code(() => create(tree, '/seq/plain')),
    ErrorCode.NODEEXISTS,
  );
  t.equal(
    create(tree, '/seq/n-', 'persistent_sequential').path,
    '/seq/n-0000000004',
    'a failed create does not advance it',
  );
  t.equal(
    create(tree, '/seq/', 'persistent_sequential').path,
    '/seq/0000000005',
    'a trailing slash is legal with sequential',
  );
  t.equal(formatSequence(-2147483648), '-2147483648');
});

t.test('create checks run in ZooKeeper order', async (t) => {
  const tree = new DataTree();
  t.equal(
    code(() => create(tree, 'a')),
    ErrorCode.BADARGUMENTS,
  );
  t.equal(
    code(() => create(tree, '/a/')),
    ErrorCode.BADARGUMENTS,
  );
  t.equal(
    code(() => create(tree, '/a/b')),
    ErrorCode.NONODE,
  );
  t.equal(
    code(() => create(tree, '/a/./b')),
    ErrorCode.BADARGUMENTS,
    'malformed paths are always BadArguments',
  );
  create(tree, '/a');
  t.equal(
    code(() => create(tree, '/a/..')),
    ErrorCode.BADARGUMENTS,
  );
  t.equal(
    code(() =>
      tree.create({
        path: '/x',
        data: null,
        acl: [],
        mode: 'persistent',
        sessionId: 0n,
        zxid: 1,
        timeMs: 1,
      }),
    ),
    ErrorCode.INVALIDACL,
  );
  create(tree, '/e', 'ephemeral', 7n);
  t.equal(
    code(() => create(tree, '/e/c')),
    ErrorCode.NOCHILDRENFOREPHEMERALS,
  );
  t.equal(
    code(() => create(tree, '/e')),
    ErrorCode.NODEEXISTS,
    'NodeExists wins over NoChildrenForEphemerals',
  );
  t.equal(
    code(() => create(tree, '/ttl', 'persistent_with_ttl')),
    ErrorCode.UNIMPLEMENTED,
  );
  t.equal(
    code(() => create(tree, '/big', 'persistent', 0n, Buffer.alloc(1024 * 1024 + 1))),
    ErrorCode.BADARGUMENTS,
  );
  t.equal(
    code(() => create(tree, '/ok', 'persistent', 0n, Buffer.alloc(1024 * 1024))),
    0,
    '1 MiB of data is fine',
  );
});

t.test('delete: BadVersion before NotEmpty; null and empty data stay apart', async (t) => {
  const tree = new DataTree();
  create(tree, '/d');
  create(tree, '/d/c');
  t.equal(
    code(() => tree.delete('/d', 5, ++zxid)),
    ErrorCode.BADVERSION,
  );
  t.equal(
    code(() => tree.delete('/d', 0, ++zxid)),
    ErrorCode.NOTEMPTY,
  );
  t.equal(
    code(() => tree.delete('/nope', -1, ++zxid)),
    ErrorCode.NONODE,
  );
  create(tree, '/n', 'persistent', 0n, null);
  create(tree, '/m', 'persistent', 0n, Buffer.alloc(0));
  t.equal(tree.get('/n')!.data, null);
  t.same(tree.get('/m')!.data, Buffer.alloc(0));
  t.equal(statOf(tree.get('/n')!).dataLength, 0);
});

t.test('ephemerals belong to their session and go in one closeSession', async (t) => {
  const tree = new DataTree();
  create(tree, '/brokers');
  create(tree, '/brokers/1', 'ephemeral', 42n);
  create(tree, '/brokers/2', 'ephemeral_sequential', 42n);
  create(tree, '/brokers/3', 'ephemeral', 43n);
  t.equal(statOf(tree.get('/brokers/1')!).ephemeralOwner, 42n);
  t.same([...tree.ephemeralsOf(42n)].sort(), ['/brokers/1', '/brokers/20000000001']);
  const triggers = tree.closeSession(42n, ++zxid);
  t.same(triggers, [
    { type: 'NodeDeleted', path: '/brokers/1' },
    { type: 'NodeChildrenChanged', path: '/brokers' },
    { type: 'NodeDeleted', path: '/brokers/20000000001' },
    { type: 'NodeChildrenChanged', path: '/brokers' },
  ]);
  t.same([...tree.get('/brokers')!.children], ['3']);
  t.equal(tree.ephemeralCount, 1);
});

t.test('multi is all or nothing, and later ops see earlier ones', async (t) => {
  const tree = new DataTree();
  create(tree, '/m');
  const before = statOf(tree.get('/m')!);
  const ok = tree.multi(
    [
      { op: 'create', path: '/m/a', data: null, acl: ACL, mode: 'persistent' },
      { op: 'setData', path: '/m/a', data: Buffer.from('v'), version: 0 },
      { op: 'check', path: '/m/a', version: 1 },
      { op: 'create', path: '/m/s-', data: null, acl: ACL, mode: 'persistent_sequential' },
      { op: 'create', path: '/m/s-', data: null, acl: ACL, mode: 'persistent_sequential' },
    ],
    { sessionId: 1n, zxid: ++zxid, timeMs: 1 },
  );
  t.ok(ok.ok);
  if (ok.ok)
    t.same(
      ok.results.map((r) => r.path ?? r.op),
      ['/m/a', 'setData', 'check', '/m/s-0000000001', '/m/s-0000000002'],
    );
  const snapshot = JSON.stringify(statOf(tree.get('/m')!), (_k, v) =>
    typeof v === 'bigint' ? String(v) : v,
  );
  const failed = tree.multi(
    [
      { op: 'create', path: '/m/b', data: null, acl: ACL, mode: 'persistent' },
      { op: 'delete', path: '/m/a', version: -1 },
      { op: 'setData', path: '/m/nope', data: null, version: -1 },
      { op: 'create', path: '/m/c', data: null, acl: ACL, mode: 'persistent' },
    ],
    { sessionId: 1n, zxid: ++zxid, timeMs: 1 },
  );
  t.notOk(failed.ok);
  t.same(
    failed.results.map((r) => r.err),
    [0, 0, ErrorCode.NONODE, ErrorCode.RUNTIMEINCONSISTENCY],
  );
  t.notOk(tree.get('/m/b'), 'the create before the failure was rolled back');
  t.ok(tree.get('/m/a'), 'the delete before the failure was rolled back');
  t.equal(
    JSON.stringify(statOf(tree.get('/m')!), (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
    snapshot,
    'parent stat restored',
  );
  t.equal(
    create(tree, '/m/s-', 'persistent_sequential').path,
    '/m/s-0000000003',
    'the counter was restored too',
  );
  t.not(before.cversion, statOf(tree.get('/m')!).cversion);
});

t.test('getAllChildrenNumber counts every descendant', async (t) => {
  const tree = new DataTree();
  create(tree, '/c');
  create(tree, '/c/1');
  create(tree, '/c/1/2');
  t.equal(tree.countDescendants('/c'), 2);
  t.equal(tree.countDescendants('/'), tree.nodeCount - 1);
});

t.test('paths have no limit of their own below the packet size, as in ZooKeeper', async (t) => {
  const tree = new DataTree();
  const long = '/' + 'a'.repeat(5000);
  t.equal(create(tree, long).path, long);
  t.equal(
    code(() => create(tree, '/' + 'b'.repeat(0xfffff))),
    ErrorCode.BADARGUMENTS,
    'longer than jute.maxbuffer',
  );
});

t.test('ACLs: repeated entries are dropped, ip and digest ids are checked', async (t) => {
  const tree = new DataTree();
  const invalid = (scheme: string, id: string): number =>
    code(() =>
      tree.create({
        path: '/acl',
        data: null,
        acl: [{ perms: 31, scheme, id }],
        mode: 'persistent',
        sessionId: 0n,
        zxid: ++zxid,
        timeMs: 1,
      }),
    );
  for (const id of ['999.1.1.1/99', '300.1.1.1', '1.2.3.4/33', '1.2.3', '1.2.3.4/', '::1'])
    t.equal(invalid('ip', id), ErrorCode.INVALIDACL, `ip:${id}`);
  for (const id of ['u:', 'u:h:x', 'uh']) t.equal(invalid('digest', id), ErrorCode.INVALIDACL);
  for (const scheme of ['sasl', 'x509', 'super', 'foo'])
    t.equal(invalid(scheme, 'x'), ErrorCode.INVALIDACL, `${scheme} is not a provider`);
  t.equal(invalid('ip', '10.0.0.0/8'), 0);
  tree.delete('/acl', -1, ++zxid);
  t.equal(invalid('digest', ':h'), 0, 'Java split keeps a leading empty part');
});

t.test('ACLs are enforced in ZooKeeper order when the caller gives its identities', async (t) => {
  const tree = new DataTree();
  const owner = [
    { scheme: 'ip', id: '127.0.0.1' },
    { scheme: 'digest', id: 'u:h' },
  ];
  const eve = [{ scheme: 'ip', id: '127.0.0.1' }];
  tree.create({
    path: '/locked',
    data: null,
    acl: [{ perms: 31, scheme: 'digest', id: 'u:h' }],
    mode: 'persistent',
    sessionId: 0n,
    zxid: ++zxid,
    timeMs: 1,
  });
  const child = (ids: typeof eve) =>
    code(() =>
      tree.create({
        path: '/locked/c',
        data: null,
        acl: ACL,
        mode: 'persistent',
        sessionId: 0n,
        zxid: ++zxid,
        timeMs: 1,
        ids,
      }),
    );
  t.equal(child(eve), ErrorCode.NOAUTH, 'CREATE on the parent');
  t.equal(child(owner), 0);
  t.equal(
    code(() => tree.setData('/locked', Buffer.from('x'), -1, ++zxid, 1, eve)),
    ErrorCode.NOAUTH,
  );
  t.equal(
    code(() => tree.setData('/locked', Buffer.from('x'), 7, ++zxid, 1, eve)),
    ErrorCode.NOAUTH,
    'WRITE is checked before the version',
  );
  t.equal(
    code(() => tree.delete('/locked/c', -1, ++zxid, eve)),
    ErrorCode.NOAUTH,
  );
  t.equal(
    code(() => tree.setAcl('/locked', ACL, -1, eve)),
    ErrorCode.NOAUTH,
    'ADMIN',
  );
  t.equal(
    code(() => tree.delete('/locked/c', -1, ++zxid)),
    0,
    'the server itself may',
  );
});

t.test('a znode keeps its own copy of its data, never a slice of a pool or frame', async (t) => {
  const tree = new DataTree();
  // What a decoder hands over: a few bytes sliced from a larger buffer (Node's 8 KiB pool,
  // or the frame they arrived in). Keeping the slice would keep all of it.
  const frame = Buffer.alloc(8192, 0x61);
  create(tree, '/owned', 'persistent', 0n, frame.subarray(10, 30));
  const stored = tree.get('/owned')!.data!;
  t.same(stored, Buffer.alloc(20, 0x61));
  t.equal(stored.buffer.byteLength, 20, 'created data owns exactly its 20 bytes');
  tree.setData('/owned', frame.subarray(100, 105), -1, ++zxid, 2000);
  const updated = tree.get('/owned')!.data!;
  t.same(updated, Buffer.alloc(5, 0x61));
  t.equal(updated.buffer.byteLength, 5, 'set data owns exactly its 5 bytes');
  frame.fill(0);
  t.same(tree.get('/owned')!.data, Buffer.alloc(5, 0x61), 'later writes to the frame do not show');
  tree.setData('/owned', null, -1, ++zxid, 2001);
  t.equal(tree.get('/owned')!.data, null, 'null stays null');
});
