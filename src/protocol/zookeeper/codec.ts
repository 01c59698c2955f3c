/**
 * ZooKeeper's binary client protocol mapped onto the coordinator's transport-neutral
 * messages (`src/protocol/coordinator/messages.ts`). The server transport
 * (`coordinator/zk-server.ts`) uses the server-side half: decode a ConnectRequest or a
 * request packet into a `ConnectRequest` / `Request`, and encode the core's answers
 * (`ConnectResponse`, replies with a `Result`, `WatchEvent`s) into frames. The client-side
 * half (`encodeConnectRequestFrame`, `encodeRequestFrame`) exists for tests and tools that
 * need to speak the protocol by hand.
 *
 * Packets (every frame is a 4-byte big-endian length, then the packet):
 *
 *   client → server, first:  ConnectRequest  (44 bytes, or 45 with the readOnly byte)
 *   client → server, then:   RequestHeader{xid:int, type:int} + request record
 *   server → client, first:  ConnectResponse (36 bytes, or 37 if the request had readOnly)
 *   server → client, then:   ReplyHeader{xid:int, zxid:long, err:int} + response record,
 *                            the record only when err = 0 (an error reply is 16 bytes);
 *                            notifications are ReplyHeader{-1, -1, 0} + WatcherEvent.
 *
 * Several opcodes share one `Request`: create (1), create2 (15), createContainer (19) and
 * createTTL (21) are all `{op: 'create'}`, getChildren (8) and getChildren2 (12) are both
 * `{op: 'getChildren'}`, setWatches (101) and setWatches2 (105) are both `{op:
 * 'setWatches'}`. The reply must nevertheless have the shape of the opcode the client sent
 * (create answers a path, create2 a path and a Stat), so decoding returns a `ReplyShape` that
 * the transport keeps with the pending xid and hands back to `encodeReplyFrame`.
 *
 * Decoding never throws anything but `JuteError` (an undecodable packet); requests that decode
 * but cannot be served (unknown opcode, bad create flags) come back as `{kind: 'rejected'}`
 * with the error code to answer and whether ZooKeeper closes the connection afterwards.
 */
import { ErrorCode } from '../coordinator/errors.js';
import {
  CREATE_MODE_NAMES,
  CreateMode,
  EventType,
  type Acl,
  type AddWatchMode,
  type ConnectRequest,
  type ConnectResponse,
  type CreateModeName,
  type CreateRequest as CreateOp,
  type MultiOp,
  type MultiReadOp,
  type Request,
  type Result,
  type Stat,
  type WatchEvent,
  type WatcherType,
} from '../coordinator/messages.js';
import { JuteError, JuteNullStringError, JuteReader, JuteWriter, longToNumber } from './jute.js';
import { KeeperState, OpCode, Xid, opCodeName } from './op-codes.js';
import * as R from './records.js';

/** What a transport must remember about a pending request to shape its reply. */
export interface ReplyShape {
  opCode: number;
  /** multi / multiRead: the opcode of each sub-operation, in order. */
  subOpCodes?: number[];
}

export type DecodedRequest =
  | { kind: 'request'; xid: number; request: Request; shape: ReplyShape }
  | {
      kind: 'rejected';
      xid: number;
      opCode: number;
      /** The error code to answer with (header-only reply). */
      err: number;
      /** Whether ZooKeeper drops the connection after this answer. */
      close: boolean;
      reason: string;
    };

// ---------------------------------------------------------------------------------------
// Conversions between jute records and messages.ts types.

/** flags value → CreateMode name, e.g. 3 → ephemeral_sequential. */
const MODE_BY_FLAGS = new Map<number, CreateModeName>(
  CREATE_MODE_NAMES.map((n) => [CreateMode[n], n]),
);

const WATCH_MODE_BY_CODE: ReadonlyMap<number, AddWatchMode> = new Map([
  [0, 'persistent'],
  [1, 'persistent_recursive'],
]);
const WATCHER_TYPE_BY_CODE: ReadonlyMap<number, WatcherType> = new Map([
  [1, 'children'],
  [2, 'data'],
  [3, 'any'],
  [4, 'persistent'],
  [5, 'persistent_recursive'],
]);

function statToRecord(stat: Stat): R.RecordOf<typeof R.Stat> {
  return {
    czxid: BigInt(stat.czxid),
    mzxid: BigInt(stat.mzxid),
    ctime: BigInt(stat.ctime),
    mtime: BigInt(stat.mtime),
    version: stat.version,
    cversion: stat.cversion,
    aversion: stat.aversion,
    ephemeralOwner: stat.ephemeralOwner,
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
    pzxid: BigInt(stat.pzxid),
  };
}

export function statFromRecord(record: R.RecordOf<typeof R.Stat>): Stat {
  return {
    czxid: longToNumber(record.czxid, 'czxid'),
    mzxid: longToNumber(record.mzxid, 'mzxid'),
    ctime: longToNumber(record.ctime, 'ctime'),
    mtime: longToNumber(record.mtime, 'mtime'),
    version: record.version,
    cversion: record.cversion,
    aversion: record.aversion,
    ephemeralOwner: record.ephemeralOwner,
    dataLength: record.dataLength,
    numChildren: record.numChildren,
    pzxid: longToNumber(record.pzxid, 'pzxid'),
  };
}

/**
 * What ZooKeeper 3.8 does with a null part of an ACL Id (fixupACL): a null scheme is
 * InvalidACL; under `auth` the id is ignored, so null is fine (kazoo's CREATOR_ALL_ACL sends
 * `auth` with a null id); any other scheme dereferences the id and fails with
 * MarshallingError, the connection staying open.
 */
function aclFromRecord(acl: R.RecordOf<typeof R.ACL>): Acl {
  const { scheme, id } = acl.id;
  if (scheme === null) throw new Rejection(ErrorCode.INVALIDACL, false, 'ACL with a null scheme');
  if (id === null && scheme !== 'auth') {
    throw new Rejection(ErrorCode.MARSHALLINGERROR, false, `${scheme} ACL with a null id`);
  }
  return { perms: acl.perms, scheme, id: id ?? '' };
}

/**
 * The ACL of nearly every create is OPEN_ACL_UNSAFE. Decoding it into one shared (frozen)
 * array instead of a fresh one per request saves garbage, and lets the store's per-array
 * encoding cache (coordinator/store.ts) hit instead of re-encoding it for every node.
 */
const OPEN_ACL_SHARED = Object.freeze([
  Object.freeze({ perms: 31, scheme: 'world', id: 'anyone' }),
]) as Acl[];

function aclListFromRecords(records: R.RecordOf<typeof R.ACL>[]): Acl[] {
  const only = records.length === 1 ? records[0] : undefined;
  if (only && only.perms === 31 && only.id.scheme === 'world' && only.id.id === 'anyone')
    return OPEN_ACL_SHARED;
  return records.map(aclFromRecord);
}
function aclToRecord(acl: Acl): R.RecordOf<typeof R.ACL> {
  return { perms: acl.perms, id: { scheme: acl.scheme, id: acl.id } };
}

// ---------------------------------------------------------------------------------------
// Server side: the handshake.

export interface DecodedConnect {
  request: ConnectRequest;
  /** Whether the client sent the optional readOnly byte (then the response carries it too). */
  hasReadOnly: boolean;
}

export function decodeConnectRequest(packet: Buffer): DecodedConnect {
  const record = R.readConnectRequest(new JuteReader(packet));
  return {
    request: {
      protocolVersion: record.protocolVersion,
      lastZxidSeen: longToNumber(record.lastZxidSeen, 'lastZxidSeen'),
      timeoutMs: record.timeOut,
      sessionId: record.sessionId,
      // A null password is what a client with no session sends in the oddest case; treat it
      // as the all-zero password of a new session.
      password: record.passwd ?? Buffer.alloc(16),
      readOnly: record.readOnly ?? false,
    },
    hasReadOnly: record.readOnly !== undefined,
  };
}

export function encodeConnectResponseFrame(
  response: ConnectResponse,
  withReadOnly: boolean,
): Buffer {
  const writer = new JuteWriter(64);
  R.writeConnectResponse(writer, {
    protocolVersion: response.protocolVersion,
    timeOut: response.timeoutMs,
    sessionId: response.sessionId,
    passwd: response.password,
    readOnly: withReadOnly ? response.readOnly : undefined,
  });
  return writer.toFrame();
}

// ---------------------------------------------------------------------------------------
// Server side: requests.

/** A request that decoded but must be refused; thrown inside decoding, caught below. */
class Rejection extends Error {
  constructor(
    readonly err: number,
    readonly close: boolean,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function createFromRecord(
  opCode: number,
  record: R.RecordOf<typeof R.CreateRequest>,
  ttl: bigint | undefined,
): CreateOp {
  const mode = MODE_BY_FLAGS.get(record.flags);
  if (mode === undefined) {
    throw new Rejection(ErrorCode.BADARGUMENTS, false, `unknown create flags ${record.flags}`);
  }
  // Each opcode accepts only its own modes (PrepRequestProcessor does the same): TTL modes
  // need createTTL (21), a container needs createContainer (19), and those two opcodes
  // accept nothing else. Otherwise a client could slip a TTL node past the TTL checks.
  const ttlMode = mode === 'persistent_with_ttl' || mode === 'persistent_sequential_with_ttl';
  const allowed =
    opCode === OpCode.createTTL
      ? ttlMode
      : opCode === OpCode.createContainer
        ? mode === 'container'
        : !ttlMode && mode !== 'container';
  if (!allowed) {
    throw new Rejection(
      ErrorCode.BADARGUMENTS,
      false,
      `create mode ${mode} is not allowed with ${opCodeName(opCode)}`,
    );
  }
  const request: CreateOp = {
    op: 'create',
    path: record.path,
    data: record.data,
    acl: aclListFromRecords(record.acl),
    mode,
  };
  if (ttl !== undefined) {
    // ZooKeeper's TTL range is 1 .. 2^40-1 ms; anything else cannot be a number of ms we keep.
    if (ttl <= 0n || ttl >= 1n << 40n) {
      throw new Rejection(ErrorCode.BADARGUMENTS, false, `TTL ${ttl} out of range`);
    }
    request.ttlMs = Number(ttl);
  }
  return request;
}

function decodeCreate(reader: JuteReader, opCode: number): CreateOp {
  if (opCode === OpCode.createTTL) {
    const record = R.readRecord(reader, R.CreateTTLRequest);
    return createFromRecord(opCode, record, record.ttl);
  }
  return createFromRecord(opCode, R.readRecord(reader, R.CreateRequest), undefined);
}

/** The body of a multi (14) or multiRead (22): MultiHeader + record, until done. */
function decodeMulti(reader: JuteReader, read: boolean): { ops: Request[]; subOpCodes: number[] } {
  const ops: Request[] = [];
  const subOpCodes: number[] = [];
  for (;;) {
    const header = R.readRecord(reader, R.MultiHeader);
    if (header.done) break;
    const type = header.type;
    const allowed = read
      ? type === OpCode.getData || type === OpCode.getChildren
      : type === OpCode.create ||
        type === OpCode.create2 ||
        type === OpCode.createContainer ||
        type === OpCode.createTTL ||
        type === OpCode.delete ||
        type === OpCode.setData ||
        type === OpCode.check;
    // ZooKeeper's MultiOperationRecord throws "Invalid type of op" here, an IOException
    // that becomes MarshallingError; we keep the same answer.
    if (!allowed) throw new JuteError(`${opCodeName(type)} is not allowed inside this multi`);
    ops.push(decodeBody(reader, type));
    subOpCodes.push(type);
  }
  return { ops, subOpCodes };
}

/** Decode the record after the RequestHeader for `opCode`. */
function decodeBody(reader: JuteReader, opCode: number): Request {
  switch (opCode) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return decodeCreate(reader, opCode);
    case OpCode.delete: {
      const r = R.readRecord(reader, R.DeleteRequest);
      return { op: 'delete', path: r.path, version: r.version };
    }
    case OpCode.exists:
    case OpCode.getData:
    case OpCode.getChildren:
    case OpCode.getChildren2: {
      const r = R.readRecord(reader, R.PathWatchRequest);
      const op =
        opCode === OpCode.exists ? 'exists' : opCode === OpCode.getData ? 'getData' : 'getChildren';
      return { op, path: r.path, watch: r.watch };
    }
    case OpCode.setData: {
      const r = R.readRecord(reader, R.SetDataRequest);
      return { op: 'setData', path: r.path, data: r.data, version: r.version };
    }
    case OpCode.check: {
      const r = R.readRecord(reader, R.CheckVersionRequest);
      return { op: 'check', path: r.path, version: r.version };
    }
    case OpCode.getACL:
      return { op: 'getACL', path: R.readRecord(reader, R.PathRequest).path };
    case OpCode.setACL: {
      const r = R.readRecord(reader, R.SetACLRequest);
      return { op: 'setACL', path: r.path, acl: r.acl.map(aclFromRecord), version: r.version };
    }
    case OpCode.sync:
      return { op: 'sync', path: R.readRecord(reader, R.PathRequest).path };
    case OpCode.getAllChildrenNumber:
      return { op: 'getAllChildrenNumber', path: R.readRecord(reader, R.PathRequest).path };
    case OpCode.getEphemerals:
      return { op: 'getEphemerals', prefix: R.readRecord(reader, R.PathRequest).path };
    case OpCode.multi:
      return { op: 'multi', ops: decodeMulti(reader, false).ops as MultiOp[] };
    case OpCode.multiRead:
      return { op: 'multiRead', ops: decodeMulti(reader, true).ops as MultiReadOp[] };
    case OpCode.addWatch: {
      const r = R.readRecord(reader, R.AddWatchRequest);
      const mode = WATCH_MODE_BY_CODE.get(r.mode);
      if (!mode)
        throw new Rejection(ErrorCode.BADARGUMENTS, false, `unknown addWatch mode ${r.mode}`);
      return { op: 'addWatch', path: r.path, mode };
    }
    case OpCode.removeWatches:
    case OpCode.checkWatches: {
      const r = R.readRecord(reader, R.RemoveWatchesRequest);
      const watcherType = WATCHER_TYPE_BY_CODE.get(r.type);
      if (!watcherType)
        throw new Rejection(ErrorCode.BADARGUMENTS, false, `unknown watcher type ${r.type}`);
      const op = opCode === OpCode.removeWatches ? 'removeWatches' : 'checkWatches';
      return { op, path: r.path, watcherType };
    }
    case OpCode.setWatches:
    case OpCode.setWatches2: {
      const r =
        opCode === OpCode.setWatches2
          ? R.readRecord(reader, R.SetWatches2)
          : {
              ...R.readRecord(reader, R.SetWatches),
              persistentWatches: [],
              persistentRecursiveWatches: [],
            };
      return {
        op: 'setWatches',
        relativeZxid: longToNumber(r.relativeZxid, 'relativeZxid'),
        dataWatches: r.dataWatches,
        existWatches: r.existWatches,
        childWatches: r.childWatches,
        persistentWatches: r.persistentWatches,
        persistentRecursiveWatches: r.persistentRecursiveWatches,
      };
    }
    case OpCode.auth: {
      // AuthPacket.type is always 0 and unused by ZooKeeper; the scheme says everything.
      const r = R.readRecord(reader, R.AuthPacket);
      // A null scheme names no provider, as an unknown one does: AuthFailed.
      return { op: 'auth', scheme: r.scheme ?? '', auth: r.auth ?? Buffer.alloc(0) };
    }
    case OpCode.ping:
      return { op: 'ping' };
    case OpCode.closeSession:
      return { op: 'close' };
    case OpCode.whoAmI:
      return { op: 'whoAmI' };
    case OpCode.reconfig:
      // ZooKeeper checks reconfigEnabled first, and it is false by default: a standalone
      // ZooKeeper 3.8.0 with a default configuration answers ReconfigDisabled (observed), and
      // only with reconfigEnabled=true goes on to say Unimplemented (standalone servers have no
      // ensemble). We have no reconfig at all, so we give the default configuration's answer.
      throw new Rejection(ErrorCode.RECONFIGDISABLED, false, 'reconfig is not supported');
    case OpCode.deleteContainer:
      // The server's own opcode, used by its container cleanup. ZooKeeper 3.8 reads the path
      // of a client's deleteContainer from the wrong bytes (the whole packet), so validation
      // fails whatever the client sent: BadArguments, connection kept (observed). Answering
      // the same keeps clients from deleting nodes through the cleanup's back door.
      throw new Rejection(
        ErrorCode.BADARGUMENTS,
        false,
        'deleteContainer is reserved for the server itself',
      );
    default:
      // Unknown opcodes, and known ones we do not serve (sasl). ZooKeeper answers
      // Unimplemented and drops the connection; the session survives for a resume.
      throw new Rejection(
        ErrorCode.UNIMPLEMENTED,
        true,
        `unsupported opcode ${opCodeName(opCode)}`,
      );
  }
}

/**
 * Decode one request packet (everything after the handshake). Throws JuteError only when
 * not even the 8-byte RequestHeader is there; a bad body becomes a MarshallingError rejection.
 */
export function decodeRequest(packet: Buffer): DecodedRequest {
  const reader = new JuteReader(packet);
  const header = R.readRecord(reader, R.RequestHeader);
  const { xid, type: opCode } = header;
  try {
    // check (13) on its own is meaningless: it is a multi sub-op. ZooKeeper 3.8.0 logged it
    // as a txn it could not replay; 3.8.5 answers Unimplemented. So do we (and keep the
    // connection, since the request was understood).
    if (opCode === OpCode.check) {
      throw new Rejection(ErrorCode.UNIMPLEMENTED, false, 'check is only allowed inside multi');
    }
    const request = decodeBody(reader, opCode);
    const shape: ReplyShape = { opCode };
    if (opCode === OpCode.multi || opCode === OpCode.multiRead) {
      shape.subOpCodes = multiSubOpCodes(packet);
    }
    return { kind: 'request', xid, request, shape };
  } catch (err) {
    if (err instanceof Rejection) {
      return { kind: 'rejected', xid, opCode, err: err.err, close: err.close, reason: err.reason };
    }
    if (err instanceof JuteNullStringError) {
      // The packet is well formed; ZooKeeper fails on the null later (a NullPointerException
      // in its request processors), answers MarshallingError and keeps the connection.
      return {
        kind: 'rejected',
        xid,
        opCode,
        err: ErrorCode.MARSHALLINGERROR,
        close: false,
        reason: `cannot serve ${opCodeName(opCode)}: ${err.message}`,
      };
    }
    if (err instanceof JuteError) {
      return {
        kind: 'rejected',
        xid,
        opCode,
        err: ErrorCode.MARSHALLINGERROR,
        close: true,
        reason: `cannot decode ${opCodeName(opCode)}: ${err.message}`,
      };
    }
    throw err;
  }
}

/** Re-read a multi packet's headers for the sub-op opcodes (it decoded fine just before). */
function multiSubOpCodes(packet: Buffer): number[] {
  const reader = new JuteReader(packet);
  const { type } = R.readRecord(reader, R.RequestHeader);
  return decodeMulti(reader, type === OpCode.multiRead).subOpCodes;
}

// ---------------------------------------------------------------------------------------
// Server side: replies and notifications.

export interface ReplyFrameArgs {
  xid: number;
  zxid: number;
  err: number;
  shape: ReplyShape;
  result: Result;
}

function need<T>(value: T | undefined, what: string, shape: ReplyShape): T {
  // A missing field means the core answered a request with a result of the wrong kind: a
  // programmer error, not a client's.
  if (value === undefined) {
    throw new Error(`reply to ${opCodeName(shape.opCode)} lacks ${what}`);
  }
  return value;
}

/** The response record of a successful single operation, written after the header. */
function writeResponseBody(writer: JuteWriter, shape: ReplyShape, result: Result): void {
  const stat = (): R.RecordOf<typeof R.Stat> => statToRecord(need(result.stat, 'stat', shape));
  switch (shape.opCode) {
    case OpCode.create:
    case OpCode.sync:
      R.writeRecord(writer, R.CreateResponse, { path: need(result.path, 'path', shape) });
      return;
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      R.writeRecord(writer, R.Create2Response, {
        path: need(result.path, 'path', shape),
        stat: stat(),
      });
      return;
    case OpCode.exists:
    case OpCode.setData:
    case OpCode.setACL:
      R.writeRecord(writer, R.StatResponse, { stat: stat() });
      return;
    case OpCode.getData:
      R.writeRecord(writer, R.GetDataResponse, {
        data: need(result.data, 'data', shape),
        stat: stat(),
      });
      return;
    case OpCode.getChildren:
      R.writeRecord(writer, R.GetChildrenResponse, {
        children: need(result.children, 'children', shape),
      });
      return;
    case OpCode.getChildren2:
      R.writeRecord(writer, R.GetChildren2Response, {
        children: need(result.children, 'children', shape),
        stat: stat(),
      });
      return;
    case OpCode.getACL:
      R.writeRecord(writer, R.GetACLResponse, {
        acl: need(result.acl, 'acl', shape).map(aclToRecord),
        stat: stat(),
      });
      return;
    case OpCode.getEphemerals:
      R.writeRecord(writer, R.GetChildrenResponse, {
        children: need(result.paths, 'paths', shape),
      });
      return;
    case OpCode.getAllChildrenNumber:
      R.writeRecord(writer, R.GetAllChildrenNumberResponse, {
        totalNumber: need(result.count, 'count', shape),
      });
      return;
    case OpCode.whoAmI:
      R.writeRecord(writer, R.WhoAmIResponse, {
        clientInfo: need(result.clientInfo, 'clientInfo', shape),
      });
      return;
    case OpCode.addWatch:
      // ZooKeeper answers addWatch with an ErrorResponse holding 0 [obs], not an empty body.
      R.writeRecord(writer, R.ErrorResponse, { err: ErrorCode.OK });
      return;
    case OpCode.multi:
      writeMultiResponse(writer, shape, result, false);
      return;
    case OpCode.multiRead:
      writeMultiReadResponse(writer, result);
      return;
    default:
      // delete, setWatches(2), removeWatches, checkWatches, auth, ping, closeSession:
      // the header says it all.
      return;
  }
}

/**
 * The error field of a MultiHeader that carries no result: each header of a multi *request*, and
 * the (-1, done, -1) header that ends every list. ZooKeeper writes -1 there; it is not an error.
 */
const NO_ERR = -1;
const MULTI_END: R.RecordOf<typeof R.MultiHeader> = { type: -1, done: true, err: NO_ERR };

function writeMultiError(writer: JuteWriter, err: number): void {
  R.writeRecord(writer, R.MultiHeader, { type: OpCode.error, done: false, err });
  R.writeRecord(writer, R.ErrorResponse, { err });
}

/**
 * MultiResponse. On success each result has the type of its sub-request (create → path,
 * create2 → path + Stat, setData → Stat, delete/check → nothing). On failure ZooKeeper sends
 * every entry as an error entry: 0 for the ops before the failing one, its code, then -2
 * (RuntimeInconsistency) for the rest; and the reply header says err 0.
 */
function writeMultiResponse(
  writer: JuteWriter,
  shape: ReplyShape,
  result: Result,
  failed: boolean,
): void {
  const results = need(result.results, 'results', shape);
  const failedMulti =
    failed || results.some((entry) => entry.err !== ErrorCode.OK || entry.op === 'error');
  results.forEach((entry, i) => {
    if (failedMulti) {
      writeMultiError(writer, entry.err);
      return;
    }
    const type = shape.subOpCodes?.[i] ?? OpCode[entry.op as MultiOp['op']];
    R.writeRecord(writer, R.MultiHeader, { type, done: false, err: ErrorCode.OK });
    writeResponseBody(writer, { opCode: type }, { path: entry.path, stat: entry.stat });
  });
  R.writeRecord(writer, R.MultiHeader, MULTI_END);
}

/** multiRead: per-op results (getData → data + Stat, getChildren → names, or an error). */
function writeMultiReadResponse(writer: JuteWriter, result: Result): void {
  const shape = { opCode: OpCode.multiRead };
  for (const entry of need(result.readResults, 'readResults', shape)) {
    if (entry.err !== ErrorCode.OK || entry.op === 'error') {
      writeMultiError(writer, entry.err);
      continue;
    }
    const type = OpCode[entry.op];
    R.writeRecord(writer, R.MultiHeader, { type, done: false, err: ErrorCode.OK });
    writeResponseBody(writer, { opCode: type }, entry);
  }
  R.writeRecord(writer, R.MultiHeader, MULTI_END);
}

/**
 * One reply frame. An error reply is the bare 16-byte header, except for multi/multiRead
 * whose failures travel inside the body while the header says 0 (Java and kazoo throw on a
 * non-zero header instead of reading the per-op results).
 */
export function encodeReplyFrame(args: ReplyFrameArgs): Buffer {
  const { shape, result } = args;
  const isMulti = shape.opCode === OpCode.multi || shape.opCode === OpCode.multiRead;
  const multiFailure =
    isMulti && args.err !== ErrorCode.OK && (result.results ?? result.readResults) !== undefined;
  const writer = new JuteWriter();
  R.writeRecord(writer, R.ReplyHeader, {
    xid: args.xid,
    zxid: BigInt(args.zxid),
    err: multiFailure ? 0 : args.err,
  });
  if (multiFailure && shape.opCode === OpCode.multi) {
    writeMultiResponse(writer, shape, result, true);
  } else if (multiFailure) {
    writeMultiReadResponse(writer, result);
  } else if (args.err === ErrorCode.OK) {
    writeResponseBody(writer, shape, result);
  }
  return writer.toFrame();
}

/** A header-only reply, for requests the transport answers itself. */
export function encodeErrorReplyFrame(xid: number, zxid: number, err: number): Buffer {
  const writer = new JuteWriter(16);
  R.writeRecord(writer, R.ReplyHeader, { xid, zxid: BigInt(zxid), err });
  return writer.toFrame();
}

/**
 * A watch notification: ReplyHeader{xid -1, zxid, err 0} + WatcherEvent{type, state 3, path}.
 * ZooKeeper 3.8 puts -1 in the zxid; 3.9 the triggering txn's zxid. The caller chooses.
 */
export function encodeNotificationFrame(event: WatchEvent, zxid: number): Buffer {
  const writer = new JuteWriter(64);
  R.writeRecord(writer, R.ReplyHeader, {
    xid: Xid.notification,
    zxid: BigInt(zxid),
    err: ErrorCode.OK,
  });
  R.writeRecord(writer, R.WatcherEvent, {
    type: EventType[event.type],
    state: KeeperState.SyncConnected,
    path: event.path,
  });
  return writer.toFrame();
}

// ---------------------------------------------------------------------------------------
// Client side (tests and hand-written clients).

export function encodeConnectRequestFrame(request: ConnectRequest, withReadOnly: boolean): Buffer {
  const writer = new JuteWriter(64);
  R.writeConnectRequest(writer, {
    protocolVersion: request.protocolVersion,
    lastZxidSeen: BigInt(request.lastZxidSeen),
    timeOut: request.timeoutMs,
    sessionId: request.sessionId,
    passwd: request.password,
    readOnly: withReadOnly ? request.readOnly : undefined,
  });
  return writer.toFrame();
}

/** The opcode a Java client would use for a create with this mode (create2 for a Stat). */
export function createOpCode(mode: CreateModeName, wantStat: boolean): number {
  if (mode === 'container') return OpCode.createContainer;
  if (mode.endsWith('_with_ttl')) return OpCode.createTTL;
  return wantStat ? OpCode.create2 : OpCode.create;
}

function writeCreate(writer: JuteWriter, opCode: number, request: CreateOp): void {
  const base = {
    path: request.path,
    data: request.data,
    acl: request.acl.map(aclToRecord),
    flags: CreateMode[request.mode],
  };
  if (opCode === OpCode.createTTL) {
    R.writeRecord(writer, R.CreateTTLRequest, { ...base, ttl: BigInt(request.ttlMs ?? 0) });
  } else {
    R.writeRecord(writer, R.CreateRequest, base);
  }
}

function writeRequestBody(writer: JuteWriter, opCode: number, request: Request): void {
  switch (request.op) {
    case 'create':
      writeCreate(writer, opCode, request);
      return;
    case 'delete':
      R.writeRecord(writer, R.DeleteRequest, { path: request.path, version: request.version });
      return;
    case 'exists':
    case 'getData':
    case 'getChildren':
      R.writeRecord(writer, R.PathWatchRequest, { path: request.path, watch: request.watch });
      return;
    case 'setData':
      R.writeRecord(writer, R.SetDataRequest, request);
      return;
    case 'check':
      R.writeRecord(writer, R.CheckVersionRequest, request);
      return;
    case 'getACL':
    case 'sync':
    case 'getAllChildrenNumber':
      R.writeRecord(writer, R.PathRequest, { path: request.path });
      return;
    case 'getEphemerals':
      R.writeRecord(writer, R.PathRequest, { path: request.prefix });
      return;
    case 'setACL':
      R.writeRecord(writer, R.SetACLRequest, {
        path: request.path,
        acl: request.acl.map(aclToRecord),
        version: request.version,
      });
      return;
    case 'multi':
    case 'multiRead':
      for (const sub of request.ops) {
        const type = sub.op === 'create' ? createOpCode(sub.mode, false) : OpCode[sub.op];
        R.writeRecord(writer, R.MultiHeader, { type, done: false, err: NO_ERR });
        writeRequestBody(writer, type, sub);
      }
      R.writeRecord(writer, R.MultiHeader, MULTI_END);
      return;
    case 'addWatch':
      R.writeRecord(writer, R.AddWatchRequest, {
        path: request.path,
        mode: request.mode === 'persistent' ? 0 : 1,
      });
      return;
    case 'removeWatches':
    case 'checkWatches': {
      const type =
        [...WATCHER_TYPE_BY_CODE].find(([, name]) => name === request.watcherType)?.[0] ?? 3;
      R.writeRecord(writer, R.RemoveWatchesRequest, { path: request.path, type });
      return;
    }
    case 'setWatches': {
      const base = { ...request, relativeZxid: BigInt(request.relativeZxid) };
      if (opCode === OpCode.setWatches2) R.writeRecord(writer, R.SetWatches2, base);
      else R.writeRecord(writer, R.SetWatches, base);
      return;
    }
    case 'auth':
      R.writeRecord(writer, R.AuthPacket, { type: 0, scheme: request.scheme, auth: request.auth });
      return;
    case 'ping':
    case 'close':
    case 'whoAmI':
      return;
  }
}

/** The natural opcode of a request (create → create, getChildren → getChildren2, ...). */
export function defaultOpCode(request: Request): number {
  switch (request.op) {
    case 'create':
      return createOpCode(request.mode, false);
    case 'getChildren':
      return OpCode.getChildren2;
    case 'close':
      return OpCode.closeSession;
    case 'setWatches':
      return request.persistentWatches.length + request.persistentRecursiveWatches.length > 0
        ? OpCode.setWatches2
        : OpCode.setWatches;
    default:
      return OpCode[request.op];
  }
}

/** A request frame as a client sends it: RequestHeader + record. */
export function encodeRequestFrame(
  xid: number,
  request: Request,
  opCode = defaultOpCode(request),
): Buffer {
  const writer = new JuteWriter();
  R.writeRecord(writer, R.RequestHeader, { xid, type: opCode });
  writeRequestBody(writer, opCode, request);
  return writer.toFrame();
}
