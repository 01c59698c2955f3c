/**
 * Where a partition leader writes its ISR changes: the partition's state znode, and the ISR
 * change notifications that tell the controller about them (Kafka 2.x, ZooKeeper mode; the
 * AlterIsr request of KIP-497 replaced both later).
 *
 *   /brokers/topics/T/partitions/P/state
 *     {"controller_epoch":3,"leader":1,"version":1,"leader_epoch":4,"isr":[1,3]}
 *     setData conditional on the version the leader's state came from (LeaderAndIsr's
 *     partition epoch). BADVERSION means the controller (or an older leader's write) changed
 *     it: the answer carries the state re-read, and the leader stops acting on its own.
 *
 *   /isr_change_notification/isr_change_0000000042   (persistent sequential)
 *     {"version":1,"partitions":[{"topic":"T","partition":0}]}
 *     The controller watches the children, re-reads those partitions' state znodes, sends
 *     UpdateMetadata to every broker so that Metadata answers show the new ISR, and deletes
 *     the notifications.
 *
 * `PartitionStateStore` is the interface partitions and tests see; `CoordinatorPartitionStateStore`
 * is the real one. Its client is looked up on every call because a broker replaces its
 * client when its session expires.
 */
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import {
  ErrorCode as KeeperErrorCode,
  KeeperError,
} from '../../src/protocol/coordinator/errors.js';
import {
  IsrChangeNotificationZNode,
  TopicPartitionStateZNode,
  type LeaderAndIsr,
} from '../../src/znodes.js';
import type { TopicPartition } from '../log/log.js';
import type { IsrUpdateResult } from '../server/partition.js';

export interface PartitionStateStore {
  /** Writes `state` if the znode still has `zkVersion`. Never throws. */
  updateLeaderAndIsr(
    tp: TopicPartition,
    state: LeaderAndIsr,
    zkVersion: number,
  ): Promise<IsrUpdateResult>;
  /** Creates one sequential notification naming `partitions`. */
  writeIsrChangeNotification(partitions: readonly TopicPartition[]): Promise<void>;
}

export class CoordinatorPartitionStateStore implements PartitionStateStore {
  readonly #zk: () => CoordinatorClient;

  constructor(zk: () => CoordinatorClient) {
    this.#zk = zk;
  }

  async updateLeaderAndIsr(
    tp: TopicPartition,
    state: LeaderAndIsr,
    zkVersion: number,
  ): Promise<IsrUpdateResult> {
    const path = TopicPartitionStateZNode.path(tp.topic, tp.partition);
    try {
      const stat = await this.#zk().setData(
        path,
        TopicPartitionStateZNode.encode(state),
        zkVersion,
      );
      return { outcome: 'written', zkVersion: stat.version };
    } catch (err) {
      const code = err instanceof KeeperError ? err.code : undefined;
      if (code !== KeeperErrorCode.BADVERSION && code !== KeeperErrorCode.NONODE) {
        return { outcome: 'failed', reason: (err as Error).message };
      }
    }
    try {
      const { data, stat } = await this.#zk().getData(path);
      const leaderAndIsr = TopicPartitionStateZNode.decode(tp.topic, tp.partition, data);
      return { outcome: 'stale', current: { leaderAndIsr, zkVersion: stat.version } };
    } catch (err) {
      if (err instanceof KeeperError && err.code === KeeperErrorCode.NONODE) {
        return { outcome: 'stale', current: undefined }; // the topic is being deleted
      }
      return { outcome: 'failed', reason: (err as Error).message };
    }
  }

  async writeIsrChangeNotification(partitions: readonly TopicPartition[]): Promise<void> {
    await this.#zk().create(
      IsrChangeNotificationZNode.prefix,
      IsrChangeNotificationZNode.encode(partitions.map((p) => ({ ...p }))),
      { mode: 'persistent_sequential' },
    );
  }
}
