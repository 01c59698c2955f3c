// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{AddOffsetsToTxnRequest.json,AddOffsetsToTxnResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * AddOffsetsToTxnRequest (API key 25): versions 0-4, flexible 3+.
 *
 * Version history, from the comments in Kafka's AddOffsetsToTxnRequest.json:
 *   Version 1 is the same as version 0.
 *
 *   Version 2 adds the support for new error code PRODUCER_FENCED.
 *
 *   Version 3 enables flexible versions.
 *
 *   Version 4 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
 */
export const addOffsetsToTxnRequestSchema: MessageSchema = {
  apiKey: 25,
  type: "request",
  name: "AddOffsetsToTxnRequest",
  validVersions: "0-4",
  flexibleVersions: "3+",
  fields: [
    { name: "TransactionalId", property: "transactionalId", type: "string", versions: "0+" },
    { name: "ProducerId", property: "producerId", type: "int64", versions: "0+" },
    { name: "ProducerEpoch", property: "producerEpoch", type: "int16", versions: "0+" },
    { name: "GroupId", property: "groupId", type: "string", versions: "0+" },
  ],
};

/**
 * AddOffsetsToTxnResponse (API key 25): versions 0-4, flexible 3+.
 *
 * Version history, from the comments in Kafka's AddOffsetsToTxnResponse.json:
 *   Starting in version 1, on quota violation brokers send out responses before throttling.
 *
 *   Version 2 adds the support for new error code PRODUCER_FENCED.
 *
 *   Version 3 enables flexible versions.
 *
 *   Version 4 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
 */
export const addOffsetsToTxnResponseSchema: MessageSchema = {
  apiKey: 25,
  type: "response",
  name: "AddOffsetsToTxnResponse",
  validVersions: "0-4",
  flexibleVersions: "3+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
  ],
};

/** The body of a AddOffsetsToTxnRequest (all versions; see addOffsetsToTxnRequestSchema). */
export interface AddOffsetsToTxnRequest extends StructData {
  /** The transactional id corresponding to the transaction. (versions 0+) */
  transactionalId: string;
  /** Current producer id in use by the transactional id. (versions 0+) */
  producerId: bigint;
  /** Current epoch associated with the producer id. (versions 0+) */
  producerEpoch: number;
  /** The unique group identifier. (versions 0+) */
  groupId: string;
}

/** The body of a AddOffsetsToTxnResponse (all versions; see addOffsetsToTxnResponseSchema). */
export interface AddOffsetsToTxnResponse extends StructData {
  /** Duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+) */
  throttleTimeMs: number;
  /** The response error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
}
