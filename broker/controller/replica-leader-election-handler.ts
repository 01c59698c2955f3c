/**
 * ReplicaLeaderElectionHandler: elections the controller runs on request rather than because
 * a broker failed (Kafka 2.8's `ReplicaLeaderElection` and `AutoPreferredReplicaLeaderElection`
 * events: `processReplicaLeaderElection`, `onReplicaElection`,
 * `checkAndTriggerAutoLeaderRebalance` in KafkaController). Three triggers:
 *
 *   /admin/preferred_replica_election   written by `npx coordinator elect-leaders` (Kafka's
 *                                       kafka-preferred-replica-election.sh): the preferred
 *                                       election for the listed partitions, then the znode is
 *                                       deleted; a new controller finishes a pending one
 *   the ElectLeaders API (KIP-460)      preferred or unclean, with one error per partition
 *   auto.leader.rebalance.enable        every leader.imbalance.check.interval.seconds, the
 *                                       preferred election where a broker's imbalance is
 *                                       above leader.imbalance.per.broker.percentage
 *                                       (leader-imbalance.ts decides)
 *
 * Who may lead is decided in leader-election.ts, as for every election; which requested
 * partitions are even considered is decided by the pure `preferredElectionCandidates` and
 * `electLeadersTriage` below.
 */
import { Op, type CoordinatorClient } from '../../src/coordinator-client/client.js';
import type { Logger } from '../../src/logger.js';
import { ErrorCode, hasCode } from '../../src/protocol/coordinator/errors.js';
import { ErrorCode as KafkaErrorCode } from '../../src/protocol/kafka/errors.js';
import type { Scheduler, Timer } from '../../src/scheduler.js';
import { PreferredReplicaElectionZNode } from '../../src/znodes.js';
import { fencedMulti } from '../../src/kafka-zk/kafka-zk-client.js';
import type { ControllerContext, TopicPartitionId } from './controller-context.js';
import type { PartitionApiResult } from './controller-events.js';
import { leaderImbalance } from './leader-imbalance.js';
import { needsLeaderElection, preferredReplicaLeads } from './leader-election.js';
import type { PartitionStateMachine } from './partition-state-machine.js';

const DEFAULT_LEADER_IMBALANCE_CHECK_INTERVAL_MS = 300_000;
const DEFAULT_LEADER_IMBALANCE_PER_BROKER_PERCENTAGE = 10;

/** A partition an election was not run for (or found nobody for), with the reason. */
export interface NotElected {
  /** "topic-partition" */
  partition: string;
  reason: string;
}

const partitionName = (tp: TopicPartitionId): string => `${tp.topic}-${tp.partition}`;

/**
 * Which of `partitions` a preferred election may touch: not unknown, not of a topic being
 * deleted, not being reassigned (the reassignment decides its leader). The others are
 * returned with the reason.
 */
export function preferredElectionCandidates(
  ctx: ControllerContext,
  partitions: readonly TopicPartitionId[],
): { eligible: TopicPartitionId[]; failed: NotElected[] } {
  const failed: NotElected[] = [];
  const eligible: TopicPartitionId[] = [];
  for (const tp of partitions) {
    const partition = partitionName(tp);
    if (!ctx.stateOf(tp)) failed.push({ partition, reason: 'unknown partition' });
    else if (ctx.topicsToBeDeleted.has(tp.topic))
      failed.push({ partition, reason: 'the topic is being deleted' });
    else if (ctx.reassignmentOf(tp))
      failed.push({ partition, reason: 'the partition is being reassigned' });
    else eligible.push(tp);
  }
  return { eligible, failed };
}

/**
 * The ElectLeaders API's answers that need no election (KIP-460), and the partitions that
 * do. UNKNOWN_TOPIC_OR_PARTITION for unknown partitions and topics being deleted;
 * ELECTION_NOT_NEEDED when the preferred replica already leads (preferred) or the leader is
 * live (unclean); PREFERRED_LEADER_NOT_AVAILABLE while a reassignment is in progress.
 */
export function electLeadersTriage(
  ctx: ControllerContext,
  electionType: 'preferred' | 'unclean',
  partitions: readonly TopicPartitionId[],
): { results: PartitionApiResult[]; toElect: TopicPartitionId[] } {
  const results: PartitionApiResult[] = [];
  const toElect: TopicPartitionId[] = [];
  const live = ctx.liveBrokerIds();
  for (const tp of partitions) {
    const state = ctx.stateOf(tp);
    if (!state || ctx.topicsToBeDeleted.has(tp.topic)) {
      results.push({
        tp,
        errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: null,
      });
    } else if (
      electionType === 'preferred'
        ? preferredReplicaLeads(ctx.replicasOf(tp), state.leaderAndIsr)
        : !needsLeaderElection(state.leaderAndIsr, live)
    ) {
      results.push({
        tp,
        errorCode: KafkaErrorCode.ELECTION_NOT_NEEDED,
        errorMessage: 'the partition has the right leader',
      });
    } else if (ctx.reassignmentOf(tp)) {
      results.push({
        tp,
        errorCode: KafkaErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
        errorMessage: 'the partition is being reassigned',
      });
    } else {
      toElect.push(tp);
    }
  }
  return { results, toElect };
}

export interface ReplicaLeaderElectionHandlerOptions {
  ctx: ControllerContext;
  zk: () => CoordinatorClient;
  partitionStateMachine: PartitionStateMachine;
  /** Stable watcher for /admin/preferred_replica_election (enqueues ReplicaLeaderElection). */
  onPreferredElectionNode: () => void;
  scheduler: Scheduler;
  /** Enqueue AutoPreferredReplicaLeaderElection (the imbalance check is due). */
  onImbalanceCheckDue: () => void;
  /** auto.leader.rebalance.enable (true). */
  autoLeaderRebalanceEnable?: boolean;
  /** leader.imbalance.check.interval.seconds (300), in ms. */
  leaderImbalanceCheckIntervalMs?: number;
  /** leader.imbalance.per.broker.percentage (10). */
  leaderImbalancePerBrokerPercentage?: number;
  log: Logger;
}

export class ReplicaLeaderElectionHandler {
  readonly #o: ReplicaLeaderElectionHandlerOptions;
  #imbalanceTimer: Timer | undefined;

  constructor(options: ReplicaLeaderElectionHandlerOptions) {
    this.#o = options;
  }

  /**
   * /admin/preferred_replica_election (written by `npx coordinator elect-leaders` or the
   * ElectLeaders API): run the preferred election for the listed partitions, then delete it.
   */
  async processReplicaLeaderElection(): Promise<void> {
    const { ctx, log } = this.#o;
    const zk = this.#o.zk();
    const stat = await zk.exists(
      PreferredReplicaElectionZNode.path,
      this.#o.onPreferredElectionNode,
    );
    if (!stat) return;
    let requested: TopicPartitionId[] = [];
    try {
      const { data } = await zk.getData(PreferredReplicaElectionZNode.path);
      requested = PreferredReplicaElectionZNode.decode(data);
    } catch (err) {
      if (hasCode(err, ErrorCode.NONODE)) return;
      log.warn({ err }, 'unreadable /admin/preferred_replica_election; deleting it');
    }
    const { elected, failed } = await this.#electPreferredLeaders(requested, 'admin request');
    log.info(
      { elected: elected.length, notElected: failed },
      'preferred replica election requested through the coordinator done',
    );
    await fencedMulti(zk, ctx.epochZkVersion, [
      Op.delete(PreferredReplicaElectionZNode.path),
    ]).catch((err: unknown) => {
      if (!hasCode(err, ErrorCode.NONODE)) throw err;
    });
  }

  /**
   * The ElectLeaders API (KIP-460). Preferred: ELECTION_NOT_NEEDED when the preferred replica
   * already leads, PREFERRED_LEADER_NOT_AVAILABLE when it is not live and in the ISR.
   * Unclean: only for partitions without a live leader; ELIGIBLE_LEADERS_NOT_AVAILABLE when
   * no replica at all is live. `requested` null means every partition.
   */
  async processApiElectLeaders(
    electionType: 'preferred' | 'unclean',
    requested: TopicPartitionId[] | null,
  ): Promise<PartitionApiResult[]> {
    const { ctx } = this.#o;
    const partitions = requested ?? ctx.activePartitions();
    const { results, toElect } = electLeadersTriage(ctx, electionType, partitions);
    const result = (tp: TopicPartitionId, errorCode: number, errorMessage: string | null = null) =>
      results.push({ tp, errorCode, errorMessage });
    if (electionType === 'preferred') {
      const { failed } = await this.#electPreferredLeaders(toElect, 'ElectLeaders');
      for (const tp of toElect) {
        const failure = failed.find((f) => f.partition === partitionName(tp));
        if (failure) result(tp, KafkaErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, failure.reason);
        else result(tp, KafkaErrorCode.NONE);
      }
    } else {
      await this.#o.partitionStateMachine.elect(
        toElect,
        { kind: 'offline', forceUnclean: true },
        'unclean election (ElectLeaders)',
      );
      for (const tp of toElect) {
        const leader = ctx.stateOf(tp)?.leaderAndIsr.leader ?? -1;
        if (leader < 0) result(tp, KafkaErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE);
        else result(tp, KafkaErrorCode.NONE);
      }
    }
    return results;
  }

  /** auto.leader.rebalance.enable: every leader.imbalance.check.interval. */
  async processAutoPreferredReplicaLeaderElection(): Promise<void> {
    const { ctx, log } = this.#o;
    const report = leaderImbalance({
      partitions: ctx.allPartitions().flatMap((tp) => {
        const state = ctx.stateOf(tp);
        if (!state) return [];
        const busy = ctx.topicsToBeDeleted.has(tp.topic) || ctx.reassignmentOf(tp) !== undefined;
        return [{ ...tp, replicas: ctx.replicasOf(tp), state: state.leaderAndIsr, busy }];
      }),
      liveBrokerIds: ctx.electableBrokerIds(),
      imbalancePerBrokerPercentage:
        this.#o.leaderImbalancePerBrokerPercentage ??
        DEFAULT_LEADER_IMBALANCE_PER_BROKER_PERCENTAGE,
    });
    log.debug(
      { ratioByBroker: Object.fromEntries(report.ratioByBroker) },
      'leader imbalance check',
    );
    if (report.toElect.length === 0) return;
    const { elected } = await this.#electPreferredLeaders(report.toElect, 'auto leader rebalance');
    log.info(
      { elected: elected.map(partitionName) },
      'auto leader rebalance moved leaders back to their preferred replicas',
    );
  }

  /** Start the periodic imbalance check (controller failover); no-op when disabled. */
  scheduleAutoRebalance(): void {
    if (this.#o.autoLeaderRebalanceEnable === false) return;
    this.#imbalanceTimer?.cancel();
    this.#imbalanceTimer = this.#o.scheduler.repeat(
      this.#o.leaderImbalanceCheckIntervalMs ?? DEFAULT_LEADER_IMBALANCE_CHECK_INTERVAL_MS,
      this.#o.onImbalanceCheckDue,
    );
  }

  /** Stop the periodic imbalance check (resignation). */
  cancelAutoRebalance(): void {
    this.#imbalanceTimer?.cancel();
    this.#imbalanceTimer = undefined;
  }

  /** The preferred election for `partitions`; the ones it could not do, with the reason. */
  async #electPreferredLeaders(
    partitions: readonly TopicPartitionId[],
    reason: string,
  ): Promise<{ elected: TopicPartitionId[]; failed: NotElected[] }> {
    const { eligible, failed } = preferredElectionCandidates(this.#o.ctx, partitions);
    const notElected = await this.#o.partitionStateMachine.elect(
      eligible,
      { kind: 'preferred' },
      `preferred replica election (${reason})`,
    );
    for (const f of notElected) failed.push({ partition: partitionName(f.tp), reason: f.reason });
    const elected = eligible.filter(
      (tp) => !notElected.some((f) => f.tp.topic === tp.topic && f.tp.partition === tp.partition),
    );
    return { elected, failed };
  }
}
