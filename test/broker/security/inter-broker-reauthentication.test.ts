/**
 * The brokers' own connections re-authenticate (KIP-368) instead of being disconnected:
 * three broker processes talk to each other over SASL_PLAINTEXT as User:admin with
 * SCRAM-SHA-256, sessions of 2 s (connections.max.reauth.ms). While a producer writes with
 * acks=all to a topic replicated three times, across several sessions:
 *   - every follower's replica fetcher re-authenticates on its connection
 *     (..._successful_reauthentication_total) and opens no new connection
 *     (..._connection_creation_total does not move), nothing is refused;
 *   - the controller's channels re-authenticate when the controller next uses them (a new
 *     topic after the sessions ended), again without reconnecting;
 *   - no broker closes a connection for an expired session, and the ISR stays whole.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { CoordinatorClient } from '../../../src/coordinator-client/client.js';
import { alterUserScram } from '../../../src/security/user-scram-admin.js';
import { INTER_BROKER_CLIENTS } from '../../../broker/metrics/broker-metrics.js';
import { daemonDataDir, freePort, startCoordinatorProcess } from '../../helpers/processes.js';
import { httpGet, sample } from '../../helpers/prometheus.js';
import {
  makeCertificates,
  opensslAvailable,
  startSecureBroker,
  type SecureBroker,
} from '../../helpers/secure-cluster.js';
import { waitFor } from '../../helpers/wait-for.js';

const SESSION_MS = 2000;
const SCRAM_JAAS =
  'org.apache.kafka.common.security.scram.ScramLoginModule required ' +
  'username="admin" password="admin-secret";';

if (!opensslAvailable) {
  if (process.env.CI === 'true') t.fail('openssl is required under CI=true');
  else t.comment('openssl is missing: skipping the inter-broker re-authentication test');
} else {
  const dir = daemonDataDir(t);
  // The brokers need certificates for their SSL listeners, though they talk over SASL_PLAINTEXT.
  const certs = makeCertificates(`${dir}/certs`, []);
  const coordinator = await startCoordinatorProcess({ dataDir: `${dir}/coordinator` });
  t.teardown(() => coordinator.kill('SIGKILL'));
  const zk = new CoordinatorClient(`127.0.0.1:${coordinator.port}`, { sessionTimeoutMs: 10_000 });
  await zk.connect();
  await alterUserScram(zk, 'admin', {
    upsert: [{ mechanism: 'SCRAM-SHA-256', iterations: 4096, password: 'admin-secret' }],
    delete: [],
  });
  await zk.close();

  const brokers: (SecureBroker & { adminPort: number })[] = [];
  for (const id of [1, 2, 3]) {
    const adminPort = await freePort();
    const broker = await startSecureBroker(t, {
      id,
      connect: `127.0.0.1:${coordinator.port}`,
      dataDir: `${dir}/b${id}`,
      certs,
      extra: [
        `admin.port=${adminPort}`,
        'inter.broker.listener.name=SASL_PLAINTEXT',
        'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-256',
        `listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=${SCRAM_JAAS}`,
        `connections.max.reauth.ms=${SESSION_MS}`,
      ],
    });
    brokers.push({ ...broker, adminPort });
  }

  /** One counter of one inter-broker client, summed over the brokers. */
  const total = async (client: keyof typeof INTER_BROKER_CLIENTS, what: string) => {
    let sum = 0;
    for (const b of brokers) {
      const { body } = await httpGet(`http://127.0.0.1:${b.adminPort}/metrics`);
      sum += sample(body, `${INTER_BROKER_CLIENTS[client]}_${what}_total`) ?? 0;
    }
    return sum;
  };

  const kafka = new Kafka({
    clientId: 'inter-broker-reauth',
    brokers: [`127.0.0.1:${brokers[0]!.ports.PLAINTEXT}`],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const isrOf = async (topic: string): Promise<number[]> => {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    return metadata.topics[0]!.partitions[0]!.isr;
  };

  t.test('replication keeps going across sessions without reconnecting', async (t) => {
    const topic = 'replicated';
    await admin.createTopics({
      topics: [{ topic, numPartitions: 1, replicationFactor: 3 }],
      waitForLeaders: true,
    });
    await waitFor('the ISR to be whole', async () => (await isrOf(topic)).length === 3, {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const producer = kafka.producer();
    await producer.connect();
    t.teardown(() => producer.disconnect());
    await producer.send({ topic, acks: -1, messages: [{ value: 'first' }] });
    const connections = await total('replica-fetcher', 'connection_creation');
    t.equal(connections, 2, 'one connection from each follower to the leader');

    let sent = 1;
    // Two followers, three re-authentications each: at least three sessions have ended.
    await waitFor(
      'the followers to re-authenticate three times each',
      async () => {
        await producer.send({ topic, acks: -1, messages: [{ value: `m${sent}` }] });
        sent++;
        return (await total('replica-fetcher', 'successful_reauthentication')) >= 6;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    t.ok(sent > 10, `${sent} acks=all sends across the sessions`);
    t.equal(
      await total('replica-fetcher', 'connection_creation'),
      connections,
      'no follower opened a new connection',
    );
    t.equal(await total('replica-fetcher', 'failed_reauthentication'), 0, 'none refused');
    t.same((await isrOf(topic)).length, 3, 'the ISR is still whole');
    const offsets = await admin.fetchTopicOffsets(topic);
    t.equal(offsets[0]!.high, String(sent), 'every record is committed');
  });

  t.test('the controller re-authenticates its channels when it next uses them', async (t) => {
    const connections = await total('controller-channel', 'connection_creation');
    t.ok(connections >= 2, `the controller has channels (${connections} connections)`);
    const before = await total('controller-channel', 'successful_reauthentication');
    // Let the channels' sessions come due: three more re-authentications per follower take
    // more than a session (each comes 85-95 % of a session after the one before). Then a new
    // topic sends LeaderAndIsr and UpdateMetadata on the channels.
    const fetchers = await total('replica-fetcher', 'successful_reauthentication');
    await waitFor(
      'three more sessions of the followers',
      async () => (await total('replica-fetcher', 'successful_reauthentication')) >= fetchers + 6,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    await admin.createTopics({
      topics: [{ topic: 'later', numPartitions: 1, replicationFactor: 3 }],
      waitForLeaders: true,
    });
    await waitFor(
      'a controller channel to re-authenticate',
      async () => (await total('controller-channel', 'successful_reauthentication')) > before,
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    t.equal(
      await total('controller-channel', 'connection_creation'),
      connections,
      'the controller opened no new connection',
    );
  });

  t.test('no broker closed a connection for an expired session', async (t) => {
    for (const b of brokers) {
      t.notMatch(b.log(), /after its SASL session expired/, `broker ${b.id}`);
      t.match(b.log(), /re-authenticated/, `broker ${b.id} served re-authentications`);
    }
  });
}
