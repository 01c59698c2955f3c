/**
 * The coordinator's semantics core: sessions, requests, watches, and the request pipeline
 * that runs every write through the same stages in standalone and ensemble mode, with the
 * data tree in memory. Transports (WebSocket JSON in ws-server.ts, ZooKeeper's binary
 * protocol in zk-server.ts) hand it decoded requests through the `ServerConnection` boundary
 * (connection.ts); it never sees bytes. This file is the wiring; each stage is a module of
 * pipeline/ named after the ZooKeeper request processor it stands for:
 *
 *   submit -> order -+-> read: answered from the tree now (#execute) ---------+
 *                     |                                                          v
 *                     +-> write -> prepare -> propose -> apply -> group commit -> reply
 *
 *   order, reply   reply.ts          RequestOrder, ReplyQueue (FinalRequestProcessor's send)
 *   prepare        prepare.ts        PrepRequestProcessor
 *   propose        propose.ts        LocalQuorum standalone; Zab's ProposalRequestProcessor
 *                                    (leader) or FollowerRequestProcessor in an ensemble
 *   apply          apply.ts          FinalRequestProcessor's processTxn, DataTree.processTxn
 *   group commit   group-commit.ts   SyncRequestProcessor
 *
 * 1. Order: a connection's requests run in arrival order; a read waits for the writes the
 *    same connection sent before it, everything waits behind a handshake or `sync`.
 * 2. Prepare: a write (or createSession/close) becomes a txn carrying what depends on the
 *    connection (ACLs expanded, identities, session, time, origin).
 * 3. Propose: the txn gets its zxid and is committed. Standalone, by a quorum of one that
 *    commits synchronously; in an ensemble, by Zab (leader proposes, follower forwards).
 *    Either way it comes back through `applyCommitted`, in zxid order.
 * 4. Apply: every server applies the txn to its tree and sessions; the checks (NODEEXISTS,
 *    BADVERSION, NOAUTH...) run here. Watches fire; the server the txn came from queues
 *    its client's reply.
 * 5. Group commit: the changed nodes and sessions are written to the store in one fsynced
 *    batch; writes applied while a commit runs share the next one.
 * 6. Reply: every outgoing item (handshake answer, reply, watch event, close) enters ONE
 *    queue tagged with the last zxid applied when it was made, released as commits finish.
 *
 * Consequences, each a ZooKeeper guarantee:
 * - nobody (writer or reader) hears of a change before it is on disk, so `kill -9` at any
 *   moment loses nothing a client has seen, and no reply carries a zxid that could vanish;
 * - replies leave in request order per connection; a watch event leaves before the reply of
 *   any later request that sees the change, and events leave in zxid order;
 * - a read queued behind a write of another client waits for that write's fsync, exactly
 *   as in ZooKeeper's single standalone pipeline.
 * Standalone, the whole path from submit to the queued reply runs synchronously, so the
 * in-memory tree runs ahead of the disk by at most one commit. If a commit fails the process
 * cannot go on (memory and disk disagree about unacknowledged writes), so the server reports
 * a fatal error and main.ts exits; on restart LevelDB holds exactly the acknowledged state.
 * In an ensemble the Zab log (ensemble/zab-disk.ts) is the durable state, and the store is
 * a MemoryStore (main.ts).
 *
 * Standalone, failed writes do not consume a zxid (propose.ts; ZooKeeper burns one per failed
 * write; clients cannot tell the difference, since all they rely on is that zxids never go
 * backwards). In an ensemble a failed write's zxid is its log entry's.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Clock } from '../src/clock.js';
import { systemScheduler, type Scheduler, type Timer } from '../src/scheduler.js';
import { InvariantError, unreachable } from '../src/assert.js';
import type { Logger } from '../src/logger.js';
import { ErrorCode, KeeperError } from '../src/protocol/coordinator/errors.js';
import {
  formatSessionId,
  type Acl,
  type ConnectRequest,
  type Request,
  type Result,
  type SetWatchesRequest,
} from '../src/protocol/coordinator/messages.js';
import type { ConnectionStats, ServerConnection } from './connection.js';
import { DataTree, type Trigger } from './data-tree.js';
import { SUPER_IDENTITY, isValidDigestId } from './acl.js';
import { SessionTracker, type Session } from './session-tracker.js';
import { LevelStore, type LoadedState, type Store, type StoredNode } from './store.js';
import { WatchManager } from './watch-manager.js';
import { ServerMetrics } from './server-metrics.js';
import { directoryBytes, fileDescriptorCounts } from './process-stats.js';
import { renderFourLetterWord, type ServerSnapshot } from './four-letter-words.js';
import type { CoordinatorTxn, TxnOrigin, WriteRequest } from './ensemble/txn.js';
import { applyTxn, watchDeliveries, type Applied } from './pipeline/apply.js';
import { prepareWrite, type Requester } from './pipeline/prepare.js';
import { executeRead } from './pipeline/read.js';
import { LocalQuorum, type Replication } from './pipeline/propose.js';
import { GroupCommit } from './pipeline/group-commit.js';
import { ReplyQueue, RequestOrder, WRITE_OPS, type WaitingRequest } from './pipeline/reply.js';
import { readOnlyConnect, readOnlyRule } from './read-only.js';

export type { Replication } from './pipeline/propose.js';

export const SERVER_VERSION = '3.8.0-samsa';

export interface CoordinatorServerOptions {
  dataDir: string;
  tickMs?: number;
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  serverId?: number;
  /** ZooKeeper's `extendedTypesEnabled`: allows TTL nodes. */
  extendedTypesEnabled?: boolean;
  /** ZooKeeper's `znode.container.checkIntervalMs`. */
  containerCheckIntervalMs?: number;
  clientPort?: number;
  /** The secure (TLS) client port, for `conf`; -1 (the default) when there is none. */
  secureClientPort?: number;
  logger: Logger;
  /**
   * Time and timers: session expiry and container checks run on it. Defaults to the system
   * scheduler; unit tests pass a ManualScheduler and move time with `advance`.
   */
  scheduler?: Scheduler;
  /** Where commits go. Defaults to the LevelDB store in `dataDir`; tests pass a MemoryStore. */
  store?: Store;
  /**
   * Ensemble mode (coordinator/ensemble/): the propose stage is Zab's; writes and session
   * changes take effect when the ensemble calls `applyCommitted`. Absent in standalone mode,
   * where a LocalQuorum (pipeline/propose.ts) commits each txn at once.
   */
  replication?: Replication;
  /**
   * ZooKeeper's `zookeeper.DigestAuthenticationProvider.superDigest`: `super:<base64 sha1>`
   * (the digest of `super:<password>`). A connection whose digest auth produces exactly this
   * id is the super user and passes every ACL check. Absent: no super user.
   */
  superDigest?: string;
}

/** A request (or handshake) of this server waiting for its txn to be committed. */
type PendingTxn =
  | { kind: 'connect'; state: ConnState }
  | ({ kind: 'request'; state: ConnState } & WaitingRequest);

/** Everything the core knows about one transport connection. */
interface ConnState {
  conn: ServerConnection;
  session: Session | undefined;
  /** Authenticated identities (`digest:user:hash`), from auth packets. */
  authIds: Acl[];
  stats: ConnectionStats;
  closed: boolean;
  /** Which of its requests may run now (pipeline/reply.ts). */
  order: RequestOrder;
}

/** The connection as the prepare stage sees it. */
function requesterOf(state: ConnState): Requester {
  return { remoteAddress: state.conn.remoteAddress, authIds: state.authIds };
}

export class CoordinatorServer extends EventEmitter {
  /** Replaced only when an ensemble member installs a snapshot (`installState`). */
  tree = new DataTree();
  readonly watches = new WatchManager<ConnState>();
  readonly sessions: SessionTracker;
  readonly options: Required<
    Omit<
      CoordinatorServerOptions,
      | 'scheduler'
      | 'store'
      | 'logger'
      | 'minSessionTimeoutMs'
      | 'maxSessionTimeoutMs'
      | 'replication'
      | 'superDigest'
    >
  >;
  readonly #superDigest: string | undefined;
  readonly #store: Store;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #scheduler: Scheduler;
  readonly #connStates = new Map<ServerConnection, ConnState>();
  /** session id -> the connection it is currently bound to */
  readonly #sessionConn = new Map<bigint, ConnState>();
  #lastZxid = 0;
  #closed = false;
  /** The reply stage: every outgoing item, released as commits make it durable. */
  readonly #replies: ReplyQueue<ConnState>;
  /** The durability stage: changed nodes and sessions into the store, one batch at a time. */
  readonly #groupCommit: GroupCommit;
  #timers: Timer[] = [];
  readonly startedAtMs: number;
  // Server-wide statistics for srvr/mntr.
  #packetsReceived = 0;
  /** mntr's ZooKeeper-named counters and summaries (server-metrics.ts). */
  readonly metrics = new ServerMetrics();
  /** lastZxid when the metrics were last reset: every zxid since is one proposal. */
  #proposalBaseZxid = 0;
  /** The propose stage: Zab's in an ensemble, a quorum of one (LocalQuorum) standalone. */
  readonly #replication: Replication;
  readonly #standalone: boolean;
  /** This run's id and its txns waiting for their commit, by origin seq. */
  readonly #run = Math.floor(Math.random() * 2 ** 31);
  #nextSeq = 0;
  readonly #pending = new Map<number, PendingTxn>();
  /**
   * Ensemble mode, not leading: what waits for this server to apply up to `zxid`, the leader's
   * answer to a sync (a client's `sync`, or a session's revalidation), then runs `release`.
   */
  #syncWaiters: { zxid: number; state: ConnState; release: () => void }[] = [];
  /** The next session id this server hands out (see #newSessionId). */
  #nextSessionId: bigint | undefined;
  /** Read-only mode: its local sessions, known to this server only (read-only.ts). */
  readonly #readOnlySessions: SessionTracker;
  /** Ensemble mode, not leading: sessions touched since the last report to the leader. */
  #touched = new Set<bigint>();

  private constructor(store: Store, options: CoordinatorServerOptions, loaded: LoadedState) {
    super();
    this.#store = store;
    if (options.replication) {
      this.#replication = options.replication;
      this.#standalone = false;
    } else {
      const local = new LocalQuorum();
      local.bind(this);
      this.#replication = local;
      this.#standalone = true;
    }
    if (options.superDigest !== undefined && !isValidDigestId(options.superDigest)) {
      throw new Error('the super digest must be user:base64(sha1(user:password))');
    }
    this.#superDigest = options.superDigest;
    this.#log = options.logger;
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#clock = this.#scheduler;
    this.options = {
      dataDir: options.dataDir,
      tickMs: options.tickMs ?? 2000,
      serverId: options.serverId ?? 1,
      extendedTypesEnabled: options.extendedTypesEnabled ?? false,
      containerCheckIntervalMs: options.containerCheckIntervalMs ?? 60_000,
      clientPort: options.clientPort ?? 2181,
      secureClientPort: options.secureClientPort ?? -1,
    };
    this.startedAtMs = this.#clock.nowMs();
    const sessionOptions = {
      tickMs: this.options.tickMs,
      minSessionTimeoutMs: options.minSessionTimeoutMs,
      maxSessionTimeoutMs: options.maxSessionTimeoutMs,
      serverId: this.options.serverId,
    };
    this.sessions = new SessionTracker(sessionOptions, this.#clock.nowMs());
    this.#readOnlySessions = new SessionTracker(sessionOptions, this.#clock.nowMs());
    this.#replies = new ReplyQueue({
      clock: this.#clock,
      metrics: this.metrics,
      logger: this.#log,
      close: (state, reason) => this.#closeNow(state, reason),
      durableZxid: loaded.lastZxid,
    });
    this.#groupCommit = new GroupCommit({
      store,
      source: {
        lastZxid: () => this.#lastZxid,
        hasChangedNodes: () => this.tree.hasDirtyPaths,
        takeChangedNodes: () => {
          const nodes = new Map<string, StoredNode | null>();
          for (const path of this.tree.takeDirtyPaths())
            nodes.set(path, this.tree.get(path) ?? null);
          return nodes;
        },
      },
      durableZxid: loaded.lastZxid,
      metrics: this.metrics,
      logger: this.#log,
      onDurable: (zxid) => this.#replies.release(zxid),
      onFatal: (error) => {
        this.#closed = true;
        this.emit('fatal', error);
      },
    });
  }

  /** Open the store, rebuild the tree and the sessions, and start the expiry timers. */
  static async open(options: CoordinatorServerOptions): Promise<CoordinatorServer> {
    const store = options.store ?? (await LevelStore.open(options.dataDir));
    const state = await store.load();
    const server = new CoordinatorServer(store, options, state);
    server.#recover(state);
    server.#startTimers();
    return server;
  }

  #recover(state: LoadedState): void {
    for (const [path, node] of state.nodes) this.tree.loadNode(path, node);
    this.tree.takeDirtyPaths();
    const now = this.#clock.nowMs();
    // Sessions come back with a fresh deadline counted from now; those whose clients do not
    // return in time expire as usual and take their ephemerals with them.
    for (const session of state.sessions) this.sessions.add(session, now);
    this.#lastZxid = state.lastZxid;
    this.#proposalBaseZxid = state.lastZxid;
    this.#log.info(
      {
        lastZxid: '0x' + state.lastZxid.toString(16),
        nodes: this.tree.nodeCount,
        sessions: state.sessions.length,
        ephemerals: this.tree.ephemeralCount,
      },
      'recovered state from disk',
    );
  }

  #startTimers(): void {
    const expiry = this.#scheduler.repeat(Math.max(10, Math.floor(this.options.tickMs / 2)), () =>
      this.#expireSessions(),
    );
    const containers = this.#scheduler.repeat(this.options.containerCheckIntervalMs, () =>
      this.#cleanUpContainers(),
    );
    this.#timers.push(expiry, containers);
  }

  /** The time and timers the core runs on; transports take their timeouts from it too. */
  get scheduler(): Scheduler {
    return this.#scheduler;
  }

  get lastZxid(): number {
    return this.#lastZxid;
  }

  // =====================================================================================
  // The transport-facing API.

  attach(conn: ServerConnection): void {
    const now = this.#clock.nowMs();
    this.#connStates.set(conn, {
      conn,
      session: undefined,
      authIds: [],
      closed: false,
      order: new RequestOrder(),
      stats: {
        connectedAtMs: now,
        packetsReceived: 0,
        packetsSent: 0,
        lastOp: 'NA',
        lastCxid: -1,
        lastZxid: -1,
        lastResponseAtMs: 0,
        lastLatencyMs: 0,
        minLatencyMs: Infinity,
        maxLatencyMs: 0,
        totalLatencyMs: 0,
        replies: 0,
      },
    });
  }

  /** The socket is gone. The session lives on until it times out (or is resumed). */
  detach(conn: ServerConnection, reason: string): void {
    const state = this.#connStates.get(conn);
    if (!state) return;
    state.closed = true;
    this.#connStates.delete(conn);
    // A drop: the connection ended while its session lives on (not a closeSession, not an
    // expiry), which is what ZooKeeper's connection_drop_count counts.
    if (state.session && this.sessions.get(state.session.id) && !state.session.closing)
      this.metrics.connectionDropCount++;
    this.watches.removeWatcher(state);
    if (state.session && this.#sessionConn.get(state.session.id) === state) {
      this.#sessionConn.delete(state.session.id);
    }
    this.#log.debug(
      { conn: conn.id, session: state.session && formatSessionId(state.session.id), reason },
      'connection detached',
    );
  }

  /**
   * The session handshake (docs/coordinator-protocol.md section 2). The answer goes out
   * through `conn.send`.
   */
  connect(conn: ServerConnection, request: ConnectRequest): void {
    const state = this.#stateOf(conn);
    if (!state) return;
    state.stats.packetsReceived++;
    this.#packetsReceived++;
    this.metrics.connectionRequestCount++;
    if (state.session || state.order.barrier) {
      this.#closeNow(state, 'second connect request on one connection');
      return;
    }
    if (!this.#replication.serving && !this.#replication.readOnly) {
      // ZooKeeper's servers take no clients while they are not in broadcast.
      this.#closeNow(state, `server is not serving (${this.#replication.mode})`);
      return;
    }
    if (request.lastZxidSeen > this.#lastZxid) {
      // The client has seen a newer state than ours: ZooKeeper refuses without an answer so
      // that the client tries another server.
      this.#closeNow(
        state,
        `client has seen zxid 0x${request.lastZxidSeen.toString(16)}, ahead of ours`,
      );
      return;
    }
    const now = this.#clock.nowMs();
    const timeoutMs = this.sessions.negotiateTimeout(request.timeoutMs);
    if (this.#replication.readOnly) {
      this.#connectReadOnly(state, request, timeoutMs, now);
      return;
    }
    if (request.sessionId === 0n) {
      this.#proposeSession(state, timeoutMs, now);
      return;
    }
    if (!this.#standalone && !this.#replication.leading) {
      // A follower or observer revalidates a session with the leader before it answers, as
      // ZooKeeper's learners do (REVALIDATE): here through the sync round trip, after which
      // this server has applied every txn the leader had proposed, a closeSession included.
      // If the leader is gone, no answer comes: the connection is closed when this server
      // stops serving, and the client tries another server without having seen CONNECTED.
      this.#afterLeaderSync(state, () => this.#resumeSession(state, request, timeoutMs));
      return;
    }
    this.#resumeSession(state, request, timeoutMs);
  }

  /** The rest of the handshake for a session id the client brings. */
  #resumeSession(state: ConnState, request: ConnectRequest, timeoutMs: number): void {
    const conn = state.conn;
    const now = this.#clock.nowMs();
    const session = this.sessions.get(request.sessionId);
    if (!session || session.closing || !session.password.equals(request.password)) {
      this.#log.info(
        {
          session: formatSessionId(request.sessionId),
          known: session !== undefined,
          conn: conn.id,
        },
        'session expired or unknown: refusing resume',
      );
      this.#answerConnect(state, undefined);
      return;
    }
    this.#moveSession(session, state);
    if (!this.#standalone) {
      // The session keeps the timeout it was created with (no txn for a change yet).
      this.sessions.touch(session, now);
      this.#touched.add(session.id);
    } else if (session.timeoutMs !== timeoutMs) {
      // Standalone, a new timeout is written with the next group commit, under a zxid of its
      // own (outside the pipeline: there is no txn for it).
      this.sessions.setTimeout(session, timeoutMs, now);
      this.#lastZxid++;
      this.#groupCommit.sessionChanged(session.id, {
        id: session.id,
        timeoutMs,
        password: session.password,
      });
      this.#groupCommit.schedule();
    } else {
      this.sessions.touch(session, now);
    }
    this.#bind(state, session);
    this.#log.info(
      { session: formatSessionId(session.id), conn: conn.id, protocol: conn.protocol },
      'session resumed',
    );
    this.#answerConnect(state, session);
  }

  /** One request, in the connection's order. */
  submit(conn: ServerConnection, xid: number, request: Request): void {
    const state = this.#stateOf(conn);
    if (!state) return;
    const receivedAtMs = this.#clock.nowMs();
    state.stats.packetsReceived++;
    this.#packetsReceived++;
    const session = state.session;
    if (!session) {
      this.#closeNow(state, `request ${request.op} before the session handshake`);
      return;
    }
    if (session.closing) return; // the close is already queued
    const readOnly = this.#replication.readOnly;
    (readOnly ? this.#readOnlySessions : this.sessions).touch(session, receivedAtMs);
    if (!this.#standalone && !readOnly) this.#touched.add(session.id);
    if (request.op !== 'ping') {
      state.stats.lastOp = LAST_OP_NAMES[request.op] ?? request.op.toUpperCase().slice(0, 4);
      state.stats.lastCxid = xid;
    }
    if (readOnly) {
      this.#submitReadOnly(state, session, xid, request, receivedAtMs);
      return;
    }
    const waiting: WaitingRequest = { xid, request, receivedAtMs };
    if (!state.order.mayRunNow(request) || !this.#runRequest(state, session, waiting))
      state.order.waiting.push(waiting);
  }

  /**
   * Run one request whose turn it is: a write goes to the prepare and propose stages, a read
   * is answered from the tree, a follower's `sync` asks the leader first. False: it must wait
   * (see #propose).
   */
  #runRequest(state: ConnState, session: Session, waiting: WaitingRequest): boolean {
    const { xid, request, receivedAtMs } = waiting;
    if (WRITE_OPS.has(request.op)) return this.#propose(state, session, waiting);
    if (request.op === 'sync' && !this.#replication.leading) {
      this.#afterLeaderSync(state, () => {
        this.#replies.enqueue({
          state,
          zxid: this.#lastZxid,
          receivedAtMs,
          item: {
            kind: 'reply',
            xid,
            zxid: this.#lastZxid,
            err: ErrorCode.OK,
            request,
            result: { path: request.path },
          },
        });
      });
    } else this.#handle(state, session, xid, request, receivedAtMs);
    return true;
  }

  /** Run what waited behind the connection's txns or barrier, as far as the rules allow. */
  #resume(state: ConnState): void {
    while (!state.closed && state.order.mayRunNext()) {
      const session = state.session;
      if (!session || session.closing) return;
      // Taken off before it runs: a standalone write is applied (and resumes) synchronously.
      const next = state.order.waiting.shift()!;
      if (!this.#runRequest(state, session, next)) {
        state.order.waiting.unshift(next);
        return;
      }
    }
  }

  /**
   * Ensemble mode, a follower or observer: `release` runs once this server has applied
   * everything the leader had proposed when it heard of the sync (ZooKeeper's sync, through
   * the leader). Later requests of the connection wait behind it.
   */
  #afterLeaderSync(state: ConnState, release: () => void): void {
    state.order.barrier = true;
    this.#replication.syncWithLeader((zxid) => {
      if (state.closed) return;
      if (zxid === undefined) {
        this.#closeNow(state, 'server is not serving');
        return;
      }
      this.#syncWaiters.push({ zxid, state, release });
      this.#releaseSyncs();
    });
  }

  #releaseSyncs(): void {
    if (this.#syncWaiters.length === 0) return;
    const ready = this.#syncWaiters.filter((w) => w.zxid <= this.#lastZxid);
    if (ready.length === 0) return;
    this.#syncWaiters = this.#syncWaiters.filter((w) => w.zxid > this.#lastZxid);
    for (const { state, release } of ready) {
      if (state.closed) continue;
      state.order.barrier = false;
      release();
      this.#resume(state);
    }
  }

  /** Execute a read (or session-local request) now and queue its reply. */
  #handle(
    state: ConnState,
    session: Session,
    xid: number,
    request: Request,
    receivedAtMs: number,
  ): void {
    const conn = state.conn;
    let err: number = ErrorCode.OK;
    let result: Result = {};
    try {
      result = this.#execute(state, session, request);
    } catch (error) {
      if (error instanceof InvariantError) throw error;
      if (error instanceof KeeperError) {
        err = error.code;
        if (error.results) result = { results: error.results };
      } else {
        this.#log.error(
          { err: error, op: request.op, conn: conn.id },
          'unexpected error while handling a request',
        );
        err = ErrorCode.SYSTEMERROR;
      }
    }
    if (request.op === 'auth') {
      // Auth replies carry zxid 0, as ZooKeeper's do; a failed auth closes the connection.
      this.#replies.enqueue({
        state,
        zxid: this.#lastZxid,
        item: { kind: 'reply', xid, zxid: 0, err, request, result },
      });
      if (err !== ErrorCode.OK)
        this.#replies.enqueue({
          state,
          zxid: this.#lastZxid,
          closeReason: 'authentication failed',
        });
      return;
    }
    this.#replies.enqueue({
      state,
      zxid: this.#lastZxid,
      receivedAtMs,
      item: { kind: 'reply', xid, zxid: this.#lastZxid, err, request, result },
    });
  }

  /**
   * A request the transport could not decode: answer `err` in the request's place in the
   * reply order (so earlier replies still come first), and optionally close afterwards.
   */
  reject(conn: ServerConnection, xid: number, err: number, closeReason?: string): void {
    const state = this.#stateOf(conn);
    if (!state) return;
    state.stats.packetsReceived++;
    this.#packetsReceived++;
    const request: Request = { op: 'ping' };
    this.#replies.enqueue({
      state,
      zxid: this.#lastZxid,
      item: { kind: 'reply', xid, zxid: this.#lastZxid, err, request, result: {} },
    });
    if (closeReason !== undefined)
      this.#replies.enqueue({ state, zxid: this.#lastZxid, closeReason });
  }

  // =====================================================================================
  // Reads (pipeline/read.ts), answered from this server's tree, and auth and setWatches.

  #execute(state: ConnState, session: Session, request: Request): Result {
    switch (request.op) {
      case 'setWatches':
        this.#setWatches(state, request);
        return {};
      case 'auth':
        this.#authenticate(state, request.scheme, request.auth);
        return {};
      case 'create':
      case 'delete':
      case 'setData':
      case 'setACL':
      case 'multi':
      case 'close':
        throw new InvariantError(`${request.op} is a write: it goes through #propose`);
      default:
        return executeRead(
          {
            tree: this.tree,
            watches: this.watches,
            watcher: state,
            requester: requesterOf(state),
            sessionId: session.id,
          },
          request,
        );
    }
  }

  // =====================================================================================
  // Writes: prepare (pipeline/prepare.ts), propose (pipeline/propose.ts), and the apply of
  // what comes back committed (pipeline/apply.ts), in both modes.

  /**
   * A session id from this server's own range, ZooKeeper's layout (server id in the high
   * byte, the start time in the middle bits, a counter below). The tracker's own counter
   * cannot be used in an ensemble: it jumps past every id it is given, and every server is
   * given every other server's sessions, so two servers would count up from the same id.
   */
  #newSessionId(nowMs: number): bigint {
    if (this.#nextSessionId === undefined) {
      const timeBits = (BigInt(nowMs) << 24n) & 0xffffffffffffffffn;
      const server = BigInt(this.options.serverId);
      this.#nextSessionId = BigInt.asIntN(64, (timeBits >> 8n) | (server << 56n));
    }
    let id = this.#nextSessionId;
    while (this.sessions.get(id)) id = BigInt.asIntN(64, id + 1n);
    this.#nextSessionId = BigInt.asIntN(64, id + 1n);
    return id;
  }

  #origin(): TxnOrigin {
    return { server: this.options.serverId, run: this.#run, seq: ++this.#nextSeq };
  }

  /**
   * createSession is a txn: the handshake is answered when it is applied (at once standalone,
   * on Zab's commit in an ensemble); until then the connection's requests wait.
   */
  #proposeSession(state: ConnState, timeoutMs: number, nowMs: number): void {
    const origin = this.#origin();
    state.order.barrier = true;
    this.#pending.set(origin.seq, { kind: 'connect', state });
    const txn: CoordinatorTxn = {
      type: 'createSession',
      origin,
      sessionId: this.#newSessionId(nowMs),
      timeoutMs,
      password: randomBytes(16),
    };
    if (!this.#replication.submit(txn)) {
      this.#pending.delete(origin.seq);
      this.#closeNow(state, 'server is not serving');
    }
  }

  /**
   * Prepare a client's write into a txn and submit it. A write that fails in preparing is
   * answered at once, so it returns false (wait) while earlier writes of the connection are
   * still in flight: its reply must not overtake theirs.
   */
  #propose(state: ConnState, session: Session, waiting: WaitingRequest): boolean {
    const { xid, request, receivedAtMs } = waiting;
    const origin = this.#origin();
    let txn: CoordinatorTxn;
    try {
      txn = prepareWrite(request as WriteRequest | { op: 'close' }, {
        requester: requesterOf(state),
        origin,
        sessionId: session.id,
        timeMs: this.#clock.nowMs(),
      });
    } catch (error) {
      if (!(error instanceof KeeperError)) throw error;
      if (state.order.inFlight > 0) return false;
      this.#replies.enqueue({
        state,
        zxid: this.#lastZxid,
        receivedAtMs,
        item: { kind: 'reply', xid, zxid: this.#lastZxid, err: error.code, request, result: {} },
      });
      return true;
    }
    // No request of the session runs after its close (see submit).
    if (request.op === 'close') session.closing = true;
    state.order.inFlight++;
    this.#pending.set(origin.seq, { kind: 'request', state, ...waiting });
    if (!this.#replication.submit(txn)) {
      this.#pending.delete(origin.seq);
      this.#closeNow(state, 'server is not serving');
    }
    return true;
  }

  /**
   * A committed txn, in zxid order: from Zab in an ensemble, from the LocalQuorum at once
   * standalone. Every server applies every txn; the server it came from also answers its
   * client.
   */
  applyCommitted(zxid: number, txn: CoordinatorTxn): void {
    if (zxid <= this.#lastZxid) {
      throw new InvariantError(`txn 0x${zxid.toString(16)} after 0x${this.#lastZxid.toString(16)}`);
    }
    const origin = txn.origin;
    let pending: PendingTxn | undefined;
    if (origin && origin.server === this.options.serverId && origin.run === this.#run) {
      pending = this.#pending.get(origin.seq);
      this.#pending.delete(origin.seq);
    }
    const target = {
      tree: this.tree,
      sessions: this.sessions,
      extendedTypesEnabled: this.options.extendedTypesEnabled,
    };
    try {
      const applied = applyTxn(target, zxid, txn, this.#clock.nowMs());
      switch (applied.type) {
        case 'createSession':
          this.#sessionCreated(zxid, applied.session, pending);
          break;
        case 'closeSession':
          this.#sessionClosed(
            zxid,
            txn as Extract<CoordinatorTxn, { type: 'closeSession' }>,
            applied,
            pending,
          );
          break;
        case 'write':
          this.#written(zxid, txn as Extract<CoordinatorTxn, { type: 'write' }>, applied, pending);
          break;
        default:
          unreachable(applied);
      }
      this.#groupCommit.schedule();
    } finally {
      this.#releaseSyncs();
    }
  }

  #sessionCreated(zxid: number, session: Session, pending: PendingTxn | undefined): void {
    this.#lastZxid = zxid;
    this.#groupCommit.sessionChanged(session.id, {
      id: session.id,
      timeoutMs: session.timeoutMs,
      password: session.password,
    });
    if (pending?.kind !== 'connect' || pending.state.closed) return;
    const { state } = pending;
    state.order.barrier = false;
    this.#bind(state, session);
    this.#log.info(
      {
        session: formatSessionId(session.id),
        timeoutMs: session.timeoutMs,
        conn: state.conn.id,
        protocol: state.conn.protocol,
        zxid,
      },
      'session created',
    );
    this.#answerConnect(state, session);
    this.#resume(state);
  }

  /**
   * A session ended: its ephemerals went in this one zxid; everyone else's watches fire. Its
   * connection, if any, is closed after what is already queued for it; a client whose session
   * expired is told nothing (it learns on reconnect).
   */
  #sessionClosed(
    zxid: number,
    txn: Extract<CoordinatorTxn, { type: 'closeSession' }>,
    applied: Extract<Applied, { type: 'closeSession' }>,
    pending: PendingTxn | undefined,
  ): void {
    this.#lastZxid = zxid;
    if (applied.session) {
      this.#groupCommit.sessionChanged(txn.sessionId, null);
      this.#fire(applied.triggers, zxid);
      this.#log.info(
        {
          session: formatSessionId(txn.sessionId),
          reason: txn.reason,
          ephemeralsDeleted: applied.ephemeralsDeleted,
          zxid,
        },
        'session closed',
      );
    }
    const local = this.#sessionConn.get(txn.sessionId);
    if (pending?.kind === 'request') {
      const { state, xid, request, receivedAtMs } = pending;
      state.order.inFlight--;
      this.#replies.enqueue({
        state,
        zxid,
        receivedAtMs,
        item: { kind: 'reply', xid, zxid, err: ErrorCode.OK, request, result: {} },
      });
      this.#replies.enqueue({ state, zxid, closeReason: 'session closed by client' });
      this.#sessionConn.delete(txn.sessionId);
    } else if (local) {
      this.#sessionConn.delete(txn.sessionId);
      this.#replies.enqueue({ state: local, zxid, closeReason: 'session expired' });
    }
  }

  #written(
    zxid: number,
    txn: Extract<CoordinatorTxn, { type: 'write' }>,
    applied: Extract<Applied, { type: 'write' }>,
    pending: PendingTxn | undefined,
  ): void {
    // In an ensemble the zxid is the log entry's whatever the outcome; standalone, a write
    // that changed nothing leaves it to the next txn (pipeline/propose.ts).
    if (applied.changed || !this.#standalone) this.#lastZxid = zxid;
    if (applied.unexpected !== undefined)
      this.#log.error({ err: applied.unexpected, zxid }, 'unexpected error while applying a txn');
    if (applied.changed) {
      this.#fire(applied.triggers, zxid);
      if (txn.origin === undefined && txn.request.op === 'delete')
        this.#log.info(
          { path: txn.request.path, zxid },
          'deleted empty container or expired TTL node',
        );
    }
    if (pending?.kind !== 'request') return;
    const { state, xid, request, receivedAtMs } = pending;
    const replyZxid = this.#lastZxid;
    this.#replies.enqueue({
      state,
      zxid: replyZxid,
      receivedAtMs,
      item: {
        kind: 'reply',
        xid,
        zxid: replyZxid,
        err: applied.err,
        request,
        result: applied.result,
      },
    });
    state.order.inFlight--;
    this.#resume(state);
  }

  /** Ensemble mode, following: sessions to report to the leader. */
  takeTouchedSessions(): bigint[] {
    const ids = [...this.#touched];
    this.#touched = new Set();
    return ids;
  }

  /** Ensemble mode, leading: a follower's clients were heard from. */
  touchSessions(ids: readonly bigint[]): void {
    const now = this.#clock.nowMs();
    for (const id of ids) {
      const session = this.sessions.get(id);
      if (session && !session.closing) this.sessions.touch(session, now);
    }
  }

  /**
   * Ensemble mode: this server took or lost the lead. A new leader gives every session a
   * fresh deadline (it has not been told of their clients until now), as ZooKeeper's does,
   * and retries the expiry of sessions whose closeSession may not have been committed.
   */
  leadershipChanged(leading: boolean): void {
    if (!leading) return;
    const now = this.#clock.nowMs();
    for (const session of this.sessions.all()) {
      session.closing = false;
      this.sessions.touch(session, now);
    }
  }

  /**
   * Ensemble mode: the tree and the sessions exactly as of the last applied zxid, for a Zab
   * snapshot (ensemble/snapshot.ts encodes it). Parents come before their children.
   */
  snapshotState(): LoadedState {
    const paths = [...this.tree.paths()].sort();
    return {
      lastZxid: this.#lastZxid,
      nodes: paths.map((path) => [path, this.tree.get(path)!]),
      sessions: [...this.sessions.all()].map((s) => ({
        id: s.id,
        timeoutMs: s.timeoutMs,
        password: s.password,
      })),
    };
  }

  /**
   * Ensemble mode: the tree and the sessions become a snapshot's (on start, or a SNAP from
   * the leader while this server is not serving, so no client is connected). Sessions get a
   * fresh deadline, as after a restart.
   */
  installState(state: LoadedState): void {
    this.closeAllConnections('the state is replaced by a snapshot');
    const tree = new DataTree();
    for (const [path, node] of state.nodes) tree.loadNode(path, node);
    tree.takeDirtyPaths();
    this.tree = tree;
    for (const session of [...this.sessions.all()]) this.sessions.remove(session.id);
    const now = this.#clock.nowMs();
    for (const session of state.sessions) this.sessions.add(session, now);
    this.#touched = new Set();
    this.#lastZxid = state.lastZxid;
    this.#groupCommit.schedule();
    this.#log.info(
      {
        zxid: '0x' + state.lastZxid.toString(16),
        nodes: this.tree.nodeCount,
        sessions: state.sessions.length,
      },
      'state loaded from a snapshot',
    );
  }

  // =====================================================================================
  // Read-only mode (coordinator/read-only.ts has the rules).

  /** The handshake while in read-only mode: a local session, or a refusal. */
  #connectReadOnly(
    state: ConnState,
    request: ConnectRequest,
    timeoutMs: number,
    now: number,
  ): void {
    const id = request.sessionId;
    const local = id === 0n ? undefined : this.#readOnlySessions.get(id);
    const decision = readOnlyConnect({
      canBeReadOnly: request.readOnly,
      session: id === 0n ? 'none' : local ? 'local' : this.sessions.get(id) ? 'global' : 'unknown',
    });
    switch (decision.kind) {
      case 'refuse':
        // ZooKeeper logs these refusals at INFO too.
        this.#log.info(
          { conn: state.conn.id, session: formatSessionId(id), reason: decision.reason },
          'refusing a client in read-only mode',
        );
        this.#closeNow(state, decision.reason);
        return;
      case 'create': {
        const password = randomBytes(16);
        const session = this.#readOnlySessions.add(
          { id: this.#newSessionId(now), timeoutMs, password },
          now,
        );
        this.#bind(state, session);
        this.#log.info(
          { session: formatSessionId(session.id), timeoutMs, conn: state.conn.id },
          'read-only session created',
        );
        this.#answerConnect(state, session);
        return;
      }
      case 'resume':
      case 'expired': {
        if (!local || local.closing || !local.password.equals(request.password)) {
          this.#answerConnect(state, undefined);
          return;
        }
        this.#moveSession(local, state);
        this.#readOnlySessions.setTimeout(local, timeoutMs, now);
        this.#bind(state, local);
        this.#answerConnect(state, local);
        return;
      }
      default:
        unreachable(decision);
    }
  }

  /** A request of a read-only session: a read, NOTREADONLY, or the client's own close. */
  #submitReadOnly(
    state: ConnState,
    session: Session,
    xid: number,
    request: Request,
    receivedAtMs: number,
  ): void {
    const rule = readOnlyRule(request.op);
    switch (rule) {
      case 'read':
        this.#handle(state, session, xid, request, receivedAtMs);
        return;
      case 'notReadOnly':
      case 'closeSession': {
        const err = rule === 'notReadOnly' ? ErrorCode.NOTREADONLY : ErrorCode.OK;
        this.#replies.enqueue({
          state,
          zxid: this.#lastZxid,
          receivedAtMs,
          item: { kind: 'reply', xid, zxid: this.#lastZxid, err, request, result: {} },
        });
        if (rule === 'notReadOnly') return;
        session.closing = true;
        this.#readOnlySessions.remove(session.id);
        this.#replies.enqueue({
          state,
          zxid: this.#lastZxid,
          closeReason: 'session closed by client',
        });
        return;
      }
      default:
        unreachable(rule);
    }
  }

  /** Read-only sessions expire here, on this server alone (they have no ephemerals). */
  #expireReadOnlySessions(): void {
    for (const session of this.#readOnlySessions.expire(this.#clock.nowMs())) {
      this.#readOnlySessions.remove(session.id);
      this.#log.info({ session: formatSessionId(session.id) }, 'read-only session expired');
      const state = this.#sessionConn.get(session.id);
      if (state) {
        this.#sessionConn.delete(session.id);
        this.#replies.enqueue({ state, zxid: this.#lastZxid, closeReason: 'session expired' });
      }
    }
  }

  /**
   * Read-only mode ended (a leader is decided): every client goes, and the local sessions
   * are forgotten; a client that brings one to a read/write server finds it expired.
   */
  leaveReadOnly(reason: string): void {
    const sessions = this.#readOnlySessions.size;
    this.closeAllConnections(reason);
    for (const session of [...this.#readOnlySessions.all()]) {
      this.#readOnlySessions.remove(session.id);
      this.#sessionConn.delete(session.id);
    }
    this.#log.info({ sessions, reason }, 'read-only sessions closed');
  }

  /** Ensemble mode: the server left broadcast; its clients must go elsewhere. */
  closeAllConnections(reason: string): void {
    this.#pending.clear();
    this.#syncWaiters = [];
    for (const state of [...this.#connStates.values()]) this.#closeNow(state, reason);
  }

  #authenticate(state: ConnState, scheme: string, auth: Buffer): void {
    try {
      this.#addAuthId(state, scheme, auth);
    } catch (error) {
      this.metrics.authFailedCount++;
      throw error;
    }
  }

  #addAuthId(state: ConnState, scheme: string, auth: Buffer): void {
    if (scheme !== 'digest')
      throw new KeeperError(ErrorCode.AUTHFAILED, undefined, `unknown scheme ${scheme}`);
    const text = auth.toString('utf8');
    const colon = text.indexOf(':');
    if (colon <= 0)
      throw new KeeperError(ErrorCode.AUTHFAILED, undefined, 'digest auth must be user:password');
    const user = text.slice(0, colon);
    // ZooKeeper's DigestAuthenticationProvider: user:base64(sha1("user:password")).
    const hash = createHash('sha1').update(text).digest('base64');
    const id = `${user}:${hash}`;
    // DigestAuthenticationProvider.handleAuthentication: the super digest adds `super:` first.
    if (id === this.#superDigest && !state.authIds.some((a) => a.scheme === SUPER_IDENTITY.scheme))
      state.authIds.push({ perms: 31, ...SUPER_IDENTITY });
    if (!state.authIds.some((a) => a.scheme === 'digest' && a.id === id))
      state.authIds.push({ perms: 31, scheme: 'digest', id });
  }

  /**
   * Re-arm watches after a reconnect (ZooKeeper's setWatches): a change the
   * client missed (since relativeZxid) fires at once instead of re-registering the watch.
   */
  #setWatches(state: ConnState, request: SetWatchesRequest): void {
    const rel = request.relativeZxid;
    const zxid = this.#lastZxid;
    const event = (type: Trigger['type'], path: string): void =>
      this.#replies.enqueue({ state, zxid, item: { kind: 'event', event: { type, path, zxid } } });
    for (const path of request.dataWatches) {
      const node = this.tree.get(path);
      if (!node) event('NodeDeleted', path);
      else if (node.mzxid > rel) event('NodeDataChanged', path);
      else this.watches.addDataWatch(path, state);
    }
    for (const path of request.existWatches) {
      if (this.tree.get(path)) event('NodeCreated', path);
      else this.watches.addDataWatch(path, state);
    }
    for (const path of request.childWatches) {
      const node = this.tree.get(path);
      if (!node) event('NodeDeleted', path);
      else if (node.pzxid > rel) event('NodeChildrenChanged', path);
      else this.watches.addChildWatch(path, state);
    }
    for (const path of request.persistentWatches)
      this.watches.addPersistentWatch(path, state, false);
    for (const path of request.persistentRecursiveWatches)
      this.watches.addPersistentWatch(path, state, true);
  }

  #fire(triggers: readonly Trigger[], zxid: number): void {
    for (const { watcher, event } of watchDeliveries(this.watches, triggers, zxid, this.metrics))
      this.#replies.enqueue({ state: watcher, zxid, item: { kind: 'event', event } });
  }

  // =====================================================================================
  // Sessions.

  #bind(state: ConnState, session: Session): void {
    state.session = session;
    this.#sessionConn.set(session.id, state);
  }

  /**
   * The handshake's answer: the session, or, for a session to resume that is unknown (expired,
   * closed, wrong password), ZooKeeper's timeout 0 and session id 0, then the close.
   */
  #answerConnect(state: ConnState, session: Session | undefined): void {
    this.#replies.enqueue({
      state,
      zxid: this.#lastZxid,
      item: {
        kind: 'connected',
        response: {
          protocolVersion: 0,
          timeoutMs: session?.timeoutMs ?? 0,
          sessionId: session?.id ?? 0n,
          password: session?.password ?? Buffer.alloc(16),
          readOnly: this.#replication.readOnly,
        },
      },
    });
    if (!session)
      this.#replies.enqueue({ state, zxid: this.#lastZxid, closeReason: 'session expired' });
  }

  /** A resumed session moves to the new connection; ZooKeeper closes the old one. */
  #moveSession(session: Session, to: ConnState): void {
    const previous = this.#sessionConn.get(session.id);
    if (previous && previous !== to) {
      previous.session = undefined;
      this.watches.removeWatcher(previous);
      this.#closeNow(previous, 'session moved to a new connection');
    }
  }

  /** Only the leader (standalone: always the server) expires sessions, by closeSession txns. */
  #expireSessions(): void {
    if (this.#closed) return;
    this.#expireReadOnlySessions();
    if (!this.#replication.leading) return;
    for (const session of this.sessions.expire(this.#clock.nowMs())) {
      this.metrics.staleSessionsExpired++;
      this.#replication.submit({
        type: 'closeSession',
        sessionId: session.id,
        reason: `expired after ${session.timeoutMs} ms without a packet`,
      });
    }
  }

  /**
   * Containers that once had children and are now empty, and TTL nodes without children that
   * were not modified for their TTL, are deleted through the normal write path so that
   * watchers see NodeDeleted (ZooKeeper's ContainerManager). The leader proposes the deletes
   * (version -1, no identities: no ACL check); one that fails at apply time (the node gained
   * a child meanwhile) changes nothing.
   */
  #cleanUpContainers(): void {
    if (this.#closed || !this.#replication.leading) return;
    const now = this.#clock.nowMs();
    const doomed: string[] = [];
    for (const path of this.tree.containerPaths()) {
      const node = this.tree.get(path)!;
      if (node.children.size === 0 && node.childCreations > 0) doomed.push(path);
    }
    for (const path of this.tree.ttlPaths()) {
      const node = this.tree.get(path)!;
      if (node.children.size === 0 && now - node.mtimeMs > node.ttlMs) doomed.push(path);
    }
    for (const path of doomed) {
      this.#replication.submit({
        type: 'write',
        sessionId: 0n,
        request: { op: 'delete', path, version: -1 },
        timeMs: now,
      });
    }
  }

  // =====================================================================================
  // Connections.

  #closeNow(state: ConnState, reason: string): void {
    if (state.closed) return;
    this.detach(state.conn, reason);
    state.conn.close(reason);
  }

  #stateOf(conn: ServerConnection): ConnState | undefined {
    const state = this.#connStates.get(conn);
    if (!state)
      this.#log.warn(
        { conn: conn.id },
        'request on a connection that was never attached or is gone',
      );
    return state;
  }

  // =====================================================================================
  // Introspection: four-letter words, admin endpoint, metrics.

  snapshot(): ServerSnapshot {
    return {
      version: SERVER_VERSION,
      mode: this.#replication.mode,
      ...(!this.#standalone && this.#replication.leading
        ? {
            leader: {
              learners: this.#replication.learners,
              syncedFollowers: this.#replication.syncedFollowers,
              syncedObservers: this.#replication.syncedObservers,
            },
          }
        : {}),
      nowMs: this.#clock.nowMs(),
      startedAtMs: this.startedAtMs,
      lastZxid: this.#lastZxid,
      durableZxid: this.#groupCommit.durableZxid,
      nodeCount: this.tree.nodeCount,
      approximateDataSize: this.tree.approximateDataSize,
      ephemeralCount: this.tree.ephemeralCount,
      watchCount: this.watches.watchCount,
      dataWatchCount: this.watches.dataWatchCount,
      metrics: [
        ['proposal_count', this.#lastZxid - this.#proposalBaseZxid],
        ...this.metrics.entries(),
      ],
      fileDescriptors: fileDescriptorCounts(),
      dataDirBytes: directoryBytes(this.options.dataDir),
      watchedPathCount: this.watches.watchedPathCount,
      watcherCount: this.watches.watcherCount,
      packetsReceived: this.#packetsReceived,
      packetsSent: this.#replies.packetsSent,
      outstandingRequests: this.#replies.outstanding,
      latencyMinMs: this.#replies.latencyMinMs,
      latencyAvgMs: this.#replies.latencyAvgMs,
      latencyMaxMs: this.#replies.latencyMaxMs,
      commits: this.#groupCommit.commits,
      commitAvgMs: this.#groupCommit.commitAvgMs,
      tickMs: this.options.tickMs,
      minSessionTimeoutMs: this.sessions.minSessionTimeoutMs,
      maxSessionTimeoutMs: this.sessions.maxSessionTimeoutMs,
      dataDir: this.options.dataDir,
      clientPort: this.options.clientPort,
      secureClientPort: this.options.secureClientPort,
      serverId: this.options.serverId,
      sessions: [...this.sessions.all()].map((s) => ({
        id: s.id,
        timeoutMs: s.timeoutMs,
        expiresAtMs: s.expiresAtMs,
      })),
      sessionsWithEphemerals: [...this.tree.sessionsWithEphemerals()].map(([id, paths]) => ({
        id,
        paths: [...paths].sort(),
      })),
      connections: [...this.#connStates.values()].map((c) => ({
        id: c.conn.id,
        protocol: c.conn.protocol,
        remoteAddress: c.conn.remoteAddress,
        sessionId: c.session?.id,
        timeoutMs: c.session?.timeoutMs,
        stats: c.stats,
      })),
      watchesByPath: [...this.watches.byPath()].map(([path, ws]) => ({
        path,
        sessions: [...ws].map((w) => w.session?.id ?? 0n),
      })),
      watchesBySession: [...this.watches.byWatcher()].map(([w, paths]) => ({
        sessionId: w.session?.id ?? 0n,
        paths: [...paths].sort(),
      })),
    };
  }

  /** ZooKeeper-formatted text for a four-letter word, or undefined for an unknown word. */
  fourLetterWord(word: string): string | undefined {
    if (word === 'crst') {
      for (const state of this.#connStates.values()) {
        Object.assign(state.stats, {
          packetsReceived: 0,
          packetsSent: 0,
          minLatencyMs: Infinity,
          maxLatencyMs: 0,
          totalLatencyMs: 0,
          replies: 0,
        });
      }
      return 'Connection stats reset.\n';
    }
    if (word === 'srst') {
      this.#packetsReceived = 0;
      this.#replies.resetStats();
      this.metrics.reset();
      this.#proposalBaseZxid = this.#lastZxid;
      return 'Server stats reset.\n';
    }
    return renderFourLetterWord(word, this.snapshot());
  }

  /** Stop timers, drop connections and close the store (after the last commit). */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#groupCommit.flush();
    this.#closed = true;
    this.#groupCommit.stop();
    for (const timer of this.#timers) timer.cancel();
    for (const state of [...this.#connStates.values()])
      this.#closeNow(state, 'server shutting down');
    await this.#store.close();
    this.#log.info({ lastZxid: '0x' + this.#lastZxid.toString(16) }, 'coordinator state closed');
  }
}

/** ZooKeeper's short op names, as `cons` shows them in `lop`. */
const LAST_OP_NAMES: Partial<Record<Request['op'], string>> = {
  create: 'CREA',
  delete: 'DELE',
  exists: 'EXIS',
  getData: 'GETD',
  setData: 'SETD',
  getChildren: 'GETC',
  getACL: 'GETA',
  setACL: 'SETA',
  multi: 'MULT',
  multiRead: 'MLTR',
  sync: 'SYNC',
  close: 'CLOS',
  setWatches: 'SETW',
  auth: 'AUTH',
  addWatch: 'ADDW',
  removeWatches: 'REMW',
  checkWatches: 'CHKW',
  getEphemerals: 'GETE',
  getAllChildrenNumber: 'GACN',
  whoAmI: 'WHAM',
};
