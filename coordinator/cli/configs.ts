/**
 * `coordinator configs ...`: Kafka's `kafka-configs.sh --zookeeper`, working on the config
 * znodes directly (src/kafka-zk/config-zk-client.ts):
 *
 *   configs --entity-type topics --entity-name T --describe
 *   configs --entity-type topics --entity-name T --alter --add-config k=v[,k=v]
 *   configs --entity-type topics --entity-name T --alter --delete-config k[,k]
 *   configs --entity-type brokers --entity-name 1 ...       one broker's dynamic settings
 *   configs --entity-type brokers --entity-default ...      /config/brokers/<default>
 *
 * --alter writes the entity's new overrides and a change notification; every running broker
 * applies the change at once. Values are checked first, as kafka-configs does: an unknown
 * name or a bad value exits 1 with the message naming the key. A value holding commas goes
 * in square brackets, as in kafka-configs: `--add-config cleanup.policy=[compact,delete]`.
 *
 * Entity types are a table (ENTITY_TYPES). Users (`--entity-type users`) hold SCRAM
 * credentials, which are derived from a password rather than stored as given, so they have
 * their own module (user-configs.ts):
 *
 *   configs --entity-type users --entity-name alice --alter \
 *     --add-config 'SCRAM-SHA-256=[iterations=8192,password=secret]'
 */
import type { Command } from 'commander';
import { configValueError, unknownConfigMessage } from '../../src/kafka-config/config-def.js';
import {
  DYNAMIC_ONLY_BROKER_CONFIGS,
  KAFKA_BROKER_PROPERTIES,
  dynamicBrokerConfigDef,
} from '../../src/kafka-config/kafka-broker-properties.js';
import { topicConfigError } from '../../src/kafka-config/topic-configs.js';
import { changeEntityConfig, fetchEntityConfig } from '../../src/kafka-zk/config-zk-client.js';
import { DEFAULT_CONFIG_ENTITY, TopicZNode, type ConfigEntityType } from '../../src/znodes.js';
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { UsageError, type CliContext, type CommandModule } from './context.js';
import { runUserConfigs } from './user-configs.js';

export interface EntityTypeSpec {
  /** The first problem with a complete new override map, or undefined. */
  validate(config: Record<string, string>): string | undefined;
  /** Throws when the entity cannot have configs (a topic that does not exist). */
  checkEntity?(client: CoordinatorClient, name: string): Promise<void>;
  /** Whether --entity-default is allowed. */
  hasDefault: boolean;
}

/** Broker settings that kafka-configs may store: Kafka's dynamic ones, checked by value. */
function brokerConfigError(config: Record<string, string>): string | undefined {
  for (const [key, value] of Object.entries(config)) {
    const def = dynamicBrokerConfigDef(key);
    if (def === undefined) {
      return unknownConfigMessage(key, [
        ...Object.keys(KAFKA_BROKER_PROPERTIES),
        ...Object.keys(DYNAMIC_ONLY_BROKER_CONFIGS),
      ]);
    }
    if (def.dynamic === undefined) return `${key} cannot be updated dynamically (read-only)`;
    const error = configValueError(key, def, value);
    if (error !== undefined) return error;
  }
  return undefined;
}

export const ENTITY_TYPES: Partial<Record<ConfigEntityType, EntityTypeSpec>> = {
  topics: {
    validate: topicConfigError,
    async checkEntity(client, name) {
      if ((await client.exists(TopicZNode.path(name))) === null)
        throw new Error(`UNKNOWN_TOPIC_OR_PARTITION: Topic '${name}' does not exist.`);
    },
    hasDefault: false,
  },
  brokers: { validate: brokerConfigError, hasDefault: true },
};

/** `k=v,k2=[a,b]` -> {k: v, k2: 'a,b'} (kafka-configs' --add-config syntax). */
export function parseAddConfig(text: string): Record<string, string> {
  const config: Record<string, string> = {};
  const pairs = text.match(/[^,[\]]+=\[[^\]]*\]|[^,]+/g) ?? [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--add-config expects key=value, got "${pair}"`);
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1);
    config[pair.slice(0, eq).trim()] = value;
  }
  return config;
}

interface ConfigsOptions {
  entityType: string;
  entityName?: string;
  entityDefault?: boolean;
  describe?: boolean;
  alter?: boolean;
  addConfig?: string;
  deleteConfig?: string;
}

function entityOf(o: ConfigsOptions): {
  type: ConfigEntityType;
  spec: EntityTypeSpec;
  name: string;
} {
  const spec = ENTITY_TYPES[o.entityType as ConfigEntityType];
  if (spec === undefined) {
    throw new UsageError(
      `--entity-type must be one of ${Object.keys(ENTITY_TYPES).join(', ')}, not ${o.entityType}`,
    );
  }
  if (o.entityDefault === true) {
    if (!spec.hasDefault) throw new UsageError(`${o.entityType} have no --entity-default`);
    return { type: o.entityType as ConfigEntityType, spec, name: DEFAULT_CONFIG_ENTITY };
  }
  if (o.entityName === undefined || o.entityName === '')
    throw new UsageError('give --entity-name NAME (or --entity-default)');
  return { type: o.entityType as ConfigEntityType, spec, name: o.entityName };
}

export const configsCommands: CommandModule = {
  register(program: Command, ctx: CliContext): void {
    program
      .command('configs')
      .description("describe or change an entity's config overrides (kafka-configs --zookeeper)")
      .requiredOption('--entity-type <type>', 'topics, brokers or users')
      .option('--entity-name <name>', 'topic name, broker id or user name')
      .option('--entity-default', 'the default of every broker (/config/brokers/<default>)')
      .option('--describe', 'show the overrides')
      .option('--alter', 'change the overrides')
      .option('--add-config <k=v,...>', 'with --alter: set these')
      .option('--delete-config <k,...>', 'with --alter: remove these')
      .action(async (o: ConfigsOptions, cmd: Command) => {
        if (Boolean(o.describe) === Boolean(o.alter)) {
          throw new UsageError('give exactly one of --describe, --alter');
        }
        if (o.entityType === 'users') {
          if (o.entityName === undefined) throw new UsageError('give --entity-name USER');
          const lines = await ctx.withClient(cmd, (zk) =>
            runUserConfigs(zk, {
              entityName: o.entityName!,
              alter: o.alter === true,
              describe: o.describe === true,
              addConfig: o.addConfig,
              deleteConfig: o.deleteConfig,
            }),
          );
          for (const line of lines) ctx.out(line);
          return;
        }
        const entity = entityOf(o);
        await ctx.withClient(cmd, async (client) => {
          await entity.spec.checkEntity?.(client, entity.name);
          const current = await fetchEntityConfig(client, entity.type, entity.name);
          const label =
            entity.name === DEFAULT_CONFIG_ENTITY
              ? `default ${entity.type.replace(/s$/, '')}`
              : `${entity.type.replace(/s$/, '')} '${entity.name}'`;
          if (o.describe === true) {
            const pairs = Object.entries(current).map(([k, v]) => `${k}=${v}`);
            ctx.out(`Configs for ${label} are ${pairs.join(',')}`);
            return;
          }
          const add = o.addConfig === undefined ? {} : parseAddConfig(o.addConfig);
          const remove = (o.deleteConfig ?? '')
            .split(',')
            .map((k) => k.trim())
            .filter(Boolean);
          if (Object.keys(add).length === 0 && remove.length === 0)
            throw new UsageError('--alter needs --add-config or --delete-config');
          for (const key of remove) {
            if (!(key in current))
              throw new Error(`INVALID_CONFIG: ${key} is not set for ${label}, cannot delete it`);
          }
          const next = { ...current, ...add };
          for (const key of remove) delete next[key];
          const error = entity.spec.validate(add);
          if (error !== undefined) throw new Error(`INVALID_CONFIG: ${error}`);
          await changeEntityConfig(client, entity.type, entity.name, next);
          ctx.out(`Completed updating config for ${label}.`);
        });
      });
  },
};
