/**
 * End-to-end latency under replication (not a test): a coordinator and three broker
 * processes, a topic with replication factor 3 and min.insync.replicas=2, and
 * scripts/bench-latency.c (librdkafka; compiled here with `cc`, needs librdkafka-dev) producing
 * 100-byte records at a fixed rate with acks=all while a consumer in the same process
 * measures produce-to-consume time per record (p50, p99, max).
 *
 *   node --import=tsx scripts/bench-latency.ts [rate=100000] [seconds=10]
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { BenchDaemons, freePort, ROOT } from './bench-daemons.js';

const rate = Number(process.argv[2] ?? 100_000);
const seconds = Number(process.argv[3] ?? 10);
const root = ROOT;
const daemons = new BenchDaemons('samsa-bench-latency-');
const { dir } = daemons;

const daemon = (script: string, args: string[], ready: string): Promise<ChildProcess> =>
  daemons.start(script, args, ready);

async function main(): Promise<void> {
  const binary = path.join(dir, 'bench-latency');
  execFileSync(
    'cc',
    ['-O2', '-o', binary, path.join(root, 'scripts/bench-latency.c')].concat([
      '-lrdkafka',
      '-lpthread',
    ]),
  );
  const connect = await daemons.startCoordinator();
  const ports: number[] = [];
  for (const id of [1, 2, 3]) {
    const port = await freePort();
    ports.push(port);
    await daemon(
      'broker/cli.ts',
      ['start', '--id', String(id), '--port', String(port), '--coordinator', connect]
        .concat(['--data-dir', path.join(dir, `broker-${id}`)])
        .concat(['--override', 'min.insync.replicas=2']),
      'broker listening',
    );
  }
  execFileSync(
    process.execPath,
    ['--import', 'tsx', 'coordinator/cli.ts', '--server', connect]
      .concat(['topics', 'create', 'latency', '--partitions', '1'])
      .concat(['--replication-factor', '3']),
    { cwd: root },
  );
  const bootstrap = ports.map((p) => `127.0.0.1:${p}`).join(',');
  // Until the leader is known, metadata requests fail; kcat -L waits for them.
  execFileSync('kcat', ['-b', bootstrap, '-L', '-t', 'latency', '-m', '30']);
  console.log(
    `3 brokers + coordinator on ${os.cpus().length} cores, node ${process.version}; ` +
      `RF 3, acks=all, ${rate} records/s for ${seconds} s`,
  );
  const out = execFileSync(binary, [bootstrap, 'latency', String(rate), String(seconds)]);
  process.stdout.write(out);
}

try {
  await main();
} finally {
  daemons.stopAll();
}
