/**
 * Jute, ZooKeeper's binary serialization, at the level of primitives: a bounds-checked
 * `JuteReader` over one received packet and a growable `JuteWriter` for one packet to send.
 * The records built from these primitives (ConnectRequest, Stat, ...) live in `./records.ts`.
 *
 * Wire format (apache/zookeeper:zookeeper-jute, BinaryInputArchive / BinaryOutputArchive):
 *
 *   byte     1 byte, signed
 *   int      4 bytes, signed, big-endian
 *   long     8 bytes, signed, big-endian        (a `bigint` here: session ids use all 64 bits;
 *                                               `longNumber` for zxids and times, < 2^53)
 *   boolean  1 byte, 0 or 1
 *   buffer   int length, then that many bytes;  length -1 = null (kept apart from empty)
 *   ustring  int length, then UTF-8 bytes;      length -1 = null
 *   vector   int count, then the elements;      count -1 = null
 *   record   its fields concatenated, in IDL order, with no tags, lengths or padding
 *
 * Because records carry no field tags or lengths, a reader must know the exact schema, and a
 * single wrong field type shifts every later field. That is why every read here is bounds
 * checked: a truncated or lying packet ends in a `JuteError` (which the server turns into
 * MarshallingError and a closed connection), never in reading past the packet.
 *
 * Nulls: ZooKeeper's Java code reads a null ustring, buffer or vector anywhere, and clients do
 * send them: kazoo writes the empty id of CREATOR_ALL_ACL (`auth`, "") as a null string. So
 * `ustring()` and `buffer()` return `null` for length -1, like Java's readString/readBuffer.
 * A null vector reads as an empty one, which is how ZooKeeper treats every null list it gets
 * in a request. What a null string means is decided one level up, in ./records.ts.
 */

/** jute.maxbuffer's default: the largest packet (after the 4-byte length) ZooKeeper accepts. */
export const JUTE_MAX_BUFFER_BYTES = 0xfffff;

/** The packet could not be decoded (truncated, a bad length, invalid UTF-8, ...). */
export class JuteError extends Error {
  override name = 'JuteError';
}

/**
 * A null string where the record needs a string (see ./records.ts for the fields that may be
 * null). Its own class because ZooKeeper answers it differently from a broken packet: the
 * packet was well formed, the Java server fails on the null later (a NullPointerException that
 * becomes MarshallingError) and keeps the connection open.
 */
export class JuteNullStringError extends JuteError {
  override name = 'JuteNullStringError';
}

/** One decoder for every string: with `fatal` and no `stream` option it keeps no state. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The two 32-bit halves of a 64-bit long, for writing a safe integer without a bigint. */
const TWO_32 = 2 ** 32;

export class JuteReader {
  readonly #buffer: Buffer;
  #offset = 0;

  constructor(buffer: Buffer) {
    this.#buffer = buffer;
  }

  get offset(): number {
    return this.#offset;
  }
  get remaining(): number {
    return this.#buffer.length - this.#offset;
  }

  /** Reserve `size` bytes and return where they start, or throw if the packet is shorter. */
  #take(size: number, what: string): number {
    if (size > this.remaining) {
      throw new JuteError(
        `truncated packet: ${what} needs ${size} bytes at offset ${this.#offset}, ` +
          `${this.remaining} left`,
      );
    }
    const start = this.#offset;
    this.#offset += size;
    return start;
  }

  int(): number {
    return this.#buffer.readInt32BE(this.#take(4, 'int'));
  }
  long(): bigint {
    return this.#buffer.readBigInt64BE(this.#take(8, 'long'));
  }
  /** A long that must be a safe integer (a zxid, a time), read without a bigint. */
  longNumber(what: string): number {
    const start = this.#take(8, 'long');
    const high = this.#buffer.readInt32BE(start);
    const value = high * TWO_32 + this.#buffer.readUInt32BE(start + 4);
    if (!Number.isSafeInteger(value)) {
      throw new JuteError(`${what} does not fit a JavaScript number`);
    }
    return value;
  }
  byte(): number {
    return this.#buffer.readInt8(this.#take(1, 'byte'));
  }
  boolean(): boolean {
    // Java's readBool is `readByte() == 1`; any other byte is false. We follow it rather
    // than reject, since clients only ever send 0 or 1.
    return this.#buffer[this.#take(1, 'boolean')] === 1;
  }

  /** A length-prefixed byte buffer; -1 means null. The result is a copy, safe to keep. */
  buffer(): Buffer | null {
    const length = this.int();
    if (length === -1) return null;
    if (length < 0) throw new JuteError(`negative buffer length ${length}`);
    const start = this.#take(length, 'buffer');
    return Buffer.from(this.#buffer.subarray(start, start + length));
  }

  /** A length-prefixed UTF-8 string; -1 means null. */
  ustring(): string | null {
    const length = this.int();
    if (length === -1) return null;
    if (length < 0) throw new JuteError(`negative string length ${length}`);
    const start = this.#take(length, 'ustring');
    const bytes = this.#buffer.subarray(start, start + length);
    // Strict decoding: a path with invalid UTF-8 would otherwise silently become U+FFFD and
    // name a different znode than the client meant.
    try {
      return UTF8.decode(bytes);
    } catch {
      throw new JuteError('string is not valid UTF-8');
    }
  }

  /** A counted vector; each element is read by `element`. Null (-1) reads as empty. */
  vector<T>(element: (reader: JuteReader) => T): T[] {
    const count = this.int();
    if (count === -1) return [];
    if (count < 0) throw new JuteError(`negative vector count ${count}`);
    // Every element takes at least one byte, so a count above the bytes left is a lie; check
    // it before looping so a hostile count cannot make us spin or allocate.
    if (count > this.remaining) {
      throw new JuteError(`vector count ${count} exceeds the ${this.remaining} bytes left`);
    }
    const items: T[] = [];
    for (let i = 0; i < count; i++) items.push(element(this));
    return items;
  }
}

export class JuteWriter {
  #buffer: Buffer;
  #length = 0;

  constructor(initialBytes = 256) {
    // allocUnsafe (pooled, not zero-filled) is safe: only bytes already written are exposed.
    this.#buffer = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.#length;
  }

  #reserve(size: number): number {
    if (this.#length + size > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#length + size));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    const start = this.#length;
    this.#length += size;
    return start;
  }

  // Each writer reserves first and only then reads `this.#buffer`: reserving may replace it
  // with a larger one, and `this.#buffer.write(..., this.#reserve(n))` would write into the
  // old buffer (JavaScript evaluates the receiver before the arguments).
  int(value: number): this {
    const start = this.#reserve(4);
    this.#buffer.writeInt32BE(value, start);
    return this;
  }
  long(value: bigint): this {
    // asIntN lets callers pass an unsigned 64-bit id (0xff00...) and still get its bits.
    const start = this.#reserve(8);
    this.#buffer.writeBigInt64BE(BigInt.asIntN(64, value), start);
    return this;
  }
  /** A safe integer as a long, written without a bigint. */
  longNumber(value: number): this {
    if (!Number.isSafeInteger(value)) throw new JuteError(`${value} is not a safe integer`);
    const high = Math.floor(value / TWO_32);
    const start = this.#reserve(8);
    this.#buffer.writeInt32BE(high, start);
    this.#buffer.writeUInt32BE(value - high * TWO_32, start + 4);
    return this;
  }
  byte(value: number): this {
    const start = this.#reserve(1);
    this.#buffer.writeInt8(value, start);
    return this;
  }
  boolean(value: boolean): this {
    const start = this.#reserve(1);
    this.#buffer[start] = value ? 1 : 0;
    return this;
  }
  buffer(value: Buffer | null): this {
    if (value === null) return this.int(-1);
    this.int(value.length);
    const start = this.#reserve(value.length);
    value.copy(this.#buffer, start);
    return this;
  }
  ustring(value: string | null): this {
    if (value === null) return this.int(-1);
    // Straight into the buffer: no intermediate Buffer per string.
    const length = Buffer.byteLength(value, 'utf8');
    this.int(length);
    const start = this.#reserve(length);
    this.#buffer.write(value, start, length, 'utf8');
    return this;
  }
  vector<T>(items: readonly T[] | null, element: (writer: JuteWriter, item: T) => void): this {
    if (items === null) return this.int(-1);
    this.int(items.length);
    for (const item of items) element(this, item);
    return this;
  }
  /** Raw bytes with no length prefix (for splicing in an already-encoded record). */
  raw(bytes: Buffer): this {
    const start = this.#reserve(bytes.length);
    bytes.copy(this.#buffer, start);
    return this;
  }

  /** The packet written so far (a copy). */
  toBuffer(): Buffer {
    return Buffer.from(this.#buffer.subarray(0, this.#length));
  }

  /**
   * The bytes written so far, without a copy: a view of the writer's buffer, valid until the
   * next write (for a writer that is done, e.g. one that wrote its own length prefix).
   */
  view(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }

  /** The packet with its 4-byte length prefix: what goes on the socket. */
  toFrame(): Buffer {
    const frame = Buffer.allocUnsafe(4 + this.#length);
    frame.writeInt32BE(this.#length, 0);
    this.#buffer.copy(frame, 4, 0, this.#length);
    return frame;
  }
}

/** Convert a jute long that must hold a zxid, time or similar into a JS number. */
export function longToNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new JuteError(`${what} ${value} does not fit a JavaScript number`);
  }
  return Number(value);
}
