import t from 'tap';
import { buildBrokerConfig, ConfigError } from '../../../broker/config.js';
import { parseJaasConfig } from '../../../broker/security/security-config.js';

const base = { cli: { coordinator: '127.0.0.1:2181' } };

const PLAIN_JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required ' +
  'username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";';

t.test('the four listeners of the Kafka docs, each with its protocol', async (t) => {
  const c = buildBrokerConfig({
    ...base,
    overrides: [
      'listeners=PLAINTEXT://:9092,SSL://:9093,SASL_PLAINTEXT://:9094,SASL_SSL://:9095',
      'ssl.keystore.type=PEM',
      'ssl.keystore.location=/certs/broker.pem',
      'ssl.truststore.type=PEM',
      'ssl.truststore.location=/certs/ca.pem',
      'ssl.client.auth=requested',
      'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256',
      `listener.name.sasl_ssl.plain.sasl.jaas.config=${PLAIN_JAAS}`,
      `listener.name.sasl_plaintext.plain.sasl.jaas.config=${PLAIN_JAAS}`,
    ],
  });
  t.same(
    c.listeners.map((l) => [l.listenerName, l.securityProtocol, l.port]),
    [
      ['PLAINTEXT', 'PLAINTEXT', 9092],
      ['SSL', 'SSL', 9093],
      ['SASL_PLAINTEXT', 'SASL_PLAINTEXT', 9094],
      ['SASL_SSL', 'SASL_SSL', 9095],
    ],
  );
  const ssl = c.security.listeners.get('SSL')!;
  t.same(ssl.ssl?.keyStore, {
    kind: 'pem-file',
    location: '/certs/broker.pem',
    keyPassword: undefined,
  });
  t.equal(ssl.ssl?.clientAuth, 'requested');
  t.equal(ssl.sasl, undefined);
  const saslSsl = c.security.listeners.get('SASL_SSL')!;
  t.same(saslSsl.sasl?.enabledMechanisms, ['PLAIN', 'SCRAM-SHA-256']);
  t.same(
    [...saslSsl.sasl!.plainUsers],
    [
      ['admin', 'admin-secret'],
      ['alice', 'alice-secret'],
    ],
  );
  t.equal(c.security.listeners.get('PLAINTEXT')?.ssl, undefined);
  t.equal(c.interBrokerListenerName, 'PLAINTEXT');
  t.equal(c.security.authorizer.enabled, false, 'no authorizer by default');
});

t.test('named listeners, listener-prefixed SSL settings, SASL between brokers', async (t) => {
  const c = buildBrokerConfig({
    ...base,
    overrides: [
      'listeners=CLIENT://127.0.0.1:9093,INTERNAL://127.0.0.1:9094',
      'listener.security.protocol.map=CLIENT:SSL,INTERNAL:SASL_PLAINTEXT',
      'inter.broker.listener.name=INTERNAL',
      'listener.name.client.ssl.keystore.type=PKCS12',
      'listener.name.client.ssl.keystore.location=/certs/broker.p12',
      'listener.name.client.ssl.keystore.password=pw',
      'sasl.enabled.mechanisms=PLAIN',
      'sasl.mechanism.inter.broker.protocol=PLAIN',
      `sasl.jaas.config=${PLAIN_JAAS}`,
      'authorizer.class.name=kafka.security.authorizer.AclAuthorizer',
      'super.users=User:admin;User:CN=broker',
    ],
  });
  t.same(c.security.listeners.get('CLIENT')?.ssl?.keyStore, {
    kind: 'pkcs12',
    location: '/certs/broker.p12',
    password: 'pw',
  });
  t.same(c.security.interBroker, {
    listenerName: 'INTERNAL',
    securityProtocol: 'SASL_PLAINTEXT',
    ssl: undefined,
    sasl: { mechanism: 'PLAIN', username: 'admin', password: 'admin-secret' },
  });
  t.same(c.security.authorizer, {
    enabled: true,
    superUsers: ['User:admin', 'User:CN=broker'],
    allowEveryoneIfNoAclFound: false,
  });
});

t.test('security.inter.broker.protocol picks the listener named after it', async (t) => {
  const c = buildBrokerConfig({
    ...base,
    overrides: [
      'listeners=PLAINTEXT://:1,SSL://:2',
      'ssl.keystore.type=PEM',
      'ssl.keystore.location=/k.pem',
      'security.inter.broker.protocol=SSL',
    ],
  });
  t.equal(c.interBrokerListenerName, 'SSL');
  t.equal(c.security.interBroker.securityProtocol, 'SSL');
});

t.test('mistakes stop the start with the key named', async (t) => {
  const fails = (overrides: string[], key: string, pattern: RegExp): void => {
    let caught: unknown;
    try {
      buildBrokerConfig({ ...base, overrides });
    } catch (err) {
      caught = err;
    }
    t.ok(caught instanceof ConfigError, `${overrides.join(' ')}: a ConfigError`);
    t.match((caught as ConfigError).key, key);
    t.match((caught as Error).message, pattern);
  };
  fails(
    ['listeners=SSL://:1', 'security.inter.broker.protocol=SSL'],
    'ssl.keystore.location',
    /needs a key and certificate/,
  );
  fails(
    ['listeners=SSL://:1', 'ssl.keystore.location=/k.jks', 'security.inter.broker.protocol=SSL'],
    'ssl.keystore.type',
    /JKS stores are not readable/,
  );
  fails(
    ['listeners=SASL_PLAINTEXT://:1', 'security.inter.broker.protocol=SASL_PLAINTEXT'],
    'sasl.enabled.mechanisms',
    /GSSAPI is not implemented/,
  );
  fails(
    [
      'listeners=SASL_PLAINTEXT://:1',
      'security.inter.broker.protocol=SASL_PLAINTEXT',
      'sasl.enabled.mechanisms=PLAIN',
    ],
    'plain.sasl.jaas.config',
    /names no user_/,
  );
  fails(
    [
      'listeners=PLAINTEXT://:1',
      'inter.broker.listener.name=PLAINTEXT',
      'security.inter.broker.protocol=SSL',
    ],
    'inter.broker.listener.name',
    /not both/,
  );
  fails(
    ['listener.name.ssl.ssl.keystore.locaton=/x'],
    'listener.name.ssl.ssl.keystore.locaton',
    /unknown/,
  );
  fails(['authorizer.class.name=my.Authorizer'], 'authorizer.class.name', /AclAuthorizer/);
});

t.test('JAAS entries: quoted values with escapes, bare words, one module', async (t) => {
  const e = parseJaasConfig(
    'k',
    'org.apache.kafka.common.security.scram.ScramLoginModule required username=bob ' +
      'password="a \\"quoted\\" ; secret";',
  );
  t.equal(e.loginModule, 'org.apache.kafka.common.security.scram.ScramLoginModule');
  t.equal(e.flag, 'required');
  t.same(
    [...e.options],
    [
      ['username', 'bob'],
      ['password', 'a "quoted" ; secret'],
    ],
  );
  t.throws(() => parseJaasConfig('k', 'Module required a="b"'), /must end with/);
  t.throws(() => parseJaasConfig('k', 'Module a="b";'), /LoginModule/);
});

t.test('connections.max.reauth.ms per listener and mechanism (KIP-368)', async (t) => {
  const c = buildBrokerConfig({
    ...base,
    overrides: [
      'listeners=PLAINTEXT://:9092,SASL_PLAINTEXT://:9094,SASL_SSL://:9095',
      'ssl.keystore.type=PEM',
      'ssl.keystore.location=/certs/broker.pem',
      'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256',
      `sasl.jaas.config=${PLAIN_JAAS}`,
      'connections.max.reauth.ms=60000',
      'listener.name.sasl_plaintext.scram-sha-256.connections.max.reauth.ms=5000',
    ],
  });
  const reauth = (listener: string) => [
    ...c.security.listeners.get(listener)!.sasl!.connectionsMaxReauthMs,
  ];
  t.same(reauth('SASL_PLAINTEXT'), [
    ['PLAIN', 60000],
    ['SCRAM-SHA-256', 5000],
  ]);
  t.same(reauth('SASL_SSL'), [
    ['PLAIN', 60000],
    ['SCRAM-SHA-256', 60000],
  ]);
  t.throws(
    () =>
      buildBrokerConfig({
        ...base,
        overrides: [
          'listeners=SASL_PLAINTEXT://:9094',
          'sasl.enabled.mechanisms=PLAIN',
          `sasl.jaas.config=${PLAIN_JAAS}`,
          'listener.name.sasl_plaintext.plain.connections.max.reauth.ms=soon',
        ],
      }),
    ConfigError,
  );
});
