/**
 * The primitive types of the Kafka wire protocol: a bounds-checked `Reader` and a chunked
 * `Writer` over Node Buffers, plus the typed error every decoding failure becomes.
 *
 * Wire format (all big-endian; https://kafka.apache.org/protocol#protocol_types and Kafka's
 * `protocol/types/Type.java`):
 *
 *   int8/int16/int32/int64, uint16, float64   fixed width, two's complement / IEEE 754
 *   bool                                      1 byte, 0 = false, anything else = true
 *   uuid                                      16 raw bytes
 *   unsigned varint                           7 bits per byte, low group first, high bit = more
 *   (signed varints appear only inside record batches: see varint.ts)
 *   string                                    int16 length + UTF-8 (nullable: length -1 = null)
 *   compact string                            unsigned varint (length + 1) + UTF-8 (0 = null)
 *   bytes                                     int32 length + bytes (nullable: -1 = null)
 *   compact bytes                             unsigned varint (length + 1) + bytes (0 = null)
 *   array length                              int32 count (-1 = null) / compact: uvarint count+1
 *
 * Representation choices:
 *   - int64 is a `bigint`, always. Offsets, timestamps and producer ids are int64 and can exceed
 *     2^53, and a single representation keeps handlers simple. The cost is small because int64
 *     fields appear per partition, never per record (records stay inside the raw `records`
 *     buffer, parsed by record-batch.ts).
 *   - uuid is a string in Kafka's own text form (URL-safe base64 without padding, 22 characters,
 *     as printed by `Uuid.toString()`), so it can be compared with `===` and used as a map key.
 *   - bytes and records are decoded as zero-copy `subarray`s of the frame: a decoded request
 *     keeps its frame's memory alive, and the frame must not be reused while it is in use.
 *
 * Safety: every read checks the remaining length first, every length or count read from the
 * wire is checked against the bytes that remain before anything is allocated, and varints are
 * limited to 5 (int32) or 10 (int64) bytes, so malformed input always ends in a
 * `KafkaProtocolError`, never in a RangeError, an endless loop or a huge allocation.
 */

/** Stable codes for protocol-layer failures (as fastify's FST_ERR_* and undici's UND_ERR_*). */
export type KafkaProtocolErrorCode =
  /** The input ended in the middle of a value. */
  | 'KP_ERR_TRUNCATED'
  /** The bytes are complete but impossible (negative length, bad varint, trailing bytes...). */
  | 'KP_ERR_MALFORMED'
  /** The API key has no schema here. */
  | 'KP_ERR_UNKNOWN_API_KEY'
  /** The API exists but not in this version. */
  | 'KP_ERR_UNSUPPORTED_VERSION'
  /** A frame announced a size above the configured maximum. */
  | 'KP_ERR_FRAME_TOO_LARGE'
  /** A value given to the encoder cannot be written in this version (programmer error). */
  | 'KP_ERR_ENCODE';

/**
 * Why a message could not be decoded (or encoded). `path` names the fields from the message
 * down to the one that failed, e.g. `ProduceRequest.TopicData.PartitionData.Records`, which is
 * the first thing one wants to know when a client sends something unexpected.
 */
export class KafkaProtocolError extends Error {
  override name = 'KafkaProtocolError';
  readonly code: KafkaProtocolErrorCode;
  readonly path: string[] = [];
  readonly #reason: string;

  constructor(code: KafkaProtocolErrorCode, reason: string) {
    super(reason);
    this.code = code;
    this.#reason = reason;
  }

  /** Called while the error unwinds through nested structs: prepends one path element. */
  addPathElement(element: string): this {
    this.path.unshift(element);
    this.message = `${this.#reason} (at ${this.path.join('.')})`;
    return this;
  }
}

function truncated(needed: number, remaining: number): KafkaProtocolError {
  return new KafkaProtocolError(
    'KP_ERR_TRUNCATED',
    `truncated input: needed ${needed} bytes, ${remaining} remain`,
  );
}

export function malformed(reason: string): KafkaProtocolError {
  return new KafkaProtocolError('KP_ERR_MALFORMED', reason);
}

/** The all-zero UUID, Kafka's `Uuid.ZERO_UUID`: the default of every uuid field. */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

const EMPTY = Buffer.alloc(0);

/**
 * Reads primitives from `buf[offset, end)`. `offset` is public and advances as values are read;
 * a nested Reader over a sub-range (`limit`) is used for the payload of a tagged field.
 */
export class Reader {
  readonly buf: Buffer;
  offset: number;
  readonly end: number;

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    this.buf = buf;
    this.offset = offset;
    this.end = end;
  }

  remaining(): number {
    return this.end - this.offset;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number): void {
    if (this.end - this.offset < n) throw truncated(n, this.end - this.offset);
  }

  /** A reader over the next `n` bytes; this reader skips past them. */
  limit(n: number): Reader {
    this.need(n);
    const sub = new Reader(this.buf, this.offset, this.offset + n);
    this.offset += n;
    return sub;
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.offset++);
  }

  bool(): boolean {
    this.need(1);
    return this.buf[this.offset++] !== 0;
  }

  int16(): number {
    this.need(2);
    const value = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  uint16(): number {
    this.need(2);
    const value = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    this.need(4);
    const value = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  int64(): bigint {
    this.need(8);
    const value = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  float64(): number {
    this.need(8);
    const value = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return value;
  }

  uuid(): string {
    this.need(16);
    const text = this.buf.toString('base64url', this.offset, this.offset + 16);
    this.offset += 16;
    return text;
  }

  /** Unsigned varint of at most 32 bits (5 bytes), as used for compact lengths and tags. */
  unsignedVarint(): number {
    let value = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      this.need(1);
      const byte = this.buf[this.offset++] as number;
      // Multiplication instead of `<<` so that bit 31 does not turn the result negative.
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (value > 0xffffffff) throw malformed('unsigned varint does not fit in 32 bits');
        return value;
      }
    }
    throw malformed('unsigned varint longer than 5 bytes');
  }

  #utf8(length: number): string {
    this.need(length);
    const text = this.buf.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return text;
  }

  #slice(length: number): Buffer {
    this.need(length);
    const bytes = this.buf.subarray(this.offset, this.offset + length);
    this.offset += length;
    return bytes;
  }

  /** Length of a string/bytes/array: -1 for null, otherwise >= 0. */
  #length(compact: boolean, width: 2 | 4): number {
    if (compact) return this.unsignedVarint() - 1;
    const length = width === 2 ? this.int16() : this.int32();
    if (length < -1) throw malformed(`negative length ${length}`);
    return length;
  }

  /** A string; `null` only if `nullable`, otherwise a null marker is malformed input. */
  string(compact: boolean, nullable: boolean): string | null {
    const length = this.#length(compact, 2);
    if (length === -1) {
      if (nullable) return null;
      throw malformed('null in a non-nullable string');
    }
    return this.#utf8(length);
  }

  /** Bytes (also used for `records`), as a zero-copy slice of the input. */
  bytes(compact: boolean, nullable: boolean): Buffer | null {
    const length = this.#length(compact, 4);
    if (length === -1) {
      if (nullable) return null;
      throw malformed('null in non-nullable bytes');
    }
    return length === 0 ? EMPTY : this.#slice(length);
  }

  /**
   * An array's element count, -1 for null. Each element takes at least one byte on the wire
   * (structs and primitives alike, for every struct we decode has at least one field or a
   * tagged-field count), so a count above the remaining bytes is malformed: checking here
   * stops a 4-byte frame from asking us for a two-billion-element array.
   */
  arrayLength(compact: boolean, nullable: boolean): number {
    const count = this.#length(compact, 4);
    if (count === -1) {
      if (nullable) return -1;
      throw malformed('null in a non-nullable array');
    }
    if (count > this.remaining()) {
      throw malformed(`array of ${count} elements in ${this.remaining()} remaining bytes`);
    }
    return count;
  }
}

/** Bytes at or above this size are referenced by the Writer rather than copied. */
export const ZERO_COPY_MIN_BYTES = 1024;
const CHUNK_BYTES = 16 * 1024;
/** Below 4 KiB, Buffer.allocUnsafe takes memory from Node's shared pool: cheap. */
const FIRST_CHUNK_BYTES = 4000;

/**
 * Writes primitives into a list of chunks. Small values are copied into the current chunk;
 * large byte arrays (a Fetch response's record batches) are appended as chunks of their own,
 * without copying, so a socket can send them with one writev. `toBuffer()` joins everything
 * for callers that want one Buffer.
 *
 * A Writer made with `sizePrefix: true` starts with 4 reserved bytes that `finish()` fills with
 * the number of bytes after them: the Kafka frame size.
 */
export class Writer {
  #chunks: Buffer[] = [];
  #buf: Buffer;
  #first: Buffer;
  #chunkStart = 0;
  #pos = 0;
  #flushedBytes = 0;
  #sizePrefix: boolean;

  constructor(options: { sizePrefix?: boolean } = {}) {
    this.#buf = Buffer.allocUnsafe(FIRST_CHUNK_BYTES);
    this.#first = this.#buf;
    this.#sizePrefix = options.sizePrefix ?? false;
    if (this.#sizePrefix) this.#pos = 4;
  }

  /** Bytes written so far (including a reserved size prefix). */
  get length(): number {
    return this.#flushedBytes + (this.#pos - this.#chunkStart);
  }

  #ensure(n: number): void {
    if (this.#buf.length - this.#pos >= n) return;
    this.#flush();
    this.#buf = Buffer.allocUnsafe(Math.max(n, CHUNK_BYTES));
    this.#pos = 0;
    this.#chunkStart = 0;
  }

  /** Moves the bytes written into the current chunk since the last flush to the chunk list. */
  #flush(): void {
    if (this.#pos > this.#chunkStart) {
      this.#chunks.push(this.#buf.subarray(this.#chunkStart, this.#pos));
      this.#flushedBytes += this.#pos - this.#chunkStart;
      this.#chunkStart = this.#pos;
    }
  }

  int8(value: number): void {
    this.#ensure(1);
    this.#pos = this.#buf.writeInt8(value, this.#pos);
  }

  bool(value: boolean): void {
    this.#ensure(1);
    this.#buf[this.#pos++] = value ? 1 : 0;
  }

  int16(value: number): void {
    this.#ensure(2);
    this.#pos = this.#buf.writeInt16BE(value, this.#pos);
  }

  uint16(value: number): void {
    this.#ensure(2);
    this.#pos = this.#buf.writeUInt16BE(value, this.#pos);
  }

  int32(value: number): void {
    this.#ensure(4);
    this.#pos = this.#buf.writeInt32BE(value, this.#pos);
  }

  int64(value: bigint): void {
    this.#ensure(8);
    this.#pos = this.#buf.writeBigInt64BE(value, this.#pos);
  }

  float64(value: number): void {
    this.#ensure(8);
    this.#pos = this.#buf.writeDoubleBE(value, this.#pos);
  }

  uuid(value: string): void {
    const bytes = Buffer.from(value, 'base64url');
    if (bytes.length !== 16 || bytes.toString('base64url') !== value) {
      throw new KafkaProtocolError('KP_ERR_ENCODE', `not a Kafka uuid: "${value}"`);
    }
    this.#ensure(16);
    this.#pos += bytes.copy(this.#buf, this.#pos);
  }

  unsignedVarint(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new KafkaProtocolError('KP_ERR_ENCODE', `unsigned varint out of range: ${value}`);
    }
    this.#ensure(5);
    while (value > 0x7f) {
      this.#buf[this.#pos++] = (value & 0x7f) | 0x80;
      value = Math.floor(value / 128);
    }
    this.#buf[this.#pos++] = value;
  }

  #length(length: number, compact: boolean, width: 2 | 4): void {
    if (compact) this.unsignedVarint(length + 1);
    else if (width === 2) this.int16(length);
    else this.int32(length);
  }

  string(value: string | null, compact: boolean): void {
    if (value === null) {
      this.#length(-1, compact, 2);
      return;
    }
    const length = Buffer.byteLength(value, 'utf8');
    if (length > 0x7fff) {
      throw new KafkaProtocolError('KP_ERR_ENCODE', `string of ${length} bytes exceeds 32767`);
    }
    this.#length(length, compact, 2);
    this.#ensure(length);
    this.#pos += this.#buf.write(value, this.#pos, length, 'utf8');
  }

  bytes(value: Buffer | null, compact: boolean): void {
    if (value === null) {
      this.#length(-1, compact, 4);
      return;
    }
    this.#length(value.length, compact, 4);
    this.raw(value);
  }

  arrayLength(count: number, compact: boolean): void {
    this.#length(count, compact, 4);
  }

  /** Appends bytes as they are: copied if small, referenced if large. */
  raw(bytes: Buffer): void {
    if (bytes.length >= ZERO_COPY_MIN_BYTES) {
      this.#flush();
      this.#chunks.push(bytes);
      this.#flushedBytes += bytes.length;
      return;
    }
    this.#ensure(bytes.length);
    this.#pos += bytes.copy(this.#buf, this.#pos);
  }

  /** Appends everything another Writer holds (used for tagged-field payloads). */
  append(other: Writer): void {
    for (const chunk of other.finish()) this.raw(chunk);
  }

  /** The written bytes as chunks (fills in the size prefix if one was reserved). */
  finish(): Buffer[] {
    this.#flush();
    if (this.#sizePrefix) this.#first.writeInt32BE(this.length - 4, 0);
    return this.#chunks;
  }

  /** The written bytes as one Buffer (no copy when everything fit in one chunk). */
  toBuffer(): Buffer {
    const chunks = this.finish();
    if (chunks.length === 1) return chunks[0] as Buffer;
    return Buffer.concat(chunks, this.length);
  }
}
