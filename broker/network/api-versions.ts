/**
 * The ApiVersions (18) handler: the first request every client sends, answered with the
 * version ranges of the broker's handler table (api-handler-table.ts), so that what is
 * advertised is exactly what is served.
 *
 * Rules (Kafka 2.8, KIP-35 and KIP-511):
 *   - v1+ carry throttle_time_ms; v3 is flexible, and the client names its software, which
 *     Kafka checks against `[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?`, answering
 *     INVALID_REQUEST with no ranges when it does not match.
 *   - The response header is always v0 (no tagged fields), even for v3, so that a client can
 *     read the answer before it knows which versions the broker speaks.
 *   - A version above ours never reaches this handler: its body may have fields we cannot
 *     know, so the socket server answers it without parsing, with the *v0 fallback* below.
 *     The client then retries with the highest version of the range it was given.
 */
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import type { ApiVersionsResponse } from '../../src/protocol/kafka/generated/index.js';
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import type { AdvertisedRange, AnyApiHandler } from './api-handler-table.js';

const SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

/** The table row for ApiVersions; `advertised` reads the table at request time. */
export function apiVersionsHandler(
  range: { readonly minVersion: number; readonly maxVersion: number },
  advertised: () => readonly AdvertisedRange[],
): AnyApiHandler {
  return {
    apiKey: ApiKey.ApiVersions,
    minVersion: range.minVersion,
    maxVersion: range.maxVersion,
    handle: (request) => answerApiVersions(request.apiVersion, request.body, advertised()),
  };
}

function answerApiVersions(
  apiVersion: number,
  request: { clientSoftwareName: string; clientSoftwareVersion: string },
  advertised: readonly AdvertisedRange[],
): Encodable<ApiVersionsResponse> {
  if (apiVersion >= 3) {
    const valid =
      SOFTWARE_PATTERN.test(request.clientSoftwareName) &&
      SOFTWARE_PATTERN.test(request.clientSoftwareVersion);
    if (!valid) return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys: [], throttleTimeMs: 0 };
  }
  return {
    errorCode: ErrorCode.NONE,
    apiKeys: advertised.map(({ apiKey, minVersion, maxVersion }) => ({
      apiKey,
      minVersion,
      maxVersion,
    })),
    throttleTimeMs: 0,
  };
}

/**
 * The answer to an ApiVersions request of a version above ours (a client newer than us),
 * encoded as ApiVersions **v0**: UNSUPPORTED_VERSION and only ApiVersions' own range, so the
 * client retries with a version from that range (Kafka 2.8's SocketServer does the same).
 */
export function apiVersionsFallbackResponse(range: AdvertisedRange): ApiVersionsResponse {
  return {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    apiKeys: [
      { apiKey: ApiKey.ApiVersions, minVersion: range.minVersion, maxVersion: range.maxVersion },
    ],
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };
}
