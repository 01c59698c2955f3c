/**
 * Quota statistics, as ZooKeeper 3.8.0 kept them when tried with zkCli's setquota/listquota:
 * the server recounts a quota's subtree when its stats node is created and then applies every
 * create, delete and setData below it. Enforcement is off (enforceQuota=false).
 */
import t from 'tap';
import { DataTree } from '../../coordinator/data-tree.js';
import {
  formatQuotaUsage,
  parseQuotaUsage,
  quotaPathOfLimitsNode,
} from '../../coordinator/quota.js';
import type { MultiOp } from '../../src/protocol/coordinator/messages.js';

const ACL = [{ perms: 31, scheme: 'world', id: 'anyone' }];
let zxid = 0;
function create(tree: DataTree, path: string, data: string | null = null): void {
  tree.create({
    path,
    data: data === null ? null : Buffer.from(data),
    acl: ACL,
    mode: 'persistent',
    sessionId: 0n,
    zxid: ++zxid,
    timeMs: zxid,
  });
}
const stats = (tree: DataTree, path: string): string | undefined =>
  tree.get(`/zookeeper/quota${path}/zookeeper_stats`)?.data?.toString();

/** What zkCli's setquota does: the quota path, then limits and stats as the client writes them. */
function setQuota(tree: DataTree, path: string, limits: string): void {
  create(tree, `/zookeeper/quota${path}`);
  create(tree, `/zookeeper/quota${path}/zookeeper_limits`, limits);
  create(tree, `/zookeeper/quota${path}/zookeeper_stats`, 'count=0,bytes=0');
}

t.test('creating the stats node counts the subtree as it is', async (t) => {
  const tree = new DataTree();
  create(tree, '/qt', 'x');
  create(tree, '/qt/a', 'yy');
  create(tree, '/qt/b', 'zzz');
  setQuota(tree, '/qt', 'count=2,bytes=-1');
  t.equal(stats(tree, '/qt'), 'count=3,bytes=6', 'more than the count limit: zkCli warns');
  t.equal(tree.quotaRootOf('/qt/a'), '/qt');
  t.equal(tree.quotaRootOf('/qtx'), undefined, 'a sibling with a common prefix is not below');
});

t.test('every change below the quota updates the stats, and nothing else', async (t) => {
  const tree = new DataTree();
  create(tree, '/qt', 'x');
  setQuota(tree, '/qt', 'count=10,bytes=-1');
  create(tree, '/qt/c', '123456');
  create(tree, '/qt/c/d');
  t.equal(stats(tree, '/qt'), 'count=3,bytes=7');
  tree.setData('/qt/c', Buffer.from('1'), -1, ++zxid, zxid);
  t.equal(stats(tree, '/qt'), 'count=3,bytes=2');
  tree.delete('/qt/c/d', -1, ++zxid);
  t.equal(stats(tree, '/qt'), 'count=2,bytes=2');
  create(tree, '/other', 'zzzz');
  t.equal(stats(tree, '/qt'), 'count=2,bytes=2', 'outside the quota');
  const statsNode = tree.get('/zookeeper/quota/qt/zookeeper_stats')!;
  t.equal(statsNode.version, 0, 'the server rewrites the data without a new version');
  t.equal(statsNode.mzxid, statsNode.czxid);
});

t.test('the quota ends with its limits node; a failed multi leaves the stats alone', async (t) => {
  const tree = new DataTree();
  create(tree, '/m');
  setQuota(tree, '/m', 'count=-1,bytes=100');
  const ops: MultiOp[] = [
    { op: 'create', path: '/m/a', data: Buffer.from('abc'), acl: ACL, mode: 'persistent' },
    { op: 'delete', path: '/m/missing', version: -1 },
  ];
  const result = tree.multi(ops, { sessionId: 0n, zxid: ++zxid, timeMs: zxid });
  t.equal(result.ok, false);
  t.equal(stats(tree, '/m'), 'count=1,bytes=0', 'rolled back with the multi');
  tree.delete('/zookeeper/quota/m/zookeeper_limits', -1, ++zxid);
  t.equal(tree.quotaRootOf('/m'), undefined);
  create(tree, '/m/b', 'x');
  t.equal(stats(tree, '/m'), 'count=1,bytes=0', 'no quota, no counting');
});

t.test('stats data: count=N,bytes=M; unreadable parts count as 0', async (t) => {
  t.same(parseQuotaUsage(Buffer.from('count=3,bytes=6')), { count: 3, bytes: 6 });
  t.same(parseQuotaUsage(Buffer.from('garbage')), { count: 0, bytes: 0 });
  t.same(parseQuotaUsage(null), { count: 0, bytes: 0 });
  t.equal(formatQuotaUsage({ count: 1, bytes: 2 }).toString(), 'count=1,bytes=2');
  t.equal(quotaPathOfLimitsNode('/zookeeper/quota/a/b/zookeeper_limits'), '/a/b');
  t.equal(quotaPathOfLimitsNode('/zookeeper/quota/zookeeper_limits'), undefined, 'not on /');
  t.equal(quotaPathOfLimitsNode('/elsewhere/zookeeper_limits'), undefined);
});
