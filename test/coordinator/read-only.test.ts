/**
 * Read-only mode (coordinator/read-only.ts): the rules for requests and handshakes, the
 * mode's states driven by Zab's roles on a ManualScheduler, and the core serving a read-only
 * client while its ensemble has no quorum (the ensemble's side, `Replication`, reduced to
 * the state it reports: not serving, read-only or not).
 */
import t from 'tap';
import {
  READ_ONLY_GRACE_MS_MIN,
  ReadOnlyMode,
  readOnlyConnect,
  readOnlyGraceMs,
  readOnlyRule,
} from '../../coordinator/read-only.js';
import type { Replication } from '../../coordinator/coordinator-server.js';
import type { CoordinatorTxn } from '../../coordinator/ensemble/txn.js';
import { ErrorCode } from '../../src/protocol/coordinator/errors.js';
import {
  OPEN_ACL_UNSAFE,
  type ConnectRequest,
  type ConnectResponse,
  type Request,
} from '../../src/protocol/coordinator/messages.js';
import { silentLogger } from '../../src/logger.js';
import { ManualScheduler } from '../../src/scheduler.js';
import { renderFourLetterWord } from '../../coordinator/four-letter-words.js';
import { FakeConnection, requests, startCore } from './core-harness.js';

t.test('writes and sync get NOTREADONLY; reads and the client’s close go through', async (t) => {
  for (const op of ['create', 'delete', 'setData', 'setACL', 'multi', 'sync'] as const) {
    t.equal(readOnlyRule(op), 'notReadOnly', op);
  }
  for (const op of ['getData', 'exists', 'getChildren', 'getACL', 'multiRead', 'ping'] as const) {
    t.equal(readOnlyRule(op), 'read', op);
  }
  t.equal(readOnlyRule('close'), 'closeSession');
});

t.test('handshakes on a read-only server', async (t) => {
  t.match(readOnlyConnect({ canBeReadOnly: false, session: 'none' }), {
    kind: 'refuse',
    reason: /did not ask for read-only/,
  });
  t.match(readOnlyConnect({ canBeReadOnly: false, session: 'local' }), { kind: 'refuse' });
  t.same(readOnlyConnect({ canBeReadOnly: true, session: 'none' }), { kind: 'create' });
  t.same(readOnlyConnect({ canBeReadOnly: true, session: 'local' }), { kind: 'resume' });
  t.match(readOnlyConnect({ canBeReadOnly: true, session: 'global' }), {
    kind: 'refuse',
    reason: /ensemble session/,
  });
  t.same(readOnlyConnect({ canBeReadOnly: true, session: 'unknown' }), { kind: 'expired' });
});

t.test('the grace period is max(2000 ms, tickTime), as ZooKeeper’s', async (t) => {
  t.equal(READ_ONLY_GRACE_MS_MIN, 2000);
  t.equal(readOnlyGraceMs(250), 2000);
  t.equal(readOnlyGraceMs(2000), 2000);
  t.equal(readOnlyGraceMs(3000), 3000);
});

function mode(enabled: boolean, tickMs = 250) {
  const scheduler = new ManualScheduler();
  const changes: boolean[] = [];
  const m = new ReadOnlyMode({
    enabled,
    tickMs,
    scheduler,
    logger: silentLogger(),
    onChange: (active) => changes.push(active),
  });
  return { m, scheduler, changes };
}

t.test('looking for the grace period turns read-only; a decided leader ends it', async (t) => {
  const { m, scheduler, changes } = mode(true);
  t.equal(m.state, 'off');
  m.roleChanged('looking');
  t.equal(m.state, 'waiting');
  scheduler.advance(1999);
  t.equal(m.state, 'waiting', 'not before the grace period');
  m.roleChanged('looking');
  scheduler.advance(1);
  t.equal(m.state, 'active', 'a second looking (new round) does not restart the wait');
  t.ok(m.active);
  t.same(changes, [true]);
  m.roleChanged('looking');
  t.equal(m.state, 'active', 'still looking: still read-only');
  m.roleChanged('following');
  t.equal(m.state, 'off', 'a leader is decided (before the sync): read-only ends');
  t.same(changes, [true, false]);
  m.roleChanged('looking');
  scheduler.advance(2000);
  t.equal(m.state, 'active', 'the next partition starts the wait again');
  m.roleChanged('leading');
  t.same(changes, [true, false, true, false]);
});

t.test('an election that ends within the grace period never turns read-only', async (t) => {
  const { m, scheduler, changes } = mode(true, 3000);
  m.roleChanged('looking');
  scheduler.advance(2999);
  m.roleChanged('leading');
  t.equal(m.state, 'off');
  scheduler.advance(10_000);
  t.equal(m.state, 'off', 'the cancelled timer does not fire');
  t.same(changes, []);
});

t.test('without --read-only nothing changes', async (t) => {
  const { m, scheduler, changes } = mode(false);
  m.roleChanged('looking');
  scheduler.advance(60_000);
  t.equal(m.state, 'disabled');
  t.notOk(m.active);
  t.same(changes, []);
  t.equal(scheduler.pendingCount, 0, 'no timer at all');
});

t.test('isro: ro in read-only mode, null while looking, rw otherwise', async (t) => {
  const { core } = await startCore(t);
  const snapshot = core.snapshot();
  t.equal(renderFourLetterWord('isro', { ...snapshot, mode: 'read-only' }), 'ro');
  t.equal(renderFourLetterWord('isro', { ...snapshot, mode: 'looking' }), 'null');
  t.equal(renderFourLetterWord('isro', { ...snapshot, mode: 'follower' }), 'rw');
  t.equal(renderFourLetterWord('isro', snapshot), 'rw', 'standalone');
  t.match(
    renderFourLetterWord('mntr', { ...snapshot, mode: 'read-only' }),
    /server_state\tread-only/,
  );
});

/** The ensemble as the core sees it: without a quorum, read-only mode on or off. */
class NoQuorum implements Replication {
  readonly serving = false;
  readonly leading = false;
  readonly syncedFollowers = 0;
  readonly submitted: CoordinatorTxn[] = [];
  constructor(public readOnly: boolean) {}
  get mode(): string {
    return this.readOnly ? 'read-only' : 'looking';
  }
  submit(txn: CoordinatorTxn): boolean {
    this.submitted.push(txn);
    return false;
  }
  syncWithLeader(done: (zxid: number | undefined) => void): void {
    done(undefined);
  }
}

function connectRequest(readOnly: boolean, resume?: ConnectResponse): ConnectRequest {
  return {
    protocolVersion: 0,
    lastZxidSeen: 0,
    timeoutMs: 2000,
    sessionId: resume?.sessionId ?? 0n,
    password: resume?.password ?? Buffer.alloc(16),
    readOnly,
  };
}

async function handshake(conn: FakeConnection, request: ConnectRequest): Promise<ConnectResponse> {
  conn.core.connect(conn, request);
  const answer = await conn.next();
  if (answer.kind !== 'connected') throw new Error(`expected connected, got ${answer.kind}`);
  return answer.response;
}

t.test('the core in read-only mode', async (t) => {
  const replication = new NoQuorum(true);
  const { core, scheduler } = await startCore(t, { replication, serverId: 3 });
  // A tree as the ensemble left it (applied txns, as Zab delivers them).
  core.applyCommitted(1, {
    type: 'write',
    sessionId: 0n,
    request: {
      op: 'create',
      path: '/a',
      data: Buffer.from('hello'),
      acl: [...OPEN_ACL_UNSAFE],
      mode: 'persistent',
    },
    timeMs: scheduler.nowMs(),
  });
  t.equal(core.snapshot().mode, 'read-only');

  const refused = new FakeConnection(core);
  core.connect(refused, connectRequest(false));
  t.match(await refused.closed(), /did not ask for read-only/, 'a read/write client is refused');

  const conn = new FakeConnection(core);
  const session = await handshake(conn, connectRequest(true));
  t.equal(session.readOnly, true, 'ConnectResponse readOnly=true');
  t.ok(session.timeoutMs > 0);
  t.equal(session.sessionId >> 56n, 3n, "the session id is from this server's range");
  t.same(replication.submitted, [], 'no createSession txn: the session is local');
  t.equal(core.sessions.size, 0, 'and not among the ensemble sessions');

  const read = await conn.call({ op: 'getData', path: '/a', watch: false });
  t.equal(read.err, ErrorCode.OK);
  t.equal(String(read.result.data), 'hello', 'reads come from the tree');
  const writes: Request[] = [
    requests.create('/b'),
    { op: 'setData', path: '/a', data: null, version: -1 },
    requests.delete('/a'),
    { op: 'sync', path: '/a' },
    { op: 'multi', ops: [{ op: 'check', path: '/a', version: -1 }] },
  ];
  for (const write of writes) {
    t.equal((await conn.call(write)).err, ErrorCode.NOTREADONLY, `${write.op}: NOTREADONLY`);
  }
  t.same(replication.submitted, [], 'nothing went to the ensemble');
  t.ok(core.tree.get('/a'), '/a is still there');

  // The same local session on a new connection; an ensemble session cannot come here.
  const again = new FakeConnection(core);
  const resumed = await handshake(again, connectRequest(true, session));
  t.equal(resumed.sessionId, session.sessionId, 'the local session resumes');
  t.match(await conn.closed(), /moved/, 'its old connection is closed');
  const unknown = new FakeConnection(core);
  const expired = await handshake(
    unknown,
    connectRequest(true, { ...session, sessionId: session.sessionId + 1000n }),
  );
  t.equal(expired.timeoutMs, 0, 'an unknown session is expired');

  // Silence: the local session expires here, on its own.
  scheduler.advance(2000 + 200);
  t.equal(await again.closed(), 'session expired');
  const late = new FakeConnection(core);
  t.equal((await handshake(late, connectRequest(true, resumed))).timeoutMs, 0, 'it is gone');

  // The mode ends (a leader is decided): every read-only client is closed, sessions forgotten.
  const last = new FakeConnection(core);
  const lastSession = await handshake(last, connectRequest(true));
  replication.readOnly = false;
  core.leaveReadOnly('read-only mode ended');
  t.equal(await last.closed(), 'read-only mode ended');
  const after = new FakeConnection(core);
  core.connect(after, connectRequest(true, lastSession));
  t.match(await after.closed(), /not serving \(looking\)/, 'no clients while looking');
});

t.test('a close of a read-only session ends it', async (t) => {
  const { core } = await startCore(t, { replication: new NoQuorum(true) });
  const conn = new FakeConnection(core);
  const session = await handshake(conn, connectRequest(true));
  t.equal((await conn.call({ op: 'close' })).err, ErrorCode.OK);
  t.equal(await conn.closed(), 'session closed by client');
  const again = new FakeConnection(core);
  t.equal((await handshake(again, connectRequest(true, session))).timeoutMs, 0);
});

t.test('an ensemble session cannot resume on a read-only server', async (t) => {
  const { core } = await startCore(t, { replication: new NoQuorum(true) });
  const password = Buffer.alloc(16, 7);
  core.applyCommitted(1, {
    type: 'createSession',
    origin: { server: 1, run: 99, seq: 1 },
    sessionId: 0x42n,
    timeoutMs: 4000,
    password,
  });
  t.ok(core.sessions.get(0x42n), 'an ensemble-wide session');
  const conn = new FakeConnection(core);
  core.connect(conn, { ...connectRequest(true), sessionId: 0x42n, password });
  t.match(await conn.closed(), /ensemble session cannot resume/);
});

t.test('without read-only mode a server without a quorum refuses read-only clients', async (t) => {
  const { core } = await startCore(t, { replication: new NoQuorum(false) });
  const conn = new FakeConnection(core);
  core.connect(conn, connectRequest(true));
  t.match(await conn.closed(), /not serving \(looking\)/);
  t.equal(core.fourLetterWord('isro'), 'null');
});
