/**
 * Session expiry in the coordinator core, on a ManualScheduler and a MemoryStore: a silent
 * session dies between its timeout and one tick later (deadlines are rounded up to the tick,
 * the check runs every half tick), takes its ephemerals with it in one transaction, and cannot
 * be resumed; any packet pushes the deadline out; sessions recovered from the store get a
 * fresh deadline counted from the restart. No test here waits for real time.
 */
import t from 'tap';
import { CoordinatorServer } from '../../coordinator/coordinator-server.js';
import { silentLogger } from '../../src/logger.js';
import { ErrorCode } from '../../src/protocol/coordinator/errors.js';
import { FakeConnection, requests, startCore } from './core-harness.js';

const TICK_MS = 100;

t.test('a silent session expires at its deadline and takes its ephemerals along', async (t) => {
  const { core, scheduler, connect } = await startCore(t, { tickMs: TICK_MS });
  const { conn: watcher } = await connect(2000);
  const { conn: silent, session } = await connect(400);
  t.equal(session.timeoutMs, 400);
  t.equal((await silent.call(requests.create('/e', 'ephemeral'))).err, ErrorCode.OK);
  t.equal((await watcher.call(requests.exists('/e', true))).err, ErrorCode.OK);

  // The last packet came at the start (a multiple of the tick), so the deadline is 400 ms on.
  scheduler.advance(399);
  t.equal(silent.closeReason, undefined, 'alive 1 ms before its timeout');
  t.ok(core.sessions.get(session.sessionId), 'still tracked');
  t.same(watcher.received, [], 'no event yet');
  scheduler.advance(1);
  t.same(
    await watcher.nextEvent(),
    { type: 'NodeDeleted', path: '/e', zxid: core.lastZxid },
    'the ephemeral went with the session, in its own transaction',
  );
  t.equal(await silent.closed(), 'session expired', 'the silent client is disconnected');
  t.equal(core.sessions.get(session.sessionId), undefined);
  t.equal(watcher.closeReason, undefined, 'the other session lives on');
});

t.test('a packet pushes the deadline out, rounded up to the next tick', async (t) => {
  const { scheduler, connect } = await startCore(t, { tickMs: TICK_MS });
  const { conn } = await connect(400);
  scheduler.advance(30);
  conn.ping(); // deadline: 30 + 400 = 430, rounded up to 500
  scheduler.advance(469);
  t.equal(conn.closeReason, undefined, 'alive at 499 ms: the deadline is the tick after 430');
  scheduler.advance(1);
  t.equal(await conn.closed(), 'session expired', 'expired at 500 ms, within one tick of 430');
});

t.test('a client that pings every third of its timeout is never expired', async (t) => {
  const { core, scheduler, connect } = await startCore(t, { tickMs: TICK_MS });
  const { conn, session } = await connect(600);
  for (let i = 0; i < 100; i++) {
    scheduler.advance(200);
    conn.ping();
  }
  t.equal(conn.closeReason, undefined, 'alive after 20 s of pings');
  t.ok(core.sessions.get(session.sessionId));
  scheduler.advance(700);
  t.equal(await conn.closed(), 'session expired', 'and expires once the pings stop');
});

t.test('resuming an expired session is answered with timeout 0, then closed', async (t) => {
  const { core, scheduler, connect } = await startCore(t, { tickMs: TICK_MS });
  const { conn, session } = await connect(200);
  scheduler.advance(300);
  await conn.closed();
  const late = new FakeConnection(core);
  const refused = await late.handshake(200, {
    sessionId: session.sessionId,
    password: session.password,
  });
  t.equal(refused.timeoutMs, 0, 'timeout 0 means "expired" to every ZooKeeper client');
  t.equal(refused.sessionId, 0n);
  t.equal(await late.closed(), 'session expired');
});

t.test('a recovered session gets a fresh deadline counted from the restart', async (t) => {
  const first = await startCore(t, { tickMs: TICK_MS });
  const { conn, session } = await first.connect(1000);
  t.equal((await conn.call(requests.create('/mine', 'ephemeral'))).err, ErrorCode.OK);
  await first.core.close();
  // Much later than the session's timeout: the process was down.
  first.scheduler.advance(60_000);
  const restarted = await CoordinatorServer.open({
    dataDir: '(memory)',
    tickMs: TICK_MS,
    logger: silentLogger(),
    scheduler: first.scheduler,
    store: first.store.reopen(),
  });
  t.teardown(() => restarted.close());
  t.ok(restarted.sessions.get(session.sessionId), 'the session came back from the store');
  t.ok(restarted.tree.get('/mine'), 'with its ephemeral');
  const watcher = new FakeConnection(restarted);
  await watcher.handshake(10_000);
  t.equal((await watcher.call(requests.exists('/mine', true))).err, ErrorCode.OK);
  first.scheduler.advance(999);
  t.ok(restarted.sessions.get(session.sessionId), 'its client has the full timeout to return');
  first.scheduler.advance(1);
  t.match(await watcher.nextEvent(), { type: 'NodeDeleted', path: '/mine' });
  t.equal(restarted.sessions.get(session.sessionId), undefined, 'then it expires as usual');
});
