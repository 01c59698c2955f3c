/**
 * The authorizer's checks on the APIs whose handlers do not check for themselves, applied by
 * wrapping rows of the handler table (ApiHandlerTable's guard, set by main.ts when the
 * authorizer is on). What Kafka 2.8's KafkaApis checks, and how a denial is answered:
 *
 * Whole request (errorResponse: the code in every error field):
 *   LeaderAndIsr, StopReplica, UpdateMetadata,  CLUSTER_ACTION on the cluster
 *   ControlledShutdown, WriteTxnMarkers           -> CLUSTER_AUTHORIZATION_FAILED
 *   ElectLeaders, AlterPartitionReassignments   ALTER on the cluster -> CLUSTER_AUTH...
 *   ListPartitionReassignments                  DESCRIBE on the cluster -> CLUSTER_AUTH...
 *   InitProducerId with a transactional id      WRITE on it -> TRANSACTIONAL_ID_AUTH...
 *   InitProducerId without one (idempotence)    IDEMPOTENT_WRITE on the cluster, or WRITE on
 *                                                 some topic (KIP-679) -> CLUSTER_AUTH...
 *   Produce with a transactional id             WRITE on it -> TRANSACTIONAL_ID_AUTH...
 *                                                 (acks=0: the connection is closed)
 *   AddPartitionsToTxn, EndTxn                  WRITE on the transactional id -> likewise
 *   AddOffsetsToTxn, TxnOffsetCommit            WRITE on the transactional id, then READ on
 *                                                 the group -> GROUP_AUTH...
 *   FindCoordinator for transactions            DESCRIBE on the transactional id
 *   the group APIs                              group-authorization.ts -> GROUP_AUTH...
 * Per resource (the handler sees only the allowed ones; the others get the code):
 *   DeleteTopics                                DELETE on the topic -> TOPIC_AUTH...
 *   CreatePartitions                            ALTER on the topic -> TOPIC_AUTH...
 *   DeleteRecords                               DELETE on the topic -> TOPIC_AUTH...
 *   ListOffsets                                 DESCRIBE on the topic -> TOPIC_AUTH...
 *   OffsetForLeaderEpoch                        CLUSTER_ACTION on the cluster (followers),
 *                                                 else DESCRIBE on the topic -> TOPIC_AUTH...
 *   OffsetCommit, TxnOffsetCommit, OffsetDelete READ on the topic -> TOPIC_AUTH...
 *     (after the group check)
 *   AddPartitionsToTxn v0-3                     WRITE on every topic, else nothing is added:
 *                                                 TOPIC_AUTH... / OPERATION_NOT_ATTEMPTED
 *   OffsetFetch (after the group check)         DESCRIBE on the topic -> TOPIC_AUTH... for a
 *                                                 named topic; left out of an all-topics answer
 *   OffsetFetch v8, FindCoordinator v4          per group (per key): DESCRIBE on the group or
 *     (batches)                                   the transactional id -> GROUP_/TXN_ID_AUTH...
 *   DescribeConfigs                             DESCRIBE_CONFIGS on the topic -> TOPIC_AUTH...,
 *                                                 on the cluster for brokers and broker
 *                                                 loggers -> CLUSTER_AUTH...
 *   AlterConfigs, IncrementalAlterConfigs       ALTER_CONFIGS, likewise
 * Filtered answer:
 *   ListGroups                                  DESCRIBE on the cluster: every group; else
 *                                                 only the groups the client may DESCRIBE
 *
 * Produce, Fetch, Metadata and CreateTopics check inside kafka-apis.ts; the ACL and SCRAM
 * APIs in acl-apis.ts and scram-admin-apis.ts; SaslHandshake, SaslAuthenticate, ApiVersions
 * and DescribeCluster need nothing.
 */
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import type { DecodedRequest } from '../../src/protocol/kafka/codec.js';
import { errorResponse } from '../../src/protocol/kafka/error-response.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import type { Operation, ResourceType } from '../../src/security/acl.js';
import type { AnyApiHandler, ConnectionInfo } from '../network/api-handler-table.js';
import { CloseConnectionError } from '../network/socket-server.js';
import type { AuthorizationCheck, ResourceTypeCheck } from './acl-cache.js';
import { groupsOf } from './group-authorization.js';

/** May the connection do `operation` on the resource (the cluster when no name is given)? */
interface Allowed {
  (operation: Operation, resourceType: ResourceType, name?: string): boolean;
  /** ... on some resource of the type (authorizeByResourceType)? */
  onSome(operation: Operation, resourceType: ResourceType): boolean;
}

type Item = unknown;

/** A string field of a request or response entry ('' when absent). */
function text(item: Item, field: string): string {
  const value = (item as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : '';
}

/** Kafka's ConfigResource types. */
const CONFIG_TOPIC = 2;
const CONFIG_BROKER = 4;
const CONFIG_BROKER_LOGGER = 8;

/** The error that refuses the whole request, or undefined when it may go on. */
function wholeRequestDenial(request: DecodedRequest, allowed: Allowed): number | undefined {
  const cluster = (operation: Operation): number | undefined =>
    allowed(operation, 'Cluster') ? undefined : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
  const transactional = (id: string): number | undefined =>
    allowed('Write', 'TransactionalId', id)
      ? undefined
      : ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  switch (request.apiKey) {
    case ApiKey.LeaderAndIsr:
    case ApiKey.StopReplica:
    case ApiKey.UpdateMetadata:
    case ApiKey.ControlledShutdown:
    case ApiKey.WriteTxnMarkers:
      return cluster('ClusterAction');
    case ApiKey.ElectLeaders:
    case ApiKey.AlterPartitionReassignments:
      return cluster('Alter');
    case ApiKey.ListPartitionReassignments:
      return cluster('Describe');
    case ApiKey.InitProducerId: {
      // Idempotence (no transactional id): IDEMPOTENT_WRITE on the cluster, or (KIP-679, 2.8)
      // WRITE on some topic.
      const id = request.body.transactionalId;
      if (id === null)
        return allowed.onSome('Write', 'Topic') ? undefined : cluster('IdempotentWrite');
      return transactional(id);
    }
    case ApiKey.Produce:
      return request.body.transactionalId === null
        ? undefined
        : transactional(request.body.transactionalId);
    case ApiKey.AddPartitionsToTxn: {
      const ids =
        request.apiVersion >= 4
          ? request.body.transactions.map((x) => x.transactionalId)
          : [request.body.v3AndBelowTransactionalId];
      return ids.map(transactional).find((code) => code !== undefined);
    }
    case ApiKey.EndTxn:
      return transactional(request.body.transactionalId);
    case ApiKey.AddOffsetsToTxn:
    case ApiKey.TxnOffsetCommit:
      return (
        transactional(request.body.transactionalId) ??
        (allowed('Read', 'Group', request.body.groupId)
          ? undefined
          : ErrorCode.GROUP_AUTHORIZATION_FAILED)
      );
    case ApiKey.FindCoordinator: {
      // Key type 1: a transaction coordinator, for DESCRIBE on the transactional id.
      // v4 batches keys, answered one by one (splitRule).
      if (request.apiVersion >= 4) return undefined;
      const f = request.body;
      if (request.apiVersion >= 1 && f.keyType === 1) {
        return allowed('Describe', 'TransactionalId', f.key)
          ? undefined
          : ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
      }
      return groupDenial(request, allowed);
    }
    case ApiKey.OffsetFetch: {
      // v8 batches groups, answered one by one (splitRule).
      if (request.apiVersion >= 8) return undefined;
      return groupDenial(request, allowed);
    }
    default:
      return groupDenial(request, allowed);
  }
}

/** GROUP_AUTHORIZATION_FAILED for a group API without the group permission. */
function groupDenial(request: DecodedRequest, allowed: Allowed): number | undefined {
  const wanted = groupsOf(request);
  if (wanted === undefined) return undefined;
  const denied = wanted.groups.some((g) => !allowed(wanted.operation, 'Group', g));
  return denied ? ErrorCode.GROUP_AUTHORIZATION_FAILED : undefined;
}

/**
 * A per-resource rule: the request's list of resources, the response's list answering it, the
 * key that pairs them, and the error for a resource the client may not touch.
 */
interface SplitRule {
  requestField: string;
  responseField: string;
  key(item: Item): string;
  denial(item: Item): number | undefined;
  /** The answers for refused items, where errorResponse has no per-item field. */
  refuse?: (items: Item[], code: number) => Item[];
  /** The key of a response entry, when it is not the entry's name (or type and name). */
  responseKey?: (entry: Item) => string;
}

function splitRule(request: DecodedRequest, allowed: Allowed): SplitRule | undefined {
  const topicRule = (
    requestField: string,
    responseField: string,
    operation: Operation,
    nameField = 'name',
  ): SplitRule => ({
    requestField,
    responseField,
    key: (item) => text(item, nameField),
    denial: (item) =>
      allowed(operation, 'Topic', text(item, nameField))
        ? undefined
        : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  });
  const configRule = (responseField: string, operation: Operation): SplitRule => ({
    requestField: 'resources',
    responseField,
    key: (item) => `${configType(item)}:${text(item, 'resourceName')}`,
    denial: (item) => {
      const name = text(item, 'resourceName');
      const type = configType(item);
      if (type === CONFIG_TOPIC) {
        return allowed(operation, 'Topic', name) ? undefined : ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      }
      if (type === CONFIG_BROKER || type === CONFIG_BROKER_LOGGER) {
        return allowed(operation, 'Cluster') ? undefined : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
      }
      return undefined; // the handler answers unknown resource types
    },
  });
  switch (request.apiKey) {
    case ApiKey.DeleteTopics:
      if (request.apiVersion >= 6) return topicRule('topics', 'responses', 'Delete');
      return {
        requestField: 'topicNames',
        responseField: 'responses',
        key: (item) => (typeof item === 'string' ? item : ''),
        denial: (item) =>
          allowed('Delete', 'Topic', typeof item === 'string' ? item : '')
            ? undefined
            : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      };
    case ApiKey.CreatePartitions:
      return topicRule('topics', 'results', 'Alter');
    case ApiKey.DeleteRecords:
      return topicRule('topics', 'topics', 'Delete');
    case ApiKey.ListOffsets:
      return topicRule('topics', 'topics', 'Describe');
    case ApiKey.OffsetForLeaderEpoch:
      if (allowed('ClusterAction', 'Cluster')) return undefined;
      return topicRule('topics', 'topics', 'Describe', 'topic');
    case ApiKey.OffsetCommit:
    case ApiKey.TxnOffsetCommit:
      return topicRule('topics', 'topics', 'Read');
    case ApiKey.OffsetDelete:
      return {
        ...topicRule('topics', 'topics', 'Read'),
        refuse: (items, code) =>
          (items as { name: string; partitions: { partitionIndex: number }[] }[]).map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex,
              errorCode: code,
            })),
          })),
      };
    case ApiKey.FindCoordinator: {
      if (request.apiVersion < 4) return undefined;
      const transactions = request.body.keyType === 1;
      return {
        requestField: 'coordinatorKeys',
        responseField: 'coordinators',
        key: (item) => (typeof item === 'string' ? item : ''),
        responseKey: (entry) => text(entry, 'key'),
        denial: (item) => {
          const key = typeof item === 'string' ? item : '';
          if (transactions) {
            return allowed('Describe', 'TransactionalId', key)
              ? undefined
              : ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
          }
          return allowed('Describe', 'Group', key)
            ? undefined
            : ErrorCode.GROUP_AUTHORIZATION_FAILED;
        },
      };
    }
    case ApiKey.OffsetFetch:
      if (request.apiVersion < 8) return undefined;
      return {
        requestField: 'groups',
        responseField: 'groups',
        key: (item) => text(item, 'groupId'),
        responseKey: (entry) => text(entry, 'groupId'),
        denial: (item) =>
          allowed('Describe', 'Group', text(item, 'groupId'))
            ? undefined
            : ErrorCode.GROUP_AUTHORIZATION_FAILED,
      };
    case ApiKey.DescribeConfigs:
      return configRule('results', 'DescribeConfigs');
    case ApiKey.AlterConfigs:
    case ApiKey.IncrementalAlterConfigs:
      return configRule('responses', 'AlterConfigs');
    default:
      return undefined;
  }
}

/** The key of a response entry: a string name, or the entry's own name / type and name. */
function responseKey(rule: SplitRule, entry: Item): string {
  if (rule.responseKey !== undefined) return rule.responseKey(entry);
  if (rule.requestField === 'resources') return rule.key(entry);
  return text(entry, 'name') || text(entry, 'topic');
}

function configType(item: Item): number {
  const value = (item as Record<string, unknown>).resourceType;
  return typeof value === 'number' ? value : -1;
}

type Handle = (request: DecodedRequest, connection: ConnectionInfo) => unknown;

/** Runs the handler on the allowed resources and answers the others with their errors. */
async function split(
  rule: SplitRule,
  request: DecodedRequest,
  connection: ConnectionInfo,
  handle: Handle,
): Promise<unknown> {
  const body = request.body as unknown as Record<string, unknown>;
  const items = (body[rule.requestField] ?? []) as Item[];
  const denials = items.map((item) => rule.denial(item));
  if (denials.every((d) => d === undefined)) return handle(request, connection);
  const withItems = (subset: Item[]): DecodedRequest =>
    ({ ...request, body: { ...body, [rule.requestField]: subset } }) as unknown as DecodedRequest;
  const allowedItems = items.filter((_, i) => denials[i] === undefined);
  const base = (
    allowedItems.length > 0
      ? await handle(withItems(allowedItems), connection)
      : errorResponse(withItems([]), ErrorCode.NONE)
  ) as Record<string, unknown>;
  const answers = new Map<string, Item>();
  for (const entry of (base[rule.responseField] ?? []) as Item[]) {
    answers.set(responseKey(rule, entry), entry);
  }
  for (const code of new Set(denials)) {
    if (code === undefined) continue;
    const refusedItems = items.filter((_, i) => denials[i] === code);
    const refused =
      rule.refuse?.(refusedItems, code) ??
      (errorResponse(withItems(refusedItems), code) as unknown as Record<string, Item[]>)[
        rule.responseField
      ] ??
      [];
    for (const entry of refused) {
      answers.set(responseKey(rule, entry), entry);
    }
  }
  // In the request's order; an answer the keys do not pair (there should be none) goes last.
  const ordered: Item[] = [];
  for (const key of new Set(items.map((item) => rule.key(item)))) {
    const entry = answers.get(key);
    if (entry !== undefined) ordered.push(entry);
    answers.delete(key);
  }
  return { ...base, [rule.responseField]: [...ordered, ...answers.values()] };
}

/** The APIs this module checks (module comment). */
const GUARDED: ReadonlySet<number> = new Set([
  ApiKey.LeaderAndIsr,
  ApiKey.StopReplica,
  ApiKey.UpdateMetadata,
  ApiKey.ControlledShutdown,
  ApiKey.WriteTxnMarkers,
  ApiKey.ElectLeaders,
  ApiKey.AlterPartitionReassignments,
  ApiKey.ListPartitionReassignments,
  ApiKey.InitProducerId,
  ApiKey.Produce,
  ApiKey.AddPartitionsToTxn,
  ApiKey.AddOffsetsToTxn,
  ApiKey.EndTxn,
  ApiKey.TxnOffsetCommit,
  ApiKey.JoinGroup,
  ApiKey.SyncGroup,
  ApiKey.Heartbeat,
  ApiKey.LeaveGroup,
  ApiKey.OffsetCommit,
  ApiKey.OffsetDelete,
  ApiKey.OffsetFetch,
  ApiKey.FindCoordinator,
  ApiKey.DescribeGroups,
  ApiKey.DeleteGroups,
  ApiKey.ListGroups,
  ApiKey.DeleteTopics,
  ApiKey.CreatePartitions,
  ApiKey.DeleteRecords,
  ApiKey.ListOffsets,
  ApiKey.OffsetForLeaderEpoch,
  ApiKey.DescribeConfigs,
  ApiKey.AlterConfigs,
  ApiKey.IncrementalAlterConfigs,
]);

/** The row with Kafka's checks, or the row itself if this module checks nothing for its API. */
export function authorizeApi(
  row: AnyApiHandler,
  check: AuthorizationCheck,
  checkByResourceType: ResourceTypeCheck = () => false,
): AnyApiHandler {
  if (!GUARDED.has(row.apiKey)) return row;
  const handle = row.handle as Handle;
  const guarded = async (request: DecodedRequest, connection: ConnectionInfo) => {
    const allowed: Allowed = Object.assign(
      (operation: Operation, resourceType: ResourceType, name?: string) =>
        check(connection.session, operation, resourceType, name),
      {
        onSome: (operation: Operation, resourceType: ResourceType) =>
          checkByResourceType(connection.session, operation, resourceType),
      },
    );
    const denial = wholeRequestDenial(request, allowed);
    if (denial !== undefined) {
      if (request.apiKey === ApiKey.Produce && request.body.acks === 0) {
        // No response to carry the error: Kafka closes the connection.
        throw new CloseConnectionError(
          `acks=0 transactional produce by ${connection.session.principal} is not authorized`,
        );
      }
      return errorResponse(request, denial);
    }
    if (request.apiKey === ApiKey.AddPartitionsToTxn && request.apiVersion <= 3) {
      const refused = addPartitionsRefusal(request.body.v3AndBelowTopics, allowed);
      if (refused !== undefined) return refused;
    }
    // OffsetFetch: the topic checks run on what the group checks let through.
    const inner: Handle =
      request.apiKey === ApiKey.OffsetFetch ? (r, c) => offsetFetch(r, c, handle, allowed) : handle;
    if (request.apiKey === ApiKey.ListGroups) {
      const answer = (await handle(request, connection)) as { groups?: { groupId: string }[] };
      if (allowed('Describe', 'Cluster') || answer.groups === undefined) return answer;
      return {
        ...answer,
        groups: answer.groups.filter((g) => allowed('Describe', 'Group', g.groupId)),
      };
    }
    const rule = splitRule(request, allowed);
    return rule === undefined
      ? inner(request, connection)
      : split(rule, request, connection, inner);
  };
  return { ...row, handle: guarded } as AnyApiHandler;
}

/**
 * AddPartitionsToTxn v0-3: WRITE on every topic, or nothing is added: the refused topics'
 * partitions get TOPIC_AUTHORIZATION_FAILED, the others OPERATION_NOT_ATTEMPTED (Kafka 2.8).
 */
function addPartitionsRefusal(
  topics: readonly { name: string; partitions: readonly number[] }[],
  allowed: Allowed,
): unknown {
  const denied = new Set(
    topics.filter((t) => !allowed('Write', 'Topic', t.name)).map((t) => t.name),
  );
  if (denied.size === 0) return undefined;
  return {
    throttleTimeMs: 0,
    resultsByTopicV3AndBelow: topics.map((t) => ({
      name: t.name,
      resultsByPartition: t.partitions.map((partitionIndex) => ({
        partitionIndex,
        partitionErrorCode: denied.has(t.name)
          ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
          : ErrorCode.OPERATION_NOT_ATTEMPTED,
      })),
    })),
  };
}

interface FetchTopic {
  name: string;
  partitionIndexes: number[];
}
interface AnsweredTopic {
  name: string;
  partitions: unknown[];
}

/**
 * OffsetFetch after the group check: DESCRIBE on each topic. Named topics the client may not
 * describe are answered with TOPIC_AUTHORIZATION_FAILED per partition (offset -1, as Kafka's
 * UNAUTHORIZED_PARTITION); an all-topics request (null) leaves them out. v8 does this per group.
 */
async function offsetFetch(
  request: DecodedRequest,
  connection: ConnectionInfo,
  handle: Handle,
  allowed: Allowed,
): Promise<unknown> {
  if (request.apiKey !== ApiKey.OffsetFetch) return handle(request, connection);
  const describable = (name: string): boolean => allowed('Describe', 'Topic', name);
  const unauthorized = (t: FetchTopic): AnsweredTopic => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => ({
      partitionIndex,
      committedOffset: -1n,
      committedLeaderEpoch: -1,
      metadata: '',
      errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    })),
  });
  /** The answer's topics for one group: the request's named topics, or all describable ones. */
  const mergeTopics = (asked: FetchTopic[] | null, answered: AnsweredTopic[]): AnsweredTopic[] => {
    if (asked === null) return answered.filter((t) => describable(t.name));
    return asked.map(
      (t) =>
        (describable(t.name) ? answered.find((a) => a.name === t.name) : undefined) ??
        unauthorized(t),
    );
  };
  const body = request.body;
  if (request.apiVersion >= 8) {
    const groups = body.groups.map((g) => ({
      ...g,
      topics: g.topics === null ? null : g.topics.filter((t) => describable(t.name)),
    }));
    const answer = (await handle(
      { ...request, body: { ...body, groups } } as DecodedRequest,
      connection,
    )) as {
      groups: { groupId: string; topics: AnsweredTopic[] }[];
    };
    return {
      ...answer,
      groups: answer.groups.map((g) => {
        const asked = body.groups.find((x) => x.groupId === g.groupId)?.topics ?? null;
        return { ...g, topics: mergeTopics(asked, g.topics) };
      }),
    };
  }
  const topics = body.topics === null ? null : body.topics.filter((t) => describable(t.name));
  const answer = (await handle(
    { ...request, body: { ...body, topics } } as DecodedRequest,
    connection,
  )) as {
    topics?: AnsweredTopic[];
  };
  if (answer.topics === undefined) return answer; // a top-level error (v2+): nothing per topic
  return { ...answer, topics: mergeTopics(body.topics, answer.topics) };
}
