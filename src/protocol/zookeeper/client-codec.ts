/**
 * The client side of ZooKeeper's binary protocol: what a client reads. `./codec.ts` holds the
 * server side (and the client's request encoders); this module decodes the server's packets
 * back into the transport-neutral messages of `src/protocol/coordinator/messages.ts`, so the
 * coordinator client (`src/coordinator-client/`) can talk to Apache ZooKeeper or to our own
 * coordinator's binary port exactly as it talks to the WebSocket protocol.
 *
 * Packets the client reads (each behind a 4-byte length, see `./frame-reader.ts`):
 *
 *   first:  ConnectResponse{protocolVersion, timeOut, sessionId, passwd[, readOnly]}
 *           timeOut <= 0 means the session is expired (or its password was wrong)
 *   then:   ReplyHeader{xid, zxid, err} + the response record when err = 0
 *           xid -1 is a watch notification: the header is followed by a WatcherEvent
 *           xid -2 answers a ping, xid -4 an auth packet (header only)
 *
 * A reply does not say which operation it answers; only the xid does. So the decoder takes the
 * `ReplyShape` (the opcode, and for a multi the opcode of each sub-operation) the caller kept
 * with the request, as the Java client keeps its `Packet`. Decoding throws `JuteError` on any
 * packet that does not parse; the caller then drops the connection.
 */
import { ErrorCode } from '../coordinator/errors.js';
import {
  EventType,
  type Acl,
  type ConnectResponse,
  type MultiReadResultEntry,
  type MultiResultEntry,
  type Result,
  type WatchEvent,
} from '../coordinator/messages.js';
import { JuteError, JuteReader, longToNumber } from './jute.js';
import { statFromRecord, type ReplyShape } from './codec.js';
import { OpCode, Xid } from './op-codes.js';
import * as R from './records.js';

export function decodeConnectResponse(packet: Buffer): ConnectResponse {
  const record = R.readConnectResponse(new JuteReader(packet));
  return {
    protocolVersion: record.protocolVersion,
    timeoutMs: record.timeOut,
    sessionId: record.sessionId,
    password: record.passwd ?? Buffer.alloc(16),
    readOnly: record.readOnly ?? false,
  };
}

/** The reply header of every packet after the handshake. */
export interface ReplyHeader {
  xid: number;
  /** -1 in ZooKeeper 3.8's notifications and in some error replies. */
  zxid: number;
  err: number;
}

/** Reads the header; the reader is left at the start of the body. */
export function readReplyHeader(reader: JuteReader): ReplyHeader {
  const header = R.readRecord(reader, R.ReplyHeader);
  return { xid: header.xid, zxid: longToNumber(header.zxid, 'zxid'), err: header.err };
}

const EVENT_NAME_BY_TYPE = new Map<number, WatchEvent['type']>([
  [EventType.NodeCreated, 'NodeCreated'],
  [EventType.NodeDeleted, 'NodeDeleted'],
  [EventType.NodeDataChanged, 'NodeDataChanged'],
  [EventType.NodeChildrenChanged, 'NodeChildrenChanged'],
]);

/**
 * A notification's WatcherEvent. Returns undefined for events that name no node change (type
 * None, or the watch-removed types a server sends only to clients that removed a watch
 * locally): the coordinator client announces connection states through its own events.
 */
export function readWatchEvent(reader: JuteReader, zxid: number): WatchEvent | undefined {
  const event = R.readRecord(reader, R.WatcherEvent);
  const type = EVENT_NAME_BY_TYPE.get(event.type);
  return type === undefined ? undefined : { type, path: event.path, zxid };
}

function aclFromRecord(record: R.RecordOf<typeof R.ACL>): Acl {
  return { perms: record.perms, scheme: record.id.scheme ?? '', id: record.id.id ?? '' };
}

/** The body of a successful reply to a single operation of opcode `opCode`. */
function readBody(reader: JuteReader, opCode: number): Result {
  switch (opCode) {
    case OpCode.create:
    case OpCode.sync:
      return { path: R.readRecord(reader, R.CreateResponse).path };
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL: {
      const body = R.readRecord(reader, R.Create2Response);
      return { path: body.path, stat: statFromRecord(body.stat) };
    }
    case OpCode.exists:
    case OpCode.setData:
    case OpCode.setACL:
      return { stat: statFromRecord(R.readRecord(reader, R.StatResponse).stat) };
    case OpCode.getData: {
      const body = R.readRecord(reader, R.GetDataResponse);
      return { data: body.data, stat: statFromRecord(body.stat) };
    }
    case OpCode.getChildren:
      return { children: R.readRecord(reader, R.GetChildrenResponse).children };
    case OpCode.getChildren2: {
      const body = R.readRecord(reader, R.GetChildren2Response);
      return { children: body.children, stat: statFromRecord(body.stat) };
    }
    case OpCode.getACL: {
      const body = R.readRecord(reader, R.GetACLResponse);
      return { acl: body.acl.map(aclFromRecord), stat: statFromRecord(body.stat) };
    }
    case OpCode.getEphemerals:
      return { paths: R.readRecord(reader, R.GetChildrenResponse).children };
    case OpCode.getAllChildrenNumber:
      return { count: R.readRecord(reader, R.GetAllChildrenNumberResponse).totalNumber };
    case OpCode.whoAmI:
      return { clientInfo: R.readRecord(reader, R.WhoAmIResponse).clientInfo };
    case OpCode.addWatch:
      // An ErrorResponse holding 0, see codec.ts; nothing to return.
      if (reader.remaining > 0) R.readRecord(reader, R.ErrorResponse);
      return {};
    default:
      // delete, check, setWatches(2), removeWatches, checkWatches, closeSession: header only.
      return {};
  }
}

const MULTI_OP_BY_TYPE = new Map<number, MultiResultEntry['op']>([
  [OpCode.create, 'create'],
  [OpCode.create2, 'create'],
  [OpCode.createContainer, 'create'],
  [OpCode.createTTL, 'create'],
  [OpCode.delete, 'delete'],
  [OpCode.setData, 'setData'],
  [OpCode.check, 'check'],
]);

/**
 * A MultiResponse: (MultiHeader + body)* up to the header with done = true. A failed multi
 * comes back with header err 0 and every entry an error entry (0 before the failing op, its
 * code, -2 after); the coordinator client fails the multi on any non-zero entry.
 */
function readMultiResults(reader: JuteReader): MultiResultEntry[] {
  const results: MultiResultEntry[] = [];
  for (;;) {
    const header = R.readRecord(reader, R.MultiHeader);
    if (header.done) return results;
    if (header.type === OpCode.error) {
      results.push({ op: 'error', err: R.readRecord(reader, R.ErrorResponse).err });
      continue;
    }
    const op = MULTI_OP_BY_TYPE.get(header.type);
    if (op === undefined) throw new JuteError(`multi result of unknown type ${header.type}`);
    const body = readBody(reader, header.type);
    results.push({ op, err: ErrorCode.OK, path: body.path, stat: body.stat });
  }
}

function readMultiReadResults(reader: JuteReader): MultiReadResultEntry[] {
  const results: MultiReadResultEntry[] = [];
  for (;;) {
    const header = R.readRecord(reader, R.MultiHeader);
    if (header.done) return results;
    if (header.type === OpCode.error) {
      results.push({ op: 'error', err: R.readRecord(reader, R.ErrorResponse).err });
    } else if (header.type === OpCode.getData) {
      const body = readBody(reader, OpCode.getData);
      results.push({ op: 'getData', err: ErrorCode.OK, data: body.data, stat: body.stat });
    } else if (header.type === OpCode.getChildren) {
      const body = readBody(reader, OpCode.getChildren);
      results.push({ op: 'getChildren', err: ErrorCode.OK, children: body.children });
    } else {
      throw new JuteError(`multiRead result of unknown type ${header.type}`);
    }
  }
}

/**
 * The result of a reply whose header has been read. An error reply has no body, except for a
 * multi, whose per-operation codes travel in the body under header err 0.
 */
export function readReplyBody(reader: JuteReader, header: ReplyHeader, shape: ReplyShape): Result {
  if (header.err !== ErrorCode.OK || header.xid === Xid.ping || header.xid === Xid.auth) {
    return {};
  }
  let result: Result;
  if (shape.opCode === OpCode.multi) result = { results: readMultiResults(reader) };
  else if (shape.opCode === OpCode.multiRead)
    result = { readResults: readMultiReadResults(reader) };
  else result = readBody(reader, shape.opCode);
  if (reader.remaining > 0) {
    throw new JuteError(`${reader.remaining} unexpected bytes after a reply`);
  }
  return result;
}
