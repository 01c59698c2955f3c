import t from 'tap';
import { FrameReader } from '../../../../src/protocol/zookeeper/frame-reader.js';

function frame(payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeInt32BE(payload.length, 0);
  return Buffer.concat([head, payload]);
}

t.test('whole frames, several per chunk', async (t) => {
  const reader = new FrameReader();
  const out = reader.push(Buffer.concat([frame(Buffer.from('one')), frame(Buffer.from('two!'))]));
  t.same(
    out.map((o) => (o.kind === 'frame' ? o.packet.toString() : o.kind)),
    ['one', 'two!'],
  );
  t.equal(reader.bufferedBytes, 0);
});

t.test('a frame split at every byte boundary comes out once and intact', async (t) => {
  const bytes = Buffer.concat([frame(Buffer.from('hello world')), frame(Buffer.alloc(0))]);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const reader = new FrameReader();
    const out = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
    t.same(
      out.map((o) => (o.kind === 'frame' ? o.packet.toString() : o.kind)),
      ['hello world', ''],
      `cut at ${cut}`,
    );
  }
});

t.test('byte by byte', async (t) => {
  const bytes = frame(Buffer.from('abcdef'));
  const reader = new FrameReader();
  const out = [];
  for (const b of bytes) out.push(...reader.push(Buffer.from([b])));
  t.equal(out.length, 1);
  t.equal(out[0]?.kind === 'frame' && out[0].packet.toString(), 'abcdef');
});

t.test('a packet at jute.maxbuffer is accepted, one byte more is an error', async (t) => {
  const ok = new FrameReader({ packetBytesMax: 10 });
  t.equal(ok.push(frame(Buffer.alloc(10)))[0]?.kind, 'frame');
  const big = new FrameReader({ packetBytesMax: 10 });
  const out = big.push(frame(Buffer.alloc(11)));
  t.match(out, [{ kind: 'error', code: 'ZK_ERR_FRAME_TOO_LARGE' }]);
  t.equal(big.state, 'DONE');
  t.same(big.push(frame(Buffer.from('x'))), [], 'input after an error is ignored');
  // The default limit is 0xFFFFF, and the error comes from the length alone.
  t.match(new FrameReader().push(Buffer.from([0, 0x10, 0, 0])), [
    { code: 'ZK_ERR_FRAME_TOO_LARGE' },
  ]);
});

t.test('a negative length is an error', async (t) => {
  t.match(new FrameReader().push(Buffer.from([0xff, 0xff, 0xff, 0xfe])), [
    { kind: 'error', code: 'ZK_ERR_FRAME_NEGATIVE_LENGTH' },
  ]);
});

t.test('four-letter words are detected only in the first 4 bytes', async (t) => {
  const fresh = new FrameReader({ detectFourLetterWords: true });
  t.same(fresh.push(Buffer.from('ru')), []);
  t.same(fresh.push(Buffer.from('ok')), [{ kind: 'fourLetterWord', word: 'ruok' }]);
  t.equal(fresh.state, 'DONE');

  // An unknown word is just a (huge) length.
  t.match(new FrameReader({ detectFourLetterWords: true }).push(Buffer.from('xyzw')), [
    { kind: 'error', code: 'ZK_ERR_FRAME_TOO_LARGE' },
  ]);

  // After a first frame, the same bytes are a length again.
  const later = new FrameReader({ detectFourLetterWords: true });
  t.equal(later.push(frame(Buffer.from('connect')))[0]?.kind, 'frame');
  t.match(later.push(Buffer.from('ruok')), [{ kind: 'error', code: 'ZK_ERR_FRAME_TOO_LARGE' }]);

  // Without detection (a client-side reader), 'ruok' is a length.
  t.match(new FrameReader().push(Buffer.from('ruok')), [{ kind: 'error' }]);
});
