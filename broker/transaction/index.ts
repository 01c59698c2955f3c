/**
 * The transaction coordinator of a broker, assembled: the rules
 * (transaction-state-machine.ts), their storage in `__transaction_state`
 * (transaction-state-manager.ts), the markers to partition leaders
 * (transaction-marker-channel-manager.ts over broker-request-sender.ts), the coordinator that
 * drives them (transaction-coordinator.ts) and the Kafka APIs in front (transaction-apis.ts).
 * main.ts (and the test harness) build it with `createTransactionCoordinator` and put
 * `handlers` into the broker's handler table; FindCoordinator's TRANSACTION keys go to
 * `apis.findCoordinator` through the group APIs.
 */
import type { Logger } from '../../src/logger.js';
import type { Scheduler } from '../../src/scheduler.js';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import type { AnyApiHandler } from '../network/api-handler-table.js';
import type { BrokerConnector } from '../network/broker-connector.js';
import { BrokerRequestSender } from '../network/broker-request-sender.js';
import type { ControllerAdmin } from '../server/admin-apis.js';
import type { AuthorizationCheck } from '../security/acl-cache.js';
import type { MetadataCache } from '../server/metadata-cache.js';
import type { ReplicaManager } from '../server/replica-manager.js';
import type { ProducerIdManager } from './producer-id-manager.js';
import { TransactionApis, transactionApiHandlers } from './transaction-apis.js';
import { TransactionCoordinator } from './transaction-coordinator.js';
import {
  TransactionMarkerChannelManager,
  WRITE_TXN_MARKERS_VERSION,
} from './transaction-marker-channel-manager.js';
import { TransactionStateManager } from './transaction-state-manager.js';

export interface TransactionCoordinatorSettings {
  /** transaction.state.log.num.partitions (50). */
  transactionStateLogNumPartitions: number;
  /** transaction.state.log.replication.factor (3). */
  transactionStateLogReplicationFactor: number;
  /** transaction.max.timeout.ms (900000). */
  transactionMaxTimeoutMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms (10000). */
  abortTimedOutTransactionsIntervalMs: number;
  /** request.timeout.ms (30000): state writes and marker requests wait this long. */
  requestTimeoutMs: number;
  /** transactional.id.expiration.ms (604800000). */
  transactionalIdExpirationMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms (3600000). */
  removeExpiredTransactionalIdsIntervalMs: number;
}

export const DEFAULT_TRANSACTION_COORDINATOR_SETTINGS: TransactionCoordinatorSettings = {
  transactionStateLogNumPartitions: 50,
  transactionStateLogReplicationFactor: 3,
  transactionMaxTimeoutMs: 900_000,
  abortTimedOutTransactionsIntervalMs: 10_000,
  requestTimeoutMs: 30_000,
  transactionalIdExpirationMs: 604_800_000,
  removeExpiredTransactionalIdsIntervalMs: 3_600_000,
};

export interface RunningTransactionCoordinator {
  coordinator: TransactionCoordinator;
  stateManager: TransactionStateManager;
  apis: TransactionApis;
  handlers: AnyApiHandler[];
  shutdown(): void;
}

export function createTransactionCoordinator(options: {
  brokerId: number;
  settings: TransactionCoordinatorSettings;
  replicaManager: ReplicaManager;
  metadataCache: MetadataCache;
  controllerAdmin: Pick<ControllerAdmin, 'autoCreateTopic'>;
  producerIdManager: ProducerIdManager;
  /** The `__consumer_offsets` partition of a group (AddOffsetsToTxn). */
  offsetsPartitionFor: (groupId: string) => number;
  connect: BrokerConnector;
  /** The authorizer's check (TransactionalId, Topic and Group ACLs); none: all allowed. */
  authorize?: AuthorizationCheck;
  scheduler: Scheduler;
  logger: Logger;
}): RunningTransactionCoordinator {
  const logger = options.logger.child({ brokerId: options.brokerId });
  const { settings, scheduler, metadataCache } = options;
  const stateManager = new TransactionStateManager({
    replicaManager: options.replicaManager,
    metadataCache,
    scheduler,
    logger,
    numPartitions: settings.transactionStateLogNumPartitions,
    writeTimeoutMs: settings.requestTimeoutMs,
  });
  const sender = new BrokerRequestSender({
    connect: options.connect,
    scheduler,
    clientId: `broker-${options.brokerId}-txn-coordinator`,
    requestTimeoutMs: settings.requestTimeoutMs,
    logger,
    component: 'transaction-marker-sender',
  });
  const markerChannel = new TransactionMarkerChannelManager({
    metadataCache,
    scheduler,
    logger,
    transport: (target, request) =>
      sender.send(target, ApiKey.WriteTxnMarkers, WRITE_TXN_MARKERS_VERSION, request),
  });
  const coordinator = new TransactionCoordinator({
    config: {
      transactionMaxTimeoutMs: settings.transactionMaxTimeoutMs,
      abortTimedOutTransactionsIntervalMs: settings.abortTimedOutTransactionsIntervalMs,
      transactionalIdExpirationMs: settings.transactionalIdExpirationMs,
      removeExpiredTransactionalIdsIntervalMs: settings.removeExpiredTransactionalIdsIntervalMs,
    },
    stateManager,
    markerChannel,
    producerIdManager: options.producerIdManager,
    scheduler,
    logger,
  });
  const deps = {
    producerIdManager: options.producerIdManager,
    logger,
    authorize: options.authorize,
    transactions: {
      coordinator,
      stateManager,
      metadataCache,
      controllerAdmin: options.controllerAdmin,
      replicationFactor: settings.transactionStateLogReplicationFactor,
      offsetsPartitionFor: options.offsetsPartitionFor,
    },
  };
  const apis = new TransactionApis(deps);
  coordinator.startup();
  return {
    coordinator,
    stateManager,
    apis,
    handlers: transactionApiHandlers(deps, apis),
    shutdown() {
      coordinator.shutdown();
      sender.shutdown();
    },
  };
}
