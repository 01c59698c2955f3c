/**
 * Where a daemon's native memory sits (not a test; used by scripts/fuzz-memory.ts --arenas).
 * glibc's malloc gives the main thread its "main arena" (the [heap] mapping) and other threads
 * arenas of their own (64 MiB reservations, at most 8 per core). Freed memory in the middle of
 * an arena stays resident until malloc reuses it, so a burst of transient allocations leaves
 * RSS behind that no JavaScript figure shows. This module attaches gdb to the daemon for a
 * moment and reads, for every arena: the memory it holds from the system, the part still in
 * use, and which threads allocate from it (the main thread, libuv's threadpool, V8's platform
 * workers, LevelDB's compaction thread, node workers), so a measurement can say which thread's
 * allocations stay behind.
 *
 * It needs gdb, the permission to attach (ptrace) and glibc's debug symbols (`main_arena`,
 * `thread_arena`: Debian's libc6-dbg package); without them the report is null.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type ThreadRole = 'main' | 'libuv' | 'v8-platform' | 'leveldb' | 'node-worker' | 'other';

export interface Arena {
  /** 0 is the main arena. */
  index: number;
  systemBytes: number;
  inUseBytes: number;
  /**
   * Resident pages of the arena's mappings (smaps Rss): of the main arena's [heap], of
   * another arena's first 64 MiB heap. Free memory that was never touched, or was given back
   * with madvise, is held but not resident.
   */
  residentBytes: number;
  /** The roles of the threads whose current arena this is ("main", "libuv" x4, ...). */
  threads: ThreadRole[];
}

export interface ArenaReport {
  arenas: Arena[];
  /** Outside the arenas: chunks of at least the mmap threshold, mapped one by one. */
  mmappedBytes: number;
}

/** glibc's HEAP_MAX_SIZE on 64-bit: every arena but the main one lives in heaps this large. */
const HEAP_MAX_BYTES = 64n * 1024n * 1024n;

interface Mapping {
  start: bigint;
  name: string;
  rss: number;
}

function residentMappings(pid: number): Mapping[] {
  const maps: Mapping[] = [];
  let current: Mapping | undefined;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      current = { start: BigInt('0x' + head[1]!), name: head[2]!.trim(), rss: 0 };
      maps.push(current);
    } else if (current && line.startsWith('Rss:')) {
      current.rss = Number(/(\d+)/.exec(line)![1]) * 1024;
    }
  }
  return maps;
}

function roleOf(backtrace: string, lwp: number, pid: number): ThreadRole {
  if (lwp === pid) return 'main';
  if (/threadpool\.c/.test(backtrace)) return 'libuv';
  if (/PlatformWorkerThread|DelayedTaskScheduler/.test(backtrace)) return 'v8-platform';
  if (/leveldb/.test(backtrace)) return 'leveldb';
  if (/worker::Worker/.test(backtrace)) return 'node-worker';
  return 'other';
}

/** Reads the arenas of process `pid` with gdb; null when gdb cannot tell. */
export function arenaReport(pid: number): ArenaReport | null {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-arenas-'));
  const statsFile = join(dir, 'malloc-stats.txt');
  try {
    // malloc_stats() writes to the process's stderr: point fd 2 at a file for the call.
    const script = [
      'set pagination off',
      'set $a = &main_arena',
      'set $i = 0',
      'while 1',
      '  printf "ARENA %d %lu\\n", $i, (unsigned long)$a',
      '  set $a = $a->next',
      '  set $i = $i + 1',
      '  if $a == &main_arena',
      '    loop_break',
      '  end',
      'end',
      'thread apply all printf "THREAD_ARENA %lu\\n", (unsigned long)thread_arena',
      'thread apply all bt 16',
      `call (int)open("${statsFile}", 577, 420)`,
      'set $fd = $',
      'call (int)dup(2)',
      'set $saved = $',
      'call (int)dup2($fd, 2)',
      'call (void)malloc_stats()',
      'call (int)dup2($saved, 2)',
      'call (int)close($fd)',
      'call (int)close($saved)',
      'detach',
    ];
    const scriptFile = join(dir, 'arenas.gdb');
    writeFileSync(scriptFile, script.join('\n') + '\n');
    const out = execFileSync('gdb', ['-p', String(pid), '-batch', '-nx', '-x', scriptFile], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 1024 * 1024,
      timeout: 60_000,
    });
    const addresses = new Map<string, number>();
    for (const m of out.matchAll(/^ARENA (\d+) (\d+)$/gm)) addresses.set(m[2]!, Number(m[1]));
    if (addresses.size === 0) return null;
    const stats = readFileSync(statsFile, 'utf8');
    const arenas: Arena[] = [];
    for (const m of stats.matchAll(
      /Arena (\d+):\s+system bytes\s+=\s+(\d+)\s+in use bytes\s+=\s+(\d+)/g,
    )) {
      arenas.push({
        index: Number(m[1]),
        systemBytes: Number(m[2]),
        inUseBytes: Number(m[3]),
        residentBytes: 0,
        threads: [],
      });
    }
    const mmapped = /Total \(incl\. mmap\):\s+system bytes\s+=\s+(\d+)/.exec(stats);
    const arenaTotal = arenas.reduce((n, a) => n + a.systemBytes, 0);
    // Each "Thread N (Thread 0x... (LWP n) ...)" block: its arena line, later its backtrace.
    const arenaOfLwp = new Map<number, number>();
    const backtraceOfLwp = new Map<number, string>();
    for (const block of out.split(/^(?=Thread \d+ \(Thread )/m)) {
      const lwp = /\(LWP (\d+)\)/.exec(block);
      if (!lwp) continue;
      const id = Number(lwp[1]);
      const arena = /^THREAD_ARENA (\d+)$/m.exec(block);
      if (arena) {
        const index = addresses.get(arena[1]!);
        if (index !== undefined) arenaOfLwp.set(id, index);
      } else if (/^#\d/m.test(block)) {
        backtraceOfLwp.set(id, block);
      }
    }
    for (const [lwp, index] of arenaOfLwp) {
      arenas[index]?.threads.push(roleOf(backtraceOfLwp.get(lwp) ?? '', lwp, pid));
    }
    const maps = residentMappings(pid);
    for (const [address, index] of addresses) {
      const arena = arenas[index];
      if (arena === undefined) continue;
      if (index === 0) {
        arena.residentBytes = maps
          .filter((m) => m.name === '[heap]')
          .reduce((n, m) => n + m.rss, 0);
      } else {
        const base = BigInt(address) & ~(HEAP_MAX_BYTES - 1n);
        arena.residentBytes = maps
          .filter((m) => m.start >= base && m.start < base + HEAP_MAX_BYTES)
          .reduce((n, m) => n + m.rss, 0);
      }
    }
    return {
      arenas,
      mmappedBytes: mmapped ? Math.max(0, Number(mmapped[1]) - arenaTotal) : 0,
    };
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const MiB = 1024 * 1024;

/** Sums by thread role: an arena shared by threads of several roles is listed under all. */
export function summarizeArenas(report: ArenaReport): string {
  const byRole = new Map<
    string,
    { system: number; inUse: number; resident: number; arenas: number }
  >();
  for (const a of report.arenas) {
    const roles = [...new Set(a.threads)].sort().join('+') || 'no thread now';
    const entry = byRole.get(roles) ?? { system: 0, inUse: 0, resident: 0, arenas: 0 };
    entry.system += a.systemBytes;
    entry.inUse += a.inUseBytes;
    entry.resident += a.residentBytes;
    entry.arenas++;
    byRole.set(roles, entry);
  }
  const parts = [...byRole].map(
    ([roles, e]) =>
      `${roles} (${e.arenas}): ${(e.system / MiB).toFixed(1)} held, ` +
      `${(e.resident / MiB).toFixed(1)} resident, ${(e.inUse / MiB).toFixed(1)} in use`,
  );
  parts.push(`mmapped chunks: ${(report.mmappedBytes / MiB).toFixed(1)}`);
  return parts.join('; ');
}
