/**
 * The apply stage (coordinator/pipeline/apply.ts) on its own: committed txns applied to a
 * DataTree and a SessionTracker, with the outcome returned instead of acted on.
 */
import t from 'tap';
import { DataTree } from '../../../coordinator/data-tree.js';
import type { CoordinatorTxn } from '../../../coordinator/ensemble/txn.js';
import {
  applyTxn,
  watchDeliveries,
  type ApplyTarget,
} from '../../../coordinator/pipeline/apply.js';
import { ServerMetrics } from '../../../coordinator/server-metrics.js';
import { SessionTracker } from '../../../coordinator/session-tracker.js';
import { WatchManager } from '../../../coordinator/watch-manager.js';
import { ErrorCode } from '../../../src/protocol/coordinator/errors.js';
import { OPEN_ACL_UNSAFE } from '../../../src/protocol/coordinator/messages.js';

function target(): ApplyTarget {
  return {
    tree: new DataTree(),
    sessions: new SessionTracker({ tickMs: 100 }, 0),
    extendedTypesEnabled: false,
  };
}

function create(path: string, sessionId = 0n, mode: 'persistent' | 'ephemeral' = 'persistent') {
  return {
    type: 'write',
    sessionId,
    request: { op: 'create', path, data: null, acl: [...OPEN_ACL_UNSAFE], mode },
    ids: [{ scheme: 'ip', id: '127.0.0.1' }],
    timeMs: 1000,
  } satisfies CoordinatorTxn;
}

t.test('createSession adds the session once, even when applied twice', async (t) => {
  const at = target();
  const txn: CoordinatorTxn = {
    type: 'createSession',
    origin: { server: 1, run: 1, seq: 1 },
    sessionId: 0x99n,
    timeoutMs: 400,
    password: Buffer.alloc(16, 1),
  };
  const first = applyTxn(at, 1, txn, 0);
  const again = applyTxn(at, 2, txn, 50);
  t.equal(first.type, 'createSession');
  t.equal(at.sessions.size, 1);
  t.equal(
    first.type === 'createSession' && again.type === 'createSession' && first.session,
    again.type === 'createSession' ? again.session : undefined,
  );
  t.equal(at.sessions.get(0x99n)?.timeoutMs, 400);
});

t.test('a write is checked at apply time; a failed check is an outcome', async (t) => {
  const at = target();
  const ok = applyTxn(at, 5, create('/a'), 0);
  t.match(ok, { type: 'write', err: ErrorCode.OK, changed: true, result: { path: '/a' } });
  t.equal(at.tree.get('/a')?.czxid, 5, 'created at the txn zxid');
  t.equal(at.tree.get('/a')?.ctimeMs, 1000, 'at the txn time, not the clock');
  const dup = applyTxn(at, 6, create('/a'), 0);
  t.match(dup, { type: 'write', err: ErrorCode.NODEEXISTS, changed: false, triggers: [] });
  const missing = applyTxn(at, 7, { ...create('/x/y') }, 0);
  t.match(missing, { err: ErrorCode.NONODE, changed: false });
});

t.test('an empty multi succeeds and changes nothing', async (t) => {
  const at = target();
  const applied = applyTxn(
    at,
    1,
    { type: 'write', sessionId: 0n, request: { op: 'multi', ops: [] }, timeMs: 0 },
    0,
  );
  t.match(applied, { type: 'write', err: ErrorCode.OK, changed: false, result: { results: [] } });
});

t.test('a failed multi reports every op and leaves the tree as it was', async (t) => {
  const at = target();
  const applied = applyTxn(
    at,
    1,
    {
      type: 'write',
      sessionId: 0n,
      request: {
        op: 'multi',
        ops: [
          { op: 'create', path: '/m', data: null, acl: [...OPEN_ACL_UNSAFE], mode: 'persistent' },
          { op: 'delete', path: '/nope', version: -1 },
        ],
      },
      timeMs: 0,
    },
    0,
  );
  t.match(applied, { err: ErrorCode.NONODE, changed: false });
  t.equal(applied.type === 'write' && applied.result.results?.length, 2);
  t.equal(at.tree.get('/m'), undefined);
});

t.test('closeSession deletes the ephemerals in its zxid and forgets the session', async (t) => {
  const at = target();
  const session = at.sessions.create(400, 0);
  applyTxn(at, 1, create('/e1', session.id, 'ephemeral'), 0);
  applyTxn(at, 2, create('/e2', session.id, 'ephemeral'), 0);
  const closed = applyTxn(at, 3, { type: 'closeSession', sessionId: session.id, reason: 'x' }, 0);
  t.match(closed, { type: 'closeSession', ephemeralsDeleted: 2 });
  t.equal(closed.type === 'closeSession' && closed.session, session);
  t.ok(session.closing);
  t.equal(at.sessions.get(session.id), undefined);
  t.equal(at.tree.get('/e1'), undefined);
  t.equal(at.tree.get('/')!.pzxid, 3, 'the parent changed at the close zxid');
  const twice = applyTxn(at, 4, { type: 'closeSession', sessionId: session.id, reason: 'x' }, 0);
  t.match(twice, { type: 'closeSession', session: undefined, ephemeralsDeleted: 0 });
});

t.test('the server own delete carries no identities: no ACL check', async (t) => {
  const at = target();
  applyTxn(
    at,
    1,
    {
      type: 'write',
      sessionId: 0n,
      request: {
        op: 'create',
        path: '/locked',
        data: null,
        acl: [{ perms: 1, scheme: 'digest', id: 'someone:else' }],
        mode: 'persistent',
      },
      timeMs: 0,
    },
    0,
  );
  const byClient = applyTxn(
    at,
    2,
    {
      type: 'write',
      sessionId: 1n,
      request: { op: 'setData', path: '/locked', data: null, version: -1 },
      ids: [{ scheme: 'ip', id: '127.0.0.1' }],
      timeMs: 0,
    },
    0,
  );
  t.match(byClient, { err: ErrorCode.NOAUTH });
  const byServer = applyTxn(
    at,
    3,
    {
      type: 'write',
      sessionId: 0n,
      request: { op: 'delete', path: '/locked', version: -1 },
      timeMs: 0,
    },
    0,
  );
  t.match(byServer, { err: ErrorCode.OK, changed: true });
});

t.test('watch deliveries: one event per watcher, one-shot watches fire once', async (t) => {
  const at = target();
  const watches = new WatchManager<string>();
  const metrics = new ServerMetrics();
  watches.addDataWatch('/w', 'alice');
  watches.addDataWatch('/w', 'bob');
  const created = applyTxn(at, 9, create('/w'), 0);
  const triggers = created.type === 'write' ? created.triggers : [];
  const first = watchDeliveries(watches, triggers, 9, metrics);
  t.same(first.map((d) => [d.watcher, d.event]).sort(), [
    ['alice', { type: 'NodeCreated', path: '/w', zxid: 9 }],
    ['bob', { type: 'NodeCreated', path: '/w', zxid: 9 }],
  ]);
  t.same(watchDeliveries(watches, triggers, 9, metrics), [], 'fired once');
});
