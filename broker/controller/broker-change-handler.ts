/**
 * BrokerChangeHandler: what the controller does when the children of /brokers/ids change
 * (Kafka's `processBrokerChange` with `onBrokerFailure` and `onBrokerStartup` in
 * KafkaController). Kafka's class of this name is the watcher that only enqueues the event;
 * here the watcher is in controller.ts and this module is the reaction.
 *
 * The registrations are compared with the context (`brokerChanges`, pure):
 *
 *   dead      registered before, gone now (its session ended: kill -9, a lost network)
 *   bounced   registered before and now, with a new broker epoch (the czxid of
 *             /brokers/ids/N): it restarted between two looks and lost all its state, so it
 *             is handled as a failure followed by a start
 *   added     new registrations
 *
 * Failure: every partition the broker led or was in the ISR of gets one new state, by THE
 * broker-failure rule (leader-election.ts `partitionAfterBrokerChange`, through the partition
 * state machine's `offline` election); its replicas become OfflineReplica. Startup: the
 * broker is sent everything (UpdateMetadata, LeaderAndIsr for its replicas), partitions it
 * makes electable get a leader, and reassignments and deletions waiting for it go on. Either
 * way every broker gets the new broker list (UpdateMetadata).
 */
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import type { Logger } from '../../src/logger.js';
import { getAllBrokers } from '../../src/kafka-zk/kafka-zk-client.js';
import type { ControllerContext, LiveBroker } from './controller-context.js';
import type { ControllerRequestBatch } from './controller-request-batch.js';
import { needsLeaderElection } from './leader-election.js';
import type { PartitionStateMachine } from './partition-state-machine.js';
import type { ReassignmentManager } from './reassignment-manager.js';
import type { ReplicaStateMachine } from './replica-state-machine.js';
import type { TopicDeletionManager } from './topic-deletion-manager.js';

/** How the registered brokers differ from the ones the controller knows. */
export interface BrokerChanges {
  /** Known, no longer registered. */
  dead: number[];
  /** Known and registered, with another broker epoch: restarted in between. */
  bounced: number[];
  /** Registered, not known. */
  added: number[];
}

/** Compare the known brokers with the registrations just read (ids in the order given). */
export function brokerChanges(
  known: ReadonlyMap<number, LiveBroker>,
  current: readonly LiveBroker[],
): BrokerChanges {
  const currentById = new Map(current.map((b) => [b.info.id, b]));
  const dead: number[] = [];
  const bounced: number[] = [];
  for (const [id, before] of known) {
    const now = currentById.get(id);
    if (!now) dead.push(id);
    else if (now.epoch !== before.epoch) bounced.push(id);
  }
  const added = current.filter((b) => !known.has(b.info.id)).map((b) => b.info.id);
  return { dead, bounced, added };
}

/** The controller's connections to brokers (one channel each, for the current term). */
export interface BrokerChannels {
  add(brokerId: number): void;
  remove(brokerId: number): void;
}

export interface BrokerChangeHandlerOptions {
  ctx: ControllerContext;
  zk: () => CoordinatorClient;
  partitionStateMachine: PartitionStateMachine;
  replicaStateMachine: ReplicaStateMachine;
  reassignmentManager: ReassignmentManager;
  topicDeletionManager: TopicDeletionManager;
  batch: () => ControllerRequestBatch;
  channels: BrokerChannels;
  /** Stable watcher for the children of /brokers/ids (enqueues BrokerChange). */
  onBrokerChange: () => void;
  log: Logger;
}

export class BrokerChangeHandler {
  readonly #o: BrokerChangeHandlerOptions;

  constructor(options: BrokerChangeHandlerOptions) {
    this.#o = options;
  }

  /** Children of /brokers/ids changed (re-reading re-arms the watch). */
  async processBrokerChange(): Promise<void> {
    const { ctx, channels } = this.#o;
    const zk = this.#o.zk();
    const ids = await zk.getChildren('/brokers/ids', this.#o.onBrokerChange);
    const current = await getAllBrokers(zk, ids);
    const { dead, bounced, added } = brokerChanges(ctx.liveBrokers, current);
    if (dead.length + bounced.length + added.length === 0) return;
    const currentById = new Map(current.map((b) => [b.info.id, b]));
    this.#o.log.info({ added, dead, bounced, live: [...currentById.keys()] }, 'broker change');

    // A bounced broker lost all its state: handle it as a failure followed by a start.
    for (const id of [...dead, ...bounced]) {
      ctx.liveBrokers.delete(id);
      ctx.shuttingDownBrokerIds.delete(id);
      channels.remove(id);
    }
    if (dead.length + bounced.length > 0) await this.#onBrokerFailure([...dead, ...bounced]);
    const starting = [...added, ...bounced];
    for (const id of starting) {
      ctx.liveBrokers.set(id, currentById.get(id) as LiveBroker);
      channels.add(id);
    }
    if (starting.length > 0) await this.#onBrokerStartup(starting);
    // The broker list changed either way: everyone gets it (with the partitions that moved,
    // added by the steps above).
    this.#o.batch().updateMetadataToAll([]);
  }

  /**
   * Partitions led by a dead broker get a new leader and the broker leaves every ISR: one
   * decision per partition (leader-election.ts `partitionAfterBrokerChange`), one write.
   */
  async #onBrokerFailure(deadIds: readonly number[]): Promise<void> {
    const { ctx } = this.#o;
    const rsm = this.#o.replicaStateMachine;
    const dead = new Set(deadIds);
    const affected = ctx.activePartitions().filter((tp) => {
      const s = ctx.stateOf(tp)?.leaderAndIsr;
      return s !== undefined && (dead.has(s.leader) || s.isr.some((b) => dead.has(b)));
    });
    await this.#o.partitionStateMachine.elect(
      affected,
      { kind: 'offline' },
      `broker(s) ${deadIds.join(',')} failed`,
    );
    for (const id of deadIds)
      rsm.markOffline(
        rsm
          .replicasOn(id, ctx.allPartitions())
          .filter((r) => rsm.stateOf(r) !== 'NonExistentReplica'),
      );
  }

  /** New or restarted brokers: tell them everything, then elect where they make it possible. */
  async #onBrokerStartup(ids: readonly number[]): Promise<void> {
    const { ctx } = this.#o;
    const rsm = this.#o.replicaStateMachine;
    const psm = this.#o.partitionStateMachine;
    const batch = this.#o.batch();
    for (const id of ids) {
      batch.updateMetadataTo(id, ctx.allPartitions());
      const hosted = rsm.replicasOn(id, ctx.activePartitions());
      await rsm.handleStateChanges(
        hosted.filter((r) => rsm.stateOf(r) !== 'NonExistentReplica'),
        'OnlineReplica',
        { reason: `broker ${id} started` },
      );
    }
    const all = ctx.activePartitions();
    await psm.initialize(all.filter((tp) => !ctx.stateOf(tp)));
    await psm.elect(
      all.filter((tp) => {
        const state = ctx.stateOf(tp);
        return state && needsLeaderElection(state.leaderAndIsr, ctx.liveBrokerIds());
      }),
      { kind: 'offline' },
      `broker(s) ${ids.join(',')} started`,
    );
    // Reassignments waiting for these brokers can go on.
    const rm = this.#o.reassignmentManager;
    for (const id of ids) await rm.advance(rm.partitionsWithReplicaOn(id));
    await this.#o.topicDeletionManager.resume();
  }
}
