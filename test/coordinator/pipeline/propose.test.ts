/**
 * The propose stage's standalone quorum (coordinator/pipeline/propose.ts): a quorum of one
 * that commits every txn at once, and through it the whole standalone pipeline of the core
 * (prepare, propose, apply, group commit, reply) on a MemoryStore and a ManualScheduler.
 */
import t from 'tap';
import type { CoordinatorTxn } from '../../../coordinator/ensemble/txn.js';
import { LocalQuorum, type CommitTarget } from '../../../coordinator/pipeline/propose.js';
import { ErrorCode } from '../../../src/protocol/coordinator/errors.js';
import { requests, startCore } from '../core-harness.js';

/** Applies nothing; records what was committed at which zxid. */
class Recorder implements CommitTarget {
  lastZxid = 10;
  readonly committed: [number, CoordinatorTxn['type']][] = [];
  applyCommitted(zxid: number, txn: CoordinatorTxn): void {
    this.committed.push([zxid, txn.type]);
    this.lastZxid = zxid;
  }
}

const close: CoordinatorTxn = { type: 'closeSession', sessionId: 1n, reason: 'test' };

t.test('a quorum of one commits at once, at the next zxid, and always leads', async (t) => {
  const quorum = new LocalQuorum();
  t.notOk(quorum.submit(close), 'not bound to a core yet: refused');
  const target = new Recorder();
  quorum.bind(target);
  t.ok(quorum.serving);
  t.ok(quorum.leading);
  t.equal(quorum.mode, 'standalone');
  t.ok(quorum.submit(close));
  t.ok(quorum.submit(close));
  t.same(
    target.committed,
    [
      [11, 'closeSession'],
      [12, 'closeSession'],
    ],
    'synchronously, in submission order',
  );
  let synced: number | undefined;
  quorum.syncWithLeader((zxid) => (synced = zxid));
  t.equal(synced, 12, 'a sync has nothing to wait for');
});

t.test('standalone: a failed write takes no zxid, the next write gets it', async (t) => {
  const { core, connect } = await startCore(t);
  const { conn } = await connect();
  const before = core.lastZxid;
  const created = await conn.call(requests.create('/a'));
  t.equal(created.err, ErrorCode.OK);
  t.equal(core.lastZxid, before + 1);
  const failed = await conn.call(requests.create('/a'));
  t.equal(failed.err, ErrorCode.NODEEXISTS);
  t.equal(core.lastZxid, before + 1, 'NODEEXISTS consumed nothing');
  t.equal((await conn.call(requests.create('/b'))).err, ErrorCode.OK);
  t.equal(core.tree.get('/b')?.czxid, before + 2);
});

t.test('standalone: replies keep request order across writes and reads', async (t) => {
  const { core, connect } = await startCore(t);
  const { conn } = await connect();
  // Submitted back to back, in one turn of the event loop: one group commit for all.
  const calls = [
    conn.call(requests.create('/o')),
    conn.call(requests.exists('/o')),
    conn.call(requests.delete('/o')),
    conn.call(requests.exists('/o')),
  ];
  const replies = await Promise.all(calls);
  t.same(
    replies.map((r) => r.err),
    [ErrorCode.OK, ErrorCode.OK, ErrorCode.OK, ErrorCode.NONODE],
  );
  t.equal(core.tree.get('/o'), undefined);
});

t.test(
  'standalone: close is a closeSession txn, answered, then the connection closes',
  async (t) => {
    const { core, connect } = await startCore(t);
    const { conn, session } = await connect();
    t.equal((await conn.call(requests.create('/eph', 'ephemeral'))).err, ErrorCode.OK);
    const before = core.lastZxid;
    t.equal((await conn.call({ op: 'close' })).err, ErrorCode.OK);
    t.equal(await conn.closed(), 'session closed by client');
    t.equal(core.lastZxid, before + 1, 'one zxid for the close and its ephemerals');
    t.equal(core.tree.get('/eph'), undefined);
    t.equal(core.sessions.get(session.sessionId), undefined);
  },
);
