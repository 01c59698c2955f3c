// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{SyncGroupRequest.json,SyncGroupResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * SyncGroupRequest (API key 14): versions 0-5, flexible 4+.
 *
 * Version history, from the comments in Kafka's SyncGroupRequest.json:
 *   Versions 1 and 2 are the same as version 0.
 *
 *   Starting from version 3, we add a new field called groupInstanceId to indicate member identity across restarts.
 *
 *   Version 4 is the first flexible version.
 *
 *   Starting from version 5, the client sends the Protocol Type and the Protocol Name
 *   to the broker (KIP-559). The broker will reject the request if they are inconsistent
 *   with the Type and Name known by the broker.
 */
export const syncGroupRequestSchema: MessageSchema = {
  apiKey: 14,
  type: "request",
  name: "SyncGroupRequest",
  validVersions: "0-5",
  flexibleVersions: "4+",
  fields: [
    { name: "GroupId", property: "groupId", type: "string", versions: "0+" },
    { name: "GenerationId", property: "generationId", type: "int32", versions: "0+" },
    { name: "MemberId", property: "memberId", type: "string", versions: "0+" },
    { name: "GroupInstanceId", property: "groupInstanceId", type: "string", versions: "3+", nullableVersions: "3+", default: "null" },
    { name: "ProtocolType", property: "protocolType", type: "string", versions: "5+", nullableVersions: "5+", default: "null", ignorable: true },
    { name: "ProtocolName", property: "protocolName", type: "string", versions: "5+", nullableVersions: "5+", default: "null", ignorable: true },
    { name: "Assignments", property: "assignments", type: "[]SyncGroupRequestAssignment", versions: "0+", fields: [
      { name: "MemberId", property: "memberId", type: "string", versions: "0+" },
      { name: "Assignment", property: "assignment", type: "bytes", versions: "0+" },
    ] },
  ],
};

/**
 * SyncGroupResponse (API key 14): versions 0-5, flexible 4+.
 *
 * Version history, from the comments in Kafka's SyncGroupResponse.json:
 *   Version 1 adds throttle time.
 *
 *   Starting in version 2, on quota violation, brokers send out responses before throttling.
 *
 *   Starting from version 3, syncGroupRequest supports a new field called groupInstanceId to indicate member identity across restarts.
 *
 *   Version 4 is the first flexible version.
 *
 *   Starting from version 5, the broker sends back the Protocol Type and the Protocol Name
 *   to the client (KIP-559).
 */
export const syncGroupResponseSchema: MessageSchema = {
  apiKey: 14,
  type: "response",
  name: "SyncGroupResponse",
  validVersions: "0-5",
  flexibleVersions: "4+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "1+", ignorable: true },
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    { name: "ProtocolType", property: "protocolType", type: "string", versions: "5+", nullableVersions: "5+", default: "null", ignorable: true },
    { name: "ProtocolName", property: "protocolName", type: "string", versions: "5+", nullableVersions: "5+", default: "null", ignorable: true },
    { name: "Assignment", property: "assignment", type: "bytes", versions: "0+" },
  ],
};

/** The body of a SyncGroupRequest (all versions; see syncGroupRequestSchema). */
export interface SyncGroupRequest extends StructData {
  /** The unique group identifier. (versions 0+) */
  groupId: string;
  /** The generation of the group. (versions 0+) */
  generationId: number;
  /** The member ID assigned by the group. (versions 0+) */
  memberId: string;
  /** The unique identifier of the consumer instance provided by end user. (versions 3+; nullable 3+; default null) */
  groupInstanceId: string | null;
  /** The group protocol type. (versions 5+; nullable 5+; default null; ignorable) */
  protocolType: string | null;
  /** The group protocol name. (versions 5+; nullable 5+; default null; ignorable) */
  protocolName: string | null;
  /** Each assignment. (versions 0+) */
  assignments: SyncGroupRequestAssignment[];
}

/** A SyncGroupRequestAssignment in a SyncGroupRequest. */
export interface SyncGroupRequestAssignment extends StructData {
  /** The ID of the member to assign. (versions 0+) */
  memberId: string;
  /** The member assignment. (versions 0+) */
  assignment: Buffer;
}

/** The body of a SyncGroupResponse (all versions; see syncGroupResponseSchema). */
export interface SyncGroupResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 1+; ignorable) */
  throttleTimeMs: number;
  /** The error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
  /** The group protocol type. (versions 5+; nullable 5+; default null; ignorable) */
  protocolType: string | null;
  /** The group protocol name. (versions 5+; nullable 5+; default null; ignorable) */
  protocolName: string | null;
  /** The member assignment. (versions 0+) */
  assignment: Buffer;
}
