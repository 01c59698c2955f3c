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
  // Encode the nodes first, then copy everything into one buffer of the exact size.
  const encoded = state.nodes.map(([, node]) => encodeNode(node));
  let size = MAGIC.length + 12 + 4;
  for (let i = 0; i < state.nodes.length; i++) {
    size += 8 + Buffer.byteLength(state.nodes[i]![0], 'utf8') + encoded[i]!.length;
  }
  for (const session of state.sessions) size += 14 + session.password.length;
  const out = Buffer.allocUnsafe(size);
  let o = MAGIC.copy(out, 0);
  o = out.writeDoubleBE(state.lastZxid, o);
  o = out.writeUInt32BE(state.nodes.length, o);
  for (let i = 0; i < state.nodes.length; i++) {
    const pathLength = out.write(state.nodes[i]![0], o + 4, 'utf8');
    out.writeUInt32BE(pathLength, o);
    o += 4 + pathLength;
    const node = encoded[i]!;
    o = out.writeUInt32BE(node.length, o);
    o += node.copy(out, o);
  }
  o = out.writeUInt32BE(state.sessions.length, o);
  for (const session of state.sessions) {
    o = out.writeBigInt64BE(session.id, o);
    o = out.writeUInt32BE(session.timeoutMs, o);
    o = out.writeUInt16BE(session.password.length, o);
    o += session.password.copy(out, o);
  }
  if (o !== size) throw new SnapshotFormatError(`snapshot encoding: ${o} of ${size} bytes`);
  return out;
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
