/**
 * Sessions and their deadlines, ZooKeeper style (`SessionTrackerImpl` + `ExpiryQueue`).
 *
 * Pure: time comes in as `nowMs` arguments, so tests drive expiry without sleeping.
 *
 * - A session's timeout is negotiated into [minSessionTimeoutMs, maxSessionTimeoutMs],
 *   by default [2, 20] x tickMs, ZooKeeper's defaults.
 * - Every packet from the client `touch`es the session: its deadline becomes now + timeout,
 *   rounded *up* to the next multiple of tickMs. Deadlines are therefore bucketed by tick,
 *   and a silent session dies between `timeout` and `timeout + tick` after its last packet,
 *   as in ZooKeeper (observed: a 4000 ms session expired about 4.2 s after going silent).
 * - `expire(nowMs)` hands back every session whose bucket has passed; the server then runs a
 *   closeSession transaction for each (deleting its ephemerals).
 * - After a restart, every known session is tracked again with a fresh deadline, counted
 *   from the restart, as ZooKeeper does: clients get a full timeout to reconnect.
 */
import { randomBytes } from 'node:crypto';
import { invariant } from '../src/assert.js';

export interface Session {
  id: bigint;
  timeoutMs: number;
  password: Buffer;
  /** The tick bucket this session expires in. */
  expiresAtMs: number;
  /** A closing session is being torn down; it accepts no new requests. */
  closing: boolean;
}

export interface SessionTrackerOptions {
  tickMs: number;
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  /** The high byte of every session id (ZooKeeper's server id; 1 when standalone). */
  serverId?: number;
}

export class SessionTracker {
  readonly tickMs: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly #sessions = new Map<bigint, Session>();
  /** bucket deadline -> sessions expiring then */
  readonly #buckets = new Map<number, Set<bigint>>();
  #nextSessionId: bigint;

  constructor(options: SessionTrackerOptions, nowMs: number) {
    invariant(options.tickMs > 0, 'tickMs must be positive');
    this.tickMs = options.tickMs;
    this.minSessionTimeoutMs = options.minSessionTimeoutMs ?? 2 * options.tickMs;
    this.maxSessionTimeoutMs = options.maxSessionTimeoutMs ?? 20 * options.tickMs;
    invariant(this.minSessionTimeoutMs <= this.maxSessionTimeoutMs, 'min session timeout > max');
    // ZooKeeper's initial session id: the server id in the high byte, then the clock in
    // milliseconds shifted into the middle bits, low bits counting up from there.
    const serverId = BigInt(options.serverId ?? 1);
    const timeBits = (BigInt(nowMs) << 24n) & 0xffffffffffffffffn;
    this.#nextSessionId = BigInt.asIntN(64, (timeBits >> 8n) | (serverId << 56n));
  }

  negotiateTimeout(requestedMs: number): number {
    return Math.min(this.maxSessionTimeoutMs, Math.max(this.minSessionTimeoutMs, requestedMs));
  }

  get(id: bigint): Session | undefined {
    return this.#sessions.get(id);
  }

  get size(): number {
    return this.#sessions.size;
  }

  all(): IterableIterator<Session> {
    return this.#sessions.values();
  }

  /** A new session with a fresh id and a random 16-byte password. */
  create(timeoutMs: number, nowMs: number): Session {
    let id = this.#nextSessionId;
    while (this.#sessions.has(id)) id = BigInt.asIntN(64, id + 1n);
    this.#nextSessionId = BigInt.asIntN(64, id + 1n);
    return this.add({ id, timeoutMs, password: randomBytes(16) }, nowMs);
  }

  /** Track a session (a new one, or one loaded from disk after a restart). */
  add(fields: { id: bigint; timeoutMs: number; password: Buffer }, nowMs: number): Session {
    invariant(!this.#sessions.has(fields.id), `session ${fields.id} already tracked`);
    const session: Session = { ...fields, expiresAtMs: 0, closing: false };
    this.#sessions.set(session.id, session);
    if (session.id >= this.#nextSessionId) this.#nextSessionId = BigInt.asIntN(64, session.id + 1n);
    this.touch(session, nowMs);
    return session;
  }

  /** The client spoke: push the deadline out. */
  touch(session: Session, nowMs: number): void {
    const deadline = this.#roundUp(nowMs + session.timeoutMs);
    if (deadline === session.expiresAtMs) return;
    this.#buckets.get(session.expiresAtMs)?.delete(session.id);
    session.expiresAtMs = deadline;
    let bucket = this.#buckets.get(deadline);
    if (!bucket) this.#buckets.set(deadline, (bucket = new Set()));
    bucket.add(session.id);
  }

  /** Change a session's timeout (a resume may negotiate a new one). */
  setTimeout(session: Session, timeoutMs: number, nowMs: number): void {
    session.timeoutMs = timeoutMs;
    this.touch(session, nowMs);
  }

  remove(id: bigint): void {
    const session = this.#sessions.get(id);
    if (!session) return;
    this.#buckets.get(session.expiresAtMs)?.delete(id);
    this.#sessions.delete(id);
  }

  /** Sessions whose deadline bucket is at or before `nowMs`; they are marked closing. */
  expire(nowMs: number): Session[] {
    const expired: Session[] = [];
    for (const [deadline, ids] of this.#buckets) {
      if (deadline > nowMs) continue;
      for (const id of ids) {
        const session = this.#sessions.get(id);
        if (session && !session.closing) {
          session.closing = true;
          expired.push(session);
        }
      }
      this.#buckets.delete(deadline);
    }
    return expired.sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  #roundUp(ms: number): number {
    return Math.ceil(ms / this.tickMs) * this.tickMs;
  }
}
