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
 *   logStartOffset <= highWatermark <= logEndOffset
 *   - logEndOffset (LEO): the next offset to be written, owned by the log;
 *   - highWatermark (HW): offsets below it are "committed": every in-sync replica has them.
 *     Consumers may only read below it. Owned HERE, not by the log.
 *
 * How the high watermark moves, on the leader: see `maybeIncrementLeaderHW`. With a single
 * replica the ISR is just the leader, so the HW follows the LEO on every append. With more
 * replicas the leader learns each follower's LEO from the follower's Fetch requests
 * (`updateFollowerFetchState`); until a follower fetches, the HW cannot pass what it has.
 * Not done yet (they come with replication): shrinking/expanding the ISR (c.3) and the
 * follower side (truncation and fetching from the leader, c.2/c.4).
 *
 * Concurrency: single-threaded and synchronous; every method runs to completion.
 */
import { invariant } from '../../src/assert.js';
import type { Logger } from '../../src/logger.js';
import type { LeaderAndIsrPartitionState } from '../../src/protocol/kafka/generated/leader-and-isr.js';
import {
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  partitionDirName,
  type Log,
  type LogAppendInfo,
  type TopicPartition,
} from '../log/log.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';

/** Kafka's "no epoch given" in requests (Fetch current_leader_epoch, ListOffsets, ...). */
export const NO_LEADER_EPOCH = -1;

export type PartitionRole = 'leader' | 'follower';

/** What the leader knows about a follower: from its last Fetch. */
interface FollowerState {
  logEndOffset: number;
  lastFetchTimeMs: number;
}

export type AppendOutcome =
  | { ok: true; info: LogAppendInfo; highWatermarkIncreased: boolean }
  | { ok: false; errorCode: number; message: string };

export interface ReadOptions {
  fetchOffset: number;
  maxBytes: number;
  /** Return the first batch whole even when larger than maxBytes (KIP-74). */
  minOneBatch: boolean;
  /** Consumers read below the high watermark; followers (and debug tools) up to the LEO. */
  upTo: 'highWatermark' | 'logEndOffset';
  /** The client's idea of the leader epoch, or -1 when it has none. */
  currentLeaderEpoch: number;
}

export interface ReadOutcome {
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
  /** Whole batches; empty when there is nothing to read (or on error). */
  records: Buffer;
}

export interface PartitionOptions {
  topicPartition: TopicPartition;
  localBrokerId: number;
  log: Log;
  /** From the replication-offset-checkpoint file, if the partition was in it. */
  checkpointedHighWatermark: number | undefined;
  logger: Logger;
}

export class Partition {
  readonly topicPartition: TopicPartition;
  readonly localBrokerId: number;
  readonly log: Log;
  readonly #logger: Logger;
  #role: PartitionRole = 'follower';
  #leaderId = -1;
  #leaderEpoch = -1;
  #controllerEpoch = -1;
  #partitionEpoch = -1;
  #isr: readonly number[] = [];
  #replicas: readonly number[] = [];
  #highWatermark: number;
  /** Followers by broker id; only meaningful while we lead. */
  #followers = new Map<number, FollowerState>();

  constructor(options: PartitionOptions) {
    this.topicPartition = options.topicPartition;
    this.localBrokerId = options.localBrokerId;
    this.log = options.log;
    this.#logger = options.logger.child({
      component: 'partition',
      partition: partitionDirName(options.topicPartition),
    });
    // A checkpoint can be ahead of a log that lost its unflushed tail in a crash; the HW
    // must never exceed the LEO.
    this.#highWatermark = Math.min(options.checkpointedHighWatermark ?? 0, this.log.logEndOffset);
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
  get isr(): readonly number[] {
    return this.#isr;
  }
  get replicas(): readonly number[] {
    return this.#replicas;
  }
  get highWatermark(): number {
    return this.#highWatermark;
  }
  get logEndOffset(): number {
    return this.log.logEndOffset;
  }
  get logStartOffset(): number {
    return this.log.logStartOffset;
  }

  // ---------------------------------------------------------------------------------------
  // Becoming leader or follower (LeaderAndIsr)
  // ---------------------------------------------------------------------------------------

  /**
   * Takes the leadership the controller assigned. The followers' offsets are forgotten: a
   * new leader knows nothing about them until they fetch. The HW is kept (it may be below
   * the LEO: the records above it were never committed by the old leader) and can only rise.
   */
  makeLeader(state: LeaderAndIsrPartitionState, nowMs: number): void {
    invariant(state.leader === this.localBrokerId, 'makeLeader for another leader');
    invariant(state.leaderEpoch > this.#leaderEpoch, 'leader epochs only go up');
    const previous = this.#describe();
    this.#applyState(state);
    this.#role = 'leader';
    this.#followers = new Map();
    for (const replica of state.replicas) {
      if (replica !== this.localBrokerId) {
        this.#followers.set(replica, { logEndOffset: -1, lastFetchTimeMs: nowMs });
      }
    }
    this.maybeIncrementLeaderHW();
    this.#logger.info(
      { from: previous, to: this.#describe() },
      `became leader at epoch ${state.leaderEpoch}`,
    );
  }

  /**
   * Follows `state.leader`. Truncation and fetching from the leader belong to the replica
   * fetcher (not written yet); here we only record who leads and at which epoch, so that
   * Produce and consumer Fetch requests get NOT_LEADER_OR_FOLLOWER.
   */
  makeFollower(state: LeaderAndIsrPartitionState): void {
    invariant(state.leaderEpoch > this.#leaderEpoch, 'leader epochs only go up');
    const previous = this.#describe();
    this.#applyState(state);
    this.#role = 'follower';
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
    this.#partitionEpoch = state.partitionEpoch;
    this.#isr = [...state.isr];
    this.#replicas = [...state.replicas];
  }

  #describe(): object {
    return {
      role: this.#role,
      leader: this.#leaderId,
      leaderEpoch: this.#leaderEpoch,
      isr: this.#isr,
      partitionEpoch: this.#partitionEpoch,
    };
  }

  // ---------------------------------------------------------------------------------------
  // The high watermark
  // ---------------------------------------------------------------------------------------

  /**
   * Recomputes the high watermark on the leader; returns whether it moved.
   *
   * The rule (Kafka's Partition.maybeIncrementLeaderHW): HW = the smallest LEO among the
   * replicas in the ISR, the leader included. Why the minimum: a record is "committed" once
   * every in-sync replica has it, because then any of them can become leader without losing
   * it (the controller only elects leaders from the ISR). Why only the ISR: a dead or slow
   * follower would otherwise stop the HW, and with it every consumer and acks=-1 producer.
   *
   * Two details Kafka adds that we keep in the same place for when ISR changes arrive:
   *   - the HW never goes backwards (a replica re-joining the ISR with a smaller LEO must not
   *     un-commit records consumers have already seen), hence the `>` test below;
   *   - Kafka also counts followers that caught up recently but are not yet in the ISR, so
   *     that the HW cannot be held back while the ISR is being expanded. With no ISR expansion
   *     yet there is nothing to count.
   *
   * With a single replica (the only case until replication lands) the minimum is the leader's
   * own LEO, so the HW equals the LEO right after every append: acks=-1 then succeeds as soon
   * as the leader has appended, exactly as Kafka does with replication factor 1 and
   * min.insync.replicas=1.
   */
  maybeIncrementLeaderHW(): boolean {
    if (!this.isLeader) return false;
    let newHighWatermark = this.log.logEndOffset;
    for (const replica of this.#isr) {
      if (replica === this.localBrokerId) continue;
      // A follower that has not fetched since we became leader counts as offset -1... but
      // never below the current HW, which only moves forward.
      const follower = this.#followers.get(replica);
      newHighWatermark = Math.min(newHighWatermark, follower?.logEndOffset ?? -1);
    }
    if (newHighWatermark > this.#highWatermark) {
      invariant(newHighWatermark <= this.log.logEndOffset, 'HW beyond LEO');
      this.#highWatermark = newHighWatermark;
      return true;
    }
    return false;
  }

  /**
   * A follower's Fetch tells the leader the follower's LEO: everything below its fetch offset
   * is on the follower. Returns whether the HW moved (then acks=-1 producers and consumers
   * waiting on this partition may complete).
   */
  updateFollowerFetchState(replicaId: number, fetchOffset: number, nowMs: number): boolean {
    const follower = this.#followers.get(replicaId);
    if (follower === undefined) return false;
    follower.logEndOffset = fetchOffset;
    follower.lastFetchTimeMs = nowMs;
    return this.maybeIncrementLeaderHW();
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
    const errorCode = enough ? ErrorCode.NONE : ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
    return { done: true, errorCode };
  }

  // ---------------------------------------------------------------------------------------
  // Appending, reading, offsets
  // ---------------------------------------------------------------------------------------

  /**
   * Appends a Produce request's records as leader (validation and offset assignment happen in
   * the log), then moves the HW if it can. acks=-1 is refused up front with
   * NOT_ENOUGH_REPLICAS when the ISR is smaller than min.insync.replicas: appending records
   * that cannot become committed soon would only make the producer wait for a timeout.
   */
  appendRecordsToLeader(
    records: Buffer,
    options: { acks: number; minInsyncReplicas: number },
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
      }; // NOT_ENOUGH_REPLICAS
    }
    const result = this.log.appendAsLeader(records, { leaderEpoch: this.#leaderEpoch });
    if (!result.ok) {
      return { ok: false, errorCode: result.error.errorCode, message: result.error.message };
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
    const outcome = (errorCode: number, records = EMPTY): ReadOutcome => ({
      errorCode,
      highWatermark: this.#highWatermark,
      logStartOffset: this.log.logStartOffset,
      logEndOffset: this.log.logEndOffset,
      records,
    });
    const epochError = this.checkCurrentLeaderEpoch(options.currentLeaderEpoch);
    if (epochError !== ErrorCode.NONE) return outcome(epochError);
    const result = this.log.read({
      fetchOffset: options.fetchOffset,
      maxBytes: options.maxBytes,
      minOneBatch: options.minOneBatch,
      maxOffset: options.upTo === 'highWatermark' ? this.#highWatermark : undefined,
    });
    if (!result.ok) return outcome(result.errorCode);
    return outcome(0, result.records);
  }

  /**
   * ListOffsets on the leader. For consumers, "latest" is the HW (they cannot read past it)
   * and a timestamp lookup may not return an offset at or above the HW. Returns undefined when
   * no record has a timestamp >= `timestamp` (answered as offset -1).
   */
  fetchOffsetForTimestamp(
    timestamp: number,
    isFromConsumer: boolean,
  ): { offset: number; timestamp: number } | undefined {
    const lastFetchable = isFromConsumer ? this.#highWatermark : this.log.logEndOffset;
    if (timestamp === LATEST_TIMESTAMP) return { offset: lastFetchable, timestamp: -1 };
    if (timestamp === EARLIEST_TIMESTAMP) {
      return { offset: this.log.logStartOffset, timestamp: -1 };
    }
    const found = this.log.offsetForTimestamp(timestamp);
    if (found === undefined || found.offset >= lastFetchable) return undefined;
    return found;
  }
}

const EMPTY: Buffer = Buffer.alloc(0);
