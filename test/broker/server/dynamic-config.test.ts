/**
 * Dynamic configuration end to end: three real brokers and a coordinator. A config change
 * made with AlterConfigs (kafkajs), IncrementalAlterConfigs (@platformatic/kafka) and
 * `coordinator configs` reaches every broker without a restart: each broker's own
 * DescribeConfigs answer shows the new value with its source, a follower's log rolls at the
 * new segment.bytes, and the leader refuses a batch over the new max.message.bytes.
 */
import * as fs from 'node:fs';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { Admin } from '@platformatic/kafka';
import { KafkaClient } from '../../../src/kafka-client.js';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import {
  cli,
  createTopic,
  startCluster,
  waitFor,
  type Cluster,
} from '../../helpers/replication-cluster.js';

const TOPIC = 2;
const BROKER = 4;

/** Each broker's own answer for one topic config: [value, source] per broker id. */
async function describeEverywhere(
  client: KafkaClient,
  resourceType: number,
  resourceName: (id: number) => string,
  key: string,
): Promise<Map<number, [string | null, number]>> {
  const result = new Map<number, [string | null, number]>();
  for (const { nodeId } of client.brokers) {
    const response = await client.send(nodeId, ApiKey.DescribeConfigs, 1, {
      resources: [{ resourceType, resourceName: resourceName(nodeId), configurationKeys: [key] }],
      includeSynonyms: true,
    });
    const config = response.results[0]!.configs[0]!;
    result.set(nodeId, [config.value, config.configSource]);
  }
  return result;
}

function waitEverywhere(
  client: KafkaClient,
  what: string,
  query: { resourceType: number; name: (id: number) => string; key: string },
  expected: [string, number] | ((id: number) => [string, number]),
) {
  const want = typeof expected === 'function' ? expected : () => expected;
  return waitFor(what, async () => {
    const seen = await describeEverywhere(client, query.resourceType, query.name, query.key);
    const all = [...seen].every(([id, [v, s]]) => v === want(id)[0] && s === want(id)[1]);
    return all && seen.size === 3 ? seen : undefined;
  });
}

function logFiles(cluster: Cluster, id: number, dir: string): number {
  const path = `${cluster.dir}/broker-${id}/${dir}`;
  return fs.existsSync(path) ? fs.readdirSync(path).filter((f) => f.endsWith('.log')).length : 0;
}

t.test('config changes reach every broker live, with their source', async (t) => {
  const cluster = await startCluster(t, []);
  await createTopic(cluster, 'cfg', 1);
  const client = new KafkaClient(
    [...cluster.brokers.values()].map((b) => ({ nodeId: b.id, host: '127.0.0.1', port: b.port })),
  );
  t.teardown(() => client.close());
  const topic = { resourceType: TOPIC, name: () => 'cfg' };

  // 1. AlterConfigs with kafkajs. validate_only first: nothing changes.
  const kafka = new Kafka({
    clientId: 'dynamic-config',
    brokers: cluster.bootstrap().split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const configEntries = [
    { name: 'segment.bytes', value: '1024' },
    { name: 'max.message.bytes', value: '2000' },
  ];
  await admin.alterConfigs({
    validateOnly: true,
    resources: [{ type: TOPIC, name: 'cfg', configEntries }],
  });
  const before = await describeEverywhere(client, TOPIC, () => 'cfg', 'segment.bytes');
  t.same([...before.values()][0], ['1073741824', 5], 'validate_only changed nothing');
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: TOPIC, name: 'cfg', configEntries }],
  });
  // Read after write: every broker describes a topic from the coordinator (as Kafka 2.8
  // does), so the change shows at once, before the brokers have applied it.
  t.same(
    [...(await describeEverywhere(client, TOPIC, () => 'cfg', 'segment.bytes')).values()],
    [
      ['1024', 1],
      ['1024', 1],
      ['1024', 1],
    ],
    'right after AlterConfigs every broker describes the new value',
  );
  await waitEverywhere(
    client,
    'segment.bytes=1024 on every broker',
    {
      ...topic,
      key: 'segment.bytes',
    },
    ['1024', 1],
  );
  const described = await admin.describeConfigs({
    resources: [{ type: TOPIC, name: 'cfg', configNames: ['max.message.bytes'] }],
    includeSynonyms: true,
  });
  const entry = described.resources[0]!.configEntries[0]!;
  t.equal(entry.configValue, '2000', 'kafkajs describeConfigs sees the override');
  t.same(
    entry.configSynonyms.map((s) => [s.configName, s.configSource]),
    [
      ['max.message.bytes', 1],
      ['message.max.bytes', 5],
    ],
    'synonyms: the topic override, then the default',
  );

  // The new segment.bytes is applied on the leader and on both followers: each log rolls.
  // acks=all, one record at a time, so that every follower fetch carries one small batch
  // (a fetch larger than segment.bytes would be refused, as in Kafka).
  const producer = kafka.producer({ retry: { retries: 0 } });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  for (let i = 0; i < 12; i++) {
    await producer.send({
      topic: 'cfg',
      acks: -1,
      messages: [{ value: `r${i}-${'x'.repeat(300)}` }],
    });
  }
  await waitFor('every replica rolled at 1024 bytes', async () =>
    [1, 2, 3].every((id) => logFiles(cluster, id, 'cfg-0') > 2) ? true : undefined,
  );
  t.ok(
    [1, 2, 3].every((id) => logFiles(cluster, id, 'cfg-0') > 2),
    'every replica has several segments',
  );

  // An unknown name and a bad value: INVALID_CONFIG naming the key.
  const bad = await client.send(1, ApiKey.AlterConfigs, 0, {
    resources: [
      {
        resourceType: TOPIC,
        resourceName: 'cfg',
        configs: [{ name: 'retention.msec', value: '5' }],
      },
      {
        resourceType: TOPIC,
        resourceName: 'cfg',
        configs: [{ name: 'min.cleanable.dirty.ratio', value: '2' }],
      },
    ],
    validateOnly: false,
  });
  t.equal(bad.responses[0]!.errorCode, ErrorCode.INVALID_CONFIG);
  t.match(bad.responses[0]!.errorMessage, /retention\.msec.*did you mean retention\.ms/);
  t.equal(bad.responses[1]!.errorCode, ErrorCode.INVALID_CONFIG);
  t.match(bad.responses[1]!.errorMessage, /min\.cleanable\.dirty\.ratio: 2 is not in the range/);

  // 2. IncrementalAlterConfigs with @platformatic/kafka: a dynamic default for every broker.
  const platformatic = new Admin({
    clientId: 'dynamic-config',
    bootstrapBrokers: cluster.bootstrap().split(','),
    retries: 5,
  });
  t.teardown(() => platformatic.close());
  // One broker's own setting (/config/brokers/2), then the default of every broker
  // (/config/brokers/<default>, resource name ""): broker 2's own value wins there.
  await platformatic.incrementalAlterConfigs({
    resources: [
      {
        resourceType: BROKER,
        resourceName: '2',
        configs: [{ name: 'log.retention.ms', configOperation: 0, value: '4000000' }],
      },
    ],
  });
  await waitEverywhere(
    client,
    'retention.ms on broker 2 only',
    { ...topic, key: 'retention.ms' },
    (id) => (id === 2 ? ['4000000', 2] : ['604800000', 5]),
  );
  const toDefault = await client.send(1, ApiKey.IncrementalAlterConfigs, 0, {
    resources: [
      {
        resourceType: BROKER,
        resourceName: '',
        configs: [{ name: 'log.retention.ms', configOperation: 0, value: '5000000' }],
      },
    ],
    validateOnly: false,
  });
  t.equal(toDefault.responses[0]!.errorCode, ErrorCode.NONE);
  await waitEverywhere(
    client,
    'retention.ms from the broker default, except on broker 2',
    { ...topic, key: 'retention.ms' },
    (id) => (id === 2 ? ['4000000', 2] : ['5000000', 3]),
  );
  await waitEverywhere(
    client,
    'log.retention.ms on each broker resource',
    { resourceType: BROKER, name: (id) => String(id), key: 'log.retention.ms' },
    (id) => (id === 2 ? ['4000000', 2] : ['5000000', 3]),
  );
  await platformatic.incrementalAlterConfigs({
    resources: [
      {
        resourceType: TOPIC,
        resourceName: 'cfg',
        configs: [{ name: 'cleanup.policy', configOperation: 2, value: 'compact' }],
      },
    ],
  });
  await waitEverywhere(
    client,
    'cleanup.policy appended',
    {
      ...topic,
      key: 'cleanup.policy',
    },
    ['delete,compact', 1],
  );
  const readOnly = await client.send(2, ApiKey.IncrementalAlterConfigs, 0, {
    resources: [
      {
        resourceType: BROKER,
        resourceName: '2',
        configs: [{ name: 'log.dirs', configOperation: 0, value: '/x' }],
      },
    ],
    validateOnly: false,
  });
  t.equal(readOnly.responses[0]!.errorCode, ErrorCode.INVALID_REQUEST, 'log.dirs is read-only');

  // 3. `coordinator configs`, like kafka-configs.sh --zookeeper.
  await cli(cluster, [
    'configs',
    '--entity-type',
    'topics',
    '--entity-name',
    'cfg',
    '--alter',
    '--add-config',
    'max.message.bytes=5000,retention.ms=7000000',
    '--delete-config',
    'segment.bytes',
  ]);
  await waitEverywhere(
    client,
    'max.message.bytes=5000 from the CLI',
    {
      ...topic,
      key: 'max.message.bytes',
    },
    ['5000', 1],
  );
  await waitEverywhere(
    client,
    'segment.bytes back to its default',
    {
      ...topic,
      key: 'segment.bytes',
    },
    ['1073741824', 5],
  );
  // The new max.message.bytes: a 6000-byte record is refused by the leader.
  const tooLarge = await producer
    .send({ topic: 'cfg', acks: 1, messages: [{ value: 'y'.repeat(6000) }] })
    .then(
      () => 'accepted',
      (err: { type?: string }) => err.type,
    );
  t.equal(tooLarge, 'MESSAGE_TOO_LARGE', 'the leader applies max.message.bytes=5000');
  const [accepted] = await producer.send({
    topic: 'cfg',
    acks: -1,
    // Keyed: cleanup.policy is delete,compact now, and a compacted topic refuses keyless
    // records (INVALID_RECORD), as Kafka 2.8 does.
    messages: [{ key: 'k', value: 'z'.repeat(4000) }],
  });
  t.equal(accepted?.errorCode, ErrorCode.NONE, 'a 4000-byte record is accepted');

  const { stdout } = await cli(cluster, [
    'configs',
    '--entity-type',
    'topics',
    '--entity-name',
    'cfg',
    '--describe',
  ]);
  t.match(stdout, /Configs for topic 'cfg' are .*max\.message\.bytes=5000/);
  const described2 = await cli(cluster, ['topics', 'describe', 'cfg']);
  t.match(described2.stdout, /Configs: .*retention\.ms=7000000/, 'topics describe shows them');
  await t.rejects(
    cli(cluster, [
      'configs',
      '--entity-type',
      'topics',
      '--entity-name',
      'cfg',
      '--alter',
      '--add-config',
      'segment.byte=100',
    ]),
    /did you mean segment\.bytes/,
  );
  await cli(cluster, [
    'configs',
    '--entity-type',
    'brokers',
    '--entity-default',
    '--alter',
    '--add-config',
    'min.insync.replicas=2',
  ]);
  await waitEverywhere(
    client,
    'min.insync.replicas=2 from the brokers default',
    {
      ...topic,
      key: 'min.insync.replicas',
    },
    ['2', 3],
  );
});
