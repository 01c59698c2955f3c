/**
 * Facts about the coordinator process and its data directory that the four-letter words
 * report: open and maximum file descriptors (mntr's zk_open_file_descriptor_count and
 * zk_max_file_descriptor_count) and the bytes in the data directory (`dirs` and `conf`).
 *
 * File descriptors come from Linux's /proc/self (the entries of /proc/self/fd, and the soft
 * "Max open files" limit in /proc/self/limits). Where /proc is missing the counts are
 * undefined and mntr leaves the two keys out, as ZooKeeper does on systems where the JVM
 * cannot tell (Windows).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface FileDescriptorCounts {
  open: number;
  max: number;
}

export function fileDescriptorCounts(): FileDescriptorCounts | undefined {
  try {
    // Reading the directory opens one descriptor of its own, which is listed too.
    const open = readdirSync('/proc/self/fd').length - 1;
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const line = limits.split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    if (soft === undefined) return undefined;
    // "unlimited" has no number; report it as the largest one a descriptor can have.
    const max = soft === 'unlimited' ? 2 ** 31 - 1 : Number(soft);
    return Number.isInteger(max) ? { open, max } : undefined;
  } catch {
    return undefined;
  }
}

/** How deep below the data directory `directoryBytes` looks (LevelDB needs one level). */
const DIRECTORY_DEPTH_MAX = 4;

/**
 * The total size of the regular files under `dir`, as ZooKeeper's `dirs` reports the size of
 * its snapshots and transaction logs. Files that vanish while we look (LevelDB compacts
 * concurrently) are skipped; a missing directory is 0 bytes.
 */
export function directoryBytes(dir: string, depth = 0): number {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (depth < DIRECTORY_DEPTH_MAX) total += directoryBytes(path, depth + 1);
    } else if (entry.isFile()) {
      try {
        total += statSync(path).size;
      } catch {
        // Deleted since the listing.
      }
    }
  }
  return total;
}
