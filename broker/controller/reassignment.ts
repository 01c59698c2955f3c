/**
 * Partition reassignment, the decisions (Kafka 2.x's `KafkaController.onPartitionReassignment`,
 * KIP-455 naming). Pure: input is a reassignment's original and target replicas plus the
 * partition's current assignment and leader/ISR; output is the next step. The controller's
 * reassignment-manager.ts carries the steps out.
 *
 * Names, as in Kafka's comments:
 *   ORS  original replica set: the assignment before the reassignment
 *   TRS  target replica set: the assignment asked for (its first replica becomes preferred)
 *   RS   the full set while moving: TRS followed by the replicas of ORS not in TRS
 *   AR   adding replicas:   TRS - ORS
 *   RR   removing replicas: ORS - TRS
 *
 * The steps:
 *
 *   start     (the assignment is not RS yet) write RS with AR and RR to /brokers/topics/<t>,
 *             bump the leader epoch and send LeaderAndIsr to RS, start the AR replicas
 *             (NewReplica): they begin fetching from the leader
 *   wait      every replica of TRS must be in the ISR before anything is removed, or the
 *             partition could end with fewer in-sync copies than it had; the controller waits
 *             for ISR changes (the leader adds caught-up followers)
 *   complete  AR → OnlineReplica; the assignment becomes TRS; if the leader is not in TRS
 *             (or is dead), elect one from TRS ∩ ISR, else bump the epoch; RR → OfflineReplica
 *             → deleted (StopReplica with delete=true); write TRS with empty AR/RR; remove
 *             the partition from /admin/reassign_partitions; UpdateMetadata to all
 *
 * A target that only reorders or drops replicas (e.g. [1,3,2] -> [2,3,1]) has no AR: right after
 * start every replica of TRS is usually in the ISR already, so complete follows in the same pass
 * (the ISR will not change to wake the controller), as in Kafka's onPartitionReassignment.
 *
 * A reassignment to the current replicas is a no-op (Kafka removes it from the znode at
 * once). Cancelling (KIP-455, AlterPartitionReassignments with null replicas) makes the
 * target the original replicas again: the partition completes at once back on ORS, and the
 * replicas that were being added are stopped and deleted. Each step is safe to run again: a new
 * controller resumes a reassignment by asking for the next step from what the coordinator shows.
 */
import type { LeaderAndIsr } from '../../src/znodes.js';

export interface ReplicaSets {
  /** RS: target first, then the original replicas being removed. */
  replicas: number[];
  /** AR */
  adding: number[];
  /** RR */
  removing: number[];
}

/** RS, AR and RR of a reassignment from `originalReplicas` to `targetReplicas`. */
export function reassignmentReplicaSets(options: {
  originalReplicas: readonly number[];
  targetReplicas: readonly number[];
}): ReplicaSets {
  const { originalReplicas, targetReplicas } = options;
  return {
    replicas: [...new Set([...targetReplicas, ...originalReplicas])],
    adding: targetReplicas.filter((b) => !originalReplicas.includes(b)),
    removing: originalReplicas.filter((b) => !targetReplicas.includes(b)),
  };
}

/** The original and target sets back from a full assignment with AR and RR (failover). */
export function reassignmentFromAssignment(options: {
  replicas: readonly number[];
  adding: readonly number[];
  removing: readonly number[];
}): { originalReplicas: number[]; targetReplicas: number[] } {
  const { replicas, adding, removing } = options;
  return {
    originalReplicas: replicas.filter((b) => !adding.includes(b)),
    targetReplicas: replicas.filter((b) => !removing.includes(b)),
  };
}

export type ReassignmentStep =
  | { kind: 'noop' }
  | { kind: 'start'; sets: ReplicaSets }
  | { kind: 'wait'; sets: ReplicaSets; notInIsr: number[] }
  | { kind: 'complete'; sets: ReplicaSets; moveLeader: boolean };

const sameList = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** What a reassignment does next, given the partition as it is now. */
export function nextReassignmentStep(options: {
  originalReplicas: readonly number[];
  targetReplicas: readonly number[];
  /** The assignment in /brokers/topics/<t> now (ORS before the start, RS after). */
  currentReplicas: readonly number[];
  current: LeaderAndIsr;
  liveBrokerIds: ReadonlySet<number>;
}): ReassignmentStep {
  const { originalReplicas, targetReplicas, currentReplicas, current, liveBrokerIds } = options;
  const leaderStays = targetReplicas.includes(current.leader) && liveBrokerIds.has(current.leader);
  if (sameList(originalReplicas, targetReplicas)) {
    if (sameList(currentReplicas, originalReplicas)) return { kind: 'noop' };
    // A cancelled reassignment (KIP-455): go straight back to the original replicas, which
    // have every record; the replicas that were being added are removed.
    return {
      kind: 'complete',
      sets: {
        replicas: [...currentReplicas],
        adding: [],
        removing: currentReplicas.filter((b) => !originalReplicas.includes(b)),
      },
      moveLeader: !leaderStays,
    };
  }
  const sets = reassignmentReplicaSets({ originalReplicas, targetReplicas });
  if (!sameList(currentReplicas, sets.replicas)) return { kind: 'start', sets };
  const notInIsr = targetReplicas.filter((b) => !current.isr.includes(b));
  if (notInIsr.length > 0) return { kind: 'wait', sets, notInIsr };
  return { kind: 'complete', sets, moveLeader: !leaderStays };
}

/**
 * Kafka's checks of a requested reassignment (`validateReplicas`): the list is not empty, has
 * no duplicates and names only registered brokers. Returns the reason it is invalid, or null.
 */
export function invalidReassignmentReason(options: {
  targetReplicas: readonly number[];
  registeredBrokerIds: ReadonlySet<number>;
}): string | null {
  const { targetReplicas, registeredBrokerIds } = options;
  if (targetReplicas.length === 0) return 'empty replica list specified in partition reassignment';
  if (new Set(targetReplicas).size !== targetReplicas.length)
    return `duplicate brokers in the proposed replicas [${targetReplicas.join(',')}]`;
  const unknown = targetReplicas.filter((b) => !registeredBrokerIds.has(b));
  if (unknown.length > 0)
    return `the proposed assignment contains non-existent broker ids [${unknown.join(',')}]`;
  return null;
}
