/**
 * Spawning the real daemons for integration tests: free loopback ports, temporary data
 * directories, waiting for the "listening" log line, and killing (also with SIGKILL).
 * Each process is killed in t.teardown by the test that started it, by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import {
  compiledProgramsAreCurrent as distIsCurrent,
  SOURCE_DIRS,
} from '../../scripts/compiled-programs.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

let compiledIsCurrent: boolean | undefined;

/**
 * Whether dist/ holds a build of every source file that is not older than the file: each
 * `X.ts` under SOURCE_DIRS has a `dist/X.js` written at or after the source's last change.
 * `npm test` builds dist/ (`tsc -p .`) before tap runs, so there it is; after an edit without a
 * build it is not, and the programs run from the TypeScript source as before. Set
 * SAMSA_TEST_TSX=1 to always run the source.
 */
export function compiledProgramsAreCurrent(): boolean {
  compiledIsCurrent ??= process.env.SAMSA_TEST_TSX !== '1' && distIsCurrent(ROOT);
  return compiledIsCurrent;
}

/**
 * The `node` arguments that run `script` (a .ts path relative to the root, e.g.
 * `broker/cli.ts`): its compiled dist/ file when dist/ is current, which starts in less than
 * half the CPU time (0.45 s instead of 1.1 s for a broker: tsx hooks every module load),
 * otherwise the source through tsx. Paths are absolute, so any working directory will do.
 */
export function nodeArgsFor(script: string): string[] {
  const relative = script.startsWith(ROOT) ? script.slice(ROOT.length + 1) : script;
  const inSources = SOURCE_DIRS.some((dir) => relative.startsWith(`${dir}/`));
  if (inSources && relative.endsWith('.ts') && compiledProgramsAreCurrent()) {
    return [join(ROOT, 'dist', relative.replace(/\.ts$/, '.js'))];
  }
  const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
  return [`--import=${pathToFileURL(tsx).href}`, resolve(ROOT, relative)];
}

/**
 * A temporary directory for daemons' data, removed when the test ends *after* the daemons
 * were killed. Call it before starting any daemon: teardowns run last-registered first, so
 * this removal runs after every kill registered later. (tap removes `t.testdir()` before the
 * teardowns run, while a broker may still be writing there: a replica fetcher appending, a
 * checkpoint being replaced; the removal then fails with ENOTEMPTY.)
 */
export function daemonDataDir(t: { teardown(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Where freePort looks. A daemon binds its port some time after freePort found it free, and
 * meanwhile the port must not be taken. A port the kernel picks for `listen(0)` comes from the
 * range it also gives outgoing connections their local ports from (Linux: 32768-60999), so
 * any client socket of any test may take it in that moment: CI once failed with an ensemble
 * port "already in use" by such a socket. So freePort takes ports below that range, in a
 * block of its own per test process (tap numbers its test processes: TAP_CHILD_ID), which
 * tap's four files at a time do not share unless one of them outlives some 75 others.
 */
const PORTS_FROM = 10_000;
const PORTS_BELOW = ephemeralPortsFrom();
const BLOCK = 300;
const BLOCKS = Math.max(1, Math.floor((PORTS_BELOW - PORTS_FROM) / BLOCK));
const block = Number(process.env.TAP_CHILD_ID ?? process.pid) % BLOCKS;
let nextPort = PORTS_FROM + block * BLOCK;

/** The first port of the kernel's range for outgoing connections. */
function ephemeralPortsFrom(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/);
    const port = Number(low);
    return Number.isInteger(port) && port > PORTS_FROM + BLOCK ? port : 32_768;
  } catch {
    return 32_768; // not Linux: Linux's default
  }
}

/** Whether 127.0.0.1:port can be listened on now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port that was free a moment ago on 127.0.0.1, from this process's block (see above). The
 * ports are handed out in turn, so none twice until some 22,000 were (an ensemble member once
 * got the same port as its client and its election port from `listen(0)`).
 */
export async function freePort(): Promise<number> {
  const end = PORTS_FROM + BLOCKS * BLOCK;
  for (let tried = 0; tried < end - PORTS_FROM; tried++) {
    const port = nextPort;
    nextPort = nextPort + 1 >= end ? PORTS_FROM : nextPort + 1;
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port on 127.0.0.1 in ${PORTS_FROM}-${end - 1}`);
}

export interface DaemonProcess {
  child: ChildProcess;
  pid: number;
  /** Everything the process wrote to stderr (its pino log) so far. */
  log(): string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Run `script` (see `nodeArgsFor`) with `args` from the repository root and wait until a log
 * line contains `readyText` (or the process exits, which rejects).
 */
export function spawnDaemon(
  script: string,
  args: string[],
  readyText: string,
  // Generous: on a 2-core machine shared with other test runs, tsx compiling the sources of a
  // broker has taken more than 20 s.
  timeoutMs = 60_000,
): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [...nodeArgsFor(script), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SAMSA_LOG_LEVEL: process.env.SAMSA_LOG_LEVEL ?? 'info' },
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const daemon: DaemonProcess = {
    child,
    pid: child.pid!,
    log: () => output,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not log "${readyText}" within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes(readyText)) {
        clearTimeout(timer);
        resolve(daemon);
      }
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready:\n${output}`));
    });
  });
}

export interface CoordinatorProcess extends DaemonProcess {
  port: number;
  adminPort: number;
  dataDir: string;
}

export async function startCoordinatorProcess(options: {
  dataDir: string;
  tickMs?: number;
  port?: number;
  adminPort?: number;
  extraArgs?: string[];
}): Promise<CoordinatorProcess> {
  const port = options.port ?? (await freePort());
  const adminPort = options.adminPort ?? (await freePort());
  const args = [
    'start',
    '--port',
    String(port),
    '--admin-port',
    String(adminPort),
    '--data-dir',
    options.dataDir,
  ];
  if (options.tickMs) args.push('--tick-ms', String(options.tickMs));
  args.push(...(options.extraArgs ?? []));
  const daemon = await spawnDaemon(
    process.env.SAMSA_COORDINATOR_SCRIPT ?? 'coordinator/cli.ts',
    args,
    'coordinator listening',
  );
  return { ...daemon, port, adminPort, dataDir: options.dataDir };
}
