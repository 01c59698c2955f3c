/**
 * One replica fetcher: the loop that keeps this broker's follower replicas of the partitions
 * led by ONE other broker up to date (Kafka's ReplicaFetcherThread / AbstractFetcherThread,
 * with num.replica.fetchers=1: one fetcher, one connection per source broker).
 *
 * Each partition it serves is in one of two states:
 *
 *   truncating --(OffsetsForLeaderEpoch answered, log truncated)--> fetching
 *   fetching   --(append failed / offset out of range)-------------> truncating
 *   either     --(leader says NOT_LEADER, FENCED or UNKNOWN epoch)--> same state, delayed by
 *                                                                    replica.fetch.backoff.ms
 *
 * A partition starts `truncating` whenever it is (re)added, i.e. after every LeaderAndIsr
 * that made us a follower: before copying anything from a new leader the follower must cut
 * off what it may have written under an older leader that the new one never had (KIP-101,
 * KIP-279). It asks the leader "where does my latest epoch E end in your log?" and:
 *
 *   leader knows no epochs (UNDEFINED offset)  -> truncate to our high watermark;
 *   leader answers epoch E' with end offset X:
 *     we also have E'                          -> truncate to min(X, where E' ends in ours);
 *                                                 done
 *     we have no E' (our epochs jump over it)  -> truncate to where our largest epoch below
 *                                                 E' ends, ask again with our new latest
 *                                                 epoch (KIP-279: one step per epoch until
 *                                                 the logs agree, so several quick failovers
 *                                                 still converge)
 *
 * Then `fetching`: one Fetch (v11, replica_id = our broker id, no fetch session) carries every
 * fetching partition at its log end offset. The leader long-polls it (replica.fetch.wait.max.ms)
 * until it has new records, and learns from the fetch offsets how far we are (that is how the
 * leader's HW and ISR move). We append the answer's batches exactly as they are, set our HW to
 * min(leader's HW, our LEO) and follow the leader's log start offset.
 *
 * Throttled partitions (replication-quota.ts, KIP-73): while this broker's follower quota is
 * exceeded, a partition that is throttled here and not in sync is left out of the Fetch
 * (Kafka's ReplicaFetcherThread.shouldFollowerThrottle). "In sync" is the fetcher's own view,
 * as in Kafka: after the last answer that brought records, our LEO had reached the leader's
 * HW (lag 0); a partition just added has no lag yet and counts as behind. When every
 * fetching partition is held back the fetcher waits replica.fetch.backoff.ms. The bytes
 * appended for throttled partitions are recorded against the quota.
 *
 * Out of range (our LEO is past the leader's end, or before its start after retention): ask
 * the leader's ListOffsets; truncate to its end, or restart our log at its start.
 *
 * Concurrency: one async loop; partition changes from LeaderAndIsr (add/remove) take effect
 * at the next round, and answers for a partition removed or re-added meanwhile are dropped
 * (each entry has an identity checked after every await). Timers come from the Scheduler.
 */
import type { Logger } from '../../src/logger.js';
import type { Scheduler, Timer } from '../../src/scheduler.js';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import { ErrorCode, errorForCode } from '../../src/protocol/kafka/errors.js';
import type { FetchPartition } from '../../src/protocol/kafka/generated/fetch.js';
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET } from '../log/leader-epoch-cache.js';
import {
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  partitionDirName,
  type TopicPartition,
} from '../log/log.js';
import { topicPartitionKey } from '../log/log-manager.js';
import type { Partition } from '../server/partition.js';
import type { BrokerConnector } from '../network/broker-connector.js';
import { LeaderConnection, type BrokerEndPoint } from './leader-connection.js';
import { ReplicationQuotaManager } from './replication-quota.js';
import { systemClock } from '../../src/clock.js';

/** Versions we send: all non-flexible, all with current_leader_epoch (fencing). */
export const REPLICA_FETCH_VERSION = 11;
export const OFFSETS_FOR_LEADER_EPOCH_VERSION = 3;
export const REPLICA_LIST_OFFSETS_VERSION = 5;

export interface ReplicaFetcherConfig {
  /** replica.fetch.wait.max.ms (500). */
  fetchWaitMaxMs: number;
  /** replica.fetch.min.bytes (1). */
  fetchMinBytes: number;
  /** replica.fetch.max.bytes (1 MiB): per partition. */
  fetchMaxBytes: number;
  /** Opens the connection to the leader (the inter-broker listener's security); TCP if unset. */
  connect?: BrokerConnector;
  /** replica.fetch.response.max.bytes (10 MiB): per response. */
  fetchResponseMaxBytes: number;
  /** replica.fetch.backoff.ms (1000): pause after an error. */
  fetchBackoffMs: number;
  /** replica.socket.timeout.ms (30000), at least fetchWaitMaxMs more than the long poll. */
  socketTimeoutMs: number;
}

export const DEFAULT_REPLICA_FETCHER_CONFIG: ReplicaFetcherConfig = {
  fetchWaitMaxMs: 500,
  fetchMinBytes: 1,
  fetchMaxBytes: 1_048_576,
  fetchResponseMaxBytes: 10_485_760,
  fetchBackoffMs: 1_000,
  socketTimeoutMs: 30_000,
};

/** What the fetcher needs from the replica manager. */
export interface FollowerPartitions {
  getPartition(tp: TopicPartition): Partition | undefined;
}

type FetchState = 'truncating' | 'fetching';

interface PartitionFetchState {
  readonly tp: TopicPartition;
  /** The leader epoch this entry was added for (LeaderAndIsr). */
  readonly leaderEpoch: number;
  state: FetchState;
  /** Do not use before this time (after an error). */
  delayedUntilMs: number;
  /**
   * The leader's HW minus our LEO after the last answer that brought records (Kafka's
   * PartitionFetchState.lag); undefined until then. 0 means in sync: never throttled.
   */
  lag: number | undefined;
}

export class ReplicaFetcher {
  readonly sourceBroker: BrokerEndPoint;
  readonly #localBrokerId: number;
  readonly #scheduler: Scheduler;
  readonly #config: ReplicaFetcherConfig;
  readonly #partitions: FollowerPartitions;
  readonly #logger: Logger;
  readonly #connection: LeaderConnection;
  readonly #states = new Map<string, PartitionFetchState>();
  #running = false;
  #stopped = false;
  /** Wakes the loop when it sleeps (partitions added, backoff over, shutdown). */
  #wake: (() => void) | undefined;
  #sleepTimer: Timer | undefined;
  /** Consecutive requests that failed (connection refused, closed, timed out). */
  #failedAttempts = 0;
  /** This broker's follower replication quota (shared by all its fetchers). */
  readonly #quota: ReplicationQuotaManager;

  constructor(options: {
    sourceBroker: BrokerEndPoint;
    localBrokerId: number;
    scheduler: Scheduler;
    config: ReplicaFetcherConfig;
    partitions: FollowerPartitions;
    logger: Logger;
    /** The follower quota; without one nothing is throttled. */
    quota?: ReplicationQuotaManager;
  }) {
    this.sourceBroker = options.sourceBroker;
    this.#quota =
      options.quota ?? new ReplicationQuotaManager({ side: 'follower', clock: systemClock });
    this.#localBrokerId = options.localBrokerId;
    this.#scheduler = options.scheduler;
    this.#config = options.config;
    this.#partitions = options.partitions;
    this.#logger = options.logger.child({
      component: 'replica-fetcher',
      brokerId: options.localBrokerId,
      leaderId: options.sourceBroker.id,
    });
    this.#connection = new LeaderConnection({
      endPoint: options.sourceBroker,
      localBrokerId: options.localBrokerId,
      scheduler: options.scheduler,
      requestTimeoutMs: options.config.socketTimeoutMs + options.config.fetchWaitMaxMs,
      connect: options.config.connect,
    });
  }

  get partitionCount(): number {
    return this.#states.size;
  }

  /** The partitions served and their states (tests, logs). */
  describe(): { partition: string; state: FetchState; leaderEpoch: number }[] {
    return [...this.#states.values()].map((s) => ({
      partition: partitionDirName(s.tp),
      state: s.state,
      leaderEpoch: s.leaderEpoch,
    }));
  }

  /** Starts (or restarts) serving these partitions, each from the truncation step. */
  addPartitions(entries: readonly { tp: TopicPartition; leaderEpoch: number }[]): void {
    for (const { tp, leaderEpoch } of entries) {
      this.#states.set(topicPartitionKey(tp), {
        tp,
        leaderEpoch,
        state: 'truncating',
        delayedUntilMs: 0,
        lag: undefined,
      });
    }
    this.#logger.info(
      { partitions: entries.map((e) => partitionDirName(e.tp)) },
      `fetching from broker ${this.sourceBroker.id}`,
    );
    if (!this.#running) void this.#run();
    else this.#wakeUp();
  }

  removePartitions(tps: readonly TopicPartition[]): void {
    for (const tp of tps) this.#states.delete(topicPartitionKey(tp));
  }

  shutdown(): void {
    this.#stopped = true;
    this.#states.clear();
    this.#connection.close();
    this.#wakeUp();
  }

  #wakeUp(): void {
    this.#sleepTimer?.cancel();
    this.#sleepTimer = undefined;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#sleepTimer = this.#scheduler.schedule(ms, () => this.#wakeUp());
    });
  }

  /** The fetcher's loop: truncate what needs it, fetch the rest, sleep when nothing is ready. */
  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (!this.#stopped && this.#states.size > 0) {
        const nowMs = this.#scheduler.nowMs();
        const ready = [...this.#states.values()].filter((s) => s.delayedUntilMs <= nowMs);
        const truncating = ready.filter((s) => s.state === 'truncating');
        const fetching = ready.filter((s) => s.state === 'fetching');
        const unthrottled = fetching.filter((s) => !this.#shouldFollowerThrottle(s));
        try {
          if (truncating.length > 0) await this.#truncate(truncating);
          else if (unthrottled.length > 0) await this.#fetch(unthrottled);
          else {
            // Nothing to send: every partition is delayed, or held back by the quota (then
            // look again after replica.fetch.backoff.ms, as Kafka's fetcher does).
            const delayedUntil = [...this.#states.values()]
              .map((s) => s.delayedUntilMs)
              .filter((ms) => ms > nowMs);
            const untilNextMs = Math.max(1, Math.min(...delayedUntil) - nowMs);
            await this.#sleep(
              fetching.length > 0
                ? Math.min(this.#config.fetchBackoffMs, untilNextMs)
                : untilNextMs,
            );
            continue;
          }
          if (this.#failedAttempts > 0) {
            this.#logger.info(
              { failedAttempts: this.#failedAttempts },
              `leader ${this.sourceBroker.id} answers again`,
            );
            this.#failedAttempts = 0;
          }
        } catch (err) {
          if (this.#stopped) break;
          // The first failure of an outage is a warning; the retries every backoff until the
          // controller moves leadership (a session timeout later) are only debug detail.
          const level = this.#failedAttempts === 0 ? 'warn' : 'debug';
          this.#failedAttempts++;
          this.#logger[level](
            {
              err: (err as Error).message,
              host: this.sourceBroker.host,
              port: this.sourceBroker.port,
            },
            `cannot reach leader ${this.sourceBroker.id}; retrying every ` +
              `${this.#config.fetchBackoffMs} ms`,
          );
          await this.#sleep(this.#config.fetchBackoffMs);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /**
   * The partition `entry` is for, if we still serve it as added: not removed or re-added
   * here, still a follower, still at the same leader epoch. An entry that outlived its
   * partition's state is dropped (the replica manager adds a fresh one for the new state), so
   * the loop never spins on partitions it cannot fetch.
   */
  #current(entry: PartitionFetchState): Partition | undefined {
    const key = topicPartitionKey(entry.tp);
    if (this.#states.get(key) !== entry) return undefined;
    const partition = this.#partitions.getPartition(entry.tp);
    if (
      partition === undefined ||
      partition.isLeader ||
      partition.leaderEpoch !== entry.leaderEpoch
    ) {
      this.#states.delete(key);
      return undefined;
    }
    return partition;
  }

  /** Kafka's shouldFollowerThrottle: throttled here, quota exceeded, and not in sync. */
  #shouldFollowerThrottle(entry: PartitionFetchState): boolean {
    const inSync = entry.lag !== undefined && entry.lag <= 0;
    return (
      !inSync &&
      this.#quota.isThrottled(entry.tp.topic, entry.tp.partition) &&
      this.#quota.isQuotaExceeded()
    );
  }

  #delay(entry: PartitionFetchState, why: string, errorCode?: number): void {
    entry.delayedUntilMs = this.#scheduler.nowMs() + this.#config.fetchBackoffMs;
    this.#logger.info(
      {
        partition: partitionDirName(entry.tp),
        error: errorCode === undefined ? undefined : errorForCode(errorCode).name,
      },
      `partition delayed: ${why}`,
    );
  }

  // ---------------------------------------------------------------------------------------
  // Truncation (OffsetsForLeaderEpoch)
  // ---------------------------------------------------------------------------------------

  async #truncate(entries: PartitionFetchState[]): Promise<void> {
    const asking: { entry: PartitionFetchState; epoch: number }[] = [];
    for (const entry of entries) {
      const partition = this.#current(entry);
      if (partition === undefined) continue;
      const latestEpoch = partition.leaderEpochCache.latestEpoch;
      if (latestEpoch === undefined) {
        // No epoch information (an empty log, or one written before epochs): the high
        // watermark is the last offset known to be committed, as Kafka falls back to.
        partition.truncateTo(partition.highWatermark);
        entry.state = 'fetching';
        continue;
      }
      asking.push({ entry, epoch: latestEpoch });
    }
    if (asking.length === 0) return;
    const byTopic = new Map<
      string,
      { partition: number; currentLeaderEpoch: number; leaderEpoch: number }[]
    >();
    for (const { entry, epoch } of asking) {
      const list = byTopic.get(entry.tp.topic) ?? [];
      list.push({
        partition: entry.tp.partition,
        currentLeaderEpoch: entry.leaderEpoch,
        leaderEpoch: epoch,
      });
      byTopic.set(entry.tp.topic, list);
    }
    const response = await this.#connection.send(
      ApiKey.OffsetForLeaderEpoch,
      OFFSETS_FOR_LEADER_EPOCH_VERSION,
      {
        replicaId: this.#localBrokerId,
        topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      },
    );
    const answers = new Map<
      string,
      { errorCode: number; leaderEpoch: number; endOffset: bigint }
    >();
    for (const topic of response.topics) {
      for (const p of topic.partitions) {
        answers.set(topicPartitionKey({ topic: topic.topic, partition: p.partition }), p);
      }
    }
    for (const { entry, epoch } of asking) {
      const partition = this.#current(entry);
      if (partition === undefined) continue;
      const answer = answers.get(topicPartitionKey(entry.tp));
      if (answer === undefined || answer.errorCode !== ErrorCode.NONE) {
        this.#delay(entry, 'OffsetsForLeaderEpoch failed', answer?.errorCode);
        continue;
      }
      const decision = truncationOffset({
        requestedEpoch: epoch,
        leaderEpoch: answer.leaderEpoch,
        leaderEndOffset: Number(answer.endOffset),
        partition,
      });
      this.#logger.info(
        {
          partition: partitionDirName(entry.tp),
          ourLatestEpoch: epoch,
          leaderAnswer: { epoch: answer.leaderEpoch, endOffset: Number(answer.endOffset) },
          logEndOffset: partition.logEndOffset,
          truncateTo: decision.offset,
          done: decision.done,
        },
        'leader epoch truncation',
      );
      partition.truncateTo(decision.offset);
      if (decision.done) entry.state = 'fetching';
    }
  }

  // ---------------------------------------------------------------------------------------
  // Fetching
  // ---------------------------------------------------------------------------------------

  async #fetch(entries: PartitionFetchState[]): Promise<void> {
    const sent: { entry: PartitionFetchState; fetchOffset: number }[] = [];
    const byTopic = new Map<string, Encodable<FetchPartition>[]>();
    for (const entry of entries) {
      const partition = this.#current(entry);
      if (partition === undefined) continue;
      const fetchOffset = partition.logEndOffset;
      sent.push({ entry, fetchOffset });
      const list = byTopic.get(entry.tp.topic) ?? [];
      list.push({
        partition: entry.tp.partition,
        currentLeaderEpoch: entry.leaderEpoch,
        fetchOffset: BigInt(fetchOffset),
        lastFetchedEpoch: -1,
        logStartOffset: BigInt(partition.logStartOffset),
        partitionMaxBytes: this.#config.fetchMaxBytes,
      });
      byTopic.set(entry.tp.topic, list);
    }
    if (sent.length === 0) return;
    const response = await this.#connection.send(ApiKey.Fetch, REPLICA_FETCH_VERSION, {
      clusterId: null,
      replicaId: this.#localBrokerId,
      replicaState: { replicaId: -1, replicaEpoch: -1n },
      maxWaitMs: this.#config.fetchWaitMaxMs,
      minBytes: this.#config.fetchMinBytes,
      maxBytes: this.#config.fetchResponseMaxBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic].map(([topic, partitions]) => ({
        topic,
        topicId: ZERO_UUID,
        partitions,
      })),
      forgottenTopicsData: [],
      rackId: '',
    });
    if (response.errorCode !== ErrorCode.NONE) {
      for (const { entry } of sent) this.#delay(entry, 'fetch failed', response.errorCode);
      return;
    }
    const answers = new Map<string, (typeof response.responses)[number]['partitions'][number]>();
    for (const topic of response.responses) {
      for (const p of topic.partitions) {
        answers.set(topicPartitionKey({ topic: topic.topic, partition: p.partitionIndex }), p);
      }
    }
    for (const { entry, fetchOffset } of sent) {
      const partition = this.#current(entry);
      // Removed, re-added, or truncated meanwhile: this answer is about an old state.
      if (partition === undefined || partition.logEndOffset !== fetchOffset) continue;
      const answer = answers.get(topicPartitionKey(entry.tp));
      if (answer === undefined) continue;
      switch (answer.errorCode) {
        case ErrorCode.NONE:
          this.#processPartitionData(entry, partition, answer);
          break;
        case ErrorCode.OFFSET_OUT_OF_RANGE:
          await this.#handleOutOfRange(entry, partition);
          break;
        default:
          this.#delay(entry, 'the leader refused the fetch', answer.errorCode);
      }
    }
  }

  #processPartitionData(
    entry: PartitionFetchState,
    partition: Partition,
    answer: { highWatermark: bigint; logStartOffset: bigint; records: Buffer | null },
  ): void {
    const records = answer.records;
    if (records !== null && records.length > 0) {
      const result = partition.appendRecordsAsFollower(records);
      if (!result.ok) {
        // Our log and the leader's disagree (or the data is corrupt): start over with the
        // truncation step, which re-establishes where they agree.
        this.#logger.warn(
          { partition: partitionDirName(entry.tp), error: result.error.message },
          'follower append failed; truncating again',
        );
        entry.state = 'truncating';
        entry.delayedUntilMs = this.#scheduler.nowMs() + this.#config.fetchBackoffMs;
        return;
      }
      entry.lag = Math.max(0, Number(answer.highWatermark) - partition.logEndOffset);
      if (this.#quota.isThrottled(entry.tp.topic, entry.tp.partition)) {
        this.#quota.record(records.length);
      }
    }
    partition.updateFollowerHighWatermark(Number(answer.highWatermark));
    partition.maybeIncrementLogStartOffset(Number(answer.logStartOffset));
  }

  /**
   * Our fetch offset is outside the leader's log. Ask the leader for its end and start: past
   * its end, truncate to it (an unclean leader election can leave the new leader shorter);
   * before its start, our log is useless (retention deleted what we lack): restart it there.
   */
  async #handleOutOfRange(entry: PartitionFetchState, partition: Partition): Promise<void> {
    const offsetOf = async (timestamp: number): Promise<number | undefined> => {
      const response = await this.#connection.send(
        ApiKey.ListOffsets,
        REPLICA_LIST_OFFSETS_VERSION,
        {
          replicaId: this.#localBrokerId,
          isolationLevel: 0,
          topics: [
            {
              name: entry.tp.topic,
              partitions: [
                {
                  partitionIndex: entry.tp.partition,
                  currentLeaderEpoch: entry.leaderEpoch,
                  timestamp: BigInt(timestamp),
                  maxNumOffsets: 1,
                },
              ],
            },
          ],
        },
      );
      const answer = response.topics[0]?.partitions[0];
      return answer?.errorCode === ErrorCode.NONE ? Number(answer.offset) : undefined;
    };
    const leaderEnd = await offsetOf(LATEST_TIMESTAMP);
    const leaderStart = await offsetOf(EARLIEST_TIMESTAMP);
    if (
      this.#current(entry) !== partition ||
      leaderEnd === undefined ||
      leaderStart === undefined
    ) {
      this.#delay(entry, 'offset out of range and ListOffsets failed');
      return;
    }
    const ours = partition.logEndOffset;
    this.#logger.warn(
      { partition: partitionDirName(entry.tp), ours, leaderStart, leaderEnd },
      'fetch offset out of range',
    );
    if (ours > leaderEnd) partition.truncateTo(leaderEnd);
    else if (ours < leaderStart) partition.truncateFullyAndStartAt(leaderStart);
  }
}

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/**
 * Where to truncate after the leader answered OffsetsForLeaderEpoch for `requestedEpoch` (our
 * latest), and whether that settles it (Kafka's getOffsetTruncationState). Pure apart from
 * reading the partition's epoch cache, LEO and HW.
 */
export function truncationOffset(options: {
  requestedEpoch: number;
  leaderEpoch: number;
  leaderEndOffset: number;
  partition: Pick<Partition, 'logEndOffset' | 'highWatermark' | 'leaderEpochCache'>;
}): { offset: number; done: boolean } {
  const { partition } = options;
  const ourEnd = partition.logEndOffset;
  if (options.leaderEndOffset === UNDEFINED_EPOCH_OFFSET) {
    // The leader has nothing for epochs up to ours: keep only what we know was committed.
    return { offset: Math.min(partition.highWatermark, ourEnd), done: true };
  }
  if (options.leaderEpoch === UNDEFINED_EPOCH) {
    return { offset: Math.min(options.leaderEndOffset, ourEnd), done: true };
  }
  const ours = partition.leaderEpochCache.endOffsetFor(options.leaderEpoch, ourEnd);
  if (ours.epoch === options.leaderEpoch) {
    // Both logs have this epoch: they agree up to where the shorter one ends it.
    return { offset: Math.min(options.leaderEndOffset, ours.endOffset), done: true };
  }
  // We never saw the leader's epoch: our records from the epoch before it end at
  // `ours.endOffset`; cut there and ask again with what is then our latest epoch.
  // Each such step removes at least our latest epoch entry, so the rounds end.
  const offset =
    ours.endOffset === UNDEFINED_EPOCH_OFFSET ? ourEnd : Math.min(ours.endOffset, ourEnd);
  return { offset, done: false };
}
