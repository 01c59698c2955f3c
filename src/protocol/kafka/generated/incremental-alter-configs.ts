// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{IncrementalAlterConfigsRequest.json,IncrementalAlterConfigsResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * IncrementalAlterConfigsRequest (API key 44): versions 0-1, flexible 1+.
 *
 * Version history, from the comments in Kafka's IncrementalAlterConfigsRequest.json:
 *   Version 1 is the first flexible version.
 */
export const incrementalAlterConfigsRequestSchema: MessageSchema = {
  apiKey: 44,
  type: "request",
  name: "IncrementalAlterConfigsRequest",
  validVersions: "0-1",
  flexibleVersions: "1+",
  fields: [
    { name: "Resources", property: "resources", type: "[]AlterConfigsResource", versions: "0+", fields: [
      { name: "ResourceType", property: "resourceType", type: "int8", versions: "0+", mapKey: true },
      { name: "ResourceName", property: "resourceName", type: "string", versions: "0+", mapKey: true },
      { name: "Configs", property: "configs", type: "[]AlterableConfig", versions: "0+", fields: [
        { name: "Name", property: "name", type: "string", versions: "0+", mapKey: true },
        { name: "ConfigOperation", property: "configOperation", type: "int8", versions: "0+", mapKey: true },
        { name: "Value", property: "value", type: "string", versions: "0+", nullableVersions: "0+" },
      ] },
    ] },
    { name: "ValidateOnly", property: "validateOnly", type: "bool", versions: "0+" },
  ],
};

/**
 * IncrementalAlterConfigsResponse (API key 44): versions 0-1, flexible 1+.
 *
 * Version history, from the comments in Kafka's IncrementalAlterConfigsResponse.json:
 *   Version 1 is the first flexible version.
 */
export const incrementalAlterConfigsResponseSchema: MessageSchema = {
  apiKey: 44,
  type: "response",
  name: "IncrementalAlterConfigsResponse",
  validVersions: "0-1",
  flexibleVersions: "1+",
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

/** The body of a IncrementalAlterConfigsRequest (all versions; see incrementalAlterConfigsRequestSchema). */
export interface IncrementalAlterConfigsRequest extends StructData {
  /** The incremental updates for each resource. (versions 0+) */
  resources: AlterConfigsResource[];
  /** True if we should validate the request, but not change the configurations. (versions 0+) */
  validateOnly: boolean;
}

/** A AlterConfigsResource in a IncrementalAlterConfigsRequest. */
export interface AlterConfigsResource extends StructData {
  /** The resource type. (versions 0+) */
  resourceType: number;
  /** The resource name. (versions 0+) */
  resourceName: string;
  /** The configurations. (versions 0+) */
  configs: AlterableConfig[];
}

/** A AlterableConfig in a IncrementalAlterConfigsRequest. */
export interface AlterableConfig extends StructData {
  /** The configuration key name. (versions 0+) */
  name: string;
  /** The type (Set, Delete, Append, Subtract) of operation. (versions 0+) */
  configOperation: number;
  /** The value to set for the configuration key. (versions 0+; nullable 0+) */
  value: string | null;
}

/** The body of a IncrementalAlterConfigsResponse (all versions; see incrementalAlterConfigsResponseSchema). */
export interface IncrementalAlterConfigsResponse extends StructData {
  /** Duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+) */
  throttleTimeMs: number;
  /** The responses for each resource. (versions 0+) */
  responses: AlterConfigsResourceResponse[];
}

/** A AlterConfigsResourceResponse in a IncrementalAlterConfigsResponse. */
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
