// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{JoinGroupRequest.json,JoinGroupResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * JoinGroupRequest (API key 11): versions 0-9, flexible 6+, deprecated upstream 0-1.
 *
 * Version history, from the comments in Kafka's JoinGroupRequest.json:
 *   Version 1 adds RebalanceTimeoutMs.
 *
 *   Version 2 and 3 are the same as version 1.
 *
 *   Starting from version 4, the client needs to issue a second request to join group
 *
 *   Starting from version 5, we add a new field called groupInstanceId to indicate member identity across restarts.
 *   with assigned id.
 *
 *   Version 6 is the first flexible version.
 *
 *   Version 7 is the same as version 6.
 *
 *   Version 8 adds the Reason field (KIP-800).
 *
 *   Version 9 is the same as version 8.
 */
export const joinGroupRequestSchema: MessageSchema = {
  apiKey: 11,
  type: "request",
  name: "JoinGroupRequest",
  validVersions: "0-9",
  flexibleVersions: "6+",
  deprecatedVersions: "0-1",
  fields: [
    { name: "GroupId", property: "groupId", type: "string", versions: "0+" },
    { name: "SessionTimeoutMs", property: "sessionTimeoutMs", type: "int32", versions: "0+" },
    { name: "RebalanceTimeoutMs", property: "rebalanceTimeoutMs", type: "int32", versions: "1+", default: "-1", ignorable: true },
    { name: "MemberId", property: "memberId", type: "string", versions: "0+" },
    { name: "GroupInstanceId", property: "groupInstanceId", type: "string", versions: "5+", nullableVersions: "5+", default: "null" },
    { name: "ProtocolType", property: "protocolType", type: "string", versions: "0+" },
    { name: "Protocols", property: "protocols", type: "[]JoinGroupRequestProtocol", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+", mapKey: true },
      { name: "Metadata", property: "metadata", type: "bytes", versions: "0+" },
    ] },
    { name: "Reason", property: "reason", type: "string", versions: "8+", nullableVersions: "8+", default: "null", ignorable: true },
  ],
};

/**
 * JoinGroupResponse (API key 11): versions 0-9, flexible 6+.
 *
 * Version history, from the comments in Kafka's JoinGroupResponse.json:
 *   Version 1 is the same as version 0.
 *
 *   Version 2 adds throttle time.
 *
 *   Starting in version 3, on quota violation, brokers send out responses before throttling.
 *
 *   Starting in version 4, the client needs to issue a second request to join group
 *   with assigned id.
 *
 *   Version 5 is bumped to apply group.instance.id to identify member across restarts.
 *
 *   Version 6 is the first flexible version.
 *
 *   Starting from version 7, the broker sends back the Protocol Type to the client (KIP-559).
 *
 *   Version 8 is the same as version 7.
 *
 *   Version 9 adds the SkipAssignment field.
 */
export const joinGroupResponseSchema: MessageSchema = {
  apiKey: 11,
  type: "response",
  name: "JoinGroupResponse",
  validVersions: "0-9",
  flexibleVersions: "6+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "2+", ignorable: true },
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    { name: "GenerationId", property: "generationId", type: "int32", versions: "0+", default: "-1" },
    { name: "ProtocolType", property: "protocolType", type: "string", versions: "7+", nullableVersions: "7+", default: "null", ignorable: true },
    { name: "ProtocolName", property: "protocolName", type: "string", versions: "0+", nullableVersions: "7+" },
    { name: "Leader", property: "leader", type: "string", versions: "0+" },
    { name: "SkipAssignment", property: "skipAssignment", type: "bool", versions: "9+", default: "false" },
    { name: "MemberId", property: "memberId", type: "string", versions: "0+" },
    { name: "Members", property: "members", type: "[]JoinGroupResponseMember", versions: "0+", fields: [
      { name: "MemberId", property: "memberId", type: "string", versions: "0+" },
      { name: "GroupInstanceId", property: "groupInstanceId", type: "string", versions: "5+", nullableVersions: "5+", default: "null", ignorable: true },
      { name: "Metadata", property: "metadata", type: "bytes", versions: "0+" },
    ] },
  ],
};

/** The body of a JoinGroupRequest (all versions; see joinGroupRequestSchema). */
export interface JoinGroupRequest extends StructData {
  /** The group identifier. (versions 0+) */
  groupId: string;
  /** The coordinator considers the consumer dead if it receives no heartbeat after this timeout in milliseconds. (versions 0+) */
  sessionTimeoutMs: number;
  /** The maximum time in milliseconds that the coordinator will wait for each member to rejoin when rebalancing the group. (versions 1+; default -1; ignorable) */
  rebalanceTimeoutMs: number;
  /** The member id assigned by the group coordinator. (versions 0+) */
  memberId: string;
  /** The unique identifier of the consumer instance provided by end user. (versions 5+; nullable 5+; default null) */
  groupInstanceId: string | null;
  /** The unique name the for class of protocols implemented by the group we want to join. (versions 0+) */
  protocolType: string;
  /** The list of protocols that the member supports. (versions 0+) */
  protocols: JoinGroupRequestProtocol[];
  /** The reason why the member (re-)joins the group. (versions 8+; nullable 8+; default null; ignorable) */
  reason: string | null;
}

/** A JoinGroupRequestProtocol in a JoinGroupRequest. */
export interface JoinGroupRequestProtocol extends StructData {
  /** The protocol name. (versions 0+) */
  name: string;
  /** The protocol metadata. (versions 0+) */
  metadata: Buffer;
}

/** The body of a JoinGroupResponse (all versions; see joinGroupResponseSchema). */
export interface JoinGroupResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 2+; ignorable) */
  throttleTimeMs: number;
  /** The error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
  /** The generation ID of the group. (versions 0+; default -1) */
  generationId: number;
  /** The group protocol name. (versions 7+; nullable 7+; default null; ignorable) */
  protocolType: string | null;
  /** The group protocol selected by the coordinator. (versions 0+; nullable 7+) */
  protocolName: string | null;
  /** The leader of the group. (versions 0+) */
  leader: string;
  /** True if the leader must skip running the assignment. (versions 9+; default false) */
  skipAssignment: boolean;
  /** The member ID assigned by the group coordinator. (versions 0+) */
  memberId: string;
  /** (versions 0+) */
  members: JoinGroupResponseMember[];
}

/** A JoinGroupResponseMember in a JoinGroupResponse. */
export interface JoinGroupResponseMember extends StructData {
  /** The group member ID. (versions 0+) */
  memberId: string;
  /** The unique identifier of the consumer instance provided by end user. (versions 5+; nullable 5+; default null; ignorable) */
  groupInstanceId: string | null;
  /** The group member metadata. (versions 0+) */
  metadata: Buffer;
}
