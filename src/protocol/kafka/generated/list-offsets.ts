// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{ListOffsetsRequest.json,ListOffsetsResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * ListOffsetsRequest (API key 2): versions 0-8, flexible 6+, deprecated upstream 0.
 *
 * Version history, from the comments in Kafka's ListOffsetsRequest.json:
 *   Version 1 removes MaxNumOffsets.  From this version forward, only a single
 *   offset can be returned.
 *
 *   Version 2 adds the isolation level, which is used for transactional reads.
 *
 *   Version 3 is the same as version 2.
 *
 *   Version 4 adds the current leader epoch, which is used for fencing.
 *
 *   Version 5 is the same as version 4.
 *
 *   Version 6 enables flexible versions.
 *
 *   Version 7 enables listing offsets by max timestamp (KIP-734).
 *
 *   Version 8 enables listing offsets by local log start offset (KIP-405).
 */
export const listOffsetsRequestSchema: MessageSchema = {
  apiKey: 2,
  type: "request",
  name: "ListOffsetsRequest",
  validVersions: "0-8",
  flexibleVersions: "6+",
  deprecatedVersions: "0",
  fields: [
    { name: "ReplicaId", property: "replicaId", type: "int32", versions: "0+" },
    { name: "IsolationLevel", property: "isolationLevel", type: "int8", versions: "2+" },
    { name: "Topics", property: "topics", type: "[]ListOffsetsTopic", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+" },
      { name: "Partitions", property: "partitions", type: "[]ListOffsetsPartition", versions: "0+", fields: [
        { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+" },
        { name: "CurrentLeaderEpoch", property: "currentLeaderEpoch", type: "int32", versions: "4+", default: "-1", ignorable: true },
        { name: "Timestamp", property: "timestamp", type: "int64", versions: "0+" },
        { name: "MaxNumOffsets", property: "maxNumOffsets", type: "int32", versions: "0", default: "1" },
      ] },
    ] },
  ],
};

/**
 * ListOffsetsResponse (API key 2): versions 0-8, flexible 6+.
 *
 * Version history, from the comments in Kafka's ListOffsetsResponse.json:
 *   Version 1 removes the offsets array in favor of returning a single offset.
 *   Version 1 also adds the timestamp associated with the returned offset.
 *
 *   Version 2 adds the throttle time.
 *
 *   Starting in version 3, on quota violation, brokers send out responses before throttling.
 *
 *   Version 4 adds the leader epoch, which is used for fencing.
 *
 *   Version 5 adds a new error code, OFFSET_NOT_AVAILABLE.
 *
 *   Version 6 enables flexible versions.
 *
 *   Version 7 is the same as version 6 (KIP-734).
 *
 *   Version 8 enables listing offsets by local log start offset.
 *   This is the earliest log start offset in the local log. (KIP-405).
 */
export const listOffsetsResponseSchema: MessageSchema = {
  apiKey: 2,
  type: "response",
  name: "ListOffsetsResponse",
  validVersions: "0-8",
  flexibleVersions: "6+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "2+", ignorable: true },
    { name: "Topics", property: "topics", type: "[]ListOffsetsTopicResponse", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+" },
      { name: "Partitions", property: "partitions", type: "[]ListOffsetsPartitionResponse", versions: "0+", fields: [
        { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+" },
        { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
        { name: "OldStyleOffsets", property: "oldStyleOffsets", type: "[]int64", versions: "0" },
        { name: "Timestamp", property: "timestamp", type: "int64", versions: "1+", default: "-1" },
        { name: "Offset", property: "offset", type: "int64", versions: "1+", default: "-1" },
        { name: "LeaderEpoch", property: "leaderEpoch", type: "int32", versions: "4+", default: "-1" },
      ] },
    ] },
  ],
};

/** The body of a ListOffsetsRequest (all versions; see listOffsetsRequestSchema). */
export interface ListOffsetsRequest extends StructData {
  /** The broker ID of the requester, or -1 if this request is being made by a normal consumer. (versions 0+) */
  replicaId: number;
  /** This setting controls the visibility of transactional records. Using READ_UNCOMMITTED (isolation_level = 0) makes all records visible. With READ_COMMITTED (isolation_level = 1), non-transactional and COMMITTED transactional records are visible. To be more concrete, READ_COMMITTED returns all data from offsets smaller than the current LSO (last stable offset), and enables the inclusion of the list of aborted transactions in the result, which allows consumers to discard ABORTED transactional records (versions 2+) */
  isolationLevel: number;
  /** Each topic in the request. (versions 0+) */
  topics: ListOffsetsTopic[];
}

/** A ListOffsetsTopic in a ListOffsetsRequest. */
export interface ListOffsetsTopic extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** Each partition in the request. (versions 0+) */
  partitions: ListOffsetsPartition[];
}

/** A ListOffsetsPartition in a ListOffsetsRequest. */
export interface ListOffsetsPartition extends StructData {
  /** The partition index. (versions 0+) */
  partitionIndex: number;
  /** The current leader epoch. (versions 4+; default -1; ignorable) */
  currentLeaderEpoch: number;
  /** The current timestamp. (versions 0+) */
  timestamp: bigint;
  /** The maximum number of offsets to report. (versions 0; default 1) */
  maxNumOffsets: number;
}

/** The body of a ListOffsetsResponse (all versions; see listOffsetsResponseSchema). */
export interface ListOffsetsResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 2+; ignorable) */
  throttleTimeMs: number;
  /** Each topic in the response. (versions 0+) */
  topics: ListOffsetsTopicResponse[];
}

/** A ListOffsetsTopicResponse in a ListOffsetsResponse. */
export interface ListOffsetsTopicResponse extends StructData {
  /** The topic name (versions 0+) */
  name: string;
  /** Each partition in the response. (versions 0+) */
  partitions: ListOffsetsPartitionResponse[];
}

/** A ListOffsetsPartitionResponse in a ListOffsetsResponse. */
export interface ListOffsetsPartitionResponse extends StructData {
  /** The partition index. (versions 0+) */
  partitionIndex: number;
  /** The partition error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
  /** The result offsets. (versions 0) */
  oldStyleOffsets: bigint[];
  /** The timestamp associated with the returned offset. (versions 1+; default -1) */
  timestamp: bigint;
  /** The returned offset. (versions 1+; default -1) */
  offset: bigint;
  /** (versions 4+; default -1) */
  leaderEpoch: number;
}
