/**
 * IsrChangeNotificationHandler: how the controller learns that leaders changed ISRs (Kafka
 * 2.x's `processIsrChangeNotification` in KafkaController). Kafka's class of this name is the
 * watcher that only enqueues the event; here the watcher is in controller.ts and this module
 * is the reaction.
 *
 * A partition leader shrinks or expands the ISR itself, writing the state znode (conditional
 * on its version), then creates a sequential `/isr_change_notification/isr_change_N` listing
 * the partitions. The controller, on the children watch:
 *
 *   1. reads every notification (several leaders may have written) and collects the distinct
 *      partitions it knows (`changedPartitions`, pure);
 *   2. re-reads those partitions' state znodes into the context;
 *   3. deletes the notifications it read;
 *   4. sends UpdateMetadata to every broker (clients see the new ISR in Metadata) and lets
 *      reassignments waiting for their new replicas to join the ISR advance.
 *
 * A new controller drops the notifications it finds (`dropPending`): it reads every state
 * znode anyway.
 */
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import type { Logger } from '../../src/logger.js';
import { ErrorCode, hasCode } from '../../src/protocol/coordinator/errors.js';
import { IsrChangeNotificationZNode } from '../../src/znodes.js';
import { getPartitionState } from '../../src/kafka-zk/kafka-zk-client.js';
import {
  partitionKey,
  type ControllerContext,
  type TopicPartitionId,
} from './controller-context.js';
import type { ControllerRequestBatch } from './controller-request-batch.js';
import type { ReassignmentManager } from './reassignment-manager.js';

/**
 * The partitions named by a set of notifications, each once (first mention first), keeping
 * only those `isKnown` accepts (a notification may name a partition of a topic deleted since).
 */
export function changedPartitions(
  notifications: readonly (readonly TopicPartitionId[])[],
  isKnown: (tp: TopicPartitionId) => boolean,
): TopicPartitionId[] {
  const changed = new Map<string, TopicPartitionId>();
  for (const listed of notifications)
    for (const tp of listed) changed.set(partitionKey(tp.topic, tp.partition), tp);
  return [...changed.values()].filter(isKnown);
}

export interface IsrChangeNotificationHandlerOptions {
  ctx: ControllerContext;
  zk: () => CoordinatorClient;
  reassignmentManager: ReassignmentManager;
  batch: () => ControllerRequestBatch;
  /** Stable watcher for the children of /isr_change_notification. */
  onIsrChange: () => void;
  log: Logger;
}

export class IsrChangeNotificationHandler {
  readonly #o: IsrChangeNotificationHandlerOptions;

  constructor(options: IsrChangeNotificationHandlerOptions) {
    this.#o = options;
  }

  /** Children of /isr_change_notification changed (reading them re-arms the watch). */
  async processIsrChangeNotification(): Promise<void> {
    const { ctx, log } = this.#o;
    const zk = this.#o.zk();
    const children = await zk.getChildren(IsrChangeNotificationZNode.path, this.#o.onIsrChange);
    const notifications: TopicPartitionId[][] = [];
    for (const child of children) {
      const path = `${IsrChangeNotificationZNode.path}/${child}`;
      try {
        const { data } = await zk.getData(path);
        notifications.push(IsrChangeNotificationZNode.decode(path, data));
      } catch (err) {
        if (!hasCode(err, ErrorCode.NONODE))
          log.warn({ err, path }, 'unreadable ISR change notification');
      }
    }
    const partitions = changedPartitions(
      notifications,
      (tp) => ctx.assignments.get(tp.topic)?.has(tp.partition) ?? false,
    );
    await Promise.all(
      partitions.map(async (tp) => {
        const state = await getPartitionState(zk, tp.topic, tp.partition);
        if (state) ctx.setState(tp, state);
      }),
    );
    await this.#delete(children);
    if (partitions.length > 0) {
      log.info(
        { partitions: partitions.map((tp) => `${tp.topic}-${tp.partition}`) },
        'ISR changes propagated',
      );
      this.#o.batch().updateMetadataToAll(partitions);
      await this.#o.reassignmentManager.advance(partitions);
    }
  }

  /** Controller failover: arm the watch and delete what is pending (the context is fresh). */
  async dropPending(): Promise<void> {
    const zk = this.#o.zk();
    await this.#delete(await zk.getChildren(IsrChangeNotificationZNode.path, this.#o.onIsrChange));
  }

  async #delete(children: readonly string[]): Promise<void> {
    const zk = this.#o.zk();
    await Promise.all(
      children.map((c) =>
        zk.delete(`${IsrChangeNotificationZNode.path}/${c}`).catch((err: unknown) => {
          if (!hasCode(err, ErrorCode.NONODE)) throw err;
        }),
      ),
    );
  }
}
