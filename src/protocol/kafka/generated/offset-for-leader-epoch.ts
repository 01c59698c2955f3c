// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{OffsetForLeaderEpochRequest.json,OffsetForLeaderEpochResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * OffsetForLeaderEpochRequest (API key 23): versions 0-4, flexible 4+, deprecated upstream 0-1.
 *
 * Version history, from the comments in Kafka's OffsetForLeaderEpochRequest.json:
 *   Version 1 is the same as version 0.
 *
 *   Version 2 adds the current leader epoch to support fencing.
 *
 *   Version 3 adds ReplicaId (the default is -2 which conventionally represents a
 *      "debug" consumer which is allowed to see offsets beyond the high watermark).
 *      Followers will use this replicaId when using an older version of the protocol.
 *
 *   Version 4 enables flexible versions.
 */
export const offsetForLeaderEpochRequestSchema: MessageSchema = {
  apiKey: 23,
  type: "request",
  name: "OffsetForLeaderEpochRequest",
  validVersions: "0-4",
  flexibleVersions: "4+",
  deprecatedVersions: "0-1",
  fields: [
    { name: "ReplicaId", property: "replicaId", type: "int32", versions: "3+", default: "-2", ignorable: true },
    { name: "Topics", property: "topics", type: "[]OffsetForLeaderTopic", versions: "0+", fields: [
      { name: "Topic", property: "topic", type: "string", versions: "0+", mapKey: true },
      { name: "Partitions", property: "partitions", type: "[]OffsetForLeaderPartition", versions: "0+", fields: [
        { name: "Partition", property: "partition", type: "int32", versions: "0+" },
        { name: "CurrentLeaderEpoch", property: "currentLeaderEpoch", type: "int32", versions: "2+", default: "-1", ignorable: true },
        { name: "LeaderEpoch", property: "leaderEpoch", type: "int32", versions: "0+" },
      ] },
    ] },
  ],
};

/**
 * OffsetForLeaderEpochResponse (API key 23): versions 0-4, flexible 4+.
 *
 * Version history, from the comments in Kafka's OffsetForLeaderEpochResponse.json:
 *   Version 1 added the leader epoch to the response.
 *
 *   Version 2 added the throttle time.
 *
 *   Version 3 is the same as version 2.
 *
 *   Version 4 enables flexible versions.
 */
export const offsetForLeaderEpochResponseSchema: MessageSchema = {
  apiKey: 23,
  type: "response",
  name: "OffsetForLeaderEpochResponse",
  validVersions: "0-4",
  flexibleVersions: "4+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "2+", ignorable: true },
    { name: "Topics", property: "topics", type: "[]OffsetForLeaderTopicResult", versions: "0+", fields: [
      { name: "Topic", property: "topic", type: "string", versions: "0+", mapKey: true },
      { name: "Partitions", property: "partitions", type: "[]EpochEndOffset", versions: "0+", fields: [
        { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
        { name: "Partition", property: "partition", type: "int32", versions: "0+" },
        { name: "LeaderEpoch", property: "leaderEpoch", type: "int32", versions: "1+", default: "-1", ignorable: true },
        { name: "EndOffset", property: "endOffset", type: "int64", versions: "0+", default: "-1" },
      ] },
    ] },
  ],
};

/** The body of a OffsetForLeaderEpochRequest (all versions; see offsetForLeaderEpochRequestSchema). */
export interface OffsetForLeaderEpochRequest extends StructData {
  /** The broker ID of the follower, of -1 if this request is from a consumer. (versions 3+; default -2; ignorable) */
  replicaId: number;
  /** Each topic to get offsets for. (versions 0+) */
  topics: OffsetForLeaderTopic[];
}

/** A OffsetForLeaderTopic in a OffsetForLeaderEpochRequest. */
export interface OffsetForLeaderTopic extends StructData {
  /** The topic name. (versions 0+) */
  topic: string;
  /** Each partition to get offsets for. (versions 0+) */
  partitions: OffsetForLeaderPartition[];
}

/** A OffsetForLeaderPartition in a OffsetForLeaderEpochRequest. */
export interface OffsetForLeaderPartition extends StructData {
  /** The partition index. (versions 0+) */
  partition: number;
  /** An epoch used to fence consumers/replicas with old metadata. If the epoch provided by the client is larger than the current epoch known to the broker, then the UNKNOWN_LEADER_EPOCH error code will be returned. If the provided epoch is smaller, then the FENCED_LEADER_EPOCH error code will be returned. (versions 2+; default -1; ignorable) */
  currentLeaderEpoch: number;
  /** The epoch to look up an offset for. (versions 0+) */
  leaderEpoch: number;
}

/** The body of a OffsetForLeaderEpochResponse (all versions; see offsetForLeaderEpochResponseSchema). */
export interface OffsetForLeaderEpochResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 2+; ignorable) */
  throttleTimeMs: number;
  /** Each topic we fetched offsets for. (versions 0+) */
  topics: OffsetForLeaderTopicResult[];
}

/** A OffsetForLeaderTopicResult in a OffsetForLeaderEpochResponse. */
export interface OffsetForLeaderTopicResult extends StructData {
  /** The topic name. (versions 0+) */
  topic: string;
  /** Each partition in the topic we fetched offsets for. (versions 0+) */
  partitions: EpochEndOffset[];
}

/** A EpochEndOffset in a OffsetForLeaderEpochResponse. */
export interface EpochEndOffset extends StructData {
  /** The error code 0, or if there was no error. (versions 0+) */
  errorCode: number;
  /** The partition index. (versions 0+) */
  partition: number;
  /** The leader epoch of the partition. (versions 1+; default -1; ignorable) */
  leaderEpoch: number;
  /** The end offset of the epoch. (versions 0+; default -1) */
  endOffset: bigint;
}
