// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{AddPartitionsToTxnRequest.json,AddPartitionsToTxnResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * AddPartitionsToTxnRequest (API key 24): versions 0-5, flexible 3+.
 *
 * Version history, from the comments in Kafka's AddPartitionsToTxnRequest.json:
 *   Version 1 is the same as version 0.
 *
 *   Version 2 adds the support for new error code PRODUCER_FENCED.
 *
 *   Version 3 enables flexible versions.
 *
 *   Version 4 adds VerifyOnly field to check if partitions are already in transaction and adds support to batch multiple transactions.
 *
 *   Version 5 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
 *   Versions 3 and below will be exclusively used by clients and versions 4 and above will be used by brokers.
 */
export const addPartitionsToTxnRequestSchema: MessageSchema = {
  apiKey: 24,
  type: "request",
  name: "AddPartitionsToTxnRequest",
  validVersions: "0-5",
  flexibleVersions: "3+",
  fields: [
    { name: "Transactions", property: "transactions", type: "[]AddPartitionsToTxnTransaction", versions: "4+", fields: [
      { name: "TransactionalId", property: "transactionalId", type: "string", versions: "4+", mapKey: true },
      { name: "ProducerId", property: "producerId", type: "int64", versions: "4+" },
      { name: "ProducerEpoch", property: "producerEpoch", type: "int16", versions: "4+" },
      { name: "VerifyOnly", property: "verifyOnly", type: "bool", versions: "4+", default: "false" },
      { name: "Topics", property: "topics", type: "[]AddPartitionsToTxnTopic", versions: "4+" },
    ] },
    { name: "V3AndBelowTransactionalId", property: "v3AndBelowTransactionalId", type: "string", versions: "0-3" },
    { name: "V3AndBelowProducerId", property: "v3AndBelowProducerId", type: "int64", versions: "0-3" },
    { name: "V3AndBelowProducerEpoch", property: "v3AndBelowProducerEpoch", type: "int16", versions: "0-3" },
    { name: "V3AndBelowTopics", property: "v3AndBelowTopics", type: "[]AddPartitionsToTxnTopic", versions: "0-3" },
  ],
  commonStructs: [
    { name: "AddPartitionsToTxnTopic", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+", mapKey: true },
      { name: "Partitions", property: "partitions", type: "[]int32", versions: "0+" },
    ] },
  ],
};

/**
 * AddPartitionsToTxnResponse (API key 24): versions 0-5, flexible 3+.
 *
 * Version history, from the comments in Kafka's AddPartitionsToTxnResponse.json:
 *   Starting in version 1, on quota violation brokers send out responses before throttling.
 *
 *   Version 2 adds the support for new error code PRODUCER_FENCED.
 *
 *   Version 3 enables flexible versions.
 *
 *   Version 4 adds support to batch multiple transactions and a top level error code.
 *
 *   Version 5 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
 */
export const addPartitionsToTxnResponseSchema: MessageSchema = {
  apiKey: 24,
  type: "response",
  name: "AddPartitionsToTxnResponse",
  validVersions: "0-5",
  flexibleVersions: "3+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "4+", ignorable: true },
    { name: "ResultsByTransaction", property: "resultsByTransaction", type: "[]AddPartitionsToTxnResult", versions: "4+", fields: [
      { name: "TransactionalId", property: "transactionalId", type: "string", versions: "4+", mapKey: true },
      { name: "TopicResults", property: "topicResults", type: "[]AddPartitionsToTxnTopicResult", versions: "4+" },
    ] },
    { name: "ResultsByTopicV3AndBelow", property: "resultsByTopicV3AndBelow", type: "[]AddPartitionsToTxnTopicResult", versions: "0-3" },
  ],
  commonStructs: [
    { name: "AddPartitionsToTxnTopicResult", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+", mapKey: true },
      { name: "ResultsByPartition", property: "resultsByPartition", type: "[]AddPartitionsToTxnPartitionResult", versions: "0+" },
    ] },
    { name: "AddPartitionsToTxnPartitionResult", versions: "0+", fields: [
      { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+", mapKey: true },
      { name: "PartitionErrorCode", property: "partitionErrorCode", type: "int16", versions: "0+" },
    ] },
  ],
};

/** The body of a AddPartitionsToTxnRequest (all versions; see addPartitionsToTxnRequestSchema). */
export interface AddPartitionsToTxnRequest extends StructData {
  /** List of transactions to add partitions to. (versions 4+) */
  transactions: AddPartitionsToTxnTransaction[];
  /** The transactional id corresponding to the transaction. (versions 0-3) */
  v3AndBelowTransactionalId: string;
  /** Current producer id in use by the transactional id. (versions 0-3) */
  v3AndBelowProducerId: bigint;
  /** Current epoch associated with the producer id. (versions 0-3) */
  v3AndBelowProducerEpoch: number;
  /** The partitions to add to the transaction. (versions 0-3) */
  v3AndBelowTopics: AddPartitionsToTxnTopic[];
}

/** A AddPartitionsToTxnTransaction in a AddPartitionsToTxnRequest. */
export interface AddPartitionsToTxnTransaction extends StructData {
  /** The transactional id corresponding to the transaction. (versions 4+) */
  transactionalId: string;
  /** Current producer id in use by the transactional id. (versions 4+) */
  producerId: bigint;
  /** Current epoch associated with the producer id. (versions 4+) */
  producerEpoch: number;
  /** Boolean to signify if we want to check if the partition is in the transaction rather than add it. (versions 4+; default false) */
  verifyOnly: boolean;
  /** The partitions to add to the transaction. (versions 4+) */
  topics: AddPartitionsToTxnTopic[];
}

/** A AddPartitionsToTxnTopic in a AddPartitionsToTxnRequest. */
export interface AddPartitionsToTxnTopic extends StructData {
  /** The name of the topic. (versions 0+) */
  name: string;
  /** The partition indexes to add to the transaction (versions 0+) */
  partitions: number[];
}

/** The body of a AddPartitionsToTxnResponse (all versions; see addPartitionsToTxnResponseSchema). */
export interface AddPartitionsToTxnResponse extends StructData {
  /** Duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+) */
  throttleTimeMs: number;
  /** The response top level error code. (versions 4+; ignorable) */
  errorCode: number;
  /** Results categorized by transactional ID. (versions 4+) */
  resultsByTransaction: AddPartitionsToTxnResult[];
  /** The results for each topic. (versions 0-3) */
  resultsByTopicV3AndBelow: AddPartitionsToTxnTopicResult[];
}

/** A AddPartitionsToTxnResult in a AddPartitionsToTxnResponse. */
export interface AddPartitionsToTxnResult extends StructData {
  /** The transactional id corresponding to the transaction. (versions 4+) */
  transactionalId: string;
  /** The results for each topic. (versions 4+) */
  topicResults: AddPartitionsToTxnTopicResult[];
}

/** A AddPartitionsToTxnTopicResult in a AddPartitionsToTxnResponse. */
export interface AddPartitionsToTxnTopicResult extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** The results for each partition (versions 0+) */
  resultsByPartition: AddPartitionsToTxnPartitionResult[];
}

/** A AddPartitionsToTxnPartitionResult in a AddPartitionsToTxnResponse. */
export interface AddPartitionsToTxnPartitionResult extends StructData {
  /** The partition indexes. (versions 0+) */
  partitionIndex: number;
  /** The response error code. (versions 0+) */
  partitionErrorCode: number;
}
