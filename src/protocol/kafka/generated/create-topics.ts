// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{CreateTopicsRequest.json,CreateTopicsResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * CreateTopicsRequest (API key 19): versions 0-7, flexible 5+, deprecated upstream 0-1.
 *
 * Version history, from the comments in Kafka's CreateTopicsRequest.json:
 *   Version 1 adds validateOnly.
 *
 *   Version 4 makes partitions/replicationFactor optional even when assignments are not present (KIP-464)
 *
 *   Version 5 is the first flexible version.
 *   Version 5 also returns topic configs in the response (KIP-525).
 *
 *   Version 6 is identical to version 5 but may return a THROTTLING_QUOTA_EXCEEDED error
 *   in the response if the topics creation is throttled (KIP-599).
 *
 *   Version 7 is the same as version 6.
 */
export const createTopicsRequestSchema: MessageSchema = {
  apiKey: 19,
  type: "request",
  name: "CreateTopicsRequest",
  validVersions: "0-7",
  flexibleVersions: "5+",
  deprecatedVersions: "0-1",
  fields: [
    { name: "Topics", property: "topics", type: "[]CreatableTopic", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+", mapKey: true },
      { name: "NumPartitions", property: "numPartitions", type: "int32", versions: "0+" },
      { name: "ReplicationFactor", property: "replicationFactor", type: "int16", versions: "0+" },
      { name: "Assignments", property: "assignments", type: "[]CreatableReplicaAssignment", versions: "0+", fields: [
        { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+", mapKey: true },
        { name: "BrokerIds", property: "brokerIds", type: "[]int32", versions: "0+" },
      ] },
      { name: "Configs", property: "configs", type: "[]CreateableTopicConfig", versions: "0+", fields: [
        { name: "Name", property: "name", type: "string", versions: "0+", mapKey: true },
        { name: "Value", property: "value", type: "string", versions: "0+", nullableVersions: "0+" },
      ] },
    ] },
    { name: "timeoutMs", property: "timeoutMs", type: "int32", versions: "0+", default: "60000" },
    { name: "validateOnly", property: "validateOnly", type: "bool", versions: "1+", default: "false" },
  ],
};

/**
 * CreateTopicsResponse (API key 19): versions 0-7, flexible 5+.
 *
 * Version history, from the comments in Kafka's CreateTopicsResponse.json:
 *   Version 1 adds a per-topic error message string.
 *
 *   Version 2 adds the throttle time.
 *
 *   Starting in version 3, on quota violation, brokers send out responses before throttling.
 *
 *   Version 4 makes partitions/replicationFactor optional even when assignments are not present (KIP-464).
 *
 *   Version 5 is the first flexible version.
 *   Version 5 also returns topic configs in the response (KIP-525).
 *
 *   Version 6 is identical to version 5 but may return a THROTTLING_QUOTA_EXCEEDED error
 *   in the response if the topics creation is throttled (KIP-599).
 *
 *   Version 7 returns the topic ID of the newly created topic if creation is successful.
 */
export const createTopicsResponseSchema: MessageSchema = {
  apiKey: 19,
  type: "response",
  name: "CreateTopicsResponse",
  validVersions: "0-7",
  flexibleVersions: "5+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "2+", ignorable: true },
    { name: "Topics", property: "topics", type: "[]CreatableTopicResult", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+", mapKey: true },
      { name: "TopicId", property: "topicId", type: "uuid", versions: "7+", ignorable: true },
      { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
      { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "1+", nullableVersions: "0+", ignorable: true },
      { name: "TopicConfigErrorCode", property: "topicConfigErrorCode", type: "int16", versions: "5+", taggedVersions: "5+", tag: 0, ignorable: true },
      { name: "NumPartitions", property: "numPartitions", type: "int32", versions: "5+", default: "-1", ignorable: true },
      { name: "ReplicationFactor", property: "replicationFactor", type: "int16", versions: "5+", default: "-1", ignorable: true },
      { name: "Configs", property: "configs", type: "[]CreatableTopicConfigs", versions: "5+", nullableVersions: "5+", ignorable: true, fields: [
        { name: "Name", property: "name", type: "string", versions: "5+" },
        { name: "Value", property: "value", type: "string", versions: "5+", nullableVersions: "5+" },
        { name: "ReadOnly", property: "readOnly", type: "bool", versions: "5+" },
        { name: "ConfigSource", property: "configSource", type: "int8", versions: "5+", default: "-1", ignorable: true },
        { name: "IsSensitive", property: "isSensitive", type: "bool", versions: "5+" },
      ] },
    ] },
  ],
};

/** The body of a CreateTopicsRequest (all versions; see createTopicsRequestSchema). */
export interface CreateTopicsRequest extends StructData {
  /** The topics to create. (versions 0+) */
  topics: CreatableTopic[];
  /** How long to wait in milliseconds before timing out the request. (versions 0+; default 60000) */
  timeoutMs: number;
  /** If true, check that the topics can be created as specified, but don't create anything. (versions 1+; default false) */
  validateOnly: boolean;
}

/** A CreatableTopic in a CreateTopicsRequest. */
export interface CreatableTopic extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** The number of partitions to create in the topic, or -1 if we are either specifying a manual partition assignment or using the default partitions. (versions 0+) */
  numPartitions: number;
  /** The number of replicas to create for each partition in the topic, or -1 if we are either specifying a manual partition assignment or using the default replication factor. (versions 0+) */
  replicationFactor: number;
  /** The manual partition assignment, or the empty array if we are using automatic assignment. (versions 0+) */
  assignments: CreatableReplicaAssignment[];
  /** The custom topic configurations to set. (versions 0+) */
  configs: CreateableTopicConfig[];
}

/** A CreatableReplicaAssignment in a CreateTopicsRequest. */
export interface CreatableReplicaAssignment extends StructData {
  /** The partition index. (versions 0+) */
  partitionIndex: number;
  /** The brokers to place the partition on. (versions 0+) */
  brokerIds: number[];
}

/** A CreateableTopicConfig in a CreateTopicsRequest. */
export interface CreateableTopicConfig extends StructData {
  /** The configuration name. (versions 0+) */
  name: string;
  /** The configuration value. (versions 0+; nullable 0+) */
  value: string | null;
}

/** The body of a CreateTopicsResponse (all versions; see createTopicsResponseSchema). */
export interface CreateTopicsResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 2+; ignorable) */
  throttleTimeMs: number;
  /** Results for each topic we tried to create. (versions 0+) */
  topics: CreatableTopicResult[];
}

/** A CreatableTopicResult in a CreateTopicsResponse. */
export interface CreatableTopicResult extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** The unique topic ID (versions 7+; ignorable) */
  topicId: string;
  /** The error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
  /** The error message, or null if there was no error. (versions 1+; nullable 0+; ignorable) */
  errorMessage: string | null;
  /** Optional topic config error returned if configs are not returned in the response. (versions 5+; tagged 5+ (tag 0); ignorable) */
  topicConfigErrorCode: number;
  /** Number of partitions of the topic. (versions 5+; default -1; ignorable) */
  numPartitions: number;
  /** Replication factor of the topic. (versions 5+; default -1; ignorable) */
  replicationFactor: number;
  /** Configuration of the topic. (versions 5+; nullable 5+; ignorable) */
  configs: CreatableTopicConfigs[] | null;
}

/** A CreatableTopicConfigs in a CreateTopicsResponse. */
export interface CreatableTopicConfigs extends StructData {
  /** The configuration name. (versions 5+) */
  name: string;
  /** The configuration value. (versions 5+; nullable 5+) */
  value: string | null;
  /** True if the configuration is read-only. (versions 5+) */
  readOnly: boolean;
  /** The configuration source. (versions 5+; default -1; ignorable) */
  configSource: number;
  /** True if this configuration is sensitive. (versions 5+) */
  isSensitive: boolean;
}
