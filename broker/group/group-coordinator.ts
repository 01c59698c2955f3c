/**
 * The group coordinator's decisions: the classic consumer group protocol (JoinGroup,
 * SyncGroup, Heartbeat, LeaveGroup), committed offsets, and the group admin operations, for
 * every group whose `__consumer_offsets` partition this broker leads. Modelled on Kafka's
 * `GroupCoordinator` (kafka.coordinator.group, 2.8); the states are described in
 * group-metadata.ts.
 *
 * No sockets, no disk, no real clock: requests come in as plain objects, replies go out
 * through callbacks (a JoinGroup or SyncGroup reply may be held for a whole rebalance), time
 * comes from an injected Scheduler (session timeouts, the rebalance timeout and
 * group.initial.rebalance.delay.ms), and writes to `__consumer_offsets` go through the
 * `GroupStore` interface (group-metadata-manager.ts implements it on the replica manager;
 * tests use an in-memory one). Tests drive all of it with a ManualScheduler.
 *
 * A rebalance, step by step:
 *   1. A member joins (or leaves, or its session expires, or changes its protocols): the
 *      group moves to PreparingRebalance. Its JoinGroup reply is held.
 *   2. Every other member learns of the rebalance from its next Heartbeat
 *      (REBALANCE_IN_PROGRESS) and sends JoinGroup again; those replies are held too.
 *   3. When every known member has rejoined (or the rebalance timeout, the longest of the
 *      members' rebalance.timeout.ms, is over: latecomers are removed), the join phase ends:
 *      a new generation, a protocol everybody supports, and a JoinGroup reply to each member;
 *      the leader's carries every member's subscription. The group is CompletingRebalance.
 *      For a group that was Empty the join phase lasts at least
 *      group.initial.rebalance.delay.ms (and as long again each time another member joins,
 *      up to the rebalance timeout), so that a whole fleet starting together makes one
 *      generation, not one per member.
 *   4. The leader computes the assignment and sends it in its SyncGroup. The coordinator
 *      writes the group (members and assignment) to `__consumer_offsets`, then hands every
 *      member its part in its SyncGroup reply. The group is Stable.
 *
 * Every held reply is answered exactly once (the socket server answers each connection's
 * requests in order, so a reply held forever would stall the connection): with the result,
 * or with an error when the member is removed (UNKNOWN_MEMBER_ID), fenced
 * (FENCED_INSTANCE_ID), the rebalance restarts (REBALANCE_IN_PROGRESS), or the partition
 * moves to another broker (NOT_COORDINATOR).
 *
 * Concurrency: Node runs one callback at a time, and every state change here is made
 * synchronously; the only awaits are the GroupStore writes, after which the group's state
 * and generation are checked again (another rebalance may have started meanwhile).
 */
import { randomUUID } from 'node:crypto';
import { unreachable } from '../../src/assert.js';
import type { Logger } from '../../src/logger.js';
import type { Scheduler, Timer } from '../../src/scheduler.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import {
  CONSUMER_PROTOCOL_TYPE,
  decodeConsumerSubscription,
} from '../../src/protocol/kafka/consumer-protocol.js';
import {
  GroupMetadata,
  MemberMetadata,
  offsetKey,
  parseOffsetKey,
  type CommittedOffset,
  type GroupState,
  type JoinGroupResult,
  type MemberProtocol,
  type SyncGroupResult,
} from './group-metadata.js';

/** Broker settings of the group coordinator (Kafka's names and defaults in comments). */
export interface GroupCoordinatorConfig {
  /** group.min.session.timeout.ms (6000). */
  groupMinSessionTimeoutMs: number;
  /** group.max.session.timeout.ms (1800000). */
  groupMaxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms (3000). */
  groupInitialRebalanceDelayMs: number;
  /** group.max.size (Int.MaxValue). */
  groupMaxSize: number;
  /** offset.metadata.max.bytes (4096). */
  offsetMetadataMaxBytes: number;
  /** offsets.retention.minutes (10080, 7 days), in ms. */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms (600000). */
  offsetsRetentionCheckIntervalMs: number;
}

export const DEFAULT_GROUP_COORDINATOR_CONFIG: GroupCoordinatorConfig = {
  groupMinSessionTimeoutMs: 6_000,
  groupMaxSessionTimeoutMs: 1_800_000,
  groupInitialRebalanceDelayMs: 3_000,
  groupMaxSize: 2_147_483_647,
  offsetMetadataMaxBytes: 4096,
  offsetsRetentionMs: 7 * 24 * 60 * 60 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
};

/** Writes to `__consumer_offsets` and knows which groups this broker coordinates. */
export interface GroupStore {
  /** NONE, NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS for the group's partition. */
  coordinatorError(groupId: string): number;
  /** Appends the group's metadata record (with this assignment); resolves to an error code. */
  storeGroup(group: GroupMetadata, assignment: ReadonlyMap<string, Buffer>): Promise<number>;
  /**
   * Appends offset commit records; resolves to an error code for all of them. With a
   * `producer` (TxnOffsetCommit) they are a transactional batch of that producer id and
   * epoch, which the transaction's marker on the same partition later commits or aborts.
   */
  storeOffsets(
    groupId: string,
    offsets: ReadonlyMap<string, CommittedOffset>,
    producer?: TxnProducer,
  ): Promise<number>;
  /** The `__consumer_offsets` partition of a group. */
  partitionFor(groupId: string): number;
  /** Appends tombstones for these offsets (and the group record when `group` is true). */
  deleteRecords(groupId: string, offsetKeys: readonly string[], group: boolean): Promise<number>;
}

export interface JoinGroupParams {
  groupId: string;
  /** '' for a member that has none yet. */
  memberId: string;
  groupInstanceId: string | null;
  /** JoinGroup v4+: a new member must first get its id (MEMBER_ID_REQUIRED). */
  requireKnownMemberId: boolean;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: MemberProtocol[];
}

export interface SyncGroupParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface MemberIdentity {
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveGroupResult {
  errorCode: number;
  members: (MemberIdentity & { errorCode: number })[];
}

export interface OffsetCommitParams {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  generationId: number;
  /** -1: offsets.retention.minutes; else how long these offsets live (OffsetCommit v2-v4). */
  retentionTimeMs: number;
  offsets: {
    topic: string;
    partition: number;
    offset: bigint;
    leaderEpoch: number;
    metadata: string | null;
  }[];
}

/** The transactional producer of a TxnOffsetCommit. */
export interface TxnProducer {
  producerId: bigint;
  producerEpoch: number;
}

export interface TxnOffsetCommitParams {
  transactionalId: string;
  groupId: string;
  producerId: bigint;
  producerEpoch: number;
  /** v3+ (KIP-447): the consumer's generation and member, -1 and '' when not sent. */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  offsets: OffsetCommitParams['offsets'];
}

export interface GroupSummary {
  groupId: string;
  state: GroupState;
  protocolType: string;
  protocolName: string;
  members: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    metadata: Buffer;
    assignment: Buffer;
  }[];
}

/** Kafka's JoinGroupRequest.UNKNOWN_MEMBER_ID and UNKNOWN_GENERATION_ID. */
export const UNKNOWN_MEMBER_ID = '';
export const NO_GENERATION_ID = -1;

const EMPTY = Buffer.alloc(0);

export interface GroupCoordinatorOptions {
  config: GroupCoordinatorConfig;
  store: GroupStore;
  scheduler: Scheduler;
  logger: Logger;
  /** How new member ids are made (Kafka: clientId-UUID); replaceable for tests. */
  newMemberId?: (clientId: string) => string;
}

export class GroupCoordinator {
  readonly #config: GroupCoordinatorConfig;
  readonly #store: GroupStore;
  readonly #scheduler: Scheduler;
  readonly #log: Logger;
  readonly #newMemberId: (clientId: string) => string;
  readonly #groups = new Map<string, GroupMetadata>();
  /** Session timers by group and member. */
  readonly #heartbeats = new Map<string, Timer>();
  /** The pending end of each group's join phase. */
  readonly #joinTimers = new Map<string, Timer>();
  /** Expiry of the member ids handed out with MEMBER_ID_REQUIRED. */
  readonly #pendingMemberTimers = new Map<string, Timer>();
  /** Groups whose join phase is an initial delay (it does not end early). */
  readonly #initialDelays = new Set<string>();
  #retentionTimer: Timer | undefined;

  constructor(options: GroupCoordinatorOptions) {
    this.#config = options.config;
    this.#store = options.store;
    this.#scheduler = options.scheduler;
    this.#log = options.logger.child({ component: 'group-coordinator' });
    this.#newMemberId = options.newMemberId ?? ((clientId) => `${clientId}-${randomUUID()}`);
  }

  /** Starts the periodic removal of expired offsets (offsets.retention.check.interval.ms). */
  startup(): void {
    this.#retentionTimer ??= this.#scheduler.repeat(
      this.#config.offsetsRetentionCheckIntervalMs,
      () => void this.cleanupExpiredOffsets(),
    );
  }

  shutdown(): void {
    this.#retentionTimer?.cancel();
    this.#retentionTimer = undefined;
    this.unloadGroups(() => true);
  }

  group(groupId: string): GroupMetadata | undefined {
    return this.#groups.get(groupId);
  }

  get groupIds(): string[] {
    return [...this.#groups.keys()];
  }

  // ---------------------------------------------------------------------------------------
  // Loading and unloading (the partition of __consumer_offsets moved here or away)
  // ---------------------------------------------------------------------------------------

  /** Installs a group read back from `__consumer_offsets` (group-metadata-manager.ts). */
  loadGroup(group: GroupMetadata): void {
    const nowMs = this.#scheduler.nowMs();
    this.#groups.set(group.groupId, group);
    // The members' sessions start over on the new coordinator: they have a session timeout
    // to find it and heartbeat, as in Kafka's onGroupLoaded.
    for (const member of group.members.values()) this.#scheduleHeartbeat(group, member);
    this.#log.info(
      { groupId: group.groupId, state: group.state, generationId: group.generationId, nowMs },
      'loaded group',
    );
  }

  /**
   * Forgets the groups for which `belongsHere` says no (their partition is led elsewhere now).
   * Held replies get NOT_COORDINATOR, so the clients look for the new coordinator.
   */
  unloadGroups(isUnloaded: (groupId: string) => boolean): void {
    for (const group of [...this.#groups.values()]) {
      if (!isUnloaded(group.groupId)) continue;
      this.#joinTimers.get(group.groupId)?.cancel();
      this.#joinTimers.delete(group.groupId);
      this.#initialDelays.delete(group.groupId);
      for (const memberId of [...group.pendingMembers]) this.#removePendingMember(group, memberId);
      for (const member of group.members.values()) {
        this.#cancelHeartbeat(group, member.memberId);
        answerJoinError(member, ErrorCode.NOT_COORDINATOR);
        answerSyncError(member, ErrorCode.NOT_COORDINATOR);
      }
      this.#groups.delete(group.groupId);
      this.#log.info({ groupId: group.groupId }, 'unloaded group: coordinated elsewhere now');
    }
  }

  // ---------------------------------------------------------------------------------------
  // JoinGroup
  // ---------------------------------------------------------------------------------------

  joinGroup(params: JoinGroupParams, respond: (result: JoinGroupResult) => void): void {
    const fail = (errorCode: number, memberId = params.memberId) =>
      respond(joinError(memberId, errorCode));
    const statusError = this.#groupStatusError(params.groupId, true);
    if (statusError !== ErrorCode.NONE) return fail(statusError);
    if (
      params.sessionTimeoutMs < this.#config.groupMinSessionTimeoutMs ||
      params.sessionTimeoutMs > this.#config.groupMaxSessionTimeoutMs
    ) {
      return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    const isUnknownMember = params.memberId === UNKNOWN_MEMBER_ID;
    let group = this.#groups.get(params.groupId);
    if (group === undefined) {
      // Only a newcomer may create a group; a member id names a group that must exist.
      if (!isUnknownMember) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      group = new GroupMetadata(params.groupId, 'Empty', this.#scheduler.nowMs());
      this.#groups.set(params.groupId, group);
    }
    if (
      group.members.size >= this.#config.groupMaxSize &&
      (isUnknownMember || !group.has(params.memberId))
    ) {
      return fail(ErrorCode.GROUP_MAX_SIZE_REACHED);
    }
    if (isUnknownMember) this.#joinUnknownMember(group, params, respond);
    else this.#joinKnownMember(group, params, respond);
  }

  #joinUnknownMember(
    group: GroupMetadata,
    params: JoinGroupParams,
    respond: (result: JoinGroupResult) => void,
  ): void {
    if (group.is('Dead')) {
      // Removed an instant ago (deleted, or its partition moved): find the coordinator again.
      return respond(joinError(UNKNOWN_MEMBER_ID, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    }
    const names = params.protocols.map((p) => p.name);
    if (!group.supportsProtocols(params.protocolType, names)) {
      return respond(joinError(UNKNOWN_MEMBER_ID, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    const newMemberId = this.#newMemberId(params.clientId);
    if (params.groupInstanceId !== null) {
      return this.#joinStaticMember(group, params, newMemberId, respond);
    }
    if (params.requireKnownMemberId) {
      // KIP-394: the member gets its id first and joins with it, so that a client whose
      // JoinGroup timed out does not leave a stranger member behind at every retry.
      group.pendingMembers.add(newMemberId);
      this.#schedulePendingMemberExpiry(group, newMemberId, params.sessionTimeoutMs);
      return respond(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
    }
    this.#addMemberAndRebalance(group, params, newMemberId, respond);
  }

  #joinStaticMember(
    group: GroupMetadata,
    params: JoinGroupParams,
    newMemberId: string,
    respond: (result: JoinGroupResult) => void,
  ): void {
    const instanceId = params.groupInstanceId!;
    const oldMemberId = group.staticMembers.get(instanceId);
    if (oldMemberId === undefined) {
      return this.#addMemberAndRebalance(group, params, newMemberId, respond);
    }
    // A known instance restarted: it takes over its old member's place, and the old member
    // id is fenced (its held replies, if any, say so).
    this.#cancelHeartbeat(group, oldMemberId);
    const { old, replacement } = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    answerJoinError(old, ErrorCode.FENCED_INSTANCE_ID);
    answerSyncError(old, ErrorCode.FENCED_INSTANCE_ID);
    replacement.supportedProtocols = params.protocols;
    replacement.rebalanceTimeoutMs = params.rebalanceTimeoutMs;
    replacement.sessionTimeoutMs = params.sessionTimeoutMs;
    this.#log.info(
      { groupId: group.groupId, groupInstanceId: instanceId, oldMemberId, newMemberId },
      'static member rejoined with a new member id',
    );
    if (group.is('Stable') && group.protocolName === group.selectProtocol()) {
      // Nothing the assignment depends on changed: no rebalance (KIP-345). The new member id
      // is written down so that a coordinator failover still knows it.
      const assignment = new Map(
        [...group.members.values()].map((m) => [m.memberId, m.assignment]),
      );
      const generationId = group.generationId;
      this.#scheduleHeartbeat(group, replacement);
      void this.#store.storeGroup(group, assignment).then((errorCode) => {
        if (errorCode !== ErrorCode.NONE) {
          respond(joinError(newMemberId, errorCode));
          return;
        }
        respond({
          errorCode: ErrorCode.NONE,
          memberId: newMemberId,
          generationId,
          protocolType: group.protocolType,
          protocolName: group.protocolName,
          leaderId: group.leaderId ?? '',
          members: group.isLeader(newMemberId) ? group.currentMemberMetadata() : [],
        });
      });
      return;
    }
    this.#updateMemberAndRebalance(group, replacement, params.protocols, respond);
  }

  #joinKnownMember(
    group: GroupMetadata,
    params: JoinGroupParams,
    respond: (result: JoinGroupResult) => void,
  ): void {
    const memberId = params.memberId;
    const fail = (errorCode: number) => respond(joinError(memberId, errorCode));
    if (group.is('Dead')) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (
      !group.supportsProtocols(
        params.protocolType,
        params.protocols.map((p) => p.name),
      )
    ) {
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    if (group.pendingMembers.has(memberId)) {
      // The second half of the MEMBER_ID_REQUIRED round trip.
      this.#removePendingMember(group, memberId);
      return this.#addMemberAndRebalance(group, params, memberId, respond);
    }
    if (group.isStaticMemberFenced(memberId, params.groupInstanceId)) {
      return fail(ErrorCode.FENCED_INSTANCE_ID);
    }
    if (!group.has(memberId)) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    const member = group.get(memberId);
    switch (group.state) {
      case 'PreparingRebalance':
        return this.#updateMemberAndRebalance(group, member, params.protocols, respond);
      case 'CompletingRebalance':
        // It already got this generation's reply (it lost it?): send it again, unless its
        // protocols changed, which needs another rebalance.
        if (member.matches(params.protocols)) return respond(this.#joinResult(group, memberId));
        return this.#updateMemberAndRebalance(group, member, params.protocols, respond);
      case 'Stable':
        // The leader rejoining, or a member whose subscription changed, means the assignment
        // must be computed again; a follower rejoining as it was just gets the generation.
        if (group.isLeader(memberId) || !member.matches(params.protocols)) {
          return this.#updateMemberAndRebalance(group, member, params.protocols, respond);
        }
        return respond(this.#joinResult(group, memberId));
      case 'Empty':
      case 'Dead':
        // A group with this member has members, so neither can happen.
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      default:
        return unreachable(group.state, 'group state');
    }
  }

  #addMemberAndRebalance(
    group: GroupMetadata,
    params: JoinGroupParams,
    memberId: string,
    respond: (result: JoinGroupResult) => void,
  ): void {
    const member = new MemberMetadata({
      memberId,
      groupInstanceId: params.groupInstanceId,
      clientId: params.clientId,
      clientHost: params.clientHost,
      rebalanceTimeoutMs: params.rebalanceTimeoutMs,
      sessionTimeoutMs: params.sessionTimeoutMs,
      protocolType: params.protocolType,
      supportedProtocols: params.protocols,
    });
    if (group.is('PreparingRebalance') && group.generationId === 0) {
      member.isNew = true;
      group.newMemberAdded = true;
    }
    group.add(member, respond);
    this.#log.info(
      { groupId: group.groupId, memberId, clientId: params.clientId },
      'member joined the group',
    );
    this.#maybePrepareRebalance(group, `member ${memberId} joined`);
    this.#checkJoinComplete(group);
  }

  #updateMemberAndRebalance(
    group: GroupMetadata,
    member: MemberMetadata,
    protocols: MemberProtocol[],
    respond: (result: JoinGroupResult) => void,
  ): void {
    member.supportedProtocols = protocols;
    // A client that resent its JoinGroup has given up on the first; answer it anyway so that
    // its connection's replies keep flowing.
    answerJoinError(member, ErrorCode.REBALANCE_IN_PROGRESS);
    member.awaitingJoin = respond;
    this.#maybePrepareRebalance(group, `member ${member.memberId} rejoined`);
    this.#checkJoinComplete(group);
  }

  #joinResult(group: GroupMetadata, memberId: string): JoinGroupResult {
    return {
      errorCode: ErrorCode.NONE,
      memberId,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leaderId: group.leaderId ?? '',
      members: group.isLeader(memberId) ? group.currentMemberMetadata() : [],
    };
  }

  #maybePrepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.canRebalance) this.#prepareRebalance(group, reason);
  }

  #prepareRebalance(group: GroupMetadata, reason: string): void {
    // Members waiting for an assignment of the generation that is now abandoned.
    if (group.is('CompletingRebalance')) {
      this.#resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    }
    const wasEmpty = group.is('Empty');
    const previous = group.state;
    group.transitionTo('PreparingRebalance', this.#scheduler.nowMs());
    this.#log.info(
      { groupId: group.groupId, from: previous, generationId: group.generationId, reason },
      'preparing to rebalance group',
    );
    this.#joinTimers.get(group.groupId)?.cancel();
    this.#initialDelays.delete(group.groupId);
    // With no initial delay configured, the first join phase is like any other (it ends as
    // soon as everybody is in), which is what Kafka's zero-length delay amounts to.
    if (wasEmpty && this.#config.groupInitialRebalanceDelayMs > 0) {
      const initialDelayMs = this.#config.groupInitialRebalanceDelayMs;
      const rebalanceTimeoutMs = group.rebalanceTimeoutMs;
      const delayMs = Math.min(initialDelayMs, rebalanceTimeoutMs);
      this.#scheduleInitialJoin(group, delayMs, Math.max(rebalanceTimeoutMs - initialDelayMs, 0));
    } else {
      this.#joinTimers.set(
        group.groupId,
        this.#scheduler.schedule(group.rebalanceTimeoutMs, () => this.#completeJoin(group)),
      );
      // Kafka's tryCompleteElseWatch: with nobody left to wait for (the last member left),
      // the join phase ends at once.
      this.#checkJoinComplete(group);
    }
  }

  /**
   * Kafka's InitialDelayedJoin: wait `delayMs`; if members kept arriving meanwhile, wait
   * again (at most the initial delay each time) until `remainingMs` of the rebalance timeout
   * is used up. It never ends early when everybody has joined: more may be on their way.
   */
  #scheduleInitialJoin(group: GroupMetadata, delayMs: number, remainingMs: number): void {
    group.newMemberAdded = false;
    const timer = this.#scheduler.schedule(delayMs, () => {
      if (group.newMemberAdded && remainingMs > 0) {
        const next = Math.min(this.#config.groupInitialRebalanceDelayMs, remainingMs);
        this.#scheduleInitialJoin(group, next, remainingMs - next);
        return;
      }
      this.#completeJoin(group);
    });
    this.#joinTimers.set(group.groupId, timer);
    this.#initialDelays.add(group.groupId);
  }

  /** After a join or a departure: the join phase ends early once everybody is in. */
  #checkJoinComplete(group: GroupMetadata): void {
    if (!group.is('PreparingRebalance') || !group.hasAllMembersJoined) return;
    if (this.#initialDelays.has(group.groupId)) return;
    this.#completeJoin(group);
  }

  /** The end of a join phase (Kafka's onCompleteJoin). */
  #completeJoin(group: GroupMetadata): void {
    if (!group.is('PreparingRebalance')) return;
    this.#joinTimers.get(group.groupId)?.cancel();
    this.#joinTimers.delete(group.groupId);
    this.#initialDelays.delete(group.groupId);
    const nowMs = this.#scheduler.nowMs();
    // Dynamic members that did not rejoin in time are gone; static ones keep their place
    // (their instance may be restarting, which is what static membership is for).
    for (const member of [...group.members.values()]) {
      if (member.awaitingJoin === undefined && !member.isStatic) {
        this.#log.info(
          { groupId: group.groupId, memberId: member.memberId },
          'removing member that did not rejoin before the rebalance timeout',
        );
        this.#cancelHeartbeat(group, member.memberId);
        answerSyncError(member, ErrorCode.UNKNOWN_MEMBER_ID);
        group.remove(member.memberId);
      }
    }
    if (!group.maybeElectNewJoinedLeader() && group.members.size > 0) {
      // Only static members that have not rejoined: wait again, their sessions will tell.
      this.#joinTimers.set(
        group.groupId,
        this.#scheduler.schedule(group.rebalanceTimeoutMs, () => this.#completeJoin(group)),
      );
      return;
    }
    group.initNextGeneration(nowMs);
    this.#log.info(
      {
        groupId: group.groupId,
        generationId: group.generationId,
        protocolName: group.protocolName,
        members: group.members.size,
        state: group.state,
      },
      'join phase complete: new generation',
    );
    if (group.is('Empty')) {
      void this.#store.storeGroup(group, new Map()).then((errorCode) => {
        if (errorCode !== ErrorCode.NONE) {
          this.#log.warn({ groupId: group.groupId, errorCode }, 'storing the empty group failed');
        }
      });
      return;
    }
    for (const member of group.members.values()) {
      const respond = member.awaitingJoin;
      member.awaitingJoin = undefined;
      respond?.(this.#joinResult(group, member.memberId));
      this.#scheduleHeartbeat(group, member);
      member.isNew = false;
    }
  }

  // ---------------------------------------------------------------------------------------
  // SyncGroup
  // ---------------------------------------------------------------------------------------

  syncGroup(params: SyncGroupParams, respond: (result: SyncGroupResult) => void): void {
    const fail = (errorCode: number) => respond(syncError(errorCode));
    const statusError = this.#groupStatusError(params.groupId, true);
    if (statusError !== ErrorCode.NONE) return fail(statusError);
    const group = this.#groups.get(params.groupId);
    if (group === undefined) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (group.is('Dead')) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (group.isStaticMemberFenced(params.memberId, params.groupInstanceId)) {
      return fail(ErrorCode.FENCED_INSTANCE_ID);
    }
    if (!group.has(params.memberId)) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (params.generationId !== group.generationId) return fail(ErrorCode.ILLEGAL_GENERATION);
    if (
      (params.protocolType !== null && params.protocolType !== group.protocolType) ||
      (params.protocolName !== null && params.protocolName !== group.protocolName)
    ) {
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    const member = group.get(params.memberId);
    switch (group.state) {
      case 'Empty':
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      case 'PreparingRebalance':
        return fail(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'CompletingRebalance':
        answerSyncError(member, ErrorCode.REBALANCE_IN_PROGRESS);
        member.awaitingSync = respond;
        if (group.isLeader(params.memberId)) this.#storeAssignment(group, params.assignments);
        return;
      case 'Stable':
        // The assignment is known already (a follower that was late, or a resend).
        this.#scheduleHeartbeat(group, member);
        return respond(this.#syncResult(group, member.assignment));
      case 'Dead':
        return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      default:
        return unreachable(group.state, 'group state');
    }
  }

  #storeAssignment(group: GroupMetadata, assignments: SyncGroupParams['assignments']): void {
    // Members the leader left out get an empty assignment, as in Kafka.
    const assignment = new Map<string, Buffer>();
    for (const memberId of group.members.keys()) assignment.set(memberId, EMPTY);
    for (const a of assignments)
      if (group.has(a.memberId)) assignment.set(a.memberId, a.assignment);
    const generationId = group.generationId;
    void this.#store.storeGroup(group, assignment).then((errorCode) => {
      // Another rebalance may have begun while the record was written: then this
      // assignment is stale and the members have been told to rejoin already.
      if (!group.is('CompletingRebalance') || group.generationId !== generationId) return;
      if (errorCode !== ErrorCode.NONE) {
        this.#resetAndPropagateAssignmentError(group, errorCode);
        this.#maybePrepareRebalance(group, 'storing the assignment failed');
        return;
      }
      for (const [memberId, bytes] of assignment) group.get(memberId).assignment = bytes;
      for (const member of group.members.values()) {
        const respond = member.awaitingSync;
        member.awaitingSync = undefined;
        respond?.(this.#syncResult(group, member.assignment));
        this.#scheduleHeartbeat(group, member);
      }
      group.transitionTo('Stable', this.#scheduler.nowMs());
      this.#log.info(
        { groupId: group.groupId, generationId, members: group.members.size },
        'group is stable: assignment handed out',
      );
    });
  }

  #syncResult(group: GroupMetadata, assignment: Buffer): SyncGroupResult {
    return {
      errorCode: ErrorCode.NONE,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      assignment,
    };
  }

  #resetAndPropagateAssignmentError(group: GroupMetadata, errorCode: number): void {
    for (const member of group.members.values()) {
      member.assignment = EMPTY;
      answerSyncError(member, errorCode);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Heartbeat and LeaveGroup
  // ---------------------------------------------------------------------------------------

  heartbeat(params: {
    groupId: string;
    memberId: string;
    groupInstanceId: string | null;
    generationId: number;
  }): number {
    const statusError = this.#groupStatusError(params.groupId, true);
    if (statusError !== ErrorCode.NONE) return statusError;
    const group = this.#groups.get(params.groupId);
    if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (group.isStaticMemberFenced(params.memberId, params.groupInstanceId)) {
      return ErrorCode.FENCED_INSTANCE_ID;
    }
    if (!group.has(params.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (params.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    const member = group.get(params.memberId);
    switch (group.state) {
      case 'Empty':
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case 'CompletingRebalance':
      case 'Stable':
        // Clients may heartbeat between their JoinGroup and SyncGroup replies.
        this.#scheduleHeartbeat(group, member);
        return ErrorCode.NONE;
      case 'PreparingRebalance':
        // The way members learn that they must rejoin.
        this.#scheduleHeartbeat(group, member);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      case 'Dead':
        return ErrorCode.COORDINATOR_NOT_AVAILABLE;
      default:
        return unreachable(group.state, 'group state');
    }
  }

  leaveGroup(groupId: string, leaving: readonly MemberIdentity[]): LeaveGroupResult {
    const everyone = (errorCode: number) => leaving.map((m) => ({ ...m, errorCode }));
    const statusError = this.#groupStatusError(groupId, true);
    if (statusError !== ErrorCode.NONE) return { errorCode: statusError, members: [] };
    const group = this.#groups.get(groupId);
    if (group === undefined) {
      return { errorCode: ErrorCode.NONE, members: everyone(ErrorCode.UNKNOWN_MEMBER_ID) };
    }
    if (group.is('Dead')) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    const members = leaving.map((identity) => ({
      ...identity,
      errorCode: this.#removeLeavingMember(group, identity),
    }));
    return { errorCode: ErrorCode.NONE, members };
  }

  #removeLeavingMember(group: GroupMetadata, identity: MemberIdentity): number {
    let memberId = identity.memberId;
    if (memberId === UNKNOWN_MEMBER_ID && identity.groupInstanceId !== null) {
      // An admin removing a static member by its instance id (KIP-345).
      const current = group.staticMembers.get(identity.groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      memberId = current;
    } else if (group.isStaticMemberFenced(memberId, identity.groupInstanceId)) {
      return ErrorCode.FENCED_INSTANCE_ID;
    }
    if (group.pendingMembers.has(memberId)) {
      this.#removePendingMember(group, memberId);
      this.#checkJoinComplete(group);
      return ErrorCode.NONE;
    }
    if (!group.has(memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.#removeMemberAndUpdateGroup(group, group.get(memberId), 'left the group');
    return ErrorCode.NONE;
  }

  #removeMemberAndUpdateGroup(group: GroupMetadata, member: MemberMetadata, reason: string) {
    this.#log.info({ groupId: group.groupId, memberId: member.memberId, reason }, 'member removed');
    this.#cancelHeartbeat(group, member.memberId);
    // A removed member may still have a held JoinGroup (a new member whose client gave up):
    // UNKNOWN_MEMBER_ID makes a live client join again.
    answerJoinError(member, ErrorCode.UNKNOWN_MEMBER_ID);
    answerSyncError(member, ErrorCode.UNKNOWN_MEMBER_ID);
    group.remove(member.memberId);
    switch (group.state) {
      case 'Dead':
      case 'Empty':
        return;
      case 'Stable':
      case 'CompletingRebalance':
        return this.#maybePrepareRebalance(group, `member ${member.memberId} ${reason}`);
      case 'PreparingRebalance':
        return this.#checkJoinComplete(group);
      default:
        return unreachable(group.state, 'group state');
    }
  }

  #scheduleHeartbeat(group: GroupMetadata, member: MemberMetadata): void {
    const key = memberKey(group.groupId, member.memberId);
    this.#heartbeats.get(key)?.cancel();
    this.#heartbeats.set(
      key,
      this.#scheduler.schedule(member.sessionTimeoutMs, () =>
        this.#onSessionExpired(group, member),
      ),
    );
  }

  #cancelHeartbeat(group: GroupMetadata, memberId: string): void {
    const key = memberKey(group.groupId, memberId);
    this.#heartbeats.get(key)?.cancel();
    this.#heartbeats.delete(key);
  }

  /** session.timeout.ms passed without a heartbeat (or join, sync, commit) from the member. */
  #onSessionExpired(group: GroupMetadata, member: MemberMetadata): void {
    this.#heartbeats.delete(memberKey(group.groupId, member.memberId));
    if (
      this.#groups.get(group.groupId) !== group ||
      group.members.get(member.memberId) !== member
    ) {
      return;
    }
    // A member waiting in a join or sync phase is not silent: that phase has its own timeout.
    if (member.awaitingJoin !== undefined || member.awaitingSync !== undefined) return;
    this.#removeMemberAndUpdateGroup(group, member, 'session timed out');
  }

  #schedulePendingMemberExpiry(group: GroupMetadata, memberId: string, sessionTimeoutMs: number) {
    const key = memberKey(group.groupId, memberId);
    this.#pendingMemberTimers.set(
      key,
      this.#scheduler.schedule(sessionTimeoutMs, () => {
        this.#pendingMemberTimers.delete(key);
        this.#expirePendingMember(group, memberId);
      }),
    );
  }

  #removePendingMember(group: GroupMetadata, memberId: string): void {
    group.pendingMembers.delete(memberId);
    const key = memberKey(group.groupId, memberId);
    this.#pendingMemberTimers.get(key)?.cancel();
    this.#pendingMemberTimers.delete(key);
  }

  #expirePendingMember(group: GroupMetadata, memberId: string): void {
    if (!group.pendingMembers.delete(memberId)) return;
    this.#log.debug({ groupId: group.groupId, memberId }, 'pending member never joined');
    this.#checkJoinComplete(group);
  }

  // ---------------------------------------------------------------------------------------
  // Offsets
  // ---------------------------------------------------------------------------------------

  /**
   * OffsetCommit. Resolves to an error code per `offsetKey(topic, partition)`. A group that
   * does not exist is created (empty) for a commit with generation -1: a consumer that
   * assigns partitions itself and only keeps its offsets in Kafka.
   */
  async commitOffsets(params: OffsetCommitParams): Promise<Map<string, number>> {
    const everyone = (errorCode: number) =>
      new Map(params.offsets.map((o) => [offsetKey(o.topic, o.partition), errorCode]));
    const statusError = this.#groupStatusError(params.groupId, false);
    if (statusError !== ErrorCode.NONE) return everyone(statusError);
    let group = this.#groups.get(params.groupId);
    if (group === undefined) {
      if (params.generationId >= 0) return everyone(ErrorCode.ILLEGAL_GENERATION);
      group = new GroupMetadata(params.groupId, 'Empty', this.#scheduler.nowMs());
      this.#groups.set(params.groupId, group);
    }
    if (group.is('Dead')) return everyone(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (group.isStaticMemberFenced(params.memberId, params.groupInstanceId)) {
      return everyone(ErrorCode.FENCED_INSTANCE_ID);
    }
    if (!(params.generationId < 0 && group.is('Empty'))) {
      if (!group.has(params.memberId)) return everyone(ErrorCode.UNKNOWN_MEMBER_ID);
      if (params.generationId !== group.generationId) {
        return everyone(ErrorCode.ILLEGAL_GENERATION);
      }
      // Members are allowed to commit while a rebalance is being prepared (they learn of it
      // from their heartbeats), but not between the join and sync replies: their generation
      // is valid, yet they have no assignment of it to commit for.
      if (group.is('CompletingRebalance')) return everyone(ErrorCode.REBALANCE_IN_PROGRESS);
      this.#scheduleHeartbeat(group, group.get(params.memberId));
    }
    return this.#storeOffsets(group, params);
  }

  async #storeOffsets(
    group: GroupMetadata,
    params: Pick<OffsetCommitParams, 'offsets' | 'retentionTimeMs'>,
    producer?: TxnProducer,
  ): Promise<Map<string, number>> {
    const nowMs = this.#scheduler.nowMs();
    const results = new Map<string, number>();
    const toStore = new Map<string, CommittedOffset>();
    for (const o of params.offsets) {
      const key = offsetKey(o.topic, o.partition);
      const metadata = o.metadata ?? '';
      if (Buffer.byteLength(metadata, 'utf8') > this.#config.offsetMetadataMaxBytes) {
        results.set(key, ErrorCode.OFFSET_METADATA_TOO_LARGE);
        continue;
      }
      toStore.set(key, {
        offset: o.offset,
        leaderEpoch: o.leaderEpoch,
        metadata,
        commitTimestampMs: nowMs,
        expireTimestampMs: params.retentionTimeMs >= 0 ? nowMs + params.retentionTimeMs : -1,
      });
    }
    if (toStore.size === 0) return results;
    const errorCode = await this.#store.storeOffsets(group.groupId, toStore, producer);
    if (errorCode === ErrorCode.NONE && this.#groups.get(group.groupId) === group) {
      if (producer !== undefined) group.addPendingTxnOffsets(producer.producerId, toStore);
      else for (const [key, committed] of toStore) group.offsets.set(key, committed);
    }
    for (const key of toStore.keys()) results.set(key, errorCode);
    return results;
  }

  /**
   * TxnOffsetCommit (Kafka 2.8's handleTxnCommitOffsets): the offsets are written as part of
   * the producer's transaction and stay pending, invisible to OffsetFetch, until the
   * transaction's marker reaches the group's partition (`onTxnCompleted`). A group that does
   * not exist is created empty. The member and generation are checked only when given (v3+).
   * A fenced producer is refused by the partition itself (INVALID_PRODUCER_EPOCH), since
   * the batch carries its epoch.
   */
  async commitTransactionalOffsets(params: TxnOffsetCommitParams): Promise<Map<string, number>> {
    const everyone = (errorCode: number) =>
      new Map(params.offsets.map((o) => [offsetKey(o.topic, o.partition), errorCode]));
    const statusError = this.#groupStatusError(params.groupId, false);
    if (statusError !== ErrorCode.NONE) return everyone(statusError);
    let group = this.#groups.get(params.groupId);
    if (group === undefined) {
      group = new GroupMetadata(params.groupId, 'Empty', this.#scheduler.nowMs());
      this.#groups.set(params.groupId, group);
    }
    if (group.is('Dead')) return everyone(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (group.isStaticMemberFenced(params.memberId, params.groupInstanceId)) {
      return everyone(ErrorCode.FENCED_INSTANCE_ID);
    }
    if (params.memberId !== UNKNOWN_MEMBER_ID && !group.has(params.memberId)) {
      return everyone(ErrorCode.UNKNOWN_MEMBER_ID);
    }
    if (params.generationId >= 0 && params.generationId !== group.generationId) {
      return everyone(ErrorCode.ILLEGAL_GENERATION);
    }
    return this.#storeOffsets(
      group,
      { ...params, retentionTimeMs: -1 },
      { producerId: params.producerId, producerEpoch: params.producerEpoch },
    );
  }

  /**
   * A transaction's COMMIT or ABORT marker was written on these `__consumer_offsets`
   * partitions (the partition leader's WriteTxnMarkers handler calls this): the producer's
   * pending offsets in every group of those partitions are materialized (commit) or dropped
   * (abort). Kafka's GroupCoordinator.scheduleHandleTxnCompletion.
   */
  onTxnCompleted(producerId: bigint, offsetsPartitions: number[], committed: boolean): void {
    const partitions = new Set(offsetsPartitions);
    for (const group of this.#groups.values()) {
      if (!group.pendingTxnOffsets.has(producerId)) continue;
      if (!partitions.has(this.#store.partitionFor(group.groupId))) continue;
      const count = group.completePendingTxnOffsets(producerId, committed);
      this.#log.debug(
        { groupId: group.groupId, producerId, committed, offsets: count },
        committed ? 'transactional offsets committed' : 'transactional offsets aborted',
      );
    }
  }

  /**
   * OffsetFetch: the committed offsets of `partitions` (each by offsetKey), or of every
   * partition the group has committed for when `partitions` is null. A partition without a
   * commit is answered with offset -1, and so is every partition of an unknown group.
   */
  fetchOffsets(
    groupId: string,
    partitions: readonly { topic: string; partition: number }[] | null,
    requireStable = false,
  ): {
    errorCode: number;
    offsets: Map<string, CommittedOffset | undefined>;
    /** With requireStable (OffsetFetch v7+, KIP-447): partitions with pending offsets. */
    unstable: Set<string>;
  } {
    const offsets = new Map<string, CommittedOffset | undefined>();
    const unstable = new Set<string>();
    const statusError = this.#groupStatusError(groupId, false);
    if (statusError !== ErrorCode.NONE) return { errorCode: statusError, offsets, unstable };
    const group = this.#groups.get(groupId);
    const committed =
      group === undefined || group.is('Dead') ? new Map<string, CommittedOffset>() : group.offsets;
    if (partitions === null) {
      for (const [key, value] of committed) offsets.set(key, value);
    } else {
      for (const p of partitions) {
        const key = offsetKey(p.topic, p.partition);
        offsets.set(key, committed.get(key));
      }
    }
    // KIP-447: a consumer that asks for stable offsets must not start from an offset that
    // an open transaction is about to replace: it gets UNSTABLE_OFFSET_COMMIT and retries.
    if (requireStable && group !== undefined) {
      for (const pending of group.pendingTxnOffsets.values()) {
        for (const key of pending.keys()) if (offsets.has(key)) unstable.add(key);
      }
    }
    return { errorCode: ErrorCode.NONE, offsets, unstable };
  }

  /** OffsetDelete: forget some partitions' offsets of a group that no longer reads them. */
  async deleteOffsets(
    groupId: string,
    partitions: readonly { topic: string; partition: number }[],
  ): Promise<{ errorCode: number; partitions: Map<string, number> }> {
    const results = new Map<string, number>();
    const statusError = this.#groupStatusError(groupId, false);
    if (statusError !== ErrorCode.NONE) return { errorCode: statusError, partitions: results };
    const group = this.#groups.get(groupId);
    if (group === undefined || group.is('Dead')) {
      return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitions: results };
    }
    let subscribed: Set<string>;
    if (group.is('Empty')) {
      subscribed = new Set();
    } else if (group.protocolType === CONSUMER_PROTOCOL_TYPE) {
      subscribed =
        group.subscribedTopics((metadata) => decodeConsumerSubscription(metadata).topics) ??
        new Set(partitions.map((p) => p.topic));
    } else {
      return { errorCode: ErrorCode.NON_EMPTY_GROUP, partitions: results };
    }
    const doomed: string[] = [];
    for (const p of partitions) {
      const key = offsetKey(p.topic, p.partition);
      if (subscribed.has(p.topic)) {
        results.set(key, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
      } else {
        results.set(key, ErrorCode.NONE);
        if (group.offsets.delete(key)) doomed.push(key);
      }
    }
    if (doomed.length > 0) {
      const errorCode = await this.#store.deleteRecords(groupId, doomed, false);
      if (errorCode !== ErrorCode.NONE) {
        for (const key of doomed) results.set(key, errorCode);
      }
    }
    return { errorCode: ErrorCode.NONE, partitions: results };
  }

  /**
   * offsets.retention.minutes: offsets of a group that has been Empty that long (counted
   * from when it became Empty), of a group that never had members (counted from each
   * commit), and any offset past its own expiry, are removed with tombstones; an Empty group
   * left with no offsets is then removed too (Dead).
   */
  async cleanupExpiredOffsets(): Promise<number> {
    const nowMs = this.#scheduler.nowMs();
    const retentionMs = this.#config.offsetsRetentionMs;
    let removed = 0;
    for (const group of [...this.#groups.values()]) {
      if (this.#store.coordinatorError(group.groupId) !== ErrorCode.NONE) continue;
      const expired: string[] = [];
      const emptyWithProtocol = group.is('Empty') && group.protocolType !== null;
      const standalone = group.protocolType === null;
      for (const [key, o] of group.offsets) {
        const isExpired =
          o.expireTimestampMs >= 0
            ? nowMs >= o.expireTimestampMs
            : emptyWithProtocol
              ? nowMs - group.stateTimestampMs >= retentionMs
              : standalone && nowMs - o.commitTimestampMs >= retentionMs;
        if (isExpired) expired.push(key);
      }
      for (const key of expired) group.offsets.delete(key);
      // Kafka's hasOffsets counts the offsets of open transactions too: removing the group
      // now would lose them when the COMMIT marker comes.
      const removeGroup =
        group.is('Empty') && group.offsets.size === 0 && group.pendingTxnOffsets.size === 0;
      if (removeGroup) {
        group.transitionTo('Dead', nowMs);
        this.#groups.delete(group.groupId);
      }
      if (expired.length === 0 && !removeGroup) continue;
      removed += expired.length;
      this.#log.info(
        { groupId: group.groupId, expiredOffsets: expired.length, groupRemoved: removeGroup },
        'removed expired offsets',
      );
      await this.#store.deleteRecords(group.groupId, expired, removeGroup);
    }
    return removed;
  }

  // ---------------------------------------------------------------------------------------
  // Admin: ListGroups, DescribeGroups, DeleteGroups
  // ---------------------------------------------------------------------------------------

  /** Groups of this coordinator, optionally only those in `states` (names, any case). */
  listGroups(
    states: readonly string[],
  ): { groupId: string; protocolType: string; state: string }[] {
    const wanted = new Set(states.map((s) => s.toLowerCase()));
    return [...this.#groups.values()]
      .filter((g) => this.#store.coordinatorError(g.groupId) === ErrorCode.NONE)
      .filter((g) => !g.is('Dead'))
      .filter((g) => wanted.size === 0 || wanted.has(g.state.toLowerCase()))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
  }

  describeGroup(groupId: string): { errorCode: number; summary: GroupSummary } {
    const dead: GroupSummary = {
      groupId,
      state: 'Dead',
      protocolType: '',
      protocolName: '',
      members: [],
    };
    const statusError = this.#groupStatusError(groupId, false);
    if (statusError !== ErrorCode.NONE) return { errorCode: statusError, summary: dead };
    const group = this.#groups.get(groupId);
    if (group === undefined) return { errorCode: ErrorCode.NONE, summary: dead };
    // Subscriptions and assignments are only meaningful once a generation is Stable.
    const stable = group.is('Stable');
    return {
      errorCode: ErrorCode.NONE,
      summary: {
        groupId,
        state: group.state,
        protocolType: group.protocolType ?? '',
        protocolName: stable ? (group.protocolName ?? '') : '',
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          metadata: stable ? m.metadata(group.protocolName!) : EMPTY,
          assignment: stable ? m.assignment : EMPTY,
        })),
      },
    };
  }

  /** DeleteGroups: only groups without members (NON_EMPTY_GROUP otherwise). */
  async deleteGroups(groupIds: readonly string[]): Promise<Map<string, number>> {
    const results = new Map<string, number>();
    for (const groupId of groupIds) {
      const statusError = this.#groupStatusError(groupId, false);
      if (statusError !== ErrorCode.NONE) {
        results.set(groupId, statusError);
        continue;
      }
      const group = this.#groups.get(groupId);
      if (group === undefined || group.is('Dead')) {
        results.set(groupId, ErrorCode.GROUP_ID_NOT_FOUND);
        continue;
      }
      if (!group.is('Empty')) {
        results.set(groupId, ErrorCode.NON_EMPTY_GROUP);
        continue;
      }
      group.transitionTo('Dead', this.#scheduler.nowMs());
      this.#groups.delete(groupId);
      const keys = [...group.offsets.keys()];
      const errorCode = await this.#store.deleteRecords(groupId, keys, true);
      this.#log.info({ groupId, offsets: keys.length }, 'deleted group');
      results.set(groupId, errorCode);
    }
    return results;
  }

  /**
   * Kafka's validateGroupStatus: a group id must be given (except for the offset and admin
   * APIs, which old clients call with ''), and this broker must coordinate it and have
   * finished loading its partition.
   */
  #groupStatusError(groupId: string, requireNonEmptyId: boolean): number {
    if (requireNonEmptyId && groupId === '') return ErrorCode.INVALID_GROUP_ID;
    return this.#store.coordinatorError(groupId);
  }
}

/** Describes an offset key for logs and tools. */
export function describeOffsetKey(key: string): string {
  const { topic, partition } = parseOffsetKey(key);
  return `${topic}-${partition}`;
}

function memberKey(groupId: string, memberId: string): string {
  return `${groupId}\u0000${memberId}`;
}

function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return {
    errorCode,
    memberId,
    generationId: NO_GENERATION_ID,
    protocolType: null,
    protocolName: null,
    leaderId: '',
    members: [],
  };
}

function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

function answerJoinError(member: MemberMetadata, errorCode: number): void {
  const respond = member.awaitingJoin;
  member.awaitingJoin = undefined;
  respond?.(joinError(member.memberId, errorCode));
}

function answerSyncError(member: MemberMetadata, errorCode: number): void {
  const respond = member.awaitingSync;
  member.awaitingSync = undefined;
  respond?.(syncError(errorCode));
}
