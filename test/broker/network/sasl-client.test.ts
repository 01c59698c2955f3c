/**
 * The inter-broker SASL client (broker/network/sasl-client.ts) against the broker's own SASL
 * server state machine (broker/security/sasl-server.ts), with no sockets: each request is
 * handed to the server connection, and time is a manual clock.
 *   - a login reports the session lifetime; re-authentication falls due between 85 % and
 *     95 % of it (Kafka's window), never without a lifetime;
 *   - re-authenticating logs in again on the same server connection (the server counts it as
 *     a re-authentication, not a new login) and moves the next due time;
 *   - a refused re-authentication rejects and is reported.
 */
import t from 'tap';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/logger.js';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import type { ScramCredential, ScramMechanism } from '../../../src/security/scram-credential.js';
import { scramCredentialOf } from '../../../src/security/scram-credential.js';
import { SaslClientSession, type SaslRequest } from '../../../broker/network/sasl-client.js';
import { SaslServerConnection } from '../../../broker/security/sasl-server.js';
import type { ListenerSasl, SaslMechanism } from '../../../broker/security/security-config.js';
import { newConnectionSession } from '../../../broker/security/session.js';

const LIFETIME_MS = 10_000;

function server(options: {
  clock: ManualClock;
  lifetimeMs?: number;
  credential?: (mechanism: ScramMechanism, user: string) => ScramCredential | undefined;
}) {
  const mechanisms: SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];
  const sasl: ListenerSasl = {
    enabledMechanisms: mechanisms,
    plainUsers: new Map([['admin', 'admin-secret']]),
    jaas: new Map(),
    connectionsMaxReauthMs: new Map(mechanisms.map((m) => [m, options.lifetimeMs ?? LIFETIME_MS])),
  };
  const session = newConnectionSession({
    listenerName: 'SASL_PLAINTEXT',
    securityProtocol: 'SASL_PLAINTEXT',
    clientHost: '127.0.0.1',
    authenticated: false,
  });
  const logged: string[] = [];
  const logger = silentLogger();
  logger.info = ((_fields: unknown, msg: string) => void logged.push(msg)) as typeof logger.info;
  const connection = new SaslServerConnection({
    sasl,
    session,
    credentials: { credential: async (m, u) => options.credential?.(m, u) },
    logger,
    clock: options.clock,
  });
  session.sasl = connection;
  const requests: number[] = [];
  const request: SaslRequest = async (apiKey, apiVersion, body) => {
    requests.push(apiKey);
    if (apiKey === ApiKey.SaslHandshake) {
      const b = body as { mechanism: string };
      return connection.handshake(b.mechanism, apiVersion) as never;
    }
    const b = body as { authBytes: Buffer };
    return (await connection.authenticate(b.authBytes, apiVersion)) as never;
  };
  return { connection, session, request, logged, requests };
}

t.test('PLAIN: the lifetime, the window, a re-authentication on the same connection', async (t) => {
  const clock = new ManualClock(0);
  const s = server({ clock });
  const counts = { ok: 0, failed: 0 };
  const hooks = {
    reauthenticated: () => counts.ok++,
    reauthenticationFailed: () => counts.failed++,
  };
  const session = await SaslClientSession.open(s.request, {
    sasl: { mechanism: 'PLAIN', username: 'admin', password: 'admin-secret' },
    clock,
    random: () => 0,
    hooks,
  });
  t.equal(s.session.principal, 'User:admin');
  t.same(s.requests, [ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);
  t.equal(session.dueAtMs, 8500, '85 % of 10 s, with no jitter');
  clock.advance(8499);
  t.notOk(session.reauthenticationDue, 'not yet');
  clock.advance(1);
  t.ok(session.reauthenticationDue, 'due at 85 %');

  await session.reauthenticate(s.request);
  t.equal(session.reauthentications, 1);
  t.same(counts, { ok: 1, failed: 0 });
  t.same(s.logged, ['authenticated', 're-authenticated'], 'the server saw a re-authentication');
  t.notOk(session.reauthenticationDue);
  t.equal(session.dueAtMs, 8500 + 8500, 'the next window counts from the re-authentication');
  t.notOk(s.connection.expired(ApiKey.Fetch), 'the server session was renewed');
});

t.test('the jitter: up to 95 % of the lifetime', async (t) => {
  const clock = new ManualClock(1000);
  const s = server({ clock });
  const session = await SaslClientSession.open(s.request, {
    sasl: { mechanism: 'PLAIN', username: 'admin', password: 'admin-secret' },
    clock,
    random: () => 0.999999,
  });
  t.equal(session.dueAtMs, 1000 + 9499);
});

t.test('no session lifetime: never due', async (t) => {
  const clock = new ManualClock(0);
  const s = server({ clock, lifetimeMs: 0 });
  const session = await SaslClientSession.open(s.request, {
    sasl: { mechanism: 'PLAIN', username: 'admin', password: 'admin-secret' },
    clock,
  });
  t.equal(session.dueAtMs, undefined);
  clock.advance(1e9);
  t.notOk(session.reauthenticationDue);
});

t.test('SCRAM-SHA-512: login and re-authentication; a refused one rejects', async (t) => {
  const clock = new ManualClock(0);
  let credential = scramCredentialOf('SCRAM-SHA-512', 'admin-secret', 4096);
  const s = server({ clock, credential: (_m, u) => (u === 'admin' ? credential : undefined) });
  let failed = 0;
  const session = await SaslClientSession.open(s.request, {
    sasl: { mechanism: 'SCRAM-SHA-512', username: 'admin', password: 'admin-secret' },
    clock,
    hooks: { reauthenticated: () => undefined, reauthenticationFailed: () => failed++ },
  });
  t.equal(s.session.principal, 'User:admin');
  clock.advance(LIFETIME_MS);
  t.ok(session.reauthenticationDue);
  t.ok(s.connection.expired(ApiKey.Fetch), 'the server would close on anything but SASL');
  t.notOk(s.connection.expired(ApiKey.SaslHandshake), 'but lets the re-authentication in');
  await session.reauthenticate(s.request);
  t.equal(session.reauthentications, 1);
  t.notOk(s.connection.expired(ApiKey.Fetch));

  // The password changes on the server: the next re-authentication is refused.
  credential = scramCredentialOf('SCRAM-SHA-512', 'another-secret', 4096);
  clock.advance(LIFETIME_MS);
  await t.rejects(session.reauthenticate(s.request), /SASL_AUTHENTICATION_FAILED/);
  t.equal(failed, 1, 'reported');
  t.equal(session.reauthentications, 1);
});
