/**
 * Chroot: a connect string ending in a path (`127.0.0.1:2181/kafka`) makes every path the
 * client uses relative to that znode, as ZooKeeper's Java client does it — entirely on the
 * client side, so it works the same against any server. Kafka users give brokers a chroot to
 * share one ZooKeeper ensemble between clusters (`zookeeper.connect=zk:2181/cluster-a`).
 *
 * The wrapper sits between the client and its connection: requests leave with the chroot put
 * in front of every path (`/brokers/ids` → `/kafka/brokers/ids`, `/` → `/kafka`), and paths
 * that come back (a created node's name, getEphemerals' list, watch events) lose it again. The
 * client's watch tables therefore hold the paths the application used, and the setWatches it
 * sends after a reconnect is translated like any request. As in ZooKeeper, the chroot node must
 * exist (create it without the chroot first); nothing here creates it.
 */
import type { MultiOp, Request, Result, WatchEvent } from '../protocol/coordinator/messages.js';
import type { ClientFrame, ServerFrame } from '../protocol/coordinator/ws-codec.js';
import type { ConnectionFactory } from './connection.js';

/** `/a` under chroot `/kafka` is `/kafka/a`; `/` is `/kafka` itself. */
export function toServerPath(chroot: string, path: string): string {
  return path === '/' ? chroot : chroot + path;
}

/** The inverse; a path outside the chroot (which a server never sends) is left alone. */
export function toClientPath(chroot: string, path: string): string {
  if (path === chroot) return '/';
  return path.startsWith(chroot + '/') ? path.slice(chroot.length) : path;
}

function prefixOp<T extends MultiOp | Request>(chroot: string, op: T): T {
  return 'path' in op ? { ...op, path: toServerPath(chroot, op.path) } : op;
}

/** The request with the chroot in front of each path it names. */
export function chrootRequest(chroot: string, request: Request): Request {
  const paths = (list: readonly string[]): string[] => list.map((p) => toServerPath(chroot, p));
  switch (request.op) {
    case 'multi':
      return { ...request, ops: request.ops.map((op) => prefixOp(chroot, op)) };
    case 'multiRead':
      return { ...request, ops: request.ops.map((op) => prefixOp(chroot, op)) };
    case 'getEphemerals':
      // A prefix, not a path: `/` under the chroot means everything below it.
      return {
        ...request,
        prefix: request.prefix === '/' ? chroot + '/' : chroot + request.prefix,
      };
    case 'setWatches':
      return {
        ...request,
        dataWatches: paths(request.dataWatches),
        existWatches: paths(request.existWatches),
        childWatches: paths(request.childWatches),
        persistentWatches: paths(request.persistentWatches),
        persistentRecursiveWatches: paths(request.persistentRecursiveWatches),
      };
    default:
      return prefixOp(chroot, request);
  }
}

/** The result with the chroot taken off each path it carries. */
export function unchrootResult(chroot: string, result: Result): Result {
  let out = result;
  if (result.path !== undefined) out = { ...out, path: toClientPath(chroot, result.path) };
  if (result.paths !== undefined) {
    out = { ...out, paths: result.paths.map((p) => toClientPath(chroot, p)) };
  }
  if (result.results !== undefined) {
    out = {
      ...out,
      results: result.results.map((entry) =>
        entry.path === undefined ? entry : { ...entry, path: toClientPath(chroot, entry.path) },
      ),
    };
  }
  return out;
}

function unchrootEvent(chroot: string, event: WatchEvent): WatchEvent {
  return { ...event, path: toClientPath(chroot, event.path) };
}

/** A connection factory whose connections translate paths under `chroot`. */
export function withChroot(open: ConnectionFactory, chroot: string): ConnectionFactory {
  return (server, options, handlers) => {
    const conn = open(server, options, {
      onOpen: () => handlers.onOpen(),
      onClose: (reason) => handlers.onClose(reason),
      onFrame(frame: ServerFrame): void {
        if (frame.type === 'reply') {
          handlers.onFrame({ ...frame, result: unchrootResult(chroot, frame.result) });
        } else if (frame.type === 'event') {
          handlers.onFrame({ ...frame, event: unchrootEvent(chroot, frame.event) });
        } else {
          handlers.onFrame(frame);
        }
      },
    });
    return {
      send(frame: ClientFrame): void {
        conn.send(
          frame.type === 'request'
            ? { ...frame, request: chrootRequest(chroot, frame.request) }
            : frame,
        );
      },
      close: () => conn.close(),
    };
  };
}
