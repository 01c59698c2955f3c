// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{ListGroupsRequest.json,ListGroupsResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * ListGroupsRequest (API key 16): versions 0-5, flexible 3+.
 *
 * Version history, from the comments in Kafka's ListGroupsRequest.json:
 *   Version 1 and 2 are the same as version 0.
 *
 *   Version 3 is the first flexible version.
 *
 *   Version 4 adds the StatesFilter field (KIP-518).
 *
 *   Version 5 adds the TypesFilter field (KIP-848).
 */
export const listGroupsRequestSchema: MessageSchema = {
  apiKey: 16,
  type: "request",
  name: "ListGroupsRequest",
  validVersions: "0-5",
  flexibleVersions: "3+",
  fields: [
    { name: "StatesFilter", property: "statesFilter", type: "[]string", versions: "4+" },
    { name: "TypesFilter", property: "typesFilter", type: "[]string", versions: "5+" },
  ],
};

/**
 * ListGroupsResponse (API key 16): versions 0-5, flexible 3+.
 *
 * Version history, from the comments in Kafka's ListGroupsResponse.json:
 *   Version 1 adds the throttle time.
 *
 *   Starting in version 2, on quota violation, brokers send out
 *   responses before throttling.
 *
 *   Version 3 is the first flexible version.
 *
 *   Version 4 adds the GroupState field (KIP-518).
 *
 *   Version 5 adds the GroupType field (KIP-848).
 */
export const listGroupsResponseSchema: MessageSchema = {
  apiKey: 16,
  type: "response",
  name: "ListGroupsResponse",
  validVersions: "0-5",
  flexibleVersions: "3+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "1+", ignorable: true },
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    { name: "Groups", property: "groups", type: "[]ListedGroup", versions: "0+", fields: [
      { name: "GroupId", property: "groupId", type: "string", versions: "0+" },
      { name: "ProtocolType", property: "protocolType", type: "string", versions: "0+" },
      { name: "GroupState", property: "groupState", type: "string", versions: "4+", ignorable: true },
      { name: "GroupType", property: "groupType", type: "string", versions: "5+", ignorable: true },
    ] },
  ],
};

/** The body of a ListGroupsRequest (all versions; see listGroupsRequestSchema). */
export interface ListGroupsRequest extends StructData {
  /** The states of the groups we want to list. If empty, all groups are returned with their state. (versions 4+) */
  statesFilter: string[];
  /** The types of the groups we want to list. If empty, all groups are returned with their type. (versions 5+) */
  typesFilter: string[];
}

/** The body of a ListGroupsResponse (all versions; see listGroupsResponseSchema). */
export interface ListGroupsResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 1+; ignorable) */
  throttleTimeMs: number;
  /** The error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
  /** Each group in the response. (versions 0+) */
  groups: ListedGroup[];
}

/** A ListedGroup in a ListGroupsResponse. */
export interface ListedGroup extends StructData {
  /** The group ID. (versions 0+) */
  groupId: string;
  /** The group protocol type. (versions 0+) */
  protocolType: string;
  /** The group state name. (versions 4+; ignorable) */
  groupState: string;
  /** The group type name. (versions 5+; ignorable) */
  groupType: string;
}
