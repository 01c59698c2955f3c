/**
 * MetadataCache as a pure core: UpdateMetadata requests in, snapshots out.
 */
import t from 'tap';
import { MetadataCache, LEADER_DURING_DELETE } from '../../../broker/server/metadata-cache.js';
import type { UpdateMetadataRequest } from '../../../src/protocol/kafka/generated/index.js';

const broker = (id: number, listener = 'PLAINTEXT') => ({
  id,
  v0Host: '',
  v0Port: 0,
  rack: `rack-${id}`,
  endpoints: [{ port: 9000 + id, host: `h${id}`, listener, securityProtocol: 0 }],
});
const state = (topicName: string, partitionIndex: number, leader: number) => ({
  topicName,
  partitionIndex,
  controllerEpoch: 1,
  leader,
  leaderEpoch: 3,
  isr: [1, 2],
  zkVersion: 0,
  replicas: [1, 2],
  offlineReplicas: [2],
});
const request = (
  states: ReturnType<typeof state>[],
  brokers = [broker(1), broker(2)],
): UpdateMetadataRequest => ({
  controllerId: 2,
  isKRaftController: false,
  type: 0,
  controllerEpoch: 1,
  brokerEpoch: -1n,
  ungroupedPartitionStates: [],
  topicStates: [...new Set(states.map((s) => s.topicName))].map((topicName) => ({
    topicName,
    topicId: '',
    partitionStates: states.filter((s) => s.topicName === topicName),
  })),
  liveBrokers: brokers,
});

t.test('an update replaces brokers and merges partition states', (t) => {
  const cache = new MetadataCache({ clusterId: 'c1' });
  t.equal(cache.snapshot.controllerId, -1, 'nothing known before the first update');
  cache.update(request([state('a', 0, 1), state('a', 1, 2)]), 5);
  const first = cache.snapshot;
  t.equal(first.controllerId, 2);
  t.equal(first.clusterId, 'c1');
  t.match(first.brokers.get(1), { id: 1, host: 'h1', port: 9001, rack: 'rack-1' });
  t.same(first.partition({ topic: 'a', partition: 1 })?.offlineReplicas, [2]);

  cache.update(request([state('b', 0, 1)], [broker(1)]), 5);
  const second = cache.snapshot;
  t.same(second.topicNames(), ['a', 'b'], 'topics not mentioned are kept');
  t.notOk(second.isBrokerAlive(2), 'live brokers are replaced');
  t.ok(first.isBrokerAlive(2), 'an older snapshot never changes');
  t.end();
});

t.test('leader -2 deletes partitions, and the topic with its last partition', (t) => {
  const cache = new MetadataCache({ clusterId: null });
  cache.update(request([state('a', 0, 1), state('a', 1, 1)]), 5);
  const deleted = cache.update(request([state('a', 0, LEADER_DURING_DELETE)]), 5);
  t.same(deleted, [{ topic: 'a', partition: 0 }]);
  t.equal(cache.snapshot.topics.get('a')?.size, 1);
  cache.update(request([state('a', 1, LEADER_DURING_DELETE)]), 5);
  t.notOk(cache.snapshot.hasTopic('a'));
  t.end();
});

t.test('endpoint by listener name, v0 hosts, pre-v4 offline replicas', (t) => {
  const cache = new MetadataCache({ clusterId: null, listenerName: 'INTERNAL' });
  const two = {
    ...broker(2),
    endpoints: [
      { port: 1, host: 'outside', listener: 'EXTERNAL', securityProtocol: 0 },
      { port: 2, host: 'inside', listener: 'INTERNAL', securityProtocol: 0 },
    ],
  };
  cache.update(request([], [two]), 5);
  t.equal(cache.snapshot.brokers.get(2)?.host, 'inside');
  cache.update(
    { ...request([], []), liveBrokers: [{ ...broker(3), v0Host: 'old', v0Port: 7 }] },
    0,
  );
  t.same(cache.snapshot.brokers.get(3), { id: 3, host: 'old', port: 7, rack: null });
  cache.update({ ...request([]), ungroupedPartitionStates: [state('v3', 0, 1)] }, 3);
  t.same(
    cache.snapshot.partition({ topic: 'v3', partition: 0 })?.offlineReplicas,
    [],
    'offline replicas arrived in v4',
  );
  t.end();
});

t.test('each client gets the endpoints of the listener it connected to', (t) => {
  const cache = new MetadataCache({ clusterId: 'c1', listenerName: 'INTERNAL' });
  const twoListeners = (id: number) => ({
    ...broker(id),
    endpoints: [
      { port: 9000 + id, host: `h${id}`, listener: 'INTERNAL', securityProtocol: 0 },
      { port: 9100 + id, host: `h${id}`, listener: 'SSL', securityProtocol: 1 },
    ],
  });
  cache.update(request([], [twoListeners(1), broker(2, 'INTERNAL')]), 7);
  const snapshot = cache.snapshot;
  t.match(snapshot.brokerOn(1, 'SSL'), { id: 1, host: 'h1', port: 9101 });
  t.match(snapshot.brokerOn(1, undefined), { port: 9001 }, 'the default: the inter-broker one');
  t.equal(snapshot.brokerOn(2, 'SSL'), undefined, 'broker 2 has no SSL listener');
  t.same(
    snapshot.brokersOn('SSL').map((b) => [b.id, b.port]),
    [[1, 9101]],
    'only brokers with that listener are listed',
  );
  t.end();
});

t.test('listeners run after each update', (t) => {
  const cache = new MetadataCache({ clusterId: null });
  const seen: number[] = [];
  const off = cache.onUpdate((s) => seen.push(s.topics.size));
  cache.update(request([state('a', 0, 1)]), 5);
  off();
  cache.update(request([state('b', 0, 1)]), 5);
  t.same(seen, [1]);
  t.end();
});
