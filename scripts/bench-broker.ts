/**
 * Produce and consume throughput of one broker, driven by kcat (librdkafka), with 100-byte
 * records (not a test). The broker runs in this process, so `node --cpu-prof` profiles it;
 * kcat runs as a child process, as a real client would.
 *
 *   node --import=tsx scripts/bench-broker.ts [records=4000000] [partitions=1,8]
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import=tsx scripts/bench-broker.ts
 *
 * For each partition count: one topic; kcat -P (acks=1, linger.ms=5, batch.num.messages=
 * 10000) reads the records from a generated file; then kcat -C -o beginning -e reads them all
 * back. Each phase is timed from kcat's start to its exit, so connection set-up and metadata
 * are included (a few ms). There is no coordinator: the script plays the controller by calling
 * the replica manager with the UpdateMetadata and LeaderAndIsr requests a controller would send.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { systemClock } from '../src/clock.js';
import { silentLogger } from '../src/logger.js';
import { LogManager } from '../broker/log/log-manager.js';
import { logConfig } from '../broker/log/log-config.js';
import { SocketServer } from '../broker/network/socket-server.js';
import { MetadataCache } from '../broker/server/metadata-cache.js';
import { ReplicaManager } from '../broker/server/replica-manager.js';
import {
  brokerAdvertisedApis,
  createKafkaApis,
  type ControllerAdmin,
} from '../broker/server/kafka-apis.js';
import type {
  LeaderAndIsrRequest,
  UpdateMetadataRequest,
} from '../src/protocol/kafka/generated/index.js';

const RECORD_BYTES = 100;
const recordCount = Number(process.argv[2] ?? 4_000_000);
const partitionCounts = (process.argv[3] ?? '1,8').split(',').map(Number);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-bench-broker-'));
const logger = silentLogger();
const defaults = logConfig();
const logManager = LogManager.startup({
  logDirs: [path.join(dir, 'logs')],
  defaultConfig: defaults,
  clock: systemClock,
  logger,
});
const metadataCache = new MetadataCache({ clusterId: 'bench' });
const replicaManager = new ReplicaManager({
  brokerId: 1,
  logManager,
  metadataCache,
  minInsyncReplicas: () => 1,
  clock: systemClock,
  logger,
});
const refuse = () => Promise.reject(new Error('the benchmark creates its topics itself'));
const controllerAdmin: ControllerAdmin = {
  isActive: () => false,
  createTopics: refuse,
  deleteTopics: refuse,
  createPartitions: refuse,
  autoCreateTopic: refuse,
};
const handler = createKafkaApis({
  brokerId: 1,
  logManager,
  metadataCache,
  replicaManager,
  controllerAdmin,
  logger,
  config: {
    brokerId: 1,
    autoCreateTopicsEnable: false,
    numPartitions: 1,
    defaultReplicationFactor: 1,
    deleteTopicEnable: true,
    minInsyncReplicas: 1,
    logDefaults: defaults,
  },
});
const server = new SocketServer({
  host: '127.0.0.1',
  port: 0,
  advertised: brokerAdvertisedApis(),
  handler,
  logger,
});
const port = await server.listen();
const bootstrap = `127.0.0.1:${port}`;

/** What a controller would send for a new topic led by broker 1. */
async function createTopic(topic: string, partitions: number): Promise<void> {
  const states = Array.from({ length: partitions }, (_, partitionIndex) => ({
    topicName: topic,
    partitionIndex,
    controllerEpoch: 1,
    leader: 1,
    leaderEpoch: 0,
    isr: [1],
    partitionEpoch: 0,
    zkVersion: 0,
    replicas: [1],
    addingReplicas: [],
    removingReplicas: [],
    isNew: true,
    leaderRecoveryState: 0,
    offlineReplicas: [],
  }));
  await replicaManager.becomeLeaderOrFollower(
    {
      controllerId: 1,
      isKRaftController: false,
      controllerEpoch: 1,
      brokerEpoch: -1n,
      type: 0,
      ungroupedPartitionStates: [],
      topicStates: [{ topicName: topic, topicId: '', partitionStates: states }],
      liveLeaders: [],
    } as LeaderAndIsrRequest,
    2,
  );
  replicaManager.maybeUpdateMetadataCache(
    {
      controllerId: 1,
      isKRaftController: false,
      type: 0,
      controllerEpoch: 1,
      brokerEpoch: -1n,
      ungroupedPartitionStates: [],
      topicStates: [{ topicName: topic, topicId: '', partitionStates: states }],
      liveBrokers: [
        {
          id: 1,
          v0Host: '',
          v0Port: 0,
          rack: null,
          endpoints: [{ port, host: '127.0.0.1', listener: 'PLAINTEXT', securityProtocol: 0 }],
        },
      ],
    } as UpdateMetadataRequest,
    5,
  );
}

/** The input file: `recordCount` lines of RECORD_BYTES characters. */
const inputFile = path.join(dir, 'records.txt');
{
  const line = 'x'.repeat(RECORD_BYTES - 8);
  const chunk: string[] = [];
  const fd = fs.openSync(inputFile, 'w');
  for (let i = 0; i < recordCount; i++) {
    chunk.push(`${String(i).padStart(8, '0')}${line}`);
    if (chunk.length === 100_000) {
      fs.writeSync(fd, chunk.join('\n') + '\n');
      chunk.length = 0;
    }
  }
  if (chunk.length > 0) fs.writeSync(fd, chunk.join('\n') + '\n');
  fs.closeSync(fd);
}

/** Runs kcat; resolves with the wall time and the CPU time THIS process (the broker) used. */
function kcat(args: string[], stdinFile?: string): Promise<{ ms: number; brokerCpuMs: number }> {
  return runClient('kcat', ['-b', bootstrap, ...args], stdinFile);
}

/**
 * kcat formats every record it consumes, which caps it near 1.2M records/s here. When
 * librdkafka's headers are installed (Debian: librdkafka-dev), scripts/bench-consumer.c is
 * compiled and used as a second consumer that only counts records, to measure the broker
 * rather than kcat's printing.
 */
function compileFastConsumer(): string | undefined {
  const source = path.join(path.dirname(new URL(import.meta.url).pathname), 'bench-consumer.c');
  const binary = path.join(dir, 'bench-consumer');
  const result = spawnSync('cc', ['-O2', '-o', binary, source, '-lrdkafka'], { encoding: 'utf8' });
  if (result.status !== 0) {
    console.log('(librdkafka-dev not available: consuming with kcat only)');
    return undefined;
  }
  return binary;
}
const fastConsumer = compileFastConsumer();

function runClient(
  command: string,
  args: string[],
  stdinFile?: string,
): Promise<{ ms: number; brokerCpuMs: number }> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: [stdinFile ? fs.openSync(stdinFile, 'r') : 'ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const used = process.cpuUsage(cpu);
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}`));
      else
        resolve({
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          brokerCpuMs: (used.user + used.system) / 1000,
        });
    });
  });
}

function report(
  what: string,
  { ms, brokerCpuMs }: { ms: number; brokerCpuMs: number },
  bytes: number,
): void {
  const perSecond = (recordCount / ms) * 1000;
  const mbPerSecond = ((bytes / ms) * 1000) / (1024 * 1024);
  console.log(
    `${what.padEnd(28)} ${recordCount} records in ${ms.toFixed(0)} ms: ` +
      `${Math.round(perSecond).toLocaleString('en')} records/s, ${mbPerSecond.toFixed(1)} MB/s ` +
      `(broker CPU ${brokerCpuMs.toFixed(0)} ms)`,
  );
}

console.log(
  `broker on ${bootstrap}, ${os.cpus().length} cores, ${os.cpus()[0]?.model}, ` +
    `node ${process.version}, ${recordCount} records of ${RECORD_BYTES} bytes`,
);
for (const partitions of partitionCounts) {
  const topic = `bench-${partitions}`;
  await createTopic(topic, partitions);
  const produced = await kcat(
    [
      '-P',
      '-t',
      topic,
      '-X',
      'acks=1',
      '-X',
      'linger.ms=5',
      '-X',
      'batch.num.messages=10000',
      '-X',
      'queue.buffering.max.messages=2000000',
    ],
    inputFile,
  );
  report(`produce, ${partitions} partition(s)`, produced, recordCount * RECORD_BYTES);
  const logEnd = replicaManager
    .allPartitions()
    .filter((p) => p.topicPartition.topic === topic)
    .reduce((sum, p) => sum + p.logEndOffset, 0);
  if (logEnd !== recordCount) throw new Error(`expected ${recordCount} records, log has ${logEnd}`);
  const consumed = await kcat([
    '-C',
    '-t',
    topic,
    '-o',
    'beginning',
    '-e',
    '-q',
    ...(process.env.BENCH_CONSUMER_X ?? '')
      .split(' ')
      .filter(Boolean)
      .flatMap((x) => ['-X', x]),
  ]);
  report(`consume, ${partitions} partition(s)`, consumed, recordCount * RECORD_BYTES);
  if (fastConsumer) {
    const fast = await runClient(fastConsumer, [
      bootstrap,
      topic,
      String(partitions),
      String(recordCount),
    ]);
    report(`consume (librdkafka), ${partitions} p.`, fast, recordCount * RECORD_BYTES);
  }
}

replicaManager.shutdown();
await server.close();
await logManager.shutdown();
fs.rmSync(dir, { recursive: true, force: true });
