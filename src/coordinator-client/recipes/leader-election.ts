/**
 * Leader election: ZooKeeper's classic recipe, shaped after ZooKeeper's `LeaderElectionSupport`
 * (zookeeper-recipes-election; https://zookeeper.apache.org/doc/r3.8.0/recipes.html).
 *
 * Algorithm. Every contender:
 *   1. OFFER: creates an EPHEMERAL_SEQUENTIAL node `<electionPath>/n_<guid>_<seq>` holding its
 *      `data` (a host name, a broker id, ...). The server appends a sequence number that grows
 *      with every child created under the election node, so the offers are totally ordered.
 *   2. DETERMINE: lists the children and sorts them by sequence number.
 *      - Its own node is the lowest: it is the LEADER.
 *      - Otherwise it calls `exists` with a watch on the node just before its own (its
 *        predecessor) and is a FOLLOWER. If the predecessor is already gone, it determines
 *        again at once.
 *   3. When the watch fires (the predecessor was deleted: that contender stopped, crashed or
 *      lost its session), it goes back to DETERMINE. It does not assume it is now the leader:
 *      the predecessor may have been a follower that died, in which case there is still
 *      someone ahead.
 * Watching only the predecessor avoids the herd effect: when a node goes away exactly one
 * contender wakes up, instead of all of them re-listing the children at once.
 *
 * States (the 'state' event reports each transition once):
 *   idle -> offering -> determining -> leader | follower
 *   follower -> determining (predecessor gone)          any -> stopped (stop())
 *   any -> failed (the session expired, or our offer node vanished: we are no longer in the
 *                  race; create a new client and a new LeaderElection to rejoin)
 *
 * Guarantees this recipe does NOT make (read these before relying on it):
 * - It does not guarantee that at most one process *acts* as leader at any instant. A leader
 *   learns that it lost its session only when it reconnects (or its read timeout fires),
 *   while the server may already have expired the session, deleted the offer and let the next
 *   contender take over. For a while two processes can both believe they lead. Work that must
 *   never overlap needs fencing: make the leader's writes conditional on something the new
 *   leader changes (Kafka writes every controller change in a multi with a `check` on
 *   /controller_epoch), or use the offer node's czxid as an epoch.
 * - It does not keep leadership across a session expiry, and it does not rejoin by itself.
 * - It is not fair in any sense beyond "lowest sequence number first"; a contender that
 *   reconnects does not keep its place unless its session (and so its node) survived.
 *
 * Caveats:
 * - While the client is disconnected (the 'disconnected' event of CoordinatorClient) the
 *   leader cannot know whether it still leads. Curator's advice, followed by Kafka: suspend
 *   leader-only work on disconnect, resume on 'connected', give up on 'expired'.
 * - Creating the offer can fail with CONNECTIONLOSS after the server applied it. The guid in
 *   the node name lets the retry find the node it already made instead of leaving a second,
 *   orphaned offer that would later be elected with nobody behind it.
 * - Events are handled one at a time (a promise chain), so a watch firing while the
 *   previous determination is still running never interleaves with it.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ErrorCode, hasCode } from '../../protocol/coordinator/errors.js';
import type { CoordinatorClient, NodeData } from '../client.js';
import { ensurePath } from './ensure-path.js';
import {
  createProtectedSequential,
  isConnectionLoss,
  retryOnConnectionLoss,
  sortBySequence,
  waitForConnected,
} from './retry.js';

export type ElectionState =
  | 'idle'
  | 'offering'
  | 'determining'
  | 'leader'
  | 'follower'
  | 'failed'
  | 'stopped';

export interface LeaderElectionOptions {
  /** Stored in the offer node, so others can see who leads (see `leaderData`). */
  data?: NodeData;
}

export interface LeaderElectionEvents {
  /** Every transition, with the previous state. */
  state: [state: ElectionState, previous: ElectionState];
  /** This contender became the leader. */
  elected: [];
  /** Why the election failed (the error that ended it). */
  failed: [Error];
}

export class LeaderElection extends EventEmitter<LeaderElectionEvents> {
  readonly #client: CoordinatorClient;
  readonly #electionPath: string;
  readonly #data: NodeData;
  /** Identifies our offer among the children, even if we never saw the create's reply. */
  readonly #guid = randomUUID();
  #state: ElectionState = 'idle';
  #offerName: string | undefined;
  /** Serialises determinations: one event at a time. */
  #queue: Promise<void> = Promise.resolve();
  readonly #onExpired = (): void => this.#fail(new Error('session expired'));

  constructor(
    client: CoordinatorClient,
    electionPath: string,
    options: LeaderElectionOptions = {},
  ) {
    super();
    this.#client = client;
    this.#electionPath = electionPath;
    this.#data = options.data ?? null;
  }

  get state(): ElectionState {
    return this.#state;
  }
  get isLeader(): boolean {
    return this.#state === 'leader';
  }
  /** The full path of our offer node, once made. */
  get offerPath(): string | undefined {
    return this.#offerName === undefined ? undefined : `${this.#electionPath}/${this.#offerName}`;
  }

  /**
   * Make an offer and run the first determination. Resolves once this contender is either
   * leader or follower; follow later changes with the 'state' / 'elected' events.
   */
  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new Error(`start() in state ${this.#state}`);
    this.#client.on('expired', this.#onExpired);
    this.#transition('offering');
    try {
      await ensurePath(this.#client, this.#electionPath);
      this.#offerName = await this.#makeOffer();
    } catch (err) {
      this.#fail(err as Error);
      throw err;
    }
    await this.#enqueueDetermine();
    // Read through the getter: the awaits above may have changed the state.
    if (this.state === 'failed') throw new Error('leader election failed while determining');
  }

  /** Withdraw: delete our offer (which wakes our successor) and stop reacting to events. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'failed') return;
    const offer = this.offerPath;
    this.#transition('stopped');
    this.#client.off('expired', this.#onExpired);
    if (offer === undefined) return;
    await retryOnConnectionLoss(this.#client, () =>
      this.#client.delete(offer).catch((err: unknown) => {
        if (!hasCode(err, ErrorCode.NONODE)) throw err;
      }),
    );
  }

  /** The data of the current leader's offer, or null if there is no contender. */
  async leaderData(): Promise<Buffer | null> {
    const sorted = sortBySequence(await this.#client.getChildren(this.#electionPath));
    if (sorted.length === 0) return null;
    try {
      return (await this.#client.getData(`${this.#electionPath}/${sorted[0]}`)).data;
    } catch (err) {
      // The leader left between the two reads; the caller may ask again.
      if (hasCode(err, ErrorCode.NONODE)) return null;
      throw err;
    }
  }

  /** Create our ephemeral-sequential offer, finding it again if a retry follows a lost reply. */
  #makeOffer(): Promise<string> {
    const prefix = `n_${this.#guid}_`;
    return createProtectedSequential(this.#client, this.#electionPath, prefix, this.#data);
  }

  #enqueueDetermine(): Promise<void> {
    this.#queue = this.#queue
      .then(() => this.#determine())
      .catch((err: unknown) => this.#fail(err as Error));
    return this.#queue;
  }

  /** One DETERMINE step: leader, follower watching the predecessor, or try again. */
  async #determine(): Promise<void> {
    for (;;) {
      if (this.#state === 'stopped' || this.#state === 'failed') return;
      this.#transition('determining');
      let sorted: string[];
      try {
        sorted = sortBySequence(await this.#client.getChildren(this.#electionPath));
      } catch (err) {
        if (!isConnectionLoss(err)) throw err;
        await waitForConnected(this.#client);
        continue;
      }
      const index = sorted.indexOf(this.#offerName!);
      if (index < 0) {
        // Our ephemeral is gone while we still hold the client: the session ended, or someone
        // deleted the node. Either way we are out of the race.
        throw new Error(`offer ${this.offerPath} no longer exists`);
      }
      if (index === 0) {
        this.#transition('leader');
        this.emit('elected');
        return;
      }
      const predecessor = `${this.#electionPath}/${sorted[index - 1]}`;
      try {
        const stat = await this.#client.exists(predecessor, () => void this.#enqueueDetermine());
        // The predecessor went away between the listing and the exists: look again now.
        // (The watch stays armed on the missing path; if it fires later the extra
        // determination is harmless.)
        if (stat === null) continue;
      } catch (err) {
        if (!isConnectionLoss(err)) throw err;
        await waitForConnected(this.#client);
        continue;
      }
      this.#transition('follower');
      return;
    }
  }

  #transition(next: ElectionState): void {
    const previous = this.#state;
    if (previous === next) return;
    this.#state = next;
    this.emit('state', next, previous);
  }

  #fail(err: Error): void {
    if (this.#state === 'stopped' || this.#state === 'failed') return;
    this.#client.off('expired', this.#onExpired);
    this.#transition('failed');
    this.emit('failed', err);
  }
}
