// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{AlterPartitionReassignmentsRequest.json,AlterPartitionReassignmentsResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * AlterPartitionReassignmentsRequest (API key 45): versions 0, flexible 0+.
 *
 * Version history, from the comments in Kafka's AlterPartitionReassignmentsRequest.json:

 */
export const alterPartitionReassignmentsRequestSchema: MessageSchema = {
  apiKey: 45,
  type: "request",
  name: "AlterPartitionReassignmentsRequest",
  validVersions: "0",
  flexibleVersions: "0+",
  fields: [
    { name: "TimeoutMs", property: "timeoutMs", type: "int32", versions: "0+", default: "60000" },
    { name: "Topics", property: "topics", type: "[]ReassignableTopic", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+" },
      { name: "Partitions", property: "partitions", type: "[]ReassignablePartition", versions: "0+", fields: [
        { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+" },
        { name: "Replicas", property: "replicas", type: "[]int32", versions: "0+", nullableVersions: "0+", default: "null" },
      ] },
    ] },
  ],
};

/**
 * AlterPartitionReassignmentsResponse (API key 45): versions 0, flexible 0+.
 *
 * Version history, from the comments in Kafka's AlterPartitionReassignmentsResponse.json:

 */
export const alterPartitionReassignmentsResponseSchema: MessageSchema = {
  apiKey: 45,
  type: "response",
  name: "AlterPartitionReassignmentsResponse",
  validVersions: "0",
  flexibleVersions: "0+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
    { name: "Responses", property: "responses", type: "[]ReassignableTopicResponse", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+" },
      { name: "Partitions", property: "partitions", type: "[]ReassignablePartitionResponse", versions: "0+", fields: [
        { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+" },
        { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
        { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
      ] },
    ] },
  ],
};

/** The body of a AlterPartitionReassignmentsRequest (all versions; see alterPartitionReassignmentsRequestSchema). */
export interface AlterPartitionReassignmentsRequest extends StructData {
  /** The time in ms to wait for the request to complete. (versions 0+; default 60000) */
  timeoutMs: number;
  /** The topics to reassign. (versions 0+) */
  topics: ReassignableTopic[];
}

/** A ReassignableTopic in a AlterPartitionReassignmentsRequest. */
export interface ReassignableTopic extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** The partitions to reassign. (versions 0+) */
  partitions: ReassignablePartition[];
}

/** A ReassignablePartition in a AlterPartitionReassignmentsRequest. */
export interface ReassignablePartition extends StructData {
  /** The partition index. (versions 0+) */
  partitionIndex: number;
  /** The replicas to place the partitions on, or null to cancel a pending reassignment for this partition. (versions 0+; nullable 0+; default null) */
  replicas: number[] | null;
}

/** The body of a AlterPartitionReassignmentsResponse (all versions; see alterPartitionReassignmentsResponseSchema). */
export interface AlterPartitionReassignmentsResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+) */
  throttleTimeMs: number;
  /** The top-level error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
  /** The top-level error message, or null if there was no error. (versions 0+; nullable 0+) */
  errorMessage: string | null;
  /** The responses to topics to reassign. (versions 0+) */
  responses: ReassignableTopicResponse[];
}

/** A ReassignableTopicResponse in a AlterPartitionReassignmentsResponse. */
export interface ReassignableTopicResponse extends StructData {
  /** The topic name (versions 0+) */
  name: string;
  /** The responses to partitions to reassign (versions 0+) */
  partitions: ReassignablePartitionResponse[];
}

/** A ReassignablePartitionResponse in a AlterPartitionReassignmentsResponse. */
export interface ReassignablePartitionResponse extends StructData {
  /** The partition index. (versions 0+) */
  partitionIndex: number;
  /** The error code for this partition, or 0 if there was no error. (versions 0+) */
  errorCode: number;
  /** The error message for this partition, or null if there was no error. (versions 0+; nullable 0+) */
  errorMessage: string | null;
}
