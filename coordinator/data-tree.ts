/**
 * The data tree: ZooKeeper's znodes with their exact Stat bookkeeping, and the rules for
 * every write (which error wins, which Stat field moves, which watch triggers fire).
 *
 * Pure: no sockets, no disk, no clock. A write takes the `zxid` and `timeMs` the server has
 * assigned to it, checks its preconditions in ZooKeeper's order (path, parent, version, node
 * type) and throws a `KeeperError` *before* changing anything; then it applies the change and
 * returns the watch triggers it caused, in the order ZooKeeper fires them (NodeCreated on
 * the node before NodeChildrenChanged on its parent, and so on).
 *
 * Stat bookkeeping that is easy to get wrong (each point differs from the obvious guess):
 * - a node stores `childCreations`, the number of children ever created under it. That is
 *   ZooKeeper's internal cversion and names sequential children. The cversion clients see is
 *   `childCreations * 2 - numChildren`, which counts creations *and* deletions;
 * - `pzxid` moves on child create and child delete, never on a child's setData;
 * - `version` moves on every setData, even with equal bytes, and wraps as a signed int32;
 * - ephemeral nodes record their session in `ephemeralOwner`; container and TTL nodes report 0.
 *
 * The tree also tracks which paths changed since the last call to `takeDirtyPaths()`, so the
 * store can persist exactly those nodes in the next group commit (coordinator/store.ts).
 */
import { invariant } from '../src/assert.js';
import { ownedBytes } from '../src/owned-bytes.js';
import { ErrorCode, KeeperError } from '../src/protocol/coordinator/errors.js';
import {
  isEphemeralMode,
  isSequentialMode,
  isTtlMode,
  Perms,
  type Acl,
  type CreateModeName,
  type MultiOp,
  type MultiResultEntry,
  type Stat,
} from '../src/protocol/coordinator/messages.js';
import { requirePermission, validateAcl, type Identity } from './acl.js';
import {
  formatQuotaUsage,
  parseQuotaUsage,
  quotaPathOfLimitsNode,
  quotaPathOfStatsNode,
  quotaStatsPath,
  type QuotaUsage,
} from './quota.js';
import { baseName, joinPath, parentPath, pathProblem, validatePath } from './path.js';

/** ZooKeeper's jute.maxbuffer bounds a whole packet; we bound node data to 1 MiB. */
export const DATA_BYTES_MAX = 1024 * 1024;
/** TTLs are 40-bit millisecond counts in ZooKeeper (EphemeralType.TTL). */
export const TTL_MS_MAX = 2 ** 40 - 1;

export type NodeKind = 'normal' | 'container' | 'ttl';

export interface DataNode {
  data: Buffer | null;
  acl: Acl[];
  czxid: number;
  mzxid: number;
  pzxid: number;
  ctimeMs: number;
  mtimeMs: number;
  version: number;
  aversion: number;
  /** Children ever created here: ZooKeeper's stored cversion (see the header). */
  childCreations: number;
  /** Owning session for ephemerals, 0n otherwise. */
  ephemeralOwner: bigint;
  kind: NodeKind;
  /** For kind 'ttl' only. */
  ttlMs: number;
  children: Set<string>;
}

export type TriggerType = 'NodeCreated' | 'NodeDeleted' | 'NodeDataChanged' | 'NodeChildrenChanged';

/** A change that may fire watches; the WatchManager decides which. */
export interface Trigger {
  type: TriggerType;
  path: string;
}

/** Paths ZooKeeper creates itself and refuses to delete. */
export const BUILT_IN_PATHS: readonly string[] = [
  '/zookeeper',
  '/zookeeper/quota',
  '/zookeeper/config',
];

export function statOf(node: DataNode): Stat {
  return {
    czxid: node.czxid,
    mzxid: node.mzxid,
    ctime: node.ctimeMs,
    mtime: node.mtimeMs,
    version: node.version,
    cversion: node.childCreations * 2 - node.children.size,
    aversion: node.aversion,
    // Container and TTL nodes are stored with a marker in ZooKeeper but report 0.
    ephemeralOwner: node.kind === 'normal' ? node.ephemeralOwner : 0n,
    dataLength: node.data === null ? 0 : node.data.length,
    numChildren: node.children.size,
    pzxid: node.pzxid,
  };
}

function newNode(fields: Partial<DataNode>): DataNode {
  return {
    data: null,
    acl: [{ perms: 31, scheme: 'world', id: 'anyone' }],
    czxid: 0,
    mzxid: 0,
    pzxid: 0,
    ctimeMs: 0,
    mtimeMs: 0,
    version: 0,
    aversion: 0,
    childCreations: 0,
    ephemeralOwner: 0n,
    kind: 'normal',
    ttlMs: 0,
    children: new Set(),
    ...fields,
  };
}

export interface CreateArgs {
  path: string;
  data: Buffer | null;
  acl: Acl[];
  mode: CreateModeName;
  ttlMs?: number;
  /** The creating session (owner of an ephemeral). */
  sessionId: bigint;
  zxid: number;
  timeMs: number;
  /** TTL modes need ZooKeeper's `extendedTypesEnabled`; without it they are Unimplemented. */
  extendedTypesEnabled?: boolean;
  /** The client's identities, checked against ACLs; undefined for the server's own writes. */
  ids?: readonly Identity[];
}

/** What every operation of a multi shares. */
export interface MultiContext {
  sessionId: bigint;
  zxid: number;
  timeMs: number;
  extendedTypesEnabled?: boolean;
  /** The client's identities, checked against ACLs as for single operations. */
  ids?: readonly Identity[];
}

/**
 * The tree as it was when `DataTree.openView()` was called, while writes go on: a snapshot
 * is serialized from it in slices between which the server keeps serving (ZooKeeper instead
 * serializes a fuzzy tree from another thread and replays the log over it; our txns are
 * requests checked at apply time, not idempotent state changes, so we need an exact view).
 * Copy-on-write: before a write changes or removes a node, the tree hands each open view a
 * copy of the node as it was (the first time only), so the view costs nothing for the nodes
 * no write touches. A view's nodes have no `children` (they may be the live set).
 */
export class TreeView {
  /**
   * Every path of the tree at the view's moment, in the tree's map order: not always parents
   * first (a rolled-back multi re-inserts the nodes it touched at the end).
   */
  readonly paths: readonly string[];
  readonly #live: ReadonlyMap<string, DataNode>;
  /** Before-images of the nodes changed since (undefined: the path did not exist). */
  readonly #saved = new Map<string, DataNode | undefined>();
  readonly #close: (view: TreeView) => void;

  constructor(
    paths: readonly string[],
    live: ReadonlyMap<string, DataNode>,
    close: (view: TreeView) => void,
  ) {
    this.paths = paths;
    this.#live = live;
    this.#close = close;
  }

  get(path: string): Omit<DataNode, 'children'> | undefined {
    return this.#saved.has(path) ? this.#saved.get(path) : this.#live.get(path);
  }

  /** Nodes copied so far because a write changed them. */
  get copied(): number {
    return this.#saved.size;
  }

  /** @internal The tree calls this before it changes `path` (current node: `node`). */
  beforeChange(path: string, node: DataNode | undefined): void {
    if (!this.#saved.has(path)) this.#saved.set(path, node && { ...node });
  }

  /** Stop recording changes; the view must not be read after this. */
  close(): void {
    this.#close(this);
    this.#saved.clear();
  }
}

/** A before-image of a node, for rolling back a failed multi. */
interface UndoEntry {
  path: string;
  node: DataNode | undefined;
}

export class DataTree {
  readonly #nodes = new Map<string, DataNode>();
  /** session id -> paths of its ephemerals */
  readonly #ephemerals = new Map<bigint, Set<string>>();
  /** Paths of container and TTL nodes, for the cleanup task. */
  readonly #containers = new Set<string>();
  readonly #ttls = new Set<string>();
  #dirty = new Set<string>();
  #dataBytes = 0;
  /** Paths that have a quota: a `zookeeper_limits` node under /zookeeper/quota (see quota.ts). */
  readonly #quotaRoots = new Set<string>();
  /** While applying a multi: before-images of every node touched, oldest first. */
  #undo: UndoEntry[] | undefined;
  /** Open copy-on-write views (snapshots being serialized). */
  readonly #views = new Set<TreeView>();

  constructor() {
    // ZooKeeper builds these nodes with empty data, not null: the Java client's getConfig()
    // and getData("/") return an empty array, and zkCli's `config` prints an empty line.
    this.#nodes.set('/', newNode({ data: Buffer.alloc(0) }));
    for (const path of BUILT_IN_PATHS) {
      this.#nodes.set(path, newNode({ data: Buffer.alloc(0) }));
      this.#nodes.get(parentPath(path))!.children.add(baseName(path));
    }
    // /zookeeper/config is readable by everyone and writable by nobody (READ_ACL_UNSAFE: only
    // reconfig changes it); ZooKeeper sets that ACL with setACL(..., -1), which leaves the
    // node's aversion at -1.
    const config = this.#nodes.get('/zookeeper/config')!;
    config.acl = [{ perms: Perms.READ, scheme: 'world', id: 'anyone' }];
    config.aversion = -1;
  }

  // -------------------------------------------------------------------------------------
  // Reads.

  get(path: string): DataNode | undefined {
    return this.#nodes.get(path);
  }

  get nodeCount(): number {
    return this.#nodes.size;
  }

  /** Sum of data and path lengths: ZooKeeper's `approximate_data_size`. */
  get approximateDataSize(): number {
    return this.#dataBytes;
  }

  ephemeralsOf(sessionId: bigint): ReadonlySet<string> {
    return this.#ephemerals.get(sessionId) ?? new Set();
  }

  get ephemeralCount(): number {
    let count = 0;
    for (const paths of this.#ephemerals.values()) count += paths.size;
    return count;
  }

  /** Sessions that own at least one ephemeral: for `dump`. */
  sessionsWithEphemerals(): Map<bigint, ReadonlySet<string>> {
    return this.#ephemerals;
  }

  /** Every descendant of `path` (not the node itself): getAllChildrenNumber. */
  countDescendants(path: string): number {
    const node = this.#nodes.get(path);
    if (!node) return 0;
    let count = 0;
    const stack: string[] = [path];
    while (stack.length > 0) {
      const current = stack.pop()!;
      for (const child of this.#nodes.get(current)!.children) {
        count++;
        stack.push(joinPath(current, child));
      }
    }
    return count;
  }

  /** Every path in the tree: for snapshots and `dump`. */
  paths(): IterableIterator<string> {
    return this.#nodes.keys();
  }

  /**
   * A consistent view of the tree as it is now, which later writes do not change (see
   * `TreeView`); close it when done. Costs one copy of the list of paths.
   */
  openView(): TreeView {
    const view = new TreeView(Array.from(this.#nodes.keys()), this.#nodes, (v) =>
      this.#views.delete(v),
    );
    this.#views.add(view);
    return view;
  }

  /** Views open on this tree (snapshots being serialized). */
  get openViews(): number {
    return this.#views.size;
  }

  containerPaths(): ReadonlySet<string> {
    return this.#containers;
  }

  ttlPaths(): ReadonlySet<string> {
    return this.#ttls;
  }

  /** The paths changed since the last call; the store persists their current state. */
  takeDirtyPaths(): Set<string> {
    const dirty = this.#dirty;
    this.#dirty = new Set();
    return dirty;
  }

  get hasDirtyPaths(): boolean {
    return this.#dirty.size > 0;
  }

  // -------------------------------------------------------------------------------------
  // Loading (store -> tree). Parents must be loaded before children: LevelDB's key order
  // guarantees it, because a parent's path is a prefix of its children's.

  loadNode(path: string, node: Omit<DataNode, 'children'>): void {
    const existing = this.#nodes.get(path);
    if (this.#views.size > 0) for (const view of this.#views) view.beforeChange(path, existing);
    if (existing) {
      // A built-in node (or the root) that was persisted: keep its children, take its stat.
      this.#dataBytes -= this.#sizeOf(path, existing);
      Object.assign(existing, node);
      this.#dataBytes += this.#sizeOf(path, existing);
      return;
    }
    const parent = this.#nodes.get(parentPath(path));
    invariant(parent, `loaded node ${path} has no parent`);
    const loaded: DataNode = { ...node, children: new Set() };
    this.#nodes.set(path, loaded);
    parent.children.add(baseName(path));
    this.#index(path, loaded);
  }

  // -------------------------------------------------------------------------------------
  // Writes. Each checks first (throwing KeeperError), then changes state.

  create(args: CreateArgs): { path: string; node: DataNode; triggers: Trigger[] } {
    const { mode } = args;
    if (isTtlMode(mode)) {
      if (!args.extendedTypesEnabled) {
        throw new KeeperError(
          ErrorCode.UNIMPLEMENTED,
          args.path,
          'TTL nodes need extendedTypesEnabled',
        );
      }
      const ttl = args.ttlMs ?? 0;
      if (!Number.isSafeInteger(ttl) || ttl <= 0 || ttl > TTL_MS_MAX) {
        throw new KeeperError(
          ErrorCode.BADARGUMENTS,
          args.path,
          `TTL must be in 1..${TTL_MS_MAX} ms`,
        );
      }
    } else if (args.ttlMs !== undefined && args.ttlMs !== 0) {
      throw new KeeperError(ErrorCode.BADARGUMENTS, args.path, 'a TTL needs a *_with_ttl mode');
    }
    const lastSlash = args.path.lastIndexOf('/');
    // ZooKeeper validates the final path only after appending the sequence suffix, and lets
    // a missing parent (NoNode) win over some malformed paths. Clients cannot rely on that, so we
    // validate the whole path up front instead (with a stand-in suffix for sequential
    // modes), so every malformed path is BadArguments.
    const problem0 = pathProblem(isSequentialMode(mode) ? args.path + '0000000000' : args.path);
    if (lastSlash < 0 || problem0) {
      throw new KeeperError(
        ErrorCode.BADARGUMENTS,
        args.path,
        problem0 ?? 'path must start with /',
      );
    }
    if (args.data !== null && args.data.length > DATA_BYTES_MAX) {
      throw new KeeperError(
        ErrorCode.BADARGUMENTS,
        args.path,
        `data longer than ${DATA_BYTES_MAX} bytes`,
      );
    }
    validateAcl(args.acl, args.path);
    const parentName = lastSlash === 0 ? '/' : args.path.slice(0, lastSlash);
    const parent = this.#nodes.get(parentName);
    if (!parent) throw new KeeperError(ErrorCode.NONODE, args.path);
    if (args.ids) requirePermission(parent.acl, Perms.CREATE, args.ids, args.path);
    // The sequential suffix comes from the parent's creation counter *before* this create,
    // as a signed 32-bit decimal padded to 10 digits (ZooKeeper's `%010d`).
    // The real suffix (digits, or '-' and digits after 2^31 creations) cannot make a path
    // invalid that passed with the stand-in suffix above, so no second validation.
    const path = isSequentialMode(mode)
      ? args.path + formatSequence(parent.childCreations)
      : args.path;
    if (this.#nodes.has(path)) throw new KeeperError(ErrorCode.NODEEXISTS, path);
    if (parent.ephemeralOwner !== 0n && parent.kind === 'normal') {
      throw new KeeperError(ErrorCode.NOCHILDRENFOREPHEMERALS, path);
    }

    this.#saveUndo(path);
    this.#saveUndo(parentName);
    // Written out field by field (not newNode's spread): this is the hottest allocation of
    // a create-heavy load.
    const ttl = isTtlMode(mode);
    const node: DataNode = {
      // Kept for the znode's life: its own bytes, not a slice of a pool or frame.
      data: args.data === null ? null : ownedBytes(args.data),
      acl: args.acl,
      czxid: args.zxid,
      mzxid: args.zxid,
      pzxid: args.zxid,
      ctimeMs: args.timeMs,
      mtimeMs: args.timeMs,
      version: 0,
      aversion: 0,
      childCreations: 0,
      ephemeralOwner: isEphemeralMode(mode) ? args.sessionId : 0n,
      kind: mode === 'container' ? 'container' : ttl ? 'ttl' : 'normal',
      ttlMs: ttl ? (args.ttlMs ?? 0) : 0,
      children: new Set(),
    };
    this.#nodes.set(path, node);
    parent.children.add(baseName(path));
    parent.childCreations = (parent.childCreations + 1) | 0;
    parent.pzxid = args.zxid;
    this.#index(path, node);
    this.#dirty.add(path);
    this.#dirty.add(parentName);
    // A new stats node starts from the real usage, whatever the client wrote into it.
    const quotaOfStats = quotaPathOfStatsNode(path);
    if (quotaOfStats !== undefined) this.#recountQuota(quotaOfStats);
    this.#addToQuotaStats(path, node.data?.length ?? 0, 1);
    return {
      path,
      node,
      triggers: [
        { type: 'NodeCreated', path },
        { type: 'NodeChildrenChanged', path: parentName },
      ],
    };
  }

  delete(path: string, version: number, zxid: number, ids?: readonly Identity[]): Trigger[] {
    if (path === '/' || BUILT_IN_PATHS.includes(path)) {
      throw new KeeperError(ErrorCode.BADARGUMENTS, path, 'cannot delete a built-in node');
    }
    validatePath(path);
    const parentName = parentPath(path);
    const parent = this.#nodes.get(parentName);
    if (!parent) throw new KeeperError(ErrorCode.NONODE, path);
    if (ids) requirePermission(parent.acl, Perms.DELETE, ids, path);
    const node = this.#nodes.get(path);
    if (!node) throw new KeeperError(ErrorCode.NONODE, path);
    if (version !== -1 && node.version !== version)
      throw new KeeperError(ErrorCode.BADVERSION, path);
    if (node.children.size > 0) throw new KeeperError(ErrorCode.NOTEMPTY, path);

    this.#saveUndo(path);
    this.#saveUndo(parentName);
    this.#unindex(path, node);
    this.#nodes.delete(path);
    parent.children.delete(baseName(path));
    parent.pzxid = zxid;
    this.#dirty.add(path);
    this.#dirty.add(parentName);
    this.#addToQuotaStats(path, -(node.data?.length ?? 0), -1);
    return [
      { type: 'NodeDeleted', path },
      { type: 'NodeChildrenChanged', path: parentName },
    ];
  }

  setData(
    path: string,
    data: Buffer | null,
    version: number,
    zxid: number,
    timeMs: number,
    ids?: readonly Identity[],
  ): { node: DataNode; triggers: Trigger[] } {
    validatePath(path);
    const node = this.#nodes.get(path);
    if (!node) throw new KeeperError(ErrorCode.NONODE, path);
    if (ids) requirePermission(node.acl, Perms.WRITE, ids, path);
    if (data !== null && data.length > DATA_BYTES_MAX) {
      throw new KeeperError(
        ErrorCode.BADARGUMENTS,
        path,
        `data longer than ${DATA_BYTES_MAX} bytes`,
      );
    }
    if (version !== -1 && node.version !== version)
      throw new KeeperError(ErrorCode.BADVERSION, path);

    this.#saveUndo(path);
    const bytesDiff = (data?.length ?? 0) - (node.data?.length ?? 0);
    this.#dataBytes += bytesDiff;
    node.data = data === null ? null : ownedBytes(data);
    node.mzxid = zxid;
    node.mtimeMs = timeMs;
    node.version = (node.version + 1) | 0;
    this.#dirty.add(path);
    this.#addToQuotaStats(path, bytesDiff, 0);
    return { node, triggers: [{ type: 'NodeDataChanged', path }] };
  }

  setAcl(path: string, acl: Acl[], aversion: number, ids?: readonly Identity[]): DataNode {
    validatePath(path);
    validateAcl(acl, path);
    const node = this.#nodes.get(path);
    if (!node) throw new KeeperError(ErrorCode.NONODE, path);
    if (ids) requirePermission(node.acl, Perms.ADMIN, ids, path);
    if (aversion !== -1 && node.aversion !== aversion)
      throw new KeeperError(ErrorCode.BADVERSION, path);
    this.#saveUndo(path);
    node.acl = acl;
    node.aversion = (node.aversion + 1) | 0;
    this.#dirty.add(path);
    return node;
  }

  check(path: string, version: number, ids?: readonly Identity[]): void {
    validatePath(path);
    const node = this.#nodes.get(path);
    if (!node) throw new KeeperError(ErrorCode.NONODE, path);
    if (ids) requirePermission(node.acl, Perms.READ, ids, path);
    if (version !== -1 && node.version !== version)
      throw new KeeperError(ErrorCode.BADVERSION, path);
  }

  /**
   * Apply a multi's operations atomically under one zxid: each op sees the effects of the
   * earlier ones; if one fails, every change is rolled back and the result lists 0 for the ops
   * before it, its code, and RUNTIMEINCONSISTENCY (-2) for the ops after it.
   */
  multi(
    ops: readonly MultiOp[],
    context: MultiContext,
  ):
    | { ok: true; results: MultiResultEntry[]; triggers: Trigger[] }
    | { ok: false; failedAt: number; results: MultiResultEntry[] } {
    invariant(this.#undo === undefined, 'multi cannot nest');
    this.#undo = [];
    const results: MultiResultEntry[] = [];
    const triggers: Trigger[] = [];
    try {
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i]!;
        try {
          results.push(this.#applyMultiOp(op, context, triggers));
        } catch (err) {
          if (!(err instanceof KeeperError)) throw err;
          this.#rollback();
          const failed: MultiResultEntry[] = ops.map((other, j) => ({
            op: j < i ? other.op : 'error',
            err: j < i ? 0 : j === i ? err.code : ErrorCode.RUNTIMEINCONSISTENCY,
          }));
          return { ok: false, failedAt: i, results: failed };
        }
      }
      return { ok: true, results, triggers };
    } finally {
      this.#undo = undefined;
    }
  }

  #applyMultiOp(op: MultiOp, context: MultiContext, triggers: Trigger[]): MultiResultEntry {
    switch (op.op) {
      case 'create': {
        const created = this.create({ ...op, ...context });
        triggers.push(...created.triggers);
        return { op: 'create', err: ErrorCode.OK, path: created.path, stat: statOf(created.node) };
      }
      case 'delete':
        triggers.push(...this.delete(op.path, op.version, context.zxid, context.ids));
        return { op: 'delete', err: ErrorCode.OK };
      case 'setData': {
        const set = this.setData(
          op.path,
          op.data,
          op.version,
          context.zxid,
          context.timeMs,
          context.ids,
        );
        triggers.push(...set.triggers);
        return { op: 'setData', err: ErrorCode.OK, stat: statOf(set.node) };
      }
      case 'check':
        this.check(op.path, op.version, context.ids);
        return { op: 'check', err: ErrorCode.OK };
    }
  }

  /**
   * A session ended (closed or expired): delete all its ephemerals in one transaction.
   * Returns the triggers in ZooKeeper's order (per node: NodeDeleted, then the parent's
   * NodeChildrenChanged). Ephemerals have no children, so any order of deletion is valid;
   * we go in sorted order so that the outcome does not depend on insertion order.
   */
  closeSession(sessionId: bigint, zxid: number): Trigger[] {
    const paths = [...(this.#ephemerals.get(sessionId) ?? [])].sort();
    const triggers: Trigger[] = [];
    for (const path of paths) triggers.push(...this.delete(path, -1, zxid));
    invariant(!this.#ephemerals.has(sessionId), `session ${sessionId} still owns ephemerals`);
    return triggers;
  }

  // -------------------------------------------------------------------------------------
  // Quota statistics (see quota.ts): kept up to date as ZooKeeper's DataTree keeps them.

  /** The deepest path at or above `path` that has a quota, if any (never `/`). */
  quotaRootOf(path: string): string | undefined {
    if (this.#quotaRoots.size === 0) return undefined;
    for (let current = path; current !== '/'; current = parentPath(current)) {
      if (this.#quotaRoots.has(current)) return current;
    }
    return undefined;
  }

  /** Add a change of `bytes` and `count` to the stats of the quota that covers `path`. */
  #addToQuotaStats(path: string, bytes: number, count: number): void {
    const root = this.quotaRootOf(path);
    if (root === undefined) return;
    const statsPath = quotaStatsPath(root);
    const stats = this.#nodes.get(statsPath);
    // ZooKeeper logs a missing stats node and carries on; the limits node alone changes nothing.
    if (!stats) return;
    const usage = parseQuotaUsage(stats.data);
    this.#setQuotaStats(statsPath, stats, {
      count: usage.count + count,
      bytes: usage.bytes + bytes,
    });
  }

  /** Count the nodes and bytes of the subtree at `root` afresh into its stats node. */
  #recountQuota(root: string): void {
    const statsPath = quotaStatsPath(root);
    const stats = this.#nodes.get(statsPath);
    if (!stats) return;
    let count = 0;
    let bytes = 0;
    if (this.#nodes.has(root)) {
      const stack = [root];
      while (stack.length > 0) {
        const current = stack.pop()!;
        const node = this.#nodes.get(current)!;
        count++;
        bytes += node.data?.length ?? 0;
        for (const child of node.children) stack.push(joinPath(current, child));
      }
    }
    this.#setQuotaStats(statsPath, stats, { count, bytes });
  }

  /**
   * The server rewrites a stats node's data in place, as ZooKeeper does: no new version,
   * mzxid or mtime, and no watch fires (clients read the stats, they do not watch them).
   */
  #setQuotaStats(statsPath: string, stats: DataNode, usage: QuotaUsage): void {
    this.#saveUndo(statsPath);
    const data = formatQuotaUsage(usage);
    this.#dataBytes += data.length - (stats.data?.length ?? 0);
    stats.data = data;
    this.#dirty.add(statsPath);
  }

  // -------------------------------------------------------------------------------------

  /** Called before every change of the node at `path` (or its creation or deletion). */
  #saveUndo(path: string): void {
    if (this.#views.size > 0) {
      const current = this.#nodes.get(path);
      for (const view of this.#views) view.beforeChange(path, current);
    }
    if (!this.#undo) return;
    const node = this.#nodes.get(path);
    this.#undo.push({
      path,
      node: node ? { ...node, children: new Set(node.children) } : undefined,
    });
  }

  #rollback(): void {
    const undo = this.#undo!;
    // Restore the oldest before-image of each path last, so it wins.
    for (let i = undo.length - 1; i >= 0; i--) {
      const { path, node } = undo[i]!;
      const current = this.#nodes.get(path);
      if (current) {
        this.#unindex(path, current);
        this.#nodes.delete(path);
      }
      if (node) {
        this.#nodes.set(path, node);
        this.#index(path, node);
      }
      this.#dirty.add(path);
    }
  }

  #sizeOf(path: string, node: DataNode): number {
    return path.length + (node.data?.length ?? 0);
  }

  #index(path: string, node: DataNode): void {
    this.#dataBytes += this.#sizeOf(path, node);
    const quotaOfLimits = quotaPathOfLimitsNode(path);
    if (quotaOfLimits !== undefined) this.#quotaRoots.add(quotaOfLimits);
    if (node.kind === 'container') this.#containers.add(path);
    else if (node.kind === 'ttl') this.#ttls.add(path);
    else if (node.ephemeralOwner !== 0n) {
      let paths = this.#ephemerals.get(node.ephemeralOwner);
      if (!paths) this.#ephemerals.set(node.ephemeralOwner, (paths = new Set()));
      paths.add(path);
    }
  }

  #unindex(path: string, node: DataNode): void {
    this.#dataBytes -= this.#sizeOf(path, node);
    const quotaOfLimits = quotaPathOfLimitsNode(path);
    if (quotaOfLimits !== undefined) this.#quotaRoots.delete(quotaOfLimits);
    this.#containers.delete(path);
    this.#ttls.delete(path);
    if (node.kind === 'normal' && node.ephemeralOwner !== 0n) {
      const paths = this.#ephemerals.get(node.ephemeralOwner);
      paths?.delete(path);
      if (paths && paths.size === 0) this.#ephemerals.delete(node.ephemeralOwner);
    }
  }
}

/** `7` -> `0000000007`; negative counters (after 2^31 creations) keep their sign. */
export function formatSequence(counter: number): string {
  return counter < 0 ? '-' + String(-counter).padStart(10, '0') : String(counter).padStart(10, '0');
}
