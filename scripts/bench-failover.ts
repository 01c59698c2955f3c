/**
 * Failover and rebalance timings (not a test): a coordinator and three broker processes,
 * replication factor 3, min.insync.replicas=2, zookeeper.session.timeout.ms=6000 (Kafka 2.8's
 * default is 18000; the tests use 2000).
 *
 *   node --import=tsx scripts/bench-failover.ts [rounds=3]
 *
 * 1. kill -9 of the leader: a librdkafka producer (scripts/bench-failover-producer.py, one
 *    acks=all record every 5 ms) runs; the leader of partition 0 is killed with SIGKILL; the
 *    figure is the time from the kill to the first delivery report after it. The controller
 *    only learns of the death when the broker's session expires, so the session timeout is the
 *    floor (target: session timeout + 1 s).
 * 2. Controlled shutdown: the same with SIGTERM; the figure is the longest gap between two
 *    delivery reports from the signal to the broker's exit (target: under 0.5 s).
 * 3. Group rebalance: one kafkajs member consumes a 6-partition topic under production; a
 *    second member joins; the figure is the time from the second member's `run()` to the
 *    moment both have received a record after it.
 * Each is repeated `rounds` times (the killed broker is restarted in between).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { BenchDaemons, freePort, ROOT } from './bench-daemons.js';
import { Kafka, logLevel } from 'kafkajs';

const rounds = Number(process.argv[2] ?? 3);
const SESSION_TIMEOUT_MS = 6_000;
const root = ROOT;
const daemons = new BenchDaemons('samsa-bench-failover-');
const { dir } = daemons;

const daemon = (script: string, args: string[], ready: string): Promise<ChildProcess> =>
  daemons.start(script, args, ready);

async function cli(connect: string, args: string[]): Promise<string> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'coordinator/cli.ts', '--server', connect, ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  return out;
}

async function stateOf(connect: string, topic: string, partition: number) {
  const out = await cli(connect, ['get', `/brokers/topics/${topic}/partitions/${partition}/state`]);
  const json = out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1);
  return JSON.parse(json) as { leader: number; isr: number[] };
}

async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const connect = await daemons.startCoordinator();
  const ports = new Map<number, number>();
  const brokers = new Map<number, ChildProcess>();
  const startBroker = async (id: number) => {
    const port = ports.get(id) ?? (await freePort());
    ports.set(id, port);
    const args = ['start', '--id', String(id), '--port', String(port), '--coordinator', connect]
      .concat(['--data-dir', path.join(dir, `broker-${id}`)])
      .concat(['--override', 'min.insync.replicas=2'])
      .concat(['--override', `zookeeper.session.timeout.ms=${SESSION_TIMEOUT_MS}`])
      .concat(['--override', 'group.initial.rebalance.delay.ms=0']);
    brokers.set(id, await daemon('broker/cli.ts', args, 'broker listening'));
  };
  for (const id of [1, 2, 3]) await startBroker(id);
  const bootstrap = () => [...ports.values()].map((p) => `127.0.0.1:${p}`).join(',');
  const brokerRegistered = async (id: number) =>
    (await cli(connect, ['ls', '/brokers/ids'])).includes(String(id));

  await cli(connect, ['topics', 'create', 'fo', '--partitions', '1', '--replication-factor', '3']);
  const fullIsr = () =>
    until(async () => {
      const s = await stateOf(connect, 'fo', 0);
      return s.isr.length === 3 && s.leader >= 0 ? s : undefined;
    }, 'a full ISR');
  await fullIsr();

  const acks: number[] = [];
  const producer = spawn(
    '/usr/bin/python3',
    [path.join(root, 'scripts/bench-failover-producer.py'), bootstrap(), 'fo', '5'],
    { stdio: ['pipe', 'pipe', 'ignore'] },
  );
  daemons.track(producer);
  let pending = '';
  producer.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.startsWith('ack ')) acks.push(Number(line.split(' ')[1]));
  });
  await until(() => (acks.length > 200 ? true : undefined), 'the producer');

  const kills: number[] = [];
  const pauses: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // 1. kill -9 of the leader.
    const { leader } = await fullIsr();
    await sleep(1_000);
    const killedAt = Date.now();
    brokers.get(leader)!.kill('SIGKILL');
    const firstAck = await until(() => acks.find((t) => t > killedAt + 50), 'an ack');
    kills.push(firstAck - killedAt);
    console.log(
      `kill -9 of leader ${leader}: first ack after ${(firstAck - killedAt).toFixed(0)} ms`,
    );
    await until(async () => ((await brokerRegistered(leader)) ? undefined : true), 'expiry');
    await startBroker(leader);

    // 2. Controlled shutdown of the (new) leader.
    const next = await fullIsr();
    await sleep(1_000);
    const signalledAt = Date.now();
    const child = brokers.get(next.leader)!;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    const exitAt = Date.now();
    await sleep(1_000);
    const window = [signalledAt, ...acks.filter((t) => t > signalledAt && t < exitAt + 1_000)];
    let gap = 0;
    for (let i = 1; i < window.length; i++) gap = Math.max(gap, window[i]! - window[i - 1]!);
    pauses.push(gap);
    console.log(`controlled shutdown of leader ${next.leader}: longest pause ${gap.toFixed(0)} ms`);
    await until(async () => ((await brokerRegistered(next.leader)) ? undefined : true), 'gone');
    await startBroker(next.leader);
  }
  producer.stdin!.end();

  // 3. Group rebalance time.
  await cli(connect, ['topics', 'create', 'grp', '--partitions', '6', '--replication-factor', '3']);
  const kafka = new Kafka({ brokers: bootstrap().split(','), logLevel: logLevel.NOTHING });
  const p = kafka.producer();
  await p.connect();
  let producing = true;
  const production = (async () => {
    while (producing) {
      await p
        .send({
          topic: 'grp',
          messages: Array.from({ length: 60 }, (_, i) => ({ key: `${i}`, value: 'x'.repeat(100) })),
        })
        .catch(() => undefined);
      await sleep(10);
    }
  })();
  const rebalances: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const groupId = `bench-${round}`;
    const lastSeen = [0, 0];
    const members = [0, 1].map((m) => {
      const c = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
      return { c, m };
    });
    const run = async ({ c, m }: (typeof members)[number]) => {
      await c.connect();
      await c.subscribe({ topic: 'grp' });
      await c.run({
        eachMessage: () => {
          lastSeen[m] = Date.now();
          return Promise.resolve();
        },
      });
    };
    await run(members[0]!);
    await until(() => (lastSeen[0]! > 0 ? true : undefined), 'the first member');
    const joinedAt = Date.now();
    await run(members[1]!);
    const both = await until(
      () =>
        lastSeen[0]! > joinedAt && lastSeen[1]! > joinedAt
          ? Math.max(lastSeen[0]!, lastSeen[1]!)
          : undefined,
      'both members',
    );
    rebalances.push(both - joinedAt);
    console.log(`second member joined: both consuming after ${both - joinedAt} ms`);
    for (const { c } of members) await c.disconnect();
  }
  producing = false;
  await production;
  await p.disconnect();

  console.log(
    `summary (median of ${rounds}): kill -9 -> first ack ${median(kills).toFixed(0)} ms ` +
      `(session timeout ${SESSION_TIMEOUT_MS} ms); controlled shutdown pause ` +
      `${median(pauses).toFixed(0)} ms; rebalance ${median(rebalances)} ms`,
  );
}

try {
  await main();
} finally {
  daemons.stopAll();
}
