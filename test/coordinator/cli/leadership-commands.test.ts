/**
 * `coordinator elect-leaders` and `coordinator reassign`, run in-process against a real
 * coordinator with a controller and simulated brokers (test/broker/controller/harness.ts).
 */
import { PassThrough } from 'node:stream';
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { main } from '../../../coordinator/cli.js';
import { parseReassignmentPlan } from '../../../coordinator/cli/reassign.js';
import { startBench, until } from '../../broker/controller/harness.js';

async function cli(connect: string, ...args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(['node', 'coordinator', '--server', connect, ...args], {
    stdout,
    stderr,
  });
  return { code, out, err };
}

t.test('elect-leaders and reassign', async (t) => {
  const bench = await startBench(t);
  for (const id of [1, 2, 3]) await bench.startBroker(id);
  const controller = bench.controller(1);
  controller.startup();
  await until(async () => controller.isActive(), 'active');
  await bench.createTopic('p', { 0: [2, 1], 1: [1, 2] });
  await controller.whenIdle();

  await t.test('elect-leaders moves leadership back to the preferred replica', async (t) => {
    await bench.killBroker(2);
    await until(async () => (await bench.state('p', 0)).leader === 1, 'p-0 on 1');
    await bench.startBroker(2);
    await controller.whenIdle();
    await bench.setIsr('p', 0, [1, 2]);
    await until(async () => (await bench.state('p', 0)).isr.length === 2, 'isr');
    const r = await cli(bench.connect, 'elect-leaders', '--topic', 'p');
    t.equal(r.code, 0, r.err);
    t.match(r.out, /Created preferred replica election for 2 partition\(s\)/);
    t.match(r.out, /p-0: leader 2 \(preferred\)/);
    t.match(r.out, /p-1: leader 1 \(preferred\)/);
    const bad = await cli(bench.connect, 'elect-leaders', '--topic', 'nope');
    t.equal(bad.code, 1);
    t.match(bad.err, /topic nope does not exist/);
  });

  await t.test('reassign --plan, --verify and cluster describe', async (t) => {
    const plan = path.join(t.testdir(), 'plan.json');
    fs.writeFileSync(
      plan,
      JSON.stringify({
        version: 1,
        partitions: [{ topic: 'p', partition: 1, replicas: [3, 1], log_dirs: ['any', 'any'] }],
      }),
    );
    const started = await cli(bench.connect, 'reassign', '--plan', plan);
    t.equal(started.code, 0, started.err);
    t.match(started.out, /"replicas":\[1,2\]/, 'the rollback plan shows the current replicas');
    t.match(started.out, /Successfully started partition reassignment for p-1/);
    const again = await cli(bench.connect, 'reassign', '--plan', plan);
    t.equal(again.code, 1);
    t.match(again.err, /There is an existing assignment running/);
    await controller.whenIdle();
    const waiting = await cli(bench.connect, 'reassign', '--verify', '--plan', plan);
    t.match(waiting.out, /Reassignment of partition p-1 is still in progress/);
    const described = await cli(bench.connect, 'cluster', 'describe');
    t.match(described.out, /Reassignments in progress: p-1 -> 3,1 \(adding 3, removing 2\)/);
    await bench.setIsr('p', 1, [1, 2, 3]);
    await until(
      async () =>
        (await cli(bench.connect, 'reassign', '--verify', '--plan', plan)).out.includes(
          'is complete',
        ),
      'complete',
    );
    const none = await cli(bench.connect, 'reassign', '--verify');
    t.match(none.out, /No partition reassignments in progress/);
    const unknown = await cli(
      bench.connect,
      'reassign',
      '--topic',
      'p',
      '--partition',
      '0',
      '--replicas',
      '1,7',
    );
    t.equal(unknown.code, 1);
    t.match(unknown.err, /non-existent broker ids: 7/);
  });
});

t.test('plan JSON is checked before anything is written', async (t) => {
  t.throws(() => parseReassignmentPlan('{'), /not JSON/);
  t.throws(() => parseReassignmentPlan('{"version":1}'), /no "partitions" array/);
  t.throws(
    () =>
      parseReassignmentPlan(
        '{"partitions":[{"topic":"t","partition":0,"replicas":[1],"log_dirs":["/d"]}]}',
      ),
    /only "any"/,
  );
  t.same(parseReassignmentPlan('{"partitions":[{"topic":"t","partition":0,"replicas":[2,1]}]}'), [
    { topic: 't', partition: 0, replicas: [2, 1] },
  ]);
});
