/**
 * The broker's own request handlers, one method per Kafka API, modelled on Kafka's
 * `KafkaApis` (kafka.server, 2.8). `handlers()` lists them with the versions each serves, for
 * the broker's handler table (broker/network/api-handler-table.ts), which is the single source
 * of dispatch and of the ApiVersions answer. Other modules (the group coordinator, ...)
 * register their own rows in the same table.
 *
 *   Data plane   Produce 0, Fetch 1, ListOffsets 2, Metadata 3,           (this file)
 *                OffsetForLeaderEpoch 23 (followers after a leader change)
 *   Admin        CreateTopics 19, DeleteTopics 20, CreatePartitions 37     (admin-apis.ts)
 *                DescribeConfigs 32                                        (describe-configs.ts)
 *   Control      LeaderAndIsr 4, StopReplica 5, UpdateMetadata 6           (replica-manager.ts)
 *   ApiVersions 18 is registered by the table itself.
 *
 * Versions: every version in a registered range is handled; the decoded objects have every
 * field whatever the version (absent ones hold their defaults), so handlers only branch on
 * `apiVersion` where the *meaning* changed.
 *
 * Errors are values. A bad request from a client becomes error codes in the response
 * (per partition, per topic), never an exception. The handlers throw only for (a) our own
 * bugs (the socket server answers UNKNOWN_SERVER_ERROR) and (b) the one case where Kafka
 * closes the connection on purpose: a failed Produce with acks=0, which has no response to
 * carry the error (CloseConnectionError).
 */
import type { Logger } from '../../src/logger.js';
import type { Scheduler } from '../../src/scheduler.js';
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import { ApiKey, recommendedRange } from '../../src/protocol/kafka/api-keys.js';
import type {
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  FetchRequest,
  FetchResponse,
  ListOffsetsRequest,
  ListOffsetsResponse,
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  MetadataRequest,
  MetadataResponse,
  ProduceRequest,
  ProduceResponse,
} from '../../src/protocol/kafka/generated/index.js';
import { MESSAGE_SCHEMAS } from '../../src/protocol/kafka/generated/index.js';
import type { MetadataResponseTopic } from '../../src/protocol/kafka/generated/metadata.js';
import { parseVersionRange } from '../../src/protocol/kafka/schema.js';
import {
  hasLegacyMagic,
  upConvertMessageSet,
} from '../../src/protocol/kafka/legacy-message-set.js';
import { DECOMPRESSED_RECORDS_BYTES_MAX } from '../../src/protocol/kafka/record-batch.js';
import { ErrorCode, errorCodeOf, errorForCode } from '../../src/protocol/kafka/errors.js';
import type { LogManager } from '../log/log-manager.js';
import type { TopicPartition } from '../log/log.js';
import { apiHandler, type AnyApiHandler } from '../network/api-handler-table.js';
import type { AuthorizationCheck } from '../security/acl-cache.js';
import type { ConnectionSession } from '../security/session.js';
import type { Operation, ResourceType } from '../../src/security/acl.js';
import { CloseConnectionError } from '../network/socket-server.js';
import { RECORD_BATCH_HEADER_BYTES, RecordBatch } from '../../src/protocol/kafka/record-batch.js';
import { AdminApis, type ControllerAdmin } from './admin-apis.js';
import { ConfigResourceType, describeResource, type BrokerConfigView } from './describe-configs.js';
import type { MetadataCache, MetadataSnapshot, PartitionState } from './metadata-cache.js';
import { NO_LEADER_EPOCH } from './partition.js';
import {
  CONSUMER_REPLICA_ID,
  DEBUGGING_CONSUMER_REPLICA_ID,
  READ_COMMITTED,
  isInternalTopic,
  type ProducePartitionResult,
  type ReplicaManager,
} from './replica-manager.js';
import { topicNameError } from './topic-name.js';

export type { ControllerAdmin, NewTopic, TopicResult, NewPartitions } from './admin-apis.js';
export { CloseConnectionError } from '../network/socket-server.js';

/** The broker settings the request handlers need (Kafka property names in comments). */
export interface KafkaApisConfig extends BrokerConfigView {
  /** `auto.create.topics.enable` (true). */
  autoCreateTopicsEnable: boolean;
  /** `num.partitions` (1): for CreateTopics with num_partitions -1. */
  numPartitions: number;
  /** `default.replication.factor` (1): for CreateTopics with replication_factor -1. */
  defaultReplicationFactor: number;
  /** `delete.topic.enable` (true). */
  deleteTopicEnable: boolean;
  /** `min.insync.replicas` (1): shown by DescribeConfigs; the replica manager enforces it. */
  minInsyncReplicas: number;
}

export interface KafkaApisDeps {
  brokerId: number;
  /**
   * The authorizer's check (broker/security/acl-cache.ts); everything is allowed without
   * one, as in Kafka when authorizer.class.name is empty.
   */
  authorize?: AuthorizationCheck;
  config: KafkaApisConfig;
  logManager: LogManager;
  metadataCache: MetadataCache;
  replicaManager: ReplicaManager;
  controllerAdmin: ControllerAdmin;
  logger: Logger;
  /**
   * This broker's epoch (the zxid that created its registration znode), to refuse control
   * requests meant for an earlier incarnation of this broker id (STALE_BROKER_EPOCH). When
   * absent, broker epochs are not checked.
   */
  brokerEpoch?: () => bigint | undefined;
  /** A topic's config overrides from the coordinator, or undefined if the topic is unknown
   *  there. Defaults to: {} for topics in the metadata cache, else undefined. */
  topicConfigOverrides?: (topic: string) => Readonly<Record<string, string>> | undefined;
  /** Reads a topic's config overrides from the coordinator (`/config/topics/<topic>`) for
   *  DescribeConfigs. When absent, the overrides this broker has applied are described. */
  fetchTopicConfig?: (topic: string) => Promise<Readonly<Record<string, string>>>;
  /** Timers of request handling (admin timeouts); the system scheduler by default. */
  scheduler?: Scheduler;
}

/**
 * The controller's requests (LeaderAndIsr, StopReplica, UpdateMetadata) are served at every
 * version the codec has a schema for: only our own controller sends them, and it may pick any.
 */
function allSchemaVersions(apiKey: keyof typeof MESSAGE_SCHEMAS): {
  minVersion: number;
  maxVersion: number;
} {
  const { min, max } = parseVersionRange(MESSAGE_SCHEMAS[apiKey].request.validVersions);
  return { minVersion: min, maxVersion: max };
}

/** The rows this module contributes to the broker's handler table. */
export function kafkaApiHandlers(deps: KafkaApisDeps): AnyApiHandler[] {
  return new KafkaApis(deps).handlers();
}

export class KafkaApis {
  readonly #deps: KafkaApisDeps;
  readonly #logger: Logger;
  readonly #admin: AdminApis;

  constructor(deps: KafkaApisDeps) {
    this.#deps = deps;
    this.#logger = deps.logger.child({ component: 'kafka-apis', brokerId: deps.brokerId });
    this.#admin = new AdminApis({
      controllerAdmin: deps.controllerAdmin,
      metadataCache: deps.metadataCache,
      config: deps.config,
      logger: this.#logger,
      topicConfigOverrides: (topic) => this.#topicOverrides(topic),
      scheduler: deps.scheduler,
    });
  }

  /**
   * The APIs this module serves, with their versions: the client-facing ones at the ranges of
   * src/protocol/kafka/api-keys.ts, the controller's requests at every version we have.
   */
  handlers(): AnyApiHandler[] {
    const range = recommendedRange;
    const replicas = this.#deps.replicaManager;
    return [
      apiHandler(ApiKey.Produce, range(ApiKey.Produce), (r, connection) =>
        this.#authorizedProduce(r.body, r.apiVersion, r.clientId, connection.session),
      ),
      apiHandler(ApiKey.Fetch, range(ApiKey.Fetch), (r, connection) =>
        this.#authorizedFetch(r.body, r.apiVersion, connection.session),
      ),
      apiHandler(ApiKey.ListOffsets, range(ApiKey.ListOffsets), (r) =>
        this.handleListOffsets(r.body, r.apiVersion),
      ),
      // Followers ask it after a leader change (KIP-101/279); consumers may too (KIP-320).
      apiHandler(ApiKey.OffsetForLeaderEpoch, allSchemaVersions(ApiKey.OffsetForLeaderEpoch), (r) =>
        this.handleOffsetForLeaderEpoch(r.body, r.apiVersion),
      ),
      apiHandler(ApiKey.Metadata, range(ApiKey.Metadata), (r, connection) =>
        this.handleMetadata(
          r.body,
          r.apiVersion,
          connection.session.listenerName,
          (topic) => this.#allowed(connection.session, 'Describe', 'Topic', topic),
          // Auto-creation needs CREATE on the cluster or on the topic (Kafka 2.8).
          (topic) =>
            this.#allowed(connection.session, 'Create', 'Cluster') ||
            this.#allowed(connection.session, 'Create', 'Topic', topic),
        ),
      ),
      apiHandler(ApiKey.CreateTopics, range(ApiKey.CreateTopics), async (r, connection) => {
        // Kafka: CREATE on the cluster, or else CREATE on each topic.
        const session = connection.session;
        const denied = new Set(
          r.body.topics
            .map((t) => t.name)
            .filter(
              (name) =>
                !this.#allowed(session, 'Create', 'Cluster') &&
                !this.#allowed(session, 'Create', 'Topic', name),
            ),
        );
        if (denied.size === 0) return this.#admin.createTopics(r.body, r.apiVersion);
        const allowed = { ...r.body, topics: r.body.topics.filter((t) => !denied.has(t.name)) };
        const answer = await this.#admin.createTopics(allowed, r.apiVersion);
        return {
          ...answer,
          topics: r.body.topics.map(
            (t) =>
              (answer.topics ?? []).find((a) => a.name === t.name) ?? {
                name: t.name,
                errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
                errorMessage: null,
                numPartitions: -1,
                replicationFactor: -1,
                configs: null,
              },
          ),
        };
      }),
      apiHandler(ApiKey.DeleteTopics, range(ApiKey.DeleteTopics), (r) =>
        this.#admin.deleteTopics(r.body, r.apiVersion),
      ),
      apiHandler(ApiKey.CreatePartitions, range(ApiKey.CreatePartitions), (r) =>
        this.#admin.createPartitions(r.body, r.apiVersion),
      ),
      apiHandler(ApiKey.DescribeConfigs, range(ApiKey.DescribeConfigs), (r) =>
        this.handleDescribeConfigs(r.body, r.apiVersion),
      ),
      apiHandler(ApiKey.LeaderAndIsr, allSchemaVersions(ApiKey.LeaderAndIsr), (r) => {
        if (this.#isStaleBrokerEpoch(r.body.brokerEpoch)) {
          return { errorCode: ErrorCode.STALE_BROKER_EPOCH };
        }
        return replicas.becomeLeaderOrFollower(r.body, r.apiVersion);
      }),
      apiHandler(ApiKey.StopReplica, allSchemaVersions(ApiKey.StopReplica), (r) => {
        if (this.#isStaleBrokerEpoch(r.body.brokerEpoch)) {
          return { errorCode: ErrorCode.STALE_BROKER_EPOCH };
        }
        return replicas.stopReplicas(r.body, r.apiVersion);
      }),
      apiHandler(ApiKey.UpdateMetadata, allSchemaVersions(ApiKey.UpdateMetadata), (r) => {
        if (this.#isStaleBrokerEpoch(r.body.brokerEpoch)) {
          return { errorCode: ErrorCode.STALE_BROKER_EPOCH };
        }
        return { errorCode: replicas.maybeUpdateMetadataCache(r.body, r.apiVersion) };
      }),
    ];
  }

  #allowed(
    session: ConnectionSession,
    operation: Operation,
    resourceType: ResourceType,
    name?: string,
  ): boolean {
    const check = this.#deps.authorize;
    return check === undefined || check(session, operation, resourceType, name);
  }

  /**
   * Produce: WRITE on each topic; the others get TOPIC_AUTHORIZATION_FAILED. A request with
   * transactional batches needs a transactional id and WRITE on it, or every partition gets
   * TRANSACTIONAL_ID_AUTHORIZATION_FAILED (Kafka 2.8's handleProduceRequest).
   */
  async #authorizedProduce(
    request: ProduceRequest,
    apiVersion: number,
    clientId: string | null,
    session: ConnectionSession,
  ): Promise<Encodable<ProduceResponse> | null> {
    if (hasTransactionalRecords(request)) {
      const id = request.transactionalId;
      if (id === null || !this.#allowed(session, 'Write', 'TransactionalId', id)) {
        return refuseProduce(request, session, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      }
    }
    const denied = new Set(
      request.topicData
        .map((t) => t.name)
        .filter((name) => !this.#allowed(session, 'Write', 'Topic', name)),
    );
    if (denied.size === 0) return this.handleProduce(request, apiVersion, clientId);
    if (request.acks === 0) {
      throw new CloseConnectionError(
        `acks=0 produce by ${session.principal} to ${[...denied].join(', ')} is not ` +
          'authorized; closing the connection as Kafka does',
      );
    }
    const allowed = { ...request, topicData: request.topicData.filter((t) => !denied.has(t.name)) };
    const answer =
      allowed.topicData.length > 0
        ? await this.handleProduce(allowed, apiVersion, clientId)
        : { responses: [], throttleTimeMs: 0 };
    const responses = answer?.responses ?? [];
    return {
      throttleTimeMs: 0,
      responses: request.topicData.map(
        (t) =>
          responses.find((r) => r.name === t.name && !denied.has(t.name)) ?? {
            name: t.name,
            partitionResponses: t.partitionData.map((p) => ({
              index: p.index,
              errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
              baseOffset: -1n,
              logAppendTimeMs: -1n,
              logStartOffset: -1n,
              errorMessage: null,
            })),
          },
      ),
    };
  }

  /**
   * Fetch: a follower (replica id >= 0) needs CLUSTER_ACTION on the cluster, or the whole
   * request fails with CLUSTER_AUTHORIZATION_FAILED; a consumer needs READ on each topic.
   */
  async #authorizedFetch(
    request: FetchRequest,
    apiVersion: number,
    session: ConnectionSession,
  ): Promise<Encodable<FetchResponse>> {
    if (request.replicaId >= 0) {
      if (!this.#allowed(session, 'ClusterAction', 'Cluster')) {
        return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, sessionId: 0, responses: [] };
      }
      return this.handleFetch(request, apiVersion);
    }
    const denied = new Set(
      request.topics
        .map((t) => t.topic)
        .filter((name) => !this.#allowed(session, 'Read', 'Topic', name)),
    );
    if (denied.size === 0) return this.handleFetch(request, apiVersion);
    const allowed = { ...request, topics: request.topics.filter((t) => !denied.has(t.topic)) };
    const answer = await this.handleFetch(allowed, apiVersion);
    return {
      ...answer,
      responses: request.topics.map(
        (t) =>
          (answer.responses ?? []).find((r) => r.topic === t.topic && !denied.has(t.topic)) ?? {
            topic: t.topic,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partition,
              errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
              highWatermark: -1n,
              lastStableOffset: -1n,
              logStartOffset: -1n,
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: null,
            })),
          },
      ),
    };
  }

  /** -1 means "not sent" (older request versions); otherwise it must not be older than us. */
  #isStaleBrokerEpoch(requestEpoch: bigint): boolean {
    const current = this.#deps.brokerEpoch?.();
    const stale = current !== undefined && requestEpoch !== -1n && requestEpoch < current;
    if (stale) {
      this.#logger.warn(
        { requestEpoch: String(requestEpoch), current: String(current) },
        'ignoring control request for an older incarnation of this broker',
      );
    }
    return stale;
  }

  #topicOverrides(topic: string): Readonly<Record<string, string>> | undefined {
    if (this.#deps.topicConfigOverrides !== undefined)
      return this.#deps.topicConfigOverrides(topic);
    return this.#deps.metadataCache.snapshot.hasTopic(topic) ? {} : undefined;
  }

  // ---------------------------------------------------------------------------------------
  // Produce (0)
  // ---------------------------------------------------------------------------------------

  /**
   * Appends each partition's records on this broker, which must lead the partition. acks:
   *   0  append, answer nothing (a failure closes the connection instead, as in Kafka);
   *   1  answer once the leader has appended;
   *  -1  answer once the records are committed (HW past them), see delayed-produce.ts. With a
   *      single replica and min.insync.replicas=1 that is right after the append, as in Kafka.
   */
  async handleProduce(
    request: ProduceRequest,
    apiVersion: number,
    clientId: string | null,
  ): Promise<Encodable<ProduceResponse> | null> {
    const acks = request.acks;
    const entries = request.topicData.flatMap((topic) =>
      topic.partitionData.map((p) => ({
        topicPartition: { topic: topic.name, partition: p.index },
        records: p.records,
      })),
    );
    const failed = (topicPartition: TopicPartition, errorCode: number, errorMessage: string) => ({
      topicPartition,
      errorCode,
      baseOffset: -1,
      logAppendTimeMs: -1,
      logStartOffset: -1,
      errorMessage,
    });
    let results: ProducePartitionResult[];
    if (acks !== 0 && acks !== 1 && acks !== -1) {
      results = entries.map((e) =>
        failed(
          e.topicPartition,
          ErrorCode.INVALID_REQUIRED_ACKS,
          `acks must be -1, 0 or 1, not ${acks}`,
        ),
      );
    } else {
      // Produce v0-2 may carry magic 0/1 message sets: stored as one v2 batch each
      // (src/protocol/kafka/legacy-message-set.ts). v3+ must carry v2 batches, as in Kafka.
      const refused = new Map<number, ProducePartitionResult>();
      const toAppend: typeof entries = [];
      entries.forEach((e, i) => {
        if (e.records === null || !hasLegacyMagic(e.records)) {
          toAppend.push(e);
          return;
        }
        if (apiVersion >= 3) {
          const message = `Produce v${apiVersion} may only carry record batches of magic 2`;
          refused.set(i, failed(e.topicPartition, ErrorCode.INVALID_RECORD, message));
          return;
        }
        const converted = upConvertMessageSet(e.records, DECOMPRESSED_RECORDS_BYTES_MAX);
        if (converted.ok) toAppend.push({ ...e, records: converted.records });
        else
          refused.set(
            i,
            failed(e.topicPartition, converted.error.errorCode, converted.error.message),
          );
      });
      const appended = await this.#deps.replicaManager.appendRecords({
        acks,
        timeoutMs: request.timeoutMs,
        internalTopicsAllowed: clientId === '__admin_client',
        entries: toAppend,
      });
      let next = 0;
      results = entries.map((_, i) => refused.get(i) ?? appended[next++]!);
    }
    if (acks === 0) {
      const failed = results.find((r) => r.errorCode !== ErrorCode.NONE);
      if (failed !== undefined) {
        throw new CloseConnectionError(
          `acks=0 produce to ${failed.topicPartition.topic}-` +
            `${failed.topicPartition.partition} failed with ` +
            `${errorForCode(failed.errorCode).name}; closing the connection as Kafka does`,
        );
      }
      return null;
    }
    // Answer in the request's shape: same topics, same partitions, same order.
    let i = 0;
    return {
      responses: request.topicData.map((topic) => ({
        name: topic.name,
        partitionResponses: topic.partitionData.map(() => {
          const r = results[i++]!;
          return {
            index: r.topicPartition.partition,
            errorCode: r.errorCode,
            baseOffset: BigInt(r.baseOffset),
            logAppendTimeMs: BigInt(r.logAppendTimeMs),
            logStartOffset: BigInt(r.logStartOffset),
            errorMessage: apiVersion >= 8 ? r.errorMessage : null,
            recordErrors: (r.recordErrors ?? []).map((e) => ({
              batchIndex: e.batchIndex,
              batchIndexErrorMessage: e.message,
            })),
          };
        }),
      })),
      throttleTimeMs: 0,
    };
  }

  // ---------------------------------------------------------------------------------------
  // Fetch (1)
  // ---------------------------------------------------------------------------------------

  /**
   * Reads records for consumers (up to the high watermark, or the last stable offset for
   * read_committed ones) and followers (up to the log end offset). Long poll: see
   * replica-manager.ts fetchMessages and delayed-fetch.ts.
   *
   * Fetch sessions (KIP-227, v7+): we never create one. A client asking for a new session
   * (session id 0, epoch 0) gets session id 0 back, which means "no session, send full
   * fetches", and every client accepts that (Kafka does the same when its session cache is
   * full). A client naming a session id gets FETCH_SESSION_ID_NOT_FOUND and starts over.
   */
  async handleFetch(request: FetchRequest, apiVersion: number): Promise<Encodable<FetchResponse>> {
    if (apiVersion >= 7) {
      if (request.sessionId !== 0)
        return { errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
      if (request.sessionEpoch !== 0 && request.sessionEpoch !== -1) {
        return { errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH, sessionId: 0, responses: [] };
      }
    }
    const partitions = request.topics.flatMap((topic) =>
      topic.partitions.map((p) => ({
        topicPartition: { topic: topic.topic, partition: p.partition },
        fetchOffset: Number(p.fetchOffset),
        partitionMaxBytes: p.partitionMaxBytes,
        currentLeaderEpoch: apiVersion >= 9 ? p.currentLeaderEpoch : NO_LEADER_EPOCH,
        // Followers report their log start offset (v5+); the leader's DeleteRecords waits on it.
        logStartOffset: apiVersion >= 5 ? Number(p.logStartOffset) : -1,
      })),
    );
    const results = await this.#deps.replicaManager.fetchMessages({
      replicaId: request.replicaId,
      maxWaitMs: request.maxWaitMs,
      minBytes: request.minBytes,
      maxBytes: request.maxBytes,
      isolationLevel: request.isolationLevel,
      partitions,
    });
    const readCommitted = request.isolationLevel === READ_COMMITTED;
    let i = 0;
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      sessionId: 0,
      responses: request.topics.map((topic) => ({
        topic: topic.topic,
        partitions: topic.partitions.map(() => {
          const r = results[i++]!;
          const ok = r.errorCode === ErrorCode.NONE;
          return {
            partitionIndex: r.topicPartition.partition,
            errorCode: r.errorCode,
            highWatermark: BigInt(ok ? r.highWatermark : -1),
            // Reported whatever the isolation level (v4+), as Kafka does.
            lastStableOffset: BigInt(ok ? r.lastStableOffset : -1),
            logStartOffset: BigInt(ok ? r.logStartOffset : -1),
            // READ_COMMITTED readers get the aborted transactions overlapping the records
            // (producer id and first offset: the client drops that producer's records from
            // there up to its ABORT marker); READ_UNCOMMITTED ones get null, as from Kafka.
            abortedTransactions: readCommitted
              ? (r.abortedTransactions ?? []).map((txn) => ({
                  producerId: BigInt(txn.producerId),
                  firstOffset: BigInt(txn.firstOffset),
                }))
              : null,
            preferredReadReplica: -1,
            records: r.records,
          };
        }),
      })),
    };
  }

  // ---------------------------------------------------------------------------------------
  // ListOffsets (2)
  // ---------------------------------------------------------------------------------------

  /**
   * Offsets by timestamp: -2 earliest (log start offset), -1 latest (for consumers the HW, or
   * the LSO with isolation_level 1 READ_COMMITTED),
   * t >= 0 the first offset whose record timestamp is >= t (-1 if none). Consumers (replica
   * id -1) must ask the leader; -2 (debugging) may ask any replica and sees up to the LEO.
   */
  handleListOffsets(
    request: ListOffsetsRequest,
    apiVersion: number,
  ): Encodable<ListOffsetsResponse> {
    // Kafka: consumers get their isolation level (READ_UNCOMMITTED before v2, which lacks
    // the field); other replica ids read to the log end offset.
    const isolation =
      request.replicaId !== CONSUMER_REPLICA_ID
        ? undefined
        : apiVersion >= 2 && request.isolationLevel === READ_COMMITTED
          ? ('readCommitted' as const)
          : ('readUncommitted' as const);
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => {
          const tp = { topic: topic.name, partition: p.partitionIndex };
          const answer = (errorCode: number, offset = -1, timestamp = -1, leaderEpoch = -1) => ({
            partitionIndex: p.partitionIndex,
            errorCode,
            timestamp: BigInt(timestamp),
            offset: BigInt(offset),
            leaderEpoch,
            // v0 answered with a list of offsets (max_num_offsets of them).
            oldStyleOffsets:
              apiVersion === 0 && errorCode === ErrorCode.NONE && offset >= 0
                ? [BigInt(offset)]
                : [],
          });
          const partition = this.#deps.replicaManager.getPartition(tp);
          if (partition === undefined) {
            return answer(this.#deps.metadataCache.snapshot.partition(tp) ? 6 : 3);
          }
          if (request.replicaId !== -2 && !partition.isLeader) return answer(6);
          const epochError = partition.checkCurrentLeaderEpoch(
            apiVersion >= 4 ? p.currentLeaderEpoch : NO_LEADER_EPOCH,
          );
          if (epochError !== 0) return answer(epochError);
          const timestamp = Number(p.timestamp);
          if (timestamp < -2) return answer(42); // INVALID_REQUEST: -3 (max) is v7+
          const found = partition.fetchOffsetForTimestamp(timestamp, isolation);
          if (found === undefined) return answer(0);
          const epoch = timestamp === -1 ? partition.leaderEpoch : -1;
          return answer(0, found.offset, found.timestamp, epoch);
        }),
      })),
    };
  }

  // ---------------------------------------------------------------------------------------
  // OffsetForLeaderEpoch (23)
  // ---------------------------------------------------------------------------------------

  /**
   * Where an epoch ends in the leader's log (KIP-101): for each partition, the largest epoch
   * <= the requested one that the leader has, and the offset where the next epoch starts (the
   * LEO for the current epoch). A follower truncates to it after a leader change. Only the
   * leader answers, except for the debugging replica id -2 (also the default of v0-2).
   * current_leader_epoch (v2+) fences as in Fetch: FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH.
   */
  handleOffsetForLeaderEpoch(
    request: OffsetForLeaderEpochRequest,
    apiVersion: number,
  ): Encodable<OffsetForLeaderEpochResponse> {
    const anyReplica = request.replicaId === DEBUGGING_CONSUMER_REPLICA_ID;
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        topic: topic.topic,
        partitions: topic.partitions.map((p) => {
          const tp = { topic: topic.topic, partition: p.partition };
          const answer = (errorCode: number, leaderEpoch = -1, endOffset = -1) => ({
            errorCode,
            partition: p.partition,
            leaderEpoch,
            endOffset: BigInt(endOffset),
          });
          const partition = this.#deps.replicaManager.getPartition(tp);
          if (partition === undefined) {
            const known = this.#deps.metadataCache.snapshot.partition(tp) !== undefined;
            return answer(
              known ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            );
          }
          if (!partition.isLeader && !anyReplica) return answer(ErrorCode.NOT_LEADER_OR_FOLLOWER);
          const currentLeaderEpoch = apiVersion >= 2 ? p.currentLeaderEpoch : NO_LEADER_EPOCH;
          const epochError = partition.checkCurrentLeaderEpoch(currentLeaderEpoch);
          if (epochError !== ErrorCode.NONE) return answer(epochError);
          const end = partition.leaderEpochCache.endOffsetFor(
            p.leaderEpoch,
            partition.logEndOffset,
          );
          return answer(ErrorCode.NONE, end.epoch, end.endOffset);
        }),
      })),
    };
  }

  // ---------------------------------------------------------------------------------------
  // Metadata (3)
  // ---------------------------------------------------------------------------------------

  /**
   * Brokers, controller, cluster id and topic -> partition -> leader/replicas/ISR, all from
   * the metadata cache (i.e. from the controller's last UpdateMetadata).
   *
   * Which topics: v0 treats an empty list as "all"; v1+ use null for all and [] for none.
   * Unknown topics are created when `auto.create.topics.enable` is on and the request allows
   * it (always before v4; `allow_auto_topic_creation` from v4). Creation only writes the
   * assignment into the coordinator; the controller then elects leaders and tells every broker,
   * so this response says LEADER_NOT_AVAILABLE and the client asks again (that is what Kafka
   * does too). Listing all topics never creates any.
   */
  async handleMetadata(
    request: MetadataRequest,
    apiVersion: number,
    /** The listener the request came in on: brokers are listed with its endpoints. */
    listenerName?: string,
    /** DESCRIBE on a topic (the authorizer); all topics when not given. */
    describable: (topic: string) => boolean = () => true,
    /** CREATE for auto-creation (the authorizer); TOPIC_AUTHORIZATION_FAILED when refused. */
    creatable: (topic: string) => boolean = () => true,
  ): Promise<Encodable<MetadataResponse>> {
    const snapshot = this.#deps.metadataCache.snapshot;
    const all = request.topics === null || (apiVersion === 0 && request.topics.length === 0);
    // Kafka leaves topics the client may not DESCRIBE out of an all-topics answer, and
    // answers TOPIC_AUTHORIZATION_FAILED for those it names.
    const names = all
      ? snapshot.topicNames().filter(describable)
      : [...new Set(request.topics!.map((t) => t.name ?? ''))];
    const allowAutoCreate =
      this.#deps.config.autoCreateTopicsEnable &&
      (apiVersion < 4 || request.allowAutoTopicCreation);
    const topics = await Promise.all(
      names.map(async (name) => {
        if (!describable(name)) {
          return emptyTopic(name, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        }
        if (snapshot.hasTopic(name)) return this.#topicMetadata(snapshot, name, apiVersion);
        const invalid = topicNameError(name);
        if (invalid !== undefined) return emptyTopic(name, 17); // INVALID_TOPIC_EXCEPTION
        if (!allowAutoCreate) return emptyTopic(name, 3); // UNKNOWN_TOPIC_OR_PARTITION
        if (!creatable(name)) return emptyTopic(name, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        return emptyTopic(name, await this.#autoCreate(name));
      }),
    );
    return {
      throttleTimeMs: 0,
      brokers: snapshot
        .brokersOn(listenerName)
        .map((b) => ({ nodeId: b.id, host: b.host, port: b.port, rack: b.rack })),
      clusterId: snapshot.clusterId,
      controllerId: snapshot.controllerId,
      topics,
    };
  }

  /** Auto-creation's answer: LEADER_NOT_AVAILABLE while the controller sets the topic up. */
  async #autoCreate(name: string): Promise<number> {
    try {
      await this.#deps.controllerAdmin.autoCreateTopic(name);
      this.#logger.info({ topic: name }, 'auto-created topic');
      return ErrorCode.LEADER_NOT_AVAILABLE;
    } catch (err) {
      const code = errorCodeOf(err);
      // Another broker created it first: it is being set up all the same.
      if (code === ErrorCode.TOPIC_ALREADY_EXISTS) return ErrorCode.LEADER_NOT_AVAILABLE;
      if (code === ErrorCode.UNKNOWN_SERVER_ERROR)
        this.#logger.error({ err, topic: name }, 'auto-creating topic failed');
      return code;
    }
  }

  #topicMetadata(
    snapshot: MetadataSnapshot,
    name: string,
    apiVersion: number,
  ): Encodable<MetadataResponseTopic> {
    const partitions = [...snapshot.topics.get(name)!.values()]
      .sort((a, b) => a.partition - b.partition)
      .map((state) => partitionMetadata(snapshot, state, apiVersion));
    return { errorCode: ErrorCode.NONE, name, isInternal: isInternalTopic(name), partitions };
  }

  // ---------------------------------------------------------------------------------------
  // DescribeConfigs (32)
  // ---------------------------------------------------------------------------------------

  /**
   * A topic's configs are read from the coordinator at the time of the request, as Kafka 2.8's
   * ZkAdminManager.describeConfigs does: an AlterConfigs answered a moment ago must show, even
   * before this broker's dynamic config manager has applied the change notification (if the
   * coordinator cannot be read, the applied overrides are described). Broker configs come
   * from this broker's own layers (Kafka's too).
   */
  async handleDescribeConfigs(
    request: DescribeConfigsRequest,
    apiVersion: number,
  ): Promise<Encodable<DescribeConfigsResponse>> {
    const fresh = new Map<string, Readonly<Record<string, string>>>();
    const fetch = this.#deps.fetchTopicConfig;
    if (fetch !== undefined) {
      for (const r of request.resources) {
        if (r.resourceType !== ConfigResourceType.TOPIC || fresh.has(r.resourceName)) continue;
        if (topicNameError(r.resourceName) !== undefined) continue;
        if (this.#topicOverrides(r.resourceName) === undefined) continue;
        try {
          fresh.set(r.resourceName, await fetch(r.resourceName));
        } catch (err) {
          // Without the coordinator, the overrides this broker has applied are the answer.
          this.#logger.warn({ err, topic: r.resourceName }, 'cannot read topic config');
        }
      }
    }
    return {
      throttleTimeMs: 0,
      results: request.resources.map((resource) =>
        describeResource(resource, {
          broker: this.#deps.config,
          apiVersion,
          includeSynonyms: request.includeSynonyms,
          topicExists: (topic) => this.#topicOverrides(topic) !== undefined,
          topicNameError,
          topicOverrides: (topic) => fresh.get(topic),
        }),
      ),
    };
  }
}

/** Whether a partition's first batch is transactional (Kafka's hasTransactionalRecords). */
function hasTransactionalRecords(request: ProduceRequest): boolean {
  return request.topicData.some((topic) =>
    topic.partitionData.some(
      (p) =>
        p.records !== null &&
        p.records.length >= RECORD_BATCH_HEADER_BYTES &&
        new RecordBatch(p.records, 0).isTransactional,
    ),
  );
}

/** The same error for every partition; with acks=0 the connection is closed instead. */
function refuseProduce(
  request: ProduceRequest,
  session: ConnectionSession,
  errorCode: number,
): Encodable<ProduceResponse> {
  if (request.acks === 0) {
    throw new CloseConnectionError(
      `acks=0 produce by ${session.principal} failed with ${errorForCode(errorCode).name}; ` +
        'closing the connection as Kafka does',
    );
  }
  return {
    throttleTimeMs: 0,
    responses: request.topicData.map((t) => ({
      name: t.name,
      partitionResponses: t.partitionData.map((p) => ({
        index: p.index,
        errorCode,
        baseOffset: -1n,
        logAppendTimeMs: -1n,
        logStartOffset: -1n,
        errorMessage: null,
      })),
    })),
  };
}

function emptyTopic(name: string, errorCode: number): Encodable<MetadataResponseTopic> {
  return { errorCode, name, isInternal: isInternalTopic(name), partitions: [] };
}

/**
 * One partition's metadata. A leader that is not alive is reported as LEADER_NOT_AVAILABLE
 * with leader -1 (clients wait and refresh). Metadata v0 also reported REPLICA_NOT_AVAILABLE
 * and left dead replicas out; v1+ list every replica and name the dead ones in
 * offline_replicas (v5+) instead.
 */
function partitionMetadata(snapshot: MetadataSnapshot, state: PartitionState, apiVersion: number) {
  const leaderAlive = state.leader >= 0 && snapshot.isBrokerAlive(state.leader);
  let errorCode = leaderAlive ? 0 : 5;
  let replicas = state.replicas;
  let isr = state.isr;
  if (apiVersion === 0) {
    const alive = (id: number) => snapshot.isBrokerAlive(id);
    if (errorCode === ErrorCode.NONE && (!replicas.every(alive) || !isr.every(alive)))
      errorCode = 9;
    replicas = replicas.filter(alive);
    isr = isr.filter(alive);
  }
  return {
    errorCode,
    partitionIndex: state.partition,
    leaderId: leaderAlive ? state.leader : -1,
    leaderEpoch: state.leaderEpoch,
    replicaNodes: [...replicas],
    isrNodes: [...isr],
    offlineReplicas: [...state.offlineReplicas],
  };
}
