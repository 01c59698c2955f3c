import t from 'tap';
import { ErrorCode } from '../../../../src/protocol/coordinator/errors.js';
import type { Request, Stat } from '../../../../src/protocol/coordinator/messages.js';
import {
  decodeConnectRequest,
  decodeRequest,
  encodeConnectRequestFrame,
  encodeConnectResponseFrame,
  encodeNotificationFrame,
  encodeReplyFrame,
  encodeRequestFrame,
  statFromRecord,
} from '../../../../src/protocol/zookeeper/codec.js';
import { JuteError, JuteReader } from '../../../../src/protocol/zookeeper/jute.js';
import { OpCode } from '../../../../src/protocol/zookeeper/op-codes.js';
import * as R from '../../../../src/protocol/zookeeper/records.js';

const stat: Stat = {
  czxid: 5,
  mzxid: 6,
  ctime: 1700000000000,
  mtime: 1700000000001,
  version: 1,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  dataLength: 2,
  numChildren: 0,
  pzxid: 5,
};

/** The packet of a frame (drop the 4-byte length after checking it). */
function packet(frame: Buffer): Buffer {
  if (frame.readInt32BE(0) !== frame.length - 4) throw new Error('bad length prefix');
  return frame.subarray(4);
}

function replyHeader(reader: JuteReader): { xid: number; zxid: bigint; err: number } {
  return R.readRecord(reader, R.ReplyHeader);
}

t.test('handshake: readOnly byte is optional both ways', async (t) => {
  const request = {
    protocolVersion: 0,
    lastZxidSeen: 7,
    timeoutMs: 30000,
    sessionId: 0n,
    password: Buffer.alloc(16),
    readOnly: false,
  };
  const p45 = packet(encodeConnectRequestFrame(request, true));
  const p44 = packet(encodeConnectRequestFrame(request, false));
  t.equal(p45.length, 45);
  t.equal(p44.length, 44);
  t.same(decodeConnectRequest(p45), { request, hasReadOnly: true });
  t.same(decodeConnectRequest(p44), { request, hasReadOnly: false });

  const response = {
    protocolVersion: 0,
    timeoutMs: 4000,
    sessionId: 0x100n,
    password: Buffer.alloc(16, 1),
    readOnly: false,
  };
  t.equal(packet(encodeConnectResponseFrame(response, true)).length, 37);
  t.equal(packet(encodeConnectResponseFrame(response, false)).length, 36);
  t.throws(() => decodeConnectRequest(Buffer.alloc(10)), JuteError);
});

t.test('a getData request byte for byte', async (t) => {
  const bytes = Buffer.concat([
    Buffer.from([0, 0, 0, 3]), // xid
    Buffer.from([0, 0, 0, 4]), // getData
    Buffer.from([0, 0, 0, 2]),
    Buffer.from('/a'),
    Buffer.from([1]), // watch
  ]);
  t.same(decodeRequest(bytes), {
    kind: 'request',
    xid: 3,
    request: { op: 'getData', path: '/a', watch: true },
    shape: { opCode: OpCode.getData },
  });
  t.same(packet(encodeRequestFrame(3, { op: 'getData', path: '/a', watch: true })), bytes);
});

t.test('every request round-trips through the client encoder', async (t) => {
  const acl = [{ perms: 31, scheme: 'world', id: 'anyone' }];
  const cases: [Request, number][] = [
    [
      { op: 'create', path: '/c', data: Buffer.from('x'), acl, mode: 'ephemeral_sequential' },
      OpCode.create,
    ],
    [{ op: 'create', path: '/c', data: null, acl, mode: 'persistent' }, OpCode.create2],
    [{ op: 'create', path: '/c', data: null, acl, mode: 'container' }, OpCode.createContainer],
    [
      { op: 'create', path: '/c', data: null, acl, mode: 'persistent_with_ttl', ttlMs: 5000 },
      OpCode.createTTL,
    ],
    [{ op: 'delete', path: '/c', version: -1 }, OpCode.delete],
    [{ op: 'exists', path: '/c', watch: true }, OpCode.exists],
    [{ op: 'getChildren', path: '/c', watch: false }, OpCode.getChildren],
    [{ op: 'getChildren', path: '/c', watch: true }, OpCode.getChildren2],
    [{ op: 'setData', path: '/c', data: Buffer.alloc(0), version: 3 }, OpCode.setData],
    [{ op: 'getACL', path: '/c' }, OpCode.getACL],
    [{ op: 'setACL', path: '/c', acl, version: 0 }, OpCode.setACL],
    [{ op: 'sync', path: '/c' }, OpCode.sync],
    [{ op: 'getAllChildrenNumber', path: '/' }, OpCode.getAllChildrenNumber],
    [{ op: 'getEphemerals', prefix: '/' }, OpCode.getEphemerals],
    [{ op: 'addWatch', path: '/c', mode: 'persistent_recursive' }, OpCode.addWatch],
    [{ op: 'removeWatches', path: '/c', watcherType: 'data' }, OpCode.removeWatches],
    [{ op: 'checkWatches', path: '/c', watcherType: 'any' }, OpCode.checkWatches],
    [{ op: 'auth', scheme: 'digest', auth: Buffer.from('u:p') }, OpCode.auth],
    [{ op: 'ping' }, OpCode.ping],
    [{ op: 'close' }, OpCode.closeSession],
    [{ op: 'whoAmI' }, OpCode.whoAmI],
    [
      {
        op: 'setWatches',
        relativeZxid: 9,
        dataWatches: ['/d'],
        existWatches: ['/e'],
        childWatches: [],
        persistentWatches: [],
        persistentRecursiveWatches: [],
      },
      OpCode.setWatches,
    ],
    [
      {
        op: 'setWatches',
        relativeZxid: 9,
        dataWatches: [],
        existWatches: [],
        childWatches: ['/c'],
        persistentWatches: ['/p'],
        persistentRecursiveWatches: ['/r'],
      },
      OpCode.setWatches2,
    ],
    [
      {
        op: 'multiRead',
        ops: [
          { op: 'getData', path: '/a', watch: false },
          { op: 'getChildren', path: '/', watch: false },
        ],
      },
      OpCode.multiRead,
    ],
  ];
  for (const [request, opCode] of cases) {
    const decoded = decodeRequest(packet(encodeRequestFrame(11, request, opCode)));
    const shape = opCode === OpCode.multiRead ? { opCode, subOpCodes: [4, 8] } : { opCode };
    t.same(decoded, { kind: 'request', xid: 11, request, shape }, `${request.op} as ${opCode}`);
  }
});

t.test('multi keeps the sub-op opcodes for the reply shape', async (t) => {
  const acl = [{ perms: 31, scheme: 'world', id: 'anyone' }];
  const request: Request = {
    op: 'multi',
    ops: [
      { op: 'create', path: '/m', data: null, acl, mode: 'persistent' },
      { op: 'setData', path: '/m', data: Buffer.from('v'), version: 0 },
      { op: 'check', path: '/m', version: 1 },
      { op: 'delete', path: '/m', version: -1 },
    ],
  };
  const decoded = decodeRequest(packet(encodeRequestFrame(2, request)));
  t.same(decoded, {
    kind: 'request',
    xid: 2,
    request,
    shape: { opCode: OpCode.multi, subOpCodes: [1, 5, 13, 2] },
  });
});

t.test('rejections: flags, opcodes, undecodable bodies', async (t) => {
  const acl = [{ perms: 31, scheme: 'world', id: 'anyone' }];
  const ttlOnCreate = encodeRequestFrame(
    1,
    { op: 'create', path: '/t', data: null, acl, mode: 'persistent_with_ttl', ttlMs: 1 },
    OpCode.create,
  );
  t.match(decodeRequest(packet(ttlOnCreate)), {
    kind: 'rejected',
    err: ErrorCode.BADARGUMENTS,
    close: false,
  });

  const flags9 = packet(
    encodeRequestFrame(1, { op: 'create', path: '/t', data: null, acl, mode: 'persistent' }),
  );
  flags9.writeInt32BE(9, flags9.length - 4);
  t.match(decodeRequest(flags9), { kind: 'rejected', err: ErrorCode.BADARGUMENTS });

  const badTtl = encodeRequestFrame(
    1,
    { op: 'create', path: '/t', data: null, acl, mode: 'persistent_with_ttl', ttlMs: 0 },
    OpCode.createTTL,
  );
  t.match(decodeRequest(packet(badTtl)), { kind: 'rejected', err: ErrorCode.BADARGUMENTS });

  const unknownOpCode = 99; // no operation of ZooKeeper's has this code
  const unknown = Buffer.from([0, 0, 0, 5, 0, 0, 0, unknownOpCode]);
  t.match(decodeRequest(unknown), {
    kind: 'rejected',
    xid: 5,
    opCode: unknownOpCode,
    err: ErrorCode.UNIMPLEMENTED,
    close: true,
  });

  const check = packet(encodeRequestFrame(6, { op: 'check', path: '/a', version: 1 }));
  t.match(decodeRequest(check), {
    kind: 'rejected',
    xid: 6,
    err: ErrorCode.UNIMPLEMENTED,
    close: false,
  });

  const truncated = packet(
    encodeRequestFrame(7, { op: 'getData', path: '/abc', watch: false }),
  ).subarray(0, 12);
  t.match(decodeRequest(truncated), {
    kind: 'rejected',
    xid: 7,
    err: ErrorCode.MARSHALLINGERROR,
    close: true,
  });

  // A getData inside a (write) multi is a marshalling error, as in ZooKeeper.
  const badMulti = Buffer.concat([
    Buffer.from([0, 0, 0, 8, 0, 0, 0, 14]),
    Buffer.from([0, 0, 0, 4, 0, 0xff, 0xff, 0xff, 0xff]),
    Buffer.from([0, 0, 0, 2]),
    Buffer.from('/a'),
    Buffer.from([0]),
  ]);
  t.match(decodeRequest(badMulti), { kind: 'rejected', xid: 8, err: ErrorCode.MARSHALLINGERROR });

  t.throws(() => decodeRequest(Buffer.alloc(7)), JuteError, 'no header at all');
});

/** RequestHeader + raw body bytes, for requests our own encoder cannot produce. */
function rawRequest(xid: number, opCode: number, ...body: Buffer[]): Buffer {
  const header = Buffer.alloc(8);
  header.writeInt32BE(xid, 0);
  header.writeInt32BE(opCode, 4);
  return Buffer.concat([header, ...body]);
}
const int = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const ustring = (text: string | null): Buffer =>
  text === null ? int(-1) : Buffer.concat([int(Buffer.byteLength(text)), Buffer.from(text)]);
/** A CreateRequest for `path` (may be null) with one ACL entry (scheme and id may be null). */
function createWithAcl(path: string | null, scheme: string | null, id: string | null): Buffer {
  return rawRequest(
    1,
    OpCode.create,
    ustring(path),
    int(-1),
    int(1),
    int(31),
    ustring(scheme),
    ustring(id),
    int(0),
  );
}

t.test('null strings are read as ZooKeeper 3.8 reads them', async (t) => {
  // kazoo's CREATOR_ALL_ACL is (auth, null): under `auth` the id does not matter.
  t.match(decodeRequest(createWithAcl('/k', 'auth', null)), {
    kind: 'request',
    request: { op: 'create', path: '/k', acl: [{ perms: 31, scheme: 'auth', id: '' }] },
  });
  // A null scheme is InvalidACL; a null id under another scheme fails as ZooKeeper's
  // NullPointerException does: MarshallingError, and the connection stays open.
  t.match(decodeRequest(createWithAcl('/k', null, 'anyone')), {
    kind: 'rejected',
    err: ErrorCode.INVALIDACL,
    close: false,
  });
  t.match(decodeRequest(createWithAcl('/k', 'digest', null)), {
    kind: 'rejected',
    err: ErrorCode.MARSHALLINGERROR,
    close: false,
  });
  t.match(decodeRequest(createWithAcl(null, 'world', 'anyone')), {
    kind: 'rejected',
    err: ErrorCode.MARSHALLINGERROR,
    close: false,
  });
  t.match(decodeRequest(rawRequest(2, OpCode.getData, ustring(null), Buffer.from([0]))), {
    kind: 'rejected',
    xid: 2,
    err: ErrorCode.MARSHALLINGERROR,
    close: false,
  });
  // A null auth scheme names no provider: AuthFailed, decided by the server as for "".
  t.match(decodeRequest(rawRequest(-4, OpCode.auth, int(0), ustring(null), ustring('x'))), {
    kind: 'request',
    request: { op: 'auth', scheme: '' },
  });
});

t.test('deleteContainer and reconfig from a client get the answers of ZooKeeper 3.8', async (t) => {
  t.match(decodeRequest(rawRequest(3, OpCode.deleteContainer, ustring('/c'))), {
    kind: 'rejected',
    xid: 3,
    err: ErrorCode.BADARGUMENTS,
    close: false,
  });
  // reconfigEnabled is false by default in ZooKeeper, which then answers ReconfigDisabled.
  const reconfig = rawRequest(
    4,
    OpCode.reconfig,
    ustring(''),
    ustring('2'),
    ustring(''),
    Buffer.alloc(8, 0xff),
  );
  t.match(decodeRequest(reconfig), {
    kind: 'rejected',
    err: ErrorCode.RECONFIGDISABLED,
    close: false,
  });
});

t.test('error replies are the bare 16-byte header', async (t) => {
  const frame = encodeReplyFrame({
    xid: 4,
    zxid: 10,
    err: ErrorCode.NONODE,
    shape: { opCode: OpCode.getData },
    result: {},
  });
  t.same(packet(frame), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 10, 0xff, 0xff, 0xff, 0x9b]));
});

t.test('create answers a path, create2 a path and a Stat', async (t) => {
  const result = { path: '/n-0000000001', stat };
  const create = new JuteReader(
    packet(
      encodeReplyFrame({
        xid: 1,
        zxid: 5,
        err: ErrorCode.OK,
        shape: { opCode: OpCode.create },
        result,
      }),
    ),
  );
  t.same(replyHeader(create), { xid: 1, zxid: 5n, err: ErrorCode.OK });
  t.equal(R.readRecord(create, R.CreateResponse).path, '/n-0000000001');
  t.equal(create.remaining, 0);

  for (const opCode of [OpCode.create2, OpCode.createContainer, OpCode.createTTL]) {
    const r = new JuteReader(
      packet(encodeReplyFrame({ xid: 1, zxid: 5, err: ErrorCode.OK, shape: { opCode }, result })),
    );
    replyHeader(r);
    const body = R.readRecord(r, R.Create2Response);
    t.equal(body.path, '/n-0000000001');
    t.same(statFromRecord(body.stat), stat);
    t.equal(r.remaining, 0);
  }
});

t.test('getChildren vs getChildren2, getData with null data, addWatch', async (t) => {
  const children = ['a', 'b'];
  const gc = new JuteReader(
    packet(
      encodeReplyFrame({
        xid: 1,
        zxid: 5,
        err: ErrorCode.OK,
        shape: { opCode: OpCode.getChildren },
        result: { children, stat },
      }),
    ),
  );
  replyHeader(gc);
  t.same(R.readRecord(gc, R.GetChildrenResponse), { children });
  t.equal(gc.remaining, 0);
  const gc2 = new JuteReader(
    packet(
      encodeReplyFrame({
        xid: 1,
        zxid: 5,
        err: ErrorCode.OK,
        shape: { opCode: OpCode.getChildren2 },
        result: { children, stat },
      }),
    ),
  );
  replyHeader(gc2);
  t.same(R.readRecord(gc2, R.GetChildren2Response).children, children);

  const gd = new JuteReader(
    packet(
      encodeReplyFrame({
        xid: 1,
        zxid: 5,
        err: ErrorCode.OK,
        shape: { opCode: OpCode.getData },
        result: { data: null, stat },
      }),
    ),
  );
  replyHeader(gd);
  t.equal(R.readRecord(gd, R.GetDataResponse).data, null);

  const aw = packet(
    encodeReplyFrame({
      xid: 1,
      zxid: 5,
      err: ErrorCode.OK,
      shape: { opCode: OpCode.addWatch },
      result: {},
    }),
  );
  t.equal(aw.length, 20, 'header + ErrorResponse{0}');
  t.throws(
    () =>
      encodeReplyFrame({
        xid: 1,
        zxid: 5,
        err: ErrorCode.OK,
        shape: { opCode: OpCode.exists },
        result: {},
      }),
    /lacks stat/,
  );
});

function readMulti(reader: JuteReader): { type: number; err: number; body?: unknown }[] {
  const out = [];
  for (;;) {
    const h = R.readRecord(reader, R.MultiHeader);
    if (h.done) {
      if (h.type !== -1 || h.err !== ErrorCode.SYSTEMERROR) throw new Error('bad end marker');
      return out;
    }
    switch (h.type) {
      case -1:
        out.push({ type: h.type, err: h.err, body: R.readRecord(reader, R.ErrorResponse).err });
        break;
      case 1:
        out.push({ type: h.type, err: h.err, body: R.readRecord(reader, R.CreateResponse).path });
        break;
      case 15:
        out.push({ type: h.type, err: h.err, body: R.readRecord(reader, R.Create2Response).path });
        break;
      case 5:
        out.push({
          type: h.type,
          err: h.err,
          body: R.readRecord(reader, R.StatResponse).stat.version,
        });
        break;
      case 4:
        out.push({ type: h.type, err: h.err, body: R.readRecord(reader, R.GetDataResponse).data });
        break;
      case 8:
        out.push({
          type: h.type,
          err: h.err,
          body: R.readRecord(reader, R.GetChildrenResponse).children,
        });
        break;
      default:
        out.push({ type: h.type, err: h.err });
    }
  }
}

t.test('multi success: each result in the shape of its sub-request', async (t) => {
  const frame = encodeReplyFrame({
    xid: 3,
    zxid: 20,
    err: ErrorCode.OK,
    shape: { opCode: OpCode.multi, subOpCodes: [1, 15, 5, 2, 13] },
    result: {
      results: [
        { op: 'create', err: ErrorCode.OK, path: '/a', stat },
        { op: 'create', err: ErrorCode.OK, path: '/b', stat },
        { op: 'setData', err: ErrorCode.OK, stat },
        { op: 'delete', err: ErrorCode.OK },
        { op: 'check', err: ErrorCode.OK },
      ],
    },
  });
  const r = new JuteReader(packet(frame));
  t.same(replyHeader(r), { xid: 3, zxid: 20n, err: ErrorCode.OK });
  t.same(readMulti(r), [
    { type: 1, err: ErrorCode.OK, body: '/a' },
    { type: 15, err: ErrorCode.OK, body: '/b' },
    { type: 5, err: ErrorCode.OK, body: 1 },
    { type: 2, err: ErrorCode.OK },
    { type: 13, err: ErrorCode.OK },
  ]);
  t.equal(r.remaining, 0);
});

t.test('multi failure: header err 0, every entry an error (0, code, -2)', async (t) => {
  const frame = encodeReplyFrame({
    xid: 3,
    zxid: 21,
    err: ErrorCode.BADVERSION,
    shape: { opCode: OpCode.multi, subOpCodes: [1, 5, 2] },
    result: {
      results: [
        { op: 'create', err: ErrorCode.OK, path: '/a' },
        { op: 'error', err: ErrorCode.BADVERSION },
        { op: 'error', err: ErrorCode.RUNTIMEINCONSISTENCY },
      ],
    },
  });
  const r = new JuteReader(packet(frame));
  t.same(replyHeader(r), { xid: 3, zxid: 21n, err: ErrorCode.OK });
  t.same(readMulti(r), [
    { type: -1, err: ErrorCode.OK, body: 0 },
    { type: -1, err: ErrorCode.BADVERSION, body: -103 },
    { type: -1, err: ErrorCode.RUNTIMEINCONSISTENCY, body: -2 },
  ]);

  // A multi error without per-op results (say, a session problem) is a plain error reply.
  const bare = encodeReplyFrame({
    xid: 3,
    zxid: 21,
    err: ErrorCode.SESSIONEXPIRED,
    shape: { opCode: OpCode.multi },
    result: {},
  });
  t.equal(packet(bare).length, 16);
});

t.test('empty multi is just the end marker', async (t) => {
  const r = new JuteReader(
    packet(
      encodeReplyFrame({
        xid: 1,
        zxid: 2,
        err: ErrorCode.OK,
        shape: { opCode: OpCode.multi, subOpCodes: [] },
        result: { results: [] },
      }),
    ),
  );
  replyHeader(r);
  t.same(readMulti(r), []);
});

t.test('multiRead: per-op results and errors, header err 0', async (t) => {
  const frame = encodeReplyFrame({
    xid: 9,
    zxid: 30,
    err: ErrorCode.OK,
    shape: { opCode: OpCode.multiRead, subOpCodes: [4, 8, 4] },
    result: {
      readResults: [
        { op: 'getData', err: ErrorCode.OK, data: Buffer.from('v'), stat },
        { op: 'getChildren', err: ErrorCode.OK, children: ['x'] },
        { op: 'error', err: ErrorCode.NONODE },
      ],
    },
  });
  const r = new JuteReader(packet(frame));
  t.same(replyHeader(r), { xid: 9, zxid: 30n, err: ErrorCode.OK });
  t.same(readMulti(r), [
    { type: 4, err: ErrorCode.OK, body: Buffer.from('v') },
    { type: 8, err: ErrorCode.OK, body: ['x'] },
    { type: -1, err: ErrorCode.NONODE, body: -101 },
  ]);
});

t.test(
  'notification: xid -1, the chosen zxid, WatcherEvent with state SyncConnected',
  async (t) => {
    const frame = encodeNotificationFrame(
      { type: 'NodeChildrenChanged', path: '/p', zxid: 77 },
      -1,
    );
    t.same(
      packet(frame),
      Buffer.concat([
        Buffer.from([0xff, 0xff, 0xff, 0xff]),
        Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
        Buffer.from([0, 0, 0, 0]),
        Buffer.from([0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 2]),
        Buffer.from('/p'),
      ]),
    );
  },
);
