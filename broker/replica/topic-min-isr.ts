/**
 * min.insync.replicas per topic, as the replica manager needs it on every acks=-1 produce:
 * the topic's override from `/config/topics/<topic>` ({"version":1,"config":{...}}) or the
 * broker's default. The lookup is synchronous (a cache); the cache is filled when the
 * broker starts hosting a partition of the topic (`track`), and kept fresh with an exists
 * watch on the znode, which fires on creation, change and deletion alike (kafka-configs and
 * AlterConfigs rewrite that znode). Until the first read answers, the default applies.
 */
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import type { Logger } from '../../src/logger.js';
import { TopicConfigZNode } from '../../src/znodes.js';

export const MIN_INSYNC_REPLICAS_CONFIG = 'min.insync.replicas';

export class TopicMinIsr {
  readonly #zk: () => CoordinatorClient;
  readonly #defaultMinIsr: number;
  readonly #logger: Logger;
  /** topic -> override (undefined: none); a key present means "tracked". */
  readonly #overrides = new Map<string, number | undefined>();

  constructor(options: { zk: () => CoordinatorClient; defaultMinIsr: number; logger: Logger }) {
    this.#zk = options.zk;
    this.#defaultMinIsr = options.defaultMinIsr;
    this.#logger = options.logger.child({ component: 'topic-min-isr' });
  }

  minInsyncReplicas(topic: string): number {
    return this.#overrides.get(topic) ?? this.#defaultMinIsr;
  }

  /** Starts following `topic`'s config (once per topic). */
  track(topic: string): void {
    if (this.#overrides.has(topic)) return;
    this.#overrides.set(topic, undefined);
    void this.#load(topic);
  }

  async #load(topic: string): Promise<void> {
    const path = TopicConfigZNode.path(topic);
    try {
      const stat = await this.#zk().exists(path, () => void this.#load(topic));
      let value: number | undefined;
      if (stat !== null) {
        const { data } = await this.#zk().getData(path);
        const raw = TopicConfigZNode.decode(topic, data)[MIN_INSYNC_REPLICAS_CONFIG];
        const parsed = raw === undefined ? NaN : Number(raw);
        value = Number.isInteger(parsed) && parsed >= 1 ? parsed : undefined;
      }
      if (this.#overrides.get(topic) !== value) {
        this.#logger.info(
          { topic, minInsyncReplicas: value ?? this.#defaultMinIsr },
          'min.insync.replicas',
        );
      }
      this.#overrides.set(topic, value);
    } catch (err) {
      this.#logger.warn({ err, topic }, 'cannot read the topic config; using the broker default');
      this.#overrides.delete(topic);
    }
  }
}
