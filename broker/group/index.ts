/**
 * The group coordinator of a broker, assembled: the decisions (group-coordinator.ts), their
 * storage in `__consumer_offsets` (group-metadata-manager.ts) and the Kafka APIs in front
 * (group-apis.ts). main.ts (and the test harness) build it with `createGroupCoordinator`
 * and put `handlers` into the broker's handler table.
 */
import type { Logger } from '../../src/logger.js';
import type { Scheduler } from '../../src/scheduler.js';
import type { ControllerAdmin } from '../server/admin-apis.js';
import type { MetadataCache } from '../server/metadata-cache.js';
import type { ReplicaManager } from '../server/replica-manager.js';
import type { AnyApiHandler } from '../network/api-handler-table.js';
import { GroupApis, groupApiHandlers } from './group-apis.js';
import {
  DEFAULT_GROUP_COORDINATOR_CONFIG,
  GroupCoordinator,
  type GroupCoordinatorConfig,
} from './group-coordinator.js';
import { GroupMetadataManager } from './group-metadata-manager.js';

export { GROUP_API_KEYS, groupApiHandlers } from './group-apis.js';

export interface GroupCoordinatorSettings extends GroupCoordinatorConfig {
  /** offsets.topic.num.partitions (50). */
  offsetsTopicNumPartitions: number;
  /** offsets.topic.replication.factor (3). */
  offsetsTopicReplicationFactor: number;
  /** offsets.commit.timeout.ms (5000). */
  offsetCommitTimeoutMs: number;
}

export const DEFAULT_GROUP_COORDINATOR_SETTINGS: GroupCoordinatorSettings = {
  ...DEFAULT_GROUP_COORDINATOR_CONFIG,
  offsetsTopicNumPartitions: 50,
  offsetsTopicReplicationFactor: 3,
  offsetCommitTimeoutMs: 5000,
};

export interface RunningGroupCoordinator {
  coordinator: GroupCoordinator;
  manager: GroupMetadataManager;
  apis: GroupApis;
  /** {apiKey, minVersion, maxVersion, handler} for each group API. */
  handlers: AnyApiHandler[];
  shutdown(): void;
}

export function createGroupCoordinator(options: {
  brokerId: number;
  settings: GroupCoordinatorSettings;
  replicaManager: ReplicaManager;
  metadataCache: MetadataCache;
  controllerAdmin: Pick<ControllerAdmin, 'autoCreateTopic'>;
  scheduler: Scheduler;
  logger: Logger;
}): RunningGroupCoordinator {
  const logger = options.logger.child({ brokerId: options.brokerId });
  const manager = new GroupMetadataManager({
    brokerId: options.brokerId,
    replicaManager: options.replicaManager,
    metadataCache: options.metadataCache,
    scheduler: options.scheduler,
    logger,
    offsetsTopicNumPartitions: options.settings.offsetsTopicNumPartitions,
    offsetCommitTimeoutMs: options.settings.offsetCommitTimeoutMs,
  });
  const coordinator = new GroupCoordinator({
    config: options.settings,
    store: manager,
    scheduler: options.scheduler,
    logger,
  });
  const apis = new GroupApis({
    coordinator,
    manager,
    metadataCache: options.metadataCache,
    controllerAdmin: options.controllerAdmin,
    offsetsTopicReplicationFactor: options.settings.offsetsTopicReplicationFactor,
    logger,
  });
  manager.startup(coordinator);
  coordinator.startup();
  return {
    coordinator,
    manager,
    apis,
    handlers: groupApiHandlers(apis),
    shutdown() {
      coordinator.shutdown();
      manager.shutdown();
    },
  };
}
