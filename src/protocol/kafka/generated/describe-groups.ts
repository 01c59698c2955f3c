// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{DescribeGroupsRequest.json,DescribeGroupsResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * DescribeGroupsRequest (API key 15): versions 0-5, flexible 5+.
 *
 * Version history, from the comments in Kafka's DescribeGroupsRequest.json:
 *   Versions 1 and 2 are the same as version 0.
 *
 *   Starting in version 3, authorized operations can be requested.
 *
 *   Starting in version 4, the response will include group.instance.id info for members.
 *
 *   Version 5 is the first flexible version.
 */
export const describeGroupsRequestSchema: MessageSchema = {
  apiKey: 15,
  type: "request",
  name: "DescribeGroupsRequest",
  validVersions: "0-5",
  flexibleVersions: "5+",
  fields: [
    { name: "Groups", property: "groups", type: "[]string", versions: "0+" },
    { name: "IncludeAuthorizedOperations", property: "includeAuthorizedOperations", type: "bool", versions: "3+" },
  ],
};

/**
 * DescribeGroupsResponse (API key 15): versions 0-5, flexible 5+.
 *
 * Version history, from the comments in Kafka's DescribeGroupsResponse.json:
 *   Version 1 added throttle time.
 *
 *   Starting in version 2, on quota violation, brokers send out responses before throttling.
 *
 *   Starting in version 3, brokers can send authorized operations.
 *
 *   Starting in version 4, the response will optionally include group.instance.id info for members.
 *
 *   Version 5 is the first flexible version.
 */
export const describeGroupsResponseSchema: MessageSchema = {
  apiKey: 15,
  type: "response",
  name: "DescribeGroupsResponse",
  validVersions: "0-5",
  flexibleVersions: "5+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "1+", ignorable: true },
    { name: "Groups", property: "groups", type: "[]DescribedGroup", versions: "0+", fields: [
      { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
      { name: "GroupId", property: "groupId", type: "string", versions: "0+" },
      { name: "GroupState", property: "groupState", type: "string", versions: "0+" },
      { name: "ProtocolType", property: "protocolType", type: "string", versions: "0+" },
      { name: "ProtocolData", property: "protocolData", type: "string", versions: "0+" },
      { name: "Members", property: "members", type: "[]DescribedGroupMember", versions: "0+", fields: [
        { name: "MemberId", property: "memberId", type: "string", versions: "0+" },
        { name: "GroupInstanceId", property: "groupInstanceId", type: "string", versions: "4+", nullableVersions: "4+", default: "null", ignorable: true },
        { name: "ClientId", property: "clientId", type: "string", versions: "0+" },
        { name: "ClientHost", property: "clientHost", type: "string", versions: "0+" },
        { name: "MemberMetadata", property: "memberMetadata", type: "bytes", versions: "0+" },
        { name: "MemberAssignment", property: "memberAssignment", type: "bytes", versions: "0+" },
      ] },
      { name: "AuthorizedOperations", property: "authorizedOperations", type: "int32", versions: "3+", default: "-2147483648" },
    ] },
  ],
};

/** The body of a DescribeGroupsRequest (all versions; see describeGroupsRequestSchema). */
export interface DescribeGroupsRequest extends StructData {
  /** The names of the groups to describe (versions 0+) */
  groups: string[];
  /** Whether to include authorized operations. (versions 3+) */
  includeAuthorizedOperations: boolean;
}

/** The body of a DescribeGroupsResponse (all versions; see describeGroupsResponseSchema). */
export interface DescribeGroupsResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 1+; ignorable) */
  throttleTimeMs: number;
  /** Each described group. (versions 0+) */
  groups: DescribedGroup[];
}

/** A DescribedGroup in a DescribeGroupsResponse. */
export interface DescribedGroup extends StructData {
  /** The describe error, or 0 if there was no error. (versions 0+) */
  errorCode: number;
  /** The group ID string. (versions 0+) */
  groupId: string;
  /** The group state string, or the empty string. (versions 0+) */
  groupState: string;
  /** The group protocol type, or the empty string. (versions 0+) */
  protocolType: string;
  /** The group protocol data, or the empty string. (versions 0+) */
  protocolData: string;
  /** The group members. (versions 0+) */
  members: DescribedGroupMember[];
  /** 32-bit bitfield to represent authorized operations for this group. (versions 3+; default -2147483648) */
  authorizedOperations: number;
}

/** A DescribedGroupMember in a DescribeGroupsResponse. */
export interface DescribedGroupMember extends StructData {
  /** The member ID assigned by the group coordinator. (versions 0+) */
  memberId: string;
  /** The unique identifier of the consumer instance provided by end user. (versions 4+; nullable 4+; default null; ignorable) */
  groupInstanceId: string | null;
  /** The client ID used in the member's latest join group request. (versions 0+) */
  clientId: string;
  /** The client host. (versions 0+) */
  clientHost: string;
  /** The metadata corresponding to the current group protocol in use. (versions 0+) */
  memberMetadata: Buffer;
  /** The current assignment provided by the group leader. (versions 0+) */
  memberAssignment: Buffer;
}
