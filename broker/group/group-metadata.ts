/**
 * One consumer group as the coordinator holds it in memory: its state, members, generation,
 * chosen protocol and committed offsets. Modelled on Kafka's `GroupMetadata` and
 * `MemberMetadata` (kafka.coordinator.group, 2.8). Pure data plus the rules that only look at
 * the group itself; what happens *between* groups, timers and storage is in
 * group-coordinator.ts.
 *
 * States and transitions (Kafka's GroupState):
 *
 *   Empty ──join──▶ PreparingRebalance ──all joined / rebalance timeout──▶ CompletingRebalance
 *     ▲                │   ▲                                                    │
 *     │  last member   │   └──── member joins, leaves, changes protocols ───────┤
 *     └── left/expired─┘   ▲                                                    │ leader's
 *                          └──────────── member joins, leaves ──── Stable ◀─────┘ SyncGroup
 *   any state ──offsets expired / group deleted / partition moved away──▶ Dead
 *
 *   Empty               no members; may still hold committed offsets (a group whose consumers
 *                       all stopped, or one that only commits offsets: generation -1).
 *   PreparingRebalance  members must (re)send JoinGroup; the join responses are held until
 *                       every known member has joined or the rebalance timeout is over.
 *   CompletingRebalance everybody got a JoinGroup response (the leader with the member list);
 *                       waiting for the leader's SyncGroup with the assignment.
 *   Stable              assignment handed out; members heartbeat.
 *   Dead                no members, no offsets: about to be removed (or owned elsewhere now).
 *
 * Static members (KIP-345) carry a `group.instance.id`: the coordinator maps each instance id
 * to its current member id, so that a restarted instance takes over its old place instead of
 * joining as a stranger (and the old member id is fenced: FENCED_INSTANCE_ID).
 */
import { invariant } from '../../src/assert.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export const GROUP_STATES: readonly GroupState[] = [
  'Empty',
  'PreparingRebalance',
  'CompletingRebalance',
  'Stable',
  'Dead',
];

/** The states a group may move to each state from (Kafka's validPreviousStates). */
const VALID_PREVIOUS_STATES: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export interface MemberProtocol {
  name: string;
  metadata: Buffer;
}

/** What a JoinGroup response carries; held until the rebalance's join phase is over. */
export interface JoinGroupResult {
  errorCode: number;
  memberId: string;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string;
  /** Only for the leader: every member with its metadata for the chosen protocol. */
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncGroupResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export class MemberMetadata {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  supportedProtocols: MemberProtocol[];
  assignment: Buffer = Buffer.alloc(0);
  /** Set while the member's JoinGroup waits for the rebalance to finish its join phase. */
  awaitingJoin: ((result: JoinGroupResult) => void) | undefined;
  /** Set while the member's SyncGroup waits for the leader's assignment. */
  awaitingSync: ((result: SyncGroupResult) => void) | undefined;
  /** Joined during the current rebalance of a group's first generation (KIP-394). */
  isNew = false;

  constructor(options: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    rebalanceTimeoutMs: number;
    sessionTimeoutMs: number;
    protocolType: string;
    supportedProtocols: MemberProtocol[];
  }) {
    this.memberId = options.memberId;
    this.groupInstanceId = options.groupInstanceId;
    this.clientId = options.clientId;
    this.clientHost = options.clientHost;
    this.rebalanceTimeoutMs = options.rebalanceTimeoutMs;
    this.sessionTimeoutMs = options.sessionTimeoutMs;
    this.protocolType = options.protocolType;
    this.supportedProtocols = options.supportedProtocols;
  }

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  /** The member's metadata for `protocol` (it must support it). */
  metadata(protocol: string): Buffer {
    const found = this.supportedProtocols.find((p) => p.name === protocol);
    invariant(found !== undefined, `member ${this.memberId} does not support ${protocol}`);
    return found.metadata;
  }

  /** Same protocols with the same metadata, in the same order: rejoining changes nothing. */
  matches(protocols: readonly MemberProtocol[]): boolean {
    return (
      protocols.length === this.supportedProtocols.length &&
      protocols.every(
        (p, i) =>
          p.name === this.supportedProtocols[i]!.name &&
          p.metadata.equals(this.supportedProtocols[i]!.metadata),
      )
    );
  }
}

/** A committed offset, as stored in `__consumer_offsets` (group-records.ts). */
export interface CommittedOffset {
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  commitTimestampMs: number;
  /** -1: expires by offsets.retention.minutes; else the commit's own expiry (v2-v4). */
  expireTimestampMs: number;
}

export function offsetKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export function parseOffsetKey(key: string): { topic: string; partition: number } {
  const at = key.lastIndexOf('\u0000');
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}

export class GroupMetadata {
  readonly groupId: string;
  #state: GroupState;
  /** When the group entered its current state (stored as currentStateTimestamp). */
  stateTimestampMs: number;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, MemberMetadata>();
  /** group.instance.id -> current member id. */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED whose owners have not joined yet. */
  readonly pendingMembers = new Set<string>();
  /** Set when a member joins the first rebalance, to extend the initial delay. */
  newMemberAdded = false;
  readonly offsets = new Map<string, CommittedOffset>();
  /**
   * Offsets committed inside transactions that have not ended yet, by producer id (Kafka's
   * pendingTransactionalOffsetCommits): written to `__consumer_offsets` already, invisible
   * to OffsetFetch until the transaction's COMMIT marker (an ABORT drops them).
   */
  readonly pendingTxnOffsets = new Map<bigint, Map<string, CommittedOffset>>();

  constructor(groupId: string, state: GroupState, nowMs: number) {
    this.groupId = groupId;
    this.#state = state;
    this.stateTimestampMs = nowMs;
  }

  /** A transaction's offsets were written: they wait for its marker. */
  addPendingTxnOffsets(producerId: bigint, offsets: ReadonlyMap<string, CommittedOffset>): void {
    const pending = this.pendingTxnOffsets.get(producerId) ?? new Map<string, CommittedOffset>();
    for (const [key, offset] of offsets) pending.set(key, offset);
    this.pendingTxnOffsets.set(producerId, pending);
  }

  /**
   * The transaction's marker was written: on commit its offsets become the committed ones
   * (Kafka's completePendingTxnOffsetCommit); either way they stop being pending. Returns how
   * many offsets were materialized.
   */
  completePendingTxnOffsets(producerId: bigint, committed: boolean): number {
    const pending = this.pendingTxnOffsets.get(producerId);
    this.pendingTxnOffsets.delete(producerId);
    if (pending === undefined || !committed) return 0;
    for (const [key, offset] of pending) this.offsets.set(key, offset);
    return pending.size;
  }

  get state(): GroupState {
    return this.#state;
  }

  is(state: GroupState): boolean {
    return this.#state === state;
  }

  /** Moves to `next`; a move Kafka does not allow is a bug in the coordinator. */
  transitionTo(next: GroupState, nowMs: number): void {
    invariant(
      VALID_PREVIOUS_STATES[next].includes(this.#state),
      `group ${this.groupId}: illegal transition ${this.#state} -> ${next}`,
    );
    this.#state = next;
    this.stateTimestampMs = nowMs;
  }

  /** A group may start a rebalance from these states (Kafka's canRebalance). */
  get canRebalance(): boolean {
    return VALID_PREVIOUS_STATES.PreparingRebalance.includes(this.#state);
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): MemberMetadata {
    const member = this.members.get(memberId);
    invariant(member !== undefined, `group ${this.groupId} has no member ${memberId}`);
    return member;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  add(member: MemberMetadata, onJoin?: (result: JoinGroupResult) => void): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    invariant(this.protocolType === member.protocolType, 'protocol type must match');
    // The first member to join a generation leads it until the join phase picks a leader.
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) {
      this.staticMembers.set(member.groupInstanceId, member.memberId);
    }
    member.awaitingJoin = onJoin;
  }

  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (member === undefined) return;
    this.members.delete(memberId);
    if (member.groupInstanceId !== null) this.staticMembers.delete(member.groupInstanceId);
    if (this.isLeader(memberId)) {
      // Kafka hands the leadership to any remaining member; a joined one is preferred later.
      this.leaderId = this.members.keys().next().value ?? null;
    }
  }

  /** A static member that restarted: the new member id takes the old one's place. */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string) {
    const old = this.get(oldMemberId);
    this.members.delete(oldMemberId);
    const replacement = new MemberMetadata({
      memberId: newMemberId,
      groupInstanceId,
      clientId: old.clientId,
      clientHost: old.clientHost,
      rebalanceTimeoutMs: old.rebalanceTimeoutMs,
      sessionTimeoutMs: old.sessionTimeoutMs,
      protocolType: old.protocolType,
      supportedProtocols: old.supportedProtocols,
    });
    replacement.assignment = old.assignment;
    this.members.set(newMemberId, replacement);
    this.staticMembers.set(groupInstanceId, newMemberId);
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId;
    return { old, replacement };
  }

  /**
   * A static member is fenced when its instance id now belongs to another member id: an
   * older incarnation of the instance is still talking (FENCED_INSTANCE_ID).
   */
  isStaticMemberFenced(memberId: string, groupInstanceId: string | null): boolean {
    if (groupInstanceId === null) return false;
    const current = this.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }

  get awaitingJoinCount(): number {
    let n = 0;
    for (const member of this.members.values()) if (member.awaitingJoin !== undefined) n++;
    return n;
  }

  /** Every member has rejoined and nobody holds a MEMBER_ID_REQUIRED id unused. */
  get hasAllMembersJoined(): boolean {
    return this.awaitingJoinCount === this.members.size && this.pendingMembers.size === 0;
  }

  /** The longest rebalance timeout of the members: how long a join phase may take. */
  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const member of this.members.values()) max = Math.max(max, member.rebalanceTimeoutMs);
    return max;
  }

  /** Protocols every member supports, in the order of the first member's preference. */
  candidateProtocols(): string[] {
    const all = [...this.members.values()];
    if (all.length === 0) return [];
    return all[0]!.supportedProtocols
      .map((p) => p.name)
      .filter((name) => all.every((m) => m.supportedProtocols.some((p) => p.name === name)));
  }

  /**
   * Can a member with these protocols join? An empty group takes anything (with a protocol
   * type and at least one protocol); otherwise the type must match and at least one protocol
   * must be common to everybody, the newcomer included.
   */
  supportsProtocols(protocolType: string, protocolNames: readonly string[]): boolean {
    if (this.is('Empty')) return protocolType !== '' && protocolNames.length > 0;
    const candidates = this.candidateProtocols();
    return (
      this.protocolType === protocolType && protocolNames.some((name) => candidates.includes(name))
    );
  }

  /**
   * Kafka's selectProtocol: each member votes for the first protocol in its own preference
   * order among those everybody supports; the protocol with most votes wins (ties go to the
   * one listed first by the first member).
   */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    invariant(candidates.length > 0, `group ${this.groupId} has no common protocol`);
    const votes = new Map(candidates.map((c) => [c, 0]));
    for (const member of this.members.values()) {
      const choice = member.supportedProtocols.find((p) => candidates.includes(p.name))!.name;
      votes.set(choice, votes.get(choice)! + 1);
    }
    let best = candidates[0]!;
    for (const c of candidates) if (votes.get(c)! > votes.get(best)!) best = c;
    return best;
  }

  /**
   * The end of a join phase: a new generation. With members it waits for the leader's
   * assignment (CompletingRebalance); without, the group is Empty.
   */
  initNextGeneration(nowMs: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.transitionTo('CompletingRebalance', nowMs);
    } else {
      this.protocolName = null;
      this.transitionTo('Empty', nowMs);
    }
  }

  /** If the leader did not rejoin, any member that did becomes the leader. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId !== null && this.members.get(this.leaderId)?.awaitingJoin !== undefined) {
      return true;
    }
    for (const member of this.members.values()) {
      if (member.awaitingJoin !== undefined) {
        this.leaderId = member.memberId;
        return true;
      }
    }
    this.leaderId = null;
    return false;
  }

  /** Members with their metadata for the chosen protocol: the leader's JoinGroup response. */
  currentMemberMetadata(): JoinGroupResult['members'] {
    invariant(this.protocolName !== null, 'no protocol chosen');
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(this.protocolName!),
    }));
  }

  /** The topics a consumer group is subscribed to, or undefined if that cannot be known. */
  subscribedTopics(decode: (metadata: Buffer) => string[]): Set<string> | undefined {
    if (this.protocolName === null || this.members.size === 0) return undefined;
    const topics = new Set<string>();
    try {
      for (const m of this.members.values()) {
        for (const topic of decode(m.metadata(this.protocolName))) topics.add(topic);
      }
    } catch {
      return undefined;
    }
    return topics;
  }
}
