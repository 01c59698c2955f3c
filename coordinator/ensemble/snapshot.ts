/**
 * The bytes of a Zab snapshot of the coordinator (zab.ts's opaque `Snapshot.data`): the data
 * tree and the sessions as of one zxid, as `CoordinatorServer.snapshotState()` returns them.
 * Nodes use the store's node encoding (store.ts `encodeNode`), so a snapshot holds exactly
 * what the standalone store would.
 *
 *   "SNP1" | f64 zxid | u32 node count
 *   | per node:    u32 path length | path (UTF-8) | u32 node length | encoded node
 *   | u32 session count
 *   | per session: i64 id | u32 timeoutMs | u16 password length | password
 *
 * Nodes come in path order, parents before children, as loading needs. Integrity (a torn
 * file) is checked by the disk layer's CRC around these bytes (zab-disk.ts).
 */
import { decodeNode, encodeNode, type LoadedState } from '../store.js';

const MAGIC = Buffer.from('SNP1');

export class SnapshotFormatError extends Error {
  override name = 'SnapshotFormatError';
}

export function encodeSnapshot(state: LoadedState): Buffer {
  const parts: Buffer[] = [MAGIC];
  const head = Buffer.allocUnsafe(12);
  head.writeDoubleBE(state.lastZxid, 0);
  head.writeUInt32BE(state.nodes.length, 8);
  parts.push(head);
  for (const [path, node] of state.nodes) {
    const pathBytes = Buffer.from(path, 'utf8');
    const encoded = encodeNode(node);
    const lengths = Buffer.allocUnsafe(4);
    lengths.writeUInt32BE(pathBytes.length, 0);
    const nodeLength = Buffer.allocUnsafe(4);
    nodeLength.writeUInt32BE(encoded.length, 0);
    parts.push(lengths, pathBytes, nodeLength, encoded);
  }
  const count = Buffer.allocUnsafe(4);
  count.writeUInt32BE(state.sessions.length, 0);
  parts.push(count);
  for (const session of state.sessions) {
    const fixed = Buffer.allocUnsafe(14);
    fixed.writeBigInt64BE(session.id, 0);
    fixed.writeUInt32BE(session.timeoutMs, 8);
    fixed.writeUInt16BE(session.password.length, 12);
    parts.push(fixed, session.password);
  }
  return Buffer.concat(parts);
}

export function decodeSnapshot(bytes: Buffer): LoadedState {
  let o = 0;
  const need = (n: number): void => {
    if (o + n > bytes.length) throw new SnapshotFormatError('snapshot cut short');
  };
  need(16);
  if (!bytes.subarray(0, 4).equals(MAGIC)) throw new SnapshotFormatError('not a snapshot');
  o = 4;
  const lastZxid = bytes.readDoubleBE(o);
  const nodeCount = bytes.readUInt32BE(o + 8);
  o += 12;
  const nodes: LoadedState['nodes'] = [];
  for (let i = 0; i < nodeCount; i++) {
    need(4);
    const pathLength = bytes.readUInt32BE(o);
    o += 4;
    need(pathLength + 4);
    const path = bytes.toString('utf8', o, o + pathLength);
    o += pathLength;
    const nodeLength = bytes.readUInt32BE(o);
    o += 4;
    need(nodeLength);
    // decodeNode copies what it keeps (the data) out of the buffer it is given.
    nodes.push([path, decodeNode(bytes.subarray(o, o + nodeLength))]);
    o += nodeLength;
  }
  need(4);
  const sessionCount = bytes.readUInt32BE(o);
  o += 4;
  const sessions: LoadedState['sessions'] = [];
  for (let i = 0; i < sessionCount; i++) {
    need(14);
    const id = bytes.readBigInt64BE(o);
    const timeoutMs = bytes.readUInt32BE(o + 8);
    const passwordLength = bytes.readUInt16BE(o + 12);
    o += 14;
    need(passwordLength);
    sessions.push({ id, timeoutMs, password: Buffer.from(bytes.subarray(o, o + passwordLength)) });
    o += passwordLength;
  }
  if (o !== bytes.length) throw new SnapshotFormatError('bytes after the snapshot');
  return { lastZxid, nodes, sessions };
}
