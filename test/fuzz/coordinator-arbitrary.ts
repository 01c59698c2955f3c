/**
 * fast-check arbitraries for the coordinator's transport-neutral messages
 * (src/protocol/coordinator/messages.ts), shared by the property tests of the two codecs that
 * carry them: ZooKeeper's binary protocol (src/protocol/zookeeper/codec.ts) and the WebSocket
 * JSON protocol (src/protocol/coordinator/ws-codec.ts).
 *
 * Only requests a client can actually send are generated, in the form a decoder returns them:
 * a TTL only with a *_with_ttl mode and within ZooKeeper's 1 .. 2^40-1 ms, zxids within
 * JavaScript's safe integers, and (for the binary protocol, `binary: true`) no top-level
 * `check`, which ZooKeeper only accepts inside a multi.
 */
import fc from 'fast-check';
import {
  CREATE_MODE_NAMES,
  isTtlMode,
  type Acl,
  type ConnectRequest,
  type CreateRequest,
  type MultiOp,
  type MultiReadOp,
  type Request,
  type WatchEvent,
} from '../../src/protocol/coordinator/messages.js';
import { bytesArbitrary } from './kafka-arbitrary.js';

const text = fc.string({ unit: 'binary', maxLength: 12 });
const path = fc.oneof(
  text,
  text.map((s) => `/${s}`),
);
const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const zxid = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const data = fc.option(bytesArbitrary(0, 16), { nil: null, freq: 4 });
const pathList = fc.array(path, { maxLength: 3 });

const acl: fc.Arbitrary<Acl> = fc.record({ perms: int32, scheme: text, id: text });

const create: fc.Arbitrary<CreateRequest> = fc
  .record({
    path,
    data,
    acl: fc.array(acl, { maxLength: 3 }),
    mode: fc.constantFrom(...CREATE_MODE_NAMES),
    ttlMs: fc.integer({ min: 1, max: 2 ** 40 - 1 }),
  })
  .map(({ ttlMs, ...rest }) => ({
    op: 'create' as const,
    ...rest,
    ...(isTtlMode(rest.mode) ? { ttlMs } : {}),
  }));

const del = fc.record({ op: fc.constant('delete' as const), path, version: int32 });
const setData = fc.record({ op: fc.constant('setData' as const), path, data, version: int32 });
const check = fc.record({ op: fc.constant('check' as const), path, version: int32 });
const watchRead = (op: 'exists' | 'getData' | 'getChildren') =>
  fc.record({ op: fc.constant(op), path, watch: fc.boolean() });

const multiOp: fc.Arbitrary<MultiOp> = fc.oneof(create, del, setData, check);
const multiReadOp: fc.Arbitrary<MultiReadOp> = fc.record({
  op: fc.constantFrom('getData' as const, 'getChildren' as const),
  path,
  watch: fc.constant(false),
});

/** The requests that change the tree (an ensemble's write txns carry these). */
export const writeRequestArbitrary = fc.oneof(
  create,
  del,
  setData,
  fc.record({
    op: fc.constant('setACL' as const),
    path,
    acl: fc.array(acl, { maxLength: 3 }),
    version: int32,
  }),
  fc.record({ op: fc.constant('multi' as const), ops: fc.array(multiOp, { maxLength: 4 }) }),
);

/** Every request a client may send; `binary` leaves out what only the JSON protocol allows. */
export function requestArbitrary(options: { binary: boolean }): fc.Arbitrary<Request> {
  const requests: fc.Arbitrary<Request>[] = [
    create,
    del,
    setData,
    watchRead('exists'),
    watchRead('getData'),
    watchRead('getChildren'),
    fc.record({ op: fc.constant('getAllChildrenNumber' as const), path }),
    fc.record({ op: fc.constant('getEphemerals' as const), prefix: path }),
    fc.record({ op: fc.constant('sync' as const), path }),
    fc.record({ op: fc.constant('getACL' as const), path }),
    fc.record({
      op: fc.constant('setACL' as const),
      path,
      acl: fc.array(acl, { maxLength: 3 }),
      version: int32,
    }),
    fc.record({ op: fc.constant('multi' as const), ops: fc.array(multiOp, { maxLength: 4 }) }),
    fc.record({
      op: fc.constant('multiRead' as const),
      ops: fc.array(multiReadOp, { maxLength: 4 }),
    }),
    fc.record({
      op: fc.constant('addWatch' as const),
      path,
      mode: fc.constantFrom('persistent' as const, 'persistent_recursive' as const),
    }),
    fc.record({
      op: fc.constantFrom('removeWatches' as const, 'checkWatches' as const),
      path,
      watcherType: fc.constantFrom(
        'children' as const,
        'data' as const,
        'any' as const,
        'persistent' as const,
        'persistent_recursive' as const,
      ),
    }),
    fc.record({
      op: fc.constant('setWatches' as const),
      relativeZxid: zxid,
      dataWatches: pathList,
      existWatches: pathList,
      childWatches: pathList,
      persistentWatches: pathList,
      persistentRecursiveWatches: pathList,
    }),
    fc.record({ op: fc.constant('auth' as const), scheme: text, auth: bytesArbitrary(0, 16) }),
    fc.constant({ op: 'ping' as const }),
    fc.constant({ op: 'close' as const }),
    fc.constant({ op: 'whoAmI' as const }),
  ];
  if (!options.binary) requests.push(check);
  return fc.oneof(...requests);
}

export const connectArbitrary: fc.Arbitrary<ConnectRequest> = fc.record({
  protocolVersion: fc.integer({ min: 0, max: 0x7fffffff }),
  lastZxidSeen: zxid,
  timeoutMs: fc.integer({ min: 0, max: 0x7fffffff }),
  sessionId: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  password: bytesArbitrary(16, 16),
  readOnly: fc.boolean(),
});

export const watchEventArbitrary: fc.Arbitrary<WatchEvent> = fc.record({
  type: fc.constantFrom(
    'NodeCreated' as const,
    'NodeDeleted' as const,
    'NodeDataChanged' as const,
    'NodeChildrenChanged' as const,
  ),
  path,
  zxid,
});
