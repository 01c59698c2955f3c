/**
 * The Kafka APIs of the group coordinator: request bodies (any advertised version) in,
 * response bodies out, with the decisions left to group-coordinator.ts. Modelled on the group
 * part of Kafka's `KafkaApis` (2.8: handleFindCoordinatorRequest, handleJoinGroupRequest...).
 *
 *   FindCoordinator 10  which broker leads the group's __consumer_offsets partition (v4: many
 *                       keys at once); the topic is created on first use. Key type
 *                       TRANSACTION is answered by the transaction coordinator's lookup
 *   JoinGroup 11, SyncGroup 14, Heartbeat 12, LeaveGroup 13   the group protocol
 *   OffsetCommit 8, OffsetFetch 9 (v8: many groups), OffsetDelete 47   committed offsets
 *   TxnOffsetCommit 28  offsets committed inside a producer's transaction (pending until
 *                       its marker: GroupCoordinator.onTxnCompleted)
 *   ListGroups 16, DescribeGroups 15, DeleteGroups 42                   admin
 *
 * `groupApiHandlers` lists them with their version ranges, for the broker's handler table.
 * Where versions differ in meaning (not just in which fields exist), the handler says so.
 */
import type { Logger } from '../../src/logger.js';
import type { DecodedRequest, Encodable } from '../../src/protocol/kafka/codec.js';
import { ApiKey, recommendedRange } from '../../src/protocol/kafka/api-keys.js';
import { ErrorCode, errorCodeOf } from '../../src/protocol/kafka/errors.js';
import type {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  SyncGroupRequest,
  SyncGroupResponse,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse,
} from '../../src/protocol/kafka/generated/index.js';
import {
  apiHandler,
  type AnyApiHandler,
  type ConnectionInfo,
  type HandlerResult,
} from '../network/api-handler-table.js';
import type { ControllerAdmin } from '../server/admin-apis.js';
import type { ConnectionSession } from '../security/session.js';
import type { MetadataCache } from '../server/metadata-cache.js';
import type { GroupCoordinator, OffsetCommitParams } from './group-coordinator.js';
import type { JoinGroupResult } from './group-metadata.js';
import { offsetKey, parseOffsetKey, type CommittedOffset } from './group-metadata.js';
import { GROUP_METADATA_TOPIC_NAME, type GroupMetadataManager } from './group-metadata-manager.js';

/** FindCoordinator key types. */
const KeyType = { GROUP: 0, TRANSACTION: 1 } as const;

/** DescribeGroups when authorized operations were not asked for (Kafka's Int.MinValue). */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

export interface GroupApisOptions {
  coordinator: GroupCoordinator;
  manager: GroupMetadataManager;
  metadataCache: MetadataCache;
  controllerAdmin: Pick<ControllerAdmin, 'autoCreateTopic'>;
  /** offsets.topic.replication.factor (3): brokers needed before the topic is created. */
  offsetsTopicReplicationFactor: number;
  logger: Logger;
}

/** One entry of the broker's handler table. */

/** Answers FindCoordinator for a transactional id (the transaction coordinator's APIs). */
export type TransactionCoordinatorLookup = (
  transactionalId: string,
  listenerName: string | undefined,
  session: ConnectionSession | undefined,
) => Promise<{
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}>;

export class GroupApis {
  readonly #o: GroupApisOptions;
  readonly #log: Logger;
  #findTransactionCoordinator: TransactionCoordinatorLookup | undefined;

  constructor(options: GroupApisOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'group-apis' });
  }

  // ---------------------------------------------------------------------------------------
  // FindCoordinator (10)
  // ---------------------------------------------------------------------------------------

  /**
   * FindCoordinator keys of type TRANSACTION go to the transaction coordinator (built after
   * the group coordinator, since AddOffsetsToTxn needs the groups' partitioning).
   */
  setTransactionCoordinatorLookup(lookup: TransactionCoordinatorLookup): void {
    this.#findTransactionCoordinator = lookup;
  }

  async findCoordinator(
    request: FindCoordinatorRequest,
    apiVersion: number,
    listenerName?: string,
    session?: ConnectionSession,
  ): Promise<Encodable<FindCoordinatorResponse>> {
    const keyType = apiVersion >= 1 ? request.keyType : KeyType.GROUP;
    if (apiVersion >= 4) {
      const coordinators = [];
      for (const key of request.coordinatorKeys) {
        coordinators.push({
          key,
          ...(await this.#coordinatorFor(key, keyType, listenerName, session)),
        });
      }
      return { throttleTimeMs: 0, coordinators };
    }
    const found = await this.#coordinatorFor(request.key, keyType, listenerName, session);
    return {
      throttleTimeMs: 0,
      ...found,
      errorMessage: apiVersion >= 1 ? found.errorMessage : null,
    };
  }

  async #coordinatorFor(
    key: string,
    keyType: number,
    listenerName?: string,
    session?: ConnectionSession,
  ) {
    const none = (errorCode: number, errorMessage: string | null = null) => ({
      errorCode,
      errorMessage,
      nodeId: -1,
      host: '',
      port: -1,
    });
    if (keyType === KeyType.TRANSACTION) {
      const lookup = this.#findTransactionCoordinator;
      if (lookup === undefined) {
        return none(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'no transaction coordinator');
      }
      return lookup(key, listenerName, session);
    }
    if (keyType !== KeyType.GROUP) return none(ErrorCode.INVALID_REQUEST, `key type ${keyType}`);
    const snapshot = this.#o.metadataCache.snapshot;
    if (!snapshot.hasTopic(GROUP_METADATA_TOPIC_NAME)) {
      return none(ErrorCode.COORDINATOR_NOT_AVAILABLE, await this.#createOffsetsTopic());
    }
    const partition = this.#o.manager.partitionFor(key);
    const state = snapshot.partition({ topic: GROUP_METADATA_TOPIC_NAME, partition });
    // The coordinator's endpoint on the listener the client came in on.
    const leader = state !== undefined ? snapshot.brokerOn(state.leader, listenerName) : undefined;
    if (leader === undefined) return none(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    return { errorCode: ErrorCode.NONE, errorMessage: null, ...hostOf(leader) };
  }

  /**
   * `__consumer_offsets` is created by the first FindCoordinator, with
   * offsets.topic.num.partitions partitions and offsets.topic.replication.factor replicas.
   * As in Kafka, not before that many brokers are alive: the factor is never silently
   * lowered, a single-broker cluster sets it to 1 in its configuration.
   */
  async #createOffsetsTopic(): Promise<string> {
    const alive = this.#o.metadataCache.snapshot.brokers.size;
    const needed = this.#o.offsetsTopicReplicationFactor;
    if (alive < needed) {
      return (
        `${GROUP_METADATA_TOPIC_NAME} needs ${needed} alive brokers ` +
        `(offsets.topic.replication.factor) and there are ${alive}`
      );
    }
    try {
      await this.#o.controllerAdmin.autoCreateTopic(GROUP_METADATA_TOPIC_NAME);
      this.#log.info('created __consumer_offsets');
    } catch (err) {
      if (errorCodeOf(err) !== ErrorCode.TOPIC_ALREADY_EXISTS) {
        this.#log.warn({ err }, 'creating __consumer_offsets failed');
      }
    }
    return `${GROUP_METADATA_TOPIC_NAME} is being created`;
  }

  // ---------------------------------------------------------------------------------------
  // JoinGroup (11), SyncGroup (14), Heartbeat (12), LeaveGroup (13)
  // ---------------------------------------------------------------------------------------

  async joinGroup(
    request: JoinGroupRequest,
    apiVersion: number,
    clientId: string,
    connection: ConnectionInfo,
  ): Promise<Encodable<JoinGroupResponse>> {
    const result = await new Promise<JoinGroupResult>((resolve) =>
      this.#o.coordinator.joinGroup(
        {
          groupId: request.groupId,
          memberId: request.memberId,
          groupInstanceId: apiVersion >= 5 ? request.groupInstanceId : null,
          // v4+ clients understand MEMBER_ID_REQUIRED; older ones get their id at once.
          requireKnownMemberId: apiVersion >= 4,
          clientId,
          clientHost: clientHostOf(connection.remoteAddress),
          // v0 had a single timeout for both.
          rebalanceTimeoutMs:
            apiVersion >= 1 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
          sessionTimeoutMs: request.sessionTimeoutMs,
          protocolType: request.protocolType,
          protocols: request.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
        },
        resolve,
      ),
    );
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      generationId: result.generationId,
      protocolType: result.protocolType,
      // Nullable only from v7; before, an error reply carries ''.
      protocolName: result.protocolName ?? (apiVersion >= 7 ? null : ''),
      leader: result.leaderId,
      memberId: result.memberId,
      members: result.members,
    };
  }

  async syncGroup(
    request: SyncGroupRequest,
    apiVersion: number,
  ): Promise<Encodable<SyncGroupResponse>> {
    const result = await new Promise<{
      errorCode: number;
      protocolType: string | null;
      protocolName: string | null;
      assignment: Buffer;
    }>((resolve) =>
      this.#o.coordinator.syncGroup(
        {
          groupId: request.groupId,
          generationId: request.generationId,
          memberId: request.memberId,
          groupInstanceId: apiVersion >= 3 ? request.groupInstanceId : null,
          protocolType: apiVersion >= 5 ? request.protocolType : null,
          protocolName: apiVersion >= 5 ? request.protocolName : null,
          assignments: request.assignments,
        },
        resolve,
      ),
    );
    return { throttleTimeMs: 0, ...result };
  }

  heartbeat(request: HeartbeatRequest, apiVersion: number): Encodable<HeartbeatResponse> {
    const errorCode = this.#o.coordinator.heartbeat({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: apiVersion >= 3 ? request.groupInstanceId : null,
      generationId: request.generationId,
    });
    return { throttleTimeMs: 0, errorCode };
  }

  /** v0-2 name one member; v3+ a batch (KIP-345: an admin removing static members). */
  leaveGroup(request: LeaveGroupRequest, apiVersion: number): Encodable<LeaveGroupResponse> {
    const leaving =
      apiVersion >= 3
        ? request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
        : [{ memberId: request.memberId, groupInstanceId: null }];
    const result = this.#o.coordinator.leaveGroup(request.groupId, leaving);
    if (apiVersion >= 3) return { throttleTimeMs: 0, ...result };
    // The single member's outcome is the reply's error.
    const errorCode =
      result.errorCode !== ErrorCode.NONE ? result.errorCode : (result.members[0]?.errorCode ?? 0);
    return { throttleTimeMs: 0, errorCode, members: [] };
  }

  // ---------------------------------------------------------------------------------------
  // OffsetCommit (8), OffsetFetch (9), OffsetDelete (47)
  // ---------------------------------------------------------------------------------------

  async offsetCommit(
    request: OffsetCommitRequest,
    apiVersion: number,
  ): Promise<Encodable<OffsetCommitResponse>> {
    return this.#commit(request.topics, apiVersion >= 6, (offsets) =>
      this.#o.coordinator.commitOffsets({
        groupId: request.groupId,
        memberId: request.memberId,
        groupInstanceId: apiVersion >= 7 ? request.groupInstanceId : null,
        generationId: request.generationIdOrMemberEpoch,
        // v2-4 could ask for a retention of their own; -1 means the broker's.
        retentionTimeMs: apiVersion >= 2 && apiVersion <= 4 ? Number(request.retentionTimeMs) : -1,
        offsets,
      }),
    );
  }

  /**
   * TxnOffsetCommit (28): a transactional producer's sendOffsetsToTransaction. v3 (KIP-447)
   * adds the consumer's generation, member and instance id, checked when given.
   */
  async txnOffsetCommit(
    request: TxnOffsetCommitRequest,
    apiVersion: number,
  ): Promise<Encodable<TxnOffsetCommitResponse>> {
    return this.#commit(request.topics, apiVersion >= 2, (offsets) =>
      this.#o.coordinator.commitTransactionalOffsets({
        transactionalId: request.transactionalId,
        groupId: request.groupId,
        producerId: request.producerId,
        producerEpoch: request.producerEpoch,
        generationId: apiVersion >= 3 ? request.generationId : -1,
        memberId: apiVersion >= 3 ? request.memberId : '',
        groupInstanceId: apiVersion >= 3 ? request.groupInstanceId : null,
        offsets,
      }),
    );
  }

  /**
   * What OffsetCommit and TxnOffsetCommit share: the offsets of the partitions that exist go
   * to `commit` (which answers an error code per `offsetKey`); a partition that does not
   * exist gets UNKNOWN_TOPIC_OR_PARTITION, as in Kafka; the answer has the request's shape.
   */
  async #commit(
    topics: readonly {
      name: string;
      partitions: readonly {
        partitionIndex: number;
        committedOffset: bigint;
        committedLeaderEpoch: number;
        committedMetadata: string | null;
      }[];
    }[],
    withLeaderEpoch: boolean,
    commit: (offsets: OffsetCommitParams['offsets']) => Promise<Map<string, number>>,
  ) {
    const snapshot = this.#o.metadataCache.snapshot;
    const known = (topic: string, partition: number) =>
      snapshot.partition({ topic, partition }) !== undefined;
    const offsets = topics.flatMap((topic) =>
      topic.partitions
        .filter((p) => known(topic.name, p.partitionIndex))
        .map((p) => ({
          topic: topic.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: withLeaderEpoch ? p.committedLeaderEpoch : -1,
          metadata: p.committedMetadata,
        })),
    );
    const results = offsets.length > 0 ? await commit(offsets) : new Map<string, number>();
    return {
      throttleTimeMs: 0,
      topics: topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: known(topic.name, p.partitionIndex)
            ? (results.get(offsetKey(topic.name, p.partitionIndex)) ?? ErrorCode.NONE)
            : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        })),
      })),
    };
  }

  offsetFetch(request: OffsetFetchRequest, apiVersion: number): Encodable<OffsetFetchResponse> {
    if (apiVersion >= 8) {
      return {
        throttleTimeMs: 0,
        groups: request.groups.map((g) => {
          const answer = this.#fetchGroupOffsets(
            g.groupId,
            g.topics,
            apiVersion,
            request.requireStable,
          );
          return { groupId: g.groupId, errorCode: answer.errorCode, topics: answer.topics };
        }),
      };
    }
    const answer = this.#fetchGroupOffsets(
      request.groupId,
      request.topics,
      apiVersion,
      apiVersion >= 7 && request.requireStable,
    );
    return { throttleTimeMs: 0, errorCode: answer.errorCode, topics: answer.topics };
  }

  #fetchGroupOffsets(
    groupId: string,
    topics: readonly { name: string; partitionIndexes: readonly number[] }[] | null,
    apiVersion: number,
    requireStable: boolean,
  ) {
    const requested =
      topics?.flatMap((t) =>
        t.partitionIndexes.map((partition) => ({ topic: t.name, partition })),
      ) ?? null;
    const { errorCode, offsets, unstable } = this.#o.coordinator.fetchOffsets(
      groupId,
      requested,
      requireStable,
    );
    const entry = (partition: number, committed: CommittedOffset | undefined, error = 0) => ({
      partitionIndex: partition,
      committedOffset: committed?.offset ?? -1n,
      committedLeaderEpoch: committed?.leaderEpoch ?? -1,
      metadata: committed?.metadata ?? '',
      errorCode: error,
    });
    if (errorCode !== ErrorCode.NONE) {
      // v1 has no group-level error: every requested partition carries it instead.
      if (apiVersion >= 2 || requested === null) return { errorCode, topics: [] };
      return {
        errorCode,
        topics: (topics ?? []).map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((p) => entry(p, undefined, errorCode)),
        })),
      };
    }
    const byTopic = new Map<string, ReturnType<typeof entry>[]>();
    for (const [key, committed] of offsets) {
      const { topic, partition } = parseOffsetKey(key);
      const list = byTopic.get(topic) ?? [];
      list.push(
        unstable.has(key)
          ? entry(partition, undefined, ErrorCode.UNSTABLE_OFFSET_COMMIT)
          : entry(partition, committed),
      );
      byTopic.set(topic, list);
    }
    return {
      errorCode,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
    };
  }

  async offsetDelete(request: OffsetDeleteRequest): Promise<Encodable<OffsetDeleteResponse>> {
    const snapshot = this.#o.metadataCache.snapshot;
    const known = (topic: string, partition: number) =>
      snapshot.partition({ topic, partition }) !== undefined;
    const partitions = request.topics.flatMap((t) =>
      t.partitions
        .filter((p) => known(t.name, p.partitionIndex))
        .map((p) => ({ topic: t.name, partition: p.partitionIndex })),
    );
    const result = await this.#o.coordinator.deleteOffsets(request.groupId, partitions);
    if (result.errorCode !== ErrorCode.NONE) {
      return { errorCode: result.errorCode, throttleTimeMs: 0, topics: [] };
    }
    return {
      errorCode: ErrorCode.NONE,
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: known(t.name, p.partitionIndex)
            ? (result.partitions.get(offsetKey(t.name, p.partitionIndex)) ?? ErrorCode.NONE)
            : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        })),
      })),
    };
  }

  // ---------------------------------------------------------------------------------------
  // ListGroups (16), DescribeGroups (15), DeleteGroups (42)
  // ---------------------------------------------------------------------------------------

  listGroups(request: ListGroupsRequest, apiVersion: number): Encodable<ListGroupsResponse> {
    const loading = this.#o.manager.isLoading;
    const groups = this.#o.coordinator.listGroups(apiVersion >= 4 ? request.statesFilter : []);
    return {
      throttleTimeMs: 0,
      errorCode: loading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE,
      groups: groups.map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        groupState: g.state,
      })),
    };
  }

  describeGroups(request: DescribeGroupsRequest): Encodable<DescribeGroupsResponse> {
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => {
        const { errorCode, summary } = this.#o.coordinator.describeGroup(groupId);
        return {
          errorCode,
          groupId,
          groupState: summary.state,
          protocolType: summary.protocolType,
          protocolData: summary.protocolName,
          members: summary.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: m.metadata,
            memberAssignment: m.assignment,
          })),
          authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
        };
      }),
    };
  }

  async deleteGroups(request: DeleteGroupsRequest): Promise<Encodable<DeleteGroupsResponse>> {
    const results = await this.#o.coordinator.deleteGroups(request.groupsNames);
    return {
      throttleTimeMs: 0,
      results: request.groupsNames.map((groupId) => ({
        groupId,
        errorCode: results.get(groupId) ?? ErrorCode.NONE,
      })),
    };
  }

  /** Dispatch by API key, for the handler table. */
  handle(
    request: DecodedRequest,
    connection: ConnectionInfo,
  ): Promise<HandlerResult> | HandlerResult {
    const v = request.apiVersion;
    switch (request.apiKey) {
      case ApiKey.FindCoordinator:
        return this.findCoordinator(
          request.body,
          v,
          connection.session.listenerName,
          connection.session,
        );
      case ApiKey.JoinGroup:
        return this.joinGroup(request.body, v, request.clientId ?? '', connection);
      case ApiKey.SyncGroup:
        return this.syncGroup(request.body, v);
      case ApiKey.Heartbeat:
        return this.heartbeat(request.body, v);
      case ApiKey.LeaveGroup:
        return this.leaveGroup(request.body, v);
      case ApiKey.OffsetCommit:
        return this.offsetCommit(request.body, v);
      case ApiKey.OffsetFetch:
        return this.offsetFetch(request.body, v);
      case ApiKey.OffsetDelete:
        return this.offsetDelete(request.body);
      case ApiKey.TxnOffsetCommit:
        return this.txnOffsetCommit(request.body, v);
      case ApiKey.ListGroups:
        return this.listGroups(request.body, v);
      case ApiKey.DescribeGroups:
        return this.describeGroups(request.body);
      case ApiKey.DeleteGroups:
        return this.deleteGroups(request.body);
      default:
        throw new Error(`the group APIs do not handle API key ${request.apiKey}`);
    }
  }
}

/** The APIs this module answers, with the advertised version ranges (api-keys.ts). */
export const GROUP_API_KEYS = [
  ApiKey.FindCoordinator,
  ApiKey.JoinGroup,
  ApiKey.SyncGroup,
  ApiKey.Heartbeat,
  ApiKey.LeaveGroup,
  ApiKey.OffsetCommit,
  ApiKey.OffsetFetch,
  ApiKey.OffsetDelete,
  ApiKey.TxnOffsetCommit,
  ApiKey.ListGroups,
  ApiKey.DescribeGroups,
  ApiKey.DeleteGroups,
] as const;

/** The handler-table rows: one per API, at the range of src/protocol/kafka/api-keys.ts. */
export function groupApiHandlers(apis: GroupApis): AnyApiHandler[] {
  return GROUP_API_KEYS.map((apiKey) =>
    apiHandler(apiKey, recommendedRange(apiKey), (request, connection) =>
      apis.handle(request, connection),
    ),
  );
}

function hostOf(broker: { id: number; host: string; port: number }) {
  return { nodeId: broker.id, host: broker.host, port: broker.port };
}

/** Kafka shows a member's host as Java's InetAddress.toString() does: "/127.0.0.1". */
function clientHostOf(remoteAddress: string): string {
  const host = remoteAddress.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return `/${host}`;
}
