/**
 * The coordinator's semantics core: sessions, requests, watches and group commit, with the
 * data tree in memory and its durable image in LevelDB. Transports (WebSocket JSON in
 * ws-server.ts, ZooKeeper's binary protocol in zk-server.ts) hand it decoded requests through
 * the `ServerConnection` boundary (connection.ts); it never sees bytes.
 *
 * The request pipeline (ZooKeeper's prep -> sync -> final processors, collapsed):
 *
 *   1. A request is handled at once, in arrival order, synchronously: a read is answered
 *      from the tree; a write is checked, given the next zxid, and applied to the in-memory
 *      tree. Its watch events and its reply are computed now.
 *   2. Every outgoing item (handshake answer, reply, watch event, close) enters ONE global
 *      outbound queue, tagged with the last zxid applied when it was made.
 *   3. Group commit: whenever writes are pending and no commit is running, the changed
 *      nodes and sessions are written to LevelDB in one fsynced batch. Writes that arrive
 *      while a commit runs wait for the next one, so many writes share one fsync.
 *   4. When a commit finishes, the queue is released up to the committed zxid, in order.
 *
 * Consequences, each a ZooKeeper guarantee:
 * - nobody (writer or reader) hears of a change before it is on disk, so `kill -9` at any
 *   moment loses nothing a client has seen, and no reply carries a zxid that could vanish;
 * - replies leave in request order per connection; a watch event leaves before the reply of
 *   any later request that sees the change, and events leave in zxid order;
 * - a read queued behind a write of another client waits for that write's fsync, exactly
 *   as in ZooKeeper's single standalone pipeline.
 * The in-memory tree runs ahead of the disk by at most one commit. If a commit fails the
 * process cannot go on (memory and disk disagree about unacknowledged writes), so the
 * server reports a fatal error and main.ts exits; on restart LevelDB holds exactly the
 * acknowledged state.
 *
 * Failed writes do not consume a zxid here (ZooKeeper burns one per failed write; clients
 * cannot tell the difference, since all they rely on is that zxids never go backwards).
 */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Clock } from '../src/clock.js';
import { systemScheduler, type Scheduler, type Timer } from '../src/scheduler.js';
import { InvariantError, unreachable } from '../src/assert.js';
import type { Logger } from '../src/logger.js';
import { ErrorCode, KeeperError, errorName } from '../src/protocol/coordinator/errors.js';
import {
  formatSessionId,
  Perms,
  type Acl,
  type ConnectRequest,
  type MultiReadResultEntry,
  type Request,
  type Result,
  type SetWatchesRequest,
} from '../src/protocol/coordinator/messages.js';
import type { ConnectionStats, Outbound, ServerConnection } from './connection.js';
import { DataTree, statOf, type Trigger } from './data-tree.js';
import {
  SUPER_IDENTITY,
  isValidDigestId,
  requirePermission,
  uniqueAcl,
  type Identity,
} from './acl.js';
import { validatePath } from './path.js';
import { SessionTracker, type Session } from './session-tracker.js';
import {
  LevelStore,
  type LoadedState,
  type Store,
  type StoredNode,
  type StoredSession,
} from './store.js';
import { WatchManager } from './watch-manager.js';
import { ServerMetrics, type Summary } from './server-metrics.js';
import { directoryBytes, fileDescriptorCounts } from './process-stats.js';
import { renderFourLetterWord, type ServerSnapshot } from './four-letter-words.js';
import type { CoordinatorTxn, TxnOrigin, WriteRequest } from './ensemble/txn.js';

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
   * Ensemble mode (coordinator/ensemble/): writes and session changes become txns handed to
   * `replication.submit` and take effect when the ensemble calls `applyCommitted`. Absent in
   * standalone mode, where writes apply at once as before.
   */
  replication?: Replication;
  /**
   * ZooKeeper's `zookeeper.DigestAuthenticationProvider.superDigest`: `super:<base64 sha1>`
   * (the digest of `super:<password>`). A connection whose digest auth produces exactly this
   * id is the super user and passes every ACL check. Absent: no super user.
   */
  superDigest?: string;
}

/** What the core needs of the ensemble it runs in (coordinator/ensemble/ensemble-node.ts). */
export interface Replication {
  /** In broadcast: clients may connect and write. */
  readonly serving: boolean;
  readonly leading: boolean;
  /** srvr's Mode and mntr's server_state: leader, follower, or looking. */
  readonly mode: string;
  /** Leading: voting followers in sync, observers in sync, and every learner connected. */
  readonly syncedFollowers: number;
  readonly syncedObservers: number;
  readonly learners: number;
  /** Propose (leader) or forward (follower) a txn; false when not serving. */
  submit(txn: CoordinatorTxn): boolean;
  /**
   * A follower's `sync`: ask the leader how far it has proposed; `done` gets that zxid, or
   * undefined if this server is not following a leader (or stops before the answer).
   */
  syncWithLeader(done: (zxid: number | undefined) => void): void;
}

/** A request (or handshake) of this server waiting for its txn to be committed. */
type PendingTxn =
  | { kind: 'connect'; state: ConnState }
  | { kind: 'request'; state: ConnState; xid: number; request: Request; receivedAtMs: number };

/** Everything the core knows about one transport connection. */
interface ConnState {
  conn: ServerConnection;
  session: Session | undefined;
  /** Authenticated identities (`digest:user:hash`), from auth packets. */
  authIds: Acl[];
  stats: ConnectionStats;
  closed: boolean;
  /**
   * Ensemble mode: this connection's writes proposed and not yet applied. More writes may
   * follow them at once (Zab applies them in the order they were submitted, so their replies
   * keep the request order), but a read waits until they are all applied.
   */
  inFlight: number;
  /** Ensemble mode: the handshake or a `sync` is in flight; every later request waits. */
  barrier: boolean;
  /** Ensemble mode: requests waiting, in arrival order. */
  deferred: { xid: number; request: Request; receivedAtMs: number }[];
}

interface QueueEntry {
  state: ConnState;
  /** Released when the disk has every write up to this zxid. */
  zxid: number;
  item?: Outbound;
  /** Instead of an item: close the connection, with this reason. */
  closeReason?: string;
  /** For replies: when the request arrived, for latency statistics. */
  receivedAtMs?: number;
}

/**
 * The identities ACLs are checked against: the client's address (ZooKeeper gives every
 * connection an `ip` identity) and every digest identity its auth packets added.
 * Exists needs no permission in ZooKeeper 3.8.0, so it is not checked.
 */
function identitiesOf(state: ConnState): Identity[] {
  const ip = state.conn.remoteAddress.replace(/:\d+$/, '');
  return [{ scheme: 'ip', id: ip }, ...state.authIds];
}

/**
 * Requests that are transactions (they take a zxid): their latency is mntr's updatelatency,
 * every other request's is readlatency, as ZooKeeper splits them.
 */
const WRITE_OPS: ReadonlySet<Request['op']> = new Set([
  'create',
  'delete',
  'setData',
  'setACL',
  'multi',
  'close',
]);

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
  #durableZxid = 0;
  #dirtySessions = new Map<bigint, StoredSession | null>();
  #queue: QueueEntry[] = [];
  #queueHead = 0;
  #committing = false;
  #commitScheduled = false;
  #closed = false;
  /** Callers of `close()` waiting for the commit in progress (or scheduled) to finish. */
  #idleWaiters: (() => void)[] = [];
  #timers: Timer[] = [];
  readonly startedAtMs: number;
  // Server-wide statistics for srvr/mntr.
  #packetsReceived = 0;
  #packetsSent = 0;
  #latencyMinMs = Infinity;
  #latencyMaxMs = 0;
  #latencyTotalMs = 0;
  #latencyCount = 0;
  #commits = 0;
  #commitTotalMs = 0;
  /** mntr's ZooKeeper-named counters and summaries (server-metrics.ts). */
  readonly metrics = new ServerMetrics();
  /** lastZxid when the metrics were last reset: every zxid since is one proposal. */
  #proposalBaseZxid = 0;
  readonly #replication: Replication | undefined;
  /** Ensemble mode: this run's id and its txns waiting for their commit, by origin seq. */
  readonly #run = Math.floor(Math.random() * 2 ** 31);
  #nextSeq = 0;
  readonly #pending = new Map<number, PendingTxn>();
  /** Ensemble mode: `sync` requests answered once this server has applied up to `zxid`. */
  #syncWaiters: {
    zxid: number;
    state: ConnState;
    xid: number;
    request: Request;
    receivedAtMs: number;
  }[] = [];
  /** Ensemble mode: the next session id this server hands out (see #newSessionId). */
  #nextEnsembleSessionId: bigint | undefined;
  /** Ensemble mode, not leading: sessions touched since the last report to the leader. */
  #touched = new Set<bigint>();

  private constructor(store: Store, options: CoordinatorServerOptions) {
    super();
    this.#store = store;
    this.#replication = options.replication;
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
    this.sessions = new SessionTracker(
      {
        tickMs: this.options.tickMs,
        minSessionTimeoutMs: options.minSessionTimeoutMs,
        maxSessionTimeoutMs: options.maxSessionTimeoutMs,
        serverId: this.options.serverId,
      },
      this.#clock.nowMs(),
    );
  }

  /** Open the store, rebuild the tree and the sessions, and start the expiry timers. */
  static async open(options: CoordinatorServerOptions): Promise<CoordinatorServer> {
    const store = options.store ?? (await LevelStore.open(options.dataDir));
    const server = new CoordinatorServer(store, options);
    await server.#recover();
    server.#startTimers();
    return server;
  }

  async #recover(): Promise<void> {
    const state = await this.#store.load();
    for (const [path, node] of state.nodes) this.tree.loadNode(path, node);
    this.tree.takeDirtyPaths();
    const now = this.#clock.nowMs();
    // Sessions come back with a fresh deadline counted from now; those whose clients do not
    // return in time expire as usual and take their ephemerals with them.
    for (const session of state.sessions) this.sessions.add(session, now);
    this.#lastZxid = state.lastZxid;
    this.#durableZxid = state.lastZxid;
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
      inFlight: 0,
      barrier: false,
      deferred: [],
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
    if (state.session || state.barrier) {
      this.#closeNow(state, 'second connect request on one connection');
      return;
    }
    if (this.#replication && !this.#replication.serving) {
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
    if (request.sessionId === 0n && this.#replication) {
      // createSession goes through Zab; the handshake is answered when it is applied here.
      const fresh = { id: this.#newSessionId(now), password: randomBytes(16) };
      const origin = this.#origin();
      state.barrier = true;
      this.#pending.set(origin.seq, { kind: 'connect', state });
      const txn: CoordinatorTxn = {
        type: 'createSession',
        origin,
        sessionId: fresh.id,
        timeoutMs,
        password: fresh.password,
      };
      if (!this.#replication.submit(txn)) {
        this.#pending.delete(origin.seq);
        this.#closeNow(state, 'server is not serving');
      }
      return;
    }
    if (request.sessionId === 0n) {
      const session = this.sessions.create(timeoutMs, now);
      // createSession is a transaction: it gets a zxid and must be on disk before we answer.
      this.#lastZxid++;
      this.#dirtySessions.set(session.id, {
        id: session.id,
        timeoutMs,
        password: session.password,
      });
      this.#scheduleCommit();
      this.#bind(state, session);
      this.#log.info(
        { session: formatSessionId(session.id), timeoutMs, conn: conn.id, protocol: conn.protocol },
        'session created',
      );
      this.#answerConnect(state, session, request);
      return;
    }
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
      this.#enqueue({
        state,
        zxid: this.#lastZxid,
        item: {
          kind: 'connected',
          response: {
            protocolVersion: 0,
            timeoutMs: 0,
            sessionId: 0n,
            password: Buffer.alloc(16),
            readOnly: false,
          },
        },
      });
      this.#enqueue({ state, zxid: this.#lastZxid, closeReason: 'session expired' });
      return;
    }
    const previous = this.#sessionConn.get(session.id);
    if (previous && previous !== state) {
      // The session moves to the new connection; ZooKeeper closes the old one.
      previous.session = undefined;
      this.watches.removeWatcher(previous);
      this.#closeNow(previous, 'session moved to a new connection');
    }
    if (this.#replication) {
      // The session keeps the timeout it was created with (no txn for a change yet).
      this.sessions.touch(session, now);
      this.#touched.add(session.id);
    } else if (session.timeoutMs !== timeoutMs) {
      this.sessions.setTimeout(session, timeoutMs, now);
      this.#lastZxid++;
      this.#dirtySessions.set(session.id, {
        id: session.id,
        timeoutMs,
        password: session.password,
      });
      this.#scheduleCommit();
    } else {
      this.sessions.touch(session, now);
    }
    this.#bind(state, session);
    this.#log.info(
      { session: formatSessionId(session.id), conn: conn.id, protocol: conn.protocol },
      'session resumed',
    );
    this.#answerConnect(state, session, request);
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
    this.sessions.touch(session, receivedAtMs);
    if (this.#replication) this.#touched.add(session.id);
    if (request.op !== 'ping') {
      state.stats.lastOp = LAST_OP_NAMES[request.op] ?? request.op.toUpperCase().slice(0, 4);
      state.stats.lastCxid = xid;
    }
    if (this.#replication) {
      // Replies leave in request order (see ConnState.inFlight and barrier).
      const isWrite = WRITE_OPS.has(request.op);
      if (state.barrier || state.deferred.length > 0 || (!isWrite && state.inFlight > 0)) {
        state.deferred.push({ xid, request, receivedAtMs });
        return;
      }
      if (isWrite) {
        if (!this.#replicate(state, session, xid, request, receivedAtMs)) {
          state.deferred.push({ xid, request, receivedAtMs });
        }
        return;
      }
      if (request.op === 'sync' && !this.#replication.leading) {
        this.#syncWithLeader(state, xid, request, receivedAtMs);
        return;
      }
    }
    this.#handle(state, session, xid, request, receivedAtMs);
  }

  /**
   * Ensemble mode, a follower: `sync` answers once this server has applied everything the
   * leader had proposed when it heard of the sync (ZooKeeper's sync, through the leader).
   * Later requests of the connection wait behind it.
   */
  #syncWithLeader(state: ConnState, xid: number, request: Request, receivedAtMs: number): void {
    if (request.op !== 'sync') return;
    state.barrier = true;
    this.#replication!.syncWithLeader((zxid) => {
      if (state.closed) return;
      if (zxid === undefined) {
        this.#closeNow(state, 'server is not serving');
        return;
      }
      this.#syncWaiters.push({ zxid, state, xid, request, receivedAtMs });
      this.#releaseSyncs();
    });
  }

  #releaseSyncs(): void {
    if (this.#syncWaiters.length === 0) return;
    const ready = this.#syncWaiters.filter((w) => w.zxid <= this.#lastZxid);
    if (ready.length === 0) return;
    this.#syncWaiters = this.#syncWaiters.filter((w) => w.zxid > this.#lastZxid);
    for (const { state, xid, request, receivedAtMs } of ready) {
      if (state.closed || request.op !== 'sync') continue;
      this.#enqueue({
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
      state.barrier = false;
      this.#resume(state);
    }
  }

  /** Execute a request now and queue its reply (every request standalone, reads in ensemble). */
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
      result = this.#execute(state, session, request, xid);
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
      this.#enqueue({
        state,
        zxid: this.#lastZxid,
        item: { kind: 'reply', xid, zxid: 0, err, request, result },
      });
      if (err !== ErrorCode.OK)
        this.#enqueue({ state, zxid: this.#lastZxid, closeReason: 'authentication failed' });
      return;
    }
    this.#enqueue({
      state,
      zxid: this.#lastZxid,
      receivedAtMs,
      item: { kind: 'reply', xid, zxid: this.#lastZxid, err, request, result },
    });
    if (request.op === 'close' && err === ErrorCode.OK) {
      this.#enqueue({ state, zxid: this.#lastZxid, closeReason: 'session closed by client' });
    }
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
    this.#enqueue({
      state,
      zxid: this.#lastZxid,
      item: { kind: 'reply', xid, zxid: this.#lastZxid, err, request, result: {} },
    });
    if (closeReason !== undefined) this.#enqueue({ state, zxid: this.#lastZxid, closeReason });
  }

  // =====================================================================================
  // Request execution: reads answer from the tree, writes apply to it.

  #execute(state: ConnState, session: Session, request: Request, xid: number): Result {
    switch (request.op) {
      case 'ping':
        return {};
      case 'exists': {
        validatePath(request.path);
        const node = this.tree.get(request.path);
        // exists sets a watch even when the node is missing: it then fires on NodeCreated.
        if (request.watch) this.watches.addDataWatch(request.path, state);
        if (!node) throw new KeeperError(ErrorCode.NONODE, request.path);
        return { stat: statOf(node) };
      }
      case 'getData': {
        validatePath(request.path);
        const node = this.tree.get(request.path);
        if (!node) throw new KeeperError(ErrorCode.NONODE, request.path);
        requirePermission(node.acl, Perms.READ, identitiesOf(state), request.path);
        if (request.watch) this.watches.addDataWatch(request.path, state);
        return { data: node.data, stat: statOf(node) };
      }
      case 'getChildren': {
        validatePath(request.path);
        const node = this.tree.get(request.path);
        if (!node) throw new KeeperError(ErrorCode.NONODE, request.path);
        requirePermission(node.acl, Perms.READ, identitiesOf(state), request.path);
        if (request.watch) this.watches.addChildWatch(request.path, state);
        return { children: [...node.children].sort(), stat: statOf(node) };
      }
      case 'getAllChildrenNumber': {
        validatePath(request.path);
        const node = this.tree.get(request.path);
        if (!node) throw new KeeperError(ErrorCode.NONODE, request.path);
        requirePermission(node.acl, Perms.READ, identitiesOf(state), request.path);
        return { count: this.tree.countDescendants(request.path) };
      }
      case 'getEphemerals': {
        const prefix = request.prefix === '' ? '/' : request.prefix;
        const paths = [...this.tree.ephemeralsOf(session.id)].filter(
          (p) => prefix === '/' || p.startsWith(prefix),
        );
        return { paths: paths.sort() };
      }
      case 'sync':
        // Standalone: every earlier write is already ordered before this reply.
        return { path: request.path };
      case 'getACL': {
        validatePath(request.path);
        const node = this.tree.get(request.path);
        if (!node) throw new KeeperError(ErrorCode.NONODE, request.path);
        requirePermission(node.acl, Perms.READ | Perms.ADMIN, identitiesOf(state), request.path);
        return { acl: node.acl, stat: statOf(node) };
      }
      case 'multiRead':
        return { readResults: request.ops.map((op) => this.#multiReadOp(state, op)) };
      case 'addWatch':
        validatePath(request.path);
        this.watches.addPersistentWatch(
          request.path,
          state,
          request.mode === 'persistent_recursive',
        );
        return {};
      case 'removeWatches':
      case 'checkWatches': {
        validatePath(request.path);
        const found = this.watches.remove(
          request.path,
          state,
          request.watcherType,
          request.op === 'checkWatches',
        );
        if (!found) throw new KeeperError(ErrorCode.NOWATCHER, request.path);
        return {};
      }
      case 'setWatches':
        this.#setWatches(state, request);
        return {};
      case 'auth':
        this.#authenticate(state, request.scheme, request.auth);
        return {};
      case 'whoAmI':
        return {
          clientInfo: [
            { authScheme: 'ip', user: state.conn.remoteAddress.replace(/:\d+$/, '') },
            ...state.authIds.map((a) => ({ authScheme: a.scheme, user: a.id.split(':')[0]! })),
          ],
        };
      case 'check':
        // Outside multi, ZooKeeper 3.8.5+ answers Unimplemented (older ones corrupted their log).
        throw new KeeperError(
          ErrorCode.UNIMPLEMENTED,
          request.path,
          'check is only valid inside multi',
        );
      case 'create':
      case 'delete':
      case 'setData':
      case 'setACL':
      case 'multi':
      case 'close':
        return this.#write(state, session, request, xid);
    }
  }

  #multiReadOp(
    state: ConnState,
    op: Extract<Request, { op: 'getData' | 'getChildren' }>,
  ): MultiReadResultEntry {
    try {
      const result = this.#execute(state, state.session!, op, 0);
      return op.op === 'getData'
        ? { op: 'getData', err: ErrorCode.OK, data: result.data ?? null, stat: result.stat! }
        : { op: 'getChildren', err: ErrorCode.OK, children: result.children! };
    } catch (error) {
      if (error instanceof KeeperError) return { op: 'error', err: error.code };
      throw error;
    }
  }

  /** A write: check, take the next zxid, apply, fire watches. Throws KeeperError untouched. */
  #write(state: ConnState, session: Session, request: Request, _xid: number): Result {
    if (request.op === 'close') {
      this.#closeSession(session, 'closed by client');
      return {};
    }
    const zxid = this.#lastZxid + 1;
    const { result, triggers } = this.#applyWrite(request as WriteRequest, zxid, {
      sessionId: session.id,
      ids: identitiesOf(state),
      timeMs: this.#clock.nowMs(),
      expandAcl: (acl, path) => this.#expandAcl(state, acl, path),
    });
    if (!triggers) return result;
    this.#lastZxid = zxid;
    this.#fire(triggers, zxid);
    this.#scheduleCommit();
    return result;
  }

  /**
   * Apply one write to the tree at `zxid` (standalone: at once; ensemble: when its txn is
   * committed). Throws KeeperError untouched. `triggers` is undefined when nothing changed
   * (an empty multi), which takes no zxid in standalone mode.
   */
  #applyWrite(
    request: WriteRequest,
    zxid: number,
    ctx: {
      sessionId: bigint;
      ids: Identity[] | undefined;
      timeMs: number;
      expandAcl: (acl: Acl[], path: string) => Acl[];
    },
  ): { result: Result; triggers: Trigger[] | undefined } {
    const { ids, timeMs } = ctx;
    switch (request.op) {
      case 'create': {
        const created = this.tree.create({
          path: request.path,
          data: request.data,
          mode: request.mode,
          ttlMs: request.ttlMs,
          acl: ctx.expandAcl(request.acl, request.path),
          sessionId: ctx.sessionId,
          zxid,
          timeMs,
          extendedTypesEnabled: this.options.extendedTypesEnabled,
          ids: ids ?? [],
        });
        return {
          result: { path: created.path, stat: statOf(created.node) },
          triggers: created.triggers,
        };
      }
      case 'delete':
        return { result: {}, triggers: this.tree.delete(request.path, request.version, zxid, ids) };
      case 'setData': {
        const set = this.tree.setData(
          request.path,
          request.data,
          request.version,
          zxid,
          timeMs,
          ids ?? [],
        );
        return { result: { stat: statOf(set.node) }, triggers: set.triggers };
      }
      case 'setACL': {
        const node = this.tree.setAcl(
          request.path,
          ctx.expandAcl(request.acl, request.path),
          request.version,
          ids ?? [],
        );
        return { result: { stat: statOf(node) }, triggers: [] };
      }
      case 'multi': {
        const ops = request.ops.map((op) =>
          op.op === 'create' ? { ...op, acl: ctx.expandAcl(op.acl, op.path) } : op,
        );
        const outcome = this.tree.multi(ops, {
          sessionId: ctx.sessionId,
          zxid,
          timeMs,
          extendedTypesEnabled: this.options.extendedTypesEnabled,
          ids: ids ?? [],
        });
        if (!outcome.ok) {
          const failed = outcome.results[outcome.failedAt]!;
          throw new KeeperError(failed.err, undefined, undefined, outcome.results);
        }
        if (ops.length === 0) return { result: { results: [] }, triggers: undefined };
        return { result: { results: outcome.results }, triggers: outcome.triggers };
      }
      default:
        throw new InvariantError(`not a write: ${(request as Request).op}`);
    }
  }

  // =====================================================================================
  // Ensemble mode: writes as txns through Zab (see coordinator/ensemble/).

  /**
   * Ensemble mode: a session id from this server's own range, ZooKeeper's layout (server id in
   * the high byte, the start time in the middle bits, a counter below). The tracker's own
   * counter cannot be used: it jumps past every id it is given, and every server is given
   * every other server's sessions, so two servers would count up from the same id.
   */
  #newSessionId(nowMs: number): bigint {
    if (this.#nextEnsembleSessionId === undefined) {
      const timeBits = (BigInt(nowMs) << 24n) & 0xffffffffffffffffn;
      const server = BigInt(this.options.serverId);
      this.#nextEnsembleSessionId = BigInt.asIntN(64, (timeBits >> 8n) | (server << 56n));
    }
    let id = this.#nextEnsembleSessionId;
    while (this.sessions.get(id)) id = BigInt.asIntN(64, id + 1n);
    this.#nextEnsembleSessionId = BigInt.asIntN(64, id + 1n);
    return id;
  }

  #origin(): TxnOrigin {
    return { server: this.options.serverId, run: this.#run, seq: ++this.#nextSeq };
  }

  /**
   * Prepare a client's write into a txn (ACLs expanded, identities, time) and submit it.
   * A write that fails in preparing is answered at once, so it returns false (wait) while
   * earlier writes of the connection are still in flight.
   */
  #replicate(
    state: ConnState,
    session: Session,
    xid: number,
    request: Request,
    receivedAtMs: number,
  ): boolean {
    const replication = this.#replication!;
    let txn: CoordinatorTxn;
    const origin = this.#origin();
    try {
      if (request.op === 'close') {
        session.closing = true;
        txn = { type: 'closeSession', origin, sessionId: session.id, reason: 'closed by client' };
      } else {
        let prepared = request as WriteRequest;
        if (prepared.op === 'create' || prepared.op === 'setACL') {
          prepared = { ...prepared, acl: this.#expandAcl(state, prepared.acl, prepared.path) };
        } else if (prepared.op === 'multi') {
          prepared = {
            ...prepared,
            ops: prepared.ops.map((op) =>
              op.op === 'create' ? { ...op, acl: this.#expandAcl(state, op.acl, op.path) } : op,
            ),
          };
        }
        txn = {
          type: 'write',
          origin,
          sessionId: session.id,
          request: prepared,
          ids: identitiesOf(state),
          timeMs: this.#clock.nowMs(),
        };
      }
    } catch (error) {
      if (!(error instanceof KeeperError)) throw error;
      if (request.op !== 'close' && state.inFlight > 0) return false;
      this.#enqueue({
        state,
        zxid: this.#lastZxid,
        receivedAtMs,
        item: { kind: 'reply', xid, zxid: this.#lastZxid, err: error.code, request, result: {} },
      });
      return true;
    }
    state.inFlight++;
    this.#pending.set(origin.seq, { kind: 'request', state, xid, request, receivedAtMs });
    if (!replication.submit(txn)) {
      this.#pending.delete(origin.seq);
      this.#closeNow(state, 'server is not serving');
    }
    return true;
  }

  /**
   * Ensemble mode: a committed txn, in zxid order. Every server applies every txn; the server
   * it came from also answers its client.
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
    const now = this.#clock.nowMs();
    try {
      this.#applyTxn(zxid, txn, pending, now);
    } finally {
      this.#releaseSyncs();
    }
  }

  #applyTxn(zxid: number, txn: CoordinatorTxn, pending: PendingTxn | undefined, now: number): void {
    switch (txn.type) {
      case 'createSession': {
        this.#lastZxid = zxid;
        let session = this.sessions.get(txn.sessionId);
        if (!session) {
          session = this.sessions.add(
            { id: txn.sessionId, timeoutMs: txn.timeoutMs, password: txn.password },
            now,
          );
        }
        this.#scheduleCommit();
        if (pending?.kind === 'connect' && !pending.state.closed) {
          pending.state.barrier = false;
          this.#bind(pending.state, session);
          this.#log.info(
            {
              session: formatSessionId(session.id),
              timeoutMs: session.timeoutMs,
              conn: pending.state.conn.id,
              zxid,
            },
            'session created',
          );
          this.#answerConnect(pending.state, session, undefined);
          this.#resume(pending.state);
        }
        return;
      }
      case 'closeSession': {
        const session = this.sessions.get(txn.sessionId);
        if (session) this.#closeSession(session, txn.reason, zxid);
        else this.#lastZxid = zxid;
        const local = this.#sessionConn.get(txn.sessionId);
        if (pending?.kind === 'request') {
          const { state, xid, request, receivedAtMs } = pending;
          state.inFlight--;
          this.#enqueue({
            state,
            zxid,
            receivedAtMs,
            item: { kind: 'reply', xid, zxid, err: ErrorCode.OK, request, result: {} },
          });
          this.#enqueue({ state, zxid, closeReason: 'session closed by client' });
          this.#sessionConn.delete(txn.sessionId);
        } else if (local) {
          this.#sessionConn.delete(txn.sessionId);
          this.#enqueue({ state: local, zxid, closeReason: 'session expired' });
        }
        return;
      }
      case 'write': {
        let err: number = ErrorCode.OK;
        let result: Result = {};
        try {
          const applied = this.#applyWrite(txn.request, zxid, {
            sessionId: txn.sessionId,
            ids: txn.ids,
            timeMs: txn.timeMs,
            expandAcl: (acl) => acl,
          });
          result = applied.result;
          this.#lastZxid = zxid;
          if (applied.triggers) this.#fire(applied.triggers, zxid);
        } catch (error) {
          if (error instanceof InvariantError) throw error;
          this.#lastZxid = zxid;
          if (error instanceof KeeperError) {
            err = error.code;
            if (error.results) result = { results: error.results };
          } else {
            this.#log.error({ err: error, zxid }, 'unexpected error while applying a txn');
            err = ErrorCode.SYSTEMERROR;
          }
        }
        this.#scheduleCommit();
        if (pending?.kind === 'request') {
          const { state, xid, request, receivedAtMs } = pending;
          this.#enqueue({
            state,
            zxid,
            receivedAtMs,
            item: { kind: 'reply', xid, zxid, err, request, result },
          });
          state.inFlight--;
          this.#resume(state);
        }
        return;
      }
      default:
        unreachable(txn);
    }
  }

  /** Run what waited behind the connection's txns or barrier, as far as the rules allow. */
  #resume(state: ConnState): void {
    while (state.deferred.length > 0 && !state.closed && !state.barrier) {
      const next = state.deferred[0]!;
      const session = state.session;
      if (!session || session.closing) return;
      if (WRITE_OPS.has(next.request.op)) {
        if (!this.#replicate(state, session, next.xid, next.request, next.receivedAtMs)) return;
        state.deferred.shift();
        continue;
      }
      if (state.inFlight > 0) return;
      state.deferred.shift();
      if (next.request.op === 'sync' && !this.#replication!.leading) {
        this.#syncWithLeader(state, next.xid, next.request, next.receivedAtMs);
      } else {
        this.#handle(state, session, next.xid, next.request, next.receivedAtMs);
      }
    }
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
    this.#scheduleCommit();
    this.#log.info(
      {
        zxid: '0x' + state.lastZxid.toString(16),
        nodes: this.tree.nodeCount,
        sessions: state.sessions.length,
      },
      'state loaded from a snapshot',
    );
  }

  /** Ensemble mode: the server left broadcast; its clients must go elsewhere. */
  closeAllConnections(reason: string): void {
    this.#pending.clear();
    this.#syncWaiters = [];
    for (const state of [...this.#connStates.values()]) this.#closeNow(state, reason);
  }

  /**
   * Repeated entries are dropped first (ZooKeeper since 3.5); then the `auth` ACL scheme
   * stands for every identity the connection has authenticated.
   */
  #expandAcl(state: ConnState, requested: Acl[], path: string): Acl[] {
    const acl = requested.length > 1 ? uniqueAcl(requested) : requested;
    if (!acl.some((a) => a.scheme === 'auth')) return acl;
    // The super identity has no provider in ZooKeeper, so fixupACL never expands to it.
    const expandable = state.authIds.filter((id) => id.scheme !== SUPER_IDENTITY.scheme);
    if (expandable.length === 0) {
      throw new KeeperError(
        ErrorCode.INVALIDACL,
        path,
        'auth scheme without an authenticated identity',
      );
    }
    return acl.flatMap((a) =>
      a.scheme === 'auth' ? expandable.map((id) => ({ ...id, perms: a.perms })) : [a],
    );
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
      this.#enqueue({ state, zxid, item: { kind: 'event', event: { type, path, zxid } } });
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
    for (const trigger of triggers) {
      const watchers = this.watches.trigger(trigger);
      // Like ZooKeeper, count only changes that notified someone.
      if (watchers.size > 0) this.#watchCountSummary(trigger.type).add(watchers.size);
      for (const watcher of watchers) {
        this.#enqueue({
          state: watcher,
          zxid,
          item: { kind: 'event', event: { ...trigger, zxid } },
        });
      }
    }
  }

  #watchCountSummary(type: Trigger['type']): Summary {
    switch (type) {
      case 'NodeCreated':
        return this.metrics.nodeCreatedWatchCount;
      case 'NodeDeleted':
        return this.metrics.nodeDeletedWatchCount;
      case 'NodeDataChanged':
        return this.metrics.nodeChangedWatchCount;
      case 'NodeChildrenChanged':
        return this.metrics.nodeChildrenWatchCount;
      default:
        return unreachable(type);
    }
  }

  // =====================================================================================
  // Sessions.

  #bind(state: ConnState, session: Session): void {
    state.session = session;
    this.#sessionConn.set(session.id, state);
  }

  #answerConnect(state: ConnState, session: Session, _request: ConnectRequest | undefined): void {
    this.#enqueue({
      state,
      zxid: this.#lastZxid,
      item: {
        kind: 'connected',
        response: {
          protocolVersion: 0,
          timeoutMs: session.timeoutMs,
          sessionId: session.id,
          password: session.password,
          // We are never a read-only server.
          readOnly: false,
        },
      },
    });
  }

  /**
   * End a session: delete its ephemerals in ONE transaction (one zxid), fire the watches of
   * everyone else, forget the session. Its connection, if any, is closed after what is
   * already queued for it; an expired client is told nothing (it learns on reconnect).
   */
  #closeSession(session: Session, reason: string, zxid = this.#lastZxid + 1): void {
    session.closing = true;
    this.#lastZxid = zxid;
    const ephemerals = this.tree.ephemeralsOf(session.id).size;
    const triggers = this.tree.closeSession(session.id, zxid);
    this.sessions.remove(session.id);
    this.#dirtySessions.set(session.id, null);
    this.#fire(triggers, zxid);
    this.#scheduleCommit();
    this.#log.info(
      { session: formatSessionId(session.id), reason, ephemeralsDeleted: ephemerals, zxid },
      'session closed',
    );
  }

  #expireSessions(): void {
    if (this.#closed) return;
    if (this.#replication) {
      // Ensemble mode: only the leader expires sessions, through a closeSession txn.
      if (!this.#replication.leading) return;
      for (const session of this.sessions.expire(this.#clock.nowMs())) {
        this.metrics.staleSessionsExpired++;
        this.#replication.submit({
          type: 'closeSession',
          sessionId: session.id,
          reason: `expired after ${session.timeoutMs} ms without a packet`,
        });
      }
      return;
    }
    for (const session of this.sessions.expire(this.#clock.nowMs())) {
      this.metrics.staleSessionsExpired++;
      const state = this.#sessionConn.get(session.id);
      this.#closeSession(session, `expired after ${session.timeoutMs} ms without a packet`);
      if (state) {
        this.#sessionConn.delete(session.id);
        this.#enqueue({ state, zxid: this.#lastZxid, closeReason: 'session expired' });
      }
    }
  }

  /**
   * Containers that once had children and are now empty, and TTL nodes without children that
   * were not modified for their TTL, are deleted through the normal write path so that
   * watchers see NodeDeleted (ZooKeeper's ContainerManager).
   */
  #cleanUpContainers(): void {
    if (this.#closed) return;
    if (this.#replication && !this.#replication.leading) return;
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
    if (this.#replication) {
      // Ensemble mode: the leader deletes them through txns (version -1, no ACL check).
      for (const path of doomed) {
        this.#replication.submit({
          type: 'write',
          sessionId: 0n,
          request: { op: 'delete', path, version: -1 },
          timeMs: now,
        });
      }
      return;
    }
    for (const path of doomed) {
      const zxid = this.#lastZxid + 1;
      try {
        const triggers = this.tree.delete(path, -1, zxid);
        this.#lastZxid = zxid;
        this.#fire(triggers, zxid);
        this.#log.info({ path, zxid }, 'deleted empty container or expired TTL node');
      } catch (error) {
        if (!(error instanceof KeeperError)) throw error;
      }
    }
    if (doomed.length > 0) this.#scheduleCommit();
  }

  // =====================================================================================
  // Group commit and the outbound queue.

  #scheduleCommit(): void {
    if (this.#committing || this.#commitScheduled) return;
    this.#commitScheduled = true;
    // setImmediate lets every request already read from the sockets join this commit.
    setImmediate(() => void this.#commit());
  }

  async #commit(): Promise<void> {
    this.#commitScheduled = false;
    if (this.#committing || this.#closed) return this.#wakeIdleWaiters();
    if (
      this.#durableZxid === this.#lastZxid &&
      !this.tree.hasDirtyPaths &&
      this.#dirtySessions.size === 0
    )
      return this.#wakeIdleWaiters();
    this.#committing = true;
    const zxid = this.#lastZxid;
    const nodes = new Map<string, StoredNode | null>();
    for (const path of this.tree.takeDirtyPaths()) nodes.set(path, this.tree.get(path) ?? null);
    const sessions = this.#dirtySessions;
    this.#dirtySessions = new Map();
    const startedMs = performance.now();
    try {
      // Store.commit encodes every node synchronously before its first await, so the batch
      // is the tree exactly as of `zxid`, whatever happens while the fsync runs.
      await this.#store.commit({ lastZxid: zxid, nodes, sessions });
    } catch (error) {
      this.#log.fatal({ err: error, zxid }, 'could not write to the data directory; stopping');
      this.#closed = true;
      this.#committing = false;
      this.#wakeIdleWaiters();
      this.emit('fatal', error);
      return;
    }
    this.#commits++;
    const commitMs = performance.now() - startedMs;
    this.#commitTotalMs += commitMs;
    this.metrics.fsyncTime.add(Math.round(commitMs));
    this.metrics.syncBatchSize.add(zxid - this.#durableZxid);
    this.#durableZxid = zxid;
    this.#committing = false;
    this.#drain();
    if (
      this.#lastZxid > this.#durableZxid ||
      this.tree.hasDirtyPaths ||
      this.#dirtySessions.size > 0
    ) {
      this.#scheduleCommit();
    }
    this.#wakeIdleWaiters();
  }

  /** Resolves `close()`'s wait once no commit runs and none is scheduled. */
  #wakeIdleWaiters(): void {
    if (this.#committing || this.#commitScheduled) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }

  #enqueue(entry: QueueEntry): void {
    if (this.#queueHead === this.#queue.length && entry.zxid <= this.#durableZxid) {
      this.#deliver(entry);
      return;
    }
    this.#queue.push(entry);
  }

  #drain(): void {
    const queue = this.#queue;
    let head = this.#queueHead;
    while (head < queue.length && queue[head]!.zxid <= this.#durableZxid) {
      this.#deliver(queue[head]!);
      head++;
    }
    if (head === queue.length) {
      this.#queue = [];
      this.#queueHead = 0;
    } else {
      this.#queueHead = head;
    }
  }

  #deliver(entry: QueueEntry): void {
    const { state } = entry;
    if (state.closed) return;
    if (entry.closeReason !== undefined) {
      this.#closeNow(state, entry.closeReason);
      return;
    }
    const item = entry.item!;
    if (item.kind === 'reply') {
      const stats = state.stats;
      stats.lastZxid = item.zxid;
      if (entry.receivedAtMs !== undefined) {
        const now = this.#clock.nowMs();
        const latency = now - entry.receivedAtMs;
        stats.lastResponseAtMs = now;
        stats.lastLatencyMs = latency;
        stats.minLatencyMs = Math.min(stats.minLatencyMs, latency);
        stats.maxLatencyMs = Math.max(stats.maxLatencyMs, latency);
        stats.totalLatencyMs += latency;
        stats.replies++;
        this.#latencyMinMs = Math.min(this.#latencyMinMs, latency);
        this.#latencyMaxMs = Math.max(this.#latencyMaxMs, latency);
        this.#latencyTotalMs += latency;
        this.#latencyCount++;
        (WRITE_OPS.has(item.request.op)
          ? this.metrics.updateLatency
          : this.metrics.readLatency
        ).add(latency);
      }
      if (item.err !== ErrorCode.OK) {
        this.#log.debug(
          { conn: state.conn.id, xid: item.xid, op: item.request.op, err: errorName(item.err) },
          'request failed',
        );
      }
    }
    state.stats.packetsSent++;
    this.#packetsSent++;
    this.metrics.recordResponse(state.conn.send(item));
  }

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
      mode: this.#replication?.mode ?? 'standalone',
      ...(this.#replication?.leading
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
      durableZxid: this.#durableZxid,
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
      packetsSent: this.#packetsSent,
      outstandingRequests: this.#queue.length - this.#queueHead,
      latencyMinMs: this.#latencyCount === 0 ? 0 : this.#latencyMinMs,
      latencyAvgMs: this.#latencyCount === 0 ? 0 : this.#latencyTotalMs / this.#latencyCount,
      latencyMaxMs: this.#latencyMaxMs,
      commits: this.#commits,
      commitAvgMs: this.#commits === 0 ? 0 : this.#commitTotalMs / this.#commits,
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
      this.#packetsSent = 0;
      this.#latencyMinMs = Infinity;
      this.#latencyMaxMs = 0;
      this.#latencyTotalMs = 0;
      this.#latencyCount = 0;
      this.metrics.reset();
      this.#proposalBaseZxid = this.#lastZxid;
      return 'Server stats reset.\n';
    }
    return renderFourLetterWord(word, this.snapshot());
  }

  /** Stop timers, drop connections and close the store (after the last commit). */
  async close(): Promise<void> {
    if (this.#closed) return;
    while (this.#committing || this.#commitScheduled)
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    await this.#commit();
    this.#closed = true;
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
