// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{ApiVersionsRequest.json,ApiVersionsResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * ApiVersionsRequest (API key 18): versions 0-3, flexible 3+.
 *
 * Version history, from the comments in Kafka's ApiVersionsRequest.json:
 *   Versions 0 through 2 of ApiVersionsRequest are the same.
 *
 *   Version 3 is the first flexible version and adds ClientSoftwareName and ClientSoftwareVersion.
 */
export const apiVersionsRequestSchema: MessageSchema = {
  apiKey: 18,
  type: "request",
  name: "ApiVersionsRequest",
  validVersions: "0-3",
  flexibleVersions: "3+",
  fields: [
    { name: "ClientSoftwareName", property: "clientSoftwareName", type: "string", versions: "3+", ignorable: true },
    { name: "ClientSoftwareVersion", property: "clientSoftwareVersion", type: "string", versions: "3+", ignorable: true },
  ],
};

/**
 * ApiVersionsResponse (API key 18): versions 0-3, flexible 3+.
 *
 * Version history, from the comments in Kafka's ApiVersionsResponse.json:
 *   Version 1 adds throttle time to the response.
 *
 *   Starting in version 2, on quota violation, brokers send out responses before throttling.
 *
 *   Version 3 is the first flexible version. Tagged fields are only supported in the body but
 *   not in the header. The length of the header must not change in order to guarantee the
 *   backward compatibility.
 *
 *   Starting from Apache Kafka 2.4 (KIP-511), ApiKeys field is populated with the supported
 *   versions of the ApiVersionsRequest when an UNSUPPORTED_VERSION error is returned.
 */
export const apiVersionsResponseSchema: MessageSchema = {
  apiKey: 18,
  type: "response",
  name: "ApiVersionsResponse",
  validVersions: "0-3",
  flexibleVersions: "3+",
  fields: [
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    { name: "ApiKeys", property: "apiKeys", type: "[]ApiVersion", versions: "0+", fields: [
      { name: "ApiKey", property: "apiKey", type: "int16", versions: "0+", mapKey: true },
      { name: "MinVersion", property: "minVersion", type: "int16", versions: "0+" },
      { name: "MaxVersion", property: "maxVersion", type: "int16", versions: "0+" },
    ] },
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "1+", ignorable: true },
    { name: "SupportedFeatures", property: "supportedFeatures", type: "[]SupportedFeatureKey", versions: "3+", taggedVersions: "3+", tag: 0, ignorable: true, fields: [
      { name: "Name", property: "name", type: "string", versions: "3+", mapKey: true },
      { name: "MinVersion", property: "minVersion", type: "int16", versions: "3+" },
      { name: "MaxVersion", property: "maxVersion", type: "int16", versions: "3+" },
    ] },
    { name: "FinalizedFeaturesEpoch", property: "finalizedFeaturesEpoch", type: "int64", versions: "3+", taggedVersions: "3+", tag: 1, default: "-1", ignorable: true },
    { name: "FinalizedFeatures", property: "finalizedFeatures", type: "[]FinalizedFeatureKey", versions: "3+", taggedVersions: "3+", tag: 2, ignorable: true, fields: [
      { name: "Name", property: "name", type: "string", versions: "3+", mapKey: true },
      { name: "MaxVersionLevel", property: "maxVersionLevel", type: "int16", versions: "3+" },
      { name: "MinVersionLevel", property: "minVersionLevel", type: "int16", versions: "3+" },
    ] },
    { name: "ZkMigrationReady", property: "zkMigrationReady", type: "bool", versions: "3+", taggedVersions: "3+", tag: 3, default: "false", ignorable: true },
  ],
};

/** The body of a ApiVersionsRequest (all versions; see apiVersionsRequestSchema). */
export interface ApiVersionsRequest extends StructData {
  /** The name of the client. (versions 3+; ignorable) */
  clientSoftwareName: string;
  /** The version of the client. (versions 3+; ignorable) */
  clientSoftwareVersion: string;
}

/** The body of a ApiVersionsResponse (all versions; see apiVersionsResponseSchema). */
export interface ApiVersionsResponse extends StructData {
  /** The top-level error code. (versions 0+) */
  errorCode: number;
  /** The APIs supported by the broker. (versions 0+) */
  apiKeys: ApiVersion[];
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 1+; ignorable) */
  throttleTimeMs: number;
  /** Features supported by the broker. (versions 3+; tagged 3+ (tag 0); ignorable) */
  supportedFeatures: SupportedFeatureKey[];
  /** The monotonically increasing epoch for the finalized features information. Valid values are >= 0. A value of -1 is special and represents unknown epoch. (versions 3+; tagged 3+ (tag 1); default -1; ignorable) */
  finalizedFeaturesEpoch: bigint;
  /** List of cluster-wide finalized features. The information is valid only if FinalizedFeaturesEpoch >= 0. (versions 3+; tagged 3+ (tag 2); ignorable) */
  finalizedFeatures: FinalizedFeatureKey[];
  /** Set by a KRaft controller if the required configurations for ZK migration are present (versions 3+; tagged 3+ (tag 3); default false; ignorable) */
  zkMigrationReady: boolean;
}

/** A ApiVersion in a ApiVersionsResponse. */
export interface ApiVersion extends StructData {
  /** The API index. (versions 0+) */
  apiKey: number;
  /** The minimum supported version, inclusive. (versions 0+) */
  minVersion: number;
  /** The maximum supported version, inclusive. (versions 0+) */
  maxVersion: number;
}

/** A SupportedFeatureKey in a ApiVersionsResponse. */
export interface SupportedFeatureKey extends StructData {
  /** The name of the feature. (versions 3+) */
  name: string;
  /** The minimum supported version for the feature. (versions 3+) */
  minVersion: number;
  /** The maximum supported version for the feature. (versions 3+) */
  maxVersion: number;
}

/** A FinalizedFeatureKey in a ApiVersionsResponse. */
export interface FinalizedFeatureKey extends StructData {
  /** The name of the feature. (versions 3+) */
  name: string;
  /** The cluster-wide finalized max version level for the feature. (versions 3+) */
  maxVersionLevel: number;
  /** The cluster-wide finalized min version level for the feature. (versions 3+) */
  minVersionLevel: number;
}
