/**
 * One partition as this broker hosts it: its log, whether this broker is its leader or a
 * follower, the leader epoch, the ISR, and the high watermark. Modelled on Kafka's
 * `kafka.cluster.Partition` (2.8).
 *
 * States (changed only by LeaderAndIsr, through the replica manager):
 *
 *   (new) --makeLeader--> Leader  <--makeLeader/makeFollower-->  Follower <--makeFollower-- (new)
 *
 * Each transition carries a strictly larger leader epoch than the last one (the replica
 * manager rejects the others before they get here), and is logged once at `info`.
 *
 * Offsets, for this partition on this broker:
 *   logStartOffset <= lastStableOffset <= highWatermark <= logEndOffset
 *   - logEndOffset (LEO): the next offset to be written, owned by the log;
 *   - highWatermark (HW): offsets below it are "committed": every in-sync replica has them.
 *     Consumers may only read below it. Owned HERE, not by the log.
 *   - lastStableOffset (LSO, KIP-98): min(HW, first offset of the oldest transaction that is
 *     open or whose marker the HW has not passed). read_committed consumers read below it
 *     only; the log's producer state keeps the transactions (producer-state-manager.ts) and
 *     hears of every HW change (`#setHighWatermark`).
 *
 * As leader: the HW moves by `maybeIncrementLeaderHW` (the rule is explained there). The
 * leader learns each follower's LEO from the follower's Fetch requests
 * (`updateFollowerFetchState`), keeps the ISR rules of broker/replica/isr-rules.ts, and
 * proposes ISR changes: `maybeExpandIsr` when a follower catches up, `maybeShrinkIsr` when one
 * lags for longer than replica.lag.time.max.ms. A proposal is written to the partition's
 * state znode by broker/replica/isr-manager.ts, conditional on the znode version
 * (`partitionEpoch` in LeaderAndIsr, Kafka 2.8's zkVersion); only when the write succeeded
 * does the partition use the new ISR (`completeIsrUpdate`). One proposal at a time. While an
 * expansion is in flight the HW is already computed over the larger ISR, and while a shrink
 * is in flight still over the old, larger one (Kafka's "maximal ISR"): either way the HW
 * never counts a record as committed that some replica in either ISR might lack.
 *
 * As follower: broker/replica/replica-fetcher.ts copies the leader's batches with
 * `appendRecordsAsFollower` (same offsets, same epochs), sets the HW from the leader's with
 * `updateFollowerHighWatermark`, and truncates with `truncateTo` after asking the leader
 * where our latest epoch ends (OffsetsForLeaderEpoch, KIP-101).
 *
 * Leader epochs: every leader records "epoch E starts at my LEO" in the leader epoch cache
 * (broker/log/leader-epoch-cache.ts, the `leader-epoch-checkpoint` file); followers record the
 * epochs of the batches they copy. `lastOffsetForLeaderEpoch` answers OffsetsForLeaderEpoch.
 *
 * Concurrency: single-threaded and synchronous; every method runs to completion.
 */
import { invariant } from '../../src/assert.js';
import type { Logger } from '../../src/logger.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import type { LeaderAndIsrPartitionState } from '../../src/protocol/kafka/generated/leader-and-isr.js';
import { readBatches } from '../../src/protocol/kafka/record-batch.js';
import type { LeaderAndIsr } from '../../src/znodes.js';
import {
  LeaderEpochCache,
  UNDEFINED_EPOCH,
  UNDEFINED_EPOCH_OFFSET,
  type EpochEndOffset,
} from '../log/leader-epoch-cache.js';
import {
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  partitionDirName,
  type Log,
  type LogAppendInfo,
  type LogAppendResult,
  type TopicPartition,
} from '../log/log.js';
import type { RecordError } from '../log/log-validator.js';
import type { AbortedTxn } from '../log/transaction-index.js';
import type { AppendOrigin } from '../log/producer-state-manager.js';
import {
  afterFollowerFetch,
  highWatermarkFor,
  initialFollowerState,
  isCaughtUpForIsr,
  outOfSyncReplicas,
  type FollowerFetchState,
} from '../replica/isr-rules.js';

/** Kafka's "no epoch given" in requests (Fetch current_leader_epoch, ListOffsets, ...). */
export const NO_LEADER_EPOCH = -1;

export type PartitionRole = 'leader' | 'follower';

export type AppendOutcome =
  | { ok: true; info: LogAppendInfo; highWatermarkIncreased: boolean }
  | {
      ok: false;
      errorCode: number;
      message: string;
      /** The records at fault, when the log names them (Produce v8+ record_errors). */
      recordErrors?: readonly RecordError[];
    };

export interface ReadOptions {
  fetchOffset: number;
  maxBytes: number;
  /** Return the first batch whole even when larger than maxBytes (KIP-74). */
  minOneBatch: boolean;
  /**
   * read_uncommitted consumers read below the high watermark, read_committed ones below the
   * last stable offset (and get the aborted transactions of what they read); followers (and
   * debug tools) read up to the LEO.
   */
  upTo: 'lastStableOffset' | 'highWatermark' | 'logEndOffset';
  /** The client's idea of the leader epoch, or -1 when it has none. */
  currentLeaderEpoch: number;
}

export interface ReadOutcome {
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  /** Only for upTo 'lastStableOffset': the aborted transactions overlapping `records`. */
  abortedTransactions?: readonly AbortedTxn[];
  logStartOffset: number;
  logEndOffset: number;
  /** Whole batches; empty when there is nothing to read (or on error). */
  records: Buffer;
}

/**
 * An ISR change the leader wants written to `/brokers/topics/T/partitions/P/state`, conditional
 * on `zkVersion` (the version of the znode the current state came from).
 */
export interface IsrProposal {
  topicPartition: TopicPartition;
  kind: 'shrink' | 'expand';
  leaderAndIsr: LeaderAndIsr;
  zkVersion: number;
  /** For the log line: who leaves or joins. */
  changed: number[];
}

/** How the conditional write of an IsrProposal ended (broker/replica/isr-manager.ts). */
export type IsrUpdateResult =
  | { outcome: 'written'; zkVersion: number }
  /** BADVERSION: someone else (the controller) wrote the state; here it is, re-read. */
  | { outcome: 'stale'; current: { leaderAndIsr: LeaderAndIsr; zkVersion: number } | undefined }
  /** The coordinator could not be reached; the next periodic check tries again. */
  | { outcome: 'failed'; reason: string };

export interface PartitionOptions {
  topicPartition: TopicPartition;
  localBrokerId: number;
  log: Log;
  /** From the replication-offset-checkpoint file, if the partition was in it. */
  checkpointedHighWatermark: number | undefined;
  /** The partition's leader epoch cache; defaults to one kept in the log's directory. */
  leaderEpochCache?: LeaderEpochCache;
  logger: Logger;
}

export class Partition {
  readonly topicPartition: TopicPartition;
  readonly localBrokerId: number;
  readonly log: Log;
  readonly leaderEpochCache: LeaderEpochCache;
  readonly #logger: Logger;
  #role: PartitionRole = 'follower';
  #leaderId = -1;
  #leaderEpoch = -1;
  /** The LEO when this broker became leader: where its epoch starts. */
  #leaderEpochStartOffset = -1;
  #controllerEpoch = -1;
  /** The state znode's version (LeaderAndIsr's partitionEpoch): for conditional writes. */
  #zkVersion = -1;
  #isr: readonly number[] = [];
  #replicas: readonly number[] = [];
  #highWatermark: number;
  /** Followers by broker id; only meaningful while we lead. */
  #followers = new Map<number, FollowerFetchState>();
  /** Followers' log start offsets, as their fetches report them (DeleteRecords). */
  #followerLogStartOffsets = new Map<number, number>();
  /** The ISR change being written, if any (one at a time). */
  #pendingIsr: IsrProposal | undefined;

  constructor(options: PartitionOptions) {
    this.topicPartition = options.topicPartition;
    this.localBrokerId = options.localBrokerId;
    this.log = options.log;
    this.#logger = options.logger.child({
      component: 'partition',
      partition: partitionDirName(options.topicPartition),
    });
    this.leaderEpochCache = options.leaderEpochCache ?? new LeaderEpochCache(options.log.dir);
    // The log may have lost an unflushed tail in a crash: epochs past its end are void.
    this.leaderEpochCache.truncateFromEnd(this.log.logEndOffset);
    // A checkpoint can be ahead of a log that lost its unflushed tail in a crash; the HW
    // must never exceed the LEO.
    this.#highWatermark = Math.min(options.checkpointedHighWatermark ?? 0, this.log.logEndOffset);
    this.log.producerState.onHighWatermarkUpdated(this.#highWatermark);
  }

  /**
   * Every change of the high watermark goes through here: the producer state drops the
   * completed transactions whose markers are now committed, which may move the LSO.
   */
  #setHighWatermark(highWatermark: number): void {
    this.#highWatermark = highWatermark;
    this.log.producerState.onHighWatermarkUpdated(highWatermark);
  }

  get role(): PartitionRole {
    return this.#role;
  }
  get isLeader(): boolean {
    return this.#role === 'leader';
  }
  get leaderId(): number {
    return this.#leaderId;
  }
  get leaderEpoch(): number {
    return this.#leaderEpoch;
  }
  get controllerEpoch(): number {
    return this.#controllerEpoch;
  }
  get zkVersion(): number {
    return this.#zkVersion;
  }
  get isr(): readonly number[] {
    return this.#isr;
  }
  get replicas(): readonly number[] {
    return this.#replicas;
  }
  get highWatermark(): number {
    return this.#highWatermark;
  }
  /**
   * min(HW, first unstable offset): where read_committed consumers stop. A transaction whose
   * first records retention or DeleteRecords removed counts from the log start offset, as in
   * Kafka's maybeIncrementFirstUnstableOffset.
   */
  get lastStableOffset(): number {
    const firstUnstable = this.log.producerState.firstUnstableOffset;
    if (firstUnstable === undefined) return this.#highWatermark;
    return Math.min(this.#highWatermark, Math.max(firstUnstable, this.log.logStartOffset));
  }
  get logEndOffset(): number {
    return this.log.logEndOffset;
  }
  get logStartOffset(): number {
    return this.log.logStartOffset;
  }
  get leaderEpochStartOffset(): number {
    return this.#leaderEpochStartOffset;
  }
  get pendingIsrUpdate(): IsrProposal | undefined {
    return this.#pendingIsr;
  }
  /** What the leader knows of a follower (tests and logs). */
  followerState(replicaId: number): Readonly<FollowerFetchState> | undefined {
    return this.#followers.get(replicaId);
  }

  // ---------------------------------------------------------------------------------------
  // Becoming leader or follower (LeaderAndIsr)
  // ---------------------------------------------------------------------------------------

  /**
   * Takes the leadership the controller assigned. The followers' offsets are forgotten: a
   * new leader knows nothing about them until they fetch. The HW is kept (it may be below
   * the LEO: the records above it were never committed by the old leader) and can only rise.
   * The new epoch starts at our LEO: that is what followers will truncate to if they have
   * records of an older epoch beyond it.
   */
  makeLeader(state: LeaderAndIsrPartitionState, nowMs: number): void {
    invariant(state.leader === this.localBrokerId, 'makeLeader for another leader');
    invariant(state.leaderEpoch > this.#leaderEpoch, 'leader epochs only go up');
    const previous = this.#describe();
    this.#applyState(state);
    this.#role = 'leader';
    this.#leaderEpochStartOffset = this.log.logEndOffset;
    this.leaderEpochCache.assign(state.leaderEpoch, this.log.logEndOffset);
    this.#followers = new Map();
    this.#followerLogStartOffsets = new Map();
    for (const replica of state.replicas) {
      if (replica !== this.localBrokerId) {
        const inIsr = state.isr.includes(replica);
        this.#followers.set(replica, initialFollowerState({ inIsr, nowMs }));
      }
    }
    this.maybeIncrementLeaderHW();
    this.#logger.info(
      { from: previous, to: this.#describe(), leaderEpochStartOffset: this.log.logEndOffset },
      `became leader at epoch ${state.leaderEpoch}`,
    );
  }

  /**
   * Follows `state.leader`: from now on Produce and consumer Fetch requests get
   * NOT_LEADER_OR_FOLLOWER, and the replica manager hands the partition to the replica
   * fetcher for the new leader, which truncates (OffsetsForLeaderEpoch) and then fetches.
   */
  makeFollower(state: LeaderAndIsrPartitionState): void {
    invariant(state.leaderEpoch > this.#leaderEpoch, 'leader epochs only go up');
    const previous = this.#describe();
    this.#applyState(state);
    this.#role = 'follower';
    this.#leaderEpochStartOffset = -1;
    this.#followers = new Map();
    this.#logger.info(
      { from: previous, to: this.#describe() },
      `became follower of ${state.leader} at epoch ${state.leaderEpoch}`,
    );
  }

  #applyState(state: LeaderAndIsrPartitionState): void {
    this.#leaderId = state.leader;
    this.#leaderEpoch = state.leaderEpoch;
    this.#controllerEpoch = state.controllerEpoch;
    this.#zkVersion = state.partitionEpoch;
    this.#isr = [...state.isr];
    this.#replicas = [...state.replicas];
    // A write in flight was based on the old state; its result will be ignored.
    this.#pendingIsr = undefined;
  }

  #describe(): object {
    return {
      role: this.#role,
      leader: this.#leaderId,
      leaderEpoch: this.#leaderEpoch,
      isr: this.#isr,
      zkVersion: this.#zkVersion,
    };
  }

  // ---------------------------------------------------------------------------------------
  // The high watermark and the ISR (leader side)
  // ---------------------------------------------------------------------------------------

  /**
   * Recomputes the high watermark on the leader; returns whether it moved.
   *
   * The rule (Kafka's Partition.maybeIncrementLeaderHW): HW = the smallest LEO among the
   * replicas in the ISR, the leader included. Why the minimum: a record is "committed" once
   * every in-sync replica has it, because then any of them can become leader without losing
   * it (the controller only elects leaders from the ISR). Why only the ISR: a dead or slow
   * follower would otherwise stop the HW, and with it every consumer and acks=-1 producer;
   * instead such a follower leaves the ISR after replica.lag.time.max.ms (`maybeShrinkIsr`).
   *
   * Two details, both from Kafka:
   *   - the HW never goes backwards (a replica re-joining the ISR with a smaller LEO must not
   *     un-commit records consumers have already seen), hence the `>` test below;
   *   - the ISR counted is the "maximal" one: the current ISR plus any replica a pending
   *     expansion adds. A replica leaving by a pending shrink still counts until the write
   *     succeeded, because until then the controller may still elect it.
   *
   * With a single replica the minimum is the leader's own LEO, so the HW equals the LEO
   * right after every append: acks=-1 then succeeds as soon as the leader has appended,
   * exactly as Kafka does with replication factor 1 and min.insync.replicas=1.
   */
  maybeIncrementLeaderHW(): boolean {
    if (!this.isLeader) return false;
    const newHighWatermark = highWatermarkFor({
      leaderId: this.localBrokerId,
      leaderLogEndOffset: this.log.logEndOffset,
      isr: this.#maximalIsr(),
      followers: this.#followers,
    });
    if (newHighWatermark > this.#highWatermark) {
      invariant(newHighWatermark <= this.log.logEndOffset, 'HW beyond LEO');
      this.#setHighWatermark(newHighWatermark);
      return true;
    }
    return false;
  }

  #maximalIsr(): readonly number[] {
    const pending = this.#pendingIsr;
    if (pending === undefined || pending.kind === 'shrink') return this.#isr;
    return pending.leaderAndIsr.isr;
  }

  /**
   * A follower's Fetch tells the leader the follower's LEO: everything below its fetch offset
   * is on the follower. Returns whether the HW moved (then acks=-1 producers and consumers
   * waiting on this partition may complete) and, if the follower has now caught up while
   * outside the ISR, the ISR expansion to write.
   */
  updateFollowerFetchState(
    replicaId: number,
    fetchOffset: number,
    nowMs: number,
  ): { highWatermarkIncreased: boolean; isrProposal: IsrProposal | undefined } {
    const follower = this.#followers.get(replicaId);
    if (!this.isLeader || follower === undefined) {
      return { highWatermarkIncreased: false, isrProposal: undefined };
    }
    this.#followers.set(
      replicaId,
      afterFollowerFetch(follower, {
        fetchOffset,
        leaderLogEndOffset: this.log.logEndOffset,
        nowMs,
      }),
    );
    const isrProposal = this.#maybeExpandIsr(replicaId, fetchOffset);
    return { highWatermarkIncreased: this.maybeIncrementLeaderHW(), isrProposal };
  }

  #maybeExpandIsr(replicaId: number, followerLogEndOffset: number): IsrProposal | undefined {
    if (this.#pendingIsr !== undefined || this.#isr.includes(replicaId)) return undefined;
    const caughtUp = isCaughtUpForIsr({
      followerLogEndOffset,
      highWatermark: this.#highWatermark,
      leaderEpochStartOffset: this.#leaderEpochStartOffset,
    });
    if (!caughtUp) return undefined;
    return this.#propose('expand', [...this.#isr, replicaId], [replicaId]);
  }

  /**
   * The periodic check (every replica.lag.time.max.ms / 2, from isr-manager.ts): the ISR
   * without the followers that have not caught up within `replicaLagTimeMaxMs`, or undefined
   * when everyone is in sync (or a change is already being written).
   */
  maybeShrinkIsr(nowMs: number, replicaLagTimeMaxMs: number): IsrProposal | undefined {
    if (!this.isLeader || this.#pendingIsr !== undefined) return undefined;
    const out = outOfSyncReplicas({
      leaderId: this.localBrokerId,
      isr: this.#isr,
      followers: this.#followers,
      nowMs,
      replicaLagTimeMaxMs,
    });
    if (out.length === 0) return undefined;
    return this.#propose(
      'shrink',
      this.#isr.filter((r) => !out.includes(r)),
      out,
    );
  }

  #propose(kind: IsrProposal['kind'], isr: number[], changed: number[]): IsrProposal {
    const proposal: IsrProposal = {
      topicPartition: this.topicPartition,
      kind,
      leaderAndIsr: {
        leader: this.localBrokerId,
        leaderEpoch: this.#leaderEpoch,
        isr,
        controllerEpoch: this.#controllerEpoch,
      },
      zkVersion: this.#zkVersion,
      changed,
    };
    this.#pendingIsr = proposal;
    return proposal;
  }

  /**
   * The result of writing `proposal`. Written: the new ISR is in force (and the HW may move:
   * a shrink can let it pass a lagging follower). Stale: a newer state exists in the
   * coordinator. If it still names us leader at our epoch (the controller changed only the
   * ISR) we adopt it and may propose again; otherwise we stop acting on our old state and
   * wait for the controller's LeaderAndIsr. Returns whether the HW moved.
   */
  completeIsrUpdate(proposal: IsrProposal, result: IsrUpdateResult): boolean {
    if (this.#pendingIsr !== proposal) return false; // superseded by a LeaderAndIsr meanwhile
    this.#pendingIsr = undefined;
    switch (result.outcome) {
      case 'written': {
        const from = this.#isr;
        this.#isr = [...proposal.leaderAndIsr.isr];
        this.#zkVersion = result.zkVersion;
        const verb = proposal.kind === 'shrink' ? 'shrinking' : 'expanding';
        this.#logger.info(
          { from, to: this.#isr, changed: proposal.changed, zkVersion: result.zkVersion },
          `ISR ${verb} from ${from.join(',')} to ${this.#isr.join(',')}`,
        );
        return this.maybeIncrementLeaderHW();
      }
      case 'stale': {
        const current = result.current;
        const stillOurs =
          current !== undefined &&
          current.leaderAndIsr.leader === this.localBrokerId &&
          current.leaderAndIsr.leaderEpoch === this.#leaderEpoch;
        this.#logger.info(
          { proposed: proposal.leaderAndIsr, current, adopted: stillOurs },
          'ISR update refused: the state znode has a newer version',
        );
        if (stillOurs) {
          this.#isr = [...current.leaderAndIsr.isr];
          this.#zkVersion = current.zkVersion;
          return this.maybeIncrementLeaderHW();
        }
        return false;
      }
      case 'failed':
        this.#logger.warn({ reason: result.reason }, 'ISR update not written; will retry');
        return false;
    }
  }

  /**
   * For acks=-1: whether the HW has passed `requiredOffset` (the offset after the last
   * appended record). NOT_ENOUGH_REPLICAS_AFTER_APPEND when it has, but the ISR shrank below
   * min.insync.replicas meanwhile (Kafka's checkEnoughReplicasReachOffset).
   */
  checkEnoughReplicasReachOffset(
    requiredOffset: number,
    minInsyncReplicas: number,
  ): { done: false } | { done: true; errorCode: number } {
    if (!this.isLeader) return { done: true, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
    if (this.#highWatermark < requiredOffset) return { done: false };
    const enough = this.#isr.length >= minInsyncReplicas;
    return {
      done: true,
      errorCode: enough ? ErrorCode.NONE : ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
    };
  }

  // ---------------------------------------------------------------------------------------
  // Appending, reading, offsets (leader side)
  // ---------------------------------------------------------------------------------------

  /**
   * Appends a Produce request's records as leader (validation and offset assignment happen in
   * the log), then moves the HW if it can. acks=-1 is refused up front with
   * NOT_ENOUGH_REPLICAS when the ISR is smaller than min.insync.replicas: appending records
   * that cannot become committed soon would only make the producer wait for a timeout.
   */
  appendRecordsToLeader(
    records: Buffer,
    options: { acks: number; minInsyncReplicas: number; origin?: AppendOrigin },
  ): AppendOutcome {
    if (!this.isLeader) {
      return {
        ok: false,
        errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
        message:
          `broker ${this.localBrokerId} is not the ` +
          `leader of ${partitionDirName(this.topicPartition)} (leader ${this.#leaderId})`,
      };
    }
    if (options.acks === -1 && this.#isr.length < options.minInsyncReplicas) {
      return {
        ok: false,
        errorCode: ErrorCode.NOT_ENOUGH_REPLICAS,
        message:
          `ISR ${this.#isr.join(',')} is smaller ` +
          `than min.insync.replicas ${options.minInsyncReplicas}`,
      };
    }
    const result = this.log.appendAsLeader(records, {
      leaderEpoch: this.#leaderEpoch,
      origin: options.origin ?? 'client',
    });
    if (!result.ok) {
      const { errorCode, message } = result.error;
      const recordErrors = 'recordErrors' in result.error ? result.error.recordErrors : undefined;
      return { ok: false, errorCode, message, recordErrors };
    }
    return { ok: true, info: result.info, highWatermarkIncreased: this.maybeIncrementLeaderHW() };
  }

  /**
   * Kafka's `checkCurrentLeaderEpoch`: a client that names an epoch must name ours. An older
   * one means its metadata is stale (FENCED_LEADER_EPOCH: refresh and retry); a newer one
   * means ours is (UNKNOWN_LEADER_EPOCH: the LeaderAndIsr has not reached us yet).
   */
  checkCurrentLeaderEpoch(requested: number): number {
    if (requested === NO_LEADER_EPOCH || requested === this.#leaderEpoch) return ErrorCode.NONE;
    return requested < this.#leaderEpoch
      ? ErrorCode.FENCED_LEADER_EPOCH
      : ErrorCode.UNKNOWN_LEADER_EPOCH;
  }

  read(options: ReadOptions): ReadOutcome {
    const lastStableOffset = this.lastStableOffset;
    const outcome = (errorCode: number, records = EMPTY): ReadOutcome => ({
      errorCode,
      highWatermark: this.#highWatermark,
      lastStableOffset,
      logStartOffset: this.log.logStartOffset,
      logEndOffset: this.log.logEndOffset,
      records,
    });
    const epochError = this.checkCurrentLeaderEpoch(options.currentLeaderEpoch);
    if (epochError !== ErrorCode.NONE) return outcome(epochError);
    const readCommitted = options.upTo === 'lastStableOffset';
    const maxOffset = {
      lastStableOffset,
      highWatermark: this.#highWatermark,
      logEndOffset: undefined,
    }[options.upTo];
    const result = this.log.read({
      fetchOffset: options.fetchOffset,
      maxBytes: options.maxBytes,
      minOneBatch: options.minOneBatch,
      maxOffset,
      includeAbortedTxns: readCommitted,
    });
    if (!result.ok) return outcome(result.errorCode);
    if (!readCommitted) return outcome(0, result.records);
    return { ...outcome(0, result.records), abortedTransactions: result.abortedTransactions ?? [] };
  }

  /**
   * OffsetsForLeaderEpoch on the leader (Kafka's lastOffsetForLeaderEpoch): where
   * `leaderEpoch` ends in our log. A follower truncates to the answer (when its own log has
   * that epoch ending later), which is how replicas that diverged in a failover converge.
   */
  lastOffsetForLeaderEpoch(options: {
    currentLeaderEpoch: number;
    leaderEpoch: number;
  }): { errorCode: number } & EpochEndOffset {
    const fail = (errorCode: number) => ({
      errorCode,
      epoch: UNDEFINED_EPOCH,
      endOffset: UNDEFINED_EPOCH_OFFSET,
    });
    if (!this.isLeader) return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const epochError = this.checkCurrentLeaderEpoch(options.currentLeaderEpoch);
    if (epochError !== ErrorCode.NONE) return fail(epochError);
    const answer = this.leaderEpochCache.endOffsetFor(options.leaderEpoch, this.log.logEndOffset);
    return { errorCode: ErrorCode.NONE, ...answer };
  }

  /**
   * ListOffsets on the leader. For consumers, "latest" is the last offset they may fetch: the
   * LSO for read_committed, the HW for read_uncommitted; a timestamp lookup may not return an
   * offset at or above it. Other replica ids (isolation undefined) see up to the LEO, as in
   * Kafka's fetchOffsetForTimestamp. Returns undefined when no record has a timestamp >=
   * `timestamp` (answered as offset -1).
   */
  fetchOffsetForTimestamp(
    timestamp: number,
    isolation: 'readCommitted' | 'readUncommitted' | undefined,
  ): { offset: number; timestamp: number } | undefined {
    const lastFetchable =
      isolation === 'readCommitted'
        ? this.lastStableOffset
        : isolation === 'readUncommitted'
          ? this.#highWatermark
          : this.log.logEndOffset;
    if (timestamp === LATEST_TIMESTAMP) return { offset: lastFetchable, timestamp: -1 };
    if (timestamp === EARLIEST_TIMESTAMP) {
      return { offset: this.log.logStartOffset, timestamp: -1 };
    }
    const found = this.log.offsetForTimestamp(timestamp);
    if (found === undefined || found.offset >= lastFetchable) return undefined;
    return found;
  }

  // ---------------------------------------------------------------------------------------
  // The follower side (driven by broker/replica/replica-fetcher.ts)
  // ---------------------------------------------------------------------------------------

  /**
   * Appends batches fetched from the leader as the leader wrote them: same offsets, same
   * leader epochs (the log checks only their integrity). Each new epoch seen is recorded in
   * the leader epoch cache at the batch's base offset, so that this replica can answer
   * OffsetsForLeaderEpoch correctly if it becomes leader.
   */
  appendRecordsAsFollower(records: Buffer): LogAppendResult {
    invariant(!this.isLeader, 'follower append on the leader');
    const result = this.log.appendAsFollower(records);
    if (!result.ok) return result;
    for (const batch of readBatches(records).batches) {
      const latest = this.leaderEpochCache.latestEpoch;
      if (latest === undefined || batch.partitionLeaderEpoch > latest) {
        this.leaderEpochCache.assign(batch.partitionLeaderEpoch, batch.baseOffset);
      }
    }
    return result;
  }

  /**
   * The follower's HW is the leader's, capped by our own LEO (we cannot call committed what
   * we do not have yet). Unlike the leader's it may go down, after a truncation.
   */
  updateFollowerHighWatermark(leaderHighWatermark: number): void {
    if (this.isLeader) return;
    this.#setHighWatermark(Math.max(0, Math.min(leaderHighWatermark, this.log.logEndOffset)));
  }

  /** The leader's log starts later (retention): follow it. */
  maybeIncrementLogStartOffset(leaderLogStartOffset: number): void {
    const offset = Math.min(leaderLogStartOffset, this.log.logEndOffset);
    if (offset > this.log.logStartOffset) {
      this.log.maybeIncrementLogStartOffset(offset);
      this.leaderEpochCache.truncateFromStart(offset);
    }
  }

  /** Removes every record at or above `offset` (KIP-101 truncation), epochs included. */
  truncateTo(offset: number): void {
    invariant(!this.isLeader, 'truncation on the leader');
    // Epochs starting at or after `offset` go even when no record does (an epoch a leader
    // began and wrote nothing in): the truncation rounds rely on that to make progress.
    this.leaderEpochCache.truncateFromEnd(offset);
    if (offset >= this.log.logEndOffset) return;
    this.#logger.info(
      { from: this.log.logEndOffset, to: offset, leaderEpoch: this.#leaderEpoch },
      `truncating to offset ${offset}`,
    );
    this.log.truncateTo(offset);
    this.#setHighWatermark(Math.min(this.#highWatermark, this.log.logEndOffset));
  }

  /** Empties the log and restarts it at `offset` (our fetch offset fell off the leader's log). */
  truncateFullyAndStartAt(offset: number): void {
    invariant(!this.isLeader, 'truncation on the leader');
    this.#logger.info({ offset }, `restarting the log at offset ${offset}`);
    this.log.truncateFullyAndStartAt(offset);
    this.leaderEpochCache.clear();
    this.#setHighWatermark(offset);
  }

  // ---------------------------------------------------------------------------------------
  // DeleteRecords (Kafka's deleteRecordsOnLeader and lowWatermarkIfLeader; the request's
  // flow is in broker/server/delete-records.ts)
  // ---------------------------------------------------------------------------------------

  /** Records a follower's log start offset, as its Fetch (v5+) reports it. */
  updateFollowerLogStartOffset(replicaId: number, logStartOffset: number): void {
    if (this.isLeader) this.#followerLogStartOffsets.set(replicaId, logStartOffset);
  }

  /**
   * The smallest log start offset among the leader and the followers on live brokers (a
   * follower not heard from yet counts as -1): a DeleteRecords is complete once this reaches
   * the offset it asked for, i.e. every live replica has moved its start offset too.
   */
  lowWatermark(isBrokerAlive: (brokerId: number) => boolean): number {
    let low = this.log.logStartOffset;
    for (const replica of this.#replicas) {
      if (replica === this.localBrokerId || !isBrokerAlive(replica)) continue;
      low = Math.min(low, this.#followerLogStartOffsets.get(replica) ?? -1);
    }
    return low;
  }

  /**
   * Moves the log start offset to `offset` (-1: the high watermark). OFFSET_OUT_OF_RANGE
   * below 0 or above the high watermark (records not committed yet cannot be deleted),
   * NOT_LEADER_OR_FOLLOWER off the leader, POLICY_VIOLATION when cleanup.policy has no
   * `delete` (Kafka: records of a compact-only topic are removed by the cleaner alone).
   */
  deleteRecordsOnLeader(offset: number): DeleteRecordsOutcome {
    if (!this.isLeader) return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, requestedOffset: -1 };
    if (!this.log.config.cleanupPolicy.includes('delete'))
      return { errorCode: ErrorCode.POLICY_VIOLATION, requestedOffset: -1 };
    const target = offset === DELETE_RECORDS_HIGH_WATERMARK ? this.#highWatermark : offset;
    if (target < 0 || target > this.#highWatermark)
      return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, requestedOffset: -1 };
    if (target > this.log.logStartOffset) {
      this.log.maybeIncrementLogStartOffset(target);
      this.leaderEpochCache.truncateFromStart(target);
      this.#logger.info({ logStartOffset: target }, `DeleteRecords: log start offset ${target}`);
    }
    return { errorCode: ErrorCode.NONE, requestedOffset: target };
  }
}

/** DeleteRecordsRequest.HIGH_WATERMARK: "delete everything below the high watermark". */
export const DELETE_RECORDS_HIGH_WATERMARK = -1;

export interface DeleteRecordsOutcome {
  errorCode: number;
  /** Where the log start offset now is at least (-1 on error). */
  requestedOffset: number;
}

const EMPTY: Buffer = Buffer.alloc(0);
