/**
 * ReassignmentManager: carries out partition reassignments, the classic ZooKeeper way (Kafka
 * 2.x's `onPartitionReassignment` and its helpers in KafkaController). The decisions (RS, AR,
 * RR, which step comes next) are the pure functions of reassignment.ts; this module reads and
 * writes the znodes and drives the partition and replica state machines.
 *
 * Where a reassignment lives, so that any controller can resume it:
 *   /admin/reassign_partitions     the request (topic, partition, target replicas), until the
 *                                  partition completes
 *   /brokers/topics/<t>            while moving: partitions = RS, adding_replicas = AR,
 *                                  removing_replicas = RR (ORS = RS - AR, TRS = RS - RR)
 *
 * Triggers (each one a controller event): the request znode was created
 * (`ZkPartitionReassignment`), a reassigning partition's state znode changed
 * (`PartitionReassignmentIsrChange`, a data watch armed while waiting for the ISR), an ISR
 * change notification, a broker start, and controller failover. Each runs `#advance` for the
 * partitions concerned, which does whatever step is next and is safe to run twice.
 */
import { Op, type CoordinatorClient } from '../../src/coordinator-client/client.js';
import type { Logger } from '../../src/logger.js';
import { ErrorCode } from '../../src/protocol/coordinator/errors.js';
import { ErrorCode as KafkaErrorCode } from '../../src/protocol/kafka/errors.js';
import {
  ReassignPartitionsZNode,
  TopicPartitionStateZNode,
  TopicZNode,
  type PartitionReassignmentRequest,
  type ReplicaAssignment,
} from '../../src/znodes.js';
import { fencedMulti, getPartitionState } from '../../src/kafka-zk/kafka-zk-client.js';
import { hasCode } from '../../src/protocol/coordinator/errors.js';
import {
  partitionKey,
  type ControllerContext,
  type ReassignmentInProgress,
  type TopicPartitionId,
} from './controller-context.js';
import type { ControllerRequestBatch } from './controller-request-batch.js';
import type { PartitionStateMachine } from './partition-state-machine.js';
import {
  invalidReassignmentReason,
  nextReassignmentStep,
  reassignmentFromAssignment,
} from './reassignment.js';
import type { ReplicaStateMachine } from './replica-state-machine.js';

export interface ReassignmentManagerOptions {
  ctx: ControllerContext;
  zk: () => CoordinatorClient;
  partitionStateMachine: PartitionStateMachine;
  replicaStateMachine: ReplicaStateMachine;
  batch: () => ControllerRequestBatch;
  /** Stable watcher for /admin/reassign_partitions (enqueues ZkPartitionReassignment). */
  onRequestNode: () => void;
  /** Watcher for a reassigning partition's state znode (enqueues an ISR-change event). */
  stateWatcher: (tp: TopicPartitionId) => () => void;
  log: Logger;
}

export class ReassignmentManager {
  readonly #o: ReassignmentManagerOptions;

  constructor(options: ReassignmentManagerOptions) {
    this.#o = options;
  }

  /**
   * Controller failover: reassignments recorded in topic znodes (adding/removing replicas),
   * then any request in /admin/reassign_partitions not yet started. `moving` is what the
   * topic znodes showed, by topic.
   */
  async resumeOnFailover(
    moving: ReadonlyMap<string, { adding: ReplicaAssignment; removing: ReplicaAssignment }>,
  ): Promise<void> {
    const { ctx } = this.#o;
    for (const [topic, { adding, removing }] of moving) {
      for (const partition of new Set([...adding.keys(), ...removing.keys()])) {
        const tp = { topic, partition };
        const sets = reassignmentFromAssignment({
          replicas: ctx.replicasOf(tp),
          adding: adding.get(partition) ?? [],
          removing: removing.get(partition) ?? [],
        });
        ctx.reassignments.set(partitionKey(topic, partition), sets);
      }
    }
    if (ctx.reassignments.size > 0) {
      this.#o.log.info(
        { partitions: [...ctx.reassignments.keys()] },
        'resuming reassignments found in the topic znodes',
      );
    }
    await this.onRequestNodeChange();
  }

  /** /admin/reassign_partitions was created or changed: start what it asks for. */
  async onRequestNodeChange(): Promise<void> {
    const { ctx, log } = this.#o;
    const requests = await this.#readRequests();
    const registered = ctx.liveBrokerIds();
    const invalid: PartitionReassignmentRequest[] = [];
    const toAdvance: TopicPartitionId[] = [];
    for (const request of requests) {
      const tp = { topic: request.topic, partition: request.partition };
      const reason = !ctx.assignments.get(tp.topic)?.has(tp.partition)
        ? 'the partition does not exist'
        : ctx.topicsToBeDeleted.has(tp.topic)
          ? 'the topic is being deleted'
          : invalidReassignmentReason({
              targetReplicas: request.replicas,
              registeredBrokerIds: registered,
            });
      if (reason !== null) {
        log.warn(
          { topic: tp.topic, partition: tp.partition, replicas: request.replicas, reason },
          'ignoring an invalid reassignment request',
        );
        invalid.push(request);
        continue;
      }
      const existing = ctx.reassignmentOf(tp);
      const sameTarget =
        existing !== undefined && existing.targetReplicas.join(',') === request.replicas.join(',');
      if (!sameTarget) {
        // A new target for a partition already moving: Kafka 2.x keeps the original set (the
        // replicas that have all the data) and aims at the new target from there.
        const originalReplicas = existing?.originalReplicas ?? [...ctx.replicasOf(tp)];
        ctx.reassignments.set(partitionKey(tp.topic, tp.partition), {
          originalReplicas,
          targetReplicas: [...request.replicas],
        });
        log.info(
          {
            topic: tp.topic,
            partition: tp.partition,
            originalReplicas,
            targetReplicas: request.replicas,
          },
          `reassignment of ${tp.topic}-${tp.partition} requested`,
        );
      }
      toAdvance.push(tp);
    }
    if (invalid.length > 0) await this.#removeRequests(invalid);
    // Also the ones known only from topic znodes (failover).
    for (const key of ctx.reassignments.keys()) {
      const [topic, partition] = splitPartitionKey(key);
      if (!toAdvance.some((tp) => tp.topic === topic && tp.partition === partition))
        toAdvance.push({ topic, partition });
    }
    await this.advance(toAdvance);
  }

  /**
   * AlterPartitionReassignments (KIP-455): start (replicas given) or cancel (null) each
   * partition's reassignment. API reassignments are recorded in the topic znode only, as in
   * Kafka 2.4+. Returns an error code (and message) per partition.
   */
  async alter(
    requests: readonly { tp: TopicPartitionId; replicas: number[] | null }[],
  ): Promise<{ tp: TopicPartitionId; errorCode: number; errorMessage: string | null }[]> {
    const { ctx, log } = this.#o;
    const results: { tp: TopicPartitionId; errorCode: number; errorMessage: string | null }[] = [];
    const toAdvance: TopicPartitionId[] = [];
    for (const { tp, replicas } of requests) {
      const key = partitionKey(tp.topic, tp.partition);
      if (
        !ctx.assignments.get(tp.topic)?.has(tp.partition) ||
        ctx.topicsToBeDeleted.has(tp.topic)
      ) {
        results.push({
          tp,
          errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          errorMessage: null,
        });
        continue;
      }
      const existing = ctx.reassignmentOf(tp);
      if (replicas === null) {
        if (!existing) {
          results.push({
            tp,
            errorCode: KafkaErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
            errorMessage: null,
          });
          continue;
        }
        ctx.reassignments.set(key, {
          originalReplicas: existing.originalReplicas,
          targetReplicas: [...existing.originalReplicas],
        });
        log.info({ topic: tp.topic, partition: tp.partition }, 'reassignment cancelled');
      } else {
        const reason = invalidReassignmentReason({
          targetReplicas: replicas,
          registeredBrokerIds: ctx.liveBrokerIds(),
        });
        if (reason !== null) {
          results.push({
            tp,
            errorCode: KafkaErrorCode.INVALID_REPLICA_ASSIGNMENT,
            errorMessage: reason,
          });
          continue;
        }
        ctx.reassignments.set(key, {
          originalReplicas: existing?.originalReplicas ?? [...ctx.replicasOf(tp)],
          targetReplicas: [...replicas],
        });
        log.info(
          { topic: tp.topic, partition: tp.partition, targetReplicas: replicas },
          `reassignment of ${tp.topic}-${tp.partition} requested (AlterPartitionReassignments)`,
        );
      }
      results.push({ tp, errorCode: KafkaErrorCode.NONE, errorMessage: null });
      toAdvance.push(tp);
    }
    await this.advance(toAdvance);
    return results;
  }

  /** ListPartitionReassignments: the reassignments in progress (all, or of `partitions`). */
  list(partitions: readonly TopicPartitionId[] | null): {
    tp: TopicPartitionId;
    replicas: number[];
    adding: number[];
    removing: number[];
  }[] {
    const { ctx } = this.#o;
    const wanted = partitions?.map((tp) => partitionKey(tp.topic, tp.partition));
    const result = [];
    for (const [key, r] of ctx.reassignments) {
      if (wanted && !wanted.includes(key)) continue;
      const [topic, partition] = splitPartitionKey(key);
      const replicas = ctx.replicasOf({ topic, partition });
      result.push({
        tp: { topic, partition },
        replicas,
        adding: r.targetReplicas.filter((b) => !r.originalReplicas.includes(b)),
        removing: replicas.filter((b) => !r.targetReplicas.includes(b)),
      });
    }
    return result;
  }

  /** Run the next step for each partition that is being reassigned. */
  async advance(partitions: readonly TopicPartitionId[]): Promise<void> {
    for (const tp of partitions) {
      const reassignment = this.#o.ctx.reassignmentOf(tp);
      if (reassignment) await this.#advance(tp, reassignment);
    }
  }

  /** Partitions being reassigned that have a replica on `brokerId` (it just started). */
  partitionsWithReplicaOn(brokerId: number): TopicPartitionId[] {
    const result: TopicPartitionId[] = [];
    for (const [key, r] of this.#o.ctx.reassignments) {
      if (r.targetReplicas.includes(brokerId) || r.originalReplicas.includes(brokerId)) {
        const [topic, partition] = splitPartitionKey(key);
        result.push({ topic, partition });
      }
    }
    return result;
  }

  async #advance(tp: TopicPartitionId, reassignment: ReassignmentInProgress): Promise<void> {
    const { ctx, log } = this.#o;
    const psm = this.#o.partitionStateMachine;
    const rsm = this.#o.replicaStateMachine;
    // The leader may have added replicas to the ISR since the context last looked.
    const fresh = await getPartitionState(this.#o.zk(), tp.topic, tp.partition);
    if (fresh) ctx.setState(tp, fresh);
    const state = ctx.stateOf(tp);
    if (!state) {
      log.info({ topic: tp.topic, partition: tp.partition }, 'reassignment waits for a state');
      return;
    }
    const step = nextReassignmentStep({
      ...reassignment,
      currentReplicas: ctx.replicasOf(tp),
      current: state.leaderAndIsr,
      liveBrokerIds: ctx.liveBrokerIds(),
    });
    const where = { topic: tp.topic, partition: tp.partition };
    switch (step.kind) {
      case 'noop':
        log.info(where, 'reassignment to the current replicas: nothing to do');
        await this.#finish(tp);
        return;
      case 'start': {
        const { sets } = step;
        await this.#writeAssignment(tp, sets.replicas, sets.adding, sets.removing);
        ctx.setReplicas(tp, sets.replicas);
        log.info(
          { ...where, replicas: sets.replicas, adding: sets.adding, removing: sets.removing },
          `reassignment of ${tp.topic}-${tp.partition} started: replicas are now RS`,
        );
        await psm.bumpLeaderEpoch(tp, 'reassignment started');
        const adding = sets.adding.map((replica) => ({ ...tp, replica }));
        await rsm.handleStateChanges(
          adding.filter((r) => rsm.stateOf(r) === 'NonExistentReplica'),
          'NewReplica',
          { reason: 'reassignment' },
        );
        if (sets.adding.length > 0) {
          // Then wait, as below (the new replicas cannot be in the ISR yet).
          await this.#watchState(tp);
          return;
        }
        // Nothing to add (the target only reorders or drops replicas): every replica of TRS
        // may already be in the ISR, and no ISR change will come to wake us. Kafka's
        // onPartitionReassignment checks for completion right after writing RS; so do we (the
        // assignment is RS now, so the next step is wait or complete, never start again).
        await this.#advance(tp, reassignment);
        return;
      }
      case 'wait':
        log.info(
          { ...where, notInIsr: step.notInIsr, isr: state.leaderAndIsr.isr },
          'reassignment waits for the new replicas to join the ISR',
        );
        await this.#watchState(tp);
        return;
      case 'complete': {
        const { sets } = step;
        const adding = sets.adding.map((replica) => ({ ...tp, replica }));
        await rsm.handleStateChanges(adding, 'OnlineReplica', { reason: 'reassignment' });
        ctx.setReplicas(tp, [...reassignment.targetReplicas]);
        if (step.moveLeader) {
          const failed = await psm.elect([tp], { kind: 'reassign' }, 'reassignment');
          if (failed.length > 0) {
            log.warn(
              { ...where, reason: failed[0]?.reason },
              'reassignment cannot move the leader',
            );
            ctx.setReplicas(tp, sets.replicas);
            return;
          }
        } else {
          await psm.bumpLeaderEpoch(tp, 'reassignment completes');
        }
        const removing = sets.removing.map((replica) => ({ ...tp, replica }));
        // The replicas leave the ISR and stop, then their logs are deleted. Kafka does not
        // wait for the deletions to finish before completing, and neither do we.
        await rsm.handleStateChanges(removing, 'OfflineReplica', { reason: 'reassignment' });
        await rsm.handleStateChanges(removing, 'ReplicaDeletionStarted', {
          reason: 'reassignment',
        });
        await rsm.handleStateChanges(removing, 'ReplicaDeletionSuccessful', {
          reason: 'reassignment',
        });
        await rsm.handleStateChanges(removing, 'NonExistentReplica', { reason: 'reassignment' });
        await this.#writeAssignment(tp, reassignment.targetReplicas, [], []);
        await this.#finish(tp);
        this.#o.batch().updateMetadataToAll([tp]);
        log.info(
          { ...where, replicas: reassignment.targetReplicas },
          `reassignment of ${tp.topic}-${tp.partition} completed`,
        );
        return;
      }
      default: {
        const never: never = step;
        throw new Error(`unknown reassignment step ${JSON.stringify(never)}`);
      }
    }
  }

  /** Remove the partition from the request znode and from the context. */
  async #finish(tp: TopicPartitionId): Promise<void> {
    const { ctx } = this.#o;
    ctx.reassignments.delete(partitionKey(tp.topic, tp.partition));
    await this.#removeRequests([{ ...tp, replicas: [] }]);
  }

  async #watchState(tp: TopicPartitionId): Promise<void> {
    await this.#o
      .zk()
      .getData(TopicPartitionStateZNode.path(tp.topic, tp.partition), this.#o.stateWatcher(tp))
      .catch((err: unknown) => {
        if (!hasCode(err, ErrorCode.NONODE)) throw err;
      });
  }

  /** Write one partition's replicas (with AR and RR) into the topic znode, fenced. */
  async #writeAssignment(
    tp: TopicPartitionId,
    replicas: readonly number[],
    adding: readonly number[],
    removing: readonly number[],
  ): Promise<void> {
    const { ctx } = this.#o;
    const zk = this.#o.zk();
    const { data, stat } = await zk.getData(TopicZNode.path(tp.topic));
    const current = TopicZNode.decode(tp.topic, data);
    current.partitions.set(tp.partition, [...replicas]);
    current.addingReplicas.set(tp.partition, [...adding]);
    current.removingReplicas.set(tp.partition, [...removing]);
    await fencedMulti(zk, ctx.epochZkVersion, [
      Op.setData(
        TopicZNode.path(tp.topic),
        TopicZNode.encode(current.partitions, {
          addingReplicas: current.addingReplicas,
          removingReplicas: current.removingReplicas,
        }),
        stat.version,
      ),
    ]);
  }

  /** Read /admin/reassign_partitions, arming the watch (exists, so a creation fires it). */
  async #readRequests(): Promise<PartitionReassignmentRequest[]> {
    const zk = this.#o.zk();
    const stat = await zk.exists(ReassignPartitionsZNode.path, this.#o.onRequestNode);
    if (!stat) return [];
    try {
      const { data } = await zk.getData(ReassignPartitionsZNode.path, this.#o.onRequestNode);
      return ReassignPartitionsZNode.decode(data);
    } catch (err) {
      if (hasCode(err, ErrorCode.NONODE)) return [];
      this.#o.log.warn({ err }, 'unreadable /admin/reassign_partitions; deleting it');
      await fencedMulti(zk, this.#o.ctx.epochZkVersion, [
        Op.delete(ReassignPartitionsZNode.path),
      ]).catch(() => undefined);
      return [];
    }
  }

  /** Rewrite the request znode without `done`; delete it when nothing is left. */
  async #removeRequests(done: readonly PartitionReassignmentRequest[]): Promise<void> {
    const zk = this.#o.zk();
    let read;
    try {
      read = await zk.getData(ReassignPartitionsZNode.path);
    } catch (err) {
      if (hasCode(err, ErrorCode.NONODE)) return;
      throw err;
    }
    let requests: PartitionReassignmentRequest[];
    try {
      requests = ReassignPartitionsZNode.decode(read.data);
    } catch {
      requests = [];
    }
    const isDone = (r: PartitionReassignmentRequest): boolean =>
      done.some((d) => d.topic === r.topic && d.partition === r.partition);
    const left = requests.filter((r) => !isDone(r));
    if (left.length === requests.length && requests.length > 0) return;
    await fencedMulti(zk, this.#o.ctx.epochZkVersion, [
      left.length === 0
        ? Op.delete(ReassignPartitionsZNode.path, read.stat.version)
        : Op.setData(
            ReassignPartitionsZNode.path,
            ReassignPartitionsZNode.encode(left),
            read.stat.version,
          ),
    ]);
  }
}

function splitPartitionKey(key: string): [string, number] {
  const slash = key.lastIndexOf('/');
  return [key.slice(0, slash), Number(key.slice(slash + 1))];
}
