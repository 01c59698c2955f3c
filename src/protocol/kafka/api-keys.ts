/**
 * Kafka API keys by name, and the version ranges we aim to serve for each API: the ranges a
 * broker's handler table uses when a module registers its handlers (the handler table, in
 * broker/network/api-handler-table.ts, is what ApiVersions advertises; an API is advertised
 * only once a handler is registered for it).
 *
 * Why these ranges: the clients we serve (librdkafka 2.0.2 via kcat and
 * confluent-kafka-python, librdkafka 2.x, kafkajs 2.2.4, kafka-python 2.0.2,
 * @platformatic/kafka) each pick a version from the broker's range differently:
 *   - librdkafka enables "features" only if the broker's *minimum* versions are low enough
 *     (e.g. FindCoordinator must start at 0 or consumer groups are off), so several minimums
 *     are 0 even though nobody modern sends v0;
 *   - kafka-python guesses the broker's release from the ranges (Fetch 11 present, Produce 8
 *     absent => "2.3") and then hard-codes versions, so the maximums must not claim more;
 *   - @platformatic/kafka implements mostly flexible versions only, so each maximum is the
 *     lowest version it can use, which keeps every other client on its classic version.
 * The rule for implementers: every version inside a registered range must work.
 */
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
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  WriteTxnMarkers: 27,
  TxnOffsetCommit: 28,
  DescribeAcls: 29,
  CreateAcls: 30,
  DeleteAcls: 31,
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
  DescribeUserScramCredentials: 50,
  AlterUserScramCredentials: 51,
  DescribeCluster: 60,
} as const);

/** The versions of one API we aim to serve, and why where it is not obvious. */
export interface ApiVersionRange {
  readonly apiKey: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly note?: string;
}

const api = (
  name: keyof typeof ApiKey,
  minVersion: number,
  maxVersion: number,
  note?: string,
): ApiVersionRange => ({ apiKey: ApiKey[name], name, minVersion, maxVersion, note });

/**
 * The client-facing ranges (the ranges of recommended-api-versions.json, kept beside the
 * project, except ListOffsets from 0 as Kafka 2.8 serves it). The inter-broker APIs (LeaderAndIsr,
 * StopReplica, UpdateMetadata, ControlledShutdown) are registered by the broker with every
 * version the codec knows: only our own controller sends them.
 */
export const API_VERSION_RANGES: readonly ApiVersionRange[] = [
  api('Produce', 0, 8, 'min 0: librdkafka compresses gzip/snappy/lz4 only then; 8: record_errors'),
  api('Fetch', 4, 12, 'Fetch 4 for librdkafka MsgVer2; 11 makes kafka-python guess 2.3'),
  api('ListOffsets', 0, 5, 'v0 (old_style_offsets) for librdkafka 1.x, as Kafka 2.8 serves it'),
  api('Metadata', 0, 9, 'kafka-python probes with v0 right after ApiVersions v0'),
  api('OffsetCommit', 2, 8),
  api('OffsetFetch', 1, 8, 'v8 batches groups'),
  api('FindCoordinator', 0, 4, 'min 0: librdkafka BrokerGroupCoordinator feature'),
  api('JoinGroup', 0, 6, 'v4+: MEMBER_ID_REQUIRED round trip'),
  api('Heartbeat', 0, 4),
  api('LeaveGroup', 0, 4, 'v3+: members array'),
  api('SyncGroup', 0, 4),
  api('DescribeGroups', 0, 5, 'librdkafka legacy describe_groups uses v0'),
  api('ListGroups', 0, 4, 'librdkafka legacy list_groups uses v0'),
  api('SaslHandshake', 0, 1, 'after v0 the SASL tokens are raw int32-length frames'),
  api('ApiVersions', 0, 3, 'response header is always v0'),
  api('CreateTopics', 0, 7),
  api('DeleteTopics', 0, 6),
  api('InitProducerId', 0, 3, 'only idempotent/transactional producers use it'),
  api('AddPartitionsToTxn', 0, 3, 'v4+ are broker-to-broker (KIP-890), not served'),
  api('AddOffsetsToTxn', 0, 3),
  api('EndTxn', 0, 3),
  api('WriteTxnMarkers', 0, 1, 'sent by transaction coordinators to partition leaders'),
  api('TxnOffsetCommit', 0, 3),
  api('DescribeConfigs', 0, 2),
  api('AlterConfigs', 0, 2),
  api('SaslAuthenticate', 0, 2, 'min 0: librdkafka SaslAuthReq feature'),
  api('CreatePartitions', 0, 1),
  api('DeleteGroups', 0, 2),
  api('IncrementalAlterConfigs', 0, 1, 'platformatic admin'),
  api('OffsetDelete', 0, 0),
  api('DeleteRecords', 0, 2),
  api('DescribeCluster', 0, 1, 'platformatic admin'),
];

/** The range we aim to serve for `apiKey` (throws for an API not in the list). */
export function recommendedRange(apiKey: number): { minVersion: number; maxVersion: number } {
  const found = API_VERSION_RANGES.find((a) => a.apiKey === apiKey);
  if (found === undefined) throw new Error(`no recommended range for API key ${apiKey}`);
  return { minVersion: found.minVersion, maxVersion: found.maxVersion };
}
