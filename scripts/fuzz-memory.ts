/**
 * Does fuzzing leak? (not a test) Runs the socket fuzzer (scripts/fuzz.ts) against one daemon
 * several rounds in a row and measures the daemon's memory after each round, with a forced
 * garbage collection, so growth that continues round after round (a leak) can be told from
 * growth that happens once (V8 sizing its heap, the allocator keeping pages, state the
 * replayed clients legitimately create: topics, znodes, sessions). At the end the daemon is
 * stopped and a fresh process is started on the data directory the rounds left behind, to
 * measure what holding that state costs without the history.
 *
 *   node --import=tsx scripts/fuzz-memory.ts --protocol kafka|zookeeper|ws \
 *        [--rounds 4] [--frames 100000] [--seed 204] [--settle-seconds 60] [--snapshots DIR]
 *        [--arenas] [--mutations huge,deep] [--no-malloc-settings]
 *
 * The measured daemon (the coordinator for zookeeper and ws, which share its client port; the
 * broker for kafka, with a coordinator of its own) runs from the TypeScript sources with
 * `--inspect` on a free loopback port; the script talks to it over the inspector protocol:
 * VmRSS as it is, then HeapProfiler.collectGarbage, then process.memoryUsage() and the count
 * of active handles.
 * VmRSS comes from /proc/PID/status. With --snapshots, a heap snapshot is written after the
 * first and the last round (open them in Chrome DevTools' Memory tab and compare).
 * With --arenas, every measurement also lists glibc's malloc arenas by the threads that use
 * them, memory held and memory in use (scripts/fuzz-arenas.ts, through gdb): RSS that is
 * neither heap nor external memory is there. With --mutations, the rounds send only those
 * mutations (and replayed frames), to find which kind of input leaves memory behind. The
 * daemons inherit this script's environment (MALLOC_ARENA_MAX, LD_PRELOAD, for one) with the
 * allocator default that `npm start` gives its daemons (src/malloc-settings.ts) added, so the
 * figures are those of the launched daemons; --no-malloc-settings leaves it out, to measure
 * glibc's own defaults.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { BenchDaemons, freePort } from './bench-daemons.js';
import { runFuzz, CORPUS_DIR, type FuzzReport } from './fuzz.js';
import type { FuzzProtocol } from './fuzz-liveness.js';
import { Inspected, type Measurement } from './inspected-daemon.js';
import { arenaReport, summarizeArenas } from './fuzz-arenas.js';
import { daemonEnvironment, MMAP_THRESHOLD_VARIABLE } from '../src/malloc-settings.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function row(m: Measurement): string {
  const f = (n: number) => n.toFixed(1);
  return (
    `| ${m.label} | ${m.framesSoFar.toLocaleString('en-US')} | ${f(m.rssBeforeGcMiB)} | ` +
    `${f(m.rssMiB)} | ` +
    `${f(m.heapUsedMiB)} | ${f(m.heapTotalMiB)} | ${f(m.externalMiB)} | ` +
    `${f(m.arrayBuffersMiB)} | ${m.handles} |`
  );
}

async function main(argv: string[]): Promise<void> {
  const o = new Command('fuzz-memory')
    .requiredOption('--protocol <protocol>', 'kafka, zookeeper or ws')
    .option('--rounds <n>', 'fuzz rounds against the same daemon', '4')
    .option('--frames <n>', 'frames per round', '100000')
    .option('--seed <n>', 'seed of the first round (the next rounds add 1 each)', '200')
    .option('--settle-seconds <s>', 'wait after each round before measuring', '60')
    .option('--snapshots <dir>', 'write heap snapshots after the first and last round here')
    .option('--arenas', "list the daemon's malloc arenas after each measurement (gdb)")
    .option('--mutations <list>', 'only these mutations, comma-separated (default: all)')
    .option('--no-malloc-settings', "leave out npm start's allocator default (glibc's own)")
    .parse(argv)
    .opts<Record<string, string | boolean | undefined>>();
  const protocol = o.protocol as FuzzProtocol;
  if (!['kafka', 'zookeeper', 'ws'].includes(protocol)) throw new Error('bad --protocol');
  const rounds = Number(o.rounds);
  const frames = Number(o.frames);
  const settleMs = Number(o.settleSeconds) * 1000;

  // The daemons inherit process.env (child_process.spawn's default).
  if (o.mallocSettings !== false) process.env = daemonEnvironment(process.env);
  const daemons = new BenchDaemons('samsa-fuzz-memory-');
  try {
    const zkPort = await freePort();
    const coordinatorArgs = ['start', '--port', String(zkPort), '--admin-port', '-1'];
    coordinatorArgs.push('--data-dir', path.join(daemons.dir, 'coordinator'));
    const brokerPort = await freePort();
    const brokerArgs = ['start', '--id', '1', '--port', String(brokerPort)]
      .concat(['--coordinator', `127.0.0.1:${zkPort}`, '--admin-port', '-1'])
      .concat(['--data-dir', path.join(daemons.dir, 'broker')]);
    const startMeasured = async (): Promise<Inspected> =>
      protocol === 'kafka'
        ? Inspected.start(daemons, 'broker/cli.ts', brokerArgs, 'broker listening')
        : Inspected.start(daemons, 'coordinator/cli.ts', coordinatorArgs, 'coordinator listening');
    if (protocol === 'kafka') {
      await daemons.start('coordinator/cli.ts', coordinatorArgs, 'coordinator listening');
    }
    let daemon = await startMeasured();
    const port = protocol === 'kafka' ? brokerPort : zkPort;
    console.log(
      `${protocol}: ${rounds} rounds of ${frames} frames against pid ${daemon.child.pid}; ` +
        `${os.cpus().length} cores (${os.cpus()[0]?.model}), node ${process.version}, ` +
        `load average ${os.loadavg()[0]!.toFixed(1)}; ` +
        `${MMAP_THRESHOLD_VARIABLE}=${process.env[MMAP_THRESHOLD_VARIABLE] ?? '(unset)'}` +
        (process.env.LD_PRELOAD === undefined ? '' : `, LD_PRELOAD=${process.env.LD_PRELOAD}`),
    );
    await sleep(2000);
    const arenas = (): void => {
      if (o.arenas !== true) return;
      const report = arenaReport(daemon.child.pid!);
      console.log(`  arenas: ${report === null ? 'gdb could not tell' : summarizeArenas(report)}`);
    };
    const measurements = [await daemon.measure('fresh, empty', 0)];
    console.log(row(measurements[0]!));
    arenas();
    const reports: FuzzReport[] = [];
    for (let r = 0; r < rounds; r++) {
      const report = await runFuzz({
        protocol,
        host: '127.0.0.1',
        port,
        frames,
        seed: Number(o.seed) + r,
        pid: daemon.child.pid,
        connections: 16,
        livenessEvery: 300,
        livenessTimeoutMs: 15_000,
        mutationRate: 0.5,
        maxSeconds: 3600,
        settleSeconds: 0,
        corpusDir: CORPUS_DIR,
        mutations: typeof o.mutations === 'string' ? o.mutations.split(',') : undefined,
      });
      reports.push(report);
      console.log(
        `round ${r + 1}: ${report.framesSent} frames, ${report.connections} connections, ` +
          `${report.crashes} crashes, ${report.livenessFailures} liveness failures, ` +
          `${report.elapsedSeconds} s, load average ${os.loadavg()[0]!.toFixed(1)}`,
      );
      if (report.crashes > 0) throw new Error('the daemon crashed');
      await sleep(settleMs);
      const m = await daemon.measure(
        `after round ${r + 1}`,
        reports.reduce((n, x) => n + x.framesSent, 0),
      );
      measurements.push(m);
      console.log(row(m));
      console.log(`  active resources: ${JSON.stringify(m.handleKinds)}`);
      arenas();
      if (typeof o.snapshots === 'string' && (r === 0 || r === rounds - 1)) {
        await daemon.snapshot(path.join(o.snapshots, `${protocol}-round-${r + 1}.heapsnapshot`));
      }
    }
    await daemon.stop();
    daemon = await startMeasured();
    await sleep(settleMs);
    const fresh = await daemon.measure('fresh process, same data', 0);
    measurements.push(fresh);
    console.log(row(fresh));
    arenas();
    await daemon.stop();
    console.log(
      '\n| when | frames so far | RSS MiB | RSS after GC MiB | heap used MiB | heap total MiB | ' +
        'external MiB | array buffers MiB | active handles |\n' +
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const m of measurements) console.log(row(m));
  } finally {
    daemons.stopAll();
  }
}

main(process.argv).catch((err: unknown) => {
  console.error(`fuzz-memory: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
