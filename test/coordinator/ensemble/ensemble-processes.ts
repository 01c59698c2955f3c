/**
 * A 3-process coordinator ensemble for integration tests (`coordinator start --id N
 * --ensemble ...`) on free loopback ports, each member with its own data directory under
 * `root`, killed with SIGKILL when the test that started it ends.
 *
 *   const ensemble = await startEnsemble(t, { tickMs: 250 });
 *   const leader = await ensemble.waitForQuorum();       // one leader, two followers
 *   await ensemble.kill9(leader);  await ensemble.start(leader);   // same ports and data
 *
 * `peerAddress` lets a test give one member other addresses for its peers (a proxy in front
 * of them, to cut it off): each member listens on its own entry of its own `--ensemble`.
 */
import { join } from 'node:path';
import {
  daemonDataDir,
  freePort,
  spawnDaemon,
  type DaemonProcess,
} from '../../helpers/processes.js';
import { waitFor } from '../../helpers/wait-for.js';
import { fourLetterWord } from '../../../src/coordinator-client/four-letter-words.js';

export interface Member {
  id: number;
  clientPort: number;
  quorumPort: number;
  electionPort: number;
  dataDir: string;
  process?: DaemonProcess;
}

export interface Ensemble {
  members: Member[];
  /** Every member's client address, comma-separated (a connect string). */
  connectString: string;
  start(m: Member): Promise<void>;
  kill9(m: Member): Promise<void>;
  /** `srvr`'s Mode (leader, follower, looking) and Zxid. */
  srvr(m: Member): Promise<{ mode: string; zxid: number }>;
  /** Waits until the running members are one leader and the rest followers; the leader. */
  waitForQuorum(members?: Member[]): Promise<Member>;
}

export interface EnsembleOptions {
  tickMs: number;
  /** The `host:quorumPort:electionPort` that `self` is given for `peer` (default: the real one). */
  peerAddress?: (self: Member, peer: Member) => string;
  /** Runs once the members' ports are chosen, before any member starts. */
  beforeStart?: (members: Member[]) => Promise<void>;
  /** Extra `coordinator start` arguments. */
  extraArgs?: string[];
  /** SAMSA_LOG_LEVEL of the members (default: the test's, else info). */
  logLevel?: string;
}

function isRunning(m: Member): boolean {
  const child = m.process?.child;
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

export async function startEnsemble(
  t: { teardown(fn: () => unknown): void },
  options: EnsembleOptions,
): Promise<Ensemble> {
  const root = daemonDataDir(t);
  const members: Member[] = [];
  for (const id of [1, 2, 3]) {
    members.push({
      id,
      clientPort: await freePort(),
      quorumPort: await freePort(),
      electionPort: await freePort(),
      dataDir: join(root, `server${id}`),
    });
  }
  const address = (self: Member, m: Member): string =>
    m === self || !options.peerAddress
      ? `127.0.0.1:${m.quorumPort}:${m.electionPort}`
      : options.peerAddress(self, m);
  const start = async (m: Member): Promise<void> => {
    const ensemble = members.map((p) => `${p.id}=${address(m, p)}`).join(',');
    const args = ['start', '--id', String(m.id), '--ensemble', ensemble];
    args.push('--port', String(m.clientPort), '--admin-port', '-1', '--data-dir', m.dataDir);
    args.push('--tick-ms', String(options.tickMs), ...(options.extraArgs ?? []));
    const previous = process.env.SAMSA_LOG_LEVEL;
    if (options.logLevel) process.env.SAMSA_LOG_LEVEL = options.logLevel;
    try {
      const proc = await spawnDaemon('coordinator/cli.ts', args, 'coordinator listening');
      m.process = proc;
      t.teardown(() => proc.kill('SIGKILL'));
    } finally {
      if (options.logLevel) {
        if (previous === undefined) delete process.env.SAMSA_LOG_LEVEL;
        else process.env.SAMSA_LOG_LEVEL = previous;
      }
    }
  };
  const srvr = async (m: Member): Promise<{ mode: string; zxid: number }> => {
    const text = await fourLetterWord(`127.0.0.1:${m.clientPort}`, 'srvr', { timeoutMs: 2000 });
    const mode = /Mode: (\S+)/.exec(text)?.[1] ?? '?';
    const zxid = Number(/Zxid: (0x[0-9a-f]+)/.exec(text)?.[1] ?? NaN);
    return { mode, zxid };
  };
  await options.beforeStart?.(members);
  await Promise.all(members.map(start));
  return {
    members,
    connectString: members.map((m) => `127.0.0.1:${m.clientPort}`).join(','),
    start,
    async kill9(m) {
      await m.process?.kill('SIGKILL');
    },
    srvr,
    async waitForQuorum(running = members.filter(isRunning)) {
      return waitFor(
        `one leader and ${running.length - 1} followers`,
        async () => {
          const modes = await Promise.all(running.map((m) => srvr(m).then((s) => s.mode)));
          const leaders = modes.filter((mode) => mode === 'leader').length;
          const followers = modes.filter((mode) => mode === 'follower').length;
          return leaders === 1 && followers === running.length - 1
            ? running[modes.indexOf('leader')]
            : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
    },
  };
}
