/**
 * Consume throughput through a consumer group (not a test): a coordinator and three broker
 * processes, a 3-partition topic (replication factor 3) filled with 100-byte records by kcat,
 * then read back twice with librdkafka (kcat): by one plain consumer of all partitions (`kcat
 * -C`, no group), and by a group of three `kcat -G` members (one partition each). Each is
 * timed from its first record out to the last process's exit, so the group's join phase
 * (group.initial.rebalance.delay.ms) is not counted against it.
 *
 *   node --import=tsx scripts/bench-group-consume.ts [records=300000]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BenchDaemons, freePort, ROOT } from './bench-daemons.js';

const recordCount = Number(process.argv[2] ?? 300_000);
const root = ROOT;
const daemons = new BenchDaemons('samsa-bench-group-');
const { dir } = daemons;

const daemon = (script: string, args: string[], ready: string): Promise<ChildProcess> =>
  daemons.start(script, args, ready);

/** Runs the kcat processes; returns ms from the first output byte to the last exit. */
async function timedConsumers(argsList: string[][]): Promise<{ ms: number; lines: number }> {
  let first = 0;
  let lines = 0;
  await Promise.all(
    argsList.map(
      (args) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'ignore'] });
          child.stdout.on('data', (chunk: Buffer) => {
            if (first === 0) first = performance.now();
            for (const byte of chunk) if (byte === 10) lines++;
          });
          child.once('error', reject);
          child.once('exit', () => resolve());
        }),
    ),
  );
  return { ms: performance.now() - first, lines };
}

async function main(): Promise<void> {
  const connect = await daemons.startCoordinator();
  const ports: number[] = [];
  for (const id of [1, 2, 3]) {
    const port = await freePort();
    ports.push(port);
    await daemon(
      'broker/cli.ts',
      ['start', '--id', String(id), '--port', String(port), '--coordinator', connect].concat([
        '--data-dir',
        path.join(dir, `broker-${id}`),
      ]),
      'broker listening',
    );
  }
  execFileSync(
    process.execPath,
    ['--import', 'tsx', 'coordinator/cli.ts', '--server', connect]
      .concat(['topics', 'create', 'g', '--partitions', '3', '--replication-factor', '3'])
      .concat([]),
    { cwd: root },
  );
  const bootstrap = ports.map((p) => `127.0.0.1:${p}`).join(',');
  execFileSync('kcat', ['-b', bootstrap, '-L', '-t', 'g', '-m', '30']);
  const file = path.join(dir, 'records.txt');
  const line = 'x'.repeat(99);
  fs.writeFileSync(file, Array.from({ length: recordCount }, () => line).join('\n') + '\n');
  execFileSync('kcat', ['-b', bootstrap, '-P', '-t', 'g', '-X', 'linger.ms=5', '-l', file]);
  const plain = await timedConsumers([
    ['-b', bootstrap, '-C', '-t', 'g', '-o', 'beginning', '-e', '-q', '-f', '%o\n'],
  ]);
  const member = ['-b', bootstrap, '-G', 'bench', '-X', 'auto.offset.reset=earliest'];
  const group = await timedConsumers(
    [1, 2, 3].map(() => [...member, '-e', '-q', '-f', '%o\n', 'g']),
  );
  const rate = (r: { ms: number; lines: number }) =>
    `${r.lines} records in ${r.ms.toFixed(0)} ms: ` +
    `${Math.round((r.lines / r.ms) * 1000).toLocaleString('en')} records/s`;
  console.log(`plain consumer (kcat -C, 3 partitions): ${rate(plain)}`);
  console.log(`group of three (kcat -G):               ${rate(group)}`);
}

try {
  await main();
} finally {
  daemons.stopAll();
}
