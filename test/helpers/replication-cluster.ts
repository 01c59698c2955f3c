/**
 * Three broker processes and a coordinator for the replication tests
 * (test/broker/replication-*.test.ts): start, kill -9, restart on the same port and data,
 * read a partition's state znode, produce and consume with kcat, compare the replicas' log
 * files byte for byte. Each scenario has its own test file, so that each gets the whole
 * per-file time budget (they wait for session expiries and ISR lag times).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  daemonDataDir,
  freePort,
  ROOT,
  spawnDaemon,
  startCoordinatorProcess,
  type DaemonProcess,
} from './processes.js';

export const run = promisify(execFile);
export const kcatAvailable = spawnSync('kcat', ['-V']).status === 0;

export interface Broker extends DaemonProcess {
  id: number;
  port: number;
}

export interface Cluster {
  connect: string;
  dir: string;
  brokers: Map<number, Broker>;
  overrides: string[];
  bootstrap(): string;
}

export async function startBroker(
  t: { teardown(fn: () => unknown): void },
  cluster: Cluster,
  id: number,
  port?: number,
): Promise<Broker> {
  const p = port ?? (await freePort());
  const args = ['start', '--id', String(id), '--port', String(p)];
  args.push('--coordinator', cluster.connect, '--data-dir', `${cluster.dir}/broker-${id}`);
  for (const o of cluster.overrides) {
    args.push('--override', o);
  }
  const daemon = await spawnDaemon('broker/cli.ts', args, 'broker listening');
  t.teardown(() => daemon.kill('SIGKILL'));
  const broker = { ...daemon, id, port: p };
  cluster.brokers.set(id, broker);
  return broker;
}

export async function startCluster(
  t: { teardown(fn: () => unknown): void },
  overrides: string[],
  options: { tickMs?: number; sessionTimeoutMs?: number } = {},
): Promise<Cluster> {
  const dir = daemonDataDir(t);
  const coordinator = await startCoordinatorProcess({
    dataDir: `${dir}/coordinator`,
    tickMs: options.tickMs ?? 100,
  });
  t.teardown(() => coordinator.kill('SIGKILL'));
  const cluster: Cluster = {
    connect: `127.0.0.1:${coordinator.port}`,
    dir,
    brokers: new Map(),
    overrides: [`zookeeper.session.timeout.ms=${options.sessionTimeoutMs ?? 2000}`, ...overrides],
    bootstrap: () => [...cluster.brokers.values()].map((b) => `127.0.0.1:${b.port}`).join(','),
  };
  for (const id of [1, 2, 3]) await startBroker(t, cluster, id);
  return cluster;
}

export async function kill9(cluster: Cluster, id: number): Promise<void> {
  const broker = cluster.brokers.get(id)!;
  process.kill(broker.pid, 'SIGKILL');
  await broker.exited;
  cluster.brokers.delete(id);
}

/** Restarts a killed broker on its port once its old registration has expired. */
export async function restart(
  t: Parameters<typeof startBroker>[0],
  cluster: Cluster,
  broker: Broker,
) {
  await waitFor(`broker ${broker.id}'s registration to expire`, async () => {
    const { stdout } = await cli(cluster, ['ls', '/brokers/ids']);
    return stdout.includes(String(broker.id)) ? undefined : true;
  });
  return startBroker(t, cluster, broker.id, broker.port);
}

export function cli(cluster: Cluster, args: string[]): Promise<{ stdout: string }> {
  return run(
    process.execPath,
    ['--import', 'tsx', 'coordinator/cli.ts', '--server', cluster.connect, ...args],
    { cwd: ROOT },
  );
}

export interface PartitionStateJson {
  leader: number;
  leader_epoch: number;
  isr: number[];
}

export async function partitionState(
  cluster: Cluster,
  topic: string,
  partition: number,
): Promise<PartitionStateJson> {
  const { stdout } = await cli(cluster, [
    'get',
    `/brokers/topics/${topic}/partitions/${partition}/state`,
  ]);
  return JSON.parse(stdout.slice(stdout.indexOf('{'), stdout.lastIndexOf('}') + 1));
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 40_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function createTopic(
  cluster: Cluster,
  topic: string,
  partitions: number,
): Promise<void> {
  await cli(cluster, [
    'topics',
    'create',
    topic,
    '--partitions',
    String(partitions),
    '--replication-factor',
    '3',
  ]);
  for (let p = 0; p < partitions; p++) {
    await waitFor(`a leader for ${topic}-${p}`, async () => {
      const state = await partitionState(cluster, topic, p);
      return state.leader >= 0 ? state : undefined;
    });
  }
}

/** Every record of a partition, via kcat as a plain (group-less) consumer. */
export async function consume(
  bootstrap: string,
  topic: string,
  partition: number,
): Promise<string[]> {
  const { stdout } = await run(
    'kcat',
    ['-b', bootstrap, '-C', '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-q'],
    { maxBuffer: 64 * 1024 * 1024, timeout: 30_000 },
  );
  return stdout.split('\n').filter((line) => line !== '');
}

/** kcat -P with the given acks; resolves with kcat's stderr (delivery failures). */
export function kcatProduce(
  bootstrap: string,
  topic: string,
  partition: number,
  acks: string,
  lines: string[],
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', [
      '-b',
      bootstrap,
      '-P',
      '-t',
      topic,
      '-p',
      String(partition),
      '-X',
      `acks=${acks}`,
      '-X',
      'message.send.max.retries=0',
      '-X',
      'message.timeout.ms=10000',
    ]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', () => resolve(stderr));
    child.stdin.end(lines.join('\n') + '\n');
  });
}

/** The concatenated segment files of each broker's replica of `topic-partition`. */
export function replicaBytes(
  cluster: Cluster,
  topic: string,
  partition: number,
): Map<number, Buffer> {
  const result = new Map<number, Buffer>();
  for (const id of [1, 2, 3]) {
    const dir = path.join(cluster.dir, `broker-${id}`, `${topic}-${partition}`);
    if (!fs.existsSync(dir)) continue;
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .sort();
    result.set(id, Buffer.concat(files.map((f) => fs.readFileSync(path.join(dir, f)))));
  }
  return result;
}

export async function waitForEqualReplicas(cluster: Cluster, topic: string, partition: number) {
  return waitFor(`the replicas of ${topic}-${partition} to agree`, async () => {
    const bytes = [...replicaBytes(cluster, topic, partition).values()];
    const agree = bytes.length === 3 && bytes.every((b) => b.length > 0 && b.equals(bytes[0]!));
    return agree ? bytes[0]! : undefined;
  });
}
