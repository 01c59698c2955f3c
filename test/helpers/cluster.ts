/**
 * A cluster of real processes for integration tests: one coordinator and N brokers
 * (`broker/cli.ts start`) on free loopback ports and a temporary data directory, all killed
 * with SIGKILL when the test that started them ends.
 *
 *   const cluster = await startCluster(t, { brokers: [1, 2, 3], overrides: ['k=v'] });
 *   await createTopic(cluster, 'orders', 3);            // waits for a leader per partition
 *   await kill9(cluster, 2);                            // kill -9, wait for the exit
 *   await restart(t, cluster, broker);                  // same id, port and data directory
 *   const state = await partitionState(cluster, 'orders', 0);
 *
 * The test reads znodes through one in-process coordinator client (`cluster.zk`) and runs the
 * coordinator CLI in-process (`cli`), so a probe costs a request, not a new node process.
 *
 * Timing: the coordinator ticks every 100 ms and brokers ask for 2 s sessions, so a killed
 * broker's registration vanishes within about 2 s (options change both). Brokers get the
 * overrides that keep a test short: no initial rebalance delay, short controlled-shutdown
 * back-off. Waits poll with `waitFor` of test/helpers/wait-for.ts; nothing is timed.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { main as coordinatorCli } from '../../coordinator/cli.js';
import { CoordinatorClient } from '../../src/coordinator-client/client.js';
import {
  BrokerIdsZNode,
  ControllerZNode,
  TopicPartitionStateZNode,
  type LeaderAndIsr,
} from '../../src/znodes.js';
import {
  daemonDataDir,
  freePort,
  spawnDaemon,
  startCoordinatorProcess,
  type CoordinatorProcess,
  type DaemonProcess,
} from './processes.js';
import { waitFor as waitUntil } from './wait-for.js';

export const run = promisify(execFile);
export const kcatAvailable = spawnSync('kcat', ['-V']).status === 0;

/**
 * Whether kcat (a Debian package) is installed. Without it a test file skips with a comment,
 * except under CI=true, where a missing tool is a failure.
 */
export function kcatInstalled(t: { fail(message: string): void; comment(m: string): void }) {
  if (kcatAvailable) return true;
  if (process.env.CI === 'true') t.fail('kcat is not installed, and CI=true requires it');
  else t.comment('kcat is not installed: skipping (apt-get install kcat)');
  return false;
}

type Teardown = { teardown(fn: () => unknown): void };

export interface Broker extends DaemonProcess {
  id: number;
  port: number;
}

export interface Cluster {
  connect: string;
  dir: string;
  /** Our coordinator's process; undefined when the brokers run on another service. */
  coordinator: CoordinatorProcess | undefined;
  /** The running brokers by id (kill9/stopBroker remove, startBroker adds). */
  brokers: Map<number, Broker>;
  /** `--override` values every broker of the cluster starts with. */
  overrides: string[];
  /** A client of the coordinator for the test's own reads (closed at teardown). */
  zk: CoordinatorClient;
  /** host:port of every running broker, comma-separated. */
  bootstrap(): string;
}

export interface ClusterOptions {
  /** Ids of the brokers to start (default 1, 2, 3); `[]` starts only the coordinator. */
  brokers?: number[];
  /** Broker config overrides, after the defaults below (a later value wins). */
  overrides?: string[];
  /** The coordinator's tick (default 100 ms: sessions from 200 ms to 2 s). */
  tickMs?: number;
  /** zookeeper.session.timeout.ms of the brokers (default 2000). */
  sessionTimeoutMs?: number;
  /** The log line a started broker must print (default "broker listening"). */
  readyText?: string;
  /**
   * Run the brokers on this coordination service (`host:port[/chroot]`, e.g. an Apache
   * ZooKeeper) instead of starting our coordinator.
   */
  zookeeperConnect?: string;
}

/** Overrides that make brokers quick to react in tests, whatever the scenario. */
const TEST_OVERRIDES = [
  'group.initial.rebalance.delay.ms=0',
  // A failed controlled shutdown retries soon instead of after Kafka's 5 s.
  'controlled.shutdown.retry.backoff.ms=500',
];

/** Probes ask every 100 ms for up to 40 s: a loaded machine is slow, not broken. */
const POLL = { timeoutMs: 40_000, intervalMs: 100 };

export async function startCluster(t: Teardown, options: ClusterOptions = {}): Promise<Cluster> {
  const dir = daemonDataDir(t);
  let coordinator: CoordinatorProcess | undefined;
  let connect = options.zookeeperConnect;
  if (connect === undefined) {
    const started = await startCoordinatorProcess({
      dataDir: `${dir}/coordinator`,
      tickMs: options.tickMs ?? 100,
    });
    t.teardown(() => started.kill('SIGKILL'));
    coordinator = started;
    connect = `127.0.0.1:${started.port}`;
  }
  // ZooKeeper's binary protocol, which our coordinator and Apache ZooKeeper both speak.
  const zk = new CoordinatorClient(connect, { protocol: 'zookeeper', sessionTimeoutMs: 10_000 });
  await zk.connect();
  t.teardown(() => zk.close());
  const cluster: Cluster = {
    connect,
    dir,
    coordinator,
    brokers: new Map(),
    overrides: [
      `zookeeper.session.timeout.ms=${options.sessionTimeoutMs ?? 2000}`,
      ...TEST_OVERRIDES,
      ...(options.overrides ?? []),
    ],
    zk,
    bootstrap: () => [...cluster.brokers.values()].map((b) => `127.0.0.1:${b.port}`).join(','),
  };
  for (const id of options.brokers ?? [1, 2, 3]) {
    await startBroker(t, cluster, id, { readyText: options.readyText });
  }
  return cluster;
}

export interface BrokerOptions {
  /** Default: a free port (pass the old one to restart a broker where clients expect it). */
  port?: number;
  /** Overrides for this broker only, after the cluster's. */
  overrides?: string[];
  readyText?: string;
}

/**
 * Starts broker `id` with its data in `<cluster dir>/broker-<id>`. `t` owns the process:
 * pass the outer test when a broker started inside a subtest must outlive it.
 */
export async function startBroker(
  t: Teardown,
  cluster: Cluster,
  id: number,
  options: BrokerOptions = {},
): Promise<Broker> {
  const port = options.port ?? (await freePort());
  const args = ['start', '--id', String(id), '--port', String(port)];
  args.push('--coordinator', cluster.connect, '--data-dir', `${cluster.dir}/broker-${id}`);
  for (const o of [...cluster.overrides, ...(options.overrides ?? [])]) {
    args.push('--override', o);
  }
  const daemon = await spawnDaemon('broker/cli.ts', args, options.readyText ?? 'broker listening');
  t.teardown(() => daemon.kill('SIGKILL'));
  const broker = { ...daemon, id, port };
  cluster.brokers.set(id, broker);
  return broker;
}

/** kill -9 of broker `id`; resolves with the dead broker (for `restart`) once it has exited. */
export async function kill9(cluster: Cluster, id: number): Promise<Broker> {
  return killBroker(cluster, id, 'SIGKILL');
}

/** Sends `signal` to broker `id` and waits for its exit (SIGTERM: a controlled shutdown). */
export async function killBroker(
  cluster: Cluster,
  id: number,
  signal: NodeJS.Signals,
): Promise<Broker> {
  const broker = cluster.brokers.get(id);
  if (broker === undefined) throw new Error(`broker ${id} is not running`);
  process.kill(broker.pid, signal);
  await broker.exited;
  cluster.brokers.delete(id);
  return broker;
}

/** Broker ids registered under /brokers/ids. */
export async function registeredBrokers(cluster: Cluster): Promise<number[]> {
  const children = await cluster.zk.getChildren(BrokerIdsZNode.path);
  return children.map(Number).sort((a, b) => a - b);
}

/**
 * Restarts a stopped broker on its port and data directory. As in Kafka, a broker cannot
 * register while its previous session's ephemeral /brokers/ids/N exists, so after a kill -9
 * this first waits for that session to expire.
 */
export async function restart(
  t: Teardown,
  cluster: Cluster,
  broker: Broker,
  options: Omit<BrokerOptions, 'port'> = {},
): Promise<Broker> {
  await waitFor(`broker ${broker.id}'s registration to expire`, async () => {
    return (await registeredBrokers(cluster)).includes(broker.id) ? undefined : true;
  });
  return startBroker(t, cluster, broker.id, { ...options, port: broker.port });
}

/** Runs `coordinator --server <cluster> ...args` in-process; rejects on a non-zero exit. */
export async function cli(cluster: Cluster, args: string[]): Promise<{ stdout: string }> {
  const { code, stdout, stderr } = await coordinatorCommand(['--server', cluster.connect, ...args]);
  if (code !== 0) throw new Error(`coordinator ${args.join(' ')} exited with ${code}: ${stderr}`);
  return { stdout };
}

/** Runs `coordinator ...args` in-process; resolves with its exit code and output. */
export async function coordinatorCommand(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await coordinatorCli(['node', 'coordinator', ...args], {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
  });
  return { code, stdout, stderr };
}

/** A znode's data parsed as JSON. */
export async function getJson(cluster: Cluster, znode: string): Promise<Record<string, unknown>> {
  const { data } = await cluster.zk.getData(znode);
  return JSON.parse(data!.toString()) as Record<string, unknown>;
}

/** The state znode of a partition, as Kafka writes it (snake_case keys). */
export interface PartitionStateJson {
  leader: number;
  leader_epoch: number;
  isr: number[];
  controller_epoch: number;
}

export async function partitionState(
  cluster: Cluster,
  topic: string,
  partition: number,
): Promise<PartitionStateJson> {
  const json = await getJson(cluster, TopicPartitionStateZNode.path(topic, partition));
  return json as unknown as PartitionStateJson;
}

/** The decoded state of a partition with the znode's version (a conditional write bumps it). */
export async function leaderAndIsr(
  cluster: Cluster,
  topic: string,
  partition: number,
): Promise<LeaderAndIsr & { zkVersion: number }> {
  const { data, stat } = await cluster.zk.getData(TopicPartitionStateZNode.path(topic, partition));
  return {
    ...TopicPartitionStateZNode.decode(topic, partition, data),
    zkVersion: stat.version,
  };
}

/** The id of the current controller. */
export async function controllerId(cluster: Cluster): Promise<number> {
  const { data } = await cluster.zk.getData(ControllerZNode.path);
  return ControllerZNode.decode(data).brokerId;
}

/**
 * `waitFor` of test/helpers/wait-for.ts with this helper's patience (40 s, every 100 ms):
 * cluster events (a session expiring, an ISR shrinking) take seconds on a loaded machine.
 */
export function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = POLL.timeoutMs,
): Promise<T> {
  return waitUntil(what, probe, { timeoutMs, intervalMs: POLL.intervalMs });
}

/** Waits until every partition of `topic` has a leader and, with `isrSize`, that many ISR. */
export async function waitForLeaders(
  cluster: Cluster,
  topic: string,
  partitions: number,
  isrSize?: number,
): Promise<PartitionStateJson[]> {
  const states: PartitionStateJson[] = [];
  for (let p = 0; p < partitions; p++) {
    states.push(
      await waitFor(`a leader for ${topic}-${p}`, async () => {
        const state = await partitionState(cluster, topic, p);
        const ready = state.leader >= 0 && (isrSize === undefined || state.isr.length === isrSize);
        return ready ? state : undefined;
      }),
    );
  }
  return states;
}

/** Waits until `accept` holds for the state of `topic-partition`; resolves with that state. */
export function waitForState(
  cluster: Cluster,
  topic: string,
  partition: number,
  what: string,
  accept: (state: PartitionStateJson) => boolean,
): Promise<PartitionStateJson> {
  return waitFor(`${topic}-${partition}: ${what}`, async () => {
    const state = await partitionState(cluster, topic, partition);
    return accept(state) ? state : undefined;
  });
}

/** `coordinator topics create`, then waits for a leader of every partition. */
export async function createTopic(
  cluster: Cluster,
  topic: string,
  partitions: number,
  options: { replicationFactor?: number; configs?: string[] } = {},
): Promise<string> {
  const args = ['topics', 'create', topic, '--partitions', String(partitions)];
  args.push('--replication-factor', String(options.replicationFactor ?? 3));
  for (const c of options.configs ?? []) args.push('--config', c);
  const { stdout } = await cli(cluster, args);
  await waitForLeaders(cluster, topic, partitions);
  return stdout;
}

/**
 * Creates a topic with an explicit replica assignment (writing the znode, as
 * `kafka-topics --zookeeper` did) and waits for a leader and a full ISR per partition.
 */
export async function createTopicWithAssignment(
  cluster: Cluster,
  topic: string,
  assignment: number[][],
): Promise<void> {
  const partitions = Object.fromEntries(assignment.map((r, p) => [String(p), r]));
  await cli(cluster, [
    'create',
    `/brokers/topics/${topic}`,
    JSON.stringify({ version: 2, partitions, adding_replicas: {}, removing_replicas: {} }),
  ]);
  for (let p = 0; p < assignment.length; p++) {
    await waitForState(cluster, topic, p, 'a leader and a full ISR', (s) => {
      return s.leader >= 0 && s.isr.length === assignment[p]!.length;
    });
  }
}

/** A kafkajs client of the cluster's running brokers, quiet, with quick retries. */
export function kafka(cluster: Cluster, config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: 'samsa-test',
    brokers: cluster.bootstrap().split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
    ...config,
  });
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
  for (const entry of fs.readdirSync(cluster.dir)) {
    const id = /^broker-(\d+)$/.exec(entry)?.[1];
    if (id === undefined) continue;
    const dir = path.join(cluster.dir, entry, `${topic}-${partition}`);
    if (!fs.existsSync(dir)) continue;
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .sort();
    result.set(Number(id), Buffer.concat(files.map((f) => fs.readFileSync(path.join(dir, f)))));
  }
  return result;
}

/** Waits until all `replicas` copies of `topic-partition` hold the same non-empty bytes. */
export async function waitForEqualReplicas(
  cluster: Cluster,
  topic: string,
  partition: number,
  replicas = 3,
): Promise<Buffer> {
  return waitFor(`the replicas of ${topic}-${partition} to agree`, async () => {
    const bytes = [...replicaBytes(cluster, topic, partition).values()];
    const agree =
      bytes.length === replicas && bytes.every((b) => b.length > 0 && b.equals(bytes[0]!));
    return agree ? bytes[0]! : undefined;
  });
}
