import t from 'tap';
import { ControllerContext } from '../../../broker/controller/controller-context.js';
import {
  electLeadersTriage,
  preferredElectionCandidates,
} from '../../../broker/controller/replica-leader-election-handler.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { NO_LEADER } from '../../../src/znodes.js';

const tp = (topic: string, partition: number) => ({ topic, partition });

/**
 * Brokers 1-3 live. t-0 [1,2,3] led by its preferred replica 1; t-1 [2,3,1] led by 3;
 * t-2 [3,1] offline; moving-0 is being reassigned; gone-0 is being deleted; t-9 has an
 * assignment but no state yet.
 */
function context(): ControllerContext {
  const ctx = new ControllerContext();
  for (const id of [1, 2, 3])
    ctx.liveBrokers.set(id, {
      info: { id, endpoints: [], rack: null, jmxPort: -1, timestampMs: 0 },
      epoch: id * 10,
    });
  ctx.assignments.set(
    't',
    new Map([
      [0, [1, 2, 3]],
      [1, [2, 3, 1]],
      [2, [3, 1]],
      [9, [1, 2]],
    ]),
  );
  ctx.assignments.set('moving', new Map([[0, [1, 2]]]));
  ctx.assignments.set('gone', new Map([[0, [1, 2]]]));
  const state = (leader: number, isr: number[]) => ({
    leaderAndIsr: { leader, leaderEpoch: 3, isr, controllerEpoch: 1 },
    zkVersion: 3,
  });
  ctx.setState(tp('t', 0), state(1, [1, 2, 3]));
  ctx.setState(tp('t', 1), state(3, [2, 3, 1]));
  ctx.setState(tp('t', 2), state(NO_LEADER, [3]));
  ctx.setState(tp('moving', 0), state(2, [1, 2]));
  ctx.setState(tp('gone', 0), state(2, [1, 2]));
  ctx.reassignments.set('moving/0', { originalReplicas: [1, 2], targetReplicas: [2, 3] });
  ctx.topicsToBeDeleted.add('gone');
  return ctx;
}

t.test('a preferred election leaves out unknown, deleted and reassigning partitions', async (t) => {
  const ctx = context();
  t.same(
    preferredElectionCandidates(ctx, [
      tp('t', 0),
      tp('t', 1),
      tp('nope', 0),
      tp('t', 9),
      tp('gone', 0),
      tp('moving', 0),
    ]),
    {
      eligible: [tp('t', 0), tp('t', 1)],
      failed: [
        { partition: 'nope-0', reason: 'unknown partition' },
        { partition: 't-9', reason: 'unknown partition' },
        { partition: 'gone-0', reason: 'the topic is being deleted' },
        { partition: 'moving-0', reason: 'the partition is being reassigned' },
      ],
    },
    'whether the preferred replica can lead is for the election itself to say',
  );
});

t.test('ElectLeaders (preferred): the answers that need no election', async (t) => {
  const ctx = context();
  const all = [tp('t', 0), tp('t', 1), tp('t', 2), tp('gone', 0), tp('nope', 0), tp('moving', 0)];
  t.same(electLeadersTriage(ctx, 'preferred', all), {
    results: [
      {
        tp: tp('t', 0),
        errorCode: ErrorCode.ELECTION_NOT_NEEDED,
        errorMessage: 'the partition has the right leader',
      },
      { tp: tp('gone', 0), errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null },
      { tp: tp('nope', 0), errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null },
      {
        tp: tp('moving', 0),
        errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
        errorMessage: 'the partition is being reassigned',
      },
    ],
    toElect: [tp('t', 1), tp('t', 2)],
  });
});

t.test('ElectLeaders (unclean): only partitions without a live leader are elected', async (t) => {
  const ctx = context();
  const { results, toElect } = electLeadersTriage(ctx, 'unclean', [
    tp('t', 0),
    tp('t', 1),
    tp('t', 2),
  ]);
  t.same(toElect, [tp('t', 2)]);
  t.same(
    results.map((r) => [r.tp.partition, r.errorCode]),
    [
      [0, ErrorCode.ELECTION_NOT_NEEDED],
      [1, ErrorCode.ELECTION_NOT_NEEDED],
    ],
  );
  ctx.liveBrokers.delete(3);
  t.same(
    electLeadersTriage(ctx, 'unclean', [tp('t', 1)]).toElect,
    [tp('t', 1)],
    'a dead leader needs an election',
  );
});
