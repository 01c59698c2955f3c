/**
 * Reads (coordinator/pipeline/read.ts) on their own: a DataTree, a WatchManager and a
 * requester, no server.
 */
import t from 'tap';
import { DataTree } from '../../../coordinator/data-tree.js';
import {
  executeRead,
  type ReadContext,
  type ReadRequest,
} from '../../../coordinator/pipeline/read.js';
import { WatchManager } from '../../../coordinator/watch-manager.js';
import { ErrorCode, KeeperError } from '../../../src/protocol/coordinator/errors.js';
import { OPEN_ACL_UNSAFE } from '../../../src/protocol/coordinator/messages.js';

function context(): ReadContext<string> {
  const tree = new DataTree();
  tree.create({
    path: '/open',
    data: Buffer.from('hi'),
    acl: [...OPEN_ACL_UNSAFE],
    mode: 'persistent',
    sessionId: 0n,
    zxid: 1,
    timeMs: 10,
  });
  tree.create({
    path: '/secret',
    data: null,
    acl: [{ perms: 31, scheme: 'digest', id: 'bob:hash' }],
    mode: 'persistent',
    sessionId: 0n,
    zxid: 2,
    timeMs: 10,
  });
  tree.create({
    path: '/open/e',
    data: null,
    acl: [...OPEN_ACL_UNSAFE],
    mode: 'ephemeral',
    sessionId: 5n,
    zxid: 3,
    timeMs: 10,
  });
  return {
    tree,
    watches: new WatchManager<string>(),
    watcher: 'conn-1',
    requester: { remoteAddress: '127.0.0.1:4000', authIds: [] },
    sessionId: 5n,
  };
}

function code(fn: () => unknown): number {
  try {
    fn();
  } catch (error) {
    if (error instanceof KeeperError) return error.code;
    throw error;
  }
  return ErrorCode.OK;
}

t.test('getData answers from the tree and sets the watch it asks for', async (t) => {
  const ctx = context();
  const result = executeRead(ctx, { op: 'getData', path: '/open', watch: true });
  t.same(result.data, Buffer.from('hi'));
  t.equal(result.stat?.czxid, 1);
  t.same([...ctx.watches.trigger({ type: 'NodeDataChanged', path: '/open' })], ['conn-1']);
});

t.test('exists on a missing node fails with NONODE but still sets the watch', async (t) => {
  const ctx = context();
  t.equal(
    code(() => executeRead(ctx, { op: 'exists', path: '/nope', watch: true })),
    ErrorCode.NONODE,
  );
  t.same([...ctx.watches.trigger({ type: 'NodeCreated', path: '/nope' })], ['conn-1']);
});

t.test('reads check the ACL: NOAUTH without the identity', async (t) => {
  const ctx = context();
  const reads: ReadRequest[] = [
    { op: 'getData', path: '/secret', watch: false },
    { op: 'getChildren', path: '/secret', watch: false },
    { op: 'getACL', path: '/secret' },
    { op: 'getAllChildrenNumber', path: '/secret' },
  ];
  for (const request of reads)
    t.equal(
      code(() => executeRead(ctx, request)),
      ErrorCode.NOAUTH,
      request.op,
    );
  const bob = {
    ...ctx,
    requester: { ...ctx.requester, authIds: [{ perms: 31, scheme: 'digest', id: 'bob:hash' }] },
  };
  t.equal(
    code(() => executeRead(bob, { op: 'getData', path: '/secret', watch: false })),
    ErrorCode.OK,
  );
});

t.test('multiRead answers each op on its own', async (t) => {
  const ctx = context();
  const result = executeRead(ctx, {
    op: 'multiRead',
    ops: [
      { op: 'getChildren', path: '/open', watch: false },
      { op: 'getData', path: '/secret', watch: false },
    ],
  });
  t.same(result.readResults, [
    { op: 'getChildren', err: ErrorCode.OK, children: ['e'] },
    { op: 'error', err: ErrorCode.NOAUTH },
  ]);
});

t.test('getEphemerals lists the session own ephemerals under a prefix', async (t) => {
  const ctx = context();
  t.same(executeRead(ctx, { op: 'getEphemerals', prefix: '/open' }).paths, ['/open/e']);
  t.same(executeRead({ ...ctx, sessionId: 6n }, { op: 'getEphemerals', prefix: '' }).paths, []);
});

t.test(
  'removeWatches without a watch is NOWATCHER; check outside multi is UNIMPLEMENTED',
  async (t) => {
    const ctx = context();
    t.equal(
      code(() => executeRead(ctx, { op: 'removeWatches', path: '/open', watcherType: 'any' })),
      ErrorCode.NOWATCHER,
    );
    t.equal(
      code(() => executeRead(ctx, { op: 'check', path: '/open', version: 0 })),
      ErrorCode.UNIMPLEMENTED,
    );
  },
);
