/**
 * Creating one topic with very many partitions on one broker (not a test): how long until
 * every partition has its log and a leader, how large the broker grows, and whether it keeps
 * answering other clients meanwhile.
 *
 *   node --import=tsx scripts/bench-partitions.ts [partitions=32767] [heap-snapshot-file]
 *   npm run bench:partitions -- 32767
 *
 * A coordinator and one broker run from the TypeScript sources. The topic (replication factor
 * 1) is created through the coordinator CLI, as `kafka-topics.sh --zookeeper` would; the
 * controller then assigns the leaders and the broker creates every partition's log. While
 * that happens, `kcat -L` asks the broker for the metadata of a small topic again and again;
 * each answer's latency is kept. Creation ends when the broker's data directory holds every
 * partition directory and the metadata shows a leader for each partition.
 *
 * The broker runs under the inspector (scripts/inspected-daemon.ts): before the topic is
 * created and once every leader is known, its memory is measured after a forced garbage
 * collection (heap, external and array buffers, VmRSS), so the cost per partition can be
 * told apart by kind. A second argument writes a heap snapshot of the broker at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BenchDaemons, freePort, ROOT } from './bench-daemons.js';
import { Inspected, type Measurement } from './inspected-daemon.js';

const partitions = Number(process.argv[2] ?? 32_767);
const snapshotFile = process.argv[3];
const root = ROOT;
const daemons = new BenchDaemons('samsa-bench-partitions-');
const { dir } = daemons;

const daemon = (script: string, args: string[], ready: string): Promise<ChildProcess> =>
  daemons.start(script, args, ready);

/** Runs a command to its end; resolves with its stdout and how long it took. */
function run(
  command: string,
  args: string[],
): Promise<{ stdout: string; ms: number; code: number | null }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ stdout, ms, code });
    });
  });
}

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/**
 * The soft limit on open files a child of this process gets. A broker keeps one descriptor
 * open per segment (the .log file, as Kafka keeps its FileChannel), so a topic of N
 * partitions needs more than N; past the limit, log creation fails with EMFILE.
 */
function openFilesLimit(): number {
  const limits = fs.readFileSync('/proc/self/limits', 'utf8');
  const soft = /Max open files\s+(\S+)/.exec(limits)?.[1];
  return soft === undefined || soft === 'unlimited' ? Infinity : Number(soft);
}

async function main(): Promise<void> {
  const fdLimit = openFilesLimit();
  // The partitions' .log files, plus sockets, the small topic and the daemon's own files.
  if (partitions + 500 > fdLimit) {
    throw new Error(
      `${partitions} partitions need more than ${partitions + 500} open files; ` +
        `the limit here is ${fdLimit} (ulimit -n). Raise it, or ask for fewer partitions.`,
    );
  }
  const zkPort = await freePort();
  await daemon(
    'coordinator/cli.ts',
    ['start', '--port', String(zkPort), '--admin-port', '-1'].concat([
      '--data-dir',
      path.join(dir, 'coordinator'),
    ]),
    'coordinator listening',
  );
  const connect = `127.0.0.1:${zkPort}`;
  const port = await freePort();
  const brokerDir = path.join(dir, 'broker-1');
  const inspected = await Inspected.start(
    daemons,
    'broker/cli.ts',
    ['start', '--id', '1', '--port', String(port), '--coordinator', connect]
      .concat(['--data-dir', brokerDir])
      .concat(['--override', 'auto.create.topics.enable=false']),
    'broker listening',
  );
  const broker = inspected.child;
  const bootstrap = `127.0.0.1:${port}`;
  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'coordinator/cli.ts', '--server', connect, ...args]);
  await cli(['topics', 'create', 'small', '--partitions', '1', '--replication-factor', '1']);
  const metadata = (topic: string) =>
    run('kcat', ['-b', bootstrap, '-L', '-t', topic, '-J', '-m', '60']);
  for (;;) {
    const { stdout } = await metadata('small');
    if (stdout.includes('"leader":1')) break;
  }
  const memoryBefore = await inspected.measure('before', 0);
  const rssBefore = rssMiB(broker.pid!);
  console.log(
    `1 broker + coordinator on ${os.cpus().length} cores (${os.cpus()[0]?.model}), ` +
      `node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}; ` +
      `${partitions} partitions, replication factor 1; ` +
      `broker RSS before ${rssBefore.toFixed(0)} MiB`,
  );

  const started = Date.now();
  await cli(
    ['topics', 'create', 'many', '--partitions', String(partitions)].concat([
      '--replication-factor',
      '1',
    ]),
  );
  const latencies: number[] = [];
  let rssPeak = rssBefore;
  let failures = 0;
  let logsCreatedMs: number | undefined;
  const countDirs = () => fs.readdirSync(brokerDir).filter((n) => n.startsWith('many-')).length;
  for (;;) {
    const { ms, code } = await metadata('small');
    latencies.push(ms);
    if (code !== 0) failures++;
    rssPeak = Math.max(rssPeak, rssMiB(broker.pid!));
    if (logsCreatedMs === undefined && countDirs() === partitions) {
      logsCreatedMs = Date.now() - started;
    }
    if (logsCreatedMs !== undefined) {
      const { stdout } = await metadata('many');
      const leaders = stdout.split('"leader":1').length - 1;
      if (leaders === partitions) break;
    }
  }
  const leadersMs = Date.now() - started;
  const memoryAfter = await inspected.measure('after', partitions);
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(
    `logs created in ${(logsCreatedMs! / 1000).toFixed(1)} s, every leader in metadata after ` +
      `${(leadersMs / 1000).toFixed(1)} s; broker RSS peak ${rssPeak.toFixed(0)} MiB, after ` +
      `${rssMiB(broker.pid!).toFixed(0)} MiB`,
  );
  console.log(
    `kcat -L (small topic) during creation: ${latencies.length} requests, median ` +
      `${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms, ` +
      `max ${sorted[sorted.length - 1]!.toFixed(0)} ms, ${failures} failed`,
  );
  const perPartition = (key: keyof Measurement) =>
    ((((memoryAfter[key] as number) - (memoryBefore[key] as number)) * 1024 * 1024) / partitions)
      .toFixed(0)
      .concat(' B');
  const line = (m: Measurement) =>
    `RSS ${m.rssMiB.toFixed(1)} MiB, heap used ${m.heapUsedMiB.toFixed(1)} MiB, external ` +
    `${m.externalMiB.toFixed(1)} MiB (array buffers ${m.arrayBuffersMiB.toFixed(1)} MiB)`;
  console.log(`broker after a forced GC, before: ${line(memoryBefore)}`);
  console.log(`broker after a forced GC, after:  ${line(memoryAfter)}`);
  console.log(
    `per partition: RSS ${perPartition('rssMiB')}, heap ${perPartition('heapUsedMiB')}, ` +
      `external ${perPartition('externalMiB')}`,
  );
  if (snapshotFile !== undefined) await inspected.snapshot(snapshotFile);
  await inspected.stop();
}

try {
  await main();
} finally {
  daemons.stopAll();
}
