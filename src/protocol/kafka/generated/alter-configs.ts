// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{AlterConfigsRequest.json,AlterConfigsResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * AlterConfigsRequest (API key 33): versions 0-2, flexible 2+.
 *
 * Version history, from the comments in Kafka's AlterConfigsRequest.json:
 *   Version 1 is the same as version 0.
 *   Version 2 enables flexible versions.
 */
export const alterConfigsRequestSchema: MessageSchema = {
  apiKey: 33,
  type: "request",
  name: "AlterConfigsRequest",
  validVersions: "0-2",
  flexibleVersions: "2+",
  fields: [
    { name: "Resources", property: "resources", type: "[]AlterConfigsResource", versions: "0+", fields: [
      { name: "ResourceType", property: "resourceType", type: "int8", versions: "0+", mapKey: true },
      { name: "ResourceName", property: "resourceName", type: "string", versions: "0+", mapKey: true },
      { name: "Configs", property: "configs", type: "[]AlterableConfig", versions: "0+", fields: [
        { name: "Name", property: "name", type: "string", versions: "0+", mapKey: true },
        { name: "Value", property: "value", type: "string", versions: "0+", nullableVersions: "0+" },
      ] },
    ] },
    { name: "ValidateOnly", property: "validateOnly", type: "bool", versions: "0+" },
  ],
};

/**
 * AlterConfigsResponse (API key 33): versions 0-2, flexible 2+.
 *
 * Version history, from the comments in Kafka's AlterConfigsResponse.json:
 *   Starting in version 1, on quota violation brokers send out responses before throttling.
 *   Version 2 enables flexible versions.
 */
export const alterConfigsResponseSchema: MessageSchema = {
  apiKey: 33,
  type: "response",
  name: "AlterConfigsResponse",
  validVersions: "0-2",
  flexibleVersions: "2+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "Responses", property: "responses", type: "[]AlterConfigsResourceResponse", versions: "0+", fields: [
      { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
      { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
      { name: "ResourceType", property: "resourceType", type: "int8", versions: "0+" },
      { name: "ResourceName", property: "resourceName", type: "string", versions: "0+" },
    ] },
  ],
};

/** The body of a AlterConfigsRequest (all versions; see alterConfigsRequestSchema). */
export interface AlterConfigsRequest extends StructData {
  /** The updates for each resource. (versions 0+) */
  resources: AlterConfigsResource[];
  /** True if we should validate the request, but not change the configurations. (versions 0+) */
  validateOnly: boolean;
}

/** A AlterConfigsResource in a AlterConfigsRequest. */
export interface AlterConfigsResource extends StructData {
  /** The resource type. (versions 0+) */
  resourceType: number;
  /** The resource name. (versions 0+) */
  resourceName: string;
  /** The configurations. (versions 0+) */
  configs: AlterableConfig[];
}

/** A AlterableConfig in a AlterConfigsRequest. */
export interface AlterableConfig extends StructData {
  /** The configuration key name. (versions 0+) */
  name: string;
  /** The value to set for the configuration key. (versions 0+; nullable 0+) */
  value: string | null;
}

/** The body of a AlterConfigsResponse (all versions; see alterConfigsResponseSchema). */
export interface AlterConfigsResponse extends StructData {
  /** Duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+) */
  throttleTimeMs: number;
  /** The responses for each resource. (versions 0+) */
  responses: AlterConfigsResourceResponse[];
}

/** A AlterConfigsResourceResponse in a AlterConfigsResponse. */
export interface AlterConfigsResourceResponse extends StructData {
  /** The resource error code. (versions 0+) */
  errorCode: number;
  /** The resource error message, or null if there was no error. (versions 0+; nullable 0+) */
  errorMessage: string | null;
  /** The resource type. (versions 0+) */
  resourceType: number;
  /** The resource name. (versions 0+) */
  resourceName: string;
}
