/**
 * The propose stage: where a prepared txn (prepare.ts) gets its zxid and is committed. The
 * core hands every txn to a `Replication` and applies what comes back through its
 * `applyCommitted(zxid, txn)`, in zxid order, whichever of the two kinds it runs on:
 *
 * - In an ensemble, coordinator/ensemble/ensemble-node.ts: ZooKeeper's
 *   ProposalRequestProcessor on the leader (propose to the followers, commit on a quorum of
 *   ACKs) and FollowerRequestProcessor on a follower (forward the request to the leader).
 *   `applyCommitted` runs when Zab commits, on a later turn of the event loop.
 * - Standalone, `LocalQuorum` below: a quorum of one that is always leading. `submit` gives
 *   the txn the next zxid and commits it at once, synchronously. Its durability comes after
 *   the apply, in the group commit (group-commit.ts), and before any reply (reply.ts).
 *
 * Standalone                             Ensemble
 *   submit(txn)                            submit(txn)
 *     zxid = lastZxid + 1                    leader: PROPOSAL, quorum of ACKs, COMMIT
 *     applyCommitted(zxid, txn)              follower: request to the leader, ... COMMIT
 *                                            later: applyCommitted(zxid, txn) everywhere
 *
 * A zxid in an ensemble belongs to its log entry whatever the outcome, so a write that fails
 * its checks at apply time still takes it. Standalone, a failed write does not consume a zxid
 * (the core leaves lastZxid where it was): the next txn is offered the same zxid. ZooKeeper
 * burns one per failed write; clients cannot tell the difference, since all they rely on is
 * that zxids never go backwards.
 */
import type { CoordinatorTxn } from '../ensemble/txn.js';

/** What the core needs of the quorum it runs in: Zab's (ensemble-node.ts) or its own. */
export interface Replication {
  /** In broadcast: clients may connect and write. */
  readonly serving: boolean;
  readonly leading: boolean;
  /** srvr's Mode and mntr's server_state: leader, follower, read-only or looking. */
  readonly mode: string;
  /**
   * Not serving, but in read-only mode (coordinator/read-only.ts): read-only clients get
   * local sessions and reads; writes get NOTREADONLY.
   */
  readonly readOnly: boolean;
  readonly syncedFollowers: number;
  /** Propose (leader) or forward (follower) a txn; false when not serving. */
  submit(txn: CoordinatorTxn): boolean;
  /**
   * A follower's `sync`: ask the leader how far it has proposed; `done` gets that zxid, or
   * undefined if this server is not following a leader (or stops before the answer).
   */
  syncWithLeader(done: (zxid: number | undefined) => void): void;
}

/** The side of the core a quorum commits into. */
export interface CommitTarget {
  readonly lastZxid: number;
  applyCommitted(zxid: number, txn: CoordinatorTxn): void;
}

/** Standalone mode: a quorum of one (see the module comment). */
export class LocalQuorum implements Replication {
  readonly serving = true;
  readonly leading = true;
  readonly mode = 'standalone';
  readonly readOnly = false;
  readonly syncedFollowers = 0;
  #target: CommitTarget | undefined;

  /** The core this quorum commits into (set once, when the core is made). */
  bind(target: CommitTarget): void {
    this.#target = target;
  }

  submit(txn: CoordinatorTxn): boolean {
    const target = this.#target;
    if (!target) return false;
    target.applyCommitted(target.lastZxid + 1, txn);
    return true;
  }

  /** A leader has nothing to catch up with: everything it proposed is applied. */
  syncWithLeader(done: (zxid: number | undefined) => void): void {
    done(this.#target?.lastZxid);
  }
}
