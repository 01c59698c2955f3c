/**
 * The ensemble's wire codec (coordinator/ensemble/codec.ts) and the binary txns inside it
 * (txn.ts): every frame survives encode then decode, whatever the chunking of the byte
 * stream, and arbitrary or damaged bytes give a FrameError, never another exception.
 */
import t from 'tap';
import fc from 'fast-check';
import {
  decodePayload,
  encodeFrame,
  FrameDecoder,
  FrameError,
  MAX_FRAME_BYTES,
  type PeerFrame,
} from '../../../coordinator/ensemble/codec.js';
import type { CoordinatorTxn } from '../../../coordinator/ensemble/txn.js';
import type { LogEntry, ZabMessage } from '../../../coordinator/ensemble/zab.js';
import { bytesArbitrary, containsValue } from '../../fuzz/kafka-arbitrary.js';
import { writeRequestArbitrary } from '../../fuzz/coordinator-arbitrary.js';
import { applyMutations, mutations } from '../../fuzz/byte-mutations.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

/** Deep equality with Buffers by content (fast-check's records have no prototype). */
const equal = (a: unknown, b: unknown) => containsValue(a, b) && containsValue(b, a);

const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const epoch = fc.integer({ min: 0, max: 0x7fffffff });
const zxid = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const text = fc.string({ unit: 'binary', maxLength: 12 });
const sessionId = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const origin = fc.record({ server: int32, run: int32, seq: zxid });
const identity = fc.record({ scheme: text, id: text });

const txn: fc.Arbitrary<CoordinatorTxn> = fc.oneof(
  fc.record({
    type: fc.constant('createSession' as const),
    origin,
    sessionId,
    timeoutMs: int32,
    password: bytesArbitrary(0, 16),
  }),
  fc.record(
    { type: fc.constant('closeSession' as const), origin, sessionId, reason: text },
    { requiredKeys: ['type', 'sessionId', 'reason'] },
  ),
  fc.record(
    {
      type: fc.constant('write' as const),
      origin,
      sessionId,
      request: writeRequestArbitrary,
      ids: fc.array(identity, { maxLength: 3 }),
      timeMs: zxid,
    },
    { requiredKeys: ['type', 'sessionId', 'request', 'timeMs'] },
  ),
);
const entry: fc.Arbitrary<LogEntry<CoordinatorTxn>> = fc.record({ zxid, txn });

const message: fc.Arbitrary<ZabMessage<CoordinatorTxn>> = fc.oneof(
  fc.record({
    type: fc.constant('notification' as const),
    vote: fc.record({ leader: int32, zxid, epoch }),
    electionEpoch: epoch,
    state: fc.constantFrom('looking' as const, 'following' as const, 'leading' as const),
  }),
  fc.record({ type: fc.constant('followerInfo' as const), acceptedEpoch: epoch }),
  fc.record({ type: fc.constant('leaderInfo' as const), newEpoch: epoch }),
  fc.record({
    type: fc.constant('ackEpoch' as const),
    currentEpoch: epoch,
    lastZxid: zxid,
    epochEnds: fc.array(fc.tuple(epoch, zxid), { maxLength: 4 }),
  }),
  fc.record({
    type: fc.constant('sync' as const),
    mode: fc.constantFrom('diff' as const, 'trunc' as const),
    truncateTo: zxid,
  }),
  fc.record({
    type: fc.constant('sync' as const),
    mode: fc.constant('snap' as const),
    truncateTo: zxid,
    snapshotZxid: zxid,
    snapshotBytes: zxid,
  }),
  fc.record({ type: fc.constant('snapChunk' as const), data: bytesArbitrary(0, 64) }),
  fc.record({
    type: fc.constant('syncEntries' as const),
    entries: fc.array(entry, { maxLength: 4 }),
  }),
  fc.record({ type: fc.constant('newLeader' as const), epoch }),
  fc.record({ type: fc.constant('ackNewLeader' as const), epoch, lastZxid: zxid }),
  fc.record({ type: fc.constant('upToDate' as const), committed: zxid }),
  fc.record({ type: fc.constant('proposal' as const), entry }),
  fc.record({ type: fc.constant('inform' as const), entry }),
  fc.record({ type: fc.constant('ack' as const), zxid }),
  fc.record({ type: fc.constant('commit' as const), zxid }),
  fc.record({ type: fc.constant('request' as const), txn }),
  fc.constant({ type: 'ping' as const }),
);

const frame: fc.Arbitrary<PeerFrame> = fc.oneof(
  fc.record({ t: fc.constant('hello' as const), id: int32 }),
  message.map((m): PeerFrame => ({ t: 'zab', m })),
  fc.record({ t: fc.constant('touch' as const), sessions: fc.array(sessionId, { maxLength: 4 }) }),
  fc.record({ t: fc.constant('sync' as const), id: int32 }),
  fc.record({ t: fc.constant('synced' as const), id: int32, zxid }),
);

/** Decodes, or fails only with the codec's own error. */
function decodesOrFrameError(bytes: Buffer): boolean {
  try {
    new FrameDecoder().push(bytes);
    return true;
  } catch (err) {
    return err instanceof FrameError;
  }
}

t.test('every frame round-trips, whatever the chunking', async (t) => {
  const check = (): void =>
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 5 }), fc.nat(), (frames, cut) => {
        const bytes = Buffer.concat(frames.map(encodeFrame));
        const size = 1 + (cut % bytes.length);
        const decoder = new FrameDecoder();
        const out: PeerFrame[] = [];
        for (let i = 0; i < bytes.length; i += size) {
          out.push(...decoder.push(bytes.subarray(i, i + size)));
        }
        return equal(out, frames);
      }),
      { numRuns: 2000, seed },
    );
  t.doesNotThrow(check, '2000 sequences of frames round-trip');
});

t.test('a 64-bit zxid, a bigint session id and a Buffer keep their types', async (t) => {
  const proposal: PeerFrame = {
    t: 'zab',
    m: {
      type: 'proposal',
      entry: {
        zxid: 2 ** 32 * 3 + 7,
        txn: {
          type: 'write',
          origin: { server: 2, run: 12345, seq: 9 },
          sessionId: -0x0123456789abcdefn,
          request: {
            op: 'create',
            path: '/a',
            data: Buffer.from([0, 1, 2, 255]),
            acl: [{ perms: 31, scheme: 'world', id: 'anyone' }],
            mode: 'persistent',
          },
          ids: [{ scheme: 'ip', id: '127.0.0.1' }],
          timeMs: 1_700_000_000_000,
        },
      },
    },
  };
  const bytes = encodeFrame(proposal);
  t.equal(bytes.length, 120, 'a create with 4 bytes of data is 120 bytes on the wire');
  t.strictSame(new FrameDecoder().push(bytes), [proposal]);
});

t.test('arbitrary bytes and damaged frames give a FrameError', async (t) => {
  const arbitrary = (): void =>
    fc.assert(
      fc.property(bytesArbitrary(0, 64), (payload) => {
        const length = Buffer.alloc(4);
        length.writeUInt32BE(payload.length, 0);
        return decodesOrFrameError(Buffer.concat([length, payload]));
      }),
      { numRuns: 5000, seed },
    );
  t.doesNotThrow(arbitrary, '5000 arbitrary payloads');
  const damaged = (): void =>
    fc.assert(
      fc.property(frame, mutations, (f, m) => {
        const bytes = encodeFrame(f);
        // Keep the length prefix honest so the damage reaches the payload's decoder.
        const payload = applyMutations(bytes.subarray(4), m);
        try {
          decodePayload(payload);
          return true;
        } catch (err) {
          return err instanceof FrameError;
        }
      }),
      { numRuns: 5000, seed },
    );
  t.doesNotThrow(damaged, '5000 damaged frames');
  const huge = Buffer.alloc(4);
  huge.writeUInt32BE(MAX_FRAME_BYTES + 1, 0);
  t.throws(() => new FrameDecoder().push(huge), FrameError, 'a corrupt length');
  t.throws(() => decodePayload(Buffer.from([99])), FrameError, 'an unknown type');
  t.throws(() => decodePayload(Buffer.from([5, 0])), FrameError, 'a byte after a PING');
  t.throws(() => decodePayload(Buffer.alloc(0)), FrameError, 'an empty frame');
});
