/**
 * TopicChangeHandler: what the controller does when topics or partitions appear (Kafka's
 * `processTopicChange` and `processPartitionModifications` in KafkaController, with
 * `onNewPartitionCreation`). Kafka's class of this name is the watcher that only enqueues
 * the event; here the watchers are in controller.ts and this module is the reaction.
 *
 *   TopicChange              children of /brokers/topics changed: load the new topics
 *                            (assignment and any state znodes an earlier controller wrote),
 *                            replicas NonExistent -> New -> Online, partitions New -> Online;
 *                            forget the topics that are gone
 *   PartitionModifications   /brokers/topics/<t> changed: the partitions it adds go the same
 *                            way (CreatePartitions); changes to existing partitions are
 *                            reassignments, which reassignment-manager.ts handles
 *
 * Also here: reading one topic into the context (`loadTopic`), which controller failover
 * does for every topic, and the topic's data watcher, one stable function per topic.
 * What changed is decided by the pure `topicChanges` and `addedPartitions`.
 */
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import type { Logger } from '../../src/logger.js';
import { inBatches } from '../../src/in-batches.js';
import type { ReplicaAssignment } from '../../src/znodes.js';
import {
  getAllTopics,
  getPartitionState,
  getTopicAssignment,
} from '../../src/kafka-zk/kafka-zk-client.js';
import type { ControllerContext, TopicPartitionId } from './controller-context.js';
import type { ControllerRequestBatch } from './controller-request-batch.js';
import { PARTITIONS_PER_ZK_BATCH, type PartitionStateMachine } from './partition-state-machine.js';
import type { ReplicaStateMachine } from './replica-state-machine.js';

/** Topics that appeared and disappeared between what the controller knows and the znodes. */
export function topicChanges(
  known: Iterable<string>,
  current: readonly string[],
): { added: string[]; removed: string[] } {
  const knownSet = new Set(known);
  const currentSet = new Set(current);
  return {
    added: current.filter((t) => !knownSet.has(t)),
    removed: [...knownSet].filter((t) => !currentSet.has(t)),
  };
}

/**
 * Partitions of a topic znode that the controller does not know yet, in ascending order.
 * Partitions are only ever added (Kafka cannot remove them); a changed replica list of a known
 * partition is a reassignment and not listed here.
 */
export function addedPartitions(
  known: ReadonlyMap<number, readonly number[]>,
  current: ReadonlyMap<number, readonly number[]>,
): number[] {
  return [...current.keys()].filter((p) => !known.has(p)).sort((a, b) => a - b);
}

export interface TopicChangeHandlerOptions {
  ctx: ControllerContext;
  zk: () => CoordinatorClient;
  partitionStateMachine: PartitionStateMachine;
  replicaStateMachine: ReplicaStateMachine;
  batch: () => ControllerRequestBatch;
  /** Stable watcher for the children of /brokers/topics (enqueues TopicChange). */
  onTopicChange: () => void;
  /** Enqueue PartitionModifications for `topic` (its data watch fired). */
  onPartitionModifications: (topic: string) => void;
  log: Logger;
}

export class TopicChangeHandler {
  readonly #o: TopicChangeHandlerOptions;
  readonly #topicWatchers = new Map<string, () => void>();

  constructor(options: TopicChangeHandlerOptions) {
    this.#o = options;
  }

  /** Children of /brokers/topics changed (re-reading re-arms the watch). */
  async processTopicChange(): Promise<void> {
    const { ctx, log } = this.#o;
    const topics = await getAllTopics(this.#o.zk(), this.#o.onTopicChange);
    const { added, removed } = topicChanges(ctx.assignments.keys(), topics);
    for (const topic of removed) {
      ctx.removeTopic(topic);
      this.#o.replicaStateMachine.removeTopic(topic);
      this.forgetTopic(topic);
    }
    if (added.length === 0) return;
    log.info({ added, removed }, 'topic change');
    for (const topic of added) await this.loadTopic(topic);
    const fresh = added.flatMap((topic) =>
      [...(ctx.assignments.get(topic)?.keys() ?? [])].map((partition) => ({
        topic,
        partition,
      })),
    );
    const psm = this.#o.partitionStateMachine;
    await this.#startReplicas(fresh);
    await psm.initialize(fresh.filter((tp) => !ctx.stateOf(tp)));
    // Partitions that already had state (created by an earlier controller) still need an
    // up-to-date leader and to be announced.
    await psm.elect(
      fresh.filter((tp) => ctx.stateOf(tp)),
      { kind: 'offline' },
      'topic change',
    );
    this.#o.batch().updateMetadataToAll(fresh);
  }

  /** /brokers/topics/<topic> changed: start the partitions it adds. */
  async processPartitionModifications(topic: string): Promise<void> {
    const { ctx, log } = this.#o;
    if (!ctx.assignments.has(topic)) return;
    const assignment = await getTopicAssignment(this.#o.zk(), topic, this.#topicWatcher(topic));
    if (!assignment) return; // deleted; TopicChange will clean up
    if (ctx.topicsToBeDeleted.has(topic)) {
      log.warn({ topic }, 'ignoring partition changes of a topic being deleted');
      return;
    }
    const known = ctx.assignments.get(topic) as Map<number, number[]>;
    const added = addedPartitions(known, assignment.partitions);
    if (added.length === 0) return;
    for (const p of added) known.set(p, assignment.partitions.get(p) as number[]);
    log.info({ topic, added }, 'partitions added');
    const fresh = added.map((partition) => ({ topic, partition }));
    await this.#startReplicas(fresh);
    await this.#o.partitionStateMachine.initialize(fresh);
  }

  /**
   * Read a topic's assignment (arming its data watch) and its partition states into the
   * context. Returns the replicas being added and removed by a reassignment in progress
   * (empty maps when none), or undefined when the topic znode is gone.
   */
  async loadTopic(
    topic: string,
  ): Promise<{ adding: ReplicaAssignment; removing: ReplicaAssignment } | undefined> {
    const { ctx } = this.#o;
    const zk = this.#o.zk();
    const assignment = await getTopicAssignment(zk, topic, this.#topicWatcher(topic));
    if (!assignment) return undefined;
    ctx.assignments.set(topic, new Map(assignment.partitions));
    await inBatches([...assignment.partitions.keys()], PARTITIONS_PER_ZK_BATCH, async (p) => {
      const state = await getPartitionState(zk, topic, p);
      if (state) ctx.setState({ topic, partition: p }, state);
    });
    return { adding: assignment.addingReplicas, removing: assignment.removingReplicas };
  }

  /** The topic is gone (deleted, or its znode vanished): drop its watcher. */
  forgetTopic(topic: string): void {
    this.#topicWatchers.delete(topic);
  }

  /** New partitions' replicas: NonExistent -> New -> Online (no requests until they lead). */
  async #startReplicas(partitions: readonly TopicPartitionId[]): Promise<void> {
    const { ctx } = this.#o;
    const live = ctx.liveBrokerIds();
    const replicas = partitions.flatMap((tp) =>
      ctx.replicasOf(tp).map((replica) => ({ ...tp, replica })),
    );
    const rsm = this.#o.replicaStateMachine;
    const fresh = replicas.filter((r) => rsm.stateOf(r) === 'NonExistentReplica');
    await rsm.handleStateChanges(fresh, 'NewReplica', { reason: 'new partition' });
    await rsm.handleStateChanges(
      fresh.filter((r) => live.has(r.replica)),
      'OnlineReplica',
      { reason: 'new partition' },
    );
    rsm.markOffline(fresh.filter((r) => !live.has(r.replica)));
  }

  /**
   * The data watcher of a topic znode, one stable function per topic: the client keeps
   * watchers in sets, so re-arming with the same function never registers it twice.
   */
  #topicWatcher(topic: string): () => void {
    let watcher = this.#topicWatchers.get(topic);
    if (!watcher) {
      watcher = () => this.#o.onPartitionModifications(topic);
      this.#topicWatchers.set(topic, watcher);
    }
    return watcher;
  }
}
