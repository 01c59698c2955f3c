/**
 * The wire format between ensemble members, on both the quorum and the election port:
 * length-prefixed frames (u32 big-endian byte length, then the payload), each payload one
 * `PeerFrame` as JSON. JSON has no Buffer or bigint, so the encoder writes them as
 * `{"$b": base64}` and `{"$n": "decimal"}` and the decoder turns them back; no other object
 * in our messages has a key starting with `$`.
 */
import type { ZabMessage } from './zab.js';
import type { CoordinatorTxn } from './txn.js';

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

/** A frame larger than this is a corrupt length, not a message (SNAPs go in 512 KiB chunks). */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

export function encodePayload(value: unknown): Buffer {
  const json = JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key];
    if (Buffer.isBuffer(raw)) return { $b: raw.toString('base64') };
    if (typeof v === 'bigint') return { $n: v.toString() };
    return v;
  });
  return Buffer.from(json, 'utf8');
}

export function decodePayload(bytes: Buffer): unknown {
  return JSON.parse(bytes.toString('utf8'), (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && typeof o.$b === 'string') return Buffer.from(o.$b, 'base64');
      if (keys.length === 1 && typeof o.$n === 'string') return BigInt(o.$n);
    }
    return v;
  });
}

export function encodeFrame(frame: PeerFrame): Buffer {
  const payload = encodePayload(frame);
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(payload.length, 0);
  return Buffer.concat([header, payload]);
}

export class FrameError extends Error {
  override name = 'FrameError';
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
      let decoded: unknown;
      try {
        decoded = decodePayload(payload);
      } catch (err) {
        throw new FrameError(`undecodable frame: ${(err as Error).message}`);
      }
      if (decoded === null || typeof decoded !== 'object' || !('t' in decoded)) {
        throw new FrameError('frame without a type');
      }
      frames.push(decoded as PeerFrame);
    }
    this.#buffer = offset === 0 ? this.#buffer : this.#buffer.subarray(offset);
    return frames;
  }
}
