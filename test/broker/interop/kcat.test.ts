/**
 * kcat (librdkafka 2.0.2) against one in-process broker: metadata listing (-L), producing
 * keyed records with headers (-P, acks=-1 by default in librdkafka), and consuming them back
 * from the beginning (-C -e) with key, headers and partition intact.
 *
 * Skipped with a message when kcat is not installed; under CI=true a missing kcat fails.
 */
import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { startBroker } from '../server/harness.js';

const run = promisify(execFile);
const kcatAvailable = spawnSync('kcat', ['-V']).status === 0;

if (!kcatAvailable) {
  if (process.env.CI === 'true') t.fail('kcat is not installed, and CI=true requires it');
  else t.comment('kcat is not installed: skipping the kcat interop tests');
} else {
  t.test('kcat: -L, -P with keys and headers, -C -e', async (t) => {
    const broker = await startBroker(t);
    await broker.controller.createTopic('kc', 3);
    const base = ['-b', broker.bootstrap, '-X', 'socket.timeout.ms=5000'];

    const list = await run('kcat', [...base, '-L', '-J']);
    const metadata = JSON.parse(list.stdout) as {
      brokers: { id: number; name: string }[];
      controllerid: number;
      topics: { topic: string; partitions: { partition: number; leader: number }[] }[];
    };
    t.same(
      metadata.brokers.map((b) => [b.id, b.name]),
      [[1, broker.bootstrap]],
    );
    t.equal(metadata.controllerid, 1);
    const kc = metadata.topics.find((x) => x.topic === 'kc')!;
    t.same(
      kc.partitions.map((p) => [p.partition, p.leader]),
      [
        [0, 1],
        [1, 1],
        [2, 1],
      ],
    );

    // librdkafka's default partitioner is consistent_random (CRC-32 of the key):
    // 'abc' -> 891568578 % 3 = 0, 'hello' -> 907060870 % 3 = 1, '0' -> 4108050209 % 3 = 2.
    const input = 'abc:first\nhello:second\n0:third\n';
    await runWithInput('kcat', [...base, '-P', '-t', 'kc', '-K', ':', '-H', 'origin=kcat'], input);

    const consumed = await run('kcat', [
      ...base,
      '-C',
      '-t',
      'kc',
      '-o',
      'beginning',
      '-e',
      '-J',
      '-q',
    ]);
    const records = consumed.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            partition: number;
            offset: number;
            key: string;
            payload: string;
            headers: string[];
            tstype: string;
            ts: number;
          },
      );
    const byKey = new Map(records.map((r) => [r.key, r]));
    t.equal(records.length, 3);
    t.same(
      [byKey.get('abc')?.partition, byKey.get('hello')?.partition, byKey.get('0')?.partition],
      [0, 1, 2],
      'CRC-32 partitioning',
    );
    t.equal(byKey.get('hello')?.payload, 'second');
    t.same(byKey.get('0')?.headers, ['origin', 'kcat']);
    t.equal(byKey.get('abc')?.tstype, 'create');
    t.ok(Math.abs(byKey.get('abc')!.ts - Date.now()) < 60_000, 'producer timestamp kept');
  });

  t.test('kcat: producing to an unknown topic without auto-create fails', async (t) => {
    const broker = await startBroker(t, { config: { autoCreateTopicsEnable: false } });
    const result = await runWithInput(
      'kcat',
      [
        '-b',
        broker.bootstrap,
        '-P',
        '-t',
        'missing',
        '-X',
        'message.timeout.ms=1500',
        '-X',
        'topic.metadata.refresh.interval.ms=100',
      ],
      'x\n',
    ).then(
      () => 'delivered',
      (err: { stderr?: string }) => err.stderr ?? 'failed',
    );
    t.match(result, /Unknown topic|UNKNOWN_TOPIC|timed out|not available/i);
  });
}

/** Runs a command with `input` on stdin; rejects (with stderr) on a non-zero exit. */
function runWithInput(command: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(new Error(`${command} failed`, { cause: err }), { stderr }));
      else resolve(stdout);
    });
    child.stdin!.end(input);
  });
}
