// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{DeleteGroupsRequest.json,DeleteGroupsResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * DeleteGroupsRequest (API key 42): versions 0-2, flexible 2+, deprecated upstream 0.
 *
 * Version history, from the comments in Kafka's DeleteGroupsRequest.json:
 *   Version 1 is the same as version 0.
 *
 *   Version 2 is the first flexible version.
 */
export const deleteGroupsRequestSchema: MessageSchema = {
  apiKey: 42,
  type: "request",
  name: "DeleteGroupsRequest",
  validVersions: "0-2",
  flexibleVersions: "2+",
  deprecatedVersions: "0",
  fields: [
    { name: "GroupsNames", property: "groupsNames", type: "[]string", versions: "0+" },
  ],
};

/**
 * DeleteGroupsResponse (API key 42): versions 0-2, flexible 2+.
 *
 * Version history, from the comments in Kafka's DeleteGroupsResponse.json:
 *   Starting in version 1, on quota violation, brokers send out responses before throttling.
 *
 *   Version 2 is the first flexible version.
 */
export const deleteGroupsResponseSchema: MessageSchema = {
  apiKey: 42,
  type: "response",
  name: "DeleteGroupsResponse",
  validVersions: "0-2",
  flexibleVersions: "2+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "Results", property: "results", type: "[]DeletableGroupResult", versions: "0+", fields: [
      { name: "GroupId", property: "groupId", type: "string", versions: "0+", mapKey: true },
      { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    ] },
  ],
};

/** The body of a DeleteGroupsRequest (all versions; see deleteGroupsRequestSchema). */
export interface DeleteGroupsRequest extends StructData {
  /** The group names to delete. (versions 0+) */
  groupsNames: string[];
}

/** The body of a DeleteGroupsResponse (all versions; see deleteGroupsResponseSchema). */
export interface DeleteGroupsResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+) */
  throttleTimeMs: number;
  /** The deletion results (versions 0+) */
  results: DeletableGroupResult[];
}

/** A DeletableGroupResult in a DeleteGroupsResponse. */
export interface DeletableGroupResult extends StructData {
  /** The group id (versions 0+) */
  groupId: string;
  /** The deletion error, or 0 if the deletion succeeded. (versions 0+) */
  errorCode: number;
}
