// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
// Source: apache/kafka@3.8.0 clients/src/main/resources/common/message/{SaslAuthenticateRequest.json,SaslAuthenticateResponse.json} (Apache License 2.0).

import type { MessageSchema, StructData } from '../schema.js';

/**
 * SaslAuthenticateRequest (API key 36): versions 0-2, flexible 2+.
 *
 * Version history, from the comments in Kafka's SaslAuthenticateRequest.json:
 *   Version 1 is the same as version 0.
 *   Version 2 adds flexible version support
 */
export const saslAuthenticateRequestSchema: MessageSchema = {
  apiKey: 36,
  type: "request",
  name: "SaslAuthenticateRequest",
  validVersions: "0-2",
  flexibleVersions: "2+",
  fields: [
    { name: "AuthBytes", property: "authBytes", type: "bytes", versions: "0+" },
  ],
};

/**
 * SaslAuthenticateResponse (API key 36): versions 0-2, flexible 2+.
 *
 * Version history, from the comments in Kafka's SaslAuthenticateResponse.json:
 *   Version 1 adds the session lifetime.
 *   Version 2 adds flexible version support
 */
export const saslAuthenticateResponseSchema: MessageSchema = {
  apiKey: 36,
  type: "response",
  name: "SaslAuthenticateResponse",
  validVersions: "0-2",
  flexibleVersions: "2+",
  fields: [
    { name: "ErrorCode", property: "errorCode", type: "int16", versions: "0+" },
    { name: "ErrorMessage", property: "errorMessage", type: "string", versions: "0+", nullableVersions: "0+" },
    { name: "AuthBytes", property: "authBytes", type: "bytes", versions: "0+" },
    { name: "SessionLifetimeMs", property: "sessionLifetimeMs", type: "int64", versions: "1+", default: "0", ignorable: true },
  ],
};

/** The body of a SaslAuthenticateRequest (all versions; see saslAuthenticateRequestSchema). */
export interface SaslAuthenticateRequest extends StructData {
  /** The SASL authentication bytes from the client, as defined by the SASL mechanism. (versions 0+) */
  authBytes: Buffer;
}

/** The body of a SaslAuthenticateResponse (all versions; see saslAuthenticateResponseSchema). */
export interface SaslAuthenticateResponse extends StructData {
  /** The error code, or 0 if there was no error. (versions 0+) */
  errorCode: number;
  /** The error message, or null if there was no error. (versions 0+; nullable 0+) */
  errorMessage: string | null;
  /** The SASL authentication bytes from the server, as defined by the SASL mechanism. (versions 0+) */
  authBytes: Buffer;
  /** Number of milliseconds after which only re-authentication over the existing connection to create a new session can occur. (versions 1+; default 0; ignorable) */
  sessionLifetimeMs: bigint;
}
