// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{DescribeConfigsRequest.json,DescribeConfigsResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * DescribeConfigsRequest (API key 32): versions 0-4, flexible 4+, deprecated upstream 0.
 *
 * Version history, from the comments in Kafka's DescribeConfigsRequest.json:
 *   Version 1 adds IncludeSynonyms.
 *   Version 2 is the same as version 1.
 *   Version 4 enables flexible versions.
 */
export const describeConfigsRequestSchema: MessageSchema = {
  apiKey: 32,
  type: "request",
  name: "DescribeConfigsRequest",
  validVersions: "0-4",
  flexibleVersions: "4+",
  deprecatedVersions: "0",
  fields: [
    { name: "Resources", property: "resources", type: "[]DescribeConfigsResource", versions: "0+", fields: [
      { name: "ResourceType", property: "resourceType", type: "int8", versions: "0+" },
      { name: "ResourceName", property: "resourceName", type: "string", versions: "0+" },
      { name: "ConfigurationKeys", property: "configurationKeys", type: "[]string", versions: "0+", nullableVersions: "0+" },
    ] },
    { name: "IncludeSynonyms", property: "includeSynonyms", type: "bool", versions: "1+", default: "false" },
    { name: "IncludeDocumentation", property: "includeDocumentation", type: "bool", versions: "3+", default: "false" },
  ],
};

/**
 * DescribeConfigsResponse (API key 32): versions 0-4, flexible 4+.
 *
 * Version history, from the comments in Kafka's DescribeConfigsResponse.json:
 *   Version 1 adds ConfigSource and the synonyms.
 *   Starting in version 2, on quota violation, brokers send out responses before throttling.
 *   Version 4 enables flexible versions.
 */
export const describeConfigsResponseSchema: MessageSchema = {
  apiKey: 32,
  type: "response",
  name: "DescribeConfigsResponse",
  validVersions: "0-4",
  flexibleVersions: "4+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "Results", property: "results", type: "[]DescribeConfigsResult", versions: "0+", fields: [
      { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
      { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
      { name: "ResourceType", property: "resourceType", type: "int8", versions: "0+" },
      { name: "ResourceName", property: "resourceName", type: "string", versions: "0+" },
      { name: "Configs", property: "configs", type: "[]DescribeConfigsResourceResult", versions: "0+", fields: [
        { name: "Name", property: "name", type: "string", versions: "0+" },
        { name: "Value", property: "value", type: "string", versions: "0+", nullableVersions: "0+" },
        { name: "ReadOnly", property: "readOnly", type: "bool", versions: "0+" },
        { name: "IsDefault", property: "isDefault", type: "bool", versions: "0" },
        { name: "ConfigSource", property: "configSource", type: "int8", versions: "1+", default: "-1", ignorable: true },
        { name: "IsSensitive", property: "isSensitive", type: "bool", versions: "0+" },
        { name: "Synonyms", property: "synonyms", type: "[]DescribeConfigsSynonym", versions: "1+", ignorable: true, fields: [
          { name: "Name", property: "name", type: "string", versions: "1+" },
          { name: "Value", property: "value", type: "string", versions: "1+", nullableVersions: "0+" },
          { name: "Source", property: "source", type: "int8", versions: "1+" },
        ] },
        { name: "ConfigType", property: "configType", type: "int8", versions: "3+", default: "0", ignorable: true },
        { name: "Documentation", property: "documentation", type: "string", versions: "3+", nullableVersions: "0+", ignorable: true },
      ] },
    ] },
  ],
};

/** The body of a DescribeConfigsRequest (all versions; see describeConfigsRequestSchema). */
export interface DescribeConfigsRequest extends StructData {
  /** The resources whose configurations we want to describe. (versions 0+) */
  resources: DescribeConfigsResource[];
  /** True if we should include all synonyms. (versions 1+; default false) */
  includeSynonyms: boolean;
  /** True if we should include configuration documentation. (versions 3+; default false) */
  includeDocumentation: boolean;
}

/** A DescribeConfigsResource in a DescribeConfigsRequest. */
export interface DescribeConfigsResource extends StructData {
  /** The resource type. (versions 0+) */
  resourceType: number;
  /** The resource name. (versions 0+) */
  resourceName: string;
  /** The configuration keys to list, or null to list all configuration keys. (versions 0+; nullable 0+) */
  configurationKeys: string[] | null;
}

/** The body of a DescribeConfigsResponse (all versions; see describeConfigsResponseSchema). */
export interface DescribeConfigsResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+) */
  throttleTimeMs: number;
  /** The results for each resource. (versions 0+) */
  results: DescribeConfigsResult[];
}

/** A DescribeConfigsResult in a DescribeConfigsResponse. */
export interface DescribeConfigsResult extends StructData {
  /** The error code, or 0 if we were able to successfully describe the configurations. (versions 0+) */
  errorCode: number;
  /** The error message, or null if we were able to successfully describe the configurations. (versions 0+; nullable 0+) */
  errorMessage: string | null;
  /** The resource type. (versions 0+) */
  resourceType: number;
  /** The resource name. (versions 0+) */
  resourceName: string;
  /** Each listed configuration. (versions 0+) */
  configs: DescribeConfigsResourceResult[];
}

/** A DescribeConfigsResourceResult in a DescribeConfigsResponse. */
export interface DescribeConfigsResourceResult extends StructData {
  /** The configuration name. (versions 0+) */
  name: string;
  /** The configuration value. (versions 0+; nullable 0+) */
  value: string | null;
  /** True if the configuration is read-only. (versions 0+) */
  readOnly: boolean;
  /** True if the configuration is not set. (versions 0) */
  isDefault: boolean;
  /** The configuration source. (versions 1+; default -1; ignorable) */
  configSource: number;
  /** True if this configuration is sensitive. (versions 0+) */
  isSensitive: boolean;
  /** The synonyms for this configuration key. (versions 1+; ignorable) */
  synonyms: DescribeConfigsSynonym[];
  /** The configuration data type. Type can be one of the following values - BOOLEAN, STRING, INT, SHORT, LONG, DOUBLE, LIST, CLASS, PASSWORD (versions 3+; default 0; ignorable) */
  configType: number;
  /** The configuration documentation. (versions 3+; nullable 0+; ignorable) */
  documentation: string | null;
}

/** A DescribeConfigsSynonym in a DescribeConfigsResponse. */
export interface DescribeConfigsSynonym extends StructData {
  /** The synonym name. (versions 1+) */
  name: string;
  /** The synonym value. (versions 1+; nullable 0+) */
  value: string | null;
  /** The synonym source. (versions 1+) */
  source: number;
}
