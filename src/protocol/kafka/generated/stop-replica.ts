// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{StopReplicaRequest.json,StopReplicaResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * StopReplicaRequest (API key 5): versions 0-4, flexible 2+.
 *
 * Version history, from the comments in Kafka's StopReplicaRequest.json:
 *   Version 1 adds the broker epoch and reorganizes the partitions to be stored
 *   per topic.
 *
 *   Version 2 is the first flexible version.
 *
 *   Version 3 adds the leader epoch per partition (KIP-570).
 *
 *   Version 4 adds KRaft Controller ID field as part of KIP-866
 */
export const stopReplicaRequestSchema: MessageSchema = {
  apiKey: 5,
  type: "request",
  name: "StopReplicaRequest",
  validVersions: "0-4",
  flexibleVersions: "2+",
  fields: [
    { name: "ControllerId", property: "controllerId", type: "int32", versions: "0+" },
    { name: "isKRaftController", property: "isKRaftController", type: "bool", versions: "4+", default: "false" },
    { name: "ControllerEpoch", property: "controllerEpoch", type: "int32", versions: "0+" },
    { name: "BrokerEpoch", property: "brokerEpoch", type: "int64", versions: "1+", default: "-1", ignorable: true },
    { name: "DeletePartitions", property: "deletePartitions", type: "bool", versions: "0-2" },
    { name: "UngroupedPartitions", property: "ungroupedPartitions", type: "[]StopReplicaPartitionV0", versions: "0", fields: [
      { name: "TopicName", property: "topicName", type: "string", versions: "0" },
      { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0" },
    ] },
    { name: "Topics", property: "topics", type: "[]StopReplicaTopicV1", versions: "1-2", fields: [
      { name: "Name", property: "name", type: "string", versions: "1-2" },
      { name: "PartitionIndexes", property: "partitionIndexes", type: "[]int32", versions: "1-2" },
    ] },
    { name: "TopicStates", property: "topicStates", type: "[]StopReplicaTopicState", versions: "3+", fields: [
      { name: "TopicName", property: "topicName", type: "string", versions: "3+" },
      { name: "PartitionStates", property: "partitionStates", type: "[]StopReplicaPartitionState", versions: "3+", fields: [
        { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "3+" },
        { name: "LeaderEpoch", property: "leaderEpoch", type: "int32", versions: "3+", default: "-1" },
        { name: "DeletePartition", property: "deletePartition", type: "bool", versions: "3+" },
      ] },
    ] },
  ],
};

/**
 * StopReplicaResponse (API key 5): versions 0-4, flexible 2+.
 *
 * Version history, from the comments in Kafka's StopReplicaResponse.json:
 *   Version 1 is the same as version 0.
 *
 *   Version 2 is the first flexible version.
 *
 *   Version 3 returns FENCED_LEADER_EPOCH if the epoch of the leader is stale (KIP-570).
 */
export const stopReplicaResponseSchema: MessageSchema = {
  apiKey: 5,
  type: "response",
  name: "StopReplicaResponse",
  validVersions: "0-4",
  flexibleVersions: "2+",
  fields: [
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    { name: "PartitionErrors", property: "partitionErrors", type: "[]StopReplicaPartitionError", versions: "0+", fields: [
      { name: "TopicName", property: "topicName", type: "string", versions: "0+" },
      { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+" },
      { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    ] },
  ],
};

/** The body of a StopReplicaRequest (all versions; see stopReplicaRequestSchema). */
export interface StopReplicaRequest extends StructData {
  /** The controller id. (versions 0+) */
  controllerId: number;
  /** If KRaft controller id is used during migration. See KIP-866 (versions 4+; default false) */
  isKRaftController: boolean;
  /** The controller epoch. (versions 0+) */
  controllerEpoch: number;
  /** The broker epoch. (versions 1+; default -1; ignorable) */
  brokerEpoch: bigint;
  /** Whether these partitions should be deleted. (versions 0-2) */
  deletePartitions: boolean;
  /** The partitions to stop. (versions 0) */
  ungroupedPartitions: StopReplicaPartitionV0[];
  /** The topics to stop. (versions 1-2) */
  topics: StopReplicaTopicV1[];
  /** Each topic. (versions 3+) */
  topicStates: StopReplicaTopicState[];
}

/** A StopReplicaPartitionV0 in a StopReplicaRequest. */
export interface StopReplicaPartitionV0 extends StructData {
  /** The topic name. (versions 0) */
  topicName: string;
  /** The partition index. (versions 0) */
  partitionIndex: number;
}

/** A StopReplicaTopicV1 in a StopReplicaRequest. */
export interface StopReplicaTopicV1 extends StructData {
  /** The topic name. (versions 1-2) */
  name: string;
  /** The partition indexes. (versions 1-2) */
  partitionIndexes: number[];
}

/** A StopReplicaTopicState in a StopReplicaRequest. */
export interface StopReplicaTopicState extends StructData {
  /** The topic name. (versions 3+) */
  topicName: string;
  /** The state of each partition (versions 3+) */
  partitionStates: StopReplicaPartitionState[];
}

/** A StopReplicaPartitionState in a StopReplicaRequest. */
export interface StopReplicaPartitionState extends StructData {
  /** The partition index. (versions 3+) */
  partitionIndex: number;
  /** The leader epoch. (versions 3+; default -1) */
  leaderEpoch: number;
  /** Whether this partition should be deleted. (versions 3+) */
  deletePartition: boolean;
}

/** The body of a StopReplicaResponse (all versions; see stopReplicaResponseSchema). */
export interface StopReplicaResponse extends StructData {
  /** The top-level error code, or 0 if there was no top-level error. (versions 0+) */
  errorCode: number;
  /** The responses for each partition. (versions 0+) */
  partitionErrors: StopReplicaPartitionError[];
}

/** A StopReplicaPartitionError in a StopReplicaResponse. */
export interface StopReplicaPartitionError extends StructData {
  /** The topic name. (versions 0+) */
  topicName: string;
  /** The partition index. (versions 0+) */
  partitionIndex: number;
  /** The partition error code, or 0 if there was no partition error. (versions 0+) */
  errorCode: number;
}
