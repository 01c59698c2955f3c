/**
 * Splits a TCP byte stream into Kafka frames, and peeks at a request's header.
 *
 * Wire format (https://kafka.apache.org/protocol#protocol_common): every request and response
 * is `size:int32` (big-endian, the number of bytes that follow) and then `size` bytes of
 * header + body. TCP delivers those bytes in arbitrary pieces: one `data` event may hold half a
 * size field, or three frames and the start of a fourth. `FrameReader` is an explicit two-state
 * machine, the same shape as ws's `Receiver` (GET_INFO / GET_PAYLOAD):
 *
 *   READ_SIZE    --4 bytes buffered------------------> READ_PAYLOAD(size)
 *   READ_PAYLOAD --size bytes buffered, emit frame----> READ_SIZE
 *   READ_SIZE    --size < 0 or size > frameBytesMax--> FAILED (terminal)
 *
 * The limit (`frameBytesMax`, Kafka's `socket.request.max.bytes`, 100 MiB by default) is
 * checked as soon as the size is known, before any payload is buffered, so a hostile size
 * field cannot make the broker allocate. Failure is reported as a value, not thrown, so the
 * connection owner can log the reason and close the socket (Kafka closes without replying).
 *
 * Frames are zero-copy slices of the received chunks when a frame lies in one chunk, and one
 * exact-size copy when it spans chunks (../chunk-queue.ts).
 */
import { ChunkQueue } from '../chunk-queue.js';
import { KafkaProtocolError, Reader } from './primitives.js';
import { requestHeaderVersion, type RequestHeader } from './codec.js';

/** Kafka's default `socket.request.max.bytes`. */
export const SOCKET_REQUEST_MAX_BYTES_DEFAULT = 104_857_600;

const SIZE_BYTES = 4;

export interface FrameError {
  readonly code: 'KP_ERR_FRAME_TOO_LARGE' | 'KP_ERR_MALFORMED';
  readonly reason: string;
  /** The size field that was refused. */
  readonly sizeBytes: number;
}

export interface FrameReaderResult {
  /** Complete frames, without their size prefix, in arrival order. */
  readonly frames: Buffer[];
  /** Set once the stream is unusable; later pushes return the same error and no frames. */
  readonly error?: FrameError;
}

export class FrameReader {
  readonly frameBytesMax: number;
  readonly #chunks = new ChunkQueue();
  /** -1 while reading the size field, else the payload size being collected. */
  #payloadBytes = -1;
  #error: FrameError | undefined;

  constructor(options: { frameBytesMax?: number } = {}) {
    this.frameBytesMax = options.frameBytesMax ?? SOCKET_REQUEST_MAX_BYTES_DEFAULT;
    if (!Number.isInteger(this.frameBytesMax) || this.frameBytesMax < 0) {
      throw new RangeError(`frameBytesMax must be a non-negative integer: ${this.frameBytesMax}`);
    }
  }

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.#chunks.length;
  }

  push(chunk: Buffer): FrameReaderResult {
    if (this.#error) return { frames: [], error: this.#error };
    this.#chunks.push(chunk);
    const frames: Buffer[] = [];
    for (;;) {
      if (this.#payloadBytes === -1) {
        if (this.#chunks.length < SIZE_BYTES) break;
        const size = this.#chunks.take(SIZE_BYTES).readInt32BE(0);
        if (size < 0 || size > this.frameBytesMax) {
          this.#error = {
            code: size < 0 ? 'KP_ERR_MALFORMED' : 'KP_ERR_FRAME_TOO_LARGE',
            reason:
              size < 0
                ? `negative frame size ${size}`
                : `frame of ${size} bytes exceeds socket.request.max.bytes=${this.frameBytesMax}`,
            sizeBytes: size,
          };
          this.#chunks.clear();
          return { frames, error: this.#error };
        }
        this.#payloadBytes = size;
      }
      if (this.#chunks.length < this.#payloadBytes) break;
      frames.push(this.#chunks.take(this.#payloadBytes));
      this.#payloadBytes = -1;
    }
    return { frames };
  }
}

export type PeekResult =
  | { readonly ok: true; readonly header: RequestHeader }
  | { readonly ok: false; readonly error: KafkaProtocolError };

/**
 * Reads only the request header of a frame: api key, version, correlation id and client id.
 * Works for API keys and versions the codec does not know, so the server can still answer
 * an ApiVersions request of a future version with the v0 fallback (KIP-511), and log who
 * sent a request it refuses. The client id is a classic nullable string in every header
 * version that has one (only ControlledShutdown v0 uses header v0, without it).
 */
export function peekRequestHeader(frame: Buffer): PeekResult {
  const reader = new Reader(frame);
  try {
    const apiKey = reader.int16();
    const apiVersion = reader.int16();
    const correlationId = reader.int32();
    const clientId =
      requestHeaderVersion(apiKey, apiVersion) === 0 ? null : reader.string(false, true);
    return { ok: true, header: { apiKey, apiVersion, correlationId, clientId } };
  } catch (err) {
    if (err instanceof KafkaProtocolError) return { ok: false, error: err };
    throw err;
  }
}
