/**
 * The controller's leader and ISR decisions, as plain functions (Kafka's
 * `PartitionLeaderElectionAlgorithms` in Election.scala, and the ISR shrink the replica state
 * machine does when a replica goes offline). No I/O and no controller state: input is the
 * partition's assignment, its current leader/ISR and the set of live brokers; output is the
 * new leader/ISR or a reason why there is none (Kafka's PartitionLeaderElectionAlgorithms).
 *
 * Rules every function here keeps (and the tests check):
 *   - Candidates are taken in *assignment order*, so the preferred replica (index 0) wins
 *     whenever it is eligible; this keeps leadership where the assignment spread it.
 *   - Every change made by the controller bumps `leaderEpoch` by exactly one: brokers and
 *     followers use the epoch to tell a newer decision from an older one.
 *   - The ISR never becomes empty. When the last ISR member dies the leader becomes -1 but
 *     that replica stays in the ISR, so it is the one allowed to lead again when it returns
 *     (it has every committed record; electing anyone else would lose data).
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

/**
 * Offline/Online → Online after a broker died or at controller startup
 * (`offlinePartitionLeaderElection`): the first replica in assignment order that is live
 * *and* in the ISR; the new ISR is the old ISR minus dead brokers. With unclean election
 * enabled and no such replica, the first live replica, with ISR = [it].
 */
export function offlinePartitionLeaderElection(options: {
  assignment: readonly number[];
  current: LeaderAndIsr;
  liveBrokerIds: ReadonlySet<number>;
  uncleanLeaderElectionEnable: boolean;
  controllerEpoch: number;
}): ElectionResult {
  const { assignment, current, liveBrokerIds } = options;
  const liveIsr = current.isr.filter((b) => liveBrokerIds.has(b));
  const clean = assignment.find((b) => liveBrokerIds.has(b) && current.isr.includes(b));
  if (clean !== undefined) {
    return {
      ok: true,
      unclean: false,
      leaderAndIsr: {
        leader: clean,
        leaderEpoch: current.leaderEpoch + 1,
        isr: liveIsr,
        controllerEpoch: options.controllerEpoch,
      },
    };
  }
  if (options.uncleanLeaderElectionEnable) {
    const anyLive = assignment.find((b) => liveBrokerIds.has(b));
    if (anyLive !== undefined) {
      return {
        ok: true,
        unclean: true,
        leaderAndIsr: {
          leader: anyLive,
          leaderEpoch: current.leaderEpoch + 1,
          isr: [anyLive],
          controllerEpoch: options.controllerEpoch,
        },
      };
    }
  }
  return {
    ok: false,
    reason:
      `no live replica in ISR [${current.isr.join(',')}] of assignment [${assignment.join(',')}]` +
      (options.uncleanLeaderElectionEnable
        ? ' and no live replica at all'
        : ' (unclean election is off)'),
  };
}

/**
 * A replica went offline (its broker died): remove it from the ISR
 * (`ReplicaStateMachine` → OfflineReplica, `removeReplicasFromIsr`). If it was the leader the
 * leader becomes -1 (an election follows separately). The ISR is never emptied: if the
 * replica was the only member it stays. Returns `null` when nothing changes (the replica was
 * neither leader nor in the ISR, or was the last ISR member of a leaderless partition), so
 * no write and no epoch bump are needed.
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
