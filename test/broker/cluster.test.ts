/**
 * The control plane end to end, with real processes: one coordinator and three brokers
 * (`broker/cli.ts start`), inspected through the coordinator's znodes as Kafka's tools would.
 * Registration JSON, the controller election and epoch, a duplicate broker id, topic creation
 * through `coordinator topics create`, controller failover after SIGKILL, and leader failover
 * from the ISR with a higher leader epoch.
 *
 * Timing: the coordinator ticks every 100 ms and brokers ask for 2 s sessions, so a killed
 * broker's ephemerals vanish within about 2 s.
 */
import t from 'tap';
import {
  BrokerIdZNode,
  ClusterIdZNode,
  ControllerEpochZNode,
  ControllerZNode,
  PERSISTENT_ZK_PATHS,
  TopicPartitionStateZNode,
  TopicZNode,
  type LeaderAndIsr,
} from '../../src/znodes.js';
import { cli, kill9, leaderAndIsr, startCluster, waitFor } from '../helpers/cluster.js';
import { freePort, spawnDaemon } from '../helpers/processes.js';

t.test('a three-broker cluster through its znodes', async (t) => {
  const cluster = await startCluster(t);
  const { brokers, connect, dir, zk } = cluster;

  await t.test("each broker registers an ephemeral /brokers/ids/N with Kafka's JSON", async (t) => {
    for (const [id, broker] of brokers) {
      const { data, stat } = await zk.getData(BrokerIdZNode.path(id));
      t.not(stat.ephemeralOwner, 0n, 'ephemeral');
      const json = JSON.parse(data!.toString());
      t.same(json, {
        features: {},
        listener_security_protocol_map: { PLAINTEXT: 'PLAINTEXT' },
        endpoints: [`PLAINTEXT://127.0.0.1:${broker.port}`],
        jmx_port: -1,
        port: broker.port,
        host: '127.0.0.1',
        version: 5,
        timestamp: json.timestamp,
        rack: null,
      });
      t.match(json.timestamp, /^\d{13}$/, 'timestamp is a string of ms');
    }
    const clusterId = JSON.parse((await zk.getData(ClusterIdZNode.path)).data!.toString());
    t.equal(clusterId.version, '1', 'the cluster id version is a string, as in Kafka');
    t.match(clusterId.id, /^[A-Za-z0-9_-]{22}$/);
    for (const path of PERSISTENT_ZK_PATHS) t.ok(await zk.exists(path), `${path} exists`);
  });

  let controllerId = -1;
  await t.test('one broker is controller and /controller_epoch was bumped to 1', async (t) => {
    const { data, stat } = await zk.getData(ControllerZNode.path);
    const json = JSON.parse(data!.toString());
    t.equal(json.version, 1);
    t.match(json.timestamp, /^\d+$/);
    t.ok([1, 2, 3].includes(json.brokerid));
    t.not(stat.ephemeralOwner, 0n);
    controllerId = json.brokerid;
    const epoch = await zk.getData(ControllerEpochZNode.path);
    t.equal(epoch.data!.toString(), '1');
    t.equal(epoch.stat.version, 1, 'created at version 0, bumped once in the election multi');
  });

  await t.test('a second broker with a taken id exits with code 1 and says why', async (t) => {
    const err = await spawnDaemon(
      'broker/cli.ts',
      [
        'start',
        '--id',
        '2',
        '--port',
        String(await freePort()),
        '--coordinator',
        connect,
        '--data-dir',
        `${dir}/dup`,
      ],
      'broker listening',
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    t.ok(err, 'did not start');
    t.match(err!.message, /exited with 1/);
    t.match(err!.message, /broker id 2 is already registered/);
  });

  const readState = (topic: string, p: number): Promise<LeaderAndIsr & { zkVersion: number }> =>
    leaderAndIsr(cluster, topic, p);

  await t.test(
    '`coordinator topics create` writes the assignment; the controller elects leaders',
    async (t) => {
      const { stdout } = await cli(cluster, [
        'topics',
        'create',
        'orders',
        '--partitions',
        '3',
        '--replication-factor',
        '3',
      ]);
      t.match(stdout, /Created topic orders/);
      const assignment = TopicZNode.decode(
        'orders',
        (await zk.getData(TopicZNode.path('orders'))).data,
      );
      t.equal(assignment.partitions.size, 3);
      const raw = JSON.parse((await zk.getData(TopicZNode.path('orders'))).data!.toString());
      t.same(Object.keys(raw).sort(), [
        'adding_replicas',
        'partitions',
        'removing_replicas',
        'version',
      ]);
      for (const p of [0, 1, 2]) {
        const state = await waitFor(`state of orders-${p}`, () => readState('orders', p));
        const replicas = assignment.partitions.get(p)!;
        t.equal(state.leader, replicas[0], `partition ${p} is led by its preferred replica`);
        t.equal(state.leaderEpoch, 0);
        t.same([...state.isr].sort(), [...replicas].sort());
        t.equal(state.controllerEpoch, 1);
        const json = JSON.parse(
          (await zk.getData(TopicPartitionStateZNode.path('orders', p))).data!.toString(),
        );
        t.same(Object.keys(json).sort(), [
          'controller_epoch',
          'isr',
          'leader',
          'leader_epoch',
          'version',
        ]);
      }
      const { stdout: described } = await cli(cluster, ['topics', 'describe', 'orders']);
      t.match(described, /Topic: orders\tPartitionCount: 3\tReplicationFactor: 3/);
      t.match(described, /Partition: 0\tLeader: \d\tReplicas: \d,\d,\d\tIsr: /);
    },
  );

  await t.test(
    'SIGKILL of the controller: another broker becomes controller with epoch 2',
    async (t) => {
      await kill9(cluster, controllerId);
      const next = await waitFor('a new controller', async () => {
        const { data } = await zk.getData(ControllerZNode.path);
        const id = ControllerZNode.decode(data).brokerId;
        return id !== controllerId ? id : undefined;
      });
      t.ok(brokers.has(next), `broker ${next} took over`);
      t.equal(ControllerEpochZNode.decode((await zk.getData(ControllerEpochZNode.path)).data), 2);
      // The new controller saw the dead broker leave: no partition is led by it any more.
      for (const p of [0, 1, 2]) {
        const state = await waitFor(`orders-${p} off broker ${controllerId}`, async () => {
          const s = await readState('orders', p);
          return s.leader !== controllerId && !s.isr.includes(controllerId) ? s : undefined;
        });
        t.ok(brokers.has(state.leader), `orders-${p} led by live broker ${state.leader}`);
      }
      controllerId = next;
    },
  );

  await t.test(
    'killing a partition leader: a new leader from the ISR with a higher leader epoch',
    async (t) => {
      // Pick a partition led by a broker that is not the controller, so only the leader moves.
      let partition = -1;
      let before: (LeaderAndIsr & { zkVersion: number }) | undefined;
      for (const p of [0, 1, 2]) {
        const s = await readState('orders', p);
        if (s.leader !== controllerId && brokers.has(s.leader)) {
          partition = p;
          before = s;
          break;
        }
      }
      t.ok(before, 'found a partition led by a non-controller broker');
      if (!before) return;
      const leader = before.leader;
      await kill9(cluster, leader);
      const after = await waitFor(`a new leader for orders-${partition}`, async () => {
        const s = await readState('orders', partition);
        return s.leader !== leader ? s : undefined;
      });
      t.ok(
        before.isr.includes(after.leader),
        `new leader ${after.leader} was in the ISR [${before.isr.join(',')}]`,
      );
      t.ok(
        after.leaderEpoch > before.leaderEpoch,
        `leader epoch ${before.leaderEpoch} -> ${after.leaderEpoch}`,
      );
      t.notOk(after.isr.includes(leader), 'the dead leader left the ISR');
      t.ok(after.zkVersion > before.zkVersion, 'written with a conditional version bump');
      t.equal(after.controllerEpoch, 2, 'written by the new controller');
    },
  );
});
