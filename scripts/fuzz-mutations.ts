/**
 * The mutations of the socket fuzzer (scripts/fuzz.ts), and the seeded random source that
 * picks them, so that a run is repeatable from its `--seed`.
 *
 * Kafka and ZooKeeper frames share one layout, a 4-byte big-endian size and then the payload,
 * so one set of byte-level mutations serves both. Each is something a broken or hostile client
 * does:
 *
 *   replay     the frame as captured
 *   flip       1 to 4 bits flipped in the payload
 *   truncate   only a prefix of the frame is sent, then the connection is closed
 *   size-lie   the size field says more, less, zero, -1 or 2^31-1
 *   huge-count an int32 in the payload (a count or a length, often) set to 2^31-1, 2^31-16,
 *              0x10000 or -2, the size field still right
 *   int16      an int16 in the payload (a version, a string length) set to -1, 0x7fff or -2
 *   header     the request's identity changed: Kafka's api_key/api_version, ZooKeeper's opcode
 *   splice     the head of this frame joined to the tail of another corpus frame
 *   duplicate  the frame sent 2 to 5 times
 *   random     a frame of random bytes with a correct size
 *   junk       random bytes (no frame) before the frame: the stream loses its framing
 *   slow       the frame delivered in pieces of 1 to 7 bytes with a pause between them
 *
 * The WebSocket protocol carries JSON text messages, so its mutations work on JSON:
 *
 *   replay, truncate (cut text), flip (a bit of the UTF-8, sent as text: maybe invalid
 *   UTF-8), value (one field replaced by a random JSON value of another type or size), drop
 *   (one field removed), shape (the message replaced by an array, a number, a string, null),
 *   huge (a field set to a 200 KB string or a 10,000-element array), deep (20,000 nested
 *   arrays), binary (sent as a binary message), duplicate, random (random text), slow (a pause
 *   before sending).
 */

/** mulberry32: a small, fast, seedable PRNG (32-bit state), good enough to pick mutations. */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Binary frames (Kafka and ZooKeeper)

export const BINARY_MUTATIONS = [
  'replay',
  'flip',
  'truncate',
  'size-lie',
  'huge-count',
  'int16',
  'header',
  'splice',
  'duplicate',
  'random',
  'junk',
  'slow',
] as const;
export type BinaryMutation = (typeof BINARY_MUTATIONS)[number];

/** What to put on the socket for one corpus frame. */
export interface BinaryPlan {
  readonly mutation: BinaryMutation;
  /** The byte chunks to write, in order. */
  readonly chunks: Buffer[];
  /** Milliseconds to wait between chunks (slow delivery), 0 otherwise. */
  readonly pauseMs: number;
  /** Close the connection after these chunks (the frame was cut short on purpose). */
  readonly closeAfter: boolean;
}

const SIZE_BYTES = 4;

function withSize(payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(SIZE_BYTES + payload.length);
  frame.writeInt32BE(payload.length, 0);
  payload.copy(frame, SIZE_BYTES);
  return frame;
}

function payloadOf(frame: Buffer): Buffer {
  return frame.subarray(SIZE_BYTES);
}

/**
 * The plan for sending `frame` (size prefix included) with `mutation`. `other` is another
 * frame of the corpus for splices; `headerOffset` is where the request's identity sits in
 * the payload (0 for Kafka's api_key/api_version, 4 for ZooKeeper's opcode after the xid).
 */
export function planBinary(
  random: Random,
  mutation: BinaryMutation,
  frame: Buffer,
  other: Buffer,
  headerOffset: number,
): BinaryPlan {
  const plan = (chunks: Buffer[], extra: Partial<BinaryPlan> = {}): BinaryPlan => ({
    mutation,
    chunks,
    pauseMs: 0,
    closeAfter: false,
    ...extra,
  });
  const payload = payloadOf(frame);
  switch (mutation) {
    case 'replay':
      return plan([frame]);
    case 'flip': {
      const out = Buffer.from(payload);
      if (out.length > 0) {
        for (let i = random.int(1, 4); i > 0; i--) {
          const at = random.int(0, out.length - 1);
          out[at] = (out[at] as number) ^ (1 << random.int(0, 7));
        }
      }
      return plan([withSize(out)]);
    }
    case 'truncate':
      return plan([frame.subarray(0, random.int(0, Math.max(0, frame.length - 1)))], {
        closeAfter: true,
      });
    case 'size-lie': {
      const out = Buffer.from(frame);
      const lie = random.pick([
        payload.length + random.int(1, 64),
        Math.max(0, payload.length - random.int(1, 16)),
        0,
        -1,
        0x7fffffff,
        0x00100000,
      ]);
      out.writeInt32BE(lie, 0);
      return plan([out]);
    }
    case 'huge-count': {
      if (payload.length < 4) return plan([frame]);
      const out = Buffer.from(payload);
      const value = random.pick([0x7fffffff, 0x7ffffff0, 0x10000, -2]);
      out.writeInt32BE(value, random.int(0, out.length - 4));
      return plan([withSize(out)]);
    }
    case 'int16': {
      if (payload.length < 2) return plan([frame]);
      const out = Buffer.from(payload);
      out.writeInt16BE(random.pick([-1, 0x7fff, -2, 0x100]), random.int(0, out.length - 2));
      return plan([withSize(out)]);
    }
    case 'header': {
      if (payload.length < headerOffset + 4) return plan([frame]);
      const out = Buffer.from(payload);
      if (headerOffset === 0) {
        // Kafka: api_key and api_version, often to a neighbouring API or a far version.
        out.writeInt16BE(random.int(-2, 70), 0);
        out.writeInt16BE(random.pick([random.int(0, 20), -1, 0x7fff]), 2);
      } else {
        out.writeInt32BE(
          random.pick([random.int(-12, 110), 0x7fffffff, -0x80000000]),
          headerOffset,
        );
      }
      return plan([withSize(out)]);
    }
    case 'splice': {
      const head = payload.subarray(0, random.int(0, payload.length));
      const tail = payloadOf(other);
      return plan([withSize(Buffer.concat([head, tail.subarray(random.int(0, tail.length))]))]);
    }
    case 'duplicate':
      return plan(Array.from({ length: random.int(2, 5) }, () => frame));
    case 'random':
      return plan([withSize(random.bytes(random.int(0, 256)))]);
    case 'junk':
      return plan([random.bytes(random.int(1, 16)), frame]);
    case 'slow': {
      const chunks: Buffer[] = [];
      for (let at = 0; at < frame.length; ) {
        const size = random.int(1, 7);
        chunks.push(frame.subarray(at, at + size));
        at += size;
      }
      return plan(chunks, { pauseMs: random.int(1, 5) });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// JSON text messages (the coordinator's WebSocket protocol)

export const TEXT_MUTATIONS = [
  'replay',
  'truncate',
  'flip',
  'value',
  'drop',
  'shape',
  'huge',
  'deep',
  'binary',
  'duplicate',
  'random',
  'slow',
] as const;
export type TextMutation = (typeof TEXT_MUTATIONS)[number];

export interface TextPlan {
  readonly mutation: TextMutation;
  /** Messages to send: a string is a text message, a Buffer a text message of raw bytes
   *  (possibly invalid UTF-8) unless `binary` is set. */
  readonly messages: (string | Buffer)[];
  readonly binary: boolean;
  readonly pauseMs: number;
}

function randomJson(random: Random, depth = 0): unknown {
  switch (random.int(0, depth > 2 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return random.pick([true, false]);
    case 2:
      return random.pick([0, -1, 2 ** 31, -(2 ** 63), 2 ** 53 + 1, 1.5, 1e308, -0]);
    case 3:
      return random.pick(['', '/', 'x'.repeat(random.int(1, 300)), '0x-1', '\u0000', '💥']);
    case 4:
      return random.bytes(random.int(0, 12)).toString('base64');
    case 5:
      return random.pick(['connect', 'request', 'command', 'create', 'multi', 'ruok', '__proto__']);
    case 6:
      return Array.from({ length: random.int(0, 4) }, () => randomJson(random, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = random.int(0, 4); i > 0; i--) {
        o[random.pick(['type', 'op', 'path', 'xid', 'ops', 'acl', 'data', 'version', 'mode'])] =
          randomJson(random, depth + 1);
      }
      return o;
    }
  }
}

/** A random property path inside `value` (objects and arrays), or [] for the root. */
function randomPath(random: Random, value: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  let at: unknown = value;
  while (typeof at === 'object' && at !== null && random.chance(0.7)) {
    const keys: (string | number)[] = Array.isArray(at)
      ? at.map((_, i) => i)
      : Object.keys(at as object);
    if (keys.length === 0) break;
    const key = random.pick(keys);
    path.push(key);
    at = (at as Record<string | number, unknown>)[key];
  }
  return path;
}

function setAt(root: unknown, path: (string | number)[], value: unknown, drop: boolean): unknown {
  if (path.length === 0) return drop ? {} : value;
  let parent = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (drop) delete parent[last];
  else parent[last] = value;
  return root;
}

export function planText(random: Random, mutation: TextMutation, message: string): TextPlan {
  const plan = (messages: (string | Buffer)[], extra: Partial<TextPlan> = {}): TextPlan => ({
    mutation,
    messages,
    binary: false,
    pauseMs: 0,
    ...extra,
  });
  const parsed = (): unknown => JSON.parse(message) as unknown;
  switch (mutation) {
    case 'replay':
      return plan([message]);
    case 'truncate':
      return plan([message.slice(0, random.int(0, Math.max(0, message.length - 1)))]);
    case 'flip': {
      const bytes = Buffer.from(message, 'utf8');
      const at = random.int(0, bytes.length - 1);
      bytes[at] = (bytes[at] as number) ^ (1 << random.int(0, 7));
      return plan([bytes]);
    }
    case 'value': {
      const root = parsed();
      return plan([
        JSON.stringify(setAt(root, randomPath(random, root), randomJson(random), false)),
      ]);
    }
    case 'drop': {
      const root = parsed();
      return plan([JSON.stringify(setAt(root, randomPath(random, root), undefined, true))]);
    }
    case 'shape':
      return plan([random.pick(['[]', '42', '"connect"', 'null', '[{"type":"connect"}]', '{}'])]);
    case 'huge': {
      const root = parsed();
      const big = random.chance(0.5)
        ? 'p'.repeat(200_000)
        : Array.from({ length: 10_000 }, (_, i) => ({ op: 'getData', path: `/${i}` }));
      return plan([JSON.stringify(setAt(root, randomPath(random, root), big, false))]);
    }
    case 'deep':
      return plan(['['.repeat(20_000) + ']'.repeat(20_000)]);
    case 'binary':
      return plan([Buffer.from(message, 'utf8')], { binary: true });
    case 'duplicate':
      return plan(Array.from({ length: random.int(2, 5) }, () => message));
    case 'random':
      return plan([random.bytes(random.int(0, 64)).toString('latin1')]);
    case 'slow':
      return plan([message], { pauseMs: random.int(5, 50) });
  }
}
