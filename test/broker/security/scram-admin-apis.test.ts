/**
 * AlterUserScramCredentials and DescribeUserScramCredentials (KIP-554) with @platformatic/kafka
 * (kafkajs has no client for them) against two brokers with the authorizer on: the admin
 * (a super user, PLAIN) creates carol's credentials from a salt and salted password the test
 * computes as a client does; carol then logs in with SCRAM-SHA-256 and SCRAM-SHA-512 through
 * kafkajs (and kcat, if installed); the znode is the one `coordinator configs` writes; the
 * errors Kafka 2.8 answers (RESOURCE_NOT_FOUND, DUPLICATE_RESOURCE, UNSUPPORTED_SASL_MECHANISM,
 * UNACCEPTABLE_CREDENTIAL, NOT_CONTROLLER, CLUSTER_AUTHORIZATION_FAILED); a deleted credential
 * no longer logs in.
 */
import t from 'tap';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import {
  alterUserScramCredentialsV0,
  Connection,
  describeUserScramCredentialsV0,
} from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { coordinatorCommand, run } from '../../helpers/cluster.js';
import { daemonDataDir, startCoordinatorProcess } from '../../helpers/processes.js';
import {
  makeCertificates,
  opensslAvailable,
  startSecureBroker,
  type SecureBroker,
} from '../../helpers/secure-cluster.js';
import { waitFor } from '../../helpers/wait-for.js';

const kcatAvailable = spawnSync('kcat', ['-V']).status === 0;
const SHA256 = 1;
const SHA512 = 2;

/** What a client sends: a random salt and Hi(password, salt, iterations). */
function upsertion(name: string, mechanism: number, password: string, iterations: number) {
  const salt = randomBytes(24);
  const [hash, bytes] = mechanism === SHA256 ? ['sha256', 32] : ['sha512', 64];
  const saltedPassword = pbkdf2Sync(password, salt, iterations, bytes as number, hash as string);
  return { name, mechanism, iterations, salt, saltedPassword };
}

/** The response, also when the client turned its error codes into an exception. */
async function answer<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    const response = (err as { response?: T }).response;
    if (response === undefined) throw err;
    return response;
  }
}

async function connect(
  t: { teardown(fn: () => unknown): void },
  broker: SecureBroker,
  mechanism: 'PLAIN' | 'SCRAM-SHA-256',
  username: string,
  password: string,
): Promise<Connection> {
  const connection = new Connection('scram-admin-test', {
    sasl: { mechanism, username, password },
  });
  await connection.connect('127.0.0.1', broker.ports.SASL_PLAINTEXT);
  t.teardown(() => connection.close());
  return connection;
}

/** Logs in through kafkajs with `mechanism` and lists the topics; 'ok' or the error's name. */
async function kafkajsLogin(
  broker: SecureBroker,
  mechanism: 'scram-sha-256' | 'scram-sha-512',
  username: string,
  password: string,
): Promise<string> {
  const admin = new Kafka({
    clientId: 'scram-login',
    brokers: [`127.0.0.1:${broker.ports.SASL_PLAINTEXT}`],
    sasl: { mechanism, username, password } as never,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return 'ok';
  } catch (err) {
    return (err as Error).name;
  } finally {
    await admin.disconnect();
  }
}

if (!opensslAvailable) {
  if (process.env.CI === 'true') t.fail('openssl is required under CI=true');
  else t.comment('openssl is missing: skipping the SCRAM admin API tests');
} else {
  const dir = daemonDataDir(t);
  const certs = makeCertificates(`${dir}/certs`, []);
  const coordinator = await startCoordinatorProcess({ dataDir: `${dir}/coordinator` });
  t.teardown(() => coordinator.kill('SIGKILL'));
  const connectString = `127.0.0.1:${coordinator.port}`;
  const extra = [
    'authorizer.class.name=kafka.security.authorizer.AclAuthorizer',
    'super.users=User:admin',
    'security.inter.broker.protocol=SASL_PLAINTEXT',
    'sasl.mechanism.inter.broker.protocol=PLAIN',
  ];
  const brokers = [
    await startSecureBroker(t, {
      id: 1,
      connect: connectString,
      dataDir: `${dir}/b1`,
      certs,
      extra,
    }),
    await startSecureBroker(t, {
      id: 2,
      connect: connectString,
      dataDir: `${dir}/b2`,
      certs,
      extra,
    }),
  ];
  const controller = await waitFor('a controller', async () => {
    const r = await coordinatorCommand(['--server', connectString, 'get', '/controller']);
    const id = r.code === 0 ? (JSON.parse(r.stdout) as { brokerid: number }).brokerid : -1;
    return id > 0 ? id : undefined;
  });
  const onController = brokers.find((b) => b.id === controller)!;
  const other = brokers.find((b) => b.id !== controller)!;
  // The controller is active once it has told the brokers (Metadata names it).
  const probe = new Kafka({
    brokers: [`127.0.0.1:${onController.ports.SASL_PLAINTEXT}`],
    sasl: { mechanism: 'plain', username: 'admin', password: 'admin-secret' },
    logLevel: logLevel.NOTHING,
  }).admin();
  await probe.connect();
  await waitFor('the controller to be active', async () => {
    return (await probe.describeCluster()).controller === controller;
  });
  await probe.disconnect();

  t.test('the admin creates carol; carol logs in with both mechanisms', async (t) => {
    const admin = await connect(t, onController, 'PLAIN', 'admin', 'admin-secret');
    const altered = await answer(
      alterUserScramCredentialsV0.api.async(
        admin,
        [],
        [
          upsertion('carol', SHA256, 'carol-secret', 8192),
          upsertion('carol', SHA512, 'carol-secret', 4096),
        ],
      ),
    );
    t.same(altered.results, [{ user: 'carol', errorCode: ErrorCode.NONE, errorMessage: null }]);

    const stored = await coordinatorCommand([
      '--server',
      connectString,
      'get',
      '/config/users/carol',
    ]);
    t.match(stored.stdout, /"SCRAM-SHA-256":"salt=[^"]+,stored_key=[^"]+,iterations=8192"/);
    t.match(stored.stdout, /"SCRAM-SHA-512":"salt=[^"]+,iterations=4096"/);
    t.notMatch(stored.stdout, /carol-secret/, 'no password in the coordinator');

    const described = await answer(
      describeUserScramCredentialsV0.api.async(admin, [{ name: 'carol' }]),
    );
    t.equal(described.errorCode, ErrorCode.NONE);
    t.same(described.results, [
      {
        user: 'carol',
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        credentialInfos: [
          { mechanism: SHA256, iterations: 8192 },
          { mechanism: SHA512, iterations: 4096 },
        ],
      },
    ]);
    const everyone = await answer(describeUserScramCredentialsV0.api.async(admin, []));
    t.same(
      everyone.results.map((r) => r.user),
      ['carol'],
      'all users with SCRAM credentials',
    );

    for (const b of brokers) {
      t.equal(await kafkajsLogin(b, 'scram-sha-256', 'carol', 'carol-secret'), 'ok', `${b.id}`);
      t.equal(await kafkajsLogin(b, 'scram-sha-512', 'carol', 'carol-secret'), 'ok', `${b.id}`);
    }
    t.not(await kafkajsLogin(other, 'scram-sha-256', 'carol', 'wrong'), 'ok', 'wrong password');
    if (kcatAvailable) {
      const listed = await run('kcat', [
        '-b',
        `127.0.0.1:${other.ports.SASL_PLAINTEXT}`,
        '-X',
        'security.protocol=SASL_PLAINTEXT',
        '-X',
        'sasl.mechanisms=SCRAM-SHA-256',
        '-X',
        'sasl.username=carol',
        '-X',
        'sasl.password=carol-secret',
        '-L',
      ]);
      t.match(listed.stdout, /2 brokers:/, 'kcat logs in as carol');
    }
  });

  t.test('the errors of Kafka 2.8', async (t) => {
    const admin = await connect(t, onController, 'PLAIN', 'admin', 'admin-secret');
    const describe = await answer(
      describeUserScramCredentialsV0.api.async(admin, [
        { name: 'nobody' },
        { name: 'carol' },
        { name: 'carol' },
        { name: '' },
      ]),
    );
    t.same(
      describe.results.map((r) => [r.user, r.errorCode]),
      [
        ['nobody', ErrorCode.RESOURCE_NOT_FOUND],
        ['carol', ErrorCode.DUPLICATE_RESOURCE],
        ['', ErrorCode.RESOURCE_NOT_FOUND],
      ],
    );
    const alter = await answer(
      alterUserScramCredentialsV0.api.async(
        admin,
        [
          { name: 'nobody', mechanism: SHA512 },
          { name: 'erin', mechanism: 3 },
        ],
        [
          upsertion('dave', SHA256, 'x', 1000),
          upsertion('frank', SHA512, 'x', 20000),
          upsertion('gina', SHA256, 'x', 4096),
          upsertion('gina', SHA256, 'y', 4096),
          upsertion('', SHA256, 'x', 4096),
        ],
      ),
    );
    const byUser = new Map(alter.results.map((r) => [r.user, [r.errorCode, r.errorMessage]]));
    t.same(byUser.get('dave'), [ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations']);
    t.same(byUser.get('frank'), [ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations']);
    t.same(byUser.get('erin'), [ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism']);
    t.equal(byUser.get('gina')?.[0], ErrorCode.DUPLICATE_RESOURCE);
    t.equal(byUser.get('nobody')?.[0], ErrorCode.RESOURCE_NOT_FOUND);
    t.same(byUser.get(''), [ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty']);
    t.equal(byUser.size, 6);

    const notController = await connect(t, other, 'PLAIN', 'admin', 'admin-secret');
    const elsewhere = await answer(
      alterUserScramCredentialsV0.api.async(
        notController,
        [],
        [upsertion('hal', SHA256, 'x', 4096)],
      ),
    );
    t.same(
      elsewhere.results.map((r) => r.errorCode),
      [ErrorCode.NOT_CONTROLLER],
    );

    const carol = await connect(t, onController, 'SCRAM-SHA-256', 'carol', 'carol-secret');
    const denied = await answer(describeUserScramCredentialsV0.api.async(carol, []));
    t.equal(denied.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'not a super user');
    const deniedAlter = await answer(
      alterUserScramCredentialsV0.api.async(carol, [], [upsertion('carol', SHA256, 'x', 4096)]),
    );
    t.same(
      deniedAlter.results.map((r) => r.errorCode),
      [ErrorCode.CLUSTER_AUTHORIZATION_FAILED],
    );
  });

  t.test('a deleted credential no longer logs in', async (t) => {
    const admin = await connect(t, onController, 'PLAIN', 'admin', 'admin-secret');
    const deleted = await answer(
      alterUserScramCredentialsV0.api.async(admin, [{ name: 'carol', mechanism: SHA512 }], []),
    );
    t.same(deleted.results, [{ user: 'carol', errorCode: ErrorCode.NONE, errorMessage: null }]);
    const described = await answer(
      describeUserScramCredentialsV0.api.async(admin, [{ name: 'carol' }]),
    );
    t.same(described.results[0]!.credentialInfos, [{ mechanism: SHA256, iterations: 8192 }]);
    t.not(await kafkajsLogin(other, 'scram-sha-512', 'carol', 'carol-secret'), 'ok');
    t.equal(await kafkajsLogin(other, 'scram-sha-256', 'carol', 'carol-secret'), 'ok');
  });
}
