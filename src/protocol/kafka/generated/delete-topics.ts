// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{DeleteTopicsRequest.json,DeleteTopicsResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * DeleteTopicsRequest (API key 20): versions 0-6, flexible 4+, deprecated upstream 0.
 *
 * Version history, from the comments in Kafka's DeleteTopicsRequest.json:
 *   Versions 0, 1, 2, and 3 are the same.
 *
 *   Version 4 is the first flexible version.
 *
 *   Version 5 adds ErrorMessage in the response and may return a THROTTLING_QUOTA_EXCEEDED error
 *   in the response if the topics deletion is throttled (KIP-599).
 *
 *   Version 6 reorganizes topics, adds topic IDs and allows topic names to be null.
 */
export const deleteTopicsRequestSchema: MessageSchema = {
  apiKey: 20,
  type: "request",
  name: "DeleteTopicsRequest",
  validVersions: "0-6",
  flexibleVersions: "4+",
  deprecatedVersions: "0",
  fields: [
    { name: "Topics", property: "topics", type: "[]DeleteTopicState", versions: "6+", fields: [
      { name: "Name", property: "name", type: "string", versions: "6+", nullableVersions: "6+", default: "null" },
      { name: "TopicId", property: "topicId", type: "uuid", versions: "6+" },
    ] },
    { name: "TopicNames", property: "topicNames", type: "[]string", versions: "0-5", ignorable: true },
    { name: "TimeoutMs", property: "timeoutMs", type: "int32", versions: "0+" },
  ],
};

/**
 * DeleteTopicsResponse (API key 20): versions 0-6, flexible 4+.
 *
 * Version history, from the comments in Kafka's DeleteTopicsResponse.json:
 *   Version 1 adds the throttle time.
 *
 *   Starting in version 2, on quota violation, brokers send out responses before throttling.
 *
 *   Starting in version 3, a TOPIC_DELETION_DISABLED error code may be returned.
 *
 *   Version 4 is the first flexible version.
 *
 *   Version 5 adds ErrorMessage in the response and may return a THROTTLING_QUOTA_EXCEEDED error
 *   in the response if the topics deletion is throttled (KIP-599).
 *
 *   Version 6 adds topic ID to responses. An UNSUPPORTED_VERSION error code will be returned when attempting to
 *   delete using topic IDs when IBP < 2.8. UNKNOWN_TOPIC_ID error code will be returned when IBP is at least 2.8, but
 *   the topic ID was not found.
 */
export const deleteTopicsResponseSchema: MessageSchema = {
  apiKey: 20,
  type: "response",
  name: "DeleteTopicsResponse",
  validVersions: "0-6",
  flexibleVersions: "4+",
  fields: [
    { name: "ThrottleTimeMs", property: "throttleTimeMs", type: "int32", versions: "1+", ignorable: true },
    { name: "Responses", property: "responses", type: "[]DeletableTopicResult", versions: "0+", fields: [
      { name: "Name", property: "name", type: "string", versions: "0+", nullableVersions: "6+", mapKey: true },
      { name: "TopicId", property: "topicId", type: "uuid", versions: "6+", ignorable: true },
      { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
      { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "5+", nullableVersions: "5+", default: "null", ignorable: true },
    ] },
  ],
};

/** The body of a DeleteTopicsRequest (all versions; see deleteTopicsRequestSchema). */
export interface DeleteTopicsRequest extends StructData {
  /** The name or topic ID of the topic (versions 6+) */
  topics: DeleteTopicState[];
  /** The names of the topics to delete (versions 0-5; ignorable) */
  topicNames: string[];
  /** The length of time in milliseconds to wait for the deletions to complete. (versions 0+) */
  timeoutMs: number;
}

/** A DeleteTopicState in a DeleteTopicsRequest. */
export interface DeleteTopicState extends StructData {
  /** The topic name (versions 6+; nullable 6+; default null) */
  name: string | null;
  /** The unique topic ID (versions 6+) */
  topicId: string;
}

/** The body of a DeleteTopicsResponse (all versions; see deleteTopicsResponseSchema). */
export interface DeleteTopicsResponse extends StructData {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. (versions 1+; ignorable) */
  throttleTimeMs: number;
  /** The results for each topic we tried to delete. (versions 0+) */
  responses: DeletableTopicResult[];
}

/** A DeletableTopicResult in a DeleteTopicsResponse. */
export interface DeletableTopicResult extends StructData {
  /** The topic name (versions 0+; nullable 6+) */
  name: string | null;
  /** the unique topic ID (versions 6+; ignorable) */
  topicId: string;
  /** The deletion error, or 0 if the deletion succeeded. (versions 0+) */
  errorCode: number;
  /** The error message, or null if there was no error. (versions 5+; nullable 5+; default null; ignorable) */
  errorMessage: string | null;
}
