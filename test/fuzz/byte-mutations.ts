/**
 * Corrupting valid encodings, for the decoder property tests. Arbitrary bytes mostly stop a
 * decoder at its first field; a valid message with a few bytes changed reaches the deep
 * paths (a nested array count, a tagged field's size, the last string) where bounds checks are
 * easiest to get wrong. Each mutation is one edit a broken or hostile client could make:
 *
 *   flip      one bit flipped
 *   set       one byte replaced by an extreme value (0x00, 0x7f, 0x80, 0xff) or a random one
 *   lie       four bytes replaced by a big-endian int32 that reads as a huge or negative
 *             length or count (0x7fffffff, -1, -2, 0x10000)
 *   truncate  the message cut short
 *   insert    random bytes inserted
 *   remove    a run of bytes removed
 *   duplicate a run of bytes repeated in place
 */
import fc from 'fast-check';

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'lie'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'remove'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number };

/** Positions are fractions of the current length, so one mutation fits any buffer. */
const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: position,
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    at: position,
    byte: fc.oneof(fc.constantFrom(0x00, 0x7f, 0x80, 0xff), fc.integer({ min: 0, max: 255 })),
  }),
  fc.record({
    kind: fc.constant('lie' as const),
    at: position,
    value: fc.constantFrom(0x7fffffff, -1, -2, 0x10000, 0x7fff),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: position,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant('remove' as const),
    at: position,
    length: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: position,
    length: fc.integer({ min: 1, max: 16 }),
  }),
) as fc.Arbitrary<Mutation>;

/** One to three mutations, applied in order. */
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(mutation, {
  minLength: 1,
  maxLength: 3,
});

export function applyMutation(input: Buffer, m: Mutation): Buffer {
  const at = Math.floor(m.at * input.length);
  switch (m.kind) {
    case 'flip': {
      if (input.length === 0) return input;
      const out = Buffer.from(input);
      out[at] = (out[at] as number) ^ (1 << m.bit);
      return out;
    }
    case 'set': {
      if (input.length === 0) return input;
      const out = Buffer.from(input);
      out[at] = m.byte;
      return out;
    }
    case 'lie': {
      const out = Buffer.from(input);
      const start = Math.max(0, Math.min(at, out.length - 4));
      if (out.length >= 4) out.writeInt32BE(m.value, start);
      return out;
    }
    case 'truncate':
      return input.subarray(0, at);
    case 'insert':
      return Buffer.concat([input.subarray(0, at), m.bytes, input.subarray(at)]);
    case 'remove':
      return Buffer.concat([input.subarray(0, at), input.subarray(at + m.length)]);
    case 'duplicate': {
      const run = input.subarray(at, at + m.length);
      return Buffer.concat([
        input.subarray(0, at + run.length),
        run,
        input.subarray(at + run.length),
      ]);
    }
  }
}

export function applyMutations(input: Buffer, list: readonly Mutation[]): Buffer {
  return list.reduce(applyMutation, input);
}
