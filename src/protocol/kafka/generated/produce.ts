// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{ProduceRequest.json,ProduceResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * ProduceRequest (API key 0): versions 0-11, flexible 9+, deprecated upstream 0-6.
 *
 * Version history, from the comments in Kafka's ProduceRequest.json:
 *   Version 1 and 2 are the same as version 0.
 *
 *   Version 3 adds the transactional ID, which is used for authorization when attempting to write
 *   transactional data.  Version 3 also adds support for Kafka Message Format v2.
 *
 *   Version 4 is the same as version 3, but the requester must be prepared to handle a
 *   KAFKA_STORAGE_ERROR.
 *
 *   Version 5 and 6 are the same as version 3.
 *
 *   Starting in version 7, records can be produced using ZStandard compression.  See KIP-110.
 *
 *   Starting in Version 8, response has RecordErrors and ErrorMessage. See KIP-467.
 *
 *   Version 9 enables flexible versions.
 *
 *   Version 10 is the same as version 9 (KIP-951).
 *
 *   Version 11 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
 */
export const produceRequestSchema: MessageSchema = {
  apiKey: 0,
  type: "request",
  name: "ProduceRequest",
  validVersions: "0-11",
  flexibleVersions: "9+",
  deprecatedVersions: "0-6",
  fields: [
    { name: "TransactionalId", property: "transactionalId", type: "string", versions: "3+", nullableVersions: "3+", default: "null" },
    { name: "Acks", property: "acks", type: "int16", versions: "0+" },
    { name: "TimeoutMs", property: "timeoutMs", type: "int32", versions: "0+" },
    { name: "TopicData", property: "topicData", type: "[]TopicProduceData", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+", mapKey: true },
      { name: "PartitionData", property: "partitionData", type: "[]PartitionProduceData", versions: "0+", fields: [
        { name: "Index", property: "index", type: "int32", versions: "0+" },
        { name: "Records", property: "records", type: "records", versions: "0+", nullableVersions: "0+" },
      ] },
    ] },
  ],
};

/**
 * ProduceResponse (API key 0): versions 0-11, flexible 9+.
 *
 * Version history, from the comments in Kafka's ProduceResponse.json:
 *   Version 1 added the throttle time.
 *
 *   Version 2 added the log append time.
 *
 *   Version 3 is the same as version 2.
 *
 *   Version 4 added KAFKA_STORAGE_ERROR as a possible error code.
 *
 *   Version 5 added LogStartOffset to filter out spurious
 *   OutOfOrderSequenceExceptions on the client.
 *
 *   Version 8 added RecordErrors and ErrorMessage to include information about
 *   records that cause the whole batch to be dropped.  See KIP-467 for details.
 *
 *   Version 9 enables flexible versions.
 *
 *   Version 10 adds 'CurrentLeader' and 'NodeEndpoints' as tagged fields (KIP-951)
 *
 *   Version 11 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
 */
export const produceResponseSchema: MessageSchema = {
  apiKey: 0,
  type: "response",
  name: "ProduceResponse",
  validVersions: "0-11",
  flexibleVersions: "9+",
  fields: [
    { name: "Responses", property: "responses", type: "[]TopicProduceResponse", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+", mapKey: true },
      { name: "PartitionResponses", property: "partitionResponses", type: "[]PartitionProduceResponse", versions: "0+", fields: [
        { name: "Index", property: "index", type: "int32", versions: "0+" },
        { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
        { name: "BaseOffset", property: "baseOffset", type: "int64", versions: "0+" },
        { name: "LogAppendTimeMs", property: "logAppendTimeMs", type: "int64", versions: "2+", default: "-1", ignorable: true },
        { name: "LogStartOffset", property: "logStartOffset", type: "int64", versions: "5+", default: "-1", ignorable: true },
        { name: "RecordErrors", property: "recordErrors", type: "[]BatchIndexAndErrorMessage", versions: "8+", ignorable: true, fields: [
          { name: "BatchIndex", property: "batchIndex", type: "int32", versions: "8+" },
          { name: "BatchIndexErrorMessage", property: "batchIndexErrorMessage", type: "string", versions: "8+", nullableVersions: "8+", default: "null" },
        ] },
        { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "8+", nullableVersions: "8+", default: "null", ignorable: true },
        { name: "CurrentLeader", property: "currentLeader", type: "LeaderIdAndEpoch", versions: "10+", taggedVersions: "10+", tag: 0, fields: [
          { name: "LeaderId", property: "leaderId", type: "int32", versions: "10+", default: "-1" },
          { name: "LeaderEpoch", property: "leaderEpoch", type: "int32", versions: "10+", default: "-1" },
        ] },
      ] },
    ] },
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "1+", default: "0", ignorable: true },
    { name: "NodeEndpoints", property: "nodeEndpoints", type: "[]NodeEndpoint", versions: "10+", taggedVersions: "10+", tag: 0, fields: [
      { name: "NodeId", property: "nodeId", type: "int32", versions: "10+", mapKey: true },
      { name: "Host", property: "host", type: "string", versions: "10+" },
      { name: "Port", property: "port", type: "int32", versions: "10+" },
      { name: "Rack", property: "rack", type: "string", versions: "10+", nullableVersions: "10+", default: "null" },
    ] },
  ],
};

/** The body of a ProduceRequest (all versions; see produceRequestSchema). */
export interface ProduceRequest extends StructData {
  /** The transactional ID, or null if the producer is not transactional. (versions 3+; nullable 3+; default null) */
  transactionalId: string | null;
  /** The number of acknowledgments the producer requires the leader to have received before considering a request complete. Allowed values: 0 for no acknowledgments, 1 for only the leader and -1 for the full ISR. (versions 0+) */
  acks: number;
  /** The timeout to await a response in milliseconds. (versions 0+) */
  timeoutMs: number;
  /** Each topic to produce to. (versions 0+) */
  topicData: TopicProduceData[];
}

/** A TopicProduceData in a ProduceRequest. */
export interface TopicProduceData extends StructData {
  /** The topic name. (versions 0+) */
  name: string;
  /** Each partition to produce to. (versions 0+) */
  partitionData: PartitionProduceData[];
}

/** A PartitionProduceData in a ProduceRequest. */
export interface PartitionProduceData extends StructData {
  /** The partition index. (versions 0+) */
  index: number;
  /** The record data to be produced. (versions 0+; nullable 0+) */
  records: Buffer | null;
}

/** The body of a ProduceResponse (all versions; see produceResponseSchema). */
export interface ProduceResponse extends StructData {
  /** Each produce response (versions 0+) */
  responses: TopicProduceResponse[];
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 1+; default 0; ignorable) */
  throttleTimeMs: number;
  /** Endpoints for all current-leaders enumerated in PartitionProduceResponses, with errors NOT_LEADER_OR_FOLLOWER. (versions 10+; tagged 10+ (tag 0)) */
  nodeEndpoints: NodeEndpoint[];
}

/** A TopicProduceResponse in a ProduceResponse. */
export interface TopicProduceResponse extends StructData {
  /** The topic name (versions 0+) */
  name: string;
  /** Each partition that we produced to within the topic. (versions 0+) */
  partitionResponses: PartitionProduceResponse[];
}

/** A PartitionProduceResponse in a ProduceResponse. */
export interface PartitionProduceResponse extends StructData {
  /** The partition index. (versions 0+) */
  index: number;
  /** The error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
  /** The base offset. (versions 0+) */
  baseOffset: bigint;
  /** The timestamp returned by broker after appending the messages. If CreateTime is used for the topic, the timestamp will be -1.  If LogAppendTime is used for the topic, the timestamp will be the broker local time when the messages are appended. (versions 2+; default -1; ignorable) */
  logAppendTimeMs: bigint;
  /** The log start offset. (versions 5+; default -1; ignorable) */
  logStartOffset: bigint;
  /** The batch indices of records that caused the batch to be dropped (versions 8+; ignorable) */
  recordErrors: BatchIndexAndErrorMessage[];
  /** The global error message summarizing the common root cause of the records that caused the batch to be dropped (versions 8+; nullable 8+; default null; ignorable) */
  errorMessage: string | null;
  /** (versions 10+; tagged 10+ (tag 0)) */
  currentLeader: LeaderIdAndEpoch;
}

/** A BatchIndexAndErrorMessage in a ProduceResponse. */
export interface BatchIndexAndErrorMessage extends StructData {
  /** The batch index of the record that cause the batch to be dropped (versions 8+) */
  batchIndex: number;
  /** The error message of the record that caused the batch to be dropped (versions 8+; nullable 8+; default null) */
  batchIndexErrorMessage: string | null;
}

/** A LeaderIdAndEpoch in a ProduceResponse. */
export interface LeaderIdAndEpoch extends StructData {
  /** The ID of the current leader or -1 if the leader is unknown. (versions 10+; default -1) */
  leaderId: number;
  /** The latest known leader epoch (versions 10+; default -1) */
  leaderEpoch: number;
}

/** A NodeEndpoint in a ProduceResponse. */
export interface NodeEndpoint extends StructData {
  /** The ID of the associated node. (versions 10+) */
  nodeId: number;
  /** The node's hostname. (versions 10+) */
  host: string;
  /** The node's port. (versions 10+) */
  port: number;
  /** The rack of the node, or null if it has not been assigned to a rack. (versions 10+; nullable 10+; default null) */
  rack: string | null;
}
