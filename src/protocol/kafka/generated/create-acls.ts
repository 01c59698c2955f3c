// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{CreateAclsRequest.json,CreateAclsResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * CreateAclsRequest (API key 30): versions 0-3, flexible 2+, deprecated upstream 0.
 *
 * Version history, from the comments in Kafka's CreateAclsRequest.json:
 *   Version 1 adds resource pattern type.
 *   Version 2 enables flexible versions.
 *   Version 3 adds user resource type.
 */
export const createAclsRequestSchema: MessageSchema = {
  apiKey: 30,
  type: "request",
  name: "CreateAclsRequest",
  validVersions: "0-3",
  flexibleVersions: "2+",
  deprecatedVersions: "0",
  fields: [
    { name: "Creations", property: "creations", type: "[]AclCreation", versions: "0+", fields: [
      { name: "ResourceType", property: "resourceType", type: "int8", versions: "0+" },
      { name: "ResourceName", property: "resourceName", type: "string", versions: "0+" },
      { name: "ResourcePatternType", property: "resourcePatternType", type: "int8", versions: "1+", default: "3" },
      { name: "Principal", property: "principal", type: "string", versions: "0+" },
      { name: "Host", property: "host", type: "string", versions: "0+" },
      { name: "Operation", property: "operation", type: "int8", versions: "0+" },
      { name: "PermissionType", property: "permissionType", type: "int8", versions: "0+" },
    ] },
  ],
};

/**
 * CreateAclsResponse (API key 30): versions 0-3, flexible 2+.
 *
 * Version history, from the comments in Kafka's CreateAclsResponse.json:
 *   Starting in version 1, on quota violation, brokers send out responses before throttling.
 *   Version 2 enables flexible versions.
 *   Version 3 adds user resource type.
 */
export const createAclsResponseSchema: MessageSchema = {
  apiKey: 30,
  type: "response",
  name: "CreateAclsResponse",
  validVersions: "0-3",
  flexibleVersions: "2+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "Results", property: "results", type: "[]AclCreationResult", versions: "0+", fields: [
      { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
      { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
    ] },
  ],
};

/** The body of a CreateAclsRequest (all versions; see createAclsRequestSchema). */
export interface CreateAclsRequest extends StructData {
  /** The ACLs that we want to create. (versions 0+) */
  creations: AclCreation[];
}

/** A AclCreation in a CreateAclsRequest. */
export interface AclCreation extends StructData {
  /** The type of the resource. (versions 0+) */
  resourceType: number;
  /** The resource name for the ACL. (versions 0+) */
  resourceName: string;
  /** The pattern type for the ACL. (versions 1+; default 3) */
  resourcePatternType: number;
  /** The principal for the ACL. (versions 0+) */
  principal: string;
  /** The host for the ACL. (versions 0+) */
  host: string;
  /** The operation type for the ACL (read, write, etc.). (versions 0+) */
  operation: number;
  /** The permission type for the ACL (allow, deny, etc.). (versions 0+) */
  permissionType: number;
}

/** The body of a CreateAclsResponse (all versions; see createAclsResponseSchema). */
export interface CreateAclsResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+) */
  throttleTimeMs: number;
  /** The results for each ACL creation. (versions 0+) */
  results: AclCreationResult[];
}

/** A AclCreationResult in a CreateAclsResponse. */
export interface AclCreationResult extends StructData {
  /** The result error, or zero if there was no error. (versions 0+) */
  errorCode: number;
  /** The result message, or null if there was no error. (versions 0+; nullable 0+) */
  errorMessage: string | null;
}
