// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{FetchRequest.json,FetchResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * FetchRequest (API key 1): versions 0-16, flexible 12+, deprecated upstream 0-3.
 *
 * Version history, from the comments in Kafka's FetchRequest.json:
 *   Version 1 is the same as version 0.
 *
 *   Starting in Version 2, the requester must be able to handle Kafka Log
 *   Message format version 1.
 *
 *   Version 3 adds MaxBytes.  Starting in version 3, the partition ordering in
 *   the request is now relevant.  Partitions will be processed in the order
 *   they appear in the request.
 *
 *   Version 4 adds IsolationLevel.  Starting in version 4, the reqestor must be
 *   able to handle Kafka log message format version 2.
 *
 *   Version 5 adds LogStartOffset to indicate the earliest available offset of
 *   partition data that can be consumed.
 *
 *   Version 6 is the same as version 5.
 *
 *   Version 7 adds incremental fetch request support.
 *
 *   Version 8 is the same as version 7.
 *
 *   Version 9 adds CurrentLeaderEpoch, as described in KIP-320.
 *
 *   Version 10 indicates that we can use the ZStd compression algorithm, as
 *   described in KIP-110.
 *   Version 12 adds flexible versions support as well as epoch validation through
 *   the `LastFetchedEpoch` field
 *
 *   Version 13 replaces topic names with topic IDs (KIP-516). May return UNKNOWN_TOPIC_ID error code.
 *
 *   Version 14 is the same as version 13 but it also receives a new error called OffsetMovedToTieredStorageException(KIP-405)
 *
 *   Version 15 adds the ReplicaState which includes new field ReplicaEpoch and the ReplicaId. Also,
 *   deprecate the old ReplicaId field and set its default value to -1. (KIP-903)
 *
 *   Version 16 is the same as version 15 (KIP-951).
 */
export const fetchRequestSchema: MessageSchema = {
  apiKey: 1,
  type: "request",
  name: "FetchRequest",
  validVersions: "0-16",
  flexibleVersions: "12+",
  deprecatedVersions: "0-3",
  fields: [
    { name: "ClusterId", property: "clusterId", type: "string", versions: "12+", nullableVersions: "12+", taggedVersions: "12+", tag: 0, default: "null", ignorable: true },
    { name: "ReplicaId", property: "replicaId", type: "int32", versions: "0-14", default: "-1" },
    { name: "ReplicaState", property: "replicaState", type: "ReplicaState", versions: "15+", taggedVersions: "15+", tag: 1, fields: [
      { name: "ReplicaId", property: "replicaId", type: "int32", versions: "15+", default: "-1" },
      { name: "ReplicaEpoch", property: "replicaEpoch", type: "int64", versions: "15+", default: "-1" },
    ] },
    { name: "MaxWaitMs", property: "maxWaitMs", type: "int32", versions: "0+" },
    { name: "MinBytes", property: "minBytes", type: "int32", versions: "0+" },
    { name: "MaxBytes", property: "maxBytes", type: "int32", versions: "3+", default: "0x7fffffff", ignorable: true },
    { name: "IsolationLevel", property: "isolationLevel", type: "int8", versions: "4+", default: "0", ignorable: true },
    { name: "SessionId", property: "sessionId", type: "int32", versions: "7+", default: "0", ignorable: true },
    { name: "SessionEpoch", property: "sessionEpoch", type: "int32", versions: "7+", default: "-1", ignorable: true },
    { name: "Topics", property: "topics", type: "[]FetchTopic", versions: "0+", fields: [
      { name: "Topic", property: "topic", type: "string", versions: "0-12", ignorable: true },
      { name: "TopicId", property: "topicId", type: "uuid", versions: "13+", ignorable: true },
      { name: "Partitions", property: "partitions", type: "[]FetchPartition", versions: "0+", fields: [
        { name: "Partition", property: "partition", type: "int32", versions: "0+" },
        { name: "CurrentLeaderEpoch", property: "currentLeaderEpoch", type: "int32", versions: "9+", default: "-1", ignorable: true },
        { name: "FetchOffset", property: "fetchOffset", type: "int64", versions: "0+" },
        { name: "LastFetchedEpoch", property: "lastFetchedEpoch", type: "int32", versions: "12+", default: "-1" },
        { name: "LogStartOffset", property: "logStartOffset", type: "int64", versions: "5+", default: "-1", ignorable: true },
        { name: "PartitionMaxBytes", property: "partitionMaxBytes", type: "int32", versions: "0+" },
      ] },
    ] },
    { name: "ForgottenTopicsData", property: "forgottenTopicsData", type: "[]ForgottenTopic", versions: "7+", fields: [
      { name: "Topic", property: "topic", type: "string", versions: "7-12", ignorable: true },
      { name: "TopicId", property: "topicId", type: "uuid", versions: "13+", ignorable: true },
      { name: "Partitions", property: "partitions", type: "[]int32", versions: "7+" },
    ] },
    { name: "RackId", property: "rackId", type: "string", versions: "11+", default: "", ignorable: true },
  ],
};

/**
 * FetchResponse (API key 1): versions 0-16, flexible 12+.
 *
 * Version history, from the comments in Kafka's FetchResponse.json:
 *   Version 1 adds throttle time.
 *
 *   Version 2 and 3 are the same as version 1.
 *
 *   Version 4 adds features for transactional consumption.
 *
 *   Version 5 adds LogStartOffset to indicate the earliest available offset of
 *   partition data that can be consumed.
 *
 *   Starting in version 6, we may return KAFKA_STORAGE_ERROR as an error code.
 *
 *   Version 7 adds incremental fetch request support.
 *
 *   Starting in version 8, on quota violation, brokers send out responses before throttling.
 *
 *   Version 9 is the same as version 8.
 *
 *   Version 10 indicates that the response data can use the ZStd compression
 *   algorithm, as described in KIP-110.
 *   Version 12 adds support for flexible versions, epoch detection through the `TruncationOffset` field,
 *   and leader discovery through the `CurrentLeader` field
 *
 *   Version 13 replaces the topic name field with topic ID (KIP-516).
 *
 *   Version 14 is the same as version 13 but it also receives a new error called OffsetMovedToTieredStorageException (KIP-405)
 *
 *   Version 15 is the same as version 14 (KIP-903).
 *
 *   Version 16 adds the 'NodeEndpoints' field (KIP-951).
 */
export const fetchResponseSchema: MessageSchema = {
  apiKey: 1,
  type: "response",
  name: "FetchResponse",
  validVersions: "0-16",
  flexibleVersions: "12+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "1+", ignorable: true },
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "7+", ignorable: true },
    { name: "SessionId", property: "sessionId", type: "int32", versions: "7+", default: "0" },
    { name: "Responses", property: "responses", type: "[]FetchableTopicResponse", versions: "0+", fields: [
      { name: "Topic", property: "topic", type: "string", versions: "0-12", ignorable: true },
      { name: "TopicId", property: "topicId", type: "uuid", versions: "13+", ignorable: true },
      { name: "Partitions", property: "partitions", type: "[]PartitionData", versions: "0+", fields: [
        { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+" },
        { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
        { name: "HighWatermark", property: "highWatermark", type: "int64", versions: "0+" },
        { name: "LastStableOffset", property: "lastStableOffset", type: "int64", versions: "4+", default: "-1", ignorable: true },
        { name: "LogStartOffset", property: "logStartOffset", type: "int64", versions: "5+", default: "-1", ignorable: true },
        { name: "DivergingEpoch", property: "divergingEpoch", type: "EpochEndOffset", versions: "12+", taggedVersions: "12+", tag: 0, fields: [
          { name: "Epoch", property: "epoch", type: "int32", versions: "12+", default: "-1" },
          { name: "EndOffset", property: "endOffset", type: "int64", versions: "12+", default: "-1" },
        ] },
        { name: "CurrentLeader", property: "currentLeader", type: "LeaderIdAndEpoch", versions: "12+", taggedVersions: "12+", tag: 1, fields: [
          { name: "LeaderId", property: "leaderId", type: "int32", versions: "12+", default: "-1" },
          { name: "LeaderEpoch", property: "leaderEpoch", type: "int32", versions: "12+", default: "-1" },
        ] },
        { name: "SnapshotId", property: "snapshotId", type: "SnapshotId", versions: "12+", taggedVersions: "12+", tag: 2, fields: [
          { name: "EndOffset", property: "endOffset", type: "int64", versions: "0+", default: "-1" },
          { name: "Epoch", property: "epoch", type: "int32", versions: "0+", default: "-1" },
        ] },
        { name: "AbortedTransactions", property: "abortedTransactions", type: "[]AbortedTransaction", versions: "4+", nullableVersions: "4+", ignorable: true, fields: [
          { name: "ProducerId", property: "producerId", type: "int64", versions: "4+" },
          { name: "FirstOffset", property: "firstOffset", type: "int64", versions: "4+" },
        ] },
        { name: "PreferredReadReplica", property: "preferredReadReplica", type: "int32", versions: "11+", default: "-1" },
        { name: "Records", property: "records", type: "records", versions: "0+", nullableVersions: "0+" },
      ] },
    ] },
    { name: "NodeEndpoints", property: "nodeEndpoints", type: "[]NodeEndpoint", versions: "16+", taggedVersions: "16+", tag: 0, fields: [
      { name: "NodeId", property: "nodeId", type: "int32", versions: "16+", mapKey: true },
      { name: "Host", property: "host", type: "string", versions: "16+" },
      { name: "Port", property: "port", type: "int32", versions: "16+" },
      { name: "Rack", property: "rack", type: "string", versions: "16+", nullableVersions: "16+", default: "null" },
    ] },
  ],
};

/** The body of a FetchRequest (all versions; see fetchRequestSchema). */
export interface FetchRequest extends StructData {
  /** The clusterId if known. This is used to validate metadata fetches prior to broker registration. (versions 12+; nullable 12+; tagged 12+ (tag 0); default null; ignorable) */
  clusterId: string | null;
  /** The broker ID of the follower, of -1 if this request is from a consumer. (versions 0-14; default -1) */
  replicaId: number;
  /** (versions 15+; tagged 15+ (tag 1)) */
  replicaState: ReplicaState;
  /** The maximum time in milliseconds to wait for the response. (versions 0+) */
  maxWaitMs: number;
  /** The minimum bytes to accumulate in the response. (versions 0+) */
  minBytes: number;
  /** The maximum bytes to fetch.  See KIP-74 for cases where this limit may not be honored. (versions 3+; default 0x7fffffff; ignorable) */
  maxBytes: number;
  /** This setting controls the visibility of transactional records. Using READ_UNCOMMITTED (isolation_level = 0) makes all records visible. With READ_COMMITTED (isolation_level = 1), non-transactional and COMMITTED transactional records are visible. To be more concrete, READ_COMMITTED returns all data from offsets smaller than the current LSO (last stable offset), and enables the inclusion of the list of aborted transactions in the result, which allows consumers to discard ABORTED transactional records (versions 4+; default 0; ignorable) */
  isolationLevel: number;
  /** The fetch session ID. (versions 7+; default 0; ignorable) */
  sessionId: number;
  /** The fetch session epoch, which is used for ordering requests in a session. (versions 7+; default -1; ignorable) */
  sessionEpoch: number;
  /** The topics to fetch. (versions 0+) */
  topics: FetchTopic[];
  /** In an incremental fetch request, the partitions to remove. (versions 7+) */
  forgottenTopicsData: ForgottenTopic[];
  /** Rack ID of the consumer making this request (versions 11+; default ; ignorable) */
  rackId: string;
}

/** A ReplicaState in a FetchRequest. */
export interface ReplicaState extends StructData {
  /** The replica ID of the follower, or -1 if this request is from a consumer. (versions 15+; default -1) */
  replicaId: number;
  /** The epoch of this follower, or -1 if not available. (versions 15+; default -1) */
  replicaEpoch: bigint;
}

/** A FetchTopic in a FetchRequest. */
export interface FetchTopic extends StructData {
  /** The name of the topic to fetch. (versions 0-12; ignorable) */
  topic: string;
  /** The unique topic ID (versions 13+; ignorable) */
  topicId: string;
  /** The partitions to fetch. (versions 0+) */
  partitions: FetchPartition[];
}

/** A FetchPartition in a FetchRequest. */
export interface FetchPartition extends StructData {
  /** The partition index. (versions 0+) */
  partition: number;
  /** The current leader epoch of the partition. (versions 9+; default -1; ignorable) */
  currentLeaderEpoch: number;
  /** The message offset. (versions 0+) */
  fetchOffset: bigint;
  /** The epoch of the last fetched record or -1 if there is none (versions 12+; default -1) */
  lastFetchedEpoch: number;
  /** The earliest available offset of the follower replica.  The field is only used when the request is sent by the follower. (versions 5+; default -1; ignorable) */
  logStartOffset: bigint;
  /** The maximum bytes to fetch from this partition.  See KIP-74 for cases where this limit may not be honored. (versions 0+) */
  partitionMaxBytes: number;
}

/** A ForgottenTopic in a FetchRequest. */
export interface ForgottenTopic extends StructData {
  /** The topic name. (versions 7-12; ignorable) */
  topic: string;
  /** The unique topic ID (versions 13+; ignorable) */
  topicId: string;
  /** The partitions indexes to forget. (versions 7+) */
  partitions: number[];
}

/** The body of a FetchResponse (all versions; see fetchResponseSchema). */
export interface FetchResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 1+; ignorable) */
  throttleTimeMs: number;
  /** The top level response error code. (versions 7+; ignorable) */
  errorCode: number;
  /** The fetch session ID, or 0 if this is not part of a fetch session. (versions 7+; default 0) */
  sessionId: number;
  /** The response topics. (versions 0+) */
  responses: FetchableTopicResponse[];
  /** Endpoints for all current-leaders enumerated in PartitionData, with errors NOT_LEADER_OR_FOLLOWER & FENCED_LEADER_EPOCH. (versions 16+; tagged 16+ (tag 0)) */
  nodeEndpoints: NodeEndpoint[];
}

/** A FetchableTopicResponse in a FetchResponse. */
export interface FetchableTopicResponse extends StructData {
  /** The topic name. (versions 0-12; ignorable) */
  topic: string;
  /** The unique topic ID (versions 13+; ignorable) */
  topicId: string;
  /** The topic partitions. (versions 0+) */
  partitions: PartitionData[];
}

/** A PartitionData in a FetchResponse. */
export interface PartitionData extends StructData {
  /** The partition index. (versions 0+) */
  partitionIndex: number;
  /** The error code, or 0 if there was no fetch error. (versions 0+) */
  errorCode: number;
  /** The current high water mark. (versions 0+) */
  highWatermark: bigint;
  /** The last stable offset (or LSO) of the partition. This is the last offset such that the state of all transactional records prior to this offset have been decided (ABORTED or COMMITTED) (versions 4+; default -1; ignorable) */
  lastStableOffset: bigint;
  /** The current log start offset. (versions 5+; default -1; ignorable) */
  logStartOffset: bigint;
  /** In case divergence is detected based on the `LastFetchedEpoch` and `FetchOffset` in the request, this field indicates the largest epoch and its end offset such that subsequent records are known to diverge (versions 12+; tagged 12+ (tag 0)) */
  divergingEpoch: EpochEndOffset;
  /** (versions 12+; tagged 12+ (tag 1)) */
  currentLeader: LeaderIdAndEpoch;
  /** In the case of fetching an offset less than the LogStartOffset, this is the end offset and epoch that should be used in the FetchSnapshot request. (versions 12+; tagged 12+ (tag 2)) */
  snapshotId: SnapshotId;
  /** The aborted transactions. (versions 4+; nullable 4+; ignorable) */
  abortedTransactions: AbortedTransaction[] | null;
  /** The preferred read replica for the consumer to use on its next fetch request (versions 11+; default -1) */
  preferredReadReplica: number;
  /** The record data. (versions 0+; nullable 0+) */
  records: Buffer | null;
}

/** A EpochEndOffset in a FetchResponse. */
export interface EpochEndOffset extends StructData {
  /** (versions 12+; default -1) */
  epoch: number;
  /** (versions 12+; default -1) */
  endOffset: bigint;
}

/** A LeaderIdAndEpoch in a FetchResponse. */
export interface LeaderIdAndEpoch extends StructData {
  /** The ID of the current leader or -1 if the leader is unknown. (versions 12+; default -1) */
  leaderId: number;
  /** The latest known leader epoch (versions 12+; default -1) */
  leaderEpoch: number;
}

/** A SnapshotId in a FetchResponse. */
export interface SnapshotId extends StructData {
  /** (versions 0+; default -1) */
  endOffset: bigint;
  /** (versions 0+; default -1) */
  epoch: number;
}

/** A AbortedTransaction in a FetchResponse. */
export interface AbortedTransaction extends StructData {
  /** The producer id associated with the aborted transaction. (versions 4+) */
  producerId: bigint;
  /** The first offset in the aborted transaction. (versions 4+) */
  firstOffset: bigint;
}

/** A NodeEndpoint in a FetchResponse. */
export interface NodeEndpoint extends StructData {
  /** The ID of the associated node. (versions 16+) */
  nodeId: number;
  /** The node's hostname. (versions 16+) */
  host: string;
  /** The node's port. (versions 16+) */
  port: number;
  /** The rack of the node, or null if it has not been assigned to a rack. (versions 16+; nullable 16+; default null) */
  rack: string | null;
}
