// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{DescribeClusterRequest.json,DescribeClusterResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * DescribeClusterRequest (API key 60): versions 0-1, flexible 0+.
 *
 * Version history, from the comments in Kafka's DescribeClusterRequest.json:
 *   Version 1 adds EndpointType for KIP-919 support.
 */
export const describeClusterRequestSchema: MessageSchema = {
  apiKey: 60,
  type: "request",
  name: "DescribeClusterRequest",
  validVersions: "0-1",
  flexibleVersions: "0+",
  fields: [
    { name: "IncludeClusterAuthorizedOperations", property: "includeClusterAuthorizedOperations", type: "bool", versions: "0+" },
    { name: "EndpointType", property: "endpointType", type: "int8", versions: "1+", default: "1" },
  ],
};

/**
 * DescribeClusterResponse (API key 60): versions 0-1, flexible 0+.
 *
 * Version history, from the comments in Kafka's DescribeClusterResponse.json:
 *   Version 1 adds the EndpointType field, and makes MISMATCHED_ENDPOINT_TYPE and
 *   UNSUPPORTED_ENDPOINT_TYPE valid top-level response error codes.
 */
export const describeClusterResponseSchema: MessageSchema = {
  apiKey: 60,
  type: "response",
  name: "DescribeClusterResponse",
  validVersions: "0-1",
  flexibleVersions: "0+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+", default: "null" },
    { name: "EndpointType", property: "endpointType", type: "int8", versions: "1+", default: "1" },
    { name: "ClusterId", property: "clusterId", type: "string", versions: "0+" },
    { name: "ControllerId", property: "controllerId", type: "int32", versions: "0+", default: "-1" },
    { name: "Brokers", property: "brokers", type: "[]DescribeClusterBroker", versions: "0+", fields: [
      { name: "BrokerId", property: "brokerId", type: "int32", versions: "0+", mapKey: true },
      { name: "Host", property: "host", type: "string", versions: "0+" },
      { name: "Port", property: "port", type: "int32", versions: "0+" },
      { name: "Rack", property: "rack", type: "string", versions: "0+", nullableVersions: "0+", default: "null" },
    ] },
    { name: "ClusterAuthorizedOperations", property: "clusterAuthorizedOperations", type: "int32", versions: "0+", default: "-2147483648" },
  ],
};

/** The body of a DescribeClusterRequest (all versions; see describeClusterRequestSchema). */
export interface DescribeClusterRequest extends StructData {
  /** Whether to include cluster authorized operations. (versions 0+) */
  includeClusterAuthorizedOperations: boolean;
  /** The endpoint type to describe. 1=brokers, 2=controllers. (versions 1+; default 1) */
  endpointType: number;
}

/** The body of a DescribeClusterResponse (all versions; see describeClusterResponseSchema). */
export interface DescribeClusterResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+) */
  throttleTimeMs: number;
  /** The top-level error code, or 0 if there was no error (versions 0+) */
  errorCode: number;
  /** The top-level error message, or null if there was no error. (versions 0+; nullable 0+; default null) */
  errorMessage: string | null;
  /** The endpoint type that was described. 1=brokers, 2=controllers. (versions 1+; default 1) */
  endpointType: number;
  /** The cluster ID that responding broker belongs to. (versions 0+) */
  clusterId: string;
  /** The ID of the controller broker. (versions 0+; default -1) */
  controllerId: number;
  /** Each broker in the response. (versions 0+) */
  brokers: DescribeClusterBroker[];
  /** 32-bit bitfield to represent authorized operations for this cluster. (versions 0+; default -2147483648) */
  clusterAuthorizedOperations: number;
}

/** A DescribeClusterBroker in a DescribeClusterResponse. */
export interface DescribeClusterBroker extends StructData {
  /** The broker ID. (versions 0+) */
  brokerId: number;
  /** The broker hostname. (versions 0+) */
  host: string;
  /** The broker port. (versions 0+) */
  port: number;
  /** The rack of the broker, or null if it has not been assigned to a rack. (versions 0+; nullable 0+; default null) */
  rack: string | null;
}
