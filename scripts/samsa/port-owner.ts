/**
 * Who holds a TCP port: for `samsa start`'s "port 9092 is in use by pid 1234 (node
 * dist/broker/cli.js start ...)". Linux only, from /proc, without lsof or ss:
 *
 *   1. /proc/net/tcp and /proc/net/tcp6 list sockets, one per line: the local address as
 *      hex `ADDR:PORT`, the state (0A = LISTEN) and the socket's inode;
 *   2. every /proc/<pid>/fd/* that is a link to `socket:[<inode>]` belongs to that process;
 *   3. /proc/<pid>/cmdline has its command line, NUL-separated.
 *
 * Processes of other users cannot be read without privileges: then only "in use" is known,
 * and `portOwner` returns undefined, as it does on systems without /proc.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const LISTEN = '0A';

/** Inodes of the sockets listening on `port` (IPv4 and IPv6). */
export function listeningInodes(port: number, procNet = ['/proc/net/tcp', '/proc/net/tcp6']) {
  const inodes = new Set<string>();
  for (const file of procNet) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const local = fields[1];
      if (local === undefined || fields[3] !== LISTEN) continue;
      const hexPort = local.slice(local.lastIndexOf(':') + 1);
      if (parseInt(hexPort, 16) === port && fields[9] !== undefined && fields[9] !== '0') {
        inodes.add(fields[9]);
      }
    }
  }
  return inodes;
}

export interface PortOwner {
  pid: number;
  command: string;
}

/** The process listening on `port`, if /proc lets us see it. */
export function portOwner(port: number): PortOwner | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1]!)) {
        let command = '?';
        try {
          command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
        } catch {
          // keep '?'
        }
        return { pid: Number(pid), command };
      }
    }
  }
  return undefined;
}

/** "by pid 1234 (node broker/cli.ts start ...)" or "" when unknown. */
export function describePortOwner(port: number): string {
  const owner = portOwner(port);
  if (owner === undefined) return '';
  const command = owner.command.length > 120 ? owner.command.slice(0, 117) + '...' : owner.command;
  return ` by pid ${owner.pid} (${command})`;
}
