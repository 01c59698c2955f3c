/**
 * `npm start` end to end: scripts/samsa.ts start runs in a temporary directory (so the cluster's
 * ./data goes there), and the test waits for the banner and every broker's readiness, checks
 * three brokers through kafkajs, produces to a replicated topic, and scrapes /metrics on every
 * daemon: the coordinator's, and each broker's, whose messages-in for the topic add up to
 * what was produced.
 *
 * `npm start` uses FIXED ports (2181, 8080, 9092-9094, 8091-8093), like the kafkajs suite
 * runner: run this file by hand under `flock /tmp/kafkajs-suite.lock npx tap <this file>`.
 * If a port is busy the test fails at once and names the process holding it.
 *
 * The launcher is run as test/helpers/processes.ts runs every program (compiled when dist/ is
 * current, else the TypeScript source through tsx), by absolute paths because the working
 * directory is the temporary one.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { nodeArgsFor } from '../helpers/processes.js';
import { httpGet, sample } from '../helpers/prometheus.js';
import { waitFor } from '../helpers/wait-for.js';
import { describePortOwner, portOwner } from '../../scripts/samsa/port-owner.js';

const PORTS = [2181, 8080, 9092, 9093, 9094, 8091, 8092, 8093];
const BROKER_ADMIN_PORTS = [8091, 8092, 8093];

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

t.test('npm start: three brokers up, a banner, metrics on every daemon', async (t) => {
  const busy: string[] = [];
  for (const port of PORTS) {
    if (!(await portFree(port))) busy.push(`${port}${describePortOwner(port)}`);
  }
  if (busy.length > 0) {
    t.fail(
      `npm start needs ports ${PORTS.join(', ')}; busy: ${busy.join('; ')}. ` +
        'Stop that process, or run this test under flock /tmp/kafkajs-suite.lock',
    );
    return;
  }

  const dir = mkdtempSync(join(tmpdir(), 'samsa-npm-start-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const launcher = spawn(process.execPath, [...nodeArgsFor('scripts/samsa.ts'), 'start'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  launcher.stdout.on('data', (c: Buffer) => (output += c.toString()));
  launcher.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((r) => launcher.once('exit', (code) => r(code)));
  t.teardown(async () => {
    // Ctrl-C's path: brokers first, then the coordinator. If that hangs, kill what holds
    // the ports (the launcher's children) by pid, then the launcher.
    launcher.kill('SIGINT');
    const stopped = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 30_000)),
    ]);
    if (!stopped) {
      for (const port of PORTS) {
        const owner = portOwner(port);
        if (owner !== undefined) process.kill(owner.pid, 'SIGKILL');
      }
      launcher.kill('SIGKILL');
    }
  });

  await waitFor(
    'the banner',
    () => {
      if (launcher.exitCode !== null) throw new Error(`samsa start exited:\n${output}`);
      return output.includes('Samsa is up');
    },
    { timeoutMs: 90_000, intervalMs: 200 },
  );
  t.match(output, /broker 3 +127\.0\.0\.1:9094 +http:\/\/127\.0\.0\.1:8093\/metrics/);
  t.match(output, /npx samsa topics create/);
  t.ok(existsSync(join(dir, 'data', 'broker-1', 'meta.properties')), 'data under ./data');

  for (const port of BROKER_ADMIN_PORTS) {
    const ready = await waitFor(
      `broker on ${port} ready`,
      async () => ((await httpGet(`http://127.0.0.1:${port}/readyz`)).status === 200 ? 1 : 0),
      { timeoutMs: 30_000 },
    );
    t.equal(ready, 1, `/readyz on ${port}`);
  }

  const kafka = new Kafka({
    brokers: ['127.0.0.1:9092'],
    clientId: 'npm-start-test',
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const cluster = await admin.describeCluster();
  t.same(cluster.brokers.map((b) => b.nodeId).sort(), [1, 2, 3], 'three brokers in the metadata');
  const topic = `started-${Date.now()}`;
  await admin.createTopics({
    topics: [{ topic, numPartitions: 3, replicationFactor: 3 }],
    waitForLeaders: true,
  });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
  });

  const coordinator = await httpGet('http://127.0.0.1:8080/metrics');
  t.equal(coordinator.status, 200);
  t.ok(sample(coordinator.body, 'coordinator_znode_count')! > 10, 'coordinator znodes');
  t.ok(sample(coordinator.body, 'coordinator_global_sessions')! >= 3, 'a session per broker');

  const messagesIn = await waitFor('messages-in on the leaders', async () => {
    let total = 0;
    for (const port of BROKER_ADMIN_PORTS) {
      const { body } = await httpGet(`http://127.0.0.1:${port}/metrics`);
      total += sample(body, 'kafka_server_brokertopicmetrics_messagesin_total', { topic }) ?? 0;
    }
    return total === 6 ? total : undefined;
  });
  t.equal(messagesIn, 6, "the leaders' messages-in add up to the 6 records");
  const { body } = await httpGet('http://127.0.0.1:8091/metrics');
  t.equal(
    sample(body, 'kafka_server_replicamanager_partitioncount')! >= 3,
    true,
    'broker 1 hosts a replica of each partition',
  );
});
