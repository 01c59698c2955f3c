// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{LeaveGroupRequest.json,LeaveGroupResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * LeaveGroupRequest (API key 13): versions 0-5, flexible 4+.
 *
 * Version history, from the comments in Kafka's LeaveGroupRequest.json:
 *   Version 1 and 2 are the same as version 0.
 *
 *   Version 3 defines batch processing scheme with group.instance.id + member.id for identity
 *
 *   Version 4 is the first flexible version.
 *
 *   Version 5 adds the Reason field (KIP-800).
 */
export const leaveGroupRequestSchema: MessageSchema = {
  apiKey: 13,
  type: "request",
  name: "LeaveGroupRequest",
  validVersions: "0-5",
  flexibleVersions: "4+",
  fields: [
    { name: "GroupId", property: "groupId", type: "string", versions: "0+" },
    { name: "MemberId", property: "memberId", type: "string", versions: "0-2" },
    { name: "Members", property: "members", type: "[]MemberIdentity", versions: "3+", fields: [
      { name: "MemberId", property: "memberId", type: "string", versions: "3+" },
      { name: "GroupInstanceId", property: "groupInstanceId", type: "string", versions: "3+", nullableVersions: "3+", default: "null" },
      { name: "Reason", property: "reason", type: "string", versions: "5+", nullableVersions: "5+", default: "null", ignorable: true },
    ] },
  ],
};

/**
 * LeaveGroupResponse (API key 13): versions 0-5, flexible 4+.
 *
 * Version history, from the comments in Kafka's LeaveGroupResponse.json:
 *   Version 1 adds the throttle time.
 *
 *   Starting in version 2, on quota violation, brokers send out responses before throttling.
 *
 *   Starting in version 3, we will make leave group request into batch mode and add group.instance.id.
 *
 *   Version 4 is the first flexible version.
 *
 *   Version 5 is the same as version 4.
 */
export const leaveGroupResponseSchema: MessageSchema = {
  apiKey: 13,
  type: "response",
  name: "LeaveGroupResponse",
  validVersions: "0-5",
  flexibleVersions: "4+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "1+", ignorable: true },
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    { name: "Members", property: "members", type: "[]MemberResponse", versions: "3+", fields: [
      { name: "MemberId", property: "memberId", type: "string", versions: "3+" },
      { name: "GroupInstanceId", property: "groupInstanceId", type: "string", versions: "3+", nullableVersions: "3+" },
      { name: "ErrorCode", property: "errorCode", type: "int16", versions: "3+" },
    ] },
  ],
};

/** The body of a LeaveGroupRequest (all versions; see leaveGroupRequestSchema). */
export interface LeaveGroupRequest extends StructData {
  /** The ID of the group to leave. (versions 0+) */
  groupId: string;
  /** The member ID to remove from the group. (versions 0-2) */
  memberId: string;
  /** List of leaving member identities. (versions 3+) */
  members: MemberIdentity[];
}

/** A MemberIdentity in a LeaveGroupRequest. */
export interface MemberIdentity extends StructData {
  /** The member ID to remove from the group. (versions 3+) */
  memberId: string;
  /** The group instance ID to remove from the group. (versions 3+; nullable 3+; default null) */
  groupInstanceId: string | null;
  /** The reason why the member left the group. (versions 5+; nullable 5+; default null; ignorable) */
  reason: string | null;
}

/** The body of a LeaveGroupResponse (all versions; see leaveGroupResponseSchema). */
export interface LeaveGroupResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 1+; ignorable) */
  throttleTimeMs: number;
  /** The error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
  /** List of leaving member responses. (versions 3+) */
  members: MemberResponse[];
}

/** A MemberResponse in a LeaveGroupResponse. */
export interface MemberResponse extends StructData {
  /** The member ID to remove from the group. (versions 3+) */
  memberId: string;
  /** The group instance ID to remove from the group. (versions 3+; nullable 3+) */
  groupInstanceId: string | null;
  /** The error code, or 0 if there was no error. (versions 3+) */
  errorCode: number;
}
