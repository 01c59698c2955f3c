// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{ControlledShutdownRequest.json,ControlledShutdownResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * ControlledShutdownRequest (API key 7): versions 0-3, flexible 3+.
 *
 * Version history, from the comments in Kafka's ControlledShutdownRequest.json:
 *   Version 0 of ControlledShutdownRequest has a non-standard request header
 *   which does not include clientId.  Version 1 and later use the standard
 *   request header.
 *
 *   Version 1 is the same as version 0.
 *
 *   Version 2 adds BrokerEpoch.
 */
export const controlledShutdownRequestSchema: MessageSchema = {
  apiKey: 7,
  type: "request",
  name: "ControlledShutdownRequest",
  validVersions: "0-3",
  flexibleVersions: "3+",
  fields: [
    { name: "BrokerId", property: "brokerId", type: "int32", versions: "0+" },
    { name: "BrokerEpoch", property: "brokerEpoch", type: "int64", versions: "2+", default: "-1", ignorable: true },
  ],
};

/**
 * ControlledShutdownResponse (API key 7): versions 0-3, flexible 3+.
 *
 * Version history, from the comments in Kafka's ControlledShutdownResponse.json:
 *   Versions 1 and 2 are the same as version 0.
 */
export const controlledShutdownResponseSchema: MessageSchema = {
  apiKey: 7,
  type: "response",
  name: "ControlledShutdownResponse",
  validVersions: "0-3",
  flexibleVersions: "3+",
  fields: [
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    { name: "RemainingPartitions", property: "remainingPartitions", type: "[]RemainingPartition", versions: "0+", fields: [
      { name: "TopicName", property: "topicName", type: "string", versions: "0+", mapKey: true },
      { name: "PartitionIndex", property: "partitionIndex", type: "int32", versions: "0+", mapKey: true },
    ] },
  ],
};

/** The body of a ControlledShutdownRequest (all versions; see controlledShutdownRequestSchema). */
export interface ControlledShutdownRequest extends StructData {
  /** The id of the broker for which controlled shutdown has been requested. (versions 0+) */
  brokerId: number;
  /** The broker epoch. (versions 2+; default -1; ignorable) */
  brokerEpoch: bigint;
}

/** The body of a ControlledShutdownResponse (all versions; see controlledShutdownResponseSchema). */
export interface ControlledShutdownResponse extends StructData {
  /** The top-level error code. (versions 0+) */
  errorCode: number;
  /** The partitions that the broker still leads. (versions 0+) */
  remainingPartitions: RemainingPartition[];
}

/** A RemainingPartition in a ControlledShutdownResponse. */
export interface RemainingPartition extends StructData {
  /** The name of the topic. (versions 0+) */
  topicName: string;
  /** The index of the partition. (versions 0+) */
  partitionIndex: number;
}
