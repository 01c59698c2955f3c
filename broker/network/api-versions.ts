/**
 * The ApiVersions (18) handler: the first request every client sends, answered with the
 * version ranges this broker implements (src/protocol/kafka/api-keys.ts).
 *
 * Rules (KIP-511): v1+ carry throttle_time_ms; v3 is flexible and the client names its
 * software, which Kafka checks against `[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?` and answers
 * INVALID_REQUEST (42) with no ranges if it does not match. Versions above ours never reach
 * this handler: the socket server answers those with the v0 fallback itself, because their
 * bodies cannot be parsed.
 */
import type { AdvertisedApi } from '../../src/protocol/kafka/api-keys.js';
import type {
  ApiVersionsRequest,
  ApiVersionsResponse,
} from '../../src/protocol/kafka/generated/index.js';
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';

const SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export function handleApiVersions(
  apiVersion: number,
  request: ApiVersionsRequest,
  advertised: readonly AdvertisedApi[],
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
