/**
 * The jute records of ZooKeeper's client protocol, written as data: each record is an ordered
 * list of `[fieldName, fieldType]` pairs transcribed from ZooKeeper 3.8's `zookeeper.jute`
 * (zookeeper-jute/src/main/resources/ in ZooKeeper's source; modules `org.apache.zookeeper.data`
 * and `org.apache.zookeeper.proto`). One generic `readRecord` / `writeRecord` pair interprets
 * every schema, so a record's layout is stated exactly once and its TypeScript type is
 * derived from it (`RecordOf<typeof Stat>`).
 *
 * Layout reminders (see ./jute.ts for the primitives): a record is its fields back to back;
 * nested records are inlined. For example a Stat is 68 bytes:
 *
 *   czxid:8 mzxid:8 ctime:8 mtime:8 version:4 cversion:4 aversion:4
 *   ephemeralOwner:8 dataLength:4 numChildren:4 pzxid:8
 *
 * Records that are not plain schemas:
 * - ConnectRequest/ConnectResponse end with an OPTIONAL `readOnly` byte (hand-written after
 *   the record in 3.8, in the IDL from 3.9; the bytes are the same). Old clients such as
 *   node-zookeeper-client omit it, so it is read only when a byte is left, and the server
 *   writes it back only if the client sent it. Hence the separate functions at the bottom.
 * - Multi requests and responses are sequences of MultiHeader + record, ended by a
 *   MultiHeader {type -1, done true, err -1}; they are assembled in ./codec.ts.
 *
 * Records used only between servers (quorum packets, txns, snapshots) are not here.
 */
import { JuteError, JuteNullStringError, type JuteReader, type JuteWriter } from './jute.js';

type Primitive = 'int' | 'long' | 'boolean' | 'buffer' | 'ustring' | 'nullableUstring';
export type FieldType = Primitive | { readonly vector: FieldType } | { readonly record: Schema };
export type Schema = readonly (readonly [string, FieldType])[];

type ValueOf<F> = F extends 'int'
  ? number
  : F extends 'long'
    ? bigint
    : F extends 'boolean'
      ? boolean
      : F extends 'buffer'
        ? Buffer | null
        : F extends 'ustring'
          ? string
          : F extends 'nullableUstring'
            ? string | null
            : F extends { readonly vector: infer E }
              ? ValueOf<E>[]
              : F extends { readonly record: infer S extends Schema }
                ? RecordOf<S>
                : never;

/** The TypeScript type of a record: `{ fieldName: value }` for each field of the schema. */
export type RecordOf<S extends Schema> = { -readonly [E in S[number] as E[0]]: ValueOf<E[1]> };

// ---------------------------------------------------------------------------------------
// module org.apache.zookeeper.data

/**
 * Both parts may be null on the wire: kazoo sends CREATOR_ALL_ACL's empty id as null, and the
 * server decides what a null scheme or id means (./codec.ts, aclFromRecord).
 */
export const Id = [
  ['scheme', 'nullableUstring'],
  ['id', 'nullableUstring'],
] as const;
export const ACL = [
  ['perms', 'int'],
  ['id', { record: Id }],
] as const;
export const Stat = [
  ['czxid', 'long'],
  ['mzxid', 'long'],
  ['ctime', 'long'],
  ['mtime', 'long'],
  ['version', 'int'],
  ['cversion', 'int'],
  ['aversion', 'int'],
  ['ephemeralOwner', 'long'],
  ['dataLength', 'int'],
  ['numChildren', 'int'],
  ['pzxid', 'long'],
] as const;
export const ClientInfo = [
  ['authScheme', 'ustring'],
  ['user', 'ustring'],
] as const;

// ---------------------------------------------------------------------------------------
// module org.apache.zookeeper.proto: framing and session records

export const RequestHeader = [
  ['xid', 'int'],
  ['type', 'int'],
] as const;
export const ReplyHeader = [
  ['xid', 'int'],
  ['zxid', 'long'],
  ['err', 'int'],
] as const;
export const MultiHeader = [
  ['type', 'int'],
  ['done', 'boolean'],
  ['err', 'int'],
] as const;
/** ConnectRequest without its optional trailing readOnly byte (see connectRequest below). */
export const ConnectRequestBase = [
  ['protocolVersion', 'int'],
  ['lastZxidSeen', 'long'],
  ['timeOut', 'int'],
  ['sessionId', 'long'],
  ['passwd', 'buffer'],
] as const;
/** ConnectResponse without its optional trailing readOnly byte. */
export const ConnectResponseBase = [
  ['protocolVersion', 'int'],
  ['timeOut', 'int'],
  ['sessionId', 'long'],
  ['passwd', 'buffer'],
] as const;
/** A null scheme names no provider, like any unknown one: AuthFailed. */
export const AuthPacket = [
  ['type', 'int'],
  ['scheme', 'nullableUstring'],
  ['auth', 'buffer'],
] as const;
export const WatcherEvent = [
  ['type', 'int'],
  ['state', 'int'],
  ['path', 'ustring'],
] as const;
export const SetWatches = [
  ['relativeZxid', 'long'],
  ['dataWatches', { vector: 'ustring' }],
  ['existWatches', { vector: 'ustring' }],
  ['childWatches', { vector: 'ustring' }],
] as const;
export const SetWatches2 = [
  ...SetWatches,
  ['persistentWatches', { vector: 'ustring' }],
  ['persistentRecursiveWatches', { vector: 'ustring' }],
] as const;
export const ErrorResponse = [['err', 'int']] as const;

// ---------------------------------------------------------------------------------------
// module org.apache.zookeeper.proto: requests

/** Also the body of create2 (15) and createContainer (19). */
export const CreateRequest = [
  ['path', 'ustring'],
  ['data', 'buffer'],
  ['acl', { vector: { record: ACL } }],
  ['flags', 'int'],
] as const;
export const CreateTTLRequest = [...CreateRequest, ['ttl', 'long']] as const;
export const DeleteRequest = [
  ['path', 'ustring'],
  ['version', 'int'],
] as const;
/** Also ExistsRequest, GetDataRequest, GetChildrenRequest, GetChildren2Request. */
export const PathWatchRequest = [
  ['path', 'ustring'],
  ['watch', 'boolean'],
] as const;
export const SetDataRequest = [
  ['path', 'ustring'],
  ['data', 'buffer'],
  ['version', 'int'],
] as const;
/** Also SyncRequest, GetACLRequest, GetAllChildrenNumberRequest, GetEphemeralsRequest. */
export const PathRequest = [['path', 'ustring']] as const;
export const SetACLRequest = [
  ['path', 'ustring'],
  ['acl', { vector: { record: ACL } }],
  ['version', 'int'],
] as const;
export const CheckVersionRequest = [
  ['path', 'ustring'],
  ['version', 'int'],
] as const;
export const AddWatchRequest = [
  ['path', 'ustring'],
  ['mode', 'int'],
] as const;
/** Also CheckWatchesRequest. */
export const RemoveWatchesRequest = [
  ['path', 'ustring'],
  ['type', 'int'],
] as const;

// ---------------------------------------------------------------------------------------
// module org.apache.zookeeper.proto: responses

/** Also SyncResponse. */
export const CreateResponse = [['path', 'ustring']] as const;
export const Create2Response = [
  ['path', 'ustring'],
  ['stat', { record: Stat }],
] as const;
/** Also ExistsResponse, SetDataResponse, SetACLResponse. */
export const StatResponse = [['stat', { record: Stat }]] as const;
export const GetDataResponse = [
  ['data', 'buffer'],
  ['stat', { record: Stat }],
] as const;
/** Also GetEphemeralsResponse (field `ephemerals`, same bytes). */
export const GetChildrenResponse = [['children', { vector: 'ustring' }]] as const;
export const GetChildren2Response = [
  ['children', { vector: 'ustring' }],
  ['stat', { record: Stat }],
] as const;
export const GetACLResponse = [
  ['acl', { vector: { record: ACL } }],
  ['stat', { record: Stat }],
] as const;
export const GetAllChildrenNumberResponse = [['totalNumber', 'int']] as const;
export const WhoAmIResponse = [['clientInfo', { vector: { record: ClientInfo } }]] as const;

// ---------------------------------------------------------------------------------------
// The interpreter.

function readField(reader: JuteReader, type: FieldType): unknown {
  if (typeof type === 'string') {
    switch (type) {
      case 'int':
        return reader.int();
      case 'long':
        return reader.long();
      case 'boolean':
        return reader.boolean();
      case 'buffer':
        return reader.buffer();
      case 'ustring': {
        // Paths and names: ZooKeeper 3.8 fails on a null one with MarshallingError and keeps
        // the connection (./codec.ts answers JuteNullStringError that way).
        const value = reader.ustring();
        if (value === null) throw new JuteNullStringError('null string where a string is required');
        return value;
      }
      case 'nullableUstring':
        return reader.ustring();
    }
  }
  if ('vector' in type) return reader.vector((r) => readField(r, type.vector));
  return readRecord(reader, type.record);
}

function writeField(writer: JuteWriter, type: FieldType, value: unknown): void {
  if (typeof type === 'string') {
    switch (type) {
      case 'int':
        writer.int(value as number);
        return;
      case 'long':
        writer.long(value as bigint);
        return;
      case 'boolean':
        writer.boolean(value as boolean);
        return;
      case 'buffer':
        writer.buffer(value as Buffer | null);
        return;
      case 'ustring':
      case 'nullableUstring':
        writer.ustring(value as string | null);
        return;
    }
  }
  if ('vector' in type) {
    writer.vector(value as unknown[], (w, item) => writeField(w, type.vector, item));
    return;
  }
  writeRecord(writer, type.record, value as RecordOf<Schema>);
}

export function readRecord<S extends Schema>(reader: JuteReader, schema: S): RecordOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, type] of schema) out[name] = readField(reader, type);
  return out as RecordOf<S>;
}

export function writeRecord<S extends Schema>(
  writer: JuteWriter,
  schema: S,
  value: RecordOf<S>,
): void {
  const fields = value as Record<string, unknown>;
  for (const [name, type] of schema) writeField(writer, type, fields[name]);
}

// ---------------------------------------------------------------------------------------
// The handshake records with their optional trailing readOnly byte.

export type ConnectRequestRecord = RecordOf<typeof ConnectRequestBase> & {
  /** `undefined` when the client sent the 44-byte form without the byte. */
  readOnly: boolean | undefined;
};
export type ConnectResponseRecord = RecordOf<typeof ConnectResponseBase> & {
  /** `undefined`: leave the byte out (the client did not send one). */
  readOnly: boolean | undefined;
};

export function readConnectRequest(reader: JuteReader): ConnectRequestRecord {
  const base = readRecord(reader, ConnectRequestBase);
  // Old clients stop after passwd. ZooKeeper reads the byte only if one is left; so do we.
  const readOnly = reader.remaining > 0 ? reader.boolean() : undefined;
  if (reader.remaining > 0) {
    throw new JuteError(`${reader.remaining} unexpected bytes after ConnectRequest`);
  }
  return { ...base, readOnly };
}

export function writeConnectRequest(writer: JuteWriter, value: ConnectRequestRecord): void {
  writeRecord(writer, ConnectRequestBase, value);
  if (value.readOnly !== undefined) writer.boolean(value.readOnly);
}

export function readConnectResponse(reader: JuteReader): ConnectResponseRecord {
  const base = readRecord(reader, ConnectResponseBase);
  const readOnly = reader.remaining > 0 ? reader.boolean() : undefined;
  return { ...base, readOnly };
}

export function writeConnectResponse(writer: JuteWriter, value: ConnectResponseRecord): void {
  writeRecord(writer, ConnectResponseBase, value);
  if (value.readOnly !== undefined) writer.boolean(value.readOnly);
}
