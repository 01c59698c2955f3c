/**
 * The wire format between ensemble members, on both the quorum and the election port: binary
 * frames, each one `PeerFrame`, in jute's primitives (src/protocol/zookeeper/jute.ts: int and
 * long big-endian, buffers and strings length-prefixed):
 *
 *   frame   u32 length of the rest | byte type | the type's fields, in order
 *
 * The types and their fields. Where ZooKeeper's QuorumPacket has the same message, the type
 * has its number (Leader.java's constants: PROPOSAL 2, ACK 3...); our own start at 100. A
 * zxid, a time or a size is a long; an id or an epoch an int; txns are txn.ts's binary form.
 *
 *   REQUEST         1   txn                      a follower forwards a client's write
 *   PROPOSAL        2   long zxid, txn
 *   ACK             3   long zxid
 *   COMMIT          4   long zxid
 *   PING            5   -
 *   SYNC            7   int id                   a client's sync, follower -> leader
 *   INFORM          8   long zxid, txn           a committed entry, leader -> observer
 *   NEWLEADER      10   int epoch
 *   FOLLOWERINFO   11   int acceptedEpoch
 *   UPTODATE       12   long committed
 *   DIFF           13   long truncateTo          the start of a follower's sync, by mode
 *   TRUNC          14   long truncateTo
 *   SNAP           15   long truncateTo, long snapshotZxid, long snapshotBytes
 *   LEADERINFO     17   int newEpoch
 *   ACKEPOCH       18   int currentEpoch, long lastZxid, vector<int epoch, long zxid> epochEnds
 *   HELLO         100   int id                   the first frame on every connection
 *   NOTIFICATION  101   int leader, long zxid, int epoch (the vote), int electionEpoch,
 *                       byte state (looking 0, following 1, leading 2: ZooKeeper's ServerState)
 *   TOUCH         102   vector<long> sessions
 *   SYNCED        103   int id, long zxid        the leader's answer to SYNC
 *   SNAPCHUNK     104   buffer data
 *   SYNCENTRIES   105   vector<long zxid, txn> entries
 *   ACKNEWLEADER  106   int epoch, long lastZxid
 *
 * A new message is a new type number, one case in `writeFields` and one in `readFrame`; a
 * peer that does not know it closes the connection (FrameError). Bad input (an unknown type,
 * a field cut short or left over, an unknown state) is a `FrameError`, never a crash.
 */
import { JuteError, JuteReader, JuteWriter } from '../../src/protocol/zookeeper/jute.js';
import { unreachable } from '../../src/assert.js';
import { readTxn, writeTxn, type CoordinatorTxn } from './txn.js';
import type { LogEntry, PeerState, ZabMessage } from './zab.js';

export type PeerFrame =
  /** The first frame on every connection: who is calling. */
  | { t: 'hello'; id: number }
  | { t: 'zab'; m: ZabMessage<CoordinatorTxn> }
  /** Follower -> leader, every tick: sessions that heard from their clients (ZooKeeper sends
   *  these with its PINGs), so the leader, which expires sessions, keeps them alive. */
  | { t: 'touch'; sessions: bigint[] }
  /** Follower -> leader: a client's `sync`; the leader answers with its last proposed zxid,
   *  and the follower answers its client once it has applied up to there. */
  | { t: 'sync'; id: number }
  | { t: 'synced'; id: number; zxid: number };

/** The type byte of each frame. */
export const FrameType = {
  request: 1,
  proposal: 2,
  ack: 3,
  commit: 4,
  ping: 5,
  sync: 7,
  inform: 8,
  newLeader: 10,
  followerInfo: 11,
  upToDate: 12,
  diff: 13,
  trunc: 14,
  snap: 15,
  leaderInfo: 17,
  ackEpoch: 18,
  hello: 100,
  notification: 101,
  touch: 102,
  synced: 103,
  snapChunk: 104,
  syncEntries: 105,
  ackNewLeader: 106,
} as const;

/** A frame larger than this is a corrupt length, not a message (SNAPs go in 512 KiB chunks). */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

const PEER_STATES: readonly PeerState[] = ['looking', 'following', 'leading'];

export class FrameError extends Error {
  override name = 'FrameError';
}

export function writeEntry(w: JuteWriter, entry: LogEntry<CoordinatorTxn>): void {
  w.longNumber(entry.zxid);
  writeTxn(w, entry.txn);
}

export function readEntry(r: JuteReader): LogEntry<CoordinatorTxn> {
  return { zxid: r.longNumber('zxid'), txn: readTxn(r) };
}

function writeFields(w: JuteWriter, m: ZabMessage<CoordinatorTxn>): void {
  switch (m.type) {
    case 'request':
      w.byte(FrameType.request);
      return writeTxn(w, m.txn);
    case 'proposal':
      w.byte(FrameType.proposal);
      return writeEntry(w, m.entry);
    case 'inform':
      w.byte(FrameType.inform);
      return writeEntry(w, m.entry);
    case 'ack':
      w.byte(FrameType.ack).longNumber(m.zxid);
      return;
    case 'commit':
      w.byte(FrameType.commit).longNumber(m.zxid);
      return;
    case 'ping':
      w.byte(FrameType.ping);
      return;
    case 'newLeader':
      w.byte(FrameType.newLeader).int(m.epoch);
      return;
    case 'followerInfo':
      w.byte(FrameType.followerInfo).int(m.acceptedEpoch);
      return;
    case 'upToDate':
      w.byte(FrameType.upToDate).longNumber(m.committed);
      return;
    case 'sync':
      w.byte(FrameType[m.mode]).longNumber(m.truncateTo);
      if (m.mode === 'snap') w.longNumber(m.snapshotZxid ?? 0).longNumber(m.snapshotBytes ?? 0);
      return;
    case 'leaderInfo':
      w.byte(FrameType.leaderInfo).int(m.newEpoch);
      return;
    case 'ackEpoch':
      w.byte(FrameType.ackEpoch).int(m.currentEpoch).longNumber(m.lastZxid);
      w.vector(m.epochEnds, (w, [epoch, zxid]) => w.int(epoch).longNumber(zxid));
      return;
    case 'notification':
      w.byte(FrameType.notification);
      w.int(m.vote.leader).longNumber(m.vote.zxid).int(m.vote.epoch);
      w.int(m.electionEpoch).byte(PEER_STATES.indexOf(m.state));
      return;
    case 'snapChunk':
      w.byte(FrameType.snapChunk).buffer(m.data);
      return;
    case 'syncEntries':
      w.byte(FrameType.syncEntries).vector(m.entries, writeEntry);
      return;
    case 'ackNewLeader':
      w.byte(FrameType.ackNewLeader).int(m.epoch).longNumber(m.lastZxid);
      return;
    default:
      unreachable(m);
  }
}

/**
 * The last PROPOSAL encoded: a leader sends each entry to every follower in a row, so the
 * frame is encoded once (one slot, so nothing is kept beyond the next proposal).
 */
let lastProposal: { entry: LogEntry<CoordinatorTxn>; bytes: Buffer } | undefined;

export function encodeFrame(frame: PeerFrame): Buffer {
  if (frame.t === 'zab' && frame.m.type === 'proposal') {
    const entry = frame.m.entry;
    if (lastProposal?.entry !== entry) lastProposal = { entry, bytes: encodeUncached(frame) };
    return lastProposal.bytes;
  }
  return encodeUncached(frame);
}

function encodeUncached(frame: PeerFrame): Buffer {
  // Room for most frames at once (a PROPOSAL of a 100-byte create is 232 bytes); the length
  // goes in front when the size is known, so the frame is never copied.
  const w = new JuteWriter(384);
  w.int(0);
  switch (frame.t) {
    case 'zab':
      writeFields(w, frame.m);
      break;
    case 'hello':
      w.byte(FrameType.hello).int(frame.id);
      break;
    case 'touch':
      w.byte(FrameType.touch).vector(frame.sessions, (w, id) => w.long(id));
      break;
    case 'sync':
      w.byte(FrameType.sync).int(frame.id);
      break;
    case 'synced':
      w.byte(FrameType.synced).int(frame.id).longNumber(frame.zxid);
      break;
  }
  const bytes = w.view();
  bytes.writeUInt32BE(bytes.length - 4, 0);
  return bytes;
}

const zab = (m: ZabMessage<CoordinatorTxn>): PeerFrame => ({ t: 'zab', m });

function readBuffer(r: JuteReader): Buffer {
  const data = r.buffer();
  if (data === null) throw new JuteError('null buffer');
  return data;
}

/** One frame's payload (after its length); throws JuteError or FrameError. */
function readFrame(r: JuteReader): PeerFrame {
  const type = r.byte();
  switch (type) {
    case FrameType.request:
      return zab({ type: 'request', txn: readTxn(r) });
    case FrameType.proposal:
      return zab({ type: 'proposal', entry: readEntry(r) });
    case FrameType.inform:
      return zab({ type: 'inform', entry: readEntry(r) });
    case FrameType.ack:
      return zab({ type: 'ack', zxid: r.longNumber('zxid') });
    case FrameType.commit:
      return zab({ type: 'commit', zxid: r.longNumber('zxid') });
    case FrameType.ping:
      return zab({ type: 'ping' });
    case FrameType.sync:
      return { t: 'sync', id: r.int() };
    case FrameType.newLeader:
      return zab({ type: 'newLeader', epoch: r.int() });
    case FrameType.followerInfo:
      return zab({ type: 'followerInfo', acceptedEpoch: r.int() });
    case FrameType.upToDate:
      return zab({ type: 'upToDate', committed: r.longNumber('zxid') });
    case FrameType.diff:
      return zab({ type: 'sync', mode: 'diff', truncateTo: r.longNumber('zxid') });
    case FrameType.trunc:
      return zab({ type: 'sync', mode: 'trunc', truncateTo: r.longNumber('zxid') });
    case FrameType.snap:
      return zab({
        type: 'sync',
        mode: 'snap',
        truncateTo: r.longNumber('zxid'),
        snapshotZxid: r.longNumber('zxid'),
        snapshotBytes: r.longNumber('size'),
      });
    case FrameType.leaderInfo:
      return zab({ type: 'leaderInfo', newEpoch: r.int() });
    case FrameType.ackEpoch:
      return zab({
        type: 'ackEpoch',
        currentEpoch: r.int(),
        lastZxid: r.longNumber('zxid'),
        epochEnds: r.vector((r): [number, number] => [r.int(), r.longNumber('zxid')]),
      });
    case FrameType.hello:
      return { t: 'hello', id: r.int() };
    case FrameType.notification: {
      const vote = { leader: r.int(), zxid: r.longNumber('zxid'), epoch: r.int() };
      const electionEpoch = r.int();
      const stateByte = r.byte();
      const state = PEER_STATES[stateByte];
      if (state === undefined) throw new FrameError(`peer state ${stateByte}`);
      return zab({ type: 'notification', vote, electionEpoch, state });
    }
    case FrameType.touch:
      return { t: 'touch', sessions: r.vector((r) => r.long()) };
    case FrameType.synced:
      return { t: 'synced', id: r.int(), zxid: r.longNumber('zxid') };
    case FrameType.snapChunk:
      return zab({ type: 'snapChunk', data: readBuffer(r) });
    case FrameType.syncEntries:
      return zab({ type: 'syncEntries', entries: r.vector(readEntry) });
    case FrameType.ackNewLeader:
      return zab({ type: 'ackNewLeader', epoch: r.int(), lastZxid: r.longNumber('zxid') });
    default:
      throw new FrameError(`unknown frame type ${type}`);
  }
}

/** Decodes one frame's payload (the bytes after its length). */
export function decodePayload(payload: Buffer): PeerFrame {
  const r = new JuteReader(payload);
  let frame: PeerFrame;
  try {
    frame = readFrame(r);
  } catch (err) {
    if (err instanceof FrameError) throw err;
    if (err instanceof JuteError) throw new FrameError(`undecodable frame: ${err.message}`);
    throw err;
  }
  if (r.remaining !== 0) throw new FrameError(`${r.remaining} bytes after a frame`);
  return frame;
}

/** Splits a byte stream into frames; `push` returns the frames completed by a chunk. */
export class FrameDecoder {
  #buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): PeerFrame[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const frames: PeerFrame[] = [];
    let offset = 0;
    while (this.#buffer.length - offset >= 4) {
      const length = this.#buffer.readUInt32BE(offset);
      if (length > MAX_FRAME_BYTES) throw new FrameError(`frame of ${length} bytes`);
      if (this.#buffer.length - offset - 4 < length) break;
      const payload = this.#buffer.subarray(offset + 4, offset + 4 + length);
      offset += 4 + length;
      frames.push(decodePayload(payload));
    }
    this.#buffer = offset === 0 ? this.#buffer : this.#buffer.subarray(offset);
    return frames;
  }
}
