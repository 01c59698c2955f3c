/**
 * AlterConfigs (API key 33) and IncrementalAlterConfigs (44, KIP-339): change a topic's
 * overrides or the brokers' dynamic settings, the ZooKeeper-mode way (Kafka 2.8's
 * ZkAdminManager.alterConfigs / incrementalAlterConfigs): any broker takes the request,
 * checks it, writes the entity's whole new override map to /config/<type>/<name> and a
 * change notification (src/kafka-zk/config-zk-client.ts); every broker, this one included,
 * then applies it through its dynamic config manager.
 *
 *   AlterConfigs             the request's configs REPLACE the entity's overrides (a config
 *                            left out is deleted; that is why KIP-339 added the other one)
 *   IncrementalAlterConfigs  per config an operation on the current overrides:
 *                              SET 0       set the value
 *                              DELETE 1    remove the override (back to the broker default)
 *                              APPEND 2    add items to a list config (cleanup.policy)
 *                              SUBTRACT 3  remove items from a list config
 *
 * Resources: TOPIC (2) by name; BROKER (4) with the name "" for the cluster-wide
 * /config/brokers/<default> or this broker's own id (another id is INVALID_REQUEST: the
 * client sends it to that broker, as Kafka's admin client does). Per resource the answer is
 * NONE or an error with a message naming the key:
 *   INVALID_CONFIG   unknown topic config name (with a suggestion), bad value (with the
 *                    allowed range), APPEND/SUBTRACT on a config that is not a list, a
 *                    broker setting that Kafka allows to change at run time but Samsa only
 *                    reads at start
 *   (none)           an unknown BROKER config name is stored, as Kafka 2.8 stores it (custom
 *                    broker configs are allowed), and logged with the name it resembles
 *   INVALID_REQUEST  a broker setting Kafka never changes at run time (read-only), another
 *                    broker's id, an unknown resource type or operation
 *   UNKNOWN_TOPIC_OR_PARTITION  the topic does not exist
 * validate_only checks everything and writes nothing.
 *
 * The decisions (`prepareTopicChange`, `prepareBrokerChange`, `applyIncrementalOps`) are pure
 * functions; `AlterConfigsApis` does the coordinator reads and writes around them.
 */
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import type { Logger } from '../../src/logger.js';
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import type {
  AlterConfigsRequest,
  AlterConfigsResponse,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
} from '../../src/protocol/kafka/generated/index.js';
import {
  configValueError,
  parseConfigList,
  unknownConfigMessage,
} from '../../src/kafka-config/config-def.js';
import {
  DYNAMIC_ONLY_BROKER_CONFIGS,
  KAFKA_BROKER_PROPERTIES,
  dynamicBrokerConfigDef,
} from '../../src/kafka-config/kafka-broker-properties.js';
import { TOPIC_CONFIGS, topicConfigError } from '../../src/kafka-config/topic-configs.js';
import { changeEntityConfig, fetchEntityConfig } from '../../src/kafka-zk/config-zk-client.js';
import { DEFAULT_CONFIG_ENTITY, TopicZNode, type ConfigEntityType } from '../../src/znodes.js';
import { LIVE_BROKER_CONFIGS } from './config-repository.js';
import { ConfigResourceType, brokerEntity } from './describe-configs.js';
import { topicNameError } from './topic-name.js';

export const AlterConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

type Overrides = Record<string, string>;
type Failure = { errorCode: number; errorMessage: string };
type Prepared = { ok: true; config: Overrides } | ({ ok: false } & Failure);

const fail = (errorCode: number, errorMessage: string): Prepared => ({
  ok: false,
  errorCode,
  errorMessage,
});

/** Checks a topic's complete new override map. */
export function prepareTopicChange(config: Overrides): Prepared {
  const error = topicConfigError(config);
  return error === undefined ? { ok: true, config } : fail(ErrorCode.INVALID_CONFIG, error);
}

/** Checks the complete new dynamic settings of a broker entity. */
export function prepareBrokerChange(config: Overrides, entity: 'own' | 'default'): Prepared {
  for (const [key, value] of Object.entries(config)) {
    const def = dynamicBrokerConfigDef(key);
    // Kafka 2.8 lets a broker entity carry names it does not know (DynamicConfig.Broker
    // validates with customPropsAllowed = true: a plugin such as a metrics reporter may read
    // them). They are stored as given and ignored by the broker itself; see customBrokerKeys.
    if (def === undefined) continue;
    if (def.dynamic === undefined) {
      // Kafka: "Cannot update these configs dynamically" (InvalidRequestException).
      return fail(
        ErrorCode.INVALID_REQUEST,
        `${key} cannot be updated dynamically: it is read-only (server.properties only)`,
      );
    }
    if (def.dynamic === 'per-broker' && entity === 'default') {
      return fail(
        ErrorCode.INVALID_REQUEST,
        `${key} is a per-broker config: set it for one broker id, not the default`,
      );
    }
    if (!LIVE_BROKER_CONFIGS.has(key)) {
      return fail(
        ErrorCode.INVALID_CONFIG,
        `${key}: Kafka can change it at run time, but Samsa only reads it at start ` +
          `(dynamic here: ${[...LIVE_BROKER_CONFIGS].sort().join(', ')})`,
      );
    }
    const error = configValueError(key, def, value);
    if (error !== undefined) return fail(ErrorCode.INVALID_CONFIG, error);
  }
  return { ok: true, config };
}

/**
 * The names in a broker change that are not broker configs: accepted as Kafka accepts them,
 * each with the known name it most resembles, for the log line that says so.
 */
export function customBrokerKeys(config: Overrides): string[] {
  return Object.keys(config)
    .filter((key) => dynamicBrokerConfigDef(key) === undefined)
    .map((key) =>
      unknownConfigMessage(key, [
        ...Object.keys(KAFKA_BROKER_PROPERTIES),
        ...Object.keys(DYNAMIC_ONLY_BROKER_CONFIGS),
      ]),
    );
}

/** The type and default of a config, for APPEND/SUBTRACT (which need a list). */
function listDefault(entityType: 'topics' | 'brokers', key: string): string | undefined {
  if (entityType === 'topics') {
    const def = TOPIC_CONFIGS[key];
    return def?.type === 'list' ? def.kafkaDefault : undefined;
  }
  return dynamicBrokerConfigDef(key)?.type === 'list' ? '' : undefined;
}

/** IncrementalAlterConfigs' operations on the current overrides (Kafka's order: in turn). */
export function applyIncrementalOps(
  current: Readonly<Overrides>,
  ops: readonly { name: string; configOperation: number; value: string | null }[],
  entityType: 'topics' | 'brokers',
): Prepared {
  const next: Overrides = { ...current };
  const names = ops.map((o) => o.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined)
    return fail(ErrorCode.INVALID_REQUEST, `config ${duplicate} appears more than once`);
  for (const op of ops) {
    switch (op.configOperation) {
      case AlterConfigOp.SET:
        if (op.value === null) return fail(ErrorCode.INVALID_REQUEST, `SET ${op.name}: no value`);
        next[op.name] = op.value;
        break;
      case AlterConfigOp.DELETE:
        delete next[op.name];
        break;
      case AlterConfigOp.APPEND:
      case AlterConfigOp.SUBTRACT: {
        const fallback = listDefault(entityType, op.name);
        const verb = op.configOperation === AlterConfigOp.APPEND ? 'append' : 'subtract';
        if (fallback === undefined) {
          return fail(
            ErrorCode.INVALID_CONFIG,
            `config value ${verb} is not allowed for ${op.name}: it is not a list`,
          );
        }
        const items = parseConfigList(next[op.name] ?? fallback);
        const given = parseConfigList(op.value ?? '');
        const result =
          op.configOperation === AlterConfigOp.APPEND
            ? [...items, ...given.filter((g) => !items.includes(g))]
            : items.filter((i) => !given.includes(i));
        next[op.name] = result.join(',');
        break;
      }
      default:
        return fail(ErrorCode.INVALID_REQUEST, `unknown config operation ${op.configOperation}`);
    }
  }
  return { ok: true, config: next };
}

type ResourceResponse = {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
};

export class AlterConfigsApis {
  readonly #zk: () => CoordinatorClient;
  readonly #brokerId: number;
  readonly #logger: Logger;

  constructor(options: { zk: () => CoordinatorClient; brokerId: number; logger: Logger }) {
    this.#zk = options.zk;
    this.#brokerId = options.brokerId;
    this.#logger = options.logger.child({ component: 'alter-configs', brokerId: options.brokerId });
  }

  async alterConfigs(request: AlterConfigsRequest): Promise<Encodable<AlterConfigsResponse>> {
    const responses: ResourceResponse[] = [];
    for (const resource of request.resources) {
      const config: Overrides = {};
      for (const c of resource.configs) if (c.value !== null) config[c.name] = c.value;
      responses.push(
        await this.#alter(resource, request.validateOnly, () =>
          Promise.resolve<Prepared>({ ok: true, config }),
        ),
      );
    }
    return { throttleTimeMs: 0, responses };
  }

  async incrementalAlterConfigs(
    request: IncrementalAlterConfigsRequest,
  ): Promise<Encodable<IncrementalAlterConfigsResponse>> {
    const responses: ResourceResponse[] = [];
    for (const resource of request.resources) {
      responses.push(
        await this.#alter(resource, request.validateOnly, async (entityType, name) => {
          const current = await fetchEntityConfig(this.#zk(), entityType, name);
          return applyIncrementalOps(current, resource.configs, entityType);
        }),
      );
    }
    return { throttleTimeMs: 0, responses };
  }

  /** One resource: find the entity, compute its new overrides, check them, write them. */
  async #alter(
    resource: { resourceType: number; resourceName: string },
    validateOnly: boolean,
    newConfig: (entityType: 'topics' | 'brokers', name: string) => Promise<Prepared>,
  ): Promise<ResourceResponse> {
    const { resourceType, resourceName } = resource;
    const answer = (f?: Failure): ResourceResponse => ({
      resourceType,
      resourceName,
      errorCode: f?.errorCode ?? ErrorCode.NONE,
      errorMessage: f?.errorMessage ?? null,
    });
    let entityType: 'topics' | 'brokers';
    let name: string;
    let check: (config: Overrides) => Prepared;
    try {
      if (resourceType === ConfigResourceType.TOPIC) {
        const invalid = topicNameError(resourceName);
        if (invalid !== undefined)
          return answer({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: invalid });
        if ((await this.#zk().exists(TopicZNode.path(resourceName))) === null) {
          return answer({
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            errorMessage: `topic ${resourceName} does not exist`,
          });
        }
        entityType = 'topics';
        name = resourceName;
        check = prepareTopicChange;
      } else if (resourceType === ConfigResourceType.BROKER) {
        const entity = brokerEntity(resourceName, this.#brokerId);
        if (entity === undefined) {
          return answer({
            errorCode: ErrorCode.INVALID_REQUEST,
            errorMessage:
              `unexpected broker id ${resourceName}: expected ${this.#brokerId} ` +
              'or "" (the default of every broker)',
          });
        }
        entityType = 'brokers';
        name = entity === 'default' ? DEFAULT_CONFIG_ENTITY : resourceName;
        check = (config) => prepareBrokerChange(config, entity);
      } else {
        return answer({
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: `unsupported resource type ${resourceType}`,
        });
      }
      const prepared = await newConfig(entityType, name);
      if (!prepared.ok) return answer(prepared);
      const checked = check(prepared.config);
      if (!checked.ok) return answer(checked);
      const custom = entityType === 'brokers' ? customBrokerKeys(checked.config) : [];
      if (custom.length > 0) {
        this.#logger.warn({ name, custom }, 'broker config has names Samsa does not use');
      }
      if (!validateOnly) {
        await changeEntityConfig(this.#zk(), entityType as ConfigEntityType, name, checked.config);
        this.#logger.info({ entityType, name, config: checked.config }, 'config changed');
      }
      return answer();
    } catch (err) {
      this.#logger.warn({ err, resourceType, resourceName }, 'altering configs failed');
      return answer({
        errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
        errorMessage: `cannot change the config: ${(err as Error).message}`,
      });
    }
  }
}
