/**
 * The ensemble's wire codec (coordinator/ensemble/codec.ts): frames survive any split of the
 * byte stream, Buffers and bigints round-trip, and garbage is an error, not a crash.
 */
import t from 'tap';
import {
  encodeFrame,
  FrameDecoder,
  FrameError,
  MAX_FRAME_BYTES,
  type PeerFrame,
} from '../../../coordinator/ensemble/codec.js';

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

t.test('frames round-trip, whatever the chunking', async (t) => {
  const frames: PeerFrame[] = [
    { t: 'hello', id: 3 },
    proposal,
    { t: 'touch', sessions: [1n, 2n ** 62n] },
    { t: 'zab', m: { type: 'ping' } },
  ];
  const bytes = Buffer.concat(frames.map(encodeFrame));
  for (const size of [1, 3, 7, 64, bytes.length]) {
    const decoder = new FrameDecoder();
    const out: PeerFrame[] = [];
    for (let i = 0; i < bytes.length; i += size)
      out.push(...decoder.push(bytes.subarray(i, i + size)));
    t.same(out, frames, `chunks of ${size} bytes`);
  }
  const decoded = new FrameDecoder().push(encodeFrame(proposal))[0]!;
  t.ok(decoded.t === 'zab' && decoded.m.type === 'proposal');
  if (
    decoded.t === 'zab' &&
    decoded.m.type === 'proposal' &&
    decoded.m.entry.txn.type === 'write'
  ) {
    const request = decoded.m.entry.txn.request;
    t.ok(request.op === 'create' && Buffer.isBuffer(request.data), 'data is a Buffer again');
    t.equal(typeof decoded.m.entry.txn.sessionId, 'bigint', 'session id is a bigint again');
    t.equal(decoded.m.entry.zxid, 2 ** 32 * 3 + 7, 'a 64-bit zxid survives');
  }
});

t.test('bad input is a FrameError', async (t) => {
  const huge = Buffer.alloc(4);
  huge.writeUInt32BE(MAX_FRAME_BYTES + 1, 0);
  t.throws(() => new FrameDecoder().push(huge), FrameError);
  const junk = Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from('{{{')]);
  t.throws(() => new FrameDecoder().push(junk), FrameError);
  const untyped = Buffer.concat([Buffer.from([0, 0, 0, 2]), Buffer.from('{}')]);
  t.throws(() => new FrameDecoder().push(untyped), FrameError);
});
