/**
 * The bytes of a Zab snapshot of the coordinator (zab.ts's opaque `Snapshot.data`): the data
 * tree and the sessions as of one zxid. Nodes use the store's node encoding (store.ts
 * `encodeNode`), so a snapshot holds exactly what the standalone store would.
 *
 *   "SNP1" | f64 zxid | u32 node count
 *   | per node:    u32 path length | path (UTF-8) | u32 node length | encoded node
 *   | u32 session count
 *   | per session: i64 id | u32 timeoutMs | u16 password length | password
 *
 * Nodes come in any order (the tree's map order at the snapshot's moment); `decodeSnapshot`
 * returns them parents before children (by depth), as loading needs, so the serving server
 * does not sort. Integrity (a torn file) is checked by the disk layer's CRC around these bytes
 * (zab-disk.ts).
 *
 * A server serializes its snapshot while it goes on serving: `SnapshotEncoder` encodes a
 * consistent source (a copy-on-write `TreeView` of the tree, data-tree.ts) a slice of nodes at
 * a time, and `encodeSnapshotInSlices` hands the event loop back between slices.
 */
import {
  decodeNode,
  encodeNode,
  type LoadedState,
  type StoredNode,
  type StoredSession,
} from '../store.js';

const MAGIC = Buffer.from('SNP1');
/** The encoder writes into buffers of this size (one node larger than it gets its own). */
const PART_BYTES = 1024 * 1024;
/** Bytes of encoded parts copied into the snapshot's buffer per slice. */
const ASSEMBLE_BYTES = 4 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

export class SnapshotFormatError extends Error {
  override name = 'SnapshotFormatError';
}

/** What a snapshot is made of: it must not change while it is encoded. */
export interface SnapshotSource {
  lastZxid: number;
  /** Any order. */
  paths: readonly string[];
  node(path: string): StoredNode | undefined;
  sessions: readonly StoredSession[];
}

/** Encodes a snapshot a slice of nodes at a time (`encodeNodes`), then `assemble`s its bytes. */
export class SnapshotEncoder {
  readonly #source: SnapshotSource;
  readonly #parts: Buffer[] = [];
  #part: Buffer;
  #used = 0;
  #next = 0;
  #size = 0;
  /** Assembling: the snapshot's buffer, the parts copied into it and where the next goes. */
  #out: Buffer | undefined;
  #copied = 0;
  #offset = 0;

  constructor(source: SnapshotSource) {
    this.#source = source;
    this.#part = Buffer.allocUnsafe(PART_BYTES);
    const header = Buffer.allocUnsafe(MAGIC.length + 12);
    MAGIC.copy(header, 0);
    header.writeDoubleBE(source.lastZxid, MAGIC.length);
    header.writeUInt32BE(source.paths.length, MAGIC.length + 8);
    this.#push(header);
  }

  get done(): boolean {
    return this.#next >= this.#source.paths.length;
  }

  /** Nodes encoded so far. */
  get encoded(): number {
    return this.#next;
  }

  /** Encode up to `count` more nodes; true once every node is encoded. */
  encodeNodes(count: number): boolean {
    const paths = this.#source.paths;
    const end = Math.min(paths.length, this.#next + count);
    for (; this.#next < end; this.#next++) {
      const path = paths[this.#next]!;
      const node = this.#source.node(path);
      if (!node) throw new SnapshotFormatError(`snapshot source has no node at ${path}`);
      const encoded = encodeNode(node);
      const pathLength = Buffer.byteLength(path, 'utf8');
      const need = 8 + pathLength + encoded.length;
      if (need > PART_BYTES) {
        const own = Buffer.allocUnsafe(need);
        this.#writeNode(own, 0, path, pathLength, encoded);
        this.#push(own);
        continue;
      }
      if (this.#used + need > PART_BYTES) this.#seal();
      this.#used = this.#writeNode(this.#part, this.#used, path, pathLength, encoded);
      this.#size += need;
    }
    return this.done;
  }

  /** The snapshot's bytes, at once. */
  finish(): Buffer {
    for (;;) {
      const out = this.assemble(Infinity);
      if (out) return out;
    }
  }

  /**
   * Once every node is encoded: copy up to `maxBytes` more of the encoded parts into the
   * snapshot's one buffer; the buffer once complete. (One copy of tens of MB, into memory
   * touched for the first time, is a stall of its own on a loaded machine: it goes in slices
   * too.) The sessions are appended on the first call, all at once: there are few.
   */
  assemble(maxBytes: number): Buffer | undefined {
    if (!this.#out) {
      this.encodeNodes(Infinity);
      this.#seal();
      const sessions = this.#source.sessions;
      let size = 4;
      for (const session of sessions) size += 14 + session.password.length;
      const tail = Buffer.allocUnsafe(size);
      let o = tail.writeUInt32BE(sessions.length, 0);
      for (const session of sessions) {
        o = tail.writeBigInt64BE(session.id, o);
        o = tail.writeUInt32BE(session.timeoutMs, o);
        o = tail.writeUInt16BE(session.password.length, o);
        o += session.password.copy(tail, o);
      }
      this.#push(tail);
      this.#out = Buffer.allocUnsafe(this.#size);
    }
    const out = this.#out;
    let copied = 0;
    while (this.#copied < this.#parts.length && copied < maxBytes) {
      const part = this.#parts[this.#copied]!;
      this.#parts[this.#copied++] = EMPTY;
      copied += part.copy(out, this.#offset);
      this.#offset += part.length;
    }
    if (this.#copied < this.#parts.length) return undefined;
    if (this.#offset !== out.length) {
      throw new SnapshotFormatError(`snapshot encoding: ${this.#offset} of ${out.length} bytes`);
    }
    return out;
  }

  #writeNode(out: Buffer, at: number, path: string, pathLength: number, node: Buffer): number {
    let o = out.writeUInt32BE(pathLength, at);
    o += out.write(path, o, 'utf8');
    o = out.writeUInt32BE(node.length, o);
    return o + node.copy(out, o);
  }

  #seal(): void {
    if (this.#used === 0) return;
    this.#parts.push(this.#part.subarray(0, this.#used));
    this.#part = Buffer.allocUnsafe(PART_BYTES);
    this.#used = 0;
  }

  #push(bytes: Buffer): void {
    this.#seal();
    this.#parts.push(bytes);
    this.#size += bytes.length;
  }
}

/** A snapshot of a whole state at once (tests, and states that are small). */
export function encodeSnapshot(state: LoadedState): Buffer {
  const nodes = new Map(state.nodes);
  return new SnapshotEncoder({
    lastZxid: state.lastZxid,
    paths: state.nodes.map(([path]) => path),
    node: (path) => nodes.get(path),
    sessions: state.sessions,
  }).finish();
}

export interface SlicedEncoding {
  data: Buffer;
  /** Slices the nodes were encoded in (each one synchronous stretch of the event loop). */
  slices: number;
  /** The longest slice, in ms of `nowMs`. */
  longestSliceMs: number;
}

/** Thrown out of `encodeSnapshotInSlices` when `aborted()` turns true between two slices. */
export class SnapshotAbortedError extends Error {
  override name = 'SnapshotAbortedError';
}

/**
 * Encode `source` in slices of about `sliceMs` each, awaiting `pause()` (the caller's way of
 * yielding to the event loop, e.g. setImmediate) between them. The source must stay as it
 * was meanwhile (a `TreeView` does).
 */
export async function encodeSnapshotInSlices(
  source: SnapshotSource,
  options: {
    pause: () => Promise<void>;
    nowMs: () => number;
    sliceMs?: number;
    aborted?: () => boolean;
  },
): Promise<SlicedEncoding> {
  const sliceMs = options.sliceMs ?? 5;
  const encoder = new SnapshotEncoder(source);
  let slices = 0;
  let longestSliceMs = 0;
  for (;;) {
    const started = options.nowMs();
    // Check the time every 256 nodes: one node is at most 1 MiB of data, most are small.
    let data: Buffer | undefined;
    if (!encoder.done) {
      let done = encoder.encodeNodes(256);
      while (!done && options.nowMs() - started < sliceMs) done = encoder.encodeNodes(256);
    } else {
      data = encoder.assemble(ASSEMBLE_BYTES);
    }
    slices++;
    longestSliceMs = Math.max(longestSliceMs, options.nowMs() - started);
    if (data) return { data, slices, longestSliceMs };
    await options.pause();
    if (options.aborted?.()) throw new SnapshotAbortedError('snapshot abandoned');
  }
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
  return { lastZxid, nodes: parentsFirst(nodes), sessions };
}

/** `/a/b` -> 2; the root is 0. */
function depthOf(path: string): number {
  if (path === '/') return 0;
  let depth = 0;
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) depth++;
  return depth;
}

/** The nodes ordered by depth (stable): every parent before its children. */
function parentsFirst(nodes: LoadedState['nodes']): LoadedState['nodes'] {
  const byDepth: LoadedState['nodes'][] = [];
  for (const entry of nodes) (byDepth[depthOf(entry[0])] ??= []).push(entry);
  return byDepth.length <= 1 ? (byDepth[0] ?? []) : byDepth.flat();
}
