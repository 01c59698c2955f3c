/**
 * A distributed exclusive lock: ZooKeeper's lock recipe (kazoo's `Lock`, Curator's
 * `InterProcessMutex`), the same shape as ./leader-election.ts. The recipe is described in
 * https://zookeeper.apache.org/doc/r3.8.0/recipes.html#sc_recipes_Locks.
 *
 * Algorithm. To acquire:
 *   1. Create an EPHEMERAL_SEQUENTIAL child `<lockPath>/<guid>-lock-<seq>`.
 *   2. List the children and sort them by sequence number. If ours is the lowest, we hold
 *      the lock.
 *   3. Otherwise set an `exists` watch on the child just before ours and wait for it to go
 *      away, then repeat from 2. If the predecessor is already gone, repeat at once.
 * To release: delete our child. Its successor's watch fires and that waiter takes the lock.
 * Only one waiter wakes per release (no herd effect), and waiters are served first come,
 * first served, by sequence number.
 *
 * Why the guid: a create can be applied by the server while its reply is lost
 * (CONNECTIONLOSS). Retrying blindly would leave an orphaned child that, being ephemeral
 * for a still-living session, would block everybody until our session ends. With our guid in
 * the name, the retry first looks for a child it already made. (kazoo uses `<uuid>__lock__`,
 * Curator `_c_<guid>-`.)
 *
 * What the lock does NOT guarantee: that the holder still holds it. If the holder's session
 * expires (a long GC pause, a partition), the server deletes the child and the next waiter
 * gets the lock while the old holder may still be working. As with leader election, protect
 * the guarded resource with a fencing token (the czxid of our lock node increases with every
 * acquisition) or a conditional write, and treat the client's 'disconnected' event as "the
 * lock may be lost". A Lock object is one acquisition at a time and is not reentrant.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode, KeeperError, hasCode } from '../../protocol/coordinator/errors.js';
import type { CoordinatorClient, NodeData } from '../client.js';
import type { Timer } from '../../scheduler.js';
import { ensurePath } from './ensure-path.js';
import { createProtectedSequential, retryOnConnectionLoss, sortBySequence } from './retry.js';

export interface LockOptions {
  /** Stored in our lock node so others can see who holds or waits (e.g. a host name). */
  data?: NodeData;
}

export interface AcquireOptions {
  /** Give up after this long (acquire resolves false). Default: wait indefinitely. */
  timeoutMs?: number;
}

export class Lock {
  readonly #client: CoordinatorClient;
  readonly #lockPath: string;
  readonly #data: NodeData;
  #guid = randomUUID();
  /** Our child's name while we wait for or hold the lock. */
  #nodeName: string | undefined;
  #held = false;

  constructor(client: CoordinatorClient, lockPath: string, options: LockOptions = {}) {
    this.#client = client;
    this.#lockPath = lockPath;
    this.#data = options.data ?? null;
  }

  get isAcquired(): boolean {
    return this.#held;
  }
  /** Our lock node's full path while waiting or holding. */
  get nodePath(): string | undefined {
    return this.#nodeName === undefined ? undefined : `${this.#lockPath}/${this.#nodeName}`;
  }

  /**
   * Wait for the lock. Resolves true once held, false if `timeoutMs` passed first (our node
   * is then removed). Rejects with SESSIONEXPIRED if the session ends while waiting.
   */
  async acquire(options: AcquireOptions = {}): Promise<boolean> {
    if (this.#nodeName !== undefined)
      throw new Error('this Lock is already acquired or being acquired');
    const clock = this.#client.scheduler;
    const deadline = options.timeoutMs === undefined ? Infinity : clock.nowMs() + options.timeoutMs;
    await ensurePath(this.#client, this.#lockPath);
    this.#nodeName = await this.#createNode();
    try {
      for (;;) {
        const predecessor = await retryOnConnectionLoss(this.#client, () => this.#predecessor());
        if (predecessor === undefined) {
          this.#held = true;
          return true;
        }
        const remainingMs = deadline - clock.nowMs();
        if (remainingMs <= 0 || !(await this.#waitForDeletion(predecessor, remainingMs))) {
          await this.#deleteNode();
          return false;
        }
      }
    } catch (err) {
      // Do not leave a waiting node behind (if the session still exists to delete it).
      await this.#deleteNode().catch(() => undefined);
      throw err;
    }
  }

  /** Give the lock up (or stop waiting). Safe to call when not held. */
  async release(): Promise<void> {
    this.#held = false;
    await this.#deleteNode();
  }

  #createNode(): Promise<string> {
    const prefix = `${this.#guid}-lock-`;
    return createProtectedSequential(this.#client, this.#lockPath, prefix, this.#data);
  }

  /** The child just before ours, or undefined when ours is the lowest (we hold the lock). */
  async #predecessor(): Promise<string | undefined> {
    const sorted = sortBySequence(await this.#client.getChildren(this.#lockPath));
    const index = sorted.indexOf(this.#nodeName!);
    if (index < 0) {
      // Our ephemeral vanished: the session expired (or someone deleted it by hand).
      throw new KeeperError(ErrorCode.SESSIONEXPIRED, this.nodePath, 'lock node disappeared');
    }
    return index === 0 ? undefined : `${this.#lockPath}/${sorted[index - 1]}`;
  }

  /**
   * Watch `path` and resolve true when it changes (or is already gone), false on timeout.
   * A connection loss while waiting is fine: the watch is re-armed by the client's
   * setWatches on resume, and a deletion missed meanwhile is reported then.
   */
  async #waitForDeletion(path: string, timeoutMs: number): Promise<boolean> {
    let wake: (() => void) | undefined;
    const fired = new Promise<void>((resolve) => (wake = resolve));
    const stat = await retryOnConnectionLoss(this.#client, () =>
      this.#client.exists(path, () => wake!()),
    );
    if (stat === null) return true;
    let timer: Timer | undefined;
    const expired = new Promise<never>((_, reject) => {
      const onGone = (): void => reject(new KeeperError(ErrorCode.SESSIONEXPIRED, this.nodePath));
      this.#client.once('expired', onGone);
      void fired.finally(() => this.#client.off('expired', onGone));
    });
    const timedOut = new Promise<boolean>((resolve) => {
      if (timeoutMs !== Infinity)
        timer = this.#client.scheduler.schedule(timeoutMs, () => resolve(false));
    });
    try {
      return await Promise.race([fired.then(() => true), timedOut, expired]);
    } finally {
      timer?.cancel();
      // Stop listening for expiry when the race ended any other way.
      wake!();
    }
  }

  async #deleteNode(): Promise<void> {
    const path = this.nodePath;
    if (path === undefined) return;
    this.#nodeName = undefined;
    this.#guid = randomUUID();
    await retryOnConnectionLoss(this.#client, () =>
      this.#client.delete(path).catch((err: unknown) => {
        if (!hasCode(err, ErrorCode.NONODE)) throw err;
      }),
    );
  }
}
