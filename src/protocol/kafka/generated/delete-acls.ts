// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{DeleteAclsRequest.json,DeleteAclsResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * DeleteAclsRequest (API key 31): versions 0-3, flexible 2+, deprecated upstream 0.
 *
 * Version history, from the comments in Kafka's DeleteAclsRequest.json:
 *   Version 1 adds the pattern type.
 *   Version 2 enables flexible versions.
 *   Version 3 adds the user resource type.
 */
export const deleteAclsRequestSchema: MessageSchema = {
  apiKey: 31,
  type: "request",
  name: "DeleteAclsRequest",
  validVersions: "0-3",
  flexibleVersions: "2+",
  deprecatedVersions: "0",
  fields: [
    { name: "Filters", property: "filters", type: "[]DeleteAclsFilter", versions: "0+", fields: [
      { name: "ResourceTypeFilter", property: "resourceTypeFilter", type: "int8", versions: "0+" },
      { name: "ResourceNameFilter", property: "resourceNameFilter", type: "string", versions: "0+", nullableVersions: "0+" },
      { name: "PatternTypeFilter", property: "patternTypeFilter", type: "int8", versions: "1+", default: "3" },
      { name: "PrincipalFilter", property: "principalFilter", type: "string", versions: "0+", nullableVersions: "0+" },
      { name: "HostFilter", property: "hostFilter", type: "string", versions: "0+", nullableVersions: "0+" },
      { name: "Operation", property: "operation", type: "int8", versions: "0+" },
      { name: "PermissionType", property: "permissionType", type: "int8", versions: "0+" },
    ] },
  ],
};

/**
 * DeleteAclsResponse (API key 31): versions 0-3, flexible 2+.
 *
 * Version history, from the comments in Kafka's DeleteAclsResponse.json:
 *   Version 1 adds the resource pattern type.
 *   Starting in version 1, on quota violation, brokers send out responses before throttling.
 *   Version 2 enables flexible versions.
 *   Version 3 adds the user resource type.
 */
export const deleteAclsResponseSchema: MessageSchema = {
  apiKey: 31,
  type: "response",
  name: "DeleteAclsResponse",
  validVersions: "0-3",
  flexibleVersions: "2+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "FilterResults", property: "filterResults", type: "[]DeleteAclsFilterResult", versions: "0+", fields: [
      { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
      { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
      { name: "MatchingAcls", property: "matchingAcls", type: "[]DeleteAclsMatchingAcl", versions: "0+", fields: [
        { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
        { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
        { name: "ResourceType", property: "resourceType", type: "int8", versions: "0+" },
        { name: "ResourceName", property: "resourceName", type: "string", versions: "0+" },
        { name: "PatternType", property: "patternType", type: "int8", versions: "1+", default: "3" },
        { name: "Principal", property: "principal", type: "string", versions: "0+" },
        { name: "Host", property: "host", type: "string", versions: "0+" },
        { name: "Operation", property: "operation", type: "int8", versions: "0+" },
        { name: "PermissionType", property: "permissionType", type: "int8", versions: "0+" },
      ] },
    ] },
  ],
};

/** The body of a DeleteAclsRequest (all versions; see deleteAclsRequestSchema). */
export interface DeleteAclsRequest extends StructData {
  /** The filters to use when deleting ACLs. (versions 0+) */
  filters: DeleteAclsFilter[];
}

/** A DeleteAclsFilter in a DeleteAclsRequest. */
export interface DeleteAclsFilter extends StructData {
  /** The resource type. (versions 0+) */
  resourceTypeFilter: number;
  /** The resource name. (versions 0+; nullable 0+) */
  resourceNameFilter: string | null;
  /** The pattern type. (versions 1+; default 3) */
  patternTypeFilter: number;
  /** The principal filter, or null to accept all principals. (versions 0+; nullable 0+) */
  principalFilter: string | null;
  /** The host filter, or null to accept all hosts. (versions 0+; nullable 0+) */
  hostFilter: string | null;
  /** The ACL operation. (versions 0+) */
  operation: number;
  /** The permission type. (versions 0+) */
  permissionType: number;
}

/** The body of a DeleteAclsResponse (all versions; see deleteAclsResponseSchema). */
export interface DeleteAclsResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+) */
  throttleTimeMs: number;
  /** The results for each filter. (versions 0+) */
  filterResults: DeleteAclsFilterResult[];
}

/** A DeleteAclsFilterResult in a DeleteAclsResponse. */
export interface DeleteAclsFilterResult extends StructData {
  /** The error code, or 0 if the filter succeeded. (versions 0+) */
  errorCode: number;
  /** The error message, or null if the filter succeeded. (versions 0+; nullable 0+) */
  errorMessage: string | null;
  /** The ACLs which matched this filter. (versions 0+) */
  matchingAcls: DeleteAclsMatchingAcl[];
}

/** A DeleteAclsMatchingAcl in a DeleteAclsResponse. */
export interface DeleteAclsMatchingAcl extends StructData {
  /** The deletion error code, or 0 if the deletion succeeded. (versions 0+) */
  errorCode: number;
  /** The deletion error message, or null if the deletion succeeded. (versions 0+; nullable 0+) */
  errorMessage: string | null;
  /** The ACL resource type. (versions 0+) */
  resourceType: number;
  /** The ACL resource name. (versions 0+) */
  resourceName: string;
  /** The ACL resource pattern type. (versions 1+; default 3) */
  patternType: number;
  /** The ACL principal. (versions 0+) */
  principal: string;
  /** The ACL host. (versions 0+) */
  host: string;
  /** The ACL operation. (versions 0+) */
  operation: number;
  /** The ACL permission type. (versions 0+) */
  permissionType: number;
}
