/**
 * Kafka API keys by name, and the ApiVersions advertisement: which versions of which APIs our
 * brokers tell clients they speak.
 *
 * Why these ranges (NOTES.md g): the clients we serve (librdkafka 2.0.2 via kcat and
 * confluent-kafka-python, kafkajs 2.2.4, kafka-python 2.0.2, @platformatic/kafka) each pick a
 * version from the broker's range differently:
 *   - librdkafka enables "features" only if the broker's *minimum* versions are low enough
 *     (e.g. FindCoordinator must start at 0 or consumer groups are off), so several minimums
 *     are 0 even though nobody modern sends v0;
 *   - kafka-python guesses the broker's release from the ranges (Fetch 11 present, Produce 8
 *     absent => "2.3") and then hard-codes versions, so the maximums must not claim more;
 *   - @platformatic/kafka implements mostly flexible versions only, so each maximum is the
 *     lowest version it can use, which keeps every other client on its classic version.
 * The rule for implementers: every version inside an advertised range must work.
 *
 * The entries marked `required: false` are optional extras (admin tools); advertise them only
 * once a handler exists. The inter-broker APIs (LeaderAndIsr 4, StopReplica 5,
 * UpdateMetadata 6, ControlledShutdown 7) have schemas too but are not listed: only our own
 * controller sends them.
 */
import type { ApiVersionsResponse } from './generated/index.js';

/** API keys by name (the APIs this codebase knows, client-facing and inter-broker). */
export const ApiKey = Object.freeze({
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  LeaderAndIsr: 4,
  StopReplica: 5,
  UpdateMetadata: 6,
  ControlledShutdown: 7,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  OffsetForLeaderEpoch: 23,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  DeleteGroups: 42,
  IncrementalAlterConfigs: 44,
  ElectLeaders: 43,
  AlterPartitionReassignments: 45,
  ListPartitionReassignments: 46,
  OffsetDelete: 47,
  DescribeCluster: 60,
} as const);

export interface AdvertisedApi {
  readonly apiKey: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** False for optional admin extras: advertise only when implemented. */
  readonly required: boolean;
  /** Why the range is what it is, where it is not obvious. */
  readonly note?: string;
}

const api = (
  name: keyof typeof ApiKey,
  minVersion: number,
  maxVersion: number,
  required: boolean,
  note?: string,
): AdvertisedApi => ({ apiKey: ApiKey[name], name, minVersion, maxVersion, required, note });

/** The ranges of recommended-api-versions.json (NOTES.md g.4), in its order. */
export const API_VERSION_RANGES: readonly AdvertisedApi[] = [
  api('Produce', 3, 7, true, 'Produce 3 must be in range for librdkafka MsgVer2'),
  api('Fetch', 4, 12, true, 'Fetch 4 for librdkafka MsgVer2; 11 makes kafka-python guess 2.3'),
  api('ListOffsets', 1, 5, true, 'use min 0 to serve a pip librdkafka 1.x'),
  api('Metadata', 0, 9, true, 'kafka-python probes with v0 right after ApiVersions v0'),
  api('OffsetCommit', 2, 8, true),
  api('OffsetFetch', 1, 8, true, 'v8 batches groups'),
  api('FindCoordinator', 0, 4, true, 'min 0: librdkafka BrokerGroupCoordinator feature'),
  api('JoinGroup', 0, 6, true, 'v4+: MEMBER_ID_REQUIRED round trip'),
  api('Heartbeat', 0, 4, true),
  api('LeaveGroup', 0, 4, true, 'v3+: members array'),
  api('SyncGroup', 0, 4, true),
  api('DescribeGroups', 0, 5, true, 'librdkafka legacy describe_groups uses v0'),
  api('ListGroups', 0, 4, true, 'librdkafka legacy list_groups uses v0'),
  api('SaslHandshake', 0, 1, true, 'after v0 the SASL tokens are raw int32-length frames'),
  api('ApiVersions', 0, 3, true, 'response header is always v0'),
  api('CreateTopics', 0, 7, true),
  api('DeleteTopics', 0, 6, true),
  api('InitProducerId', 0, 3, true, 'only idempotent/transactional producers use it'),
  api('DescribeConfigs', 0, 2, true),
  api('AlterConfigs', 0, 2, true),
  api('SaslAuthenticate', 0, 2, true, 'min 0: librdkafka SaslAuthReq feature'),
  api('CreatePartitions', 0, 1, true),
  api('DeleteGroups', 0, 2, true),
  api('IncrementalAlterConfigs', 0, 1, false, 'platformatic admin'),
  api('OffsetDelete', 0, 0, false),
  api('DeleteRecords', 0, 2, false),
  api('DescribeCluster', 0, 1, false, 'platformatic admin'),
];

/**
 * The ranges to advertise. `optionalImplemented` lists the optional API keys that have
 * handlers; the required ones are always included.
 */
export function advertisedApiVersions(
  optionalImplemented: ReadonlySet<number> = new Set(),
): AdvertisedApi[] {
  return API_VERSION_RANGES.filter((a) => a.required || optionalImplemented.has(a.apiKey));
}

/** The advertised range of `apiKey`, if it is advertised. */
export function advertisedRange(
  apiKey: number,
  advertised: readonly AdvertisedApi[] = API_VERSION_RANGES,
): AdvertisedApi | undefined {
  return advertised.find((a) => a.apiKey === apiKey);
}

/** Highest ApiVersions version we speak; also what the fallback reply advertises. */
export const API_VERSIONS_MAX_VERSION = 3;

/**
 * The reply to an ApiVersions request of a version we do not speak (a client newer than us),
 * NOTES.md f.5: encoded as ApiVersions **v0** under response header v0, with
 * UNSUPPORTED_VERSION and only ApiVersions' own range, so the client retries with a version
 * from that range. Encode it with `encodeResponse(18, 0, correlationId, body)`.
 */
export function apiVersionsFallbackResponse(): ApiVersionsResponse {
  return {
    errorCode: 35, // UNSUPPORTED_VERSION
    apiKeys: [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: API_VERSIONS_MAX_VERSION }],
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };
}
