/**
 * The dashboard on a locked cluster, with real processes (docs/security.md, "The dashboard"):
 * a coordinator with a secure client port that needs client certificates and a super user,
 * one broker with PLAINTEXT and SSL listeners (among others), and the dashboard with
 * `--https --login`, reaching the coordinator over TLS with `--auth` and the broker over its
 * SASL_SSL listener as a SCRAM-SHA-256 user. A second dashboard, anonymous on the plain port,
 * still mirrors what it may read and leaves out the node it may not. The Kafka client under
 * the dashboard (src/kafka-client.ts) is checked on its own too: SSL, SASL PLAIN, and a
 * wrong password refused with SASL_AUTHENTICATION_FAILED.
 *
 * openssl makes the certificates; without it the file skips, except under CI=true.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import WebSocket from 'ws';
import { CoordinatorClient } from '../../../src/coordinator-client/client.js';
import { KafkaClient } from '../../../src/kafka-client.js';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import { SCRAM_ITERATIONS_MIN } from '../../../src/security/scram-credential.js';
import { alterUserScram } from '../../../src/security/user-scram-admin.js';
import { ErrorCode } from '../../../src/protocol/coordinator/errors.js';
import { daemonDataDir, freePort, spawnDaemon } from '../../helpers/processes.js';
import {
  makeCertificates,
  opensslAvailable,
  PLAIN_USERS,
  startSecureBroker,
  startTlsCoordinator,
  zkDigest,
} from '../../helpers/secure-cluster.js';
import { waitFor } from '../../helpers/wait-for.js';

if (!opensslAvailable) {
  if (process.env.CI === 'true') throw new Error('openssl is required under CI=true');
  t.comment('openssl is not installed: skipping');
  process.exit(0);
}

const SUPER = 'super:super-secret';
const VIEWER = 'ops:ops-secret';
const basic = (userPassword: string): string =>
  `Basic ${Buffer.from(userPassword).toString('base64')}`;

const dir = daemonDataDir(t);
const certs = makeCertificates(join(dir, 'certs'), ['dashboard']);
const ca = readFileSync(certs.ca);

const { plain, secure } = await startTlsCoordinator(t, {
  dataDir: join(dir, 'coordinator'),
  certs,
  superUser: SUPER,
});

// A node only the super user may read: the dashboard sees it through --auth, or not at all.
const root = new CoordinatorClient(plain, { authInfo: [{ scheme: 'digest', auth: SUPER }] });
await root.connect();
t.teardown(() => root.close());
await root.create('/locked', 'for the super user only', {
  acl: [{ perms: 31, scheme: 'digest', id: zkDigest(SUPER) }],
});

// The dashboard's SCRAM user, in /config/users as `coordinator configs` writes it.
await alterUserScram(root, 'viewer', {
  upsert: [{ mechanism: 'SCRAM-SHA-256', iterations: SCRAM_ITERATIONS_MIN, password: 'viewer-pw' }],
  delete: [],
});

const broker = await startSecureBroker(t, {
  id: 1,
  connect: plain,
  dataDir: join(dir, 'broker-1'),
  certs,
});

const port = await freePort();
const client = certs.client('dashboard');
const [dashboard, openDashboard] = await Promise.all([
  spawnDaemon(
    'scripts/samsa.ts',
    [
      'dashboard',
      '--port',
      String(port),
      '--poll-interval',
      '200',
      '--https',
      '--ssl-key',
      certs.brokerKey,
      '--ssl-cert',
      certs.brokerCert,
      '--login',
      zkDigest(VIEWER),
      '--coordinator',
      secure,
      '--tls-ca',
      certs.ca,
      '--tls-cert',
      client.cert,
      '--tls-key',
      client.key,
      '--auth',
      SUPER,
      '--broker-security-protocol',
      'SASL_SSL',
      '--broker-tls-ca',
      certs.ca,
      '--broker-sasl-mechanism',
      'SCRAM-SHA-256',
      '--broker-auth',
      'viewer:viewer-pw',
    ],
    'dashboard listening',
  ),
  freePort().then((openPort) =>
    spawnDaemon(
      'scripts/samsa.ts',
      ['dashboard', '--coordinator', plain, '--port', String(openPort)],
      'dashboard listening',
    ).then((d) => ({ ...d, port: openPort })),
  ),
]);
t.teardown(() => dashboard.kill('SIGKILL'));
t.teardown(() => openDashboard.kill('SIGKILL'));
const base = `https://127.0.0.1:${port}`;

function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${base}${path}`, { headers, ca }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface State {
  connected: boolean;
  view: { brokers: { id: number; alive: boolean }[] };
  znodePaths: string[];
  unreadableZnodes: string[];
  rates: {
    topicMessages: Record<string, unknown>;
    totals: { topics: Record<string, { messages: number }> };
  };
}
const SLOW = { timeoutMs: 60_000, intervalMs: 100 };
const state = async (): Promise<State> =>
  JSON.parse((await get('/api/state', { authorization: basic(VIEWER) })).body) as State;

/** Opens the page's WebSocket; resolves with its first message, or the HTTP status refused. */
function openWs(headers: Record<string, string>): Promise<{ first?: unknown; status?: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/ws`, { headers, ca });
    ws.once('message', (data: Buffer) => {
      resolve({ first: JSON.parse(data.toString('utf8')) as unknown });
      ws.terminate();
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode });
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

t.test('the locked node is unreadable without the super login', async (t) => {
  const anonymous = new CoordinatorClient(plain);
  await anonymous.connect();
  t.teardown(() => anonymous.close());
  await t.rejects(anonymous.getData('/locked'), { code: ErrorCode.NOAUTH });
});

t.test('the page, its API and its WebSocket need the login, over https only', async (t) => {
  const none = await get('/');
  t.equal(none.status, 401, 'no credentials');
  t.match(String(none.headers['www-authenticate']), /^Basic realm="samsa dashboard"/);
  t.equal((await get('/api/state')).status, 401, 'the API too');
  t.equal(
    (await get('/api/state', { authorization: basic('ops:wrong') })).status,
    401,
    'a wrong password',
  );
  t.equal(
    (await get('/', { authorization: basic('other:ops-secret') })).status,
    401,
    'another user',
  );
  t.equal((await openWs({})).status, 401, 'the WebSocket upgrade without credentials');
  t.equal((await openWs({ authorization: basic('ops:wrong') })).status, 401, 'and with wrong ones');

  const page = await get('/', { authorization: basic(VIEWER) });
  t.equal(page.status, 200);
  t.match(page.body, /<script type="module" src="\/app.js"><\/script>/);
  const app = await get('/app.js', { authorization: basic(VIEWER) });
  t.match(app.body, /location\.protocol === 'https:' \? 'wss' : 'ws'/, 'the page asks for wss');
  const first = await openWs({ authorization: basic(VIEWER) });
  t.match(first.first, { type: 'state' }, 'the WebSocket pushes the state once logged in');

  await t.rejects(
    new Promise((resolve, reject) => {
      // Node's own CAs only: the test CA's certificate is not trusted.
      httpsRequest(`${base}/`).on('response', resolve).on('error', reject).end();
    }),
    /self[- ]signed|unable to verify|certificate/i,
    'a client that does not trust the CA refuses the certificate',
  );
  await t.rejects(
    new Promise((resolve, reject) => {
      fetch(`http://127.0.0.1:${port}/`).then(resolve, reject);
    }),
    'no plain HTTP on the port',
  );
  const log = dashboard.log();
  t.match(log, /dashboard request without a login/, 'a refusal without credentials is logged');
  t.match(log, /dashboard login refused/, 'and one with wrong credentials');
  t.notMatch(log, /ops-secret|super-secret|viewer-pw/, 'no password in the log');
});

t.test('it shows the cluster over a TLS coordinator session with --auth', async (t) => {
  const s = await waitFor(
    'the dashboard to mirror the cluster',
    async () => {
      const s = await state();
      return s.connected && s.view.brokers.some((b) => b.id === 1 && b.alive) ? s : undefined;
    },
    SLOW,
  );
  t.ok(s.znodePaths.includes('/locked'), 'the node only the super user may read');
  const locked = await get('/api/znode?path=/locked', { authorization: basic(VIEWER) });
  t.equal(locked.status, 200);
  t.match(JSON.parse(locked.body), { data: 'for the super user only' });
  t.same(s.unreadableZnodes, []);
});

t.test('it polls the broker over its SASL_SSL listener, as a SCRAM user', async (t) => {
  const kafka = new Kafka({
    clientId: 'dashboard-security',
    brokers: [`127.0.0.1:${broker.ports.PLAINTEXT}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [{ topic: 'orders', numPartitions: 1 }],
    waitForLeaders: true,
  });
  // A series appears once ListOffsets answered, which the dashboard asks on SASL_SSL only.
  await waitFor(
    'the dashboard to chart orders',
    async () => {
      const s = await state();
      return s.rates.topicMessages.orders !== undefined;
    },
    SLOW,
  );
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({
    topic: 'orders',
    acks: -1,
    messages: ['a', 'b', 'c', 'd'].map((value) => ({ value })),
  });
  const counted = await waitFor(
    'the four messages in the totals',
    async () => {
      const n = (await state()).rates.totals.topics.orders?.messages;
      return n === 4 ? n : undefined;
    },
    SLOW,
  );
  t.equal(counted, 4);
});

t.test('an anonymous dashboard leaves out what it may not read', async (t) => {
  const url = `http://127.0.0.1:${openDashboard.port}/api/state`;
  const s = await waitFor(
    'the anonymous dashboard to mirror the cluster',
    async () => {
      const s = (await (await fetch(url)).json()) as State;
      return s.connected && s.znodePaths.includes('/brokers/ids/1') ? s : undefined;
    },
    SLOW,
  );
  t.notOk(s.znodePaths.includes('/locked'));
  t.same(s.unreadableZnodes, ['/locked']);
  const refused = /no READ permission on a znode; leaving it out/;
  await waitFor('the dashboard to log the refusal', () =>
    refused.test(openDashboard.log()) ? true : undefined,
  );
  t.match(openDashboard.log(), refused);
});

t.test("the dashboard's Kafka client: SSL, SASL PLAIN, a wrong password", async (t) => {
  const metadata = async (port: number, options: ConstructorParameters<typeof KafkaClient>[1]) => {
    const client = new KafkaClient([{ nodeId: 1, host: '127.0.0.1', port }], options);
    try {
      return await client.send(1, ApiKey.Metadata, 1, { topics: [] });
    } finally {
      client.close();
    }
  };
  const ssl = await metadata(broker.ports.SSL, { tls: { ca } });
  t.same(
    ssl.brokers.map((b) => b.port),
    [broker.ports.SSL],
    'over SSL, answered with the SSL listener',
  );
  const plainSasl = await metadata(broker.ports.SASL_SSL, {
    tls: { ca },
    sasl: { mechanism: 'PLAIN', username: 'alice', password: PLAIN_USERS.alice },
  });
  t.same(
    plainSasl.brokers.map((b) => b.port),
    [broker.ports.SASL_SSL],
    'PLAIN over SASL_SSL',
  );
  const scram = await metadata(broker.ports.SASL_PLAINTEXT, {
    sasl: { mechanism: 'SCRAM-SHA-256', username: 'viewer', password: 'viewer-pw' },
  });
  t.same(
    scram.brokers.map((b) => b.port),
    [broker.ports.SASL_PLAINTEXT],
    'SCRAM, no TLS',
  );
  await t.rejects(
    metadata(broker.ports.SASL_SSL, {
      tls: { ca },
      sasl: { mechanism: 'SCRAM-SHA-256', username: 'viewer', password: 'wrong' },
    }),
    { name: 'SaslLoginError', errorName: 'SASL_AUTHENTICATION_FAILED' },
  );
  await t.rejects(
    metadata(broker.ports.SASL_SSL, {
      tls: { ca },
      sasl: { mechanism: 'PLAIN', username: 'alice', password: 'wrong' },
    }),
    { name: 'SaslLoginError', errorName: 'SASL_AUTHENTICATION_FAILED' },
  );
});
