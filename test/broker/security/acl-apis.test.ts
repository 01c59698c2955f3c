/**
 * CreateAcls, DescribeAcls and DeleteAcls with kafkajs's admin client against real brokers:
 *   - two brokers with the authorizer on (super.users=User:admin, PLAIN between brokers): the
 *     admin grants alice WRITE through the API (sent to the controller), and alice's produce,
 *     refused with TOPIC_AUTHORIZATION_FAILED before, succeeds on partitions led by both
 *     brokers; the znode is the one `coordinator acls` writes; describe with LITERAL / MATCH /
 *     ANY filters; delete with a filter, after which alice is refused again; alice herself may
 *     not create ACLs (CLUSTER_AUTHORIZATION_FAILED); an empty name is INVALID_REQUEST;
 *   - @platformatic/kafka creates, describes and deletes with the flexible v2;
 *   - a broker without an authorizer answers SECURITY_DISABLED.
 */
import t from 'tap';
import { Connection, createAclsV2, deleteAclsV2, describeAclsV2 } from '@platformatic/kafka';
import kafkajs, { Kafka, logLevel, type Admin } from 'kafkajs';
import { controllerId, coordinatorCommand, kafka, startCluster } from '../../helpers/cluster.js';
import { daemonDataDir, startCoordinatorProcess } from '../../helpers/processes.js';
import {
  makeCertificates,
  opensslAvailable,
  startSecureBroker,
  type SecureBroker,
} from '../../helpers/secure-cluster.js';
import { rawKafkaClient } from '../../helpers/raw-kafka-client.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';

// kafkajs is CommonJS: its enums are properties of the default export.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/** The Kafka error type a call failed with, else its message ('ok' if it did not fail). */
async function errorType(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (err) {
    return (err as { type?: string }).type ?? String(err);
  }
}

function client(brokers: SecureBroker[], user: string, password: string): Kafka {
  return new Kafka({
    clientId: user,
    brokers: brokers.map((b) => `127.0.0.1:${b.ports.SASL_PLAINTEXT}`),
    sasl: { mechanism: 'plain', username: user, password },
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
}

/** The number of ACLs a broker holds, from its last "ACLs loaded" or "ACLs changed" log line. */
function loadedAcls(b: SecureBroker): number | undefined {
  const counts = [...b.log().matchAll(/"acls":(\d+)[^\n]*ACLs (?:loaded|changed)/g)].map((m) =>
    Number(m[1]),
  );
  return counts.at(-1);
}

const writeForAlice = {
  resourceType: AclResourceTypes.TOPIC,
  resourceName: 'payments',
  resourcePatternType: ResourcePatternTypes.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: AclOperationTypes.WRITE,
  permissionType: AclPermissionTypes.ALLOW,
};

if (!opensslAvailable) {
  if (process.env.CI === 'true') t.fail('openssl is required under CI=true');
  else t.comment('openssl is missing: skipping the ACL API tests');
} else {
  t.test('with the authorizer on', async (t) => {
    const dir = daemonDataDir(t);
    const certs = makeCertificates(`${dir}/certs`, []);
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
    const admin: Admin = client(brokers, 'admin', 'admin-secret').admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    await admin.createTopics({
      topics: [{ topic: 'payments', numPartitions: 2, replicationFactor: 2 }],
      waitForLeaders: true,
    });
    const leaders = (
      await admin.fetchTopicMetadata({ topics: ['payments'] })
    ).topics[0]!.partitions.map((p) => p.leader).sort();
    t.same(leaders, [1, 2], 'one partition led by each broker');

    const alice = client(brokers, 'alice', 'alice-secret');
    const produceAsAlice = async (partition: number) => {
      const producer = alice.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
      await producer.connect();
      const sent = producer.send({
        topic: 'payments',
        acks: -1,
        messages: [{ partition, value: `payment-${partition}` }],
      });
      const outcome = await errorType(sent);
      await producer.disconnect();
      return outcome;
    };

    await t.test('without an ACL alice may not write', async (t) => {
      t.match(await produceAsAlice(0), /TOPIC_AUTHORIZATION_FAILED|Topic authorization failed/);
    });

    await t.test('a client may not send the controller requests', async (t) => {
      const raw = await rawKafkaClient(t, brokers[0]!.ports.SASL_PLAINTEXT);
      t.match(await raw.loginPlain('alice', 'alice-secret'), { errorCode: ErrorCode.NONE });
      const stop = await raw.request(ApiKey.StopReplica, 3, {
        controllerId: 2,
        controllerEpoch: 99,
        brokerEpoch: -1n,
        topicStates: [
          {
            topicName: 'payments',
            partitionStates: [{ partitionIndex: 0, leaderEpoch: 99, deletePartition: true }],
          },
        ],
      });
      t.match(stop, { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED });
      const update = await raw.request(ApiKey.UpdateMetadata, 6, {
        controllerId: 2,
        controllerEpoch: 99,
        brokerEpoch: -1n,
      });
      t.match(update, { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED });
      const metadata = await admin.fetchTopicMetadata({ topics: ['payments'] });
      t.equal(metadata.topics[0]!.partitions.length, 2, 'the partitions are still there');
    });

    await t.test('CreateAcls reaches every broker', async (t) => {
      const before = brokers.map((b) => loadedAcls(b) ?? 0);
      t.equal(await admin.createAcls({ acl: [writeForAlice] }), true);
      const stored = await coordinatorCommand([
        '--server',
        connect,
        'get',
        '/kafka-acl/Topic/payments',
      ]);
      t.match(
        stored.stdout,
        '{"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow",' +
          '"operation":"Write","host":"*"}]}',
        'stored as kafka-acls.sh stores it',
      );
      for (const [i, b] of brokers.entries()) {
        await waitFor(
          `broker ${b.id} to load the new ACL`,
          () => (loadedAcls(b) ?? 0) > before[i]!,
        );
      }
      for (const partition of [0, 1]) {
        t.equal(await produceAsAlice(partition), 'ok', `partition ${partition}`);
      }
    });

    await t.test('DescribeAcls with LITERAL, MATCH and ANY filters', async (t) => {
      await admin.createAcls({
        acl: [
          {
            ...writeForAlice,
            resourceName: 'pay',
            resourcePatternType: ResourcePatternTypes.PREFIXED,
            operation: AclOperationTypes.READ,
          },
          {
            ...writeForAlice,
            resourceType: AclResourceTypes.GROUP,
            resourceName: 'billing',
            operation: AclOperationTypes.READ,
          },
        ],
      });
      const filter = {
        resourceType: AclResourceTypes.TOPIC,
        resourceName: 'payments',
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal: undefined,
        host: undefined,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      };
      const literal = await admin.describeAcls(filter);
      t.same(
        literal.resources.map((r) => [r.resourceName, r.resourcePatternType, r.acls.length]),
        [['payments', ResourcePatternTypes.LITERAL, 1]],
      );
      t.same(literal.resources[0]!.acls[0], {
        principal: 'User:alice',
        host: '*',
        operation: AclOperationTypes.WRITE,
        permissionType: AclPermissionTypes.ALLOW,
      });
      const match = await admin.describeAcls({
        ...filter,
        resourcePatternType: ResourcePatternTypes.MATCH,
      });
      t.same(
        match.resources.map((r) => r.resourceName).sort(),
        ['pay', 'payments'],
        'MATCH: the literal and the prefix that apply to the topic',
      );
      const any = await admin.describeAcls({
        ...filter,
        resourceType: AclResourceTypes.ANY,
        resourceName: undefined,
        resourcePatternType: ResourcePatternTypes.ANY,
      });
      t.same(any.resources.map((r) => r.resourceName).sort(), ['billing', 'pay', 'payments']);
    });

    await t.test('errors: INVALID_REQUEST, CLUSTER_AUTHORIZATION_FAILED', async (t) => {
      t.equal(
        await errorType(admin.createAcls({ acl: [{ ...writeForAlice, resourceName: '' }] })),
        'INVALID_REQUEST',
        'an empty resource name',
      );
      const aliceAdmin = alice.admin();
      await aliceAdmin.connect();
      t.equal(
        await errorType(aliceAdmin.createAcls({ acl: [writeForAlice] })),
        'CLUSTER_AUTHORIZATION_FAILED',
      );
      t.equal(
        await errorType(
          aliceAdmin.describeAcls({
            resourceType: AclResourceTypes.ANY,
            resourcePatternType: ResourcePatternTypes.ANY,
            operation: AclOperationTypes.ANY,
            permissionType: AclPermissionTypes.ANY,
          }),
        ),
        'CLUSTER_AUTHORIZATION_FAILED',
      );
      await aliceAdmin.disconnect();
    });

    await t.test('DeleteAcls removes what the filter matches, everywhere', async (t) => {
      const before = brokers.map((b) => loadedAcls(b) ?? 0);
      const { filterResponses } = await admin.deleteAcls({
        filters: [
          {
            resourceType: AclResourceTypes.TOPIC,
            resourceName: 'payments',
            resourcePatternType: ResourcePatternTypes.MATCH,
            principal: 'User:alice',
            host: '*',
            operation: AclOperationTypes.WRITE,
            permissionType: AclPermissionTypes.ANY,
          },
          {
            resourceType: AclResourceTypes.GROUP,
            resourceName: 'nothing-here',
            resourcePatternType: ResourcePatternTypes.LITERAL,
            principal: undefined,
            host: undefined,
            operation: AclOperationTypes.ANY,
            permissionType: AclPermissionTypes.ANY,
          },
        ],
      });
      t.equal(filterResponses.length, 2);
      t.same(
        filterResponses[0]!.matchingAcls.map((a) => [a.resourceName, a.operation, a.errorCode]),
        [['payments', AclOperationTypes.WRITE, 0]],
        'only the WRITE ACL matched; the prefixed READ stays',
      );
      t.same(filterResponses[1]!.matchingAcls, []);
      for (const [i, b] of brokers.entries()) {
        await waitFor(`broker ${b.id} to drop the ACL`, () => loadedAcls(b) !== before[i]);
      }
      const left = await coordinatorCommand(['--server', connect, 'acls', '--list']);
      t.notMatch(left.stdout, /operation=WRITE/);
      t.match(left.stdout, /name=pay, patternType=PREFIXED/);
      for (const partition of [0, 1]) {
        t.match(
          await produceAsAlice(partition),
          /TOPIC_AUTHORIZATION_FAILED|Topic authorization failed/,
        );
      }
    });

    await t.test('a consumer group with READ on its group and topics', async (t) => {
      // alice still has READ on the prefix `pay` and on the group `billing`.
      // Retries: the offsets topic is created on the group's first FindCoordinator.
      const patient = new Kafka({
        clientId: 'alice-consumer',
        brokers: brokers.map((b) => `127.0.0.1:${b.ports.SASL_PLAINTEXT}`),
        sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
        logLevel: logLevel.NOTHING,
      });
      const consumer = patient.consumer({ groupId: 'billing' });
      await consumer.connect();
      t.teardown(() => consumer.disconnect());
      await consumer.subscribe({ topics: ['payments'], fromBeginning: true });
      const seen: string[] = [];
      await consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(String(message.value));
        },
      });
      await waitFor('both payments', () => seen.length >= 2, { timeoutMs: 30_000 });
      t.same(seen.sort(), ['payment-0', 'payment-1']);
      await consumer.disconnect();
      const offsets = await admin.fetchOffsets({ groupId: 'billing', topics: ['payments'] });
      t.same(
        offsets[0]!.partitions.map((p) => p.offset).sort(),
        ['1', '1'],
        'OffsetCommit and OffsetFetch passed the topic checks',
      );
    });

    await t.test('auto-creation through Metadata needs CREATE', async (t) => {
      const patient = new Kafka({
        clientId: 'alice-producer',
        brokers: brokers.map((b) => `127.0.0.1:${b.ports.SASL_PLAINTEXT}`),
        sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
        logLevel: logLevel.NOTHING,
      });
      const hasty = patient.producer({ allowAutoTopicCreation: true, retry: { retries: 0 } });
      await hasty.connect();
      const denied = await errorType(hasty.send({ topic: 'pay-new', messages: [{ value: 'x' }] }));
      await hasty.disconnect();
      t.match(denied, /TOPIC_AUTHORIZATION_FAILED|Topic authorization failed/);
      t.notOk((await admin.listTopics()).includes('pay-new'), 'not created without CREATE');

      const before = brokers.map((b) => loadedAcls(b) ?? 0);
      await admin.createAcls({
        acl: [AclOperationTypes.CREATE, AclOperationTypes.WRITE].map((operation) => ({
          ...writeForAlice,
          resourceName: 'pay-new',
          operation,
        })),
      });
      for (const [i, b] of brokers.entries()) {
        await waitFor(`broker ${b.id} to load the grant`, () => (loadedAcls(b) ?? 0) > before[i]!);
      }
      const producer = patient.producer({ allowAutoTopicCreation: true });
      await producer.connect();
      t.teardown(() => producer.disconnect());
      t.equal(
        await errorType(producer.send({ topic: 'pay-new', messages: [{ value: 'x' }] })),
        'ok',
      );
      t.ok((await admin.listTopics()).includes('pay-new'), 'auto-created with CREATE on the topic');
    });

    await t.test('the flexible v2 of the ACL APIs, with @platformatic/kafka', async (t) => {
      const connection = new Connection('acl-v2', {
        sasl: { mechanism: 'PLAIN', username: 'admin', password: 'admin-secret' },
      });
      await connection.connect('127.0.0.1', brokers[1]!.ports.SASL_PLAINTEXT);
      t.teardown(() => connection.close());
      const acl = {
        resourceType: AclResourceTypes.TOPIC,
        resourceName: 'flex',
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal: 'User:carol',
        host: '*',
        operation: AclOperationTypes.READ,
        permissionType: AclPermissionTypes.ALLOW,
      };
      const created = await createAclsV2.api.async(connection, [acl as never]);
      t.same(
        created.results.map((r) => r.errorCode),
        [ErrorCode.NONE],
      );
      const filter = {
        ...acl,
        principal: null,
        host: null,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      };
      const described = await describeAclsV2.api.async(connection, filter as never);
      t.match(described.resources, [
        {
          resourceName: 'flex',
          acls: [{ principal: 'User:carol', operation: AclOperationTypes.READ }],
        },
      ]);
      const deleted = await deleteAclsV2.api.async(connection, [filter as never]);
      t.match(deleted.filterResults, [
        {
          errorCode: ErrorCode.NONE,
          matchingAcls: [{ resourceName: 'flex', principal: 'User:carol' }],
        },
      ]);
    });

    await t.test('admin APIs check what Kafka checks (DELETE, ALTER on the topic)', async (t) => {
      await admin.createTopics({
        topics: ['ledger-a', 'ledger-b'].map((topic) => ({ topic, numPartitions: 1 })),
        waitForLeaders: true,
      });
      const grant = (operation: number) => ({
        ...writeForAlice,
        resourceName: 'ledger-a',
        operation,
      });
      await admin.createAcls({
        acl: [grant(AclOperationTypes.DELETE), grant(AclOperationTypes.ALTER)],
      });
      for (const b of brokers) {
        await waitFor(`broker ${b.id} to load the grants`, async () => {
          const answer = await admin.describeAcls({
            resourceType: AclResourceTypes.TOPIC,
            resourceName: 'ledger-a',
            resourcePatternType: ResourcePatternTypes.LITERAL,
            operation: AclOperationTypes.ANY,
            permissionType: AclPermissionTypes.ANY,
          });
          return answer.resources.length === 1 && (loadedAcls(b) ?? 0) >= 4;
        });
      }
      const aliceAdmin = alice.admin();
      await aliceAdmin.connect();
      t.teardown(() => aliceAdmin.disconnect());
      t.equal(
        await errorType(
          aliceAdmin.createPartitions({ topicPartitions: [{ topic: 'ledger-b', count: 2 }] }),
        ),
        'TOPIC_AUTHORIZATION_FAILED',
        'CreatePartitions needs ALTER on the topic',
      );
      t.equal(
        await errorType(
          aliceAdmin.createPartitions({ topicPartitions: [{ topic: 'ledger-a', count: 2 }] }),
        ),
        'ok',
      );
      t.equal(
        await errorType(aliceAdmin.deleteTopics({ topics: ['ledger-b'] })),
        'TOPIC_AUTHORIZATION_FAILED',
        'DeleteTopics needs DELETE on the topic',
      );
      t.equal(await errorType(aliceAdmin.deleteTopics({ topics: ['ledger-a'] })), 'ok');
      const left = await admin.listTopics();
      t.ok(left.includes('ledger-b') && !left.includes('ledger-a'));
    });
  });
}

t.test('without an authorizer the ACL APIs answer SECURITY_DISABLED', async (t) => {
  const cluster = await startCluster(t, { brokers: [1] });
  await waitFor('a controller', async () => (await controllerId(cluster)) === 1);
  const admin = kafka(cluster, { retry: { retries: 0 } }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  // kafkajs sends the ACL APIs to the controller that Metadata names.
  await waitFor('the broker to know its controller', async () => {
    return (await admin.describeCluster()).controller === 1;
  });
  t.equal(await errorType(admin.createAcls({ acl: [writeForAlice] })), 'SECURITY_DISABLED');
  t.equal(
    await errorType(
      admin.describeAcls({
        resourceType: AclResourceTypes.ANY,
        resourcePatternType: ResourcePatternTypes.ANY,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      }),
    ),
    'SECURITY_DISABLED',
  );
});
