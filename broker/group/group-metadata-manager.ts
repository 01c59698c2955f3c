/**
 * Where groups live on disk: the `__consumer_offsets` topic. Modelled on Kafka's
 * `GroupMetadataManager` (2.8). This is the GroupStore of group-coordinator.ts: it decides
 * which broker coordinates a group, writes group and offset records through the replica
 * manager, and reads a partition back into memory when this broker becomes its leader.
 *
 * Which partition: `abs(javaStringHashCode(groupId)) % partitionCount` (group-records.ts),
 * where the count is that of the existing topic (offsets.topic.num.partitions, 50, when it is
 * created). The coordinator of a group is the leader of that partition, so a group moves with
 * its partition's leadership and its state moves with the partition's replicas.
 *
 * Writes: one record batch per write, appended as the leader with acks=-1 semantics (the
 * reply waits until every in-sync replica has the batch, up to offsets.commit.timeout.ms),
 * so an acknowledged commit survives the loss of the leader. Keys and values are Kafka's
 * (group-records.ts); a tombstone (null value) deletes a key.
 *
 * Transactional offsets (TxnOffsetCommit): appended as a transactional batch with the
 * producer's id and epoch, and pending until the transaction's marker on the same partition.
 * The loader does the same: offsets of a transactional batch wait for their producer's
 * COMMIT marker (then they count, in log order) or ABORT marker (then they are dropped);
 * those still waiting at the end of the log are the group's pending offsets.
 *
 * Loading: when this broker leads a partition at a leader epoch it has not loaded, the
 * partition is read from its log start to its log end, keeping the last record of each key
 * (what log compaction would keep), and the groups are handed to the coordinator. Until then
 * every request for those groups gets COORDINATOR_LOAD_IN_PROGRESS; when the partition is
 * led elsewhere, NOT_COORDINATOR and the groups are dropped from memory. Kafka learns of
 * these changes from LeaderAndIsr; we look at the replica manager's partitions whenever the
 * metadata cache is updated (the controller follows each LeaderAndIsr with an
 * UpdateMetadata) and again on every group request, which needs no hook in the replica
 * manager and cannot miss a change.
 */
import type { Logger } from '../../src/logger.js';
import type { Scheduler } from '../../src/scheduler.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import {
  buildRecordBatch,
  checkBatchIntegrity,
  decodeRecords,
  readBatches,
  type RecordInput,
} from '../../src/protocol/kafka/record-batch.js';
import {
  decodeGroupMetadataValue,
  decodeGroupRecordKey,
  decodeOffsetCommitValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  partitionForGroup,
  type GroupMetadataValue,
} from '../../src/protocol/kafka/group-records.js';
import type { MetadataCache } from '../server/metadata-cache.js';
import type { ReplicaManager } from '../server/replica-manager.js';
import type { GroupCoordinator, GroupStore, TxnProducer } from './group-coordinator.js';
import {
  GroupMetadata,
  MemberMetadata,
  offsetKey,
  parseOffsetKey,
  type CommittedOffset,
} from './group-metadata.js';

export const GROUP_METADATA_TOPIC_NAME = '__consumer_offsets';

export interface GroupMetadataManagerOptions {
  brokerId: number;
  replicaManager: ReplicaManager;
  metadataCache: MetadataCache;
  scheduler: Scheduler;
  logger: Logger;
  /** offsets.topic.num.partitions (50): used until the topic exists. */
  offsetsTopicNumPartitions: number;
  /** offsets.commit.timeout.ms (5000): how long an acks=-1 write may wait. */
  offsetCommitTimeoutMs: number;
  /** Bytes read per step while loading a partition (offsets.load.buffer.size, 5 MiB). */
  loadBufferBytes?: number;
}

type PartitionLoad =
  | { state: 'loading'; leaderEpoch: number }
  | { state: 'loaded'; leaderEpoch: number };

export class GroupMetadataManager implements GroupStore {
  readonly #options: GroupMetadataManagerOptions;
  readonly #log: Logger;
  /** Partitions of __consumer_offsets this broker leads, by the epoch loaded (or loading). */
  readonly #partitions = new Map<number, PartitionLoad>();
  #coordinator: GroupCoordinator | undefined;
  #stopListening: (() => void) | undefined;

  constructor(options: GroupMetadataManagerOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'group-metadata-manager' });
  }

  /** Connects the coordinator that receives loaded groups, and starts watching leadership. */
  startup(coordinator: GroupCoordinator): void {
    this.#coordinator = coordinator;
    this.#stopListening = this.#options.metadataCache.onUpdate(() => this.syncPartitions());
    this.syncPartitions();
  }

  shutdown(): void {
    this.#stopListening?.();
    this.#partitions.clear();
  }

  get partitionCount(): number {
    const topic = this.#options.metadataCache.snapshot.topics.get(GROUP_METADATA_TOPIC_NAME);
    return topic !== undefined && topic.size > 0
      ? topic.size
      : this.#options.offsetsTopicNumPartitions;
  }

  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.partitionCount);
  }

  /** Partitions being loaded right now (ListGroups answers COORDINATOR_LOAD_IN_PROGRESS). */
  get isLoading(): boolean {
    this.syncPartitions();
    return [...this.#partitions.values()].some((p) => p.state === 'loading');
  }

  coordinatorError(groupId: string): number {
    const partition = this.partitionFor(groupId);
    this.#syncPartition(partition);
    const load = this.#partitions.get(partition);
    if (load === undefined) return ErrorCode.NOT_COORDINATOR;
    return load.state === 'loaded' ? ErrorCode.NONE : ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
  }

  /**
   * Compares what we have loaded with what the replica manager says we lead: loads newly led
   * partitions (or ones led again at a newer epoch) and unloads those led elsewhere now.
   */
  syncPartitions(): void {
    const led = new Set<number>();
    for (const p of this.#options.replicaManager.allPartitions()) {
      if (p.topicPartition.topic === GROUP_METADATA_TOPIC_NAME) led.add(p.topicPartition.partition);
    }
    for (const partition of new Set([...led, ...this.#partitions.keys()])) {
      this.#syncPartition(partition);
    }
  }

  #syncPartition(partition: number): void {
    const hosted = this.#options.replicaManager.getPartition({
      topic: GROUP_METADATA_TOPIC_NAME,
      partition,
    });
    const load = this.#partitions.get(partition);
    const leaderEpoch = hosted?.isLeader === true ? hosted.leaderEpoch : undefined;
    if (load !== undefined && load.leaderEpoch === leaderEpoch) return;
    if (load !== undefined) this.#unload(partition);
    if (leaderEpoch !== undefined) this.#load(partition, leaderEpoch);
  }

  #unload(partition: number): void {
    this.#partitions.delete(partition);
    this.#coordinator?.unloadGroups((groupId) => this.partitionFor(groupId) === partition);
    this.#log.debug({ partition }, 'no longer coordinator for __consumer_offsets partition');
  }

  #load(partition: number, leaderEpoch: number): void {
    this.#partitions.set(partition, { state: 'loading', leaderEpoch });
    this.#log.debug({ partition, leaderEpoch }, 'loading groups of __consumer_offsets partition');
    void this.#readPartition(partition)
      .then((groups) => {
        const current = this.#partitions.get(partition);
        // Leadership moved (or a newer epoch arrived) while we read: that load is void.
        if (current?.state !== 'loading' || current.leaderEpoch !== leaderEpoch) return;
        this.#coordinator?.unloadGroups((groupId) => this.partitionFor(groupId) === partition);
        for (const group of groups) this.#coordinator?.loadGroup(group);
        this.#partitions.set(partition, { state: 'loaded', leaderEpoch });
        // Most partitions hold no group: only those that do are worth an info line.
        this.#log[groups.length > 0 ? 'info' : 'debug'](
          { partition, leaderEpoch, groups: groups.length },
          'loaded __consumer_offsets partition',
        );
      })
      .catch((err: unknown) => {
        // A corrupt record: stay "loading" (clients retry) and say why, loudly.
        this.#log.error({ err, partition }, 'loading __consumer_offsets partition failed');
      });
  }

  /** Reads a whole partition; the last record of each key wins, tombstones delete. */
  async #readPartition(partition: number): Promise<GroupMetadata[]> {
    const tp = { topic: GROUP_METADATA_TOPIC_NAME, partition };
    const groupRecords = new Map<string, GroupMetadataValue | null>();
    const offsets = new Map<string, Map<string, CommittedOffset>>();
    /** Offsets of transactions without a marker yet, by producer id, then group. */
    const pendingByProducer = new Map<number, Map<string, Map<string, CommittedOffset>>>();
    let fetchOffset = this.#options.replicaManager.getPartition(tp)?.logStartOffset ?? 0;
    for (;;) {
      const hosted = this.#options.replicaManager.getPartition(tp);
      if (hosted === undefined || fetchOffset >= hosted.logEndOffset) break;
      const outcome = hosted.read({
        fetchOffset,
        maxBytes: this.#options.loadBufferBytes ?? 5 * 1024 * 1024,
        minOneBatch: true,
        upTo: 'logEndOffset',
        currentLeaderEpoch: -1,
      });
      if (outcome.errorCode !== ErrorCode.NONE || outcome.records.length === 0) break;
      for (const batch of readBatches(outcome.records).batches) {
        fetchOffset = batch.nextOffset;
        const broken = checkBatchIntegrity(batch);
        if (broken !== undefined) throw new Error(`corrupt batch: ${broken.message}`);
        if (batch.isControl) {
          // A transaction's marker: its offsets become committed (COMMIT) or vanish (ABORT).
          const [marker] = decodeRecords(batch);
          const pending = pendingByProducer.get(batch.producerId);
          pendingByProducer.delete(batch.producerId);
          if (pending === undefined || !isCommitMarker(marker?.key ?? null)) continue;
          for (const [groupId, groupOffsets] of pending) {
            const byGroup = offsets.get(groupId) ?? new Map<string, CommittedOffset>();
            offsets.set(groupId, byGroup);
            for (const [k, o] of groupOffsets) byGroup.set(k, o);
          }
          continue;
        }
        // Offsets of a transaction go aside until its marker is read.
        let target = offsets;
        if (batch.isTransactional) {
          target =
            pendingByProducer.get(batch.producerId) ??
            new Map<string, Map<string, CommittedOffset>>();
          pendingByProducer.set(batch.producerId, target);
        }
        for (const record of decodeRecords(batch)) {
          if (record.key === null) continue;
          const key = decodeGroupRecordKey(record.key);
          if (key.type === 'group') {
            groupRecords.set(
              key.group,
              record.value === null ? null : decodeGroupMetadataValue(record.value),
            );
            continue;
          }
          const byGroup = target.get(key.key.group) ?? new Map<string, CommittedOffset>();
          target.set(key.key.group, byGroup);
          const k = offsetKey(key.key.topic, key.key.partition);
          if (record.value === null) {
            byGroup.delete(k);
            continue;
          }
          const v = decodeOffsetCommitValue(record.value);
          byGroup.set(k, {
            offset: v.offset,
            leaderEpoch: v.leaderEpoch,
            metadata: v.metadata,
            commitTimestampMs: Number(v.commitTimestampMs),
            expireTimestampMs: Number(v.expireTimestampMs),
          });
        }
      }
      // Let requests in between chunks: a big partition must not stall the broker.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const nowMs = this.#options.scheduler.nowMs();
    const groups: GroupMetadata[] = [];
    const pendingGroups = [...pendingByProducer.values()].flatMap((byGroup) => [...byGroup.keys()]);
    for (const groupId of new Set([...groupRecords.keys(), ...offsets.keys(), ...pendingGroups])) {
      if (partitionForGroup(groupId, this.partitionCount) !== partition) continue;
      const record = groupRecords.get(groupId) ?? null;
      const groupOffsets = offsets.get(groupId) ?? new Map<string, CommittedOffset>();
      const pending = [...pendingByProducer].filter(([, byGroup]) => byGroup.has(groupId));
      if (record === null && groupOffsets.size === 0 && pending.length === 0) continue;
      const group = groupFromRecords(groupId, record, groupOffsets, nowMs);
      // Transactions still open when the log ended: their marker is yet to come.
      for (const [producerId, byGroup] of pending) {
        group.addPendingTxnOffsets(BigInt(producerId), byGroup.get(groupId)!);
      }
      groups.push(group);
    }
    return groups;
  }

  // ---------------------------------------------------------------------------------------
  // Writes
  // ---------------------------------------------------------------------------------------

  async storeGroup(group: GroupMetadata, assignment: ReadonlyMap<string, Buffer>) {
    const value = encodeGroupMetadataValue({
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol: group.protocolName,
      leader: group.members.size > 0 ? group.leaderId : null,
      currentStateTimestampMs: BigInt(group.stateTimestampMs),
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        sessionTimeoutMs: m.sessionTimeoutMs,
        subscription: group.protocolName !== null ? m.metadata(group.protocolName) : EMPTY,
        assignment: assignment.get(m.memberId) ?? EMPTY,
      })),
    });
    const errorCode = await this.#append(group.groupId, [
      { key: encodeGroupMetadataKey(group.groupId), value },
    ]);
    return storeGroupError(errorCode);
  }

  async storeOffsets(
    groupId: string,
    offsets: ReadonlyMap<string, CommittedOffset>,
    producer?: TxnProducer,
  ) {
    const records: RecordInput[] = [];
    for (const [k, o] of offsets) {
      const { topic, partition } = parseOffsetKey(k);
      records.push({
        key: encodeOffsetCommitKey({ group: groupId, topic, partition }),
        value: encodeOffsetCommitValue({
          offset: o.offset,
          leaderEpoch: o.leaderEpoch,
          metadata: o.metadata,
          commitTimestampMs: BigInt(o.commitTimestampMs),
          expireTimestampMs: BigInt(o.expireTimestampMs),
        }),
      });
    }
    return storeOffsetsError(await this.#append(groupId, records, producer));
  }

  async deleteRecords(groupId: string, offsetKeys: readonly string[], group: boolean) {
    const records: RecordInput[] = offsetKeys.map((k) => {
      const { topic, partition } = parseOffsetKey(k);
      return { key: encodeOffsetCommitKey({ group: groupId, topic, partition }), value: null };
    });
    if (group) records.push({ key: encodeGroupMetadataKey(groupId), value: null });
    if (records.length === 0) return ErrorCode.NONE;
    return storeGroupError(await this.#append(groupId, records));
  }

  /**
   * A TxnOffsetCommit's batch: transactional, with the producer's id and epoch, so that the
   * partition refuses a fenced producer (INVALID_PRODUCER_EPOCH) and the transaction's marker
   * covers it (Kafka appends it the same way). The sequence continues the producer's on this
   * partition, so the batch passes the leader's idempotence checks like a client's.
   */
  #transactionalBatchFields(
    topicPartition: { topic: string; partition: number },
    producer: TxnProducer,
  ): { producerId: number; producerEpoch: number; baseSequence: number; transactional: true } {
    const producerId = Number(producer.producerId);
    const hosted = this.#options.replicaManager.getPartition(topicPartition);
    const last = hosted?.log.producerState.lastEntry(producerId);
    const lastSeq = last?.batches.at(-1)?.lastSeq;
    const baseSequence =
      last !== undefined && last.producerEpoch === producer.producerEpoch && lastSeq !== undefined
        ? (lastSeq + 1) % 2147483648
        : 0;
    return { producerId, producerEpoch: producer.producerEpoch, baseSequence, transactional: true };
  }

  async #append(groupId: string, records: RecordInput[], producer?: TxnProducer): Promise<number> {
    const topicPartition = {
      topic: GROUP_METADATA_TOPIC_NAME,
      partition: this.partitionFor(groupId),
    };
    const batch = buildRecordBatch({
      records,
      baseTimestamp: this.#options.scheduler.nowMs(),
      ...(producer !== undefined ? this.#transactionalBatchFields(topicPartition, producer) : {}),
    });
    const [result] = await this.#options.replicaManager.appendRecords({
      acks: -1,
      timeoutMs: this.#options.offsetCommitTimeoutMs,
      internalTopicsAllowed: true,
      // The coordinator's own write (Kafka's AppendOrigin.Coordinator): the epoch is still
      // checked, so a fenced producer's TxnOffsetCommit is refused.
      origin: 'coordinator',
      entries: [{ topicPartition, records: batch }],
    });
    if (result!.errorCode !== ErrorCode.NONE) {
      this.#log.warn(
        { groupId, partition: topicPartition.partition, errorCode: result!.errorCode },
        'append to __consumer_offsets failed',
      );
    }
    return result!.errorCode;
  }
}

const EMPTY = Buffer.alloc(0);

/** Control record keys: int16 version, int16 type (Kafka's ControlRecordType). */
const CONTROL_TYPE_COMMIT = 1;

function isCommitMarker(key: Buffer | null): boolean {
  return key !== null && key.length >= 4 && key.readInt16BE(2) === CONTROL_TYPE_COMMIT;
}

/** A group as its last records describe it: Stable with its members, or Empty. */
function groupFromRecords(
  groupId: string,
  record: GroupMetadataValue | null,
  offsets: Map<string, CommittedOffset>,
  nowMs: number,
): GroupMetadata {
  const hasMembers = record !== null && record.members.length > 0;
  const stateTimestampMs =
    record !== null && record.currentStateTimestampMs >= 0n
      ? Number(record.currentStateTimestampMs)
      : nowMs;
  const group = new GroupMetadata(groupId, hasMembers ? 'Stable' : 'Empty', stateTimestampMs);
  for (const [k, o] of offsets) group.offsets.set(k, o);
  if (record === null) return group;
  group.generationId = record.generation;
  group.protocolType = record.protocolType === '' ? null : record.protocolType;
  group.protocolName = record.protocol;
  for (const m of record.members) {
    const member = new MemberMetadata({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      sessionTimeoutMs: m.sessionTimeoutMs,
      protocolType: record.protocolType,
      supportedProtocols: [{ name: record.protocol ?? '', metadata: m.subscription }],
    });
    member.assignment = m.assignment;
    group.add(member);
  }
  group.leaderId = hasMembers ? record.leader : null;
  return group;
}

/** Kafka's translation of append errors for group writes (GroupMetadataManager.storeGroup). */
function storeGroupError(errorCode: number): number {
  switch (errorCode) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return errorCode;
  }
}

/** The same for offset commits (GroupMetadataManager.storeOffsets). */
function storeOffsetsError(errorCode: number): number {
  switch (errorCode) {
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.INVALID_COMMIT_OFFSET_SIZE;
    default:
      return storeGroupError(errorCode);
  }
}
