/**
 * Every configuration value the broker serves, in the layers Kafka 2.8 gives them (KIP-226),
 * most specific first:
 *
 *   topic override        /config/topics/<topic>       DYNAMIC_TOPIC_CONFIG
 *   this broker           /config/brokers/<id>         DYNAMIC_BROKER_CONFIG
 *   every broker          /config/brokers/<default>    DYNAMIC_DEFAULT_BROKER_CONFIG
 *   server.properties     (and --override)             STATIC_BROKER_CONFIG
 *   Kafka's default                                    DEFAULT_CONFIG
 *
 * A topic config (`retention.ms`) is found in the topic layer under its own name and in the
 * broker layers under its broker synonym (`log.retention.ms`). The effective LogConfig of a
 * topic, its min.insync.replicas and unclean.leader.election.enable are computed here from
 * those layers; the replica manager and the log manager ask synchronously, on every produce.
 *
 * Pure: the dynamic config manager (dynamic-config-manager.ts) fills the dynamic layers from
 * the coordinator; this class only holds them and resolves values. Values stored here were
 * validated when written (AlterConfigs, `coordinator configs`); one that is not valid anyway
 * (a znode edited by hand) is skipped with a warning by the manager before it gets here.
 */
import {
  formatConfigNumber,
  parseConfigList,
  parseConfigNumber,
} from '../../src/kafka-config/config-def.js';
import { TOPIC_CONFIGS } from '../../src/kafka-config/topic-configs.js';
import type { LogConfig } from '../log/log-config.js';

export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;
export type ConfigSourceCode = (typeof ConfigSource)[keyof typeof ConfigSource];

/** One layer's value of a config: DescribeConfigs' synonym. */
export interface ConfigSynonym {
  name: string;
  value: string;
  source: ConfigSourceCode;
}

interface Field {
  field: keyof LogConfig;
  parse: (value: string) => unknown;
  format: (value: unknown) => string;
}

const num = (field: keyof LogConfig): Field => ({
  field,
  parse: (v) => parseConfigNumber(v),
  format: (v) => formatConfigNumber(v as number),
});
const text = (field: keyof LogConfig): Field => ({
  field,
  parse: (v) => v.trim(),
  format: (v) => String(v),
});

/**
 * Topic config name -> the LogConfig field it sets. (min.insync.replicas and
 * unclean.leader.election.enable are not log settings: see below.)
 */
const LOG_FIELDS: Readonly<Record<string, Field>> = {
  'segment.bytes': num('segmentBytes'),
  'segment.ms': num('segmentMs'),
  'segment.jitter.ms': num('segmentJitterMs'),
  'segment.index.bytes': num('maxIndexBytes'),
  'index.interval.bytes': num('indexIntervalBytes'),
  'max.message.bytes': num('maxMessageBytes'),
  'flush.messages': num('flushIntervalMessages'),
  'flush.ms': num('flushIntervalMs'),
  // A negative retention means "keep forever"; the log layer uses -1 for that.
  'retention.ms': {
    field: 'retentionMs',
    parse: (v) => Math.max(-1, parseConfigNumber(v)),
    format: (v) => String(v),
  },
  'retention.bytes': num('retentionBytes'),
  'message.timestamp.type': text('messageTimestampType'),
  'message.timestamp.difference.max.ms': num('messageTimestampDifferenceMaxMs'),
  'cleanup.policy': {
    field: 'cleanupPolicy',
    parse: (v) => parseConfigList(v),
    format: (v) => (v as readonly string[]).join(','),
  },
  'min.compaction.lag.ms': num('minCompactionLagMs'),
  'max.compaction.lag.ms': num('maxCompactionLagMs'),
  'delete.retention.ms': num('deleteRetentionMs'),
  'min.cleanable.dirty.ratio': {
    field: 'minCleanableDirtyRatio',
    parse: (v) => Number(v),
    format: (v) => String(v),
  },
  'file.delete.delay.ms': num('fileDeleteDelayMs'),
  'compression.type': text('compressionType'),
};

/** The broker name under which a topic config may be set dynamically (its first synonym). */
export function dynamicBrokerName(topicConfig: string): string | undefined {
  return TOPIC_CONFIGS[topicConfig]?.brokerSynonyms[0];
}

/** The replication quotas' rates (KIP-73), bytes/s, set only in /config/brokers. */
export const REPLICATION_THROTTLED_RATE = {
  leader: 'leader.replication.throttled.rate',
  follower: 'follower.replication.throttled.rate',
} as const;

/**
 * Broker properties that a change in /config/brokers applies at once, without a restart:
 * the broker synonyms of the topic settings Samsa honours (log.*, message.max.bytes,
 * compression.type, min.insync.replicas, unclean.leader.election.enable) and the two
 * replication throttled rates. Kafka 2.8 allows more (thread pools, cleaner threads,
 * listeners, replica.alter.log.dirs.io.max.bytes.per.second); AlterConfigs refuses those
 * here rather than store a value that would do nothing.
 */
export const LIVE_BROKER_CONFIGS: ReadonlySet<string> = new Set([
  ...Object.entries(TOPIC_CONFIGS)
    .filter(([, def]) => def.honoured && def.brokerSynonyms.length > 0)
    .map(([, def]) => def.brokerSynonyms[0]!),
  REPLICATION_THROTTLED_RATE.leader,
  REPLICATION_THROTTLED_RATE.follower,
]);

export interface StaticBrokerConfig {
  brokerId: number;
  /** The log.* settings from server.properties, resolved (config.ts). */
  log: LogConfig;
  minInsyncReplicas: number;
  uncleanLeaderElectionEnable: boolean;
  /** Every honoured property with its value (given or default). */
  properties: ReadonlyMap<string, string>;
  /** The properties the operator gave. */
  staticProperties: ReadonlyMap<string, string>;
}

export class ConfigRepository {
  readonly static: StaticBrokerConfig;
  readonly #topicOverrides = new Map<string, Readonly<Record<string, string>>>();
  #brokerDefault: Readonly<Record<string, string>> = {};
  #brokerOwn: Readonly<Record<string, string>> = {};

  constructor(staticConfig: StaticBrokerConfig) {
    this.static = staticConfig;
  }

  // --- the dynamic layers (written by the dynamic config manager) -----------------------

  setTopicOverrides(topic: string, overrides: Readonly<Record<string, string>>): void {
    if (Object.keys(overrides).length === 0) this.#topicOverrides.delete(topic);
    else this.#topicOverrides.set(topic, { ...overrides });
  }

  /** `<default>` for every broker, or this broker's own id. */
  setBrokerConfig(entity: 'default' | 'own', config: Readonly<Record<string, string>>): void {
    if (entity === 'default') this.#brokerDefault = { ...config };
    else this.#brokerOwn = { ...config };
  }

  /**
   * A copy with the broker layers of this one and one topic, `topic`, whose overrides are
   * exactly `overrides`; the other topics are left out. For answers about one topic: what
   * CreateTopics echoes for a topic that does not exist yet (validate_only), and what
   * DescribeConfigs reads from the coordinator.
   */
  withTopicOverrides(topic: string, overrides: Readonly<Record<string, string>>): ConfigRepository {
    const copy = new ConfigRepository(this.static);
    copy.setBrokerConfig('default', this.#brokerDefault);
    copy.setBrokerConfig('own', this.#brokerOwn);
    copy.setTopicOverrides(topic, overrides);
    return copy;
  }

  topicOverrides(topic: string): Readonly<Record<string, string>> {
    return this.#topicOverrides.get(topic) ?? {};
  }

  brokerConfig(entity: 'default' | 'own'): Readonly<Record<string, string>> {
    return entity === 'default' ? this.#brokerDefault : this.#brokerOwn;
  }

  // --- resolution -----------------------------------------------------------------------

  /** A broker property's dynamic value, most specific layer first. */
  #dynamicBroker(name: string): ConfigSynonym[] {
    const result: ConfigSynonym[] = [];
    const own = this.#brokerOwn[name];
    if (own !== undefined)
      result.push({ name, value: own, source: ConfigSource.DYNAMIC_BROKER_CONFIG });
    const all = this.#brokerDefault[name];
    if (all !== undefined)
      result.push({ name, value: all, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
    return result;
  }

  /** The broker defaults every topic starts from: the static log.* settings, then the
   *  dynamic broker layers on top. */
  brokerLogConfig(): LogConfig {
    return this.logConfig(undefined);
  }

  /** The effective LogConfig of `topic` (undefined: no topic layer). */
  logConfig(topic: string | undefined): LogConfig {
    const config: Record<string, unknown> = { ...this.static.log };
    const overrides = topic === undefined ? {} : this.topicOverrides(topic);
    for (const [name, field] of Object.entries(LOG_FIELDS)) {
      const brokerName = dynamicBrokerName(name)!;
      const value = overrides[name] ?? this.#dynamicBroker(brokerName)[0]?.value;
      if (value !== undefined) config[field.field] = field.parse(value);
    }
    return config as unknown as LogConfig;
  }

  minInsyncReplicas(topic: string): number {
    const value =
      this.topicOverrides(topic)['min.insync.replicas'] ??
      this.#dynamicBroker('min.insync.replicas')[0]?.value;
    return value === undefined ? this.static.minInsyncReplicas : Number(value);
  }

  /**
   * A replication quota's bound in bytes/s: this broker's own value, else the cluster-wide
   * default, else none (Infinity: Kafka's Long.MAX_VALUE). Kafka 2.8 itself reads only the
   * per-broker entity here (KAFKA-10190, fixed later); the <default> entity counts as for
   * every other dynamic broker config.
   */
  replicationThrottledRate(side: 'leader' | 'follower'): number {
    const value = this.#dynamicBroker(REPLICATION_THROTTLED_RATE[side])[0]?.value;
    return value === undefined ? Number.POSITIVE_INFINITY : parseConfigNumber(value);
  }

  uncleanLeaderElectionEnable(topic: string | undefined): boolean {
    const value =
      (topic === undefined
        ? undefined
        : this.topicOverrides(topic)['unclean.leader.election.enable']) ??
      this.#dynamicBroker('unclean.leader.election.enable')[0]?.value;
    return value === undefined
      ? this.static.uncleanLeaderElectionEnable
      : value.trim().toLowerCase() === 'true';
  }

  /**
   * The layers of a topic config, most specific first (the first is the value in force):
   * DescribeConfigs' synonyms. Never empty: Kafka's default is always last.
   */
  topicConfigSynonyms(topic: string, name: string): ConfigSynonym[] {
    const def = TOPIC_CONFIGS[name];
    if (def === undefined) return [];
    const result: ConfigSynonym[] = [];
    const override = this.topicOverrides(topic)[name];
    if (override !== undefined)
      result.push({ name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    result.push(...this.#brokerSynonyms(def.brokerSynonyms, name));
    return result;
  }

  /** The broker layers of a set of synonyms, then Kafka's default. */
  #brokerSynonyms(synonyms: readonly string[], topicName: string | undefined): ConfigSynonym[] {
    const result: ConfigSynonym[] = [];
    const first = synonyms[0];
    if (first !== undefined) result.push(...this.#dynamicBroker(first));
    for (const synonym of synonyms) {
      const given = this.static.staticProperties.get(synonym);
      if (given !== undefined)
        result.push({ name: synonym, value: given, source: ConfigSource.STATIC_BROKER_CONFIG });
    }
    const kafkaDefault =
      topicName !== undefined ? TOPIC_CONFIGS[topicName]?.kafkaDefault : undefined;
    if (first !== undefined && kafkaDefault !== undefined) {
      result.push({ name: first, value: kafkaDefault, source: ConfigSource.DEFAULT_CONFIG });
    }
    return result;
  }

  /**
   * The value in force of a topic config, in Kafka's string form. Unlike the first synonym's
   * value it is always in the topic config's unit (log.retention.hours=1 gives
   * retention.ms=3600000).
   */
  topicConfigValue(topic: string, name: string): string | undefined {
    if (name === 'min.insync.replicas') return String(this.minInsyncReplicas(topic));
    if (name === 'unclean.leader.election.enable')
      return String(this.uncleanLeaderElectionEnable(topic));
    const field = LOG_FIELDS[name];
    if (field !== undefined) return field.format(this.logConfig(topic)[field.field]);
    // A config with no broker synonym (the throttled-replicas lists) shows Kafka's default.
    return this.topicConfigSynonyms(topic, name)[0]?.value ?? TOPIC_CONFIGS[name]?.kafkaDefault;
  }

  /**
   * The layers of a broker property: the dynamic ones, then the operator's value, then the
   * default (from the honoured table; none for a property Samsa does not implement).
   */
  brokerConfigSynonyms(name: string): ConfigSynonym[] {
    const result = this.#dynamicBroker(name);
    const given = this.static.staticProperties.get(name);
    if (given !== undefined)
      result.push({ name, value: given, source: ConfigSource.STATIC_BROKER_CONFIG });
    const defaultValue = this.static.properties.get(name);
    if (defaultValue !== undefined && given === undefined)
      result.push({ name, value: defaultValue, source: ConfigSource.DEFAULT_CONFIG });
    return result;
  }
}
