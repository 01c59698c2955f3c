/**
 * Durability: `kill -9` at any moment loses no acknowledged write, and a restart brings
 * back the tree, the zxid counter and the sessions (whose ephemerals then expire unless the
 * client resumes in time).
 */
import t from 'tap';
import { startCoordinatorProcess } from '../helpers/processes.js';
import { RawWs } from '../helpers/raw-ws.js';
import { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { KeeperError, ErrorCode } from '../../src/protocol/coordinator/errors.js';

t.test('kill -9 in the middle of a write storm loses no acknowledged write', async (t) => {
  const dataDir = t.testdir();
  const coord = await startCoordinatorProcess({ dataDir });
  const client = new CoordinatorClient(`127.0.0.1:${coord.port}`, {
    sessionTimeoutMs: 30_000,
    initialConnectTimeoutMs: 5000,
  });
  await client.connect();
  await client.create('/storm');
  const acked: string[] = [];
  let lastAckedZxidPath = '';
  const writes: Promise<void>[] = [];
  for (let i = 0; i < 20_000; i++) {
    const path = `/storm/n${i}`;
    writes.push(
      client.create(path, `value-${i}`).then(
        () => {
          acked.push(path);
          lastAckedZxidPath = path;
        },
        () => {},
      ),
    );
  }
  // Kill while writes are in flight: as soon as a few thousand are acknowledged.
  while (acked.length < 3000) await new Promise((r) => setTimeout(r, 1));
  process.kill(coord.pid, 'SIGKILL');
  await coord.exited;
  await Promise.allSettled(writes);
  client.close().catch(() => {});
  t.ok(acked.length >= 3000, `${acked.length} creates acknowledged before the kill`);
  t.ok(acked.length < 20_000, 'the kill really happened mid-storm');

  const again = await startCoordinatorProcess({ dataDir });
  t.teardown(() => again.kill('SIGKILL'));
  const reader = new CoordinatorClient(`127.0.0.1:${again.port}`);
  await reader.connect();
  t.teardown(() => reader.close());
  const children = new Set(await reader.getChildren('/storm'));
  const missing = acked.filter((p) => !children.has(p.slice('/storm/'.length)));
  t.same(missing, [], 'every acknowledged create survived');
  t.equal(
    (await reader.getData(lastAckedZxidPath)).data?.toString(),
    `value-${lastAckedZxidPath.slice('/storm/n'.length)}`,
  );
  const stat = (await reader.exists('/storm'))!;
  t.equal(stat.numChildren, children.size, 'numChildren agrees with the children');
  const created = await reader.createWithStat('/after');
  t.ok(created.stat.czxid > stat.pzxid, 'the zxid counter continues after the restart');
});

t.test(
  'sessions survive a restart; ones that do not come back expire with their ephemerals',
  async (t) => {
    const dataDir = t.testdir();
    const tick = 100;
    const coord = await startCoordinatorProcess({ dataDir, tickMs: tick });
    const { raw: stays, connected: s1 } = await RawWs.session(coord.port, { timeoutMs: 1500 });
    const { raw: leaves, connected: s2 } = await RawWs.session(coord.port, { timeoutMs: 1500 });
    t.equal(
      (await stays.call({ op: 'create', path: '/stays', mode: 'ephemeral' })).err,
      ErrorCode.OK,
    );
    t.equal(
      (await leaves.call({ op: 'create', path: '/leaves', mode: 'ephemeral' })).err,
      ErrorCode.OK,
    );
    const zxid = (await stays.call({ op: 'sync', path: '/' })).zxid;
    await coord.kill('SIGKILL');
    stays.terminate();
    leaves.terminate();

    const again = await startCoordinatorProcess({ dataDir, tickMs: tick, port: coord.port });
    t.teardown(() => again.kill('SIGKILL'));
    const { raw: back, connected } = await RawWs.session(again.port, {
      sessionId: s1.sessionId,
      password: s1.password,
      lastZxidSeen: zxid,
      timeoutMs: 1500,
    });
    t.equal(connected.sessionId, s1.sessionId, 'resumed after the restart');
    t.not(s2.sessionId, s1.sessionId);
    const observer = new CoordinatorClient(`127.0.0.1:${again.port}`);
    await observer.connect();
    t.teardown(() => observer.close());
    t.ok(await observer.exists('/leaves'), 'both ephemerals are back at first');
    const gone = new Promise<string>(
      (resolve) => void observer.exists('/leaves', (e) => resolve(e.type)),
    );
    // keep the resumed session alive while the other one times out
    const keepAlive = setInterval(() => back.request({ op: 'ping' }), 300);
    t.teardown(() => clearInterval(keepAlive));
    t.equal(await gone, 'NodeDeleted', 'the session that did not come back expired');
    t.ok(await observer.exists('/stays'), 'the resumed session kept its ephemeral');
    back.terminate();
  },
);

t.test('a client that saw a newer zxid than the server has is refused', async (t) => {
  const coord = await startCoordinatorProcess({ dataDir: t.testdir() });
  t.teardown(() => coord.kill('SIGKILL'));
  const raw = await RawWs.open(coord.port);
  raw.send({ type: 'connect', timeoutMs: 4000, lastZxidSeen: 1_000_000 });
  t.match((await raw.closed).reason, /ahead of ours/);
  const client = new CoordinatorClient(`127.0.0.1:${coord.port}`);
  await client.connect();
  t.teardown(() => client.close());
  await t.rejects(client.getData('/nope'), KeeperError);
});
