/**
 * DescribeConfigs' answer for a topic (describe-configs.ts), driven directly: the overrides
 * read from the coordinator for this request win over the ones the broker has applied, so an
 * AlterConfigs answered a moment ago shows at once (Kafka 2.8 reads ZooKeeper here too).
 */
import t from 'tap';
import { logConfig } from '../../../broker/log/log-config.js';
import { ConfigRepository } from '../../../broker/server/config-repository.js';
import {
  ConfigResourceType,
  ConfigSource,
  describeResource,
  type BrokerConfigView,
} from '../../../broker/server/describe-configs.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';

function view(): BrokerConfigView {
  const log = logConfig();
  const repository = new ConfigRepository({
    brokerId: 1,
    log,
    minInsyncReplicas: 1,
    uncleanLeaderElectionEnable: false,
    properties: new Map(),
    staticProperties: new Map(),
  });
  // What this broker has applied so far: retention.ms=1000 on `orders`.
  repository.setTopicOverrides('orders', { 'retention.ms': '1000' });
  return {
    brokerId: 1,
    numPartitions: 1,
    defaultReplicationFactor: 1,
    autoCreateTopicsEnable: false,
    deleteTopicEnable: true,
    minInsyncReplicas: 1,
    logDefaults: log,
    repository,
  };
}

function describe(
  broker: BrokerConfigView,
  topic: string,
  fresh: Record<string, Record<string, string>> | undefined,
) {
  return describeResource(
    {
      resourceType: ConfigResourceType.TOPIC,
      resourceName: topic,
      configurationKeys: ['retention.ms', 'cleanup.policy'],
    },
    {
      broker,
      apiVersion: 1,
      includeSynonyms: true,
      topicExists: (name) => name === 'orders' || name === 'payments',
      topicNameError: () => undefined,
      topicOverrides: fresh === undefined ? undefined : (name) => fresh[name],
    },
  );
}

const valueOf = (result: ReturnType<typeof describe>, name: string) => {
  const config = (result.configs ?? []).find((c) => c.name === name)!;
  return [config.value, config.configSource];
};

t.test('without a fresh read, the applied overrides are described', async (t) => {
  const result = describe(view(), 'orders', undefined);
  t.equal(result.errorCode, ErrorCode.NONE);
  t.same(valueOf(result, 'retention.ms'), ['1000', ConfigSource.DYNAMIC_TOPIC_CONFIG]);
});

t.test('the overrides just read from the coordinator win over the applied ones', async (t) => {
  const broker = view();
  const result = describe(broker, 'orders', {
    orders: { 'retention.ms': '2000', 'cleanup.policy': 'compact' },
  });
  t.same(valueOf(result, 'retention.ms'), ['2000', ConfigSource.DYNAMIC_TOPIC_CONFIG]);
  t.same(valueOf(result, 'cleanup.policy'), ['compact', ConfigSource.DYNAMIC_TOPIC_CONFIG]);
  // A removed override is gone at once too.
  const removed = describe(broker, 'orders', { orders: {} });
  t.same(valueOf(removed, 'retention.ms'), ['604800000', ConfigSource.DEFAULT_CONFIG]);
  // The broker's own layers are untouched by the answer.
  t.same(broker.repository!.topicOverrides('orders'), { 'retention.ms': '1000' });
});

t.test('a topic the broker does not know stays unknown', async (t) => {
  const result = describe(view(), 'nope', { nope: { 'retention.ms': '5' } });
  t.equal(result.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  t.same(result.configs, []);
});
