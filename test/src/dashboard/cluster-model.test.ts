/**
 * The dashboard's cluster model as a pure function of znodes: health flags in Kafka's terms,
 * reassignment progress, and the timeline a failover produces, with the znode of each change.
 */
import t from 'tap';
import {
  deriveView,
  diffViews,
  type MirroredZnode,
  type ZnodeSnapshot,
} from '../../../src/dashboard/cluster-model.js';
import { checkReassignmentPlan, reassignmentPlanJson } from '../../../src/dashboard/actions.js';
import { TimeSeries } from '../../../src/dashboard/time-series.js';
import {
  BrokerIdZNode,
  ControllerEpochZNode,
  ControllerZNode,
  ReassignPartitionsZNode,
  TopicConfigZNode,
  TopicPartitionStateZNode,
  TopicZNode,
} from '../../../src/znodes.js';

const stat = (o: { version?: number; ephemeralOwner?: bigint } = {}): MirroredZnode['stat'] => ({
  czxid: 1,
  mzxid: 1,
  ctime: 0,
  mtime: 0,
  version: o.version ?? 0,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: o.ephemeralOwner ?? 0n,
  dataLength: 0,
  numChildren: 0,
  pzxid: 1,
});

/** A cluster of three brokers, controller 1, topic t with two partitions over [1,2] / [2,3]. */
function cluster(o: {
  alive?: number[];
  states?: Record<number, { leader: number; isr: number[]; leaderEpoch: number }>;
  minIsr?: number;
  reassigning?: { partition: number; replicas: number[] };
}): Map<string, MirroredZnode> {
  const m = new Map<string, MirroredZnode>();
  const put = (path: string, data: Buffer | null, s = stat()): void =>
    void m.set(path, { data: data?.toString() ?? null, stat: s });
  for (const p of ['/brokers', '/brokers/ids', '/brokers/topics', '/admin', '/config']) {
    put(p, null);
  }
  for (const id of o.alive ?? [1, 2, 3]) {
    put(
      BrokerIdZNode.path(id),
      BrokerIdZNode.encode({
        id,
        endpoints: [
          {
            listenerName: 'PLAINTEXT',
            host: '127.0.0.1',
            port: 9091 + id,
            securityProtocol: 'PLAINTEXT',
          },
        ],
        rack: null,
        jmxPort: -1,
        timestampMs: 0,
      }),
      stat({ ephemeralOwner: BigInt(0x100 + id) }),
    );
  }
  put(ControllerZNode.path, ControllerZNode.encode(1, 0), stat({ ephemeralOwner: 0x101n }));
  put(ControllerEpochZNode.path, ControllerEpochZNode.encode(3));
  const assignment = new Map([
    [0, [1, 2]],
    [1, [2, 3]],
  ]);
  put(TopicZNode.path('t'), TopicZNode.encode(assignment));
  put(
    TopicConfigZNode.path('t'),
    TopicConfigZNode.encode({ 'min.insync.replicas': String(o.minIsr ?? 1) }),
  );
  const states = o.states ?? {
    0: { leader: 1, isr: [1, 2], leaderEpoch: 0 },
    1: { leader: 2, isr: [2, 3], leaderEpoch: 0 },
  };
  for (const [p, s] of Object.entries(states)) {
    put(
      TopicPartitionStateZNode.path('t', Number(p)),
      TopicPartitionStateZNode.encode({ ...s, controllerEpoch: 3 }),
      stat({ version: s.leaderEpoch }),
    );
  }
  if (o.reassigning) {
    put(
      ReassignPartitionsZNode.path,
      ReassignPartitionsZNode.encode([{ topic: 't', ...o.reassigning }]),
    );
  }
  return m;
}

t.test('a healthy cluster: brokers, controller, partitions in sync', async (t) => {
  const view = deriveView(cluster({}));
  t.same(
    view.brokers.map((b) => [b.id, b.alive, b.leaderCount, b.session]),
    [
      [1, true, 1, '0x101'],
      [2, true, 1, '0x102'],
      [3, true, 0, '0x103'],
    ],
  );
  t.same(view.controller, { brokerId: 1, epoch: 3, session: '0x101' });
  t.same(
    view.topics[0]!.partitions.map((p) => p.health),
    ['ok', 'ok'],
  );
});

t.test('health flags: under-replicated, under min ISR, offline', async (t) => {
  const view = deriveView(
    cluster({
      alive: [1, 2],
      minIsr: 2,
      states: {
        0: { leader: 1, isr: [1], leaderEpoch: 1 },
        1: { leader: 3, isr: [3], leaderEpoch: 0 },
      },
    }),
  );
  t.same(
    view.topics[0]!.partitions.map((p) => p.health),
    ['under-min-isr', 'offline'],
    'ISR below min.insync.replicas; a leader that is not a live broker',
  );
  const relaxed = deriveView(cluster({ states: { 0: { leader: 1, isr: [1], leaderEpoch: 1 } } }));
  t.equal(relaxed.topics[0]!.partitions[0]!.health, 'under-replicated');
});

t.test('a failover as the timeline tells it, each line with its znode', async (t) => {
  const before = deriveView(cluster({}));
  const after = deriveView(
    cluster({
      alive: [2, 3],
      states: {
        0: { leader: 2, isr: [2], leaderEpoch: 1 },
        1: { leader: 2, isr: [2, 3], leaderEpoch: 0 },
      },
    }),
    [1],
  );
  const events = diffViews(before, after, 1000);
  t.same(
    events.map((e) => [e.kind, e.znode]),
    [
      ['broker-lost', '/brokers/ids/1'],
      ['leader-changed', '/brokers/topics/t/partitions/0/state'],
      ['isr-shrank', '/brokers/topics/t/partitions/0/state'],
    ],
  );
  t.match(events[1]!.text, /t-0 leader 1 → 2 \(leader epoch 1\)/);
  t.equal(after.brokers.find((b) => b.id === 1)!.alive, false, 'the lost broker stays, dead');
});

t.test('a burst of partition changes becomes one line per kind and topic', async (t) => {
  const many = (leader: number, epoch: number): Map<string, MirroredZnode> => {
    const m = cluster({});
    const assignment = new Map<number, number[]>();
    for (let p = 0; p < 10; p++) assignment.set(p, [1, 2]);
    m.set(TopicZNode.path('t'), {
      data: TopicZNode.encode(assignment).toString(),
      stat: stat(),
    });
    for (let p = 0; p < 10; p++) {
      m.set(TopicPartitionStateZNode.path('t', p), {
        data: TopicPartitionStateZNode.encode({
          leader,
          isr: [1, 2],
          leaderEpoch: epoch,
          controllerEpoch: 3,
        }).toString(),
        stat: stat({ version: epoch }),
      });
    }
    return m;
  };
  const events = diffViews(deriveView(many(1, 0)), deriveView(many(2, 1)), 5);
  t.equal(events.length, 1);
  t.equal(events[0]!.znode, '/brokers/topics/t/partitions/*/state');
  t.match(events[0]!.text, /leader changed for 10 partitions of t/);
});

t.test('reassignment progress and the plan checks', async (t) => {
  const snapshot: ZnodeSnapshot = cluster({ reassigning: { partition: 0, replicas: [2, 3] } });
  const view = deriveView(snapshot);
  t.same(
    view.reassignments.map((r) => [r.topic, r.partition, r.target, r.targetInSync]),
    [['t', 0, [2, 3], 1]],
  );
  t.equal(
    checkReassignmentPlan(view, [{ topic: 't', partition: 1, replicas: [1, 3] }]),
    'There is an existing assignment running.',
  );
  const idle = deriveView(cluster({}));
  t.equal(checkReassignmentPlan(idle, [{ topic: 't', partition: 0, replicas: [3, 1] }]), null);
  t.match(
    checkReassignmentPlan(idle, [{ topic: 't', partition: 0, replicas: [4] }]),
    /non-existent broker ids: 4/,
  );
  t.match(
    checkReassignmentPlan(idle, [{ topic: 't', partition: 7, replicas: [1] }]),
    /does not exist/,
  );
  t.same(JSON.parse(reassignmentPlanJson([{ topic: 't', partition: 0, replicas: [3, 1] }])), {
    version: 1,
    partitions: [{ topic: 't', partition: 0, replicas: [3, 1], log_dirs: ['any', 'any'] }],
  });
  const done = diffViews(view, idle, 9);
  t.same(
    done.map((e) => e.kind),
    ['reassignment-completed'],
  );
});

t.test('a time series keeps the last points within its age', async (t) => {
  const series = new TimeSeries({ maxAgeMs: 10_000, pointsMax: 3 });
  for (const [time, v] of [
    [0, 1],
    [1000, 2],
    [2000, 3],
    [3000, 4],
    [20_000, 5],
  ] as const) {
    series.push(time, v);
  }
  t.same(series.toJSON(), [[20], [5]], 'old and surplus points are dropped');
});
