// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{MetadataRequest.json,MetadataResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * MetadataRequest (API key 3): versions 0-12, flexible 9+, deprecated upstream 0-3.
 *
 * Version history, from the comments in Kafka's MetadataRequest.json:

 */
export const metadataRequestSchema: MessageSchema = {
  apiKey: 3,
  type: "request",
  name: "MetadataRequest",
  validVersions: "0-12",
  flexibleVersions: "9+",
  deprecatedVersions: "0-3",
  fields: [
    { name: "Topics", property: "topics", type: "[]MetadataRequestTopic", versions: "0+", nullableVersions: "1+", fields: [
      { name: "TopicId", property: "topicId", type: "uuid", versions: "10+", ignorable: true },
      { name: "Name", property: "name", type: "string", versions: "0+", nullableVersions: "10+" },
    ] },
    { name: "AllowAutoTopicCreation", property: "allowAutoTopicCreation", type: "bool", versions: "4+", default: "true" },
    { name: "IncludeClusterAuthorizedOperations", property: "includeClusterAuthorizedOperations", type: "bool", versions: "8-10" },
    { name: "IncludeTopicAuthorizedOperations", property: "includeTopicAuthorizedOperations", type: "bool", versions: "8+" },
  ],
};

/**
 * MetadataResponse (API key 3): versions 0-12, flexible 9+.
 *
 * Version history, from the comments in Kafka's MetadataResponse.json:
 *   Version 1 adds fields for the rack of each broker, the controller id, and
 *   whether or not the topic is internal.
 *
 *   Version 2 adds the cluster ID field.
 *
 *   Version 3 adds the throttle time.
 *
 *   Version 4 is the same as version 3.
 *
 *   Version 5 adds a per-partition offline_replicas field. This field specifies
 *   the list of replicas that are offline.
 *
 *   Starting in version 6, on quota violation, brokers send out responses before throttling.
 *
 *   Version 7 adds the leader epoch to the partition metadata.
 *
 *   Starting in version 8, brokers can send authorized operations for topic and cluster.
 *
 *   Version 9 is the first flexible version.
 *
 *   Version 10 adds topicId.
 *
 *   Version 11 deprecates ClusterAuthorizedOperations. This is now exposed
 *   by the DescribeCluster API (KIP-700).
 *   Version 12 supports topicId.
 */
export const metadataResponseSchema: MessageSchema = {
  apiKey: 3,
  type: "response",
  name: "MetadataResponse",
  validVersions: "0-12",
  flexibleVersions: "9+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "3+", ignorable: true },
    { name: "Brokers", property: "brokers", type: "[]MetadataResponseBroker", versions: "0+", fields: [
      { name: "NodeId", property: "nodeId", type: "int32", versions: "0+", mapKey: true },
      { name: "Host", property: "host", type: "string", versions: "0+" },
      { name: "Port", property: "port", type: "int32", versions: "0+" },
      { name: "Rack", property: "rack", type: "string", versions: "1+", nullableVersions: "1+", default: "null", ignorable: true },
    ] },
    { name: "ClusterId", property: "clusterId", type: "string", versions: "2+", nullableVersions: "2+", default: "null", ignorable: true },
    { name: "ControllerId", property: "controllerId", type: "int32", versions: "1+", default: "-1", ignorable: true },
    { name: "Topics", property: "topics", type: "[]MetadataResponseTopic", versions: "0+", fields: [
      { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
      { name: "Name", property: "name", type: "string", versions: "0+", nullableVersions: "12+", mapKey: true },
      { name: "TopicId", property: "topicId", type: "uuid", versions: "10+", ignorable: true },
      { name: "IsInternal", property: "isInternal", type: "bool", versions: "1+", default: "false", ignorable: true },
      { name: "Partitions", property: "partitions", type: "[]MetadataResponsePartition", versions: "0+", fields: [
        { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
        { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+" },
        { name: "LeaderId", property: "leaderId", type: "int32", versions: "0+" },
        { name: "LeaderEpoch", property: "leaderEpoch", type: "int32", versions: "7+", default: "-1", ignorable: true },
        { name: "ReplicaNodes", property: "replicaNodes", type: "[]int32", versions: "0+" },
        { name: "IsrNodes", property: "isrNodes", type: "[]int32", versions: "0+" },
        { name: "OfflineReplicas", property: "offlineReplicas", type: "[]int32", versions: "5+", ignorable: true },
      ] },
      { name: "TopicAuthorizedOperations", property: "topicAuthorizedOperations", type: "int32", versions: "8+", default: "-2147483648" },
    ] },
    { name: "ClusterAuthorizedOperations", property: "clusterAuthorizedOperations", type: "int32", versions: "8-10", default: "-2147483648" },
  ],
};

/** The body of a MetadataRequest (all versions; see metadataRequestSchema). */
export interface MetadataRequest extends StructData {
  /** The topics to fetch metadata for. (versions 0+; nullable 1+) */
  topics: MetadataRequestTopic[] | null;
  /** If this is true, the broker may auto-create topics that we requested which do not already exist, if it is configured to do so. (versions 4+; default true) */
  allowAutoTopicCreation: boolean;
  /** Whether to include cluster authorized operations. (versions 8-10) */
  includeClusterAuthorizedOperations: boolean;
  /** Whether to include topic authorized operations. (versions 8+) */
  includeTopicAuthorizedOperations: boolean;
}

/** A MetadataRequestTopic in a MetadataRequest. */
export interface MetadataRequestTopic extends StructData {
  /** The topic id. (versions 10+; ignorable) */
  topicId: string;
  /** The topic name. (versions 0+; nullable 10+) */
  name: string | null;
}

/** The body of a MetadataResponse (all versions; see metadataResponseSchema). */
export interface MetadataResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 3+; ignorable) */
  throttleTimeMs: number;
  /** A list of brokers present in the cluster. (versions 0+) */
  brokers: MetadataResponseBroker[];
  /** The cluster ID that responding broker belongs to. (versions 2+; nullable 2+; default null; ignorable) */
  clusterId: string | null;
  /** The ID of the controller broker. (versions 1+; default -1; ignorable) */
  controllerId: number;
  /** Each topic in the response. (versions 0+) */
  topics: MetadataResponseTopic[];
  /** 32-bit bitfield to represent authorized operations for this cluster. (versions 8-10; default -2147483648) */
  clusterAuthorizedOperations: number;
}

/** A MetadataResponseBroker in a MetadataResponse. */
export interface MetadataResponseBroker extends StructData {
  /** The broker ID. (versions 0+) */
  nodeId: number;
  /** The broker hostname. (versions 0+) */
  host: string;
  /** The broker port. (versions 0+) */
  port: number;
  /** The rack of the broker, or null if it has not been assigned to a rack. (versions 1+; nullable 1+; default null; ignorable) */
  rack: string | null;
}

/** A MetadataResponseTopic in a MetadataResponse. */
export interface MetadataResponseTopic extends StructData {
  /** The topic error, or 0 if there was no error. (versions 0+) */
  errorCode: number;
  /** The topic name. Null for non-existing topics queried by ID. This is never null when ErrorCode is zero. One of Name and TopicId is always populated. (versions 0+; nullable 12+) */
  name: string | null;
  /** The topic id. Zero for non-existing topics queried by name. This is never zero when ErrorCode is zero. One of Name and TopicId is always populated. (versions 10+; ignorable) */
  topicId: string;
  /** True if the topic is internal. (versions 1+; default false; ignorable) */
  isInternal: boolean;
  /** Each partition in the topic. (versions 0+) */
  partitions: MetadataResponsePartition[];
  /** 32-bit bitfield to represent authorized operations for this topic. (versions 8+; default -2147483648) */
  topicAuthorizedOperations: number;
}

/** A MetadataResponsePartition in a MetadataResponse. */
export interface MetadataResponsePartition extends StructData {
  /** The partition error, or 0 if there was no error. (versions 0+) */
  errorCode: number;
  /** The partition index. (versions 0+) */
  partitionIndex: number;
  /** The ID of the leader broker. (versions 0+) */
  leaderId: number;
  /** The leader epoch of this partition. (versions 7+; default -1; ignorable) */
  leaderEpoch: number;
  /** The set of all nodes that host this partition. (versions 0+) */
  replicaNodes: number[];
  /** The set of nodes that are in sync with the leader for this partition. (versions 0+) */
  isrNodes: number[];
  /** The set of offline replicas of this partition. (versions 5+; ignorable) */
  offlineReplicas: number[];
}
