/**
 * Watches: which connections want to hear about which paths, and who hears about a change.
 *
 * Pure and generic over the watcher type `W` (the server uses its connection objects, as
 * ZooKeeper's `WatchManager` treats a connection as a `Watcher`). Two indexes are kept, path
 * -> watchers and watcher -> paths, so a vanished connection's watches go in one step.
 *
 * Kinds of watch, as in ZooKeeper 3.8
 * (https://zookeeper.apache.org/doc/r3.8.0/zookeeperProgrammers.html#ch_zkWatches):
 * - data watches: set by exists (even on a missing node) and getData. One-shot.
 * - child watches: set by getChildren. One-shot.
 * - persistent (addWatch mode 0): like data + child watches on the exact path, never consumed.
 * - persistent-recursive (addWatch mode 1): NodeCreated, NodeDeleted and NodeDataChanged for
 *   the path and every descendant; never NodeChildrenChanged. Never consumed.
 *
 * Which watch tables a trigger reaches:
 *   NodeCreated          data (exists) watches on the path
 *   NodeDeleted          data and child watches on the path
 *   NodeDataChanged      data watches on the path
 *   NodeChildrenChanged  child watches on the (parent) path
 * plus persistent watches on the path for all four, and recursive watches on the path or an
 * ancestor for all but NodeChildrenChanged. A watcher hears about one change once, however
 * many of its watches match. We keep persistent and recursive modes on the same path side by
 * side, as ZooKeeper 3.9 does (3.8 let the last addWatch replace the earlier mode).
 */
import { parentPath } from './path.js';
import type { Trigger } from './data-tree.js';
import type { WatcherType } from '../src/protocol/coordinator/messages.js';

type Table = 'data' | 'child' | 'persistent' | 'recursive';
const TABLES: readonly Table[] = ['data', 'child', 'persistent', 'recursive'];

export class WatchManager<W> {
  readonly #byPath: Record<Table, Map<string, Set<W>>> = {
    data: new Map(),
    child: new Map(),
    persistent: new Map(),
    recursive: new Map(),
  };
  readonly #byWatcher: Record<Table, Map<W, Set<string>>> = {
    data: new Map(),
    child: new Map(),
    persistent: new Map(),
    recursive: new Map(),
  };

  addDataWatch(path: string, watcher: W): void {
    this.#add('data', path, watcher);
  }
  addChildWatch(path: string, watcher: W): void {
    this.#add('child', path, watcher);
  }
  addPersistentWatch(path: string, watcher: W, recursive: boolean): void {
    this.#add(recursive ? 'recursive' : 'persistent', path, watcher);
  }

  /**
   * The watchers to notify of a change, in a stable order; one-shot watches that matched are
   * consumed.
   */
  trigger(trigger: Trigger): Set<W> {
    const hit = new Set<W>();
    const { type, path } = trigger;
    if (type === 'NodeCreated' || type === 'NodeDataChanged' || type === 'NodeDeleted') {
      this.#consume('data', path, hit);
    }
    if (type === 'NodeChildrenChanged' || type === 'NodeDeleted') {
      this.#consume('child', path, hit);
    }
    for (const w of this.#byPath.persistent.get(path) ?? []) hit.add(w);
    if (type !== 'NodeChildrenChanged' && this.#byPath.recursive.size > 0) {
      // Walk from the node up to the root: a recursive watch anywhere above matches.
      let current = path;
      for (;;) {
        for (const w of this.#byPath.recursive.get(current) ?? []) hit.add(w);
        if (current === '/') break;
        current = parentPath(current);
      }
    }
    return hit;
  }

  /** Remove a watcher's watches on a path: removeWatches. Returns whether any existed. */
  remove(path: string, watcher: W, type: WatcherType, dryRun = false): boolean {
    const tables: Table[] =
      type === 'children'
        ? ['child']
        : type === 'data'
          ? ['data']
          : type === 'persistent'
            ? ['persistent']
            : type === 'persistent_recursive'
              ? ['recursive']
              : [...TABLES];
    let found = false;
    for (const table of tables) {
      if (this.#byPath[table].get(path)?.has(watcher)) {
        found = true;
        if (!dryRun) this.#delete(table, path, watcher);
      }
    }
    return found;
  }

  /** A connection went away: drop all its watches. */
  removeWatcher(watcher: W): void {
    for (const table of TABLES) {
      const paths = this.#byWatcher[table].get(watcher);
      if (!paths) continue;
      for (const path of paths) {
        const set = this.#byPath[table].get(path);
        set?.delete(watcher);
        if (set && set.size === 0) this.#byPath[table].delete(path);
      }
      this.#byWatcher[table].delete(watcher);
    }
  }

  /** Total number of (watcher, path, kind) watches: mntr's zk_watch_count. */
  get watchCount(): number {
    let count = 0;
    for (const table of TABLES) for (const set of this.#byPath[table].values()) count += set.size;
    return count;
  }

  /** Distinct watched paths: `wchs`. */
  get watchedPathCount(): number {
    const paths = new Set<string>();
    for (const table of TABLES) for (const path of this.#byPath[table].keys()) paths.add(path);
    return paths.size;
  }

  /** Watchers that hold at least one watch: `wchs`. */
  get watcherCount(): number {
    const watchers = new Set<W>();
    for (const table of TABLES) for (const w of this.#byWatcher[table].keys()) watchers.add(w);
    return watchers.size;
  }

  /** path -> watchers, all kinds merged: `wchp`. */
  byPath(): Map<string, Set<W>> {
    const out = new Map<string, Set<W>>();
    for (const table of TABLES) {
      for (const [path, set] of this.#byPath[table]) {
        let merged = out.get(path);
        if (!merged) out.set(path, (merged = new Set()));
        for (const w of set) merged.add(w);
      }
    }
    return out;
  }

  /** watcher -> paths, all kinds merged: `wchc`. */
  byWatcher(): Map<W, Set<string>> {
    const out = new Map<W, Set<string>>();
    for (const table of TABLES) {
      for (const [w, paths] of this.#byWatcher[table]) {
        let merged = out.get(w);
        if (!merged) out.set(w, (merged = new Set()));
        for (const p of paths) merged.add(p);
      }
    }
    return out;
  }

  #add(table: Table, path: string, watcher: W): void {
    let watchers = this.#byPath[table].get(path);
    if (!watchers) this.#byPath[table].set(path, (watchers = new Set()));
    watchers.add(watcher);
    let paths = this.#byWatcher[table].get(watcher);
    if (!paths) this.#byWatcher[table].set(watcher, (paths = new Set()));
    paths.add(path);
  }

  #delete(table: Table, path: string, watcher: W): void {
    const watchers = this.#byPath[table].get(path);
    watchers?.delete(watcher);
    if (watchers && watchers.size === 0) this.#byPath[table].delete(path);
    const paths = this.#byWatcher[table].get(watcher);
    paths?.delete(path);
    if (paths && paths.size === 0) this.#byWatcher[table].delete(watcher);
  }

  /** One-shot: every watcher in the table for this path hears about it, then it is gone. */
  #consume(table: Table, path: string, hit: Set<W>): void {
    const watchers = this.#byPath[table].get(path);
    if (!watchers) return;
    this.#byPath[table].delete(path);
    for (const w of watchers) {
      hit.add(w);
      const paths = this.#byWatcher[table].get(w);
      paths?.delete(path);
      if (paths && paths.size === 0) this.#byWatcher[table].delete(w);
    }
  }
}
