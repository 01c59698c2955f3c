/**
 * The shape of a Kafka message schema, as data.
 *
 * Apache Kafka describes every request and response of its wire protocol in a JSON file
 * (`clients/src/main/resources/common/message/*.json`): the API key, the versions that exist,
 * from which version on the message is "flexible" (compact encodings plus tagged fields, KIP-482),
 * and an ordered list of fields, each with the range of versions it appears in. Our generator
 * (`scripts/generate-kafka-protocol.ts`) turns those files into TypeScript constants of the types
 * below (`generated/*.ts`), and one table-driven codec (`codec.ts`) interprets them. So there is
 * no hand-written encoder per API: to learn what Produce v7 looks like on the wire, read
 * `generated/produce.ts`.
 *
 * Version ranges are kept as Kafka writes them (`"3+"`, `"0-7"`, `"5"`, `"none"`) so that the
 * generated files can be compared line by line with upstream; `parseVersionRange` turns them into
 * numbers once, when the codec compiles a schema for one version.
 */

/** One field of a message or struct, exactly as in Kafka's JSON (names stay PascalCase). */
export interface FieldSchema {
  /** Kafka's field name, e.g. `TopicData`. */
  readonly name: string;
  /** The property name in our TypeScript objects: Kafka's name with a lower-case first letter. */
  readonly property: string;
  /**
   * `bool`, `int8`, `int16`, `uint16`, `int32`, `int64`, `float64`, `uuid`, `string`, `bytes`,
   * `records`, a struct name, or `[]` + one of those for an array.
   */
  readonly type: string;
  /** Versions in which the field is on the wire (regular or tagged). */
  readonly versions: string;
  /** Versions in which the field may be null (strings, bytes, records, arrays, structs). */
  readonly nullableVersions?: string;
  /** Versions in which the field travels in the tagged-field section instead of in order. */
  readonly taggedVersions?: string;
  /** The tag number, for tagged fields. */
  readonly tag?: number;
  /** The default value as Kafka writes it (`"-1"`, `"null"`, `"true"`, `"0x7fffffff"`). */
  readonly default?: string;
  /** May be dropped silently when writing a version that does not have the field. */
  readonly ignorable?: boolean;
  /** Kafka generates a keyed map for this array; informational for us. */
  readonly mapKey?: boolean;
  /** The fields of an inline struct (or of each element of an array of structs). */
  readonly fields?: readonly FieldSchema[];
}

/** A struct declared once at message level and referred to by name from several fields. */
export interface CommonStructSchema {
  readonly name: string;
  readonly versions: string;
  readonly fields: readonly FieldSchema[];
}

export interface MessageSchema {
  readonly apiKey: number;
  readonly type: 'request' | 'response';
  /** e.g. `ProduceRequest`. */
  readonly name: string;
  readonly validVersions: string;
  /** `"9+"`, or `"none"` for APIs that never became flexible. */
  readonly flexibleVersions: string;
  /** Versions Kafka 3.x marks deprecated (KIP-896); we may still have to serve them. */
  readonly deprecatedVersions?: string;
  readonly fields: readonly FieldSchema[];
  readonly commonStructs?: readonly CommonStructSchema[];
}

/** A tagged field the codec does not know, kept so that it can be written back unchanged. */
export interface RawTaggedField {
  readonly tag: number;
  readonly data: Buffer;
}

/**
 * Every decoded struct may carry the tagged fields this codec does not know (a newer client may
 * send tags added after Kafka 3.8). They are skipped on read but kept here, and written back when
 * the same object is encoded again.
 */
export interface StructData {
  _unknownTaggedFields?: RawTaggedField[];
}

/** The largest version number: Kafka versions are int16, so `"N+"` means N..32767. */
export const VERSION_MAX = 0x7fff;

/** An inclusive version range; `none` is represented by min > max. */
export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

export const NO_VERSIONS: VersionRange = { min: 1, max: 0 };

/** Parses Kafka's range syntax: `"none"`, `"N"`, `"N-M"`, `"N+"`. */
export function parseVersionRange(text: string | undefined): VersionRange {
  if (text === undefined || text === 'none') return NO_VERSIONS;
  const plus = /^(\d+)\+$/.exec(text);
  if (plus) return { min: Number(plus[1]), max: VERSION_MAX };
  const span = /^(\d+)-(\d+)$/.exec(text);
  if (span) return { min: Number(span[1]), max: Number(span[2]) };
  if (/^\d+$/.test(text)) return { min: Number(text), max: Number(text) };
  throw new Error(`bad version range "${text}"`);
}

export function inVersionRange(range: VersionRange, version: number): boolean {
  return version >= range.min && version <= range.max;
}
