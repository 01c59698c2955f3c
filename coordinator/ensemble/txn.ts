/**
 * What the coordinator puts through Zab: one `CoordinatorTxn` per log entry. Every server
 * applies committed txns in zxid order to its own data tree (CoordinatorServer.applyCommitted).
 *
 * A write txn carries the client's request as the origin server prepared it (ACLs expanded
 * from the connection's identities, the identities themselves, the session and the time), and
 * every server re-executes it against its tree at the txn's zxid. The checks (NodeExists,
 * BadVersion, NoAuth...) run at apply time; since every server applies the same txns in the
 * same order to the same tree, they give the same outcome everywhere, including the same
 * failure. (ZooKeeper's leader instead turns the request into a state-change txn or an error
 * txn in its PrepRequestProcessor; the outcome for clients is the same.)
 *
 * `origin` says which server and which of its requests the txn answers: that server replies
 * to its client when it applies the txn. `run` tells a server's runs apart, so a restarted
 * server replaying its old txns never mistakes them for requests of its current run.
 *
 * The binary form (`writeTxn`/`readTxn`, in jute's primitives: src/protocol/zookeeper/jute.ts),
 * used by the peer codec (codec.ts) and the durable log (zab-disk.ts). The type is an
 * `OpCode`, as ZooKeeper's TxnHeader's, and the request bodies follow ZooKeeper's request
 * records (CreateRequest, SetDataRequest...):
 *
 *   txn       int type: createSession | closeSession | create | delete | setData | setACL |
 *             multi;  boolean origin present [int server, int run, long seq];  long sessionId
 *   createSession   int timeoutMs, buffer password
 *   closeSession    ustring reason
 *   a write   long timeMs, boolean ids present [vector<ustring scheme, ustring id>], the body:
 *     create    ustring path, buffer data, vector<ACL> acl, int flags (CreateMode),
 *               boolean ttl present [long ttlMs]
 *     delete    ustring path, int version
 *     setData   ustring path, buffer data, int version
 *     setACL    ustring path, vector<ACL> acl, int version
 *     check     ustring path, int version            (only inside a multi)
 *     multi     vector<int type, body>
 *   ACL       int perms, ustring scheme, ustring id
 *
 * Anything else (an unknown type or create flag, a null path, a check outside a multi) is a
 * `JuteError`, as a truncated record is.
 */
import {
  CREATE_MODE_NAMES,
  CreateMode,
  type Acl,
  type MultiOp,
  type Request,
} from '../../src/protocol/coordinator/messages.js';
import { JuteError, type JuteReader, type JuteWriter } from '../../src/protocol/zookeeper/jute.js';
import { OpCode } from '../../src/protocol/zookeeper/op-codes.js';
import type { Identity } from '../acl.js';

export interface TxnOrigin {
  server: number;
  run: number;
  seq: number;
}

export type WriteRequest = Extract<
  Request,
  { op: 'create' | 'delete' | 'setData' | 'setACL' | 'multi' }
>;

export type CoordinatorTxn =
  | {
      type: 'createSession';
      origin: TxnOrigin;
      sessionId: bigint;
      timeoutMs: number;
      password: Buffer;
    }
  | { type: 'closeSession'; origin?: TxnOrigin; sessionId: bigint; reason: string }
  | {
      type: 'write';
      origin?: TxnOrigin;
      /** 0n for the server's own writes (container and TTL clean-up). */
      sessionId: bigint;
      request: WriteRequest;
      /** The connection's identities for ACL checks; absent for the server's own writes. */
      ids?: Identity[];
      timeMs: number;
    };

// ---------------------------------------------------------------------------------------
// The binary form.

function writeAcl(w: JuteWriter, acl: readonly Acl[]): void {
  w.vector(acl, (w, a) => w.int(a.perms).ustring(a.scheme).ustring(a.id));
}

function readString(r: JuteReader, what: string): string {
  const value = r.ustring();
  if (value === null) throw new JuteError(`null ${what}`);
  return value;
}

function readAcl(r: JuteReader): Acl[] {
  return r.vector((r) => ({
    perms: r.int(),
    scheme: readString(r, 'ACL scheme'),
    id: readString(r, 'ACL id'),
  }));
}

type Body = MultiOp | Extract<WriteRequest, { op: 'setACL' }>;

function writeBody(w: JuteWriter, request: Body): void {
  switch (request.op) {
    case 'create':
      w.ustring(request.path).buffer(request.data);
      writeAcl(w, request.acl);
      w.int(CreateMode[request.mode]).boolean(request.ttlMs !== undefined);
      if (request.ttlMs !== undefined) w.longNumber(request.ttlMs);
      return;
    case 'delete':
    case 'check':
      w.ustring(request.path).int(request.version);
      return;
    case 'setData':
      w.ustring(request.path).buffer(request.data).int(request.version);
      return;
    case 'setACL':
      w.ustring(request.path);
      writeAcl(w, request.acl);
      w.int(request.version);
      return;
  }
}

function readBody(r: JuteReader, type: number): Body {
  const path = readString(r, 'path');
  switch (type) {
    case OpCode.create: {
      const data = r.buffer();
      const acl = readAcl(r);
      const flags = r.int();
      const mode = CREATE_MODE_NAMES[flags];
      if (mode === undefined || CreateMode[mode] !== flags) {
        throw new JuteError(`create flags ${flags}`);
      }
      if (!r.boolean()) return { op: 'create', path, data, acl, mode };
      return { op: 'create', path, data, acl, mode, ttlMs: r.longNumber('ttl') };
    }
    case OpCode.delete:
      return { op: 'delete', path, version: r.int() };
    case OpCode.check:
      return { op: 'check', path, version: r.int() };
    case OpCode.setData:
      return { op: 'setData', path, data: r.buffer(), version: r.int() };
    case OpCode.setACL:
      return { op: 'setACL', path, acl: readAcl(r), version: r.int() };
    default:
      throw new JuteError(`request type ${type}`);
  }
}

export function writeTxn(w: JuteWriter, txn: CoordinatorTxn): void {
  w.int(txn.type === 'write' ? OpCode[txn.request.op] : OpCode[txn.type]);
  w.boolean(txn.origin !== undefined);
  if (txn.origin) w.int(txn.origin.server).int(txn.origin.run).longNumber(txn.origin.seq);
  w.long(txn.sessionId);
  switch (txn.type) {
    case 'createSession':
      w.int(txn.timeoutMs).buffer(txn.password);
      return;
    case 'closeSession':
      w.ustring(txn.reason);
      return;
    case 'write': {
      w.longNumber(txn.timeMs).boolean(txn.ids !== undefined);
      if (txn.ids) w.vector(txn.ids, (w, id) => w.ustring(id.scheme).ustring(id.id));
      const request = txn.request;
      if (request.op !== 'multi') return writeBody(w, request);
      w.vector(request.ops, (w, op) => {
        w.int(OpCode[op.op]);
        writeBody(w, op);
      });
      return;
    }
  }
}

export function readTxn(r: JuteReader): CoordinatorTxn {
  const type = r.int();
  const origin: TxnOrigin | undefined = r.boolean()
    ? { server: r.int(), run: r.int(), seq: r.longNumber('seq') }
    : undefined;
  const sessionId = r.long();
  if (type === OpCode.createSession) {
    if (!origin) throw new JuteError('createSession without an origin');
    const timeoutMs = r.int();
    const password = r.buffer();
    if (password === null) throw new JuteError('null session password');
    return { type: 'createSession', origin, sessionId, timeoutMs, password };
  }
  if (type === OpCode.closeSession) {
    const reason = readString(r, 'reason');
    return origin
      ? { type: 'closeSession', origin, sessionId, reason }
      : { type: 'closeSession', sessionId, reason };
  }
  const timeMs = r.longNumber('time');
  const ids: Identity[] | undefined = r.boolean()
    ? r.vector((r) => ({ scheme: readString(r, 'scheme'), id: readString(r, 'id') }))
    : undefined;
  let request: WriteRequest;
  if (type === OpCode.multi) {
    request = {
      op: 'multi',
      ops: r.vector((r) => {
        const op = readBody(r, r.int());
        if (op.op === 'setACL') throw new JuteError('setACL inside a multi');
        return op;
      }),
    };
  } else {
    const body = readBody(r, type);
    if (body.op === 'check') throw new JuteError('check outside a multi');
    request = body;
  }
  const txn: CoordinatorTxn = { type: 'write', sessionId, request, timeMs };
  if (origin) txn.origin = origin;
  if (ids) txn.ids = ids;
  return txn;
}

/** The binary form as the durable log takes it (zab-disk.ts's `TxnCodec`). */
export const coordinatorTxnCodec = { write: writeTxn, read: readTxn } as const;
