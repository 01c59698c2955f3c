/**
 * The records of `__consumer_offsets`: how the group coordinator stores committed offsets and
 * group metadata in its internal topic, in Kafka's own formats (the `OffsetCommitKey`,
 * `OffsetCommitValue`, `GroupMetadataKey` and `GroupMetadataValue` schemas of Kafka's
 * `core/src/main/resources/common/message/`), so that any tool that reads the topic
 * (kafka-console-consumer with its OffsetsMessageFormatter, our `coordinator groups`) can
 * decode what our brokers write.
 *
 * Every record key and value starts with an int16 schema version, then the fields in order
 * (classic, non-flexible encoding: int16-length strings, int32-length bytes and arrays):
 *
 *   offset commit  key   v1: group string, topic string, partition int32
 *                  value v1: offset int64, metadata string, commitTimestamp int64,
 *                            expireTimestamp int64            (written when a retention is given)
 *                        v3: offset int64, leaderEpoch int32, metadata string,
 *                            commitTimestamp int64             (Kafka 2.1+ writes this one)
 *   group metadata key   v2: group string
 *                  value v3: protocolType string, generation int32, protocol string?,
 *                            leader string?, currentStateTimestamp int64, members [
 *                              memberId string, groupInstanceId string?, clientId string,
 *                              clientHost string, rebalanceTimeout int32,
 *                              sessionTimeout int32, subscription bytes, assignment bytes ]
 *
 * Key versions 0 and 1 both mean "offset commit" (the key layout is the same); version 2 means
 * "group metadata". A record with a null value is a tombstone: compaction (and our loader)
 * then forgets the key. Decoding accepts every version Kafka 2.8 can write (values v0-v3);
 * flexible v4 values (Kafka 3.x with newer metadata versions) are refused with an error.
 */
import { Reader, Writer } from './primitives.js';

/** The key of an offset commit: which group's position in which partition. */
export interface OffsetCommitKey {
  group: string;
  topic: string;
  partition: number;
}

export interface OffsetCommitValue {
  offset: bigint;
  /** The leader epoch of the committed record, -1 when the client did not say (v3). */
  leaderEpoch: number;
  metadata: string;
  commitTimestampMs: bigint;
  /** Only in v1 records: when the offset expires (-1: by offsets.retention.minutes). */
  expireTimestampMs: bigint;
}

export interface GroupMetadataMemberRecord {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestampMs: bigint;
  members: GroupMetadataMemberRecord[];
}

export type GroupRecordKey =
  | { type: 'offset'; key: OffsetCommitKey }
  | { type: 'group'; group: string };

/** The versions our brokers write (those of Kafka 2.8 with inter.broker.protocol 2.8). */
export const OFFSET_COMMIT_KEY_VERSION = 1;
export const OFFSET_COMMIT_VALUE_VERSION = 3;
/** The value version used when the commit carries its own expiry (OffsetCommit v2-v4). */
export const OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
export const GROUP_METADATA_VALUE_VERSION = 3;

export function encodeOffsetCommitKey(key: OffsetCommitKey): Buffer {
  const w = new Writer();
  w.int16(OFFSET_COMMIT_KEY_VERSION);
  w.string(key.group, false);
  w.string(key.topic, false);
  w.int32(key.partition);
  return w.toBuffer();
}

export function encodeGroupMetadataKey(group: string): Buffer {
  const w = new Writer();
  w.int16(GROUP_METADATA_KEY_VERSION);
  w.string(group, false);
  return w.toBuffer();
}

/** Decodes either kind of key; throws on a version no Kafka release writes. */
export function decodeGroupRecordKey(bytes: Buffer): GroupRecordKey {
  const r = new Reader(bytes);
  const version = r.int16();
  if (version === 0 || version === 1) {
    const group = r.string(false, false)!;
    const topic = r.string(false, false)!;
    const partition = r.int32();
    return { type: 'offset', key: { group, topic, partition } };
  }
  if (version === GROUP_METADATA_KEY_VERSION) {
    return { type: 'group', group: r.string(false, false)! };
  }
  throw new RangeError(`unknown __consumer_offsets key version ${version}`);
}

export function encodeOffsetCommitValue(value: OffsetCommitValue): Buffer {
  const w = new Writer();
  // A commit with an explicit expiry (retention_time_ms in OffsetCommit v2-v4) can only be
  // written as v1, the one version with an expire timestamp; everything else as v3.
  if (value.expireTimestampMs >= 0n) {
    w.int16(OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRY);
    w.int64(value.offset);
    w.string(value.metadata, false);
    w.int64(value.commitTimestampMs);
    w.int64(value.expireTimestampMs);
    return w.toBuffer();
  }
  w.int16(OFFSET_COMMIT_VALUE_VERSION);
  w.int64(value.offset);
  w.int32(value.leaderEpoch);
  w.string(value.metadata, false);
  w.int64(value.commitTimestampMs);
  return w.toBuffer();
}

export function decodeOffsetCommitValue(bytes: Buffer): OffsetCommitValue {
  const r = new Reader(bytes);
  const version = r.int16();
  if (version < 0 || version > 3) {
    throw new RangeError(`unsupported offset commit value version ${version}`);
  }
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = r.string(false, false)!;
  const commitTimestampMs = r.int64();
  // v1 has the expire timestamp; v0, v2 and v3 do not.
  const expireTimestampMs = version === 1 ? r.int64() : -1n;
  return { offset, leaderEpoch, metadata, commitTimestampMs, expireTimestampMs };
}

export function encodeGroupMetadataValue(value: GroupMetadataValue): Buffer {
  const w = new Writer();
  w.int16(GROUP_METADATA_VALUE_VERSION);
  w.string(value.protocolType, false);
  w.int32(value.generation);
  w.string(value.protocol, false);
  w.string(value.leader, false);
  w.int64(value.currentStateTimestampMs);
  w.int32(value.members.length);
  for (const m of value.members) {
    w.string(m.memberId, false);
    w.string(m.groupInstanceId, false);
    w.string(m.clientId, false);
    w.string(m.clientHost, false);
    w.int32(m.rebalanceTimeoutMs);
    w.int32(m.sessionTimeoutMs);
    w.bytes(m.subscription, false);
    w.bytes(m.assignment, false);
  }
  return w.toBuffer();
}

export function decodeGroupMetadataValue(bytes: Buffer): GroupMetadataValue {
  const r = new Reader(bytes);
  const version = r.int16();
  if (version < 0 || version > 3) {
    throw new RangeError(`unsupported group metadata value version ${version}`);
  }
  const protocolType = r.string(false, false)!;
  const generation = r.int32();
  const protocol = r.string(false, true);
  const leader = r.string(false, true);
  const currentStateTimestampMs = version >= 2 ? r.int64() : -1n;
  const count = r.int32();
  if (count < 0 || count > r.remaining()) throw new RangeError(`bad member count ${count}`);
  const members: GroupMetadataMemberRecord[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = r.string(false, false)!;
    const groupInstanceId = version >= 3 ? r.string(false, true) : null;
    const clientId = r.string(false, false)!;
    const clientHost = r.string(false, false)!;
    const rebalanceTimeoutMs = version >= 1 ? r.int32() : -1;
    const sessionTimeoutMs = r.int32();
    const subscription = r.bytes(false, false)!;
    const assignment = r.bytes(false, false)!;
    members.push({
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      rebalanceTimeoutMs: rebalanceTimeoutMs < 0 ? sessionTimeoutMs : rebalanceTimeoutMs,
      sessionTimeoutMs,
      subscription,
      assignment,
    });
  }
  return { protocolType, generation, protocol, leader, currentStateTimestampMs, members };
}

/**
 * Kafka's partition for a group: `abs(groupId.hashCode()) % partitionCount`, with Java's
 * String.hashCode (s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units, in 32-bit
 * arithmetic). Kafka's `Utils.abs` maps Integer.MIN_VALUE to 0 rather than overflowing.
 */
export function partitionForGroup(groupId: string, partitionCount: number): number {
  return javaAbs(javaStringHashCode(groupId)) % partitionCount;
}

export function javaStringHashCode(s: string): number {
  let hash = 0;
  for (let i = 0; i < s.length; i++) hash = (Math.imul(hash, 31) + s.charCodeAt(i)) | 0;
  return hash;
}

function javaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}
