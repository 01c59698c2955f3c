/**
 * Coordinator vs ZooKeeper benchmark (not a test): ONE load generator that speaks ZooKeeper's
 * binary (jute) protocol, run in the same invocation against
 *
 *   (a) our coordinator, started as its own process (durable: every group commit is fsynced);
 *   (b) a real ZooKeeper 3.8 standalone from Debian's `zookeeper` package, started as a child
 *       process with its own zoo.cfg (forceSync=yes, the default; admin server off; all
 *       four-letter words allowed), dataDir in a temp dir on the same disk.
 *
 * For each server and each session count (1, 4, 16) it measures create, setData, getData and
 * exists: `--ops` requests per cell spread over the sessions, each session keeping
 * `--outstanding` requests in flight (pipelined), `--data-bytes` of data per write. It prints
 * one markdown table per server and a comparison table with the ratio ours/ZooKeeper per cell.
 *
 *   node --import tsx scripts/bench-zookeeper.ts [--ops 40000] [--outstanding 100]
 *        [--sessions 1,4,16] [--data-bytes 100] [--warmup 20000]
 *        [--targets coordinator,zookeeper]   (which servers to start, in this order)
 *        [--server host:port]                (one already-running server instead)
 *        [--zk-classpath /usr/share/java/zookeeper.jar:/etc/zookeeper/conf] [--java java]
 *        [--coordinator-cpu-prof DIR]        (node --cpu-prof on the coordinator process)
 *        [--ensemble] [--tick-ms 2000] [--failovers 3]
 *
 * --ensemble: each target is a 3-server ensemble on this machine instead of one server: our
 * coordinator as three `coordinator start --id N --ensemble ...` processes, ZooKeeper as three
 * QuorumPeerMain JVMs (zoo.cfg with server.N lines, myid in each dataDir), both with the same
 * tickTime/initLimit/syncLimit (2000 ms, 10, 5 by default). Sessions are spread round-robin
 * over the three servers, as clients with the three-host connect string would be (writes go
 * through the leader, reads are served by the session's own server); each session syncs
 * before a phase, so it sees the phase's parent znode. After the throughput cells,
 * `--failovers` times: kill -9 of the leader (the server whose srvr says Mode: leader), then
 * the time until the first acknowledged write, by a client that tries a fresh session and a
 * create on each survivor in turn every 50 ms (so no client back-off is measured); the killed
 * server is restarted on its data directory and the ensemble is waited for before the next.
 * A target may be listed more than once (--targets coordinator,zookeeper,coordinator,zookeeper:
 * runs interleaved against a loaded machine); the comparison takes each cell's best run.
 *
 * Fairness: each server runs alone (the other is stopped or not yet started), on a fresh data
 * directory, after a warm-up of `--warmup` creates and getDatas that are not measured (the JVM
 * and V8 both need to compile their hot paths). The load generator is deliberately lean so
 * that on a 2-core machine it leaves the server as much CPU as possible: every request frame
 * of a phase is encoded before the clock starts, into one contiguous buffer per session, so
 * that sending k requests is one `socket.write` of a slice; replies are counted by reading
 * only the 16-byte ReplyHeader (xid, zxid, err) and checking err == 0.
 *
 * Wire format: docs/zookeeper-protocol.md and src/protocol/zookeeper/codec.ts (whose
 * client-side encoders build the frames here).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { OPEN_ACL_UNSAFE, type Request } from '../src/protocol/coordinator/messages.js';
import { encodeConnectRequestFrame, encodeRequestFrame } from '../src/protocol/zookeeper/codec.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    ops: { type: 'string', default: '40000' },
    outstanding: { type: 'string', default: '100' },
    sessions: { type: 'string', default: '1,4,16' },
    'data-bytes': { type: 'string', default: '100' },
    warmup: { type: 'string', default: '20000' },
    targets: { type: 'string', default: 'coordinator,zookeeper' },
    server: { type: 'string' },
    'zk-classpath': {
      type: 'string',
      default: '/usr/share/java/zookeeper.jar:/etc/zookeeper/conf',
    },
    java: { type: 'string', default: process.env.JAVA ?? 'java' },
    'coordinator-cpu-prof': { type: 'string' },
    ensemble: { type: 'boolean', default: false },
    'tick-ms': { type: 'string', default: '2000' },
    failovers: { type: 'string', default: '3' },
  },
});
const OPS = Number(values.ops);
const OUTSTANDING = Number(values.outstanding);
const SESSION_COUNTS = values.sessions!.split(',').map(Number);
const DATA = Buffer.alloc(Number(values['data-bytes']), 'x');
const WARMUP_OPS = Number(values.warmup);
const OPS_MEASURED = ['create', 'setData', 'getData', 'exists'] as const;
const ENSEMBLE = values.ensemble!;
const TICK_MS = Number(values['tick-ms']);
const FAILOVERS = ENSEMBLE ? Number(values.failovers) : 0;
type Op = (typeof OPS_MEASURED)[number];

/** Requested session timeout: long enough that no session expires during a slow phase. */
const SESSION_TIMEOUT_MS = 60_000;
/** Bounds on every wait, so that the script always ends by itself. */
const STARTUP_TIMEOUT_MS = 60_000;
const PHASE_TIMEOUT_MS = 300_000;
const STOP_TIMEOUT_MS = 10_000;

for (const [name, value] of [
  ['ops', OPS],
  ['outstanding', OUTSTANDING],
  ['warmup', WARMUP_OPS],
  ['tick-ms', TICK_MS],
  ['failovers', FAILOVERS],
] as const) {
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`--${name} must be a non-negative integer`);
}
if (SESSION_COUNTS.some((n) => !Number.isInteger(n) || n < 1))
  throw new Error('--sessions: positive integers');

// =======================================================================================
// Servers: start, wait for `ruok`, stop.

interface Address {
  host: string;
  port: number;
}

interface Target {
  name: string;
  /** The client addresses: one server, or the ensemble's three. */
  servers: Address[];
  stop(): Promise<void>;
  /** Ensemble only: kill -9 of the leader; resolves with the killed member's index. */
  kill9Leader?(): Promise<number>;
  /** Ensemble only: restart member `index` on its data directory. */
  restart?(index: number): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** Send a four-letter word and collect the text until the server closes the socket. */
function fourLetterWord(host: string, port: number, word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    const chunks: Buffer[] = [];
    socket.setTimeout(2000, () => socket.destroy(new Error(`${word}: timeout`)));
    socket.on('connect', () => socket.write(word));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

async function waitForRuok(host: string, port: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fourLetterWord(host, port, 'ruok')) === 'imok') return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${host}:${port} did not answer ruok within ${STARTUP_TIMEOUT_MS} ms`);
}

/** SIGTERM, then SIGKILL if the process has not exited after STOP_TIMEOUT_MS. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Children started by this script, stopped on exit whatever happens. */
const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

async function startCoordinator(): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-zk-coordinator-'));
  tempDirs.add(dataDir);
  const port = await freePort();
  const args = [
    '--import',
    'tsx',
    join(ROOT, 'coordinator/cli.ts'),
    'start',
    '--port',
    String(port),
  ];
  args.push('--admin-port', '0', '--data-dir', dataDir, '--log-level', 'warn');
  // --coordinator-cpu-prof DIR: profile the coordinator (written when it exits on SIGTERM).
  const profile = values['coordinator-cpu-prof'];
  const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  await waitForRuok('127.0.0.1', port, child);
  return {
    name: 'coordinator',
    servers: [{ host: '127.0.0.1', port }],
    stop: async () => {
      await stopChild(child);
      children.delete(child);
      rmSync(dataDir, { recursive: true, force: true });
      tempDirs.delete(dataDir);
    },
  };
}

async function startZooKeeper(): Promise<Target> {
  const jar = values['zk-classpath']!.split(':')[0]!;
  if (!existsSync(jar))
    throw new Error(`${jar} not found: install Debian's zookeeper package or pass --zk-classpath`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-zk-zookeeper-'));
  tempDirs.add(dir);
  const port = await freePort();
  const config = [
    'tickTime=2000',
    `dataDir=${join(dir, 'data')}`,
    `clientPort=${port}`,
    'clientPortAddress=127.0.0.1',
    // Let the requested 60 s session timeout through (the default cap is 20 ticks = 40 s).
    'maxSessionTimeout=120000',
    'admin.enableServer=false',
    '4lw.commands.whitelist=*',
    // The default, spelled out: every group commit is fsynced before its replies go out.
    'forceSync=yes',
    // No autopurge, no snapshots to speak of (snapCount default 100000).
  ].join('\n');
  writeFileSync(join(dir, 'zoo.cfg'), config + '\n');
  // ZooKeeperServerMain = standalone, as zkServer.sh runs it when zoo.cfg names no peers.
  // JVM flags: none, as Debian's scripts pass none (so the JVM's default heap applies).
  const child = spawn(
    values.java!,
    [
      '-cp',
      values['zk-classpath']!,
      'org.apache.zookeeper.server.ZooKeeperServerMain',
      join(dir, 'zoo.cfg'),
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'ignore'] },
  );
  children.add(child);
  await waitForRuok('127.0.0.1', port, child);
  return {
    name: 'zookeeper',
    servers: [{ host: '127.0.0.1', port }],
    stop: async () => {
      await stopChild(child);
      children.delete(child);
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
}

/** srvr's Mode line, or undefined while the server is not serving (or not answering). */
async function modeOf(address: Address): Promise<string | undefined> {
  try {
    const text = await fourLetterWord(address.host, address.port, 'srvr');
    return /Mode: (\S+)/.exec(text)?.[1];
  } catch {
    return undefined;
  }
}

/** Waits until the members at `addresses` are one leader and the rest followers. */
async function waitForQuorum(addresses: Address[]): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const modes = await Promise.all(addresses.map(modeOf));
    const leaders = modes.filter((m) => m === 'leader').length;
    const followers = modes.filter((m) => m === 'follower').length;
    if (leaders === 1 && followers === addresses.length - 1) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no quorum of ${addresses.length} within ${STARTUP_TIMEOUT_MS} ms`);
}

interface EnsembleMember extends Address {
  quorumPort: number;
  electionPort: number;
  dataDir: string;
  child?: ChildProcess;
}

/**
 * A 3-server ensemble; `spawnMember(member, serverLines)` starts one member's process. The
 * leader is found by srvr's Mode; kill -9 goes to that process's pid.
 */
async function startEnsembleTarget(
  name: string,
  spawnMember: (m: EnsembleMember, index: number, members: EnsembleMember[]) => ChildProcess,
): Promise<Target> {
  const root = mkdtempSync(join(tmpdir(), `bench-zk-${name}-ensemble-`));
  tempDirs.add(root);
  const members: EnsembleMember[] = [];
  for (let i = 0; i < 3; i++) {
    members.push({
      host: '127.0.0.1',
      port: await freePort(),
      quorumPort: await freePort(),
      electionPort: await freePort(),
      dataDir: join(root, `server${i + 1}`),
    });
  }
  const start = (i: number): void => {
    const child = spawnMember(members[i]!, i, members);
    children.add(child);
    members[i]!.child = child;
  };
  for (let i = 0; i < 3; i++) start(i);
  await Promise.all(members.map((m) => waitForRuok(m.host, m.port, m.child)));
  await waitForQuorum(members);
  return {
    name,
    servers: members,
    kill9Leader: async () => {
      const modes = await Promise.all(members.map(modeOf));
      const index = modes.indexOf('leader');
      if (index < 0) throw new Error(`${name}: no leader (modes ${modes.join()})`);
      const child = members[index]!.child!;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      children.delete(child);
      return index;
    },
    restart: async (index) => {
      start(index);
      await waitForRuok(members[index]!.host, members[index]!.port, members[index]!.child);
      await waitForQuorum(members);
    },
    stop: async () => {
      await Promise.all(members.map((m) => (m.child ? stopChild(m.child) : Promise.resolve())));
      for (const m of members) if (m.child) children.delete(m.child);
      rmSync(root, { recursive: true, force: true });
      tempDirs.delete(root);
    },
  };
}

function startCoordinatorEnsemble(): Promise<Target> {
  return startEnsembleTarget('coordinator', (m, i, members) => {
    const ensemble = members
      .map((p, j) => `${j + 1}=${p.host}:${p.quorumPort}:${p.electionPort}`)
      .join(',');
    const args = ['--import', 'tsx', join(ROOT, 'coordinator/cli.ts'), 'start'];
    args.push('--id', String(i + 1), '--ensemble', ensemble, '--port', String(m.port));
    args.push('--admin-port', '-1', '--data-dir', m.dataDir, '--log-level', 'warn');
    args.push('--tick-ms', String(TICK_MS), '--init-limit', '10', '--sync-limit', '5');
    const profile = values['coordinator-cpu-prof'];
    const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
    return spawn(process.execPath, [...nodeArgs, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  });
}

function startZooKeeperEnsemble(): Promise<Target> {
  const jar = values['zk-classpath']!.split(':')[0]!;
  if (!existsSync(jar))
    throw new Error(`${jar} not found: install Debian's zookeeper package or pass --zk-classpath`);
  return startEnsembleTarget('zookeeper', (m, i, members) => {
    mkdirSync(m.dataDir, { recursive: true });
    writeFileSync(join(m.dataDir, 'myid'), `${i + 1}\n`);
    const config = [
      `tickTime=${TICK_MS}`,
      'initLimit=10',
      'syncLimit=5',
      `dataDir=${m.dataDir}`,
      `clientPort=${m.port}`,
      'clientPortAddress=127.0.0.1',
      'maxSessionTimeout=120000',
      'admin.enableServer=false',
      '4lw.commands.whitelist=*',
      'forceSync=yes',
      ...members.map((p, j) => `server.${j + 1}=${p.host}:${p.quorumPort}:${p.electionPort}`),
    ].join('\n');
    const cfg = join(m.dataDir, 'zoo.cfg');
    writeFileSync(cfg, config + '\n');
    // QuorumPeerMain, as zkServer.sh runs it when zoo.cfg names peers; no JVM flags.
    return spawn(
      values.java!,
      ['-cp', values['zk-classpath']!, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', cfg],
      { cwd: m.dataDir, stdio: ['ignore', 'ignore', 'ignore'] },
    );
  });
}

async function cleanUpAll(): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child)));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

// =======================================================================================
// Sessions: a socket plus a lean reply counter.

interface Session {
  socket: Socket;
  /** Called with the number of replies (err == 0 or not) parsed from one chunk. */
  onReplies: (count: number, failed: number) => void;
  /** Bytes of an incomplete frame left over from the previous chunk. */
  rest: Buffer | undefined;
}

/**
 * Count complete reply frames in `chunk`: length(4) xid(4) zxid(8) err(4) [body]. Watch
 * notifications (xid -1) are not replies; this benchmark sets no watches, but skip them anyway.
 */
function countReplies(session: Session, chunk: Buffer): void {
  const buf = session.rest ? Buffer.concat([session.rest, chunk]) : chunk;
  let pos = 0;
  let count = 0;
  let failed = 0;
  while (pos + 4 <= buf.length) {
    const end = pos + 4 + buf.readInt32BE(pos);
    if (end > buf.length) break;
    if (buf.readInt32BE(pos + 4) !== -1) {
      count++;
      if (buf.readInt32BE(pos + 16) !== 0) failed++;
    }
    pos = end;
  }
  session.rest = pos < buf.length ? Buffer.from(buf.subarray(pos)) : undefined;
  if (count > 0) session.onReplies(count, failed);
}

async function openSession(host: string, port: number): Promise<Session> {
  const socket = connect({ host, port, noDelay: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', (err) => console.error(`session socket error: ${err.message}`));
  const session: Session = { socket, onReplies: () => {}, rest: undefined };
  // The ConnectResponse is the first frame; it has no ReplyHeader, so read it on its own.
  const handshake = new Promise<void>((resolve, reject) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      if (head.length < 4 || head.length < 4 + head.readInt32BE(0)) return;
      socket.off('data', onData);
      const frameEnd = 4 + head.readInt32BE(0);
      // ConnectResponse: protocolVersion(4) timeOut(4) sessionId(8) ...
      if (head.readInt32BE(8) <= 0) reject(new Error('session refused (timeOut <= 0)'));
      socket.on('data', (more: Buffer) => countReplies(session, more));
      if (frameEnd < head.length) countReplies(session, head.subarray(frameEnd));
      resolve();
    };
    socket.on('data', onData);
    // A server that is still starting may accept the connection and then drop it.
    socket.once('close', () => reject(new Error('connection closed before the ConnectResponse')));
  });
  socket.write(
    encodeConnectRequestFrame(
      {
        protocolVersion: 0,
        lastZxidSeen: 0,
        timeoutMs: SESSION_TIMEOUT_MS,
        sessionId: 0n,
        password: Buffer.alloc(16),
        readOnly: false,
      },
      true,
    ),
  );
  await handshake;
  return session;
}

/** closeSession (xid any, op -11), then end the socket. */
async function closeSession(session: Session): Promise<void> {
  const replied = new Promise<void>((resolve) => {
    session.onReplies = () => resolve();
    session.socket.once('close', () => resolve());
  });
  session.socket.write(encodeRequestFrame(0x7fff0000, { op: 'close' }));
  await Promise.race([replied, new Promise((r) => setTimeout(r, 2000))]);
  session.socket.destroy();
}

/** One request and its reply's err, for setup steps. */
function call(session: Session, request: Request): Promise<number> {
  const frame = encodeRequestFrame(1, request);
  return new Promise((resolve) => {
    session.onReplies = (_count, failed) => resolve(failed);
    session.socket.write(frame);
  });
}

// =======================================================================================
// Phases.

function request(op: Op, path: string): Request {
  switch (op) {
    case 'create':
      return { op, path, data: DATA, acl: [...OPEN_ACL_UNSAFE], mode: 'persistent' };
    case 'setData':
      return { op, path, data: DATA, version: -1 };
    case 'getData':
    case 'exists':
      return { op, path, watch: false };
  }
}

/** Every frame of one session's phase in one buffer, with the offset where each ends. */
interface Frames {
  bytes: Buffer;
  ends: Uint32Array;
}

function encodePhase(op: Op, parent: string, session: number, count: number): Frames {
  const frames: Buffer[] = [];
  for (let i = 0; i < count; i++)
    frames.push(encodeRequestFrame(i + 1, request(op, `${parent}/s${session}-${i}`)));
  const ends = new Uint32Array(count);
  let end = 0;
  frames.forEach((frame, i) => {
    end += frame.length;
    ends[i] = end;
  });
  return { bytes: Buffer.concat(frames), ends };
}

/** Run `perSession` requests on every session; returns ops/s over all sessions. */
async function runPhase(
  sessions: Session[],
  op: Op,
  parent: string,
  perSession: number,
): Promise<number> {
  const encoded = sessions.map((_, si) => encodePhase(op, parent, si, perSession));
  let failed = 0;
  const started = performance.now();
  const finished = Promise.all(
    sessions.map(
      (session, si) =>
        new Promise<void>((resolve) => {
          const { bytes, ends } = encoded[si]!;
          let sent = 0;
          let done = 0;
          // Send frames [sent, upTo) as one slice of the pre-encoded buffer.
          const sendUpTo = (upTo: number): void => {
            const from = sent === 0 ? 0 : ends[sent - 1]!;
            session.socket.write(bytes.subarray(from, ends[upTo - 1]!));
            sent = upTo;
          };
          session.onReplies = (count, bad) => {
            done += count;
            failed += bad;
            const upTo = Math.min(perSession, done + OUTSTANDING);
            if (upTo > sent) sendUpTo(upTo);
            if (done >= perSession) resolve();
          };
          if (perSession === 0) resolve();
          else sendUpTo(Math.min(OUTSTANDING, perSession));
        }),
    ),
  );
  await withTimeout(finished, PHASE_TIMEOUT_MS, `${op} under ${parent}`);
  const seconds = (performance.now() - started) / 1000;
  if (failed > 0)
    throw new Error(`${op} under ${parent}: ${failed} of ${perSession * sessions.length} failed`);
  return (perSession * sessions.length) / seconds;
}

type Results = Map<number, Map<Op, number>>;

/**
 * `ruok` only says that the process is alive: ZooKeeper answers it before its request
 * pipeline runs, and drops session connections until then. So retry the first session.
 */
async function openFirstSession(host: string, port: number): Promise<Session> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    try {
      return await withTimeout(openSession(host, port), 5000, 'ConnectRequest');
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function benchTarget(target: Target): Promise<Results> {
  const { servers } = target;
  let next = 0;
  /** Sessions go round-robin over the servers (one server: always it). */
  const open = (): Promise<Session> => {
    const { host, port } = servers[next++ % servers.length]!;
    return withTimeout(openSession(host, port), 10_000, 'connect');
  };
  /** In an ensemble, each session catches up with the leader (it sees the parent znode). */
  const syncAll = async (sessions: Session[], path: string): Promise<void> => {
    if (servers.length === 1) return;
    await Promise.all(
      sessions.map((s) => withTimeout(call(s, { op: 'sync', path }), 10_000, `sync ${path}`)),
    );
  };
  const setup = await openFirstSession(servers[0]!.host, servers[0]!.port);
  const parent = (name: string): Promise<number> =>
    withTimeout(call(setup, request('create', name)), 10_000, `create ${name}`);
  if (WARMUP_OPS > 0) {
    // Not measured: lets the JVM's JIT and V8's optimiser compile the request paths.
    await parent('/warmup');
    const warm = await Promise.all(Array.from({ length: Math.max(4, servers.length) }, open));
    await syncAll(warm, '/warmup');
    const perSession = Math.floor(WARMUP_OPS / warm.length);
    for (const op of OPS_MEASURED) await runPhase(warm, op, '/warmup', perSession);
    await Promise.all(warm.map(closeSession));
  }
  const results: Results = new Map();
  for (const count of SESSION_COUNTS) {
    // A fresh parent per session count, so creates never collide and nothing is deleted.
    const dir = `/bench-${count}`;
    if ((await parent(dir)) !== 0)
      throw new Error(`could not create ${dir} (does it exist already?)`);
    const sessions = await Promise.all(Array.from({ length: count }, open));
    await syncAll(sessions, dir);
    const perSession = Math.floor(OPS / count);
    const row = new Map<Op, number>();
    for (const op of OPS_MEASURED) row.set(op, await runPhase(sessions, op, dir, perSession));
    results.set(count, row);
    await Promise.all(sessions.map(closeSession));
    console.error(`# ${target.name}: ${count} session(s) done`);
  }
  await closeSession(setup);
  return results;
}

/**
 * kill -9 of the ensemble's leader, then the ms until the first acknowledged write: every
 * 50 ms a fresh session and one create on the next survivor (1 s to answer), until one
 * succeeds. The killed server is restarted and the full ensemble awaited afterwards.
 */
async function measureFailover(target: Target, round: number): Promise<number> {
  const killed = await target.kill9Leader!();
  const killedAt = performance.now();
  const survivors = target.servers.filter((_, i) => i !== killed);
  let attempt = 0;
  for (;;) {
    if (performance.now() - killedAt > PHASE_TIMEOUT_MS) throw new Error('no write after kill');
    const { host, port } = survivors[attempt++ % survivors.length]!;
    try {
      const session = await withTimeout(openSession(host, port), 1000, 'connect');
      try {
        const failed = await withTimeout(
          call(session, request('create', `/failover-${round}`)),
          1000,
          'create',
        );
        if (failed === 0) break;
      } finally {
        session.socket.destroy();
      }
    } catch {
      // Refused, dropped or unanswered while the survivors elect: try again.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const ms = performance.now() - killedAt;
  console.error(
    `# ${target.name}: failover ${round}: ` +
      `first acknowledged write ${Math.round(ms)} ms after the kill`,
  );
  await target.restart!(killed);
  return ms;
}

// =======================================================================================
// Output.

const fmt = (n: number | undefined): string =>
  n === undefined ? '-' : Math.round(n).toLocaleString('en-US');

function printTable(name: string, results: Results): void {
  console.log(`\n${name} (ops/s)\n`);
  console.log(`| sessions | ${OPS_MEASURED.map((op) => `${op}/s`).join(' | ')} |`);
  console.log(`|---:|${OPS_MEASURED.map(() => '---:').join('|')}|`);
  for (const [count, row] of results) {
    console.log(`| ${count} | ${OPS_MEASURED.map((op) => fmt(row.get(op))).join(' | ')} |`);
  }
}

function printComparison(ours: Results, theirs: Results): void {
  console.log(
    `\nComparison (ops/s, each cell's best run; ratio = coordinator / ZooKeeper)` +
      `${ENSEMBLE ? ', 3-server ensembles' : ''}\n`,
  );
  console.log('| op | sessions | coordinator | ZooKeeper 3.8 | ratio |');
  console.log('|---|---:|---:|---:|---:|');
  for (const op of OPS_MEASURED) {
    for (const count of SESSION_COUNTS) {
      const a = ours.get(count)?.get(op);
      const b = theirs.get(count)?.get(op);
      const ratio = a !== undefined && b !== undefined && b > 0 ? (a / b).toFixed(2) : '-';
      console.log(`| ${op} | ${count} | ${fmt(a)} | ${fmt(b)} | ${ratio} |`);
    }
  }
}

/** Each cell's best run (runs interleaved on a loaded machine: the least disturbed one). */
function best(runs: Results[]): Results {
  const out: Results = new Map();
  for (const run of runs) {
    for (const [count, row] of run) {
      const merged = out.get(count) ?? new Map<Op, number>();
      for (const [op, value] of row) merged.set(op, Math.max(merged.get(op) ?? 0, value));
      out.set(count, merged);
    }
  }
  return out;
}

async function main(): Promise<void> {
  console.log(
    `# ZooKeeper-protocol benchmark: ${OPS} ops per cell, ` +
      `${OUTSTANDING} outstanding per session, ${DATA.length}-byte data, ` +
      `warm-up ${WARMUP_OPS} ops, ${cpus().length} cores, Node ${process.version}` +
      (ENSEMBLE ? `, 3-server ensembles, tickTime ${TICK_MS} ms` : ''),
  );
  if (values.server) {
    const [host, port] = values.server.split(':');
    const target: Target = {
      name: values.server,
      servers: [{ host: host!, port: Number(port) }],
      stop: async () => {},
    };
    await waitForRuok(host!, Number(port));
    printTable(target.name, await benchTarget(target));
    return;
  }
  const all = new Map<string, Results[]>();
  const failovers = new Map<string, number[]>();
  for (const name of values.targets!.split(',')) {
    if (name !== 'coordinator' && name !== 'zookeeper') throw new Error(`unknown target ${name}`);
    const target = ENSEMBLE
      ? name === 'coordinator'
        ? await startCoordinatorEnsemble()
        : await startZooKeeperEnsemble()
      : name === 'coordinator'
        ? await startCoordinator()
        : await startZooKeeper();
    let results: Results;
    try {
      results = await benchTarget(target);
      for (let round = 1; round <= FAILOVERS; round++) {
        const ms = await measureFailover(target, round);
        failovers.set(name, [...(failovers.get(name) ?? []), ms]);
      }
    } finally {
      await target.stop();
    }
    all.set(name, [...(all.get(name) ?? []), results]);
    printTable(`${name}, run ${all.get(name)!.length}`, results);
  }
  const ours = all.get('coordinator');
  const theirs = all.get('zookeeper');
  if (ours && theirs) printComparison(best(ours), best(theirs));
  if (failovers.size > 0) {
    console.log('\nkill -9 of the leader -> first acknowledged write (ms, each failover)\n');
    console.log('| ensemble | failovers (ms) | median |');
    console.log('|---|---|---:|');
    for (const [name, list] of failovers) {
      const sorted = [...list].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      console.log(`| ${name} | ${list.map((ms) => fmt(ms)).join(', ')} | ${fmt(median)} |`);
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanUpAll().finally(() => process.exit(130));
  });
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => cleanUpAll());
