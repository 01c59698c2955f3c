/**
 * ZnodeMirror: a live copy of the coordinator's whole znode tree, kept by one persistent
 * recursive watch on `/` (ZooKeeper 3.6's `addWatch(path, PERSISTENT_RECURSIVE)`), the way a
 * UI should watch ZooKeeper: one registration, and every create, delete and data change under
 * the root arrives as an event, with no one-shot watch to set again after each.
 *
 * Start-up: the watch is added first, then the tree is read (getChildren + getData, level by
 * level). A change during the scan arrives as an event and its re-read is queued behind the
 * scan's reads on the same connection, whose replies come back in order, so the mirror never
 * keeps an older copy over a newer one.
 *
 * Events: NodeCreated and NodeDataChanged re-read the node (a node already deleted again reads
 * as NONODE and is dropped); NodeDeleted drops the node and everything under it. A recursive
 * watch sends no NodeChildrenChanged: the creation of each child is its own event.
 *
 * After the connection is lost and the session resumed, the client re-registers the watch,
 * but events of the gap may be merged, so the mirror reads the tree again (`rescan`). An
 * expired session needs a new client and a new mirror (main.ts does that).
 *
 * ACLs: a node the dashboard may not read (NOAUTH: on a locked coordinator, `/config/users`
 * is readable by the brokers only) is left out, with its subtree, and logged once per path;
 * the rest of the tree is mirrored as usual. Give the dashboard `--auth` to see it.
 *
 * Limits: at most `znodesMax` nodes are kept; beyond that new paths are ignored (with one
 * warning), so a runaway tree cannot exhaust the dashboard's memory.
 */
import { EventEmitter } from 'node:events';
import type { CoordinatorClient } from '../coordinator-client/client.js';
import { ErrorCode, hasCode } from '../protocol/coordinator/errors.js';
import type { WatchEvent } from '../protocol/coordinator/messages.js';
import type { Logger } from '../logger.js';
import type { MirroredZnode, ZnodeSnapshot } from './cluster-model.js';

export const ZNODES_MAX_DEFAULT = 50_000;

export interface ZnodeMirrorEvents {
  /** A znode was created, changed or deleted (path), after the mirror was updated. */
  change: [path: string];
}

export class ZnodeMirror extends EventEmitter<ZnodeMirrorEvents> {
  readonly #client: CoordinatorClient;
  readonly #logger: Logger;
  readonly #nodes = new Map<string, MirroredZnode>();
  readonly #znodesMax: number;
  #warnedFull = false;
  /** Paths refused with NOAUTH, each logged once. */
  readonly #unreadable = new Set<string>();

  constructor(options: { client: CoordinatorClient; logger: Logger; znodesMax?: number }) {
    super();
    this.#client = options.client;
    this.#logger = options.logger;
    this.#znodesMax = options.znodesMax ?? ZNODES_MAX_DEFAULT;
  }

  get snapshot(): ZnodeSnapshot {
    return this.#nodes;
  }

  /** Paths the coordinator refused to show (NOAUTH), sorted. */
  get unreadable(): string[] {
    return [...this.#unreadable].sort();
  }

  async start(): Promise<void> {
    await this.#client.addWatch('/', 'persistent_recursive', (event) => this.#onEvent(event));
    await this.rescan();
  }

  /** Reads the whole tree again, dropping nodes that are gone. */
  async rescan(): Promise<void> {
    const seen = new Set<string>();
    let level = ['/'];
    while (level.length > 0) {
      const next: string[] = [];
      await Promise.all(
        level.map(async (path) => {
          seen.add(path);
          await this.#refresh(path);
          const children = await this.#client.getChildren(path).catch(() => [] as string[]);
          for (const c of children) next.push(path === '/' ? `/${c}` : `${path}/${c}`);
        }),
      );
      level = next;
    }
    for (const path of [...this.#nodes.keys()]) {
      if (!seen.has(path)) this.#drop(path);
    }
  }

  #onEvent(event: WatchEvent): void {
    if (event.type === 'NodeDeleted') {
      this.#drop(event.path);
      return;
    }
    if (event.type === 'NodeChildrenChanged') return;
    this.#refresh(event.path).catch((err: unknown) => {
      this.#logger.warn({ err, path: event.path }, 'could not read a changed znode');
    });
  }

  async #refresh(path: string): Promise<void> {
    try {
      const { data, stat } = await this.#client.getData(path);
      if (!this.#nodes.has(path) && this.#nodes.size >= this.#znodesMax) {
        if (!this.#warnedFull) {
          this.#warnedFull = true;
          this.#logger.warn({ znodesMax: this.#znodesMax }, 'znode mirror full; ignoring more');
        }
        return;
      }
      this.#unreadable.delete(path);
      this.#nodes.set(path, { data: data === null ? null : data.toString('utf8'), stat });
      this.emit('change', path);
    } catch (err) {
      if (hasCode(err, ErrorCode.NONODE)) this.#drop(path);
      else if (hasCode(err, ErrorCode.NOAUTH)) {
        if (!this.#unreadable.has(path)) {
          this.#unreadable.add(path);
          this.#logger.warn({ path }, 'no READ permission on a znode; leaving it out');
        }
        this.#drop(path);
      } else throw err;
    }
  }

  #drop(path: string): void {
    let dropped = false;
    for (const p of [...this.#nodes.keys()]) {
      if (p === path || p.startsWith(path === '/' ? '/' : `${path}/`)) {
        this.#nodes.delete(p);
        dropped = true;
      }
    }
    if (dropped) this.emit('change', path);
  }
}
