/**
 * The apply stage, after ZooKeeper's FinalRequestProcessor (its `processTxn` half) and
 * DataTree.processTxn: a committed txn changes the tree and the sessions at its zxid. Txns
 * arrive here in zxid order, from the proposer (propose.ts): at once in standalone mode (a
 * quorum of one), through Zab's commit in an ensemble. Every server applies every txn.
 *
 * `applyTxn` is one `switch` over the txn types and returns what happened, for the core to
 * act on (bump lastZxid, queue the reply, fire the watches, log):
 *
 *   createSession  the session joins the tracker (it may already be there after a replay)
 *   closeSession   its ephemerals go in this one zxid; the session leaves the tracker
 *   write          the request's checks run against the tree now (prepare.ts says why);
 *                  a failed check is an outcome like any other (err, not an exception)
 *
 * The tree and the session tracker are the only state it touches, and it reads no clock:
 * the txn carries its time, and the session deadline of a created session is counted from
 * `nowMs`, which the caller passes. `watchDeliveries` turns the tree's triggers into the
 * watch events to send, firing each one-shot watch once.
 */
import { InvariantError, unreachable } from '../../src/assert.js';
import { ErrorCode, KeeperError } from '../../src/protocol/coordinator/errors.js';
import type { Request, Result, WatchEvent } from '../../src/protocol/coordinator/messages.js';
import { statOf, type DataTree, type Trigger } from '../data-tree.js';
import type { CoordinatorTxn, WriteRequest } from '../ensemble/txn.js';
import type { Summary } from '../server-metrics.js';
import type { Session, SessionTracker } from '../session-tracker.js';
import type { WatchManager } from '../watch-manager.js';

/** What a txn is applied to. */
export interface ApplyTarget {
  tree: DataTree;
  sessions: SessionTracker;
  /** ZooKeeper's `extendedTypesEnabled`: allows TTL nodes. */
  extendedTypesEnabled: boolean;
}

export type Applied =
  | { type: 'createSession'; session: Session }
  | {
      type: 'closeSession';
      /** Undefined when the session was already gone (closed twice, or never here). */
      session: Session | undefined;
      ephemeralsDeleted: number;
      triggers: Trigger[];
    }
  | {
      type: 'write';
      /** ErrorCode.OK, or why the write failed its checks. */
      err: number;
      result: Result;
      /** False for a failed write and an empty multi: the tree did not change. */
      changed: boolean;
      triggers: Trigger[];
      /** A failure that was not a KeeperError (err is SYSTEMERROR), for the caller's log. */
      unexpected?: unknown;
    };

/** Apply one committed txn at `zxid`. Throws only for broken invariants. */
export function applyTxn(
  target: ApplyTarget,
  zxid: number,
  txn: CoordinatorTxn,
  nowMs: number,
): Applied {
  switch (txn.type) {
    case 'createSession': {
      const session =
        target.sessions.get(txn.sessionId) ??
        target.sessions.add(
          { id: txn.sessionId, timeoutMs: txn.timeoutMs, password: txn.password },
          nowMs,
        );
      return { type: 'createSession', session };
    }
    case 'closeSession': {
      const session = target.sessions.get(txn.sessionId);
      if (!session) return { type: 'closeSession', session, ephemeralsDeleted: 0, triggers: [] };
      session.closing = true;
      const ephemeralsDeleted = target.tree.ephemeralsOf(session.id).size;
      const triggers = target.tree.closeSession(session.id, zxid);
      target.sessions.remove(session.id);
      return { type: 'closeSession', session, ephemeralsDeleted, triggers };
    }
    case 'write':
      try {
        const { result, triggers } = applyWrite(target, zxid, txn);
        return {
          type: 'write',
          err: ErrorCode.OK,
          result,
          changed: triggers !== undefined,
          triggers: triggers ?? [],
        };
      } catch (error) {
        if (error instanceof InvariantError) throw error;
        if (error instanceof KeeperError) {
          const result: Result = error.results ? { results: error.results } : {};
          return { type: 'write', err: error.code, result, changed: false, triggers: [] };
        }
        return {
          type: 'write',
          err: ErrorCode.SYSTEMERROR,
          result: {},
          changed: false,
          triggers: [],
          unexpected: error,
        };
      }
    default:
      return unreachable(txn);
  }
}

/**
 * One write request against the tree. Throws KeeperError untouched. `triggers` is undefined
 * when nothing changed (an empty multi).
 */
function applyWrite(
  target: ApplyTarget,
  zxid: number,
  txn: Extract<CoordinatorTxn, { type: 'write' }>,
): { result: Result; triggers: Trigger[] | undefined } {
  const { tree, extendedTypesEnabled } = target;
  const request: WriteRequest = txn.request;
  const { sessionId, timeMs } = txn;
  const ids = txn.ids ?? [];
  switch (request.op) {
    case 'create': {
      const created = tree.create({
        path: request.path,
        data: request.data,
        mode: request.mode,
        ttlMs: request.ttlMs,
        acl: request.acl,
        sessionId,
        zxid,
        timeMs,
        extendedTypesEnabled,
        ids,
      });
      return {
        result: { path: created.path, stat: statOf(created.node) },
        triggers: created.triggers,
      };
    }
    case 'delete':
      // The server's own deletes (containers, TTL nodes) carry no identities: no ACL check.
      return { result: {}, triggers: tree.delete(request.path, request.version, zxid, txn.ids) };
    case 'setData': {
      const set = tree.setData(request.path, request.data, request.version, zxid, timeMs, ids);
      return { result: { stat: statOf(set.node) }, triggers: set.triggers };
    }
    case 'setACL': {
      const node = tree.setAcl(request.path, request.acl, request.version, ids);
      return { result: { stat: statOf(node) }, triggers: [] };
    }
    case 'multi': {
      const outcome = tree.multi(request.ops, {
        sessionId,
        zxid,
        timeMs,
        extendedTypesEnabled,
        ids,
      });
      if (!outcome.ok) {
        const failed = outcome.results[outcome.failedAt]!;
        throw new KeeperError(failed.err, undefined, undefined, outcome.results);
      }
      if (request.ops.length === 0) return { result: { results: [] }, triggers: undefined };
      return { result: { results: outcome.results }, triggers: outcome.triggers };
    }
    default:
      throw new InvariantError(`not a write: ${(request as Request).op}`);
  }
}

/** The mntr summaries of how many watchers each kind of change notified. */
export interface WatchCountSummaries {
  nodeCreatedWatchCount: Summary;
  nodeDeletedWatchCount: Summary;
  nodeChangedWatchCount: Summary;
  nodeChildrenWatchCount: Summary;
}

/**
 * The watch events `triggers` cause at `zxid`, one per watcher and trigger, in trigger order.
 * One-shot watches are removed from `watches` as they fire.
 */
export function watchDeliveries<W>(
  watches: WatchManager<W>,
  triggers: readonly Trigger[],
  zxid: number,
  counts: WatchCountSummaries,
): { watcher: W; event: WatchEvent }[] {
  const out: { watcher: W; event: WatchEvent }[] = [];
  for (const trigger of triggers) {
    const watchers = watches.trigger(trigger);
    // Like ZooKeeper, count only changes that notified someone.
    if (watchers.size > 0) watchCountSummary(counts, trigger.type).add(watchers.size);
    for (const watcher of watchers) out.push({ watcher, event: { ...trigger, zxid } });
  }
  return out;
}

function watchCountSummary(counts: WatchCountSummaries, type: Trigger['type']): Summary {
  switch (type) {
    case 'NodeCreated':
      return counts.nodeCreatedWatchCount;
    case 'NodeDeleted':
      return counts.nodeDeletedWatchCount;
    case 'NodeDataChanged':
      return counts.nodeChangedWatchCount;
    case 'NodeChildrenChanged':
      return counts.nodeChildrenWatchCount;
    default:
      return unreachable(type);
  }
}
