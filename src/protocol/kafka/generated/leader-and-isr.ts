// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{LeaderAndIsrRequest.json,LeaderAndIsrResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * LeaderAndIsrRequest (API key 4): versions 0-7, flexible 4+.
 *
 * Version history, from the comments in Kafka's LeaderAndIsrRequest.json:
 *   Version 1 adds IsNew.
 *
 *   Version 2 adds broker epoch and reorganizes the partitions by topic.
 *
 *   Version 3 adds AddingReplicas and RemovingReplicas.
 *
 *   Version 4 is the first flexible version.
 *
 *   Version 5 adds Topic ID and Type to the TopicStates, as described in KIP-516.
 *
 *   Version 6 adds LeaderRecoveryState as described in KIP-704.
 *
 *   Version 7 adds KRaft Controller ID field as part of KIP-866
 */
export const leaderAndIsrRequestSchema: MessageSchema = {
  apiKey: 4,
  type: "request",
  name: "LeaderAndIsrRequest",
  validVersions: "0-7",
  flexibleVersions: "4+",
  fields: [
    { name: "ControllerId", property: "controllerId", type: "int32", versions: "0+" },
    { name: "isKRaftController", property: "isKRaftController", type: "bool", versions: "7+", default: "false" },
    { name: "ControllerEpoch", property: "controllerEpoch", type: "int32", versions: "0+" },
    { name: "BrokerEpoch", property: "brokerEpoch", type: "int64", versions: "2+", default: "-1", ignorable: true },
    { name: "Type", property: "type", type: "int8", versions: "5+" },
    { name: "UngroupedPartitionStates", property: "ungroupedPartitionStates", type: "[]LeaderAndIsrPartitionState", versions: "0-1" },
    { name: "TopicStates", property: "topicStates", type: "[]LeaderAndIsrTopicState", versions: "2+", fields: [
      { name: "TopicName", property: "topicName", type: "string", versions: "2+" },
      { name: "TopicId", property: "topicId", type: "uuid", versions: "5+", ignorable: true },
      { name: "PartitionStates", property: "partitionStates", type: "[]LeaderAndIsrPartitionState", versions: "2+" },
    ] },
    { name: "LiveLeaders", property: "liveLeaders", type: "[]LeaderAndIsrLiveLeader", versions: "0+", fields: [
      { name: "BrokerId", property: "brokerId", type: "int32", versions: "0+" },
      { name: "HostName", property: "hostName", type: "string", versions: "0+" },
      { name: "Port", property: "port", type: "int32", versions: "0+" },
    ] },
  ],
  commonStructs: [
    { name: "LeaderAndIsrPartitionState", versions: "0+", fields: [
      { name: "TopicName", property: "topicName", type: "string", versions: "0-1", ignorable: true },
      { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+" },
      { name: "ControllerEpoch", property: "controllerEpoch", type: "int32", versions: "0+" },
      { name: "Leader", property: "leader", type: "int32", versions: "0+" },
      { name: "LeaderEpoch", property: "leaderEpoch", type: "int32", versions: "0+" },
      { name: "Isr", property: "isr", type: "[]int32", versions: "0+" },
      { name: "PartitionEpoch", property: "partitionEpoch", type: "int32", versions: "0+" },
      { name: "Replicas", property: "replicas", type: "[]int32", versions: "0+" },
      { name: "AddingReplicas", property: "addingReplicas", type: "[]int32", versions: "3+", ignorable: true },
      { name: "RemovingReplicas", property: "removingReplicas", type: "[]int32", versions: "3+", ignorable: true },
      { name: "IsNew", property: "isNew", type: "bool", versions: "1+", default: "false", ignorable: true },
      { name: "LeaderRecoveryState", property: "leaderRecoveryState", type: "int8", versions: "6+", default: "0" },
    ] },
  ],
};

/**
 * LeaderAndIsrResponse (API key 4): versions 0-7, flexible 4+.
 *
 * Version history, from the comments in Kafka's LeaderAndIsrResponse.json:
 *   Version 1 adds KAFKA_STORAGE_ERROR as a valid error code.
 *
 *   Version 2 is the same as version 1.
 *
 *   Version 3 is the same as version 2.
 *
 *   Version 4 is the first flexible version.
 *
 *   Version 5 removes TopicName and replaces it with TopicId and reorganizes
 *   the partitions by topic, as described by KIP-516.
 */
export const leaderAndIsrResponseSchema: MessageSchema = {
  apiKey: 4,
  type: "response",
  name: "LeaderAndIsrResponse",
  validVersions: "0-7",
  flexibleVersions: "4+",
  fields: [
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    { name: "PartitionErrors", property: "partitionErrors", type: "[]LeaderAndIsrPartitionError", versions: "0-4" },
    { name: "Topics", property: "topics", type: "[]LeaderAndIsrTopicError", versions: "5+", fields: [
      { name: "TopicId", property: "topicId", type: "uuid", versions: "5+", mapKey: true },
      { name: "PartitionErrors", property: "partitionErrors", type: "[]LeaderAndIsrPartitionError", versions: "5+" },
    ] },
  ],
  commonStructs: [
    { name: "LeaderAndIsrPartitionError", versions: "0+", fields: [
      { name: "TopicName", property: "topicName", type: "string", versions: "0-4", ignorable: true },
      { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+" },
      { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    ] },
  ],
};

/** The body of a LeaderAndIsrRequest (all versions; see leaderAndIsrRequestSchema). */
export interface LeaderAndIsrRequest extends StructData {
  /** The current controller ID. (versions 0+) */
  controllerId: number;
  /** If KRaft controller id is used during migration. See KIP-866 (versions 7+; default false) */
  isKRaftController: boolean;
  /** The current controller epoch. (versions 0+) */
  controllerEpoch: number;
  /** The current broker epoch. (versions 2+; default -1; ignorable) */
  brokerEpoch: bigint;
  /** The type that indicates whether all topics are included in the request (versions 5+) */
  type: number;
  /** The state of each partition, in a v0 or v1 message. (versions 0-1) */
  ungroupedPartitionStates: LeaderAndIsrPartitionState[];
  /** Each topic. (versions 2+) */
  topicStates: LeaderAndIsrTopicState[];
  /** The current live leaders. (versions 0+) */
  liveLeaders: LeaderAndIsrLiveLeader[];
}

/** A LeaderAndIsrTopicState in a LeaderAndIsrRequest. */
export interface LeaderAndIsrTopicState extends StructData {
  /** The topic name. (versions 2+) */
  topicName: string;
  /** The unique topic ID. (versions 5+; ignorable) */
  topicId: string;
  /** The state of each partition (versions 2+) */
  partitionStates: LeaderAndIsrPartitionState[];
}

/** A LeaderAndIsrLiveLeader in a LeaderAndIsrRequest. */
export interface LeaderAndIsrLiveLeader extends StructData {
  /** The leader's broker ID. (versions 0+) */
  brokerId: number;
  /** The leader's hostname. (versions 0+) */
  hostName: string;
  /** The leader's port. (versions 0+) */
  port: number;
}

/** A LeaderAndIsrPartitionState in a LeaderAndIsrRequest. */
export interface LeaderAndIsrPartitionState extends StructData {
  /** The topic name.  This is only present in v0 or v1. (versions 0-1; ignorable) */
  topicName: string;
  /** The partition index. (versions 0+) */
  partitionIndex: number;
  /** The controller epoch. (versions 0+) */
  controllerEpoch: number;
  /** The broker ID of the leader. (versions 0+) */
  leader: number;
  /** The leader epoch. (versions 0+) */
  leaderEpoch: number;
  /** The in-sync replica IDs. (versions 0+) */
  isr: number[];
  /** The current epoch for the partition. The epoch is a monotonically increasing value which is incremented after every partition change. (Since the LeaderAndIsr request is only used by the legacy controller, this corresponds to the zkVersion) (versions 0+) */
  partitionEpoch: number;
  /** The replica IDs. (versions 0+) */
  replicas: number[];
  /** The replica IDs that we are adding this partition to, or null if no replicas are being added. (versions 3+; ignorable) */
  addingReplicas: number[];
  /** The replica IDs that we are removing this partition from, or null if no replicas are being removed. (versions 3+; ignorable) */
  removingReplicas: number[];
  /** Whether the replica should have existed on the broker or not. (versions 1+; default false; ignorable) */
  isNew: boolean;
  /** 1 if the partition is recovering from an unclean leader election; 0 otherwise. (versions 6+; default 0) */
  leaderRecoveryState: number;
}

/** The body of a LeaderAndIsrResponse (all versions; see leaderAndIsrResponseSchema). */
export interface LeaderAndIsrResponse extends StructData {
  /** The error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
  /** Each partition in v0 to v4 message. (versions 0-4) */
  partitionErrors: LeaderAndIsrPartitionError[];
  /** Each topic (versions 5+) */
  topics: LeaderAndIsrTopicError[];
}

/** A LeaderAndIsrTopicError in a LeaderAndIsrResponse. */
export interface LeaderAndIsrTopicError extends StructData {
  /** The unique topic ID (versions 5+) */
  topicId: string;
  /** Each partition. (versions 5+) */
  partitionErrors: LeaderAndIsrPartitionError[];
}

/** A LeaderAndIsrPartitionError in a LeaderAndIsrResponse. */
export interface LeaderAndIsrPartitionError extends StructData {
  /** The topic name. (versions 0-4; ignorable) */
  topicName: string;
  /** The partition index. (versions 0+) */
  partitionIndex: number;
  /** The partition error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
}
