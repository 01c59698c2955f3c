// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{SaslHandshakeRequest.json,SaslHandshakeResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * SaslHandshakeRequest (API key 17): versions 0-1, flexible none, deprecated upstream 0.
 *
 * Version history, from the comments in Kafka's SaslHandshakeRequest.json:
 *   Version 1 supports SASL_AUTHENTICATE.
 *   NOTE: Version cannot be easily bumped due to incorrect
 *   client negotiation for clients <= 2.4.
 *   See https://issues.apache.org/jira/browse/KAFKA-9577
 */
export const saslHandshakeRequestSchema: MessageSchema = {
  apiKey: 17,
  type: "request",
  name: "SaslHandshakeRequest",
  validVersions: "0-1",
  flexibleVersions: "none",
  deprecatedVersions: "0",
  fields: [
    { name: "Mechanism", property: "mechanism", type: "string", versions: "0+" },
  ],
};

/**
 * SaslHandshakeResponse (API key 17): versions 0-1, flexible none.
 *
 * Version history, from the comments in Kafka's SaslHandshakeResponse.json:
 *   Version 1 is the same as version 0.
 *   NOTE: Version cannot be easily bumped due to incorrect
 *   client negotiation for clients <= 2.4.
 *   See https://issues.apache.org/jira/browse/KAFKA-9577
 */
export const saslHandshakeResponseSchema: MessageSchema = {
  apiKey: 17,
  type: "response",
  name: "SaslHandshakeResponse",
  validVersions: "0-1",
  flexibleVersions: "none",
  fields: [
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    { name: "Mechanisms", property: "mechanisms", type: "[]string", versions: "0+" },
  ],
};

/** The body of a SaslHandshakeRequest (all versions; see saslHandshakeRequestSchema). */
export interface SaslHandshakeRequest extends StructData {
  /** The SASL mechanism chosen by the client. (versions 0+) */
  mechanism: string;
}

/** The body of a SaslHandshakeResponse (all versions; see saslHandshakeResponseSchema). */
export interface SaslHandshakeResponse extends StructData {
  /** The error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
  /** The mechanisms enabled in the server. (versions 0+) */
  mechanisms: string[];
}
