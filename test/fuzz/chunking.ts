/**
 * Splitting a byte stream into the pieces TCP might deliver, for the frame reader properties:
 * `cutPoints` picks where to cut, and `splitAt` cuts there (empty pieces included, since a
 * socket may hand over a zero-length chunk).
 */
import fc from 'fast-check';

/** Cut positions as fractions of the stream's length, so one value fits any stream. */
export const cutPoints: fc.Arbitrary<number[]> = fc.array(
  fc.double({ min: 0, max: 1, noNaN: true }),
  { maxLength: 12 },
);

export function splitAt(stream: Buffer, fractions: readonly number[]): Buffer[] {
  const cuts = fractions.map((f) => Math.floor(f * stream.length)).sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const cut of cuts) {
    pieces.push(stream.subarray(from, cut));
    from = cut;
  }
  pieces.push(stream.subarray(from));
  return pieces;
}

/** Each payload with a 4-byte big-endian length in front: the framing Kafka and ZooKeeper share. */
export function framed(payloads: readonly Buffer[]): Buffer {
  return Buffer.concat(
    payloads.flatMap((p) => {
      const size = Buffer.alloc(4);
      size.writeInt32BE(p.length);
      return [size, p];
    }),
  );
}
