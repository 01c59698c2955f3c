/**
 * Fault injection: `npm run chaos -- --rounds N [--seed S] [--keep]`.
 *
 * Starts a coordinator and three brokers as separate processes (from the TypeScript sources,
 * through tsx), creates a topic with replication factor 3 and min.insync.replicas=2, and runs
 * a kafkajs producer with acks=all in the background that remembers every acknowledged
 * record. Each round does one random thing to one random broker (the controller included):
 *
 *   kill9     SIGKILL, then a restart once its registration has expired
 *   sigterm   SIGTERM (a controlled shutdown), then a restart
 *   both      SIGKILL of the current controller, then a restart
 *
 * and waits until the cluster is whole again (every broker registered, every partition led,
 * ISRs complete). At the end the producer stops and the check runs: a kcat consumer reads
 * every partition from the beginning; every acknowledged record must be there, in the order
 * it was acknowledged per partition; duplicates (a retried batch whose first attempt was in
 * fact written: kafkajs is not idempotent here) are counted and reported, not hidden; and the
 * three replicas of each partition must hold byte-for-byte the same log once in sync.
 *
 * One progress line per round; a summary at the end; exit code 1 when a check fails.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { Kafka, logLevel } from 'kafkajs';

const run = promisify(execFile);
const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const TOPIC = 'chaos';
const PARTITIONS = 3;
const BROKER_IDS = [1, 2, 3];

const program = new Command('chaos')
  .option('--rounds <n>', 'fault rounds', '10')
  .option('--seed <n>', 'random seed', String(Date.now() % 100_000))
  .option('--keep', 'keep the data directory')
  .parse();
const opts = program.opts<{ rounds: string; seed: string; keep?: boolean }>();
const rounds = Number(opts.rounds);
let seed = Number(opts.seed);
/** A small deterministic generator (mulberry32), so a failing run can be repeated. */
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function daemon(script: string, args: string[], ready: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, script), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, SAMSA_LOG_LEVEL: 'info' },
    });
    let log = '';
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      if (log.includes(ready)) {
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${log}`)));
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-chaos-'));
const coordinatorPort = await freePort();
const connect = `127.0.0.1:${coordinatorPort}`;
const children = new Set<ChildProcess>();
const coordinator = await daemon(
  'coordinator/cli.ts',
  ['start', '--port', String(coordinatorPort), '--admin-port', String(await freePort())].concat([
    '--data-dir',
    `${dir}/coordinator`,
    '--tick-ms',
    '100',
  ]),
  'coordinator listening',
);
children.add(coordinator);
const ports = new Map<number, number>();
const brokers = new Map<number, ChildProcess>();

async function startBroker(id: number): Promise<void> {
  const port = ports.get(id) ?? (await freePort());
  ports.set(id, port);
  const args = ['start', '--id', String(id), '--port', String(port), '--coordinator', connect];
  args.push('--data-dir', `${dir}/broker-${id}`);
  for (const o of [
    'zookeeper.session.timeout.ms=2000',
    'min.insync.replicas=2',
    'controlled.shutdown.retry.backoff.ms=500',
  ])
    args.push('--override', o);
  for (;;) {
    try {
      const child = await daemon('broker/cli.ts', args, 'broker listening');
      children.add(child);
      brokers.set(id, child);
      return;
    } catch (err) {
      // The old registration has not expired yet: try again shortly.
      if (!/already registered/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function stopBroker(id: number, signal: NodeJS.Signals): Promise<void> {
  const child = brokers.get(id);
  if (!child) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
  brokers.delete(id);
  children.delete(child);
}

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'coordinator/cli.ts', '--server', connect, ...args],
    { cwd: ROOT },
  );
  return stdout;
}

interface PartitionView {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

async function describe(): Promise<PartitionView[]> {
  const json = JSON.parse(await cli('topics', 'describe', TOPIC, '--json')) as unknown;
  const topic = (Array.isArray(json) ? json[0] : json) as { partitions: PartitionView[] };
  return topic.partitions;
}

async function controllerId(): Promise<number> {
  const out = await cli('get', '/controller');
  const json = out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1);
  return (JSON.parse(json) as { brokerid: number }).brokerid;
}

async function waitWhole(): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const whole = await describe()
      .then((ps) => ps.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length))
      .catch(() => false);
    if (whole) return;
    if (Date.now() > deadline) throw new Error('the cluster did not become whole again in 120 s');
    await new Promise((r) => setTimeout(r, 250));
  }
}

const cleanup = (): void => {
  for (const child of children) child.kill('SIGKILL');
  if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

// Set on every path below: by the summary, or by the catch when the run aborts.
let failed: boolean;
try {
  for (const id of BROKER_IDS) await startBroker(id);
  await cli(
    'topics',
    'create',
    TOPIC,
    '--partitions',
    String(PARTITIONS),
    '--replication-factor',
    '3',
  );
  await waitWhole();

  // The producer: batches of 10 with acks=all, round-robin over the partitions.
  const kafka = new Kafka({
    clientId: 'chaos',
    brokers: [...ports.values()].map((p) => `127.0.0.1:${p}`),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const acknowledged = new Map<number, string[]>(
    Array.from({ length: PARTITIONS }, (_, p) => [p, []]),
  );
  let sent = 0;
  let failedBatches = 0;
  let producing = true;
  const loop = (async () => {
    for (let batch = 0; producing; batch++) {
      const partition = batch % PARTITIONS;
      const values = Array.from({ length: 10 }, () => `r-${sent++}`);
      try {
        await producer.send({
          topic: TOPIC,
          acks: -1,
          timeout: 10_000,
          messages: values.map((value) => ({ partition, value })),
        });
        acknowledged.get(partition)!.push(...values);
      } catch {
        failedBatches++;
      }
    }
  })();

  const counts = { kill9: 0, sigterm: 0, controller: 0 };
  const started = Date.now();
  for (let round = 1; round <= rounds; round++) {
    const roll = random();
    const kind = roll < 0.4 ? 'kill9' : roll < 0.8 ? 'sigterm' : 'controller';
    const victim =
      kind === 'controller'
        ? await controllerId()
        : (BROKER_IDS[Math.floor(random() * BROKER_IDS.length)] as number);
    counts[kind]++;
    await stopBroker(victim, kind === 'sigterm' ? 'SIGTERM' : 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500 + Math.floor(random() * 1_500)));
    await startBroker(victim);
    await waitWhole();
    const acked = [...acknowledged.values()].reduce((n, v) => n + v.length, 0);
    process.stdout.write(
      `round ${round}/${rounds}: ${kind.padEnd(10)} broker ${victim}; ` +
        `${acked} records acknowledged, ${failedBatches} batches failed, ` +
        `${Math.round((Date.now() - started) / 1000)} s\n`,
    );
  }
  producing = false;
  await loop;
  await producer.disconnect();
  await waitWhole();

  // The check.
  const bootstrap = [...ports.values()].map((p) => `127.0.0.1:${p}`).join(',');
  let missing = 0;
  let outOfOrder = 0;
  let duplicates = 0;
  let unequalReplicas = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    const { stdout } = await run(
      'kcat',
      ['-b', bootstrap, '-C', '-t', TOPIC, '-p', String(p), '-o', 'beginning', '-e', '-q'],
      { maxBuffer: 256 * 1024 * 1024, timeout: 60_000 },
    );
    const consumed = stdout.split('\n').filter((l) => l !== '');
    const firstIndex = new Map<string, number>();
    consumed.forEach((v, i) => {
      if (firstIndex.has(v)) duplicates++;
      else firstIndex.set(v, i);
    });
    let last = -1;
    for (const v of acknowledged.get(p)!) {
      const i = firstIndex.get(v);
      if (i === undefined) missing++;
      else if (i < last) outOfOrder++;
      else last = i;
    }
    // Replicas: the concatenated segment files of each broker's copy, once replication is
    // quiet (the HW has caught up everywhere after the producer stopped).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const copies = BROKER_IDS.map((id) => {
        const d = `${dir}/broker-${id}/${TOPIC}-${p}`;
        if (!fs.existsSync(d)) return Buffer.alloc(0);
        const files = fs
          .readdirSync(d)
          .filter((f) => f.endsWith('.log'))
          .sort();
        return Buffer.concat(files.map((f) => fs.readFileSync(path.join(d, f))));
      });
      if (copies.every((c) => c.equals(copies[0]!))) break;
      if (Date.now() > deadline) {
        unequalReplicas++;
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const acked = [...acknowledged.values()].reduce((n, v) => n + v.length, 0);
  failed = missing > 0 || outOfOrder > 0 || unequalReplicas > 0;
  console.log(
    [
      `summary: ${rounds} rounds (kill -9 ${counts.kill9}, SIGTERM ${counts.sigterm}, ` +
        `controller kill -9 ${counts.controller}), seed ${opts.seed}`,
      `  ${acked} records acknowledged with acks=all, ${failedBatches} batches of 10 failed`,
      `  missing ${missing}, out of order ${outOfOrder}, duplicates ${duplicates} ` +
        '(retried batches, no idempotent producer)',
      `  partitions whose three replicas differ: ${unequalReplicas} of ${PARTITIONS}`,
      failed ? 'FAILED' : 'OK: every acknowledged record readable, in order; replicas agree',
    ].join('\n'),
  );
} catch (err) {
  failed = true;
  console.error(`chaos run aborted: ${(err as Error).message}`);
} finally {
  cleanup();
}
process.exit(failed ? 1 : 0);
