import t from 'tap';
import {
  ControllerContext,
  interBrokerEndpoint,
} from '../../../broker/controller/controller-context.js';
import type { BrokerInfo } from '../../../src/znodes.js';

const info = (endpoints: BrokerInfo['endpoints']): BrokerInfo => ({
  id: 1,
  endpoints,
  rack: null,
  jmxPort: -1,
  timestampMs: 0,
});
const endpoint = (listenerName: string, port: number) => ({
  listenerName,
  host: '127.0.0.1',
  port,
  securityProtocol: 'PLAINTEXT',
});

t.test(
  'brokers are reached on inter.broker.listener.name, else their first endpoint',
  async (t) => {
    const both = info([endpoint('CLIENT', 9092), endpoint('REPLICATION', 9093)]);
    t.same(interBrokerEndpoint(both, 'REPLICATION'), endpoint('REPLICATION', 9093));
    t.same(interBrokerEndpoint(both, 'OTHER'), endpoint('CLIENT', 9092));
    t.same(interBrokerEndpoint(both, undefined), endpoint('CLIENT', 9092));
    t.equal(interBrokerEndpoint(info([]), 'REPLICATION'), undefined);
  },
);

t.test('the same endpoint goes into LeaderAndIsr liveLeaders', async (t) => {
  const ctx = new ControllerContext();
  ctx.interBrokerListenerName = 'REPLICATION';
  ctx.liveBrokers.set(1, {
    info: info([endpoint('CLIENT', 9092), endpoint('REPLICATION', 9093)]),
    epoch: 5,
  });
  ctx.assignments.set('t', new Map([[0, [1]]]));
  ctx.setState(
    { topic: 't', partition: 0 },
    { leaderAndIsr: { leader: 1, leaderEpoch: 0, isr: [1], controllerEpoch: 1 }, zkVersion: 0 },
  );
  const request = ctx.leaderAndIsrRequest(1, 1, [{ topic: 't', partition: 0 }], false);
  t.same(request.liveLeaders, [{ brokerId: 1, hostName: '127.0.0.1', port: 9093 }]);
});

t.test('active partitions leave out the topics being deleted', async (t) => {
  const ctx = new ControllerContext();
  ctx.assignments.set(
    'keep',
    new Map([
      [1, [1]],
      [0, [1]],
    ]),
  );
  ctx.assignments.set('drop', new Map([[0, [1]]]));
  ctx.topicsToBeDeleted.add('drop');
  t.same(ctx.activePartitions(), [
    { topic: 'keep', partition: 0 },
    { topic: 'keep', partition: 1 },
  ]);
  t.equal(ctx.allPartitions().length, 3);
});
