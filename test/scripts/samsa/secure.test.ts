/**
 * `samsa start --secure` without starting a cluster (it needs the fixed ports 9092-9100):
 * the certificates it makes (a TLS handshake that verifies them for localhost and
 * 127.0.0.1), the broker configuration it writes (as the broker itself reads it), and the
 * banner's secure section. The cluster itself is exercised by kafkajs's own SSL/SASL spec
 * files (docs/security.md, "kafkajs's test ports").
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { buildBrokerConfig } from '../../../broker/config.js';
import { tlsServerOptions } from '../../../broker/network/tls-server.js';
import { banner } from '../../../scripts/samsa/banner.js';
import {
  ensureSecureFiles,
  secureBrokerProperties,
  securePorts,
  writeSecureBrokerConfig,
} from '../../../scripts/samsa/secure.js';
import { daemonDataDir } from '../../helpers/processes.js';
import { opensslAvailable } from '../../helpers/secure-cluster.js';

t.test("kafkajs's port layout", async (t) => {
  t.same(securePorts(0), { PLAINTEXT: 9092, SSL: 9093, SASL_SSL: 9094 });
  t.same(securePorts(1), { PLAINTEXT: 9095, SSL: 9096, SASL_SSL: 9097 });
  t.same(securePorts(2), { PLAINTEXT: 9098, SSL: 9099, SASL_SSL: 9100 });
});

if (!opensslAvailable) {
  if (process.env.CI === 'true') t.fail('openssl is required under CI=true');
  else t.comment('openssl is missing: skipping the certificate and configuration tests');
} else {
  const dir = daemonDataDir(t);
  const files = ensureSecureFiles(join(dir, 'secure'));

  t.test('the certificates are made once and kept', async (t) => {
    const ca = readFileSync(files.ca, 'utf8');
    t.equal(ensureSecureFiles(files.dir).ca, files.ca);
    t.equal(readFileSync(files.ca, 'utf8'), ca, 'a second start keeps the CA');
  });

  const file = writeSecureBrokerConfig(
    files,
    secureBrokerProperties({
      id: 2,
      index: 1,
      coordinator: '127.0.0.1:2181',
      logDir: join(dir, 'broker-2'),
      files,
    }),
    2,
  );
  const config = buildBrokerConfig({ fileText: readFileSync(file, 'utf8') });

  t.test('the broker reads the configuration it is given', async (t) => {
    t.equal(config.brokerId, 2);
    t.same(config.unhonouredProperties, [], 'every property is one the broker honours');
    const listeners = [...config.security.listeners.values()].map((l) => l.securityProtocol);
    t.same(listeners, ['PLAINTEXT', 'SSL', 'SASL_SSL']);
    t.match(config.properties.get('listeners'), 'SSL://127.0.0.1:9096');
    t.match(config.properties.get('listeners'), 'SASL_SSL://127.0.0.1:9097');
    t.match(config.security.interBroker, {
      listenerName: 'SASL_SSL',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'admin', password: 'adminadmin' },
    });
    const sasl = config.security.listeners.get('SASL_SSL')!.sasl!;
    t.same(sasl.enabledMechanisms, ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
    t.equal(sasl.plainUsers.get('test'), 'testtest', "kafkajs's PLAIN user");
    t.same(config.security.authorizer, {
      enabled: true,
      superUsers: ['User:admin'],
      allowEveryoneIfNoAclFound: true,
    });
  });

  t.test(
    'a client that trusts the CA verifies the broker as localhost and 127.0.0.1',
    async (t) => {
      const ssl = config.security.listeners.get('SSL')!.ssl!;
      const server = tls.createServer(tlsServerOptions(ssl), (socket) => socket.end('hello'));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      t.teardown(() => server.close());
      const { port } = server.address() as { port: number };
      const ca = readFileSync(files.ca, 'utf8');
      for (const host of ['localhost', '127.0.0.1']) {
        const authorized = await new Promise<boolean>((resolve, reject) => {
          const socket = tls.connect({ host, port, ca: [ca] }, () => {
            resolve(socket.authorized);
            socket.destroy();
          });
          socket.once('error', reject);
        });
        // tls.connect checks the certificate against the host name or address connected to.
        t.ok(authorized, `verified for ${host}`);
      }
    },
  );

  t.test('the banner lists the SSL and SASL_SSL ports and the users', async (t) => {
    const text = banner({
      coordinatorPort: 2181,
      coordinatorAdminPort: 8080,
      brokers: [0, 1, 2].map((i) => ({
        id: i + 1,
        port: securePorts(i).PLAINTEXT,
        adminPort: 8091 + i,
      })),
      secure: { ca: files.ca, configDir: files.dir, ports: [0, 1, 2].map(securePorts) },
    });
    t.match(text, 'SSL:       127.0.0.1:9093,127.0.0.1:9096,127.0.0.1:9099');
    t.match(text, 'SASL_SSL:  127.0.0.1:9094,127.0.0.1:9097,127.0.0.1:9100');
    t.match(text, 'test/testtest');
    t.match(text, 'testscram/testtestscram=256 (SCRAM-SHA-256)');
    t.match(text, /bootstrap servers: 127\.0\.0\.1:9092,127\.0\.0\.1:9095,127\.0\.0\.1:9098/);
  });
}
