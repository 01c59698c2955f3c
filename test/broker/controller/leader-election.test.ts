import t from 'tap';
import {
  initialLeaderAndIsr,
  needsLeaderElection,
  offlinePartitionLeaderElection,
  removeReplicaFromIsr,
} from '../../../broker/controller/leader-election.js';

const live = (...ids: number[]): Set<number> => new Set(ids);

t.test(
  'a new partition is led by its first live replica, ISR = live replicas, epoch 0',
  async (t) => {
    t.same(
      initialLeaderAndIsr({
        assignment: [2, 1, 3],
        liveBrokerIds: live(1, 2, 3),
        controllerEpoch: 4,
      }),
      {
        ok: true,
        unclean: false,
        leaderAndIsr: { leader: 2, leaderEpoch: 0, isr: [2, 1, 3], controllerEpoch: 4 },
      },
    );
    t.same(
      initialLeaderAndIsr({ assignment: [2, 1, 3], liveBrokerIds: live(1, 3), controllerEpoch: 4 }),
      {
        ok: true,
        unclean: false,
        leaderAndIsr: { leader: 1, leaderEpoch: 0, isr: [1, 3], controllerEpoch: 4 },
      },
    );
    t.match(initialLeaderAndIsr({ assignment: [2], liveBrokerIds: live(1), controllerEpoch: 4 }), {
      ok: false,
    });
  },
);

t.test(
  'offline election: first live ISR member in assignment order, epoch + 1, dead leave the ISR',
  async (t) => {
    const current = { leader: 1, leaderEpoch: 5, isr: [1, 3, 2], controllerEpoch: 1 };
    t.same(
      offlinePartitionLeaderElection({
        assignment: [1, 2, 3],
        current,
        liveBrokerIds: live(2, 3),
        uncleanLeaderElectionEnable: false,
        controllerEpoch: 2,
      }),
      {
        ok: true,
        unclean: false,
        leaderAndIsr: { leader: 2, leaderEpoch: 6, isr: [3, 2], controllerEpoch: 2 },
      },
      'broker 2 comes before 3 in the assignment even though 3 is first in the ISR',
    );
  },
);

t.test('a live replica outside the ISR is not elected unless unclean election is on', async (t) => {
  const current = { leader: 1, leaderEpoch: 5, isr: [1], controllerEpoch: 1 };
  const clean = offlinePartitionLeaderElection({
    assignment: [1, 2],
    current,
    liveBrokerIds: live(2),
    uncleanLeaderElectionEnable: false,
    controllerEpoch: 2,
  });
  t.match(clean, { ok: false, reason: /unclean election is off/ });
  t.same(
    offlinePartitionLeaderElection({
      assignment: [1, 2],
      current,
      liveBrokerIds: live(2),
      uncleanLeaderElectionEnable: true,
      controllerEpoch: 2,
    }),
    {
      ok: true,
      unclean: true,
      leaderAndIsr: { leader: 2, leaderEpoch: 6, isr: [2], controllerEpoch: 2 },
    },
  );
});

t.test('removing a replica from the ISR never empties it', async (t) => {
  const current = { leader: 1, leaderEpoch: 3, isr: [1, 2], controllerEpoch: 1 };
  t.same(removeReplicaFromIsr({ current, replica: 2, controllerEpoch: 2 }), {
    leader: 1,
    leaderEpoch: 4,
    isr: [1],
    controllerEpoch: 2,
  });
  t.same(
    removeReplicaFromIsr({ current: { ...current, isr: [1] }, replica: 1, controllerEpoch: 2 }),
    { leader: -1, leaderEpoch: 4, isr: [1], controllerEpoch: 2 },
    'the last member stays; leader -1',
  );
  t.equal(
    removeReplicaFromIsr({ current, replica: 9, controllerEpoch: 2 }),
    null,
    'no change, no epoch bump',
  );
});

t.test('scripted: leader dies, then the whole ISR, then the last ISR member returns', async (t) => {
  // The controller's decisions across a sequence of broker events, as a transcript.
  const assignment = [1, 2, 3];
  let state = { leader: 1, leaderEpoch: 0, isr: [1, 2, 3], controllerEpoch: 1 };
  const transcript: string[] = [];
  const step = (event: string, liveIds: number[]): void => {
    const liveSet = new Set(liveIds);
    if (needsLeaderElection(state, liveSet)) {
      const r = offlinePartitionLeaderElection({
        assignment,
        current: state,
        liveBrokerIds: liveSet,
        uncleanLeaderElectionEnable: false,
        controllerEpoch: 1,
      });
      if (r.ok) state = r.leaderAndIsr;
      else {
        for (const dead of state.isr.filter((b) => !liveSet.has(b))) {
          state =
            removeReplicaFromIsr({ current: state, replica: dead, controllerEpoch: 1 }) ?? state;
        }
      }
    } else {
      for (const dead of state.isr.filter((b) => !liveSet.has(b))) {
        state =
          removeReplicaFromIsr({ current: state, replica: dead, controllerEpoch: 1 }) ?? state;
      }
    }
    transcript.push(
      `${event}: leader=${state.leader} epoch=${state.leaderEpoch} isr=[${state.isr.join(',')}]`,
    );
  };
  step('broker 1 dies', [2, 3]);
  step('broker 3 dies', [2]);
  step('broker 2 dies', []);
  step('broker 3 returns', [3]);
  step('broker 2 returns', [2, 3]);
  t.same(transcript, [
    'broker 1 dies: leader=2 epoch=1 isr=[2,3]',
    'broker 3 dies: leader=2 epoch=2 isr=[2]',
    'broker 2 dies: leader=-1 epoch=3 isr=[2]',
    'broker 3 returns: leader=-1 epoch=3 isr=[2]',
    'broker 2 returns: leader=2 epoch=4 isr=[2]',
  ]);
});
