/**
 * Properties of the ZooKeeper frame reader (src/protocol/zookeeper/frame-reader.ts):
 *
 *   - however a stream of valid packets is cut into chunks, the reader returns exactly those
 *     packets, in order, and holds no bytes afterwards;
 *   - a four-letter word is recognised whatever the chunking, and ends the stream;
 *   - for arbitrary bytes in arbitrary chunks it never throws, emits at most one terminal
 *     output (error or four-letter word) and nothing after it, never a packet above
 *     `packetBytesMax`.
 */
import t from 'tap';
import fc from 'fast-check';
import {
  FOUR_LETTER_WORDS,
  FrameReader,
  type FrameReaderOutput,
} from '../../../../src/protocol/zookeeper/frame-reader.js';
import { bytesArbitrary } from '../../../fuzz/kafka-arbitrary.js';
import { cutPoints, framed, splitAt } from '../../../fuzz/chunking.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const PACKET_BYTES_MAX = 256;

function feed(reader: FrameReader, pieces: readonly Buffer[]): FrameReaderOutput[] {
  return pieces.flatMap((piece) => reader.push(piece));
}

t.test('valid packets come out whole however the stream is chunked', async (t) => {
  fc.assert(
    fc.property(
      fc.array(bytesArbitrary(0, 40), { maxLength: 6 }),
      cutPoints,
      fc.boolean(),
      (payloads, cuts, detect) => {
        // A packet whose length bytes spell a command would be read as one: start with a
        // non-word length, as every real client's ConnectRequest does.
        const reader = new FrameReader({
          packetBytesMax: PACKET_BYTES_MAX,
          detectFourLetterWords: detect,
        });
        const out = feed(reader, splitAt(framed(payloads), cuts));
        return (
          reader.bufferedBytes === 0 &&
          out.length === payloads.length &&
          out.every((o, i) => o.kind === 'frame' && o.packet.equals(payloads[i]!))
        );
      },
    ),
    { numRuns: 1000, seed },
  );
  t.pass('1000 chunked streams');
});

t.test('a four-letter word is found in any chunking and ends the stream', async (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom(...FOUR_LETTER_WORDS),
      bytesArbitrary(0, 20),
      cutPoints,
      (word, rest, cuts) => {
        const reader = new FrameReader({ detectFourLetterWords: true });
        const out = feed(reader, splitAt(Buffer.concat([Buffer.from(word), rest]), cuts));
        return (
          out.length === 1 &&
          out[0]!.kind === 'fourLetterWord' &&
          out[0]!.word === word &&
          reader.state === 'DONE'
        );
      },
    ),
    { numRuns: 500, seed },
  );
  t.pass('500 commands');
});

t.test('arbitrary bytes give packets and at most one terminal output, never a throw', async (t) => {
  fc.assert(
    fc.property(bytesArbitrary(0, 300), cutPoints, fc.boolean(), (stream, cuts, detect) => {
      const reader = new FrameReader({
        packetBytesMax: PACKET_BYTES_MAX,
        detectFourLetterWords: detect,
      });
      const out = feed(reader, splitAt(stream, cuts));
      const terminal = out.findIndex((o) => o.kind !== 'frame');
      return (
        (terminal === -1 || terminal === out.length - 1) &&
        out.every((o) => o.kind !== 'frame' || o.packet.length <= PACKET_BYTES_MAX) &&
        reader.bufferedBytes <= PACKET_BYTES_MAX + 4
      );
    }),
    { numRuns: 2000, seed },
  );
  t.pass('2000 garbage streams');
});
