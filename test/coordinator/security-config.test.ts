/**
 * coordinator/security-config.ts: ZooKeeper's zoo.cfg security keys, their defaults and the
 * combinations it refuses.
 */
import t from 'tap';
import {
  buildSecurityConfig,
  securitySettingsOfZooCfg,
  SecurityConfigError,
} from '../../coordinator/security-config.js';

const SUPER = 'super:2KCAOlea08rlrYvOZvQwvrr82Jc=';

t.test('a zoo.cfg with the security keys; other keys are left alone', async (t) => {
  const settings = securitySettingsOfZooCfg(
    [
      'tickTime=2000',
      `DigestAuthenticationProvider.superDigest=${SUPER}`,
      'secureClientPort=2281',
      'ssl.keyStore.location=/etc/zk/server.pem',
      'ssl.trustStore.location = /etc/zk/ca.pem',
      '# ssl.clientAuth=none',
      'admin.forceHttps=true',
    ].join('\n'),
  );
  t.same(settings, {
    'DigestAuthenticationProvider.superDigest': SUPER,
    secureClientPort: '2281',
    'ssl.keyStore.location': '/etc/zk/server.pem',
    'ssl.trustStore.location': '/etc/zk/ca.pem',
    'admin.forceHttps': 'true',
  });
  const config = buildSecurityConfig(settings);
  t.same(config, {
    superDigest: SUPER,
    secureClientPort: 2281,
    clientTls: {
      keyStore: '/etc/zk/server.pem',
      trustStore: '/etc/zk/ca.pem',
      clientAuth: 'need',
    },
    adminTls: { keyStore: '/etc/zk/server.pem', trustStore: '/etc/zk/ca.pem', clientAuth: 'none' },
    adminLogin: undefined,
  });
});

t.test('the system-property spelling of the super digest wins', async (t) => {
  const other = 'root:AAAAAAAAAAAAAAAAAAAAAAAAAAA=';
  const config = buildSecurityConfig({
    'DigestAuthenticationProvider.superDigest': SUPER,
    'zookeeper.DigestAuthenticationProvider.superDigest': other,
  });
  t.equal(config.superDigest, other);
  t.equal(config.secureClientPort, undefined);
  t.equal(config.clientTls, undefined);
});

t.test('refused: bad digests, a secure port without stores, client auth without CAs', async (t) => {
  const refused = (settings: Parameters<typeof buildSecurityConfig>[0], pattern: RegExp): void => {
    t.throws(() => buildSecurityConfig(settings), new SecurityConfigError(''), String(pattern));
    t.throws(() => buildSecurityConfig(settings), pattern);
  };
  refused({ 'DigestAuthenticationProvider.superDigest': 'nocolon' }, /superDigest/);
  refused({ 'admin.login': 'admin:' }, /admin.login/);
  refused({ secureClientPort: '2281' }, /needs ssl.keyStore.location/);
  refused({ secureClientPort: '70000' }, /must be a port/);
  refused(
    { secureClientPort: '2281', 'ssl.keyStore.location': '/k.pem' },
    /ssl.clientAuth=need needs ssl.trustStore.location/,
  );
  refused(
    { secureClientPort: '1', 'ssl.keyStore.location': '/k', 'ssl.keyStore.type': 'JKS' },
    /must be PEM/,
  );
  refused({ 'ssl.clientAuth': 'maybe' }, /none, want or need/);
  refused({ 'admin.forceHttps': 'true' }, /admin.forceHttps needs/);
  const none = buildSecurityConfig({
    secureClientPort: '0',
    'ssl.keyStore.location': '/k.pem',
    'ssl.clientAuth': 'none',
  });
  t.same(none.clientTls, { keyStore: '/k.pem', trustStore: undefined, clientAuth: 'none' });
});
