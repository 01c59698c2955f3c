/**
 * The bytes of a Zab snapshot (coordinator/ensemble/snapshot.ts): a tree and its sessions
 * come back exactly, and bytes cut short or of another format are refused.
 */
import t from 'tap';
import {
  SnapshotFormatError,
  decodeSnapshot,
  encodeSnapshot,
} from '../../../coordinator/ensemble/snapshot.js';
import type { LoadedState, StoredNode } from '../../../coordinator/store.js';

const node = (fields: Partial<StoredNode>): StoredNode => ({
  data: Buffer.from('x'),
  acl: [{ perms: 31, scheme: 'world', id: 'anyone' }],
  czxid: 1,
  mzxid: 2,
  pzxid: 3,
  ctimeMs: 1000,
  mtimeMs: 2000,
  version: 4,
  aversion: 0,
  childCreations: 5,
  ephemeralOwner: 0n,
  ttlMs: 0,
  kind: 'normal',
  ...fields,
});

t.test('a tree and its sessions round-trip', async (t) => {
  const state: LoadedState = {
    lastZxid: 2 ** 32 * 3 + 17,
    nodes: [
      ['/', node({ data: Buffer.alloc(0) })],
      ['/a', node({ data: null, kind: 'container' })],
      ['/a/é', node({ ephemeralOwner: -5n, data: Buffer.from([0, 255]) })],
      ['/t', node({ kind: 'ttl', ttlMs: 60_000 })],
    ],
    sessions: [
      { id: 0x0100000000000001n, timeoutMs: 4000, password: Buffer.alloc(16, 7) },
      { id: -2n, timeoutMs: 30_000, password: Buffer.alloc(0) },
    ],
  };
  const bytes = encodeSnapshot(state);
  t.same(decodeSnapshot(bytes), state);
  t.throws(() => decodeSnapshot(bytes.subarray(0, bytes.length - 1)), SnapshotFormatError);
  t.throws(() => decodeSnapshot(Buffer.concat([bytes, Buffer.from([0])])), SnapshotFormatError);
  t.throws(() => decodeSnapshot(Buffer.from('not a snapshot at all')), /not a snapshot/);
});
