/**
 * The replica fetchers of this broker, one per source broker (Kafka's ReplicaFetcherManager /
 * AbstractFetcherManager with num.replica.fetchers=1). LeaderAndIsr decides who we follow:
 *
 *   became follower of L at epoch E -> remove the partition from whichever fetcher had it,
 *                                      add it to L's fetcher (created on first use), where it
 *                                      starts with the truncation step;
 *   became leader, or stopped       -> remove it from its fetcher.
 *
 * A fetcher left with no partitions is shut down (its connection closed) by
 * `shutdownIdleFetchers`, which the replica manager calls after each LeaderAndIsr. A leader
 * whose address changed (it restarted on another port) gets a new fetcher.
 */
import type { Logger } from '../../src/logger.js';
import type { Scheduler } from '../../src/scheduler.js';
import type { TopicPartition } from '../log/log.js';
import type { BrokerEndPoint } from './leader-connection.js';
import type { ReplicationQuotaManager } from './replication-quota.js';
import {
  ReplicaFetcher,
  type FollowerPartitions,
  type ReplicaFetcherConfig,
} from './replica-fetcher.js';

export interface FollowedPartition {
  tp: TopicPartition;
  leader: BrokerEndPoint;
  leaderEpoch: number;
}

export interface ReplicaFetcherManagerOptions {
  localBrokerId: number;
  scheduler: Scheduler;
  /** The follower replication quota, shared by every fetcher (replication-quota.ts). */
  quota?: ReplicationQuotaManager;
  config: ReplicaFetcherConfig;
  partitions: FollowerPartitions;
  logger: Logger;
}

export class ReplicaFetcherManager {
  readonly #options: ReplicaFetcherManagerOptions;
  readonly #fetchers = new Map<number, ReplicaFetcher>();

  constructor(options: ReplicaFetcherManagerOptions) {
    this.#options = options;
  }

  addFetcherForPartitions(entries: readonly FollowedPartition[]): void {
    this.removeFetcherForPartitions(entries.map((e) => e.tp));
    const byLeader = new Map<number, FollowedPartition[]>();
    for (const entry of entries) {
      const list = byLeader.get(entry.leader.id) ?? [];
      list.push(entry);
      byLeader.set(entry.leader.id, list);
    }
    for (const [leaderId, list] of byLeader) {
      const leader = list[0]!.leader;
      let fetcher = this.#fetchers.get(leaderId);
      const moved =
        fetcher !== undefined &&
        (fetcher.sourceBroker.host !== leader.host || fetcher.sourceBroker.port !== leader.port);
      if (fetcher === undefined || moved) {
        fetcher?.shutdown();
        fetcher = new ReplicaFetcher({ ...this.#options, sourceBroker: leader });
        this.#fetchers.set(leaderId, fetcher);
      }
      fetcher.addPartitions(list.map((e) => ({ tp: e.tp, leaderEpoch: e.leaderEpoch })));
    }
  }

  removeFetcherForPartitions(tps: readonly TopicPartition[]): void {
    for (const fetcher of this.#fetchers.values()) fetcher.removePartitions(tps);
  }

  shutdownIdleFetchers(): void {
    for (const [leaderId, fetcher] of this.#fetchers) {
      if (fetcher.partitionCount > 0) continue;
      fetcher.shutdown();
      this.#fetchers.delete(leaderId);
    }
  }

  /** Fetchers by source broker id (tests, logs). */
  get fetchers(): ReadonlyMap<number, ReplicaFetcher> {
    return this.#fetchers;
  }

  shutdown(): void {
    for (const fetcher of this.#fetchers.values()) fetcher.shutdown();
    this.#fetchers.clear();
  }
}
