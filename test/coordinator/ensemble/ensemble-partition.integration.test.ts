/**
 * A minority server refuses writes, with real processes: server 3 reaches its peers only
 * through TCP proxies in this test (its `--ensemble` names the proxies' ports for servers 1
 * and 2; the higher id dials, so every link of server 3 goes through them). Cutting the
 * proxies (they drop every byte, close nothing) puts server 3 alone in a partition: after
 * syncLimit ticks without its peers it stops serving (Mode looking, no client taken; as the
 * leader, it steps down) while servers 1 and 2 keep a quorum and go on taking writes. When
 * the proxies let traffic through again, server 3 rejoins as a follower and catches up with
 * every write the majority acknowledged; a write that was in flight on server 3 at the cut is
 * on every server or on none.
 */
import t from 'tap';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../../helpers/processes.js';
import { waitFor } from '../../helpers/wait-for.js';
import { CoordinatorClient } from '../../../src/coordinator-client/client.js';
import { ErrorCode, KeeperError } from '../../../src/protocol/coordinator/errors.js';
import { startEnsemble, type Member } from './ensemble-processes.js';

const TICK_MS = 250;

/**
 * A TCP forwarder from `port` to `target` that can black-hole its traffic, as a partition
 * does: while cut, bytes in either direction are dropped and nothing is closed (so the
 * servers notice only by their timeouts, syncLimit ticks); healing resets the links that
 * lost bytes, and the dialing server connects again.
 */
class CuttableProxy {
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #cut = false;

  constructor(
    readonly port: number,
    readonly target: number,
  ) {}

  async open(): Promise<void> {
    const server = createServer((inbound) => {
      const outbound = connect({ host: '127.0.0.1', port: this.target });
      const forward = (from: Socket, to: Socket): void => {
        from.on('data', (chunk: Buffer) => {
          if (!this.#cut) to.write(chunk);
        });
      };
      forward(inbound, outbound);
      forward(outbound, inbound);
      for (const s of [inbound, outbound]) {
        this.#sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          this.#sockets.delete(s);
          inbound.destroy();
          outbound.destroy();
        });
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
  }

  cut(): void {
    this.#cut = true;
  }

  heal(): void {
    for (const s of this.#sockets) s.destroy();
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.heal();
    const server = this.#server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function errorName(code: number): string {
  return Object.entries(ErrorCode).find(([, value]) => value === code)?.[0] ?? String(code);
}

t.test(
  'a server cut off from the other two stops serving; it rejoins and catches up',
  async (t) => {
    // Proxies for servers 1 and 2 (quorum and election ports), used by server 3 only.
    const proxies = new Map<string, CuttableProxy>();
    const peerAddress = (self: Member, peer: Member): string => {
      if (self.id !== 3) return `127.0.0.1:${peer.quorumPort}:${peer.electionPort}`;
      const q = proxies.get(`${peer.id}q`)!;
      const e = proxies.get(`${peer.id}e`)!;
      return `127.0.0.1:${q.port}:${e.port}`;
    };
    const ensemble = await startEnsemble(t, {
      tickMs: TICK_MS,
      peerAddress,
      // The members' ports are picked by startEnsemble; the proxies must listen before
      // server 3 starts.
      beforeStart: async (members) => {
        for (const m of members.filter((p) => p.id !== 3)) {
          for (const [kind, target] of [
            ['q', m.quorumPort],
            ['e', m.electionPort],
          ] as const) {
            const proxy = new CuttableProxy(await freePort(), target);
            await proxy.open();
            t.teardown(() => proxy.close());
            proxies.set(`${m.id}${kind}`, proxy);
          }
        }
      },
    });
    const [s1, s2, s3] = ensemble.members as [Member, Member, Member];
    const leader = await ensemble.waitForQuorum();
    const roleOf3 = leader === s3 ? 'leader' : 'follower';
    t.comment(`server ${leader.id} leads; server 3 (${roleOf3}) talks to its peers via proxies`);

    const majority = new CoordinatorClient(
      `127.0.0.1:${s1.clientPort},127.0.0.1:${s2.clientPort}`,
      {
        protocol: 'zookeeper',
        sessionTimeoutMs: 20 * TICK_MS,
      },
    );
    await majority.connect();
    t.teardown(() => majority.close());
    const onThree = new CoordinatorClient(`127.0.0.1:${s3.clientPort}`, {
      protocol: 'zookeeper',
      sessionTimeoutMs: 20 * TICK_MS,
    });
    await onThree.connect();
    await onThree.create('/before', 'through server 3');
    await majority.sync('/before');
    t.equal(
      (await majority.getData('/before')).data?.toString(),
      'through server 3',
      'a write through server 3 is on the others before the cut',
    );
    await majority.create('/majority');

    // The cut, with one write in flight on server 3.
    for (const proxy of proxies.values()) proxy.cut();
    const cutAt = Date.now();
    const inFlight = onThree.create('/in-flight', 'x').then(
      () => 'acknowledged',
      (err: unknown) => {
        if (err instanceof KeeperError) return errorName(err.code);
        throw err;
      },
    );
    await waitFor(
      'server 3 to stop serving',
      async () => (await ensemble.srvr(s3)).mode === 'looking',
      {
        timeoutMs: 20_000,
        intervalMs: 50,
      },
    );
    const stoppedAfter = Date.now() - cutAt;
    const inFlightOutcome = await inFlight;
    t.not(inFlightOutcome, 'acknowledged', `the write in flight on server 3: ${inFlightOutcome}`);
    const late = new CoordinatorClient(`127.0.0.1:${s3.clientPort}`, {
      protocol: 'zookeeper',
      initialConnectTimeoutMs: 6 * TICK_MS,
    });
    await t.rejects(late.connect(), 'server 3, alone, takes no session');
    t.equal((await ensemble.srvr(s3)).mode, 'looking', 'and stays looking while cut off');
    await onThree.close().catch(() => {});

    // The majority side goes on.
    const newLeader = await ensemble.waitForQuorum([s1, s2]);
    const acked: string[] = [];
    for (let i = 0; i < 100; i++) {
      const path = `/majority/n${String(i).padStart(3, '0')}`;
      await majority.create(path, `${i}`);
      acked.push(path.slice('/majority/'.length));
    }
    t.equal(acked.length, 100, `servers 1 and 2 (leader ${newLeader.id}) acknowledged 100 writes`);
    t.equal((await ensemble.srvr(s3)).mode, 'looking', 'server 3 is still out meanwhile');
    t.comment(`server 3 stopped serving ${stoppedAfter} ms after the cut (tickTime ${TICK_MS} ms)`);

    // Heal: server 3 rejoins as a follower and catches up.
    const healedAt = Date.now();
    for (const proxy of proxies.values()) proxy.heal();
    const leaderAfter = await ensemble.waitForQuorum();
    t.equal(leaderAfter, newLeader, `server 3 follows leader ${newLeader.id} again`);
    t.comment(`server 3 back in the quorum ${Date.now() - healedAt} ms after the heal`);
    const reader = new CoordinatorClient(`127.0.0.1:${s3.clientPort}`, { protocol: 'zookeeper' });
    await reader.connect();
    t.teardown(() => reader.close());
    await reader.sync('/majority');
    t.same(await reader.getChildren('/majority').then((c) => c.sort()), acked, 'it has them all');
    const inFlightOn = await Promise.all(
      ensemble.members.map(async (m) => {
        const c = new CoordinatorClient(`127.0.0.1:${m.clientPort}`, { protocol: 'zookeeper' });
        await c.connect();
        await c.sync('/');
        const present = (await c.exists('/in-flight')) !== null;
        await c.close();
        return present;
      }),
    );
    t.ok(
      inFlightOn.every((p) => p === inFlightOn[0]),
      `the write in flight at the cut is on ${inFlightOn[0] ? 'every' : 'no'} server`,
    );
    const zxids = await Promise.all(ensemble.members.map((m) => ensemble.srvr(m)));
    t.equal(new Set(zxids.map((z) => z.zxid)).size, 1, 'all three at the same zxid');
  },
);
