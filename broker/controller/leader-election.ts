/**
 * The controller's leader and ISR decisions, as plain functions (Kafka's
 * `PartitionLeaderElectionAlgorithms` in Election.scala, plus the ISR shrink the replica state
 * machine does when a replica goes offline). No I/O and no controller state: input is the
 * partition's assignment, its current leader/ISR and the set of live brokers; output is the
 * new leader/ISR or a reason why there is none. The controller (partition-state-machine.ts)
 * only carries these decisions out; the tests call these very functions.
 *
 * The elections, one per reason a partition needs a leader (Kafka 2.8's four):
 *
 *   initialLeaderAndIsr                 a new partition: first live replica, ISR = live ones
 *   partitionAfterBrokerChange          brokers died (or a controller found them dead): the
 *                                       offline election, or only an ISR shrink
 *   reassignPartitionLeaderElection     a reassignment moved the replicas: first replica of the
 *                                       *target* assignment that is live and in the ISR
 *   preferredReplicaLeaderElection      the preferred replica (index 0), if live and in the ISR
 *   controlledShutdownLeaderElection    a broker is stopping: first live ISR member that is not
 *                                       shutting down; the stopping brokers leave the ISR
 *
 * Rules every function here keeps (and the tests check):
 *   - Candidates are taken in *assignment order*, so the preferred replica (index 0) wins
 *     whenever it is eligible; this keeps leadership where the assignment spread it.
 *   - Every change made by the controller bumps `leaderEpoch` by exactly one: brokers and
 *     followers use the epoch to tell a newer decision from an older one.
 *   - The ISR never becomes empty. When no ISR member is alive the leader becomes -1 and the
 *     ISR is left as it was, so only one of those replicas may lead again when it returns
 *     (they had every committed record; electing anyone else could lose data).
 *   - Unclean election (a live replica outside the ISR) happens only when enabled; it can
 *     lose committed records, which is why Kafka turned it off by default in 0.11.
 */
import { NO_LEADER, type LeaderAndIsr } from '../../src/znodes.js';

export type ElectionResult =
  | { ok: true; leaderAndIsr: LeaderAndIsr; unclean: boolean }
  | { ok: false; reason: string };

/**
 * New → Online: the first live replica leads, the ISR is every live replica, epoch 0
 * (PartitionStateMachine.initializeLeaderAndIsrForPartitions).
 */
export function initialLeaderAndIsr(options: {
  assignment: readonly number[];
  liveBrokerIds: ReadonlySet<number>;
  controllerEpoch: number;
}): ElectionResult {
  const live = options.assignment.filter((b) => options.liveBrokerIds.has(b));
  if (live.length === 0) {
    return { ok: false, reason: `no replica of [${options.assignment.join(',')}] is alive` };
  }
  return {
    ok: true,
    unclean: false,
    leaderAndIsr: {
      leader: live[0] as number,
      leaderEpoch: 0,
      isr: live,
      controllerEpoch: options.controllerEpoch,
    },
  };
}

/** What a broker change does to one partition: its new state, and whether it was unclean. */
export interface BrokerChangeDecision {
  leaderAndIsr: LeaderAndIsr;
  /** A replica outside the ISR was made leader (unclean.leader.election.enable). */
  unclean: boolean;
}

/**
 * THE broker-failure rule, used for every partition whose leader or ISR members are gone:
 * after a broker's registration vanished, when a new controller finds replicas on
 * unregistered brokers, and when a returning broker lets an offline partition lead again
 * (Kafka's `offlinePartitionLeaderElection` together with ReplicaStateMachine's
 * `removeReplicasFromIsr`, folded into one decision so there is one epoch bump per change).
 *
 *   - The leader is alive: dead brokers leave the ISR (it keeps at least the leader).
 *   - The leader is dead or -1: the first replica in assignment order that is live and in the
 *     ISR leads; the ISR becomes its live members.
 *   - No such replica, unclean election enabled, some replica live: the first live replica
 *     leads alone (ISR = [it]); `unclean` is true so the caller can warn.
 *   - Otherwise the partition is offline: leader -1, ISR unchanged (never empty, see above).
 *   - Brokers in a controlled shutdown count as live (they keep their ISR places) but are
 *     never elected: they are about to stop.
 *
 * Returns `null` when nothing changes (no write, no epoch bump).
 */
export function partitionAfterBrokerChange(options: {
  assignment: readonly number[];
  current: LeaderAndIsr;
  liveBrokerIds: ReadonlySet<number>;
  uncleanLeaderElectionEnable: boolean;
  controllerEpoch: number;
  /** Live brokers in a controlled shutdown: they keep their places but may not be elected. */
  shuttingDownBrokerIds?: ReadonlySet<number>;
}): BrokerChangeDecision | null {
  const { assignment, current, liveBrokerIds, controllerEpoch } = options;
  const shuttingDown = options.shuttingDownBrokerIds ?? new Set<number>();
  const electable = (b: number): boolean => liveBrokerIds.has(b) && !shuttingDown.has(b);
  const liveIsr = current.isr.filter((b) => liveBrokerIds.has(b));
  const next = (leader: number, isr: number[], unclean = false): BrokerChangeDecision => ({
    leaderAndIsr: { leader, leaderEpoch: current.leaderEpoch + 1, isr, controllerEpoch },
    unclean,
  });
  if (!needsLeaderElection(current, liveBrokerIds)) {
    // The leader is live, hence in liveIsr: the shrunk ISR cannot be empty.
    if (liveIsr.length === current.isr.length) return null;
    return next(current.leader, liveIsr);
  }
  const clean = assignment.find((b) => electable(b) && current.isr.includes(b));
  if (clean !== undefined) return next(clean, liveIsr);
  if (options.uncleanLeaderElectionEnable) {
    const anyLive = assignment.find(electable);
    if (anyLive !== undefined) return next(anyLive, [anyLive], true);
  }
  // Offline. Record that the leader is gone (Metadata must show -1, not a dead broker), but
  // once it shows -1 there is nothing more to write until a replica comes back.
  if (current.leader === NO_LEADER) return null;
  return next(NO_LEADER, [...current.isr]);
}

/**
 * Why `partitionAfterBrokerChange` leaves a partition offline, for the log line.
 */
export function offlineReason(options: {
  assignment: readonly number[];
  current: LeaderAndIsr;
  uncleanLeaderElectionEnable: boolean;
}): string {
  const { assignment, current } = options;
  return (
    `no live replica in ISR [${current.isr.join(',')}] of assignment [${assignment.join(',')}]` +
    (options.uncleanLeaderElectionEnable
      ? ' and no live replica at all'
      : ' (unclean.leader.election.enable is false)')
  );
}

/**
 * Reassignment (`reassignPartitionLeaderElection`): the first replica of the *target*
 * replica list that is live and in the ISR; the ISR is kept as it is (the removed replicas
 * leave it in a later step).
 */
export function reassignPartitionLeaderElection(options: {
  targetReplicas: readonly number[];
  current: LeaderAndIsr;
  liveBrokerIds: ReadonlySet<number>;
  controllerEpoch: number;
}): ElectionResult {
  const { targetReplicas, current, liveBrokerIds } = options;
  const leader = targetReplicas.find((b) => liveBrokerIds.has(b) && current.isr.includes(b));
  if (leader === undefined) {
    return {
      ok: false,
      reason: `no replica of the target [${targetReplicas.join(',')}] is live and in the ISR`,
    };
  }
  return {
    ok: true,
    unclean: false,
    leaderAndIsr: {
      leader,
      leaderEpoch: current.leaderEpoch + 1,
      isr: [...current.isr],
      controllerEpoch: options.controllerEpoch,
    },
  };
}

/**
 * Preferred leader (`preferredReplicaPartitionLeaderElection`): the first replica of the
 * assignment leads again if it is live and in the ISR. Not ok when it already leads (nothing
 * to do) or is not eligible (the election waits for it to catch up).
 */
export function preferredReplicaLeaderElection(options: {
  assignment: readonly number[];
  current: LeaderAndIsr;
  liveBrokerIds: ReadonlySet<number>;
  controllerEpoch: number;
}): ElectionResult {
  const { assignment, current, liveBrokerIds } = options;
  const preferred = assignment[0];
  if (preferred === undefined) return { ok: false, reason: 'the assignment is empty' };
  if (preferredReplicaLeads(assignment, current)) {
    return { ok: false, reason: `the preferred replica ${preferred} already leads` };
  }
  if (!preferredReplicaMayLead(assignment, current, liveBrokerIds)) {
    return {
      ok: false,
      reason:
        `the preferred replica ${preferred} is not live and in ISR ` + `[${current.isr.join(',')}]`,
    };
  }
  return {
    ok: true,
    unclean: false,
    leaderAndIsr: {
      leader: preferred,
      leaderEpoch: current.leaderEpoch + 1,
      isr: [...current.isr],
      controllerEpoch: options.controllerEpoch,
    },
  };
}

/** Does the preferred replica (the first of the assignment) lead? */
export function preferredReplicaLeads(
  assignment: readonly number[],
  current: LeaderAndIsr,
): boolean {
  return assignment.length > 0 && current.leader === assignment[0];
}

/**
 * May the preferred replica lead: is it live and in the ISR? The one eligibility rule of the
 * preferred election, which the automatic rebalance (leader-imbalance.ts) also asks before
 * listing a partition.
 */
export function preferredReplicaMayLead(
  assignment: readonly number[],
  current: LeaderAndIsr,
  liveBrokerIds: ReadonlySet<number>,
): boolean {
  const preferred = assignment[0];
  return preferred !== undefined && liveBrokerIds.has(preferred) && current.isr.includes(preferred);
}

/**
 * Controlled shutdown (`controlledShutdownPartitionLeaderElection`): the first replica in
 * assignment order that is live, in the ISR and not shutting down leads; the brokers that are
 * shutting down leave the ISR. Not ok when no other ISR member exists (the partition keeps its
 * leader until the broker really stops; the broker will retry or stop uncleanly).
 */
export function controlledShutdownLeaderElection(options: {
  assignment: readonly number[];
  current: LeaderAndIsr;
  liveBrokerIds: ReadonlySet<number>;
  shuttingDownBrokerIds: ReadonlySet<number>;
  controllerEpoch: number;
}): ElectionResult {
  const { assignment, current, liveBrokerIds, shuttingDownBrokerIds } = options;
  const eligible = (b: number): boolean =>
    liveBrokerIds.has(b) && current.isr.includes(b) && !shuttingDownBrokerIds.has(b);
  const leader = assignment.find(eligible);
  if (leader === undefined) {
    return {
      ok: false,
      reason: `no other live replica in ISR [${current.isr.join(',')}] to take over`,
    };
  }
  return {
    ok: true,
    unclean: false,
    leaderAndIsr: {
      leader,
      leaderEpoch: current.leaderEpoch + 1,
      isr: current.isr.filter((b) => !shuttingDownBrokerIds.has(b)),
      controllerEpoch: options.controllerEpoch,
    },
  };
}

/**
 * A follower replica is going away while its broker stays (controlled shutdown of a broker
 * that only follows, or a replica removed by a reassignment): remove it from the ISR
 * (ReplicaStateMachine → OfflineReplica, `removeReplicasFromIsr`). If it was the leader the
 * leader becomes -1. The ISR is never emptied. Returns `null` when nothing changes.
 */
export function removeReplicaFromIsr(options: {
  current: LeaderAndIsr;
  replica: number;
  controllerEpoch: number;
}): LeaderAndIsr | null {
  const { current, replica } = options;
  const inIsr = current.isr.includes(replica);
  const isLeader = current.leader === replica;
  if (!inIsr && !isLeader) return null;
  const shrunk = current.isr.filter((b) => b !== replica);
  const isr = shrunk.length > 0 ? shrunk : current.isr;
  // The last ISR member of a partition that is already leaderless: it stays, so nothing
  // changes, and a write would only bump the epoch for no reason.
  if (!isLeader && isr === current.isr) return null;
  return {
    leader: isLeader ? NO_LEADER : current.leader,
    leaderEpoch: current.leaderEpoch + 1,
    isr,
    controllerEpoch: options.controllerEpoch,
  };
}

/** Does this partition need an election: its leader is missing or dead? */
export function needsLeaderElection(
  current: LeaderAndIsr,
  liveBrokerIds: ReadonlySet<number>,
): boolean {
  return current.leader === NO_LEADER || !liveBrokerIds.has(current.leader);
}
