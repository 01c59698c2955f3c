// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{TxnOffsetCommitRequest.json,TxnOffsetCommitResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * TxnOffsetCommitRequest (API key 28): versions 0-4, flexible 3+.
 *
 * Version history, from the comments in Kafka's TxnOffsetCommitRequest.json:
 *   Version 1 is the same as version 0.
 *
 *   Version 2 adds the committed leader epoch.
 *
 *   Version 3 adds the member.id, group.instance.id and generation.id.
 *
 *   Version 4 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
 */
export const txnOffsetCommitRequestSchema: MessageSchema = {
  apiKey: 28,
  type: "request",
  name: "TxnOffsetCommitRequest",
  validVersions: "0-4",
  flexibleVersions: "3+",
  fields: [
    { name: "TransactionalId", property: "transactionalId", type: "string", versions: "0+" },
    { name: "GroupId", property: "groupId", type: "string", versions: "0+" },
    { name: "ProducerId", property: "producerId", type: "int64", versions: "0+" },
    { name: "ProducerEpoch", property: "producerEpoch", type: "int16", versions: "0+" },
    { name: "GenerationId", property: "generationId", type: "int32", versions: "3+", default: "-1" },
    { name: "MemberId", property: "memberId", type: "string", versions: "3+", default: "" },
    { name: "GroupInstanceId", property: "groupInstanceId", type: "string", versions: "3+", nullableVersions: "3+", default: "null" },
    { name: "Topics", property: "topics", type: "[]TxnOffsetCommitRequestTopic", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+" },
      { name: "Partitions", property: "partitions", type: "[]TxnOffsetCommitRequestPartition", versions: "0+", fields: [
        { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+" },
        { name: "CommittedOffset", property: "committedOffset", type: "int64", versions: "0+" },
        { name: "CommittedLeaderEpoch", property: "committedLeaderEpoch", type: "int32", versions: "2+", default: "-1", ignorable: true },
        { name: "CommittedMetadata", property: "committedMetadata", type: "string", versions: "0+", nullableVersions: "0+" },
      ] },
    ] },
  ],
};

/**
 * TxnOffsetCommitResponse (API key 28): versions 0-4, flexible 3+.
 *
 * Version history, from the comments in Kafka's TxnOffsetCommitResponse.json:
 *   Starting in version 1, on quota violation, brokers send out responses before throttling.
 *
 *   Version 2 is the same as version 1.
 *
 *   Version 3 adds illegal generation, fenced instance id, and unknown member id errors.
 *
 *   Version 4 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
 */
export const txnOffsetCommitResponseSchema: MessageSchema = {
  apiKey: 28,
  type: "response",
  name: "TxnOffsetCommitResponse",
  validVersions: "0-4",
  flexibleVersions: "3+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "Topics", property: "topics", type: "[]TxnOffsetCommitResponseTopic", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+" },
      { name: "Partitions", property: "partitions", type: "[]TxnOffsetCommitResponsePartition", versions: "0+", fields: [
        { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+" },
        { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
      ] },
    ] },
  ],
};

/** The body of a TxnOffsetCommitRequest (all versions; see txnOffsetCommitRequestSchema). */
export interface TxnOffsetCommitRequest extends StructData {
  /** The ID of the transaction. (versions 0+) */
  transactionalId: string;
  /** The ID of the group. (versions 0+) */
  groupId: string;
  /** The current producer ID in use by the transactional ID. (versions 0+) */
  producerId: bigint;
  /** The current epoch associated with the producer ID. (versions 0+) */
  producerEpoch: number;
  /** The generation of the consumer. (versions 3+; default -1) */
  generationId: number;
  /** The member ID assigned by the group coordinator. (versions 3+; default ) */
  memberId: string;
  /** The unique identifier of the consumer instance provided by end user. (versions 3+; nullable 3+; default null) */
  groupInstanceId: string | null;
  /** Each topic that we want to commit offsets for. (versions 0+) */
  topics: TxnOffsetCommitRequestTopic[];
}

/** A TxnOffsetCommitRequestTopic in a TxnOffsetCommitRequest. */
export interface TxnOffsetCommitRequestTopic extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** The partitions inside the topic that we want to commit offsets for. (versions 0+) */
  partitions: TxnOffsetCommitRequestPartition[];
}

/** A TxnOffsetCommitRequestPartition in a TxnOffsetCommitRequest. */
export interface TxnOffsetCommitRequestPartition extends StructData {
  /** The index of the partition within the topic. (versions 0+) */
  partitionIndex: number;
  /** The message offset to be committed. (versions 0+) */
  committedOffset: bigint;
  /** The leader epoch of the last consumed record. (versions 2+; default -1; ignorable) */
  committedLeaderEpoch: number;
  /** Any associated metadata the client wants to keep. (versions 0+; nullable 0+) */
  committedMetadata: string | null;
}

/** The body of a TxnOffsetCommitResponse (all versions; see txnOffsetCommitResponseSchema). */
export interface TxnOffsetCommitResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+) */
  throttleTimeMs: number;
  /** The responses for each topic. (versions 0+) */
  topics: TxnOffsetCommitResponseTopic[];
}

/** A TxnOffsetCommitResponseTopic in a TxnOffsetCommitResponse. */
export interface TxnOffsetCommitResponseTopic extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** The responses for each partition in the topic. (versions 0+) */
  partitions: TxnOffsetCommitResponsePartition[];
}

/** A TxnOffsetCommitResponsePartition in a TxnOffsetCommitResponse. */
export interface TxnOffsetCommitResponsePartition extends StructData {
  /** The partition index. (versions 0+) */
  partitionIndex: number;
  /** The error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
}
