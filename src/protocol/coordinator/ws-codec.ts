/**
 * The coordinator's WebSocket protocol: one JSON object per WebSocket text message.
 * docs/coordinator-protocol.md describes it for people writing clients; this module is the
 * single place that encodes and decodes it, for the server (coordinator/ws-server.ts) and
 * for our client (src/coordinator-client/).
 *
 * Encoding rules:
 * - bytes (node data, passwords, auth) are base64 strings; `null` stays `null`;
 * - 64-bit session ids (and Stat.ephemeralOwner) are hex strings such as "0x10000a1b2c0000";
 * - zxids, versions and times are JSON numbers.
 *
 * Client -> server:  {"type":"connect", ...ConnectRequest}   (first message, exactly once)
 *                    {"type":"command","command":"ruok"}    (instead of connect: a 4lw, then close)
 *                    {"type":"request","xid":7,"op":"getData","path":"/a","watch":true}
 * Server -> client:  {"type":"connected", ...ConnectResponse}
 *                    {"type":"command","command":"ruok","output":"imok"}
 *                    {"type":"reply","xid":7,"zxid":42,"err":0, ...Result}
 *                    {"type":"reply","xid":7,"zxid":42,"err":-101,"error":"NONODE"}
 *                    {"type":"event","xid":-1,"zxid":43,"event":"NodeDataChanged","path":"/a"}
 *
 * Decoding untrusted input never throws anything but `FrameError`, which the server turns into
 * a logged close of the connection (the message could not be understood at all) or into a
 * BADARGUMENTS/MARSHALLINGERROR reply (the message was a request with a bad field).
 */
import {
  CREATE_MODE_NAMES,
  formatSessionId,
  parseSessionId,
  type Acl,
  type AddWatchMode,
  type ConnectRequest,
  type ConnectResponse,
  type CreateModeName,
  type MultiOp,
  type MultiReadOp,
  type MultiReadResultEntry,
  type MultiResultEntry,
  type Request,
  type Result,
  type Stat,
  type WatchEvent,
  type WatcherType,
} from './messages.js';
import { ErrorCode } from './errors.js';

/**
 * The text of a WebSocket message as the `ws` library delivers it: a Buffer (its default), or
 * the other shapes its `RawData` type allows (fragments, an ArrayBuffer), decoded as UTF-8.
 * Every message of the protocol is text, so this is what the frame decoders are given.
 */
export function messageText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

export const WS_PROTOCOL_VERSION = 1;

/** The message could not be decoded. `xid` is set when the request's xid was readable. */
export class FrameError extends Error {
  override name = 'FrameError';
  constructor(
    message: string,
    readonly xid?: number,
  ) {
    super(message);
  }
}

export type ClientFrame =
  | { type: 'connect'; connect: ConnectRequest }
  /** A four-letter word (ruok, srvr, mntr, ...) sent instead of connect; answered, then closed. */
  | { type: 'command'; command: string }
  | { type: 'request'; xid: number; request: Request };

export type ServerFrame =
  | { type: 'connected'; connected: ConnectResponse }
  | { type: 'command'; command: string; output: string }
  | { type: 'reply'; xid: number; zxid: number; err: number; result: Result }
  | { type: 'event'; event: WatchEvent };

type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------
// Field readers for untrusted JSON.

function str(o: Json, key: string, xid?: number): string {
  const v = o[key];
  if (typeof v !== 'string') throw new FrameError(`"${key}" must be a string`, xid);
  return v;
}
function int(o: Json, key: string, xid?: number, dflt?: number): number {
  const v = o[key];
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new FrameError(`"${key}" must be an integer`, xid);
  }
  return v;
}
function bool(o: Json, key: string, xid?: number): boolean {
  const v = o[key];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new FrameError(`"${key}" must be a boolean`, xid);
  return v;
}
function bytes(o: Json, key: string, xid?: number): Buffer | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
    throw new FrameError(`"${key}" must be base64 or null`, xid);
  }
  return Buffer.from(v, 'base64');
}
function strList(o: Json, key: string, xid?: number): string[] {
  const v = o[key];
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
    throw new FrameError(`"${key}" must be an array of strings`, xid);
  }
  return v as string[];
}
function acls(o: Json, key: string, xid?: number): Acl[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new FrameError(`"${key}" must be an array of ACLs`, xid);
  return v.map((a) => {
    if (typeof a !== 'object' || a === null) throw new FrameError('an ACL must be an object', xid);
    const acl = a as Json;
    return {
      perms: int(acl, 'perms', xid),
      scheme: str(acl, 'scheme', xid),
      id: str(acl, 'id', xid),
    };
  });
}
function oneOf<T extends string>(
  o: Json,
  key: string,
  allowed: readonly T[],
  xid?: number,
  dflt?: T,
): T {
  const v = o[key];
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new FrameError(`"${key}" must be one of ${allowed.join(', ')}`, xid);
  }
  return v as T;
}

const WATCH_MODES: readonly AddWatchMode[] = ['persistent', 'persistent_recursive'];
const WATCHER_TYPES: readonly WatcherType[] = [
  'children',
  'data',
  'any',
  'persistent',
  'persistent_recursive',
];

/** Operations that the default ACL applies to when the client sends none. */
const DEFAULT_ACL: Acl[] = [{ perms: 31, scheme: 'world', id: 'anyone' }];

function decodeRequest(o: Json, xid: number, nested = false): Request {
  const op = str(o, 'op', xid);
  switch (op) {
    case 'create': {
      const mode = oneOf<CreateModeName>(o, 'mode', CREATE_MODE_NAMES, xid, 'persistent');
      const request: Request = {
        op,
        path: str(o, 'path', xid),
        data: bytes(o, 'data', xid),
        acl: acls(o, 'acl', xid) ?? DEFAULT_ACL,
        mode,
      };
      if (o.ttlMs !== undefined) request.ttlMs = int(o, 'ttlMs', xid);
      return request;
    }
    case 'delete':
      return { op, path: str(o, 'path', xid), version: int(o, 'version', xid, -1) };
    case 'exists':
    case 'getData':
    case 'getChildren':
      return { op, path: str(o, 'path', xid), watch: bool(o, 'watch', xid) };
    case 'setData':
      return {
        op,
        path: str(o, 'path', xid),
        data: bytes(o, 'data', xid),
        version: int(o, 'version', xid, -1),
      };
    case 'check':
      return { op, path: str(o, 'path', xid), version: int(o, 'version', xid, -1) };
    case 'getAllChildrenNumber':
    case 'sync':
    case 'getACL':
      return { op, path: str(o, 'path', xid) };
    case 'getEphemerals':
      return { op, prefix: typeof o.prefix === 'string' ? o.prefix : '/' };
    case 'setACL':
      return {
        op,
        path: str(o, 'path', xid),
        acl: acls(o, 'acl', xid) ?? [],
        version: int(o, 'version', xid, -1),
      };
    case 'multi':
    case 'multiRead': {
      if (nested) throw new FrameError(`${op} cannot be nested`, xid);
      const ops = o.ops;
      if (!Array.isArray(ops)) throw new FrameError('"ops" must be an array', xid);
      const decoded = ops.map((sub) => {
        if (typeof sub !== 'object' || sub === null)
          throw new FrameError('an op must be an object', xid);
        return decodeRequest(sub as Json, xid, true);
      });
      if (op === 'multi') {
        const allowed = ['create', 'delete', 'setData', 'check'];
        if (!decoded.every((d) => allowed.includes(d.op))) {
          throw new FrameError(`multi allows only ${allowed.join(', ')}`, xid);
        }
        return { op, ops: decoded as MultiOp[] };
      }
      if (!decoded.every((d) => d.op === 'getData' || d.op === 'getChildren')) {
        throw new FrameError('multiRead allows only getData, getChildren', xid);
      }
      return { op, ops: decoded as MultiReadOp[] };
    }
    case 'addWatch':
      return { op, path: str(o, 'path', xid), mode: oneOf(o, 'mode', WATCH_MODES, xid) };
    case 'removeWatches':
    case 'checkWatches':
      return {
        op,
        path: str(o, 'path', xid),
        watcherType: oneOf(o, 'watcherType', WATCHER_TYPES, xid, 'any'),
      };
    case 'setWatches':
      return {
        op,
        relativeZxid: int(o, 'relativeZxid', xid),
        dataWatches: strList(o, 'dataWatches', xid),
        existWatches: strList(o, 'existWatches', xid),
        childWatches: strList(o, 'childWatches', xid),
        persistentWatches: strList(o, 'persistentWatches', xid),
        persistentRecursiveWatches: strList(o, 'persistentRecursiveWatches', xid),
      };
    case 'auth':
      return { op, scheme: str(o, 'scheme', xid), auth: bytes(o, 'auth', xid) ?? Buffer.alloc(0) };
    case 'ping':
    case 'close':
    case 'whoAmI':
      return { op };
    default:
      throw new FrameError(`unknown op ${JSON.stringify(op).slice(0, 40)}`, xid);
  }
}

/**
 * How deeply a client message may nest arrays and objects. The deepest message of the
 * protocol is a multi whose ops carry ACLs: message > ops > op > acl > entry, 5 levels; the
 * bound leaves room for fields a newer client may add. ZooKeeper's jute records cannot nest
 * at all beyond their schema. The bound is checked before JSON.parse, which would otherwise
 * build its own native stacks as deep as the input (20,000 levels of "[" cost it about 2 MB
 * of malloc'd memory, in our measurement, for a message of 40 KB).
 */
export const WS_NESTING_DEPTH_MAX = 16;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/**
 * Throws FrameError when `text` nests arrays and objects deeper than `max`. Brackets inside
 * strings do not count. Only the structure is looked at: text that is not JSON passes, and
 * JSON.parse refuses it afterwards. Strings are skipped with indexOf, so the cost is in the
 * structure, not in the length of the values.
 */
export function checkNestingDepth(text: string, max = WS_NESTING_DEPTH_MAX): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Find the closing quote: one not preceded by an odd number of backslashes.
      let end = text.indexOf('"', i + 1);
      for (;;) {
        if (end < 0) return;
        let backslashes = 0;
        while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
        if (backslashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      i = end;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > max) throw new FrameError(`message nests deeper than ${max} levels`);
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
}

/** Server side: decode one client message. Throws FrameError only. */
export function decodeClientFrame(text: string): ClientFrame {
  checkNestingDepth(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FrameError('not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new FrameError('a message must be a JSON object');
  }
  const o = parsed as Json;
  if (o.type === 'connect') {
    let sessionId: bigint;
    try {
      sessionId = parseSessionId(typeof o.sessionId === 'string' ? o.sessionId : '0');
    } catch (err) {
      throw new FrameError((err as Error).message);
    }
    return {
      type: 'connect',
      connect: {
        protocolVersion: int(o, 'protocolVersion', undefined, WS_PROTOCOL_VERSION),
        lastZxidSeen: int(o, 'lastZxidSeen', undefined, 0),
        timeoutMs: int(o, 'timeoutMs'),
        sessionId,
        password: bytes(o, 'password') ?? Buffer.alloc(16),
        readOnly: bool(o, 'readOnly'),
      },
    };
  }
  if (o.type === 'command') {
    return { type: 'command', command: str(o, 'command') };
  }
  if (o.type === 'request') {
    const xid = int(o, 'xid');
    return { type: 'request', xid, request: decodeRequest(o, xid) };
  }
  throw new FrameError('"type" must be "connect" or "request"');
}

// ---------------------------------------------------------------------------------------
// Encoding (server -> client, and the client's own requests).

function b64(data: Buffer | null | undefined): string | null {
  return data === null || data === undefined ? null : data.toString('base64');
}

export function statToJson(stat: Stat): Json {
  return { ...stat, ephemeralOwner: formatSessionId(stat.ephemeralOwner) };
}

export function statFromJson(o: unknown): Stat {
  const s = o as Json;
  return {
    czxid: s.czxid as number,
    mzxid: s.mzxid as number,
    ctime: s.ctime as number,
    mtime: s.mtime as number,
    version: s.version as number,
    cversion: s.cversion as number,
    aversion: s.aversion as number,
    ephemeralOwner: parseSessionId(s.ephemeralOwner as string),
    dataLength: s.dataLength as number,
    numChildren: s.numChildren as number,
    pzxid: s.pzxid as number,
  };
}

function resultToJson(result: Result): Json {
  const out: Json = {};
  if (result.path !== undefined) out.path = result.path;
  if (result.stat !== undefined) out.stat = statToJson(result.stat);
  if (result.data !== undefined) out.data = b64(result.data);
  if (result.children !== undefined) out.children = result.children;
  if (result.count !== undefined) out.count = result.count;
  if (result.paths !== undefined) out.paths = result.paths;
  if (result.acl !== undefined) out.acl = result.acl;
  if (result.clientInfo !== undefined) out.clientInfo = result.clientInfo;
  if (result.results !== undefined) {
    out.results = result.results.map((r) => {
      const e: Json = { op: r.op, err: r.err };
      if (r.path !== undefined) e.path = r.path;
      if (r.stat !== undefined) e.stat = statToJson(r.stat);
      return e;
    });
  }
  if (result.readResults !== undefined) {
    out.readResults = result.readResults.map((r) => {
      const e: Json = { op: r.op, err: r.err };
      if (r.data !== undefined) e.data = b64(r.data);
      if (r.stat !== undefined) e.stat = statToJson(r.stat);
      if (r.children !== undefined) e.children = r.children;
      return e;
    });
  }
  return out;
}

function resultFromJson(o: Json): Result {
  const r: Result = {};
  if (typeof o.path === 'string') r.path = o.path;
  if (o.stat !== undefined) r.stat = statFromJson(o.stat);
  if (o.data !== undefined)
    r.data = o.data === null ? null : Buffer.from(o.data as string, 'base64');
  if (Array.isArray(o.children)) r.children = o.children as string[];
  if (typeof o.count === 'number') r.count = o.count;
  if (Array.isArray(o.paths)) r.paths = o.paths as string[];
  if (Array.isArray(o.acl)) r.acl = o.acl as Acl[];
  if (Array.isArray(o.clientInfo)) r.clientInfo = o.clientInfo as Result['clientInfo'];
  if (Array.isArray(o.results)) {
    r.results = (o.results as Json[]).map((e) => {
      const entry: MultiResultEntry = { op: e.op as MultiResultEntry['op'], err: e.err as number };
      if (typeof e.path === 'string') entry.path = e.path;
      if (e.stat !== undefined) entry.stat = statFromJson(e.stat);
      return entry;
    });
  }
  if (Array.isArray(o.readResults)) {
    r.readResults = (o.readResults as Json[]).map((e) => {
      const entry: MultiReadResultEntry = {
        op: e.op as MultiReadResultEntry['op'],
        err: e.err as number,
      };
      if (e.data !== undefined)
        entry.data = e.data === null ? null : Buffer.from(e.data as string, 'base64');
      if (e.stat !== undefined) entry.stat = statFromJson(e.stat);
      if (Array.isArray(e.children)) entry.children = e.children as string[];
      return entry;
    });
  }
  return r;
}

export function encodeServerFrame(
  frame: ServerFrame,
  errorName?: (code: number) => string,
): string {
  switch (frame.type) {
    case 'connected': {
      const c = frame.connected;
      return JSON.stringify({
        type: 'connected',
        protocolVersion: c.protocolVersion,
        timeoutMs: c.timeoutMs,
        sessionId: formatSessionId(c.sessionId),
        password: c.password.toString('base64'),
        readOnly: c.readOnly,
      });
    }
    case 'command':
      return JSON.stringify({ type: 'command', command: frame.command, output: frame.output });
    case 'reply': {
      const head: Json = { type: 'reply', xid: frame.xid, zxid: frame.zxid, err: frame.err };
      if (frame.err !== ErrorCode.OK) {
        if (errorName) head.error = errorName(frame.err);
        // A failed multi still carries its per-op results (ZooKeeper sends header err 0 then;
        // we send the failing code in err for convenience and the results alongside).
        if (frame.result.results) return JSON.stringify({ ...head, ...resultToJson(frame.result) });
        return JSON.stringify(head);
      }
      return JSON.stringify({ ...head, ...resultToJson(frame.result) });
    }
    case 'event':
      return JSON.stringify({
        type: 'event',
        xid: -1,
        zxid: frame.event.zxid,
        event: frame.event.type,
        path: frame.event.path,
      });
  }
}

/** Client side: decode a server message (trusted-ish; shape errors throw FrameError). */
export function decodeServerFrame(text: string): ServerFrame {
  let o: Json;
  try {
    o = JSON.parse(text) as Json;
  } catch {
    throw new FrameError('server sent non-JSON');
  }
  switch (o.type) {
    case 'connected':
      return {
        type: 'connected',
        connected: {
          protocolVersion: o.protocolVersion as number,
          timeoutMs: o.timeoutMs as number,
          sessionId: parseSessionId(o.sessionId as string),
          password: Buffer.from(o.password as string, 'base64'),
          readOnly: o.readOnly === true,
        },
      };
    case 'command':
      return { type: 'command', command: o.command as string, output: o.output as string };
    case 'reply':
      return {
        type: 'reply',
        xid: o.xid as number,
        zxid: o.zxid as number,
        err: o.err as number,
        result: resultFromJson(o),
      };
    case 'event':
      return {
        type: 'event',
        event: {
          type: o.event as WatchEvent['type'],
          path: o.path as string,
          zxid: o.zxid as number,
        },
      };
    default:
      throw new FrameError(`unknown server message type ${String(o.type)}`);
  }
}

function requestToJson(request: Request): Json {
  switch (request.op) {
    case 'create': {
      const o: Json = {
        op: 'create',
        path: request.path,
        data: b64(request.data),
        mode: request.mode,
        acl: request.acl,
      };
      if (request.ttlMs !== undefined) o.ttlMs = request.ttlMs;
      return o;
    }
    case 'setData':
      return {
        op: 'setData',
        path: request.path,
        data: b64(request.data),
        version: request.version,
      };
    case 'auth':
      return { op: 'auth', scheme: request.scheme, auth: b64(request.auth) };
    case 'multi':
    case 'multiRead':
      return { op: request.op, ops: request.ops.map(requestToJson) };
    default:
      return { ...request };
  }
}

export function encodeClientFrame(frame: ClientFrame): string {
  if (frame.type === 'command') return JSON.stringify({ type: 'command', command: frame.command });
  if (frame.type === 'connect') {
    const c = frame.connect;
    return JSON.stringify({
      type: 'connect',
      protocolVersion: c.protocolVersion,
      lastZxidSeen: c.lastZxidSeen,
      timeoutMs: c.timeoutMs,
      sessionId: formatSessionId(c.sessionId),
      password: c.password.toString('base64'),
      readOnly: c.readOnly,
    });
  }
  return JSON.stringify({ type: 'request', xid: frame.xid, ...requestToJson(frame.request) });
}
