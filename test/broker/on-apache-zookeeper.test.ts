/**
 * Samsa's brokers on Apache ZooKeeper: three broker processes whose zookeeper.connect names a
 * real ZooKeeper 3.8 (Debian's package) with a chroot, as a Kafka cluster sharing an ensemble
 * would be configured. They register, elect a controller, create a replicated topic through
 * the coordinator CLI (which speaks ZooKeeper's binary protocol to it), serve acks=all records
 * to kcat, and fail over when the leader is killed, all with ZooKeeper as the only
 * coordination service. The chroot is created by the first broker, as Kafka's does.
 */
import t from 'tap';
import { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { startApacheZooKeeper } from '../helpers/apache-zookeeper.js';
import {
  cli,
  consume,
  createTopic,
  kcatInstalled,
  kcatProduce,
  kill9,
  partitionState,
  startCluster,
  waitFor,
} from '../helpers/cluster.js';

t.setTimeout(300_000);

if (kcatInstalled(t)) {
  t.test('three brokers run on Apache ZooKeeper 3.8 under a chroot', async (t) => {
    const zk = await startApacheZooKeeper(t);
    const cluster = await startCluster(t, {
      zookeeperConnect: `${zk.connectString}/samsa`,
      sessionTimeoutMs: 4000,
      overrides: ['min.insync.replicas=2'],
    });

    const ids = await waitFor('three registrations', async () => {
      const { stdout } = await cli(cluster, ['ls', '/brokers/ids']);
      return ['1', '2', '3'].every((id) => stdout.includes(id)) ? stdout : undefined;
    });
    t.match(ids, /1/, 'the brokers are registered under the chroot');
    const controller = await waitFor('a controller', async () => {
      const { stdout } = await cli(cluster, ['get', '/controller']);
      return stdout.includes('brokerid') ? stdout : undefined;
    });
    t.match(controller, /"brokerid":\s*[123]/);

    // The same znodes seen from the root of the ZooKeeper server, without the chroot.
    const raw = new CoordinatorClient(zk.connectString, { protocol: 'zookeeper' });
    await raw.connect();
    t.teardown(() => raw.close());
    t.same((await raw.getChildren('/samsa/brokers/ids')).sort(), ['1', '2', '3']);
    t.notOk(await raw.exists('/brokers'), 'nothing outside the chroot');

    // The coordinator CLI against ZooKeeper: the cluster view and a four-letter word.
    const view = (await cli(cluster, ['cluster', 'describe'])).stdout;
    t.match(view, /controller/i, '`coordinator cluster` reads the cluster from ZooKeeper');
    t.equal((await cli(cluster, ['ruok'])).stdout.trim(), 'imok');

    const topic = 'orders';
    await createTopic(cluster, topic, 1);
    const before = await partitionState(cluster, topic, 0);
    t.same([...before.isr].sort(), [1, 2, 3], 'the ISR has all three replicas');

    const first = Array.from({ length: 500 }, (_, i) => `a-${i}`);
    const errors = await kcatProduce(cluster.bootstrap(), topic, 0, 'all', first);
    t.equal(errors.trim(), '', 'kcat delivered every acks=all record');
    t.same(await consume(cluster.bootstrap(), topic, 0), first);

    await kill9(cluster, before.leader);
    const after = await waitFor('a new leader', async () => {
      const state = await partitionState(cluster, topic, 0);
      return state.leader >= 0 && state.leader !== before.leader ? state : undefined;
    });
    t.ok(before.isr.includes(after.leader), 'the new leader comes from the old ISR');
    t.ok(after.leader_epoch > before.leader_epoch, 'with a new leader epoch');
    const second = Array.from({ length: 500 }, (_, i) => `b-${i}`);
    t.equal((await kcatProduce(cluster.bootstrap(), topic, 0, 'all', second)).trim(), '');
    t.same(await consume(cluster.bootstrap(), topic, 0), [...first, ...second], 'nothing lost');
  });
}
