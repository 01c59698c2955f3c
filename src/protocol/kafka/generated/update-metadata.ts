// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{UpdateMetadataRequest.json,UpdateMetadataResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * UpdateMetadataRequest (API key 6): versions 0-8, flexible 6+.
 *
 * Version history, from the comments in Kafka's UpdateMetadataRequest.json:
 *   Version 1 allows specifying multiple endpoints for each broker.
 *
 *   Version 2 adds the rack.
 *
 *   Version 3 adds the listener name.
 *
 *   Version 4 adds the offline replica list.
 *
 *   Version 5 adds the broker epoch field and normalizes partitions by topic.
 *
 *   Version 7 adds topicId
 *
 *   Version 8 adds KRaft Controller ID field as part of KIP-866
 */
export const updateMetadataRequestSchema: MessageSchema = {
  apiKey: 6,
  type: "request",
  name: "UpdateMetadataRequest",
  validVersions: "0-8",
  flexibleVersions: "6+",
  fields: [
    { name: "ControllerId", property: "controllerId", type: "int32", versions: "0+" },
    { name: "isKRaftController", property: "isKRaftController", type: "bool", versions: "8+", default: "false" },
    { name: "Type", property: "type", type: "int8", versions: "8+", taggedVersions: "8+", tag: 0, default: "0" },
    { name: "ControllerEpoch", property: "controllerEpoch", type: "int32", versions: "0+" },
    { name: "BrokerEpoch", property: "brokerEpoch", type: "int64", versions: "5+", default: "-1", ignorable: true },
    { name: "UngroupedPartitionStates", property: "ungroupedPartitionStates", type: "[]UpdateMetadataPartitionState", versions: "0-4" },
    { name: "TopicStates", property: "topicStates", type: "[]UpdateMetadataTopicState", versions: "5+", fields: [
      { name: "TopicName", property: "topicName", type: "string", versions: "5+" },
      { name: "TopicId", property: "topicId", type: "uuid", versions: "7+", ignorable: true },
      { name: "PartitionStates", property: "partitionStates", type: "[]UpdateMetadataPartitionState", versions: "5+" },
    ] },
    { name: "LiveBrokers", property: "liveBrokers", type: "[]UpdateMetadataBroker", versions: "0+", fields: [
      { name: "Id", property: "id", type: "int32", versions: "0+" },
      { name: "V0Host", property: "v0Host", type: "string", versions: "0", ignorable: true },
      { name: "V0Port", property: "v0Port", type: "int32", versions: "0", ignorable: true },
      { name: "Endpoints", property: "endpoints", type: "[]UpdateMetadataEndpoint", versions: "1+", ignorable: true, fields: [
        { name: "Port", property: "port", type: "int32", versions: "1+" },
        { name: "Host", property: "host", type: "string", versions: "1+" },
        { name: "Listener", property: "listener", type: "string", versions: "3+", ignorable: true },
        { name: "SecurityProtocol", property: "securityProtocol", type: "int16", versions: "1+" },
      ] },
      { name: "Rack", property: "rack", type: "string", versions: "2+", nullableVersions: "0+", ignorable: true },
    ] },
  ],
  commonStructs: [
    { name: "UpdateMetadataPartitionState", versions: "0+", fields: [
      { name: "TopicName", property: "topicName", type: "string", versions: "0-4", ignorable: true },
      { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+" },
      { name: "ControllerEpoch", property: "controllerEpoch", type: "int32", versions: "0+" },
      { name: "Leader", property: "leader", type: "int32", versions: "0+" },
      { name: "LeaderEpoch", property: "leaderEpoch", type: "int32", versions: "0+" },
      { name: "Isr", property: "isr", type: "[]int32", versions: "0+" },
      { name: "ZkVersion", property: "zkVersion", type: "int32", versions: "0+" },
      { name: "Replicas", property: "replicas", type: "[]int32", versions: "0+" },
      { name: "OfflineReplicas", property: "offlineReplicas", type: "[]int32", versions: "4+", ignorable: true },
    ] },
  ],
};

/**
 * UpdateMetadataResponse (API key 6): versions 0-8, flexible 6+.
 *
 * Version history, from the comments in Kafka's UpdateMetadataResponse.json:
 *   Versions 1, 2, 3, 4, and 5 are the same as version 0
 */
export const updateMetadataResponseSchema: MessageSchema = {
  apiKey: 6,
  type: "response",
  name: "UpdateMetadataResponse",
  validVersions: "0-8",
  flexibleVersions: "6+",
  fields: [
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
  ],
};

/** The body of a UpdateMetadataRequest (all versions; see updateMetadataRequestSchema). */
export interface UpdateMetadataRequest extends StructData {
  /** The controller id. (versions 0+) */
  controllerId: number;
  /** If KRaft controller id is used during migration. See KIP-866 (versions 8+; default false) */
  isKRaftController: boolean;
  /** Indicates if this request is a Full metadata snapshot (2), Incremental (1), or Unknown (0). Using during ZK migration, see KIP-866 (versions 8+; tagged 8+ (tag 0); default 0) */
  type: number;
  /** The controller epoch. (versions 0+) */
  controllerEpoch: number;
  /** The broker epoch. (versions 5+; default -1; ignorable) */
  brokerEpoch: bigint;
  /** In older versions of this RPC, each partition that we would like to update. (versions 0-4) */
  ungroupedPartitionStates: UpdateMetadataPartitionState[];
  /** In newer versions of this RPC, each topic that we would like to update. (versions 5+) */
  topicStates: UpdateMetadataTopicState[];
  /** (versions 0+) */
  liveBrokers: UpdateMetadataBroker[];
}

/** A UpdateMetadataTopicState in a UpdateMetadataRequest. */
export interface UpdateMetadataTopicState extends StructData {
  /** The topic name. (versions 5+) */
  topicName: string;
  /** The topic id. (versions 7+; ignorable) */
  topicId: string;
  /** The partition that we would like to update. (versions 5+) */
  partitionStates: UpdateMetadataPartitionState[];
}

/** A UpdateMetadataBroker in a UpdateMetadataRequest. */
export interface UpdateMetadataBroker extends StructData {
  /** The broker id. (versions 0+) */
  id: number;
  /** The broker hostname. (versions 0; ignorable) */
  v0Host: string;
  /** The broker port. (versions 0; ignorable) */
  v0Port: number;
  /** The broker endpoints. (versions 1+; ignorable) */
  endpoints: UpdateMetadataEndpoint[];
  /** The rack which this broker belongs to. (versions 2+; nullable 0+; ignorable) */
  rack: string | null;
}

/** A UpdateMetadataEndpoint in a UpdateMetadataRequest. */
export interface UpdateMetadataEndpoint extends StructData {
  /** The port of this endpoint (versions 1+) */
  port: number;
  /** The hostname of this endpoint (versions 1+) */
  host: string;
  /** The listener name. (versions 3+; ignorable) */
  listener: string;
  /** The security protocol type. (versions 1+) */
  securityProtocol: number;
}

/** A UpdateMetadataPartitionState in a UpdateMetadataRequest. */
export interface UpdateMetadataPartitionState extends StructData {
  /** In older versions of this RPC, the topic name. (versions 0-4; ignorable) */
  topicName: string;
  /** The partition index. (versions 0+) */
  partitionIndex: number;
  /** The controller epoch. (versions 0+) */
  controllerEpoch: number;
  /** The ID of the broker which is the current partition leader. (versions 0+) */
  leader: number;
  /** The leader epoch of this partition. (versions 0+) */
  leaderEpoch: number;
  /** The brokers which are in the ISR for this partition. (versions 0+) */
  isr: number[];
  /** The Zookeeper version. (versions 0+) */
  zkVersion: number;
  /** All the replicas of this partition. (versions 0+) */
  replicas: number[];
  /** The replicas of this partition which are offline. (versions 4+; ignorable) */
  offlineReplicas: number[];
}

/** The body of a UpdateMetadataResponse (all versions; see updateMetadataResponseSchema). */
export interface UpdateMetadataResponse extends StructData {
  /** The error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
}
