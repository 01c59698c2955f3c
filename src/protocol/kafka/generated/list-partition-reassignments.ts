// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{ListPartitionReassignmentsRequest.json,ListPartitionReassignmentsResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * ListPartitionReassignmentsRequest (API key 46): versions 0, flexible 0+.
 *
 * Version history, from the comments in Kafka's ListPartitionReassignmentsRequest.json:

 */
export const listPartitionReassignmentsRequestSchema: MessageSchema = {
  apiKey: 46,
  type: "request",
  name: "ListPartitionReassignmentsRequest",
  validVersions: "0",
  flexibleVersions: "0+",
  fields: [
    { name: "TimeoutMs", property: "timeoutMs", type: "int32", versions: "0+", default: "60000" },
    { name: "Topics", property: "topics", type: "[]ListPartitionReassignmentsTopics", versions: "0+", nullableVersions: "0+", default: "null", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+" },
      { name: "PartitionIndexes", property: "partitionIndexes", type: "[]int32", versions: "0+" },
    ] },
  ],
};

/**
 * ListPartitionReassignmentsResponse (API key 46): versions 0, flexible 0+.
 *
 * Version history, from the comments in Kafka's ListPartitionReassignmentsResponse.json:

 */
export const listPartitionReassignmentsResponseSchema: MessageSchema = {
  apiKey: 46,
  type: "response",
  name: "ListPartitionReassignmentsResponse",
  validVersions: "0",
  flexibleVersions: "0+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
    { name: "Topics", property: "topics", type: "[]OngoingTopicReassignment", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+" },
      { name: "Partitions", property: "partitions", type: "[]OngoingPartitionReassignment", versions: "0+", fields: [
        { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+" },
        { name: "Replicas", property: "replicas", type: "[]int32", versions: "0+" },
        { name: "AddingReplicas", property: "addingReplicas", type: "[]int32", versions: "0+" },
        { name: "RemovingReplicas", property: "removingReplicas", type: "[]int32", versions: "0+" },
      ] },
    ] },
  ],
};

/** The body of a ListPartitionReassignmentsRequest (all versions; see listPartitionReassignmentsRequestSchema). */
export interface ListPartitionReassignmentsRequest extends StructData {
  /** The time in ms to wait for the request to complete. (versions 0+; default 60000) */
  timeoutMs: number;
  /** The topics to list partition reassignments for, or null to list everything. (versions 0+; nullable 0+; default null) */
  topics: ListPartitionReassignmentsTopics[] | null;
}

/** A ListPartitionReassignmentsTopics in a ListPartitionReassignmentsRequest. */
export interface ListPartitionReassignmentsTopics extends StructData {
  /** The topic name (versions 0+) */
  name: string;
  /** The partitions to list partition reassignments for. (versions 0+) */
  partitionIndexes: number[];
}

/** The body of a ListPartitionReassignmentsResponse (all versions; see listPartitionReassignmentsResponseSchema). */
export interface ListPartitionReassignmentsResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+) */
  throttleTimeMs: number;
  /** The top-level error code, or 0 if there was no error (versions 0+) */
  errorCode: number;
  /** The top-level error message, or null if there was no error. (versions 0+; nullable 0+) */
  errorMessage: string | null;
  /** The ongoing reassignments for each topic. (versions 0+) */
  topics: OngoingTopicReassignment[];
}

/** A OngoingTopicReassignment in a ListPartitionReassignmentsResponse. */
export interface OngoingTopicReassignment extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** The ongoing reassignments for each partition. (versions 0+) */
  partitions: OngoingPartitionReassignment[];
}

/** A OngoingPartitionReassignment in a ListPartitionReassignmentsResponse. */
export interface OngoingPartitionReassignment extends StructData {
  /** The index of the partition. (versions 0+) */
  partitionIndex: number;
  /** The current replica set. (versions 0+) */
  replicas: number[];
  /** The set of replicas we are currently adding. (versions 0+) */
  addingReplicas: number[];
  /** The set of replicas we are currently removing. (versions 0+) */
  removingReplicas: number[];
}
