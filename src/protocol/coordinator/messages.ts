/**
 * The coordinator's operations as data: requests, results, watch events and the session
 * handshake, independent of any transport. Both of the coordinator's protocols decode into
 * these types (the WebSocket JSON protocol in `./ws-codec.ts`, ZooKeeper's binary jute
 * protocol later), and the semantics core in `coordinator/` only ever sees these.
 *
 * Numbers: zxids and times are JavaScript numbers. A standalone coordinator's zxids start at 1
 * and grow by one per write, so they stay far below 2^53. Session ids are 64-bit (high byte =
 * server id, as in ZooKeeper) and are `bigint`s; so is `Stat.ephemeralOwner`.
 *
 * Names follow ZooKeeper's: `getData`, `getChildren`, `cversion`, `ephemeralOwner`.
 */

/** ZooKeeper's CreateMode; the number is the `flags` value of the binary protocol. */
export const CreateMode = {
  persistent: 0,
  ephemeral: 1,
  persistent_sequential: 2,
  ephemeral_sequential: 3,
  container: 4,
  persistent_with_ttl: 5,
  persistent_sequential_with_ttl: 6,
} as const;
export type CreateModeName = keyof typeof CreateMode;
export const CREATE_MODE_NAMES = Object.keys(CreateMode) as CreateModeName[];

export function isEphemeralMode(mode: CreateModeName): boolean {
  return mode === 'ephemeral' || mode === 'ephemeral_sequential';
}
export function isSequentialMode(mode: CreateModeName): boolean {
  return mode.includes('sequential');
}
export function isTtlMode(mode: CreateModeName): boolean {
  return mode.endsWith('_with_ttl');
}

/** ZooKeeper's Stat record, field for field (docs/coordinator-protocol.md, "Stat"). */
export interface Stat {
  czxid: number;
  mzxid: number;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: number;
}

/** ACL permission bits. */
export const Perms = { READ: 1, WRITE: 2, CREATE: 4, DELETE: 8, ADMIN: 16, ALL: 31 } as const;

export interface Acl {
  perms: number;
  scheme: string;
  id: string;
}

/** `world:anyone` with every permission: ZooKeeper's OPEN_ACL_UNSAFE, the default. */
export const OPEN_ACL_UNSAFE: readonly Acl[] = [
  { perms: Perms.ALL, scheme: 'world', id: 'anyone' },
];

/** addWatch modes (ZooKeeper 3.6+). */
export type AddWatchMode = 'persistent' | 'persistent_recursive';

/** removeWatches / checkWatches types: children 1, data 2, any 3 (and 4/5 persistent in 3.9). */
export type WatcherType = 'children' | 'data' | 'any' | 'persistent' | 'persistent_recursive';

/** Watch event types (WatcherEvent.type in the binary protocol). */
export const EventType = {
  None: -1,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
  DataWatchRemoved: 5,
  ChildWatchRemoved: 6,
  PersistentWatchRemoved: 7,
} as const;
export type EventTypeName = keyof typeof EventType;

export interface WatchEvent {
  type: 'NodeCreated' | 'NodeDeleted' | 'NodeDataChanged' | 'NodeChildrenChanged';
  path: string;
  /** The zxid of the write that triggered the event. */
  zxid: number;
}

// ---------------------------------------------------------------------------------------
// Requests. `data` is `null` or bytes; ZooKeeper keeps null and empty apart.

export interface CreateRequest {
  op: 'create';
  path: string;
  data: Buffer | null;
  acl: Acl[];
  mode: CreateModeName;
  /** Milliseconds, only for the *_with_ttl modes. */
  ttlMs?: number;
}
export interface DeleteRequest {
  op: 'delete';
  path: string;
  /** -1 = any version. */
  version: number;
}
export interface ExistsRequest {
  op: 'exists';
  path: string;
  watch: boolean;
}
export interface GetDataRequest {
  op: 'getData';
  path: string;
  watch: boolean;
}
export interface SetDataRequest {
  op: 'setData';
  path: string;
  data: Buffer | null;
  version: number;
}
export interface GetChildrenRequest {
  op: 'getChildren';
  path: string;
  watch: boolean;
}
export interface CheckRequest {
  op: 'check';
  path: string;
  version: number;
}
export interface GetAllChildrenNumberRequest {
  op: 'getAllChildrenNumber';
  path: string;
}
export interface GetEphemeralsRequest {
  op: 'getEphemerals';
  prefix: string;
}
export interface SyncRequest {
  op: 'sync';
  path: string;
}
export interface GetAclRequest {
  op: 'getACL';
  path: string;
}
export interface SetAclRequest {
  op: 'setACL';
  path: string;
  acl: Acl[];
  version: number;
}
export type MultiOp = CreateRequest | DeleteRequest | SetDataRequest | CheckRequest;
export interface MultiRequest {
  op: 'multi';
  ops: MultiOp[];
}
export type MultiReadOp = GetDataRequest | GetChildrenRequest;
export interface MultiReadRequest {
  op: 'multiRead';
  ops: MultiReadOp[];
}
export interface AddWatchRequest {
  op: 'addWatch';
  path: string;
  mode: AddWatchMode;
}
export interface RemoveWatchesRequest {
  op: 'removeWatches' | 'checkWatches';
  path: string;
  watcherType: WatcherType;
}
export interface SetWatchesRequest {
  op: 'setWatches';
  relativeZxid: number;
  dataWatches: string[];
  existWatches: string[];
  childWatches: string[];
  persistentWatches: string[];
  persistentRecursiveWatches: string[];
}
export interface AuthRequest {
  op: 'auth';
  scheme: string;
  auth: Buffer;
}
export interface PingRequest {
  op: 'ping';
}
export interface CloseRequest {
  op: 'close';
}
export interface WhoAmIRequest {
  op: 'whoAmI';
}

export type Request =
  | CreateRequest
  | DeleteRequest
  | ExistsRequest
  | GetDataRequest
  | SetDataRequest
  | GetChildrenRequest
  | CheckRequest
  | GetAllChildrenNumberRequest
  | GetEphemeralsRequest
  | SyncRequest
  | GetAclRequest
  | SetAclRequest
  | MultiRequest
  | MultiReadRequest
  | AddWatchRequest
  | RemoveWatchesRequest
  | SetWatchesRequest
  | AuthRequest
  | PingRequest
  | CloseRequest
  | WhoAmIRequest;

export type OpName = Request['op'];

/** Operations that change the tree (and so get a zxid and wait for the disk). */
export const WRITE_OPS: ReadonlySet<OpName> = new Set<OpName>([
  'create',
  'delete',
  'setData',
  'setACL',
  'multi',
  'check',
  'close',
]);

// ---------------------------------------------------------------------------------------
// Results: what a successful operation returns. A failure is an error code instead.

export interface MultiResultEntry {
  op: MultiOp['op'] | 'error';
  /** 0 for success; in a failed multi, 0 before the failing op, its code, then -2 after it. */
  err: number;
  path?: string;
  stat?: Stat;
}
export interface MultiReadResultEntry {
  op: MultiReadOp['op'] | 'error';
  err: number;
  data?: Buffer | null;
  stat?: Stat;
  children?: string[];
}

export interface Result {
  /** create, sync */
  path?: string;
  /** exists, getData, setData, getChildren, create, getACL, setACL */
  stat?: Stat;
  /** getData */
  data?: Buffer | null;
  /** getChildren */
  children?: string[];
  /** getAllChildrenNumber */
  count?: number;
  /** getEphemerals */
  paths?: string[];
  /** getACL */
  acl?: Acl[];
  /** multi */
  results?: MultiResultEntry[];
  /** multiRead */
  readResults?: MultiReadResultEntry[];
  /** whoAmI */
  clientInfo?: { authScheme: string; user: string }[];
}

// ---------------------------------------------------------------------------------------
// The session handshake.

export interface ConnectRequest {
  protocolVersion: number;
  /** The last zxid this client saw (0 for a new client). */
  lastZxidSeen: number;
  /** The requested session timeout; the server negotiates it into [2, 20] x tick. */
  timeoutMs: number;
  /** 0n for a new session; otherwise the session to resume. */
  sessionId: bigint;
  /** 16 bytes; zeros for a new session. */
  password: Buffer;
  readOnly: boolean;
}

export interface ConnectResponse {
  protocolVersion: number;
  /** 0 means the session is expired (or unknown): the client must start a new one. */
  timeoutMs: number;
  sessionId: bigint;
  password: Buffer;
  readOnly: boolean;
}

/**
 * A session id as ZooKeeper prints it (Long.toHexString): the 64 bits as unsigned hex, so an id
 * with the top bit set (a server id of 128 or more) reads "0xff..." and parses back, where a
 * signed "0x-1" would not.
 */
export function formatSessionId(id: bigint): string {
  return '0x' + BigInt.asUintN(64, id).toString(16);
}

export function parseSessionId(text: string): bigint {
  if (!/^(0x[0-9a-fA-F]{1,16}|[0-9]{1,20})$/.test(text)) {
    throw new Error(`not a session id: ${JSON.stringify(text)}`);
  }
  const id = BigInt(text);
  if (id > 0xffffffffffffffffn) throw new Error(`session id out of range: ${text}`);
  return BigInt.asIntN(64, id);
}
