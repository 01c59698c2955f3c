// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{DescribeUserScramCredentialsRequest.json,DescribeUserScramCredentialsResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * DescribeUserScramCredentialsRequest (API key 50): versions 0, flexible 0+.
 *
 * Version history, from the comments in Kafka's DescribeUserScramCredentialsRequest.json:

 */
export const describeUserScramCredentialsRequestSchema: MessageSchema = {
  apiKey: 50,
  type: "request",
  name: "DescribeUserScramCredentialsRequest",
  validVersions: "0",
  flexibleVersions: "0+",
  fields: [
    { name: "Users", property: "users", type: "[]UserName", versions: "0+", nullableVersions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+" },
    ] },
  ],
};

/**
 * DescribeUserScramCredentialsResponse (API key 50): versions 0, flexible 0+.
 *
 * Version history, from the comments in Kafka's DescribeUserScramCredentialsResponse.json:

 */
export const describeUserScramCredentialsResponseSchema: MessageSchema = {
  apiKey: 50,
  type: "response",
  name: "DescribeUserScramCredentialsResponse",
  validVersions: "0",
  flexibleVersions: "0+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "0+" },
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
    { name: "Results", property: "results", type: "[]DescribeUserScramCredentialsResult", versions: "0+", fields: [
      { name: "User", property: "user", type: "string", versions: "0+" },
      { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
      { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
      { name: "CredentialInfos", property: "credentialInfos", type: "[]CredentialInfo", versions: "0+", fields: [
        { name: "Mechanism", property: "mechanism", type: "int8", versions: "0+" },
        { name: "Iterations", property: "iterations", type: "int32", versions: "0+" },
      ] },
    ] },
  ],
};

/** The body of a DescribeUserScramCredentialsRequest (all versions; see describeUserScramCredentialsRequestSchema). */
export interface DescribeUserScramCredentialsRequest extends StructData {
  /** The users to describe, or null/empty to describe all users. (versions 0+; nullable 0+) */
  users: UserName[] | null;
}

/** A UserName in a DescribeUserScramCredentialsRequest. */
export interface UserName extends StructData {
  /** The user name. (versions 0+) */
  name: string;
}

/** The body of a DescribeUserScramCredentialsResponse (all versions; see describeUserScramCredentialsResponseSchema). */
export interface DescribeUserScramCredentialsResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 0+) */
  throttleTimeMs: number;
  /** The message-level error code, 0 except for user authorization or infrastructure issues. (versions 0+) */
  errorCode: number;
  /** The message-level error message, if any. (versions 0+; nullable 0+) */
  errorMessage: string | null;
  /** The results for descriptions, one per user. (versions 0+) */
  results: DescribeUserScramCredentialsResult[];
}

/** A DescribeUserScramCredentialsResult in a DescribeUserScramCredentialsResponse. */
export interface DescribeUserScramCredentialsResult extends StructData {
  /** The user name. (versions 0+) */
  user: string;
  /** The user-level error code. (versions 0+) */
  errorCode: number;
  /** The user-level error message, if any. (versions 0+; nullable 0+) */
  errorMessage: string | null;
  /** The mechanism and related information associated with the user's SCRAM credentials. (versions 0+) */
  credentialInfos: CredentialInfo[];
}

/** A CredentialInfo in a DescribeUserScramCredentialsResponse. */
export interface CredentialInfo extends StructData {
  /** The SCRAM mechanism. (versions 0+) */
  mechanism: number;
  /** The number of iterations used in the SCRAM credential. (versions 0+) */
  iterations: number;
}
