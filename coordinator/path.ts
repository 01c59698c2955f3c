/**
 * ZooKeeper's path rules (`PathUtils.validatePath`): absolute, `/`-separated, no empty
 * segments, no trailing slash (except the root), no `.` or `..` segments, and no control
 * characters, surrogates or private-use code units. See "ZooKeeper's data model" in
 * https://zookeeper.apache.org/doc/r3.8.0/zookeeperProgrammers.html#ch_zkDataModel.
 */
import { ErrorCode, KeeperError } from '../src/protocol/coordinator/errors.js';
import { JUTE_MAX_BUFFER_BYTES } from '../src/protocol/zookeeper/jute.js';

/**
 * Longest path we accept, in UTF-16 code units. ZooKeeper has no path limit of its own: a path
 * is bounded only by the packet that carries it (jute.maxbuffer, 0xFFFFF bytes). A string has
 * at most as many UTF-16 code units as UTF-8 bytes, so this bound refuses no path a ZooKeeper
 * client could send, and it holds the WebSocket protocol (whose frames may be larger) to the
 * same size, so that one path never costs the tree and the store more than a packet.
 */
export const PATH_LENGTH_MAX = JUTE_MAX_BUFFER_BYTES;

function badCodeUnit(c: number): boolean {
  return (
    c === 0 ||
    (c > 0x0000 && c <= 0x001f) ||
    (c >= 0x007f && c <= 0x009f) ||
    (c >= 0xd800 && c <= 0xf8ff) ||
    (c >= 0xfff0 && c <= 0xffff)
  );
}

/** The reason a path is invalid, or undefined when it is valid. */
export function pathProblem(path: string): string | undefined {
  if (path.length === 0) return 'path must not be empty';
  if (path.length > PATH_LENGTH_MAX) return `path longer than ${PATH_LENGTH_MAX}`;
  if (path[0] !== '/') return 'path must start with /';
  if (path.length === 1) return undefined;
  if (path.endsWith('/')) return 'path must not end with /';
  for (let i = 0; i < path.length; i++) {
    if (badCodeUnit(path.charCodeAt(i))) return `invalid character at index ${i}`;
  }
  for (const segment of path.slice(1).split('/')) {
    if (segment === '') return 'empty node name';
    if (segment === '.' || segment === '..') return `relative segment "${segment}"`;
  }
  return undefined;
}

export function validatePath(path: string): void {
  const problem = pathProblem(path);
  if (problem) throw new KeeperError(ErrorCode.BADARGUMENTS, path, problem);
}

/** `/a/b` -> `/a`; `/a` -> `/`. The root has no parent. */
export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** `/a/b` -> `b` */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(parent: string, child: string): string {
  return parent === '/' ? '/' + child : parent + '/' + child;
}

/** Is `path` equal to `ancestor` or below it? */
export function isAtOrBelow(path: string, ancestor: string): boolean {
  if (ancestor === '/') return true;
  return (
    path === ancestor || (path.startsWith(ancestor) && path.charCodeAt(ancestor.length) === 47)
  );
}
