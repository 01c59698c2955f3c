/**
 * kill -9 of a partition leader under acks=all production from librdkafka (confluent-kafka,
 * Debian's python3-confluent-kafka; test/helpers/confluent-produce.py), with real processes: a
 * coordinator and three brokers, replication factor 3, min.insync.replicas=2. librdkafka
 * retries through the leader change; every record it reports as delivered must be readable
 * afterwards (kcat reads the partition back), and the new leader comes from the old ISR.
 * replication-failover.test.ts proves the same with kafkajs.
 *
 * Without confluent-kafka or kcat the test skips with a message, except under CI=true.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/processes.js';
import {
  consume,
  createTopic,
  kcatAvailable,
  kill9,
  partitionState,
  startCluster,
  waitFor,
} from '../helpers/replication-cluster.js';

// Process starts and session expiries: beyond the 120 s per file of package.json when the
// machine is loaded.
t.setTimeout(300_000);

const PYTHON = '/usr/bin/python3';
const confluentAvailable = spawnSync(PYTHON, ['-c', 'import confluent_kafka']).status === 0;

const TOTAL = 6_000;

if (!confluentAvailable || !kcatAvailable) {
  const missing = !confluentAvailable ? 'python3-confluent-kafka' : 'kcat';
  if (process.env.CI === 'true') t.fail(`${missing} is not installed, and CI=true requires it`);
  else t.comment(`${missing} is not installed: skipping (apt-get install ${missing})`);
} else {
  t.test('kill -9 of a leader under acks=all from librdkafka loses nothing acked', async (t) => {
    const cluster = await startCluster(t, ['min.insync.replicas=2']);
    const topic = 'rdkafka-acked';
    await createTopic(cluster, topic, 1);
    const before = await waitFor('a full ISR', async () => {
      const s = await partitionState(cluster, topic, 0);
      return s.isr.length === 3 ? s : undefined;
    });

    const producer = spawn(
      PYTHON,
      [
        path.join(ROOT, 'test/helpers/confluent-produce.py'),
        cluster.bootstrap(),
        topic,
        '0',
        'all',
        String(TOTAL),
        '100',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    t.teardown(() => {
      if (producer.exitCode === null) producer.kill('SIGKILL');
    });
    const acknowledged: string[] = [];
    const failed: string[] = [];
    let stderr = '';
    let pending = '';
    producer.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const [kind, value] = line.split(' ');
        if (kind === 'ok') acknowledged.push(value!);
        else if (kind === 'fail') failed.push(line);
      }
    });
    producer.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => producer.once('exit', resolve));

    await waitFor('a first part acknowledged', async () =>
      acknowledged.length >= 1_000 ? true : undefined,
    );
    const victim = before.leader;
    const killedAt = acknowledged.length;
    await kill9(cluster, victim);
    t.comment(`killed broker ${victim}, the leader of ${topic}-0, after ${killedAt} acks`);
    const code = await exited;
    if (code !== 0) t.comment(stderr.slice(-2_000));
    t.equal(code, 0, 'the producer finished');
    t.ok(acknowledged.length > killedAt, 'records were acknowledged after the kill');
    t.comment(`${acknowledged.length} acknowledged, ${failed.length} given up by librdkafka`);

    const after = await partitionState(cluster, topic, 0);
    t.not(after.leader, victim, 'a new leader');
    t.ok(before.isr.includes(after.leader), 'elected from the old ISR');
    t.ok(after.leader_epoch > before.leader_epoch, 'with a higher leader epoch');

    const seen = new Set(await consume(cluster.bootstrap(), topic, 0));
    t.same(
      acknowledged.filter((v) => !seen.has(v)),
      [],
      `every one of ${acknowledged.length} acknowledged records is readable`,
    );
  });
}
