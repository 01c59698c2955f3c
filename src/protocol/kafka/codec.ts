/**
 * One table-driven codec for every Kafka request and response.
 *
 * There is no hand-written parser per API. Each message is described as data (`MessageSchema`,
 * generated from Kafka's own JSON into `generated/*.ts`), and this module interprets it:
 *
 *   schema + version --compile--> CompiledStruct --read/write--> plain objects <-> bytes
 *
 * Compiling walks the schema once per (message, version) and keeps, for every field, a reader
 * and a writer closure already specialised for that version (classic or compact encoding,
 * nullable or not, regular or tagged). The result is cached, so the per-request cost is just
 * calling those closures: no version arithmetic on the produce/fetch path.
 *
 * Frame layout (https://kafka.apache.org/protocol#protocol_messages; the 4-byte size prefix
 * is added by the `*Frame` functions and removed by frame-reader.ts before decoding):
 *
 *   request  = size:int32 | api_key:int16 api_version:int16 correlation_id:int32
 *              client_id:nullable string (int16 length, even in flexible versions)
 *              [tagged fields, header v2 only] | body
 *   response = size:int32 | correlation_id:int32 [tagged fields, header v1 only] | body
 *
 * The request header is v2 when the API version is flexible, else v1 (v0 only for
 * ControlledShutdown v0); the response header is v1 when flexible, else v0, except that
 * ApiVersions responses always use v0 so that a client can read the reply before it knows
 * which versions the broker speaks.
 *
 * Struct layout: the fields present in the version, in schema order; then, in flexible
 * versions, the tagged-field section: uvarint count, then per field uvarint tag, uvarint size,
 * payload, in ascending tag order. Unknown tags are kept in `_unknownTaggedFields` and written
 * back on encode. A field absent from the version (or tagged and not sent) decodes to its
 * default, so every decoded object has the same properties whatever the version.
 *
 * Encoding is lenient in one way, on purpose: a property the version cannot carry is simply not
 * written, and `undefined` properties are written as the field's default. Kafka's Java encoder
 * instead refuses non-default values in versions that lack a non-ignorable field; we leave
 * version-dependent semantics to the handlers, which must read `apiVersion` anyway.
 */
import {
  MESSAGE_SCHEMAS,
  GENERATED_API_NAMES,
  type GeneratedApiKey,
  type RequestBodyByApiKey,
  type ResponseBodyByApiKey,
} from './generated/index.js';
import { KafkaProtocolError, Reader, Writer, malformed, ZERO_UUID } from './primitives.js';
import {
  inVersionRange,
  parseVersionRange,
  type FieldSchema,
  type MessageSchema,
  type RawTaggedField,
  type VersionRange,
} from './schema.js';
import { ApiKey } from './api-keys.js';

export { KafkaProtocolError } from './primitives.js';
export type { GeneratedApiKey as ApiKey } from './generated/index.js';

// ---------------------------------------------------------------------------------------------
// Compilation: schema + version -> closures

type ReadFn = (reader: Reader) => unknown;
type WriteFn = (writer: Writer, value: unknown) => void;

/** How a field appears in one version of a struct. */
const enum Mode {
  /** Not on the wire in this version: decodes to its default, never written. */
  Absent,
  /** In order, among the struct's regular fields. */
  Regular,
  /** In the tagged-field section, written only when it differs from its default. */
  Tagged,
}

interface CompiledField {
  readonly name: string;
  readonly property: string;
  readonly mode: Mode;
  /** Tag number when `mode` is Tagged, else -1. */
  readonly tag: number;
  readonly read: ReadFn;
  readonly write: WriteFn;
  readonly makeDefault: () => unknown;
  readonly isDefault: (value: unknown) => boolean;
}

interface CompiledStruct {
  readonly name: string;
  readonly flexible: boolean;
  /** All fields in schema order (so decoded objects always have the same shape). */
  readonly fields: readonly CompiledField[];
  readonly regular: readonly CompiledField[];
  /** Tagged fields of this version, in ascending tag order. */
  readonly tagged: readonly CompiledField[];
  readonly taggedByTag: ReadonlyMap<number, CompiledField>;
}

interface CompileContext {
  readonly message: MessageSchema;
  readonly version: number;
  readonly flexible: boolean;
  readonly commonStructs: ReadonlyMap<string, readonly FieldSchema[]>;
}

const compiledMessages = new Map<MessageSchema, Map<number, CompiledStruct>>();

function compileMessage(message: MessageSchema, version: number): CompiledStruct {
  let byVersion = compiledMessages.get(message);
  if (!byVersion) {
    byVersion = new Map();
    compiledMessages.set(message, byVersion);
  }
  let compiled = byVersion.get(version);
  if (!compiled) {
    const context: CompileContext = {
      message,
      version,
      flexible: inVersionRange(parseVersionRange(message.flexibleVersions), version),
      commonStructs: new Map((message.commonStructs ?? []).map((s) => [s.name, s.fields])),
    };
    compiled = compileStruct(message.name, message.fields, context);
    byVersion.set(version, compiled);
  }
  return compiled;
}

function compileStruct(
  name: string,
  fields: readonly FieldSchema[],
  context: CompileContext,
): CompiledStruct {
  const compiled = fields.map((field) => compileField(field, context));
  const tagged = compiled.filter((f) => f.mode === Mode.Tagged).sort((a, b) => a.tag - b.tag);
  for (let i = 1; i < tagged.length; i++) {
    if (tagged[i]?.tag === tagged[i - 1]?.tag) throw new Error(`${name}: duplicate tag`);
  }
  return {
    name,
    flexible: context.flexible,
    fields: compiled,
    regular: compiled.filter((f) => f.mode === Mode.Regular),
    tagged,
    taggedByTag: new Map(tagged.map((f) => [f.tag, f])),
  };
}

function compileField(field: FieldSchema, context: CompileContext): CompiledField {
  const { version, flexible } = context;
  const present = inVersionRange(parseVersionRange(field.versions), version);
  const taggedRange: VersionRange = parseVersionRange(field.taggedVersions);
  const isTagged = present && flexible && inVersionRange(taggedRange, version);
  const nullable = inVersionRange(parseVersionRange(field.nullableVersions), version);
  const mode = !present ? Mode.Absent : isTagged ? Mode.Tagged : Mode.Regular;
  const { read, write } = typeCodec(field, field.type, nullable, context);
  const makeDefault = defaultFactory(field, context);
  return {
    name: field.name,
    property: field.property,
    mode,
    tag: isTagged ? (field.tag ?? -1) : -1,
    read,
    write,
    makeDefault,
    isDefault: defaultTest(field, context, makeDefault),
  };
}

/** The fields of a struct type: inline (`field.fields`) or a common struct of the message. */
function structFields(field: FieldSchema, typeName: string, context: CompileContext) {
  const fields = field.fields ?? context.commonStructs.get(typeName);
  if (!fields) throw new Error(`${context.message.name}: unknown type ${typeName}`);
  return fields;
}

function typeCodec(
  field: FieldSchema,
  type: string,
  nullable: boolean,
  context: CompileContext,
): { read: ReadFn; write: WriteFn } {
  const compact = context.flexible;
  const nullCheck = (value: unknown): void => {
    if (value === null && !nullable) {
      throw new KafkaProtocolError('KP_ERR_ENCODE', `null in non-nullable field ${field.name}`);
    }
  };
  if (type.startsWith('[]')) {
    // Array elements are never null; the array itself may be.
    const element = typeCodec(field, type.slice(2), false, context);
    return {
      read: (r) => {
        const count = r.arrayLength(compact, nullable);
        if (count === -1) return null;
        const items = new Array<unknown>(count);
        for (let i = 0; i < count; i++) items[i] = element.read(r);
        return items;
      },
      write: (w, value) => {
        nullCheck(value);
        if (value === null) {
          w.arrayLength(-1, compact);
          return;
        }
        const items = value as unknown[];
        w.arrayLength(items.length, compact);
        for (const item of items) element.write(w, item);
      },
    };
  }
  switch (type) {
    case 'bool':
      return { read: (r) => r.bool(), write: (w, v) => w.bool(v as boolean) };
    case 'int8':
      return { read: (r) => r.int8(), write: (w, v) => w.int8(v as number) };
    case 'int16':
      return { read: (r) => r.int16(), write: (w, v) => w.int16(v as number) };
    case 'uint16':
      return { read: (r) => r.uint16(), write: (w, v) => w.uint16(v as number) };
    case 'int32':
      return { read: (r) => r.int32(), write: (w, v) => w.int32(v as number) };
    case 'int64':
      return { read: (r) => r.int64(), write: (w, v) => w.int64(v as bigint) };
    case 'float64':
      return { read: (r) => r.float64(), write: (w, v) => w.float64(v as number) };
    case 'uuid':
      return { read: (r) => r.uuid(), write: (w, v) => w.uuid(v as string) };
    case 'string':
      return {
        read: (r) => r.string(compact, nullable),
        write: (w, v) => {
          nullCheck(v);
          w.string(v as string | null, compact);
        },
      };
    case 'bytes':
      return {
        read: (r) => r.bytes(compact, nullable),
        write: (w, v) => {
          nullCheck(v);
          w.bytes(v as Buffer | null, compact);
        },
      };
    case 'records':
      // Record batches stay opaque here (record-batch.ts parses them); Kafka treats a records
      // field as nullable bytes in every version.
      return {
        read: (r) => r.bytes(compact, true),
        write: (w, v) => w.bytes(v as Buffer | null, compact),
      };
    default:
      return structCodec(field, type, nullable, context);
  }
}

function structCodec(
  field: FieldSchema,
  typeName: string,
  nullable: boolean,
  context: CompileContext,
): { read: ReadFn; write: WriteFn } {
  // Compiled lazily: a struct type is compiled on first use, and then kept in this closure.
  let compiled: CompiledStruct | undefined;
  const get = (): CompiledStruct =>
    (compiled ??= compileStruct(typeName, structFields(field, typeName, context), context));
  if (!nullable) {
    return { read: (r) => readStruct(r, get()), write: (w, v) => writeStruct(w, get(), v) };
  }
  // A nullable struct is preceded by an int8 marker: -1 for null, 1 for present.
  return {
    read: (r) => {
      const marker = r.int8();
      if (marker === -1) return null;
      if (marker !== 1) throw malformed(`bad nullable struct marker ${marker}`);
      return readStruct(r, get());
    },
    write: (w, v) => {
      if (v === null) {
        w.int8(-1);
        return;
      }
      w.int8(1);
      writeStruct(w, get(), v);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Defaults

function defaultFactory(field: FieldSchema, context: CompileContext): () => unknown {
  const text = field.default;
  const type = field.type;
  if (type.startsWith('[]')) return text === 'null' ? () => null : () => [];
  switch (type) {
    case 'bool': {
      const value = text === 'true';
      return () => value;
    }
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'float64': {
      const value = text === undefined ? 0 : Number(text);
      return () => value;
    }
    case 'int64': {
      const value = text === undefined ? 0n : BigInt(text);
      return () => value;
    }
    case 'uuid':
      return () => ZERO_UUID;
    case 'string': {
      const value = text === 'null' ? null : (text ?? '');
      return () => value;
    }
    case 'bytes':
      return text === 'null' ? () => null : () => Buffer.alloc(0);
    case 'records':
      return () => null;
    default: {
      if (text === 'null') return () => null;
      // A struct's default has every field at its default, whatever the version.
      let fields: readonly { property: string; makeDefault: () => unknown }[] | undefined;
      return () => {
        fields ??= structFields(field, type, context).map((f) => ({
          property: f.property,
          makeDefault: defaultFactory(f, context),
        }));
        const value: Record<string, unknown> = {};
        for (const f of fields) value[f.property] = f.makeDefault();
        return value;
      };
    }
  }
}

/** Whether a value equals the field's default: tagged fields are only written when it does not. */
function defaultTest(
  field: FieldSchema,
  context: CompileContext,
  makeDefault: () => unknown,
): (value: unknown) => boolean {
  const type = field.type;
  const fallback = makeDefault();
  if (type.startsWith('[]')) {
    return (v) => v === fallback || (Array.isArray(v) && v.length === 0 && fallback !== null);
  }
  switch (type) {
    case 'bytes':
    case 'records':
      return (v) =>
        v === null ? fallback === null : fallback !== null && (v as Buffer).length === 0;
    case 'bool':
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'float64':
    case 'int64':
    case 'uuid':
    case 'string':
      return (v) => v === fallback;
    default: {
      if (fallback === null) return (v) => v === null;
      let fields: { property: string; isDefault: (v: unknown) => boolean }[] | undefined;
      return (v) => {
        if (v === null) return false;
        fields ??= structFields(field, type, context).map((f) => ({
          property: f.property,
          isDefault: defaultTest(f, context, defaultFactory(f, context)),
        }));
        const struct = v as Record<string, unknown>;
        return fields.every(
          (f) => struct[f.property] === undefined || f.isDefault(struct[f.property]),
        );
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reading and writing structs

function readStruct(r: Reader, struct: CompiledStruct): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  const fields = struct.fields;
  let i = 0;
  try {
    for (; i < fields.length; i++) {
      const field = fields[i] as CompiledField;
      value[field.property] = field.mode === Mode.Regular ? field.read(r) : field.makeDefault();
    }
  } catch (err) {
    if (err instanceof KafkaProtocolError) err.addPathElement(fields[i]?.name ?? '?');
    throw err;
  }
  if (struct.flexible) readTaggedFields(r, struct, value);
  return value;
}

function readTaggedFields(r: Reader, struct: CompiledStruct, value: Record<string, unknown>): void {
  const count = r.unsignedVarint();
  // Each tagged field takes at least two bytes (tag and size).
  if (count * 2 > r.remaining()) throw malformed(`${count} tagged fields cannot fit`);
  let unknown: RawTaggedField[] | undefined;
  for (let i = 0; i < count; i++) {
    const tag = r.unsignedVarint();
    const size = r.unsignedVarint();
    const payload = r.limit(size);
    const field = struct.taggedByTag.get(tag);
    if (!field) {
      (unknown ??= []).push({ tag, data: payload.buf.subarray(payload.offset, payload.end) });
      continue;
    }
    try {
      value[field.property] = field.read(payload);
      if (payload.remaining() !== 0) {
        throw malformed(`tagged field has ${payload.remaining()} unread bytes`);
      }
    } catch (err) {
      if (err instanceof KafkaProtocolError) err.addPathElement(field.name);
      throw err;
    }
  }
  if (unknown) value._unknownTaggedFields = unknown;
}

function writeStruct(w: Writer, struct: CompiledStruct, value: unknown): void {
  if (value === null || typeof value !== 'object') {
    throw new KafkaProtocolError('KP_ERR_ENCODE', `${struct.name} must be an object`);
  }
  const object = value as Record<string, unknown>;
  const regular = struct.regular;
  let i = 0;
  try {
    for (; i < regular.length; i++) {
      const field = regular[i] as CompiledField;
      const fieldValue = object[field.property];
      field.write(w, fieldValue === undefined ? field.makeDefault() : fieldValue);
    }
  } catch (err) {
    throw asEncodeError(err, regular[i]?.name ?? '?');
  }
  if (struct.flexible) writeTaggedFields(w, struct, object);
}

function writeTaggedFields(
  w: Writer,
  struct: CompiledStruct,
  object: Record<string, unknown>,
): void {
  const unknown = (object._unknownTaggedFields as RawTaggedField[] | undefined) ?? [];
  if (struct.tagged.length === 0 && unknown.length === 0) {
    w.unsignedVarint(0);
    return;
  }
  const entries: { tag: number; payload: Writer | Buffer }[] = [];
  for (const field of struct.tagged) {
    const fieldValue = object[field.property];
    if (fieldValue === undefined || field.isDefault(fieldValue)) continue;
    const payload = new Writer();
    try {
      field.write(payload, fieldValue);
    } catch (err) {
      throw asEncodeError(err, field.name);
    }
    entries.push({ tag: field.tag, payload });
  }
  for (const raw of unknown) {
    if (!struct.taggedByTag.has(raw.tag)) entries.push({ tag: raw.tag, payload: raw.data });
  }
  entries.sort((a, b) => a.tag - b.tag);
  w.unsignedVarint(entries.length);
  for (const entry of entries) {
    w.unsignedVarint(entry.tag);
    if (entry.payload instanceof Writer) {
      w.unsignedVarint(entry.payload.length);
      w.append(entry.payload);
    } else {
      w.unsignedVarint(entry.payload.length);
      w.raw(entry.payload);
    }
  }
}

/** Wraps anything thrown while encoding (e.g. Buffer's RangeError) in a KafkaProtocolError. */
function asEncodeError(err: unknown, fieldName: string): KafkaProtocolError {
  const wrapped =
    err instanceof KafkaProtocolError
      ? err
      : new KafkaProtocolError('KP_ERR_ENCODE', err instanceof Error ? err.message : String(err));
  return wrapped.addPathElement(fieldName);
}

// ---------------------------------------------------------------------------------------------
// Messages

/**
 * What the encoder accepts: the body type with every property optional (missing ones are
 * written as the field's default, as Kafka's generated Java classes start from defaults).
 */
export type Encodable<T> = T extends Buffer | bigint | string | number | boolean | null
  ? T
  : T extends readonly (infer E)[]
    ? Encodable<E>[]
    : { [K in keyof T]?: Encodable<T[K]> };

function checkVersion(message: MessageSchema, version: number): void {
  if (!inVersionRange(parseVersionRange(message.validVersions), version)) {
    throw new KafkaProtocolError(
      'KP_ERR_UNSUPPORTED_VERSION',
      `${message.name} has no version ${version} (valid: ${message.validVersions})`,
    );
  }
}

/** Decodes one struct of `message` at `version` from `reader` (no header). */
export function readMessage(reader: Reader, message: MessageSchema, version: number): unknown {
  checkVersion(message, version);
  try {
    return readStruct(reader, compileMessage(message, version));
  } catch (err) {
    if (err instanceof KafkaProtocolError) err.addPathElement(message.name);
    throw err;
  }
}

/** Encodes one struct of `message` at `version` into `writer` (no header). */
export function writeMessage(
  writer: Writer,
  message: MessageSchema,
  version: number,
  body: unknown,
): void {
  checkVersion(message, version);
  try {
    writeStruct(writer, compileMessage(message, version), body);
  } catch (err) {
    throw asEncodeError(err, message.name);
  }
}

/** Decodes a whole buffer as one message; trailing bytes are malformed input. */
export function decodeMessage(message: MessageSchema, version: number, bytes: Buffer): unknown {
  const reader = new Reader(bytes);
  const value = readMessage(reader, message, version);
  expectEnd(reader, message.name);
  return value;
}

export function encodeMessage(message: MessageSchema, version: number, body: unknown): Buffer {
  const writer = new Writer();
  writeMessage(writer, message, version, body);
  return writer.toBuffer();
}

function expectEnd(reader: Reader, what: string): void {
  if (reader.remaining() !== 0) {
    throw malformed(`${reader.remaining()} unexpected bytes after ${what}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Headers

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** Null when the client sent none (length -1); absent only in request header v0. */
  clientId: string | null;
}

/** Whether `apiKey` is one we have a schema for. */
export function isKnownApiKey(apiKey: number): apiKey is GeneratedApiKey {
  return Object.prototype.hasOwnProperty.call(MESSAGE_SCHEMAS, apiKey);
}

export function apiName(apiKey: number): string {
  return isKnownApiKey(apiKey) ? GENERATED_API_NAMES[apiKey] : `UnknownApi${apiKey}`;
}

function schemasFor(apiKey: number): { request: MessageSchema; response: MessageSchema } {
  if (!isKnownApiKey(apiKey)) {
    throw new KafkaProtocolError('KP_ERR_UNKNOWN_API_KEY', `unknown API key ${apiKey}`);
  }
  return MESSAGE_SCHEMAS[apiKey];
}

/** Whether `version` of the API uses compact encodings and tagged fields. */
export function isFlexibleVersion(apiKey: number, version: number): boolean {
  const { request } = schemasFor(apiKey);
  return inVersionRange(parseVersionRange(request.flexibleVersions), version);
}

/** 0, 1 or 2 (see the module comment). Unknown APIs are assumed to use v1, like old clients. */
export function requestHeaderVersion(apiKey: number, version: number): 0 | 1 | 2 {
  // ControlledShutdown v0 predates client ids.
  if (apiKey === ApiKey.ControlledShutdown && version === 0) return 0;
  if (!isKnownApiKey(apiKey)) return 1;
  return isFlexibleVersion(apiKey, version) ? 2 : 1;
}

/** 0 or 1: ApiVersions always answers with v0 so that any client can read the reply. */
export function responseHeaderVersion(apiKey: number, version: number): 0 | 1 {
  if (apiKey === ApiKey.ApiVersions) return 0;
  return isFlexibleVersion(apiKey, version) ? 1 : 0;
}

/**
 * Reads the request header; leaves `reader` at the first byte of the body. Throws for unknown
 * API keys only after reading what can be read, so callers that need the correlation id for a
 * reply should use `peekRequestHeader` (frame-reader.ts) first.
 */
export function readRequestHeader(reader: Reader): RequestHeader {
  const apiKey = reader.int16();
  const apiVersion = reader.int16();
  const correlationId = reader.int32();
  const headerVersion = requestHeaderVersion(apiKey, apiVersion);
  // The client id is a classic nullable string in every header version (RequestHeader.json
  // overrides flexibleVersions for it: "none"), so that any broker can log who is talking.
  const clientId = headerVersion >= 1 ? reader.string(false, true) : null;
  if (headerVersion === 2) skipTaggedFields(reader);
  return { apiKey, apiVersion, correlationId, clientId };
}

function skipTaggedFields(reader: Reader): void {
  const count = reader.unsignedVarint();
  if (count * 2 > reader.remaining()) throw malformed(`${count} tagged fields cannot fit`);
  for (let i = 0; i < count; i++) {
    reader.unsignedVarint();
    reader.limit(reader.unsignedVarint());
  }
}

function writeRequestHeader(w: Writer, header: RequestHeader): void {
  const headerVersion = requestHeaderVersion(header.apiKey, header.apiVersion);
  w.int16(header.apiKey);
  w.int16(header.apiVersion);
  w.int32(header.correlationId);
  if (headerVersion >= 1) w.string(header.clientId, false);
  if (headerVersion === 2) w.unsignedVarint(0);
}

// ---------------------------------------------------------------------------------------------
// Requests and responses

/** A decoded request: the header fields plus the body, discriminated by `apiKey`. */
export type DecodedRequest = {
  [K in GeneratedApiKey]: {
    apiKey: K;
    apiVersion: number;
    correlationId: number;
    clientId: string | null;
    body: RequestBodyByApiKey[K];
    /** Bytes after the body that the schema does not describe (ignored, see decodeRequest). */
    trailingBytes: number;
  };
}[GeneratedApiKey];

/**
 * Decodes a request frame (without its 4-byte size prefix). Throws KafkaProtocolError with
 * KP_ERR_UNKNOWN_API_KEY, KP_ERR_UNSUPPORTED_VERSION, KP_ERR_TRUNCATED or KP_ERR_MALFORMED.
 *
 * Bytes after the body are not an error, because they are not one for Kafka: its request
 * parser (`AbstractRequest.parseRequest`) reads the fields the schema lists and never checks
 * that the frame ended there. Clients depend on that. librdkafka 2.x writes the "all topics"
 * Metadata request of v9+ with the 4-byte placeholder it reserved for the topic count left
 * in place (`00 00 00 00` where a compact null array is one `00` byte): Kafka reads a null
 * topic list, three booleans and a tagged field out of it and ignores the last byte, so the
 * request works there and must work here. The count is returned as `trailingBytes` so the
 * caller can log it. A *truncated* body is still an error.
 */
export function decodeRequest(frame: Buffer): DecodedRequest {
  const reader = new Reader(frame);
  const header = readRequestHeader(reader);
  const { request } = schemasFor(header.apiKey);
  const body = readMessage(reader, request, header.apiVersion);
  return { ...header, body, trailingBytes: reader.remaining() } as DecodedRequest;
}

function requestWriter<K extends GeneratedApiKey>(
  header: RequestHeader & { apiKey: K },
  body: Encodable<RequestBodyByApiKey[K]>,
  sizePrefix: boolean,
): Writer {
  const { request } = schemasFor(header.apiKey);
  checkVersion(request, header.apiVersion);
  const writer = new Writer({ sizePrefix });
  writeRequestHeader(writer, header);
  writeMessage(writer, request, header.apiVersion, body);
  return writer;
}

/** Encodes header + body (no size prefix): the exact input of `decodeRequest`. */
export function encodeRequest<K extends GeneratedApiKey>(
  header: RequestHeader & { apiKey: K },
  body: Encodable<RequestBodyByApiKey[K]>,
): Buffer {
  return requestWriter(header, body, false).toBuffer();
}

/** Encodes a complete request frame, size prefix included, as chunks for a socket writev. */
export function encodeRequestFrame<K extends GeneratedApiKey>(
  header: RequestHeader & { apiKey: K },
  body: Encodable<RequestBodyByApiKey[K]>,
): Buffer[] {
  return requestWriter(header, body, true).finish();
}

export interface DecodedResponse<K extends GeneratedApiKey> {
  correlationId: number;
  body: ResponseBodyByApiKey[K];
}

/**
 * Decodes a response frame (without size prefix). The response does not say which API it
 * answers: the caller knows from the correlation id of the request it sent.
 */
export function decodeResponse<K extends GeneratedApiKey>(
  apiKey: K,
  apiVersion: number,
  frame: Buffer,
): DecodedResponse<K> {
  const { response } = schemasFor(apiKey);
  const reader = new Reader(frame);
  const correlationId = reader.int32();
  if (responseHeaderVersion(apiKey, apiVersion) === 1) skipTaggedFields(reader);
  const body = readMessage(reader, response, apiVersion) as ResponseBodyByApiKey[K];
  expectEnd(reader, response.name);
  return { correlationId, body };
}

function responseWriter<K extends GeneratedApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: Encodable<ResponseBodyByApiKey[K]>,
  sizePrefix: boolean,
): Writer {
  const { response } = schemasFor(apiKey);
  checkVersion(response, apiVersion);
  const writer = new Writer({ sizePrefix });
  writer.int32(correlationId);
  if (responseHeaderVersion(apiKey, apiVersion) === 1) writer.unsignedVarint(0);
  writeMessage(writer, response, apiVersion, body);
  return writer;
}

/** Encodes header + body (no size prefix): the exact input of `decodeResponse`. */
export function encodeResponse<K extends GeneratedApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: Encodable<ResponseBodyByApiKey[K]>,
): Buffer {
  return responseWriter(apiKey, apiVersion, correlationId, body, false).toBuffer();
}

/**
 * Encodes a complete response frame, size prefix included, as chunks: large record buffers
 * (Fetch) are referenced, not copied, so `socket.cork(); chunks.forEach(write); uncork()`
 * sends them with one writev.
 */
export function encodeResponseFrame<K extends GeneratedApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: Encodable<ResponseBodyByApiKey[K]>,
): Buffer[] {
  return responseWriter(apiKey, apiVersion, correlationId, body, true).finish();
}
