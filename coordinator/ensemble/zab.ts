/**
 * Zab, ZooKeeper's atomic broadcast, as a pure state machine: one `ZabServer` per member of
 * the ensemble. Messages, ticks and client writes go in; messages to send, disk writes and
 * commits to apply come out as `ZabEffect`s, which the caller carries out in order. No sockets,
 * no disk, no timers here (like etcd's raft package), so a deterministic simulation can drive
 * thousands of schedules of loss, delay, partitions and crashes through it
 * (test/coordinator/ensemble/zab-simulation.test.ts).
 *
 * The phases, as in ZooKeeper 3.8 (QuorumPeer, FastLeaderElection, Leader, Learner):
 *
 *   LOOKING ── fast leader election: every server votes (epoch, zxid, id), adopts any better
 *   │          vote it hears, and decides once a quorum agrees with its vote and no better
 *   │          vote came within finalizeWait (or at once, when a quorum already following
 *   │          an established leader tells it who leads)
 *   ├─ LEADING   discovery  followers send FOLLOWERINFO(acceptedEpoch); with a quorum the
 *   │                       leader picks newEpoch = max + 1 and sends LEADERINFO(newEpoch);
 *   │                       each follower accepts it (durably) and answers ACKEPOCH with its
 *   │                       history's position; a follower ahead of the leader sends it back
 *   │                       to LOOKING
 *   │            sync       per follower: DIFF (what it lacks), TRUNC (cut its divergent tail,
 *   │                       then DIFF) or SNAP (the whole log), then NEWLEADER(newEpoch); a
 *   │                       quorum of ACKs means a quorum holds the leader's history: the
 *   │                       leader commits all of it and sends UPTODATE
 *   │            broadcast  a write gets the next zxid (epoch in the high 32 bits), is logged,
 *   │                       sent as PROPOSAL; once a quorum has logged it (ACK) it is
 *   │                       committed (COMMIT) and every server applies commits in zxid order
 *   └─ FOLLOWING the other side of each step; writes submitted to a follower are forwarded
 *               (REQUEST) to the leader
 *
 * Leaving: a follower that hears nothing from its leader for syncLimit ticks (initLimit
 * before it is in sync), or whose connection to it breaks, goes back to LOOKING; a leader
 * that has not heard from a quorum within syncLimit ticks does too, so a leader cut off in a
 * minority stops serving.
 *
 * What the caller must guarantee, as ZooKeeper's TCP connections and disk do: messages
 * between two servers other than election notifications arrive in the order sent, or the
 * connection breaks (call `disconnected`) and everything in flight is lost; notifications may
 * be lost, duplicated or reordered. Effects are carried out in order: a `send` that follows a
 * `persistEpochs` or `appendLog` must not leave before that write is durable. Two relaxations
 * are allowed, as ZooKeeper's leader logs a proposal while it sends it:
 * - a PROPOSAL, REQUEST or PING send may leave at once, ahead of the appends (and the ACKs,
 *   COMMITs and applies) queued before it, but never ahead of any other effect. Safe: a
 *   proposal on a follower's disk commits nothing by itself; the leader counts its own log
 *   for a quorum, but what reveals a commit (COMMIT, apply) waits for that log (next point);
 *   per link, proposals and requests keep their order, and a COMMIT or ACK overtaken by a
 *   later proposal is still handled (both are per zxid).
 * - an ACK or COMMIT of zxid z, or the apply of z, needs only the appends up to z durable, not
 *   later ones; ACKs, COMMITs and applies keep their order among themselves.
 */

export type ServerId = number;
export type Zxid = number;

/** A zxid is epoch << 32 | counter, as ZooKeeper's 64-bit zxids. */
export const ZXID_EPOCH_UNIT = 2 ** 32;
export function makeZxid(epoch: number, counter: number): Zxid {
  return epoch * ZXID_EPOCH_UNIT + counter;
}
export function epochOf(zxid: Zxid): number {
  return Math.floor(zxid / ZXID_EPOCH_UNIT);
}

export interface LogEntry<T> {
  zxid: Zxid;
  txn: T;
}

/**
 * The caller's state machine (the data tree and the sessions) as of `zxid`, serialized by the
 * caller: opaque bytes to Zab, which keeps the newest for SNAPs and never looks inside.
 */
export interface Snapshot {
  zxid: Zxid;
  data: Buffer;
}

/** A vote of fast leader election: (epoch, zxid, id), compared in that order. */
export interface Vote {
  leader: ServerId;
  zxid: Zxid;
  epoch: number;
}

export type PeerState = 'looking' | 'following' | 'leading';

export type ZabMessage<T> =
  | { type: 'notification'; vote: Vote; electionEpoch: number; state: PeerState }
  | { type: 'followerInfo'; acceptedEpoch: number }
  | { type: 'leaderInfo'; newEpoch: number }
  | {
      type: 'ackEpoch';
      currentEpoch: number;
      lastZxid: Zxid;
      /** The last zxid of each epoch in the follower's log, for the leader's DIFF/TRUNC. */
      epochEnds: [number, Zxid][];
    }
  | {
      /**
       * The start of a follower's sync; what it lacks follows as `syncEntries` batches (and
       * for a SNAP first `snapChunk`s), then NEWLEADER. Nothing is one giant frame.
       */
      type: 'sync';
      mode: 'diff' | 'trunc' | 'snap';
      /** trunc: keep entries up to this zxid, then append what follows. */
      truncateTo: Zxid;
      /** snap: the snapshot's zxid and size; its bytes follow in `snapChunk`s. */
      snapshotZxid?: Zxid;
      snapshotBytes?: number;
    }
  | { type: 'snapChunk'; data: Buffer }
  | { type: 'syncEntries'; entries: LogEntry<T>[] }
  | { type: 'newLeader'; epoch: number }
  | { type: 'ackNewLeader'; epoch: number; lastZxid: Zxid }
  | { type: 'upToDate'; committed: Zxid }
  | { type: 'proposal'; entry: LogEntry<T> }
  | { type: 'ack'; zxid: Zxid }
  | { type: 'commit'; zxid: Zxid }
  /**
   * Leader -> observer, ZooKeeper's INFORM: a committed entry, sent to observers instead of
   * PROPOSAL and COMMIT (an observer's log never counts, so it is not asked to ACK). The same
   * shape as a PROPOSAL.
   */
  | { type: 'inform'; entry: LogEntry<T> }
  | { type: 'request'; txn: T }
  | { type: 'ping' };

export type Role = 'looking' | 'following' | 'leading';

export type ZabEffect<T> =
  | { type: 'send'; to: ServerId; message: ZabMessage<T> }
  /** Write both epochs durably (ZooKeeper's acceptedEpoch and currentEpoch files). */
  | { type: 'persistEpochs'; acceptedEpoch: number; currentEpoch: number }
  /** Append to the durable log. */
  | { type: 'appendLog'; entries: LogEntry<T>[] }
  /** Cut the durable log after `after` (TRUNC). */
  | { type: 'truncateLog'; after: Zxid }
  /**
   * SNAP: the durable state becomes `snapshot` and an empty log after it, atomically (a crash
   * leaves either the old log or the new state, never a mix); the caller also replaces its
   * data tree with the snapshot's. Appends of the tail follow.
   */
  | { type: 'installSnapshot'; snapshot: Snapshot }
  /**
   * Serialize the data tree now (every `apply` before this effect is in it, none after) as
   * the snapshot at `zxid`, write it durably, then call `snapshotTaken(zxid, data)`. A crash
   * before that leaves the previous snapshot and the untrimmed log, which is fine.
   */
  | { type: 'takeSnapshot'; zxid: Zxid }
  /**
   * Drop the durable log's entries up to `upTo` (a snapshot at or after it is durable).
   * `entries` is what the log holds after `upTo` at this point (the caller may write them to
   * a fresh log instead of reading the old one back); appends after this effect add to it.
   */
  | { type: 'trimLog'; upTo: Zxid; entries: LogEntry<T>[] }
  /** Apply a committed entry to the data tree; entries come in zxid order. */
  | { type: 'apply'; entry: LogEntry<T> }
  /**
   * A quorum agrees on this server's vote: call `finalizeWaitOver(round)` after ZooKeeper's
   * finalizeWait (FastLeaderElection waits 200 ms for a better vote before it decides). A
   * better vote meanwhile cancels the round (the call then does nothing).
   */
  | { type: 'finalizeWait'; round: number }
  /** Close the connection to `peer` (a leader stepping down, a follower leaving its leader):
   *  the other end notices at once, as with ZooKeeper's sockets, instead of timing out. */
  | { type: 'closeConnection'; peer: ServerId }
  /** The server changed role; `serving` once it is in broadcast and can take writes. */
  | { type: 'role'; role: Role; leader: ServerId | undefined; epoch: number; serving: boolean };

export interface ZabConfig {
  id: ServerId;
  /** Every voting member, including this one unless it is an observer. */
  voters: readonly ServerId[];
  /**
   * Observers (ZooKeeper's `:observer` members): they follow the leader, receive every
   * commit, serve reads and forward writes, but never vote and never count for a quorum.
   * This server is one if its id is in the list.
   */
  observers?: readonly ServerId[];
  /** Ticks a follower may take to connect and sync with its leader (ZooKeeper's initLimit). */
  initLimit: number;
  /** Ticks a server in broadcast may go without hearing from its peer (syncLimit). */
  syncLimit: number;
  /** A LOOKING server re-sends its notification this often, in ticks. */
  notificationResendTicks?: number;
  /**
   * Take a snapshot after this many applied txns (ZooKeeper's snapCount, default 100,000);
   * the log is then trimmed up to the snapshot before it, so it holds one to two intervals.
   */
  snapCount?: number;
  /** Bytes of snapshot per `snapChunk` message of a SNAP (default 512 KiB). */
  snapChunkBytes?: number;
  /** Log entries per `syncEntries` message of a DIFF, TRUNC or SNAP (default 1,000). */
  syncBatchEntries?: number;
}

export const DEFAULT_SNAP_COUNT = 100_000;

/** What survives a restart: the two epochs, the newest snapshot and the log after `logBase`. */
export interface ZabPersistentState<T> {
  acceptedEpoch: number;
  currentEpoch: number;
  /** The newest durable snapshot; absent before the first one. */
  snapshot?: Snapshot;
  /**
   * The log holds every entry of this server's history after this zxid (0: all of it). It is
   * 0 or a snapshot's zxid, and never after `snapshot.zxid`.
   */
  logBase?: Zxid;
  /** Sorted by zxid, all after `logBase`; may begin before `snapshot.zxid`. */
  log: LogEntry<T>[];
}

/** A broken rule of the protocol: a bug in this module (the simulation reports it). */
export class ZabInvariantError extends Error {
  override name = 'ZabInvariantError';
}

type FollowerPhase = 'discovery' | 'sync' | 'synced' | 'broadcast';
type LeaderPhase = 'discovery' | 'waitEpochAck' | 'waitNewLeaderAck' | 'broadcast';

/** What the leader knows of one follower. */
interface LearnerHandler {
  acceptedEpoch: number;
  /** ACKEPOCH received (the follower accepted newEpoch). */
  epochAcked: boolean;
  ackEpoch?: { currentEpoch: number; lastZxid: Zxid; epochEnds: [number, Zxid][] };
  /** SYNC sent: proposals and commits go to it from then on. */
  forwarding: boolean;
  /** ACK of NEWLEADER received. */
  synced: boolean;
  /** Everything up to this zxid is durably in its log (acks are cumulative on a FIFO link). */
  ackedUpTo: Zxid;
  lastHeardTick: number;
}

function better(a: Vote, b: Vote): boolean {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch;
  if (a.zxid !== b.zxid) return a.zxid > b.zxid;
  return a.leader > b.leader;
}

function sameVote(a: Vote, b: Vote): boolean {
  return a.leader === b.leader && a.zxid === b.zxid && a.epoch === b.epoch;
}

export class ZabServer<T> {
  readonly id: ServerId;
  readonly #voters: readonly ServerId[];
  readonly #observers: readonly ServerId[];
  /** This server is an observer. */
  readonly #observer: boolean;
  readonly #initLimit: number;
  readonly #syncLimit: number;
  readonly #resendTicks: number;
  readonly #snapCount: number;
  readonly #snapChunkBytes: number;
  readonly #syncBatchEntries: number;

  // Durable state (mirrored by the effects).
  #acceptedEpoch: number;
  #currentEpoch: number;
  #log: LogEntry<T>[];
  #logBase: Zxid;
  #snapshot: Snapshot | undefined;
  /** Applies since the last snapshot was asked for. */
  #appliedSinceSnapshot = 0;
  /** Following, in sync: the SNAP being received (its chunks so far). */
  #incoming: { zxid: Zxid; bytes: number; chunks: Buffer[]; received: number } | undefined;

  /** The last zxid applied to the data tree since this server started. */
  #applied: Zxid = 0;
  #now = 0;
  #role: Role = 'looking';
  #out: ZabEffect<T>[] = [];

  // Election.
  #logicalClock = 0;
  #vote: Vote;
  #recvset = new Map<ServerId, Vote>();
  #outOfElection = new Map<ServerId, { vote: Vote; electionEpoch: number; state: PeerState }>();
  /** The finalizeWait in progress, if any (its round number); rounds only grow. */
  #finalizeRound: number | undefined;
  #lastFinalizeRound = 0;
  #lastNotificationTick = 0;
  /** The vote this server decided on (answered to LOOKING peers while it is not looking). */
  #decided: Vote | undefined;

  // Following.
  #leader: ServerId | undefined;
  #followerPhase: FollowerPhase = 'discovery';
  #lastHeardFromLeader = 0;

  // Leading.
  #leaderPhase: LeaderPhase = 'discovery';
  #phaseStartTick = 0;
  #newEpoch = 0;
  #counter = 0;
  #committed: Zxid = 0;
  readonly #learners = new Map<ServerId, LearnerHandler>();

  constructor(config: ZabConfig, persisted: ZabPersistentState<T>) {
    this.id = config.id;
    this.#voters = config.voters;
    this.#observers = config.observers ?? [];
    this.#observer = this.#observers.includes(config.id);
    if (this.#observer && this.#voters.includes(config.id)) {
      throw new ZabInvariantError(`server ${config.id} is both a voter and an observer`);
    }
    this.#initLimit = config.initLimit;
    this.#syncLimit = config.syncLimit;
    this.#resendTicks = config.notificationResendTicks ?? 2;
    this.#snapCount = config.snapCount ?? DEFAULT_SNAP_COUNT;
    this.#snapChunkBytes = config.snapChunkBytes ?? 512 * 1024;
    this.#syncBatchEntries = config.syncBatchEntries ?? 1000;
    this.#acceptedEpoch = persisted.acceptedEpoch;
    this.#currentEpoch = persisted.currentEpoch;
    this.#snapshot = persisted.snapshot;
    this.#logBase = persisted.logBase ?? 0;
    if (this.#snapshot && this.#snapshot.zxid < this.#logBase) {
      throw new ZabInvariantError(
        `snapshot at ${this.#snapshot.zxid} before the log's base ${this.#logBase}`,
      );
    }
    if (!this.#snapshot && this.#logBase > 0) {
      throw new ZabInvariantError(`log after ${this.#logBase} but no snapshot`);
    }
    this.#log = persisted.log.filter((e) => e.zxid > this.#logBase);
    // The data tree starts as the snapshot (the caller loads it); the log's tail is applied
    // once this server learns, in sync with a leader, that it is committed.
    this.#applied = this.#snapshot?.zxid ?? 0;
    this.#vote = this.#selfVote();
  }

  get role(): Role {
    return this.#role;
  }
  get leader(): ServerId | undefined {
    return this.#role === 'leading' ? this.id : this.#leader;
  }
  /** True once in broadcast: the server serves reads and takes writes. */
  get serving(): boolean {
    if (this.#role === 'leading') return this.#leaderPhase === 'broadcast';
    return this.#role === 'following' && this.#followerPhase === 'broadcast';
  }
  get lastZxid(): Zxid {
    if (this.#log.length > 0) return this.#log[this.#log.length - 1]!.zxid;
    return Math.max(this.#logBase, this.#snapshot?.zxid ?? 0);
  }
  /** The zxid of the newest snapshot (0 before the first). */
  get snapshotZxid(): Zxid {
    return this.#snapshot?.zxid ?? 0;
  }
  /** Log entries held in memory (and on disk): bounded by about twice snapCount. */
  get logLength(): number {
    return this.#log.length;
  }
  get currentEpoch(): number {
    return this.#currentEpoch;
  }
  get appliedZxid(): Zxid {
    return this.#applied;
  }
  /** True if this server is an observer (it never votes). */
  get observer(): boolean {
    return this.#observer;
  }
  /** Voting followers in sync with this leader (ZooKeeper's zk_synced_followers). */
  get syncedFollowers(): number {
    if (this.#role !== 'leading') return 0;
    return this.#syncedVoters();
  }
  /** Learners (followers and observers) connected to this leader (zk_learners). */
  get learners(): number {
    return this.#role === 'leading' ? this.#learners.size : 0;
  }
  /** Observers in sync with this leader (ZooKeeper's zk_synced_observers). */
  get syncedObservers(): number {
    if (this.#role !== 'leading') return 0;
    let n = 0;
    for (const [peer, l] of this.#learners) if (l.synced && this.#observers.includes(peer)) n++;
    return n;
  }

  // ---------------------------------------------------------------------------------------
  // Inputs.

  /** Starts (or restarts) the server: it looks for a leader. */
  start(): ZabEffect<T>[] {
    this.#startLooking();
    return this.#flush();
  }

  tick(): ZabEffect<T>[] {
    this.#now++;
    if (this.#role === 'looking') this.#tickLooking();
    else if (this.#role === 'following') this.#tickFollowing();
    else this.#tickLeading();
    return this.#flush();
  }

  receive(from: ServerId, message: ZabMessage<T>): ZabEffect<T>[] {
    if (message.type === 'notification') this.#onNotification(from, message);
    else if (this.#role === 'following') this.#onFollowerMessage(from, message);
    else if (this.#role === 'leading') this.#onLeaderMessage(from, message);
    return this.#flush();
  }

  /** The connection to `peer` broke; what was in flight on it is lost. */
  disconnected(peer: ServerId): ZabEffect<T>[] {
    if (this.#role === 'following' && peer === this.#leader) this.#startLooking();
    else if (this.#role === 'leading') this.#learners.delete(peer);
    return this.#flush();
  }

  /**
   * The finalizeWait of `round` (a `finalizeWait` effect) is over: decide on the vote, unless a
   * better one came meanwhile or the election already ended.
   */
  finalizeWaitOver(round: number): ZabEffect<T>[] {
    if (this.#role === 'looking' && this.#finalizeRound === round) this.#decide(this.#vote);
    return this.#flush();
  }

  /**
   * The snapshot a `takeSnapshot` effect asked for is durable: keep it for SNAPs and trim the
   * log up to the snapshot before it (so a follower a little behind still gets a DIFF).
   */
  snapshotTaken(zxid: Zxid, data: Buffer): ZabEffect<T>[] {
    const previous = this.#snapshot;
    // A SNAP installed meanwhile is at least as new (it never moves the tree back).
    if (previous && zxid <= previous.zxid) return [];
    if (zxid > this.#applied) throw new ZabInvariantError(`snapshot ${zxid} after applied`);
    this.#snapshot = { zxid, data };
    const upTo = previous?.zxid ?? 0;
    if (upTo > this.#logBase) {
      this.#log = this.#log.slice(this.#indexAfter(upTo));
      this.#logBase = upTo;
      this.#out.push({ type: 'trimLog', upTo, entries: this.#log.slice() });
    }
    return this.#flush();
  }

  /**
   * A client write arriving at this server. Returns false when the server is not serving
   * (the client should try another); otherwise the write is proposed (leader) or forwarded.
   */
  submit(txn: T): { accepted: boolean; effects: ZabEffect<T>[] } {
    if (!this.serving) return { accepted: false, effects: [] };
    if (this.#role === 'leading') this.#propose(txn);
    else this.#send(this.#leader!, { type: 'request', txn });
    return { accepted: true, effects: this.#flush() };
  }

  // ---------------------------------------------------------------------------------------
  // Helpers.

  #flush(): ZabEffect<T>[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }

  #send(to: ServerId, message: ZabMessage<T>): void {
    this.#out.push({ type: 'send', to, message });
  }

  #isQuorum(count: number): boolean {
    return count * 2 > this.#voters.length;
  }

  /** Voting learners for which `test` holds (observers never count for a quorum). */
  #votersWhere(test: (l: LearnerHandler) => boolean): number {
    let n = 0;
    for (const [peer, l] of this.#learners) if (test(l) && this.#voters.includes(peer)) n++;
    return n;
  }

  #syncedVoters(): number {
    return this.#votersWhere((l) => l.synced);
  }

  #others(): ServerId[] {
    return this.#voters.filter((v) => v !== this.id);
  }

  #selfVote(): Vote {
    return { leader: this.id, zxid: this.lastZxid, epoch: this.#currentEpoch };
  }

  #persistEpochs(): void {
    this.#out.push({
      type: 'persistEpochs',
      acceptedEpoch: this.#acceptedEpoch,
      currentEpoch: this.#currentEpoch,
    });
  }

  #announceRole(): void {
    this.#out.push({
      type: 'role',
      role: this.#role,
      leader: this.leader,
      epoch: this.#role === 'leading' ? this.#newEpoch : this.#currentEpoch,
      serving: this.serving,
    });
  }

  #appendToLog(entries: LogEntry<T>[]): void {
    if (entries.length === 0) return;
    for (const entry of entries) {
      if (entry.zxid <= this.lastZxid) {
        throw new ZabInvariantError(`append of zxid ${entry.zxid} after ${this.lastZxid}`);
      }
      this.#log.push(entry);
    }
    this.#out.push({ type: 'appendLog', entries });
  }

  /** The index of the first log entry after `zxid` (the log is sorted by zxid). */
  #indexAfter(zxid: Zxid): number {
    let lo = 0;
    let hi = this.#log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#log[mid]!.zxid <= zxid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Applies every logged entry up to `zxid` not applied yet, in order. */
  #applyUpTo(zxid: Zxid): void {
    for (let i = this.#indexAfter(this.#applied); i < this.#log.length; i++) {
      const entry = this.#log[i]!;
      if (entry.zxid > zxid) break;
      this.#applied = entry.zxid;
      this.#out.push({ type: 'apply', entry });
      if (++this.#appliedSinceSnapshot >= this.#snapCount) {
        this.#appliedSinceSnapshot = 0;
        this.#out.push({ type: 'takeSnapshot', zxid: entry.zxid });
      }
    }
  }

  /**
   * The last zxid of each epoch in this server's history as far as it still knows it: the
   * log, its base and the snapshot (each a zxid of the history).
   */
  #epochEnds(): [number, Zxid][] {
    const ends = new Map<number, Zxid>();
    const note = (zxid: Zxid): void => {
      if (zxid <= 0) return;
      const epoch = epochOf(zxid);
      ends.set(epoch, Math.max(ends.get(epoch) ?? 0, zxid));
    };
    note(this.#logBase);
    note(this.#snapshot?.zxid ?? 0);
    for (const { zxid } of this.#log) note(zxid);
    return [...ends];
  }

  // ---------------------------------------------------------------------------------------
  // Fast leader election.

  #startLooking(): void {
    if (this.#role === 'leading') {
      for (const peer of this.#learners.keys()) this.#out.push({ type: 'closeConnection', peer });
    } else if (this.#role === 'following' && this.#leader !== undefined) {
      this.#out.push({ type: 'closeConnection', peer: this.#leader });
    }
    this.#role = 'looking';
    this.#leader = undefined;
    this.#decided = undefined;
    this.#incoming = undefined;
    this.#learners.clear();
    this.#logicalClock++;
    this.#vote = this.#selfVote();
    this.#recvset = new Map([[this.id, this.#vote]]);
    this.#outOfElection.clear();
    this.#finalizeRound = undefined;
    this.#announceRole();
    this.#sendNotifications();
    // A single voter is a quorum of itself.
    if (!this.#observer) this.#checkQuorumOnVote();
  }

  #notification(): ZabMessage<T> {
    const state: PeerState = this.#role;
    const vote = this.#role === 'looking' ? this.#vote : this.#decided!;
    return { type: 'notification', vote, electionEpoch: this.#logicalClock, state };
  }

  #sendNotifications(): void {
    this.#lastNotificationTick = this.#now;
    for (const peer of this.#others()) this.#send(peer, this.#notification());
  }

  #tickLooking(): void {
    if (this.#now - this.#lastNotificationTick >= this.#resendTicks) this.#sendNotifications();
  }

  #onNotification(from: ServerId, n: Extract<ZabMessage<T>, { type: 'notification' }>): void {
    if (this.#observers.includes(from)) {
      // An observer looking for the leader: tell it who leads; its vote never counts.
      if (this.#role !== 'looking' && !this.#observer) this.#send(from, this.#notification());
      return;
    }
    if (!this.#voters.includes(from)) return;
    if (this.#role !== 'looking') {
      // Tell a looking peer who leads, so it can join.
      if (n.state === 'looking') this.#send(from, this.#notification());
      return;
    }
    // An observer takes no part in the election: it only joins an established leader.
    if (n.state === 'looking' && this.#observer) return;
    if (n.state === 'looking') {
      if (n.electionEpoch > this.#logicalClock) {
        this.#logicalClock = n.electionEpoch;
        this.#recvset = new Map();
        const self = this.#selfVote();
        this.#vote = better(n.vote, self) ? n.vote : self;
        this.#finalizeRound = undefined;
        this.#sendNotifications();
      } else if (n.electionEpoch < this.#logicalClock) {
        this.#send(from, this.#notification()); // bring it to our round
        return;
      } else if (better(n.vote, this.#vote)) {
        this.#vote = n.vote;
        this.#finalizeRound = undefined;
        this.#sendNotifications();
      } else if (better(this.#vote, n.vote)) {
        // Tell it of the better vote now: its notification of our vote may have come while
        // it was still following (two survivors notice a dead leader a few ms apart), and
        // our next resend is 2 ticks away. (ZooKeeper resends after 200 ms of silence.)
        this.#send(from, this.#notification());
      }
      this.#recvset.set(from, n.vote);
      this.#recvset.set(this.id, this.#vote);
      this.#checkQuorumOnVote();
      return;
    }
    // From a server that is following or leading: an established ensemble may exist.
    this.#outOfElection.set(from, { vote: n.vote, electionEpoch: n.electionEpoch, state: n.state });
    const leader = n.vote.leader;
    const leaderClaims =
      leader === this.id
        ? false // we are looking, so we are not that leader any more
        : this.#outOfElection.get(leader)?.state === 'leading';
    if (!leaderClaims) return;
    const following = [...this.#outOfElection.values()].filter((e) => e.vote.leader === leader);
    if (this.#isQuorum(following.length + (this.#observer ? 0 : 1))) {
      this.#logicalClock = n.electionEpoch;
      this.#decide(n.vote);
    }
  }

  /**
   * With a quorum agreeing on our vote, decide after finalizeWait unless a better vote comes
   * (FastLeaderElection.lookForLeader). ZooKeeper restarts its 200 ms wait on every
   * notification that is not better; ours runs from the moment the quorum agreed, so it
   * ends even when duplicates keep coming.
   */
  #checkQuorumOnVote(): void {
    const agreeing = [...this.#recvset.values()].filter((v) => sameVote(v, this.#vote)).length;
    if (!this.#isQuorum(agreeing)) {
      this.#finalizeRound = undefined;
      return;
    }
    if (this.#voters.length === 1) return this.#decide(this.#vote);
    if (this.#finalizeRound !== undefined) return;
    this.#finalizeRound = ++this.#lastFinalizeRound;
    this.#out.push({ type: 'finalizeWait', round: this.#finalizeRound });
  }

  #decide(vote: Vote): void {
    this.#decided = vote;
    this.#finalizeRound = undefined;
    if (vote.leader === this.id) this.#becomeLeader();
    else this.#becomeFollower(vote.leader);
  }

  // ---------------------------------------------------------------------------------------
  // Following.

  #becomeFollower(leader: ServerId): void {
    this.#role = 'following';
    this.#leader = leader;
    this.#followerPhase = 'discovery';
    this.#lastHeardFromLeader = this.#now;
    this.#announceRole();
    this.#send(leader, { type: 'followerInfo', acceptedEpoch: this.#acceptedEpoch });
  }

  #tickFollowing(): void {
    const limit = this.#followerPhase === 'broadcast' ? this.#syncLimit : this.#initLimit;
    if (this.#now - this.#lastHeardFromLeader > limit) this.#startLooking();
  }

  #onFollowerMessage(from: ServerId, m: ZabMessage<T>): void {
    if (from !== this.#leader) return;
    this.#lastHeardFromLeader = this.#now;
    switch (m.type) {
      case 'leaderInfo': {
        if (this.#followerPhase !== 'discovery') return;
        if (m.newEpoch < this.#acceptedEpoch) {
          // We promised a newer epoch to another leader: this one is stale.
          this.#startLooking();
          return;
        }
        if (m.newEpoch > this.#acceptedEpoch) {
          this.#acceptedEpoch = m.newEpoch;
          this.#persistEpochs();
        }
        this.#followerPhase = 'sync';
        this.#send(from, {
          type: 'ackEpoch',
          currentEpoch: this.#currentEpoch,
          lastZxid: this.lastZxid,
          epochEnds: this.#epochEnds(),
        });
        return;
      }
      case 'sync':
        if (this.#followerPhase !== 'sync') return;
        this.#applySync(m);
        return;
      case 'snapChunk': {
        const incoming = this.#incoming;
        if (this.#followerPhase !== 'sync' || !incoming) return;
        incoming.chunks.push(m.data);
        incoming.received += m.data.length;
        if (incoming.received > incoming.bytes) {
          throw new ZabInvariantError(`SNAP of ${incoming.bytes} bytes overran`);
        }
        if (incoming.received === incoming.bytes) this.#installSnapshot();
        return;
      }
      case 'syncEntries':
        if (this.#followerPhase !== 'sync' || this.#incoming) return;
        this.#appendToLog(m.entries.filter((e) => e.zxid > this.lastZxid));
        return;
      case 'newLeader':
        if (this.#followerPhase !== 'sync' || this.#incoming) return;
        this.#followerPhase = 'synced';
        if (m.epoch !== this.#acceptedEpoch) {
          throw new ZabInvariantError(`NEWLEADER ${m.epoch} but accepted ${this.#acceptedEpoch}`);
        }
        this.#currentEpoch = m.epoch;
        this.#persistEpochs();
        this.#send(from, { type: 'ackNewLeader', epoch: m.epoch, lastZxid: this.lastZxid });
        return;
      case 'upToDate':
        if (this.#followerPhase !== 'synced') return;
        this.#applyUpTo(m.committed);
        this.#followerPhase = 'broadcast';
        this.#announceRole();
        return;
      case 'proposal':
        if (this.#followerPhase !== 'synced' && this.#followerPhase !== 'broadcast') return;
        if (m.entry.zxid <= this.lastZxid) return;
        this.#appendToLog([m.entry]);
        this.#send(from, { type: 'ack', zxid: m.entry.zxid });
        return;
      case 'commit':
        if (this.#followerPhase !== 'synced' && this.#followerPhase !== 'broadcast') return;
        this.#applyUpTo(m.zxid);
        return;
      case 'inform':
        // Observers only. The entry may already be in the log (the sync sent the leader's
        // whole log, its uncommitted tail included): then it is only applied.
        if (!this.#observer) return;
        if (this.#followerPhase !== 'synced' && this.#followerPhase !== 'broadcast') return;
        if (m.entry.zxid > this.lastZxid) this.#appendToLog([m.entry]);
        this.#applyUpTo(m.entry.zxid);
        return;
      case 'ping':
        this.#send(from, { type: 'ping' });
        return;
      default:
        return;
    }
  }

  #applySync(m: Extract<ZabMessage<T>, { type: 'sync' }>): void {
    this.#incoming = undefined;
    if (m.mode === 'snap') {
      const zxid = m.snapshotZxid ?? 0;
      // Everything this server applied is committed, so in the leader's history; the leader
      // sends a SNAP only when that history is shared no further than before its log, which
      // starts at or before its snapshot: the snapshot never takes the tree back.
      if (zxid < this.#applied) {
        throw new ZabInvariantError(`SNAP at ${zxid} below applied ${this.#applied}`);
      }
      this.#incoming = { zxid, bytes: m.snapshotBytes ?? 0, chunks: [], received: 0 };
      if (this.#incoming.bytes === 0) this.#installSnapshot();
      return;
    }
    if (m.mode === 'trunc') {
      if (m.truncateTo < this.#applied) {
        throw new ZabInvariantError(`TRUNC to ${m.truncateTo} below applied ${this.#applied}`);
      }
      if (m.truncateTo < this.#logBase) {
        throw new ZabInvariantError(`TRUNC to ${m.truncateTo} below the log's base`);
      }
      this.#log.splice(this.#indexAfter(m.truncateTo));
      this.#out.push({ type: 'truncateLog', after: m.truncateTo });
    }
  }

  /** The last chunk of a SNAP came: the snapshot replaces the tree and the log. */
  #installSnapshot(): void {
    const incoming = this.#incoming!;
    this.#incoming = undefined;
    const snapshot = { zxid: incoming.zxid, data: Buffer.concat(incoming.chunks) };
    this.#snapshot = snapshot;
    this.#log = [];
    this.#logBase = snapshot.zxid;
    this.#applied = snapshot.zxid;
    this.#appliedSinceSnapshot = 0;
    this.#out.push({ type: 'installSnapshot', snapshot });
  }

  // ---------------------------------------------------------------------------------------
  // Leading.

  #becomeLeader(): void {
    this.#role = 'leading';
    this.#leader = undefined;
    this.#leaderPhase = 'discovery';
    this.#phaseStartTick = this.#now;
    this.#learners.clear();
    this.#newEpoch = 0;
    this.#announceRole();
    this.#maybeChooseEpoch();
  }

  #tickLeading(): void {
    for (const [peer, learner] of this.#learners) {
      if (this.#now - learner.lastHeardTick > this.#syncLimit) this.#learners.delete(peer);
      else this.#send(peer, { type: 'ping' });
    }
    if (this.#leaderPhase !== 'broadcast') {
      if (this.#now - this.#phaseStartTick > this.#initLimit) this.#startLooking();
      return;
    }
    if (!this.#isQuorum(this.#syncedVoters() + 1)) this.#startLooking();
  }

  #onLeaderMessage(from: ServerId, m: ZabMessage<T>): void {
    const observer = this.#observers.includes(from);
    if (!observer && !this.#voters.includes(from)) return;
    const learner = this.#learners.get(from);
    if (learner) learner.lastHeardTick = this.#now;
    switch (m.type) {
      case 'followerInfo':
        this.#learners.set(from, {
          acceptedEpoch: m.acceptedEpoch,
          epochAcked: false,
          forwarding: false,
          synced: false,
          ackedUpTo: 0,
          lastHeardTick: this.#now,
        });
        if (this.#newEpoch > 0) this.#send(from, { type: 'leaderInfo', newEpoch: this.#newEpoch });
        else this.#maybeChooseEpoch();
        return;
      case 'ackEpoch': {
        if (!learner || learner.epochAcked || this.#newEpoch === 0) return;
        // An observer's extra history was never acknowledged for a quorum (it does not count):
        // it is cut off by the sync like any divergent tail.
        const ahead =
          !observer &&
          (m.currentEpoch > this.#currentEpoch ||
            (m.currentEpoch === this.#currentEpoch && m.lastZxid > this.lastZxid));
        if (ahead) {
          // Election chose a leader with less history than a follower: start over.
          this.#startLooking();
          return;
        }
        learner.epochAcked = true;
        learner.ackEpoch = m;
        if (this.#leaderPhase === 'waitEpochAck') this.#maybeStartSync();
        else this.#syncLearner(from, learner);
        return;
      }
      case 'ackNewLeader':
        if (!learner || !learner.forwarding || m.epoch !== this.#newEpoch) return;
        learner.synced = true;
        learner.ackedUpTo = Math.max(learner.ackedUpTo, m.lastZxid);
        if (this.#leaderPhase === 'waitNewLeaderAck') this.#maybeEstablish();
        else if (this.#leaderPhase === 'broadcast') {
          this.#send(from, { type: 'upToDate', committed: this.#committed });
          this.#maybeCommit();
        }
        return;
      case 'ack':
        if (!learner || !learner.synced) return;
        learner.ackedUpTo = Math.max(learner.ackedUpTo, m.zxid);
        this.#maybeCommit();
        return;
      case 'request':
        if (this.#leaderPhase === 'broadcast') this.#propose(m.txn);
        return;
      default:
        return;
    }
  }

  /** Discovery: with FOLLOWERINFO from a quorum, pick and announce the new epoch. */
  #maybeChooseEpoch(): void {
    if (this.#leaderPhase !== 'discovery') return;
    if (!this.#isQuorum(this.#votersWhere(() => true) + 1)) return;
    let max = this.#acceptedEpoch;
    for (const l of this.#learners.values()) max = Math.max(max, l.acceptedEpoch);
    this.#newEpoch = max + 1;
    this.#acceptedEpoch = this.#newEpoch;
    this.#persistEpochs();
    this.#leaderPhase = 'waitEpochAck';
    this.#phaseStartTick = this.#now;
    for (const peer of this.#learners.keys()) {
      this.#send(peer, { type: 'leaderInfo', newEpoch: this.#newEpoch });
    }
    this.#maybeStartSync(); // a single voter
  }

  /** With ACKEPOCH from a quorum, take the new epoch and sync every follower. */
  #maybeStartSync(): void {
    if (!this.#isQuorum(this.#votersWhere((l) => l.epochAcked) + 1)) return;
    this.#currentEpoch = this.#newEpoch;
    this.#persistEpochs();
    this.#counter = 0;
    this.#leaderPhase = 'waitNewLeaderAck';
    this.#phaseStartTick = this.#now;
    for (const [peer, learner] of this.#learners) {
      if (learner.epochAcked) this.#syncLearner(peer, learner);
    }
    this.#maybeEstablish(); // a single voter
  }

  /** DIFF, TRUNC or SNAP from the follower's position, then NEWLEADER. */
  #syncLearner(peer: ServerId, learner: LearnerHandler): void {
    const info = learner.ackEpoch!;
    const ownEnds = new Map(this.#epochEnds());
    // The last zxid both logs hold: within one epoch both are prefixes of what that epoch's
    // leader proposed, and a shared zxid implies the same history before it.
    let common = 0;
    for (const [epoch, last] of info.epochEnds) {
      const own = ownEnds.get(epoch);
      if (own !== undefined) common = Math.max(common, Math.min(own, last));
    }
    let from: Zxid;
    if (common >= this.#logBase) {
      // The log holds everything after `common`: DIFF, or TRUNC of the follower's own tail.
      from = common;
      if (info.lastZxid === common) {
        this.#send(peer, { type: 'sync', mode: 'diff', truncateTo: 0 });
      } else {
        this.#send(peer, { type: 'sync', mode: 'trunc', truncateTo: common });
      }
    } else {
      // What is shared lies before the log (or nothing is): the snapshot, then the log after it.
      const snapshot = this.#snapshot!;
      from = snapshot.zxid;
      this.#send(peer, {
        type: 'sync',
        mode: 'snap',
        truncateTo: 0,
        snapshotZxid: snapshot.zxid,
        snapshotBytes: snapshot.data.length,
      });
      for (let o = 0; o < snapshot.data.length; o += this.#snapChunkBytes) {
        const data = snapshot.data.subarray(o, o + this.#snapChunkBytes);
        this.#send(peer, { type: 'snapChunk', data });
      }
    }
    for (let i = this.#indexAfter(from); i < this.#log.length; i += this.#syncBatchEntries) {
      const entries = this.#log.slice(i, i + this.#syncBatchEntries);
      this.#send(peer, { type: 'syncEntries', entries });
    }
    this.#send(peer, { type: 'newLeader', epoch: this.#newEpoch });
    learner.forwarding = true;
  }

  /** With a quorum holding our history, commit all of it and start broadcast. */
  #maybeEstablish(): void {
    if (!this.#isQuorum(this.#syncedVoters() + 1)) return;
    this.#leaderPhase = 'broadcast';
    this.#committed = this.lastZxid;
    this.#applyUpTo(this.#committed);
    for (const [peer, learner] of this.#learners) {
      if (learner.synced) this.#send(peer, { type: 'upToDate', committed: this.#committed });
    }
    this.#announceRole();
  }

  #propose(txn: T): void {
    const entry = { zxid: makeZxid(this.#newEpoch, ++this.#counter), txn };
    this.#appendToLog([entry]);
    // Observers hear of it once it is committed (INFORM).
    for (const [peer, learner] of this.#learners) {
      if (learner.forwarding && !this.#observers.includes(peer)) {
        this.#send(peer, { type: 'proposal', entry });
      }
    }
    this.#maybeCommit(); // a single voter
  }

  /** Commit, in zxid order, every proposal a quorum has logged. */
  #maybeCommit(): void {
    for (let i = this.#indexAfter(this.#committed); i < this.#log.length; i++) {
      const entry = this.#log[i]!;
      const acks = 1 + this.#votersWhere((l) => l.synced && l.ackedUpTo >= entry.zxid);
      if (!this.#isQuorum(acks)) return;
      this.#committed = entry.zxid;
      this.#applyUpTo(entry.zxid);
      for (const [peer, learner] of this.#learners) {
        if (!learner.forwarding) continue;
        if (this.#observers.includes(peer)) this.#send(peer, { type: 'inform', entry });
        else this.#send(peer, { type: 'commit', zxid: entry.zxid });
      }
    }
  }
}
