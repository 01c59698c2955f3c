import t from 'tap';
import {
  controlledShutdownLeaderElection,
  initialLeaderAndIsr,
  partitionAfterBrokerChange,
  preferredReplicaLeaderElection,
  preferredReplicaLeads,
  preferredReplicaMayLead,
  reassignPartitionLeaderElection,
  removeReplicaFromIsr,
} from '../../../broker/controller/leader-election.js';
import type { LeaderAndIsr } from '../../../src/znodes.js';

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

const afterBrokerChange = (
  current: LeaderAndIsr,
  liveIds: number[],
  options: { assignment?: number[]; unclean?: boolean; shuttingDown?: number[] } = {},
) =>
  partitionAfterBrokerChange({
    assignment: options.assignment ?? [1, 2, 3],
    current,
    liveBrokerIds: live(...liveIds),
    uncleanLeaderElectionEnable: options.unclean ?? false,
    controllerEpoch: 2,
    shuttingDownBrokerIds: new Set(options.shuttingDown ?? []),
  });

t.test(
  'leader dies: first live ISR member in assignment order leads, epoch + 1, dead leave the ISR',
  async (t) => {
    const current = { leader: 1, leaderEpoch: 5, isr: [1, 3, 2], controllerEpoch: 1 };
    t.same(
      afterBrokerChange(current, [2, 3]),
      {
        unclean: false,
        leaderAndIsr: { leader: 2, leaderEpoch: 6, isr: [3, 2], controllerEpoch: 2 },
      },
      'broker 2 comes before 3 in the assignment even though 3 is first in the ISR',
    );
  },
);

t.test('a follower dies: the leader stays, the ISR shrinks, the epoch moves', async (t) => {
  const current = { leader: 1, leaderEpoch: 5, isr: [1, 2, 3], controllerEpoch: 1 };
  t.same(afterBrokerChange(current, [1, 2]), {
    unclean: false,
    leaderAndIsr: { leader: 1, leaderEpoch: 6, isr: [1, 2], controllerEpoch: 2 },
  });
  t.equal(afterBrokerChange(current, [1, 2, 3]), null, 'nobody died: no write, no epoch bump');
  t.equal(
    afterBrokerChange({ ...current, isr: [1, 2] }, [1, 2]),
    null,
    'a dead replica outside the ISR changes nothing',
  );
});

t.test('a live replica outside the ISR is not elected unless unclean election is on', async (t) => {
  const current = { leader: 1, leaderEpoch: 5, isr: [1], controllerEpoch: 1 };
  t.same(
    afterBrokerChange(current, [2], { assignment: [1, 2] }),
    { unclean: false, leaderAndIsr: { leader: -1, leaderEpoch: 6, isr: [1], controllerEpoch: 2 } },
    'offline: leader -1, the ISR keeps its last member',
  );
  t.same(afterBrokerChange(current, [2], { assignment: [1, 2], unclean: true }), {
    unclean: true,
    leaderAndIsr: { leader: 2, leaderEpoch: 6, isr: [2], controllerEpoch: 2 },
  });
});

t.test('an offline partition is not written again until an ISR member returns', async (t) => {
  const offline = { leader: -1, leaderEpoch: 6, isr: [1], controllerEpoch: 2 };
  t.equal(afterBrokerChange(offline, [2, 3]), null);
  t.same(afterBrokerChange(offline, [1, 2]), {
    unclean: false,
    leaderAndIsr: { leader: 1, leaderEpoch: 7, isr: [1], controllerEpoch: 2 },
  });
});

t.test(
  'brokers in a controlled shutdown are never elected, but keep their ISR place',
  async (t) => {
    const current = { leader: 1, leaderEpoch: 0, isr: [1, 2, 3], controllerEpoch: 1 };
    t.same(afterBrokerChange(current, [2, 3], { shuttingDown: [2] }), {
      unclean: false,
      leaderAndIsr: { leader: 3, leaderEpoch: 1, isr: [2, 3], controllerEpoch: 2 },
    });
  },
);

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

t.test('controlled shutdown: leadership moves to another ISR member, which keeps it', async (t) => {
  const current = { leader: 1, leaderEpoch: 3, isr: [1, 3, 2], controllerEpoch: 1 };
  t.same(
    controlledShutdownLeaderElection({
      assignment: [1, 2, 3],
      current,
      liveBrokerIds: live(1, 2, 3),
      shuttingDownBrokerIds: live(1),
      controllerEpoch: 2,
    }),
    {
      ok: true,
      unclean: false,
      leaderAndIsr: { leader: 2, leaderEpoch: 4, isr: [3, 2], controllerEpoch: 2 },
    },
  );
  t.match(
    controlledShutdownLeaderElection({
      assignment: [1, 2],
      current: { ...current, isr: [1] },
      liveBrokerIds: live(1, 2),
      shuttingDownBrokerIds: live(1),
      controllerEpoch: 2,
    }),
    { ok: false, reason: /no other live replica/ },
    'an out-of-sync follower never takes over',
  );
});

t.test('preferred election: only the first replica, only when live and in the ISR', async (t) => {
  const current = { leader: 2, leaderEpoch: 3, isr: [2, 1], controllerEpoch: 1 };
  const elect = (c: LeaderAndIsr, ids: number[]) =>
    preferredReplicaLeaderElection({
      assignment: [1, 2],
      current: c,
      liveBrokerIds: live(...ids),
      controllerEpoch: 2,
    });
  t.same(elect(current, [1, 2]), {
    ok: true,
    unclean: false,
    leaderAndIsr: { leader: 1, leaderEpoch: 4, isr: [2, 1], controllerEpoch: 2 },
  });
  t.match(elect({ ...current, isr: [2] }, [1, 2]), { ok: false, reason: /not live and in ISR/ });
  t.match(elect({ ...current, leader: 1 }, [1, 2]), { ok: false, reason: /already leads/ });
});

t.test('reassignment election picks from the target replicas', async (t) => {
  t.same(
    reassignPartitionLeaderElection({
      targetReplicas: [3, 2],
      current: { leader: 1, leaderEpoch: 3, isr: [1, 2, 3], controllerEpoch: 1 },
      liveBrokerIds: live(1, 2, 3),
      controllerEpoch: 2,
    }),
    {
      ok: true,
      unclean: false,
      leaderAndIsr: { leader: 3, leaderEpoch: 4, isr: [1, 2, 3], controllerEpoch: 2 },
    },
  );
});

t.test('scripted: leader dies, then the whole ISR, then the last ISR member returns', async (t) => {
  // The controller's decisions across a sequence of broker events, as a transcript: the very
  // function the controller calls on every broker change.
  let state: LeaderAndIsr = { leader: 1, leaderEpoch: 0, isr: [1, 2, 3], controllerEpoch: 2 };
  const transcript: string[] = [];
  const step = (event: string, liveIds: number[]): void => {
    state = afterBrokerChange(state, liveIds)?.leaderAndIsr ?? state;
    transcript.push(
      `${event}: leader=${state.leader} epoch=${state.leaderEpoch} isr=[${state.isr.join(',')}]`,
    );
  };
  step('broker 1 dies', [2, 3]);
  step('broker 3 dies', [2]);
  step('broker 2 dies', []);
  step('broker 3 returns', [3]);
  step('broker 2 returns', [2, 3]);
  step('broker 1 returns', [1, 2, 3]);
  t.same(transcript, [
    'broker 1 dies: leader=2 epoch=1 isr=[2,3]',
    'broker 3 dies: leader=2 epoch=2 isr=[2]',
    'broker 2 dies: leader=-1 epoch=3 isr=[2]',
    'broker 3 returns: leader=-1 epoch=3 isr=[2]',
    'broker 2 returns: leader=2 epoch=4 isr=[2]',
    'broker 1 returns: leader=2 epoch=4 isr=[2]',
  ]);
});

t.test(
  'the preferred replica: does it lead, may it lead (one rule for every caller)',
  async (t) => {
    const state = (leader: number, isr: number[]): LeaderAndIsr => ({
      leader,
      leaderEpoch: 1,
      isr,
      controllerEpoch: 1,
    });
    t.equal(preferredReplicaLeads([2, 1], state(2, [2, 1])), true);
    t.equal(preferredReplicaLeads([2, 1], state(1, [2, 1])), false);
    t.equal(preferredReplicaLeads([], state(-1, [1])), false, 'an empty assignment has none');
    t.equal(preferredReplicaMayLead([2, 1], state(1, [1, 2]), live(1, 2)), true);
    t.equal(preferredReplicaMayLead([2, 1], state(1, [1]), live(1, 2)), false, 'out of the ISR');
    t.equal(preferredReplicaMayLead([2, 1], state(1, [1, 2]), live(1)), false, 'not live');
    t.equal(preferredReplicaMayLead([], state(1, [1]), live(1)), false);
  },
);
