/**
 * Partition leadership the controller's way, with real processes: a coordinator and three
 * brokers (`broker/cli.ts start`), inspected through the znodes and driven through the
 * coordinator CLI.
 *
 *   1. A partition whose every replica is down goes offline (leader -1) and comes back when
 *      its last ISR member returns; the other replica rejoins the ISR by fetching.
 *   2. SIGTERM of a leader is a controlled shutdown: the controller moves leadership to another
 *      ISR member and takes the broker out of the ISRs before the process exits.
 *   3. `coordinator reassign` from replicas [1,2] to [2,3] completes while kafkajs keeps
 *      producing with acks=all; nothing acknowledged is lost and the removed replica's
 *      directory is deleted.
 *   4. Controller failover in the middle of a reassignment (the new replica's broker is
 *      paused with SIGSTOP, so the reassignment waits): the new controller completes it.
 *
 * kcat (a Debian package) reads the records back: without it the test skips with a message,
 * except under CI=true.
 */
import * as fs from 'node:fs';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { ReassignPartitionsZNode } from '../../src/znodes.js';
import {
  cli,
  consume,
  controllerId,
  createTopicWithAssignment as createTopic,
  getJson,
  kcatInstalled,
  killBroker as kill,
  partitionState,
  restart,
  run,
  startCluster,
  waitFor,
} from '../helpers/cluster.js';

// Four scenarios with process restarts and session expiries: more than the 120 s per file of
// package.json on a loaded 2-core machine.
t.setTimeout(600_000);

type Teardown = { teardown(fn: () => unknown): void };

if (kcatInstalled(t)) {
  t.test('partition leadership with three broker processes', async (t) => {
    const cluster = await startCluster(t);
    // Brokers restarted inside a subtest must outlive it: their teardown goes here.
    const root: Teardown = t;

    await t.test('every replica down: offline, then back with its last ISR member', async (t) => {
      // Replicas on the two brokers that are not the controller, so the controller stays.
      const controller = await controllerId(cluster);
      const [a, b] = [1, 2, 3].filter((id) => id !== controller) as [number, number];
      await createTopic(cluster, 'lonely', [[a, b]]);
      const brokerA = cluster.brokers.get(a)!;
      const brokerB = cluster.brokers.get(b)!;
      await kill(cluster, a, 'SIGKILL');
      const onB = await waitFor('b leads alone', async () => {
        const s = await partitionState(cluster, 'lonely', 0);
        return s.leader === b ? s : undefined;
      });
      t.same(onB.isr, [b]);
      await kill(cluster, b, 'SIGKILL');
      const offline = await waitFor('offline', async () => {
        const s = await partitionState(cluster, 'lonely', 0);
        return s.leader === -1 ? s : undefined;
      });
      t.same(offline.isr, [b], 'leader -1; the ISR keeps its last member');
      const { stdout: described } = await cli(cluster, ['cluster', 'describe']);
      t.match(described, /Offline partitions: lonely-0/);

      await restart(root, cluster, brokerA);
      // The controller sends everyone the new broker list once it has handled the return
      // (and made whatever election it allows): then the partition's state is settled.
      const controllerAddress = `127.0.0.1:${cluster.brokers.get(controller)!.port}`;
      await waitFor(`the controller to have handled broker ${a}'s return`, async () => {
        const { stdout } = await run('kcat', ['-b', controllerAddress, '-L', '-J']);
        const ids = (JSON.parse(stdout) as { brokers: { id: number }[] }).brokers.map((x) => x.id);
        return ids.includes(a) ? true : undefined;
      });
      t.equal(
        (await partitionState(cluster, 'lonely', 0)).leader,
        -1,
        `broker ${a} is back but was not in the ISR: the partition stays offline`,
      );
      await restart(root, cluster, brokerB);
      const back = await waitFor('back online', async () => {
        const s = await partitionState(cluster, 'lonely', 0);
        return s.leader === b ? s : undefined;
      });
      t.ok(back.leader_epoch > offline.leader_epoch, 'with a new leader epoch');
      const rejoined = await waitFor(`broker ${a} to rejoin the ISR`, async () => {
        const s = await partitionState(cluster, 'lonely', 0);
        return s.isr.includes(a) ? s : undefined;
      });
      t.ok(rejoined.isr.includes(a), `broker ${a} caught up and rejoined the ISR`);
    });

    await t.test('SIGTERM of a leader moves leadership before the process exits', async (t) => {
      const controller = await controllerId(cluster);
      const victim = [1, 2, 3].find((id) => id !== controller)!;
      const others = [1, 2, 3].filter((id) => id !== victim);
      await createTopic(cluster, 'handover', [
        [victim, ...others],
        [others[0]!, victim, others[1]!],
      ]);
      const before = await partitionState(cluster, 'handover', 0);
      t.equal(before.leader, victim);
      const broker = cluster.brokers.get(victim)!;
      await kill(cluster, victim, 'SIGTERM');
      const log = broker.log();
      t.match(log, /controlled shutdown succeeded/, 'the controller answered: nothing left');
      t.ok(
        log.indexOf('controlled shutdown succeeded') < log.indexOf('shut down cleanly'),
        'the handover finished before the broker stopped',
      );
      const lead = await partitionState(cluster, 'handover', 0);
      t.ok(others.includes(lead.leader), `handover-0 now led by ${lead.leader}`);
      t.equal(lead.leader_epoch, before.leader_epoch + 1, 'one leadership change, one epoch');
      t.notOk(lead.isr.includes(victim), 'the stopped broker left the ISR');
      const follow = await partitionState(cluster, 'handover', 1);
      t.notOk(follow.isr.includes(victim), 'and the ISR of the partition it followed');
      const controllerLog = cluster.brokers.get(controller)!.log();
      t.match(controllerLog, /controlled shutdown: leadership moved/);
      await restart(root, cluster, broker);
      await waitFor('the ISR complete again', async () => {
        const s = await partitionState(cluster, 'handover', 0);
        return s.isr.length === 3 ? s : undefined;
      });
    });

    await t.test('reassignment [1,2] -> [2,3] while kafkajs produces with acks=all', async (t) => {
      await createTopic(cluster, 'move', [[1, 2]]);
      const kafka = new Kafka({
        clientId: 'leadership-test',
        brokers: cluster.bootstrap().split(','),
        logLevel: logLevel.NOTHING,
        retry: { retries: 50, initialRetryTime: 100, maxRetryTime: 1_000 },
      });
      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      t.teardown(() => producer.disconnect());
      const acknowledged: string[] = [];
      let n = 0;
      let producing = true;
      const loop = (async () => {
        while (producing) {
          const values = Array.from({ length: 20 }, () => `m-${n++}`);
          try {
            await producer.send({
              topic: 'move',
              acks: -1,
              messages: values.map((value) => ({ partition: 0, value })),
            });
            acknowledged.push(...values);
          } catch {
            // Not acknowledged: not counted.
          }
        }
      })();
      await waitFor('some records', async () => (acknowledged.length >= 200 ? true : undefined));
      const { stdout } = await cli(cluster, [
        'reassign',
        '--topic',
        'move',
        '--partition',
        '0',
        '--replicas',
        '2,3',
      ]);
      t.match(stdout, /Successfully started partition reassignment for move-0/);
      await waitFor('the reassignment to complete', async () => {
        const { stdout: v } = await cli(cluster, [
          'reassign',
          '--verify',
          '--topic',
          'move',
          '--partition',
          '0',
          '--replicas',
          '2,3',
        ]);
        return v.includes('is complete') ? true : undefined;
      });
      const atCompletion = acknowledged.length;
      await waitFor('more records after it', async () =>
        acknowledged.length >= atCompletion + 200 ? true : undefined,
      );
      producing = false;
      await loop;
      const topicJson = await getJson(cluster, '/brokers/topics/move');
      t.same(topicJson.partitions, { 0: [2, 3] }, 'final assignment');
      t.same(topicJson.adding_replicas, {});
      const state = await partitionState(cluster, 'move', 0);
      t.ok([2, 3].includes(state.leader), `led by ${state.leader}, in the new set`);
      t.same([...state.isr].sort(), [2, 3]);
      await waitFor("broker 1's replica directory to be deleted", async () =>
        fs.existsSync(`${cluster.dir}/broker-1/move-0`) ? undefined : true,
      );
      t.ok(fs.existsSync(`${cluster.dir}/broker-3/move-0`), 'broker 3 has the partition now');
      const consumed = new Set(await consume(cluster.bootstrap(), 'move', 0));
      t.same(
        acknowledged.filter((v) => !consumed.has(v)),
        [],
        `all ${acknowledged.length} acknowledged records readable after the move`,
      );
    });

    await t.test(
      'kafkajs admin: alterPartitionReassignments and listPartitionReassignments',
      async (t) => {
        const [a, b, c] = [...cluster.brokers.keys()].sort() as [number, number, number];
        await createTopic(cluster, 'viaapi', [[a, b]]);
        const kafka = new Kafka({
          clientId: 'leadership-admin',
          brokers: cluster.bootstrap().split(','),
          logLevel: logLevel.NOTHING,
        });
        const admin = kafka.admin();
        await admin.connect();
        t.teardown(() => admin.disconnect());
        await admin.alterPartitionReassignments({
          topics: [{ topic: 'viaapi', partitionAssignment: [{ partition: 0, replicas: [b, c] }] }],
        });
        const moved = await waitFor('the API reassignment to complete', async () => {
          const listed = await admin.listPartitionReassignments({});
          const json = await getJson(cluster, '/brokers/topics/viaapi');
          const partitions = json.partitions as Record<string, number[]>;
          return listed.topics.length === 0 && partitions['0']?.join(',') === `${b},${c}`
            ? partitions['0']
            : undefined;
        });
        t.same(
          moved,
          [b, c],
          `viaapi-0 moved from [${a},${b}] to [${b},${c}] through the Kafka protocol`,
        );
      },
    );

    await t.test('controller failover in the middle of a reassignment', async (t) => {
      const controller = await controllerId(cluster);
      const [x, paused] = [1, 2, 3].filter((id) => id !== controller) as [number, number];
      await createTopic(cluster, 'midway', [[controller, x]]);
      // The new replica's broker cannot fetch while it is stopped: the reassignment waits.
      const pausedBroker = cluster.brokers.get(paused)!;
      // Its session (2 s) expires while it is stopped, so the request is written at once from
      // here, while the broker is still registered (the controller checks that).
      const zk = cluster.zk;
      process.kill(pausedBroker.pid, 'SIGSTOP');
      t.teardown(() => {
        if (pausedBroker.child.exitCode === null) process.kill(pausedBroker.pid, 'SIGCONT');
      });
      await zk.create(
        ReassignPartitionsZNode.path,
        ReassignPartitionsZNode.encode([{ topic: 'midway', partition: 0, replicas: [x, paused] }]),
      );
      await waitFor('the reassignment to start', async () => {
        const json = await getJson(cluster, '/brokers/topics/midway');
        const adding = json.adding_replicas as Record<string, number[]>;
        return adding['0']?.includes(paused) ? true : undefined;
      });
      const { stdout: inProgress } = await cli(cluster, ['cluster', 'describe']);
      t.match(inProgress, /Reassignments in progress: midway-0 ->/);
      await kill(cluster, controller, 'SIGKILL');
      const next = await waitFor('a new controller', async () => {
        const id = await controllerId(cluster);
        return id !== controller ? id : undefined;
      });
      t.comment(`controller ${controller} killed, ${next} took over`);
      process.kill(pausedBroker.pid, 'SIGCONT');
      await waitFor('the new controller to complete it', async () => {
        const json = await getJson(cluster, '/brokers/topics/midway');
        const partitions = json.partitions as Record<string, number[]>;
        return partitions['0']?.join(',') === `${x},${paused}` &&
          Object.keys(json.adding_replicas as object).length === 0
          ? true
          : undefined;
      });
      const { stdout: exists } = await cli(cluster, ['ls', '/admin']);
      t.notMatch(exists, /reassign_partitions/, 'the request znode is gone');
      const state = await partitionState(cluster, 'midway', 0);
      t.same([...state.isr].sort(), [x, paused].sort(), 'the ISR is the new replica set');
    });
  });
}
