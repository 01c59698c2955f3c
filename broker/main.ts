/**
 * startBroker: the one place that builds a broker out of its parts and connects them to the
 * outside world (config, disk, coordinator session, sockets). Everything else is a pure core
 * or a thin adapter. docs/broker.md describes the start-up and shutdown sequences.
 *
 * Start-up, in Kafka's order (KafkaServer.startup, 2.8):
 *   1. open the log dirs (LogManager: recovery after an unclean shutdown)
 *   2. open a coordinator session; create the top-level paths; read or create /cluster/id;
 *      check meta.properties in every log dir (broker.id and cluster.id must match)
 *   3. start the socket server (before registering, so the controller can reach us as soon
 *      as it sees our registration)
 *      and the admin HTTP endpoint, if admin.port is set (metrics/: /metrics, /healthz, /readyz)
 *   4. register the ephemeral /brokers/ids/<id> (broker epoch = its czxid)
 *   5. start the controller election
 *   6. log `broker listening`
 *
 * Session expiry: the coordinator deleted our ephemerals (registration, maybe /controller).
 * A new session is opened, the broker registers again (new epoch), and the controller re-runs
 * the election (Kafka's RegisterBrokerAndReelect). Until that is done the broker keeps
 * serving clients from what it knows.
 *
 * Shutdown (SIGINT/SIGTERM in cli.ts): first the controlled shutdown (controlled.shutdown.enable:
 * ask the controller to move our leaderships away, server/controlled-shutdown.ts), while the
 * socket server still answers; then close the socket server, resign as controller (deleting
 * /controller so another broker takes over at once), close the session (which removes our
 * registration), then flush the logs and write the clean-shutdown marker.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { systemScheduler, type Scheduler } from '../src/scheduler.js';
import { CoordinatorClient } from '../src/coordinator-client/client.js';
import { ensureChroot } from '../src/kafka-zk/chroot.js';
import { fetchEntityConfig } from '../src/kafka-zk/config-zk-client.js';
import { ApiKey, recommendedRange } from '../src/protocol/kafka/api-keys.js';
import { createRootLogger, type Logger } from '../src/logger.js';
import { BrokerSequenceIdZNode, type BrokerInfo } from '../src/znodes.js';
import type { BrokerConfig } from './config.js';
import { ControllerAdminImpl, type InternalTopicSettings } from './controller/controller-admin.js';
import { ControllerChannelManager } from './controller/controller-channel-manager.js';
import { KafkaController } from './controller/controller.js';
import { LogManager } from './log/log-manager.js';
import { apiHandler, ApiHandlerTable } from './network/api-handler-table.js';
import { SocketServer } from './network/socket-server.js';
import { brokerConnector } from './network/broker-connector.js';
import { SaslServerConnection, saslApiHandlers } from './security/sasl-server.js';
import { CoordinatorScramCredentials } from './security/scram-credentials-store.js';
import { AclCache } from './security/acl-cache.js';
import { AclApis } from './security/acl-apis.js';
import { ScramAdminApis } from './security/scram-admin-apis.js';
import { authorizeApi } from './security/api-authorization.js';
import { kafkaApiHandlers } from './server/kafka-apis.js';
import { writeTxnMarkersHandlers } from './server/write-txn-markers.js';
import {
  handleAlterPartitionReassignments,
  handleElectLeaders,
  handleListPartitionReassignments,
} from './server/partition-admin-apis.js';
import { MetadataCache } from './server/metadata-cache.js';
import { ReplicaManager } from './server/replica-manager.js';
import {
  createTopLevelPaths,
  getOrCreateClusterId,
  registerBroker,
} from '../src/kafka-zk/kafka-zk-client.js';
import { controlledShutdown, handleControlledShutdown } from './server/controlled-shutdown.js';
import { CoordinatorPartitionStateStore } from './replica/partition-state-store.js';
import { DeleteRecordsHandler } from './server/delete-records.js';
import { ConfigRepository } from './server/config-repository.js';
import { DynamicConfigManager } from './server/dynamic-config-manager.js';
import { applyTopicThrottles, createReplicationQuotas } from './replica/replication-quota.js';
import { AlterConfigsApis } from './server/alter-configs.js';
import { createGroupCoordinator } from './group/index.js';
import {
  BrokerMetrics,
  startBrokerAdmin,
  type InterBrokerClient,
  type RunningBrokerAdmin,
} from './metrics/index.js';
import {
  CoordinatorProducerIdBlockStore,
  ProducerIdManager,
} from './transaction/producer-id-manager.js';
import { createTransactionCoordinator } from './transaction/index.js';
import { zkClientSecurity } from './zk/zk-client-security.js';

export interface BrokerOptions {
  config: BrokerConfig;
  /**
   * The JAAS login file (java.security.auth.login.config): its `Client` section is what the
   * broker logs in to the coordinator with (broker/zk/zk-client-security.ts).
   */
  jaasConfigFile?: string;
  logger?: Logger;
  /** Time and timers for the whole broker; the system scheduler unless a test gives one. */
  scheduler?: Scheduler;
}

export interface RunningBroker {
  brokerId: number;
  clusterId: string;
  /** The port the (first) listener is bound to. */
  port: number;
  /** The admin HTTP port (/metrics, /healthz, /readyz), -1 when admin.port is -1. */
  adminPort: number;
  metrics: BrokerMetrics;
  /** The bound port of every listener, by listener name. */
  ports: ReadonlyMap<string, number>;
  controller: KafkaController;
  /** The current coordinator session. */
  zk(): CoordinatorClient;
  shutdown(): Promise<void>;
}

/** A start-up failure a person can act on; cli.ts prints the message and exits 1. */
export class BrokerStartupError extends Error {
  override name = 'BrokerStartupError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The JAAS file's text; a file that cannot be read stops the start-up. */
function readJaasFile(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new BrokerStartupError(
      'KB_ERR_JAAS_CONFIG',
      `cannot read the JAAS file ${file}: ${(err as Error).message}`,
    );
  }
}

/** Kafka's Uuid.randomUuid().toString(): 16 random bytes as 22 characters of base64url. */
export function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const { config } = options;
  const scheduler = options.scheduler ?? systemScheduler;
  const clock = scheduler;
  const root = options.logger ?? createRootLogger({ name: `broker-${config.brokerId}` });

  // The coordinator session's TLS, credentials and znode ACLs (zookeeper.set.acl, zookeeper.ssl.*).
  const zkSecurity = zkClientSecurity(
    config.properties,
    readJaasFile(options.jaasConfigFile),
    options.jaasConfigFile,
  );
  // 2 (before 1: an id may need to be generated, and meta.properties may hold it).
  const connectSession = async (): Promise<CoordinatorClient> => {
    // ZooKeeper's binary protocol, as Kafka's brokers speak it: the same broker then runs on
    // our coordinator (which serves both protocols on one port) or on Apache ZooKeeper.
    const clientOptions = {
      protocol: 'zookeeper',
      sessionTimeoutMs: config.zookeeperSessionTimeoutMs,
      initialConnectTimeoutMs: config.zookeeperConnectionTimeoutMs,
      logger: root,
      scheduler,
      ...zkSecurity,
    } as const;
    const client = new CoordinatorClient(config.zookeeperConnect, clientOptions);
    try {
      await ensureChroot(config.zookeeperConnect, clientOptions);
      await client.connect();
    } catch (err) {
      throw new BrokerStartupError(
        'KB_ERR_COORDINATOR_UNREACHABLE',
        `cannot reach the coordinator at ${config.zookeeperConnect}: ${(err as Error).message}`,
      );
    }
    return client;
  };
  let zk = await connectSession();
  let log = root.child({ component: 'broker', brokerId: config.brokerId });
  if (config.unhonouredProperties.length > 0) {
    // One line for all of them (config.ts): Kafka properties this broker accepts but ignores.
    log.warn(
      { properties: config.unhonouredProperties },
      `${config.unhonouredProperties.length} Kafka properties are not implemented by Samsa ` +
        'and have no effect: ' +
        config.unhonouredProperties.join(', '),
    );
  }
  try {
    await createTopLevelPaths(zk);
    const clusterId = await getOrCreateClusterId(zk, newClusterId);
    const brokerId = await resolveBrokerId(zk, config);
    log = root.child({ component: 'broker', brokerId });
    checkMetaProperties(config.logDirs, brokerId, clusterId);

    // Every config value in its layers (server.properties, /config/brokers, /config/topics),
    // read before the logs open so that each log starts with its topic's settings.
    const repository = new ConfigRepository({
      brokerId,
      log: config.log,
      minInsyncReplicas: config.minInsyncReplicas,
      uncleanLeaderElectionEnable: config.uncleanLeaderElectionEnable,
      properties: config.properties,
      staticProperties: config.staticProperties,
    });
    // Retention and compaction stop at each partition's high watermark, which the replica
    // manager (made below) owns; a log no partition hosts counts as 0.
    const late: {
      logManager?: LogManager;
      replicaManager?: ReplicaManager;
      metrics?: BrokerMetrics;
    } = {};
    // The replication quotas (KIP-73) follow the dynamic configs: the rates from
    // /config/brokers, the throttled replicas from each topic's overrides.
    const quotaLogger = root.child({ component: 'replication-quota', brokerId });
    const replicationQuotas = createReplicationQuotas({
      clock,
      samples: config.replicationQuotaWindowNum,
      windowMs: config.replicationQuotaWindowSizeSeconds * 1000,
      onRecord: (side, bytes) => late.metrics?.replicationHooks.throttledBytes(side, bytes),
    });
    const dynamicConfig = new DynamicConfigManager({
      zk: () => zk,
      repository,
      clock,
      logger: root,
      onTopicConfigChange: (topic) => {
        const throttles = applyTopicThrottles(replicationQuotas, {
          topic,
          overrides: repository.topicOverrides(topic),
          brokerId,
        });
        if (throttles.changed) {
          quotaLogger.info(
            { topic, leaderPartitions: throttles.leader, followerPartitions: throttles.follower },
            `throttled replicas of ${topic} changed`,
          );
        }
        late.logManager?.updateTopicConfig(topic, repository.logConfig(topic));
      },
      onBrokerConfigChange: () => {
        for (const side of ['leader', 'follower'] as const) {
          const quota = replicationQuotas[side];
          const bytesPerSec = repository.replicationThrottledRate(side);
          if (bytesPerSec === quota.upperBound) continue;
          quota.updateQuota(bytesPerSec);
          quotaLogger.info(
            { side, bytesPerSec: Number.isFinite(bytesPerSec) ? bytesPerSec : 'unbounded' },
            `${side} replication throttled rate changed`,
          );
        }
        const topics = new Set(late.logManager?.allLogs().map((l) => l.topicPartition.topic));
        for (const topic of topics)
          late.logManager?.updateTopicConfig(topic, repository.logConfig(topic));
      },
    });
    await dynamicConfig.startup();

    // 1. The logs.
    const logManager = LogManager.startup({
      logDirs: config.logDirs,
      defaultConfig: config.log,
      configFor: (topic) => repository.logConfig(topic),
      highWatermarkOf: (tp) => late.replicaManager?.getPartition(tp)?.highWatermark ?? 0,
      clock,
      scheduler,
      logger: root,
      retentionCheckIntervalMs: config.logRetentionCheckIntervalMs,
      recoveryPointCheckpointIntervalMs: config.logFlushOffsetCheckpointIntervalMs,
      producerIdExpirationMs: config.producerIdExpirationMs,
      producerIdExpirationCheckIntervalMs: config.producerIdExpirationCheckIntervalMs,
      cleanerEnable: config.logCleanerEnable,
      cleanerConfig: config.logCleaner,
    });
    late.logManager = logManager;
    logManager.startPeriodicTasks();

    // 3. The handler table and the socket server (and the metrics they report to).
    const metrics = new BrokerMetrics({ brokerId, listener: config.interBrokerListenerName });
    late.metrics = metrics;
    // Connections to other brokers use the inter-broker listener's TLS and SASL.
    // One connector per client, for its metrics (connections, re-authentications).
    const connectorFor = (client?: InterBrokerClient) =>
      brokerConnector({
        security: config.security.interBroker,
        clientId: `broker-${brokerId}`,
        timeoutMs: config.requestTimeoutMs,
        scheduler,
        hooks: client === undefined ? undefined : metrics.interBrokerHooks[client],
      });
    const connect = connectorFor();
    const metadataCache = new MetadataCache({
      clusterId,
      listenerName: config.interBrokerListenerName,
    });
    const replicaManager = new ReplicaManager({
      brokerId,
      logManager,
      metadataCache,
      minInsyncReplicas: (topic) => repository.minInsyncReplicas(topic),
      // CreateTopics writes /config/topics/<t> without a change notification (as Kafka):
      // read it when we first host a partition of the topic.
      onPartitionCreated: (tp) => dynamicConfig.refreshTopic(tp.topic),
      clock,
      scheduler,
      logger: root,
      highWatermarkCheckpointIntervalMs: config.replicaHighWatermarkCheckpointIntervalMs,
      replicaLagTimeMaxMs: config.replicaLagTimeMaxMs,
      partitionStateStore: new CoordinatorPartitionStateStore(() => zk),
      replicaFetcherConfig: {
        fetchWaitMaxMs: config.replicaFetchWaitMaxMs,
        fetchMaxBytes: config.replicaFetchMaxBytes,
        connect: connectorFor('replica-fetcher'),
      },
      metrics: { topics: metrics.topicHooks, isr: metrics.isrHooks },
      replicationQuotas,
    });
    late.replicaManager = replicaManager;
    replicaManager.startup();
    let brokerEpoch: bigint | undefined;
    const controller = new KafkaController({
      brokerId,
      zk: () => zk,
      createSender: () =>
        new ControllerChannelManager({
          controllerId: brokerId,
          logger: root,
          requestTimeoutMs: config.controllerSocketTimeoutMs,
          scheduler,
          connect: connectorFor('controller-channel'),
        }),
      interBrokerListenerName: config.interBrokerListenerName,
      uncleanLeaderElectionEnable: () => repository.uncleanLeaderElectionEnable(undefined),
      deleteTopicEnable: config.deleteTopicEnable,
      autoLeaderRebalanceEnable: config.autoLeaderRebalanceEnable,
      leaderImbalanceCheckIntervalMs: config.leaderImbalanceCheckIntervalMs,
      leaderImbalancePerBrokerPercentage: config.leaderImbalancePerBrokerPercentage,
      clock,
      scheduler,
      logger: root,
    });
    const controllerAdmin = new ControllerAdminImpl({
      controller,
      zk: () => zk,
      logger: root,
      numPartitions: config.numPartitions,
      defaultReplicationFactor: config.defaultReplicationFactor,
      internalTopics: new Map<string, InternalTopicSettings>([
        [
          '__consumer_offsets',
          {
            numPartitions: config.offsetsTopicNumPartitions,
            replicationFactor: config.offsetsTopicReplicationFactor,
            // Kafka's GroupMetadataManager.offsetsTopicConfigs: only the latest commit of each
            // group/partition key matters, so the log cleaner compacts the topic; segments of
            // offsets.topic.segment.bytes (100 MiB) so that it has inactive segments to clean.
            configs: {
              'cleanup.policy': 'compact',
              'compression.type': 'producer',
              'segment.bytes': String(config.offsetsTopicSegmentBytes),
            },
          },
        ],
        [
          '__transaction_state',
          {
            numPartitions: config.transactionStateLogNumPartitions,
            replicationFactor: config.transactionStateLogReplicationFactor,
            // Kafka's TransactionLog.transactionTopicConfigs: the latest record of each
            // transactional id matters; writes need transaction.state.log.min.isr replicas.
            configs: {
              'cleanup.policy': 'compact',
              'compression.type': 'uncompressed',
              'min.insync.replicas': String(config.transactionStateLogMinIsr),
              'segment.bytes': String(config.transactionStateLogSegmentBytes),
              'unclean.leader.election.enable': 'false',
            },
          },
        ],
      ]),
    });
    const groups = createGroupCoordinator({
      brokerId,
      settings: {
        offsetsTopicNumPartitions: config.offsetsTopicNumPartitions,
        offsetsTopicReplicationFactor: config.offsetsTopicReplicationFactor,
        offsetCommitTimeoutMs: config.offsetsCommitTimeoutMs,
        groupMinSessionTimeoutMs: config.groupMinSessionTimeoutMs,
        groupMaxSessionTimeoutMs: config.groupMaxSessionTimeoutMs,
        groupInitialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
        groupMaxSize: config.groupMaxSize,
        offsetMetadataMaxBytes: config.offsetMetadataMaxBytes,
        offsetsRetentionMs: config.offsetsRetentionMinutes * 60_000,
        offsetsRetentionCheckIntervalMs: config.offsetsRetentionCheckIntervalMs,
      },
      replicaManager,
      metadataCache,
      controllerAdmin,
      scheduler,
      logger: root,
    });
    // authorizer.class.name=kafka.security.authorizer.AclAuthorizer: ACLs from the coordinator,
    // cached here and kept current through the change notifications (security/acl-cache.ts).
    let aclCache: AclCache | undefined;
    if (config.security.authorizer.enabled) {
      aclCache = new AclCache({ zk: () => zk, settings: config.security.authorizer, logger: root });
      await aclCache.start();
    }
    // The transaction coordinator: __transaction_state, markers to partition leaders.
    const transactions = createTransactionCoordinator({
      brokerId,
      settings: {
        transactionStateLogNumPartitions: config.transactionStateLogNumPartitions,
        transactionStateLogReplicationFactor: config.transactionStateLogReplicationFactor,
        transactionMaxTimeoutMs: config.transactionMaxTimeoutMs,
        abortTimedOutTransactionsIntervalMs:
          config.transactionAbortTimedOutTransactionCleanupIntervalMs,
        requestTimeoutMs: config.requestTimeoutMs,
        transactionalIdExpirationMs: config.transactionalIdExpirationMs,
        removeExpiredTransactionalIdsIntervalMs:
          config.transactionRemoveExpiredTransactionCleanupIntervalMs,
      },
      replicaManager,
      metadataCache,
      controllerAdmin,
      producerIdManager: new ProducerIdManager({
        brokerId,
        store: new CoordinatorProducerIdBlockStore(() => zk),
        logger: root,
      }),
      offsetsPartitionFor: (groupId) => groups.manager.partitionFor(groupId),
      connect: connectorFor('txn-marker-channel'),
      authorize: aclCache?.check,
      scheduler,
      logger: root,
    });
    groups.apis.setTransactionCoordinatorLookup((id, listener, session) =>
      transactions.apis.findCoordinator(id, listener, session),
    );
    const dataPlaneHandlers = kafkaApiHandlers({
      brokerId,
      authorize: aclCache?.check,
      config: {
        brokerId,
        numPartitions: config.numPartitions,
        defaultReplicationFactor: config.defaultReplicationFactor,
        autoCreateTopicsEnable: config.autoCreateTopicsEnable,
        deleteTopicEnable: config.deleteTopicEnable,
        minInsyncReplicas: config.minInsyncReplicas,
        logDefaults: config.log,
        repository,
      },
      logManager,
      metadataCache,
      replicaManager,
      controllerAdmin,
      logger: root,
      brokerEpoch: () => brokerEpoch,
      fetchTopicConfig: (topic) => fetchEntityConfig(zk, 'topics', topic),
      scheduler,
    });
    const deleteRecords = new DeleteRecordsHandler({ replicaManager, scheduler, logger: root });
    const alterConfigs = new AlterConfigsApis({ zk: () => zk, brokerId, logger: root });
    // One table is both dispatch and the ApiVersions answer: each part of the broker registers
    // the APIs it serves, with their versions.
    // With the authorizer on, every row whose handler does not check ACLs itself gets Kafka's
    // checks (security/api-authorization.ts).
    const handlers = new ApiHandlerTable({
      guard: aclCache
        ? (row) => authorizeApi(row, aclCache.check, aclCache.checkByResourceType)
        : undefined,
    })
      .registerAll(dataPlaneHandlers)
      .registerAll(groups.handlers)
      .registerAll(transactions.handlers)
      // The partition side of transactions: COMMIT/ABORT markers from the transaction
      // coordinators (server/write-txn-markers.ts). txnMarkerListener: the group coordinator's
      // hook for transactional offset commits (GroupCoordinator.onTxnCompleted).
      .registerAll(
        writeTxnMarkersHandlers({
          replicaManager,
          clock,
          requestTimeoutMs: config.requestTimeoutMs,
          txnMarkerListener: groups.coordinator,
          authorize: aclCache?.check,
          logger: root,
        }),
      )
      .registerAll(saslApiHandlers())
      // Describe/Create/DeleteAcls: SECURITY_DISABLED without an authorizer (security/acl-apis.ts).
      .registerAll(new AclApis({ zk: () => zk, cache: aclCache, logger: root }).handlers())
      // Describe/AlterUserScramCredentials on /config/users (security/scram-admin-apis.ts).
      .registerAll(
        new ScramAdminApis({
          zk: () => zk,
          authorize: aclCache?.check,
          isController: () => controller.isActive(),
          logger: root,
        }).handlers(),
      )
      .registerAll([
        // Answered by the controller's event queue; NOT_CONTROLLER on the other brokers.
        // ControlledShutdown v0 has a request header without a client id; nothing sends it any
        // more (Kafka 2.8's brokers send v3), so only 1-3 are served.
        apiHandler(ApiKey.ControlledShutdown, { minVersion: 1, maxVersion: 3 }, (r) =>
          handleControlledShutdown(controller, r.body),
        ),
        // Moves log start offsets on the partitions' leaders (server/delete-records.ts).
        apiHandler(ApiKey.DeleteRecords, { minVersion: 0, maxVersion: 2 }, (r) =>
          deleteRecords.handle(r.body),
        ),
        // The controller's partition admin APIs (server/partition-admin-apis.ts).
        apiHandler(ApiKey.ElectLeaders, { minVersion: 0, maxVersion: 2 }, (r) =>
          handleElectLeaders(controller, r.body),
        ),
        apiHandler(ApiKey.AlterPartitionReassignments, { minVersion: 0, maxVersion: 0 }, (r) =>
          handleAlterPartitionReassignments(controller, r.body),
        ),
        apiHandler(ApiKey.ListPartitionReassignments, { minVersion: 0, maxVersion: 0 }, (r) =>
          handleListPartitionReassignments(controller, r.body),
        ),
        // Config changes: written to the coordinator, applied by every broker's
        // dynamic config manager (server/alter-configs.ts).
        apiHandler(ApiKey.AlterConfigs, recommendedRange(ApiKey.AlterConfigs), (r) =>
          alterConfigs.alterConfigs(r.body),
        ),
        apiHandler(
          ApiKey.IncrementalAlterConfigs,
          recommendedRange(ApiKey.IncrementalAlterConfigs),
          (r) => alterConfigs.incrementalAlterConfigs(r.body),
        ),
      ]);
    if (config.listeners.length === 0) {
      throw new BrokerStartupError('KB_ERR_CONFIG', 'no listener configured');
    }
    // One socket server per listener, each with its own security protocol.
    const scramCredentials = new CoordinatorScramCredentials(() => zk);
    const socketServers: SocketServer[] = [];
    const ports = new Map<string, number>();
    for (const listener of config.listeners) {
      const security = config.security.listeners.get(listener.listenerName)!;
      const socketServer = new SocketServer({
        host: listener.host,
        port: listener.port,
        handlers,
        logger: root,
        frameBytesMax: config.socketRequestMaxBytes,
        metrics: metrics.networkHooks,
        listener: security,
        saslConnection: (session, logger) =>
          new SaslServerConnection({
            sasl: security.sasl!,
            session,
            credentials: scramCredentials,
            logger,
            clock: scheduler,
          }),
      });
      socketServers.push(socketServer);
      try {
        ports.set(listener.listenerName, await socketServer.listen());
      } catch (err) {
        await Promise.all(socketServers.map((s) => s.close()));
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new BrokerStartupError(
            'KB_ERR_PORT_IN_USE',
            `port ${listener.port} on ${listener.host} is already in use (another broker running?)`,
          );
        }
        throw err;
      }
    }
    const listener = config.listeners[0]!;
    const port = ports.get(listener.listenerName)!;
    const closeSocketServers = (): Promise<unknown> =>
      Promise.all(socketServers.map((s) => s.close()));
    // The admin endpoint: up before registration, so /healthz answers and /readyz says why
    // the broker is not ready yet.
    let admin: RunningBrokerAdmin;
    try {
      admin = await startBrokerAdmin({
        host: listener.host,
        port: config.adminPort,
        metrics,
        replicaManager,
        controller,
        groups: groups.coordinator,
        socketServer: socketServers[0]!,
        metadataCache,
        minInsyncReplicas: (topic) => repository.minInsyncReplicas(topic),
        readiness: () => ({
          registered: brokerEpoch !== undefined && !['expired', 'closed'].includes(zk.state),
          metadataLoaded: metadataCache.snapshot.brokers.has(brokerId),
        }),
        logger: root,
      });
    } catch (err) {
      await closeSocketServers();
      await logManager.shutdown();
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new BrokerStartupError(
          'KB_ERR_PORT_IN_USE',
          `admin port ${config.adminPort} on ${listener.host} is already in use`,
        );
      }
      throw err;
    }

    // 4. Registration. An advertised port of 0 means "the port we actually got".
    const info: BrokerInfo = {
      id: brokerId,
      endpoints: config.advertisedListeners.map((l) => ({
        listenerName: l.listenerName,
        host: l.host,
        port: l.port === 0 ? (ports.get(l.listenerName) ?? port) : l.port,
        securityProtocol: l.securityProtocol,
      })),
      rack: config.rack,
      jmxPort: -1,
      timestampMs: clock.nowMs(),
    };
    try {
      brokerEpoch = BigInt(await registerBroker(zk, info));
    } catch (err) {
      await admin.close();
      await closeSocketServers();
      await logManager.shutdown();
      throw err;
    }
    log.info(
      { brokerEpoch: Number(brokerEpoch), clusterId },
      'registered /brokers/ids/' + brokerId,
    );

    // Session expiry: new session, register again, re-run the election.
    let stopping = false;
    const onExpired = (): void => {
      if (stopping) return;
      log.warn('coordinator session expired; opening a new one and registering again');
      void (async () => {
        for (;;) {
          try {
            const next = await connectSession();
            zk = next;
            zk.on('expired', onExpired);
            brokerEpoch = BigInt(await registerBroker(zk, { ...info, timestampMs: clock.nowMs() }));
            log.info({ brokerEpoch: Number(brokerEpoch) }, 're-registered with a new session');
            controller.onNewSession();
            dynamicConfig.onNewSession();
            return;
          } catch (err) {
            if (stopping) return;
            log.error({ err }, 're-registration failed; retrying in 1 s');
            await new Promise<void>((r) => scheduler.schedule(1_000, r));
          }
        }
      })();
    };
    zk.on('expired', onExpired);

    // 5. The controller election.
    controller.startup();
    log.info(
      {
        host: listener.host,
        port,
        ports: Object.fromEntries(ports),
        adminPort: admin.port,
        clusterId,
      },
      'broker listening',
    );

    return {
      brokerId,
      clusterId,
      port,
      adminPort: admin.port,
      metrics,
      ports,
      controller,
      zk: () => zk,
      async shutdown() {
        if (stopping) return;
        stopping = true;
        log.info('shutting down');
        // No more fetching: a follower that keeps fetching during the controlled shutdown
        // could be written back into an ISR by its leader just before it exits.
        replicaManager.stopReplicaFetchers();
        if (config.controlledShutdownEnable) {
          await controlledShutdown({
            brokerId,
            brokerEpoch: () => brokerEpoch,
            zk: () => zk,
            interBrokerListenerName: config.interBrokerListenerName,
            maxRetries: config.controlledShutdownMaxRetries,
            retryBackoffMs: config.controlledShutdownRetryBackoffMs,
            requestTimeoutMs: config.requestTimeoutMs,
            scheduler: systemScheduler,
            logger: root,
            connect,
          });
          // If we are the controller, other brokers stopping at the same time may be waiting
          // for our answer to their ControlledShutdown: let the queue answer them and the
          // socket server write the answers (one turn of the event loop) before closing.
          await controller.whenIdle();
          await new Promise((resolve) => setImmediate(resolve));
        }
        await closeSocketServers();
        await controller.shutdown();
        dynamicConfig.close();
        aclCache?.close();
        await zk.close();
        transactions.shutdown();
        groups.shutdown();
        deleteRecords.shutdown();
        replicaManager.shutdown();
        await logManager.shutdown();
        await admin.close();
        log.info('shut down cleanly');
      },
    };
  } catch (err) {
    await zk.close();
    throw err;
  }
}

/**
 * `broker.id`, or a generated one: reserved.broker.max.id + the new version of
 * /brokers/seqid (setData with version -1 bumps it; first value 1), as Kafka does.
 */
async function resolveBrokerId(zk: CoordinatorClient, config: BrokerConfig): Promise<number> {
  if (config.brokerId >= 0) return config.brokerId;
  const stored = readMetaProperties(config.logDirs).find((m) => m.brokerId !== undefined)?.brokerId;
  if (stored !== undefined) return stored;
  if (!config.brokerIdGenerationEnable) {
    throw new BrokerStartupError(
      'KB_ERR_CONFIG',
      'broker.id is not set and broker.id.generation.enable=false',
    );
  }
  const stat = await zk.setData(BrokerSequenceIdZNode.path, null, -1);
  return config.reservedBrokerMaxId + stat.version;
}

interface MetaProperties {
  dir: string;
  brokerId?: number;
  clusterId?: string;
}

function readMetaProperties(logDirs: readonly string[]): MetaProperties[] {
  const result: MetaProperties[] = [];
  for (const dir of logDirs) {
    const file = path.join(dir, 'meta.properties');
    if (!fs.existsSync(file)) continue;
    const entries = new Map(
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.includes('=') && !l.startsWith('#'))
        .map(
          (l) => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim()] as const,
        ),
    );
    result.push({
      dir,
      brokerId: entries.has('broker.id') ? Number(entries.get('broker.id')) : undefined,
      clusterId: entries.get('cluster.id'),
    });
  }
  return result;
}

/**
 * Every log dir remembers which broker and cluster it belongs to (`meta.properties`, as in
 * Kafka). Starting a broker on another broker's data, or on a different cluster's, would
 * serve the wrong partitions: refuse. Missing files are written.
 */
function checkMetaProperties(
  logDirs: readonly string[],
  brokerId: number,
  clusterId: string,
): void {
  for (const meta of readMetaProperties(logDirs)) {
    if (meta.brokerId !== undefined && meta.brokerId !== brokerId) {
      throw new BrokerStartupError(
        'KB_ERR_META_PROPERTIES',
        `${meta.dir}/meta.properties says broker.id=${meta.brokerId}, ` +
          `but this broker is ${brokerId}`,
      );
    }
    if (meta.clusterId !== undefined && meta.clusterId !== clusterId) {
      throw new BrokerStartupError(
        'KB_ERR_META_PROPERTIES',
        `${meta.dir}/meta.properties says cluster.id=${meta.clusterId}, ` +
          `but the coordinator's cluster is ${clusterId} (data from another cluster?)`,
      );
    }
  }
  for (const dir of logDirs) {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'meta.properties');
    if (fs.existsSync(file)) continue;
    fs.writeFileSync(
      file,
      `#\n#${new Date().toUTCString()}\n` +
        `version=0\nbroker.id=${brokerId}\ncluster.id=${clusterId}\n`,
    );
  }
}
