/**
 * ReplicaStateMachine: the controller's view of each *replica* (one partition on one broker),
 * Kafka's class of the same name. Where the partition state machine decides who leads, this
 * one decides which brokers host, stop and delete a partition's copies:
 *
 *   state                      meaning                                   valid previous states
 *   NewReplica                 being added by a reassignment             NonExistentReplica
 *   OnlineReplica              part of the assignment, broker live       New, Online, Offline,
 *                                                                        DeletionIneligible
 *   OfflineReplica             broker dead, or the replica is stopping   New, Online, Offline,
 *                                                                        DeletionIneligible
 *   ReplicaDeletionStarted     StopReplica(delete=true) sent             Offline
 *   ReplicaDeletionSuccessful  the broker deleted it                     DeletionStarted
 *   ReplicaDeletionIneligible  deletion failed or the broker is down     Offline,
 *                                                                        DeletionStarted
 *   NonExistentReplica         gone (or never there)                     DeletionSuccessful
 *
 * Effects of entering a state (added to the event's request batch):
 *   NewReplica / OnlineReplica  LeaderAndIsr with the partition's state to that broker
 *   OfflineReplica              StopReplica(delete=false) to a live broker; it also leaves the
 *                               ISR (partitionStateMachine.removeReplicaFromIsr) unless its
 *                               broker is dead: a dead broker's ISR places are taken away by
 *                               the offline election, in the same write as the new leader
 *   ReplicaDeletionStarted      StopReplica(delete=true); the answer arrives as an event
 *
 * Replicas are identified by `topic/partition/brokerId`. A replica the machine has never seen
 * is NonExistentReplica. States are kept only while this broker is controller and rebuilt on
 * failover (`initialize`): replicas on live brokers are Online, the others Offline.
 */
import type { Logger } from '../../src/logger.js';
import { invariant } from '../../src/assert.js';
import {
  partitionKey,
  type ControllerContext,
  type TopicPartitionId,
} from './controller-context.js';
import type { ControllerRequestBatch } from './controller-request-batch.js';
import type { PartitionStateMachine } from './partition-state-machine.js';

export type ReplicaState =
  | 'NewReplica'
  | 'OnlineReplica'
  | 'OfflineReplica'
  | 'ReplicaDeletionStarted'
  | 'ReplicaDeletionSuccessful'
  | 'ReplicaDeletionIneligible'
  | 'NonExistentReplica';

export const VALID_PREVIOUS_REPLICA_STATES: Readonly<
  Record<ReplicaState, readonly ReplicaState[]>
> = {
  NewReplica: ['NonExistentReplica'],
  OnlineReplica: ['NewReplica', 'OnlineReplica', 'OfflineReplica', 'ReplicaDeletionIneligible'],
  OfflineReplica: ['NewReplica', 'OnlineReplica', 'OfflineReplica', 'ReplicaDeletionIneligible'],
  ReplicaDeletionStarted: ['OfflineReplica'],
  ReplicaDeletionSuccessful: ['ReplicaDeletionStarted'],
  ReplicaDeletionIneligible: ['OfflineReplica', 'ReplicaDeletionStarted'],
  NonExistentReplica: ['ReplicaDeletionSuccessful', 'NonExistentReplica'],
};

/** One partition's copy on one broker. */
export interface PartitionReplica extends TopicPartitionId {
  replica: number;
}

const replicaKey = (r: PartitionReplica): string =>
  `${partitionKey(r.topic, r.partition)}/${r.replica}`;

export interface ReplicaStateMachineOptions {
  ctx: ControllerContext;
  partitionStateMachine: PartitionStateMachine;
  batch: () => ControllerRequestBatch;
  log: Logger;
}

export class ReplicaStateMachine {
  readonly #o: ReplicaStateMachineOptions;
  readonly #states = new Map<string, ReplicaState>();

  constructor(options: ReplicaStateMachineOptions) {
    this.#o = options;
  }

  stateOf(r: PartitionReplica): ReplicaState {
    return this.#states.get(replicaKey(r)) ?? 'NonExistentReplica';
  }

  clear(): void {
    this.#states.clear();
  }

  /** On failover: every assigned replica is Online if its broker is live, else Offline. */
  initialize(): void {
    const { ctx } = this.#o;
    const live = ctx.liveBrokerIds();
    this.#states.clear();
    for (const tp of ctx.allPartitions()) {
      for (const replica of ctx.replicasOf(tp)) {
        const deleting = ctx.topicsToBeDeleted.has(tp.topic);
        this.#states.set(
          replicaKey({ ...tp, replica }),
          live.has(replica)
            ? 'OnlineReplica'
            : deleting
              ? 'ReplicaDeletionIneligible'
              : 'OfflineReplica',
        );
      }
    }
  }

  /** Every replica of `tp` on `brokerId`'s side: a convenience for the callers. */
  replicasOn(brokerId: number, partitions: readonly TopicPartitionId[]): PartitionReplica[] {
    return partitions
      .filter((tp) => this.#o.ctx.replicasOf(tp).includes(brokerId))
      .map((tp) => ({ ...tp, replica: brokerId }));
  }

  /** Replicas of `topic` in `state`. */
  replicasInState(topic: string, state: ReplicaState): PartitionReplica[] {
    const result: PartitionReplica[] = [];
    for (const [key, s] of this.#states) {
      if (s !== state) continue;
      const [t, p, r] = splitKey(key);
      if (t === topic) result.push({ topic: t, partition: p, replica: r });
    }
    return result;
  }

  /**
   * Move `replicas` to `target`, performing the effects in the table above.
   * `onDeletionResult` is called with each broker's StopReplica(delete) answer.
   */
  async handleStateChanges(
    replicas: readonly PartitionReplica[],
    target: ReplicaState,
    options: {
      reason: string;
      onDeletionResult?: (r: PartitionReplica, errorCode: number) => void;
    },
  ): Promise<void> {
    const { ctx } = this.#o;
    const batch = this.#o.batch();
    const live = ctx.liveBrokerIds();
    for (const r of replicas) {
      const from = this.stateOf(r);
      invariant(
        VALID_PREVIOUS_REPLICA_STATES[target].includes(from),
        `replica ${r.topic}-${r.partition} on broker ${r.replica} ` +
          `cannot go from ${from} to ${target}`,
      );
      switch (target) {
        case 'NewReplica':
        case 'OnlineReplica':
          if (ctx.stateOf(r) && live.has(r.replica))
            batch.leaderAndIsrTo(r.replica, r, target === 'NewReplica');
          break;
        case 'OfflineReplica':
          if (live.has(r.replica)) {
            batch.stopReplica(r.replica, [r], false);
            await this.#o.partitionStateMachine.removeReplicaFromIsr(r, r.replica, options.reason);
          }
          break;
        case 'ReplicaDeletionStarted':
          batch.stopReplica(r.replica, [r], true, (errorCode) =>
            options.onDeletionResult?.(r, errorCode),
          );
          break;
        case 'ReplicaDeletionSuccessful':
        case 'ReplicaDeletionIneligible':
        case 'NonExistentReplica':
          break;
        default: {
          const never: never = target;
          throw new Error(`unknown replica state ${String(never)}`);
        }
      }
      if (target === 'NonExistentReplica') this.#states.delete(replicaKey(r));
      else this.#states.set(replicaKey(r), target);
      if (from !== target) {
        this.#o.log.debug(
          { topic: r.topic, partition: r.partition, replica: r.replica, from, to: target },
          `replica ${r.topic}-${r.partition}@${r.replica} ${from} -> ${target}`,
        );
      }
    }
  }

  /**
   * Offline without the effects: for replicas of a topic being deleted. Kafka also stops them
   * and shrinks the ISRs first; the partitions are about to vanish, and a LeaderAndIsr with
   * no leader would only make their brokers follow nobody, so the deletion goes straight to
   * StopReplica(delete=true).
   */
  markOffline(replicas: readonly PartitionReplica[]): void {
    for (const r of replicas) {
      const from = this.stateOf(r);
      if (from === 'OfflineReplica') continue;
      invariant(
        VALID_PREVIOUS_REPLICA_STATES.OfflineReplica.includes(from),
        `replica ${r.topic}-${r.partition} on broker ${r.replica} cannot go from ${from} offline`,
      );
      this.#states.set(replicaKey(r), 'OfflineReplica');
    }
  }

  /** Forget every replica of a topic (it was deleted). */
  removeTopic(topic: string): void {
    for (const key of [...this.#states.keys()])
      if (splitKey(key)[0] === topic) this.#states.delete(key);
  }
}

function splitKey(key: string): [string, number, number] {
  // Topic names cannot contain "/", so the last two fields are the partition and broker.
  const parts = key.split('/');
  const replica = Number(parts.pop());
  const partition = Number(parts.pop());
  return [parts.join('/'), partition, replica];
}
