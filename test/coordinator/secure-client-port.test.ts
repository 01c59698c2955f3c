/**
 * The secure client port in-process (coordinator/client-port.ts with `tls`): both protocols
 * and the four-letter words over TLS, and what `ssl.clientAuth` want and need let in. The
 * certificates come from a throwaway CA made with openssl, plus a second CA whose client
 * certificate the server must not trust.
 */
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoordinatorServer } from '../../coordinator/coordinator-server.js';
import { MemoryStore } from '../../coordinator/memory-store.js';
import { createWsTransport } from '../../coordinator/ws-server.js';
import { listenClientPort } from '../../coordinator/client-port.js';
import { loadTlsMaterial, type ClientAuth } from '../../coordinator/security-config.js';
import { CoordinatorClient } from '../../src/coordinator-client/client.js';
import type { ConnectionProtocol } from '../../src/coordinator-client/connection.js';
import { fourLetterWord } from '../../src/coordinator-client/four-letter-words.js';
import { silentLogger } from '../../src/logger.js';
import { makeCertificates, opensslAvailable } from '../helpers/secure-cluster.js';

if (!opensslAvailable && process.env.CI !== 'true') {
  t.comment('openssl is not installed: skipping');
  process.exit(0);
}

const dir = t.testdir();
const certs = makeCertificates(join(dir, 'trusted'), ['tool']);
const stranger = makeCertificates(join(dir, 'stranger'), ['tool']);
const ca = readFileSync(certs.ca);
const good = {
  ca,
  cert: readFileSync(certs.client('tool').cert),
  key: readFileSync(certs.client('tool').key),
};
const untrusted = {
  ca,
  cert: readFileSync(stranger.client('tool').cert),
  key: readFileSync(stranger.client('tool').key),
};

async function securePort(t: Test, clientAuth: ClientAuth): Promise<string> {
  const logger = silentLogger();
  const core = await CoordinatorServer.open({
    dataDir: '(memory)',
    store: new MemoryStore(),
    tickMs: 100,
    logger,
  });
  const ws = createWsTransport(core, logger);
  const port = await listenClientPort({
    port: 0,
    core,
    ws,
    logger,
    tls: loadTlsMaterial({ keyStore: certs.brokerPem, trustStore: certs.ca, clientAuth }),
  });
  t.teardown(async () => {
    await port.close();
    for (const client of ws.wss.clients) client.terminate();
    await core.close();
  });
  return `127.0.0.1:${port.port}`;
}

async function session(
  t: Test,
  server: string,
  protocol: ConnectionProtocol,
  tls: object,
  initialConnectTimeoutMs = 3000,
): Promise<CoordinatorClient> {
  const client = new CoordinatorClient(server, { protocol, tls, initialConnectTimeoutMs });
  t.teardown(() => client.close());
  await client.connect();
  return client;
}

/**
 * A session the server must refuse. The client keeps retrying a refused handshake until its
 * initialConnectTimeoutMs, so the refusal shows only as that timeout's KeeperError: 500 ms
 * instead of 3 s, as no wait makes the server accept an untrusted or missing certificate.
 */
function refusedSession(t: Test, server: string, protocol: ConnectionProtocol, tls: object) {
  return session(t, server, protocol, tls, 500);
}

t.test('want: no certificate is fine, an untrusted one is refused', async (t) => {
  const server = await securePort(t, 'want');
  for (const protocol of ['zookeeper', 'websocket'] as const) {
    const anonymous = await session(t, server, protocol, { ca });
    t.equal(
      await anonymous.create(`/over-${protocol}`, 'x'),
      `/over-${protocol}`,
      `${protocol} over TLS`,
    );
    const withCert = await session(t, server, protocol, good);
    t.equal((await withCert.getData(`/over-${protocol}`)).data!.toString(), 'x');
    await t.rejects(refusedSession(t, server, protocol, untrusted), { name: 'KeeperError' });
  }
  t.equal(await fourLetterWord(server, 'ruok', { protocol: 'zookeeper', tls: { ca } }), 'imok');
  t.equal(await fourLetterWord(server, 'ruok', { protocol: 'websocket', tls: { ca } }), 'imok');
});

t.test('need: no connection without a trusted certificate', async (t) => {
  const server = await securePort(t, 'need');
  for (const protocol of ['zookeeper', 'websocket'] as const) {
    const refused = { name: 'KeeperError' };
    await t.rejects(refusedSession(t, server, protocol, { ca }), refused, protocol);
    await t.rejects(refusedSession(t, server, protocol, untrusted), refused, protocol);
    const client = await session(t, server, protocol, good);
    t.ok((await client.exists('/')) !== null, `${protocol} with a certificate`);
  }
  await t.rejects(
    refusedSession(t, server, 'zookeeper', {}),
    { name: 'KeeperError' },
    "the server's certificate is not trusted without the CA",
  );
});
