/**
 * The table-driven codec against itself and against hand-checked bytes:
 *   - every generated API, every version, request and response: a sample value with every
 *     field of that version set to a non-default value survives encode -> decode -> encode;
 *   - exact bytes for flexible messages (compact strings, tagged fields) of
 *     librdkafka's ApiVersions v3 request and the broker's v3 and fallback replies;
 *   - unknown tagged fields are skipped on decode and written back on encode;
 *   - truncated or corrupted input always raises a KafkaProtocolError.
 */
import t, { type Test } from 'tap';
import { isDeepStrictEqual } from 'node:util';
import {
  decodeMessage,
  decodeRequest,
  decodeResponse,
  encodeMessage,
  encodeRequest,
  encodeRequestFrame,
  encodeResponse,
  encodeResponseFrame,
  KafkaProtocolError,
  requestHeaderVersion,
  responseHeaderVersion,
  type ApiKey as GeneratedApiKey,
} from '../../../../src/protocol/kafka/codec.js';
import { ApiKey } from '../../../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../../../src/protocol/kafka/errors.js';
import { MESSAGE_SCHEMAS } from '../../../../src/protocol/kafka/generated/index.js';
import {
  inVersionRange,
  parseVersionRange,
  type FieldSchema,
  type MessageSchema,
} from '../../../../src/protocol/kafka/schema.js';

/** A small deterministic PRNG so that failures reproduce. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state;
  };
}

/**
 * A value for `message` at `version` in which every field present in that version has a
 * non-default value (so that tagged fields are actually written), and absent fields are left
 * out. Nullable fields are sometimes null.
 */
function sampleMessage(message: MessageSchema, version: number, seed: number): unknown {
  const next = prng(seed);
  const common = new Map((message.commonStructs ?? []).map((s) => [s.name, s.fields]));
  const flexible = inVersionRange(parseVersionRange(message.flexibleVersions), version);
  const sampleType = (field: FieldSchema, type: string, nullable: boolean): unknown => {
    if (nullable && next() % 4 === 0) return null;
    if (type.startsWith('[]')) {
      const count = 1 + (next() % 2);
      return Array.from({ length: count }, () => sampleType(field, type.slice(2), false));
    }
    switch (type) {
      case 'bool':
        return field.default !== 'true';
      case 'int8':
        return (next() % 100) + 2;
      case 'int16':
        return (next() % 30000) + 2;
      case 'uint16':
        return (next() % 60000) + 2;
      case 'int32':
        return (next() % 2_000_000_000) + 2;
      case 'int64':
        return BigInt(next()) * 4_000_000n + 2n;
      case 'float64':
        return next() / 7;
      case 'uuid':
        return Buffer.from(Array.from({ length: 16 }, () => next() & 0xff)).toString('base64url');
      case 'string':
        return `${field.name}-${next() % 1000}-é`;
      case 'bytes':
        return Buffer.from(`bytes-${next()}`);
      case 'records':
        // Large enough to take the writer's zero-copy path.
        return Buffer.alloc(1500 + (next() % 100), next() & 0xff);
      default:
        return sampleStruct(field.fields ?? (common.get(type) as readonly FieldSchema[]));
    }
  };
  const sampleStruct = (fields: readonly FieldSchema[]): Record<string, unknown> => {
    const value: Record<string, unknown> = {};
    for (const field of fields) {
      if (!inVersionRange(parseVersionRange(field.versions), version)) continue;
      const tagged = flexible && inVersionRange(parseVersionRange(field.taggedVersions), version);
      const nullable = inVersionRange(parseVersionRange(field.nullableVersions), version);
      // Tagged null would equal a null default and not be written; keep tagged values non-null.
      value[field.property] = sampleType(field, field.type, nullable && !tagged);
    }
    return value;
  };
  return sampleStruct(message.fields);
}

/** Every property of `expected` is deep-equal in `actual` (which may have more, the defaults). */
function containsSample(actual: unknown, expected: unknown, path: string): string | null {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return path;
    for (let i = 0; i < expected.length; i++) {
      const bad = containsSample(actual[i], expected[i], `${path}[${i}]`);
      if (bad) return bad;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object' && !Buffer.isBuffer(expected)) {
    if (actual === null || typeof actual !== 'object') return path;
    for (const [key, value] of Object.entries(expected)) {
      const bad = containsSample((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
      if (bad) return bad;
    }
    return null;
  }
  return isDeepStrictEqual(actual, expected) ? null : path;
}

/** Asserts that `fn` throws a KafkaProtocolError with `code` whose message matches `pattern`. */
function throwsProtocolError(
  t: Test,
  fn: () => unknown,
  code: string,
  pattern: RegExp = /./,
): void {
  try {
    fn();
    t.fail(`expected ${code}`);
  } catch (err) {
    t.ok(err instanceof KafkaProtocolError, 'a KafkaProtocolError');
    t.equal((err as KafkaProtocolError).code, code);
    t.match((err as Error).message, pattern);
  }
}

const apiKeys = Object.keys(MESSAGE_SCHEMAS).map(Number) as GeneratedApiKey[];

t.test('every API and version round-trips through the codec', async (t) => {
  let cases = 0;
  for (const apiKey of apiKeys) {
    const { request, response } = MESSAGE_SCHEMAS[apiKey];
    const range = parseVersionRange(request.validVersions);
    for (let version = range.min; version <= range.max; version++) {
      for (const [message, kind] of [
        [request, 'request'],
        [response, 'response'],
      ] as const) {
        const sample = sampleMessage(message, version, apiKey * 1000 + version);
        const encoded = encodeMessage(message, version, sample);
        const decoded = decodeMessage(message, version, encoded);
        const bad = containsSample(decoded, sample, message.name);
        if (bad) t.fail(`${kind} ${message.name} v${version}: mismatch at ${bad}`);
        const again = encodeMessage(message, version, decoded);
        if (!again.equals(encoded)) t.fail(`${message.name} v${version}: re-encoding differs`);
        cases++;
      }
    }
  }
  t.ok(cases > 300, `checked ${cases} message versions`);
});

t.test('request and response headers follow the flexible versions', async (t) => {
  t.equal(requestHeaderVersion(0, 7), 1, 'Produce v7 is classic');
  t.equal(requestHeaderVersion(1, 12), 2, 'Fetch v12 is flexible');
  t.equal(requestHeaderVersion(7, 0), 0, 'ControlledShutdown v0 has no client id');
  t.equal(requestHeaderVersion(7, 1), 1);
  t.equal(responseHeaderVersion(1, 12), 1);
  t.equal(responseHeaderVersion(18, 3), 0, 'ApiVersions always answers with header v0');
  t.equal(responseHeaderVersion(3, 8), 0);
});

t.test('a request survives encodeRequest -> decodeRequest with its header', async (t) => {
  const header = { apiKey: 3 as const, apiVersion: 9, correlationId: 77, clientId: 'me' };
  const frame = encodeRequest(header, {
    topics: [{ name: 'orders' }],
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: true,
  });
  const decoded = decodeRequest(frame);
  t.equal(decoded.apiKey, ApiKey.Metadata);
  if (decoded.apiKey !== ApiKey.Metadata) return;
  t.same(
    { ...decoded, body: undefined },
    {
      apiKey: ApiKey.Metadata,
      apiVersion: 9,
      correlationId: 77,
      clientId: 'me',
      body: undefined,
      trailingBytes: 0,
    },
  );
  t.equal(decoded.body.topics?.[0]?.name, 'orders');
  t.equal(decoded.body.topics?.[0]?.topicId, 'AAAAAAAAAAAAAAAAAAAAAA', 'absent uuid = zero uuid');
  t.equal(decoded.body.allowAutoTopicCreation, false);
  t.equal(decoded.body.includeClusterAuthorizedOperations, false, 'absent in v9: default');
});

t.test('ApiVersions v3 request bytes as librdkafka 2.0.2 sends them', async (t) => {
  const frame = Buffer.from(
    '0000001e001200030000000100016300' + '0b6c696272646b61666b61' + '06322e302e3200',
    'hex',
  );
  const decoded = decodeRequest(frame.subarray(4));
  t.equal(decoded.apiKey, ApiKey.ApiVersions);
  if (decoded.apiKey !== ApiKey.ApiVersions) return;
  t.equal(decoded.clientId, 'c');
  t.equal(decoded.body.clientSoftwareName, 'librdkafka');
  t.equal(decoded.body.clientSoftwareVersion, '2.0.2');
  const reencoded = encodeRequestFrame(
    { apiKey: ApiKey.ApiVersions, apiVersion: 3, correlationId: 1, clientId: 'c' },
    decoded.body,
  );
  t.equal(Buffer.concat(reencoded).toString('hex'), frame.toString('hex'));
});

t.test('ApiVersions responses byte for byte: v3, and the v0 fallback', async (t) => {
  const v3 = encodeResponseFrame(18, 3, 1, {
    errorCode: ErrorCode.NONE,
    apiKeys: [
      { apiKey: ApiKey.Produce, minVersion: 3, maxVersion: 7 },
      { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 3 },
    ],
    throttleTimeMs: 0,
  });
  t.equal(
    Buffer.concat(v3).toString('hex'),
    '0000001a' +
      '00000001' +
      '0000' +
      '03' +
      '000000030007' +
      '00' +
      '001200000003' +
      '00' +
      '00000000' +
      '00',
  );
  const fallback = encodeResponse(18, 0, 1, {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    apiKeys: [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 3 }],
  });
  t.equal(fallback.toString('hex'), '00000001' + '0023' + '00000001' + '001200000003');
});

t.test('tagged fields: known ones decoded, unknown ones preserved', async (t) => {
  // Fetch v12 request, flexible: ClusterId is tagged field 0 (versions 12+).
  const body = {
    clusterId: 'abc',
    replicaId: -1,
    maxWaitMs: 500,
    minBytes: 1,
    maxBytes: 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [],
    forgottenTopicsData: [],
    rackId: '',
  };
  const header = {
    apiKey: ApiKey.Fetch,
    apiVersion: 12,
    correlationId: 9,
    clientId: null,
  } as const;
  const frame = encodeRequest(header, body);
  const decoded = decodeRequest(frame);
  if (decoded.apiKey !== ApiKey.Fetch) return t.fail('not a fetch');
  t.equal(decoded.clientId, null);
  t.equal(decoded.body.clusterId, 'abc', 'tagged field read');
  // Without ClusterId the body ends with an empty tagged-field section (one 0 byte, after
  // RackId). Replace it with a section holding one unknown tag, 7, of two bytes.
  const withoutTags = encodeRequest(
    { apiKey: ApiKey.Fetch, apiVersion: 12, correlationId: 9, clientId: null },
    { ...body, clusterId: null },
  );
  t.equal(withoutTags[withoutTags.length - 1], 0, 'no tagged fields: count 0 at the end');
  const unknown = Buffer.concat([
    withoutTags.subarray(0, withoutTags.length - 1),
    Buffer.from([1, 7, 2, 0xbe, 0xef]),
  ]);
  const withUnknown = decodeRequest(unknown);
  if (withUnknown.apiKey !== ApiKey.Fetch) return t.fail('not a fetch');
  t.equal(withUnknown.body.clusterId, null);
  t.same(withUnknown.body._unknownTaggedFields, [{ tag: 7, data: Buffer.from([0xbe, 0xef]) }]);
  const reencoded = encodeRequest(
    { apiKey: ApiKey.Fetch, apiVersion: 12, correlationId: 9, clientId: null },
    withUnknown.body,
  );
  t.ok(reencoded.equals(unknown), 'unknown tag written back unchanged');
});

t.test('absent properties are encoded as defaults', async (t) => {
  const frame = encodeResponse(0, 7, 3, { responses: [{ name: 't', partitionResponses: [{}] }] });
  const { body } = decodeResponse(0, 7, frame);
  const partition = body.responses[0]?.partitionResponses[0];
  t.equal(partition?.errorCode, 0);
  t.equal(partition?.baseOffset, 0n);
  t.equal(partition?.logAppendTimeMs, -1n, 'default -1');
  t.equal(body.throttleTimeMs, 0);
});

t.test('encoding errors are typed and name the field', async (t) => {
  throwsProtocolError(
    t,
    () => encodeResponse(0, 7, 1, { responses: [{ name: null as unknown as string }] }),
    'KP_ERR_ENCODE',
    /non-nullable.*ProduceResponse\.Responses\.Name/,
  );
  throwsProtocolError(
    t,
    () => encodeResponse(0, 7, 1, { throttleTimeMs: 2 ** 40 }),
    'KP_ERR_ENCODE',
    /ThrottleTimeMs/,
  );
  throwsProtocolError(
    t,
    () =>
      encodeRequest(
        { apiKey: ApiKey.Produce, apiVersion: 99, correlationId: 1, clientId: null },
        {},
      ),
    'KP_ERR_UNSUPPORTED_VERSION',
  );
});

t.test('unknown API keys and versions raise typed errors', async (t) => {
  const unknownKey = Buffer.from('00630000000000010000', 'hex');
  t.throws(() => decodeRequest(unknownKey), { code: 'KP_ERR_UNKNOWN_API_KEY' });
  // Produce v99 would be flexible, so its header ends with an (empty) tagged-field section.
  const badVersion = Buffer.from('0000006300000001000000', 'hex');
  t.throws(() => decodeRequest(badVersion), { code: 'KP_ERR_UNSUPPORTED_VERSION' });
});

t.test('truncated and corrupted requests always raise KafkaProtocolError', async (t) => {
  const frames: Buffer[] = [];
  for (const apiKey of apiKeys) {
    const { request } = MESSAGE_SCHEMAS[apiKey];
    const range = parseVersionRange(request.validVersions);
    for (const version of [range.min, range.max]) {
      const body = sampleMessage(request, version, apiKey + version);
      frames.push(
        encodeRequest(
          { apiKey, apiVersion: version, correlationId: 1, clientId: 'x' },
          body as never,
        ),
      );
    }
  }
  const next = prng(42);
  let truncations = 0;
  let corruptions = 0;
  for (const frame of frames) {
    // Every proper prefix is truncated input.
    for (let cut = 0; cut < frame.length; cut += 1 + (frame.length >> 6)) {
      try {
        decodeRequest(frame.subarray(0, cut));
        t.fail(`prefix of ${cut}/${frame.length} bytes decoded`);
      } catch (err) {
        if (!(err instanceof KafkaProtocolError)) throw err;
        truncations++;
      }
    }
    // Random byte flips either decode (the bytes were still valid) or fail with our error.
    for (let i = 0; i < 40; i++) {
      const copy = Buffer.from(frame);
      for (let flips = 1 + (next() % 3); flips > 0; flips--) {
        copy[next() % copy.length] = next() & 0xff;
      }
      try {
        decodeRequest(copy);
      } catch (err) {
        if (!(err instanceof KafkaProtocolError)) throw err;
        corruptions++;
      }
    }
  }
  t.ok(truncations > 1000, `${truncations} truncated inputs rejected`);
  t.ok(corruptions > 100, `${corruptions} corrupted inputs rejected with KafkaProtocolError`);
});

t.test('a huge announced array count is refused before allocating', async (t) => {
  // Metadata v1: topics array count 0x7fffffff with no elements following.
  const frame = Buffer.from('0003000100000001ffff7fffffff', 'hex');
  throwsProtocolError(
    t,
    () => decodeRequest(frame),
    'KP_ERR_MALFORMED',
    /array of 2147483647 elements.*MetadataRequest\.Topics/,
  );
});

t.test('trailing bytes after a request are counted and ignored, as Kafka does', async (t) => {
  const frame = encodeRequest(
    { apiKey: ApiKey.Heartbeat, apiVersion: 0, correlationId: 1, clientId: 'c' },
    { groupId: 'g', generationId: 1, memberId: 'm' },
  );
  const decoded = decodeRequest(Buffer.concat([frame, Buffer.from([0, 0])]));
  t.equal(decoded.trailingBytes, 2);
  t.match(decoded.body, { groupId: 'g', generationId: 1, memberId: 'm' });
  t.equal(decodeRequest(frame).trailingBytes, 0);
});

t.test('trailing bytes after a response are malformed (our own encoder wrote it)', async (t) => {
  const frame = encodeResponse(12, 0, 1, { errorCode: ErrorCode.NONE });
  t.throws(() => decodeResponse(12, 0, Buffer.concat([frame, Buffer.from([0])])), {
    code: 'KP_ERR_MALFORMED',
  });
});

t.test('records are zero-copy slices on decode and referenced on encode', async (t) => {
  const records = Buffer.alloc(64 * 1024, 7);
  const chunks = encodeResponseFrame(1, 11, 5, {
    responses: [{ topic: 't', partitions: [{ partitionIndex: 0, highWatermark: 10n, records }] }],
  });
  t.ok(chunks.includes(records), 'the records buffer itself is one of the chunks');
  const frame = Buffer.concat(chunks);
  t.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix');
  const { body } = decodeResponse(1, 11, frame.subarray(4));
  const decoded = body.responses[0]?.partitions[0]?.records;
  t.ok(decoded && decoded.buffer === frame.buffer, 'decoded records alias the frame');
  t.ok(decoded?.equals(records));
});

t.test('Metadata v9 frames of librdkafka 2.15, captured and derived', async (t) => {
  const hex = (text: string) => Buffer.from(text.replace(/[ |]/g, ''), 'hex');
  // Topic "mt": header v2 (client id "rdkafka", empty tags), then the flexible body.
  const topic = decodeRequest(
    hex('0003 0009 00000002 0007 72646b61666b61 00 | 02 03 6d74 00 01 00 00 00'),
  );
  t.match(topic, { apiKey: ApiKey.Metadata, apiVersion: 9, correlationId: 2, clientId: 'rdkafka' });
  t.equal(topic.trailingBytes, 0);
  if (topic.apiKey !== ApiKey.Metadata) return;
  t.same(
    topic.body.topics?.map((x) => x.name),
    ['mt'],
  );
  t.equal(topic.body.allowAutoTopicCreation, true);
  // "All topics": librdkafka writes its 4-byte count placeholder (00000000) unchanged. Read
  // as Kafka reads it: null topics, three false booleans, an unknown tagged field (tag 0, no
  // bytes), and 1 byte left over.
  const all = decodeRequest(
    hex('0003 0009 00000003 0007 72646b61666b61 00 | 00000000 01 00 00 00'),
  );
  t.equal(all.trailingBytes, 1);
  if (all.apiKey !== ApiKey.Metadata) return;
  t.equal(all.body.topics, null, 'all topics');
  t.equal(all.body.allowAutoTopicCreation, false);
});
