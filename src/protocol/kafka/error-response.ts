/**
 * The response that answers a whole request with one error code, as Kafka's
 * `AbstractRequest.getErrorResponse(e)` builds it: every place the response carries an error
 * (the top-level `error_code`, or one per topic, partition, group or resource the request
 * named) gets the code, and everything else keeps its default.
 *
 * The broker uses it for requests it decoded but will not serve, chiefly UNSUPPORTED_VERSION
 * for an API or version that is not in its handler table (broker/network/socket-server.ts).
 * Kafka's answer keeps the shape of the request: a Produce for two partitions gets two
 * partition errors back, so the client can fail each of its batches with the right error
 * instead of waiting for answers that never come.
 *
 * One `case` per API key, ending in a `never` check: an API added to the generator fails to
 * compile until it says how its error response looks.
 */
import { unreachable } from '../../assert.js';
import { ApiKey } from './api-keys.js';
import type { DecodedRequest, Encodable } from './codec.js';
import type { GeneratedApiKey, ResponseBodyByApiKey } from './generated/index.js';

/** A response body of the request's own API. */
export type ErrorResponse = {
  [K in GeneratedApiKey]: Encodable<ResponseBodyByApiKey[K]>;
}[GeneratedApiKey];

/** The response to `request` that reports `errorCode` everywhere it can (see module doc). */
export function errorResponse(request: DecodedRequest, errorCode: number): ErrorResponse {
  const { apiVersion } = request;
  switch (request.apiKey) {
    case ApiKey.Produce:
      return {
        responses: request.body.topicData.map((topic) => ({
          name: topic.name,
          partitionResponses: topic.partitionData.map((p) => ({ index: p.index, errorCode })),
        })),
      };
    case ApiKey.Fetch: {
      // Fetch: a top-level error from v7 on (fetch sessions), per partition before.
      if (apiVersion >= 7) return { errorCode, responses: [] };
      return {
        responses: request.body.topics.map((topic) => ({
          topic: topic.topic,
          partitions: topic.partitions.map((p) => ({
            partitionIndex: p.partition,
            errorCode,
            highWatermark: -1n,
            lastStableOffset: -1n,
            logStartOffset: -1n,
          })),
        })),
      };
    }
    case ApiKey.ListOffsets:
      return {
        topics: request.body.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode,
            timestamp: -1n,
            offset: -1n,
          })),
        })),
      };
    case ApiKey.OffsetForLeaderEpoch:
      return {
        topics: request.body.topics.map((topic) => ({
          topic: topic.topic,
          partitions: topic.partitions.map((p) => ({
            partition: p.partition,
            errorCode,
            leaderEpoch: -1,
            endOffset: -1n,
          })),
        })),
      };
    case ApiKey.ElectLeaders: // v1+ also has a top-level code; v0 only the per-partition ones.
      return {
        errorCode,
        replicaElectionResults: (request.body.topicPartitions ?? []).map((t) => ({
          topic: t.topic,
          partitionResult: t.partitions.map((partitionId) => ({
            partitionId,
            errorCode,
            errorMessage: null,
          })),
        })),
      };
    case ApiKey.Metadata: // each named topic with the error; no brokers.
      return {
        topics: (request.body.topics ?? []).map((topic) => ({
          // Asked for by id (v10+): the name is unknown, and only v12+ answers may omit it.
          name: topic.name ?? '',
          topicId: topic.topicId,
          errorCode,
        })),
      };
    case ApiKey.OffsetCommit:
      return {
        topics: request.body.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode,
          })),
        })),
      };
    case ApiKey.OffsetFetch: {
      // OffsetFetch: per partition in v0-1, top level in v2-7, per group from v8.
      if (apiVersion >= 8) {
        return { groups: request.body.groups.map((g) => ({ groupId: g.groupId, errorCode })) };
      }
      if (apiVersion >= 2) return { errorCode };
      return {
        topics: (request.body.topics ?? []).map((topic) => ({
          name: topic.name,
          partitions: topic.partitionIndexes.map((partitionIndex) => ({
            partitionIndex,
            committedOffset: -1n,
            errorCode,
          })),
        })),
      };
    }
    case ApiKey.FindCoordinator: // one answer per key from v4 (batched lookups).
      if (apiVersion >= 4) {
        return { coordinators: request.body.coordinatorKeys.map((key) => ({ key, errorCode })) };
      }
      return { errorCode };
    case ApiKey.DescribeGroups:
      return { groups: request.body.groups.map((groupId) => ({ groupId, errorCode })) };
    case ApiKey.CreateTopics:
      return { topics: request.body.topics.map((topic) => ({ name: topic.name, errorCode })) };
    case ApiKey.DeleteTopics: {
      // DeleteTopics: names until v5, name-or-id states from v6.
      if (apiVersion >= 6) {
        return {
          responses: request.body.topics.map((topic) => ({
            name: topic.name,
            topicId: topic.topicId,
            errorCode,
          })),
        };
      }
      return { responses: request.body.topicNames.map((name) => ({ name, errorCode })) };
    }
    case ApiKey.DeleteRecords:
      return {
        topics: request.body.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            lowWatermark: -1n,
            errorCode,
          })),
        })),
      };
    case ApiKey.DescribeConfigs:
      return {
        results: request.body.resources.map((r) => ({
          errorCode,
          resourceType: r.resourceType,
          resourceName: r.resourceName,
        })),
      };
    case ApiKey.AlterConfigs:
    case ApiKey.IncrementalAlterConfigs:
      return {
        responses: request.body.resources.map((r) => ({
          errorCode,
          resourceType: r.resourceType,
          resourceName: r.resourceName,
        })),
      };
    case ApiKey.CreatePartitions:
      return { results: request.body.topics.map((topic) => ({ name: topic.name, errorCode })) };
    case ApiKey.DeleteGroups:
      return { results: request.body.groupsNames.map((groupId) => ({ groupId, errorCode })) };
    case ApiKey.AddPartitionsToTxn: {
      // v4+ batch transactions (KIP-890); v0-3 carry one transaction and answer per partition.
      const perTopic = (topics: { name: string; partitions: number[] }[]) =>
        topics.map((topic) => ({
          name: topic.name,
          resultsByPartition: topic.partitions.map((partitionIndex) => ({
            partitionIndex,
            partitionErrorCode: errorCode,
          })),
        }));
      if (apiVersion >= 4) {
        return {
          errorCode,
          resultsByTransaction: request.body.transactions.map((t) => ({
            transactionalId: t.transactionalId,
            topicResults: perTopic(t.topics),
          })),
        };
      }
      return { resultsByTopicV3AndBelow: perTopic(request.body.v3AndBelowTopics) };
    }
    case ApiKey.WriteTxnMarkers:
      return {
        markers: request.body.markers.map((m) => ({
          producerId: m.producerId,
          topics: m.topics.map((topic) => ({
            name: topic.name,
            partitions: topic.partitionIndexes.map((partitionIndex) => ({
              partitionIndex,
              errorCode,
            })),
          })),
        })),
      };
    case ApiKey.TxnOffsetCommit:
      return {
        topics: request.body.topics.map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode,
          })),
        })),
      };
    case ApiKey.CreateAcls:
      return { results: request.body.creations.map(() => ({ errorCode })) };
    case ApiKey.DeleteAcls:
      return { filterResults: request.body.filters.map(() => ({ errorCode })) };
    case ApiKey.AlterUserScramCredentials: {
      const users = new Set([
        ...request.body.deletions.map((d) => d.name),
        ...request.body.upsertions.map((u) => u.name),
      ]);
      return { results: [...users].map((user) => ({ user, errorCode })) };
    }
    // The rest carry one top-level error code in every version. The last two are the
    // controller's reassignment APIs.
    case ApiKey.LeaderAndIsr:
    case ApiKey.StopReplica:
    case ApiKey.UpdateMetadata:
    case ApiKey.ControlledShutdown:
    case ApiKey.JoinGroup:
    case ApiKey.Heartbeat:
    case ApiKey.LeaveGroup:
    case ApiKey.SyncGroup:
    case ApiKey.ListGroups:
    case ApiKey.SaslHandshake:
    case ApiKey.ApiVersions:
    case ApiKey.InitProducerId:
    case ApiKey.SaslAuthenticate:
    case ApiKey.OffsetDelete:
    case ApiKey.DescribeCluster:
    case ApiKey.AlterPartitionReassignments:
    case ApiKey.ListPartitionReassignments:
    case ApiKey.AddOffsetsToTxn:
    case ApiKey.EndTxn:
    case ApiKey.DescribeAcls:
    case ApiKey.DescribeUserScramCredentials:
      return { errorCode };
    default:
      return unreachable(request);
  }
}
