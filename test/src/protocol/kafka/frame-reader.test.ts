import t from 'tap';
import {
  FrameReader,
  SOCKET_REQUEST_MAX_BYTES_DEFAULT,
  peekRequestHeader,
} from '../../../../src/protocol/kafka/frame-reader.js';
import { encodeRequestFrame } from '../../../../src/protocol/kafka/codec.js';
import { ApiKey } from '../../../../src/protocol/kafka/api-keys.js';

const frame = (payload: string): Buffer => {
  const body = Buffer.from(payload);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
};

t.test('splits frames however the bytes arrive', async (t) => {
  const stream = Buffer.concat([frame('one'), frame(''), frame('three'), frame('x'.repeat(300))]);
  for (const step of [1, 2, 3, 5, 7, 64, stream.length]) {
    const reader = new FrameReader();
    const frames: string[] = [];
    for (let i = 0; i < stream.length; i += step) {
      const result = reader.push(stream.subarray(i, i + step));
      t.equal(result.error, undefined);
      frames.push(...result.frames.map((f) => f.toString()));
    }
    t.same(frames, ['one', '', 'three', 'x'.repeat(300)], `chunks of ${step}`);
    t.equal(reader.bufferedBytes, 0);
  }
});

t.test('a frame inside one chunk is a zero-copy slice', async (t) => {
  const chunk = frame('hello');
  const { frames } = new FrameReader().push(chunk);
  t.equal(frames[0]?.buffer, chunk.buffer);
});

t.test('oversize and negative sizes are reported before buffering', async (t) => {
  t.equal(new FrameReader().frameBytesMax, SOCKET_REQUEST_MAX_BYTES_DEFAULT);
  const reader = new FrameReader({ frameBytesMax: 10 });
  const first = reader.push(Buffer.concat([frame('ok'), Buffer.from('0000000b', 'hex')]));
  t.same(
    first.frames.map((f) => f.toString()),
    ['ok'],
    'frames before the bad one still come',
  );
  t.equal(first.error?.code, 'KP_ERR_FRAME_TOO_LARGE');
  t.equal(first.error?.sizeBytes, 11);
  t.match(first.error?.reason, /socket\.request\.max\.bytes=10/);
  t.equal(reader.push(frame('later')).error?.code, 'KP_ERR_FRAME_TOO_LARGE', 'stays failed');
  const negative = new FrameReader().push(Buffer.from('ffffffff', 'hex'));
  t.equal(negative.error?.code, 'KP_ERR_MALFORMED');
  t.throws(() => new FrameReader({ frameBytesMax: -1 }));
});

t.test('peekRequestHeader reads known and unknown requests', async (t) => {
  const chunks = encodeRequestFrame(
    { apiKey: ApiKey.Metadata, apiVersion: 9, correlationId: 12, clientId: 'peeker' },
    { topics: null },
  );
  const peeked = peekRequestHeader(Buffer.concat(chunks).subarray(4));
  t.same(peeked, {
    ok: true,
    header: { apiKey: ApiKey.Metadata, apiVersion: 9, correlationId: 12, clientId: 'peeker' },
  });
  // ApiVersions v9 from a future client: header still readable.
  const future = Buffer.from('0012000900000005000161' + '00' + 'ffee', 'hex');
  t.same(peekRequestHeader(future), {
    ok: true,
    header: { apiKey: ApiKey.ApiVersions, apiVersion: 9, correlationId: 5, clientId: 'a' },
  });
  const unknownApiKey = 1000; // 0x03e8, no API's key
  const unknown = Buffer.from('03e8000000000007ffff', 'hex');
  t.same(peekRequestHeader(unknown), {
    ok: true,
    header: { apiKey: unknownApiKey, apiVersion: 0, correlationId: 7, clientId: null },
  });
  // ControlledShutdown v0 has no client id.
  t.same(peekRequestHeader(Buffer.from('0007000000000001', 'hex')), {
    ok: true,
    header: { apiKey: ApiKey.ControlledShutdown, apiVersion: 0, correlationId: 1, clientId: null },
  });
  const short = peekRequestHeader(Buffer.from('0012', 'hex'));
  t.equal(short.ok, false);
  if (!short.ok) t.equal(short.error.code, 'KP_ERR_TRUNCATED');
});
