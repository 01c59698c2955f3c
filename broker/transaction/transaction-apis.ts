/**
 * The Kafka APIs of exactly-once producers, as Kafka 2.8's KafkaApis hands them to its
 * transaction coordinator:
 *
 *   InitProducerId 22 (v0-4)       a producer id and epoch for a new producer session
 *   AddPartitionsToTxn 24 (v0-3)   partitions join the open transaction
 *   AddOffsetsToTxn 25 (v0-3)      the group's __consumer_offsets partition joins it
 *   EndTxn 26 (v0-3)               commit or abort
 *   FindCoordinator 10, key type TRANSACTION (answered through group-apis.ts, which owns
 *                                  the FindCoordinator handler)
 *
 * Without a transactional id (an idempotent producer: enable.idempotence=true) any broker
 * answers InitProducerId: a fresh id from the producer id manager, epoch 0. The producer then
 * numbers its batches per partition from 0 and the partition leaders deduplicate its retries
 * (see broker/log/producer-state-manager.ts). With a transactional id, the request belongs to
 * that id's transaction coordinator (transaction-coordinator.ts): the leader of its
 * `__transaction_state` partition.
 *
 * Versions: InitProducerId v3 (KIP-360) lets a producer send its current id and epoch to have
 * the epoch bumped; for an idempotent producer Kafka ignores them and hands out a new id, and
 * so do we. InitProducerId v4 and the others' v2 allow PRODUCER_FENCED (KIP-588); older
 * versions get INVALID_PRODUCER_EPOCH instead, as in Kafka. v3 of the three is flexible.
 * AddPartitionsToTxn v4+ (broker-to-broker batches, KIP-890) and InitProducerId v5 are not
 * served.
 */
import type { Logger } from '../../src/logger.js';
import { ApiKey, recommendedRange } from '../../src/protocol/kafka/api-keys.js';
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import { ErrorCode, errorCodeOf } from '../../src/protocol/kafka/errors.js';
import type {
  AddOffsetsToTxnRequest,
  AddOffsetsToTxnResponse,
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  EndTxnRequest,
  EndTxnResponse,
  InitProducerIdRequest,
  InitProducerIdResponse,
} from '../../src/protocol/kafka/generated/index.js';
import { apiHandler, type AnyApiHandler } from '../network/api-handler-table.js';
import type { ControllerAdmin } from '../server/admin-apis.js';
import type { AuthorizationCheck } from '../security/acl-cache.js';
import type { ConnectionSession } from '../security/session.js';
import type { MetadataCache } from '../server/metadata-cache.js';
import type { ProducerIdManager } from './producer-id-manager.js';
import type { TransactionCoordinator } from './transaction-coordinator.js';
import {
  TRANSACTION_STATE_TOPIC_NAME,
  type TransactionStateManager,
} from './transaction-state-manager.js';

const NO_PRODUCER_ID = -1n;
const NO_PRODUCER_EPOCH = -1;
const GROUP_METADATA_TOPIC_NAME = '__consumer_offsets';

/** The transactional part; without it, transactional requests get COORDINATOR_NOT_AVAILABLE. */
export interface TransactionApisCoordinator {
  coordinator: TransactionCoordinator;
  stateManager: TransactionStateManager;
  metadataCache: MetadataCache;
  controllerAdmin: Pick<ControllerAdmin, 'autoCreateTopic'>;
  /** transaction.state.log.replication.factor (3): brokers needed before the topic is made. */
  replicationFactor: number;
  /** The `__consumer_offsets` partition of a group (the group coordinator's rule). */
  offsetsPartitionFor: (groupId: string) => number;
}

export interface TransactionApisDeps {
  producerIdManager: ProducerIdManager;
  logger: Logger;
  transactions?: TransactionApisCoordinator;
  /** The authorizer's check; everything is allowed without one. */
  authorize?: AuthorizationCheck;
}

/** What the handlers learnt from the authorizer about the request (true: allowed). */
export interface TransactionAccess {
  /** WRITE (DESCRIBE for FindCoordinator) on the request's transactional id. */
  transactionalId: boolean;
  /** WRITE on a topic (AddPartitionsToTxn), READ on a group (AddOffsetsToTxn). */
  resource: (name: string) => boolean;
}

const ALLOWED: TransactionAccess = { transactionalId: true, resource: () => true };

/** The answer to FindCoordinator for one key. */
export interface CoordinatorAnswer {
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

export function transactionApiHandlers(
  deps: TransactionApisDeps,
  apis = new TransactionApis(deps),
): AnyApiHandler[] {
  // Kafka 2.8's checks: WRITE on the transactional id for every request of a transaction,
  // WRITE on each topic added, READ on the group whose offsets join the transaction.
  const access = (
    session: ConnectionSession,
    transactionalId: string | null,
    resourceType: 'Topic' | 'Group',
  ): TransactionAccess => {
    const check = deps.authorize;
    if (check === undefined) return ALLOWED;
    const operation = resourceType === 'Topic' ? 'Write' : 'Read';
    return {
      transactionalId:
        transactionalId === null || check(session, 'Write', 'TransactionalId', transactionalId),
      resource: (name) => check(session, operation, resourceType, name),
    };
  };
  const handlers = [
    apiHandler(ApiKey.InitProducerId, { minVersion: 0, maxVersion: 4 }, (r, c) =>
      apis.initProducerId(r.body, r.apiVersion, access(c.session, r.body.transactionalId, 'Topic')),
    ),
  ];
  if (deps.transactions === undefined) return handlers;
  return [
    ...handlers,
    apiHandler(ApiKey.AddPartitionsToTxn, recommendedRange(ApiKey.AddPartitionsToTxn), (r, c) =>
      apis.addPartitionsToTxn(
        r.body,
        r.apiVersion,
        access(c.session, r.body.v3AndBelowTransactionalId, 'Topic'),
      ),
    ),
    apiHandler(ApiKey.AddOffsetsToTxn, recommendedRange(ApiKey.AddOffsetsToTxn), (r, c) =>
      apis.addOffsetsToTxn(
        r.body,
        r.apiVersion,
        access(c.session, r.body.transactionalId, 'Group'),
      ),
    ),
    apiHandler(ApiKey.EndTxn, recommendedRange(ApiKey.EndTxn), (r, c) =>
      apis.endTxn(r.body, r.apiVersion, access(c.session, r.body.transactionalId, 'Topic')),
    ),
  ];
}

/** KIP-588: versions before `fencedSince` know INVALID_PRODUCER_EPOCH only. */
function forVersion(errorCode: number, apiVersion: number, fencedSince: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && apiVersion < fencedSince
    ? ErrorCode.INVALID_PRODUCER_EPOCH
    : errorCode;
}

export class TransactionApis {
  readonly #deps: TransactionApisDeps;
  readonly #logger: Logger;

  constructor(deps: TransactionApisDeps) {
    this.#deps = deps;
    this.#logger = deps.logger.child({ component: 'transaction-apis' });
  }

  async initProducerId(
    request: InitProducerIdRequest,
    apiVersion = 4,
    access: TransactionAccess = ALLOWED,
  ): Promise<Encodable<InitProducerIdResponse>> {
    const answer = (errorCode: number, producerId = NO_PRODUCER_ID, producerEpoch = -1) => ({
      throttleTimeMs: 0,
      errorCode: forVersion(errorCode, apiVersion, 4),
      producerId,
      producerEpoch,
    });
    // An id without an epoch (or the reverse) is a malformed v3+ request (Kafka's check).
    const sentId = request.producerId !== NO_PRODUCER_ID;
    const sentEpoch = request.producerEpoch !== NO_PRODUCER_EPOCH;
    if (sentId !== sentEpoch) return answer(ErrorCode.INVALID_REQUEST);
    if (request.transactionalId !== null) {
      if (request.transactionalId === '') return answer(ErrorCode.INVALID_REQUEST);
      if (!access.transactionalId) return answer(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      const txn = this.#deps.transactions;
      if (txn === undefined) return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      const result = await txn.coordinator.initProducerId({
        transactionalId: request.transactionalId,
        transactionTimeoutMs: request.transactionTimeoutMs,
        expected: sentId
          ? { producerId: request.producerId, producerEpoch: request.producerEpoch }
          : undefined,
      });
      return answer(result.errorCode, result.producerId, result.producerEpoch);
    }
    try {
      const producerId = await this.#deps.producerIdManager.generateProducerId();
      this.#logger.debug({ producerId }, 'new idempotent producer');
      return answer(ErrorCode.NONE, BigInt(producerId), 0);
    } catch (err) {
      // The coordinator is unreachable or contended: the producer retries InitProducerId.
      this.#logger.warn({ err }, 'could not allocate a producer id');
      return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
  }

  async addPartitionsToTxn(
    request: AddPartitionsToTxnRequest,
    apiVersion: number,
    access: TransactionAccess = ALLOWED,
  ): Promise<Encodable<AddPartitionsToTxnResponse>> {
    const txn = this.#deps.transactions!;
    const requested = request.v3AndBelowTopics.flatMap((t) =>
      t.partitions.map((partition) => ({ topic: t.name, partition })),
    );
    const snapshot = txn.metadataCache.snapshot;
    const unknown = requested.filter((tp) => snapshot.partition(tp) === undefined);
    const results = (errorFor: (tp: { topic: string; partition: number }) => number) => ({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      resultsByTransaction: [],
      resultsByTopicV3AndBelow: request.v3AndBelowTopics.map((t) => ({
        name: t.name,
        resultsByPartition: t.partitions.map((partition) => ({
          partitionIndex: partition,
          partitionErrorCode: forVersion(errorFor({ topic: t.name, partition }), apiVersion, 2),
        })),
      })),
    });
    if (!access.transactionalId) {
      return results(() => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    }
    const denied = new Set(requested.map((tp) => tp.topic).filter((t) => !access.resource(t)));
    if (unknown.length > 0 || denied.size > 0) {
      // Kafka's rule: the refused and unknown ones are named, the rest were not attempted.
      const unknownKeys = new Set(unknown.map((tp) => `${tp.topic}\u0000${tp.partition}`));
      return results((tp) =>
        denied.has(tp.topic)
          ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
          : unknownKeys.has(`${tp.topic}\u0000${tp.partition}`)
            ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
            : ErrorCode.OPERATION_NOT_ATTEMPTED,
      );
    }
    const errorCode = await txn.coordinator.addPartitions({
      transactionalId: request.v3AndBelowTransactionalId,
      producerId: request.v3AndBelowProducerId,
      producerEpoch: request.v3AndBelowProducerEpoch,
      partitions: requested,
    });
    return results(() => errorCode);
  }

  async addOffsetsToTxn(
    request: AddOffsetsToTxnRequest,
    apiVersion: number,
    access: TransactionAccess = ALLOWED,
  ): Promise<Encodable<AddOffsetsToTxnResponse>> {
    const txn = this.#deps.transactions!;
    const refused = (errorCode: number) => ({ throttleTimeMs: 0, errorCode });
    if (!access.transactionalId) return refused(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    if (!access.resource(request.groupId)) return refused(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const partition = txn.offsetsPartitionFor(request.groupId);
    const errorCode = await txn.coordinator.addPartitions({
      transactionalId: request.transactionalId,
      producerId: request.producerId,
      producerEpoch: request.producerEpoch,
      partitions: [{ topic: GROUP_METADATA_TOPIC_NAME, partition }],
    });
    return { throttleTimeMs: 0, errorCode: forVersion(errorCode, apiVersion, 2) };
  }

  async endTxn(
    request: EndTxnRequest,
    apiVersion: number,
    access: TransactionAccess = ALLOWED,
  ): Promise<Encodable<EndTxnResponse>> {
    const txn = this.#deps.transactions!;
    if (!access.transactionalId) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    }
    const errorCode = await txn.coordinator.endTransaction({
      transactionalId: request.transactionalId,
      producerId: request.producerId,
      producerEpoch: request.producerEpoch,
      committed: request.committed,
    });
    return { throttleTimeMs: 0, errorCode: forVersion(errorCode, apiVersion, 2) };
  }

  /**
   * FindCoordinator with key type TRANSACTION: the leader of the id's `__transaction_state`
   * partition. The topic is created by the first such request, with
   * transaction.state.log.num.partitions partitions and
   * transaction.state.log.replication.factor replicas, and, as for `__consumer_offsets`, not
   * before that many brokers are alive.
   */
  async findCoordinator(
    transactionalId: string,
    listenerName: string | undefined,
    session?: ConnectionSession,
  ): Promise<CoordinatorAnswer> {
    const none = (errorCode: number, errorMessage: string | null = null) => ({
      errorCode,
      errorMessage,
      nodeId: -1,
      host: '',
      port: -1,
    });
    const txn = this.#deps.transactions;
    if (txn === undefined) return none(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const check = this.#deps.authorize;
    if (
      check !== undefined &&
      session !== undefined &&
      !check(session, 'Describe', 'TransactionalId', transactionalId)
    ) {
      return none(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    }
    const snapshot = txn.metadataCache.snapshot;
    if (!snapshot.hasTopic(TRANSACTION_STATE_TOPIC_NAME)) {
      return none(ErrorCode.COORDINATOR_NOT_AVAILABLE, await this.#createTopic(txn));
    }
    const partition = txn.stateManager.partitionFor(transactionalId);
    const state = snapshot.partition({ topic: TRANSACTION_STATE_TOPIC_NAME, partition });
    const leader = state !== undefined ? snapshot.brokerOn(state.leader, listenerName) : undefined;
    if (leader === undefined) return none(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      nodeId: leader.id,
      host: leader.host,
      port: leader.port,
    };
  }

  async #createTopic(txn: TransactionApisCoordinator): Promise<string> {
    const alive = txn.metadataCache.snapshot.brokers.size;
    if (alive < txn.replicationFactor) {
      return (
        `${TRANSACTION_STATE_TOPIC_NAME} needs ${txn.replicationFactor} alive brokers ` +
        `(transaction.state.log.replication.factor) and there are ${alive}`
      );
    }
    try {
      await txn.controllerAdmin.autoCreateTopic(TRANSACTION_STATE_TOPIC_NAME);
      this.#logger.info('created __transaction_state');
    } catch (err) {
      if (errorCodeOf(err) !== ErrorCode.TOPIC_ALREADY_EXISTS) {
        this.#logger.warn({ err }, 'creating __transaction_state failed');
      }
    }
    return `${TRANSACTION_STATE_TOPIC_NAME} is being created`;
  }
}
