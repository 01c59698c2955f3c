// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{FindCoordinatorRequest.json,FindCoordinatorResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * FindCoordinatorRequest (API key 10): versions 0-5, flexible 3+, deprecated upstream 0.
 *
 * Version history, from the comments in Kafka's FindCoordinatorRequest.json:
 *   Version 1 adds KeyType.
 *
 *   Version 2 is the same as version 1.
 *
 *   Version 3 is the first flexible version.
 *
 *   Version 4 adds support for batching via CoordinatorKeys (KIP-699)
 *
 *   Version 5 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
 */
export const findCoordinatorRequestSchema: MessageSchema = {
  apiKey: 10,
  type: "request",
  name: "FindCoordinatorRequest",
  validVersions: "0-5",
  flexibleVersions: "3+",
  deprecatedVersions: "0",
  fields: [
    { name: "Key", property: "key", type: "string", versions: "0-3" },
    { name: "KeyType", property: "keyType", type: "int8", versions: "1+", default: "0" },
    { name: "CoordinatorKeys", property: "coordinatorKeys", type: "[]string", versions: "4+" },
  ],
};

/**
 * FindCoordinatorResponse (API key 10): versions 0-5, flexible 3+.
 *
 * Version history, from the comments in Kafka's FindCoordinatorResponse.json:
 *   Version 1 adds throttle time and error messages.
 *
 *   Starting in version 2, on quota violation, brokers send out responses before throttling.
 *
 *   Version 3 is the first flexible version.
 *
 *   Version 4 adds support for batching via Coordinators (KIP-699)
 *
 *   Version 5 adds support for new error code TRANSACTION_ABORTABLE (KIP-890).
 */
export const findCoordinatorResponseSchema: MessageSchema = {
  apiKey: 10,
  type: "response",
  name: "FindCoordinatorResponse",
  validVersions: "0-5",
  flexibleVersions: "3+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "1+", ignorable: true },
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0-3" },
    { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "1-3", nullableVersions: "1-3", ignorable: true },
    { name: "NodeId", property: "nodeId", type: "int32", versions: "0-3" },
    { name: "Host", property: "host", type: "string", versions: "0-3" },
    { name: "Port", property: "port", type: "int32", versions: "0-3" },
    { name: "Coordinators", property: "coordinators", type: "[]Coordinator", versions: "4+", fields: [
      { name: "Key", property: "key", type: "string", versions: "4+" },
      { name: "NodeId", property: "nodeId", type: "int32", versions: "4+" },
      { name: "Host", property: "host", type: "string", versions: "4+" },
      { name: "Port", property: "port", type: "int32", versions: "4+" },
      { name: "ErrorCode", property: "errorCode", type: "int16", versions: "4+" },
      { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "4+", nullableVersions: "4+", ignorable: true },
    ] },
  ],
};

/** The body of a FindCoordinatorRequest (all versions; see findCoordinatorRequestSchema). */
export interface FindCoordinatorRequest extends StructData {
  /** The coordinator key. (versions 0-3) */
  key: string;
  /** The coordinator key type. (Group, transaction, etc.) (versions 1+; default 0) */
  keyType: number;
  /** The coordinator keys. (versions 4+) */
  coordinatorKeys: string[];
}

/** The body of a FindCoordinatorResponse (all versions; see findCoordinatorResponseSchema). */
export interface FindCoordinatorResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 1+; ignorable) */
  throttleTimeMs: number;
  /** The error code, or 0 if there was no error. (versions 0-3) */
  errorCode: number;
  /** The error message, or null if there was no error. (versions 1-3; nullable 1-3; ignorable) */
  errorMessage: string | null;
  /** The node id. (versions 0-3) */
  nodeId: number;
  /** The host name. (versions 0-3) */
  host: string;
  /** The port. (versions 0-3) */
  port: number;
  /** Each coordinator result in the response (versions 4+) */
  coordinators: Coordinator[];
}

/** A Coordinator in a FindCoordinatorResponse. */
export interface Coordinator extends StructData {
  /** The coordinator key. (versions 4+) */
  key: string;
  /** The node id. (versions 4+) */
  nodeId: number;
  /** The host name. (versions 4+) */
  host: string;
  /** The port. (versions 4+) */
  port: number;
  /** The error code, or 0 if there was no error. (versions 4+) */
  errorCode: number;
  /** The error message, or null if there was no error. (versions 4+; nullable 4+; ignorable) */
  errorMessage: string | null;
}
