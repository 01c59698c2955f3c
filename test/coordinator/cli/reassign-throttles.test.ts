/**
 * Which replicas `coordinator reassign --throttle` throttles: Kafka's
 * calculateLeaderThrottles / calculateFollowerThrottles / calculateReassigningBrokers.
 */
import t from 'tap';
import { reassignmentThrottles } from '../../../coordinator/cli/reassign.js';

t.test('leader side on the current replicas, follower side on the added ones', async (t) => {
  const throttles = reassignmentThrottles([
    { topic: 'orders', partition: 0, current: [1, 2], target: [2, 3] },
    { topic: 'orders', partition: 1, current: [2, 3], target: [3, 2] },
    { topic: 'orders', partition: 10, current: [1], target: [4] },
    { topic: 'audit', partition: 0, current: [3, 1], target: [1, 4] },
  ]);
  t.same(
    Object.fromEntries(throttles.leader),
    { orders: '0:1,0:2,10:1,1:2,1:3', audit: '0:1,0:3' },
    'every current replica of every partition of the plan, sorted as strings (TreeSet)',
  );
  t.same(
    Object.fromEntries(throttles.follower),
    { orders: '0:3,10:4', audit: '0:4' },
    'only replicas being added; a reorder adds none',
  );
  t.same(throttles.brokers, [1, 2, 3, 4], 'every broker that is a current or target replica');
});

t.test(
  'a plan that only reorders still throttles its leaders, with no follower list',
  async (t) => {
    const throttles = reassignmentThrottles([
      { topic: 'p', partition: 0, current: [1, 2, 3], target: [3, 2, 1] },
    ]);
    t.equal(throttles.leader.get('p'), '0:1,0:2,0:3');
    t.equal(throttles.follower.get('p'), '', 'nothing is copied, nothing to throttle');
  },
);
