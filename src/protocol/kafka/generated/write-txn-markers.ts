// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{WriteTxnMarkersRequest.json,WriteTxnMarkersResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * WriteTxnMarkersRequest (API key 27): versions 0-1, flexible 1+.
 *
 * Version history, from the comments in Kafka's WriteTxnMarkersRequest.json:
 *   Version 1 enables flexible versions.
 */
export const writeTxnMarkersRequestSchema: MessageSchema = {
  apiKey: 27,
  type: "request",
  name: "WriteTxnMarkersRequest",
  validVersions: "0-1",
  flexibleVersions: "1+",
  fields: [
    { name: "Markers", property: "markers", type: "[]WritableTxnMarker", versions: "0+", fields: [
      { name: "ProducerId", property: "producerId", type: "int64", versions: "0+" },
      { name: "ProducerEpoch", property: "producerEpoch", type: "int16", versions: "0+" },
      { name: "TransactionResult", property: "transactionResult", type: "bool", versions: "0+" },
      { name: "Topics", property: "topics", type: "[]WritableTxnMarkerTopic", versions: "0+", fields: [
        { name: "Name", property: "name", type: "string", versions: "0+" },
        { name: "PartitionIndexes", property: "partitionIndexes", type: "[]int32", versions: "0+" },
      ] },
      { name: "CoordinatorEpoch", property: "coordinatorEpoch", type: "int32", versions: "0+" },
    ] },
  ],
};

/**
 * WriteTxnMarkersResponse (API key 27): versions 0-1, flexible 1+.
 *
 * Version history, from the comments in Kafka's WriteTxnMarkersResponse.json:
 *   Version 1 enables flexible versions.
 */
export const writeTxnMarkersResponseSchema: MessageSchema = {
  apiKey: 27,
  type: "response",
  name: "WriteTxnMarkersResponse",
  validVersions: "0-1",
  flexibleVersions: "1+",
  fields: [
    { name: "Markers", property: "markers", type: "[]WritableTxnMarkerResult", versions: "0+", fields: [
      { name: "ProducerId", property: "producerId", type: "int64", versions: "0+" },
      { name: "Topics", property: "topics", type: "[]WritableTxnMarkerTopicResult", versions: "0+", fields: [
        { name: "Name", property: "name", type: "string", versions: "0+" },
        { name: "Partitions", property: "partitions", type: "[]WritableTxnMarkerPartitionResult", versions: "0+", fields: [
          { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+" },
          { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
        ] },
      ] },
    ] },
  ],
};

/** The body of a WriteTxnMarkersRequest (all versions; see writeTxnMarkersRequestSchema). */
export interface WriteTxnMarkersRequest extends StructData {
  /** The transaction markers to be written. (versions 0+) */
  markers: WritableTxnMarker[];
}

/** A WritableTxnMarker in a WriteTxnMarkersRequest. */
export interface WritableTxnMarker extends StructData {
  /** The current producer ID. (versions 0+) */
  producerId: bigint;
  /** The current epoch associated with the producer ID. (versions 0+) */
  producerEpoch: number;
  /** The result of the transaction to write to the partitions (false = ABORT, true = COMMIT). (versions 0+) */
  transactionResult: boolean;
  /** Each topic that we want to write transaction marker(s) for. (versions 0+) */
  topics: WritableTxnMarkerTopic[];
  /** Epoch associated with the transaction state partition hosted by this transaction coordinator (versions 0+) */
  coordinatorEpoch: number;
}

/** A WritableTxnMarkerTopic in a WriteTxnMarkersRequest. */
export interface WritableTxnMarkerTopic extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** The indexes of the partitions to write transaction markers for. (versions 0+) */
  partitionIndexes: number[];
}

/** The body of a WriteTxnMarkersResponse (all versions; see writeTxnMarkersResponseSchema). */
export interface WriteTxnMarkersResponse extends StructData {
  /** The results for writing makers. (versions 0+) */
  markers: WritableTxnMarkerResult[];
}

/** A WritableTxnMarkerResult in a WriteTxnMarkersResponse. */
export interface WritableTxnMarkerResult extends StructData {
  /** The current producer ID in use by the transactional ID. (versions 0+) */
  producerId: bigint;
  /** The results by topic. (versions 0+) */
  topics: WritableTxnMarkerTopicResult[];
}

/** A WritableTxnMarkerTopicResult in a WriteTxnMarkersResponse. */
export interface WritableTxnMarkerTopicResult extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** The results by partition. (versions 0+) */
  partitions: WritableTxnMarkerPartitionResult[];
}

/** A WritableTxnMarkerPartitionResult in a WriteTxnMarkersResponse. */
export interface WritableTxnMarkerPartitionResult extends StructData {
  /** The partition index. (versions 0+) */
  partitionIndex: number;
  /** The error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
}
