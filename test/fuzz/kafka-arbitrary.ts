/**
 * fast-check arbitraries for Kafka messages, built from the same schemas the codec interprets
 * (src/protocol/kafka/generated/). For one message and version, `messageArbitrary` yields plain
 * objects with a random value in every field that is on the wire in that version, and no
 * property at all for the fields that are not: a field the version does not carry has nothing
 * to round-trip, and leaving it out keeps this file free of the codec's default rules.
 *
 * Value domains follow the wire types: int8/int16/int32 span their whole signed range, int64
 * is a bigint in the signed 64-bit range, uuid is 16 random bytes in base64url (the codec's
 * representation), strings are any Unicode text without lone surrogates (which UTF-8 cannot
 * carry), and null appears only where the version allows it. Arrays hold at most
 * `arrayLengthMax` elements so that nested arrays of structs stay small.
 */
import fc from 'fast-check';
import {
  inVersionRange,
  parseVersionRange,
  type FieldSchema,
  type MessageSchema,
} from '../../src/protocol/kafka/schema.js';

const ARRAY_LENGTH_MAX = 2;
const STRING_LENGTH_MAX = 6;
const BYTES_LENGTH_MAX = 8;

/** Every version a message schema declares, ascending. */
export function versionsOf(message: MessageSchema): number[] {
  const range = parseVersionRange(message.validVersions);
  const versions: number[] = [];
  for (let v = range.min; v <= range.max; v++) versions.push(v);
  return versions;
}

interface Context {
  readonly version: number;
  readonly commonStructs: ReadonlyMap<string, readonly FieldSchema[]>;
}

/** Random bodies for `message` at `version`, every present field filled in. */
export function messageArbitrary(
  message: MessageSchema,
  version: number,
): fc.Arbitrary<Record<string, unknown>> {
  const context: Context = {
    version,
    commonStructs: new Map((message.commonStructs ?? []).map((s) => [s.name, s.fields])),
  };
  return structArbitrary(message.fields, context);
}

function structArbitrary(
  fields: readonly FieldSchema[],
  context: Context,
): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of fields) {
    if (!inVersionRange(parseVersionRange(field.versions), context.version)) continue;
    const nullable = inVersionRange(parseVersionRange(field.nullableVersions), context.version);
    model[field.property] = typeArbitrary(field, field.type, nullable, context);
  }
  return fc.record(model);
}

function typeArbitrary(
  field: FieldSchema,
  type: string,
  nullable: boolean,
  context: Context,
): fc.Arbitrary<unknown> {
  const value = nonNullArbitrary(field, type, context);
  // Kafka treats a records field as nullable bytes in every version.
  return nullable || type === 'records' ? fc.option(value, { nil: null, freq: 4 }) : value;
}

function nonNullArbitrary(
  field: FieldSchema,
  type: string,
  context: Context,
): fc.Arbitrary<unknown> {
  if (type.startsWith('[]')) {
    const element = typeArbitrary(field, type.slice(2), false, context);
    return fc.array(element, { maxLength: ARRAY_LENGTH_MAX });
  }
  switch (type) {
    case 'bool':
      return fc.boolean();
    case 'int8':
      return fc.integer({ min: -0x80, max: 0x7f });
    case 'int16':
      return fc.integer({ min: -0x8000, max: 0x7fff });
    case 'uint16':
      return fc.integer({ min: 0, max: 0xffff });
    case 'int32':
      return fc.integer({ min: -0x80000000, max: 0x7fffffff });
    case 'int64':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'float64':
      return fc.double();
    case 'uuid':
      return bytesArbitrary(16, 16).map((b) => b.toString('base64url'));
    case 'string':
      return fc.string({ unit: 'binary', maxLength: STRING_LENGTH_MAX });
    case 'bytes':
    case 'records':
      return bytesArbitrary(0, BYTES_LENGTH_MAX);
    default: {
      const fields = field.fields ?? context.commonStructs.get(type);
      if (!fields) throw new Error(`unknown type ${type} in field ${field.name}`);
      return structArbitrary(fields, context);
    }
  }
}

export function bytesArbitrary(minLength: number, maxLength: number): fc.Arbitrary<Buffer> {
  return fc
    .uint8Array({ minLength, maxLength })
    .map((a) => Buffer.from(a.buffer, a.byteOffset, a.length));
}

/**
 * Whether every property of `expected` appears in `actual` with an equal value, recursively
 * (Buffers by content, numbers with Object.is so NaN and -0 count). `actual` may have more
 * properties: the decoder fills in the fields the version does not carry with their defaults.
 */
export function containsValue(expected: unknown, actual: unknown): boolean {
  if (Buffer.isBuffer(expected)) return Buffer.isBuffer(actual) && expected.equals(actual);
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      expected.length === actual.length &&
      expected.every((item, i) => containsValue(item, actual[i]))
    );
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) return false;
    const object = actual as Record<string, unknown>;
    return Object.entries(expected).every(([key, value]) => containsValue(value, object[key]));
  }
  return Object.is(expected, actual);
}
