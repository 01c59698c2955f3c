/**
 * Produce throughput with replication (not a test): a coordinator and three broker processes
 * on this machine, kcat (librdkafka) producing 100-byte records: first to a topic with
 * replication factor 1 (the baseline, acks=1), then replication factor 3 with acks=1 and with
 * acks=all (-1), min.insync.replicas=2. One topic per run.
 *
 *   node --import=tsx scripts/bench-replication.ts [records=1000000] [partitions=1]
 *   npm run bench:replication -- 1000000 3
 *
 * The daemons run from the TypeScript sources through tsx, as the tests do (tsx only costs
 * start-up time). Each phase is timed from kcat's start to its exit, so connection set-up and
 * metadata are included. With acks=all every batch waits until both followers have fetched
 * it, so the figure measures the whole replication round trip: leader append, follower long
 * poll answered, follower append, follower's next fetch moving the high watermark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BenchDaemons, freePort, ROOT } from './bench-daemons.js';

const RECORD_BYTES = 100;
const recordCount = Number(process.argv[2] ?? 1_000_000);
const partitions = Number(process.argv[3] ?? 1);
const root = ROOT;
const daemons = new BenchDaemons('samsa-bench-replication-');
const { dir } = daemons;

const daemon = (script: string, args: string[], ready: string): Promise<ChildProcess> =>
  daemons.start(script, args, ready);

function run(command: string, args: string[], stdinFile?: string): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: [stdinFile ? fs.openSync(stdinFile, 'r') : 'ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}`));
      else resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
  });
}

/** User + system CPU time of a process so far, from /proc (Linux; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function writeRecords(file: string): void {
  const fd = fs.openSync(file, 'w');
  const line = 'x'.repeat(RECORD_BYTES - 8);
  let chunk: string[] = [];
  for (let i = 0; i < recordCount; i++) {
    chunk.push(`${String(i).padStart(8, '0')}${line}`);
    if (chunk.length === 10_000) {
      fs.writeSync(fd, chunk.join('\n') + '\n');
      chunk = [];
    }
  }
  if (chunk.length > 0) fs.writeSync(fd, chunk.join('\n') + '\n');
  fs.closeSync(fd);
}

async function main(): Promise<void> {
  const connect = await daemons.startCoordinator();
  const ports: number[] = [];
  const brokers: ChildProcess[] = [];
  for (const id of [1, 2, 3]) {
    const port = await freePort();
    ports.push(port);
    const broker = await daemon(
      'broker/cli.ts',
      ['start', '--id', String(id), '--port', String(port), '--coordinator', connect]
        .concat(['--data-dir', path.join(dir, `broker-${id}`)])
        .concat(['--override', 'min.insync.replicas=2']),
      'broker listening',
    );
    brokers.push(broker);
  }
  const brokersCpuMs = () => brokers.reduce((sum, b) => sum + cpuMs(b.pid!), 0);
  const bootstrap = ports.map((p) => `127.0.0.1:${p}`).join(',');
  const records = path.join(dir, 'records.txt');
  writeRecords(records);
  console.log(
    `3 brokers + coordinator on ${os.cpus().length} cores (${os.cpus()[0]?.model}), ` +
      `node ${process.version}; ${recordCount} records of ${RECORD_BYTES} bytes, ` +
      `${partitions} partition(s), min.insync.replicas=2`,
  );
  // The first run is the baseline without replication, on the same processes and machine.
  const runs = [
    { acks: '1', replicationFactor: 1 },
    { acks: '1', replicationFactor: 3 },
    { acks: 'all', replicationFactor: 3 },
  ];
  for (const { acks, replicationFactor } of runs) {
    const topic = `bench-rf${replicationFactor}-acks-${acks}`;
    await run(
      process.execPath,
      ['--import', 'tsx', 'coordinator/cli.ts', '--server', connect]
        .concat(['topics', 'create', topic, '--partitions', String(partitions)])
        .concat(['--replication-factor', String(replicationFactor)]),
    );
    // Wait for the leaders: a metadata query that lists the topic with leaders.
    for (let i = 0; i < 100; i++) {
      const out = await new Promise<string>((resolve) => {
        const child = spawn('kcat', ['-b', bootstrap, '-L', '-t', topic, '-J']);
        let text = '';
        child.stdout.on('data', (c: Buffer) => (text += c.toString()));
        child.on('exit', () => resolve(text));
      });
      if (out.includes('"leader":') && !out.includes('"leader":-1')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const cpuBefore = brokersCpuMs();
    const ms = await run(
      'kcat',
      ['-b', bootstrap, '-P', '-t', topic, '-X', `acks=${acks}`, '-X', 'linger.ms=5'].concat([
        '-X',
        'batch.num.messages=10000',
        '-X',
        'queue.buffering.max.messages=1000000',
      ]),
      records,
    );
    // Followers may still be copying the tail (acks=1): let them finish before reading the
    // brokers' CPU time. The wall time above is not affected.
    await new Promise((r) => setTimeout(r, 1_000));
    const cpu = brokersCpuMs() - cpuBefore;
    const perSecond = Math.round((recordCount / ms) * 1000);
    const mbPerSecond = ((recordCount * RECORD_BYTES) / ms / 1000 / 1.048576).toFixed(1);
    console.log(
      `RF ${replicationFactor} acks=${acks.padEnd(3)} ${recordCount} records in ` +
        `${ms.toFixed(0)} ms: ` +
        `${perSecond.toLocaleString('en')} records/s, ${mbPerSecond} MB/s ` +
        `(CPU of the three brokers: ${cpu.toFixed(0)} ms)`,
    );
  }
}

try {
  await main();
} finally {
  daemons.stopAll();
}
