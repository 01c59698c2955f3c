/**
 * The login of the HTTP ports (src/security/http-login.ts): the digest id form, what an
 * Authorization header carries, and the check; and the dashboard's security flags
 * (src/dashboard/main.ts), which refuse a password where the digest id belongs.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  checkLogin,
  credentialsOf,
  digestId,
  isDigestId,
  matchesLogin,
} from '../../../src/security/http-login.js';
import { resolveDashboardSecurity } from '../../../src/dashboard/main.js';

const request = (authorization?: string): IncomingMessage =>
  ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;

t.test("the digest id is ZooKeeper's", async (t) => {
  const expected = `ops:${createHash('sha1').update('ops:ops-secret').digest('base64')}`;
  t.equal(digestId('ops:ops-secret'), expected);
  // ZooKeeper's documented example: super:super-secret.
  t.equal(digestId('super:super-secret'), 'super:2KCAOlea08rlrYvOZvQwvrr82Jc=');
  t.ok(isDigestId(expected));
  t.notOk(isDigestId('ops:ops-secret'), 'a password is not a digest id');
  t.throws(() => digestId('no-colon'));
});

t.test('credentials: HTTP Basic, and ZooKeeper 3.9 digest', async (t) => {
  const basic = `Basic ${Buffer.from('ops:pa:ss').toString('base64')}`;
  t.equal(credentialsOf(request(basic)), 'ops:pa:ss', 'a colon in the password is kept');
  t.equal(credentialsOf(request('digest ops:secret')), 'ops:secret');
  t.equal(credentialsOf(request()), undefined);
  t.equal(credentialsOf(request('Bearer abc')), undefined);
});

t.test('the check', async (t) => {
  const login = digestId('ops:ops-secret');
  t.ok(matchesLogin('ops:ops-secret', login));
  t.notOk(matchesLogin('ops:wrong', login));
  t.notOk(matchesLogin('other:ops-secret', login));
  t.notOk(matchesLogin(':ops-secret', login));
  const basic = (s: string): string => `Basic ${Buffer.from(s).toString('base64')}`;
  t.equal(checkLogin(request(basic('ops:ops-secret')), login), 'ok');
  t.equal(checkLogin(request(basic('ops:nope')), login), 'refused');
  t.equal(checkLogin(request(), login), 'missing');
});

t.test("the dashboard's security flags", async (t) => {
  t.throws(
    () => resolveDashboardSecurity({ login: 'ops:ops-secret' }),
    /give the digest id/,
    '--login with a password',
  );
  t.throws(() => resolveDashboardSecurity({ https: true }), /--https needs --ssl-keystore/);
  t.throws(() => resolveDashboardSecurity({ sslKeystore: 'x.pem' }), /go with --https/);
  t.throws(
    () => resolveDashboardSecurity({ brokerSecurityProtocol: 'GSSAPI' }),
    /one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL/,
  );
  t.throws(
    () => resolveDashboardSecurity({ brokerSecurityProtocol: 'SASL_SSL' }),
    /needs --broker-auth user:password/,
  );
  t.throws(
    () =>
      resolveDashboardSecurity({
        brokerSecurityProtocol: 'sasl_plaintext',
        brokerAuth: 'a:b',
        brokerSaslMechanism: 'GSSAPI',
      }),
    /one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512/,
  );
  t.throws(() => resolveDashboardSecurity({ brokerAuth: 'a:b' }), /go with --broker-security/);
  t.same(
    resolveDashboardSecurity({
      brokerSecurityProtocol: 'sasl_plaintext',
      brokerSaslMechanism: 'scram-sha-512',
      brokerAuth: 'admin:pa:ss',
    }).brokerAccess,
    {
      securityProtocol: 'SASL_PLAINTEXT',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'admin', password: 'pa:ss' },
    },
  );
  t.throws(() => resolveDashboardSecurity({ brokerTlsCa: 'ca.pem' }), /go with --broker-security/);
  t.throws(() => resolveDashboardSecurity({ tlsCert: 'c.pem' }), /--tls-cert and --tls-key/);
  t.throws(() => resolveDashboardSecurity({ auth: 'nobody' }), /user:password/);
  const login = digestId('ops:ops-secret');
  t.same(resolveDashboardSecurity({ login, auth: 'kafka:secret', tls: true }), {
    login,
    coordinatorAuth: 'kafka:secret',
    coordinatorTls: {},
    brokerAccess: { securityProtocol: 'PLAINTEXT' },
  });
});
