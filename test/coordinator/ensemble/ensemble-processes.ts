/**
 * A coordinator ensemble of real processes for integration tests on free loopback ports, each
 * member with its own data directory under `root`, killed with SIGKILL when the test that
 * started it ends. Three voters by default; `voters` and `observers` (ids of `:observer`
 * members, after the voters') change that.
 *
 *   const ensemble = await startEnsemble(t, { tickMs: 250 });
 *   const leader = await ensemble.waitForQuorum();       // one leader, two followers
 *   await ensemble.kill9(leader);  await ensemble.start(leader);   // same ports and data
 *
 * Members start with `coordinator start --id N --ensemble ...`, or with `zooCfg` the
 * ZooKeeper way: `--config zooN.cfg` (tickTime, initLimit, syncLimit, dataDir, clientPort and
 * the server.N lines) and a `myid` file in the data directory. `peerAddress` lets a test give
 * one member other addresses for its peers (a proxy in front of them, to cut it off): each
 * member listens on its own entry of its own server list. `memberArgs` adds a member's own
 * `coordinator start` arguments (such as `--snap-count`), `zooCfgLines` its own zoo.cfg lines.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import {
  daemonDataDir,
  freePort,
  spawnDaemon,
  type DaemonProcess,
} from '../../helpers/processes.js';
import { waitFor, type WaitForOptions } from '../../helpers/wait-for.js';
import type { CoordinatorClient } from '../../../src/coordinator-client/client.js';
import { fourLetterWord } from '../../../src/coordinator-client/four-letter-words.js';
import { ErrorCode, KeeperError } from '../../../src/protocol/coordinator/errors.js';

export interface Member {
  id: number;
  /** A `:observer` member: it serves clients but does not vote. */
  observer: boolean;
  clientPort: number;
  quorumPort: number;
  electionPort: number;
  dataDir: string;
  /** Its zoo.cfg (with `zooCfg`). */
  config?: string;
  process?: DaemonProcess;
}

export interface Ensemble {
  members: Member[];
  /** Every member's client address, comma-separated (a connect string). */
  connectString: string;
  start: (m: Member) => Promise<void>;
  /** SIGKILL; resolves once the process has exited. */
  kill9: (m: Member) => Promise<void>;
  /** `srvr`'s Mode (leader, follower, observer, looking) and Zxid; rejects without an answer. */
  srvr: (m: Member) => Promise<{ mode: string; zxid: number }>;
  /** `srvr`'s Mode, or `down` if the member does not answer. */
  mode: (m: Member) => Promise<string>;
  /** The modes of `members` (default: all), sorted and comma-separated. */
  modes: (members?: Member[]) => Promise<string>;
  /**
   * Waits until the running members (or `members`) are one leader, the observers among them
   * observers and the rest followers; the leader.
   */
  waitForQuorum: (members?: Member[], wait?: WaitForOptions) => Promise<Member>;
}

export interface EnsembleOptions {
  tickMs: number;
  /** How many voting members, ids 1 to `voters` (default 3). */
  voters?: number;
  /** The ids of observer members (default none). */
  observers?: number[];
  /** Start the members from zoo.cfg files and myid files instead of command-line flags. */
  zooCfg?: boolean;
  /** The `host:quorumPort:electionPort` that `self` is given for `peer` (default: the real one). */
  peerAddress?: (self: Member, peer: Member) => string;
  /** Runs once the members' ports are chosen, before any member starts. */
  beforeStart?: (members: Member[]) => Promise<void>;
  /** Extra `coordinator start` arguments of every member. */
  extraArgs?: string[];
  /** Extra `coordinator start` arguments of one member. */
  memberArgs?: (m: Member) => string[];
  /** Extra lines of one member's zoo.cfg (with `zooCfg`), such as `readonlymode.enabled=true`. */
  zooCfgLines?: (m: Member) => string[];
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
  const voters = options.voters ?? 3;
  const ids = [...Array.from({ length: voters }, (_, i) => i + 1), ...(options.observers ?? [])];
  const members: Member[] = [];
  for (const id of ids) {
    members.push({
      id,
      observer: options.observers?.includes(id) ?? false,
      clientPort: await freePort(),
      quorumPort: await freePort(),
      electionPort: await freePort(),
      dataDir: join(root, `server${id}`),
      ...(options.zooCfg ? { config: join(root, `zoo${id}.cfg`) } : {}),
    });
  }
  const address = (self: Member, m: Member): string =>
    (m === self || !options.peerAddress
      ? `127.0.0.1:${m.quorumPort}:${m.electionPort}`
      : options.peerAddress(self, m)) + (m.observer ? ':observer' : '');
  const argsOf = (m: Member): string[] => {
    if (m.config !== undefined) {
      mkdirSync(m.dataDir, { recursive: true });
      writeFileSync(join(m.dataDir, 'myid'), `${m.id}\n`);
      const cfg = [
        `tickTime=${options.tickMs}`,
        'initLimit=10',
        'syncLimit=5',
        `dataDir=${m.dataDir}`,
        `clientPort=${m.clientPort}`,
        ...members.map((p) => `server.${p.id}=${address(m, p)}`),
        ...(options.zooCfgLines?.(m) ?? []),
        '',
      ];
      writeFileSync(m.config, cfg.join('\n'));
      return ['start', '--config', m.config, '--admin-port', '-1'];
    }
    const ensemble = members.map((p) => `${p.id}=${address(m, p)}`).join(',');
    const args = ['start', '--id', String(m.id), '--ensemble', ensemble];
    args.push('--port', String(m.clientPort), '--admin-port', '-1', '--data-dir', m.dataDir);
    args.push('--tick-ms', String(options.tickMs));
    return args;
  };
  const start = async (m: Member): Promise<void> => {
    const args = [...argsOf(m), ...(options.extraArgs ?? []), ...(options.memberArgs?.(m) ?? [])];
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
  const mode = (m: Member): Promise<string> =>
    srvr(m).then(
      (s) => s.mode,
      () => 'down',
    );
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
    mode,
    async modes(ms = members) {
      return (await Promise.all(ms.map(mode))).sort().join();
    },
    async waitForQuorum(running = members.filter(isRunning), wait = {}) {
      const observers = running.filter((m) => m.observer).length;
      const followers = running.length - 1 - observers;
      return waitFor(
        `one leader, ${followers} followers and ${observers} observers`,
        async () => {
          const modes = await Promise.all(running.map((m) => srvr(m).then((s) => s.mode)));
          const count = (what: string): number => modes.filter((m) => m === what).length;
          return count('leader') === 1 &&
            count('follower') === followers &&
            count('observer') === observers
            ? running[modes.indexOf('leader')]
            : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100, ...wait },
      );
    },
  };
}

/** What `writeThroughKill` saw: the acknowledged paths and when writes came back. */
export interface WriteLoad {
  acked: string[];
  /** Writes that failed with ConnectionLoss (their outcome is unknown) or NodeExists. */
  failed: number;
  killedAt: number;
  /** When the first write after the kill was acknowledged (0 if none was). */
  firstAckAfterKill: number;
}

/**
 * Creates `total` znodes `${prefix}/nNNNN` one after the other and calls `kill` once `killAfter`
 * are acknowledged. A write that fails with ConnectionLoss while the survivors elect has an
 * unknown outcome (its retry may then see NodeExists); those are counted, anything else throws.
 */
export async function writeThroughKill(
  writer: CoordinatorClient,
  options: { prefix: string; total: number; killAfter: number; kill: () => void },
): Promise<WriteLoad> {
  const load: WriteLoad = { acked: [], failed: 0, killedAt: 0, firstAckAfterKill: 0 };
  for (let i = 0; load.acked.length < options.total && i < options.total * 3; i++) {
    if (load.acked.length === options.killAfter && load.killedAt === 0) {
      load.killedAt = Date.now();
      options.kill();
    }
    const path = `${options.prefix}/n${String(i).padStart(4, '0')}`;
    try {
      await writer.create(path, `value ${i}`);
      load.acked.push(path);
      if (load.killedAt > 0 && load.firstAckAfterKill === 0) load.firstAckAfterKill = Date.now();
    } catch (err) {
      if (!(err instanceof KeeperError)) throw err;
      if (err.code !== ErrorCode.CONNECTIONLOSS && err.code !== ErrorCode.NODEEXISTS) throw err;
      load.failed++;
    }
  }
  return load;
}

export const PYTHON = '/usr/bin/python3';
/** Debian's python3-kazoo (which .ci/run installs). */
export const kazooAvailable = spawnSync(PYTHON, ['-c', 'import kazoo']).status === 0;

/** A kazoo script run by `kazooSteps`: its JSON step lines, its stdin, its exit. */
export interface KazooSteps {
  /** The line `{"step": name, ...}` the script printed (waits for it). */
  step: (name: string) => Promise<Record<string, unknown>>;
  /** A line to the script's stdin (how the test tells it to go on). */
  send: (line: string) => void;
  exited: Promise<number | null>;
  /** Everything the script wrote to stderr so far (kazoo's log). */
  stderr: () => string;
}

/**
 * Runs a kazoo script (`python3 -c script connectString`) that reports each step as a JSON
 * line `{"step": ..., ...}` on stdout and waits on stdin where the test must act first; it is
 * killed (SIGKILL) if still running when the test ends.
 */
export function kazooSteps(
  t: { teardown(fn: () => unknown): void },
  script: string,
  connectString: string,
  timeoutMs: number,
): KazooSteps {
  const py = spawn(PYTHON, ['-c', script, connectString], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => py.once('exit', resolve));
  t.teardown(async () => {
    if (py.exitCode === null && py.signalCode === null) py.kill('SIGKILL');
    await exited;
  });
  let stderr = '';
  py.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const steps = new Map<string, Record<string, unknown>>();
  createInterface({ input: py.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const o = JSON.parse(line) as { step: string } & Record<string, unknown>;
    steps.set(o.step, o);
  });
  return {
    step: (name) =>
      waitFor(`kazoo step ${name} (stderr: ${stderr.slice(-800)})`, () => steps.get(name), {
        timeoutMs,
      }),
    send: (line) => void py.stdin.write(`${line}\n`),
    exited,
    stderr: () => stderr,
  };
}
