/**
 * The super user (ZooKeeper's zookeeper.DigestAuthenticationProvider.superDigest) in the
 * coordinator core: a digest auth whose id equals the configured super digest passes every
 * ACL check; the same password under another name, or no super digest configured, does not.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { startCore, requests } from './core-harness.js';
import { ErrorCode } from '../../src/protocol/coordinator/errors.js';
import type { Acl, Request } from '../../src/protocol/coordinator/messages.js';

/** ZooKeeper's DigestAuthenticationProvider.generateDigest. */
function digest(userPassword: string): string {
  const user = userPassword.slice(0, userPassword.indexOf(':'));
  return `${user}:${createHash('sha1').update(userPassword).digest('base64')}`;
}

const SUPER = digest('super:super-secret');
const OWNER_ONLY = [{ perms: 31, scheme: 'digest', id: digest('owner:pw') }];

function createWithAcl(path: string, acl: Acl[]): Request {
  return { op: 'create', path, data: null, acl, mode: 'persistent' };
}

function auth(userPassword: string): Request {
  return { op: 'auth', scheme: 'digest', auth: Buffer.from(userPassword) };
}

t.test('the super digest passes every ACL check; other identities get NOAUTH', async (t) => {
  const { connect } = await startCore(t, { superDigest: SUPER });
  const { conn: owner } = await connect();
  t.equal((await owner.call(auth('owner:pw'))).err, ErrorCode.OK);
  const locked: Request = createWithAcl('/locked', OWNER_ONLY);
  t.equal((await owner.call(locked)).err, ErrorCode.OK);

  const { conn: anonymous } = await connect();
  t.equal(
    (await anonymous.call({ op: 'getData', path: '/locked', watch: false })).err,
    ErrorCode.NOAUTH,
  );

  const { conn: wrong } = await connect();
  t.equal((await wrong.call(auth('other:super-secret'))).err, ErrorCode.OK);
  t.equal(
    (await wrong.call(requests.create('/locked/child'))).err,
    ErrorCode.NOAUTH,
    'the same password under another name is an ordinary digest',
  );

  const { conn: root } = await connect();
  t.equal((await root.call(auth('super:super-secret'))).err, ErrorCode.OK);
  t.equal((await root.call({ op: 'getData', path: '/locked', watch: false })).err, ErrorCode.OK);
  t.equal((await root.call(requests.create('/locked/child'))).err, ErrorCode.OK, 'CREATE');
  t.equal(
    (await root.call({ op: 'setData', path: '/locked', data: Buffer.from('x'), version: -1 })).err,
    ErrorCode.OK,
    'WRITE',
  );
  t.equal(
    (await root.call({ op: 'setACL', path: '/locked', acl: OWNER_ONLY, version: -1 })).err,
    ErrorCode.OK,
    'ADMIN',
  );
  t.equal((await root.call(requests.delete('/locked/child'))).err, ErrorCode.OK, 'DELETE');
  const who = await root.call({ op: 'whoAmI' });
  t.match(who.result.clientInfo, [
    { authScheme: 'ip' },
    { authScheme: 'super', user: '' },
    { authScheme: 'digest', user: 'super' },
  ]);
  const creator = await root.call(createWithAcl('/mine', [{ perms: 31, scheme: 'auth', id: '' }]));
  t.equal(creator.err, ErrorCode.OK);
  const acl = await root.call({ op: 'getACL', path: '/mine' });
  t.same(
    acl.result.acl,
    [{ perms: 31, scheme: 'digest', id: SUPER }],
    'the auth scheme expands to the digest only (super has no provider)',
  );
});

t.test('without a super digest configured, super:password is an ordinary digest', async (t) => {
  const { connect } = await startCore(t);
  const { conn: owner } = await connect();
  await owner.call(auth('owner:pw'));
  await owner.call(createWithAcl('/locked', OWNER_ONLY));
  const { conn: root } = await connect();
  t.equal((await root.call(auth('super:super-secret'))).err, ErrorCode.OK);
  t.equal(
    (await root.call({ op: 'getData', path: '/locked', watch: false })).err,
    ErrorCode.NOAUTH,
  );
});

t.test('a malformed super digest is refused at start-up', async (t) => {
  await t.rejects(startCore(t, { superDigest: 'no-colon' }), /user:base64/);
});
