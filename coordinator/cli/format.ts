/**
 * Output formats of the znode commands, following zkCli.sh (ZooKeeper 3.8) so that people
 * who know ZooKeeper read them at a glance, and a JSON form for scripts.
 *
 * `stat` text layout (zkCli's `stat`):
 *   cZxid = 0x5
 *   ctime = Thu Nov 26 01:22:13 UTC 2026
 *   mZxid = 0x5
 *   mtime = Thu Nov 26 01:22:13 UTC 2026
 *   pZxid = 0x5
 *   cversion = 0
 *   dataVersion = 0
 *   aclVersion = 0
 *   ephemeralOwner = 0x0
 *   dataLength = 2
 *   numChildren = 0
 * zxids and the owner are hex as zkCli prints them; dates use Java's `Date.toString()` form.
 * JSON uses the Stat record's own field names (czxid, mzxid, ctime, mtime, version, cversion,
 * aversion, ephemeralOwner, dataLength, numChildren, pzxid); ephemeralOwner is a hex string
 * because a 64-bit session id does not fit a JSON number.
 */
import { formatSessionId, type Stat } from '../../src/protocol/coordinator/messages.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Java's Date.toString(): `EEE MMM dd HH:mm:ss zzz yyyy`, in the local time zone. */
export function formatJavaDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const zone =
    new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' })
      .formatToParts(d)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'UTC';
  return (
    `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${zone} ${d.getFullYear()}`
  );
}

function hex(n: number): string {
  return '0x' + n.toString(16);
}

export function formatStatText(stat: Stat): string {
  return [
    `cZxid = ${hex(stat.czxid)}`,
    `ctime = ${formatJavaDate(stat.ctime)}`,
    `mZxid = ${hex(stat.mzxid)}`,
    `mtime = ${formatJavaDate(stat.mtime)}`,
    `pZxid = ${hex(stat.pzxid)}`,
    `cversion = ${stat.cversion}`,
    `dataVersion = ${stat.version}`,
    `aclVersion = ${stat.aversion}`,
    `ephemeralOwner = ${formatSessionId(BigInt.asUintN(64, stat.ephemeralOwner))}`,
    `dataLength = ${stat.dataLength}`,
    `numChildren = ${stat.numChildren}`,
  ].join('\n');
}

/** The Stat as a JSON-ready object with ZooKeeper's field names. */
export function statJson(stat: Stat): Record<string, number | string> {
  return {
    czxid: stat.czxid,
    mzxid: stat.mzxid,
    ctime: stat.ctime,
    mtime: stat.mtime,
    version: stat.version,
    cversion: stat.cversion,
    aversion: stat.aversion,
    ephemeralOwner: formatSessionId(BigInt.asUintN(64, stat.ephemeralOwner)),
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
    pzxid: stat.pzxid,
  };
}

/** zkCli's `ls`: `[a, b, c]`, sorted (ZooKeeper itself promises no order). */
export function formatChildren(children: readonly string[]): string {
  return `[${[...children].sort().join(', ')}]`;
}

/** zkCli prints node data as UTF-8 text, and `null` for null data. */
export function formatData(data: Buffer | null): string {
  return data === null ? 'null' : data.toString('utf8');
}

/**
 * A tree as `tree` prints it:
 *   /app
 *   ├── config
 *   └── workers
 *       └── w1
 */
export function formatTree(
  root: string,
  childrenOf: ReadonlyMap<string, readonly string[]>,
): string {
  const lines = [root];
  const walk = (path: string, indent: string): void => {
    const children = [...(childrenOf.get(path) ?? [])].sort();
    children.forEach((name, i) => {
      const last = i === children.length - 1;
      lines.push(`${indent}${last ? '└── ' : '├── '}${name}`);
      walk(joinPath(path, name), indent + (last ? '    ' : '│   '));
    });
  };
  walk(root, '');
  return lines.join('\n');
}

export function joinPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}
