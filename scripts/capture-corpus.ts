/**
 * Re-makes the socket fuzzer's corpus (test/fixtures/corpus/) from real clients:
 *
 *   node --import=tsx scripts/capture-corpus.ts [--out test/fixtures/corpus]
 *
 * It starts a coordinator and one broker from source (temporary data directory, free loopback
 * ports), puts a recording TCP proxy in front of each, and drives real clients through the
 * proxies: kcat, kafkajs and kafka-python for Kafka; kazoo, zkCli.sh, node-zookeeper-client and
 * raw four-letter words for ZooKeeper. The broker advertises the proxy's port, so a Kafka
 * client's later connections (after Metadata) go through the proxy too. The proxy keeps what
 * each client connection sent, cut into frames with the daemons' own frame readers. Our
 * coordinator client speaks the WebSocket protocol; its JSON messages are recorded by wrapping
 * `WebSocket.prototype.send` in this process.
 *
 * Output: one JSON file per client, `{protocol, client, connections: [{frames: [...]}]}`, the
 * frames as hex (size prefix included) or, for ws, as the JSON text sent. The clients must be
 * installed (see .ci/run); a missing one is reported and skipped, so check the summary.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect, type AddressInfo, type Server } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { Kafka, CompressionTypes, logLevel } from 'kafkajs';
import {
  FrameReader as KafkaFrameReader,
  peekRequestHeader,
} from '../src/protocol/kafka/frame-reader.js';
import { FrameReader as ZkFrameReader } from '../src/protocol/zookeeper/frame-reader.js';
import { CoordinatorClient, Op } from '../src/coordinator-client/client.js';
import { isEntryPoint } from '../src/entry-point.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const PYTHON = '/usr/bin/python3';
const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh';

type Protocol = 'kafka' | 'zookeeper' | 'ws';

interface Captured {
  protocol: Protocol;
  client: string;
  connections: { frames: string[] }[];
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

/** Runs a command; resolves with its exit code and output (never rejects). */
function run(
  command: string,
  args: string[],
  options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      done({ code: -1, output: String(err) });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Starts `node --import tsx <script> args` and waits for `readyText` in its output. */
function startDaemon(script: string, args: string[], readyText: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<void>((resolveReady, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(readyText)) resolveReady();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}):\n${output}`)));
  });
  return { child, ready };
}

/**
 * A TCP proxy that records what clients send. `label` names the client whose connections are
 * being recorded; connections are filed under the label current when they opened.
 */
class RecordingProxy {
  label = '';
  readonly sessions = new Map<string, Buffer[][]>();
  readonly #server: Server;
  readonly #open = new Set<Promise<void>>();

  constructor(
    readonly protocol: 'kafka' | 'zookeeper',
    upstreamPort: number,
  ) {
    this.#server = createServer((client) => {
      const label = this.label;
      const tracked = label !== '';
      const chunks: Buffer[] = [];
      const upstream = tcpConnect(upstreamPort, '127.0.0.1');
      client.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
      client.pipe(upstream);
      upstream.pipe(client);
      const closed = new Promise<void>((done) => {
        let ends = 0;
        const end = () => {
          if (++ends === 2) done();
        };
        client.on('close', end);
        upstream.on('close', end);
      });
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      const recorded = closed.then(() => this.#file(label, Buffer.concat(chunks)));
      if (tracked) {
        this.#open.add(recorded);
        void recorded.finally(() => this.#open.delete(recorded));
      }
    });
  }

  listen(port: number): Promise<void> {
    return new Promise((done) => this.#server.listen(port, '127.0.0.1', done));
  }

  /**
   * Waits until the connections of the current client have closed and been filed, for at
   * most `timeoutMs`: the broker's controller also connects to its own advertised listener
   * (the proxy) and keeps that connection, which must not hold up the capture.
   */
  async drain(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#open.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.all([...this.#open]), new Promise((r) => setTimeout(r, 100))]);
    }
  }

  close(): Promise<void> {
    return new Promise((done) => this.#server.close(() => done()));
  }

  #file(label: string, stream: Buffer): void {
    if (stream.length === 0 || label === '') return;
    const frames: Buffer[] = [];
    if (this.protocol === 'kafka') {
      let at = 0;
      for (const frame of new KafkaFrameReader().push(stream).frames) {
        frames.push(stream.subarray(at, at + 4 + frame.length));
        at += 4 + frame.length;
      }
    } else {
      let at = 0;
      for (const out of new ZkFrameReader({ detectFourLetterWords: true }).push(stream)) {
        if (out.kind === 'frame') {
          frames.push(stream.subarray(at, at + 4 + out.packet.length));
          at += 4 + out.packet.length;
        } else if (out.kind === 'fourLetterWord') {
          frames.push(Buffer.from(out.word, 'latin1'));
        }
      }
    }
    if (frames.length === 0) return;
    if (this.protocol === 'kafka') {
      // The broker's controller talks to its own advertised listener: not a client.
      const peek = peekRequestHeader((frames[0] as Buffer).subarray(4));
      if (peek.ok && peek.header.clientId?.startsWith('controller-')) return;
    }
    const list = this.sessions.get(label) ?? [];
    list.push(frames);
    this.sessions.set(label, list);
  }
}

function toCaptured(protocol: Protocol, proxy: RecordingProxy): Captured[] {
  return [...proxy.sessions].map(([client, connections]) => ({
    protocol,
    client,
    connections: connections.map((frames) => ({ frames: frames.map((f) => f.toString('hex')) })),
  }));
}

// ---------------------------------------------------------------------------------------------
// The clients

async function kcat(port: number, log: (s: string) => void): Promise<void> {
  const broker = `127.0.0.1:${port}`;
  const steps: [string[], string?][] = [
    [['-b', broker, '-L']],
    [['-b', broker, '-P', '-t', 'capture-kcat', '-K:'], 'k1:v1\nk2:v2\n:v3\nk4:\n'],
    [['-b', broker, '-P', '-t', 'capture-kcat', '-z', 'gzip', '-H', 'h=1'], 'gz1\ngz2\n'],
    [['-b', broker, '-C', '-t', 'capture-kcat', '-o', 'beginning', '-e', '-q']],
    [['-b', broker, '-Q', '-t', 'capture-kcat:0:-1']],
  ];
  for (const [args, input] of steps) {
    const result = await run('kcat', args, { input, timeoutMs: 30_000 });
    if (result.code !== 0) log(`kcat ${args.join(' ')}: exit ${result.code}: ${result.output}`);
  }
}

async function kafkajs(port: number): Promise<void> {
  const kafka = new Kafka({
    clientId: 'capture-kafkajs',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'capture-kafkajs', numPartitions: 2 }] });
  await admin.fetchTopicMetadata({ topics: ['capture-kafkajs'] });
  const producer = kafka.producer();
  await producer.connect();
  const now = Date.now();
  await producer.send({
    topic: 'capture-kafkajs',
    messages: [
      { key: 'a', value: 'one', headers: { h: 'x' }, timestamp: String(now) },
      { key: null, value: 'two' },
      { key: 'c', value: null },
    ],
  });
  await producer.send({
    topic: 'capture-kafkajs',
    compression: CompressionTypes.GZIP,
    messages: [{ value: 'gzipped' }, { value: 'gzipped too', partition: 1 }],
  });
  await admin.fetchTopicOffsets('capture-kafkajs');
  await admin.fetchTopicOffsetsByTimestamp('capture-kafkajs', now - 1000);
  await admin.describeConfigs({
    resources: [{ type: 2, name: 'capture-kafkajs' }],
    includeSynonyms: false,
  });
  await admin.createPartitions({ topicPartitions: [{ topic: 'capture-kafkajs', count: 3 }] });
  await admin.deleteTopics({ topics: ['capture-kafkajs'] });
  await producer.disconnect();
  await admin.disconnect();
}

const KAFKA_PYTHON = `
import sys
from kafka import KafkaProducer, KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
broker = sys.argv[1]
admin = KafkaAdminClient(bootstrap_servers=broker, request_timeout_ms=10000)
admin.create_topics([NewTopic('capture-python', 1, 1)])
producer = KafkaProducer(bootstrap_servers=broker, compression_type='gzip')
for i in range(3):
    producer.send('capture-python', key=b'k%d' % i, value=b'v%d' % i, headers=[('h', b'1')])
producer.flush()
producer.close()
consumer = KafkaConsumer(bootstrap_servers=broker, group_id=None, enable_auto_commit=False,
                         consumer_timeout_ms=3000)
tp = TopicPartition('capture-python', 0)
consumer.assign([tp])
consumer.seek_to_beginning(tp)
print(len(list(consumer)))
print(consumer.end_offsets([tp]))
consumer.close()
admin.delete_topics(['capture-python'])
admin.close()
`;

const KAZOO = `
import sys
from kazoo.client import KazooClient
zk = KazooClient(hosts=sys.argv[1])
zk.start(timeout=10)
zk.ensure_path('/capture/kazoo')
zk.create('/capture/kazoo/node', b'data', ephemeral=True)
zk.create('/capture/kazoo/seq-', b'', sequence=True)
zk.set('/capture/kazoo/node', b'new data')
zk.get('/capture/kazoo/node', watch=lambda e: None)
zk.get_children('/capture/kazoo', watch=lambda e: None)
zk.exists('/capture/kazoo/missing', watch=lambda e: None)
t = zk.transaction()
t.create('/capture/kazoo/txn', b'x')
t.check('/capture/kazoo/node', 1)
t.set_data('/capture/kazoo/txn', b'y')
t.commit()
zk.get_acls('/capture/kazoo')
zk.sync('/capture')
zk.delete('/capture/kazoo', recursive=True)
zk.stop()
`;

const ZKCLI_COMMANDS = [
  'create /capture-zkcli first',
  'create -e /capture-zkcli/eph e',
  'create -s /capture-zkcli/seq- s',
  'ls -s /capture-zkcli',
  'get -s /capture-zkcli',
  'set /capture-zkcli second',
  'stat /capture-zkcli',
  'getAcl /capture-zkcli',
  'addWatch -m PERSISTENT_RECURSIVE /capture-zkcli',
  'getAllChildrenNumber /capture-zkcli',
  'getEphemerals /',
  'deleteall /capture-zkcli',
  'quit',
].join('\n');

interface Nzk {
  once(event: 'connected', fn: () => void): void;
  connect(): void;
  close(): void;
  create(path: string, data: Buffer, cb: (err: Error | null) => void): void;
  getData(path: string, watcher: (() => void) | undefined, cb: (err: Error | null) => void): void;
  setData(path: string, data: Buffer, cb: (err: Error | null) => void): void;
  getChildren(path: string, cb: (err: Error | null) => void): void;
  exists(path: string, cb: (err: Error | null) => void): void;
  remove(path: string, cb: (err: Error | null) => void): void;
}

async function nodeZookeeperClient(port: number): Promise<void> {
  const zookeeper = createRequire(import.meta.url)('node-zookeeper-client') as {
    createClient(s: string, o: object): Nzk;
  };
  const client = zookeeper.createClient(`127.0.0.1:${port}`, { sessionTimeout: 4000 });
  await new Promise<void>((done) => {
    client.once('connected', done);
    client.connect();
  });
  const call = (fn: (cb: (err: Error | null) => void) => void) =>
    new Promise<void>((done) => fn(() => done()));
  await call((cb) => client.create('/capture-nzk', Buffer.from('a'), cb));
  await call((cb) => client.getData('/capture-nzk', () => {}, cb));
  await call((cb) => client.setData('/capture-nzk', Buffer.from('b'), cb));
  await call((cb) => client.getChildren('/', cb));
  await call((cb) => client.exists('/capture-nzk', cb));
  await call((cb) => client.remove('/capture-nzk', cb));
  client.close();
}

async function fourLetterWords(port: number): Promise<void> {
  for (const word of ['ruok', 'srvr', 'mntr', 'stat', 'cons', 'wchs', 'conf', 'envi']) {
    await new Promise<void>((done) => {
      const socket = tcpConnect(port, '127.0.0.1', () => socket.write(word));
      socket.on('data', () => {});
      socket.on('error', () => done());
      socket.on('close', () => done());
    });
  }
}

/** Our coordinator client, with every JSON message it sends recorded. */
async function coordinatorClient(port: number): Promise<Captured> {
  const connections: { frames: string[] }[] = [];
  // Kept to be called with `.call(this, ...)` below, which supplies the `this` it needs.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const send = WebSocket.prototype.send;
  const byConnection = new WeakMap<WebSocket, string[]>();
  WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
    let frames = byConnection.get(this);
    if (!frames) {
      frames = [];
      byConnection.set(this, frames);
      connections.push({ frames });
    }
    frames.push(String(data));
    return (send as (...a: unknown[]) => void).call(this, data, ...rest);
  } as typeof WebSocket.prototype.send;
  try {
    const client = new CoordinatorClient(`127.0.0.1:${port}`, { sessionTimeoutMs: 4000 });
    await client.connect();
    await client.create('/capture-ws', Buffer.from('data'));
    await client.create('/capture-ws/eph', null, { mode: 'ephemeral' });
    await client.create('/capture-ws/seq-', Buffer.from('s'), { mode: 'persistent_sequential' });
    await client.getData('/capture-ws', () => {});
    await client.exists('/capture-ws/missing', () => {});
    await client.setData('/capture-ws', Buffer.from('new'));
    await client.getChildren('/capture-ws', () => {});
    await client.getChildrenWithStat('/capture-ws');
    await client.multi([
      Op.create('/capture-ws/m', Buffer.from('m')),
      Op.check('/capture-ws', 1),
      Op.setData('/capture-ws/m', Buffer.from('n')),
    ]);
    await client.multiRead([Op.getData('/capture-ws'), Op.getChildren('/capture-ws')]);
    await client.getACL('/capture-ws');
    await client.sync('/capture-ws');
    await client.getEphemerals('/');
    await client.getAllChildrenNumber('/capture-ws');
    await client.addWatch('/capture-ws', 'persistent_recursive', () => {});
    await client.whoAmI();
    for (const child of await client.getChildren('/capture-ws')) {
      await client.delete(`/capture-ws/${child}`);
    }
    await client.delete('/capture-ws');
    await client.close();
  } finally {
    WebSocket.prototype.send = send;
  }
  // A four-letter word over WebSocket, as `coordinator ruok` sends it.
  connections.push({ frames: [JSON.stringify({ type: 'command', command: 'ruok' })] });
  return {
    protocol: 'ws',
    client: 'samsa coordinator client (src/coordinator-client)',
    connections,
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const outIndex = process.argv.indexOf('--out');
  const out = resolve(
    outIndex > 0 ? (process.argv[outIndex + 1] as string) : join(ROOT, 'test/fixtures/corpus'),
  );
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'samsa-capture-'));
  const [coordPort, brokerPort, kafkaProxyPort, zkProxyPort] = await Promise.all(
    [0, 1, 2, 3].map(() => freePort()),
  );
  const coordinator = startDaemon(
    'coordinator/cli.ts',
    ['start', '--port', String(coordPort), '--admin-port', '-1', '--data-dir', join(dir, 'c')],
    'listening',
  );
  const children = [coordinator.child];
  try {
    await coordinator.ready;
    log(`coordinator on ${coordPort}`);
    const broker = startDaemon(
      'broker/cli.ts',
      [
        'start',
        '--id',
        '1',
        '--port',
        String(brokerPort),
        '--coordinator',
        `127.0.0.1:${coordPort}`,
        '--data-dir',
        join(dir, 'b'),
        '--override',
        `advertised.listeners=PLAINTEXT://127.0.0.1:${kafkaProxyPort}`,
      ],
      'broker listening',
    );
    children.push(broker.child);
    await broker.ready;
    log(`broker on ${brokerPort}, advertised as the proxy on ${kafkaProxyPort}`);
    const kafkaProxy = new RecordingProxy('kafka', brokerPort);
    const zkProxy = new RecordingProxy('zookeeper', coordPort);
    await kafkaProxy.listen(kafkaProxyPort);
    await zkProxy.listen(zkProxyPort);

    const kcatVersion = (await run('kcat', ['-V'])).output.split('\n')[0]?.trim() ?? 'kcat';
    const step = async (proxy: RecordingProxy, label: string, fn: () => Promise<unknown>) => {
      proxy.label = label;
      log(`${label}: running`);
      try {
        await fn();
      } catch (err) {
        log(`${label}: ${(err as Error).message}`);
      }
      await proxy.drain();
      proxy.label = '';
      log(`${label}: ${proxy.sessions.get(label)?.length ?? 0} connections recorded`);
    };
    const python = async (label: string, script: string, target: string) => {
      const result = await run(PYTHON, ['-c', script, target], { timeoutMs: 60_000 });
      if (result.code !== 0) throw new Error(`${label} exited ${result.code}: ${result.output}`);
    };
    await step(kafkaProxy, kcatVersion, () => kcat(kafkaProxyPort, log));
    await step(kafkaProxy, 'kafkajs 2.2.4', () => kafkajs(kafkaProxyPort));
    await step(kafkaProxy, 'kafka-python (Debian python3-kafka)', () =>
      python('kafka-python', KAFKA_PYTHON, `127.0.0.1:${kafkaProxyPort}`),
    );
    await step(zkProxy, 'kazoo (Debian python3-kazoo)', () =>
      python('kazoo', KAZOO, `127.0.0.1:${zkProxyPort}`),
    );
    await step(zkProxy, 'zkCli.sh (Debian zookeeper, Java client)', async () => {
      const result = await run(ZKCLI, ['-server', `127.0.0.1:${zkProxyPort}`], {
        input: ZKCLI_COMMANDS,
        timeoutMs: 90_000,
      });
      if (result.code !== 0) throw new Error(`zkCli.sh exited ${result.code}: ${result.output}`);
    });
    await step(zkProxy, 'node-zookeeper-client 1.1.3', () => nodeZookeeperClient(zkProxyPort));
    await step(zkProxy, 'four-letter words (raw socket)', () => fourLetterWords(zkProxyPort));
    const ws = await coordinatorClient(coordPort);
    log(`${ws.client}: ${ws.connections.length} connections recorded`);

    // Not awaited: close() waits for open connections, and the controller's stays open.
    void kafkaProxy.close();
    void zkProxy.close();
    const files = [...toCaptured('kafka', kafkaProxy), ...toCaptured('zookeeper', zkProxy), ws];
    for (const file of files) {
      const folder = join(out, file.protocol);
      mkdirSync(folder, { recursive: true });
      const name = file.client
        .split(' ')[0]!
        .replace(/[^a-z0-9-]+/gi, '-')
        .toLowerCase();
      writeFileSync(join(folder, `${name}.json`), `${JSON.stringify(file, null, 1)}\n`);
      const frames = file.connections.reduce((n, c) => n + c.frames.length, 0);
      const connections = file.connections.length;
      log(`wrote ${file.protocol}/${name}.json: ${connections} connections, ${frames} frames`);
    }
    // The repository's format check covers the fixtures too.
    await run(join(ROOT, 'node_modules', '.bin', 'prettier'), ['--write', out]);
  } finally {
    for (const child of children.reverse()) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isEntryPoint(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`capture-corpus: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
