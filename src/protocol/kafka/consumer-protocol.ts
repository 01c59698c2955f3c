/**
 * The consumer protocol: what Kafka consumers put inside the opaque `metadata` of JoinGroup
 * (their subscription) and the `assignment` of SyncGroup, for protocol type "consumer". The
 * broker never needs to understand them to run a group (the group leader, a client, does the
 * assignment); it reads them only to describe groups (DescribeGroups output, the `coordinator
 * groups describe` tool) and to know which topics a group is subscribed to (OffsetDelete
 * answers GROUP_SUBSCRIBED_TO_TOPIC for those).
 *
 * Classic encoding, each starting with an int16 version (Kafka's ConsumerProtocolSubscription
 * and ConsumerProtocolAssignment schemas):
 *
 *   subscription  v0: topics [string], userData bytes?
 *                 v1: + ownedPartitions [topic string, partitions [int32]]   (KIP-429)
 *                 v2: + generationId int32;  v3: + rackId string?
 *   assignment    v0+: assignedPartitions [topic string, partitions [int32]], userData bytes?
 *
 * A newer version than we know still starts with the fields above, so decoding reads those
 * and ignores the rest, as Kafka's own deserializers do.
 */
import { Reader, Writer } from './primitives.js';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface ConsumerSubscription {
  version: number;
  topics: string[];
  userData: Buffer | null;
  ownedPartitions: TopicPartitions[];
}

export interface ConsumerAssignment {
  version: number;
  assignedPartitions: TopicPartitions[];
  userData: Buffer | null;
}

export function decodeConsumerSubscription(bytes: Buffer): ConsumerSubscription {
  const r = new Reader(bytes);
  const version = r.int16();
  const topics = readArray(r, () => r.string(false, false)!);
  const userData = r.remaining() > 0 ? r.bytes(false, true) : null;
  const ownedPartitions = version >= 1 && r.remaining() > 0 ? readTopicPartitions(r) : [];
  return { version, topics, userData, ownedPartitions };
}

export function decodeConsumerAssignment(bytes: Buffer): ConsumerAssignment {
  if (bytes.length === 0) return { version: 0, assignedPartitions: [], userData: null };
  const r = new Reader(bytes);
  const version = r.int16();
  const assignedPartitions = readTopicPartitions(r);
  const userData = r.remaining() > 0 ? r.bytes(false, true) : null;
  return { version, assignedPartitions, userData };
}

export function encodeConsumerSubscription(topics: readonly string[]): Buffer {
  const w = new Writer();
  w.int16(0);
  w.arrayLength(topics.length, false);
  for (const topic of topics) w.string(topic, false);
  w.bytes(null, false);
  return w.toBuffer();
}

export function encodeConsumerAssignment(assigned: readonly TopicPartitions[]): Buffer {
  const w = new Writer();
  w.int16(0);
  w.arrayLength(assigned.length, false);
  for (const tp of assigned) {
    w.string(tp.topic, false);
    w.arrayLength(tp.partitions.length, false);
    for (const p of tp.partitions) w.int32(p);
  }
  w.bytes(null, false);
  return w.toBuffer();
}

function readTopicPartitions(r: Reader): TopicPartitions[] {
  return readArray(r, () => {
    const topic = r.string(false, false)!;
    const partitions = readArray(r, () => r.int32());
    return { topic, partitions };
  });
}

function readArray<T>(r: Reader, readOne: () => T): T[] {
  const count = r.arrayLength(false, true);
  const items: T[] = [];
  for (let i = 0; i < count; i++) items.push(readOne());
  return items;
}
