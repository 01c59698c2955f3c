// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{OffsetDeleteRequest.json,OffsetDeleteResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * OffsetDeleteRequest (API key 47): versions 0, flexible none.
 *
 * Version history, from the comments in Kafka's OffsetDeleteRequest.json:

 */
export const offsetDeleteRequestSchema: MessageSchema = {
  apiKey: 47,
  type: "request",
  name: "OffsetDeleteRequest",
  validVersions: "0",
  flexibleVersions: "none",
  fields: [
    { name: "GroupId", property: "groupId", type: "string", versions: "0+" },
    { name: "Topics", property: "topics", type: "[]OffsetDeleteRequestTopic", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+", mapKey: true },
      { name: "Partitions", property: "partitions", type: "[]OffsetDeleteRequestPartition", versions: "0+", fields: [
        { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+" },
      ] },
    ] },
  ],
};

/**
 * OffsetDeleteResponse (API key 47): versions 0, flexible none.
 *
 * Version history, from the comments in Kafka's OffsetDeleteResponse.json:

 */
export const offsetDeleteResponseSchema: MessageSchema = {
  apiKey: 47,
  type: "response",
  name: "OffsetDeleteResponse",
  validVersions: "0",
  flexibleVersions: "none",
  fields: [
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+", ignorable: true },
    { name: "Topics", property: "topics", type: "[]OffsetDeleteResponseTopic", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+", mapKey: true },
      { name: "Partitions", property: "partitions", type: "[]OffsetDeleteResponsePartition", versions: "0+", fields: [
        { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+", mapKey: true },
        { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
      ] },
    ] },
  ],
};

/** The body of a OffsetDeleteRequest (all versions; see offsetDeleteRequestSchema). */
export interface OffsetDeleteRequest extends StructData {
  /** The unique group identifier. (versions 0+) */
  groupId: string;
  /** The topics to delete offsets for (versions 0+) */
  topics: OffsetDeleteRequestTopic[];
}

/** A OffsetDeleteRequestTopic in a OffsetDeleteRequest. */
export interface OffsetDeleteRequestTopic extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** Each partition to delete offsets for. (versions 0+) */
  partitions: OffsetDeleteRequestPartition[];
}

/** A OffsetDeleteRequestPartition in a OffsetDeleteRequest. */
export interface OffsetDeleteRequestPartition extends StructData {
  /** The partition index. (versions 0+) */
  partitionIndex: number;
}

/** The body of a OffsetDeleteResponse (all versions; see offsetDeleteResponseSchema). */
export interface OffsetDeleteResponse extends StructData {
  /** The top-level error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+; ignorable) */
  throttleTimeMs: number;
  /** The responses for each topic. (versions 0+) */
  topics: OffsetDeleteResponseTopic[];
}

/** A OffsetDeleteResponseTopic in a OffsetDeleteResponse. */
export interface OffsetDeleteResponseTopic extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** The responses for each partition in the topic. (versions 0+) */
  partitions: OffsetDeleteResponsePartition[];
}

/** A OffsetDeleteResponsePartition in a OffsetDeleteResponse. */
export interface OffsetDeleteResponsePartition extends StructData {
  /** The partition index. (versions 0+) */
  partitionIndex: number;
  /** The error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
}
