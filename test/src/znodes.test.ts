/**
 * src/znodes.ts decoders against the JSON Kafka 2.8 itself writes (so a cluster's znodes can be
 * read whoever wrote them), and their refusals: every malformed payload becomes a
 * ZNodeDecodeError naming the path, never a crash or a silently wrong value.
 */
import t from 'tap';
import {
  BrokerIdZNode,
  ClusterIdZNode,
  ControllerEpochZNode,
  ControllerZNode,
  TopicPartitionStateZNode,
  TopicZNode,
  ZNodeDecodeError,
} from '../../src/znodes.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

t.test('a broker registration as a Kafka 2.8 broker writes it', async (t) => {
  const kafka =
    '{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT","INTERNAL":"SSL"},' +
    '"endpoints":["PLAINTEXT://broker-1:9092","INTERNAL://10.0.0.1:9093"],"jmx_port":9999,' +
    '"port":9092,"host":"broker-1","version":5,"timestamp":"1700000000000","rack":"r1"}';
  t.same(BrokerIdZNode.decode(1, bytes(kafka)), {
    id: 1,
    endpoints: [
      { listenerName: 'PLAINTEXT', host: 'broker-1', port: 9092, securityProtocol: 'PLAINTEXT' },
      { listenerName: 'INTERNAL', host: '10.0.0.1', port: 9093, securityProtocol: 'SSL' },
    ],
    rack: 'r1',
    jmxPort: 9999,
    timestampMs: 1_700_000_000_000,
  });
  const old = '{"endpoints":["PLAINTEXT://h:1"],"version":4,"timestamp":"5"}';
  t.match(BrokerIdZNode.decode(2, bytes(old)), { rack: null, jmxPort: -1, timestampMs: 5 });
});

t.test('a broker registration survives encode -> decode', async (t) => {
  const info = {
    id: 3,
    endpoints: [
      { listenerName: 'PLAINTEXT', host: '127.0.0.1', port: 9094, securityProtocol: 'PLAINTEXT' },
    ],
    rack: null,
    jmxPort: -1,
    timestampMs: 42,
  };
  t.same(BrokerIdZNode.decode(3, BrokerIdZNode.encode(info)), info);
});

t.test('topic assignments, version 1 and version 2 (with reassignment fields)', async (t) => {
  t.same(TopicZNode.decode('t', bytes('{"version":1,"partitions":{"0":[1,2],"1":[2,3]}}')), {
    partitions: new Map([
      [0, [1, 2]],
      [1, [2, 3]],
    ]),
    addingReplicas: new Map(),
    removingReplicas: new Map(),
  });
  const v2 =
    '{"version":2,"partitions":{"0":[1,2,3]},"adding_replicas":{"0":[3]},' +
    '"removing_replicas":{"0":[1]}}';
  t.same(TopicZNode.decode('t', bytes(v2)), {
    partitions: new Map([[0, [1, 2, 3]]]),
    addingReplicas: new Map([[0, [3]]]),
    removingReplicas: new Map([[0, [1]]]),
  });
});

t.test('partition state, controller, controller epoch and cluster id', async (t) => {
  const state = '{"controller_epoch":4,"leader":2,"version":1,"leader_epoch":7,"isr":[2,1]}';
  t.same(TopicPartitionStateZNode.decode('t', 0, bytes(state)), {
    leader: 2,
    leaderEpoch: 7,
    isr: [2, 1],
    controllerEpoch: 4,
  });
  t.same(ControllerZNode.decode(bytes('{"version":1,"brokerid":3,"timestamp":"1700"}')), {
    brokerId: 3,
    timestampMs: 1700,
  });
  t.equal(ControllerEpochZNode.decode(bytes('12')), 12);
  t.equal(
    ClusterIdZNode.decode(bytes('{"version":"1","id":"q3ZQ4mtnSvSkQkKt6Hk8Xw"}')),
    'q3ZQ4mtnSvSkQkKt6Hk8Xw',
  );
});

t.test('malformed payloads are ZNodeDecodeErrors that name the znode', async (t) => {
  const refused: [string, () => unknown, RegExp][] = [
    ['no data', () => TopicZNode.decode('t', null), /\/brokers\/topics\/t: no data/],
    ['empty data', () => ControllerZNode.decode(Buffer.alloc(0)), /no data/],
    ['not JSON', () => ControllerZNode.decode(bytes('{oops')), /\/controller/],
    ['a JSON array', () => ClusterIdZNode.decode(bytes('[1]')), /not a JSON object/],
    ['id not a string', () => ClusterIdZNode.decode(bytes('{"id":7}')), /"id" is not a string/],
    ['brokerid missing', () => ControllerZNode.decode(bytes('{"version":1}')), /"brokerid"/],
    ['epoch text', () => ControllerEpochZNode.decode(bytes('1.5')), /not a number/],
    ['epoch null', () => ControllerEpochZNode.decode(null), /not a number/],
    ['no endpoints', () => BrokerIdZNode.decode(1, bytes('{"version":5}')), /"endpoints"/],
    [
      'bad endpoint',
      () => BrokerIdZNode.decode(1, bytes('{"endpoints":["no-port"]}')),
      /bad endpoint/,
    ],
    ['no partitions', () => TopicZNode.decode('t', bytes('{"version":2}')), /"partitions"/],
    [
      'bad partition id',
      () => TopicZNode.decode('t', bytes('{"partitions":{"x":[1]}}')),
      /bad partition id "x"/,
    ],
    [
      'replicas not integers',
      () => TopicZNode.decode('t', bytes('{"partitions":{"0":[1.5]}}')),
      /partitions\.0 is not an array of integers/,
    ],
    [
      'isr missing',
      () => TopicPartitionStateZNode.decode('t', 1, bytes('{"leader":1,"leader_epoch":0}')),
      /partitions\/1\/state: isr/,
    ],
  ];
  for (const [name, decode, message] of refused) {
    t.throws(decode, ZNodeDecodeError, name);
    t.throws(decode, message, name);
  }
});
