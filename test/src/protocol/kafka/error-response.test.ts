/**
 * errorResponse for every API and every version the codec knows: built from a decoded request
 * that names one of everything (one topic, one partition, one group, ...), it must encode at
 * the request's version, and every error code in the decoded answer must be the one asked for.
 */
import t from 'tap';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type ApiKey,
} from '../../../../src/protocol/kafka/codec.js';
import { errorResponse } from '../../../../src/protocol/kafka/error-response.js';
import { ErrorCode } from '../../../../src/protocol/kafka/errors.js';
import { MESSAGE_SCHEMAS } from '../../../../src/protocol/kafka/generated/index.js';
import {
  inVersionRange,
  parseVersionRange,
  type FieldSchema,
  type MessageSchema,
} from '../../../../src/protocol/kafka/schema.js';

/** A request body with one element in every array and a plain value in every field. */
function sampleRequest(message: MessageSchema, version: number): Record<string, unknown> {
  const common = new Map((message.commonStructs ?? []).map((s) => [s.name, s.fields]));
  const value = (field: FieldSchema, type: string): unknown => {
    if (type.startsWith('[]')) return [value(field, type.slice(2))];
    switch (type) {
      case 'bool':
        return false;
      case 'int8':
      case 'int16':
      case 'uint16':
      case 'int32':
        return 1;
      case 'int64':
        return 1n;
      case 'float64':
        return 1;
      case 'uuid':
        return 'AAAAAAAAAAAAAAAAAAAAAA';
      case 'string':
        return 'x';
      case 'bytes':
        return Buffer.from('b');
      case 'records':
        return null;
      default:
        return struct(field.fields ?? common.get(type)!);
    }
  };
  const struct = (fields: readonly FieldSchema[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      if (inVersionRange(parseVersionRange(field.versions), version)) {
        out[field.property] = value(field, field.type);
      }
    }
    return out;
  };
  return struct(message.fields);
}

/**
 * Every `ErrorCode` field (and AddPartitionsToTxn's `PartitionErrorCode`) present at `version`,
 * anywhere in a decoded response.
 */
function errorCodes(message: MessageSchema, version: number, body: unknown): number[] {
  const common = new Map((message.commonStructs ?? []).map((s) => [s.name, s.fields]));
  const found: number[] = [];
  const walk = (fields: readonly FieldSchema[], value: Record<string, unknown>): void => {
    for (const field of fields) {
      if (!inVersionRange(parseVersionRange(field.versions), version)) continue;
      const inner = value[field.property];
      if (field.name === 'ErrorCode' || field.name === 'PartitionErrorCode') {
        found.push(inner as number);
      }
      const elementType = field.type.replace(/^\[\]/, '');
      const children = field.fields ?? common.get(elementType);
      if (children === undefined || inner === null) continue;
      for (const item of Array.isArray(inner) ? inner : [inner]) {
        walk(children, item as Record<string, unknown>);
      }
    }
  };
  walk(message.fields, body as Record<string, unknown>);
  return found;
}

t.test('every API and version: the error fills every error field', async (t) => {
  for (const [key, schemas] of Object.entries(MESSAGE_SCHEMAS)) {
    const apiKey = Number(key) as ApiKey;
    const { min, max } = parseVersionRange(schemas.request.validVersions);
    for (let version = min; version <= max; version++) {
      const header = { apiKey, apiVersion: version, correlationId: 9, clientId: 'c' };
      const request = decodeRequest(
        encodeRequest(header, sampleRequest(schemas.request, version) as never),
      );
      const body = errorResponse(request, ErrorCode.UNSUPPORTED_VERSION);
      const name = `${schemas.request.name} v${version}`;
      let codes: number[];
      try {
        const frame = encodeResponse(apiKey, version, 9, body as never);
        codes = errorCodes(schemas.response, version, decodeResponse(apiKey, version, frame).body);
      } catch (err) {
        t.fail(`${name}: ${(err as Error).message}`);
        continue;
      }
      t.ok(
        codes.length > 0 && codes.every((c) => c === ErrorCode.UNSUPPORTED_VERSION),
        `${name}: ${codes.length} error field(s), all UNSUPPORTED_VERSION`,
      );
    }
  }
});
