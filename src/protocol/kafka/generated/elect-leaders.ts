// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{ElectLeadersRequest.json,ElectLeadersResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * ElectLeadersRequest (API key 43): versions 0-2, flexible 2+.
 *
 * Version history, from the comments in Kafka's ElectLeadersRequest.json:
 *   Version 1 implements multiple leader election types, as described by KIP-460.
 *
 *   Version 2 is the first flexible version.
 */
export const electLeadersRequestSchema: MessageSchema = {
  apiKey: 43,
  type: "request",
  name: "ElectLeadersRequest",
  validVersions: "0-2",
  flexibleVersions: "2+",
  fields: [
    { name: "ElectionType", property: "electionType", type: "int8", versions: "1+" },
    { name: "TopicPartitions", property: "topicPartitions", type: "[]TopicPartitions", versions: "0+", nullableVersions: "0+", fields: [
      { name: "Topic", property: "topic", type: "string", versions: "0+", mapKey: true },
      { name: "Partitions", property: "partitions", type: "[]int32", versions: "0+" },
    ] },
    { name: "TimeoutMs", property: "timeoutMs", type: "int32", versions: "0+", default: "60000" },
  ],
};

/**
 * ElectLeadersResponse (API key 43): versions 0-2, flexible 2+.
 *
 * Version history, from the comments in Kafka's ElectLeadersResponse.json:
 *   Version 1 adds a top-level error code.
 *
 *   Version 2 is the first flexible version.
 */
export const electLeadersResponseSchema: MessageSchema = {
  apiKey: 43,
  type: "response",
  name: "ElectLeadersResponse",
  validVersions: "0-2",
  flexibleVersions: "2+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "1+" },
    { name: "ReplicaElectionResults", property: "replicaElectionResults", type: "[]ReplicaElectionResult", versions: "0+", fields: [
      { name: "Topic", property: "topic", type: "string", versions: "0+" },
      { name: "PartitionResult", property: "partitionResult", type: "[]PartitionResult", versions: "0+", fields: [
        { name: "PartitionId", property: "partitionId", type: "int32", versions: "0+" },
        { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
        { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
      ] },
    ] },
  ],
};

/** The body of a ElectLeadersRequest (all versions; see electLeadersRequestSchema). */
export interface ElectLeadersRequest extends StructData {
  /** Type of elections to conduct for the partition. A value of '0' elects the preferred replica. A value of '1' elects the first live replica if there are no in-sync replica. (versions 1+) */
  electionType: number;
  /** The topic partitions to elect leaders. (versions 0+; nullable 0+) */
  topicPartitions: TopicPartitions[] | null;
  /** The time in ms to wait for the election to complete. (versions 0+; default 60000) */
  timeoutMs: number;
}

/** A TopicPartitions in a ElectLeadersRequest. */
export interface TopicPartitions extends StructData {
  /** The name of a topic. (versions 0+) */
  topic: string;
  /** The partitions of this topic whose leader should be elected. (versions 0+) */
  partitions: number[];
}

/** The body of a ElectLeadersResponse (all versions; see electLeadersResponseSchema). */
export interface ElectLeadersResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+) */
  throttleTimeMs: number;
  /** The top level response error code. (versions 1+) */
  errorCode: number;
  /** The election results, or an empty array if the requester did not have permission and the request asks for all partitions. (versions 0+) */
  replicaElectionResults: ReplicaElectionResult[];
}

/** A ReplicaElectionResult in a ElectLeadersResponse. */
export interface ReplicaElectionResult extends StructData {
  /** The topic name (versions 0+) */
  topic: string;
  /** The results for each partition (versions 0+) */
  partitionResult: PartitionResult[];
}

/** A PartitionResult in a ElectLeadersResponse. */
export interface PartitionResult extends StructData {
  /** The partition id (versions 0+) */
  partitionId: number;
  /** The result error, or zero if there was no error. (versions 0+) */
  errorCode: number;
  /** The result message, or null if there was no error. (versions 0+; nullable 0+) */
  errorMessage: string | null;
}
