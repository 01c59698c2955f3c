/**
 * The log settings of each topic this broker hosts: the broker's `log.*` defaults with the
 * topic's overrides from `/config/topics/<topic>` ({"version":1,"config":{...}}, written by
 * CreateTopics with configs) laid over them, as Kafka's LogConfig.fromProps does.
 *
 * Interim bridge for the log-management work: it follows each topic's config znode with an
 * exists watch (like topic-min-isr.ts) and hands a changed config to the open logs through
 * `onChange` (LogManager.updateTopicConfig). Kafka's own mechanism, the change notifications
 * under /config/changes and the full list of topic properties with validation, belongs to the
 * topic configuration work and replaces this module's watch. Until a topic's znode has been
 * read its logs run with the broker defaults (a few milliseconds after the partition is
 * created); a value that does not parse is ignored with a warning.
 */
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import type { Logger } from '../../src/logger.js';
import { TopicConfigZNode } from '../../src/znodes.js';
import type { CleanupPolicy, LogConfig } from '../log/log-config.js';

type Parser = (value: string) => Partial<LogConfig> | undefined;

const number = (field: keyof LogConfig, min: number): Parser => {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) return undefined;
    // Kafka's "never" is Long.MAX_VALUE, which a double cannot hold exactly; ours is Infinity.
    return { [field]: n >= Number.MAX_SAFE_INTEGER ? Infinity : n };
  };
};

/** The topic-level names of the settings the log honours (Kafka's LogConfig names). */
const TOPIC_LOG_SETTINGS: Readonly<Record<string, Parser>> = {
  'segment.bytes': number('segmentBytes', 14),
  'segment.ms': number('segmentMs', 1),
  'segment.jitter.ms': number('segmentJitterMs', 0),
  'segment.index.bytes': number('maxIndexBytes', 4),
  'index.interval.bytes': number('indexIntervalBytes', 0),
  'max.message.bytes': number('maxMessageBytes', 0),
  'flush.messages': number('flushIntervalMessages', 1),
  'flush.ms': number('flushIntervalMs', 0),
  'retention.ms': (v) => {
    const n = Number(v);
    if (!Number.isFinite(n)) return undefined;
    return { retentionMs: n < 0 ? -1 : n };
  },
  'retention.bytes': number('retentionBytes', -1),
  'min.compaction.lag.ms': number('minCompactionLagMs', 0),
  'max.compaction.lag.ms': number('maxCompactionLagMs', 1),
  'delete.retention.ms': number('deleteRetentionMs', 0),
  'file.delete.delay.ms': number('fileDeleteDelayMs', 0),
  'min.cleanable.dirty.ratio': (v) => {
    const n = Number(v);
    return n >= 0 && n <= 1 ? { minCleanableDirtyRatio: n } : undefined;
  },
  'cleanup.policy': (v) => {
    const policies = v.split(',').map((p) => p.trim());
    if (policies.length === 0 || policies.some((p) => p !== 'delete' && p !== 'compact'))
      return undefined;
    return { cleanupPolicy: policies as CleanupPolicy[] };
  },
  'message.timestamp.type': (v) =>
    v === 'CreateTime' || v === 'LogAppendTime' ? { messageTimestampType: v } : undefined,
};

/**
 * `defaults` with every override the log honours applied; returns the keys it could not
 * parse (for a warning). Keys the log does not use are left to others (min.insync.replicas).
 */
export function logConfigWithOverrides(
  defaults: LogConfig,
  overrides: Readonly<Record<string, string>>,
): { config: LogConfig; invalid: string[] } {
  const config: LogConfig = { ...defaults };
  const invalid: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    const parse = TOPIC_LOG_SETTINGS[key];
    if (parse === undefined) continue;
    const parsed = parse(value);
    if (parsed === undefined) invalid.push(key);
    else Object.assign(config, parsed);
  }
  return { config, invalid };
}

export class TopicLogConfigs {
  readonly #zk: () => CoordinatorClient;
  readonly #defaults: LogConfig;
  readonly #logger: Logger;
  readonly #onChange: (topic: string, config: LogConfig) => void;
  /** topic -> its config; a key present means "tracked". */
  readonly #configs = new Map<string, LogConfig>();

  constructor(options: {
    zk: () => CoordinatorClient;
    defaults: LogConfig;
    logger: Logger;
    onChange: (topic: string, config: LogConfig) => void;
  }) {
    this.#zk = options.zk;
    this.#defaults = options.defaults;
    this.#logger = options.logger.child({ component: 'topic-log-configs' });
    this.#onChange = options.onChange;
  }

  configFor(topic: string): LogConfig {
    return this.#configs.get(topic) ?? this.#defaults;
  }

  /** Starts following `topic`'s config (once per topic). */
  track(topic: string): void {
    if (this.#configs.has(topic)) return;
    this.#configs.set(topic, this.#defaults);
    void this.#load(topic);
  }

  async #load(topic: string): Promise<void> {
    const path = TopicConfigZNode.path(topic);
    try {
      const stat = await this.#zk().exists(path, () => void this.#load(topic));
      let overrides: Readonly<Record<string, string>> = {};
      if (stat !== null) {
        const { data } = await this.#zk().getData(path);
        overrides = TopicConfigZNode.decode(topic, data);
      }
      const { config, invalid } = logConfigWithOverrides(this.#defaults, overrides);
      if (invalid.length > 0)
        this.#logger.warn({ topic, invalid }, 'ignoring topic config values that do not parse');
      this.#configs.set(topic, config);
      this.#onChange(topic, config);
    } catch (err) {
      this.#logger.warn({ err, topic }, 'cannot read the topic config; using the broker defaults');
    }
  }
}
