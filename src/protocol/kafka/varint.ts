/**
 * Kafka's signed varints (and varlongs): the integers inside a v2 record batch (record length,
 * timestamp and offset deltas, key/value/header lengths, header count).
 *
 * Wire format: the value is zig-zag mapped to an unsigned integer (0 -> 0, -1 -> 1, 1 -> 2,
 * -2 -> 3, ...: `(n << 1) ^ (n >> 63)`) so that small negative numbers stay short, then written
 * base 128, least significant group first, with the high bit of each byte set when another
 * byte follows. A varint takes at most 5 bytes, a varlong at most 10.
 *
 * One implementation serves both widths, with plain numbers instead of bigints: it uses
 * multiplication and division rather than 32-bit bit operations, so values beyond 32 bits (a
 * timestamp delta) stay exact while their magnitude is below 2^52 (zig-zag doubles it, and a
 * double is exact to 2^53): some 140,000 years in milliseconds. The
 * protocol's *unsigned* varints (compact lengths, tagged fields) are in primitives.ts.
 */

/** A read position that the reader advances. */
export interface VarintCursor {
  position: number;
}

/** A varlong is at most 10 bytes: 64 bits in groups of 7. */
const VARINT_BYTES_MAX = 10;

/**
 * Reads a zig-zag varint or varlong at `cursor.position` and advances the cursor. Returns
 * undefined if the varint runs past `end` or past 10 bytes; the caller names the error.
 */
export function readVarint(buffer: Buffer, cursor: VarintCursor, end: number): number | undefined {
  let zigzag = 0;
  let scale = 1;
  for (let i = 0; i < VARINT_BYTES_MAX; i++) {
    if (cursor.position >= end) return undefined;
    const byte = buffer[cursor.position++]!;
    zigzag += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) {
      return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
    }
    scale *= 128;
  }
  return undefined;
}

function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** How many bytes `writeVarint` takes for `value`. */
export function varintSize(value: number): number {
  let z = zigzag(value);
  let size = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    size++;
  }
  return size;
}

/** Writes `value` at `position` (the caller has sized the buffer); returns the next position. */
export function writeVarint(buffer: Buffer, position: number, value: number): number {
  let z = zigzag(value);
  while (z >= 128) {
    buffer[position++] = z % 128 | 0x80;
    z = Math.floor(z / 128);
  }
  buffer[position++] = z;
  return position;
}
