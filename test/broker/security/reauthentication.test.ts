/**
 * connections.max.reauth.ms (KIP-368) on a broker with SASL listeners, sessions of 3 s:
 *   - SaslAuthenticate v1 tells the client its session lifetime;
 *   - a client may re-authenticate in band (SaslHandshake + SaslAuthenticate again) as the
 *     same user; another user, or another mechanism, is SASL_AUTHENTICATION_FAILED and the
 *     connection is closed;
 *   - a client that does not re-authenticate is disconnected at its first request after the
 *     session ended;
 *   - kafkajs re-authenticates by itself (reauthenticationThreshold) and keeps producing.
 * The raw client (test/helpers/raw-kafka-client.ts) speaks our codec over a socket.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { rawKafkaClient as rawClient } from '../../helpers/raw-kafka-client.js';
import { daemonDataDir, startCoordinatorProcess } from '../../helpers/processes.js';
import {
  makeCertificates,
  opensslAvailable,
  startSecureBroker,
} from '../../helpers/secure-cluster.js';
import { waitFor } from '../../helpers/wait-for.js';

const SESSION_MS = 3000;

if (!opensslAvailable) {
  if (process.env.CI === 'true') t.fail('openssl is required under CI=true');
  else t.comment('openssl is missing: skipping the re-authentication tests');
} else {
  const dir = daemonDataDir(t);
  const certs = makeCertificates(`${dir}/certs`, []);
  const coordinator = await startCoordinatorProcess({ dataDir: `${dir}/coordinator` });
  t.teardown(() => coordinator.kill('SIGKILL'));
  const broker = await startSecureBroker(t, {
    id: 1,
    connect: `127.0.0.1:${coordinator.port}`,
    dataDir: `${dir}/b1`,
    certs,
    extra: [`connections.max.reauth.ms=${SESSION_MS}`],
  });
  const port = broker.ports.SASL_PLAINTEXT;
  const metadata = { topics: [], allowAutoTopicCreation: false };

  t.test('the session lifetime, and re-authentication in band', async (t) => {
    const client = await rawClient(t, port);
    const login = await client.loginPlain('alice', 'alice-secret');
    t.match(login, { errorCode: ErrorCode.NONE, sessionLifetimeMs: BigInt(SESSION_MS) });
    t.match(await client.request(ApiKey.Metadata, 1, metadata), { topics: [] }, 'answered');
    const again = await client.loginPlain('alice', 'alice-secret');
    t.match(again, { errorCode: ErrorCode.NONE, sessionLifetimeMs: BigInt(SESSION_MS) });
    t.match(await client.request(ApiKey.Metadata, 1, metadata), { topics: [] }, 'answered');
    // The broker logs it as it answers: the line may reach the pipe after the answer.
    await waitFor('the broker to log the re-authentication', () =>
      /re-authenticated/.test(broker.log()) ? true : undefined,
    );
    t.match(broker.log(), /re-authenticated/);

    const other = await client.loginPlain('admin', 'admin-secret');
    t.match(other, {
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Cannot change principals during re-authentication from User.alice: User.admin',
    });
    await waitFor('the connection to close', () => client.isClosed());
  });

  t.test('re-authentication must keep the mechanism', async (t) => {
    const client = await rawClient(t, port);
    await client.loginPlain('alice', 'alice-secret');
    const handshake = await client.request(ApiKey.SaslHandshake, 1, { mechanism: 'SCRAM-SHA-256' });
    t.match(handshake, { errorCode: ErrorCode.NONE });
    const token = await client.request(ApiKey.SaslAuthenticate, 1, {
      authBytes: Buffer.from('n,,n=alice,r=abcdefgh'),
    });
    t.match(token, {
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: /SCRAM-SHA-256.*not supported for re-authentication of mechanism 'PLAIN'/,
    });
    await waitFor('the connection to close', () => client.isClosed());
  });

  t.test('a client that does not re-authenticate is disconnected', async (t) => {
    const client = await rawClient(t, port);
    await client.loginPlain('alice', 'alice-secret');
    let answered = 0;
    // Each probe is one Metadata request: answered while the session lasts, then the broker
    // closes the connection instead of answering.
    await waitFor(
      'the broker to close the expired session',
      async () => {
        const answer = await client.request(ApiKey.Metadata, 1, metadata);
        if (answer !== 'closed') answered++;
        return answer === 'closed';
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    t.ok(answered > 0, `${answered} requests were answered before the session ended`);
    // The broker's log line may reach our pipe after the client saw the close.
    await waitFor('the broker to log why', async () =>
      /after its SASL session expired/.test(broker.log()) ? true : undefined,
    );
    t.match(broker.log(), /after its SASL session expired/);
  });

  t.test('kafkajs re-authenticates by itself and keeps producing', async (t) => {
    const kafka = new Kafka({
      clientId: 'reauth-kafkajs',
      brokers: [`127.0.0.1:${port}`],
      sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
      // Re-authenticate 2 s before the session ends.
      reauthenticationThreshold: 2000,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'reauth' }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    t.teardown(() => producer.disconnect());
    const before = (broker.log().match(/re-authenticated/g) ?? []).length;
    let sent = 0;
    await waitFor(
      'kafkajs to re-authenticate twice',
      async () => {
        await producer.send({ topic: 'reauth', messages: [{ value: `m${sent}` }] });
        sent++;
        return (broker.log().match(/re-authenticated/g) ?? []).length >= before + 2;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    t.ok(sent > 0, `${sent} sends succeeded across two re-authentications`);
    t.notMatch(broker.log(), /reauth-kafkajs after its SASL session expired/);
  });
}
