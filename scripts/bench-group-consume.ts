/**
 * Consume throughput through a consumer group (not a test): a coordinator and three broker
 * processes, a 3-partition topic (replication factor 3) filled with 100-byte records by kcat,
 * then read back by a plain consumer of all three partitions and by a group of three members
 * (one partition each), with either client:
 *
 * - `--client kcat` (librdkafka): one `kcat -C` (no group) against three `kcat -G` members.
 * - `--client kafkajs` (kafkajs 2.2.4, each consumer in its own Node process, as each kcat is):
 *   a plain partition consumer (kafkajs's own Fetch requests to the partition leaders, no
 *   group: what `kcat -C` is to librdkafka), one kafkajs `consumer.run` member that owns all
 *   three partitions, and a group of three `consumer.run` members. Members count records in
 *   `eachBatch` (or `eachMessage` with `--each message`) and report them to this process.
 *
 * Each reading is timed from its first record out to the moment the last record is in (kcat:
 * the last process's exit), so the group's join phase (group.initial.rebalance.delay.ms) is
 * not counted against it. A kafkajs group run in which any member joined twice (a rebalance
 * while reading) is reported as such. `--rounds N` repeats the readings, alternating them.
 *
 *   node --import=tsx scripts/bench-group-consume.ts [records=300000] [--client kcat|kafkajs]
 *     [--rounds 1] [--each batch|message] [--no-commit]
 *
 * `--no-commit` runs the kafkajs members with autoCommit: false, to see what kafkajs's
 * OffsetCommit after every batch (a replicated write to __consumer_offsets it waits for)
 * costs them. BENCH_TRACE=1 prints every request each kafkajs member makes, with its time.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ErrorCode } from '../src/protocol/kafka/errors.js';
import { BenchDaemons, freePort, ROOT } from './bench-daemons.js';

const TOPIC = 'g';
const PARTITIONS = [0, 1, 2];

/** What a kafkajs consumer process tells the benchmark (over the IPC channel). */
type MemberReport =
  | { type: 'records'; count: number }
  | { type: 'joined'; consumer: number; partitions: number[] }
  | { type: 'request'; api: string; ms: number; at: number }
  | { type: 'error'; message: string };

interface Reading {
  ms: number;
  records: number;
  /** CPU time (user + system) the three brokers spent from the first record to the last. */
  brokerCpuMs?: number;
  /** ... and before the first record (the consumers' start-up and the group's join phase). */
  brokerCpuBeforeMs?: number;
  /** kafkajs groups: how many times each member joined, and what it was assigned last. */
  joins?: number[];
  assigned?: number[][];
}

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}

// ---------------------------------------------------------------------------------------------
// The consumer processes (this file run with --member MODE).

/** The kafkajs consumer fetch defaults, used by the plain consumer too. */
const MAX_BYTES_PER_PARTITION = 1_048_576;
const MAX_BYTES = 10_485_760;
const MAX_WAIT_MS = 5_000;

function report(message: MemberReport): void {
  process.send!(message);
}

/** `count` kafkajs `consumer.run` members of group `groupId` in this process. */
async function groupMembers(
  brokers: string[],
  groupId: string,
  each: string,
  count: number,
): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, (_, i) => groupMember(brokers, groupId, each, i)),
  );
}

/** A kafkajs `consumer.run` member of group `groupId` (each: 'batch' | 'message'). */
async function groupMember(
  brokers: string[],
  groupId: string,
  each: string,
  index: number,
): Promise<void> {
  const kafka = new Kafka({ brokers, clientId: 'bench-group', logLevel: logLevel.NOTHING });
  // kafkajs commits after every batch (and on its interval) unless told not to.
  const autoCommit = process.env.BENCH_NO_COMMIT !== '1';
  const consumer = kafka.consumer({ groupId });
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const assignment = event.payload.memberAssignment as Record<string, number[]>;
    report({ type: 'joined', consumer: index, partitions: [...(assignment[TOPIC] ?? [])].sort() });
  });
  if (process.env.BENCH_TRACE === '1') {
    consumer.on(consumer.events.REQUEST, (event) => {
      const { apiName, duration } = event.payload;
      report({ type: 'request', api: apiName, ms: duration, at: Date.now() });
    });
  }
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  if (each === 'message') {
    // Reported in chunks of 1000 so the IPC channel does not weigh on the member.
    let unreported = 0;
    await consumer.run({
      autoCommit,
      eachMessage: () => {
        if (++unreported === 1000) {
          report({ type: 'records', count: unreported });
          unreported = 0;
        }
        return Promise.resolve();
      },
    });
    setInterval(() => {
      if (unreported > 0) report({ type: 'records', count: unreported });
      unreported = 0;
    }, 20).unref();
  } else {
    await consumer.run({
      autoCommit,
      eachBatch: ({ batch }) => {
        report({ type: 'records', count: batch.messages.length });
        return Promise.resolve();
      },
    });
  }
}

/**
 * A plain partition consumer with kafkajs's protocol code and no group: one Fetch loop per
 * partition leader (as kafkajs's consumer runs one per broker), offsets kept locally.
 */
async function plainMember(brokers: string[]): Promise<void> {
  const kafka = new Kafka({ brokers, clientId: 'bench-plain', logLevel: logLevel.NOTHING });
  // kafkajs keeps its Cluster (metadata, broker connections, Fetch) behind a private symbol.
  const createCluster = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  if (createCluster === undefined) throw new Error('kafkajs has no createCluster: not 2.2?');
  const cluster = (kafka as unknown as Record<symbol, (o: object) => PlainCluster>)[createCluster]!(
    {},
  );
  await cluster.connect();
  await cluster.addTargetTopic(TOPIC);
  const leaders = cluster.findLeaderForPartitions(TOPIC, PARTITIONS);
  const offsets = new Map(PARTITIONS.map((p) => [p, 0n]));
  await Promise.all(
    Object.entries(leaders).map(async ([nodeId, partitions]) => {
      const broker = await cluster.findBroker({ nodeId });
      for (;;) {
        const response = await broker.fetch({
          maxWaitTime: MAX_WAIT_MS,
          minBytes: 1,
          maxBytes: MAX_BYTES,
          isolationLevel: 1,
          topics: [
            {
              topic: TOPIC,
              partitions: partitions.map((partition) => ({
                partition,
                fetchOffset: offsets.get(partition)!.toString(),
                maxBytes: MAX_BYTES_PER_PARTITION,
              })),
            },
          ],
        });
        for (const topic of response.responses) {
          for (const p of topic.partitions) {
            if (p.errorCode !== ErrorCode.NONE) throw new Error(`fetch error ${p.errorCode}`);
            const from = offsets.get(p.partition)!;
            let count = 0;
            let next = from;
            for (const message of p.messages) {
              const offset = BigInt(message.offset);
              if (offset < from) continue; // a batch starting before the fetch offset
              count++;
              next = offset + 1n;
            }
            offsets.set(p.partition, next);
            if (count > 0) report({ type: 'records', count });
          }
        }
      }
    }),
  );
}

/** The slice of kafkajs's internal Cluster and Broker the plain consumer uses. */
interface PlainCluster {
  connect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(o: { nodeId: string }): Promise<{
    fetch(request: object): Promise<{
      responses: {
        partitions: { partition: number; errorCode: number; messages: { offset: string }[] }[];
      }[];
    }>;
  }>;
}

// ---------------------------------------------------------------------------------------------
// The benchmark.

/** User + system CPU time of these processes so far, in ms (from /proc/PID/stat). */
function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** The broker processes, and their CPU time when the current reading's first record came. */
const brokerPids: number[] = [];
let cpuAtFirst = 0;

/** Runs `read` and adds the brokers' CPU time before and after its first record. */
async function withBrokerCpu(read: () => Promise<Reading>): Promise<Reading> {
  const before = cpuMs(brokerPids);
  const reading = await read();
  const end = cpuMs(brokerPids);
  return { ...reading, brokerCpuMs: end - cpuAtFirst, brokerCpuBeforeMs: cpuAtFirst - before };
}

/** Runs the kcat processes; returns ms from the first output byte to the last exit. */
async function timedKcat(argsList: string[][]): Promise<Reading> {
  let first = 0;
  let records = 0;
  await Promise.all(
    argsList.map(
      (args) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'ignore'] });
          child.stdout.on('data', (chunk: Buffer) => {
            if (first === 0) {
              first = performance.now();
              cpuAtFirst = cpuMs(brokerPids);
            }
            for (const byte of chunk) if (byte === 10) records++;
          });
          child.once('error', reject);
          child.once('exit', () => resolve());
        }),
    ),
  );
  return { ms: performance.now() - first, records };
}

/**
 * Starts `processes` kafkajs consumer processes (this file with --member), and returns once
 * they have reported `expected` records between them; then kills them. `perProcess` is how
 * many consumers each runs (group modes).
 */
async function timedKafkajs(
  daemons: BenchDaemons,
  memberArgs: string[],
  processes: number,
  expected: number,
  perProcess = 1,
): Promise<Reading> {
  const self = fileURLToPath(import.meta.url);
  const children: ChildProcess[] = [];
  const joins = Array.from({ length: processes * perProcess }, () => 0);
  const assigned: number[][] = Array.from({ length: processes * perProcess }, () => []);
  let first = 0;
  let records = 0;
  const args = [...memberArgs, String(perProcess)];
  try {
    return await new Promise<Reading>((resolve, reject) => {
      for (let i = 0; i < processes; i++) {
        const child = spawn(process.execPath, ['--import', 'tsx', self, ...args], {
          cwd: ROOT,
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
        });
        daemons.track(child);
        children.push(child);
        child.once('exit', (code, signal) => {
          if (records < expected) reject(new Error(`member ${i} exited (${code ?? signal})`));
        });
        child.on('message', (m: MemberReport) => {
          if (m.type === 'error') reject(new Error(`member ${i}: ${m.message}`));
          else if (m.type === 'request') console.log(`member ${i} ${m.at} ${m.api} ${m.ms} ms`);
          else if (m.type === 'joined') {
            joins[i * perProcess + m.consumer]!++;
            assigned[i * perProcess + m.consumer] = m.partitions;
          } else {
            if (first === 0) {
              first = performance.now();
              cpuAtFirst = cpuMs(brokerPids);
            }
            records += m.count;
            if (records >= expected) {
              const group = memberArgs[1] === 'group';
              const ms = performance.now() - first;
              resolve(group ? { ms, records, joins, assigned } : { ms, records });
            }
          }
        });
      }
    });
  } finally {
    for (const child of children) child.kill('SIGKILL');
  }
}

async function bench(): Promise<void> {
  const recordCount = Number(
    process.argv[2] !== undefined && !process.argv[2].startsWith('-') ? process.argv[2] : 300_000,
  );
  const client = option('--client', 'kcat');
  const rounds = Number(option('--rounds', '1'));
  const each = option('--each', 'batch');
  // Inherited by the member processes.
  if (process.argv.includes('--no-commit')) process.env.BENCH_NO_COMMIT = '1';
  if (client !== 'kcat' && client !== 'kafkajs')
    throw new Error(`--client kcat|kafkajs, not ${client}`);
  const daemons = new BenchDaemons('samsa-bench-group-');
  try {
    const connect = await daemons.startCoordinator();
    const ports: number[] = [];
    for (const id of [1, 2, 3]) {
      const port = await freePort();
      ports.push(port);
      const broker = await daemons.start(
        'broker/cli.ts',
        ['start', '--id', String(id), '--port', String(port), '--coordinator', connect].concat([
          '--data-dir',
          path.join(daemons.dir, `broker-${id}`),
        ]),
        'broker listening',
      );
      brokerPids.push(broker.pid!);
    }
    execFileSync(
      process.execPath,
      ['--import', 'tsx', 'coordinator/cli.ts', '--server', connect].concat([
        'topics',
        'create',
        TOPIC,
        '--partitions',
        String(PARTITIONS.length),
        '--replication-factor',
        '3',
      ]),
      { cwd: ROOT },
    );
    const brokers = ports.map((p) => `127.0.0.1:${p}`);
    const bootstrap = brokers.join(',');
    execFileSync('kcat', ['-b', bootstrap, '-L', '-t', TOPIC, '-m', '30']);
    const file = path.join(daemons.dir, 'records.txt');
    const line = 'x'.repeat(99);
    fs.writeFileSync(file, Array.from({ length: recordCount }, () => line).join('\n') + '\n');
    execFileSync('kcat', ['-b', bootstrap, '-P', '-t', TOPIC, '-X', 'linger.ms=5', '-l', file]);

    const show = (tag: string, what: string, r: Reading) => {
      const perSecond = Math.round((r.records / r.ms) * 1000).toLocaleString('en');
      const cpu = ((r.brokerCpuMs! / r.records) * 1000).toFixed(1);
      const before = r.brokerCpuBeforeMs!;
      let note = '';
      if (r.joins !== undefined) {
        note = ` assigned ${r.assigned!.map((a) => `[${a.join(',')}]`).join(' ')}`;
        if (r.joins.some((n) => n !== 1))
          note += `; REBALANCED while reading (joins ${r.joins.join(',')})`;
      }
      console.log(
        `${tag}${what.padEnd(40)} ${r.records} records in ${r.ms.toFixed(0)} ms: ` +
          `${perSecond} records/s; brokers' CPU ${cpu} ms per 1000 records ` +
          `(${before} ms before the first);${note}`,
      );
    };
    const kcat = (argsList: string[][]) => withBrokerCpu(() => timedKcat(argsList));
    const kafkajs = (args: string[], processes: number, perProcess = 1) =>
      withBrokerCpu(() => timedKafkajs(daemons, args, processes, recordCount, perProcess));
    for (let round = 1; round <= rounds; round++) {
      const tag = rounds > 1 ? `round ${round}: ` : '';
      if (client === 'kcat') {
        const plainArgs = ['-b', bootstrap, '-C', '-t', TOPIC, '-o', 'beginning', '-e'];
        show(
          tag,
          'plain consumer (kcat -C, 3 partitions)',
          await kcat([[...plainArgs, '-q', '-f', '%o\n']]),
        );
        const member = ['-b', bootstrap, '-G', `bench-${round}`];
        member.push('-X', 'auto.offset.reset=earliest', '-e', '-q', '-f', '%o\n', TOPIC);
        show(tag, 'group of three (kcat -G)', await kcat(PARTITIONS.map(() => member)));
      } else {
        const plain = ['--member', 'plain', bootstrap];
        show(tag, 'plain kafkajs Fetch loop (no group)', await kafkajs(plain, 1));
        const one = ['--member', 'group', bootstrap, `one-${round}`, each];
        show(
          tag,
          `kafkajs group of one (each${each === 'batch' ? 'Batch' : 'Message'})`,
          await kafkajs(one, 1),
        );
        const three = ['--member', 'group', bootstrap, `three-${round}`, each];
        show(
          tag,
          'kafkajs group of three, a process each',
          await kafkajs(three, PARTITIONS.length),
        );
        const shared = ['--member', 'group', bootstrap, `shared-${round}`, each];
        show(
          tag,
          'kafkajs group of three in one process',
          await kafkajs(shared, 1, PARTITIONS.length),
        );
      }
    }
  } finally {
    daemons.stopAll();
  }
}

const memberAt = process.argv.indexOf('--member');
if (memberAt >= 0) {
  const [mode, bootstrap, groupId, each, count] = process.argv.slice(memberAt + 1);
  const brokers = bootstrap!.split(',');
  const run =
    mode === 'plain' ? plainMember(brokers) : groupMembers(brokers, groupId!, each!, Number(count));
  run.catch((err: unknown) => {
    report({ type: 'error', message: String(err) });
    process.exitCode = 1;
  });
} else {
  await bench();
}
