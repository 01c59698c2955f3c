import t from 'tap';
import { JuteReader, JuteWriter } from '../../../../src/protocol/zookeeper/jute.js';
import * as R from '../../../../src/protocol/zookeeper/records.js';

const stat: R.RecordOf<typeof R.Stat> = {
  czxid: 1n,
  mzxid: 2n,
  ctime: 3n,
  mtime: 4n,
  version: 5,
  cversion: 6,
  aversion: 7,
  ephemeralOwner: 0x0100000000000008n,
  dataLength: 9,
  numChildren: 10,
  pzxid: 11n,
};

t.test('Stat is 68 bytes in IDL field order', async (t) => {
  const w = new JuteWriter();
  R.writeRecord(w, R.Stat, stat);
  const bytes = w.toBuffer();
  t.equal(bytes.length, 68);
  t.equal(bytes.readBigInt64BE(0), 1n, 'czxid first');
  t.equal(bytes.readInt32BE(32), 5, 'version after the four longs');
  t.equal(bytes.readBigInt64BE(44), 0x0100000000000008n, 'ephemeralOwner after the three ints');
  t.equal(bytes.readBigInt64BE(60), 11n, 'pzxid last');
  t.same(R.readRecord(new JuteReader(bytes), R.Stat), stat);
});

t.test('nested records and vectors of records (CreateRequest with an ACL)', async (t) => {
  const w = new JuteWriter();
  R.writeRecord(w, R.CreateRequest, {
    path: '/a',
    data: null,
    acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }],
    flags: 3,
  });
  t.same(
    w.toBuffer(),
    Buffer.concat([
      Buffer.from([0, 0, 0, 2]),
      Buffer.from('/a'),
      Buffer.from([0xff, 0xff, 0xff, 0xff]), // null data
      Buffer.from([0, 0, 0, 1]), // one ACL
      Buffer.from([0, 0, 0, 31]),
      Buffer.from([0, 0, 0, 5]),
      Buffer.from('world'),
      Buffer.from([0, 0, 0, 6]),
      Buffer.from('anyone'),
      Buffer.from([0, 0, 0, 3]), // flags
    ]),
  );
});

const connect: R.ConnectRequestRecord = {
  protocolVersion: 0,
  lastZxidSeen: 0n,
  timeOut: 30000,
  sessionId: 0n,
  passwd: Buffer.alloc(16),
  readOnly: false,
};

t.test('ConnectRequest is 45 bytes with readOnly and 44 without', async (t) => {
  const w45 = new JuteWriter();
  R.writeConnectRequest(w45, connect);
  t.equal(w45.length, 45);
  t.same(R.readConnectRequest(new JuteReader(w45.toBuffer())), connect);

  const w44 = new JuteWriter();
  R.writeConnectRequest(w44, { ...connect, readOnly: undefined });
  t.equal(w44.length, 44);
  t.same(w44.toBuffer(), w45.toBuffer().subarray(0, 44), 'the same bytes minus the last');
  t.equal(R.readConnectRequest(new JuteReader(w44.toBuffer())).readOnly, undefined);

  t.throws(() =>
    R.readConnectRequest(new JuteReader(Buffer.concat([w45.toBuffer(), Buffer.alloc(1)]))),
  );
});

t.test('ConnectResponse is 37 bytes with readOnly and 36 without', async (t) => {
  const response = {
    protocolVersion: 0,
    timeOut: 4000,
    sessionId: 0x1000001n,
    passwd: Buffer.alloc(16, 7),
  };
  const w37 = new JuteWriter();
  R.writeConnectResponse(w37, { ...response, readOnly: false });
  t.equal(w37.length, 37);
  const w36 = new JuteWriter();
  R.writeConnectResponse(w36, { ...response, readOnly: undefined });
  t.equal(w36.length, 36);
  t.same(R.readConnectResponse(new JuteReader(w37.toBuffer())), { ...response, readOnly: false });
});

t.test('SetWatches2 extends SetWatches with two lists', async (t) => {
  const w = new JuteWriter();
  R.writeRecord(w, R.SetWatches2, {
    relativeZxid: 5n,
    dataWatches: ['/d'],
    existWatches: [],
    childWatches: [],
    persistentWatches: ['/p'],
    persistentRecursiveWatches: [],
  });
  t.equal(w.length, 8 + (4 + 4 + 2) + 4 + 4 + (4 + 4 + 2) + 4);
});
