// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{OffsetCommitRequest.json,OffsetCommitResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * OffsetCommitRequest (API key 8): versions 0-9, flexible 8+, deprecated upstream 0-1.
 *
 * Version history, from the comments in Kafka's OffsetCommitRequest.json:
 *   Version 1 adds timestamp and group membership information, as well as the commit timestamp.
 *
 *   Version 2 adds retention time.  It removes the commit timestamp added in version 1.
 *
 *   Version 3 and 4 are the same as version 2.
 *
 *   Version 5 removes the retention time, which is now controlled only by a broker configuration.
 *
 *   Version 6 adds the leader epoch for fencing.
 *
 *   version 7 adds a new field called groupInstanceId to indicate member identity across restarts.
 *
 *   Version 8 is the first flexible version.
 *
 *   Version 9 is the first version that can be used with the new consumer group protocol (KIP-848). The
 *   request is the same as version 8.
 */
export const offsetCommitRequestSchema: MessageSchema = {
  apiKey: 8,
  type: "request",
  name: "OffsetCommitRequest",
  validVersions: "0-9",
  flexibleVersions: "8+",
  deprecatedVersions: "0-1",
  fields: [
    { name: "GroupId", property: "groupId", type: "string", versions: "0+" },
    { name: "GenerationIdOrMemberEpoch", property: "generationIdOrMemberEpoch", type: "int32", versions: "1+", default: "-1", ignorable: true },
    { name: "MemberId", property: "memberId", type: "string", versions: "1+", ignorable: true },
    { name: "GroupInstanceId", property: "groupInstanceId", type: "string", versions: "7+", nullableVersions: "7+", default: "null" },
    { name: "RetentionTimeMs", property: "retentionTimeMs", type: "int64", versions: "2-4", default: "-1", ignorable: true },
    { name: "Topics", property: "topics", type: "[]OffsetCommitRequestTopic", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+" },
      { name: "Partitions", property: "partitions", type: "[]OffsetCommitRequestPartition", versions: "0+", fields: [
        { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+" },
        { name: "CommittedOffset", property: "committedOffset", type: "int64", versions: "0+" },
        { name: "CommittedLeaderEpoch", property: "committedLeaderEpoch", type: "int32", versions: "6+", default: "-1", ignorable: true },
        { name: "CommitTimestamp", property: "commitTimestamp", type: "int64", versions: "1", default: "-1" },
        { name: "CommittedMetadata", property: "committedMetadata", type: "string", versions: "0+", nullableVersions: "0+" },
      ] },
    ] },
  ],
};

/**
 * OffsetCommitResponse (API key 8): versions 0-9, flexible 8+.
 *
 * Version history, from the comments in Kafka's OffsetCommitResponse.json:
 *   Versions 1 and 2 are the same as version 0.
 *
 *   Version 3 adds the throttle time to the response.
 *
 *   Starting in version 4, on quota violation, brokers send out responses before throttling.
 *
 *   Versions 5 and 6 are the same as version 4.
 *
 *   Version 7 offsetCommitRequest supports a new field called groupInstanceId to indicate member identity across restarts.
 *
 *   Version 8 is the first flexible version.
 *
 *   Version 9 is the first version that can be used with the new consumer group protocol (KIP-848). The response is
 *   the same as version 8 but can return STALE_MEMBER_EPOCH when the new consumer group protocol is used and
 *   GROUP_ID_NOT_FOUND when the group does not exist for both protocols.
 *   Supported errors:
 *   - GROUP_AUTHORIZATION_FAILED (version 0+)
 *   - NOT_COORDINATOR (version 0+)
 *   - COORDINATOR_NOT_AVAILABLE (version 0+)
 *   - COORDINATOR_LOAD_IN_PROGRESS (version 0+)
 *   - ILLEGAL_GENERATION (version 1+)
 *   - UNKNOWN_MEMBER_ID (version 1+)
 *   - INVALID_COMMIT_OFFSET_SIZE (version 0+)
 *   - FENCED_MEMBER_EPOCH (version 7+)
 *   - GROUP_ID_NOT_FOUND (version 9+)
 *   - STALE_MEMBER_EPOCH (version 9+)
 */
export const offsetCommitResponseSchema: MessageSchema = {
  apiKey: 8,
  type: "response",
  name: "OffsetCommitResponse",
  validVersions: "0-9",
  flexibleVersions: "8+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "3+", ignorable: true },
    { name: "Topics", property: "topics", type: "[]OffsetCommitResponseTopic", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+" },
      { name: "Partitions", property: "partitions", type: "[]OffsetCommitResponsePartition", versions: "0+", fields: [
        { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+" },
        { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
      ] },
    ] },
  ],
};

/** The body of a OffsetCommitRequest (all versions; see offsetCommitRequestSchema). */
export interface OffsetCommitRequest extends StructData {
  /** The unique group identifier. (versions 0+) */
  groupId: string;
  /** The generation of the group if using the classic group protocol or the member epoch if using the consumer protocol. (versions 1+; default -1; ignorable) */
  generationIdOrMemberEpoch: number;
  /** The member ID assigned by the group coordinator. (versions 1+; ignorable) */
  memberId: string;
  /** The unique identifier of the consumer instance provided by end user. (versions 7+; nullable 7+; default null) */
  groupInstanceId: string | null;
  /** The time period in ms to retain the offset. (versions 2-4; default -1; ignorable) */
  retentionTimeMs: bigint;
  /** The topics to commit offsets for. (versions 0+) */
  topics: OffsetCommitRequestTopic[];
}

/** A OffsetCommitRequestTopic in a OffsetCommitRequest. */
export interface OffsetCommitRequestTopic extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** Each partition to commit offsets for. (versions 0+) */
  partitions: OffsetCommitRequestPartition[];
}

/** A OffsetCommitRequestPartition in a OffsetCommitRequest. */
export interface OffsetCommitRequestPartition extends StructData {
  /** The partition index. (versions 0+) */
  partitionIndex: number;
  /** The message offset to be committed. (versions 0+) */
  committedOffset: bigint;
  /** The leader epoch of this partition. (versions 6+; default -1; ignorable) */
  committedLeaderEpoch: number;
  /** The timestamp of the commit. (versions 1; default -1) */
  commitTimestamp: bigint;
  /** Any associated metadata the client wants to keep. (versions 0+; nullable 0+) */
  committedMetadata: string | null;
}

/** The body of a OffsetCommitResponse (all versions; see offsetCommitResponseSchema). */
export interface OffsetCommitResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 3+; ignorable) */
  throttleTimeMs: number;
  /** The responses for each topic. (versions 0+) */
  topics: OffsetCommitResponseTopic[];
}

/** A OffsetCommitResponseTopic in a OffsetCommitResponse. */
export interface OffsetCommitResponseTopic extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** The responses for each partition in the topic. (versions 0+) */
  partitions: OffsetCommitResponsePartition[];
}

/** A OffsetCommitResponsePartition in a OffsetCommitResponse. */
export interface OffsetCommitResponsePartition extends StructData {
  /** The partition index. (versions 0+) */
  partitionIndex: number;
  /** The error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
}
