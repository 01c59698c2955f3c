/**
 * Reads, the other half of ZooKeeper's FinalRequestProcessor: a request that is not a txn is
 * answered from the local tree by the server the client is connected to, at once, when its
 * turn comes (reply.ts's RequestOrder holds it behind the same connection's earlier writes).
 * In an ensemble that is sequential consistency, not linearizability: a follower may lag the
 * leader by what it has not applied yet, which is what `sync` is for.
 *
 * `executeRead` is one `switch` over the read ops. It registers the watches a read asks for
 * (with `watcher`, the connection) and throws KeeperError for a failed read, like the tree.
 * It reads no clock and does no I/O. `sync` here is the answer of a server that has nothing
 * to wait for (standalone, or the leader); a follower's `sync` asks the leader first
 * (coordinator-server.ts). The session-local requests that change the connection (`auth`,
 * `setWatches`) stay in the core.
 */
import { ErrorCode, KeeperError } from '../../src/protocol/coordinator/errors.js';
import {
  Perms,
  type MultiReadResultEntry,
  type Request,
  type Result,
} from '../../src/protocol/coordinator/messages.js';
import { requirePermission } from '../acl.js';
import { statOf, type DataTree } from '../data-tree.js';
import { validatePath } from '../path.js';
import type { WatchManager } from '../watch-manager.js';
import { identitiesOf, type Requester } from './prepare.js';

/** Requests answered by `executeRead`. */
export type ReadRequest = Exclude<
  Request,
  { op: 'create' | 'delete' | 'setData' | 'setACL' | 'multi' | 'close' | 'auth' | 'setWatches' }
>;

export interface ReadContext<W> {
  tree: DataTree;
  watches: WatchManager<W>;
  /** The connection: it holds the watches the read sets. */
  watcher: W;
  requester: Requester;
  sessionId: bigint;
}

/** Answer one read from the tree. Throws KeeperError (NONODE, NOAUTH, NOWATCHER...). */
export function executeRead<W>(ctx: ReadContext<W>, request: ReadRequest): Result {
  const { tree, watches, watcher } = ctx;
  switch (request.op) {
    case 'ping':
      return {};
    case 'exists': {
      validatePath(request.path);
      const node = tree.get(request.path);
      // exists sets a watch even when the node is missing: it then fires on NodeCreated.
      if (request.watch) watches.addDataWatch(request.path, watcher);
      if (!node) throw new KeeperError(ErrorCode.NONODE, request.path);
      return { stat: statOf(node) };
    }
    case 'getData': {
      const node = readable(ctx, request.path, Perms.READ);
      if (request.watch) watches.addDataWatch(request.path, watcher);
      return { data: node.data, stat: statOf(node) };
    }
    case 'getChildren': {
      const node = readable(ctx, request.path, Perms.READ);
      if (request.watch) watches.addChildWatch(request.path, watcher);
      return { children: [...node.children].sort(), stat: statOf(node) };
    }
    case 'getAllChildrenNumber':
      readable(ctx, request.path, Perms.READ);
      return { count: tree.countDescendants(request.path) };
    case 'getEphemerals': {
      const prefix = request.prefix === '' ? '/' : request.prefix;
      const paths = [...tree.ephemeralsOf(ctx.sessionId)].filter(
        (p) => prefix === '/' || p.startsWith(prefix),
      );
      return { paths: paths.sort() };
    }
    case 'sync':
      // Every write this server has proposed is applied and ordered before this reply.
      return { path: request.path };
    case 'getACL': {
      const node = readable(ctx, request.path, Perms.READ | Perms.ADMIN);
      return { acl: node.acl, stat: statOf(node) };
    }
    case 'multiRead':
      return { readResults: request.ops.map((op) => multiReadOp(ctx, op)) };
    case 'addWatch':
      validatePath(request.path);
      watches.addPersistentWatch(request.path, watcher, request.mode === 'persistent_recursive');
      return {};
    case 'removeWatches':
    case 'checkWatches': {
      validatePath(request.path);
      const found = watches.remove(
        request.path,
        watcher,
        request.watcherType,
        request.op === 'checkWatches',
      );
      if (!found) throw new KeeperError(ErrorCode.NOWATCHER, request.path);
      return {};
    }
    case 'whoAmI':
      return {
        clientInfo: [
          { authScheme: 'ip', user: ctx.requester.remoteAddress.replace(/:\d+$/, '') },
          ...ctx.requester.authIds.map((a) => ({
            authScheme: a.scheme,
            user: a.id.split(':')[0]!,
          })),
        ],
      };
    case 'check':
      // Outside multi, ZooKeeper 3.8.5+ answers Unimplemented (older ones corrupted their log).
      throw new KeeperError(
        ErrorCode.UNIMPLEMENTED,
        request.path,
        'check is only valid inside multi',
      );
  }
}

/** The node at `path`, if it exists and the requester has `perms` on it. */
function readable<W>(ctx: ReadContext<W>, path: string, perms: number) {
  validatePath(path);
  const node = ctx.tree.get(path);
  if (!node) throw new KeeperError(ErrorCode.NONODE, path);
  requirePermission(node.acl, perms, identitiesOf(ctx.requester), path);
  return node;
}

/** One op of a multiRead: a failure is that op's result, not the whole request's. */
function multiReadOp<W>(
  ctx: ReadContext<W>,
  op: Extract<Request, { op: 'getData' | 'getChildren' }>,
): MultiReadResultEntry {
  try {
    const result = executeRead(ctx, op);
    return op.op === 'getData'
      ? { op: 'getData', err: ErrorCode.OK, data: result.data ?? null, stat: result.stat! }
      : { op: 'getChildren', err: ErrorCode.OK, children: result.children! };
  } catch (error) {
    if (error instanceof KeeperError) return { op: 'error', err: error.code };
    throw error;
  }
}
