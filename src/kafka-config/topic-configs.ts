/**
 * Kafka 2.8's topic-level configs (kafka.log.LogConfig): for each, its type and validator,
 * Kafka's built-in default, and its broker synonyms: the broker properties that supply the
 * value when the topic has no override, most specific first (LogConfig.TopicConfigSynonyms
 * plus the `.minutes`/`.hours` forms, as DescribeConfigs lists them, KIP-226).
 *
 * An override lives in /config/topics/<topic> as a string; `topicConfigError` checks a set of
 * overrides the way `AdminZkClient.validateTopicConfig` does (known name, valid value), for
 * CreateTopics, AlterConfigs and `coordinator configs`.
 *
 * `honoured` says whether Samsa acts on the setting (docs/broker.md lists them); the others
 * (preallocate, message.format.version, ...) are valid Kafka configs that are stored and
 * described but have no effect.
 */
import {
  configValueError,
  LONG_MAX_STRING,
  unknownConfigMessage,
  type ConfigDef,
} from './config-def.js';

export interface TopicConfigDef extends ConfigDef {
  /** Kafka 2.8's default, as DescribeConfigs shows it. */
  kafkaDefault: string;
  /** Broker properties that supply the default, most specific first. */
  brokerSynonyms: readonly string[];
  honoured: boolean;
}

const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;

export const TOPIC_CONFIGS: Readonly<Record<string, TopicConfigDef>> = {
  'cleanup.policy': {
    type: 'list',
    oneOf: ['compact', 'delete'],
    kafkaDefault: 'delete',
    brokerSynonyms: ['log.cleanup.policy'],
    honoured: true,
  },
  'compression.type': {
    type: 'string',
    oneOf: COMPRESSION_TYPES,
    kafkaDefault: 'producer',
    brokerSynonyms: ['compression.type'],
    honoured: true,
  },
  'delete.retention.ms': {
    type: 'long',
    min: 0,
    kafkaDefault: '86400000',
    brokerSynonyms: ['log.cleaner.delete.retention.ms'],
    honoured: true,
  },
  'file.delete.delay.ms': {
    type: 'long',
    min: 0,
    kafkaDefault: '60000',
    brokerSynonyms: ['log.segment.delete.delay.ms'],
    honoured: true,
  },
  'flush.messages': {
    type: 'long',
    min: 0,
    kafkaDefault: LONG_MAX_STRING,
    brokerSynonyms: ['log.flush.interval.messages'],
    honoured: true,
  },
  'flush.ms': {
    type: 'long',
    min: 0,
    kafkaDefault: LONG_MAX_STRING,
    brokerSynonyms: ['log.flush.interval.ms'],
    honoured: true,
  },
  'follower.replication.throttled.replicas': {
    type: 'list',
    kafkaDefault: '',
    brokerSynonyms: [],
    honoured: true,
  },
  'index.interval.bytes': {
    type: 'int',
    min: 0,
    kafkaDefault: '4096',
    brokerSynonyms: ['log.index.interval.bytes'],
    honoured: true,
  },
  'leader.replication.throttled.replicas': {
    type: 'list',
    kafkaDefault: '',
    brokerSynonyms: [],
    honoured: true,
  },
  'max.compaction.lag.ms': {
    type: 'long',
    min: 1,
    kafkaDefault: LONG_MAX_STRING,
    brokerSynonyms: ['log.cleaner.max.compaction.lag.ms'],
    honoured: true,
  },
  'max.message.bytes': {
    type: 'int',
    min: 0,
    kafkaDefault: '1048588',
    brokerSynonyms: ['message.max.bytes'],
    honoured: true,
  },
  'message.downconversion.enable': {
    type: 'boolean',
    kafkaDefault: 'true',
    brokerSynonyms: ['log.message.downconversion.enable'],
    honoured: false,
  },
  'message.format.version': {
    type: 'string',
    kafkaDefault: '2.8-IV1',
    brokerSynonyms: ['log.message.format.version'],
    honoured: false,
  },
  'message.timestamp.difference.max.ms': {
    type: 'long',
    min: 0,
    kafkaDefault: LONG_MAX_STRING,
    brokerSynonyms: ['log.message.timestamp.difference.max.ms'],
    honoured: true,
  },
  'message.timestamp.type': {
    type: 'string',
    oneOf: ['CreateTime', 'LogAppendTime'],
    kafkaDefault: 'CreateTime',
    brokerSynonyms: ['log.message.timestamp.type'],
    honoured: true,
  },
  'min.cleanable.dirty.ratio': {
    type: 'double',
    min: 0,
    max: 1,
    kafkaDefault: '0.5',
    brokerSynonyms: ['log.cleaner.min.cleanable.ratio'],
    honoured: true,
  },
  'min.compaction.lag.ms': {
    type: 'long',
    min: 0,
    kafkaDefault: '0',
    brokerSynonyms: ['log.cleaner.min.compaction.lag.ms'],
    honoured: true,
  },
  'min.insync.replicas': {
    type: 'int',
    min: 1,
    kafkaDefault: '1',
    brokerSynonyms: ['min.insync.replicas'],
    honoured: true,
  },
  preallocate: {
    type: 'boolean',
    kafkaDefault: 'false',
    brokerSynonyms: ['log.preallocate'],
    honoured: false,
  },
  'retention.bytes': {
    type: 'long',
    kafkaDefault: '-1',
    brokerSynonyms: ['log.retention.bytes'],
    honoured: true,
  },
  'retention.ms': {
    type: 'long',
    min: -1,
    kafkaDefault: '604800000',
    brokerSynonyms: ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
    honoured: true,
  },
  'segment.bytes': {
    type: 'int',
    min: 14,
    kafkaDefault: '1073741824',
    brokerSynonyms: ['log.segment.bytes'],
    honoured: true,
  },
  'segment.index.bytes': {
    type: 'int',
    min: 0,
    kafkaDefault: '10485760',
    brokerSynonyms: ['log.index.size.max.bytes'],
    honoured: true,
  },
  'segment.jitter.ms': {
    type: 'long',
    min: 0,
    kafkaDefault: '0',
    brokerSynonyms: ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
    honoured: true,
  },
  'segment.ms': {
    type: 'long',
    min: 1,
    kafkaDefault: '604800000',
    brokerSynonyms: ['log.roll.ms', 'log.roll.hours'],
    honoured: true,
  },
  'unclean.leader.election.enable': {
    type: 'boolean',
    kafkaDefault: 'false',
    brokerSynonyms: ['unclean.leader.election.enable'],
    honoured: true,
  },
};

/**
 * The first problem with a set of topic overrides, as a sentence naming the key and what is
 * allowed; undefined when every name is a topic config and every value is valid.
 */
export function topicConfigError(configs: Readonly<Record<string, string>>): string | undefined {
  for (const [key, value] of Object.entries(configs)) {
    const def = TOPIC_CONFIGS[key];
    if (def === undefined) return unknownConfigMessage(key, Object.keys(TOPIC_CONFIGS), 'config');
    const error = configValueError(key, def, value) ?? throttledReplicasError(key, value);
    if (error !== undefined) return error;
  }
  return undefined;
}

/**
 * `leader.replication.throttled.replicas` and `follower.replication.throttled.replicas`
 * (KIP-73) hold `*` or a list of `partitionId:brokerId`; anything else is refused as Kafka's
 * ThrottledReplicaListValidator refuses it, with its message.
 */
export function throttledReplicasError(key: string, value: string): string | undefined {
  if (
    key !== 'leader.replication.throttled.replicas' &&
    key !== 'follower.replication.throttled.replicas'
  )
    return undefined;
  const items = value.split(',').map((s) => s.trim());
  if (value.trim() === '*' || items.every((item) => /^(\d+:\d+)?$/.test(item))) return undefined;
  return (
    `${key}: "${value}" is invalid: ${key} must be the literal '*' or a list of replicas in ` +
    'the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...'
  );
}
