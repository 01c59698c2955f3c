/**
 * Keeps the ConfigRepository's dynamic layers equal to the coordinator's config znodes, the
 * way Kafka 2.8's DynamicConfigManager and ZkNodeChangeNotificationListener do:
 *
 *   start:   read every /config/topics/<t> and /config/brokers/<default>, /config/brokers/<id>;
 *            remember the highest config_change_ sequence number seen
 *   change:  a child watch on /config/changes fires; for each config_change_N newer than the
 *            last one processed, read its entity name, read that entity's znode again and
 *            hand the new overrides to the entity type's handler (TopicConfigHandler,
 *            BrokerConfigHandler in Kafka); then re-arm the watch
 *   purge:   notifications older than 15 minutes are deleted (Kafka's changeExpirationMs), by
 *            whichever broker sees them first
 *
 * A notification only names the entity, so missing one is harmless as long as a later one
 * (or the start-up read) re-reads it. Handlers are a table keyed by entity type, so another
 * type (`users` for SCRAM credentials) is one more entry.
 *
 * Concurrency: every read-and-apply runs on one promise chain, so the repository changes one
 * entity at a time, in notification order. A topic's config is also read when this broker
 * first hosts one of its partitions (`refreshTopic`): CreateTopics writes /config/topics/<t>
 * without a notification, as Kafka does.
 */
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import type { Logger } from '../../src/logger.js';
import type { Clock } from '../../src/clock.js';
import { ErrorCode, hasCode } from '../../src/protocol/coordinator/errors.js';
import { fetchEntityConfig } from '../../src/kafka-zk/config-zk-client.js';
import {
  ConfigChangeNotificationZNode,
  ConfigChangesZNode,
  ConfigZNode,
  DEFAULT_CONFIG_ENTITY,
  type ConfigEntityType,
} from '../../src/znodes.js';
import { topicConfigError } from '../../src/kafka-config/topic-configs.js';
import type { ConfigRepository } from './config-repository.js';

/** Kafka's ZkNodeChangeNotificationListener.changeExpirationMs. */
export const CONFIG_CHANGE_EXPIRATION_MS = 15 * 60 * 1000;

const SEQUENCE_NAME = /^config_change_(\d{10})$/;

/** What to do when an entity's config changed: apply the new overrides. */
export type ConfigHandler = (name: string, config: Record<string, string>) => void;

export class DynamicConfigManager {
  readonly #zk: () => CoordinatorClient;
  readonly #repository: ConfigRepository;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #handlers = new Map<string, ConfigHandler>();
  #lastSequence = -1;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: {
    zk: () => CoordinatorClient;
    repository: ConfigRepository;
    clock: Clock;
    logger: Logger;
    /** Called after a topic's overrides changed in the repository. */
    onTopicConfigChange: (topic: string) => void;
    /** Called after the broker layers changed: every topic's effective config may differ. */
    onBrokerConfigChange: () => void;
  }) {
    this.#zk = options.zk;
    this.#repository = options.repository;
    this.#clock = options.clock;
    this.#logger = options.logger.child({ component: 'dynamic-config' });
    const ownId = String(options.repository.static.brokerId);
    this.#handlers.set('topics', (topic, config) => {
      const error = topicConfigError(config);
      if (error !== undefined) {
        this.#logger.warn({ topic, error }, 'ignoring an invalid topic config in the coordinator');
        return;
      }
      this.#repository.setTopicOverrides(topic, config);
      options.onTopicConfigChange(topic);
    });
    this.#handlers.set('brokers', (name, config) => {
      // Other brokers' own settings are theirs; only <default> and our id concern us.
      if (name !== DEFAULT_CONFIG_ENTITY && name !== ownId) return;
      this.#repository.setBrokerConfig(name === DEFAULT_CONFIG_ENTITY ? 'default' : 'own', config);
      options.onBrokerConfigChange();
    });
  }

  /** Adds (or replaces) the handler of an entity type. */
  registerHandler(entityType: ConfigEntityType, handler: ConfigHandler): void {
    this.#handlers.set(entityType, handler);
  }

  /** Reads every config once, then follows /config/changes. Call before the logs open. */
  async startup(): Promise<void> {
    const zk = this.#zk();
    // The sequence first: a change made while we read the entities is then processed again,
    // never missed.
    this.#lastSequence = maxSequence(await zk.getChildren(ConfigChangesZNode.path));
    for (const topic of await zk.getChildren(`${ConfigZNode.path}/topics`).catch(none)) {
      await this.#reload('topics', topic);
    }
    await this.#reload('brokers', DEFAULT_CONFIG_ENTITY);
    await this.#reload('brokers', String(this.#repository.static.brokerId));
    this.#logger.info(
      {
        lastSequence: this.#lastSequence,
        brokerDefault: this.#repository.brokerConfig('default'),
        brokerOwn: this.#repository.brokerConfig('own'),
      },
      'loaded dynamic configs',
    );
    this.#enqueue(() => this.#processChanges());
  }

  /** A new coordinator session: watches are gone, set them again and catch up. */
  onNewSession(): void {
    this.#enqueue(() => this.#processChanges());
  }

  /** Reads a topic's overrides now (a partition of it was created on this broker). */
  refreshTopic(topic: string): void {
    this.#enqueue(() => this.#reload('topics', topic));
  }

  /** Resolves once every queued read has been applied (for tests and shutdown). */
  async whenIdle(): Promise<void> {
    await this.#chain;
  }

  close(): void {
    this.#closed = true;
  }

  #enqueue(work: () => Promise<void>): void {
    this.#chain = this.#chain.then(async () => {
      if (this.#closed) return;
      try {
        await work();
      } catch (err) {
        this.#logger.warn({ err }, 'reading dynamic configs failed; will retry on next change');
      }
    });
  }

  async #processChanges(): Promise<void> {
    const zk = this.#zk();
    const children = await zk.getChildren(ConfigChangesZNode.path, () =>
      this.#enqueue(() => this.#processChanges()),
    );
    const nowMs = this.#clock.nowMs();
    const sorted = children
      .map((name) => ({ name, sequence: sequenceOf(name) }))
      .filter((c) => c.sequence >= 0)
      .sort((a, b) => a.sequence - b.sequence);
    for (const { name, sequence } of sorted) {
      const path = `${ConfigChangesZNode.path}/${name}`;
      if (sequence > this.#lastSequence) {
        try {
          const { data, stat } = await zk.getData(path);
          const entity = ConfigChangeNotificationZNode.decode(path, data);
          this.#logger.info({ notification: name, ...entity }, 'config change notification');
          await this.#reload(entity.entityType, entity.name);
          await this.#maybePurge(path, Number(stat.ctime), nowMs);
        } catch (err) {
          if (!hasCode(err, ErrorCode.NONODE)) throw err;
        }
        this.#lastSequence = sequence;
      }
    }
  }

  async #maybePurge(path: string, ctimeMs: number, nowMs: number): Promise<void> {
    if (nowMs - ctimeMs < CONFIG_CHANGE_EXPIRATION_MS) return;
    await this.#zk()
      .delete(path)
      .catch((err: unknown) => {
        if (!hasCode(err, ErrorCode.NONODE)) throw err;
      });
  }

  async #reload(entityType: string, name: string): Promise<void> {
    const handler = this.#handlers.get(entityType);
    if (handler === undefined) return;
    const config = await fetchEntityConfig(this.#zk(), entityType as ConfigEntityType, name);
    handler(name, config);
  }
}

function sequenceOf(name: string): number {
  const m = SEQUENCE_NAME.exec(name);
  return m === null ? -1 : Number(m[1]);
}

function maxSequence(children: readonly string[]): number {
  return children.reduce((max, name) => Math.max(max, sequenceOf(name)), -1);
}

function none(err: unknown): string[] {
  if (hasCode(err, ErrorCode.NONODE)) return [];
  throw err;
}
