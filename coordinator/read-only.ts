/**
 * Read-only mode: ZooKeeper's `readonlymode.enabled` (its ReadOnlyZooKeeperServer, 3.4 and
 * later), switched on per server with `coordinator start --read-only` or
 * `readonlymode.enabled=true` in zoo.cfg. An ensemble member that has been without a quorum
 * for a while keeps answering reads from its tree, as it last was, to the clients that said
 * they can live with that (the `readOnly` flag of their ConnectRequest, the Java client's
 * canBeReadOnly), and refuses every write with NOTREADONLY (-119). Without the flag, a
 * server without a quorum takes no clients at all (docs/ensemble.md).
 *
 * This module holds the rules and the mode's states; the core (coordinator-server.ts) asks
 * it what to do with a handshake or a request, and the ensemble member (ensemble-node.ts)
 * feeds it Zab's role changes. No sockets, no disk; time comes from the scheduler given.
 *
 * States of `ReadOnlyMode`, driven by Zab's role (ZooKeeper's QuorumPeer main loop):
 *
 *   state     the client port                      leaves for
 *   disabled  as without read-only mode            never (no --read-only)
 *   off       serving in broadcast, or syncing     waiting, when Zab turns looking
 *   waiting   refuses every client (looking)       active, after the grace period still looking;
 *                                                  off, when Zab decides on a leader
 *   active    read-only clients only               off, when Zab decides on a leader: the
 *                                                  read-only sessions are closed
 *
 * The grace period is max(2000 ms, tickTime): ZooKeeper starts its read-only server that long
 * after the peer turns LOOKING, if it is still LOOKING then, so that a server does not go
 * read-only for an ordinary leader election. ZooKeeper stops it as soon as the election
 * returns (a leader is decided, before the sync with it), so a read-only client never sees
 * the tree jump while the server syncs; then the server serves normally once in broadcast.
 *
 * Read-only sessions are local: each gets an id from the server's own range (as its
 * ensemble-wide sessions do) but lives only in this server's memory, is never written to
 * the Zab log, expires here, and is forgotten when the mode ends. A client that then takes
 * its session id to a read/write server finds it unknown there (expired; kazoo goes LOST and
 * makes a new session). ZooKeeper's Java client avoids that by sending session id 0 to the
 * first read/write server when it has only ever been connected read-only (seenRwServerBefore).
 * A session of the ensemble cannot be resumed on a read-only server: ZooKeeper refuses the
 * "global session reconnection in RO mode" by closing the connection. Clients leave a
 * read-only server for a read/write one either when it closes their connection (the mode
 * ended) or by polling the other servers with the `isro` four-letter word (`ro`, `rw`, or
 * `null` while a server serves nothing), as kazoo and the Java client do.
 */
import { unreachable } from '../src/assert.js';
import type { Logger } from '../src/logger.js';
import type { Request } from '../src/protocol/coordinator/messages.js';
import type { Scheduler, Timer } from '../src/scheduler.js';

/** ZooKeeper's lower bound on the grace period ("lower-bound grace period to 2 secs"). */
export const READ_ONLY_GRACE_MS_MIN = 2000;

/** How long a server stays looking before it serves read-only clients. */
export function readOnlyGraceMs(tickMs: number): number {
  return Math.max(READ_ONLY_GRACE_MS_MIN, tickMs);
}

// =====================================================================================
// The rules for clients.

/**
 * What a read-only server does with a request (ZooKeeper's ReadOnlyRequestProcessor):
 * - `notReadOnly`: answered with NOTREADONLY, nothing else happens. This includes `sync`,
 *   which needs a leader, and `multi` even when all its ops are checks.
 * - `closeSession`: the client's own close; its local session ends here.
 * - `read`: served from the tree as on any server (watches included; nothing changes the
 *   tree while the mode lasts, so they fire only after the client moves on).
 */
export type ReadOnlyRule = 'read' | 'notReadOnly' | 'closeSession';

export function readOnlyRule(op: Request['op']): ReadOnlyRule {
  switch (op) {
    case 'create':
    case 'delete':
    case 'setData':
    case 'setACL':
    case 'multi':
    case 'check':
    case 'sync':
      return 'notReadOnly';
    case 'close':
      return 'closeSession';
    case 'exists':
    case 'getData':
    case 'getChildren':
    case 'getAllChildrenNumber':
    case 'getEphemerals':
    case 'getACL':
    case 'multiRead':
    case 'addWatch':
    case 'removeWatches':
    case 'checkWatches':
    case 'setWatches':
    case 'auth':
    case 'ping':
    case 'whoAmI':
      return 'read';
    default:
      return unreachable(op, 'op');
  }
}

/** Where the session a client asks to resume lives, as far as this server knows. */
export type SessionKnown = 'none' | 'local' | 'global' | 'unknown';

/**
 * A handshake on a read-only server:
 * - `refuse`: close the connection without an answer (the client tries another server);
 * - `create`: a new local session; `resume`: the client's local session, on a new connection;
 * - `expired`: answer "session expired" (timeout 0) and close, as for any unknown session.
 */
export type ReadOnlyConnect =
  | { kind: 'refuse'; reason: string }
  | { kind: 'create' }
  | { kind: 'resume' }
  | { kind: 'expired' };

export function readOnlyConnect(args: {
  /** The ConnectRequest's readOnly flag (canBeReadOnly). */
  canBeReadOnly: boolean;
  session: SessionKnown;
}): ReadOnlyConnect {
  // ZooKeeper checks the flag first: a client that did not ask for read-only mode must not
  // be handed a server that cannot write ("Refusing session request for not-read-only client").
  if (!args.canBeReadOnly) {
    return { kind: 'refuse', reason: 'read-only server: the client did not ask for read-only' };
  }
  switch (args.session) {
    case 'none':
      return { kind: 'create' };
    case 'local':
      return { kind: 'resume' };
    case 'global':
      // Its ephemerals and watches belong to the ensemble; it must resume on a server in
      // broadcast. ZooKeeper: "Refusing global session reconnection in RO mode".
      return { kind: 'refuse', reason: 'read-only server: an ensemble session cannot resume here' };
    case 'unknown':
      return { kind: 'expired' };
    default:
      return unreachable(args.session, 'session');
  }
}

// =====================================================================================
// The mode of one ensemble member.

export type ReadOnlyState = 'disabled' | 'off' | 'waiting' | 'active';

export interface ReadOnlyModeOptions {
  /** --read-only / readonlymode.enabled. */
  enabled: boolean;
  tickMs: number;
  scheduler: Scheduler;
  logger: Logger;
  /** The mode started (true) or ended (false); on false the read-only sessions must go. */
  onChange: (active: boolean) => void;
}

export class ReadOnlyMode {
  readonly graceMs: number;
  readonly #scheduler: Scheduler;
  readonly #log: Logger;
  readonly #onChange: (active: boolean) => void;
  #state: ReadOnlyState;
  #timer: Timer | undefined;
  #lookingSinceMs = 0;

  constructor(options: ReadOnlyModeOptions) {
    this.graceMs = readOnlyGraceMs(options.tickMs);
    this.#scheduler = options.scheduler;
    this.#log = options.logger;
    this.#onChange = options.onChange;
    this.#state = options.enabled ? 'off' : 'disabled';
  }

  get state(): ReadOnlyState {
    return this.#state;
  }

  /** Serving read-only clients now. */
  get active(): boolean {
    return this.#state === 'active';
  }

  /** Zab's role, on every change (and `looking` at start). */
  roleChanged(role: 'looking' | 'following' | 'leading'): void {
    if (this.#state === 'disabled') return;
    if (role === 'looking') {
      // Still looking (a new election round) keeps the mode, or the wait, as it is.
      if (this.#state !== 'off') return;
      this.#state = 'waiting';
      this.#lookingSinceMs = this.#scheduler.nowMs();
      this.#timer = this.#scheduler.schedule(this.graceMs, () => this.#graceElapsed());
      return;
    }
    // A leader is decided: the election is over, read-only or not.
    this.#timer?.cancel();
    this.#timer = undefined;
    const wasActive = this.#state === 'active';
    this.#state = 'off';
    if (wasActive) {
      this.#log.info(
        { role, msReadOnly: this.#scheduler.nowMs() - this.#lookingSinceMs - this.graceMs },
        'read-only mode ends: a leader is decided',
      );
      this.#onChange(false);
    }
  }

  /** The member is closing: no more changes. */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    if (this.#state !== 'disabled') this.#state = 'off';
  }

  #graceElapsed(): void {
    this.#timer = undefined;
    if (this.#state !== 'waiting') return;
    this.#state = 'active';
    this.#log.info(
      { msLooking: this.#scheduler.nowMs() - this.#lookingSinceMs, graceMs: this.graceMs },
      'read-only mode: no quorum, serving read-only clients',
    );
    this.#onChange(true);
  }
}
