/**
 * The socket fuzzer: replays real client frames, mutated, against a running coordinator or
 * broker, and checks that the daemon stays alive and answers.
 *
 *   npm run fuzz -- --port P --protocol kafka|zookeeper|ws --frames 100000 [--seed S]
 *                   [--pid PID] [--connections 16] [--liveness-every 300]
 *                   [--mutations huge,deep]   (only these mutations besides replay)
 *
 * Input: the corpus in test/fixtures/corpus/<protocol>/*.json, frames captured once from real
 * clients by scripts/capture-corpus.ts. Each fuzz connection takes one captured connection and
 * replays its frames in order, every frame mutated with probability `--mutation-rate` by one
 * of the mutations of scripts/fuzz-mutations.ts (bit flips, truncation, size-field lies, huge
 * counts, splices, duplication, random bytes, slow delivery, ...). Up to `--connections`
 * connections run at once; everything the daemon sends back is read and dropped. A
 * connection ends when its frames are sent and the daemon has been quiet for a moment, when
 * the daemon closes it (the expected answer to most garbage), or after a truncated frame.
 *
 * Every `--liveness-every` frames, a probe on a fresh connection (scripts/fuzz-liveness.ts:
 * ApiVersions, ruok, or a WebSocket getData) must be answered within `--liveness-timeout-ms`;
 * a probe that fails is a liveness failure, and, with `--pid`, a daemon that is gone is a
 * crash (which stops the run). After the last frame the fuzzer waits for the daemon's memory
 * to settle and reports the resident set size (VmRSS of /proc/PID/status) before and after.
 *
 * Bounds: only loopback addresses; at most `--frames` frames and `--max-seconds` seconds; the
 * run stops by itself. Exit code 0 when there were no crashes and no liveness failures.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import WebSocket from 'ws';
import { isEntryPoint } from '../src/entry-point.js';
import {
  BINARY_MUTATIONS,
  planBinary,
  planText,
  Random,
  TEXT_MUTATIONS,
  type BinaryMutation,
  type BinaryPlan,
  type TextMutation,
  type TextPlan,
} from './fuzz-mutations.js';
import { probe, type FuzzProtocol, type Target } from './fuzz-liveness.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
export const CORPUS_DIR = join(ROOT, 'test', 'fixtures', 'corpus');
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

export interface FuzzOptions {
  readonly protocol: FuzzProtocol;
  readonly host: string;
  readonly port: number;
  readonly frames: number;
  readonly seed: number;
  /** The daemon's process id: enables crash detection and the RSS figures. */
  readonly pid?: number;
  readonly connections: number;
  readonly livenessEvery: number;
  readonly livenessTimeoutMs: number;
  /** Probability that a frame is mutated rather than replayed as captured. */
  readonly mutationRate: number;
  readonly maxSeconds: number;
  /** How long to wait after the run for RSS to come back within 10% of the start. */
  readonly settleSeconds: number;
  readonly corpusDir: string;
  /**
   * Only these mutations (besides replay), to find out what one kind of input costs the
   * daemon; all of them when absent.
   */
  readonly mutations?: readonly string[];
  /** Progress lines go here (stderr by default). */
  readonly log?: (line: string) => void;
  /** Stops the run early (Ctrl-C): the report is still made, with stoppedBy 'signal'. */
  readonly signal?: AbortSignal;
}

export interface FuzzReport {
  protocol: FuzzProtocol;
  target: string;
  seed: number;
  framesSent: number;
  connections: number;
  /** Connections the daemon closed before the fuzzer did (its answer to bad input). */
  closedByDaemon: number;
  mutations: Record<string, number>;
  livenessChecks: number;
  livenessFailures: number;
  livenessFailureReasons: string[];
  /** The last frames sent before the first liveness failure (mutation, size, hex head). */
  framesBeforeFirstFailure: string[];
  slowestLivenessMs: number;
  /** 1 when the daemon process disappeared (only known with --pid). */
  crashes: number;
  rssBeforeKiB?: number;
  rssPeakKiB?: number;
  rssAfterKiB?: number;
  elapsedSeconds: number;
  stoppedBy: 'frames' | 'time' | 'crash' | 'signal';
}

/** One captured client connection: the frames it sent, in order. */
interface CorpusConnection {
  readonly source: string;
  /** Binary protocols: whole frames, size prefix included. */
  readonly frames: Buffer[];
  /** The WebSocket protocol: text messages. */
  readonly messages: string[];
}

interface CorpusFile {
  protocol: FuzzProtocol;
  client: string;
  connections: { frames: string[] }[];
}

export function loadCorpus(dir: string, protocol: FuzzProtocol): CorpusConnection[] {
  const folder = join(dir, protocol);
  if (!existsSync(folder)) throw new Error(`no corpus for ${protocol} in ${folder}`);
  const connections: CorpusConnection[] = [];
  for (const name of readdirSync(folder).sort()) {
    if (!name.endsWith('.json')) continue;
    const file = JSON.parse(readFileSync(join(folder, name), 'utf8')) as CorpusFile;
    for (const c of file.connections) {
      if (c.frames.length === 0) continue;
      connections.push({
        source: `${name}: ${file.client}`,
        frames: protocol === 'ws' ? [] : c.frames.map((hex) => Buffer.from(hex, 'hex')),
        messages: protocol === 'ws' ? c.frames : [],
      });
    }
  }
  if (connections.length === 0) throw new Error(`the ${protocol} corpus in ${folder} is empty`);
  return connections;
}

/** VmRSS or VmHWM of a process in KiB, or undefined if it is gone (or not on Linux). */
export function readMemoryKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** How long a connection waits for the daemon after its last frame before closing. */
const QUIET_MS = 40;
/** A connection that is still open this long after its last write is closed anyway. */
const LINGER_MAX_MS = 2000;
/** How many recent frames a report of a liveness failure shows, and how much of each. */
const RECENT_FRAMES_KEPT = 64;
const RECENT_FRAME_BYTES_SHOWN = 160;
/** Frames replayed per connection at most: long captured sessions are cut into pieces. */
const FRAMES_PER_CONNECTION_MAX = 40;

/** Shared state of one run. */
class Run {
  readonly report: FuzzReport;
  readonly corpus: CorpusConnection[];
  readonly allFrames: Buffer[];
  readonly deadline: number;
  /** The mutations this run picks from (replay excluded). */
  readonly textMutations: readonly TextMutation[];
  readonly binaryMutations: readonly BinaryMutation[];
  #nextLivenessAt: number;
  #livenessRunning: Promise<void> | undefined;
  #stopped = false;
  #connectionNumber = 0;
  /** The most recent frames sent, for the report of a liveness failure. */
  readonly #recent: string[] = [];

  constructor(
    readonly options: FuzzOptions,
    readonly target: Target,
  ) {
    this.corpus = loadCorpus(options.corpusDir, options.protocol);
    this.allFrames = this.corpus.flatMap((c) => c.frames);
    this.deadline = Date.now() + options.maxSeconds * 1000;
    this.#nextLivenessAt = options.livenessEvery;
    const mutations = options.protocol === 'ws' ? TEXT_MUTATIONS : BINARY_MUTATIONS;
    const only = options.mutations;
    if (only !== undefined) {
      const unknown = only.filter((m) => !(mutations.slice(1) as string[]).includes(m));
      if (unknown.length > 0 || only.length === 0) {
        throw new Error(`--mutations: choose from ${mutations.slice(1).join(', ')}`);
      }
    }
    const chosen = <T extends string>(all: readonly T[]): T[] =>
      all.slice(1).filter((m) => only === undefined || only.includes(m));
    this.textMutations = chosen(TEXT_MUTATIONS);
    this.binaryMutations = chosen(BINARY_MUTATIONS);
    this.report = {
      protocol: options.protocol,
      target: `${target.host}:${target.port}`,
      seed: options.seed,
      framesSent: 0,
      connections: 0,
      closedByDaemon: 0,
      mutations: Object.fromEntries(mutations.map((m) => [m, 0])),
      livenessChecks: 0,
      livenessFailures: 0,
      livenessFailureReasons: [],
      framesBeforeFirstFailure: [],
      slowestLivenessMs: 0,
      crashes: 0,
      elapsedSeconds: 0,
      stoppedBy: 'frames',
    };
  }

  get stopped(): boolean {
    if (this.#stopped) return true;
    if (this.report.framesSent >= this.options.frames) return true;
    if (this.options.signal?.aborted === true) {
      this.report.stoppedBy = 'signal';
      this.#stopped = true;
    } else if (Date.now() > this.deadline) {
      this.report.stoppedBy = 'time';
      this.#stopped = true;
    }
    return this.#stopped;
  }

  /** Counts one frame sent; starts a liveness probe when one is due. */
  countFrame(mutation: string, sent: Buffer | string): void {
    const bytes = typeof sent === 'string' ? Buffer.from(sent, 'utf8') : sent;
    const shown = bytes.subarray(0, RECENT_FRAME_BYTES_SHOWN).toString('hex');
    this.#recent.push(`${mutation} ${bytes.length} bytes: ${shown}`);
    if (this.#recent.length > RECENT_FRAMES_KEPT) this.#recent.shift();
    this.report.framesSent++;
    this.report.mutations[mutation] = (this.report.mutations[mutation] ?? 0) + 1;
    if (this.report.framesSent >= this.#nextLivenessAt && this.#livenessRunning === undefined) {
      this.#nextLivenessAt = this.report.framesSent + this.options.livenessEvery;
      this.#livenessRunning = this.checkLiveness().finally(() => {
        this.#livenessRunning = undefined;
      });
    }
  }

  async checkLiveness(): Promise<void> {
    const { options } = this;
    this.report.livenessChecks++;
    try {
      const ms = await probe(
        options.protocol,
        this.target,
        options.livenessTimeoutMs,
        this.report.livenessChecks,
      );
      this.report.slowestLivenessMs = Math.max(this.report.slowestLivenessMs, ms);
    } catch (err) {
      this.report.livenessFailures++;
      if (this.report.framesBeforeFirstFailure.length === 0) {
        this.report.framesBeforeFirstFailure = [...this.#recent];
      }
      const reason = `after ${this.report.framesSent} frames: ${(err as Error).message}`;
      if (this.report.livenessFailureReasons.length < 20) {
        this.report.livenessFailureReasons.push(reason);
      }
      options.log?.(`liveness failure ${reason}`);
    }
    if (options.pid !== undefined) {
      const rss = readMemoryKiB(options.pid, 'VmRSS');
      if (rss !== undefined) this.report.rssPeakKiB = Math.max(this.report.rssPeakKiB ?? 0, rss);
      if (!processAlive(options.pid)) this.crash(`process ${options.pid} is gone`);
    }
    if (this.report.livenessChecks % 20 === 0) {
      options.log?.(
        `${this.report.framesSent} frames, ${this.report.connections} connections, ` +
          `${this.report.livenessFailures} liveness failures, slowest ` +
          `${this.report.slowestLivenessMs.toFixed(1)} ms`,
      );
    }
  }

  crash(reason: string): void {
    if (this.report.crashes === 0) this.options.log?.(`crash: ${reason}`);
    this.report.crashes = 1;
    this.report.stoppedBy = 'crash';
    this.#stopped = true;
  }

  async waitForLiveness(): Promise<void> {
    await this.#livenessRunning;
  }

  /**
   * A random source for the next connection. Connections run concurrently and finish in an
   * order that depends on timing, so each gets its own source derived from the seed and its
   * number: what connection N sends is the same in every run with the same seed.
   */
  nextConnectionRandom(): Random {
    this.#connectionNumber++;
    return new Random(Math.imul(this.options.seed, 0x9e3779b1) ^ this.#connectionNumber);
  }

  /** The captured frames a connection replays: a random window of one captured session. */
  pickSession(random: Random): CorpusConnection {
    const source = random.pick(this.corpus);
    const count = source.frames.length || source.messages.length;
    if (count <= FRAMES_PER_CONNECTION_MAX) return source;
    // Keep the first frame (the handshake of ZooKeeper and ws) and a window after it.
    const from = random.int(1, count - FRAMES_PER_CONNECTION_MAX + 1);
    const window = <T>(items: T[]): T[] =>
      items.length === 0
        ? []
        : [items[0] as T, ...items.slice(from, from + FRAMES_PER_CONNECTION_MAX - 1)];
    return {
      source: source.source,
      frames: window(source.frames),
      messages: window(source.messages),
    };
  }
}

/**
 * The first frame of a connection (ZooKeeper's ConnectRequest, the ws connect, Kafka's
 * ApiVersions) is mutated less often: a broken handshake ends the connection at once, and the
 * frames after it are where most of the decoding happens.
 */
function mutationRate(run: Run, index: number): number {
  return index === 0 ? run.options.mutationRate / 4 : run.options.mutationRate;
}

// ---------------------------------------------------------------------------------------------
// Binary connections (Kafka, ZooKeeper)

async function binaryConnection(run: Run): Promise<void> {
  const random = run.nextConnectionRandom();
  const session = run.pickSession(random);
  const headerOffset = run.options.protocol === 'kafka' ? 0 : 4;
  const socket = tcpConnect(run.target.port, run.target.host);
  let closed = false;
  let lastDataAt = Date.now();
  const closedByDaemon = new Promise<void>((resolve) => {
    socket.on('data', () => {
      lastDataAt = Date.now();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      resolve();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
  } catch (err) {
    throw new Error(`connect failed: ${(err as Error).message}`, { cause: err });
  }
  run.report.connections++;
  for (const [index, frame] of session.frames.entries()) {
    if (closed || run.stopped) break;
    const mutated = random.chance(mutationRate(run, index));
    const mutation = mutated ? random.pick(run.binaryMutations) : 'replay';
    const other = random.pick(run.allFrames);
    const plan: BinaryPlan = planBinary(random, mutation, frame, other, headerOffset);
    for (const chunk of plan.chunks) {
      if (closed) break;
      const flushed = socket.write(chunk);
      if (!flushed)
        await Promise.race([new Promise((r) => socket.once('drain', r)), closedByDaemon]);
      if (plan.pauseMs > 0) await sleep(plan.pauseMs);
    }
    run.countFrame(plan.mutation, Buffer.concat(plan.chunks));
    if (plan.closeAfter) break;
    // Let the daemon answer now and then, as a real client waiting for replies would.
    if (random.chance(0.3)) await sleep(1);
  }
  await linger(
    () => closed,
    () => lastDataAt,
    closedByDaemon,
  );
  if (closed) run.report.closedByDaemon++;
  socket.destroy();
}

/** Waits until the daemon closed the connection or has been quiet for QUIET_MS. */
async function linger(
  isClosed: () => boolean,
  lastDataAt: () => number,
  closedByDaemon: Promise<void>,
): Promise<void> {
  const started = Date.now();
  while (!isClosed() && Date.now() - started < LINGER_MAX_MS) {
    const quietFor = Date.now() - Math.max(lastDataAt(), started);
    if (quietFor >= QUIET_MS) return;
    await Promise.race([sleep(QUIET_MS - quietFor), closedByDaemon]);
  }
}

// ---------------------------------------------------------------------------------------------
// WebSocket connections (the coordinator's JSON protocol)

async function wsConnection(run: Run, random: Random): Promise<void> {
  const session = run.pickSession(random);
  const ws = new WebSocket(`ws://${run.target.host}:${run.target.port}/`, {
    // Our own limit would refuse the daemon's large answers; we only count them.
    maxPayload: 64 * 1024 * 1024,
  });
  let closed = false;
  let lastDataAt = Date.now();
  const closedByDaemon = new Promise<void>((resolve) => {
    ws.on('message', () => {
      lastDataAt = Date.now();
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      closed = true;
      resolve();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
  } catch (err) {
    throw new Error(`connect failed: ${(err as Error).message}`, { cause: err });
  }
  run.report.connections++;
  for (const [index, message] of session.messages.entries()) {
    if (closed || run.stopped) break;
    const mutated = random.chance(mutationRate(run, index));
    const mutation = mutated ? random.pick(run.textMutations) : 'replay';
    const plan: TextPlan = planText(random, mutation, message);
    if (plan.pauseMs > 0) await sleep(plan.pauseMs);
    for (const m of plan.messages) {
      if (closed) break;
      await new Promise<void>((resolve) => ws.send(m, { binary: plan.binary }, () => resolve()));
    }
    const first = plan.messages[0] ?? '';
    run.countFrame(plan.mutation, first);
    if (random.chance(0.3)) await sleep(1);
  }
  await linger(
    () => closed,
    () => lastDataAt,
    closedByDaemon,
  );
  if (closed) run.report.closedByDaemon++;
  ws.terminate();
}

/**
 * A few raw TCP connections per run that open like a WebSocket upgrade and then send garbage:
 * the client port routes anything starting with "GET " to the HTTP server.
 */
async function httpGarbageConnection(run: Run, random: Random): Promise<void> {
  const socket: Socket = tcpConnect(run.target.port, run.target.host);
  const closed = new Promise<void>((resolve) => {
    socket.on('error', () => {});
    socket.on('close', () => resolve());
    socket.on('data', () => {});
  });
  socket.write(
    Buffer.concat([
      Buffer.from('GET /'),
      random.bytes(random.int(0, 600)),
      Buffer.from('\r\n\r\n'),
    ]),
  );
  run.report.connections++;
  await Promise.race([closed, sleep(200)]);
  socket.destroy();
}

// ---------------------------------------------------------------------------------------------
// The run

async function worker(run: Run): Promise<void> {
  while (!run.stopped) {
    try {
      if (run.options.protocol === 'ws') {
        const random = run.nextConnectionRandom();
        if (random.chance(0.02)) await httpGarbageConnection(run, random);
        else await wsConnection(run, random);
      } else {
        await binaryConnection(run);
      }
    } catch (err) {
      // The daemon refused a connection: find out at once whether it is still alive.
      run.options.log?.(`connection error: ${(err as Error).message}`);
      await run.checkLiveness();
      if (run.options.pid === undefined && run.report.livenessFailures > 3) {
        run.crash('the daemon refuses connections');
      }
    }
  }
}

async function settle(run: Run): Promise<void> {
  const { pid, settleSeconds } = run.options;
  if (pid === undefined) return;
  const before = run.report.rssBeforeKiB;
  const until = Date.now() + settleSeconds * 1000;
  let rss = readMemoryKiB(pid, 'VmRSS');
  // Memory is given back lazily (sessions expire, the GC runs when it likes): sample until
  // it is back within 10% of the start, or the settle time is over.
  while (rss !== undefined && before !== undefined && rss > before * 1.1 && Date.now() < until) {
    await sleep(1000);
    rss = readMemoryKiB(pid, 'VmRSS');
  }
  run.report.rssAfterKiB = rss;
  if (rss === undefined) run.crash(`process ${pid} is gone`);
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  if (!LOOPBACK_HOSTS.has(options.host)) {
    throw new Error(`the fuzzer only targets loopback addresses, not ${options.host}`);
  }
  const target: Target = { host: options.host, port: options.port };
  const run = new Run(options, target);
  const started = Date.now();
  if (options.pid !== undefined) {
    run.report.rssBeforeKiB = readMemoryKiB(options.pid, 'VmRSS');
    if (run.report.rssBeforeKiB === undefined) throw new Error(`no process ${options.pid}`);
  }
  // A first probe: a daemon that does not answer before fuzzing is not a finding.
  await probe(options.protocol, target, options.livenessTimeoutMs, 0);
  await Promise.all(Array.from({ length: options.connections }, () => worker(run)));
  await run.waitForLiveness();
  // The final word: one more probe once everything is closed.
  if (run.report.crashes === 0) await run.checkLiveness();
  await settle(run);
  run.report.elapsedSeconds = Math.round((Date.now() - started) / 100) / 10;
  return run.report;
}

export function formatReport(report: FuzzReport): string {
  const mib = (kib: number | undefined) =>
    kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(1)} MiB`;
  const rssChangePercent =
    report.rssBeforeKiB !== undefined && report.rssAfterKiB !== undefined
      ? ((report.rssAfterKiB - report.rssBeforeKiB) / report.rssBeforeKiB) * 100
      : undefined;
  const rssChange = rssChangePercent !== undefined ? ` (${rssChangePercent.toFixed(1)}%)` : '';
  return [
    `fuzz ${report.protocol} ${report.target} seed ${report.seed}: stopped by ${report.stoppedBy}`,
    `  frames sent        ${report.framesSent} over ${report.connections} connections ` +
      `(${report.closedByDaemon} closed by the daemon) in ${report.elapsedSeconds} s`,
    `  mutations          ${Object.entries(report.mutations)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  crashes            ${report.crashes}`,
    `  liveness           ${report.livenessChecks} checks, ${report.livenessFailures} failures, ` +
      `slowest ${report.slowestLivenessMs.toFixed(1)} ms`,
    ...report.livenessFailureReasons.map((r) => `    ${r}`),
    ...(report.framesBeforeFirstFailure.length === 0
      ? []
      : ['  frames before the first failure (oldest first):'].concat(
          report.framesBeforeFirstFailure.map((f) => `    ${f}`),
        )),
    `  RSS                before ${mib(report.rssBeforeKiB)}, ` +
      `peak sampled ${mib(report.rssPeakKiB)}, ` +
      `after ${mib(report.rssAfterKiB)}${rssChange}`,
  ].join('\n');
}

function parseNumber(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got ${text}`);
  return value;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('fuzz')
    .description('replay mutated real-client frames against a coordinator or broker')
    .requiredOption('--port <port>', 'the daemon port (loopback)')
    .requiredOption('--protocol <protocol>', 'kafka, zookeeper or ws')
    .option('--host <host>', 'loopback address of the daemon', '127.0.0.1')
    .option('--frames <n>', 'frames to send', '10000')
    .option('--seed <n>', 'random seed (default: time-based, printed)')
    .option('--pid <pid>', "daemon's process id: crash detection and RSS")
    .option('--connections <n>', 'connections at once', '16')
    .option('--liveness-every <n>', 'frames between liveness probes', '300')
    .option('--liveness-timeout-ms <ms>', 'how long a probe may take', '10000')
    .option('--mutation-rate <p>', 'probability that a frame is mutated', '0.5')
    .option('--max-seconds <s>', 'stop after this long whatever the count', '900')
    .option('--settle-seconds <s>', 'wait for RSS to come back after the run', '60')
    .option('--corpus <dir>', 'corpus directory', CORPUS_DIR)
    .option('--mutations <list>', 'only these mutations, comma-separated (default: all)')
    .option('--json', 'print the report as JSON');
  program.parse(argv);
  const o = program.opts<Record<string, string | boolean | undefined>>();
  const protocol = o.protocol as string;
  if (protocol !== 'kafka' && protocol !== 'zookeeper' && protocol !== 'ws') {
    throw new Error(`--protocol must be kafka, zookeeper or ws, got ${protocol}`);
  }
  // Ctrl-C ends the run early but still waits for open connections and prints the report.
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  const seed =
    o.seed === undefined ? Date.now() % 0x7fffffff : parseNumber(o.seed as string, '--seed');
  const report = await runFuzz({
    protocol,
    host: o.host as string,
    port: parseNumber(o.port as string, '--port'),
    frames: parseNumber(o.frames as string, '--frames'),
    seed,
    pid: o.pid === undefined ? undefined : parseNumber(o.pid as string, '--pid'),
    connections: parseNumber(o.connections as string, '--connections'),
    livenessEvery: parseNumber(o.livenessEvery as string, '--liveness-every'),
    livenessTimeoutMs: parseNumber(o.livenessTimeoutMs as string, '--liveness-timeout-ms'),
    mutationRate: parseNumber(o.mutationRate as string, '--mutation-rate'),
    maxSeconds: parseNumber(o.maxSeconds as string, '--max-seconds'),
    settleSeconds: parseNumber(o.settleSeconds as string, '--settle-seconds'),
    corpusDir: o.corpus as string,
    mutations: o.mutations === undefined ? undefined : (o.mutations as string).split(','),
    log: (line) => process.stderr.write(`${line}\n`),
    signal: abort.signal,
  });
  process.stdout.write(
    `${o.json === true ? JSON.stringify(report, null, 2) : formatReport(report)}\n`,
  );
  process.exitCode = report.crashes === 0 && report.livenessFailures === 0 ? 0 : 1;
}

if (isEntryPoint(import.meta.url)) {
  main(process.argv).catch((err: unknown) => {
    process.stderr.write(`fuzz: ${(err as Error).message}\n`);
    process.exitCode = 2;
  });
}
