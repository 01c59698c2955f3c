/**
 * The Kafka APIs of exactly-once producers, as Kafka 2.8's KafkaApis hands them to its
 * transaction coordinator:
 *
 *   InitProducerId 22 (v0-4)   a producer id and epoch for a new producer session
 *
 * Without a transactional id (an idempotent producer: enable.idempotence=true) any broker
 * answers: a fresh id from the producer id manager, epoch 0. The producer then numbers its
 * batches per partition from 0 and the partition leaders deduplicate its retries (see
 * broker/log/producer-state-manager.ts). Each new producer instance gets a new id; an
 * idempotent producer keeps its id across broker failovers, which is what makes a retry sent
 * to a new leader recognisable there.
 *
 * With a transactional id the request belongs to that id's transaction coordinator; this
 * broker has none yet, so it answers COORDINATOR_NOT_AVAILABLE as FindCoordinator does for
 * transactions.
 *
 * Versions: v3 (KIP-360) lets a producer send its current id and epoch to have the epoch
 * bumped; for an idempotent producer Kafka ignores them and hands out a new id, and so do we.
 * v4 allows PRODUCER_FENCED. v5 (KIP-890, Kafka 3.8) is not served.
 */
import type { Logger } from '../../src/logger.js';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import type {
  InitProducerIdRequest,
  InitProducerIdResponse,
} from '../../src/protocol/kafka/generated/index.js';
import { apiHandler, type AnyApiHandler } from '../network/api-handler-table.js';
import type { ProducerIdManager } from './producer-id-manager.js';

const NO_PRODUCER_ID = -1n;
const NO_PRODUCER_EPOCH = -1;

export interface TransactionApisDeps {
  producerIdManager: ProducerIdManager;
  logger: Logger;
}

export function transactionApiHandlers(deps: TransactionApisDeps): AnyApiHandler[] {
  const apis = new TransactionApis(deps);
  return [
    apiHandler(ApiKey.InitProducerId, { minVersion: 0, maxVersion: 4 }, (r) =>
      apis.initProducerId(r.body),
    ),
  ];
}

export class TransactionApis {
  readonly #deps: TransactionApisDeps;
  readonly #logger: Logger;

  constructor(deps: TransactionApisDeps) {
    this.#deps = deps;
    this.#logger = deps.logger.child({ component: 'transaction-apis' });
  }

  async initProducerId(request: InitProducerIdRequest): Promise<Encodable<InitProducerIdResponse>> {
    const answer = (errorCode: number, producerId = NO_PRODUCER_ID, producerEpoch = -1) => ({
      throttleTimeMs: 0,
      errorCode,
      producerId,
      producerEpoch,
    });
    // An id without an epoch (or the reverse) is a malformed v3+ request (Kafka's check).
    const sentId = request.producerId !== NO_PRODUCER_ID;
    const sentEpoch = request.producerEpoch !== NO_PRODUCER_EPOCH;
    if (sentId !== sentEpoch) return answer(ErrorCode.INVALID_REQUEST);
    if (request.transactionalId !== null) {
      if (request.transactionalId === '') return answer(ErrorCode.INVALID_REQUEST);
      return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
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
}
