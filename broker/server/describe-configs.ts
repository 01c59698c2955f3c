/**
 * DescribeConfigs (API key 32): the configuration of a topic or of a broker, each entry with
 * its value, where the value comes from (its "source") and, on request, its synonyms (every
 * layer that sets it, most specific first). Modelled on Kafka's `ConfigHelper.describeConfigs`
 * (2.8, ZooKeeper mode). The layers and their sources are config-repository.ts's:
 *
 *   retention.ms       (topic override, /config/topics/T)    DYNAMIC_TOPIC_CONFIG           1
 *   log.retention.ms   (/config/brokers/<id>)                DYNAMIC_BROKER_CONFIG          2
 *   log.retention.ms   (/config/brokers/<default>)           DYNAMIC_DEFAULT_BROKER_CONFIG  3
 *   log.retention.hours (server.properties)                  STATIC_BROKER_CONFIG           4
 *   log.retention.ms   (Kafka's built-in default)            DEFAULT_CONFIG                 5
 *
 * Wire versions: v0 has only an `is_default` flag; v1+ have `config_source` and the synonyms
 * list (when include_synonyms); v2 is v1 (throttling on quota). Resource types: 2 = TOPIC,
 * 4 = BROKER (name = a broker id, or "" for the cluster-wide <default> entity); others
 * (8 = BROKER_LOGGER) are answered INVALID_REQUEST, as a broker without that feature would.
 *
 * A broker resource lists the properties Samsa honours plus every other property the
 * operator set; `read_only` is false for the ones a dynamic change applies at once.
 *
 * Pure: reads the ConfigRepository, returns the result.
 */
import type { DescribeConfigsResult } from '../../src/protocol/kafka/generated/describe-configs.js';
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import { TOPIC_CONFIGS } from '../../src/kafka-config/topic-configs.js';
import type { LogConfig } from '../log/log-config.js';
import {
  ConfigRepository,
  ConfigSource,
  LIVE_BROKER_CONFIGS,
  type ConfigSynonym,
} from './config-repository.js';

export { ConfigSource } from './config-repository.js';

export const ConfigResourceType = { TOPIC: 2, BROKER: 4 } as const;

/** The broker settings the admin handlers need, and the repository of every config value. */
export interface BrokerConfigView {
  brokerId: number;
  numPartitions: number;
  defaultReplicationFactor: number;
  autoCreateTopicsEnable: boolean;
  deleteTopicEnable: boolean;
  minInsyncReplicas: number;
  /** The log.* defaults every topic starts from (used when no repository is given). */
  logDefaults: LogConfig;
  /** Every config value in its layers; main.ts gives the live one. Tests and benchmarks
   *  may leave it out: then the static settings above are all there is. */
  repository?: ConfigRepository;
}

/** The view's repository, or one holding only its static settings. */
export function repositoryOf(view: BrokerConfigView): ConfigRepository {
  return (
    view.repository ??
    new ConfigRepository({
      brokerId: view.brokerId,
      log: view.logDefaults,
      minInsyncReplicas: view.minInsyncReplicas,
      uncleanLeaderElectionEnable: false,
      properties: new Map([
        ['broker.id', String(view.brokerId)],
        ['num.partitions', String(view.numPartitions)],
        ['default.replication.factor', String(view.defaultReplicationFactor)],
        ['auto.create.topics.enable', String(view.autoCreateTopicsEnable)],
        ['delete.topic.enable', String(view.deleteTopicEnable)],
        ['min.insync.replicas', String(view.minInsyncReplicas)],
      ]),
      staticProperties: new Map(),
    })
  );
}

type ResourceResult = Encodable<DescribeConfigsResult>;

interface DescribeOptions {
  apiVersion: number;
  includeSynonyms: boolean;
  keys: readonly string[] | null;
}

/** Passwords are never shown (Kafka's isSensitive): the value goes out as null. */
const isSensitive = (name: string): boolean =>
  /password|jaas\.config|secret|ssl\.keystore\.key$/.test(name);

/** One DescribeConfigs entry. */
function entry(
  name: string,
  value: string | null,
  synonyms: ConfigSynonym[],
  options: DescribeOptions & { readOnly: boolean },
) {
  const source = synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG;
  const sensitive = isSensitive(name);
  return {
    name,
    value: sensitive ? null : value,
    readOnly: options.readOnly,
    isDefault: source === ConfigSource.DEFAULT_CONFIG,
    configSource: source,
    isSensitive: sensitive,
    synonyms:
      options.apiVersion >= 1 && options.includeSynonyms
        ? synonyms.map((s) => ({ ...s, value: sensitive ? null : s.value }))
        : [],
  };
}

/** The configs of `topic` (its overrides already in the repository). */
export function describeTopicConfigs(
  repository: ConfigRepository,
  topic: string,
  options: DescribeOptions,
) {
  return Object.keys(TOPIC_CONFIGS)
    .filter((name) => options.keys === null || options.keys.includes(name))
    .map((name) =>
      entry(
        name,
        repository.topicConfigValue(topic, name) ?? null,
        repository.topicConfigSynonyms(topic, name),
        { ...options, readOnly: false },
      ),
    );
}

/**
 * The configs of this broker (`own`) or of the cluster-wide default entity (`default`:
 * only the values set there, as Kafka shows them).
 */
export function describeBrokerConfigs(
  repository: ConfigRepository,
  entity: 'own' | 'default',
  options: DescribeOptions,
) {
  const names =
    entity === 'default'
      ? new Set(Object.keys(repository.brokerConfig('default')))
      : new Set([
          ...repository.static.properties.keys(),
          ...repository.static.staticProperties.keys(),
          ...Object.keys(repository.brokerConfig('default')),
          ...Object.keys(repository.brokerConfig('own')),
        ]);
  return [...names]
    .sort()
    .filter((name) => options.keys === null || options.keys.includes(name))
    .map((name) => {
      const synonyms =
        entity === 'default'
          ? [
              {
                name,
                value: repository.brokerConfig('default')[name]!,
                source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
              },
            ]
          : repository.brokerConfigSynonyms(name);
      return entry(name, synonyms[0]?.value ?? null, synonyms, {
        ...options,
        readOnly: !LIVE_BROKER_CONFIGS.has(name),
      });
    });
}

/** Builds one resource's result, with the error Kafka gives for resources it cannot find. */
export function describeResource(
  resource: { resourceType: number; resourceName: string; configurationKeys: string[] | null },
  context: {
    broker: BrokerConfigView;
    apiVersion: number;
    includeSynonyms: boolean;
    /** Whether the topic exists (the metadata cache or the coordinator knows it). */
    topicExists: (topic: string) => boolean;
    topicNameError: (topic: string) => string | undefined;
    /** The topic's overrides as just read from the coordinator; undefined: the ones in the
     *  repository. */
    topicOverrides?: (topic: string) => Readonly<Record<string, string>> | undefined;
  },
): ResourceResult {
  const { resourceType, resourceName } = resource;
  const base = { resourceType, resourceName, configs: [] };
  const options = {
    apiVersion: context.apiVersion,
    includeSynonyms: context.includeSynonyms,
    keys: resource.configurationKeys,
  };
  const repository = repositoryOf(context.broker);
  switch (resourceType) {
    case ConfigResourceType.TOPIC: {
      const invalid = context.topicNameError(resourceName);
      if (invalid !== undefined)
        return { ...base, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: invalid };
      const fresh = context.topicOverrides?.(resourceName);
      if (!context.topicExists(resourceName)) {
        return {
          ...base,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          errorMessage: `topic ${resourceName} does not exist`,
        };
      }
      return {
        ...base,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        configs: describeTopicConfigs(
          fresh === undefined ? repository : repository.withTopicOverrides(resourceName, fresh),
          resourceName,
          options,
        ),
      };
    }
    case ConfigResourceType.BROKER: {
      const entity = brokerEntity(resourceName, context.broker.brokerId);
      if (entity === undefined) {
        return {
          ...base,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage:
            `unexpected broker id ${resourceName}: broker ${context.broker.brokerId} ` +
            'only describes itself and the default ("")',
        };
      }
      return {
        ...base,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        configs: describeBrokerConfigs(repository, entity, options),
      };
    }
    default:
      return {
        ...base,
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: `unsupported resource type ${resourceType}`,
      };
  }
}

/** "" is the cluster-wide default entity; a broker answers for itself only (as Kafka). */
export function brokerEntity(
  resourceName: string,
  brokerId: number,
): 'own' | 'default' | undefined {
  if (resourceName === '') return 'default';
  if (resourceName === String(brokerId)) return 'own';
  return undefined;
}
