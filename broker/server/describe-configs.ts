/**
 * DescribeConfigs (API key 32): the configuration of a topic or of a broker, each entry with
 * its value, where the value comes from (its "source") and, on request, its synonyms (the
 * other names that could have set it, most specific first). Modelled on Kafka's
 * `ConfigHelper.describeConfigs` (2.8, ZooKeeper mode).
 *
 * A topic config has up to three layers (KIP-226 calls the list of them "synonyms"):
 *
 *   retention.ms  (topic override, in the coordinator)   source DYNAMIC_TOPIC_CONFIG  (1)
 *   log.retention.ms (the broker's static config)        source STATIC_BROKER_CONFIG  (4)
 *   Kafka's built-in default                             source DEFAULT_CONFIG        (5)
 *
 * and the value shown is the first layer that is set. Wire versions: v0 has only an
 * `is_default` flag; v1+ have `config_source` and the synonyms list (when include_synonyms);
 * v2 is v1 (throttling on quota). Resource types: 2 = TOPIC, 4 = BROKER; others (8 =
 * BROKER_LOGGER) are answered INVALID_REQUEST, as a broker without that feature would.
 *
 * Pure: takes the broker's effective values and the topic's overrides, returns the result.
 */
import type { DescribeConfigsResult } from '../../src/protocol/kafka/generated/describe-configs.js';
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import type { LogConfig } from '../log/log-config.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';

export const ConfigResourceType = { TOPIC: 2, BROKER: 4 } as const;

export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

/** Kafka's Long.MAX_VALUE, shown for settings that are "never" (our `Infinity`). */
const LONG_MAX = '9223372036854775807';

/** The broker settings that DescribeConfigs shows; main.ts fills them from its config. */
export interface BrokerConfigView {
  brokerId: number;
  numPartitions: number;
  defaultReplicationFactor: number;
  autoCreateTopicsEnable: boolean;
  deleteTopicEnable: boolean;
  minInsyncReplicas: number;
  /** The log.* defaults every topic starts from (message.max.bytes is maxMessageBytes). */
  logDefaults: LogConfig;
  /** Other settings the operator gave (listeners, log.dirs, ...), shown as static. */
  otherStatic?: Readonly<Record<string, string>>;
}

interface TopicConfigDef {
  /** The topic-level name. */
  name: string;
  /** The broker-level name whose value is the topic's default. */
  brokerName: string;
  /** Kafka's built-in default. */
  kafkaDefault: string;
  /** The broker's effective value, or undefined when the broker has no such setting. */
  brokerValue?: (b: BrokerConfigView) => string;
}

const ms = (n: number): string => (Number.isFinite(n) ? String(n) : LONG_MAX);

/** Topic configs with Kafka 2.8 defaults (Kafka's LogConfig). */
const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  { name: 'cleanup.policy', brokerName: 'log.cleanup.policy', kafkaDefault: 'delete' },
  { name: 'compression.type', brokerName: 'compression.type', kafkaDefault: 'producer' },
  {
    name: 'delete.retention.ms',
    brokerName: 'log.cleaner.delete.retention.ms',
    kafkaDefault: '86400000',
  },
  {
    name: 'file.delete.delay.ms',
    brokerName: 'log.segment.delete.delay.ms',
    kafkaDefault: '60000',
  },
  {
    name: 'flush.messages',
    brokerName: 'log.flush.interval.messages',
    kafkaDefault: LONG_MAX,
    brokerValue: (b) => ms(b.logDefaults.flushIntervalMessages),
  },
  {
    name: 'flush.ms',
    brokerName: 'log.flush.interval.ms',
    kafkaDefault: LONG_MAX,
    brokerValue: (b) => ms(b.logDefaults.flushIntervalMs),
  },
  {
    name: 'index.interval.bytes',
    brokerName: 'log.index.interval.bytes',
    kafkaDefault: '4096',
    brokerValue: (b) => String(b.logDefaults.indexIntervalBytes),
  },
  {
    name: 'max.compaction.lag.ms',
    brokerName: 'log.cleaner.max.compaction.lag.ms',
    kafkaDefault: LONG_MAX,
  },
  {
    name: 'max.message.bytes',
    brokerName: 'message.max.bytes',
    kafkaDefault: '1048588',
    brokerValue: (b) => String(b.logDefaults.maxMessageBytes),
  },
  {
    name: 'message.timestamp.difference.max.ms',
    brokerName: 'log.message.timestamp.difference.max.ms',
    kafkaDefault: LONG_MAX,
  },
  {
    name: 'message.timestamp.type',
    brokerName: 'log.message.timestamp.type',
    kafkaDefault: 'CreateTime',
    brokerValue: (b) => b.logDefaults.messageTimestampType,
  },
  {
    name: 'min.cleanable.dirty.ratio',
    brokerName: 'log.cleaner.min.cleanable.ratio',
    kafkaDefault: '0.5',
  },
  {
    name: 'min.compaction.lag.ms',
    brokerName: 'log.cleaner.min.compaction.lag.ms',
    kafkaDefault: '0',
  },
  {
    name: 'min.insync.replicas',
    brokerName: 'min.insync.replicas',
    kafkaDefault: '1',
    brokerValue: (b) => String(b.minInsyncReplicas),
  },
  { name: 'preallocate', brokerName: 'log.preallocate', kafkaDefault: 'false' },
  {
    name: 'retention.bytes',
    brokerName: 'log.retention.bytes',
    kafkaDefault: '-1',
    brokerValue: (b) => String(b.logDefaults.retentionBytes),
  },
  {
    name: 'retention.ms',
    brokerName: 'log.retention.ms',
    kafkaDefault: '604800000',
    brokerValue: (b) => String(b.logDefaults.retentionMs),
  },
  {
    name: 'segment.bytes',
    brokerName: 'log.segment.bytes',
    kafkaDefault: '1073741824',
    brokerValue: (b) => String(b.logDefaults.segmentBytes),
  },
  {
    name: 'segment.index.bytes',
    brokerName: 'log.index.size.max.bytes',
    kafkaDefault: '10485760',
    brokerValue: (b) => String(b.logDefaults.maxIndexBytes),
  },
  {
    name: 'segment.jitter.ms',
    brokerName: 'log.roll.jitter.ms',
    kafkaDefault: '0',
    brokerValue: (b) => String(b.logDefaults.segmentJitterMs),
  },
  {
    name: 'segment.ms',
    brokerName: 'log.roll.ms',
    kafkaDefault: '604800000',
    brokerValue: (b) => ms(b.logDefaults.segmentMs),
  },
  {
    name: 'unclean.leader.election.enable',
    brokerName: 'unclean.leader.election.enable',
    kafkaDefault: 'false',
  },
];

/** Broker configs shown for a BROKER resource: name, Kafka default, our value. */
function brokerEntries(
  b: BrokerConfigView,
): { name: string; kafkaDefault: string | null; value: string }[] {
  const entries: { name: string; kafkaDefault: string | null; value: string }[] = [
    { name: 'broker.id', kafkaDefault: '-1', value: String(b.brokerId) },
    { name: 'num.partitions', kafkaDefault: '1', value: String(b.numPartitions) },
    {
      name: 'default.replication.factor',
      kafkaDefault: '1',
      value: String(b.defaultReplicationFactor),
    },
    {
      name: 'auto.create.topics.enable',
      kafkaDefault: 'true',
      value: String(b.autoCreateTopicsEnable),
    },
    { name: 'delete.topic.enable', kafkaDefault: 'true', value: String(b.deleteTopicEnable) },
  ];
  for (const def of TOPIC_CONFIGS) {
    entries.push({
      name: def.brokerName,
      kafkaDefault: def.kafkaDefault,
      value: def.brokerValue?.(b) ?? def.kafkaDefault,
    });
  }
  for (const [name, value] of Object.entries(b.otherStatic ?? {})) {
    if (!entries.some((e) => e.name === name)) entries.push({ name, kafkaDefault: null, value });
  }
  return entries.sort((x, y) => x.name.localeCompare(y.name));
}

interface Synonym {
  name: string;
  value: string;
  source: number;
}

type ResourceResult = Encodable<DescribeConfigsResult>;

/** One DescribeConfigs entry from its synonyms (most specific first, never empty). */
function entry(
  name: string,
  synonyms: Synonym[],
  options: { apiVersion: number; includeSynonyms: boolean; readOnly: boolean },
) {
  const winner = synonyms[0]!;
  return {
    name,
    value: winner.value,
    readOnly: options.readOnly,
    isDefault: winner.source === ConfigSource.DEFAULT_CONFIG,
    configSource: winner.source,
    isSensitive: false,
    synonyms: options.apiVersion >= 1 && options.includeSynonyms ? synonyms : [],
  };
}

/** The configs of `topic`, given its overrides (from the coordinator; {} when none). */
export function describeTopicConfigs(
  broker: BrokerConfigView,
  overrides: Readonly<Record<string, string>>,
  options: { apiVersion: number; includeSynonyms: boolean; keys: readonly string[] | null },
) {
  const defs = TOPIC_CONFIGS.filter((d) => options.keys === null || options.keys.includes(d.name));
  return defs.map((def) => {
    const synonyms: Synonym[] = [];
    const override = overrides[def.name];
    if (override !== undefined) {
      synonyms.push({ name: def.name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    }
    const brokerValue = def.brokerValue?.(broker);
    if (brokerValue !== undefined && brokerValue !== def.kafkaDefault) {
      synonyms.push({
        name: def.brokerName,
        value: brokerValue,
        source: ConfigSource.STATIC_BROKER_CONFIG,
      });
    }
    synonyms.push({
      name: def.brokerName,
      value: def.kafkaDefault,
      source: ConfigSource.DEFAULT_CONFIG,
    });
    return entry(def.name, synonyms, { ...options, readOnly: false });
  });
}

/** The configs of this broker. Static configs are read-only: changing them needs a restart. */
export function describeBrokerConfigs(
  broker: BrokerConfigView,
  options: { apiVersion: number; includeSynonyms: boolean; keys: readonly string[] | null },
) {
  return brokerEntries(broker)
    .filter((e) => options.keys === null || options.keys.includes(e.name))
    .map((e) => {
      const source =
        e.kafkaDefault === e.value
          ? ConfigSource.DEFAULT_CONFIG
          : ConfigSource.STATIC_BROKER_CONFIG;
      return entry(e.name, [{ name: e.name, value: e.value, source }], {
        ...options,
        readOnly: true,
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
    /** The topic's overrides, or undefined when the topic does not exist. */
    topicOverrides: (topic: string) => Readonly<Record<string, string>> | undefined;
    topicNameError: (topic: string) => string | undefined;
  },
): ResourceResult {
  const { resourceType, resourceName } = resource;
  const base = { resourceType, resourceName, configs: [] };
  const options = {
    apiVersion: context.apiVersion,
    includeSynonyms: context.includeSynonyms,
    keys: resource.configurationKeys,
  };
  switch (resourceType) {
    case ConfigResourceType.TOPIC: {
      const invalid = context.topicNameError(resourceName);
      if (invalid !== undefined)
        return { ...base, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: invalid };
      const overrides = context.topicOverrides(resourceName);
      if (overrides === undefined) {
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
        configs: describeTopicConfigs(context.broker, overrides, options),
      };
    }
    case ConfigResourceType.BROKER: {
      // An empty name means the cluster-wide defaults, which equal our static values here.
      if (resourceName !== '' && resourceName !== String(context.broker.brokerId)) {
        return {
          ...base,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage:
            `unexpected broker id ${resourceName}: ` +
            `broker ${context.broker.brokerId} only describes itself`,
        }; // INVALID_REQUEST
      }
      return {
        ...base,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        configs: describeBrokerConfigs(context.broker, options),
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
