// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{DescribeAclsRequest.json,DescribeAclsResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * DescribeAclsRequest (API key 29): versions 0-3, flexible 2+, deprecated upstream 0.
 *
 * Version history, from the comments in Kafka's DescribeAclsRequest.json:
 *   Version 1 adds resource pattern type.
 *   Version 2 enables flexible versions.
 *   Version 3 adds user resource type.
 */
export const describeAclsRequestSchema: MessageSchema = {
  apiKey: 29,
  type: "request",
  name: "DescribeAclsRequest",
  validVersions: "0-3",
  flexibleVersions: "2+",
  deprecatedVersions: "0",
  fields: [
    { name: "ResourceTypeFilter", property: "resourceTypeFilter", type: "int8", versions: "0+" },
    { name: "ResourceNameFilter", property: "resourceNameFilter", type: "string", versions: "0+", nullableVersions: "0+" },
    { name: "PatternTypeFilter", property: "patternTypeFilter", type: "int8", versions: "1+", default: "3" },
    { name: "PrincipalFilter", property: "principalFilter", type: "string", versions: "0+", nullableVersions: "0+" },
    { name: "HostFilter", property: "hostFilter", type: "string", versions: "0+", nullableVersions: "0+" },
    { name: "Operation", property: "operation", type: "int8", versions: "0+" },
    { name: "PermissionType", property: "permissionType", type: "int8", versions: "0+" },
  ],
};

/**
 * DescribeAclsResponse (API key 29): versions 0-3, flexible 2+.
 *
 * Version history, from the comments in Kafka's DescribeAclsResponse.json:
 *   Version 1 adds PatternType.
 *   Starting in version 1, on quota violation, brokers send out responses before throttling.
 *   Version 2 enables flexible versions.
 *   Version 3 adds user resource type.
 */
export const describeAclsResponseSchema: MessageSchema = {
  apiKey: 29,
  type: "response",
  name: "DescribeAclsResponse",
  validVersions: "0-3",
  flexibleVersions: "2+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
    { name: "Resources", property: "resources", type: "[]DescribeAclsResource", versions: "0+", fields: [
      { name: "ResourceType", property: "resourceType", type: "int8", versions: "0+" },
      { name: "ResourceName", property: "resourceName", type: "string", versions: "0+" },
      { name: "PatternType", property: "patternType", type: "int8", versions: "1+", default: "3" },
      { name: "Acls", property: "acls", type: "[]AclDescription", versions: "0+", fields: [
        { name: "Principal", property: "principal", type: "string", versions: "0+" },
        { name: "Host", property: "host", type: "string", versions: "0+" },
        { name: "Operation", property: "operation", type: "int8", versions: "0+" },
        { name: "PermissionType", property: "permissionType", type: "int8", versions: "0+" },
      ] },
    ] },
  ],
};

/** The body of a DescribeAclsRequest (all versions; see describeAclsRequestSchema). */
export interface DescribeAclsRequest extends StructData {
  /** The resource type. (versions 0+) */
  resourceTypeFilter: number;
  /** The resource name, or null to match any resource name. (versions 0+; nullable 0+) */
  resourceNameFilter: string | null;
  /** The resource pattern to match. (versions 1+; default 3) */
  patternTypeFilter: number;
  /** The principal to match, or null to match any principal. (versions 0+; nullable 0+) */
  principalFilter: string | null;
  /** The host to match, or null to match any host. (versions 0+; nullable 0+) */
  hostFilter: string | null;
  /** The operation to match. (versions 0+) */
  operation: number;
  /** The permission type to match. (versions 0+) */
  permissionType: number;
}

/** The body of a DescribeAclsResponse (all versions; see describeAclsResponseSchema). */
export interface DescribeAclsResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+) */
  throttleTimeMs: number;
  /** The error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
  /** The error message, or null if there was no error. (versions 0+; nullable 0+) */
  errorMessage: string | null;
  /** Each Resource that is referenced in an ACL. (versions 0+) */
  resources: DescribeAclsResource[];
}

/** A DescribeAclsResource in a DescribeAclsResponse. */
export interface DescribeAclsResource extends StructData {
  /** The resource type. (versions 0+) */
  resourceType: number;
  /** The resource name. (versions 0+) */
  resourceName: string;
  /** The resource pattern type. (versions 1+; default 3) */
  patternType: number;
  /** The ACLs. (versions 0+) */
  acls: AclDescription[];
}

/** A AclDescription in a DescribeAclsResponse. */
export interface AclDescription extends StructData {
  /** The ACL principal. (versions 0+) */
  principal: string;
  /** The ACL host. (versions 0+) */
  host: string;
  /** The ACL operation. (versions 0+) */
  operation: number;
  /** The ACL permission type. (versions 0+) */
  permissionType: number;
}
