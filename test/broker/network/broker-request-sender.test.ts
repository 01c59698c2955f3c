/**
 * BrokerRequestSender (the transaction marker sender's client) over SASL with session
 * lifetimes, against a small in-process broker on a loopback socket that runs the broker's
 * SASL server state machine (sasl-server.ts) per connection and answers Metadata:
 *   - once the session is due, the next requests wait for one re-authentication on the same
 *     connection (the broker sees SaslHandshake and SaslAuthenticate between the Metadata
 *     requests, and no request after the session ended without one);
 *   - no new connection is opened.
 * Time is a manual scheduler shared by client and broker.
 */
import t from 'tap';
import net from 'node:net';
import { silentLogger } from '../../../src/logger.js';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import { apiName, decodeRequest, encodeResponseFrame } from '../../../src/protocol/kafka/codec.js';
import { FrameReader } from '../../../src/protocol/kafka/frame-reader.js';
import { ManualScheduler } from '../../../src/scheduler.js';
import { brokerConnector } from '../../../broker/network/broker-connector.js';
import { BrokerRequestSender } from '../../../broker/network/broker-request-sender.js';
import { SaslServerConnection } from '../../../broker/security/sasl-server.js';
import { newConnectionSession } from '../../../broker/security/session.js';

const LIFETIME_MS = 10_000;

/** A broker that logs in PLAIN users and answers Metadata with no topics. */
async function fakeBroker(t: { teardown(fn: () => unknown): void }, scheduler: ManualScheduler) {
  const seen: string[] = [];
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    const session = newConnectionSession({
      listenerName: 'SASL_PLAINTEXT',
      securityProtocol: 'SASL_PLAINTEXT',
      clientHost: '127.0.0.1',
      authenticated: false,
    });
    const sasl = new SaslServerConnection({
      sasl: {
        enabledMechanisms: ['PLAIN'],
        plainUsers: new Map([['admin', 'admin-secret']]),
        jaas: new Map(),
        connectionsMaxReauthMs: new Map([['PLAIN', LIFETIME_MS]]),
      },
      session,
      credentials: { credential: async () => undefined },
      logger: silentLogger(),
      clock: scheduler,
    });
    const reader = new FrameReader();
    // Served one at a time, in order, as the socket server does.
    let queue = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of reader.push(chunk).frames) {
        queue = queue.then(async () => {
          const r = decodeRequest(frame);
          if (sasl.expired(r.apiKey)) {
            seen.push('expired');
            socket.destroy();
            return;
          }
          seen.push(apiName(r.apiKey));
          let chunks: Buffer[];
          if (r.apiKey === ApiKey.SaslHandshake) {
            const body = sasl.handshake(r.body.mechanism, r.apiVersion);
            chunks = encodeResponseFrame(r.apiKey, r.apiVersion, r.correlationId, body);
          } else if (r.apiKey === ApiKey.SaslAuthenticate) {
            const body = await sasl.authenticate(r.body.authBytes, r.apiVersion);
            chunks = encodeResponseFrame(r.apiKey, r.apiVersion, r.correlationId, body);
          } else if (r.apiKey === ApiKey.Metadata) {
            const body = { brokers: [], controllerId: 1, topics: [] };
            chunks = encodeResponseFrame(r.apiKey, r.apiVersion, r.correlationId, body);
          } else {
            throw new Error(`unexpected request ${r.apiKey}`);
          }
          for (const c of chunks) socket.write(c);
        });
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => server.close());
  const { port } = server.address() as net.AddressInfo;
  return { port, seen, connections: () => connections };
}

t.test('pipelined requests wait for one re-authentication on the same connection', async (t) => {
  const scheduler = new ManualScheduler(0);
  const broker = await fakeBroker(t, scheduler);
  const counts = { created: 0, reauthenticated: 0, failed: 0 };
  const sender = new BrokerRequestSender({
    connect: brokerConnector({
      security: {
        listenerName: 'SASL_PLAINTEXT',
        securityProtocol: 'SASL_PLAINTEXT',
        ssl: undefined,
        sasl: { mechanism: 'PLAIN', username: 'admin', password: 'admin-secret' },
      },
      clientId: 'test',
      timeoutMs: 60_000,
      scheduler,
      hooks: {
        connectionCreated: () => counts.created++,
        reauthenticated: () => counts.reauthenticated++,
        reauthenticationFailed: () => counts.failed++,
      },
    }),
    scheduler,
    clientId: 'test',
    requestTimeoutMs: 60_000,
    logger: silentLogger(),
    component: 'test-sender',
  });
  t.teardown(() => sender.shutdown());
  const target = { id: 1, host: '127.0.0.1', port: broker.port };
  const metadata = () =>
    sender.send(target, ApiKey.Metadata, 1, { topics: [], allowAutoTopicCreation: false });

  t.match(await metadata(), { controllerId: 1 });
  t.same(broker.seen, ['SaslHandshake', 'SaslAuthenticate', 'Metadata'], 'logged in, then served');

  // The session ends: three requests at once, the first starts the re-authentication.
  scheduler.advance(LIFETIME_MS);
  const answers = await Promise.all([metadata(), metadata(), metadata()]);
  t.equal(answers.length, 3);
  t.same(
    broker.seen.slice(3),
    ['SaslHandshake', 'SaslAuthenticate', 'Metadata', 'Metadata', 'Metadata'],
    'one re-authentication, before the waiting requests',
  );
  t.notOk(broker.seen.includes('expired'), 'nothing arrived after the session ended');
  t.same(counts, { created: 1, reauthenticated: 1, failed: 0 });
  t.equal(broker.connections(), 1, 'the same connection');
});
