/**
 * One broker with the four listeners of the Kafka docs (PLAINTEXT, SSL, SASL_PLAINTEXT,
 * SASL_SSL) against a coordinator process, driven by real clients: kcat (librdkafka 2.0.2)
 * and kafkajs 2.2.4. A throwaway CA made with openssl signs the broker's and the clients'
 * certificates (test/helpers/secure-cluster.ts).
 *
 *   - /brokers/ids/1 lists every endpoint and the listener_security_protocol_map;
 *   - Metadata answers each client with the endpoints of the listener it came in on;
 *   - produce and consume over SSL, mutual TLS with a client certificate;
 *   - SASL PLAIN (JAAS users), SCRAM-SHA-256 and SCRAM-SHA-512 (users made with
 *     `coordinator configs --entity-type users`), over SASL_PLAINTEXT and SASL_SSL;
 *   - a wrong password is refused with SASL_AUTHENTICATION_FAILED;
 *   - a Kafka request before the SASL login closes the connection.
 */
import t from 'tap';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { readFileSync } from 'node:fs';
import {
  daemonDataDir,
  nodeArgsFor,
  ROOT,
  startCoordinatorProcess,
} from '../../helpers/processes.js';
import {
  makeCertificates,
  opensslAvailable,
  startSecureBroker,
  type SecureBroker,
} from '../../helpers/secure-cluster.js';
import { waitFor } from '../../helpers/wait-for.js';
import { encodeRequestFrame } from '../../../src/protocol/kafka/codec.js';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';

const run = promisify(execFile);
const kcatAvailable = spawnSync('kcat', ['-V']).status === 0;

function kcatWithInput(args: string[], input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`kcat exited ${code}: ${stderr}`)),
    );
    child.stdin.end(input);
  });
}

/**
 * A kcat that must fail: its stderr once it has printed `expected`, or once it exited. kcat -L
 * retries a refused login until its metadata timeout (-m), so waiting for the exit would cost
 * that timeout; the SASL error line comes at the first refusal. (A failed TLS handshake is
 * reported only at the timeout, so that case keeps a short -m.) -m 30 only bounds a kcat
 * that never prints it (the caller's match then fails).
 */
function kcatError(args: string[], expected: RegExp): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('kcat', [...args, '-m', '30'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (expected.test(stderr)) {
        child.kill('SIGKILL');
        resolve(stderr);
      }
    });
    child.on('exit', () => resolve(stderr));
  });
}

if (!kcatAvailable || !opensslAvailable) {
  if (process.env.CI === 'true') t.fail('kcat and openssl are required under CI=true');
  else t.comment('kcat or openssl is missing: skipping the listener security tests');
} else {
  const dir = daemonDataDir(t);
  const certs = makeCertificates(`${dir}/certs`, ['alice']);
  const coordinator = await startCoordinatorProcess({ dataDir: `${dir}/coordinator` });
  t.teardown(() => coordinator.kill('SIGKILL'));
  const connect = `127.0.0.1:${coordinator.port}`;
  const broker: SecureBroker = await startSecureBroker(t, {
    id: 1,
    connect,
    dataDir: `${dir}/broker-1`,
    certs,
  });
  const cli = (args: string[]) =>
    run(process.execPath, [...nodeArgsFor('coordinator/cli.ts'), '--server', connect, ...args], {
      cwd: ROOT,
    });
  const ssl = ['-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${certs.ca}`];
  const kcat = (port: number, extra: string[]) => [
    '-b',
    `127.0.0.1:${port}`,
    '-X',
    'socket.timeout.ms=5000',
    ...extra,
  ];

  t.test('the registration lists every listener with its protocol', async (t) => {
    const { stdout } = await cli(['get', '/brokers/ids/1']);
    const json = JSON.parse(stdout.slice(stdout.indexOf('{'))) as Record<string, unknown>;
    t.same(json.listener_security_protocol_map, {
      PLAINTEXT: 'PLAINTEXT',
      SSL: 'SSL',
      SASL_PLAINTEXT: 'SASL_PLAINTEXT',
      SASL_SSL: 'SASL_SSL',
    });
    t.same(json.endpoints, [
      `PLAINTEXT://127.0.0.1:${broker.ports.PLAINTEXT}`,
      `SSL://127.0.0.1:${broker.ports.SSL}`,
      `SASL_PLAINTEXT://127.0.0.1:${broker.ports.SASL_PLAINTEXT}`,
      `SASL_SSL://127.0.0.1:${broker.ports.SASL_SSL}`,
    ]);
    t.equal(json.port, broker.ports.PLAINTEXT, 'host/port mirror the PLAINTEXT endpoint');
  });

  t.test('kcat over SSL: metadata names the SSL endpoint; produce and consume', async (t) => {
    const list = await run('kcat', [...kcat(broker.ports.SSL, ssl), '-L', '-J']);
    const metadata = JSON.parse(list.stdout) as { brokers: { id: number; name: string }[] };
    t.same(metadata.brokers, [{ id: 1, name: `127.0.0.1:${broker.ports.SSL}` }]);
    const plain = JSON.parse(
      (await run('kcat', [...kcat(broker.ports.PLAINTEXT, []), '-L', '-J'])).stdout,
    ) as { brokers: { name: string }[] };
    t.same(plain.brokers[0]?.name, `127.0.0.1:${broker.ports.PLAINTEXT}`);

    await kcatWithInput([...kcat(broker.ports.SSL, ssl), '-P', '-t', 'tls-topic'], 'one\ntwo\n');
    const consumed = await run('kcat', [
      ...kcat(broker.ports.SSL, ssl),
      '-C',
      '-t',
      'tls-topic',
      '-o',
      'beginning',
      '-e',
      '-q',
    ]);
    t.same(consumed.stdout.trim().split('\n'), ['one', 'two']);
  });

  t.test('mutual TLS: a client certificate from the CA is accepted', async (t) => {
    const alice = certs.client('alice');
    const mtls = [...ssl, '-X', `ssl.certificate.location=${alice.cert}`];
    mtls.push('-X', `ssl.key.location=${alice.key}`);
    const list = await run('kcat', [...kcat(broker.ports.SSL, mtls), '-L', '-J']);
    t.match(list.stdout, /"brokers"/);
    // A plaintext client on the TLS port never gets an answer: the handshake fails.
    const wrong = await run('kcat', [...kcat(broker.ports.SSL, []), '-L', '-m', '2']).catch(
      (err: { stderr: string }) => err,
    );
    t.match((wrong as { stderr: string }).stderr, /Failed to acquire metadata|transport/i);
  });

  t.test('SASL PLAIN over SASL_PLAINTEXT and SASL_SSL', async (t) => {
    const plain = (password: string) => [
      '-X',
      'sasl.mechanisms=PLAIN',
      '-X',
      'sasl.username=alice',
      '-X',
      `sasl.password=${password}`,
    ];
    const saslPlaintext = ['-X', 'security.protocol=SASL_PLAINTEXT', ...plain('alice-secret')];
    const list = await run('kcat', [
      ...kcat(broker.ports.SASL_PLAINTEXT, saslPlaintext),
      '-L',
      '-J',
    ]);
    const md = JSON.parse(list.stdout) as { brokers: { name: string }[] };
    t.same(md.brokers[0]?.name, `127.0.0.1:${broker.ports.SASL_PLAINTEXT}`);
    const saslSsl = [...ssl, '-X', 'security.protocol=SASL_SSL', ...plain('alice-secret')];
    await kcatWithInput([...kcat(broker.ports.SASL_SSL, saslSsl), '-P', '-t', 'sasl-topic'], 'x\n');
    const consumed = await run('kcat', [
      ...kcat(broker.ports.SASL_SSL, saslSsl),
      '-C',
      '-t',
      'sasl-topic',
      '-o',
      'beginning',
      '-e',
      '-q',
    ]);
    t.equal(consumed.stdout.trim(), 'x');

    const invalid =
      /SASL authentication error: Authentication failed: Invalid username or password/;
    const refused = await kcatError(
      [
        ...kcat(broker.ports.SASL_SSL, [
          ...ssl,
          '-X',
          'security.protocol=SASL_SSL',
          ...plain('no'),
        ]),
        '-L',
      ],
      invalid,
    );
    t.match(refused, invalid);
  });

  t.test('SCRAM-SHA-256 and -512 users from `coordinator configs`', async (t) => {
    const made = await cli([
      'configs',
      '--entity-type',
      'users',
      '--entity-name',
      'bob',
      '--alter',
      '--add-config',
      'SCRAM-SHA-256=[password=bob-secret],SCRAM-SHA-512=[iterations=8192,password=bob-secret]',
    ]);
    t.equal(made.stdout.trim(), 'Completed updating config for user bob.');
    const described = await cli([
      'configs',
      '--entity-type',
      'users',
      '--entity-name',
      'bob',
      '--describe',
    ]);
    t.equal(
      described.stdout.trim(),
      "Configs for user-principal 'bob' are SCRAM-SHA-256=iterations=4096," +
        'SCRAM-SHA-512=iterations=8192',
    );
    const stored = await cli(['get', '/config/users/bob']);
    t.match(
      stored.stdout,
      /"SCRAM-SHA-256":"salt=[^,]+,stored_key=[^,]+,server_key=[^,]+,iterations=4096"/,
    );
    t.notMatch(stored.stdout, /bob-secret/, 'the password itself is never stored');

    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
      const scram = (password: string) => [
        ...ssl,
        '-X',
        'security.protocol=SASL_SSL',
        '-X',
        `sasl.mechanisms=${mechanism}`,
        '-X',
        'sasl.username=bob',
        '-X',
        `sasl.password=${password}`,
      ];
      const ok = await run('kcat', [...kcat(broker.ports.SASL_SSL, scram('bob-secret')), '-L']);
      t.match(ok.stdout, /1 brokers/, `${mechanism} login`);
      const invalid = /SASL authentication error: Authentication failed: Invalid user credentials/;
      const refused = await kcatError(
        [...kcat(broker.ports.SASL_SSL, scram('wrong')), '-L'],
        invalid,
      );
      t.match(refused, invalid, `${mechanism}: a wrong password is refused`);
    }
  });

  t.test('kafkajs over SSL and SASL_SSL (SCRAM-SHA-256); a wrong password', async (t) => {
    const sslOptions = { ca: [readFileSync(certs.ca, 'utf8')] };
    const overSsl = new Kafka({
      clientId: 'kafkajs-ssl',
      brokers: [`127.0.0.1:${broker.ports.SSL}`],
      ssl: sslOptions,
      logLevel: logLevel.NOTHING,
    });
    const admin = overSsl.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kafkajs-tls', numPartitions: 1 }] });
    t.ok((await admin.listTopics()).includes('kafkajs-tls'));
    await admin.disconnect();

    const scram = new Kafka({
      clientId: 'kafkajs-scram',
      brokers: [`127.0.0.1:${broker.ports.SASL_SSL}`],
      ssl: sslOptions,
      sasl: { mechanism: 'scram-sha-256', username: 'bob', password: 'bob-secret' },
      logLevel: logLevel.NOTHING,
    });
    const producer = scram.producer();
    await producer.connect();
    const [sent] = await producer.send({ topic: 'kafkajs-tls', messages: [{ value: 'hi' }] });
    t.equal(sent?.errorCode, 0);
    await producer.disconnect();

    const wrong = new Kafka({
      clientId: 'kafkajs-wrong',
      brokers: [`127.0.0.1:${broker.ports.SASL_SSL}`],
      ssl: sslOptions,
      sasl: { mechanism: 'plain', username: 'alice', password: 'nope' },
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    const wrongAdmin = wrong.admin();
    const err = await wrongAdmin.connect().catch((e: Error) => e);
    t.match(err, { name: 'KafkaJSSASLAuthenticationError' });
    t.match(String((err as Error).message), /SASL_AUTHENTICATION_FAILED|Invalid username/);
  });

  t.test('a Kafka request before the SASL login closes the connection', async (t) => {
    const socket = net.connect(broker.ports.SASL_PLAINTEXT, '127.0.0.1');
    await once(socket, 'connect');
    for (const chunk of encodeRequestFrame(
      { apiKey: ApiKey.Metadata, apiVersion: 1, correlationId: 1, clientId: 'sneaky' },
      { topics: null, allowAutoTopicCreation: false },
    )) {
      socket.write(chunk);
    }
    const received: Buffer[] = [];
    socket.on('data', (c: Buffer) => received.push(c));
    await once(socket, 'close');
    t.equal(received.length, 0, 'no answer, the connection is closed');
    // The broker's log line travels through a pipe: wait for it rather than race it.
    const logged = await waitFor(
      'the logged reason',
      () =>
        /Metadata from client sneaky before SASL authentication/.test(broker.log()) || undefined,
    );
    t.ok(logged, 'the reason is logged');
  });
}
