import t from 'tap';
import {
  invalidReassignmentReason,
  nextReassignmentStep,
  reassignmentFromAssignment,
  reassignmentReplicaSets,
} from '../../../broker/controller/reassignment.js';
import type { LeaderAndIsr } from '../../../src/znodes.js';

const live = (...ids: number[]): Set<number> => new Set(ids);
const state = (leader: number, isr: number[]): LeaderAndIsr => ({
  leader,
  leaderEpoch: 4,
  isr,
  controllerEpoch: 1,
});

t.test('RS is the target followed by the replicas being removed; AR and RR', async (t) => {
  t.same(reassignmentReplicaSets({ originalReplicas: [1, 2], targetReplicas: [2, 3] }), {
    replicas: [2, 3, 1],
    adding: [3],
    removing: [1],
  });
  t.same(
    reassignmentFromAssignment({ replicas: [2, 3, 1], adding: [3], removing: [1] }),
    { originalReplicas: [2, 1], targetReplicas: [2, 3] },
    'a new controller gets ORS and TRS back from the topic znode',
  );
});

t.test('scripted: [1,2] -> [2,3], step by step as the controller sees it', async (t) => {
  const reassignment = { originalReplicas: [1, 2], targetReplicas: [2, 3] };
  const step = (currentReplicas: number[], current: LeaderAndIsr) =>
    nextReassignmentStep({
      ...reassignment,
      currentReplicas,
      current,
      liveBrokerIds: live(1, 2, 3),
    }).kind;
  const transcript = [
    step([1, 2], state(1, [1, 2])),
    step([2, 3, 1], state(1, [1, 2])),
    step([2, 3, 1], state(1, [1, 2, 3])),
  ];
  t.same(transcript, ['start', 'wait', 'complete']);
  t.match(
    nextReassignmentStep({
      ...reassignment,
      currentReplicas: [2, 3, 1],
      current: state(1, [1, 2, 3]),
      liveBrokerIds: live(1, 2, 3),
    }),
    { kind: 'complete', moveLeader: true },
    'leader 1 is not in the target: leadership moves',
  );
  t.match(
    nextReassignmentStep({
      ...reassignment,
      currentReplicas: [2, 3, 1],
      current: state(2, [1, 2, 3]),
      liveBrokerIds: live(1, 2, 3),
    }),
    { kind: 'complete', moveLeader: false },
    'leader 2 stays',
  );
});

t.test('nothing is removed before every target replica is in the ISR', async (t) => {
  t.match(
    nextReassignmentStep({
      originalReplicas: [1, 2],
      targetReplicas: [3, 4],
      currentReplicas: [3, 4, 1, 2],
      current: state(1, [1, 2, 3]),
      liveBrokerIds: live(1, 2, 3, 4),
    }),
    { kind: 'wait', notInIsr: [4] },
  );
});

t.test('a reassignment to the current replicas does nothing', async (t) => {
  t.match(
    nextReassignmentStep({
      originalReplicas: [1, 2],
      targetReplicas: [1, 2],
      currentReplicas: [1, 2],
      current: state(1, [1, 2]),
      liveBrokerIds: live(1, 2),
    }),
    { kind: 'noop' },
  );
});

t.test("Kafka's checks of a requested replica list", async (t) => {
  const registered = live(1, 2, 3);
  t.match(
    invalidReassignmentReason({ targetReplicas: [], registeredBrokerIds: registered }),
    /empty/,
  );
  t.match(
    invalidReassignmentReason({ targetReplicas: [1, 1], registeredBrokerIds: registered }),
    /duplicate/,
  );
  t.match(
    invalidReassignmentReason({ targetReplicas: [1, 9], registeredBrokerIds: registered }),
    /non-existent broker ids \[9\]/,
  );
  t.equal(
    invalidReassignmentReason({ targetReplicas: [3, 1], registeredBrokerIds: registered }),
    null,
  );
});

t.test('cancelling: back to the original replicas at once, the added ones removed', async (t) => {
  t.same(
    nextReassignmentStep({
      originalReplicas: [1, 2],
      targetReplicas: [1, 2],
      currentReplicas: [2, 3, 1],
      current: state(2, [1, 2]),
      liveBrokerIds: live(1, 2, 3),
    }),
    {
      kind: 'complete',
      sets: { replicas: [2, 3, 1], adding: [], removing: [3] },
      moveLeader: false,
    },
  );
});

t.test('a reorder of the same replicas: start, then complete in the same pass', async (t) => {
  const reorder = { originalReplicas: [1, 3, 2], targetReplicas: [2, 3, 1] };
  const step = (currentReplicas: number[], current: LeaderAndIsr) =>
    nextReassignmentStep({ ...reorder, currentReplicas, current, liveBrokerIds: live(1, 2, 3) });
  t.match(
    step([1, 3, 2], state(1, [1, 3, 2])),
    { kind: 'start', sets: { replicas: [2, 3, 1], adding: [], removing: [] } },
    'RS is the target itself: nothing to add or remove',
  );
  t.match(
    step([2, 3, 1], state(1, [1, 3, 2])),
    { kind: 'complete', moveLeader: false },
    'every target replica is in the ISR already: complete; leader 1 is in the target, it stays',
  );
  t.match(
    step([2, 3, 1], state(1, [1, 3])),
    { kind: 'wait', notInIsr: [2] },
    'a target replica out of the ISR still makes it wait',
  );
  t.match(
    nextReassignmentStep({
      originalReplicas: [1, 2, 3],
      targetReplicas: [3, 2],
      currentReplicas: [3, 2, 1],
      current: state(1, [1, 2, 3]),
      liveBrokerIds: live(1, 2, 3),
    }),
    { kind: 'complete', moveLeader: true, sets: { removing: [1] } },
    'dropping the leader: complete at once, leadership moves into the target',
  );
});
