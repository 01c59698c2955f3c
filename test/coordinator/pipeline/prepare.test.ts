/**
 * The prepare stage (coordinator/pipeline/prepare.ts) on its own: a request and a requester
 * in, a txn (or INVALIDACL) out. No server, no clock.
 */
import t from 'tap';
import {
  expandAcl,
  identitiesOf,
  prepareWrite,
  type Requester,
} from '../../../coordinator/pipeline/prepare.js';
import { ErrorCode, KeeperError } from '../../../src/protocol/coordinator/errors.js';
import type { Acl } from '../../../src/protocol/coordinator/messages.js';

const anonymous: Requester = { remoteAddress: '10.0.0.7:52344', authIds: [] };
const alice: Requester = {
  remoteAddress: '10.0.0.7:52344',
  authIds: [{ perms: 31, scheme: 'digest', id: 'alice:hash' }],
};
const origin = { server: 2, run: 99, seq: 5 };

function code(fn: () => unknown): number {
  try {
    fn();
  } catch (error) {
    if (error instanceof KeeperError) return error.code;
    throw error;
  }
  return ErrorCode.OK;
}

t.test('every requester has its ip identity, then its digest identities', async (t) => {
  t.same(identitiesOf(anonymous), [{ scheme: 'ip', id: '10.0.0.7' }]);
  t.same(identitiesOf(alice), [
    { scheme: 'ip', id: '10.0.0.7' },
    { perms: 31, scheme: 'digest', id: 'alice:hash' },
  ]);
});

t.test('repeated ACL entries are dropped, the auth scheme becomes the digest ids', async (t) => {
  const world: Acl = { perms: 31, scheme: 'world', id: 'anyone' };
  t.same(expandAcl(anonymous, [world, { ...world }], '/a'), [world]);
  t.same(expandAcl(alice, [{ perms: 1, scheme: 'auth', id: '' }], '/a'), [
    { perms: 1, scheme: 'digest', id: 'alice:hash' },
  ]);
});

t.test('the auth scheme without an identity fails with INVALIDACL', async (t) => {
  const auth: Acl[] = [{ perms: 31, scheme: 'auth', id: '' }];
  t.equal(
    code(() => expandAcl(anonymous, auth, '/a')),
    ErrorCode.INVALIDACL,
  );
  // The super identity is never expanded into an ACL (ZooKeeper's fixupACL has no provider).
  const superOnly: Requester = { ...anonymous, authIds: [{ perms: 31, scheme: 'super', id: '' }] };
  t.equal(
    code(() => expandAcl(superOnly, auth, '/a')),
    ErrorCode.INVALIDACL,
  );
  t.equal(
    code(() =>
      prepareWrite(
        {
          op: 'multi',
          ops: [{ op: 'create', path: '/m', data: null, acl: auth, mode: 'persistent' }],
        },
        { requester: anonymous, origin, sessionId: 1n, timeMs: 5 },
      ),
    ),
    ErrorCode.INVALIDACL,
    'inside a multi too',
  );
});

t.test('a write becomes a txn carrying what the apply stage cannot know', async (t) => {
  const txn = prepareWrite(
    {
      op: 'create',
      path: '/a',
      data: Buffer.from('x'),
      acl: [{ perms: 31, scheme: 'auth', id: '' }],
      mode: 'ephemeral',
    },
    { requester: alice, origin, sessionId: 0x42n, timeMs: 1234 },
  );
  t.same(txn, {
    type: 'write',
    origin,
    sessionId: 0x42n,
    request: {
      op: 'create',
      path: '/a',
      data: Buffer.from('x'),
      acl: [{ perms: 31, scheme: 'digest', id: 'alice:hash' }],
      mode: 'ephemeral',
    },
    ids: identitiesOf(alice),
    timeMs: 1234,
  });
});

t.test('the tree is not consulted: a delete of a missing node is still a txn', async (t) => {
  const txn = prepareWrite(
    { op: 'delete', path: '/missing', version: 3 },
    { requester: anonymous, origin, sessionId: 1n, timeMs: 0 },
  );
  t.equal(txn.type, 'write');
  t.same(txn.type === 'write' && txn.request, { op: 'delete', path: '/missing', version: 3 });
});

t.test('close becomes a closeSession txn of the session', async (t) => {
  t.same(
    prepareWrite({ op: 'close' }, { requester: anonymous, origin, sessionId: 7n, timeMs: 0 }),
    { type: 'closeSession', origin, sessionId: 7n, reason: 'closed by client' },
  );
});
