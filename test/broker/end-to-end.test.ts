/**
 * The whole system as users run it: a coordinator process and broker processes, a topic
 * made the classic way (`coordinator topics create`), records produced by kafkajs with keys,
 * headers and timestamps, read back by kcat (librdkafka, no consumer group needed), and
 * every acknowledged record still there after a broker is killed with SIGKILL and restarted,
 * and after a clean restart of a single-broker cluster.
 *
 * kcat is a Debian package: without it the test skips with a message, except under CI=true.
 */
import { spawn } from 'node:child_process';
import t from 'tap';
import {
  cli,
  kafka,
  kcatInstalled,
  kill9,
  killBroker,
  restart,
  run,
  startBroker,
  startCluster,
  waitFor,
} from '../helpers/cluster.js';

interface Consumed {
  key: string | null;
  payload: string;
  partition: number;
  offset: number;
  ts: number;
  headers: string[] | null;
}

/** Every record of a topic, via kcat as a plain (group-less) consumer. */
async function consumeAll(bootstrap: string, topic: string): Promise<Consumed[]> {
  const { stdout } = await run(
    'kcat',
    ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-J'],
    {
      maxBuffer: 64 * 1024 * 1024,
      timeout: 30_000,
    },
  );
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Consumed);
}

if (kcatInstalled(t)) {
  t.test(
    'three brokers: produce with kafkajs, consume with kcat, SIGKILL and restart a leader',
    async (t) => {
      const cluster = await startCluster(t);
      const bootstrap = cluster.bootstrap();

      const created = await cli(cluster, [
        'topics',
        'create',
        'orders',
        '--partitions',
        '6',
        '--replication-factor',
        '1',
      ]);
      t.match(created.stdout, /Created topic orders/);
      const described = await waitFor('leaders for every partition', async () => {
        const { stdout } = await cli(cluster, ['topics', 'describe', 'orders']);
        return /Leader: none/.test(stdout) || (stdout.match(/Partition: \d/g) ?? []).length !== 6
          ? undefined
          : stdout;
      });
      t.match(described, /PartitionCount: 6/);

      const client = kafka(cluster, { clientId: 'e2e' });
      const producer = client.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      t.teardown(() => producer.disconnect());
      const sent: { key: string; value: string; timestamp: string }[] = [];
      const baseTs = Date.now() - 60_000;
      for (let batch = 0; batch < 10; batch++) {
        const messages = Array.from({ length: 100 }, (_, i) => {
          const n = batch * 100 + i;
          return {
            key: `key-${n}`,
            value: `value-${n}`,
            timestamp: String(baseTs + n),
            headers: { origin: 'kafkajs', n: String(n) },
          };
        });
        await producer.send({ topic: 'orders', acks: 1, messages });
        sent.push(...messages);
      }

      const before = await consumeAll(bootstrap, 'orders');
      t.equal(before.length, 1000, 'every record comes back');
      const byKey = new Map(before.map((r) => [r.key, r]));
      const sample = byKey.get('key-42')!;
      t.equal(sample.payload, 'value-42');
      t.equal(sample.ts, baseTs + 42, 'timestamp intact');
      t.same(sample.headers, ['origin', 'kafkajs', 'n', '42'], 'headers intact');
      // kafkajs spreads keys over the partitions with murmur2 (placement against Java's own
      // vectors is checked in interop/kafkajs.test.ts).
      const partitionsOf = new Map<number, Set<string>>();
      for (const r of before) {
        if (!partitionsOf.has(r.partition)) partitionsOf.set(r.partition, new Set());
        partitionsOf.get(r.partition)!.add(r.key!);
      }
      t.ok(partitionsOf.size > 1, 'records spread over several partitions');

      // SIGKILL the broker that leads partition 0, restart it on the same port and data dir.
      const { stdout: desc } = await cli(cluster, ['topics', 'describe', 'orders']);
      const leaderOf0 = Number(/Partition: 0\tLeader: (\d+)/.exec(desc)![1]);
      const victim = await kill9(cluster, leaderOf0);
      // restart waits for the dead broker's registration to expire (2 s here) first.
      const restarted = await restart(t, cluster, victim);
      t.equal(restarted.port, victim.port);
      const after = await waitFor('all records after the restart', async () => {
        const records = await consumeAll(bootstrap, 'orders');
        return records.length === 1000 ? records : undefined;
      });
      const keysAfter = new Set(after.map((r) => r.key));
      t.same(
        sent.filter((m) => !keysAfter.has(m.key)),
        [],
        'no acknowledged record was lost by kill -9 + restart',
      );
      t.equal(after.find((r) => r.key === 'key-999')!.payload, 'value-999');
    },
  );

  t.test('one broker: auto-created topic, clean restart keeps the records', async (t) => {
    const cluster = await startCluster(t, { brokers: [1] });
    const broker = cluster.brokers.get(1)!;
    const bootstrap = `127.0.0.1:${broker.port}`;
    const input = Array.from({ length: 500 }, (_, i) => `k${i}:v${i}`).join('\n') + '\n';
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        'kcat',
        ['-b', bootstrap, '-P', '-t', 'auto', '-K', ':', '-X', 'topic.request.required.acks=1'],
        {
          stdio: ['pipe', 'ignore', 'pipe'],
        },
      );
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`kcat -P failed: ${err}`)),
      );
      child.stdin.end(input);
    });
    t.equal(
      (
        await waitFor('records', async () => {
          const r = await consumeAll(bootstrap, 'auto');
          return r.length === 500 ? r : undefined;
        })
      ).length,
      500,
      'auto-created topic holds the records',
    );
    await killBroker(cluster, 1, 'SIGTERM');
    t.equal(await broker.exited, 0, 'clean shutdown exits 0');
    const again = await startBroker(t, cluster, 1, { port: broker.port });
    const records = await waitFor('records after restart', async () => {
      const r = await consumeAll(`127.0.0.1:${again.port}`, 'auto');
      return r.length === 500 ? r : undefined;
    });
    t.same(
      records.map((r) => r.payload).sort(),
      Array.from({ length: 500 }, (_, i) => `v${i}`).sort(),
    );
  });
}
