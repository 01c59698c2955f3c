/**
 * CoordinatorClient: a client for the coordinator with ZooKeeper's client semantics (the Java
 * `ZooKeeper` class and its `ClientCnxn`), as a promise API.
 *
 * Wire protocols (`options.protocol`): `websocket`, the coordinator's JSON protocol (one JSON
 * object per WebSocket text message, `../protocol/coordinator/ws-codec.ts`,
 * docs/coordinator-protocol.md), or `zookeeper`, ZooKeeper's binary protocol, which Apache
 * ZooKeeper speaks and our coordinator answers on the same port. Each connection is one
 * object from `./connection.ts`; everything below is the same over both. A connection carries
 * exactly one session: the first frame is `connect`, the server answers `connected`, then
 * requests and replies/events flow. A chroot suffix in the connect string (`host:port/app`)
 * roots every path at /app, as in ZooKeeper (`./chroot.ts`).
 *
 * Ordering assumptions (all guaranteed by the server; docs/coordinator-protocol.md section 4):
 * - Replies come back in exactly the order the requests were sent. So the client keeps the
 *   requests it has sent in a FIFO queue and a reply must answer the oldest one; a reply with
 *   any other xid means the stream is corrupt and the connection is dropped. Pings are the
 *   exception: their reply always carries xid -2 and is handled outside the queue.
 * - A watch event is sent before any reply that reflects the change that fired it. The client
 *   calls watchers synchronously when the event arrives, and a reply only resolves a promise
 *   (whose continuations run later, as microtasks), so application code awaiting a result
 *   always runs after the watchers for every change that result reflects.
 * - Every reply and event header carries a zxid; the client remembers the largest
 *   (`lastZxidSeen`) and sends it when resuming, so a server can never show the session a
 *   state older than one it has already seen (ZooKeeper's "single system image").
 *
 * Session life cycle (the states of `client.state`):
 *
 *   idle --connect()--> connecting --connected(timeout>0)--> connected
 *   connected --socket closed / read timeout / bad frame--> connecting (emits 'disconnected')
 *   connecting --connected(timeout>0)--> connected (emits 'connected', resumed: true)
 *   connecting --connected(timeout=0)--> expired (emits 'expired'; terminal)
 *   any --close()--> closed (emits 'closed'; terminal)
 *
 * On connection loss every request sent or queued fails with CONNECTIONLOSS (-4): the client
 * cannot know whether a write that was in flight was applied, exactly like ZooKeeper. The
 * client then reconnects (trying the servers of the connect string in turn: the next one at
 * once after a failure, with a backoff only once every server failed in a row) and
 * resumes the session with its id and password. After a resume it re-registers every watch
 * with one `setWatches` (relativeZxid = lastZxidSeen), so the server sends the events the
 * client missed while it was away. Once the server answers that the session is expired, all
 * watches are dropped, everything fails with SESSIONEXPIRED (-112) and the client stays dead:
 * like a Java ZooKeeper handle, an expired client must be replaced by a new one.
 *
 * Keep-alive: when nothing has been sent for a third of the negotiated timeout the client
 * sends a ping; when nothing has been received for two thirds of it (the "read timeout") the
 * connection is presumed dead and dropped, leaving a third of the timeout to reconnect
 * before the server expires the session.
 *
 * Watches (one-shot, ZooKeeper's semantics): `exists`, `getData` and `getChildren` take an
 * optional watcher callback. It is registered only when the reply arrives (for `exists`, also
 * when the node is missing, since a NodeCreated is then expected), is called at most once, and
 * is then forgotten. The tables mirror ZooKeeper's ZKWatchManager: data watches (getData and
 * exists on an existing node), exist watches (exists on a missing node) and child watches.
 * Persistent watches (`addWatch`) stay until removed. Watchers receive node events only;
 * connection state changes are announced through the EventEmitter events instead.
 *
 * Performance: the hot path allocates the request object, its promise and the JSON text,
 * nothing else. Requests beyond `maxInFlightRequests` wait in a second FIFO and are sent as
 * replies free room, so pipelining many thousands of requests keeps a bounded window open.
 */
import { EventEmitter } from 'node:events';
import { invariant } from '../assert.js';
import { silentLogger, type Logger } from '../logger.js';
import { systemScheduler, type Scheduler, type Timer } from '../scheduler.js';
import { ErrorCode, KeeperError } from '../protocol/coordinator/errors.js';
import {
  formatSessionId,
  OPEN_ACL_UNSAFE,
  type Acl,
  type AddWatchMode,
  type CreateModeName,
  type CreateRequest,
  type MultiOp,
  type MultiReadOp,
  type MultiReadResultEntry,
  type MultiResultEntry,
  type Request,
  type Result,
  type Stat,
  type WatchEvent,
  type WatcherType,
} from '../protocol/coordinator/messages.js';
import { WS_PROTOCOL_VERSION, type ServerFrame } from '../protocol/coordinator/ws-codec.js';
import { Fifo } from './fifo.js';
import { parseChroot, parseConnectString, type ServerAddress } from './connect-string.js';
import { withChroot } from './chroot.js';
import type {
  ClientConnection,
  ConnectionFactory,
  ConnectionProtocol,
  TlsConnectionOptions,
} from './connection.js';
import { openWebSocketConnection } from './websocket-connection.js';
import { openZooKeeperConnection } from './zookeeper-connection.js';

/** A one-shot or persistent watch callback. It receives node events only. */
export type Watcher = (event: WatchEvent) => void;

/** Node data as the API accepts it: strings are encoded as UTF-8. */
export type NodeData = Buffer | string | null;

export type ClientState = 'idle' | 'connecting' | 'connected' | 'expired' | 'closed';

export interface CoordinatorClientOptions {
  /** Requested session timeout; the server clamps it into [2, 20] x its tick. */
  sessionTimeoutMs?: number;
  /**
   * How long `connect()` keeps trying before it gives up (rejects with CONNECTIONLOSS and
   * closes the client). Later reconnects keep trying until the server declares the session
   * expired or `close()` is called, as ZooKeeper's client does.
   */
  initialConnectTimeoutMs?: number;
  /** One connection attempt (socket open + `connected` answer) must finish within this. */
  connectAttemptTimeoutMs?: number;
  /**
   * Backoff after a whole round of failed attempts (every server of the connect string
   * refused or timed out, one after the other): doubles from `min` up to `max`, jittered.
   * Within a round the next server is tried at once, as ZooKeeper's client moves on to the
   * next host and sleeps (its spinDelay, 1 s) only when it has been through all of them.
   */
  reconnectBackoffMinMs?: number;
  reconnectBackoffMaxMs?: number;
  /** Requests sent and not yet answered. More wait in the client until replies free room. */
  maxInFlightRequests?: number;
  /** Requests waiting to be sent. Beyond this a request fails at once with THROTTLEDOP. */
  maxQueuedRequests?: number;
  /**
   * The wire protocol: `websocket` (the coordinator's JSON protocol, the default) or
   * `zookeeper` (ZooKeeper's binary protocol: Apache ZooKeeper, or our coordinator, which
   * serves both on one port).
   */
  protocol?: ConnectionProtocol;
  /** Largest frame accepted from the server (a WebSocket message or a binary packet). */
  frameBytesMax?: number;
  /** setWatches after a resume is split into requests of about this many bytes of paths. */
  setWatchesBatchBytesMax?: number;
  /**
   * TLS to every server (the coordinator's secure client port, ZooKeeper's secureClientPort):
   * node's TLS options, `ca` to trust the server, `cert` and `key` when it asks for a client
   * certificate. Both protocols: ZooKeeper's over TLS, WebSocket as wss.
   */
  tls?: TlsConnectionOptions;
  /**
   * Credentials sent on every connection, before any request (the Java client's addAuthInfo
   * before the first connect): e.g. `[{ scheme: 'digest', auth: 'kafka:secret' }]`.
   */
  authInfo?: readonly { scheme: string; auth: Buffer | string }[];
  /**
   * The ACL of a create that names none (`create`, `Op.create`, the recipes' ensurePath);
   * default OPEN_ACL_UNSAFE. Kafka's brokers with zookeeper.set.acl choose it per path.
   * The path given is the one the caller used (inside the chroot).
   */
  defaultAcl?: (path: string) => readonly Acl[];
  /**
   * The ConnectRequest's readOnly flag (the Java client's canBeReadOnly, kazoo's read_only):
   * this client accepts a read-only server, an ensemble member without a quorum running
   * in read-only mode (`--read-only`, docs/ensemble.md). Reads work there; writes fail with
   * NOTREADONLY. Such a session is local to that server, which closes the connection when
   * it leaves read-only mode; until the client has seen a read/write server it asks for a new
   * session on every reconnect (the Java client's seenRwServerBefore), so the first
   * read/write server gives it a session of the ensemble (`connected` with resumed false and
   * a new `sessionId`; watches are re-armed). Default false: a read-only server refuses the
   * client, which tries the next server.
   */
  readOnly?: boolean;
  logger?: Logger;
  /**
   * Time and timers: keep-alive ticks, connect and read timeouts, reconnect backoff and the
   * close grace period. The system scheduler unless a test gives a ManualScheduler.
   */
  scheduler?: Scheduler;
}

const DEFAULTS = {
  sessionTimeoutMs: 30_000,
  initialConnectTimeoutMs: 10_000,
  connectAttemptTimeoutMs: 5_000,
  reconnectBackoffMinMs: 50,
  reconnectBackoffMaxMs: 1_000,
  maxInFlightRequests: 10_000,
  maxQueuedRequests: 1_000_000,
  protocol: 'websocket' as ConnectionProtocol,
  // ZooKeeper's jute.maxbuffer is ~1 MiB of binary; base64 and JSON field names make the same
  // content about 4/3 larger, and big getChildren lists are common, so allow 16 MiB.
  frameBytesMax: 16 * 1024 * 1024,
  // The Java client batches setWatches into ~128 KB packets so none approaches the size limit.
  setWatchesBatchBytesMax: 128 * 1024,
  readOnly: false,
} as const;

/** Options of `create`. */
export interface CreateOptions {
  mode?: CreateModeName;
  acl?: readonly Acl[];
  /** Only for the *_with_ttl modes. */
  ttlMs?: number;
}

/** What the 'connected' event carries. */
export interface ConnectedInfo {
  sessionId: bigint;
  sessionTimeoutMs: number;
  /** true when an existing session was resumed on a new connection. */
  resumed: boolean;
  server: string;
}

/** A failed multi: `code` is the first failing op's error, `results` has one entry per op. */
export class MultiError extends KeeperError {
  override name = 'MultiError';
  // Always present here (KeeperError.results is optional): narrow the type.
  declare readonly results: MultiResultEntry[];
  constructor(code: number, path: string | undefined, results: MultiResultEntry[]) {
    super(code, path, 'multi', results);
  }
}

/** One request the client has accepted and not yet settled. */
interface Pending {
  xid: number;
  request: Request;
  /** A one-shot watcher (exists/getData/getChildren) or persistent listener (addWatch). */
  watcher: Watcher | undefined;
  /** Internal requests (setWatches after resume) have no caller waiting. */
  resolve: ((result: Result) => void) | undefined;
  reject: ((err: Error) => void) | undefined;
}

// ZooKeeper's special xids (-2 answers a ping). Normal xids start at 1 and stay positive.
const PING_XID = -2;
const XID_MAX = 0x7fffffff;
const PING_REQUEST: Request = Object.freeze({ op: 'ping' });
const OPEN_CONNECTION: Record<ConnectionProtocol, ConnectionFactory> = {
  websocket: openWebSocketConnection,
  zookeeper: openZooKeeperConnection,
};
const EMPTY_RESULT: Result = Object.freeze({}) as Result;

function toBuffer(data: NodeData | undefined): Buffer | null {
  if (data === null || data === undefined) return null;
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

function pathOf(request: Request): string | undefined {
  return 'path' in request ? request.path : undefined;
}

export interface CoordinatorClientEvents {
  connected: [ConnectedInfo];
  disconnected: [{ reason: string }];
  expired: [];
  closed: [];
}

export class CoordinatorClient extends EventEmitter<CoordinatorClientEvents> {
  readonly #servers: ServerAddress[];
  readonly #options: Required<
    Omit<CoordinatorClientOptions, 'logger' | 'scheduler' | 'tls' | 'authInfo' | 'defaultAcl'>
  >;
  readonly #log: Logger;
  readonly #scheduler: Scheduler;

  #state: ClientState = 'idle';
  /** True while close() is waiting for the server to answer the close request. */
  #closing = false;

  // Session identity, kept across connections.
  #sessionId = 0n;
  #password: Buffer = Buffer.alloc(16);
  #negotiatedTimeoutMs = 0;
  #connectedReadOnly = false;
  /**
   * Connected to a read/write server at least once (the Java client's seenRwServerBefore).
   * Until then the session, if any, is a read-only server's local one, which no other server
   * knows: reconnects ask for a new session instead of resuming it.
   */
  #seenReadWrite = false;
  /** The connect request in flight asks for a new session in place of a local one. */
  #replacingLocalSession = false;
  #lastZxidSeen = 0;
  #xid = 0;

  // The current connection attempt or connection.
  #conn: ClientConnection | undefined;
  readonly #openConnection: ConnectionFactory;
  #serverIndex = 0;
  #serverInUse = '';
  #failedAttempts = 0;
  #attemptTimer: Timer | undefined;
  #reconnectTimer: Timer | undefined;
  #tickTimer: Timer | undefined;
  // Keep-alive bookkeeping, sampled by the tick instead of reading the clock per message.
  #sentSinceTick = false;
  #receivedSinceTick = false;
  #lastSentMs = 0;
  #lastReceivedMs = 0;

  /** Sent, awaiting their reply, oldest first. */
  readonly #inFlight = new Fifo<Pending>();
  /** Accepted but not sent yet (not connected, or the in-flight window is full). */
  readonly #outgoing = new Fifo<Pending>();

  // Watch tables, as in ZooKeeper's ZKWatchManager: path -> callbacks.
  readonly #dataWatches = new Map<string, Set<Watcher>>();
  readonly #existWatches = new Map<string, Set<Watcher>>();
  readonly #childWatches = new Map<string, Set<Watcher>>();
  readonly #persistentWatches = new Map<string, Set<Watcher>>();
  readonly #recursiveWatches = new Map<string, Set<Watcher>>();
  /** Credentials added with addAuth: the server forgets them with the connection. */
  readonly #authInfo: { scheme: string; auth: Buffer }[] = [];
  readonly #tls: TlsConnectionOptions | undefined;
  readonly #defaultAcl: ((path: string) => readonly Acl[]) | undefined;

  // connect()'s promise, settled by the first 'connected' or by giving up.
  #connectPromise: Promise<void> | undefined;
  #connectSettle: ((err?: Error) => void) | undefined;

  constructor(connectString: string, options: CoordinatorClientOptions = {}) {
    super();
    this.#servers = parseConnectString(connectString);
    const { logger, scheduler, tls, authInfo, defaultAcl, ...rest } = options;
    this.#options = { ...DEFAULTS, ...rest };
    this.#tls = tls;
    this.#defaultAcl = defaultAcl;
    for (const { scheme, auth } of authInfo ?? [])
      this.#authInfo.push({ scheme, auth: typeof auth === 'string' ? Buffer.from(auth) : auth });
    // A chroot suffix (`host:port/app`) roots every path this client uses at /app.
    const chroot = parseChroot(connectString);
    const open = OPEN_CONNECTION[this.#options.protocol];
    this.#openConnection = chroot === undefined ? open : withChroot(open, chroot);
    this.#scheduler = scheduler ?? systemScheduler;
    invariant(this.#options.maxInFlightRequests > 0, 'maxInFlightRequests > 0');
    this.#log = (logger ?? silentLogger()).child({ component: 'coordinator-client' });
    // Start on a random server, as ZooKeeper's StaticHostProvider shuffles, so that many
    // clients with the same connect string spread over the ensemble.
    this.#serverIndex = Math.floor(Math.random() * this.#servers.length);
  }

  get state(): ClientState {
    return this.#state;
  }
  /** 0n until the first session is established. */
  get sessionId(): bigint {
    return this.#sessionId;
  }
  /** The current connection is to a read-only server (only with the `readOnly` option). */
  get connectedReadOnly(): boolean {
    return this.#connectedReadOnly;
  }
  /** The timeout the server granted (0 before the first connection). */
  get sessionTimeoutMs(): number {
    return this.#negotiatedTimeoutMs;
  }
  /** The time source and timers this client runs on; recipes take their timeouts from it. */
  get scheduler(): Scheduler {
    return this.#scheduler;
  }
  get lastZxidSeen(): number {
    return this.#lastZxidSeen;
  }
  /** Requests accepted and not yet answered (in flight plus waiting to be sent). */
  get pendingRequests(): number {
    return this.#inFlight.length + this.#outgoing.length;
  }

  // ---------------------------------------------------------------------------------------
  // Connecting.

  /**
   * Establish the session. Resolves once connected; rejects with CONNECTIONLOSS when no
   * server answered within `initialConnectTimeoutMs` (the client is then closed).
   */
  connect(): Promise<void> {
    if (this.#connectPromise) return this.#connectPromise;
    if (this.#state !== 'idle') {
      return Promise.reject(
        new KeeperError(ErrorCode.SESSIONEXPIRED, undefined, 'client is closed'),
      );
    }
    this.#connectPromise = new Promise<void>((resolve, reject) => {
      const timer = this.#scheduler.schedule(this.#options.initialConnectTimeoutMs, () => {
        settle(
          new KeeperError(ErrorCode.CONNECTIONLOSS, undefined, 'could not connect to any server'),
        );
        this.#shutDown('initial connect timed out');
      });
      const settle = (err?: Error): void => {
        if (!this.#connectSettle) return;
        this.#connectSettle = undefined;
        timer.cancel();
        if (err) reject(err);
        else resolve();
      };
      this.#connectSettle = settle;
    });
    this.#state = 'connecting';
    this.#attemptConnection();
    return this.#connectPromise;
  }

  #attemptConnection(): void {
    invariant(this.#conn === undefined, 'one connection at a time');
    const server = this.#servers[this.#serverIndex % this.#servers.length];
    this.#serverIndex = (this.#serverIndex + 1) % this.#servers.length;
    this.#serverInUse = `${server.host}:${server.port}`;
    this.#log.debug(
      { server: this.#serverInUse, sessionId: formatSessionId(this.#sessionId) },
      'connecting',
    );
    const conn: ClientConnection = this.#openConnection(
      server,
      { frameBytesMax: this.#options.frameBytesMax, tls: this.#tls },
      {
        onOpen: () => {
          const resume = this.#seenReadWrite || !this.#options.readOnly;
          this.#replacingLocalSession = !resume && this.#sessionId !== 0n;
          conn.send({
            type: 'connect',
            connect: {
              protocolVersion: WS_PROTOCOL_VERSION,
              lastZxidSeen: this.#lastZxidSeen,
              timeoutMs: this.#options.sessionTimeoutMs,
              sessionId: resume ? this.#sessionId : 0n,
              password: resume ? this.#password : Buffer.alloc(16),
              readOnly: this.#options.readOnly,
            },
          });
        },
        onFrame: (frame) => this.#onFrame(conn, frame),
        onClose: (reason) => this.#connectionLost(conn, reason),
      },
    );
    this.#conn = conn;
    this.#attemptTimer = this.#scheduler.schedule(this.#options.connectAttemptTimeoutMs, () =>
      this.#connectionLost(conn, 'connection attempt timed out'),
    );
  }

  #onFrame(conn: ClientConnection, frame: ServerFrame): void {
    if (conn !== this.#conn) return;
    this.#receivedSinceTick = true;
    switch (frame.type) {
      case 'reply':
        if (this.#state !== 'connected') {
          return this.#connectionLost(conn, 'reply before connected');
        }
        return this.#onReply(conn, frame.xid, frame.zxid, frame.err, frame.result);
      case 'event':
        if (this.#state !== 'connected') {
          return this.#connectionLost(conn, 'event before connected');
        }
        if (frame.event.zxid > this.#lastZxidSeen) this.#lastZxidSeen = frame.event.zxid;
        return this.#dispatchEvent(frame.event);
      case 'connected':
        if (this.#state !== 'connecting') {
          return this.#connectionLost(conn, 'unexpected connected');
        }
        this.#connectedReadOnly = frame.connected.readOnly;
        if (!frame.connected.readOnly && frame.connected.timeoutMs > 0) this.#seenReadWrite = true;
        return this.#onConnected(
          frame.connected.timeoutMs,
          frame.connected.sessionId,
          frame.connected.password,
        );
      case 'command':
        return this.#connectionLost(conn, 'unexpected command output on a session connection');
    }
  }

  #onConnected(timeoutMs: number, sessionId: bigint, password: Buffer): void {
    this.#attemptTimer?.cancel();
    if (timeoutMs <= 0) {
      // The server no longer knows the session (expired, closed or bad password). Every
      // ZooKeeper client treats a negotiated timeout <= 0 as SESSION_EXPIRED.
      this.#log.info({ sessionId: formatSessionId(this.#sessionId) }, 'session expired');
      this.#expire();
      return;
    }
    // A read-only server's local session is replaced, not resumed, by design (#seenReadWrite):
    // the application's watches carry over through setWatches, as the Java client's do.
    const replacedLocal = this.#replacingLocalSession;
    this.#replacingLocalSession = false;
    const resumed = this.#sessionId !== 0n && !replacedLocal;
    if (resumed && sessionId !== this.#sessionId) {
      // The server handed out a different session: ours is gone, and with it our ephemerals
      // and watches. Carrying on under a new id would hide that from the application.
      this.#log.warn(
        { asked: formatSessionId(this.#sessionId), got: formatSessionId(sessionId) },
        'session replaced',
      );
      this.#expire();
      return;
    }
    this.#sessionId = sessionId;
    this.#password = password;
    this.#negotiatedTimeoutMs = timeoutMs;
    this.#failedAttempts = 0;
    this.#state = 'connected';
    this.#startTicking();
    this.#log.info(
      { sessionId: formatSessionId(sessionId), timeoutMs, server: this.#serverInUse, resumed },
      resumed ? 'session resumed' : 'session established',
    );
    // setWatches must go before any queued request: its catch-up events then arrive before
    // the replies to requests sent after the reconnect, preserving "events before replies".
    // Auth goes first of all, so the setWatches catch-up and every later request run with
    // the identities the application added (the Java client does the same).
    // On the first connection #authInfo holds only the credentials given as options.
    for (const { scheme, auth } of this.#authInfo) this.#sendInternal({ op: 'auth', scheme, auth });
    if (resumed || replacedLocal) this.#sendSetWatches();
    this.#flushOutgoing();
    this.#connectSettle?.();
    this.emit('connected', {
      sessionId,
      sessionTimeoutMs: timeoutMs,
      resumed,
      server: this.#serverInUse,
    });
  }

  /**
   * The current connection (or attempt) is gone. Fail what was in flight, then reconnect
   * unless the client is closing, closed or expired. Events from stale sockets are ignored.
   */
  #connectionLost(conn: ClientConnection, reason: string): void {
    if (conn !== this.#conn) return;
    const wasConnected = this.#state === 'connected';
    this.#dropSocket();
    if (this.#state === 'closed' || this.#state === 'expired') return;
    this.#failAll(ErrorCode.CONNECTIONLOSS);
    // close() is waiting for its own request, which has just failed; it finishes the job.
    if (this.#closing) return;
    this.#state = 'connecting';
    if (wasConnected) {
      this.#log.info({ reason, server: this.#serverInUse }, 'disconnected');
      this.emit('disconnected', { reason });
      // Reconnect at once after losing a working connection; back off only on failures.
      this.#failedAttempts = 0;
      this.#attemptConnection();
      return;
    }
    this.#log.debug({ reason, server: this.#serverInUse }, 'connection attempt failed');
    this.#failedAttempts++;
    // A server that refuses us (down, or electing a leader) says nothing of the others: try
    // the next one at once, and back off only after a whole round of failures.
    const rounds = Math.floor(this.#failedAttempts / this.#servers.length);
    if (this.#failedAttempts % this.#servers.length !== 0) {
      this.#attemptConnection();
      return;
    }
    const exp = Math.min(rounds - 1, 16);
    const ceiling = Math.min(
      this.#options.reconnectBackoffMaxMs,
      this.#options.reconnectBackoffMinMs * 2 ** exp,
    );
    // Half fixed, half random: spreads out clients that lost the same server at once.
    const delayMs = ceiling / 2 + (Math.random() * ceiling) / 2;
    this.#reconnectTimer = this.#scheduler.schedule(delayMs, () => {
      this.#reconnectTimer = undefined;
      if (this.#state === 'connecting' && this.#conn === undefined) this.#attemptConnection();
    });
  }

  #dropSocket(): void {
    this.#attemptTimer?.cancel();
    this.#tickTimer?.cancel();
    this.#tickTimer = undefined;
    const conn = this.#conn;
    this.#conn = undefined;
    conn?.close();
  }

  #expire(): void {
    this.#dropSocket();
    this.#state = 'expired';
    this.#clearWatches();
    this.#failAll(ErrorCode.SESSIONEXPIRED);
    this.#connectSettle?.(new KeeperError(ErrorCode.SESSIONEXPIRED));
    this.emit('expired');
  }

  // ---------------------------------------------------------------------------------------
  // Keep-alive.

  #startTicking(): void {
    const now = this.#scheduler.nowMs();
    this.#lastSentMs = now;
    this.#lastReceivedMs = now;
    this.#sentSinceTick = false;
    this.#receivedSinceTick = false;
    // Ten ticks per timeout: pings go out between 1/3 and 1/3 + 1/10 of the timeout after the
    // last send, and a dead server is noticed between 2/3 and 2/3 + 1/10 of it.
    const tickMs = Math.max(10, Math.floor(this.#negotiatedTimeoutMs / 10));
    // The socket keeps the process alive while connected; the timer should not on its own.
    this.#tickTimer = this.#scheduler.repeat(tickMs, () => this.#tick()).unref();
  }

  #tick(): void {
    const conn = this.#conn;
    if (!conn || this.#state !== 'connected') return;
    const now = this.#scheduler.nowMs();
    if (this.#sentSinceTick) this.#lastSentMs = now;
    if (this.#receivedSinceTick) this.#lastReceivedMs = now;
    this.#sentSinceTick = false;
    this.#receivedSinceTick = false;
    const readTimeoutMs = (this.#negotiatedTimeoutMs * 2) / 3;
    if (now - this.#lastReceivedMs >= readTimeoutMs) {
      return this.#connectionLost(conn, `nothing received for ${now - this.#lastReceivedMs} ms`);
    }
    if (now - this.#lastSentMs >= this.#negotiatedTimeoutMs / 3) {
      conn.send({ type: 'request', xid: PING_XID, request: PING_REQUEST });
      this.#lastSentMs = now;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Requests.

  /** A create (or a multi's creates) that named no ACL gets the `defaultAcl` of its path. */
  #withDefaultAcl(request: Request): Request {
    const choose = this.#defaultAcl!;
    if (request.op === 'create' && request.acl === UNSPECIFIED_ACL)
      return { ...request, acl: [...choose(request.path)] };
    if (request.op === 'multi' && request.ops.some((o) => o.op === 'create'))
      return {
        ...request,
        ops: request.ops.map((o) =>
          o.op === 'create' && o.acl === UNSPECIFIED_ACL ? { ...o, acl: [...choose(o.path)] } : o,
        ),
      };
    return request;
  }

  /** Accept a request: send it now if possible, else queue it. */
  #submit(request: Request, watcher?: Watcher): Promise<Result> {
    if (this.#defaultAcl !== undefined) request = this.#withDefaultAcl(request);
    if (this.#state === 'expired' || this.#state === 'closed' || this.#closing) {
      return Promise.reject(new KeeperError(ErrorCode.SESSIONEXPIRED, pathOf(request)));
    }
    if (this.#state === 'idle') {
      return Promise.reject(
        new KeeperError(ErrorCode.CONNECTIONLOSS, pathOf(request), 'call connect() first'),
      );
    }
    if (this.#outgoing.length >= this.#options.maxQueuedRequests) {
      return Promise.reject(
        new KeeperError(
          ErrorCode.THROTTLEDOP,
          pathOf(request),
          `maxQueuedRequests=${this.#options.maxQueuedRequests}`,
        ),
      );
    }
    return new Promise<Result>((resolve, reject) => {
      const pending: Pending = { xid: 0, request, watcher, resolve, reject };
      if (this.#canSendNow()) this.#send(pending);
      else this.#outgoing.push(pending);
    });
  }

  #canSendNow(): boolean {
    return (
      this.#state === 'connected' &&
      this.#outgoing.length === 0 &&
      this.#inFlight.length < this.#options.maxInFlightRequests
    );
  }

  #send(pending: Pending): void {
    const conn = this.#conn;
    invariant(conn !== undefined && this.#state === 'connected', 'send only while connected');
    this.#xid = this.#xid === XID_MAX ? 1 : this.#xid + 1;
    pending.xid = this.#xid;
    this.#inFlight.push(pending);
    conn.send({ type: 'request', xid: pending.xid, request: pending.request });
    this.#sentSinceTick = true;
  }

  #flushOutgoing(): void {
    while (
      this.#outgoing.length > 0 &&
      this.#state === 'connected' &&
      this.#inFlight.length < this.#options.maxInFlightRequests
    ) {
      this.#send(this.#outgoing.shift()!);
    }
  }

  #onReply(conn: ClientConnection, xid: number, zxid: number, err: number, result: Result): void {
    if (zxid > this.#lastZxidSeen) this.#lastZxidSeen = zxid;
    if (xid === PING_XID) return;
    const pending = this.#inFlight.peek();
    if (!pending || pending.xid !== xid) {
      // Replies must come in request order; anything else means we can no longer tell which
      // request a reply answers, so the only safe move is to drop the connection.
      return this.#connectionLost(conn, `reply xid ${xid}, expected ${pending?.xid ?? 'none'}`);
    }
    this.#inFlight.shift();
    this.#registerWatch(pending, err);
    this.#settle(pending, err, result);
    if (this.#outgoing.length > 0) this.#flushOutgoing();
  }

  #settle(pending: Pending, err: number, result: Result): void {
    const { request } = pending;
    if (request.op === 'multi') {
      // ZooKeeper sends header err 0 for a failed multi and puts the codes in the results;
      // our server also sets err. Accept both: any non-zero per-op code fails the multi.
      const results = result.results ?? [];
      const failed = results.find(
        (r) => r.err !== ErrorCode.OK && r.err !== ErrorCode.RUNTIMEINCONSISTENCY,
      );
      const code = err !== ErrorCode.OK ? err : (failed?.err ?? ErrorCode.OK);
      if (code !== ErrorCode.OK) {
        const index = failed ? results.indexOf(failed) : -1;
        const path = index >= 0 ? pathOf(request.ops[index]) : undefined;
        pending.reject?.(new MultiError(code, path, results));
        return;
      }
    } else if (err !== ErrorCode.OK && !(request.op === 'exists' && err === ErrorCode.NONODE)) {
      if (pending.reject) pending.reject(new KeeperError(err, pathOf(request)));
      else this.#log.warn({ op: request.op, err }, 'internal request failed');
      return;
    }
    pending.resolve?.(err === ErrorCode.OK ? result : EMPTY_RESULT);
  }

  /** Fail every request sent or waiting, oldest first (so callers see them fail in order). */
  #failAll(code: number): void {
    for (const list of [this.#inFlight, this.#outgoing]) {
      for (const pending of list.drain()) {
        pending.reject?.(new KeeperError(code, pathOf(pending.request)));
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Watches.

  /** Record a watch once the server has confirmed it (ZooKeeper's WatchRegistration). */
  #registerWatch(pending: Pending, err: number): void {
    const { watcher, request } = pending;
    if (!watcher) return;
    let table: Map<string, Set<Watcher>> | undefined;
    switch (request.op) {
      case 'exists':
        // A missing node still gets a watch: NodeCreated will fire it.
        table =
          err === ErrorCode.OK
            ? this.#dataWatches
            : err === ErrorCode.NONODE
              ? this.#existWatches
              : undefined;
        break;
      case 'getData':
        table = err === ErrorCode.OK ? this.#dataWatches : undefined;
        break;
      case 'getChildren':
        table = err === ErrorCode.OK ? this.#childWatches : undefined;
        break;
      case 'addWatch':
        if (err === ErrorCode.OK)
          table = request.mode === 'persistent' ? this.#persistentWatches : this.#recursiveWatches;
        break;
      default:
        break;
    }
    if (!table) return;
    const path = pathOf(request)!;
    let set = table.get(path);
    if (!set) table.set(path, (set = new Set()));
    set.add(watcher);
  }

  /**
   * Deliver one server event to every watcher it concerns (ZKWatchManager.materialize): each
   * callback at most once even if it was registered in several tables, one-shot watches
   * removed before they run so a watcher that re-arms itself is not removed by mistake.
   */
  #dispatchEvent(event: WatchEvent): void {
    const targets = new Set<Watcher>();
    const take = (table: Map<string, Set<Watcher>>): void => {
      const set = table.get(event.path);
      if (!set) return;
      table.delete(event.path);
      for (const w of set) targets.add(w);
    };
    switch (event.type) {
      case 'NodeCreated':
      case 'NodeDataChanged':
        take(this.#dataWatches);
        take(this.#existWatches);
        break;
      case 'NodeChildrenChanged':
        take(this.#childWatches);
        break;
      case 'NodeDeleted':
        take(this.#dataWatches);
        take(this.#existWatches);
        take(this.#childWatches);
        break;
    }
    const persistent = this.#persistentWatches.get(event.path);
    if (persistent) for (const w of persistent) targets.add(w);
    // Recursive watches cover the path and every descendant but never report child-list
    // changes (as in ZooKeeper 3.6+): their NodeCreated/NodeDeleted already say the same.
    if (this.#recursiveWatches.size > 0 && event.type !== 'NodeChildrenChanged') {
      for (let p = event.path; ; p = p.slice(0, Math.max(1, p.lastIndexOf('/')))) {
        const set = this.#recursiveWatches.get(p);
        if (set) for (const w of set) targets.add(w);
        if (p === '/') break;
      }
    }
    for (const watcher of targets) {
      try {
        watcher(event);
      } catch (err) {
        // A throwing watcher must not break the connection or starve the other watchers.
        this.#log.error({ err, path: event.path, event: event.type }, 'watcher threw');
      }
    }
  }

  /**
   * After a resume, tell the new connection about every watch we hold. The server fires the
   * events we missed (relative to lastZxidSeen) before it answers, then re-registers the rest.
   */
  #sendSetWatches(): void {
    const lists = {
      dataWatches: [...this.#dataWatches.keys()],
      existWatches: [...this.#existWatches.keys()],
      childWatches: [...this.#childWatches.keys()],
      persistentWatches: [...this.#persistentWatches.keys()],
      persistentRecursiveWatches: [...this.#recursiveWatches.keys()],
    };
    type ListName = keyof typeof lists;
    const names = Object.keys(lists) as ListName[];
    const empty = (): Record<ListName, string[]> => ({
      dataWatches: [],
      existWatches: [],
      childWatches: [],
      persistentWatches: [],
      persistentRecursiveWatches: [],
    });
    let batch = empty();
    let batchBytes = 0;
    let batchPaths = 0;
    const flush = (): void => {
      if (batchPaths === 0) return;
      // setWatches jumps the queue of requests waiting for the connection: it must reach the
      // server before any of them.
      this.#sendInternal({ op: 'setWatches', relativeZxid: this.#lastZxidSeen, ...batch });
      batch = empty();
      batchBytes = 0;
      batchPaths = 0;
    };
    for (const name of names) {
      for (const path of lists[name]) {
        if (batchBytes + path.length > this.#options.setWatchesBatchBytesMax) flush();
        batch[name].push(path);
        batchBytes += path.length + 3;
        batchPaths++;
      }
    }
    flush();
  }

  /** Send a request no caller waits for (auth replay, setWatches); failures are logged. */
  #sendInternal(request: Request): void {
    this.#send({ xid: 0, request, watcher: undefined, resolve: undefined, reject: undefined });
  }

  #clearWatches(): void {
    this.#dataWatches.clear();
    this.#existWatches.clear();
    this.#childWatches.clear();
    this.#persistentWatches.clear();
    this.#recursiveWatches.clear();
  }

  // ---------------------------------------------------------------------------------------
  // The ZooKeeper API.

  /** Create a node; resolves with its actual path (sequential nodes get a suffix). */
  async create(path: string, data: NodeData = null, options: CreateOptions = {}): Promise<string> {
    const result = await this.#submit(createRequest(path, data, options));
    return result.path ?? path;
  }

  /** Like `create`, also returning the new node's Stat (ZooKeeper's create2). */
  async createWithStat(
    path: string,
    data: NodeData = null,
    options: CreateOptions = {},
  ): Promise<{ path: string; stat: Stat }> {
    const result = await this.#submit(createRequest(path, data, options));
    if (!result.stat)
      throw new KeeperError(ErrorCode.MARSHALLINGERROR, path, 'server sent no stat');
    return { path: result.path ?? path, stat: result.stat };
  }

  /** Delete a node; `version` -1 matches any version. */
  async delete(path: string, version = -1): Promise<void> {
    await this.#submit({ op: 'delete', path, version });
  }

  /** The node's Stat, or null when it does not exist. A watcher is set in both cases. */
  async exists(path: string, watcher?: Watcher): Promise<Stat | null> {
    const result = await this.#submit(
      { op: 'exists', path, watch: watcher !== undefined },
      watcher,
    );
    return result.stat ?? null;
  }

  async getData(path: string, watcher?: Watcher): Promise<{ data: Buffer | null; stat: Stat }> {
    const result = await this.#submit(
      { op: 'getData', path, watch: watcher !== undefined },
      watcher,
    );
    return { data: result.data ?? null, stat: requireStat(result, path) };
  }

  async setData(path: string, data: NodeData, version = -1): Promise<Stat> {
    const result = await this.#submit({ op: 'setData', path, data: toBuffer(data), version });
    return requireStat(result, path);
  }

  /** Child names, in the server's order (ZooKeeper promises none; sort if it matters). */
  async getChildren(path: string, watcher?: Watcher): Promise<string[]> {
    const result = await this.#submit(
      { op: 'getChildren', path, watch: watcher !== undefined },
      watcher,
    );
    return result.children ?? [];
  }

  /** getChildren2: the names plus the parent's Stat. */
  async getChildrenWithStat(
    path: string,
    watcher?: Watcher,
  ): Promise<{ children: string[]; stat: Stat }> {
    const result = await this.#submit(
      { op: 'getChildren', path, watch: watcher !== undefined },
      watcher,
    );
    return { children: result.children ?? [], stat: requireStat(result, path) };
  }

  /**
   * Apply all ops atomically or none. Resolves with one result per op; rejects with a
   * MultiError (carrying every op's result: 0 before the failing op, its code, then -2)
   * when any op fails. Build ops with the `Op` helpers.
   */
  async multi(ops: readonly MultiOp[]): Promise<MultiResultEntry[]> {
    // The Java client never sends an empty multi; neither do we (nothing to apply).
    if (ops.length === 0) return [];
    const result = await this.#submit({ op: 'multi', ops: [...ops] });
    return result.results ?? [];
  }

  /** Several getData/getChildren in one round trip; each entry has its own `err`. */
  async multiRead(ops: readonly MultiReadOp[]): Promise<MultiReadResultEntry[]> {
    if (ops.length === 0) return [];
    const result = await this.#submit({ op: 'multiRead', ops: [...ops] });
    return result.readResults ?? [];
  }

  /** Wait until the server has caught up with the leader; then reads are at least that fresh. */
  async sync(path: string): Promise<string> {
    const result = await this.#submit({ op: 'sync', path });
    return result.path ?? path;
  }

  /** This session's ephemeral nodes whose path starts with `prefix`. */
  async getEphemerals(prefix = '/'): Promise<string[]> {
    const result = await this.#submit({ op: 'getEphemerals', prefix });
    return result.paths ?? [];
  }

  /** Number of all descendants of `path` (not just direct children). */
  async getAllChildrenNumber(path: string): Promise<number> {
    const result = await this.#submit({ op: 'getAllChildrenNumber', path });
    return result.count ?? 0;
  }

  async getACL(path: string): Promise<{ acl: Acl[]; stat: Stat }> {
    const result = await this.#submit({ op: 'getACL', path });
    return { acl: result.acl ?? [], stat: requireStat(result, path) };
  }

  /** `version` is the expected aversion (-1 = any). */
  async setACL(path: string, acl: readonly Acl[], version = -1): Promise<Stat> {
    const result = await this.#submit({ op: 'setACL', path, acl: [...acl], version });
    return requireStat(result, path);
  }

  /**
   * Authenticate this connection (ZooKeeper's addAuthInfo), e.g. `digest` with
   * `user:password`. Remembered and replayed after every reconnect. A rejected auth fails
   * with AUTHFAILED and the server closes the connection (the client then reconnects).
   */
  async addAuth(scheme: string, auth: Buffer | string): Promise<void> {
    const bytes = typeof auth === 'string' ? Buffer.from(auth, 'utf8') : auth;
    await this.#submit({ op: 'auth', scheme, auth: bytes });
    this.#authInfo.push({ scheme, auth: bytes });
  }

  async whoAmI(): Promise<{ authScheme: string; user: string }[]> {
    const result = await this.#submit({ op: 'whoAmI' });
    return result.clientInfo ?? [];
  }

  /**
   * Add a persistent watch (ZooKeeper 3.6+). `persistent`: data and child events of `path`;
   * `persistent_recursive`: NodeCreated/Deleted/DataChanged of `path` and every descendant.
   * The listener stays until `removeWatches` or the end of the session, and is re-registered
   * after reconnects (events that happened while disconnected are not replayed).
   */
  async addWatch(path: string, mode: AddWatchMode, listener: Watcher): Promise<void> {
    await this.#submit({ op: 'addWatch', path, mode }, listener);
  }

  /**
   * Remove watches on `path`. With a `listener`, only that callback is removed locally, and
   * the server is told only if no other callback of that kind remains on the path. Without
   * one, every local callback of that kind goes. Rejects with NOWATCHER if there was none.
   */
  async removeWatches(path: string, watcherType: WatcherType, listener?: Watcher): Promise<void> {
    const tables = this.#tablesFor(watcherType);
    let removed = false;
    let remaining = false;
    for (const table of tables) {
      const set = table.get(path);
      if (!set) continue;
      if (listener) {
        removed = set.delete(listener) || removed;
        if (set.size > 0) remaining = true;
        else table.delete(path);
      } else {
        removed = true;
        table.delete(path);
      }
    }
    if (!removed) throw new KeeperError(ErrorCode.NOWATCHER, path);
    if (!remaining) await this.#submit({ op: 'removeWatches', path, watcherType });
  }

  #tablesFor(type: WatcherType): Map<string, Set<Watcher>>[] {
    switch (type) {
      case 'children':
        return [this.#childWatches];
      case 'data':
        return [this.#dataWatches, this.#existWatches];
      case 'persistent':
        return [this.#persistentWatches];
      case 'persistent_recursive':
        return [this.#recursiveWatches];
      case 'any':
        return [
          this.#dataWatches,
          this.#existWatches,
          this.#childWatches,
          this.#persistentWatches,
          this.#recursiveWatches,
        ];
    }
  }

  /**
   * End the session: the server deletes its ephemerals at once and closes the connection.
   * Requests issued before close() are answered first (replies are in order). When not
   * connected there is no way to tell the server, and the session lingers until it expires.
   */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    if (this.#state === 'connected' && !this.#closing) {
      const request = this.#submit({ op: 'close' });
      this.#closing = true;
      const graceMs = Math.min(this.#negotiatedTimeoutMs, 5_000);
      let timer: Timer | undefined;
      await Promise.race([
        request.catch(() => undefined),
        new Promise<void>((resolve) => (timer = this.#scheduler.schedule(graceMs, resolve))),
      ]);
      timer?.cancel();
    }
    this.#shutDown('closed by the application');
  }

  #shutDown(reason: string): void {
    if (this.#state === 'closed') return;
    this.#closing = false;
    this.#dropSocket();
    this.#reconnectTimer?.cancel();
    this.#state = 'closed';
    this.#clearWatches();
    this.#failAll(ErrorCode.CONNECTIONLOSS);
    this.#connectSettle?.(new KeeperError(ErrorCode.CONNECTIONLOSS, undefined, reason));
    this.#log.info({ sessionId: formatSessionId(this.#sessionId), reason }, 'client closed');
    this.emit('closed');
  }
}

function requireStat(result: Result, path: string): Stat {
  if (!result.stat) throw new KeeperError(ErrorCode.MARSHALLINGERROR, path, 'server sent no stat');
  return result.stat;
}

/**
 * The ACL of a create that names none: OPEN_ACL_UNSAFE, as one array the client recognises
 * by identity and replaces with its `defaultAcl` when it has one. Frozen: never changed.
 */
const UNSPECIFIED_ACL = Object.freeze([...OPEN_ACL_UNSAFE]) as Acl[];

function createRequest(path: string, data: NodeData, options: CreateOptions): CreateRequest {
  const request: CreateRequest = {
    op: 'create',
    path,
    data: toBuffer(data),
    acl: options.acl === undefined ? UNSPECIFIED_ACL : [...options.acl],
    mode: options.mode ?? 'persistent',
  };
  if (options.ttlMs !== undefined) request.ttlMs = options.ttlMs;
  return request;
}

/** Builders for `multi` ops, named after ZooKeeper's `Op.create`, `Op.delete`, ... */
export const Op = {
  create(path: string, data: NodeData = null, options: CreateOptions = {}): MultiOp {
    return createRequest(path, data, options);
  },
  delete(path: string, version = -1): MultiOp {
    return { op: 'delete', path, version };
  },
  setData(path: string, data: NodeData, version = -1): MultiOp {
    return { op: 'setData', path, data: toBuffer(data), version };
  },
  check(path: string, version: number): MultiOp {
    return { op: 'check', path, version };
  },
  getData(path: string): MultiReadOp {
    return { op: 'getData', path, watch: false };
  },
  getChildren(path: string): MultiReadOp {
    return { op: 'getChildren', path, watch: false };
  },
};
