// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{HeartbeatRequest.json,HeartbeatResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * HeartbeatRequest (API key 12): versions 0-4, flexible 4+.
 *
 * Version history, from the comments in Kafka's HeartbeatRequest.json:
 *   Version 1 and version 2 are the same as version 0.
 *
 *   Starting from version 3, we add a new field called groupInstanceId to indicate member identity across restarts.
 *
 *   Version 4 is the first flexible version.
 */
export const heartbeatRequestSchema: MessageSchema = {
  apiKey: 12,
  type: "request",
  name: "HeartbeatRequest",
  validVersions: "0-4",
  flexibleVersions: "4+",
  fields: [
    { name: "GroupId", property: "groupId", type: "string", versions: "0+" },
    { name: "GenerationId", property: "generationId", type: "int32", versions: "0+" },
    { name: "MemberId", property: "memberId", type: "string", versions: "0+" },
    { name: "GroupInstanceId", property: "groupInstanceId", type: "string", versions: "3+", nullableVersions: "3+", default: "null" },
  ],
};

/**
 * HeartbeatResponse (API key 12): versions 0-4, flexible 4+.
 *
 * Version history, from the comments in Kafka's HeartbeatResponse.json:
 *   Version 1 adds throttle time.
 *
 *   Starting in version 2, on quota violation, brokers send out responses before throttling.
 *
 *   Starting from version 3, heartbeatRequest supports a new field called groupInstanceId to indicate member identity across restarts.
 *
 *   Version 4 is the first flexible version.
 */
export const heartbeatResponseSchema: MessageSchema = {
  apiKey: 12,
  type: "response",
  name: "HeartbeatResponse",
  validVersions: "0-4",
  flexibleVersions: "4+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "1+", ignorable: true },
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
  ],
};

/** The body of a HeartbeatRequest (all versions; see heartbeatRequestSchema). */
export interface HeartbeatRequest extends StructData {
  /** The group id. (versions 0+) */
  groupId: string;
  /** The generation of the group. (versions 0+) */
  generationId: number;
  /** The member ID. (versions 0+) */
  memberId: string;
  /** The unique identifier of the consumer instance provided by end user. (versions 3+; nullable 3+; default null) */
  groupInstanceId: string | null;
}

/** The body of a HeartbeatResponse (all versions; see heartbeatResponseSchema). */
export interface HeartbeatResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 1+; ignorable) */
  throttleTimeMs: number;
  /** The error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
}
