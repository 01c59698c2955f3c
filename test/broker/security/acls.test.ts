/**
 * The authorizer on two brokers (authorizer.class.name=kafka.security.authorizer.AclAuthorizer,
 * super.users=User:admin), which talk to each other over SASL_PLAINTEXT with PLAIN as admin
 * (security.inter.broker.protocol): a topic with two replicas per partition is created by the
 * admin with kafkajs, and kcat clients log in as alice.
 *   - without an ACL, alice's produce fails with TOPIC_AUTHORIZATION_FAILED;
 *   - `coordinator acls --add` (ZooKeeper-mode storage and change notification) reaches both
 *     brokers live: the same produce, with acks=all (so the followers fetched over SASL),
 *     succeeds, for partitions led by either broker;
 *   - mutual TLS: an ACL for the certificate's DN (User:CN=alice,OU=clients,O=Samsa Test)
 *     lets the certificate's holder read.
 */
import t from 'tap';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
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
} from '../../helpers/secure-cluster.js';
import { waitFor } from '../../helpers/wait-for.js';

const run = promisify(execFile);
const kcatAvailable = spawnSync('kcat', ['-V']).status === 0;

function kcatProduce(args: string[], input: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stderr }));
    child.stdin.end(input);
  });
}

if (!kcatAvailable || !opensslAvailable) {
  if (process.env.CI === 'true') t.fail('kcat and openssl are required under CI=true');
  else t.comment('kcat or openssl is missing: skipping the ACL tests');
} else {
  const dir = daemonDataDir(t);
  const certs = makeCertificates(`${dir}/certs`, ['alice']);
  const coordinator = await startCoordinatorProcess({ dataDir: `${dir}/coordinator` });
  t.teardown(() => coordinator.kill('SIGKILL'));
  const connect = `127.0.0.1:${coordinator.port}`;
  const extra = [
    'authorizer.class.name=kafka.security.authorizer.AclAuthorizer',
    'super.users=User:admin',
    'security.inter.broker.protocol=SASL_PLAINTEXT',
    'sasl.mechanism.inter.broker.protocol=PLAIN',
  ];
  const brokers = [
    await startSecureBroker(t, { id: 1, connect, dataDir: `${dir}/b1`, certs, extra }),
    await startSecureBroker(t, { id: 2, connect, dataDir: `${dir}/b2`, certs, extra }),
  ];
  const cli = (args: string[]) =>
    run(process.execPath, [...nodeArgsFor('coordinator/cli.ts'), '--server', connect, ...args], {
      cwd: ROOT,
    });
  const saslBootstrap = brokers.map((b) => `127.0.0.1:${b.ports.SASL_PLAINTEXT}`).join(',');
  const alice = [
    '-b',
    saslBootstrap,
    '-X',
    'security.protocol=SASL_PLAINTEXT',
    '-X',
    'sasl.mechanisms=PLAIN',
    '-X',
    'sasl.username=alice',
    '-X',
    'sasl.password=alice-secret',
  ];

  t.test(
    'WRITE on a topic: refused without the ACL, allowed on every broker with it',
    async (t) => {
      const admin = new Kafka({
        clientId: 'admin',
        brokers: [saslBootstrap.split(',')[0]!],
        sasl: { mechanism: 'plain', username: 'admin', password: 'admin-secret' },
        logLevel: logLevel.NOTHING,
      }).admin();
      await admin.connect();
      await admin.createTopics({
        topics: [{ topic: 'orders', numPartitions: 2, replicationFactor: 2 }],
        waitForLeaders: true,
      });
      const leaders = (
        await admin.fetchTopicMetadata({ topics: ['orders'] })
      ).topics[0]!.partitions.map((p) => p.leader).sort();
      await admin.disconnect();
      t.same(leaders, [1, 2], 'one partition led by each broker');

      const denied = await kcatProduce([...alice, '-P', '-t', 'orders', '-p', '0'], 'no\n');
      t.not(denied.code, 0);
      t.match(denied.stderr, /Topic authorization failed/i, 'TOPIC_AUTHORIZATION_FAILED');

      const added = await cli([
        'acls',
        '--add',
        '--allow-principal',
        'User:alice',
        '--operation',
        'Write',
        '--operation',
        'Read',
        '--topic',
        'orders',
      ]);
      t.match(added.stdout, /principal=User:alice, host=\*, operation=WRITE, permissionType=ALLOW/);
      const stored = await cli(['get', '/kafka-acl/Topic/orders']);
      t.match(
        stored.stdout,
        /"principal":"User:alice","permissionType":"Allow","operation":"Write"/,
      );
      for (const b of brokers) {
        await waitFor(`broker ${b.id} to load the ACL`, () =>
          b.log().includes('"acls":2') ? true : undefined,
        );
      }
      for (const partition of ['0', '1']) {
        const ok = await kcatProduce(
          [...alice, '-X', 'acks=all', '-P', '-t', 'orders', '-p', partition],
          `order-${partition}\n`,
        );
        t.equal(ok.code, 0, `partition ${partition}: ${ok.stderr}`);
      }
      const consumed = await run('kcat', [
        ...alice,
        '-C',
        '-t',
        'orders',
        '-o',
        'beginning',
        '-e',
        '-q',
      ]);
      t.same(consumed.stdout.trim().split('\n').sort(), ['order-0', 'order-1']);
    },
  );

  t.test('mutual TLS: the ACL names the certificate subject', async (t) => {
    const cert = certs.client('alice');
    const tlsClient = [
      '-b',
      `127.0.0.1:${brokers[0]!.ports.SSL}`,
      '-X',
      'security.protocol=SSL',
      '-X',
      `ssl.ca.location=${certs.ca}`,
      '-X',
      `ssl.certificate.location=${cert.cert}`,
      '-X',
      `ssl.key.location=${cert.key}`,
    ];
    const before = await run('kcat', [
      ...tlsClient,
      '-C',
      '-t',
      'orders',
      '-o',
      'beginning',
      '-e',
      '-q',
    ]).catch((err: { stderr: string }) => err);
    t.match((before as { stderr: string }).stderr, /authoriz/i, 'no ACL for the DN yet');
    await cli([
      'acls',
      '--add',
      '--allow-principal',
      'User:CN=alice,OU=clients,O=Samsa Test',
      '--operation',
      'Read',
      '--topic',
      'orders',
    ]);
    await waitFor('the DN ACL on broker 1', () =>
      brokers[0]!.log().includes('"acls":3') ? true : undefined,
    );
    const after = await run('kcat', [
      ...tlsClient,
      '-C',
      '-t',
      'orders',
      '-o',
      'beginning',
      '-e',
      '-q',
    ]);
    t.same(after.stdout.trim().split('\n').sort(), ['order-0', 'order-1']);
  });
}
