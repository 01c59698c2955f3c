/**
 * The coordinator as users run it: a real process on a loopback port, driven over its
 * WebSocket protocol with a bare client (to see every message) and with our client library.
 */
import t from 'tap';
import { startCoordinatorProcess } from '../helpers/processes.js';
import { RawWs, b64 } from '../helpers/raw-ws.js';
import { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { ErrorCode } from '../../src/protocol/coordinator/errors.js';

// Six coordinator processes, one per scenario: on a 2-core machine loaded by other test runs
// (load average over 20) that took longer than the 120 s per file of package.json.
t.setTimeout(300_000);

// A 1 s tick allows sessions of 20 s: raw sessions that send no pings outlive any stall of a
// loaded machine. The expiry test uses a 100 ms tick (sessions of at most 2 s) instead.
const TICK_MS = 1000;
const EXPIRY_TICK_MS = 100;

t.test(
  'the writer sees its own watch event before the reply, and events come in zxid order',
  async (t) => {
    const coord = await startCoordinatorProcess({ dataDir: t.testdir(), tickMs: TICK_MS });
    t.teardown(() => coord.kill('SIGKILL'));
    const { raw, connected } = await RawWs.session(coord.port, { timeoutMs: 60_000 });
    t.teardown(() => raw.terminate());
    t.equal(connected.type, 'connected');
    t.equal(connected.timeoutMs, 20_000, 'timeout clamped to 20 ticks');
    t.equal((await raw.call({ op: 'create', path: '/w', data: b64('1') })).err, ErrorCode.OK);
    t.equal((await raw.call({ op: 'getData', path: '/w', watch: true })).err, ErrorCode.OK);
    t.equal((await raw.call({ op: 'getChildren', path: '/w', watch: true })).err, ErrorCode.OK);
    const setXid = raw.request({ op: 'setData', path: '/w', data: b64('2'), version: 0 });
    const first = await raw.next();
    t.match(first, { type: 'event', event: 'NodeDataChanged', path: '/w' }, 'event first');
    const reply = await raw.next();
    t.match(reply, { type: 'reply', xid: setXid, err: ErrorCode.OK });
    t.equal((reply.stat as { version: number }).version, 1);
    t.equal(first.zxid, reply.zxid, 'the event carries the zxid of the write that fired it');
    const createXid = raw.request({ op: 'create', path: '/w/c', data: null });
    t.match(await raw.next(), { type: 'event', event: 'NodeChildrenChanged', path: '/w' });
    t.match(await raw.next(), { type: 'reply', xid: createXid, path: '/w/c' });
    raw.request({ op: 'setData', path: '/w', data: b64('3') });
    t.match(await raw.next(), { type: 'reply' }, 'one-shot watch consumed: no event this time');
  },
);

t.test('version conflicts, sequential names and multi atomicity over the wire', async (t) => {
  const coord = await startCoordinatorProcess({ dataDir: t.testdir(), tickMs: TICK_MS });
  t.teardown(() => coord.kill('SIGKILL'));
  const { raw } = await RawWs.session(coord.port);
  t.teardown(() => raw.terminate());
  await raw.call({ op: 'create', path: '/v', data: b64('a') });
  t.match(await raw.call({ op: 'setData', path: '/v', data: b64('b'), version: 7 }), {
    err: ErrorCode.BADVERSION,
    error: 'BADVERSION',
  });
  t.match(await raw.call({ op: 'delete', path: '/v', version: 3 }), { err: ErrorCode.BADVERSION });
  t.match(await raw.call({ op: 'create', path: '/v', data: null }), {
    err: ErrorCode.NODEEXISTS,
    error: 'NODEEXISTS',
  });
  t.match(await raw.call({ op: 'create', path: '/v/s-', mode: 'persistent_sequential' }), {
    path: '/v/s-0000000000',
  });
  t.match(await raw.call({ op: 'create', path: '/v/s-', mode: 'ephemeral_sequential' }), {
    path: '/v/s-0000000001',
  });
  const failed = await raw.call({
    op: 'multi',
    ops: [
      { op: 'create', path: '/v/m1' },
      { op: 'check', path: '/v', version: 99 },
      { op: 'create', path: '/v/m2' },
    ],
  });
  t.equal(failed.err, ErrorCode.BADVERSION);
  t.same(
    (failed.results as { err: number }[]).map((r) => r.err),
    [0, -103, -2],
  );
  t.match(
    await raw.call({ op: 'exists', path: '/v/m1' }),
    { err: ErrorCode.NONODE },
    'nothing of the failed multi applied',
  );
  const ok = await raw.call({
    op: 'multi',
    ops: [
      { op: 'create', path: '/v/m1' },
      { op: 'setData', path: '/v/m1', data: b64('x'), version: 0 },
      { op: 'check', path: '/v/m1', version: 1 },
    ],
  });
  t.equal(ok.err, ErrorCode.OK);
  t.equal((ok.results as unknown[]).length, 3);
  const stat = (await raw.call({ op: 'exists', path: '/v' })).stat as Record<string, unknown>;
  t.equal(stat.numChildren, 3);
  t.equal(stat.cversion, 3);
});

t.test('ephemerals: gone at once after close, and after expiry of a silent session', async (t) => {
  const coord = await startCoordinatorProcess({ dataDir: t.testdir(), tickMs: EXPIRY_TICK_MS });
  t.teardown(() => coord.kill('SIGKILL'));
  const watcher = new CoordinatorClient(`127.0.0.1:${coord.port}`, { sessionTimeoutMs: 2000 });
  await watcher.connect();
  t.teardown(() => watcher.close());

  // close: deleted in the same transaction that ends the session
  const { raw: closer } = await RawWs.session(coord.port, { timeoutMs: 2000 });
  t.equal((await closer.call({ op: 'create', path: '/e1', mode: 'ephemeral' })).err, ErrorCode.OK);
  let deleted1: (value: string) => void = () => {};
  const deletion1 = new Promise<string>((resolve) => (deleted1 = resolve));
  // Awaiting the reply means the watch is armed before the session closes.
  t.ok(await watcher.exists('/e1', (e) => deleted1(`${e.type} ${e.path}`)));
  t.match(await closer.call({ op: 'close' }), { type: 'reply', err: ErrorCode.OK });
  t.equal((await closer.closed).code, 1000, 'the server closes the socket after closeSession');
  t.equal(await deletion1, 'NodeDeleted /e1');

  // expiry: a session that stops sending anything (no pings) dies after its timeout. When
  // exactly is checked on manual time in session-expiry.test.ts; here we wait for the events.
  // The watch is armed before the node exists, so however slow the machine, it sees both.
  const events2: string[] = [];
  let deleted2: () => void = () => {};
  const deletion2 = new Promise<void>((resolve) => (deleted2 = resolve));
  await watcher.addWatch('/e2', 'persistent', (e) => {
    events2.push(`${e.type} ${e.path}`);
    if (e.type === 'NodeDeleted') deleted2();
  });
  // 2000 ms, the longest this tick allows: the create below must reach the server before the
  // session can expire, even on a loaded machine.
  const { raw: silent, connected } = await RawWs.session(coord.port, { timeoutMs: 2000 });
  t.equal(connected.timeoutMs, 2000);
  t.equal((await silent.call({ op: 'create', path: '/e2', mode: 'ephemeral' })).err, ErrorCode.OK);
  await deletion2;
  t.same(events2, ['NodeCreated /e2', 'NodeDeleted /e2']);
  const closed = await silent.closed;
  t.equal(closed.reason, 'session expired', 'the expired client is just disconnected');
  // Resuming an expired session is answered with timeout 0, then close.
  const { raw: late, connected: refused } = await RawWs.session(coord.port, {
    sessionId: connected.sessionId,
    password: connected.password,
  });
  t.equal(refused.timeoutMs, 0);
  t.equal(refused.sessionId, '0x0');
  await late.closed;
});

t.test('a resumed session keeps its ephemerals and receives the events it missed', async (t) => {
  // The 20 s session must outlive the other client's connect and writes below.
  const coord = await startCoordinatorProcess({ dataDir: t.testdir(), tickMs: TICK_MS });
  t.teardown(() => coord.kill('SIGKILL'));
  const { raw: first, connected } = await RawWs.session(coord.port, { timeoutMs: 20_000 });
  await first.call({ op: 'create', path: '/data', data: b64('v1') });
  await first.call({ op: 'create', path: '/kids' });
  await first.call({ op: 'create', path: '/mine', mode: 'ephemeral' });
  const seen = await first.call({ op: 'getData', path: '/data', watch: true });
  await first.call({ op: 'getChildren', path: '/kids', watch: true });
  await first.call({ op: 'exists', path: '/later', watch: true });
  const lastZxid = seen.zxid as number;
  first.terminate(); // connection lost, session alive

  const other = new CoordinatorClient(`127.0.0.1:${coord.port}`);
  await other.connect();
  t.teardown(() => other.close());
  await other.setData('/data', 'v2');
  await other.create('/kids/k');
  await other.create('/later');

  const { raw: again, connected: resumed } = await RawWs.session(coord.port, {
    sessionId: connected.sessionId,
    password: connected.password,
    lastZxidSeen: lastZxid,
    timeoutMs: 20_000,
  });
  t.teardown(() => again.terminate());
  t.equal(resumed.sessionId, connected.sessionId, 'same session');
  const xid = again.request({
    op: 'setWatches',
    relativeZxid: lastZxid,
    dataWatches: ['/data'],
    childWatches: ['/kids'],
    existWatches: ['/later'],
  });
  const events = [await again.next(), await again.next(), await again.next()];
  t.same(
    events.map((e) => `${e.event as string} ${e.path as string}`),
    ['NodeDataChanged /data', 'NodeCreated /later', 'NodeChildrenChanged /kids'],
  );
  t.match(await again.next(), { type: 'reply', xid, err: ErrorCode.OK });
  t.match(
    await again.call({ op: 'getEphemerals', prefix: '/' }),
    { paths: ['/mine'] },
    'the ephemeral survived',
  );
});

t.test('bad input gets an error or a logged close, and the daemon keeps serving', async (t) => {
  const coord = await startCoordinatorProcess({ dataDir: t.testdir(), tickMs: TICK_MS });
  t.teardown(() => coord.kill('SIGKILL'));
  const garbage = await RawWs.open(coord.port);
  garbage.send('this is not json');
  t.match((await garbage.closed).reason, /malformed message/);

  const binary = await RawWs.open(coord.port);
  binary.ws.send(Buffer.from([1, 2, 3]));
  t.match((await binary.closed).reason, /binary/);

  const early = await RawWs.open(coord.port);
  early.send({ type: 'request', xid: 1, op: 'getData', path: '/' });
  t.match((await early.closed).reason, /first message must be connect/);

  const { raw } = await RawWs.session(coord.port);
  t.match(await raw.call({ op: 'create', path: 'relative' }), {
    err: ErrorCode.BADARGUMENTS,
    error: 'BADARGUMENTS',
  });
  t.match(
    await raw.call({ op: 'getData', path: 42 }),
    { err: ErrorCode.BADARGUMENTS },
    'a field of the wrong type',
  );
  t.match(
    await raw.call({
      op: 'create',
      path: '/big',
      data: Buffer.alloc(1024 * 1024 + 1).toString('base64'),
    }),
    { err: ErrorCode.BADARGUMENTS },
  );
  t.match(
    await raw.call({ op: 'exists', path: '/' }),
    { err: ErrorCode.OK },
    'the connection still works',
  );
  t.match(await raw.call({ op: 'frobnicate' }), {
    err: ErrorCode.UNIMPLEMENTED,
    error: 'UNIMPLEMENTED',
  });
  t.match((await raw.closed).reason, /unknown op/);

  const huge = await RawWs.open(coord.port);
  huge.send('x'.repeat(3 * 1024 * 1024));
  t.equal((await huge.closed).code, 1009, 'an oversize frame is refused');

  const { raw: fine } = await RawWs.session(coord.port);
  t.match(await fine.call({ op: 'exists', path: '/' }), { err: ErrorCode.OK }, 'others are served');
  fine.terminate();
  t.equal(coord.child.exitCode, null, 'still running');
});

t.test(
  'four-letter words through the protocol and the admin endpoint; Prometheus metrics',
  async (t) => {
    const coord = await startCoordinatorProcess({ dataDir: t.testdir(), tickMs: TICK_MS });
    t.teardown(() => coord.kill('SIGKILL'));
    const ask = async (word: string): Promise<string> => {
      const raw = await RawWs.open(coord.port);
      raw.send({ type: 'command', command: word });
      const answer = await raw.next();
      await raw.closed;
      return answer.output as string;
    };
    t.equal(await ask('ruok'), 'imok');
    t.match(
      await ask('srvr'),
      /^Zookeeper version: .*\nLatency min\/avg\/max: .*\nReceived: \d+\n.*Mode: standalone\nNode count: 4\n$/s,
    );
    t.match(await ask('mntr'), /zk_server_state\tstandalone\n/);
    const http = async (path: string): Promise<{ status: number; body: string }> => {
      const res = await fetch(`http://127.0.0.1:${coord.adminPort}${path}`);
      return { status: res.status, body: await res.text() };
    };
    t.match(JSON.parse((await http('/commands/ruok')).body), {
      command: 'ruok',
      error: null,
      output: 'imok',
    });
    t.match(
      JSON.parse((await http('/commands/monitor')).body),
      { znode_count: 4 },
      'AdminServer JSON keys have no zk_ prefix',
    );
    t.match(JSON.parse((await http('/commands/nope')).body), { error: 'Unknown command: nope' });
    const metrics = await http('/metrics');
    t.equal(metrics.status, 200);
    t.match(metrics.body, /coordinator_znode_count 4/);
  },
);
