/**
 * What the `coordinator groups` commands and the dashboard's group views do, over the Kafka
 * protocol (src/kafka-client.ts), as Kafka's kafka-consumer-groups.sh does through its
 * AdminClient:
 *
 *   listGroups        ListGroups to every broker (each answers for the groups it
 *                     coordinates), merged
 *   describeGroup     FindCoordinator -> DescribeGroups (members and their assignments,
 *                     decoded with the consumer protocol) + OffsetFetch (committed offsets)
 *                     + Metadata and ListOffsets(latest) on each partition's leader (log end
 *                     offsets): one row per partition with its lag = log end - committed
 *   planOffsetReset   the new offset of each partition of a topic for --to-earliest,
 *                     --to-latest, --to-offset, --to-datetime or --shift-by, clamped to the
 *                     partition's [log start, log end]; only for inactive groups
 *   commitOffsets     OffsetCommit with generation -1 and no member (what a reset executes)
 *   deleteGroup       DeleteGroups on the coordinator
 *
 * Kafka errors become exceptions carrying Kafka's error name, for the CLI's one-line report.
 */
import { ApiKey } from '../protocol/kafka/api-keys.js';
import { errorForCode, ErrorCode } from '../protocol/kafka/errors.js';
import { decodeConsumerAssignment } from '../protocol/kafka/consumer-protocol.js';
import type { KafkaClient } from '../kafka-client.js';

export class GroupCommandError extends Error {
  override name = 'GroupCommandError';
  constructor(
    message: string,
    readonly errorCode?: number,
  ) {
    super(message);
  }
}

function check(errorCode: number, what: string): void {
  if (errorCode !== ErrorCode.NONE) {
    throw new GroupCommandError(`${what}: ${errorForCode(errorCode).name}`, errorCode);
  }
}

/** The coordinator moved or is still loading: Kafka's clients look it up again and retry. */
const COORDINATOR_RETRIABLE: ReadonlySet<number> = new Set([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
]);
const COORDINATOR_RETRIES = 10;
const COORDINATOR_RETRY_BACKOFF_MS = 200;

/**
 * Runs `work` against the group's coordinator, finding it again when the answer says it
 * moved (a leader change of its `__consumer_offsets` partition) or is still loading.
 */
async function withCoordinator<T>(
  client: KafkaClient,
  groupId: string,
  work: (coordinator: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(await findCoordinator(client, groupId));
    } catch (err) {
      const code = err instanceof GroupCommandError ? err.errorCode : undefined;
      if (code === undefined || !COORDINATOR_RETRIABLE.has(code)) throw err;
      if (attempt >= COORDINATOR_RETRIES) throw err;
      await new Promise((resolve) => setTimeout(resolve, COORDINATOR_RETRY_BACKOFF_MS));
    }
  }
}

export interface ListedGroup {
  groupId: string;
  state: string;
  protocolType: string;
  coordinator: number;
}

export async function listGroups(client: KafkaClient): Promise<ListedGroup[]> {
  const all: ListedGroup[] = [];
  for (const broker of client.brokers) {
    const response = await client.send(broker.nodeId, ApiKey.ListGroups, 4, {
      statesFilter: [],
    });
    check(response.errorCode, `ListGroups on broker ${broker.nodeId}`);
    for (const g of response.groups) {
      all.push({
        groupId: g.groupId,
        state: g.groupState,
        protocolType: g.protocolType,
        coordinator: broker.nodeId,
      });
    }
  }
  return all.sort((a, b) => a.groupId.localeCompare(b.groupId));
}

export async function findCoordinator(client: KafkaClient, groupId: string): Promise<number> {
  const any = client.brokers[0];
  if (any === undefined) throw new GroupCommandError('no brokers are registered');
  const response = await client.send(any.nodeId, ApiKey.FindCoordinator, 2, {
    key: groupId,
    keyType: 0,
  });
  check(response.errorCode, `finding the coordinator of ${groupId}`);
  client.learn([{ nodeId: response.nodeId, host: response.host, port: response.port }]);
  return response.nodeId;
}

export interface PartitionRow {
  topic: string;
  partition: number;
  /** -1 when the group has committed nothing for the partition. */
  currentOffset: number;
  logStartOffset: number;
  logEndOffset: number;
  /** logEndOffset - currentOffset, or undefined when nothing is committed. */
  lag: number | undefined;
  consumerId: string | null;
  host: string | null;
  clientId: string | null;
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  coordinator: number;
  members: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    host: string;
    assignment: { topic: string; partitions: number[] }[];
  }[];
  partitions: PartitionRow[];
}

export async function describeGroup(
  client: KafkaClient,
  groupId: string,
): Promise<GroupDescription> {
  // The group's coordinator, asked again if it moved (a preferred election just ran) or is
  // still loading the group from __consumer_offsets.
  const { coordinator, group, fetched } = await withCoordinator(
    client,
    groupId,
    async (coordinator) => {
      const described = await client.send(coordinator, ApiKey.DescribeGroups, 4, {
        groups: [groupId],
        includeAuthorizedOperations: false,
      });
      const group = described.groups[0]!;
      check(group.errorCode, `describing ${groupId}`);
      const fetched = await client.send(coordinator, ApiKey.OffsetFetch, 7, {
        groupId,
        topics: null,
        requireStable: false,
      });
      check(fetched.errorCode, `fetching the offsets of ${groupId}`);
      return { coordinator, group, fetched };
    },
  );
  const members = group.members.map((m) => ({
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    clientId: m.clientId,
    host: m.clientHost,
    assignment:
      group.protocolType === 'consumer'
        ? decodeConsumerAssignment(m.memberAssignment).assignedPartitions
        : [],
  }));
  const committed = new Map<string, number>();
  for (const t of fetched.topics) {
    for (const p of t.partitions) {
      if (p.errorCode === ErrorCode.NONE && p.committedOffset >= 0n) {
        committed.set(`${t.name}\u0000${p.partitionIndex}`, Number(p.committedOffset));
      }
    }
  }
  // Every partition that is committed or assigned gets a row.
  const owner = new Map<string, (typeof members)[number]>();
  for (const m of members) {
    for (const a of m.assignment) {
      for (const p of a.partitions) owner.set(`${a.topic}\u0000${p}`, m);
    }
  }
  const keys = [...new Set([...committed.keys(), ...owner.keys()])];
  const ends = await logOffsets(
    client,
    keys.map((k) => splitKey(k)),
  );
  const partitions = keys
    .map((k) => {
      const { topic, partition } = splitKey(k);
      const end = ends.get(k) ?? { logStartOffset: -1, logEndOffset: -1 };
      const currentOffset = committed.get(k) ?? -1;
      const m = owner.get(k);
      return {
        topic,
        partition,
        currentOffset,
        ...end,
        lag:
          currentOffset >= 0 && end.logEndOffset >= 0
            ? end.logEndOffset - currentOffset
            : undefined,
        consumerId: m?.memberId ?? null,
        host: m?.host ?? null,
        clientId: m?.clientId ?? null,
      };
    })
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  return {
    groupId,
    state: group.groupState,
    protocolType: group.protocolType,
    protocol: group.protocolData,
    coordinator,
    members,
    partitions,
  };
}

function splitKey(key: string): { topic: string; partition: number } {
  const at = key.lastIndexOf('\u0000');
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}

/** Partitions of `topic` (or of every topic) and their leaders, from Metadata. */
export async function partitionLeaders(
  client: KafkaClient,
  topics: readonly string[],
): Promise<Map<string, number>> {
  const any = client.brokers[0];
  if (any === undefined) throw new GroupCommandError('no brokers are registered');
  const metadata = await client.send(any.nodeId, ApiKey.Metadata, 9, {
    topics: topics.map((name) => ({ name })),
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  });
  client.learn(metadata.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })));
  const leaders = new Map<string, number>();
  for (const t of metadata.topics) {
    check(t.errorCode, `metadata of ${t.name}`);
    for (const p of t.partitions) leaders.set(`${t.name}\u0000${p.partitionIndex}`, p.leaderId);
  }
  return leaders;
}

/** The log start and end offsets of each partition, asked of its leader. */
export async function logOffsets(
  client: KafkaClient,
  partitions: readonly { topic: string; partition: number }[],
): Promise<Map<string, { logStartOffset: number; logEndOffset: number }>> {
  const result = new Map<string, { logStartOffset: number; logEndOffset: number }>();
  if (partitions.length === 0) return result;
  const leaders = await partitionLeaders(client, [...new Set(partitions.map((p) => p.topic))]);
  for (const timestamp of [-2n, -1n]) {
    const byLeader = new Map<number, { topic: string; partition: number }[]>();
    for (const p of partitions) {
      const leader = leaders.get(`${p.topic}\u0000${p.partition}`);
      if (leader === undefined || leader < 0) continue;
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    for (const [leader, list] of byLeader) {
      const topics = [...new Set(list.map((p) => p.topic))].map((name) => ({
        name,
        partitions: list
          .filter((p) => p.topic === name)
          .map((p) => ({ partitionIndex: p.partition, currentLeaderEpoch: -1, timestamp })),
      }));
      const response = await client.send(leader, ApiKey.ListOffsets, 5, {
        replicaId: -1,
        isolationLevel: 0,
        topics,
      });
      for (const t of response.topics) {
        for (const p of t.partitions) {
          check(p.errorCode, `ListOffsets of ${t.name}-${p.partitionIndex}`);
          const key = `${t.name}\u0000${p.partitionIndex}`;
          const entry = result.get(key) ?? { logStartOffset: -1, logEndOffset: -1 };
          if (timestamp === -2n) entry.logStartOffset = Number(p.offset);
          else entry.logEndOffset = Number(p.offset);
          result.set(key, entry);
        }
      }
    }
  }
  return result;
}

export type ResetSpec =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'offset'; offset: number }
  | { kind: 'datetime'; timestampMs: number }
  | { kind: 'shift'; by: number };

export interface PlannedReset {
  topic: string;
  partition: number;
  currentOffset: number;
  newOffset: number;
}

/**
 * The new offsets for a reset of `topic` (all its partitions). Like Kafka's tool, the group
 * must be inactive (Empty or Dead): members would overwrite the offsets with their own.
 */
export async function planOffsetReset(
  client: KafkaClient,
  groupId: string,
  topic: string,
  spec: ResetSpec,
): Promise<PlannedReset[]> {
  const description = await describeGroup(client, groupId);
  if (description.state !== 'Empty' && description.state !== 'Dead') {
    throw new GroupCommandError(
      `group ${groupId} is ${description.state}: reset offsets only of an inactive group ` +
        '(stop its consumers first)',
    );
  }
  const leaders = await partitionLeaders(client, [topic]);
  const partitions = [...leaders.keys()].map(splitKey);
  const ends = await logOffsets(client, partitions);
  const current = new Map(
    description.partitions.map((p) => [`${p.topic}\u0000${p.partition}`, p.currentOffset]),
  );
  const byTime = spec.kind === 'datetime' ? await offsetsForTime(client, partitions, spec) : null;
  return partitions
    .map(({ topic: t, partition }) => {
      const key = `${t}\u0000${partition}`;
      const { logStartOffset, logEndOffset } = ends.get(key)!;
      const currentOffset = current.get(key) ?? -1;
      let target: number;
      switch (spec.kind) {
        case 'earliest':
          target = logStartOffset;
          break;
        case 'latest':
          target = logEndOffset;
          break;
        case 'offset':
          target = spec.offset;
          break;
        case 'shift':
          target = (currentOffset >= 0 ? currentOffset : logStartOffset) + spec.by;
          break;
        case 'datetime': {
          const found = byTime!.get(key);
          target = found === undefined || found < 0 ? logEndOffset : found;
          break;
        }
        default: {
          const never: never = spec;
          throw new Error(`unknown reset ${JSON.stringify(never)}`);
        }
      }
      const newOffset = Math.min(Math.max(target, logStartOffset), logEndOffset);
      return { topic: t, partition, currentOffset, newOffset };
    })
    .sort((a, b) => a.partition - b.partition);
}

async function offsetsForTime(
  client: KafkaClient,
  partitions: { topic: string; partition: number }[],
  spec: { timestampMs: number },
): Promise<Map<string, number>> {
  const leaders = await partitionLeaders(client, [...new Set(partitions.map((p) => p.topic))]);
  const result = new Map<string, number>();
  for (const p of partitions) {
    const key = `${p.topic}\u0000${p.partition}`;
    const response = await client.send(leaders.get(key)!, ApiKey.ListOffsets, 5, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [
        {
          name: p.topic,
          partitions: [
            {
              partitionIndex: p.partition,
              currentLeaderEpoch: -1,
              timestamp: BigInt(spec.timestampMs),
            },
          ],
        },
      ],
    });
    const answer = response.topics[0]!.partitions[0]!;
    check(answer.errorCode, `ListOffsets of ${p.topic}-${p.partition}`);
    result.set(key, Number(answer.offset));
  }
  return result;
}

/** Commits offsets for an inactive group, as a consumer without group management would. */
export async function commitOffsets(
  client: KafkaClient,
  groupId: string,
  offsets: readonly { topic: string; partition: number; newOffset: number }[],
): Promise<void> {
  await withCoordinator(client, groupId, (coordinator) =>
    commitOffsetsTo(client, coordinator, groupId, offsets),
  );
}

async function commitOffsetsTo(
  client: KafkaClient,
  coordinator: number,
  groupId: string,
  offsets: readonly { topic: string; partition: number; newOffset: number }[],
): Promise<void> {
  const topics = [...new Set(offsets.map((o) => o.topic))].map((name) => ({
    name,
    partitions: offsets
      .filter((o) => o.topic === name)
      .map((o) => ({
        partitionIndex: o.partition,
        committedOffset: BigInt(o.newOffset),
        committedLeaderEpoch: -1,
        committedMetadata: '',
      })),
  }));
  const response = await client.send(coordinator, ApiKey.OffsetCommit, 7, {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    topics,
  });
  for (const t of response.topics) {
    for (const p of t.partitions) check(p.errorCode, `committing ${t.name}-${p.partitionIndex}`);
  }
}

export async function deleteGroup(client: KafkaClient, groupId: string): Promise<void> {
  await withCoordinator(client, groupId, async (coordinator) => {
    const response = await client.send(coordinator, ApiKey.DeleteGroups, 2, {
      groupsNames: [groupId],
    });
    check(response.results[0]!.errorCode, `deleting ${groupId}`);
  });
}
