import t from 'tap';
import { leaderImbalance } from '../../../broker/controller/leader-imbalance.js';

const p = (
  partition: number,
  replicas: number[],
  leader: number,
  isr = replicas,
  busy = false,
) => ({
  topic: 't',
  partition,
  replicas,
  state: { leader, leaderEpoch: 1, isr, controllerEpoch: 1 },
  busy,
});

t.test('a broker preferred for partitions it does not lead gets them back', async (t) => {
  // Broker 1 restarted: it is preferred for 0 and 1 but leads neither.
  const report = leaderImbalance({
    partitions: [p(0, [1, 2], 2), p(1, [1, 3], 3), p(2, [2, 1], 2), p(3, [3, 1], 3)],
    liveBrokerIds: new Set([1, 2, 3]),
    imbalancePerBrokerPercentage: 10,
  });
  t.same(Object.fromEntries(report.ratioByBroker), { 1: 1, 2: 0, 3: 0 });
  t.same(report.toElect, [
    { topic: 't', partition: 0 },
    { topic: 't', partition: 1 },
  ]);
});

t.test('at or under the allowed percentage nothing moves', async (t) => {
  const partitions = Array.from({ length: 10 }, (_, i) => p(i, [1, 2], i === 0 ? 2 : 1));
  const report = leaderImbalance({
    partitions,
    liveBrokerIds: new Set([1, 2]),
    imbalancePerBrokerPercentage: 10,
  });
  t.equal(report.ratioByBroker.get(1), 0.1);
  t.same(report.toElect, [], '1 of 10 is exactly 10%: not above it');
});

t.test('out-of-sync, dead, reassigning and deleting partitions are left alone', async (t) => {
  const report = leaderImbalance({
    partitions: [p(0, [1, 2], 2, [2]), p(1, [1, 2], 2, [1, 2], true), p(2, [3, 2], 2)],
    liveBrokerIds: new Set([1, 2]),
    imbalancePerBrokerPercentage: 10,
  });
  t.same(report.toElect, []);
});
