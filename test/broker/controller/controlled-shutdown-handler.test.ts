import t from 'tap';
import {
  controlledShutdownError,
  partitionsOfStoppingBroker,
  remainingLeadership,
  type ShutdownPartitionView,
} from '../../../broker/controller/controlled-shutdown-handler.js';
import type { LiveBroker } from '../../../broker/controller/controller-context.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';

const broker = (id: number, epoch: number): LiveBroker => ({
  info: { id, endpoints: [], rack: null, jmxPort: -1, timestampMs: 0 },
  epoch,
});
const p = (
  partition: number,
  replicas: number[],
  leader: number | undefined,
): ShutdownPartitionView => ({ tp: { topic: 't', partition }, replicas, leader });

t.test('the request is checked against the registration and its epoch', async (t) => {
  t.equal(controlledShutdownError(undefined, 5n), ErrorCode.BROKER_NOT_AVAILABLE);
  t.equal(controlledShutdownError(broker(2, 40), 39n), ErrorCode.STALE_BROKER_EPOCH);
  t.equal(controlledShutdownError(broker(2, 40), 40n), null, 'the current epoch');
  t.equal(controlledShutdownError(broker(2, 40), 41n), null, 'a newer epoch is not stale');
  t.equal(controlledShutdownError(broker(2, 40), -1n), null, 'v0/v1 carry no epoch: -1');
});

t.test('a stopping broker leads some partitions and follows others', async (t) => {
  const partitions = [
    p(0, [2, 1, 3], 2),
    p(1, [1, 2, 3], 1),
    p(2, [1, 3], 1), // not hosted by 2
    p(3, [2], 2), // single replica: cannot move
    p(4, [3, 2], undefined), // no state yet
  ];
  const { hosted, led, followed } = partitionsOfStoppingBroker(2, partitions);
  t.same(
    hosted.map((h) => h.tp.partition),
    [0, 1, 4],
    'every multi-replica partition on broker 2',
  );
  t.same(led, [{ topic: 't', partition: 0 }]);
  t.same(followed, [{ topic: 't', partition: 1 }], 'a partition without a state is neither');
});

t.test('what remains: led partitions that another electable replica could take', async (t) => {
  const after = [
    p(0, [2, 1, 3], 1), // moved
    p(1, [2, 1], 2), // still led; 1 is electable: the broker should retry
    p(2, [2, 3], 2), // still led; 3 is shutting down or dead: retrying cannot help
  ];
  t.same(remainingLeadership(2, after, new Set([1])), [{ topic: 't', partition: 1 }]);
  t.same(remainingLeadership(2, after, new Set([1, 3])), [
    { topic: 't', partition: 1 },
    { topic: 't', partition: 2 },
  ]);
  t.same(remainingLeadership(2, after, new Set()), [], 'no one else: nothing to wait for');
  t.same(
    remainingLeadership(2, [p(3, [2, 1], 2)], new Set([2])),
    [],
    'the stopping broker itself does not count',
  );
});
