import t from 'tap';
import {
  assignAdditionalPartitions,
  assignReplicasToBrokers,
  INVALID_PARTITIONS,
  INVALID_REPLICATION_FACTOR,
} from '../../../src/kafka-zk/replica-assignment.js';
import {
  TopicZNode,
  topicZNodeBytesUpperBound,
  ZNODE_DATA_BYTES_MAX,
} from '../../../src/znodes.js';

const asObject = (m: Map<number, number[]>): Record<number, number[]> => Object.fromEntries(m);

t.test(
  'matches Kafka AdminRackAwareTest vector (brokers 0-4, 10 partitions, RF 3, start 0)',
  async (t) => {
    const r = assignReplicasToBrokers({
      brokerIds: [0, 1, 2, 3, 4],
      partitions: 10,
      replicationFactor: 3,
      fixedStartIndex: 0,
    });
    t.ok(r.ok);
    if (!r.ok) return;
    t.same(asObject(r.assignment), {
      0: [0, 1, 2],
      1: [1, 2, 3],
      2: [2, 3, 4],
      3: [3, 4, 0],
      4: [4, 0, 1],
      5: [0, 2, 3],
      6: [1, 3, 4],
      7: [2, 4, 0],
      8: [3, 0, 1],
      9: [4, 1, 2],
    });
  },
);

t.test('the random source decides start index and shift, in that order', async (t) => {
  // n = 3 brokers: draws 0.4 -> index 1, then 0.9 -> shift 2.
  const draws = [0.4, 0.9];
  const r = assignReplicasToBrokers({
    brokerIds: [3, 1, 2],
    partitions: 4,
    replicationFactor: 2,
    random: () => draws.shift() as number,
  });
  t.ok(r.ok);
  if (!r.ok) return;
  // sorted brokers [1,2,3]; first = (p + 1) % 3; follower = (first + 1 + (shift + 0) % 2) % 3
  // p0: first 1 (broker 2), shift 2 -> (1+1+0)%3 = 2 (broker 3)
  // p1: first 2 (broker 3) -> (2+1+0)%3 = 0 (broker 1)
  // p2: first 0 (broker 1) -> (0+1+0)%3 = 1 (broker 2)
  // p3: wraps, shift 3 -> first 1 (broker 2) -> (1+1+1)%3 = 0 (broker 1)
  t.same(asObject(r.assignment), { 0: [2, 3], 1: [3, 1], 2: [1, 2], 3: [2, 1] });
  t.equal(draws.length, 0, 'exactly two draws');
});

t.test('every partition gets distinct brokers and leaders are spread evenly', async (t) => {
  let seed = 7;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const r = assignReplicasToBrokers({
    brokerIds: [1, 2, 3, 4, 5, 6],
    partitions: 60,
    replicationFactor: 3,
    random,
  });
  t.ok(r.ok);
  if (!r.ok) return;
  const leaders = new Map<number, number>();
  for (const replicas of r.assignment.values()) {
    t.equal(new Set(replicas).size, 3);
    leaders.set(replicas[0] as number, (leaders.get(replicas[0] as number) ?? 0) + 1);
  }
  t.same([...leaders.values()], [10, 10, 10, 10, 10, 10]);
});

t.test('errors are values with Kafka codes', async (t) => {
  t.match(assignReplicasToBrokers({ brokerIds: [1], partitions: 0, replicationFactor: 1 }), {
    ok: false,
    errorCode: INVALID_PARTITIONS,
  });
  t.match(assignReplicasToBrokers({ brokerIds: [1], partitions: 1, replicationFactor: 0 }), {
    ok: false,
    errorCode: INVALID_REPLICATION_FACTOR,
  });
  t.match(assignReplicasToBrokers({ brokerIds: [1, 2], partitions: 1, replicationFactor: 3 }), {
    ok: false,
    errorCode: INVALID_REPLICATION_FACTOR,
    message: /larger than available brokers: 2/,
  });
});

t.test('additional partitions continue the round-robin from partition 0', async (t) => {
  const first = assignReplicasToBrokers({
    brokerIds: [0, 1, 2, 3, 4],
    partitions: 10,
    replicationFactor: 3,
    fixedStartIndex: 0,
  });
  if (!first.ok) throw new Error('setup');
  const existing = new Map([...first.assignment].filter(([p]) => p < 5));
  const added = assignAdditionalPartitions({
    brokerIds: [0, 1, 2, 3, 4],
    existing,
    totalPartitions: 10,
  });
  t.ok(added.ok);
  if (!added.ok) return;
  t.same(
    asObject(added.assignment),
    { 5: [0, 2, 3], 6: [1, 3, 4], 7: [2, 4, 0], 8: [3, 0, 1], 9: [4, 1, 2] },
    'same as creating the topic with 10 partitions at once',
  );
  t.match(assignAdditionalPartitions({ brokerIds: [0, 1], existing, totalPartitions: 5 }), {
    ok: false,
    errorCode: INVALID_PARTITIONS,
  });
});

t.test('counts whose assignment cannot fit in one znode are refused before any work', (t) => {
  for (const partitions of [10_000_000, 2_147_483_647]) {
    const r = assignReplicasToBrokers({ brokerIds: [1, 2, 3], partitions, replicationFactor: 1 });
    t.match(r, {
      ok: false,
      errorCode: INVALID_PARTITIONS,
      message: new RegExp(`^${partitions} partitions .* more than the 1000000 bytes`),
    });
  }
  t.match(
    assignReplicasToBrokers({
      brokerIds: [1, 2, 3],
      partitions: 3,
      replicationFactor: 2_147_483_647,
    }),
    { ok: false, errorCode: INVALID_REPLICATION_FACTOR },
  );
  const existing = new Map([[0, [1]]]);
  t.match(
    assignAdditionalPartitions({ brokerIds: [1, 2, 3], existing, totalPartitions: 2_147_483_647 }),
    { ok: false, errorCode: INVALID_PARTITIONS },
  );
  t.end();
});

t.test('the largest topics that fit are assigned, and their znode fits', (t) => {
  const fits = assignReplicasToBrokers({
    brokerIds: [1, 2, 3],
    partitions: 50_000,
    replicationFactor: 3,
  });
  t.ok(fits.ok);
  if (fits.ok) t.ok(TopicZNode.encode(fits.assignment).length <= ZNODE_DATA_BYTES_MAX);
  t.end();
});

t.test('the znode size bound is never below the real encoding', (t) => {
  const cases = [
    { brokers: [0, 1, 2], partitions: 1, rf: 1 },
    { brokers: [0, 1, 2], partitions: 9, rf: 3 },
    { brokers: [7, 8, 9, 10], partitions: 10, rf: 2 },
    { brokers: [1, 2, 3, 1000, 2000], partitions: 1234, rf: 3 },
    { brokers: [5, 123456789], partitions: 10_001, rf: 2 },
  ];
  for (const c of cases) {
    const r = assignReplicasToBrokers({
      brokerIds: c.brokers,
      partitions: c.partitions,
      replicationFactor: c.rf,
    });
    if (!r.ok) throw new Error(r.message);
    const real = TopicZNode.encode(r.assignment).length;
    const digits = Math.max(...c.brokers.map((b) => String(b).length));
    const bound = topicZNodeBytesUpperBound({
      partitions: c.partitions,
      replicationFactor: c.rf,
      brokerIdDigitsMax: digits,
    });
    t.ok(real <= bound, `${c.partitions} x ${c.rf}: ${real} <= ${bound}`);
    t.ok(bound - real < 100 + c.partitions * c.rf * digits, 'and not far above it');
  }
  t.end();
});
