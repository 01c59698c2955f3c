// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{CreatePartitionsRequest.json,CreatePartitionsResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * CreatePartitionsRequest (API key 37): versions 0-3, flexible 2+.
 *
 * Version history, from the comments in Kafka's CreatePartitionsRequest.json:
 *   Version 1 is the same as version 0.
 *
 *   Version 2 adds flexible version support
 *
 *   Version 3 is identical to version 2 but may return a THROTTLING_QUOTA_EXCEEDED error
 *   in the response if the partitions creation is throttled (KIP-599).
 */
export const createPartitionsRequestSchema: MessageSchema = {
  apiKey: 37,
  type: "request",
  name: "CreatePartitionsRequest",
  validVersions: "0-3",
  flexibleVersions: "2+",
  fields: [
    { name: "Topics", property: "topics", type: "[]CreatePartitionsTopic", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+", mapKey: true },
      { name: "Count", property: "count", type: "int32", versions: "0+" },
      { name: "Assignments", property: "assignments", type: "[]CreatePartitionsAssignment", versions: "0+", nullableVersions: "0+", fields: [
        { name: "BrokerIds", property: "brokerIds", type: "[]int32", versions: "0+" },
      ] },
    ] },
    { name: "TimeoutMs", property: "timeoutMs", type: "int32", versions: "0+" },
    { name: "ValidateOnly", property: "validateOnly", type: "bool", versions: "0+" },
  ],
};

/**
 * CreatePartitionsResponse (API key 37): versions 0-3, flexible 2+.
 *
 * Version history, from the comments in Kafka's CreatePartitionsResponse.json:
 *   Starting in version 1, on quota violation, brokers send out responses before throttling.
 *
 *   Version 2 adds flexible version support
 *
 *   Version 3 is identical to version 2 but may return a THROTTLING_QUOTA_EXCEEDED error
 *   in the response if the partitions creation is throttled (KIP-599).
 */
export const createPartitionsResponseSchema: MessageSchema = {
  apiKey: 37,
  type: "response",
  name: "CreatePartitionsResponse",
  validVersions: "0-3",
  flexibleVersions: "2+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "Results", property: "results", type: "[]CreatePartitionsTopicResult", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+" },
      { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
      { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+", default: "null" },
    ] },
  ],
};

/** The body of a CreatePartitionsRequest (all versions; see createPartitionsRequestSchema). */
export interface CreatePartitionsRequest extends StructData {
  /** Each topic that we want to create new partitions inside. (versions 0+) */
  topics: CreatePartitionsTopic[];
  /** The time in ms to wait for the partitions to be created. (versions 0+) */
  timeoutMs: number;
  /** If true, then validate the request, but don't actually increase the number of partitions. (versions 0+) */
  validateOnly: boolean;
}

/** A CreatePartitionsTopic in a CreatePartitionsRequest. */
export interface CreatePartitionsTopic extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** The new partition count. (versions 0+) */
  count: number;
  /** The new partition assignments. (versions 0+; nullable 0+) */
  assignments: CreatePartitionsAssignment[] | null;
}

/** A CreatePartitionsAssignment in a CreatePartitionsRequest. */
export interface CreatePartitionsAssignment extends StructData {
  /** The assigned broker IDs. (versions 0+) */
  brokerIds: number[];
}

/** The body of a CreatePartitionsResponse (all versions; see createPartitionsResponseSchema). */
export interface CreatePartitionsResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+) */
  throttleTimeMs: number;
  /** The partition creation results for each topic. (versions 0+) */
  results: CreatePartitionsTopicResult[];
}

/** A CreatePartitionsTopicResult in a CreatePartitionsResponse. */
export interface CreatePartitionsTopicResult extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** The result error, or zero if there was no error. (versions 0+) */
  errorCode: number;
  /** The result message, or null if there was no error. (versions 0+; nullable 0+; default null) */
  errorMessage: string | null;
}
