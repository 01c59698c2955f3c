// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{DeleteRecordsRequest.json,DeleteRecordsResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * DeleteRecordsRequest (API key 21): versions 0-2, flexible 2+.
 *
 * Version history, from the comments in Kafka's DeleteRecordsRequest.json:
 *   Version 1 is the same as version 0.
 *   Version 2 is the first flexible version.
 */
export const deleteRecordsRequestSchema: MessageSchema = {
  apiKey: 21,
  type: "request",
  name: "DeleteRecordsRequest",
  validVersions: "0-2",
  flexibleVersions: "2+",
  fields: [
    { name: "Topics", property: "topics", type: "[]DeleteRecordsTopic", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+" },
      { name: "Partitions", property: "partitions", type: "[]DeleteRecordsPartition", versions: "0+", fields: [
        { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+" },
        { name: "Offset", property: "offset", type: "int64", versions: "0+" },
      ] },
    ] },
    { name: "TimeoutMs", property: "timeoutMs", type: "int32", versions: "0+" },
  ],
};

/**
 * DeleteRecordsResponse (API key 21): versions 0-2, flexible 2+.
 *
 * Version history, from the comments in Kafka's DeleteRecordsResponse.json:
 *   Starting in version 1, on quota violation, brokers send out responses before throttling.
 *   Version 2 is the first flexible version.
 */
export const deleteRecordsResponseSchema: MessageSchema = {
  apiKey: 21,
  type: "response",
  name: "DeleteRecordsResponse",
  validVersions: "0-2",
  flexibleVersions: "2+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "Topics", property: "topics", type: "[]DeleteRecordsTopicResult", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+", mapKey: true },
      { name: "Partitions", property: "partitions", type: "[]DeleteRecordsPartitionResult", versions: "0+", fields: [
        { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+", mapKey: true },
        { name: "LowWatermark", property: "lowWatermark", type: "int64", versions: "0+" },
        { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
      ] },
    ] },
  ],
};

/** The body of a DeleteRecordsRequest (all versions; see deleteRecordsRequestSchema). */
export interface DeleteRecordsRequest extends StructData {
  /** Each topic that we want to delete records from. (versions 0+) */
  topics: DeleteRecordsTopic[];
  /** How long to wait for the deletion to complete, in milliseconds. (versions 0+) */
  timeoutMs: number;
}

/** A DeleteRecordsTopic in a DeleteRecordsRequest. */
export interface DeleteRecordsTopic extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** Each partition that we want to delete records from. (versions 0+) */
  partitions: DeleteRecordsPartition[];
}

/** A DeleteRecordsPartition in a DeleteRecordsRequest. */
export interface DeleteRecordsPartition extends StructData {
  /** The partition index. (versions 0+) */
  partitionIndex: number;
  /** The deletion offset. (versions 0+) */
  offset: bigint;
}

/** The body of a DeleteRecordsResponse (all versions; see deleteRecordsResponseSchema). */
export interface DeleteRecordsResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+) */
  throttleTimeMs: number;
  /** Each topic that we wanted to delete records from. (versions 0+) */
  topics: DeleteRecordsTopicResult[];
}

/** A DeleteRecordsTopicResult in a DeleteRecordsResponse. */
export interface DeleteRecordsTopicResult extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** Each partition that we wanted to delete records from. (versions 0+) */
  partitions: DeleteRecordsPartitionResult[];
}

/** A DeleteRecordsPartitionResult in a DeleteRecordsResponse. */
export interface DeleteRecordsPartitionResult extends StructData {
  /** The partition index. (versions 0+) */
  partitionIndex: number;
  /** The partition low water mark. (versions 0+) */
  lowWatermark: bigint;
  /** The deletion error code, or 0 if the deletion succeeded. (versions 0+) */
  errorCode: number;
}
