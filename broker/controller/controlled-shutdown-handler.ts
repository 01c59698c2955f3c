/**
 * ControlledShutdownHandler: the controller's side of the ControlledShutdown API (Kafka's
 * `processControlledShutdown` / `doControlledShutdown` in KafkaController). A broker about to
 * stop (SIGTERM, controlled.shutdown.enable) asks the controller to move its work away first:
 *
 *   1. the request is checked (`controlledShutdownError`): BROKER_NOT_AVAILABLE when the
 *      broker is not registered, STALE_BROKER_EPOCH when an older incarnation asks;
 *   2. the broker is marked as shutting down: it keeps its ISR places but is never elected
 *      again until it restarts (ControllerContext.shuttingDownBrokerIds);
 *   3. every partition it leads (with another replica) gets a leader from the rest of the
 *      ISR (leader-election.ts `controlledShutdownLeaderElection`), and it leaves the ISR of
 *      every partition it follows (OfflineReplica: StopReplica without delete);
 *   4. the answer lists what it still leads (`remainingLeadership`); the broker retries until
 *      that is empty or it runs out of controlled.shutdown.max.retries.
 *
 * Which partitions are touched and which remain are the pure functions below.
 */
import type { Logger } from '../../src/logger.js';
import { ErrorCode as KafkaErrorCode } from '../../src/protocol/kafka/errors.js';
import type { ControllerContext, LiveBroker, TopicPartitionId } from './controller-context.js';
import type { ControlledShutdownResult } from './controller-events.js';
import type { PartitionStateMachine } from './partition-state-machine.js';
import type { ReplicaStateMachine } from './replica-state-machine.js';

/**
 * Why the controller refuses a ControlledShutdown request, or null to go ahead. A broker
 * epoch of -1 (ControlledShutdown v0/v1, which carry none) is accepted.
 */
export function controlledShutdownError(
  broker: LiveBroker | undefined,
  brokerEpoch: bigint,
): number | null {
  if (!broker) return KafkaErrorCode.BROKER_NOT_AVAILABLE;
  if (brokerEpoch !== -1n && brokerEpoch < BigInt(broker.epoch))
    return KafkaErrorCode.STALE_BROKER_EPOCH;
  return null;
}

/** One partition as the shutdown decision sees it. */
export interface ShutdownPartitionView {
  tp: TopicPartitionId;
  replicas: readonly number[];
  /** The current leader; undefined when the partition has no state yet. */
  leader: number | undefined;
}

/**
 * The partitions a stopping broker hosts, split into those it leads (they need a new leader)
 * and those it follows (it leaves their ISR). Single-replica partitions cannot move and are
 * left out (Kafka's rule), and so are partitions without a state.
 */
export function partitionsOfStoppingBroker(
  brokerId: number,
  partitions: readonly ShutdownPartitionView[],
): { hosted: ShutdownPartitionView[]; led: TopicPartitionId[]; followed: TopicPartitionId[] } {
  const hosted = partitions.filter((p) => p.replicas.includes(brokerId) && p.replicas.length > 1);
  return {
    hosted,
    led: hosted.filter((p) => p.leader === brokerId).map((p) => p.tp),
    followed: hosted
      .filter((p) => p.leader !== undefined && p.leader !== brokerId)
      .map((p) => p.tp),
  };
}

/**
 * What the stopping broker still leads after the elections (`partitions` with their leaders
 * now). Kafka lists every such partition, so the broker retries even when no other replica
 * could ever take over; we leave out partitions whose other replicas are all dead or shutting
 * down too (retrying cannot help them), so that stopping a whole cluster at once (Ctrl-C on
 * `npm start`) does not wait out every retry. A deviation, documented in docs/controller.md.
 */
export function remainingLeadership(
  brokerId: number,
  partitions: readonly ShutdownPartitionView[],
  electableBrokerIds: ReadonlySet<number>,
): TopicPartitionId[] {
  return partitions
    .filter(
      (p) =>
        p.leader === brokerId &&
        p.replicas.some((b) => b !== brokerId && electableBrokerIds.has(b)),
    )
    .map((p) => p.tp);
}

export interface ControlledShutdownHandlerOptions {
  ctx: ControllerContext;
  partitionStateMachine: PartitionStateMachine;
  replicaStateMachine: ReplicaStateMachine;
  log: Logger;
}

export class ControlledShutdownHandler {
  readonly #o: ControlledShutdownHandlerOptions;

  constructor(options: ControlledShutdownHandlerOptions) {
    this.#o = options;
  }

  /**
   * The broker is about to stop: every partition it leads (with another replica) gets a new
   * leader from the rest of the ISR, and it leaves the ISR of every partition it follows
   * (StopReplica without delete). The answer lists what it still leads.
   */
  async processControlledShutdown(
    brokerId: number,
    brokerEpoch: bigint,
  ): Promise<ControlledShutdownResult> {
    const { ctx, log } = this.#o;
    const rsm = this.#o.replicaStateMachine;
    const errorCode = controlledShutdownError(ctx.liveBrokers.get(brokerId), brokerEpoch);
    if (errorCode !== null) return { errorCode, remainingPartitions: [] };
    ctx.shuttingDownBrokerIds.add(brokerId);
    log.info({ shuttingDownBrokerId: brokerId }, 'controlled shutdown requested');
    const view = (tp: TopicPartitionId): ShutdownPartitionView => ({
      tp,
      replicas: ctx.replicasOf(tp),
      leader: ctx.stateOf(tp)?.leaderAndIsr.leader,
    });
    const { hosted, led, followed } = partitionsOfStoppingBroker(
      brokerId,
      ctx.activePartitions().map(view),
    );
    await this.#o.partitionStateMachine.elect(
      led,
      { kind: 'controlledShutdown' },
      `controlled shutdown of broker ${brokerId}`,
    );
    await rsm.handleStateChanges(
      followed
        .map((tp) => ({ ...tp, replica: brokerId }))
        .filter((r) => rsm.stateOf(r) !== 'NonExistentReplica'),
      'OfflineReplica',
      { reason: `controlled shutdown of broker ${brokerId}` },
    );
    const remainingPartitions = remainingLeadership(
      brokerId,
      hosted.map((p) => view(p.tp)),
      ctx.electableBrokerIds(),
    );
    log.info(
      {
        shuttingDownBrokerId: brokerId,
        moved: led.filter((tp) => ctx.stateOf(tp)?.leaderAndIsr.leader !== brokerId).length,
        remaining: remainingPartitions.map((tp) => `${tp.topic}-${tp.partition}`),
      },
      'controlled shutdown: leadership moved',
    );
    return { errorCode: KafkaErrorCode.NONE, remainingPartitions };
  }
}
