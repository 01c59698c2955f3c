// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{OffsetFetchRequest.json,OffsetFetchResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * OffsetFetchRequest (API key 9): versions 0-9, flexible 6+, deprecated upstream 0.
 *
 * Version history, from the comments in Kafka's OffsetFetchRequest.json:
 *   In version 0, the request read offsets from ZK.
 *
 *   Starting in version 1, the broker supports fetching offsets from the internal __consumer_offsets topic.
 *
 *   Starting in version 2, the request can contain a null topics array to indicate that offsets
 *   for all topics should be fetched. It also returns a top level error code
 *   for group or coordinator level errors.
 *
 *   Version 3, 4, and 5 are the same as version 2.
 *
 *   Version 6 is the first flexible version.
 *
 *   Version 7 is adding the require stable flag.
 *
 *   Version 8 is adding support for fetching offsets for multiple groups at a time.
 *
 *   Version 9 is the first version that can be used with the new consumer group protocol (KIP-848). It adds
 *   the MemberId and MemberEpoch fields. Those are filled in and validated when the new consumer protocol is used.
 */
export const offsetFetchRequestSchema: MessageSchema = {
  apiKey: 9,
  type: "request",
  name: "OffsetFetchRequest",
  validVersions: "0-9",
  flexibleVersions: "6+",
  deprecatedVersions: "0",
  fields: [
    { name: "GroupId", property: "groupId", type: "string", versions: "0-7" },
    { name: "Topics", property: "topics", type: "[]OffsetFetchRequestTopic", versions: "0-7", nullableVersions: "2-7", fields: [
      { name: "Name", property: "name", type: "string", versions: "0-7" },
      { name: "PartitionIndexes", property: "partitionIndexes", type: "[]int32", versions: "0-7" },
    ] },
    { name: "Groups", property: "groups", type: "[]OffsetFetchRequestGroup", versions: "8+", fields: [
      { name: "GroupId", property: "groupId", type: "string", versions: "8+" },
      { name: "MemberId", property: "memberId", type: "string", versions: "9+", nullableVersions: "9+", default: "null", ignorable: true },
      { name: "MemberEpoch", property: "memberEpoch", type: "int32", versions: "9+", default: "-1", ignorable: true },
      { name: "Topics", property: "topics", type: "[]OffsetFetchRequestTopics", versions: "8+", nullableVersions: "8+", fields: [
        { name: "Name", property: "name", type: "string", versions: "8+" },
        { name: "PartitionIndexes", property: "partitionIndexes", type: "[]int32", versions: "8+" },
      ] },
    ] },
    { name: "RequireStable", property: "requireStable", type: "bool", versions: "7+", default: "false" },
  ],
};

/**
 * OffsetFetchResponse (API key 9): versions 0-9, flexible 6+.
 *
 * Version history, from the comments in Kafka's OffsetFetchResponse.json:
 *   Version 1 is the same as version 0.
 *
 *   Version 2 adds a top-level error code.
 *
 *   Version 3 adds the throttle time.
 *
 *   Starting in version 4, on quota violation, brokers send out responses before throttling.
 *
 *   Version 5 adds the leader epoch to the committed offset.
 *
 *   Version 6 is the first flexible version.
 *
 *   Version 7 adds pending offset commit as new error response on partition level.
 *
 *   Version 8 is adding support for fetching offsets for multiple groups
 *
 *   Version 9 is the first version that can be used with the new consumer group protocol (KIP-848). The response is
 *   the same as version 8 but can return STALE_MEMBER_EPOCH and UNKNOWN_MEMBER_ID errors when the new consumer group
 *   protocol is used.
 *   Supported errors:
 *   - GROUP_AUTHORIZATION_FAILED (version 0+)
 *   - NOT_COORDINATOR (version 0+)
 *   - COORDINATOR_NOT_AVAILABLE (version 0+)
 *   - COORDINATOR_LOAD_IN_PROGRESS (version 0+)
 *   - GROUP_ID_NOT_FOUND (version 0+)
 *   - UNSTABLE_OFFSET_COMMIT (version 7+)
 *   - UNKNOWN_MEMBER_ID (version 9+)
 *   - STALE_MEMBER_EPOCH (version 9+)
 */
export const offsetFetchResponseSchema: MessageSchema = {
  apiKey: 9,
  type: "response",
  name: "OffsetFetchResponse",
  validVersions: "0-9",
  flexibleVersions: "6+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "3+", ignorable: true },
    { name: "Topics", property: "topics", type: "[]OffsetFetchResponseTopic", versions: "0-7", fields: [
      { name: "Name", property: "name", type: "string", versions: "0-7" },
      { name: "Partitions", property: "partitions", type: "[]OffsetFetchResponsePartition", versions: "0-7", fields: [
        { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0-7" },
        { name: "CommittedOffset", property: "committedOffset", type: "int64", versions: "0-7" },
        { name: "CommittedLeaderEpoch", property: "committedLeaderEpoch", type: "int32", versions: "5-7", default: "-1", ignorable: true },
        { name: "Metadata", property: "metadata", type: "string", versions: "0-7", nullableVersions: "0-7" },
        { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0-7" },
      ] },
    ] },
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "2-7", default: "0", ignorable: true },
    { name: "Groups", property: "groups", type: "[]OffsetFetchResponseGroup", versions: "8+", fields: [
      { name: "GroupId", property: "groupId", type: "string", versions: "8+" },
      { name: "Topics", property: "topics", type: "[]OffsetFetchResponseTopics", versions: "8+", fields: [
        { name: "Name", property: "name", type: "string", versions: "8+" },
        { name: "Partitions", property: "partitions", type: "[]OffsetFetchResponsePartitions", versions: "8+", fields: [
          { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "8+" },
          { name: "CommittedOffset", property: "committedOffset", type: "int64", versions: "8+" },
          { name: "CommittedLeaderEpoch", property: "committedLeaderEpoch", type: "int32", versions: "8+", default: "-1", ignorable: true },
          { name: "Metadata", property: "metadata", type: "string", versions: "8+", nullableVersions: "8+" },
          { name: "ErrorCode", property: "errorCode", type: "int16", versions: "8+" },
        ] },
      ] },
      { name: "ErrorCode", property: "errorCode", type: "int16", versions: "8+", default: "0" },
    ] },
  ],
};

/** The body of a OffsetFetchRequest (all versions; see offsetFetchRequestSchema). */
export interface OffsetFetchRequest extends StructData {
  /** The group to fetch offsets for. (versions 0-7) */
  groupId: string;
  /** Each topic we would like to fetch offsets for, or null to fetch offsets for all topics. (versions 0-7; nullable 2-7) */
  topics: OffsetFetchRequestTopic[] | null;
  /** Each group we would like to fetch offsets for (versions 8+) */
  groups: OffsetFetchRequestGroup[];
  /** Whether broker should hold on returning unstable offsets but set a retriable error code for the partitions. (versions 7+; default false) */
  requireStable: boolean;
}

/** A OffsetFetchRequestTopic in a OffsetFetchRequest. */
export interface OffsetFetchRequestTopic extends StructData {
  /** The topic name. (versions 0-7) */
  name: string;
  /** The partition indexes we would like to fetch offsets for. (versions 0-7) */
  partitionIndexes: number[];
}

/** A OffsetFetchRequestGroup in a OffsetFetchRequest. */
export interface OffsetFetchRequestGroup extends StructData {
  /** The group ID. (versions 8+) */
  groupId: string;
  /** The member ID assigned by the group coordinator if using the new consumer protocol (KIP-848). (versions 9+; nullable 9+; default null; ignorable) */
  memberId: string | null;
  /** The member epoch if using the new consumer protocol (KIP-848). (versions 9+; default -1; ignorable) */
  memberEpoch: number;
  /** Each topic we would like to fetch offsets for, or null to fetch offsets for all topics. (versions 8+; nullable 8+) */
  topics: OffsetFetchRequestTopics[] | null;
}

/** A OffsetFetchRequestTopics in a OffsetFetchRequest. */
export interface OffsetFetchRequestTopics extends StructData {
  /** The topic name. (versions 8+) */
  name: string;
  /** The partition indexes we would like to fetch offsets for. (versions 8+) */
  partitionIndexes: number[];
}

/** The body of a OffsetFetchResponse (all versions; see offsetFetchResponseSchema). */
export interface OffsetFetchResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 3+; ignorable) */
  throttleTimeMs: number;
  /** The responses per topic. (versions 0-7) */
  topics: OffsetFetchResponseTopic[];
  /** The top-level error code, or 0 if there was no error. (versions 2-7; default 0; ignorable) */
  errorCode: number;
  /** The responses per group id. (versions 8+) */
  groups: OffsetFetchResponseGroup[];
}

/** A OffsetFetchResponseTopic in a OffsetFetchResponse. */
export interface OffsetFetchResponseTopic extends StructData {
  /** The topic name. (versions 0-7) */
  name: string;
  /** The responses per partition (versions 0-7) */
  partitions: OffsetFetchResponsePartition[];
}

/** A OffsetFetchResponsePartition in a OffsetFetchResponse. */
export interface OffsetFetchResponsePartition extends StructData {
  /** The partition index. (versions 0-7) */
  partitionIndex: number;
  /** The committed message offset. (versions 0-7) */
  committedOffset: bigint;
  /** The leader epoch. (versions 5-7; default -1; ignorable) */
  committedLeaderEpoch: number;
  /** The partition metadata. (versions 0-7; nullable 0-7) */
  metadata: string | null;
  /** The error code, or 0 if there was no error. (versions 0-7) */
  errorCode: number;
}

/** A OffsetFetchResponseGroup in a OffsetFetchResponse. */
export interface OffsetFetchResponseGroup extends StructData {
  /** The group ID. (versions 8+) */
  groupId: string;
  /** The responses per topic. (versions 8+) */
  topics: OffsetFetchResponseTopics[];
  /** The group-level error code, or 0 if there was no error. (versions 8+; default 0) */
  errorCode: number;
}

/** A OffsetFetchResponseTopics in a OffsetFetchResponse. */
export interface OffsetFetchResponseTopics extends StructData {
  /** The topic name. (versions 8+) */
  name: string;
  /** The responses per partition (versions 8+) */
  partitions: OffsetFetchResponsePartitions[];
}

/** A OffsetFetchResponsePartitions in a OffsetFetchResponse. */
export interface OffsetFetchResponsePartitions extends StructData {
  /** The partition index. (versions 8+) */
  partitionIndex: number;
  /** The committed message offset. (versions 8+) */
  committedOffset: bigint;
  /** The leader epoch. (versions 8+; default -1; ignorable) */
  committedLeaderEpoch: number;
  /** The partition metadata. (versions 8+; nullable 8+) */
  metadata: string | null;
  /** The partition-level error code, or 0 if there was no error. (versions 8+) */
  errorCode: number;
}
