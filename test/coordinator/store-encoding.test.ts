/**
 * coordinator/store.ts's node encoding, byte for byte: what a znode looks like in LevelDB, and
 * that every field (every kind, null versus empty data, an ephemeral owner with the top bit
 * set) survives a round trip.
 */
import t from 'tap';
import { decodeNode, encodeNode, type StoredNode } from '../../coordinator/store.js';

const WORLD_ANYONE = [{ perms: 31, scheme: 'world', id: 'anyone' }];

function node(overrides: Partial<StoredNode> = {}): StoredNode {
  return {
    data: Buffer.from('hi'),
    acl: WORLD_ANYONE,
    czxid: 5,
    mzxid: 7,
    pzxid: 9,
    ctimeMs: 1_700_000_000_000,
    mtimeMs: 1_700_000_000_500,
    version: 2,
    aversion: -1,
    childCreations: 3,
    ephemeralOwner: 0n,
    kind: 'normal',
    ttlMs: 0,
    ...overrides,
  };
}

t.test('the layout: version 1 header, big-endian fields, ACL JSON, then the data', async (t) => {
  const encoded = encodeNode(node());
  const acl = Buffer.from(JSON.stringify(WORLD_ANYONE));
  t.equal(encoded.readUInt8(0), 1, 'format version');
  t.equal(encoded.readUInt8(1), 0, 'kind: normal');
  t.equal(encoded.readDoubleBE(2), 5, 'czxid');
  t.equal(encoded.readDoubleBE(10), 7, 'mzxid');
  t.equal(encoded.readDoubleBE(18), 9, 'pzxid');
  t.equal(encoded.readDoubleBE(26), 1_700_000_000_000, 'ctime');
  t.equal(encoded.readDoubleBE(34), 1_700_000_000_500, 'mtime');
  t.equal(encoded.readInt32BE(42), 2, 'version');
  t.equal(encoded.readInt32BE(46), -1, 'aversion');
  t.equal(encoded.readInt32BE(50), 3, 'childCreations');
  t.equal(encoded.readBigInt64BE(54), 0n, 'ephemeralOwner');
  t.equal(encoded.readDoubleBE(62), 0, 'ttlMs');
  t.equal(encoded.readUInt32BE(70), acl.length, 'ACL JSON length');
  t.equal(encoded.toString('utf8', 74, 74 + acl.length), acl.toString(), 'ACL JSON');
  t.equal(encoded.readInt32BE(74 + acl.length), 2, 'data length');
  t.equal(encoded.toString('utf8', 78 + acl.length), 'hi', 'data');
  t.equal(encoded.length, 78 + acl.length + 2, 'nothing after the data');
});

t.test('every kind and field survives encode -> decode', async (t) => {
  const cases: [string, StoredNode][] = [
    ['normal', node()],
    ['container', node({ kind: 'container', data: null })],
    ['ttl', node({ kind: 'ttl', ttlMs: 60_000 })],
    ['ephemeral, owner with the top bit set', node({ ephemeralOwner: -0x7ffe_0000_0000_0001n })],
    ['zxids beyond 32 bits', node({ czxid: 2 ** 40, mzxid: 2 ** 40 + 1, pzxid: 2 ** 52 })],
    [
      'several ACL entries',
      node({
        acl: [...WORLD_ANYONE, { perms: 1, scheme: 'digest', id: 'u:pw' }],
      }),
    ],
  ];
  for (const [name, original] of cases) t.same(decodeNode(encodeNode(original)), original, name);
});

t.test('null data and empty data stay different', async (t) => {
  const empty = encodeNode(node({ data: Buffer.alloc(0) }));
  const missing = encodeNode(node({ data: null }));
  t.equal(decodeNode(empty).data?.length, 0);
  t.equal(decodeNode(missing).data, null);
  t.equal(missing.readInt32BE(missing.length - 4), -1, 'null is length -1');
});

t.test('decoded data is a copy, not a view of the stored buffer', async (t) => {
  const stored = encodeNode(node());
  const decoded = decodeNode(stored);
  stored.fill(0);
  t.equal(decoded.data?.toString(), 'hi');
});

t.test('an unknown format version or kind is refused', async (t) => {
  const future = encodeNode(node());
  future.writeUInt8(2, 0);
  t.throws(() => decodeNode(future), /unknown node format 2/);
  const strange = encodeNode(node());
  strange.writeUInt8(9, 1);
  t.throws(() => decodeNode(strange), /unknown node kind/);
});
