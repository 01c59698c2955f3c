/**
 * The partitions this broker hosts, and the three things done to them: the controller makes
 * them leaders or followers (LeaderAndIsr) and stops them (StopReplica); clients append to
 * them (Produce) and read from them (Fetch). Modelled on Kafka's `ReplicaManager` (2.8).
 *
 * Who tells us what (docs/data-plane.md): only the controller changes which partitions we host and
 * who leads them. Every control request carries the controller's epoch; a request from an
 * older epoch comes from a controller that has since been replaced (it may not know yet), so
 * it is refused with STALE_CONTROLLER_EPOCH and changes nothing. Per partition, LeaderAndIsr
 * must carry a leader epoch strictly greater than the one we have (Kafka answers
 * STALE_CONTROLLER_EPOCH for an older or equal one) and StopReplica v3+ one at least as large
 * (else FENCED_LEADER_EPOCH); that way a delayed request cannot undo a newer decision.
 *
 * The write path (Produce -> appendRecords):
 *   for each partition: hosted? leader? -> Partition.appendRecordsToLeader (log validates,
 *   assigns offsets, writes) -> HW may move -> wake waiting Fetches (and acks=-1 Produces);
 *   acks=-1 with records not yet committed -> DelayedProduce until the HW passes them.
 * The read path (Fetch -> fetchMessages):
 *   read each partition up to the HW (consumers; the LSO for read_committed ones) or LEO
 *   (followers), within the byte limits;
 *   enough bytes, an error, or max_wait_ms=0 -> answer now; else DelayedFetch (long poll).
 *   A follower's fetch (replica_id = its broker id) first tells the leader the follower's
 *   LEO (Partition.updateFollowerFetchState): the HW may move, and a follower that caught up
 *   may rejoin the ISR.
 *
 * Replication lives beside this class, in broker/replica/ (docs/replication.md):
 *   - `replicaFetcherManager`: the follower side. After a LeaderAndIsr that makes us a
 *     follower of L, the partition is handed to the replica fetcher for L (one per leader
 *     broker), which truncates it with OffsetsForLeaderEpoch and then fetches from L;
 *   - `isrManager`: the leader side of the ISR. It shrinks the ISR of followers that lag
 *     for replica.lag.time.max.ms, writes every ISR change to the partition's state znode
 *     (conditionally) and tells the controller through /isr_change_notification.
 *
 * Errors are values: every per-partition outcome carries a Kafka error code, and nothing a
 * client sends can make these methods throw.
 *
 * High watermarks are checkpointed to `replication-offset-checkpoint` in each log dir every
 * `highWatermarkCheckpointIntervalMs` (Kafka's replica.high.watermark.checkpoint.interval.ms,
 * 5000) and at shutdown, and read back when a partition is first created here.
 */
import type { Clock } from '../../src/clock.js';
import { systemScheduler, type Scheduler, type Timer } from '../../src/scheduler.js';
import type { Logger } from '../../src/logger.js';
import type { LeaderAndIsrPartitionState } from '../../src/protocol/kafka/generated/leader-and-isr.js';
import type {
  LeaderAndIsrRequest,
  LeaderAndIsrResponse,
  StopReplicaRequest,
  StopReplicaResponse,
  UpdateMetadataRequest,
} from '../../src/protocol/kafka/generated/index.js';
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import { partitionDirName, type TopicPartition } from '../log/log.js';
import type { RecordError } from '../log/log-validator.js';
import type { AppendOrigin } from '../log/producer-state-manager.js';
import { topicPartitionKey, type LogManager } from '../log/log-manager.js';
import { DelayedFetch } from './delayed-fetch.js';
import { DelayedOperationPurgatory } from './delayed-operation.js';
import { DelayedProduce, type ProducePartitionStatus } from './delayed-produce.js';
import type { MetadataCache } from './metadata-cache.js';
import { Partition, type ReadOutcome } from './partition.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import { IsrManager } from '../replica/isr-manager.js';
import { createReplicationQuotas, type ReplicationQuotas } from '../replica/replication-quota.js';
import type { PartitionStateStore } from '../replica/partition-state-store.js';
import type { IsrMetricsHooks, TopicMetricsHooks } from '../metrics/broker-metrics.js';
import {
  DEFAULT_REPLICA_FETCHER_CONFIG,
  type ReplicaFetcherConfig,
} from '../replica/replica-fetcher.js';
import {
  ReplicaFetcherManager,
  type FollowedPartition,
} from '../replica/replica-fetcher-manager.js';

/** StopReplica v3 sentinels (Kafka's LeaderAndIsr.EpochDuringDelete / NoEpoch). */
const EPOCH_DURING_DELETE = -2;
const NO_EPOCH = -1;
/** How many partitions of one LeaderAndIsr are handled per turn of the event loop. */
export const LEADER_AND_ISR_SLICE = 100;

/** Fetch replica ids below 0 mark a consumer, not a follower (Kafka's FetchRequest). */
export const CONSUMER_REPLICA_ID = -1;
export const DEBUGGING_CONSUMER_REPLICA_ID = -2;

const key = topicPartitionKey;

export interface ReplicaManagerOptions {
  brokerId: number;
  logManager: LogManager;
  metadataCache: MetadataCache;
  /** min.insync.replicas of a topic (the broker default unless the topic overrides it). */
  minInsyncReplicas: (topic: string) => number;
  clock: Clock;
  /**
   * Timers: purgatory timeouts and the periodic checkpoint (the system scheduler by default).
   * Kafka also keeps `time` and `scheduler` apart; a test gives one ManualScheduler as both.
   */
  scheduler?: Scheduler;
  logger: Logger;
  highWatermarkCheckpointIntervalMs?: number;
  /** replica.lag.time.max.ms (30000): how long a follower may lag before leaving the ISR. */
  replicaLagTimeMaxMs?: number;
  /** Where ISR changes are written; without one they are refused (single-broker tests). */
  partitionStateStore?: PartitionStateStore;
  /** replica.fetch.* settings of the replica fetchers. */
  replicaFetcherConfig?: Partial<ReplicaFetcherConfig>;
  /** Called when this broker starts hosting a partition (e.g. to load topic configs). */
  onPartitionCreated?: (tp: TopicPartition) => void;
  /** Counts client records and bytes in and out, and ISR changes (broker/metrics/). */
  metrics?: { topics: TopicMetricsHooks; isr: IsrMetricsHooks };
  /**
   * The replication quotas (KIP-73; main.ts keeps them in step with the dynamic configs).
   * Without them nothing is throttled.
   */
  replicationQuotas?: ReplicationQuotas;
}

/** Used when no store is given: every ISR change fails, so the ISR stays as assigned. */
const NO_PARTITION_STATE_STORE: PartitionStateStore = {
  updateLeaderAndIsr: () =>
    Promise.resolve({ outcome: 'failed', reason: 'no partition state store configured' }),
  writeIsrChangeNotification: () => Promise.resolve(),
};

export interface ProducePartitionResult {
  topicPartition: TopicPartition;
  errorCode: number;
  /** Offset of the first appended record, -1 on error. */
  baseOffset: number;
  /** Broker time stamped on LogAppendTime topics, else -1. */
  logAppendTimeMs: number;
  logStartOffset: number;
  errorMessage: string | null;
  /** The refused records of a batch refused record by record (Produce v8+ record_errors). */
  recordErrors?: readonly RecordError[];
}

export interface AppendParams {
  acks: number;
  timeoutMs: number;
  /** Only the broker's own writers may append to internal topics (`__consumer_offsets`). */
  internalTopicsAllowed: boolean;
  /**
   * 'client' (the default) for Produce; 'coordinator' for the broker's own coordinators, e.g.
   * transaction markers (control batches are allowed, sequence numbers are not checked).
   */
  origin?: AppendOrigin;
  entries: { topicPartition: TopicPartition; records: Buffer | null }[];
}

export interface FetchPartitionRequest {
  topicPartition: TopicPartition;
  fetchOffset: number;
  partitionMaxBytes: number;
  currentLeaderEpoch: number;
  /** A follower's log start offset (Fetch v5+), -1 when not sent. */
  logStartOffset?: number;
}

export interface FetchParams {
  /** -1 consumer, -2 debugging consumer, >= 0 the follower broker's id. */
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  /** Response-wide byte limit (Fetch v3+). */
  maxBytes: number;
  /**
   * 0 READ_UNCOMMITTED: consumers read up to the high watermark; 1 READ_COMMITTED: up to the
   * last stable offset, with the aborted transactions of what they read. Followers ignore it.
   */
  isolationLevel: number;
  partitions: FetchPartitionRequest[];
}

export interface FetchPartitionResult extends ReadOutcome {
  topicPartition: TopicPartition;
}

export class ReplicaManager {
  readonly brokerId: number;
  readonly #options: ReplicaManagerOptions;
  readonly #logger: Logger;
  readonly #partitions = new Map<string, Partition>();
  readonly fetchPurgatory: DelayedOperationPurgatory<DelayedFetch>;
  readonly producePurgatory: DelayedOperationPurgatory<DelayedProduce>;
  /** Set by `stopReplicaFetchers`: no follower fetches any more. */
  #fetchingStopped = false;
  /** The newest controller epoch seen in an accepted control request. */
  #controllerEpoch = -1;
  /** replication-offset-checkpoint as read for the LeaderAndIsr slice being applied. */
  #checkpointedHighWatermarks: ReadonlyMap<string, number> | undefined;
  readonly #scheduler: Scheduler;
  #checkpointTimer: Timer | undefined;
  /** The follower side: one replica fetcher per broker we follow (broker/replica/). */
  readonly replicaFetcherManager: ReplicaFetcherManager;
  /** The leader side of the ISR: shrink checks, conditional writes, notifications. */
  readonly isrManager: IsrManager;
  /** Leader and follower replication quotas (broker/replica/replication-quota.ts). */
  readonly replicationQuotas: ReplicationQuotas;
  readonly #followerFetchListeners: ((tp: TopicPartition) => void)[] = [];

  constructor(options: ReplicaManagerOptions) {
    this.brokerId = options.brokerId;
    this.#options = options;
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.fetchPurgatory = new DelayedOperationPurgatory('Fetch', this.#scheduler);
    this.producePurgatory = new DelayedOperationPurgatory('Produce', this.#scheduler);
    this.#logger = options.logger.child({
      component: 'replica-manager',
      brokerId: options.brokerId,
    });
    const scheduler = options.scheduler ?? systemScheduler;
    this.replicationQuotas =
      options.replicationQuotas ?? createReplicationQuotas({ clock: options.clock });
    this.replicaFetcherManager = new ReplicaFetcherManager({
      localBrokerId: options.brokerId,
      scheduler,
      quota: this.replicationQuotas.follower,
      config: { ...DEFAULT_REPLICA_FETCHER_CONFIG, ...options.replicaFetcherConfig },
      partitions: this,
      logger: options.logger,
    });
    this.isrManager = new IsrManager({
      scheduler,
      store: options.partitionStateStore ?? NO_PARTITION_STATE_STORE,
      replicaLagTimeMaxMs: options.replicaLagTimeMaxMs ?? 30_000,
      partitions: () => this.#partitions.values(),
      onHighWatermarkIncreased: (tp) => this.#tryCompleteDelayedRequests(tp),
      logger: options.logger,
      metrics: options.metrics?.isr,
    });
  }

  get controllerEpoch(): number {
    return this.#controllerEpoch;
  }

  /**
   * Called after a follower's fetch reported its log start offset for `tp` (DeleteRecords
   * waits for followers to catch up with a new log start offset: delete-records.ts).
   */
  onFollowerLogStartOffset(listener: (tp: TopicPartition) => void): void {
    this.#followerFetchListeners.push(listener);
  }

  get metadataCache(): MetadataCache {
    return this.#options.metadataCache;
  }

  getPartition(tp: TopicPartition): Partition | undefined {
    return this.#partitions.get(key(tp));
  }

  /** Hosted partitions, sorted by topic and index (for logs, tests and checkpoints). */
  allPartitions(): Partition[] {
    return [...this.#partitions.values()].sort(
      (a, b) =>
        a.topicPartition.topic.localeCompare(b.topicPartition.topic) ||
        a.topicPartition.partition - b.topicPartition.partition,
    );
  }

  /** Starts the periodic high-watermark checkpoint. */
  startup(): void {
    this.isrManager.startup();
    const intervalMs = this.#options.highWatermarkCheckpointIntervalMs ?? 5000;
    this.#checkpointTimer = this.#scheduler
      .repeat(intervalMs, () => {
        // A failed write (EMFILE when the open-files limit is reached, ENOSPC, ...) must not
        // take the broker down from a timer: log it, the next period tries again.
        try {
          this.checkpointHighWatermarks();
        } catch (err) {
          this.#logger.error({ err }, 'high-watermark checkpoint failed; retrying next period');
        }
      })
      .unref();
  }

  checkpointHighWatermarks(): void {
    this.#options.logManager.checkpointHighWatermarks((tp) => this.getPartition(tp)?.highWatermark);
  }

  /**
   * The first step of a shutdown: stop copying from leaders, and start no new fetcher for the
   * rest of this broker's life. A broker in controlled shutdown would otherwise keep fetching
   * while the controller moves leadership away, and a leader that sees it caught up would
   * write it back into the ISR just before it exits (Kafka 2.8 has that race; later versions
   * keep shutting-down brokers out of the ISR, KIP-841). Its partitions stay hosted and
   * readable; only fetching stops.
   */
  stopReplicaFetchers(): void {
    if (this.#fetchingStopped) return;
    this.#fetchingStopped = true;
    this.replicaFetcherManager.shutdown();
    this.#logger.info('replica fetchers stopped for shutdown');
  }

  /** Answers everything waiting, writes the last HW checkpoint. Before LogManager.shutdown. */
  shutdown(): void {
    this.#checkpointTimer?.cancel();
    this.replicaFetcherManager.shutdown();
    this.isrManager.shutdown();
    this.fetchPurgatory.shutdown();
    this.producePurgatory.shutdown();
    this.checkpointHighWatermarks();
  }

  // ---------------------------------------------------------------------------------------
  // Control plane: LeaderAndIsr, StopReplica, UpdateMetadata
  // ---------------------------------------------------------------------------------------

  /** The controller-epoch check shared by the three control requests. */
  #isStaleController(controllerEpoch: number, what: string, controllerId: number): boolean {
    if (controllerEpoch >= this.#controllerEpoch) {
      this.#controllerEpoch = controllerEpoch;
      return false;
    }
    this.#logger.warn(
      { controllerId, controllerEpoch, current: this.#controllerEpoch },
      `ignoring ${what} from a stale controller`,
    );
    return true;
  }

  /** UpdateMetadata: refresh the metadata cache. Returns the error code to answer. */
  maybeUpdateMetadataCache(request: UpdateMetadataRequest, apiVersion: number): number {
    if (this.#isStaleController(request.controllerEpoch, 'UpdateMetadata', request.controllerId)) {
      return ErrorCode.STALE_CONTROLLER_EPOCH;
    }
    const deleted = this.#options.metadataCache.update(request, apiVersion);
    if (deleted.length > 0) {
      this.#logger.info(
        { partitions: deleted.map(partitionDirName) },
        'metadata: partitions of deleted topics removed',
      );
    }
    return ErrorCode.NONE;
  }

  /**
   * LeaderAndIsr: for each partition that names us among its replicas and carries a newer
   * leader epoch, create the log if needed and become leader or follower.
   *
   * A new topic can bring tens of thousands of partitions in one request, and creating a log
   * touches the disk (about a millisecond each), so the partitions are taken in slices of
   * `LEADER_AND_ISR_SLICE` with a turn of the event loop between them: the coordinator
   * session's pings and other clients' requests go on meanwhile instead of waiting for the
   * whole request (a stalled event loop once expired the broker's session). Each partition's
   * transition is still done in one go; the controller sends its next request to this broker
   * only after the answer to this one.
   */
  async becomeLeaderOrFollower(
    request: LeaderAndIsrRequest,
    apiVersion: number,
  ): Promise<Encodable<LeaderAndIsrResponse>> {
    const states = leaderAndIsrStatesOf(request, apiVersion);
    const errors = new Map<LeaderAndIsrPartitionState, number>();
    if (this.#isStaleController(request.controllerEpoch, 'LeaderAndIsr', request.controllerId)) {
      const stale = ErrorCode.STALE_CONTROLLER_EPOCH;
      for (const state of states) errors.set(state, stale);
      return leaderAndIsrResponse(request, apiVersion, stale, errors);
    }
    const liveLeaders = new Map(request.liveLeaders.map((l) => [l.brokerId, l]));
    const followed: FollowedPartition[] = [];
    const notFollowing: TopicPartition[] = [];
    for (let from = 0; from < states.length; from += LEADER_AND_ISR_SLICE) {
      if (from > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const nowMs = this.#options.clock.nowMs();
      // The high-watermark checkpoint is read once per slice, not once per new partition: a
      // request creating thousands of partitions would otherwise read a file of thousands of
      // lines thousands of times.
      this.#checkpointedHighWatermarks = undefined;
      for (const state of states.slice(from, from + LEADER_AND_ISR_SLICE)) {
        const tp = { topic: state.topicName, partition: state.partitionIndex };
        const errorCode = this.#applyLeaderAndIsr(tp, state, request.controllerId, nowMs);
        errors.set(state, errorCode);
        if (errorCode !== ErrorCode.NONE) continue;
        const leader = liveLeaders.get(state.leader);
        if (state.leader !== this.brokerId && leader !== undefined) {
          followed.push({
            tp,
            leader: { id: leader.brokerId, host: leader.hostName, port: leader.port },
            leaderEpoch: state.leaderEpoch,
          });
        } else {
          // Leading, or following a leader that is offline (-1): nothing to fetch from.
          notFollowing.push(tp);
        }
      }
    }
    this.#checkpointedHighWatermarks = undefined;
    // Kafka's makeFollowers: stop fetching under the old epoch, then start again (from the
    // truncation step) from the new leader.
    this.replicaFetcherManager.removeFetcherForPartitions(notFollowing);
    if (!this.#fetchingStopped) this.replicaFetcherManager.addFetcherForPartitions(followed);
    this.replicaFetcherManager.shutdownIdleFetchers();
    return leaderAndIsrResponse(request, apiVersion, ErrorCode.NONE, errors);
  }

  #applyLeaderAndIsr(
    tp: TopicPartition,
    state: LeaderAndIsrPartitionState,
    controllerId: number,
    nowMs: number,
  ): number {
    if (!state.replicas.includes(this.brokerId)) {
      this.#logger.warn(
        { partition: partitionDirName(tp), replicas: state.replicas, controllerId },
        'ignoring LeaderAndIsr: this broker is not a replica',
      );
      return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    }
    const existing = this.getPartition(tp);
    if (existing !== undefined && state.leaderEpoch <= existing.leaderEpoch) {
      this.#logger.warn(
        {
          partition: partitionDirName(tp),
          leaderEpoch: state.leaderEpoch,
          current: existing.leaderEpoch,
          controllerId,
        },
        'ignoring LeaderAndIsr: leader epoch is not newer than ours',
      );
      // Kafka 2.8 answers STALE_CONTROLLER_EPOCH for old and equal epochs alike.
      return ErrorCode.STALE_CONTROLLER_EPOCH;
    }
    let partition = existing;
    if (partition === undefined) {
      try {
        partition = this.#createPartition(tp);
      } catch (err) {
        // The log could not be opened or created (EMFILE at the open-files limit, ENOSPC,
        // EACCES): this partition fails, the broker and its other partitions carry on, as
        // Kafka answers KAFKA_STORAGE_ERROR for a replica on a failed log dir.
        this.#logger.error({ err, partition: partitionDirName(tp) }, 'cannot create the log');
        return ErrorCode.KAFKA_STORAGE_ERROR;
      }
    }
    if (state.leader === this.brokerId) partition.makeLeader(state, nowMs);
    else partition.makeFollower(state);
    // Whatever waited on this partition now answers from the new state (e.g. a consumer's
    // long poll gets NOT_LEADER_OR_FOLLOWER and goes to the new leader at once).
    this.#tryCompleteDelayedRequests(tp);
    return 0;
  }

  #createPartition(tp: TopicPartition): Partition {
    const log = this.#options.logManager.getOrCreateLog(tp);
    const checkpoints = (this.#checkpointedHighWatermarks ??=
      this.#options.logManager.readHighWatermarks());
    const partition = new Partition({
      topicPartition: tp,
      localBrokerId: this.brokerId,
      log,
      checkpointedHighWatermark: checkpoints.get(key(tp)),
      logger: this.#options.logger,
    });
    this.#partitions.set(key(tp), partition);
    this.#options.onPartitionCreated?.(tp);
    return partition;
  }

  /**
   * StopReplica: stop hosting partitions (the replica moved away, or the topic is being
   * deleted); with delete=true also delete their logs. A partition we do not host is still
   * answered NONE, and its log deleted if asked, as Kafka does (a log dir can hold a
   * partition nobody made us host since start-up).
   */
  stopReplicas(request: StopReplicaRequest, apiVersion: number): Encodable<StopReplicaResponse> {
    const targets = stopReplicaTargetsOf(request, apiVersion);
    const answer = (errorCode: number, codes: number[]) => ({
      errorCode,
      partitionErrors: targets.map((t, i) => ({
        topicName: t.topic,
        partitionIndex: t.partition,
        errorCode: codes[i] ?? 0,
      })),
    });
    if (this.#isStaleController(request.controllerEpoch, 'StopReplica', request.controllerId)) {
      const stale = ErrorCode.STALE_CONTROLLER_EPOCH;
      return answer(
        stale,
        targets.map(() => stale),
      );
    }
    const codes = targets.map((target) => this.#stopReplica(target));
    return answer(ErrorCode.NONE, codes);
  }

  #stopReplica(target: StopReplicaTarget): number {
    const partition = this.getPartition(target);
    if (partition !== undefined) {
      const epoch = target.leaderEpoch;
      const accepted =
        epoch === EPOCH_DURING_DELETE || epoch === NO_EPOCH || epoch >= partition.leaderEpoch;
      if (!accepted) {
        this.#logger.warn(
          {
            partition: partitionDirName(target),
            leaderEpoch: epoch,
            current: partition.leaderEpoch,
          },
          'ignoring StopReplica: leader epoch is older',
        );
        return ErrorCode.FENCED_LEADER_EPOCH;
      }
      this.#partitions.delete(key(target));
      this.replicaFetcherManager.removeFetcherForPartitions([target]);
      this.replicaFetcherManager.shutdownIdleFetchers();
      this.#tryCompleteDelayedRequests(target);
    }
    if (target.deletePartition) {
      try {
        this.#options.logManager.deleteLog(target);
      } catch (err) {
        this.#logger.error({ err, partition: partitionDirName(target) }, 'could not delete log');
        return ErrorCode.KAFKA_STORAGE_ERROR;
      }
    }
    this.#logger.info(
      { partition: partitionDirName(target), delete: target.deletePartition },
      'stopped replica',
    );
    return 0;
  }

  // ---------------------------------------------------------------------------------------
  // Produce
  // ---------------------------------------------------------------------------------------

  /**
   * Appends each partition's records on its leader and resolves with one result per entry,
   * in request order: at once for acks 0 and 1, once committed (or timed out) for acks -1.
   */
  appendRecords(params: AppendParams): Promise<ProducePartitionResult[]> {
    const statuses: ProducePartitionStatus[] = [];
    for (const entry of params.entries) {
      const { result, requiredOffset } = this.#appendToLocalLog(
        entry.topicPartition,
        entry.records,
        params,
      );
      statuses.push({
        result,
        requiredOffset,
        pending: params.acks === -1 && result.errorCode === ErrorCode.NONE,
      });
    }
    const results = statuses.map((s) => s.result);
    if (!statuses.some((s) => s.pending)) return Promise.resolve(results);
    return new Promise((resolve) => {
      const delayed = new DelayedProduce({
        timeoutMs: Math.max(0, params.timeoutMs),
        statuses,
        replicaManager: this,
        minInsyncReplicas: this.#options.minInsyncReplicas,
        respond: resolve,
      });
      const keys = statuses.filter((s) => s.pending).map((s) => key(s.result.topicPartition));
      this.producePurgatory.tryCompleteElseWatch(delayed, keys);
    });
  }

  #appendToLocalLog(
    tp: TopicPartition,
    records: Buffer | null,
    params: AppendParams,
  ): { result: ProducePartitionResult; requiredOffset: number } {
    const fail = (
      errorCode: number,
      errorMessage: string,
      recordErrors?: readonly RecordError[],
    ) => ({
      result: {
        topicPartition: tp,
        errorCode,
        baseOffset: -1,
        logAppendTimeMs: -1,
        logStartOffset: -1,
        errorMessage,
        recordErrors,
      },
      requiredOffset: -1,
    });
    if (isInternalTopic(tp.topic) && !params.internalTopicsAllowed) {
      return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `cannot append to internal topic ${tp.topic}`);
    }
    const partition = this.getPartition(tp);
    if (partition === undefined) return fail(...this.#notHostedError(tp));
    const outcome = partition.appendRecordsToLeader(records ?? Buffer.alloc(0), {
      acks: params.acks,
      minInsyncReplicas: this.#options.minInsyncReplicas(tp.topic),
      origin: params.origin ?? 'client',
    });
    if (!outcome.ok) {
      this.#logger.debug(
        { partition: partitionDirName(tp), errorCode: outcome.errorCode, reason: outcome.message },
        'produce rejected',
      );
      return fail(outcome.errorCode, outcome.message, outcome.recordErrors);
    }
    const { info } = outcome;
    if (info.firstOffset >= 0) {
      this.#options.metrics?.topics.recordsAppended(
        tp,
        info.lastOffset - info.firstOffset + 1,
        records?.length ?? 0,
      );
    }
    // Followers (up to the LEO) can read the new records now; consumers only once the HW
    // moved, and then acks=-1 producers may be done too.
    if (outcome.highWatermarkIncreased) this.#tryCompleteDelayedRequests(tp);
    else this.fetchPurgatory.checkAndComplete(key(tp));
    return {
      result: {
        topicPartition: tp,
        errorCode: ErrorCode.NONE,
        baseOffset: info.firstOffset,
        logAppendTimeMs: info.logAppendTimeMs,
        logStartOffset: info.logStartOffset,
        errorMessage: null,
      },
      requiredOffset: info.lastOffset + 1,
    };
  }

  /**
   * Why a partition we do not host cannot be used: if the metadata says it exists, another
   * broker hosts it (NOT_LEADER_OR_FOLLOWER: refresh metadata and go there), else it does
   * not exist at all (UNKNOWN_TOPIC_OR_PARTITION).
   */
  #notHostedError(tp: TopicPartition): [number, string] {
    if (this.#options.metadataCache.snapshot.partition(tp) !== undefined) {
      return [
        ErrorCode.NOT_LEADER_OR_FOLLOWER,
        `broker ${this.brokerId} does not host ${partitionDirName(tp)}`,
      ];
    }
    return [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown partition ${partitionDirName(tp)}`];
  }

  #tryCompleteDelayedRequests(tp: TopicPartition): void {
    this.fetchPurgatory.checkAndComplete(key(tp));
    this.producePurgatory.checkAndComplete(key(tp));
  }

  // ---------------------------------------------------------------------------------------
  // Fetch
  // ---------------------------------------------------------------------------------------

  /**
   * Reads for a Fetch request; resolves at once when there is enough to answer (min_bytes),
   * when something failed, or when max_wait_ms is 0, else when data arrives or time is up.
   */
  fetchMessages(params: FetchParams): Promise<FetchPartitionResult[]> {
    if (params.replicaId >= 0) {
      // Kafka's KafkaApis records, after the read, the bytes of every throttled partition in
      // the answer to a follower (in sync or not): that is the traffic the quota bounds.
      const quota = this.replicationQuotas.leader;
      return this.#fetchMessages(params).then((results) => {
        let throttledBytes = 0;
        for (const r of results) {
          const { topic, partition } = r.topicPartition;
          if (quota.isThrottled(topic, partition)) throttledBytes += r.records.length;
        }
        quota.record(throttledBytes);
        return results;
      });
    }
    const metrics = this.#options.metrics?.topics;
    if (metrics === undefined) return this.#fetchMessages(params);
    // Consumers' bytes out, as Kafka's BytesOutPerSec (replication is counted apart there).
    return this.#fetchMessages(params).then((results) => {
      for (const r of results) {
        if (r.records.length > 0) metrics.recordsFetched(r.topicPartition, r.records.length);
      }
      return results;
    });
  }

  #fetchMessages(params: FetchParams): Promise<FetchPartitionResult[]> {
    if (params.replicaId >= 0) this.#updateFollowerFetchStates(params);
    const results = this.readFromLocalLog(params);
    const bytes = results.reduce((sum, r) => sum + r.records.length, 0);
    const anyError = results.some((r) => r.errorCode !== ErrorCode.NONE);
    if (
      params.maxWaitMs <= 0 ||
      params.partitions.length === 0 ||
      bytes >= params.minBytes ||
      anyError
    ) {
      return Promise.resolve(results);
    }
    return new Promise((resolve) => {
      const delayed = new DelayedFetch({ params, replicaManager: this, respond: resolve });
      this.fetchPurgatory.tryCompleteElseWatch(
        delayed,
        params.partitions.map((p) => key(p.topicPartition)),
      );
    });
  }

  /**
   * A follower's fetch offset is its LEO: record it, move the HW if that allows, and write
   * the ISR expansion if the follower has just caught up.
   */
  #updateFollowerFetchStates(params: FetchParams): void {
    const nowMs = this.#options.clock.nowMs();
    for (const request of params.partitions) {
      const partition = this.getPartition(request.topicPartition);
      if (partition?.isLeader !== true) continue;
      // A fetch fenced by its epoch says nothing reliable about this leadership.
      if (partition.checkCurrentLeaderEpoch(request.currentLeaderEpoch) !== 0) continue;
      const update = partition.updateFollowerFetchState(
        params.replicaId,
        request.fetchOffset,
        nowMs,
      );
      if (request.logStartOffset !== undefined && request.logStartOffset >= 0) {
        partition.updateFollowerLogStartOffset(params.replicaId, request.logStartOffset);
        for (const listener of this.#followerFetchListeners) listener(request.topicPartition);
      }
      if (update.isrProposal !== undefined)
        void this.isrManager.submit(partition, update.isrProposal);
      if (update.highWatermarkIncreased) this.#tryCompleteDelayedRequests(request.topicPartition);
    }
  }

  /**
   * Whether the leader holds back data from follower `replicaId` for `partition` (Kafka's
   * ReplicaManager.shouldLeaderThrottle): the partition is throttled on this broker, the
   * leader quota is exceeded, and the follower is not in the ISR. An in-sync follower is
   * never throttled: slowing it would only push it out of the ISR and back in.
   */
  shouldLeaderThrottle(partition: Partition, replicaId: number): boolean {
    const quota = this.replicationQuotas.leader;
    const { topic, partition: index } = partition.topicPartition;
    return (
      !partition.isr.includes(replicaId) &&
      quota.isThrottled(topic, index) &&
      quota.isQuotaExceeded()
    );
  }

  /**
   * One read of every requested partition, in request order, within the byte limits:
   * each partition gets at most its partition_max_bytes and at most what is left of the
   * response's max_bytes; but the first batch found is returned whole even if it is larger
   * (KIP-74), so that a consumer can never be stuck behind one big batch.
   */
  readFromLocalLog(params: FetchParams): FetchPartitionResult[] {
    let bytesLeft = params.maxBytes;
    let minOneBatch = true;
    const upTo = fetchUpperBound(params);
    const results: FetchPartitionResult[] = [];
    for (const request of params.partitions) {
      const tp = request.topicPartition;
      const partition = this.getPartition(tp);
      const leaderOnly = params.replicaId !== DEBUGGING_CONSUMER_REPLICA_ID;
      if (partition === undefined || (leaderOnly && !partition.isLeader)) {
        const errorCode =
          partition === undefined ? this.#notHostedError(tp)[0] : ErrorCode.NOT_LEADER_OR_FOLLOWER;
        results.push({
          topicPartition: tp,
          errorCode,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          logEndOffset: -1,
          records: EMPTY,
        });
        continue;
      }
      // A throttled follower gets the partition's offsets and errors, but no records (Kafka
      // answers with an empty record set); it asks again from the same offset.
      const throttled =
        params.replicaId >= 0 && this.shouldLeaderThrottle(partition, params.replicaId);
      const outcome = partition.read({
        fetchOffset: request.fetchOffset,
        maxBytes: throttled ? 0 : Math.max(0, Math.min(request.partitionMaxBytes, bytesLeft)),
        minOneBatch: throttled ? false : minOneBatch,
        upTo,
        currentLeaderEpoch: request.currentLeaderEpoch,
      });
      if (throttled) outcome.records = EMPTY;
      if (outcome.records.length > 0) {
        minOneBatch = false;
        bytesLeft -= outcome.records.length;
      }
      results.push({ topicPartition: tp, ...outcome });
    }
    return results;
  }
}

const EMPTY = Buffer.alloc(0);

/** Fetch's isolation levels. */
export const READ_UNCOMMITTED = 0;
export const READ_COMMITTED = 1;

/**
 * How far a Fetch may read: followers and the debugging consumer to the log end offset,
 * read_committed consumers to the last stable offset, the others to the high watermark.
 */
export function fetchUpperBound(
  params: Pick<FetchParams, 'replicaId' | 'isolationLevel'>,
): 'logEndOffset' | 'lastStableOffset' | 'highWatermark' {
  if (params.replicaId >= 0 || params.replicaId === DEBUGGING_CONSUMER_REPLICA_ID) {
    return 'logEndOffset';
  }
  return params.isolationLevel === READ_COMMITTED ? 'lastStableOffset' : 'highWatermark';
}

/** Kafka's internal topics: written only by the broker itself. */
export function isInternalTopic(topic: string): boolean {
  return topic === '__consumer_offsets' || topic === '__transaction_state';
}

/** LeaderAndIsr partition states, any version: flat in v0-1, grouped by topic in v2+. */
function leaderAndIsrStatesOf(
  request: LeaderAndIsrRequest,
  apiVersion: number,
): LeaderAndIsrPartitionState[] {
  if (apiVersion <= 1) return request.ungroupedPartitionStates;
  return request.topicStates.flatMap((topic) =>
    topic.partitionStates.map((state) => ({ ...state, topicName: topic.topicName })),
  );
}

/** The response names partitions by topic name (v0-4) or groups them by topic id (v5+). */
function leaderAndIsrResponse(
  request: LeaderAndIsrRequest,
  apiVersion: number,
  errorCode: number,
  errors: Map<LeaderAndIsrPartitionState, number>,
): Encodable<LeaderAndIsrResponse> {
  const partitionError = (state: LeaderAndIsrPartitionState) => ({
    topicName: state.topicName,
    partitionIndex: state.partitionIndex,
    errorCode: errors.get(state) ?? 0,
  });
  if (apiVersion <= 4)
    return { errorCode, partitionErrors: [...errors.keys()].map(partitionError) };
  const states = [...errors.keys()];
  return {
    errorCode,
    topics: request.topicStates.map((topic) => ({
      topicId: topic.topicId,
      partitionErrors: states.filter((s) => s.topicName === topic.topicName).map(partitionError),
    })),
  };
}

interface StopReplicaTarget extends TopicPartition {
  deletePartition: boolean;
  leaderEpoch: number;
}

/** StopReplica targets, any version: v0 flat, v1-2 by topic, v3+ with per-partition epochs. */
function stopReplicaTargetsOf(
  request: StopReplicaRequest,
  apiVersion: number,
): StopReplicaTarget[] {
  const deletePartition = request.deletePartitions;
  if (apiVersion === 0) {
    return request.ungroupedPartitions.map((p) => ({
      topic: p.topicName,
      partition: p.partitionIndex,
      deletePartition,
      leaderEpoch: NO_EPOCH,
    }));
  }
  if (apiVersion <= 2) {
    return request.topics.flatMap((t) =>
      t.partitionIndexes.map((partition) => ({
        topic: t.name,
        partition,
        deletePartition,
        leaderEpoch: NO_EPOCH,
      })),
    );
  }
  return request.topicStates.flatMap((t) =>
    t.partitionStates.map((p) => ({
      topic: t.topicName,
      partition: p.partitionIndex,
      deletePartition: p.deletePartition,
      leaderEpoch: p.leaderEpoch,
    })),
  );
}
