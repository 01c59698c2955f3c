/**
 * Properties of the coordinator's WebSocket JSON codec (src/protocol/coordinator/ws-codec.ts):
 *
 *   - every client frame (connect, command, each request) survives encodeClientFrame then
 *     decodeClientFrame; every watch event, command answer and connect answer survives
 *     encodeServerFrame then decodeServerFrame;
 *   - for arbitrary text, arbitrary JSON values, and valid frames with one field replaced by
 *     an arbitrary JSON value, decodeClientFrame returns a frame or throws FrameError, never
 *     a TypeError or anything else (this is the decoder that reads untrusted input).
 */
import t from 'tap';
import fc from 'fast-check';
import {
  decodeClientFrame,
  decodeServerFrame,
  encodeClientFrame,
  encodeServerFrame,
  FrameError,
  type ClientFrame,
  type ServerFrame,
} from '../../../../src/protocol/coordinator/ws-codec.js';
import { containsValue } from '../../../fuzz/kafka-arbitrary.js';
import {
  connectArbitrary,
  requestArbitrary,
  watchEventArbitrary,
} from '../../../fuzz/coordinator-arbitrary.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const equal = (a: unknown, b: unknown) => containsValue(a, b) && containsValue(b, a);
const xid = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const text = fc.string({ unit: 'binary', maxLength: 16 });

const clientFrame: fc.Arbitrary<ClientFrame> = fc.oneof(
  connectArbitrary.map((connect) => ({ type: 'connect' as const, connect })),
  text.map((command) => ({ type: 'command' as const, command })),
  fc
    .tuple(xid, requestArbitrary({ binary: false }))
    .map(([x, request]) => ({ type: 'request' as const, xid: x, request })),
);

const serverFrame: fc.Arbitrary<ServerFrame> = fc.oneof(
  watchEventArbitrary.map((event) => ({ type: 'event' as const, event })),
  fc.tuple(text, text).map(([command, output]) => ({ type: 'command' as const, command, output })),
  connectArbitrary.map(({ protocolVersion, timeoutMs, sessionId, password, readOnly }) => ({
    type: 'connected' as const,
    connected: { protocolVersion, timeoutMs, sessionId, password, readOnly },
  })),
);

function decodesOrRefuses(input: string): boolean {
  try {
    decodeClientFrame(input);
    return true;
  } catch (err) {
    if (err instanceof FrameError) return true;
    throw err;
  }
}

t.test('every client frame round-trips', async (t) => {
  t.doesNotThrow(
    () =>
      fc.assert(
        fc.property(clientFrame, (frame) =>
          equal(frame, decodeClientFrame(encodeClientFrame(frame))),
        ),
        { numRuns: 3000, seed },
      ),
    '3000 client frames round-trip',
  );
});

t.test('every server event, command answer and connect answer round-trips', async (t) => {
  t.doesNotThrow(
    () =>
      fc.assert(
        fc.property(serverFrame, (frame) =>
          equal(frame, decodeServerFrame(encodeServerFrame(frame))),
        ),
        { numRuns: 1000, seed },
      ),
    '1000 server frames round-trip',
  );
});

t.test('arbitrary text and JSON decode to a frame or a FrameError', async (t) => {
  t.doesNotThrow(
    () =>
      fc.assert(fc.property(fc.string({ unit: 'binary' }), decodesOrRefuses), {
        numRuns: 1000,
        seed,
      }),
    '1000 arbitrary texts decoded or refused',
  );
  t.doesNotThrow(
    () =>
      fc.assert(
        fc.property(fc.jsonValue(), (value) => decodesOrRefuses(JSON.stringify(value))),
        { numRuns: 1000, seed },
      ),
    '1000 arbitrary JSON values decoded or refused',
  );
});

t.test('valid frames with one field replaced decode to a frame or a FrameError', async (t) => {
  // Replace one property (at the top level, in a multi's first op, or in an ACL) with any JSON
  // value: this reaches every field check with every wrong type.
  const replaced = fc
    .tuple(clientFrame, fc.nat(), fc.jsonValue(), fc.constantFrom('top', 'op', 'acl'))
    .map(([frame, which, value, where]) => {
      const object = JSON.parse(encodeClientFrame(frame)) as Record<string, unknown>;
      let target: Record<string, unknown> = object;
      if (where === 'op' && Array.isArray(object.ops) && object.ops.length > 0) {
        target = object.ops[0] as Record<string, unknown>;
      }
      if (where === 'acl' && Array.isArray(object.acl) && object.acl.length > 0) {
        target = object.acl[0] as Record<string, unknown>;
      }
      const keys = Object.keys(target);
      target[keys[which % keys.length] ?? 'type'] = value;
      return JSON.stringify(object);
    });
  t.doesNotThrow(
    () => fc.assert(fc.property(replaced, decodesOrRefuses), { numRuns: 3000, seed }),
    '3000 altered frames decoded or refused',
  );
});
