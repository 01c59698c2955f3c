/**
 * Decompression is bounded before it allocates (src/protocol/kafka/compression.ts): hostile
 * frames that claim, or really hold, far more than the bound are refused with
 * DecompressionError, and the buffers our code allocates while inflating never pass the
 * bound (nor 8 MiB at a time). Honest data of every codec round-trips, up to the bound
 * exactly.
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import * as zstd from 'zstd-napi';
import {
  compress,
  decompress,
  lz4FrameContentBytes,
  DecompressionError,
  type CodecName,
} from '../../../../src/protocol/kafka/compression.js';
import {
  GiB,
  MiB,
  gzipBomb,
  lz4Bomb,
  lz4Claiming4GiB,
  snappyClaiming4GiB,
  xerialSnappyClaiming4GiB,
  zstdBombWithoutSize,
  zstdClaiming4GiB,
  zstdHolding4GiB,
  zstdRleFrame,
  ZSTD_BLOCK_BYTES,
} from '../../../fuzz/hostile-compression.js';

const CODECS: readonly CodecName[] = ['gzip', 'snappy', 'lz4', 'zstd'];
const BOUND = 100 * MiB;

/** Runs `fn`, recording the largest Buffer.allocUnsafe our code asked for meanwhile. */
function largestAllocation<T>(fn: () => T): { value?: T; error?: unknown; largest: number } {
  const descriptor = Object.getOwnPropertyDescriptor(Buffer, 'allocUnsafe')!;
  const original = descriptor.value as typeof Buffer.allocUnsafe;
  let largest = 0;
  Buffer.allocUnsafe = (size: number) => {
    largest = Math.max(largest, size);
    return original.call(Buffer, size);
  };
  try {
    return { value: fn(), largest };
  } catch (error) {
    return { error, largest };
  } finally {
    Object.defineProperty(Buffer, 'allocUnsafe', descriptor);
  }
}

t.test('honest data of every codec round-trips', async (t) => {
  const json = Buffer.from(
    Array.from({ length: 5000 }, (_, i) => JSON.stringify({ id: i, v: 'x'.repeat(i % 50) })).join(
      '\n',
    ),
  );
  const samples = [
    Buffer.from('a'),
    randomBytes(1000),
    json,
    Buffer.concat([randomBytes(300_000), Buffer.alloc(300_000, 7)]),
  ];
  for (const codec of CODECS) {
    for (const sample of samples) {
      const inflated = decompress(codec, compress(codec, sample), BOUND);
      t.ok(inflated.equals(sample), `${codec}, ${sample.length} bytes`);
    }
  }
});

t.test('the bound is exact: its size inflates, one byte less refuses', async (t) => {
  const data = Buffer.concat([randomBytes(50_000), Buffer.alloc(150_000, 1)]);
  for (const codec of CODECS) {
    const compressed = compress(codec, data);
    t.equal(decompress(codec, compressed, data.length).length, data.length, `${codec} at bound`);
    t.throws(
      () => decompress(codec, compressed, data.length - 1),
      DecompressionError,
      `${codec} one byte over`,
    );
  }
});

t.test('zstd: a 20-byte frame claiming 4 GiB is refused without decoding', async (t) => {
  const frame = zstdClaiming4GiB();
  t.ok(frame.length < 32);
  const { error, largest } = largestAllocation(() => decompress('zstd', frame, BOUND));
  t.type(error, DecompressionError);
  t.match((error as Error).message, /claims 4294967296 bytes/);
  t.equal(largest, 0, 'nothing allocated');
});

t.test('zstd: 128 KiB that really inflate to 4 GiB stop at the bound', async (t) => {
  const frame = zstdHolding4GiB();
  t.equal(frame.length, 4 + 2 + 8 + 32768 * 4);
  // Under the claim's own bound it would be decoded; the claim is refused first.
  t.throws(() => decompress('zstd', frame, BOUND), /claims 4294967296/);
});

t.test('zstd: a frame without a content size is inflated in chunks up to the bound', async (t) => {
  const frame = zstdBombWithoutSize(GiB); // 32 KiB of RLE blocks
  const { error, largest } = largestAllocation(() => decompress('zstd', frame, BOUND));
  t.type(error, DecompressionError);
  t.match((error as Error).message, /inflate past 104857600 bytes/);
  t.ok(largest <= 8 * MiB, `no chunk over 8 MiB (largest ${largest})`);
  // The same kind of frame within the bound inflates to what its blocks hold.
  const small = zstdRleFrame(3);
  t.same(decompress('zstd', small, BOUND), Buffer.alloc(3 * ZSTD_BLOCK_BYTES, 0x61));
});

t.test('zstd: a content size that lies low is not trusted either', async (t) => {
  const frame = zstdRleFrame(4, 10); // claims 10 bytes, holds 512 KiB
  t.throws(() => decompress('zstd', frame, BOUND), DecompressionError);
  t.throws(() => decompress('zstd', frame, 100 * 1024), DecompressionError);
});

t.test('zstd: concatenated frames, skippable data, truncation and garbage', async (t) => {
  const a = zstd.compress(Buffer.from('first '));
  const b = zstd.compress(Buffer.from('second'));
  t.equal(decompress('zstd', Buffer.concat([a, b]), BOUND).toString(), 'first second');
  const big = zstd.compress(randomBytes(200_000));
  t.throws(() => decompress('zstd', big.subarray(0, big.length - 10), BOUND), DecompressionError);
  t.throws(() => decompress('zstd', Buffer.from('not zstd at all'), BOUND), DecompressionError);
  t.throws(() => decompress('zstd', Buffer.alloc(0), BOUND), DecompressionError);
  // After a failure the shared context decodes the next frame normally.
  t.equal(decompress('zstd', a, BOUND).toString(), 'first ');
});

t.test('gzip: a bomb stops at the bound', async (t) => {
  const bomb = gzipBomb(128 * MiB);
  t.ok(bomb.length < 200 * 1024, `${bomb.length} bytes`);
  t.throws(() => decompress('gzip', bomb, BOUND), /gzip records inflate past 104857600 bytes/);
});

t.test('lz4: a bomb is measured before it is inflated', async (t) => {
  const bomb = lz4Bomb(128 * MiB);
  t.ok(bomb.length < 1024 * 1024, `${bomb.length} bytes`);
  t.throws(() => lz4FrameContentBytes(bomb, BOUND), /lz4 records inflate past 104857600/);
  t.throws(() => decompress('lz4', bomb, BOUND), DecompressionError);
  t.equal(lz4FrameContentBytes(lz4Bomb(MiB), BOUND), MiB, 'the walk counts exactly');
});

t.test('lz4: a declared content size that the blocks do not hold is corrupt', async (t) => {
  t.throws(() => decompress('lz4', lz4Claiming4GiB(), BOUND), /content size 4294967296 declared/);
});

t.test('lz4: broken framing is corrupt', async (t) => {
  const frame = compress('lz4', randomBytes(100_000));
  t.throws(
    () => decompress('lz4', frame.subarray(0, frame.length - 20), BOUND),
    DecompressionError,
  );
  t.throws(() => decompress('lz4', Buffer.from('garbage!'), BOUND), /bad magic/);
  const bigBlock = Buffer.from(frame);
  bigBlock.writeUInt32LE(0x7fffffff, 7); // first block: 2 GiB
  t.throws(() => decompress('lz4', bigBlock, BOUND), /block of 2147483647 bytes, more than \d+/);
});

t.test('snappy: a block claiming 4 GiB is refused before the library allocates', async (t) => {
  t.throws(() => decompress('snappy', snappyClaiming4GiB(), BOUND), /snappy records inflate past/);
  t.throws(() => decompress('snappy', snappyClaiming4GiB(), 8 * GiB), /more than it can hold/);
  t.throws(
    () => decompress('snappy', xerialSnappyClaiming4GiB(), BOUND),
    /snappy records inflate past/,
  );
  t.throws(() => decompress('snappy', Buffer.from([0xff, 0xff, 0xff]), BOUND), /bad snappy/);
});
