/**
 * Entity configs in the coordinator, the classic way (Kafka's AdminZkClient.changeConfigs /
 * fetchEntityConfig, 2.8):
 *
 *   /config/topics/orders            {"version":1,"config":{"retention.ms":"3600000"}}
 *   /config/brokers/<default>        {"version":1,"config":{"log.segment.bytes":"1048576"}}
 *   /config/brokers/1                (one broker's dynamic settings)
 *   /config/changes/config_change_0000000007   {"version":2,"entity_path":"topics/orders"}
 *
 * Changing an entity's config writes its whole new override map, then creates a sequential
 * change notification naming the entity. Every broker watches /config/changes and reads the
 * named entity again (broker/server/dynamic-config-manager.ts), so the value itself is only
 * ever in one place. Order matters: config first, notification second, so a broker woken by
 * the notification always reads the new config.
 *
 * Used by the brokers (AlterConfigs, IncrementalAlterConfigs) and by `coordinator configs`.
 * Validation is the caller's (it differs per entity type).
 */
import type { CoordinatorClient } from '../coordinator-client/client.js';
import { ErrorCode, hasCode } from '../protocol/coordinator/errors.js';
import {
  ConfigChangeNotificationZNode,
  EntityConfigZNode,
  type ConfigEntityType,
} from '../znodes.js';

/** The entity's overrides; {} when it has none (no znode). */
export async function fetchEntityConfig(
  client: CoordinatorClient,
  entityType: ConfigEntityType,
  name: string,
): Promise<Record<string, string>> {
  const path = EntityConfigZNode.path(entityType, name);
  try {
    return EntityConfigZNode.decode(path, (await client.getData(path)).data);
  } catch (err) {
    if (hasCode(err, ErrorCode.NONODE)) return {};
    throw err;
  }
}

/** Replaces the entity's overrides with `config` and notifies every broker. */
export async function changeEntityConfig(
  client: CoordinatorClient,
  entityType: ConfigEntityType,
  name: string,
  config: Record<string, string>,
): Promise<void> {
  const path = EntityConfigZNode.path(entityType, name);
  const data = EntityConfigZNode.encode(config);
  try {
    await client.setData(path, data);
  } catch (err) {
    if (!hasCode(err, ErrorCode.NONODE)) throw err;
    await client.create(path, data);
  }
  await client.create(
    ConfigChangeNotificationZNode.prefix,
    ConfigChangeNotificationZNode.encode(entityType, name),
    { mode: 'persistent_sequential' },
  );
}
