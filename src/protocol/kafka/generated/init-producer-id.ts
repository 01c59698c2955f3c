// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{InitProducerIdRequest.json,InitProducerIdResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * InitProducerIdRequest (API key 22): versions 0-5, flexible 2+.
 *
 * Version history, from the comments in Kafka's InitProducerIdRequest.json:
 *   Version 1 is the same as version 0.
 *
 *   Version 2 is the first flexible version.
 *
 *   Version 3 adds ProducerId and ProducerEpoch, allowing producers to try to resume after an INVALID_PRODUCER_EPOCH error
 *
 *   Version 4 adds the support for new error code PRODUCER_FENCED.
 *
 *   Verison 5 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
 */
export const initProducerIdRequestSchema: MessageSchema = {
  apiKey: 22,
  type: "request",
  name: "InitProducerIdRequest",
  validVersions: "0-5",
  flexibleVersions: "2+",
  fields: [
    { name: "TransactionalId", property: "transactionalId", type: "string", versions: "0+", nullableVersions: "0+" },
    { name: "TransactionTimeoutMs", property: "transactionTimeoutMs", type: "int32", versions: "0+" },
    { name: "ProducerId", property: "producerId", type: "int64", versions: "3+", default: "-1" },
    { name: "ProducerEpoch", property: "producerEpoch", type: "int16", versions: "3+", default: "-1" },
  ],
};

/**
 * InitProducerIdResponse (API key 22): versions 0-5, flexible 2+.
 *
 * Version history, from the comments in Kafka's InitProducerIdResponse.json:
 *   Starting in version 1, on quota violation, brokers send out responses before throttling.
 *
 *   Version 2 is the first flexible version.
 *
 *   Version 3 is the same as version 2.
 *
 *   Version 4 adds the support for new error code PRODUCER_FENCED.
 *
 *   Version 5 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
 */
export const initProducerIdResponseSchema: MessageSchema = {
  apiKey: 22,
  type: "response",
  name: "InitProducerIdResponse",
  validVersions: "0-5",
  flexibleVersions: "2+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+", ignorable: true },
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    { name: "ProducerId", property: "producerId", type: "int64", versions: "0+", default: "-1" },
    { name: "ProducerEpoch", property: "producerEpoch", type: "int16", versions: "0+" },
  ],
};

/** The body of a InitProducerIdRequest (all versions; see initProducerIdRequestSchema). */
export interface InitProducerIdRequest extends StructData {
  /** The transactional id, or null if the producer is not transactional. (versions 0+; nullable 0+) */
  transactionalId: string | null;
  /** The time in ms to wait before aborting idle transactions sent by this producer. This is only relevant if a TransactionalId has been defined. (versions 0+) */
  transactionTimeoutMs: number;
  /** The producer id. This is used to disambiguate requests if a transactional id is reused following its expiration. (versions 3+; default -1) */
  producerId: bigint;
  /** The producer's current epoch. This will be checked against the producer epoch on the broker, and the request will return an error if they do not match. (versions 3+; default -1) */
  producerEpoch: number;
}

/** The body of a InitProducerIdResponse (all versions; see initProducerIdResponseSchema). */
export interface InitProducerIdResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+; ignorable) */
  throttleTimeMs: number;
  /** The error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
  /** The current producer id. (versions 0+; default -1) */
  producerId: bigint;
  /** The current epoch associated with the producer id. (versions 0+) */
  producerEpoch: number;
}
