/**
 * An incremental parser for ZooKeeper's TCP framing: every packet is a 4-byte big-endian
 * signed length followed by that many bytes. TCP delivers a byte stream, so one `data`
 * chunk may hold half a length, several packets, or a packet split anywhere; `push()` takes
 * chunks as they come and returns the complete packets found so far.
 *
 * The parser is an explicit state machine, in the manner of ws's lib/receiver.js:
 *
 *   GET_LENGTH ──4 bytes──▶ GET_PAYLOAD ──length bytes──▶ GET_LENGTH ...
 *       │                                                  (emits {kind:'frame'})
 *       ├─ first 4 bytes of the connection spell a known four-letter word
 *       │      ──▶ DONE (emits {kind:'fourLetterWord'})
 *       └─ length < 0 or > packetBytesMax ──▶ DONE (emits {kind:'error'})
 *
 * Four-letter words: ZooKeeper's NIOServerCnxn reads the first 4 bytes as a length; only on
 * a connection that has not yet sent anything, and only if those 4 bytes are the ASCII of a
 * known command (`ruok` = 0x72756f6b), does it run the command instead. Any other 4 bytes are
 * a length, and every lower-case ASCII word is far above jute.maxbuffer, so an unknown word
 * ends as an oversize error. Detection is a pure function of the first 4 bytes, so it does not
 * matter whether they arrive in one chunk or four.
 *
 * Limits: `packetBytesMax` (jute.maxbuffer, 0xFFFFF by default) bounds each packet. Nothing
 * else is buffered beyond one incomplete packet, because complete packets are returned at
 * once. After DONE every further byte is ignored: the owner is closing the connection.
 *
 * The parser does no I/O and keeps no timers, so it is tested by feeding it bytes.
 */
import { ChunkQueue } from '../chunk-queue.js';
import { JUTE_MAX_BUFFER_BYTES } from './jute.js';

/**
 * Four-letter words recognised on a fresh connection. The coordinator core answers them
 * (`CoordinatorServer.fourLetterWord`). Commands that read arguments after the word (stmk)
 * are left out.
 */
export const FOUR_LETTER_WORDS: ReadonlySet<string> = new Set([
  'ruok',
  'stat',
  'srvr',
  'mntr',
  'cons',
  'wchs',
  'wchc',
  'wchp',
  'dump',
  'envi',
  'conf',
  'isro',
  'dirs',
  'crst',
  'srst',
  'gtmk',
  'hash',
]);

/** Stable codes for framing violations, for logs and tests (ws uses the same idea). */
export type FrameErrorCode = 'ZK_ERR_FRAME_NEGATIVE_LENGTH' | 'ZK_ERR_FRAME_TOO_LARGE';

export type FrameReaderOutput =
  | { kind: 'frame'; packet: Buffer }
  | { kind: 'fourLetterWord'; word: string }
  | { kind: 'error'; code: FrameErrorCode; message: string };

type State = 'GET_LENGTH' | 'GET_PAYLOAD' | 'DONE';

export interface FrameReaderOptions {
  /** jute.maxbuffer: the largest packet accepted, not counting the 4-byte length. */
  packetBytesMax?: number;
  /** Look for a four-letter word in the first 4 bytes (true for a fresh server connection). */
  detectFourLetterWords?: boolean;
}

export class FrameReader {
  readonly #packetBytesMax: number;
  #detectFourLetterWords: boolean;
  #state: State = 'GET_LENGTH';
  /** Received bytes not yet consumed. */
  readonly #chunks = new ChunkQueue();
  /** The length of the packet being read, once GET_LENGTH has read it. */
  #payloadLength = 0;

  constructor(options: FrameReaderOptions = {}) {
    this.#packetBytesMax = options.packetBytesMax ?? JUTE_MAX_BUFFER_BYTES;
    this.#detectFourLetterWords = options.detectFourLetterWords ?? false;
  }

  get state(): State {
    return this.#state;
  }

  /** Bytes received but not yet returned as part of a packet. */
  get bufferedBytes(): number {
    return this.#chunks.length;
  }

  /** Feed one chunk; returns every complete packet (and at most one terminal output). */
  push(chunk: Buffer): FrameReaderOutput[] {
    if (this.#state === 'DONE') return [];
    this.#chunks.push(chunk);
    const out: FrameReaderOutput[] = [];
    // Each step either consumes bytes and moves on, or returns false when it needs more.
    for (;;) {
      const progressed =
        this.#state === 'GET_LENGTH' ? this.#getLength(out) : this.#getPayload(out);
      if (!progressed || this.#isDone()) break;
    }
    if (this.#isDone()) this.#chunks.clear();
    return out;
  }

  // A method rather than an inline comparison: TypeScript narrows `this.#state` after the
  // DONE check at the top of push() and would not see the steps changing it.
  #isDone(): boolean {
    return this.#state === 'DONE';
  }

  #getLength(out: FrameReaderOutput[]): boolean {
    if (this.#chunks.length < 4) return false;
    const head = this.#chunks.take(4);
    if (this.#detectFourLetterWords) {
      // Only the very first 4 bytes of the connection may be a command.
      this.#detectFourLetterWords = false;
      const word = head.toString('latin1');
      if (FOUR_LETTER_WORDS.has(word)) {
        out.push({ kind: 'fourLetterWord', word });
        this.#state = 'DONE';
        return true;
      }
    }
    const length = head.readInt32BE(0);
    if (length < 0) {
      return this.#fail(out, 'ZK_ERR_FRAME_NEGATIVE_LENGTH', `negative packet length ${length}`);
    }
    if (length > this.#packetBytesMax) {
      return this.#fail(
        out,
        'ZK_ERR_FRAME_TOO_LARGE',
        `packet length ${length} exceeds jute.maxbuffer ${this.#packetBytesMax}`,
      );
    }
    this.#payloadLength = length;
    this.#state = 'GET_PAYLOAD';
    return true;
  }

  #getPayload(out: FrameReaderOutput[]): boolean {
    if (this.#chunks.length < this.#payloadLength) return false;
    out.push({ kind: 'frame', packet: this.#chunks.take(this.#payloadLength) });
    this.#state = 'GET_LENGTH';
    return true;
  }

  #fail(out: FrameReaderOutput[], code: FrameErrorCode, message: string): boolean {
    out.push({ kind: 'error', code, message });
    this.#state = 'DONE';
    return true;
  }
}
