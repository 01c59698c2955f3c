/**
 * Replication with real processes: a coordinator and three brokers, topics with replication
 * factor 3, real clients (kafkajs producing with acks=all, kcat consuming and producing).
 *
 *   1. kill -9 of a partition leader in the middle of acks=all production loses no
 *      acknowledged record, the new leader comes from the old ISR, the killed broker rejoins
 *      the ISR after its restart, and the three replicas' log files end up byte for byte
 *      equal; then with two brokers of three down, acks=all gets NOT_ENOUGH_REPLICAS
 *      (min.insync.replicas=2) while acks=1 still works.
 *   2. A follower that stops fetching (SIGSTOP) is shrunk out of the ISR by the leader after
 *      replica.lag.time.max.ms, written to the state znode and announced to the controller
 *      (the brokers' metadata shows it); the topic's own min.insync.replicas=3 then refuses
 *      acks=all; after SIGCONT it catches up and the leader writes it back.
 *   3. A follower with divergent records (an old leader that wrote records nobody copied,
 *      replaced by an unclean election) truncates them when it comes back and converges on
 *      the new leader's log, byte for byte (KIP-101).
 *
 * kcat is a Debian package: without it the test skips with a message, except under CI=true.
 * The scenarios take about 30 s each (session expiries, ISR lag times).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import {
  daemonDataDir,
  freePort,
  ROOT,
  spawnDaemon,
  startCoordinatorProcess,
  type DaemonProcess,
} from '../helpers/processes.js';

const run = promisify(execFile);
const kcatAvailable = spawnSync('kcat', ['-V']).status === 0;

interface Broker extends DaemonProcess {
  id: number;
  port: number;
}

interface Cluster {
  connect: string;
  dir: string;
  brokers: Map<number, Broker>;
  overrides: string[];
  bootstrap(): string;
}

async function startBroker(
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

async function startCluster(
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

async function kill9(cluster: Cluster, id: number): Promise<void> {
  const broker = cluster.brokers.get(id)!;
  process.kill(broker.pid, 'SIGKILL');
  await broker.exited;
  cluster.brokers.delete(id);
}

/** Restarts a killed broker on its port once its old registration has expired. */
async function restart(t: Parameters<typeof startBroker>[0], cluster: Cluster, broker: Broker) {
  await waitFor(`broker ${broker.id}'s registration to expire`, async () => {
    const { stdout } = await cli(cluster, ['ls', '/brokers/ids']);
    return stdout.includes(String(broker.id)) ? undefined : true;
  });
  return startBroker(t, cluster, broker.id, broker.port);
}

function cli(cluster: Cluster, args: string[]): Promise<{ stdout: string }> {
  return run(
    process.execPath,
    ['--import', 'tsx', 'coordinator/cli.ts', '--server', cluster.connect, ...args],
    { cwd: ROOT },
  );
}

interface PartitionStateJson {
  leader: number;
  leader_epoch: number;
  isr: number[];
}

async function partitionState(
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

async function waitFor<T>(
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

async function createTopic(cluster: Cluster, topic: string, partitions: number): Promise<void> {
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
async function consume(bootstrap: string, topic: string, partition: number): Promise<string[]> {
  const { stdout } = await run(
    'kcat',
    ['-b', bootstrap, '-C', '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-q'],
    { maxBuffer: 64 * 1024 * 1024, timeout: 30_000 },
  );
  return stdout.split('\n').filter((line) => line !== '');
}

/** kcat -P with the given acks; resolves with kcat's stderr (delivery failures). */
function kcatProduce(
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
function replicaBytes(cluster: Cluster, topic: string, partition: number): Map<number, Buffer> {
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

async function waitForEqualReplicas(cluster: Cluster, topic: string, partition: number) {
  return waitFor(`the replicas of ${topic}-${partition} to agree`, async () => {
    const bytes = [...replicaBytes(cluster, topic, partition).values()];
    const agree = bytes.length === 3 && bytes.every((b) => b.length > 0 && b.equals(bytes[0]!));
    return agree ? bytes[0]! : undefined;
  });
}

if (!kcatAvailable) {
  if (process.env.CI === 'true') t.fail('kcat is not installed, and CI=true requires it');
  else t.comment('kcat is not installed: skipping the replication test (apt-get install kcat)');
} else {
  t.test(
    'kill -9 of a leader under acks=all production loses no acknowledged record',
    async (t) => {
      const cluster = await startCluster(t, ['min.insync.replicas=2']);
      const topic = 'acked';
      await createTopic(cluster, topic, 2);
      const before = await partitionState(cluster, topic, 0);
      t.same([...before.isr].sort(), [1, 2, 3], 'all three replicas in sync at the start');

      const kafka = new Kafka({
        clientId: 'replication-test',
        brokers: cluster.bootstrap().split(','),
        logLevel: logLevel.NOTHING,
        retry: { retries: 50, initialRetryTime: 100, maxRetryTime: 1_000 },
      });
      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      t.teardown(() => producer.disconnect());

      // Produce to partition 0 in batches of 10 with acks=all; remember what was acknowledged.
      const acknowledged: string[] = [];
      let failures = 0;
      let n = 0;
      const produceBatch = async () => {
        const values = Array.from({ length: 10 }, () => `v-${n++}`);
        try {
          await producer.send({
            topic,
            acks: -1,
            timeout: 10_000,
            messages: values.map((value) => ({ partition: 0, value })),
          });
          acknowledged.push(...values);
        } catch {
          failures++;
        }
      };
      while (acknowledged.length < 300) await produceBatch();
      const victim = before.leader;
      const victimBroker = cluster.brokers.get(victim)!;
      const killedAt = acknowledged.length;
      await kill9(cluster, victim);
      t.comment(`killed broker ${victim}, the leader of ${topic}-0, after ${killedAt} acks`);
      while (acknowledged.length < killedAt + 300) await produceBatch();
      t.comment(`${failures} batches failed (not acknowledged) around the failover`);

      const after = await partitionState(cluster, topic, 0);
      t.not(after.leader, victim, 'a new leader');
      t.ok(before.isr.includes(after.leader), 'elected from the old ISR');
      t.ok(after.leader_epoch > before.leader_epoch, 'with a higher leader epoch');
      t.notOk(after.isr.includes(victim), 'the dead broker left the ISR');

      await restart(t, cluster, victimBroker);
      const rejoined = await waitFor('the restarted broker to rejoin the ISR', async () => {
        const state = await partitionState(cluster, topic, 0);
        return state.isr.includes(victim) ? state : undefined;
      });
      t.same([...rejoined.isr].sort(), [1, 2, 3], 'ISR complete again');

      const consumed = await consume(cluster.bootstrap(), topic, 0);
      const seen = new Set(consumed);
      t.same(
        acknowledged.filter((v) => !seen.has(v)),
        [],
        `every one of ${acknowledged.length} acknowledged records is there`,
      );
      const order = acknowledged.map((v) => consumed.indexOf(v));
      t.ok(
        order.every((index, i) => i === 0 || index > order[i - 1]!),
        'acknowledged records in the order they were acknowledged',
      );
      const bytes = await waitForEqualReplicas(cluster, topic, 0);
      t.ok(bytes.length > 0, 'the three replicas of acked-0 are byte for byte equal');

      // Two brokers of three down: only the leader is left in the ISR.
      const leader = rejoined.leader;
      const others = [1, 2, 3].filter((id) => id !== leader);
      for (const id of others) await kill9(cluster, id);
      await waitFor('the ISR to shrink to the leader', async () => {
        const state = await partitionState(cluster, topic, 0);
        return state.isr.length === 1 ? state : undefined;
      });
      const leaderBootstrap = `127.0.0.1:${cluster.brokers.get(leader)!.port}`;
      const refused = await kcatProduce(leaderBootstrap, topic, 0, 'all', ['refused']);
      t.match(refused, /Not enough in-sync replicas/, 'acks=all: NOT_ENOUGH_REPLICAS');
      const accepted = await kcatProduce(leaderBootstrap, topic, 0, '1', ['accepted']);
      t.equal(accepted.trim(), '', 'acks=1: accepted');
      const last = await consume(leaderBootstrap, topic, 0);
      t.equal(last.at(-1), 'accepted');
      t.notOk(last.includes('refused'), 'the refused record was never appended');
    },
  );

  t.test(
    'the leader shrinks the ISR of a follower that stops fetching, and expands it',
    async (t) => {
      // The coordinator's default tick allows an 18 s session, so a stopped follower keeps its
      // registration: only the leader's lag rule can take it out of the ISR.
      const cluster = await startCluster(t, ['replica.lag.time.max.ms=3000'], {
        tickMs: 2000,
        sessionTimeoutMs: 18_000,
      });
      const topic = 'lagging';
      await cli(
        cluster,
        ['topics', 'create', topic, '--partitions', '1'].concat([
          '--replication-factor',
          '3',
          '--config',
          'min.insync.replicas=3',
        ]),
      );
      const start = await waitFor('a leader and a full ISR', async () => {
        const state = await partitionState(cluster, topic, 0);
        return state.leader >= 0 && state.isr.length === 3 ? state : undefined;
      });
      const leaderAddress = `127.0.0.1:${cluster.brokers.get(start.leader)!.port}`;
      t.equal(
        (await kcatProduce(leaderAddress, topic, 0, 'all', ['three in sync'])).trim(),
        '',
        'acks=all with all three in sync',
      );
      const follower = start.isr.find((id) => id !== start.leader)!;
      const stopped = cluster.brokers.get(follower)!;
      process.kill(stopped.pid, 'SIGSTOP');
      t.teardown(() => {
        if (stopped.child.exitCode === null) process.kill(stopped.pid, 'SIGCONT');
      });
      const shrunk = await waitFor('the leader to shrink the ISR', async () => {
        const state = await partitionState(cluster, topic, 0);
        return state.isr.includes(follower) ? undefined : state;
      });
      t.equal(shrunk.leader, start.leader, 'same leader');
      t.equal(shrunk.leader_epoch, start.leader_epoch, 'same epoch: only the ISR changed');
      t.match(
        cluster.brokers.get(start.leader)!.log(),
        /ISR shrinking from/,
        'written by the leader',
      );
      // The ISR change notification reaches the controller, which updates every broker.
      await waitFor("the brokers' metadata to show the smaller ISR", async () => {
        const { stdout } = await run('kcat', ['-b', leaderAddress, '-L', '-t', topic, '-J']);
        const isr = JSON.parse(stdout).topics[0].partitions[0].isrs as number[];
        return isr.length === 2 ? isr : undefined;
      });
      const refused = await kcatProduce(leaderAddress, topic, 0, 'all', ['two in sync']);
      t.match(refused, /Not enough in-sync replicas/, "the topic's min.insync.replicas=3 holds");
      process.kill(stopped.pid, 'SIGCONT');
      const expanded = await waitFor('the follower to rejoin', async () => {
        const state = await partitionState(cluster, topic, 0);
        return state.isr.includes(follower) ? state : undefined;
      });
      t.equal(expanded.isr.length, 3);
      t.equal(
        (await kcatProduce(leaderAddress, topic, 0, 'all', ['three again'])).trim(),
        '',
        'acks=all works again',
      );
      t.same(await consume(leaderAddress, topic, 0), ['three in sync', 'three again']);
    },
  );

  t.test('a follower with divergent records truncates and converges', async (t) => {
    // Unclean election lets an out-of-sync replica lead, which is what creates divergence.
    const cluster = await startCluster(t, [
      'min.insync.replicas=1',
      'unclean.leader.election.enable=true',
    ]);
    const topic = 'diverge';
    await createTopic(cluster, topic, 1);
    const bootstrap = () => cluster.bootstrap();
    const first = await partitionState(cluster, topic, 0);
    const [oldLeader, next] = [first.leader, first.isr.find((id) => id !== first.leader)!];
    const third = [1, 2, 3].find((id) => id !== oldLeader && id !== next)!;

    const common = Array.from({ length: 100 }, (_, i) => `common-${i}`);
    t.equal((await kcatProduce(bootstrap(), topic, 0, 'all', common)).trim(), '');
    // The two followers die; the old leader alone takes records nobody copies.
    const broker = (id: number) => cluster.brokers.get(id)!;
    const [nextBroker, thirdBroker, oldBroker] = [broker(next), broker(third), broker(oldLeader)];
    await kill9(cluster, next);
    await kill9(cluster, third);
    await waitFor('the ISR to shrink to the old leader', async () => {
      const state = await partitionState(cluster, topic, 0);
      return state.isr.length === 1 ? state : undefined;
    });
    const lost = Array.from({ length: 50 }, (_, i) => `only-on-old-leader-${i}`);
    t.equal((await kcatProduce(bootstrap(), topic, 0, '1', lost)).trim(), '');
    await kill9(cluster, oldLeader);
    // A follower without those records comes back and is elected (unclean), then takes
    // different records at the same offsets.
    await restart(t, cluster, nextBroker);
    await waitFor(`broker ${next} to lead`, async () => {
      const state = await partitionState(cluster, topic, 0);
      return state.leader === next ? state : undefined;
    });
    const fresh = Array.from({ length: 70 }, (_, i) => `new-leader-${i}`);
    t.equal((await kcatProduce(bootstrap(), topic, 0, '1', fresh)).trim(), '');
    // The old leader and the third replica return as followers.
    await restart(t, cluster, oldBroker);
    await restart(t, cluster, thirdBroker);
    const bytes = await waitForEqualReplicas(cluster, topic, 0);
    t.ok(bytes.length > 0, 'the three replicas are byte for byte equal');
    const log = cluster.brokers.get(oldLeader)!.log();
    t.match(log, /leader epoch truncation/, 'the old leader asked OffsetsForLeaderEpoch');
    t.match(log, /truncating to offset 100/, 'and cut its divergent records at offset 100');
    const consumed = await consume(bootstrap(), topic, 0);
    t.same(consumed, [...common, ...fresh], "the new leader's log, on every replica");
  });
}
