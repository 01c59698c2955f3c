/**
 * TopicDeletionManager: how a topic listed under `/admin/delete_topics` disappears (Kafka's
 * class of the same name, simplified). A topic goes through:
 *
 *   marked       /admin/delete_topics/<t> exists; the controller adds t to topicsToBeDeleted
 *   ineligible   a replica's broker is down, or a partition is being reassigned: wait; the
 *                deletion resumes on the next broker change or finished reassignment
 *   started      UpdateMetadata with leader -2 to every broker (they drop t from their
 *                metadata), every replica OfflineReplica -> ReplicaDeletionStarted
 *                (StopReplica with delete=true)
 *   completed    every replica answered without error (ReplicaDeletionSuccessful): one fenced
 *                multi deletes the state znodes, /brokers/topics/<t>, /config/topics/<t> and
 *                the marker; the replicas become NonExistentReplica
 *
 * A failed StopReplica makes that replica ReplicaDeletionIneligible; the deletion is retried
 * (for the whole topic) on the next `resume`. With delete.topic.enable=false the marker is
 * removed and nothing else happens, as in Kafka.
 */
import { Op, type CoordinatorClient } from '../../src/coordinator-client/client.js';
import type { Logger } from '../../src/logger.js';
import { ErrorCode } from '../../src/protocol/coordinator/errors.js';
import { ErrorCode as KafkaErrorCode } from '../../src/protocol/kafka/errors.js';
import type { MultiOp } from '../../src/protocol/coordinator/messages.js';
import {
  DeleteTopicZNode,
  TopicConfigZNode,
  TopicPartitionsZNode,
  TopicZNode,
} from '../../src/znodes.js';
import { fencedMulti } from '../../src/kafka-zk/kafka-zk-client.js';
import { hasCode } from '../../src/protocol/coordinator/errors.js';
import type { ControllerContext, TopicPartitionId } from './controller-context.js';
import type { ControllerRequestBatch } from './controller-request-batch.js';
import type { PartitionReplica, ReplicaStateMachine } from './replica-state-machine.js';

export interface TopicDeletionManagerOptions {
  ctx: ControllerContext;
  zk: () => CoordinatorClient;
  replicaStateMachine: ReplicaStateMachine;
  batch: () => ControllerRequestBatch;
  /** delete.topic.enable */
  deleteTopicEnable: boolean;
  /** Queue the answer of a StopReplica(delete) as a controller event. */
  onDeletionResult: (r: PartitionReplica, errorCode: number) => void;
  /** A topic's znodes are gone: forget it everywhere. */
  onTopicDeleted: (topic: string) => void;
  log: Logger;
}

export class TopicDeletionManager {
  readonly #o: TopicDeletionManagerOptions;
  /** Topics whose StopReplica(delete) requests are out. */
  readonly #started = new Set<string>();

  constructor(options: TopicDeletionManagerOptions) {
    this.#o = options;
  }

  clear(): void {
    this.#started.clear();
  }

  /** The children of /admin/delete_topics, just read: remember the valid requests. */
  async markForDeletion(marked: readonly string[]): Promise<void> {
    const { ctx, log } = this.#o;
    const zk = this.#o.zk();
    for (const topic of marked) {
      if (!this.#o.deleteTopicEnable || !ctx.assignments.has(topic)) {
        log.info(
          { topic, deleteTopicEnable: this.#o.deleteTopicEnable },
          this.#o.deleteTopicEnable
            ? 'deletion requested for an unknown topic; removing the request'
            : 'delete.topic.enable=false: removing the deletion request',
        );
        await fencedMulti(zk, ctx.epochZkVersion, [Op.delete(DeleteTopicZNode.path(topic))]).catch(
          (err: unknown) => {
            if (!hasCode(err, ErrorCode.NONODE)) throw err;
          },
        );
        continue;
      }
      if (!ctx.topicsToBeDeleted.has(topic)) {
        ctx.topicsToBeDeleted.add(topic);
        log.info({ topic }, 'topic marked for deletion');
      }
    }
  }

  /** Start every marked topic that is eligible and not started yet. */
  async resume(): Promise<void> {
    const { ctx, log } = this.#o;
    const live = ctx.liveBrokerIds();
    const rsm = this.#o.replicaStateMachine;
    for (const topic of ctx.topicsToBeDeleted) {
      if (this.#started.has(topic)) continue;
      const partitions = this.#partitionsOf(topic);
      const replicas = partitions.flatMap((tp) =>
        ctx.replicasOf(tp).map((replica) => ({ ...tp, replica })),
      );
      const down = [...new Set(replicas.map((r) => r.replica))].filter((b) => !live.has(b));
      if (down.length > 0) {
        log.info({ topic, down }, 'topic deletion waits: replicas on brokers that are down');
        continue;
      }
      if (partitions.some((tp) => ctx.reassignmentOf(tp))) {
        log.info({ topic }, 'topic deletion waits: a partition is being reassigned');
        continue;
      }
      this.#started.add(topic);
      // Brokers drop the topic from their metadata first, then delete the replicas. Replicas
      // deleted by an earlier attempt stay deleted.
      this.#o.batch().updateMetadataToAll(partitions);
      const pending = replicas.filter((r) => rsm.stateOf(r) !== 'ReplicaDeletionSuccessful');
      rsm.markOffline(pending);
      await rsm.handleStateChanges(pending, 'ReplicaDeletionStarted', {
        reason: 'topic deletion',
        onDeletionResult: this.#o.onDeletionResult,
      });
      log.info(
        { topic, replicaBrokers: [...new Set(replicas.map((r) => r.replica))] },
        'topic deletion started',
      );
      if (pending.length === 0) await this.#complete(topic);
    }
  }

  /** A broker answered StopReplica(delete=true) for one replica. */
  async onDeletionResult(r: PartitionReplica, errorCode: number): Promise<void> {
    const { ctx, log } = this.#o;
    const rsm = this.#o.replicaStateMachine;
    if (!this.#started.has(r.topic) || rsm.stateOf(r) !== 'ReplicaDeletionStarted') return;
    if (errorCode !== KafkaErrorCode.NONE) {
      log.warn(
        { topic: r.topic, partition: r.partition, targetBrokerId: r.replica, errorCode },
        'replica deletion failed; will retry later',
      );
      await rsm.handleStateChanges([r], 'ReplicaDeletionIneligible', { reason: 'deletion failed' });
      // Retry the whole topic on the next resume (a broker change or another deletion event).
      this.#started.delete(r.topic);
      const others = rsm.replicasInState(r.topic, 'ReplicaDeletionStarted');
      await rsm.handleStateChanges(others, 'ReplicaDeletionIneligible', { reason: 'retry' });
      rsm.markOffline(rsm.replicasInState(r.topic, 'ReplicaDeletionIneligible'));
      return;
    }
    await rsm.handleStateChanges([r], 'ReplicaDeletionSuccessful', { reason: 'deleted' });
    const total = this.#partitionsOf(r.topic).reduce((n, tp) => n + ctx.replicasOf(tp).length, 0);
    if (rsm.replicasInState(r.topic, 'ReplicaDeletionSuccessful').length === total)
      await this.#complete(r.topic);
  }

  #partitionsOf(topic: string): TopicPartitionId[] {
    return [...(this.#o.ctx.assignments.get(topic)?.keys() ?? [])]
      .sort((a, b) => a - b)
      .map((partition) => ({ topic, partition }));
  }

  async #complete(topic: string): Promise<void> {
    const { ctx } = this.#o;
    const zk = this.#o.zk();
    const rsm = this.#o.replicaStateMachine;
    // Children first: states, partition nodes, /partitions, the topic, its config, the marker.
    const ops: MultiOp[] = [];
    const partitionsPath = TopicPartitionsZNode.path(topic);
    const partitionIds = await zk.getChildren(partitionsPath).catch((err: unknown) => {
      if (hasCode(err, ErrorCode.NONODE)) return [] as string[];
      throw err;
    });
    for (const p of partitionIds) {
      const partitionPath = `${partitionsPath}/${p}`;
      for (const child of await zk.getChildren(partitionPath))
        ops.push(Op.delete(`${partitionPath}/${child}`));
      ops.push(Op.delete(partitionPath));
    }
    if (partitionIds.length > 0 || (await zk.exists(partitionsPath)))
      ops.push(Op.delete(partitionsPath));
    ops.push(Op.delete(TopicZNode.path(topic)));
    if (await zk.exists(TopicConfigZNode.path(topic)))
      ops.push(Op.delete(TopicConfigZNode.path(topic)));
    ops.push(Op.delete(DeleteTopicZNode.path(topic)));
    await fencedMulti(zk, ctx.epochZkVersion, ops);
    await rsm.handleStateChanges(
      rsm.replicasInState(topic, 'ReplicaDeletionSuccessful'),
      'NonExistentReplica',
      {
        reason: 'topic deleted',
      },
    );
    rsm.removeTopic(topic);
    this.#started.delete(topic);
    this.#o.onTopicDeleted(topic);
    this.#o.log.info({ topic }, 'topic deleted');
  }
}
