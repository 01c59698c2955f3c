/**
 * Unit tests of CoordinatorClient against a scripted fake server (./fake-server.ts): xids and
 * reply ordering, result mapping, watch registration and one-shot dispatch, connection loss,
 * resume with setWatches, expiry, keep-alive and the in-flight window.
 *
 * The client runs on a ManualScheduler: its keep-alive, timeouts and backoff move only when
 * a test advances time, and "nothing else happened" is shown by a barrier (a reply or event
 * that the socket delivers after everything sent before it), never by sleeping.
 */
import t, { type Test } from 'tap';
import { CoordinatorClient, MultiError, Op } from '../../../src/coordinator-client/client.js';
import { ErrorCode, KeeperError } from '../../../src/protocol/coordinator/errors.js';
import type { WatchEvent } from '../../../src/protocol/coordinator/messages.js';
import { ManualScheduler } from '../../../src/scheduler.js';
import { FakeServer, STAT } from './fake-server.js';

async function setup(
  t: Test,
  options: ConstructorParameters<typeof CoordinatorClient>[1] = {},
): Promise<{ server: FakeServer; client: CoordinatorClient; scheduler: ManualScheduler }> {
  const server = await FakeServer.start();
  const scheduler = new ManualScheduler();
  const client = new CoordinatorClient(server.connectString, {
    sessionTimeoutMs: 4000,
    reconnectBackoffMinMs: 10,
    reconnectBackoffMaxMs: 20,
    scheduler,
    ...options,
  });
  t.teardown(async () => {
    await client.close();
    await server.close();
  });
  await client.connect();
  return { server, client, scheduler };
}

/**
 * Resolves once the client has handled everything the server sent before this call: the
 * reply to a `sync` sent now leaves the server after those messages, on the same socket,
 * and the client handles messages in order. Whatever the reply says (an error is fine).
 */
async function barrier(client: CoordinatorClient): Promise<void> {
  await client.sync('/').catch(() => undefined);
}

function codeOf(err: unknown): number | undefined {
  return err instanceof KeeperError ? err.code : undefined;
}

t.test('the handshake sends a new-session connect and adopts the negotiated timeout', async (t) => {
  const server = await FakeServer.start();
  server.onConnect = (conn) => conn.connected(0x1234n, 6000);
  const client = new CoordinatorClient(server.connectString, { sessionTimeoutMs: 100_000 });
  t.teardown(async () => {
    await client.close();
    await server.close();
  });
  const connected = new Promise((resolve) => client.once('connected', resolve));
  await client.connect();
  t.same(await connected, {
    sessionId: 0x1234n,
    sessionTimeoutMs: 6000,
    resumed: false,
    server: server.connectString,
  });
  const c = server.last.connects[0];
  t.equal(c.sessionId, 0n);
  t.equal(c.timeoutMs, 100_000);
  t.equal(c.lastZxidSeen, 0);
  t.equal(client.sessionTimeoutMs, 6000);
  t.equal(client.state, 'connected');
});

t.test(
  'pipelined requests get increasing xids and their replies are matched in order',
  async (t) => {
    const { server, client } = await setup(t);
    server.onRequest = () => {}; // answer later, all at once
    const create = client.create('/a', 'hi', { mode: 'ephemeral_sequential' });
    const get = client.getData('/a0000000001');
    const exists = client.exists('/missing');
    const children = client.getChildrenWithStat('/');
    await server.waitFor(() => server.last.requests.length === 4);
    const [r1, r2, r3, r4] = server.last.requests;
    t.same([r1.xid, r2.xid, r3.xid, r4.xid], [1, 2, 3, 4]);
    t.match(r1.request, { op: 'create', path: '/a', mode: 'ephemeral_sequential' });
    t.equal((r1.request as { data: Buffer }).data.toString(), 'hi');
    server.last.reply(1, 10, 0, { path: '/a0000000001', stat: STAT });
    server.last.reply(2, 10, 0, { data: Buffer.from('hi'), stat: STAT });
    server.last.reply(3, 11, ErrorCode.NONODE);
    server.last.reply(4, 12, 0, { children: ['x', 'y'], stat: STAT });
    server.onRequest = (conn, xid) => conn.reply(xid, 12);
    t.equal(await create, '/a0000000001');
    const got = await get;
    t.equal(got.data?.toString(), 'hi');
    t.equal(got.stat.version, 1);
    t.equal(await exists, null, 'exists on a missing node resolves null');
    t.same((await children).children, ['x', 'y']);
    t.equal(client.lastZxidSeen, 12, 'the largest zxid of any reply is remembered');
  },
);

t.test('an error reply rejects with a KeeperError naming the code and path', async (t) => {
  const { server, client } = await setup(t);
  server.onRequest = (conn, xid) => conn.reply(xid, 3, ErrorCode.BADVERSION);
  const err = await client.setData('/x', 'v', 7).catch((e: unknown) => e);
  t.equal(codeOf(err), ErrorCode.BADVERSION);
  t.equal((err as Error).message, 'KeeperErrorCode = BadVersion for /x');
  t.match(server.last.requests[0].request, { op: 'setData', path: '/x', version: 7 });
});

t.test('a failed multi rejects with MultiError carrying every op result', async (t) => {
  const { server, client } = await setup(t);
  const results = [
    { op: 'create' as const, err: ErrorCode.OK },
    { op: 'error' as const, err: ErrorCode.NODEEXISTS },
    { op: 'error' as const, err: ErrorCode.RUNTIMEINCONSISTENCY },
  ];
  // ZooKeeper style: header err 0, the failure only inside the results.
  server.onRequest = (conn, xid) => conn.reply(xid, 4, 0, { results });
  const err = await client
    .multi([Op.create('/a'), Op.create('/b'), Op.setData('/c', 'x')])
    .catch((e: unknown) => e);
  t.ok(err instanceof MultiError);
  t.equal(codeOf(err), ErrorCode.NODEEXISTS);
  t.equal((err as MultiError).path, '/b', 'the failing op is named');
  t.same(
    (err as MultiError).results.map((r) => r.err),
    [0, -110, -2],
  );
  // Our server's style: err set in the header as well.
  server.onRequest = (conn, xid) => conn.reply(xid, 5, ErrorCode.NODEEXISTS, { results });
  const err2 = await client
    .multi([Op.create('/a'), Op.create('/b'), Op.check('/c', 1)])
    .catch((e: unknown) => e);
  t.equal(codeOf(err2), ErrorCode.NODEEXISTS);
  server.onRequest = (conn, xid) =>
    conn.reply(xid, 6, 0, { results: [{ op: 'create', err: ErrorCode.OK, path: '/a' }] });
  t.same(await client.multi([Op.create('/a')]), [{ op: 'create', err: ErrorCode.OK, path: '/a' }]);
});

t.test('a one-shot watcher fires once, before the reply that reflects the change', async (t) => {
  const { server, client } = await setup(t);
  server.onRequest = (conn, xid, request) => {
    if (request.op === 'getData') conn.reply(xid, 7, 0, { data: Buffer.from('a'), stat: STAT });
    else if (request.op === 'setData') {
      // As the real server does: the event for the change goes out before the writer's reply.
      conn.event({ type: 'NodeDataChanged', path: '/w', zxid: 8 });
      conn.reply(xid, 8, 0, { stat: STAT });
    } else conn.reply(xid, 8);
  };
  const order: string[] = [];
  const events: WatchEvent[] = [];
  await client.getData('/w', (e) => {
    events.push(e);
    order.push('watcher');
  });
  await client.setData('/w', 'b');
  order.push('reply');
  t.same(order, ['watcher', 'reply']);
  t.same(events, [{ type: 'NodeDataChanged', path: '/w', zxid: 8 }]);
  // The watch was consumed: a second event for the same path reaches nobody.
  await client.setData('/w', 'c');
  t.equal(events.length, 1, 'one-shot: not called again');
  t.equal(client.lastZxidSeen, 8);
});

t.test(
  'exists on a missing node arms a watch that NodeCreated fires; failed getData arms none',
  async (t) => {
    const { server, client } = await setup(t);
    server.onRequest = (conn, xid) => conn.reply(xid, 2, ErrorCode.NONODE);
    const seen: string[] = [];
    t.equal(await client.exists('/n', (e) => seen.push(`exists ${e.type}`)), null);
    await client.getData('/n', (e) => seen.push(`getData ${e.type}`)).catch(() => undefined);
    server.last.event({ type: 'NodeCreated', path: '/n', zxid: 3 });
    server.last.event({ type: 'NodeDeleted', path: '/n', zxid: 4 });
    await barrier(client);
    t.same(seen, ['exists NodeCreated'], 'the one-shot watch fired once; getData armed none');
  },
);

t.test(
  'the same watcher on one path is called once per event; child and data tables are separate',
  async (t) => {
    const { server, client } = await setup(t);
    server.onRequest = (conn, xid, r) =>
      conn.reply(
        xid,
        2,
        0,
        r.op === 'getChildren' ? { children: [], stat: STAT } : { data: null, stat: STAT },
      );
    const seen: string[] = [];
    const w = (e: WatchEvent): void => void seen.push(`${e.type} ${e.path}`);
    await client.getData('/p', w);
    await client.exists('/p', w);
    await client.getChildren('/p', w);
    server.last.event({ type: 'NodeChildrenChanged', path: '/p', zxid: 3 });
    server.last.event({ type: 'NodeDataChanged', path: '/p', zxid: 4 });
    server.last.event({ type: 'NodeDataChanged', path: '/p', zxid: 5 });
    await barrier(client);
    t.same(seen, ['NodeChildrenChanged /p', 'NodeDataChanged /p']);
  },
);

t.test(
  'persistent recursive watches see descendants, stay armed, and skip child-list events',
  async (t) => {
    const { server, client } = await setup(t);
    const seen: string[] = [];
    await client.addWatch('/r', 'persistent_recursive', (e) => seen.push(`${e.type} ${e.path}`));
    t.match(server.last.requests[0].request, {
      op: 'addWatch',
      path: '/r',
      mode: 'persistent_recursive',
    });
    server.last.event({ type: 'NodeCreated', path: '/r/a', zxid: 2 });
    server.last.event({ type: 'NodeChildrenChanged', path: '/r', zxid: 2 });
    server.last.event({ type: 'NodeDataChanged', path: '/r/a/b', zxid: 3 });
    server.last.event({ type: 'NodeDataChanged', path: '/other', zxid: 4 });
    server.last.event({ type: 'NodeDeleted', path: '/r', zxid: 5 });
    await barrier(client);
    t.same(seen, ['NodeCreated /r/a', 'NodeDataChanged /r/a/b', 'NodeDeleted /r']);
    await client.removeWatches('/r', 'persistent_recursive');
    t.match(server.last.requests[2].request, {
      op: 'removeWatches',
      path: '/r',
      watcherType: 'persistent_recursive',
    });
    const err = await client.removeWatches('/r', 'any').catch((e: unknown) => e);
    t.equal(codeOf(err), ErrorCode.NOWATCHER, 'nothing left to remove');
  },
);

t.test(
  'connection loss fails pending requests, then the session resumes with setWatches',
  async (t) => {
    const { server, client } = await setup(t);
    server.onRequest = (conn, xid, r) => {
      if (r.op === 'getData') conn.reply(xid, 20, 0, { data: null, stat: STAT });
      else if (r.op === 'getChildren') conn.reply(xid, 21, 0, { children: [], stat: STAT });
      else if (r.op === 'exists') conn.reply(xid, 22, ErrorCode.NONODE);
      else if (r.op === 'addWatch') conn.reply(xid, 23);
      // anything else: no answer, stays pending
    };
    const seen: string[] = [];
    const w = (e: WatchEvent): void => void seen.push(`${e.type} ${e.path}`);
    await client.getData('/d', w);
    await client.getChildren('/c', w);
    await client.exists('/e', w);
    await client.addWatch('/p', 'persistent', w);
    await client.addWatch('/rr', 'persistent_recursive', w);
    const pending = client.setData('/d', 'x');
    await server.waitFor(() => server.last.requests.length === 6);

    const disconnected = new Promise((resolve) => client.once('disconnected', resolve));
    const reconnected = new Promise((resolve) => client.once('connected', resolve));
    const first = server.last;
    first.kill();
    t.equal(codeOf(await pending.catch((e: unknown) => e)), ErrorCode.CONNECTIONLOSS);
    await disconnected;
    t.match(await reconnected, { resumed: true, sessionId: 0x100000000000001n });
    const second = server.last;
    t.not(second, first);
    t.equal(second.connects[0].sessionId, 0x100000000000001n, 'resume with the session id');
    t.same(second.connects[0].password, Buffer.alloc(16, 7), 'and its password');
    t.equal(second.connects[0].lastZxidSeen, 23, 'and the last zxid seen');
    await server.waitFor(() => second.requests.length === 1);
    t.same(second.requests[0].request, {
      op: 'setWatches',
      relativeZxid: 23,
      dataWatches: ['/d'],
      existWatches: ['/e'],
      childWatches: ['/c'],
      persistentWatches: ['/p'],
      persistentRecursiveWatches: ['/rr'],
    });
    // A catch-up event sent by the server for the setWatches reaches the re-armed watcher.
    second.event({ type: 'NodeDataChanged', path: '/d', zxid: 30 });
    second.reply(second.requests[0].xid, 30);
    await server.waitFor(() => seen.length === 1);
    t.same(seen, ['NodeDataChanged /d']);
    // Requests work again on the new connection.
    server.onRequest = (conn, xid) => conn.reply(xid, 31, 0, { stat: STAT });
    t.equal((await client.setData('/d', 'y')).version, 1);
  },
);

t.test('an out-of-order reply xid drops the connection and fails what was pending', async (t) => {
  const { server, client } = await setup(t);
  server.onRequest = () => {};
  const a = client.sync('/a');
  const b = client.sync('/b');
  await server.waitFor(() => server.last.requests.length === 2);
  server.onRequest = (conn, xid) => conn.reply(xid, 6);
  server.last.reply(2, 5); // the server skipped xid 1: the stream is corrupt
  t.equal(codeOf(await a.catch((e: unknown) => e)), ErrorCode.CONNECTIONLOSS);
  t.equal(codeOf(await b.catch((e: unknown) => e)), ErrorCode.CONNECTIONLOSS);
  await server.waitFor(() => server.connections.length === 2 && client.state === 'connected');
});

t.test(
  'an expired session rejects everything with SESSIONEXPIRED and stops reconnecting',
  async (t) => {
    const { server, client, scheduler } = await setup(t);
    server.onRequest = (conn, xid, r) => {
      if (r.op === 'getData') conn.reply(xid, 2, 0, { data: null, stat: STAT });
    };
    await client.getData('/w', () => t.fail('watch must not fire after expiry'));
    const pending = client.sync('/');
    await server.waitFor(() => server.last.requests.length === 2);
    // The session expired while the client was away: the server answers timeout 0.
    server.onConnect = (conn) => conn.connected(0n, 0);
    const expired = new Promise<void>((resolve) => client.once('expired', () => resolve()));
    server.last.kill();
    t.equal(codeOf(await pending.catch((e: unknown) => e)), ErrorCode.CONNECTIONLOSS);
    await expired;
    t.equal(client.state, 'expired');
    t.equal(codeOf(await client.exists('/x').catch((e: unknown) => e)), ErrorCode.SESSIONEXPIRED);
    // A reconnect can only come from a timer (backoff) or at once from a lost connection;
    // with no timer pending and no socket, nothing can ever dial the server again.
    t.equal(scheduler.pendingCount, 0, 'no reconnect pending, no keep-alive left running');
    scheduler.advance(60_000);
    t.equal(client.state, 'expired', 'still expired a minute later');
  },
);

t.test('pings keep an idle session alive; a silent server is a lost connection', async (t) => {
  // Timeout 300 ms: ticks every 30 ms, a ping once nothing was sent for 100 ms, and the
  // connection counts as dead once nothing was received for 200 ms.
  const { server, client, scheduler } = await setup(t, { sessionTimeoutMs: 300 });
  const conn = server.last;
  let disconnects = 0;
  client.on('disconnected', () => disconnects++);
  // Barrier from the server's side only (the client sends nothing for it): an event on a
  // persistently watched node, seen once the client has handled everything sent before it.
  let seenEvent: (() => void) | undefined;
  await client.addWatch('/', 'persistent', () => seenEvent?.());
  const serverBarrier = async (): Promise<void> => {
    const seen = new Promise<void>((resolve) => (seenEvent = resolve));
    conn.event({ type: 'NodeDataChanged', path: '/', zxid: 1 });
    await seen;
  };
  scheduler.advance(30); // the tick that notes the addWatch as the last thing sent

  // Each 120 ms of idle time holds exactly one ping (at its fourth tick).
  for (let round = 1; round <= 10; round++) {
    scheduler.advance(120);
    await server.waitFor(() => conn.pings === round);
    await serverBarrier(); // the pong has reached the client too
  }
  t.equal(conn.pings, 10, 'one ping per 120 ms of silence');
  t.equal(client.state, 'connected', 'pongs kept the connection up for 4 session timeouts');
  t.equal(disconnects, 0);

  // Now the server stops answering anything: the read timeout (200 ms) must trip.
  conn.ws.removeAllListeners('message');
  const lost = new Promise<{ reason: string }>((resolve) => client.once('disconnected', resolve));
  scheduler.advance(120);
  t.equal(disconnects, 0, 'not yet: something was received within the last 200 ms');
  scheduler.advance(120);
  t.match((await lost).reason, /nothing received for 2\d\d ms/);
});

t.test('requests beyond maxInFlightRequests wait and are sent as replies free room', async (t) => {
  const { server, client, scheduler } = await setup(t, { maxInFlightRequests: 2 });
  server.onRequest = () => {};
  const all = Array.from({ length: 5 }, (_, i) => client.sync(`/s${i}`));
  await server.waitFor(() => server.last.requests.length === 2);
  // A ping is sent outside the window; anything else the client had sent would be ahead of
  // it on the socket. Timeout 4000: the ping goes out at the tick 1600 ms after the last send.
  scheduler.advance(2000);
  await server.waitFor(() => server.last.pings === 1);
  t.equal(server.last.requests.length, 2, 'only the window is sent');
  t.equal(client.pendingRequests, 5);
  server.onRequest = (conn, xid, r) =>
    conn.reply(xid, 9, 0, { path: (r as { path: string }).path });
  server.last.reply(1, 9, 0, { path: '/s0' });
  server.last.reply(2, 9, 0, { path: '/s1' });
  t.same(await Promise.all(all), ['/s0', '/s1', '/s2', '/s3', '/s4']);
  t.same(
    server.last.requests.map((r) => r.xid),
    [1, 2, 3, 4, 5],
  );
});

t.test('close() sends close, waits for its reply and refuses later requests', async (t) => {
  const { server, client } = await setup(t);
  const closed = new Promise<void>((resolve) => client.once('closed', () => resolve()));
  await client.close();
  await closed;
  t.match(server.last.requests.at(-1)?.request, { op: 'close' });
  t.equal(client.state, 'closed');
  t.equal(codeOf(await client.sync('/').catch((e: unknown) => e)), ErrorCode.SESSIONEXPIRED);
});

t.test('connect() gives up with CONNECTIONLOSS when no server answers', async (t) => {
  const server = await FakeServer.start();
  const port = server.port;
  await server.close(); // nothing listens on the port any more
  const scheduler = new ManualScheduler();
  const client = new CoordinatorClient(`127.0.0.1:${port}`, {
    initialConnectTimeoutMs: 200,
    reconnectBackoffMinMs: 10,
    scheduler,
  });
  let settled = false;
  const connecting = client.connect().catch((e: unknown) => e);
  void connecting.then(() => (settled = true));
  scheduler.advance(199);
  await new Promise<void>((resolve) => setImmediate(resolve));
  t.equal(settled, false, 'still trying 1 ms before initialConnectTimeoutMs');
  scheduler.advance(1);
  t.equal(codeOf(await connecting), ErrorCode.CONNECTIONLOSS);
  t.equal(client.state, 'closed');
});

t.test(
  'credentials from addAuth are replayed first after a reconnect, before setWatches',
  async (t) => {
    const { server, client } = await setup(t);
    server.onRequest = (conn, xid, r) =>
      r.op === 'getData'
        ? conn.reply(xid, 2, 0, { data: null, stat: STAT })
        : conn.reply(xid, r.op === 'auth' ? 0 : 2);
    await client.addAuth('digest', 'alice:secret');
    await client.getData('/d', () => undefined);
    const reconnected = new Promise((resolve) => client.once('connected', resolve));
    server.last.kill();
    await reconnected;
    const second = server.last;
    await server.waitFor(() => second.requests.length === 2);
    t.match(second.requests[0].request, { op: 'auth', scheme: 'digest' });
    t.equal((second.requests[0].request as { auth: Buffer }).auth.toString(), 'alice:secret');
    t.match(second.requests[1].request, { op: 'setWatches', dataWatches: ['/d'] });
  },
);

t.test(
  'a refused attempt moves on to the next server at once; a full round backs off',
  async (t) => {
    const refusing = await FakeServer.start();
    refusing.onConnect = (conn) => conn.kill(); // up, but not serving (electing, say)
    const serving = await FakeServer.start();
    // Closed after the others listen, so its port cannot be handed to one of them.
    const gone = await FakeServer.start();
    const deadPort = gone.port;
    await gone.close(); // nothing listens there: connection refused
    const scheduler = new ManualScheduler();
    const client = new CoordinatorClient(
      `127.0.0.1:${deadPort},${refusing.connectString},${serving.connectString}`,
      { reconnectBackoffMinMs: 1000, scheduler },
    );
    t.teardown(async () => {
      await client.close();
      await Promise.all([refusing.close(), serving.close()]);
    });
    // No time passes on the manual clock: failures on the way (the client starts on a random
    // server of the list) cost no backoff, and no server is tried twice.
    await client.connect();
    const tried = refusing.connections.length;
    t.ok(tried <= 1, 'the refusing server was tried at most once');
    t.equal(serving.connections.length, 1, 'the serving one was reached without waiting');

    // Every server refuses: one round (each server once), then the client waits its backoff.
    serving.onConnect = (conn) => conn.kill();
    const lost = new Promise((resolve) => client.once('disconnected', resolve));
    serving.last.kill();
    await lost;
    await refusing.waitFor(() => refusing.connections.length === tried + 1);
    await serving.waitFor(() => serving.connections.length === 2);
    // The only timer left is the backoff (an attempt in progress would have its 5 s timeout).
    const backingOff = () => (scheduler.nextDueMs() ?? Infinity) <= scheduler.nowMs() + 1000;
    await serving.waitFor(backingOff);
    t.equal(client.state, 'connecting');
    t.equal(refusing.connections.length, tried + 1, 'no attempt after the round until the backoff');
    scheduler.advance(1000);
    await refusing.waitFor(() => refusing.connections.length === tried + 2);
    t.equal(refusing.connections.length, tried + 2, 'the next round starts after the backoff');
  },
);

t.test(
  'readOnly: a local session of a read-only server is replaced on the first r/w server',
  async (t) => {
    const server = await FakeServer.start();
    // The first two connections reach "read-only servers", the next ones read/write servers.
    let connects = 0;
    server.onConnect = (conn, c) => {
      connects++;
      if (connects <= 2)
        conn.connected(0x300000000000000n + BigInt(connects), 4000, undefined, true);
      else conn.connected(c.sessionId || 0x100000000000009n, 4000);
    };
    const client = new CoordinatorClient(server.connectString, {
      readOnly: true,
      reconnectBackoffMinMs: 10,
      reconnectBackoffMaxMs: 20,
    });
    t.teardown(async () => {
      await client.close();
      await server.close();
    });
    await client.connect();
    t.equal(server.last.connects[0]!.readOnly, true, 'the ConnectRequest says readOnly');
    t.equal(client.connectedReadOnly, true);
    t.equal(client.sessionId, 0x300000000000001n);
    const seen: string[] = [];
    await client.exists('/w', (e) => seen.push(`${e.type} ${e.path}`));

    const next = async (): Promise<{ resumed: boolean; sessionId: bigint }> => {
      const connected = new Promise<{ resumed: boolean; sessionId: bigint }>((resolve) =>
        client.once('connected', resolve),
      );
      server.last.kill();
      return connected;
    };
    t.match(await next(), { resumed: false, sessionId: 0x300000000000002n });
    t.equal(server.last.connects[0]!.sessionId, 0n, 'a new session, not the local one');
    t.match(await next(), { resumed: false, sessionId: 0x100000000000009n });
    t.equal(server.last.connects[0]!.sessionId, 0n, 'still never seen a read/write server');
    t.equal(client.connectedReadOnly, false, 'now on a read/write server');
    t.equal(client.state, 'connected', 'the replacement is not an expiry');
    await server.waitFor(() => server.last.requests.length === 1);
    t.match(server.last.requests[0]!.request, { op: 'setWatches', dataWatches: ['/w'] });
    server.last.event({ type: 'NodeDataChanged', path: '/w', zxid: 3 });
    await server.waitFor(() => seen.length === 1);
    t.same(seen, ['NodeDataChanged /w'], 'the watch carried over');

    t.match(await next(), { resumed: true, sessionId: 0x100000000000009n });
    t.equal(server.last.connects[0]!.sessionId, 0x100000000000009n, 'a global session resumes');
  },
);

t.test('without readOnly the ConnectRequest says readOnly false', async (t) => {
  const { server } = await setup(t);
  t.equal(server.last.connects[0]!.readOnly, false);
});
