/**
 * Properties of the Kafka frame reader (src/protocol/kafka/frame-reader.ts):
 *
 *   - however a stream of valid frames is cut into chunks, the reader returns exactly those
 *     frames, in order, and holds no bytes afterwards;
 *   - for arbitrary bytes in arbitrary chunks it never throws: it returns frames, and at
 *     most one error value, after which it returns nothing more; it never buffers more than
 *     one frame's worth of bytes beyond `frameBytesMax`;
 *   - peekRequestHeader returns a header or a KafkaProtocolError value for any frame.
 */
import t from 'tap';
import fc from 'fast-check';
import { FrameReader, peekRequestHeader } from '../../../../src/protocol/kafka/frame-reader.js';
import { bytesArbitrary } from '../../../fuzz/kafka-arbitrary.js';
import { cutPoints, framed, splitAt } from '../../../fuzz/chunking.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const FRAME_BYTES_MAX = 256;

t.test('valid frames come out whole however the stream is chunked', async (t) => {
  fc.assert(
    fc.property(fc.array(bytesArbitrary(0, 40), { maxLength: 6 }), cutPoints, (payloads, cuts) => {
      const reader = new FrameReader({ frameBytesMax: FRAME_BYTES_MAX });
      const out: Buffer[] = [];
      for (const piece of splitAt(framed(payloads), cuts)) {
        const result = reader.push(piece);
        if (result.error) return false;
        out.push(...result.frames);
      }
      return (
        reader.bufferedBytes === 0 &&
        out.length === payloads.length &&
        out.every((frame, i) => frame.equals(payloads[i]!))
      );
    }),
    { numRuns: 1000, seed },
  );
  t.pass('1000 chunked streams');
});

t.test('arbitrary bytes give frames or one error value, never a throw', async (t) => {
  fc.assert(
    fc.property(bytesArbitrary(0, 300), cutPoints, (stream, cuts) => {
      const reader = new FrameReader({ frameBytesMax: FRAME_BYTES_MAX });
      let failed = false;
      for (const piece of splitAt(stream, cuts)) {
        const result = reader.push(piece);
        if (failed && result.frames.length > 0) return false;
        if (result.error) failed = true;
        for (const frame of result.frames) {
          if (frame.length > FRAME_BYTES_MAX) return false;
          peekRequestHeader(frame);
        }
        if (reader.bufferedBytes > FRAME_BYTES_MAX + 4 + piece.length) return false;
      }
      return true;
    }),
    { numRuns: 2000, seed },
  );
  t.pass('2000 garbage streams');
});

t.test('peekRequestHeader answers every frame with a value', async (t) => {
  fc.assert(
    fc.property(bytesArbitrary(0, 40), (frame) => {
      const peek = peekRequestHeader(frame);
      return peek.ok ? typeof peek.header.apiKey === 'number' : peek.error.code !== undefined;
    }),
    { numRuns: 2000, seed },
  );
  t.pass('2000 frames peeked');
});
