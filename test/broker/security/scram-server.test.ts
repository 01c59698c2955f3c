import t from 'tap';
import { ScramClient, ScramServer } from '../../../broker/security/scram-server.js';
import {
  formatScramCredential,
  parseScramCredential,
  saltedPassword,
  scramCredentialOf,
} from '../../../src/security/scram-credential.js';

// RFC 7677 section 3: user "user", password "pencil", SCRAM-SHA-256.
const CLIENT_NONCE = 'rOprNGfwEbeRWgbNEkqO';
const SERVER_NONCE = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const credential = scramCredentialOf('SCRAM-SHA-256', 'pencil', 4096, SALT);
const CLIENT_FINAL =
  'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,' +
  'p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';

function server(): ScramServer {
  return new ScramServer({
    mechanism: 'SCRAM-SHA-256',
    serverNonce: SERVER_NONCE,
    credentialOf: (user) => (user === 'user' ? credential : undefined),
  });
}

t.test("RFC 7677's example exchange, message for message", async (t) => {
  const s = server();
  t.equal(ScramServer.userOf(`n,,n=user,r=${CLIENT_NONCE}`), 'user');
  t.same(s.step(`n,,n=user,r=${CLIENT_NONCE}`), {
    kind: 'challenge',
    message:
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  });
  t.same(s.step(CLIENT_FINAL), {
    kind: 'complete',
    message: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
    user: 'user',
  });
  t.equal(s.state, 'COMPLETE');

  // librdkafka repeats its client nonce in front of the server's (Kafka accepts a nonce that
  // ends with the server's); the proof is then computed over what it sent.
  const again = server();
  again.step(`n,,n=user,r=${CLIENT_NONCE}`);
  const repeated = CLIENT_FINAL.replace('r=', `r=${CLIENT_NONCE}`);
  t.match(again.step(repeated), { kind: 'failed', reason: /Invalid user credentials/ });
  t.equal(s.step('again').kind, 'failed', 'nothing after completion');
});

t.test('a wrong proof, an unknown user, a tampered nonce all fail the same way', async (t) => {
  const wrong = server();
  wrong.step(`n,,n=user,r=${CLIENT_NONCE}`);
  const bad = CLIENT_FINAL.replace(/p=.*/, 'p=' + Buffer.alloc(32, 1).toString('base64'));
  t.match(wrong.step(bad), { kind: 'failed', reason: /Invalid user credentials/ });
  t.equal(wrong.state, 'FAILED');

  const unknown = server();
  const first = unknown.step(`n,,n=mallory,r=${CLIENT_NONCE}`);
  t.equal(first.kind, 'challenge', 'an unknown user still gets a challenge');
  t.match(unknown.step(CLIENT_FINAL.replace(SERVER_NONCE, SERVER_NONCE)), { kind: 'failed' });

  const tampered = server();
  tampered.step(`n,,n=user,r=${CLIENT_NONCE}`);
  t.match(tampered.step(CLIENT_FINAL.replace('r=rOpr', 'r=XOpr')), { reason: /nonce/ });

  t.match(server().step('p=tls-unique,,n=user,r=x'), { reason: /channel binding/ });
  t.match(server().step('n,a=admin,n=user,r=x'), { reason: /authorization id/ });
  t.match(server().step('n,,n=user,r=x,tokenauth=true'), { reason: /delegation tokens/ });
});

t.test('our client and server agree, for both hashes', async (t) => {
  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    const stored = scramCredentialOf(mechanism, 's3cret', 4096);
    const s = new ScramServer({ mechanism, serverNonce: 'srv', credentialOf: () => stored });
    const c = new ScramClient({ mechanism, user: 'a,b=c', clientNonce: 'cli' });
    const first = c.firstMessage();
    t.equal(ScramServer.userOf(first), 'a,b=c', 'saslname escapes');
    const challenge = s.step(first);
    t.equal(challenge.kind, 'challenge');
    const final = c.finalMessage((challenge as { message: string }).message, (salt, i) =>
      saltedPassword(mechanism, 's3cret', salt, i),
    );
    const done = s.step(final);
    t.match(done, { kind: 'complete', user: 'a,b=c' }, mechanism);
    t.doesNotThrow(() => c.verifyServerFinal((done as { message: string }).message));
  }
});

t.test("credentials in Kafka's /config/users format round-trip", async (t) => {
  const text = formatScramCredential(credential);
  t.match(
    text,
    /^salt=W22ZaJ0SNY7soEsUEjb6gQ==,stored_key=[^,]+,server_key=[^,]+,iterations=4096$/,
  );
  t.same(parseScramCredential(text), credential);
  t.throws(() => parseScramCredential('salt=AA==,iterations=4096'), /stored_key/);
});
