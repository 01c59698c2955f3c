/**
 * A follower answers a client that brings a session id only after a round trip to the
 * leader (ZooKeeper's learners revalidate a session with the leader before they answer): the
 * core as a follower sees it, the ensemble's side (`Replication`) reduced to a sync the test
 * answers by hand.
 */
import t, { type Test } from 'tap';
import type { Replication } from '../../coordinator/coordinator-server.js';
import type { CoordinatorTxn } from '../../coordinator/ensemble/txn.js';
import { FakeConnection, startCore } from './core-harness.js';

/** Following a leader: every sync waits until the test answers it (or the leader is lost). */
class Following implements Replication {
  readonly serving = true;
  readonly leading = false;
  readonly mode = 'follower';
  readonly readOnly = false;
  readonly syncedFollowers = 0;
  readonly syncedObservers = 0;
  readonly learners = 0;
  readonly syncs: ((zxid: number | undefined) => void)[] = [];
  submit(_txn: CoordinatorTxn): boolean {
    return true;
  }
  syncWithLeader(done: (zxid: number | undefined) => void): void {
    this.syncs.push(done);
  }
}

const PASSWORD = Buffer.alloc(16, 7);
const SESSION = 0x42n;

async function follower(t: Test) {
  const replication = new Following();
  const { core } = await startCore(t, { replication, serverId: 2 });
  core.applyCommitted(1, {
    type: 'createSession',
    origin: { server: 1, run: 99, seq: 1 },
    sessionId: SESSION,
    timeoutMs: 4000,
    password: PASSWORD,
  });
  const conn = new FakeConnection(core);
  core.connect(conn, {
    protocolVersion: 0,
    lastZxidSeen: 1,
    timeoutMs: 4000,
    sessionId: SESSION,
    password: PASSWORD,
    readOnly: false,
  });
  await new Promise((resolve) => setImmediate(resolve));
  return { core, replication, conn };
}

t.test('a resume is answered once the leader answered the sync', async (t) => {
  const { replication, conn } = await follower(t);
  t.equal(replication.syncs.length, 1, 'the follower asked the leader');
  t.same(conn.received, [], 'and answers nothing before the leader did');
  replication.syncs[0]!(1);
  const answer = await conn.next();
  t.equal(answer.kind, 'connected');
  if (answer.kind !== 'connected') return;
  t.equal(answer.response.sessionId, SESSION, 'the same session');
  t.ok(answer.response.timeoutMs > 0, 'not expired');
});

t.test('a session the leader has closed meanwhile is expired, not resumed', async (t) => {
  const { core, replication, conn } = await follower(t);
  // The leader had proposed the close (zxid 2) when it answered; this server applies it
  // after the answer came.
  replication.syncs[0]!(2);
  await new Promise((resolve) => setImmediate(resolve));
  t.same(conn.received, [], 'the follower waits until it has applied zxid 2');
  core.applyCommitted(2, { type: 'closeSession', sessionId: SESSION, reason: 'expired' });
  const answer = await conn.next();
  t.equal(answer.kind, 'connected');
  if (answer.kind !== 'connected') return;
  t.equal(answer.response.timeoutMs, 0, 'the client is told its session expired');
});

t.test('when the leader is lost before it answers, the client never sees CONNECTED', async (t) => {
  const { replication, conn } = await follower(t);
  replication.syncs[0]!(undefined);
  t.equal(await conn.closed(), 'server is not serving');
  t.same(conn.received, [], 'no ConnectResponse went out');
});

t.test('a follower that stops serving closes a resume still waiting for the leader', async (t) => {
  const { core, replication, conn } = await follower(t);
  replication.syncs[0]!(5);
  core.closeAllConnections('server is not serving (looking)');
  t.equal(await conn.closed(), 'server is not serving (looking)');
  t.same(conn.received, []);
});
