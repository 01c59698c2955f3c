/**
 * Three Samsa brokers on a 3-server Samsa ensemble (`--coordinator a:p1,b:p2,c:p3`) keep
 * working while the ensemble's leader is killed with SIGKILL: a kafkajs producer sends acks=all
 * records before, during and after the coordinator failover; the brokers' sessions survive
 * (the same ephemeral registrations, same session ids: the survivors leave broadcast and drop
 * every client, which resumes its session on the new quorum); then a broker-failure leader
 * change still happens through the new coordinator leader (the controller's watch on
 * /brokers/ids moved with its session), and no acknowledged record is lost.
 */
import t from 'tap';
import type { Producer } from 'kafkajs';
import {
  consume,
  createTopic,
  kafka,
  kcatInstalled,
  kill9,
  partitionState,
  startBroker,
  startCluster,
  waitFor,
} from '../../helpers/cluster.js';
import { BrokerIdsZNode } from '../../../src/znodes.js';
import { startEnsemble } from './ensemble-processes.js';

t.setTimeout(240_000);
const TICK_MS = 250;
const SESSION_TIMEOUT_MS = 3000;

/** Sends one acks=all record at a time until `stop()`; every acknowledged value is kept. */
function producerLoop(producer: Producer, topic: string) {
  const acked: string[] = [];
  let failed = 0;
  let stopped = false;
  let i = 0;
  const done = (async () => {
    while (!stopped) {
      const value = `r-${i++}`;
      try {
        await producer.send({ topic, acks: -1, messages: [{ value }] });
        acked.push(value);
      } catch {
        failed++; // not acknowledged: its outcome is unknown, nothing is claimed about it
      }
    }
  })();
  return {
    acked,
    failed: () => failed,
    /** Resolves once `n` more records than now are acknowledged. */
    more: (n: number, what: string) => {
      const target = acked.length + n;
      return waitFor(what, async () => acked.length >= target);
    },
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

if (kcatInstalled(t)) {
  t.test('three brokers keep working while the coordinator leader is killed -9', async (t) => {
    const ensemble = await startEnsemble(t, { tickMs: TICK_MS });
    const coordinatorLeader = await ensemble.waitForQuorum();
    const cluster = await startCluster(t, {
      zookeeperConnect: ensemble.connectString,
      // Longer than a coordinator failover (the sessions must survive it), within the
      // ensemble's limit of 20 ticks.
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      overrides: ['min.insync.replicas=2'],
      brokers: [],
    });
    await Promise.all([1, 2, 3].map((id) => startBroker(t, cluster, id)));
    const topic = 'orders';
    await createTopic(cluster, topic, 1);
    const before = await partitionState(cluster, topic, 0);
    t.same([...before.isr].sort(), [1, 2, 3], 'a topic with three in-sync replicas');

    const owners = async (): Promise<Map<number, bigint>> => {
      const ids = await cluster.zk.getChildren(BrokerIdsZNode.path);
      const result = new Map<number, bigint>();
      for (const id of ids) {
        const stat = await cluster.zk.exists(`${BrokerIdsZNode.path}/${id}`);
        if (stat) result.set(Number(id), stat.ephemeralOwner);
      }
      return result;
    };
    const sessionsBefore = await owners();
    t.same([...sessionsBefore.keys()].sort(), [1, 2, 3], 'three registered brokers');

    const producer = kafka(cluster, {
      retry: { retries: 60, initialRetryTime: 100, maxRetryTime: 1000 },
    }).producer({ allowAutoTopicCreation: false });
    await producer.connect();
    t.teardown(() => producer.disconnect());
    const load = producerLoop(producer, topic);
    await load.more(100, '100 records before the coordinator failover');

    // kill -9 of the coordinator leader under the produce load.
    const killedAt = Date.now();
    const ackedAtKill = load.acked.length;
    await ensemble.kill9(coordinatorLeader);
    const survivors = ensemble.members.filter((m) => m !== coordinatorLeader);
    const newLeader = await ensemble.waitForQuorum(survivors);
    const quorumAfter = Date.now() - killedAt;
    const ackedDuring = load.acked.length;
    await load.more(100, '100 records after the coordinator failover');
    t.comment(
      `coordinator leader ${coordinatorLeader.id} killed; server ${newLeader.id} leads ` +
        `${quorumAfter} ms later; ${ackedDuring - ackedAtKill} records acknowledged meanwhile`,
    );
    const sessionsAfter = await waitFor('the brokers registered on the new quorum', async () => {
      const now = await owners();
      return now.size === 3 ? now : undefined;
    });
    t.same(sessionsAfter, sessionsBefore, 'the same three registrations, the same sessions');
    await t.resolves(
      cluster.zk.create('/after-coordinator-failover', 'x'),
      'the new quorum takes writes',
    );

    // A broker failure after the coordinator failover: the controller sees the registration
    // vanish (its watch moved with its session) and elects a new partition leader.
    const brokerKilledAt = Date.now();
    await kill9(cluster, before.leader);
    const after = await waitFor('a new partition leader', async () => {
      const state = await partitionState(cluster, topic, 0);
      return state.leader >= 0 && state.leader !== before.leader ? state : undefined;
    });
    t.ok(before.isr.includes(after.leader), `broker ${after.leader} leads now, from the old ISR`);
    t.ok(after.leader_epoch > before.leader_epoch, 'with a new leader epoch');
    t.notOk(after.isr.includes(before.leader), 'the dead broker left the ISR');
    await load.more(100, '100 records after the broker failover');
    await load.stop();
    t.comment(
      `broker ${before.leader} killed: broker ${after.leader} leads ` +
        `${Date.now() - brokerKilledAt} ms later (session timeout ${SESSION_TIMEOUT_MS} ms); ` +
        `${load.acked.length} records acknowledged, ${load.failed()} sends failed`,
    );

    // No acknowledged record lost, in the order they were acknowledged.
    const log = await consume(cluster.bootstrap(), topic, 0);
    const inLog = new Set(log);
    const lost = load.acked.filter((v) => !inLog.has(v));
    t.same(lost, [], `all ${load.acked.length} acknowledged records are in the log`);
    const positions = load.acked.map((v) => log.indexOf(v));
    t.ok(
      positions.every((p, i) => i === 0 || p > positions[i - 1]!),
      'in the order they were acknowledged',
    );
  });
}
