/**
 * Properties of the table-driven Kafka codec, for every API and every version in the generated
 * table, requests and responses alike:
 *
 *   - encode-then-decode is the identity: a random body (every field of the version set)
 *     encodes, decodes to an object holding the same values, and re-encodes to the same bytes;
 *     the same holds for whole request and response frames with their headers;
 *   - for arbitrary bytes, and for valid encodings with a few bytes corrupted, decoding returns
 *     a value or throws KafkaProtocolError: never a RangeError, a TypeError or anything else.
 *
 * The run counts are small per (message, version) because there are several hundred of them;
 * fast-check's seed is printed on failure, and `FC_SEED=<n>` replays a run.
 */
import t from 'tap';
import fc from 'fast-check';
import {
  decodeMessage,
  decodeRequest,
  decodeResponse,
  encodeMessage,
  encodeRequest,
  encodeResponse,
  KafkaProtocolError,
  type ApiKey as GeneratedApiKey,
} from '../../../../src/protocol/kafka/codec.js';
import { ApiKey } from '../../../../src/protocol/kafka/api-keys.js';
import { MESSAGE_SCHEMAS } from '../../../../src/protocol/kafka/generated/index.js';
import type { MessageSchema } from '../../../../src/protocol/kafka/schema.js';
import {
  bytesArbitrary,
  containsValue,
  messageArbitrary,
  versionsOf,
} from '../../../fuzz/kafka-arbitrary.js';
import { applyMutations, mutations } from '../../../fuzz/byte-mutations.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const ROUND_TRIP_RUNS = 10;
const GARBAGE_RUNS = 10;

const apiKeys = Object.keys(MESSAGE_SCHEMAS).map(Number) as GeneratedApiKey[];
const requestVersionCount = apiKeys
  .map((k) => versionsOf(MESSAGE_SCHEMAS[k].request).length)
  .reduce((a, b) => a + b, 0);
const responseVersionCount = apiKeys
  .map((k) => versionsOf(MESSAGE_SCHEMAS[k].response).length)
  .reduce((a, b) => a + b, 0);
const messageVersionCount = requestVersionCount + responseVersionCount;

/** Runs `decode` and fails the property unless it returns or throws KafkaProtocolError. */
function decodesOrRefuses(decode: () => unknown): boolean {
  try {
    decode();
    return true;
  } catch (err) {
    if (err instanceof KafkaProtocolError) return true;
    throw err;
  }
}

function eachMessage(
  fn: (apiKey: GeneratedApiKey, message: MessageSchema, version: number) => void,
) {
  for (const apiKey of apiKeys) {
    const { request, response } = MESSAGE_SCHEMAS[apiKey];
    for (const message of [request, response]) {
      for (const version of versionsOf(message)) fn(apiKey, message, version);
    }
  }
}

t.test('every body round-trips through encode and decode', async (t) => {
  let checked = 0;
  eachMessage((_apiKey, message, version) => {
    fc.assert(
      fc.property(messageArbitrary(message, version), (body) => {
        const bytes = encodeMessage(message, version, body);
        const decoded = decodeMessage(message, version, bytes);
        if (!containsValue(body, decoded)) return false;
        return encodeMessage(message, version, decoded).equals(bytes);
      }),
      { numRuns: ROUND_TRIP_RUNS, seed },
    );
    checked++;
  });
  t.equal(
    checked,
    messageVersionCount,
    `every one of ${messageVersionCount} message versions round-trip`,
  );
});

t.test('whole request and response frames round-trip with their headers', async (t) => {
  let checked = 0;
  for (const apiKey of apiKeys) {
    const { request, response } = MESSAGE_SCHEMAS[apiKey];
    for (const apiVersion of versionsOf(request)) {
      const header = fc.record({
        correlationId: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
        clientId: fc.option(fc.string({ unit: 'binary', maxLength: 8 }), { nil: null }),
      });
      fc.assert(
        fc.property(header, messageArbitrary(request, apiVersion), (h, body) => {
          const frame = encodeRequest({ apiKey, apiVersion, ...h }, body as never);
          const decoded = decodeRequest(frame);
          // ControlledShutdown v0 uses request header v0, which has no client id.
          const clientId =
            apiKey === ApiKey.ControlledShutdown && apiVersion === 0 ? null : h.clientId;
          return (
            decoded.apiKey === apiKey &&
            decoded.apiVersion === apiVersion &&
            decoded.correlationId === h.correlationId &&
            decoded.clientId === clientId &&
            containsValue(body, decoded.body)
          );
        }),
        { numRuns: 5, seed },
      );
      checked++;
    }
    for (const apiVersion of versionsOf(response)) {
      const correlationId = fc.integer({ min: -0x80000000, max: 0x7fffffff });
      fc.assert(
        fc.property(correlationId, messageArbitrary(response, apiVersion), (id, body) => {
          const frame = encodeResponse(apiKey, apiVersion, id, body as never);
          const decoded = decodeResponse(apiKey, apiVersion, frame);
          return decoded.correlationId === id && containsValue(body, decoded.body);
        }),
        { numRuns: 5, seed },
      );
      checked++;
    }
  }
  t.equal(
    checked,
    messageVersionCount,
    `every one of ${messageVersionCount} frame versions round-trip`,
  );
});

t.test('arbitrary bytes decode or raise KafkaProtocolError', async (t) => {
  let checked = 0;
  eachMessage((_apiKey, message, version) => {
    fc.assert(
      fc.property(bytesArbitrary(0, 48), (bytes) =>
        decodesOrRefuses(() => decodeMessage(message, version, bytes)),
      ),
      { numRuns: GARBAGE_RUNS, seed },
    );
    checked++;
  });
  t.equal(
    checked,
    messageVersionCount,
    `every one of ${messageVersionCount} message versions refuse garbage with their own error`,
  );
});

t.test('corrupted valid bodies decode or raise KafkaProtocolError', async (t) => {
  let checked = 0;
  eachMessage((_apiKey, message, version) => {
    fc.assert(
      fc.property(messageArbitrary(message, version), mutations, (body, list) => {
        const bytes = applyMutations(encodeMessage(message, version, body), list);
        return decodesOrRefuses(() => decodeMessage(message, version, bytes));
      }),
      { numRuns: GARBAGE_RUNS, seed },
    );
    checked++;
  });
  t.equal(
    checked,
    messageVersionCount,
    `every one of ${messageVersionCount} message versions refuse corrupted input ` +
      'with their own error',
  );
});

t.test('arbitrary request frames decode or raise KafkaProtocolError', async (t) => {
  // A plausible header (a real API key, any version) followed by garbage reaches every body
  // decoder, and versions outside the table reach the version checks.
  const frame = fc
    .tuple(
      fc.oneof(fc.constantFrom(...apiKeys), fc.integer({ min: -0x8000, max: 0x7fff })),
      fc.oneof(fc.integer({ min: -1, max: 20 }), fc.integer({ min: -0x8000, max: 0x7fff })),
      bytesArbitrary(0, 64),
    )
    .map(([apiKey, apiVersion, rest]) => {
      const head = Buffer.alloc(4);
      head.writeInt16BE(apiKey, 0);
      head.writeInt16BE(apiVersion, 2);
      return Buffer.concat([head, rest]);
    });
  fc.assert(
    fc.property(frame, (bytes) => decodesOrRefuses(() => decodeRequest(bytes))),
    { numRuns: 3000, seed },
  );
  fc.assert(
    fc.property(bytesArbitrary(0, 64), (bytes) => decodesOrRefuses(() => decodeRequest(bytes))),
    { numRuns: 1000, seed },
  );
  t.pass('4000 frames decoded or refused with KafkaProtocolError');
});

t.test('corrupted request frames decode or raise KafkaProtocolError', async (t) => {
  let checked = 0;
  for (const apiKey of apiKeys) {
    const { request } = MESSAGE_SCHEMAS[apiKey];
    for (const apiVersion of versionsOf(request)) {
      fc.assert(
        fc.property(messageArbitrary(request, apiVersion), mutations, (body, list) => {
          const header = { apiKey, apiVersion, correlationId: 1, clientId: 'fuzz' };
          const frame = applyMutations(encodeRequest(header, body as never), list);
          return decodesOrRefuses(() => decodeRequest(frame));
        }),
        { numRuns: 10, seed },
      );
      checked++;
    }
  }
  t.equal(
    checked,
    requestVersionCount,
    `every one of ${requestVersionCount} request versions refuse corrupted frames ` +
      'with their own error',
  );
});
