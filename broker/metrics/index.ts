/**
 * The broker's metrics, assembled: main.ts creates `BrokerMetrics` before the parts it hooks
 * into (replica manager, socket server), then `startBrokerAdmin` once they exist, which binds
 * the scrape-time gauges to them and opens the admin HTTP endpoint if admin.port is not -1.
 */
import type { Logger } from '../../src/logger.js';
import type { KafkaController } from '../controller/controller.js';
import type { GroupCoordinator } from '../group/group-coordinator.js';
import type { SocketServer } from '../network/socket-server.js';
import type { MetadataCache } from '../server/metadata-cache.js';
import type { ReplicaManager } from '../server/replica-manager.js';
import { BrokerAdminServer, type Readiness } from './admin-server.js';
import type { BrokerMetrics } from './broker-metrics.js';

export { BrokerMetrics, type InterBrokerClient } from './broker-metrics.js';

export interface BrokerAdminOptions {
  host: string;
  /** -1: no HTTP endpoint (the metrics are still kept); 0: any free port. */
  port: number;
  metrics: BrokerMetrics;
  replicaManager: ReplicaManager;
  controller: KafkaController;
  groups: GroupCoordinator;
  socketServer: SocketServer;
  /** Its updates tell when a topic is gone (its counters are dropped then). */
  metadataCache: MetadataCache;
  minInsyncReplicas: (topic: string) => number;
  readiness: () => Readiness;
  logger: Logger;
}

export interface RunningBrokerAdmin {
  /** The bound port, -1 when disabled. */
  port: number;
  close(): Promise<void>;
}

export async function startBrokerAdmin(options: BrokerAdminOptions): Promise<RunningBrokerAdmin> {
  const { replicaManager, controller, groups, socketServer } = options;
  options.metrics.bind({
    partitions: () => replicaManager.allPartitions(),
    minInsyncReplicas: options.minInsyncReplicas,
    purgatorySizes: () => ({
      produce: replicaManager.producePurgatory.watched,
      fetch: replicaManager.fetchPurgatory.watched,
    }),
    controller: () => controller.metricsSnapshot(),
    committedOffsets: function* () {
      for (const group of groups.groupIds) {
        const metadata = groups.group(group);
        if (metadata !== undefined) yield { group, offsets: metadata.offsets };
      }
    },
    connections: () => socketServer.connections().length,
    replicationByteRates: () => ({
      leader: replicaManager.replicationQuotas.leader.byteRate(),
      follower: replicaManager.replicationQuotas.follower.byteRate(),
    }),
  });
  const stopForgetting = options.metadataCache.onUpdate((snapshot) =>
    options.metrics.forgetDeletedTopics((topic) => snapshot.topics.has(topic)),
  );
  if (options.port === -1) {
    return {
      port: -1,
      close: () => {
        stopForgetting();
        return Promise.resolve();
      },
    };
  }
  const server = new BrokerAdminServer({
    host: options.host,
    port: options.port,
    metrics: options.metrics,
    readiness: options.readiness,
    logger: options.logger,
  });
  const port = await server.listen();
  return {
    port,
    close: () => {
      stopForgetting();
      return server.close();
    },
  };
}
