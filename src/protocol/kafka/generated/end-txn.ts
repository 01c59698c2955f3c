// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{EndTxnRequest.json,EndTxnResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * EndTxnRequest (API key 26): versions 0-4, flexible 3+.
 *
 * Version history, from the comments in Kafka's EndTxnRequest.json:
 *   Version 1 is the same as version 0.
 *
 *   Version 2 adds the support for new error code PRODUCER_FENCED.
 *
 *   Version 3 enables flexible versions.
 *
 *   Version 4 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
 */
export const endTxnRequestSchema: MessageSchema = {
  apiKey: 26,
  type: "request",
  name: "EndTxnRequest",
  validVersions: "0-4",
  flexibleVersions: "3+",
  fields: [
    { name: "TransactionalId", property: "transactionalId", type: "string", versions: "0+" },
    { name: "ProducerId", property: "producerId", type: "int64", versions: "0+" },
    { name: "ProducerEpoch", property: "producerEpoch", type: "int16", versions: "0+" },
    { name: "Committed", property: "committed", type: "bool", versions: "0+" },
  ],
};

/**
 * EndTxnResponse (API key 26): versions 0-4, flexible 3+.
 *
 * Version history, from the comments in Kafka's EndTxnResponse.json:
 *   Starting in version 1, on quota violation, brokers send out responses before throttling.
 *
 *   Version 2 adds the support for new error code PRODUCER_FENCED.
 *
 *   Version 3 enables flexible versions.
 *
 *   Version 4 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
 */
export const endTxnResponseSchema: MessageSchema = {
  apiKey: 26,
  type: "response",
  name: "EndTxnResponse",
  validVersions: "0-4",
  flexibleVersions: "3+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
  ],
};

/** The body of a EndTxnRequest (all versions; see endTxnRequestSchema). */
export interface EndTxnRequest extends StructData {
  /** The ID of the transaction to end. (versions 0+) */
  transactionalId: string;
  /** The producer ID. (versions 0+) */
  producerId: bigint;
  /** The current epoch associated with the producer. (versions 0+) */
  producerEpoch: number;
  /** True if the transaction was committed, false if it was aborted. (versions 0+) */
  committed: boolean;
}

/** The body of a EndTxnResponse (all versions; see endTxnResponseSchema). */
export interface EndTxnResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+) */
  throttleTimeMs: number;
  /** The error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
}
