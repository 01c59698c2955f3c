/**
 * PartitionStateMachine: the controller's changes to partition *leadership* (Kafka's class of
 * the same name). Each partition is in one of four states, derived from the controller
 * context (an assignment, a state znode, a live leader):
 *
 *   state                  meaning                                  valid previous states
 *   NonExistentPartition   never created, or deleted                OfflinePartition
 *   NewPartition           assignment known, no state znode yet     NonExistentPartition
 *   OnlinePartition        state znode with a live leader           New, Online, Offline
 *   OfflinePartition       leader -1 or a dead broker               New, Online, Offline
 *
 * Online → Online is a leader change of a healthy partition (preferred election, controlled
 * shutdown, reassignment). Every transition that writes a state znode is logged once at info
 * with the old and new state, leader, epoch and ISR, and the reason.
 *
 * What this module does, and what it leaves to others: the *decisions* (who leads, who stays
 * in the ISR) are the pure functions of leader-election.ts, chosen by an `ElectionStrategy`;
 * this module reads the current state, asks the decision, writes the state znode
 * conditionally on its version *and* fenced by the controller epoch, and adds the
 * LeaderAndIsr/UpdateMetadata requests to the event's batch. On BADVERSION (a leader changed
 * the ISR meanwhile) it re-reads the state and decides again.
 */
import { Op, type CoordinatorClient } from '../../src/coordinator-client/client.js';
import { ensurePath } from '../../src/coordinator-client/recipes/ensure-path.js';
import type { Logger } from '../../src/logger.js';
import { ErrorCode } from '../../src/protocol/coordinator/errors.js';
import { invariant, unreachable } from '../../src/assert.js';
import { inBatches } from '../../src/in-batches.js';
import {
  TopicConfigZNode,
  TopicPartitionStateZNode,
  TopicPartitionZNode,
  type LeaderAndIsr,
} from '../../src/znodes.js';
import { fencedMulti, getPartitionState } from '../../src/kafka-zk/kafka-zk-client.js';
import { hasCode } from '../../src/protocol/coordinator/errors.js';
import type { ControllerContext, TopicPartitionId } from './controller-context.js';
import type { ControllerRequestBatch } from './controller-request-batch.js';
import {
  controlledShutdownLeaderElection,
  initialLeaderAndIsr,
  needsLeaderElection,
  offlineReason,
  partitionAfterBrokerChange,
  preferredReplicaLeaderElection,
  reassignPartitionLeaderElection,
  removeReplicaFromIsr,
} from './leader-election.js';

export type PartitionState =
  | 'NonExistentPartition'
  | 'NewPartition'
  | 'OnlinePartition'
  | 'OfflinePartition';

/**
 * At most this many partitions' coordinator requests are started at once (src/in-batches.ts):
 * a topic of 32,767 partitions otherwise queued so many that the broker's session expired.
 */
export const PARTITIONS_PER_ZK_BATCH = 500;

/** Kafka's `validPreviousStates`, the table above as data. */
export const VALID_PREVIOUS_PARTITION_STATES: Readonly<
  Record<PartitionState, readonly PartitionState[]>
> = {
  NonExistentPartition: ['OfflinePartition'],
  NewPartition: ['NonExistentPartition'],
  OnlinePartition: ['NewPartition', 'OnlinePartition', 'OfflinePartition'],
  OfflinePartition: ['NewPartition', 'OnlinePartition', 'OfflinePartition'],
};

/**
 * Why a partition needs a new leader, and so which election decides (Kafka's
 * PartitionLeaderElectionStrategy). `offline` also shrinks dead brokers out of the ISR;
 * `forceUnclean` is the ElectLeaders API's unclean election (whatever the config says).
 */
export type ElectionStrategy =
  | { kind: 'offline'; forceUnclean?: boolean }
  | { kind: 'reassign' }
  | { kind: 'preferred' }
  | { kind: 'controlledShutdown' };

/** Attempts of a conditional partition-state write before giving up until the next event. */
const STATE_WRITE_ATTEMPTS_MAX = 5;

/** unclean.leader.election.enable as a topic override may set it. */
const UNCLEAN_LEADER_ELECTION_ENABLE = 'unclean.leader.election.enable';

export interface PartitionStateMachineOptions {
  ctx: ControllerContext;
  zk: () => CoordinatorClient;
  /** The batch of the event being processed. */
  batch: () => ControllerRequestBatch;
  /** The broker-wide unclean.leader.election.enable; topics may override it. */
  /** unclean.leader.election.enable of the brokers (static, or a dynamic default that
   *  /config/brokers changes at run time); a topic's own override is read at election time. */
  uncleanLeaderElectionEnable: boolean | (() => boolean);
  log: Logger;
}

/** A partition for which an election found nobody, with the reason. */
export interface ElectionFailure {
  tp: TopicPartitionId;
  reason: string;
}

type Decision = { leaderAndIsr: LeaderAndIsr; unclean?: boolean } | { skip: string } | null;

export class PartitionStateMachine {
  readonly #o: PartitionStateMachineOptions;

  constructor(options: PartitionStateMachineOptions) {
    this.#o = options;
  }

  /** The partition's state as the context shows it now. */
  stateOf(tp: TopicPartitionId): PartitionState {
    const { ctx } = this.#o;
    if (!ctx.assignments.get(tp.topic)?.has(tp.partition)) return 'NonExistentPartition';
    const state = ctx.stateOf(tp);
    if (!state) return 'NewPartition';
    return needsLeaderElection(state.leaderAndIsr, ctx.liveBrokerIds())
      ? 'OfflinePartition'
      : 'OnlinePartition';
  }

  /** New → Online: create the state znodes (fenced) for partitions that have none. */
  async initialize(partitions: readonly TopicPartitionId[]): Promise<void> {
    if (partitions.length === 0) return;
    const { ctx, log } = this.#o;
    const zk = this.#o.zk();
    const live = ctx.electableBrokerIds();
    // Parent paths are plain persistent nodes; creating them unfenced is harmless (Kafka
    // does the same) and idempotent.
    await inBatches(partitions, PARTITIONS_PER_ZK_BATCH, async (tp) => {
      await ensurePath(zk, TopicPartitionZNode.path(tp.topic, tp.partition));
    });
    await inBatches(partitions, PARTITIONS_PER_ZK_BATCH, async (tp) => {
      const decision = initialLeaderAndIsr({
        assignment: ctx.replicasOf(tp),
        liveBrokerIds: live,
        controllerEpoch: ctx.epoch,
      });
      if (!decision.ok) {
        log.warn(
          { topic: tp.topic, partition: tp.partition, reason: decision.reason },
          'partition stays New: no live replica to lead it',
        );
        return;
      }
      const path = TopicPartitionStateZNode.path(tp.topic, tp.partition);
      try {
        await fencedMulti(zk, ctx.epochZkVersion, [
          Op.create(path, TopicPartitionStateZNode.encode(decision.leaderAndIsr)),
        ]);
        ctx.setState(tp, { leaderAndIsr: decision.leaderAndIsr, zkVersion: 0 });
        this.#logTransition(tp, 'NewPartition', decision.leaderAndIsr, 'new partition');
      } catch (err) {
        // A previous controller created it before dying: adopt what is there.
        if (!hasCode(err, ErrorCode.NODEEXISTS)) throw err;
        const existing = await getPartitionState(zk, tp.topic, tp.partition);
        if (existing) ctx.setState(tp, existing);
      }
      this.#o.batch().leaderAndIsrToReplicas(ctx, tp, true);
    });
    this.#o.batch().updateMetadataToAll(partitions);
  }

  /**
   * Elect leaders for `partitions` with `strategy`. Partitions where the election found
   * nobody (or had nothing to do) are returned with the reason; the others are written and
   * announced.
   *
   * Each election starts from the state znode as it is now, not from the context: leaders
   * change ISRs on their own and tell the controller only through the batched
   * /isr_change_notification, so the context may be seconds behind (a preferred replica that
   * has just caught up would look out of sync). Kafka's `doElectLeaderForPartitions` reads
   * the states from ZooKeeper first for the same reason.
   */
  async elect(
    partitions: readonly TopicPartitionId[],
    strategy: ElectionStrategy,
    reason: string,
  ): Promise<ElectionFailure[]> {
    const { ctx } = this.#o;
    const failures: ElectionFailure[] = [];
    const unclean = strategy.kind === 'offline' ? await this.#uncleanByTopic(partitions) : null;
    await inBatches(partitions, PARTITIONS_PER_ZK_BATCH, async (tp) => {
      // The state znode, not the cache: the ISR may have changed since the controller last
      // heard (Kafka's doElectLeaderForPartitions reads the states first).
      const fresh = await getPartitionState(this.#o.zk(), tp.topic, tp.partition);
      if (fresh) ctx.setState(tp, fresh);
      const skipped = await this.#update(tp, reason, (current) => {
        const options = { current, controllerEpoch: ctx.epoch };
        switch (strategy.kind) {
          case 'offline': {
            const uncleanLeaderElectionEnable =
              strategy.forceUnclean === true || (unclean?.get(tp.topic) ?? false);
            const decision = partitionAfterBrokerChange({
              ...options,
              assignment: ctx.replicasOf(tp),
              liveBrokerIds: ctx.liveBrokerIds(),
              shuttingDownBrokerIds: ctx.shuttingDownBrokerIds,
              uncleanLeaderElectionEnable,
            });
            if (decision && decision.leaderAndIsr.leader < 0) {
              this.#o.log.warn(
                {
                  topic: tp.topic,
                  partition: tp.partition,
                  reason: offlineReason({
                    assignment: ctx.replicasOf(tp),
                    current,
                    uncleanLeaderElectionEnable,
                  }),
                },
                'partition goes offline',
              );
            }
            return decision;
          }
          case 'reassign': {
            const reassignment = ctx.reassignmentOf(tp);
            if (!reassignment) return { skip: 'no reassignment in progress' };
            return asDecision(
              reassignPartitionLeaderElection({
                ...options,
                targetReplicas: reassignment.targetReplicas,
                liveBrokerIds: ctx.electableBrokerIds(),
              }),
            );
          }
          case 'preferred':
            return asDecision(
              preferredReplicaLeaderElection({
                ...options,
                assignment: ctx.replicasOf(tp),
                liveBrokerIds: ctx.electableBrokerIds(),
              }),
            );
          case 'controlledShutdown':
            return asDecision(
              controlledShutdownLeaderElection({
                ...options,
                assignment: ctx.replicasOf(tp),
                liveBrokerIds: ctx.liveBrokerIds(),
                shuttingDownBrokerIds: ctx.shuttingDownBrokerIds,
              }),
            );
          default:
            return unreachable(strategy, 'election strategy');
        }
      });
      if (skipped !== undefined) failures.push({ tp, reason: skipped });
    });
    return failures;
  }

  /**
   * A replica on a live broker leaves the ISR (ReplicaStateMachine → OfflineReplica for a
   * follower that stops: controlled shutdown, reassignment). Dead brokers are handled by the
   * `offline` election instead, in the same write as the new leader.
   */
  async removeReplicaFromIsr(tp: TopicPartitionId, replica: number, reason: string): Promise<void> {
    const { ctx } = this.#o;
    await this.#update(tp, reason, (current) => {
      const next = removeReplicaFromIsr({ current, replica, controllerEpoch: ctx.epoch });
      return next ? { leaderAndIsr: next } : null;
    });
  }

  /** Keep the leader and ISR but bump the leader epoch (a reassignment changed the replicas). */
  async bumpLeaderEpoch(tp: TopicPartitionId, reason: string): Promise<void> {
    const { ctx } = this.#o;
    await this.#update(tp, reason, (current) => ({
      leaderAndIsr: {
        ...current,
        leaderEpoch: current.leaderEpoch + 1,
        controllerEpoch: ctx.epoch,
      },
    }));
  }

  /**
   * The read-decide-write loop for one partition's state. `decide` gets the current state
   * and returns the new one, `{ skip }` (nothing possible, with the reason) or null (nothing
   * to do). Returns the skip reason, if any.
   */
  async #update(
    tp: TopicPartitionId,
    reason: string,
    decide: (current: LeaderAndIsr) => Decision,
  ): Promise<string | undefined> {
    const { ctx, log } = this.#o;
    const zk = this.#o.zk();
    for (let attempt = 1; attempt <= STATE_WRITE_ATTEMPTS_MAX; attempt++) {
      const state = ctx.stateOf(tp);
      if (!state) return 'the partition has no state yet';
      const decision = decide(state.leaderAndIsr);
      if (decision === null) return undefined;
      if ('skip' in decision) return decision.skip;
      const from = this.stateOf(tp);
      try {
        const results = await fencedMulti(zk, ctx.epochZkVersion, [
          Op.setData(
            TopicPartitionStateZNode.path(tp.topic, tp.partition),
            TopicPartitionStateZNode.encode(decision.leaderAndIsr),
            state.zkVersion,
          ),
        ]);
        const zkVersion = results[0]?.stat?.version ?? state.zkVersion + 1;
        ctx.setState(tp, { leaderAndIsr: decision.leaderAndIsr, zkVersion });
        if (decision.unclean) {
          log.warn(
            { topic: tp.topic, partition: tp.partition, leader: decision.leaderAndIsr.leader },
            'unclean leader election: a replica outside the ISR leads; records may be lost',
          );
        }
        this.#logTransition(tp, from, decision.leaderAndIsr, reason, state.leaderAndIsr);
        // The replicas being added by a reassignment must hear about it too.
        const reassignment = ctx.reassignmentOf(tp);
        const replicas = reassignment
          ? [...new Set([...ctx.replicasOf(tp), ...reassignment.targetReplicas])]
          : ctx.replicasOf(tp);
        this.#o.batch().leaderAndIsrToReplicas(ctx, tp, false, replicas);
        this.#o.batch().updateMetadataToAll([tp]);
        return undefined;
      } catch (err) {
        if (!hasCode(err, ErrorCode.BADVERSION)) throw err;
        const fresh = await getPartitionState(zk, tp.topic, tp.partition);
        if (!fresh) return 'the state znode vanished';
        ctx.setState(tp, fresh);
        log.info(
          { topic: tp.topic, partition: tp.partition, attempt },
          'partition state changed underneath us (BADVERSION); re-reading and retrying',
        );
      }
    }
    log.warn({ topic: tp.topic, partition: tp.partition }, 'gave up updating partition state');
    return 'the state kept changing underneath the controller';
  }

  /** unclean.leader.election.enable per topic: the topic's override, else the broker's. */
  async #uncleanByTopic(partitions: readonly TopicPartitionId[]): Promise<Map<string, boolean>> {
    const zk = this.#o.zk();
    const result = new Map<string, boolean>();
    for (const topic of new Set(partitions.map((tp) => tp.topic))) {
      const brokerValue = this.#o.uncleanLeaderElectionEnable;
      let value = typeof brokerValue === 'function' ? brokerValue() : brokerValue;
      try {
        const { data } = await zk.getData(TopicConfigZNode.path(topic));
        const override = TopicConfigZNode.decode(topic, data)[UNCLEAN_LEADER_ELECTION_ENABLE];
        if (override !== undefined) value = override.toLowerCase() === 'true';
      } catch (err) {
        if (!hasCode(err, ErrorCode.NONODE)) throw err;
      }
      result.set(topic, value);
    }
    return result;
  }

  #logTransition(
    tp: TopicPartitionId,
    from: PartitionState,
    state: LeaderAndIsr,
    reason: string,
    previous?: LeaderAndIsr,
  ): void {
    const to: PartitionState = state.leader < 0 ? 'OfflinePartition' : 'OnlinePartition';
    invariant(
      VALID_PREVIOUS_PARTITION_STATES[to].includes(from),
      `partition ${tp.topic}-${tp.partition} cannot go from ${from} to ${to}`,
    );
    this.#o.log.info(
      {
        topic: tp.topic,
        partition: tp.partition,
        from,
        to,
        leader: state.leader,
        leaderEpoch: state.leaderEpoch,
        isr: state.isr,
        previousLeader: previous?.leader,
        previousIsr: previous?.isr,
        reason,
      },
      `partition ${tp.topic}-${tp.partition} ${from} -> ${to}`,
    );
  }
}

function asDecision(
  result: ReturnType<typeof preferredReplicaLeaderElection>,
): Decision | { skip: string } {
  return result.ok ? { leaderAndIsr: result.leaderAndIsr } : { skip: result.reason };
}
