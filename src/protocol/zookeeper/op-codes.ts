/**
 * ZooKeeper's operation codes (`ZooDefs.OpCode`): the `type` field of a RequestHeader and of
 * a MultiHeader. docs/zookeeper-protocol.md ("Opcodes") gives the request and response
 * record of each. The special xids that travel in the same headers are here too.
 */
export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  sasl: 102,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const;

export type OpCodeName = keyof typeof OpCode;
export type OpCodeValue = (typeof OpCode)[OpCodeName];

const NAME_BY_CODE = new Map<number, OpCodeName>(
  (Object.keys(OpCode) as OpCodeName[]).map((name) => [OpCode[name], name]),
);

/** `create2`, or `op(42)` for a code ZooKeeper does not define. */
export function opCodeName(code: number): string {
  return NAME_BY_CODE.get(code) ?? `op(${code})`;
}

/**
 * Reserved xids. Normal requests use xids from 0 (node-zookeeper-client) or 1 (Java, kazoo)
 * upward; these negative ones mark packets that live outside the in-order reply queue.
 */
export const Xid = {
  /** Server → client watch notification. */
  notification: -1,
  /** Ping request and its reply (the server always answers -2). */
  ping: -2,
  /** Auth packet and its reply (zxid 0). */
  auth: -4,
  /**
   * setWatches as sent by the C client and node-zookeeper-client; the Java client renumbers
   * it. The server is not supposed to treat it specially: it echoes whatever xid arrives.
   */
  setWatches: -8,
} as const;

/** ZooKeeper's KeeperState numbers; a notification always carries SyncConnected. */
export const KeeperState = {
  Disconnected: 0,
  SyncConnected: 3,
  AuthFailed: 4,
  ConnectedReadOnly: 5,
  Expired: -112,
  Closed: 7,
} as const;
