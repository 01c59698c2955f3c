/**
 * broker/zk/zk-client-security.ts and src/kafka-zk/secure-acls.ts: the JAAS Client section,
 * Kafka 2.8's default ACLs with zookeeper.set.acl, and the zookeeper.ssl.* properties.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  jaasFileOfKafkaOpts,
  parseJaasFile,
  zkClientSecurity,
} from '../../../broker/zk/zk-client-security.js';
import { kafkaDefaultAcls } from '../../../src/kafka-zk/secure-acls.js';
import { OPEN_ACL_UNSAFE } from '../../../src/protocol/coordinator/messages.js';

const JAAS = `
/* two sections: the broker reads only Client */
KafkaServer {
  org.apache.kafka.common.security.plain.PlainLoginModule required
  username="admin" password="a;b";
};
Client {
  // digest credentials
  org.apache.zookeeper.server.auth.DigestLoginModule required
  username="kafka"
  password="kafka-secret";
};
`;

t.test('a JAAS file: sections, comments, quoted values with ";"', async (t) => {
  const sections = parseJaasFile(JAAS);
  t.same([...sections.keys()], ['KafkaServer', 'Client']);
  t.equal(sections.get('KafkaServer')![0]!.options.get('password'), 'a;b');
  const client = sections.get('Client')![0]!;
  t.equal(client.loginModule, 'org.apache.zookeeper.server.auth.DigestLoginModule');
  t.same(Object.fromEntries(client.options), { username: 'kafka', password: 'kafka-secret' });
  t.throws(() => parseJaasFile('Client { nonsense'), /section/);
});

t.test('KAFKA_OPTS names the JAAS file as the JVM property', async (t) => {
  t.equal(
    jaasFileOfKafkaOpts('-Xmx1g -Djava.security.auth.login.config=/etc/kafka/jaas.conf -Dx=y'),
    '/etc/kafka/jaas.conf',
  );
  t.equal(jaasFileOfKafkaOpts('-Djava.security.auth.login.config="/a b/j.conf"'), '/a b/j.conf');
  t.equal(jaasFileOfKafkaOpts(undefined), undefined);
});

t.test("zookeeper.set.acl: Kafka 2.8's ZkData.defaultAcls per path", async (t) => {
  const security = zkClientSecurity(new Map([['zookeeper.set.acl', 'true']]), JAAS);
  t.same(security.authInfo, [{ scheme: 'digest', auth: 'kafka:kafka-secret' }]);
  const creatorAll = { perms: 31, scheme: 'auth', id: '' };
  const worldRead = { perms: 1, scheme: 'world', id: 'anyone' };
  t.same(security.defaultAcl!('/brokers/ids/1'), [creatorAll, worldRead]);
  t.same(security.defaultAcl!('/config/users/alice'), [creatorAll], 'sensitive');
  t.same(security.defaultAcl!('/config/brokers'), [creatorAll], 'sensitive');
  t.same(security.defaultAcl!('/delegation_token'), [creatorAll], 'sensitive');
  t.same(security.defaultAcl!('/config/topics'), [creatorAll, worldRead]);
  t.same(security.defaultAcl!('/consumers'), OPEN_ACL_UNSAFE, 'the old consumers stay open');
  t.same(kafkaDefaultAcls(false, '/config/users'), OPEN_ACL_UNSAFE, 'not secure: open');
  t.equal(security.tls, undefined);
});

t.test('credentials without set.acl; set.acl without credentials is refused', async (t) => {
  const plain = zkClientSecurity(new Map(), JAAS);
  t.same(plain.authInfo, [{ scheme: 'digest', auth: 'kafka:kafka-secret' }]);
  t.equal(plain.defaultAcl, undefined, 'znodes stay open unless zookeeper.set.acl');
  t.same(zkClientSecurity(new Map(), undefined), {});
  t.throws(
    () => zkClientSecurity(new Map([['zookeeper.set.acl', 'true']]), undefined),
    /JAAS Client section/,
  );
  t.throws(
    () =>
      zkClientSecurity(new Map([['zookeeper.set.acl', 'true']]), 'KafkaServer { m required; };'),
    /JAAS Client section/,
  );
  t.throws(
    () =>
      zkClientSecurity(
        new Map(),
        'Client { org.apache.zookeeper.server.auth.DigestLoginModule required username="k"; };',
      ),
    /password/,
  );
});

t.test('zookeeper.ssl.*: PEM stores, types from file names, the socket class', async (t) => {
  const dir = t.testdir({ 'ca.pem': 'CA', 'kafka.pem': 'KEY+CERT', 'kafka.p12': 'P12' });
  const props = (extra: [string, string][]): Map<string, string> =>
    new Map([
      ['zookeeper.ssl.client.enable', 'true'],
      ['zookeeper.ssl.truststore.location', join(dir, 'ca.pem')],
      ...extra,
    ]);
  const pem = zkClientSecurity(
    props([['zookeeper.ssl.keystore.location', join(dir, 'kafka.pem')]]),
    undefined,
  ).tls!;
  t.equal(pem.ca!.toString(), 'CA');
  t.equal(String(pem.key as Buffer), 'KEY+CERT');
  t.equal(pem.cert!.toString(), 'KEY+CERT');
  t.equal(pem.checkServerIdentity, undefined, 'host names are checked by default (HTTPS)');
  const p12 = zkClientSecurity(
    props([
      ['zookeeper.ssl.keystore.location', join(dir, 'kafka.p12')],
      ['zookeeper.ssl.keystore.password', 'pw'],
    ]),
    undefined,
  ).tls!;
  t.equal(String(p12.pfx as Buffer), 'P12');
  t.equal(p12.passphrase, 'pw');
  const noHostCheck = zkClientSecurity(
    props([['zookeeper.ssl.endpoint.identification.algorithm', '']]),
    undefined,
  ).tls!;
  t.type(noHostCheck.checkServerIdentity, 'function');
  t.throws(
    () =>
      zkClientSecurity(
        props([['zookeeper.clientCnxnSocket', 'org.apache.zookeeper.ClientCnxnSocketNIO']]),
        undefined,
      ),
    /ClientCnxnSocketNetty/,
  );
  writeFileSync(join(dir, 'kafka.jks'), 'JKS');
  t.throws(
    () =>
      zkClientSecurity(
        props([['zookeeper.ssl.keystore.location', join(dir, 'kafka.jks')]]),
        undefined,
      ),
    /store type/,
  );
  t.equal(zkClientSecurity(new Map(), undefined).tls, undefined, 'off by default');
});
