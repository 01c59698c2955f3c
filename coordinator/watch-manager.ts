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
 * ZooKeeper keeps two watch tables, one for data and one for children, and a persistent or
 * recursive watch sits in both: it has a data half and a child half. That is visible to
 * clients, so we keep the halves apart too (six tables):
 *
 *   table            set by                    half of
 *   data             getData, exists           -
 *   child            getChildren               -
 *   persistentData   addWatch mode 0           persistent
 *   persistentChild  addWatch mode 0           persistent
 *   recursiveData    addWatch mode 1           persistent-recursive
 *   recursiveChild   addWatch mode 1           persistent-recursive
 *
 * Which tables a trigger reaches (recursive tables on the path or any ancestor):
 *   NodeCreated          data, persistentData, recursiveData
 *   NodeDataChanged      data, persistentData, recursiveData
 *   NodeChildrenChanged  child, persistentChild (on the parent; recursive watches never)
 *   NodeDeleted          all six
 * A watcher hears about one change once, however many of its watches match.
 *
 * removeWatches takes out the halves of its type: `data` (zkCli `removewatches -d`) the data
 * watches and the data halves, `children` (-c) the child watches and the child halves. So a
 * persistent watch whose data half was removed still reports NodeChildrenChanged and
 * NodeDeleted, but no NodeDataChanged and no NodeCreated, as ZooKeeper 3.8.0 did when tried.
 *
 * The four-letter words wchs, wchc and wchp show ZooKeeper's data table only (data watches
 * and the data halves); mntr's zk_watch_count counts both tables, a persistent watch twice.
 * We keep persistent and recursive modes on the same path side by side, as ZooKeeper 3.9 does
 * (3.8 let the last addWatch replace the earlier mode).
 */
import { parentPath } from './path.js';
import type { Trigger } from './data-tree.js';
import type { WatcherType } from '../src/protocol/coordinator/messages.js';

type Table =
  | 'data'
  | 'child'
  | 'persistentData'
  | 'persistentChild'
  | 'recursiveData'
  | 'recursiveChild';
const TABLES: readonly Table[] = [
  'data',
  'child',
  'persistentData',
  'persistentChild',
  'recursiveData',
  'recursiveChild',
];
/** ZooKeeper's data watch table: what wchs, wchc and wchp report. */
const DATA_TABLES: readonly Table[] = ['data', 'persistentData', 'recursiveData'];

function emptyTables<K, V>(): Record<Table, Map<K, V>> {
  return {
    data: new Map(),
    child: new Map(),
    persistentData: new Map(),
    persistentChild: new Map(),
    recursiveData: new Map(),
    recursiveChild: new Map(),
  };
}

/** The tables removeWatches / checkWatches of each watcher type look in. */
const TABLES_OF_TYPE: Record<WatcherType, readonly Table[]> = {
  data: ['data', 'persistentData', 'recursiveData'],
  children: ['child', 'persistentChild', 'recursiveChild'],
  persistent: ['persistentData', 'persistentChild'],
  persistent_recursive: ['recursiveData', 'recursiveChild'],
  any: TABLES,
};

export class WatchManager<W> {
  readonly #byPath = emptyTables<string, Set<W>>();
  readonly #byWatcher = emptyTables<W, Set<string>>();

  addDataWatch(path: string, watcher: W): void {
    this.#add('data', path, watcher);
  }
  addChildWatch(path: string, watcher: W): void {
    this.#add('child', path, watcher);
  }
  addPersistentWatch(path: string, watcher: W, recursive: boolean): void {
    this.#add(recursive ? 'recursiveData' : 'persistentData', path, watcher);
    this.#add(recursive ? 'recursiveChild' : 'persistentChild', path, watcher);
  }

  /**
   * The watchers to notify of a change, in a stable order; one-shot watches that matched are
   * consumed.
   */
  trigger(trigger: Trigger): Set<W> {
    const hit = new Set<W>();
    const { type, path } = trigger;
    const dataSide = type !== 'NodeChildrenChanged';
    const childSide = type === 'NodeChildrenChanged' || type === 'NodeDeleted';
    if (dataSide) {
      this.#consume('data', path, hit);
      this.#collect('persistentData', path, hit);
      this.#collectRecursive('recursiveData', path, hit);
    }
    if (childSide) {
      this.#consume('child', path, hit);
      this.#collect('persistentChild', path, hit);
      // A recursive watch reports a child's creation or deletion as that child's own event,
      // never as NodeChildrenChanged of the parent.
      if (type === 'NodeDeleted') this.#collectRecursive('recursiveChild', path, hit);
    }
    return hit;
  }

  /** Remove a watcher's watches on a path: removeWatches. Returns whether any existed. */
  remove(path: string, watcher: W, type: WatcherType, dryRun = false): boolean {
    let found = false;
    for (const table of TABLES_OF_TYPE[type]) {
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

  /** (watcher, path) pairs in both of ZooKeeper's tables: mntr's zk_watch_count. */
  get watchCount(): number {
    return this.#count(TABLES);
  }

  /** (watcher, path) pairs in ZooKeeper's data table: `wchs` "Total watches". */
  get dataWatchCount(): number {
    return this.#count(DATA_TABLES);
  }

  /** Distinct paths in the data table: `wchs`. */
  get watchedPathCount(): number {
    const paths = new Set<string>();
    for (const table of DATA_TABLES) for (const path of this.#byPath[table].keys()) paths.add(path);
    return paths.size;
  }

  /** Watchers with at least one watch in the data table: `wchs`. */
  get watcherCount(): number {
    const watchers = new Set<W>();
    for (const table of DATA_TABLES) for (const w of this.#byWatcher[table].keys()) watchers.add(w);
    return watchers.size;
  }

  /** path -> watchers of the data table: `wchp`. */
  byPath(): Map<string, Set<W>> {
    const out = new Map<string, Set<W>>();
    for (const table of DATA_TABLES) {
      for (const [path, set] of this.#byPath[table]) {
        let merged = out.get(path);
        if (!merged) out.set(path, (merged = new Set()));
        for (const w of set) merged.add(w);
      }
    }
    return out;
  }

  /** watcher -> paths of the data table: `wchc`. */
  byWatcher(): Map<W, Set<string>> {
    const out = new Map<W, Set<string>>();
    for (const table of DATA_TABLES) {
      for (const [w, paths] of this.#byWatcher[table]) {
        let merged = out.get(w);
        if (!merged) out.set(w, (merged = new Set()));
        for (const p of paths) merged.add(p);
      }
    }
    return out;
  }

  #count(tables: readonly Table[]): number {
    let count = 0;
    for (const table of tables) for (const set of this.#byPath[table].values()) count += set.size;
    return count;
  }

  /** Persistent: every watcher in the table for this path hears about it, and stays. */
  #collect(table: Table, path: string, hit: Set<W>): void {
    for (const w of this.#byPath[table].get(path) ?? []) hit.add(w);
  }

  /** Recursive: a watch on the path or on any ancestor matches. */
  #collectRecursive(table: Table, path: string, hit: Set<W>): void {
    if (this.#byPath[table].size === 0) return;
    // Walk from the node up to the root.
    let current = path;
    for (;;) {
      this.#collect(table, current, hit);
      if (current === '/') break;
      current = parentPath(current);
    }
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
