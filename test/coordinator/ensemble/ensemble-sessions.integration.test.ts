/**
 * Sessions in a 3-process ensemble started the ZooKeeper way (a zoo.cfg with server.N lines
 * and a myid file in each data directory): sessions are created and closed through Zab, so
 * every server knows them and their ephemerals; the leader expires them; a client that only
 * talks to a follower stays alive because the follower reports its sessions to the leader;
 * a client whose server is killed resumes its session on another one and keeps its ephemeral
 * and its watch.
 */
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  daemonDataDir,
  freePort,
  spawnDaemon,
  type DaemonProcess,
} from '../../helpers/processes.js';
import { waitFor } from '../../helpers/wait-for.js';
import { CoordinatorClient } from '../../../src/coordinator-client/client.js';
import { fourLetterWord } from '../../../src/coordinator-client/four-letter-words.js';

const TICK_MS = 250;
const SESSION_TIMEOUT_MS = 2000;

interface Member {
  id: number;
  clientPort: number;
  process?: DaemonProcess;
}

async function mode(m: Member): Promise<string> {
  const text = await fourLetterWord(`127.0.0.1:${m.clientPort}`, 'srvr', { timeoutMs: 2000 });
  return /Mode: (\S+)/.exec(text)?.[1] ?? '?';
}

t.test('zoo.cfg + myid; sessions through Zab, expired by the leader', async (t) => {
  const root = daemonDataDir(t);
  const ids = [1, 2, 3];
  const ports = await Promise.all(
    ids.map(async () => ({ client: await freePort(), q: await freePort(), e: await freePort() })),
  );
  const serverLines = ids.map((id, i) => `server.${id}=127.0.0.1:${ports[i]!.q}:${ports[i]!.e}`);
  const members: Member[] = [];
  await Promise.all(
    ids.map(async (id, i) => {
      const dataDir = join(root, `zk${id}`);
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(join(dataDir, 'myid'), `${id}\n`);
      const cfg = join(root, `zoo${id}.cfg`);
      writeFileSync(
        cfg,
        [
          `tickTime=${TICK_MS}`,
          'initLimit=10',
          'syncLimit=5',
          `dataDir=${dataDir}`,
          `clientPort=${ports[i]!.client}`,
          ...serverLines,
          '',
        ].join('\n'),
      );
      const proc = await spawnDaemon(
        'coordinator/cli.ts',
        ['start', '--config', cfg, '--admin-port', '-1'],
        'coordinator listening',
      );
      t.teardown(() => proc.kill('SIGKILL'));
      members.push({ id, clientPort: ports[i]!.client, process: proc });
    }),
  );
  await waitFor(
    'one leader and two followers',
    async () => (await Promise.all(members.map(mode))).sort().join() === 'follower,follower,leader',
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  const modes = await Promise.all(members.map(mode));
  const leader = members[modes.indexOf('leader')]!;
  const follower = members[modes.indexOf('follower')]!;
  t.same(
    [...modes].sort(),
    ['follower', 'follower', 'leader'],
    `server ${leader.id} leads (ids from myid, ports from zoo.cfg)`,
  );

  // A client that only talks to a follower, for longer than its session timeout.
  const stayer = new CoordinatorClient(`127.0.0.1:${follower.clientPort}`, {
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
  });
  await stayer.connect();
  await stayer.create('/stays', 'x', { mode: 'ephemeral' });

  // A client process holding an ephemeral through the follower, killed with SIGKILL.
  const holder = await spawnDaemon(
    'test/coordinator/ensemble/hold-ephemeral.ts',
    [`127.0.0.1:${follower.clientPort}`, '/held', String(SESSION_TIMEOUT_MS)],
    'holding',
  );
  t.teardown(() => holder.kill('SIGKILL'));
  const readers = await Promise.all(
    members.map(async (m) => {
      const c = new CoordinatorClient(`127.0.0.1:${m.clientPort}`);
      await c.connect();
      return c;
    }),
  );
  t.teardown(() => Promise.all(readers.map((r) => r.close())));
  for (const [i, reader] of readers.entries()) {
    // ZooKeeper's session ids carry the id of the server that created them in the high byte.
    const owner = Number(BigInt.asUintN(64, reader.sessionId) >> 56n);
    t.equal(owner, members[i]!.id, `a session made on server ${members[i]!.id} is from its range`);
  }
  for (const [i, reader] of readers.entries()) {
    await waitFor(`/held on server ${members[i]!.id}`, () => reader.exists('/held'));
    const stat = (await reader.exists('/held'))!;
    t.not(stat.ephemeralOwner, 0n, `server ${members[i]!.id} knows the ephemeral's session`);
  }
  const killedAt = Date.now();
  await holder.kill('SIGKILL');
  for (const [i, reader] of readers.entries()) {
    await waitFor(
      `/held deleted on server ${members[i]!.id}`,
      async () => (await reader.exists('/held')) === null,
      { timeoutMs: 15_000 },
    );
  }
  const expiredAfter = Date.now() - killedAt;
  t.ok(
    expiredAfter >= SESSION_TIMEOUT_MS - TICK_MS,
    `expired after ${expiredAfter} ms, not before`,
  );
  t.comment(`the killed client's session expired, /held gone everywhere, ${expiredAfter} ms on`);

  // More than a session timeout has passed; the follower's client is still alive.
  for (const reader of readers) t.ok(await reader.exists('/stays'), '/stays is still there');
  t.equal(stayer.state, 'connected');
  await stayer.close();
  for (const reader of readers) {
    await waitFor(
      '/stays deleted after close',
      async () => (await reader.exists('/stays')) === null,
    );
  }
  const left = await Promise.all(readers.map((reader) => reader.exists('/stays')));
  t.same(
    left,
    readers.map(() => null),
    'closeSession through the follower deleted its ephemeral everywhere',
  );

  // A session moves: its server (a follower) is killed, it resumes on the other follower.
  const others = members.filter((m) => m !== leader);
  const writer = readers[members.indexOf(leader)]!;
  await writer.create('/watched', 'v1');
  const mover = new CoordinatorClient(others.map((m) => `127.0.0.1:${m.clientPort}`).join(','), {
    sessionTimeoutMs: SESSION_TIMEOUT_MS * 2,
    protocol: 'zookeeper',
  });
  const servers: string[] = [];
  mover.on('connected', (info) => servers.push(info.server));
  await mover.connect();
  t.teardown(() => mover.close());
  await mover.create('/mover', 'x', { mode: 'ephemeral' });
  const events: string[] = [];
  await mover.getData('/watched', (event) => events.push(`${event.type} ${event.path}`));
  const first = others.find((m) => servers[0]!.endsWith(`:${m.clientPort}`))!;
  const sessionId = mover.sessionId;
  await first.process!.kill('SIGKILL');
  await waitFor('the session resumed on the other follower', () => servers.length >= 2, {
    timeoutMs: 15_000,
  });
  t.not(servers[1], servers[0], `moved from ${servers[0]} to ${servers[1]}`);
  t.equal(mover.sessionId, sessionId, 'same session id');
  const stat = await writer.exists('/mover');
  t.equal(stat?.ephemeralOwner, sessionId, 'its ephemeral is still there, still its own');
  await writer.setData('/watched', 'v2');
  await waitFor('the watch set before the move fires', () => events.length > 0);
  t.same(events, ['NodeDataChanged /watched'], 'the watch survived the move (setWatches)');
  await mover.close();
  await waitFor('/mover deleted', async () => (await writer.exists('/mover')) === null);

  // A server left alone (no quorum) stops serving: no election can succeed, no client is taken.
  const last = others.find((m) => m !== first)!;
  await leader.process!.kill('SIGKILL');
  await waitFor('the last server stops serving', async () => (await mode(last)) === 'looking');
  const late = new CoordinatorClient(`127.0.0.1:${last.clientPort}`, {
    initialConnectTimeoutMs: 6 * TICK_MS,
  });
  await t.rejects(late.connect(), 'a server without a quorum takes no session');
  t.equal(await mode(last), 'looking', 'and it is still looking');
});
