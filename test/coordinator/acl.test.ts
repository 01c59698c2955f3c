/**
 * The ACL rules of coordinator/acl.ts, checked against what ZooKeeper 3.8.0 answered to the
 * same ids (InvalidACL or accepted).
 */
import t from 'tap';
import {
  hasPermission,
  ipMatches,
  isValidDigestId,
  isValidIpId,
  requirePermission,
  uniqueAcl,
  validateAcl,
} from '../../coordinator/acl.js';
import { ErrorCode, KeeperError } from '../../src/protocol/coordinator/errors.js';

t.test('repeated entries are dropped, the first occurrence keeps its place', async (t) => {
  const all = { perms: 31, scheme: 'world', id: 'anyone' };
  const read = { perms: 1, scheme: 'world', id: 'anyone' };
  t.same(uniqueAcl([all, { ...all }, read, { ...read }, all]), [all, read]);
  const tricky = [
    { perms: 1, scheme: 'a\u0000b', id: 'c' },
    { perms: 1, scheme: 'a', id: 'b\u0000c' },
  ];
  t.same(uniqueAcl(tricky), tricky, 'no two different entries share a key');
});

t.test('ip ids: IPv4 with parts 0..255 and an optional /0..32', async (t) => {
  for (const id of ['127.0.0.1', '10.0.0.0/8', '1.2.3.4/32', '+1.2.3.4', '0.0.0.0/0'])
    t.ok(isValidIpId(id), id);
  for (const id of ['999.1.1.1/99', '300.1.1.1', '1.2.3.4/33', '1.2.3', '1.2.3.4/', 'a.b.c.d'])
    t.notOk(isValidIpId(id), id);
  t.notOk(isValidIpId('::1'), 'ZooKeeper 3.8 has no IPv6 ACLs');
});

t.test('digest ids: user:hash, as Java splits them', async (t) => {
  t.ok(isValidDigestId('u:hash'));
  t.ok(isValidDigestId(':hash'));
  t.ok(isValidDigestId('u:hash::'), 'trailing empty parts are dropped');
  t.notOk(isValidDigestId('u:'));
  t.notOk(isValidDigestId('u:h:x'));
  t.notOk(isValidDigestId('uh'));
});

t.test('validateAcl: empty lists, unknown schemes and bad ids are InvalidACL', async (t) => {
  const invalid = (acl: { perms: number; scheme: string; id: string }[]): boolean => {
    try {
      validateAcl(acl, '/p');
      return false;
    } catch (err) {
      return err instanceof KeeperError && err.code === ErrorCode.INVALIDACL;
    }
  };
  t.ok(invalid([]));
  t.ok(invalid([{ perms: 31, scheme: 'world', id: 'nobody' }]));
  t.ok(invalid([{ perms: 31, scheme: 'sasl', id: 'x' }]));
  t.ok(invalid([{ perms: 31, scheme: 'ip', id: '300.1.1.1' }]));
  t.notOk(invalid([{ perms: 31, scheme: 'world', id: 'anyone' }]));
  t.notOk(invalid([{ perms: 31, scheme: 'auth', id: '' }]));
});

t.test('permissions: world:anyone, digest ids and ip ranges, as checkACL', async (t) => {
  const READ = 1;
  const WRITE = 2;
  const me = [
    { scheme: 'ip', id: '10.1.2.3' },
    { scheme: 'digest', id: 'u:hash' },
  ];
  t.ok(hasPermission([], WRITE, []), 'an empty ACL grants everything');
  t.ok(hasPermission([{ perms: 31, scheme: 'world', id: 'anyone' }], WRITE, []));
  t.notOk(hasPermission([{ perms: READ, scheme: 'world', id: 'anyone' }], WRITE, me));
  t.ok(hasPermission([{ perms: 31, scheme: 'digest', id: 'u:hash' }], WRITE, me));
  t.notOk(hasPermission([{ perms: 31, scheme: 'digest', id: 'v:hash' }], WRITE, me));
  t.ok(hasPermission([{ perms: READ, scheme: 'ip', id: '10.0.0.0/8' }], READ, me));
  t.notOk(hasPermission([{ perms: READ, scheme: 'ip', id: '10.0.0.0/16' }], READ, me));
  t.ok(ipMatches('127.0.0.1', '127.0.0.1'));
  t.ok(ipMatches('::ffff:127.0.0.1', '127.0.0.0/8'), 'IPv4-mapped addresses');
  t.ok(ipMatches('192.168.1.1', '0.0.0.0/0'));
  t.notOk(ipMatches('192.168.1.1', '300.1.1.1'), 'an invalid expression matches nothing');
  t.throws(
    () => requirePermission([{ perms: READ, scheme: 'world', id: 'anyone' }], WRITE, me, '/p'),
    { code: ErrorCode.NOAUTH },
  );
});
