/**
 * Properties of ZooKeeper's binary protocol as the coordinator reads it
 * (src/protocol/zookeeper/codec.ts):
 *
 *   - every request a client can send survives encodeRequestFrame then decodeRequest, with
 *     its xid, whatever opcode form the encoder picks (create or createTTL, getChildren2,
 *     setWatches or setWatches2, multi with its sub-ops);
 *   - every ConnectRequest survives the handshake codec, with or without the readOnly byte;
 *   - for arbitrary packets, and for valid ones with a few bytes corrupted, decodeRequest
 *     returns a request or a rejection, and throws JuteError only when not even the 8-byte
 *     header is there; decodeConnectRequest returns or throws JuteError.
 */
import t from 'tap';
import fc from 'fast-check';
import {
  decodeConnectRequest,
  decodeRequest,
  encodeConnectRequestFrame,
  encodeRequestFrame,
} from '../../../../src/protocol/zookeeper/codec.js';
import { JuteError } from '../../../../src/protocol/zookeeper/jute.js';
import { OpCode } from '../../../../src/protocol/zookeeper/op-codes.js';
import { bytesArbitrary, containsValue } from '../../../fuzz/kafka-arbitrary.js';
import { connectArbitrary, requestArbitrary } from '../../../fuzz/coordinator-arbitrary.js';
import { applyMutations, mutations } from '../../../fuzz/byte-mutations.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const xid = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const equal = (a: unknown, b: unknown) => containsValue(a, b) && containsValue(b, a);

/** The packet of a frame: what the frame reader hands to the decoder. */
const packetOf = (frame: Buffer) => frame.subarray(4);

t.test('every request round-trips through the binary protocol', async (t) => {
  fc.assert(
    fc.property(xid, requestArbitrary({ binary: true }), (x, request) => {
      const decoded = decodeRequest(packetOf(encodeRequestFrame(x, request)));
      return decoded.kind === 'request' && decoded.xid === x && equal(request, decoded.request);
    }),
    { numRuns: 3000, seed },
  );
  t.pass('3000 requests round-trip');
});

t.test('every ConnectRequest round-trips, with and without the readOnly byte', async (t) => {
  fc.assert(
    fc.property(connectArbitrary, fc.boolean(), (connect, withReadOnly) => {
      const decoded = decodeConnectRequest(
        packetOf(encodeConnectRequestFrame(connect, withReadOnly)),
      );
      const expected = withReadOnly ? connect : { ...connect, readOnly: false };
      return decoded.hasReadOnly === withReadOnly && equal(expected, decoded.request);
    }),
    { numRuns: 500, seed },
  );
  t.pass('500 handshakes round-trip');
});

function decodesOrRefuses(packet: Buffer): boolean {
  try {
    const decoded = decodeRequest(packet);
    return decoded.kind === 'request' || typeof decoded.err === 'number';
  } catch (err) {
    // Only a packet too short for the RequestHeader may throw.
    if (err instanceof JuteError && packet.length < 8) return true;
    throw err;
  }
}

function connectDecodesOrRefuses(packet: Buffer): boolean {
  try {
    decodeConnectRequest(packet);
    return true;
  } catch (err) {
    if (err instanceof JuteError) return true;
    throw err;
  }
}

t.test('arbitrary packets decode to a request or a rejection', async (t) => {
  const opCodes = Object.values(OpCode);
  // A real opcode in front of random bytes reaches every body decoder.
  const packet = fc
    .tuple(xid, fc.oneof(fc.constantFrom(...opCodes), xid), bytesArbitrary(0, 64))
    .map(([x, op, rest]) => {
      const header = Buffer.alloc(8);
      header.writeInt32BE(x, 0);
      header.writeInt32BE(op, 4);
      return Buffer.concat([header, rest]);
    });
  fc.assert(fc.property(packet, decodesOrRefuses), { numRuns: 5000, seed });
  fc.assert(fc.property(bytesArbitrary(0, 64), decodesOrRefuses), { numRuns: 1000, seed });
  fc.assert(fc.property(bytesArbitrary(0, 64), connectDecodesOrRefuses), { numRuns: 1000, seed });
  t.pass('7000 packets decoded or refused');
});

t.test('corrupted valid packets decode to a request or a rejection', async (t) => {
  fc.assert(
    fc.property(xid, requestArbitrary({ binary: true }), mutations, (x, request, list) =>
      decodesOrRefuses(applyMutations(packetOf(encodeRequestFrame(x, request)), list)),
    ),
    { numRuns: 3000, seed },
  );
  fc.assert(
    fc.property(connectArbitrary, mutations, (connect, list) =>
      connectDecodesOrRefuses(
        applyMutations(packetOf(encodeConnectRequestFrame(connect, true)), list),
      ),
    ),
    { numRuns: 1000, seed },
  );
  t.pass('4000 corrupted packets decoded or refused');
});
