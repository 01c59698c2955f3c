// GENERATED FILE: do not edit.
// Rebuild with: node --import=tsx scripts/generate-kafka-protocol.ts
//
// The generated APIs by key: schemas for the codec, and body types for handlers.

import type { MessageSchema } from '../schema.js';
import {
  produceRequestSchema,
  produceResponseSchema,
  type ProduceRequest,
  type ProduceResponse,
} from './produce.js';
import {
  fetchRequestSchema,
  fetchResponseSchema,
  type FetchRequest,
  type FetchResponse,
} from './fetch.js';
import {
  listOffsetsRequestSchema,
  listOffsetsResponseSchema,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
} from './list-offsets.js';
import {
  metadataRequestSchema,
  metadataResponseSchema,
  type MetadataRequest,
  type MetadataResponse,
} from './metadata.js';
import {
  leaderAndIsrRequestSchema,
  leaderAndIsrResponseSchema,
  type LeaderAndIsrRequest,
  type LeaderAndIsrResponse,
} from './leader-and-isr.js';
import {
  stopReplicaRequestSchema,
  stopReplicaResponseSchema,
  type StopReplicaRequest,
  type StopReplicaResponse,
} from './stop-replica.js';
import {
  updateMetadataRequestSchema,
  updateMetadataResponseSchema,
  type UpdateMetadataRequest,
  type UpdateMetadataResponse,
} from './update-metadata.js';
import {
  controlledShutdownRequestSchema,
  controlledShutdownResponseSchema,
  type ControlledShutdownRequest,
  type ControlledShutdownResponse,
} from './controlled-shutdown.js';
import {
  offsetCommitRequestSchema,
  offsetCommitResponseSchema,
  type OffsetCommitRequest,
  type OffsetCommitResponse,
} from './offset-commit.js';
import {
  offsetFetchRequestSchema,
  offsetFetchResponseSchema,
  type OffsetFetchRequest,
  type OffsetFetchResponse,
} from './offset-fetch.js';
import {
  findCoordinatorRequestSchema,
  findCoordinatorResponseSchema,
  type FindCoordinatorRequest,
  type FindCoordinatorResponse,
} from './find-coordinator.js';
import {
  joinGroupRequestSchema,
  joinGroupResponseSchema,
  type JoinGroupRequest,
  type JoinGroupResponse,
} from './join-group.js';
import {
  heartbeatRequestSchema,
  heartbeatResponseSchema,
  type HeartbeatRequest,
  type HeartbeatResponse,
} from './heartbeat.js';
import {
  leaveGroupRequestSchema,
  leaveGroupResponseSchema,
  type LeaveGroupRequest,
  type LeaveGroupResponse,
} from './leave-group.js';
import {
  syncGroupRequestSchema,
  syncGroupResponseSchema,
  type SyncGroupRequest,
  type SyncGroupResponse,
} from './sync-group.js';
import {
  describeGroupsRequestSchema,
  describeGroupsResponseSchema,
  type DescribeGroupsRequest,
  type DescribeGroupsResponse,
} from './describe-groups.js';
import {
  listGroupsRequestSchema,
  listGroupsResponseSchema,
  type ListGroupsRequest,
  type ListGroupsResponse,
} from './list-groups.js';
import {
  saslHandshakeRequestSchema,
  saslHandshakeResponseSchema,
  type SaslHandshakeRequest,
  type SaslHandshakeResponse,
} from './sasl-handshake.js';
import {
  apiVersionsRequestSchema,
  apiVersionsResponseSchema,
  type ApiVersionsRequest,
  type ApiVersionsResponse,
} from './api-versions.js';
import {
  createTopicsRequestSchema,
  createTopicsResponseSchema,
  type CreateTopicsRequest,
  type CreateTopicsResponse,
} from './create-topics.js';
import {
  deleteTopicsRequestSchema,
  deleteTopicsResponseSchema,
  type DeleteTopicsRequest,
  type DeleteTopicsResponse,
} from './delete-topics.js';
import {
  deleteRecordsRequestSchema,
  deleteRecordsResponseSchema,
  type DeleteRecordsRequest,
  type DeleteRecordsResponse,
} from './delete-records.js';
import {
  initProducerIdRequestSchema,
  initProducerIdResponseSchema,
  type InitProducerIdRequest,
  type InitProducerIdResponse,
} from './init-producer-id.js';
import {
  offsetForLeaderEpochRequestSchema,
  offsetForLeaderEpochResponseSchema,
  type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochResponse,
} from './offset-for-leader-epoch.js';
import {
  addPartitionsToTxnRequestSchema,
  addPartitionsToTxnResponseSchema,
  type AddPartitionsToTxnRequest,
  type AddPartitionsToTxnResponse,
} from './add-partitions-to-txn.js';
import {
  addOffsetsToTxnRequestSchema,
  addOffsetsToTxnResponseSchema,
  type AddOffsetsToTxnRequest,
  type AddOffsetsToTxnResponse,
} from './add-offsets-to-txn.js';
import {
  endTxnRequestSchema,
  endTxnResponseSchema,
  type EndTxnRequest,
  type EndTxnResponse,
} from './end-txn.js';
import {
  writeTxnMarkersRequestSchema,
  writeTxnMarkersResponseSchema,
  type WriteTxnMarkersRequest,
  type WriteTxnMarkersResponse,
} from './write-txn-markers.js';
import {
  txnOffsetCommitRequestSchema,
  txnOffsetCommitResponseSchema,
  type TxnOffsetCommitRequest,
  type TxnOffsetCommitResponse,
} from './txn-offset-commit.js';
import {
  describeAclsRequestSchema,
  describeAclsResponseSchema,
  type DescribeAclsRequest,
  type DescribeAclsResponse,
} from './describe-acls.js';
import {
  createAclsRequestSchema,
  createAclsResponseSchema,
  type CreateAclsRequest,
  type CreateAclsResponse,
} from './create-acls.js';
import {
  deleteAclsRequestSchema,
  deleteAclsResponseSchema,
  type DeleteAclsRequest,
  type DeleteAclsResponse,
} from './delete-acls.js';
import {
  describeConfigsRequestSchema,
  describeConfigsResponseSchema,
  type DescribeConfigsRequest,
  type DescribeConfigsResponse,
} from './describe-configs.js';
import {
  alterConfigsRequestSchema,
  alterConfigsResponseSchema,
  type AlterConfigsRequest,
  type AlterConfigsResponse,
} from './alter-configs.js';
import {
  saslAuthenticateRequestSchema,
  saslAuthenticateResponseSchema,
  type SaslAuthenticateRequest,
  type SaslAuthenticateResponse,
} from './sasl-authenticate.js';
import {
  createPartitionsRequestSchema,
  createPartitionsResponseSchema,
  type CreatePartitionsRequest,
  type CreatePartitionsResponse,
} from './create-partitions.js';
import {
  deleteGroupsRequestSchema,
  deleteGroupsResponseSchema,
  type DeleteGroupsRequest,
  type DeleteGroupsResponse,
} from './delete-groups.js';
import {
  electLeadersRequestSchema,
  electLeadersResponseSchema,
  type ElectLeadersRequest,
  type ElectLeadersResponse,
} from './elect-leaders.js';
import {
  incrementalAlterConfigsRequestSchema,
  incrementalAlterConfigsResponseSchema,
  type IncrementalAlterConfigsRequest,
  type IncrementalAlterConfigsResponse,
} from './incremental-alter-configs.js';
import {
  alterPartitionReassignmentsRequestSchema,
  alterPartitionReassignmentsResponseSchema,
  type AlterPartitionReassignmentsRequest,
  type AlterPartitionReassignmentsResponse,
} from './alter-partition-reassignments.js';
import {
  listPartitionReassignmentsRequestSchema,
  listPartitionReassignmentsResponseSchema,
  type ListPartitionReassignmentsRequest,
  type ListPartitionReassignmentsResponse,
} from './list-partition-reassignments.js';
import {
  offsetDeleteRequestSchema,
  offsetDeleteResponseSchema,
  type OffsetDeleteRequest,
  type OffsetDeleteResponse,
} from './offset-delete.js';
import {
  describeUserScramCredentialsRequestSchema,
  describeUserScramCredentialsResponseSchema,
  type DescribeUserScramCredentialsRequest,
  type DescribeUserScramCredentialsResponse,
} from './describe-user-scram-credentials.js';
import {
  alterUserScramCredentialsRequestSchema,
  alterUserScramCredentialsResponseSchema,
  type AlterUserScramCredentialsRequest,
  type AlterUserScramCredentialsResponse,
} from './alter-user-scram-credentials.js';
import {
  describeClusterRequestSchema,
  describeClusterResponseSchema,
  type DescribeClusterRequest,
  type DescribeClusterResponse,
} from './describe-cluster.js';

export type {
  ProduceRequest,
  ProduceResponse,
  FetchRequest,
  FetchResponse,
  ListOffsetsRequest,
  ListOffsetsResponse,
  MetadataRequest,
  MetadataResponse,
  LeaderAndIsrRequest,
  LeaderAndIsrResponse,
  StopReplicaRequest,
  StopReplicaResponse,
  UpdateMetadataRequest,
  UpdateMetadataResponse,
  ControlledShutdownRequest,
  ControlledShutdownResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  SyncGroupRequest,
  SyncGroupResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  SaslHandshakeRequest,
  SaslHandshakeResponse,
  ApiVersionsRequest,
  ApiVersionsResponse,
  CreateTopicsRequest,
  CreateTopicsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  DeleteRecordsRequest,
  DeleteRecordsResponse,
  InitProducerIdRequest,
  InitProducerIdResponse,
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  AddOffsetsToTxnRequest,
  AddOffsetsToTxnResponse,
  EndTxnRequest,
  EndTxnResponse,
  WriteTxnMarkersRequest,
  WriteTxnMarkersResponse,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse,
  DescribeAclsRequest,
  DescribeAclsResponse,
  CreateAclsRequest,
  CreateAclsResponse,
  DeleteAclsRequest,
  DeleteAclsResponse,
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  AlterConfigsRequest,
  AlterConfigsResponse,
  SaslAuthenticateRequest,
  SaslAuthenticateResponse,
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  ElectLeadersRequest,
  ElectLeadersResponse,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse,
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse,
  DescribeClusterRequest,
  DescribeClusterResponse,
};

/** API names by key, for the APIs we generate. */
export const GENERATED_API_NAMES = {
  0: "Produce",
  1: "Fetch",
  2: "ListOffsets",
  3: "Metadata",
  4: "LeaderAndIsr",
  5: "StopReplica",
  6: "UpdateMetadata",
  7: "ControlledShutdown",
  8: "OffsetCommit",
  9: "OffsetFetch",
  10: "FindCoordinator",
  11: "JoinGroup",
  12: "Heartbeat",
  13: "LeaveGroup",
  14: "SyncGroup",
  15: "DescribeGroups",
  16: "ListGroups",
  17: "SaslHandshake",
  18: "ApiVersions",
  19: "CreateTopics",
  20: "DeleteTopics",
  21: "DeleteRecords",
  22: "InitProducerId",
  23: "OffsetForLeaderEpoch",
  24: "AddPartitionsToTxn",
  25: "AddOffsetsToTxn",
  26: "EndTxn",
  27: "WriteTxnMarkers",
  28: "TxnOffsetCommit",
  29: "DescribeAcls",
  30: "CreateAcls",
  31: "DeleteAcls",
  32: "DescribeConfigs",
  33: "AlterConfigs",
  36: "SaslAuthenticate",
  37: "CreatePartitions",
  42: "DeleteGroups",
  43: "ElectLeaders",
  44: "IncrementalAlterConfigs",
  45: "AlterPartitionReassignments",
  46: "ListPartitionReassignments",
  47: "OffsetDelete",
  50: "DescribeUserScramCredentials",
  51: "AlterUserScramCredentials",
  60: "DescribeCluster",
} as const;

export type GeneratedApiKey = keyof typeof GENERATED_API_NAMES;

/** Request and response schema of every generated API. */
export const MESSAGE_SCHEMAS: Readonly<Record<GeneratedApiKey, { readonly request: MessageSchema; readonly response: MessageSchema }>> = {
  0: { request: produceRequestSchema, response: produceResponseSchema },
  1: { request: fetchRequestSchema, response: fetchResponseSchema },
  2: { request: listOffsetsRequestSchema, response: listOffsetsResponseSchema },
  3: { request: metadataRequestSchema, response: metadataResponseSchema },
  4: { request: leaderAndIsrRequestSchema, response: leaderAndIsrResponseSchema },
  5: { request: stopReplicaRequestSchema, response: stopReplicaResponseSchema },
  6: { request: updateMetadataRequestSchema, response: updateMetadataResponseSchema },
  7: { request: controlledShutdownRequestSchema, response: controlledShutdownResponseSchema },
  8: { request: offsetCommitRequestSchema, response: offsetCommitResponseSchema },
  9: { request: offsetFetchRequestSchema, response: offsetFetchResponseSchema },
  10: { request: findCoordinatorRequestSchema, response: findCoordinatorResponseSchema },
  11: { request: joinGroupRequestSchema, response: joinGroupResponseSchema },
  12: { request: heartbeatRequestSchema, response: heartbeatResponseSchema },
  13: { request: leaveGroupRequestSchema, response: leaveGroupResponseSchema },
  14: { request: syncGroupRequestSchema, response: syncGroupResponseSchema },
  15: { request: describeGroupsRequestSchema, response: describeGroupsResponseSchema },
  16: { request: listGroupsRequestSchema, response: listGroupsResponseSchema },
  17: { request: saslHandshakeRequestSchema, response: saslHandshakeResponseSchema },
  18: { request: apiVersionsRequestSchema, response: apiVersionsResponseSchema },
  19: { request: createTopicsRequestSchema, response: createTopicsResponseSchema },
  20: { request: deleteTopicsRequestSchema, response: deleteTopicsResponseSchema },
  21: { request: deleteRecordsRequestSchema, response: deleteRecordsResponseSchema },
  22: { request: initProducerIdRequestSchema, response: initProducerIdResponseSchema },
  23: { request: offsetForLeaderEpochRequestSchema, response: offsetForLeaderEpochResponseSchema },
  24: { request: addPartitionsToTxnRequestSchema, response: addPartitionsToTxnResponseSchema },
  25: { request: addOffsetsToTxnRequestSchema, response: addOffsetsToTxnResponseSchema },
  26: { request: endTxnRequestSchema, response: endTxnResponseSchema },
  27: { request: writeTxnMarkersRequestSchema, response: writeTxnMarkersResponseSchema },
  28: { request: txnOffsetCommitRequestSchema, response: txnOffsetCommitResponseSchema },
  29: { request: describeAclsRequestSchema, response: describeAclsResponseSchema },
  30: { request: createAclsRequestSchema, response: createAclsResponseSchema },
  31: { request: deleteAclsRequestSchema, response: deleteAclsResponseSchema },
  32: { request: describeConfigsRequestSchema, response: describeConfigsResponseSchema },
  33: { request: alterConfigsRequestSchema, response: alterConfigsResponseSchema },
  36: { request: saslAuthenticateRequestSchema, response: saslAuthenticateResponseSchema },
  37: { request: createPartitionsRequestSchema, response: createPartitionsResponseSchema },
  42: { request: deleteGroupsRequestSchema, response: deleteGroupsResponseSchema },
  43: { request: electLeadersRequestSchema, response: electLeadersResponseSchema },
  44: { request: incrementalAlterConfigsRequestSchema, response: incrementalAlterConfigsResponseSchema },
  45: { request: alterPartitionReassignmentsRequestSchema, response: alterPartitionReassignmentsResponseSchema },
  46: { request: listPartitionReassignmentsRequestSchema, response: listPartitionReassignmentsResponseSchema },
  47: { request: offsetDeleteRequestSchema, response: offsetDeleteResponseSchema },
  50: { request: describeUserScramCredentialsRequestSchema, response: describeUserScramCredentialsResponseSchema },
  51: { request: alterUserScramCredentialsRequestSchema, response: alterUserScramCredentialsResponseSchema },
  60: { request: describeClusterRequestSchema, response: describeClusterResponseSchema },
};

/** The request body type of each API key. */
export interface RequestBodyByApiKey {
  0: ProduceRequest;
  1: FetchRequest;
  2: ListOffsetsRequest;
  3: MetadataRequest;
  4: LeaderAndIsrRequest;
  5: StopReplicaRequest;
  6: UpdateMetadataRequest;
  7: ControlledShutdownRequest;
  8: OffsetCommitRequest;
  9: OffsetFetchRequest;
  10: FindCoordinatorRequest;
  11: JoinGroupRequest;
  12: HeartbeatRequest;
  13: LeaveGroupRequest;
  14: SyncGroupRequest;
  15: DescribeGroupsRequest;
  16: ListGroupsRequest;
  17: SaslHandshakeRequest;
  18: ApiVersionsRequest;
  19: CreateTopicsRequest;
  20: DeleteTopicsRequest;
  21: DeleteRecordsRequest;
  22: InitProducerIdRequest;
  23: OffsetForLeaderEpochRequest;
  24: AddPartitionsToTxnRequest;
  25: AddOffsetsToTxnRequest;
  26: EndTxnRequest;
  27: WriteTxnMarkersRequest;
  28: TxnOffsetCommitRequest;
  29: DescribeAclsRequest;
  30: CreateAclsRequest;
  31: DeleteAclsRequest;
  32: DescribeConfigsRequest;
  33: AlterConfigsRequest;
  36: SaslAuthenticateRequest;
  37: CreatePartitionsRequest;
  42: DeleteGroupsRequest;
  43: ElectLeadersRequest;
  44: IncrementalAlterConfigsRequest;
  45: AlterPartitionReassignmentsRequest;
  46: ListPartitionReassignmentsRequest;
  47: OffsetDeleteRequest;
  50: DescribeUserScramCredentialsRequest;
  51: AlterUserScramCredentialsRequest;
  60: DescribeClusterRequest;
}

/** The response body type of each API key. */
export interface ResponseBodyByApiKey {
  0: ProduceResponse;
  1: FetchResponse;
  2: ListOffsetsResponse;
  3: MetadataResponse;
  4: LeaderAndIsrResponse;
  5: StopReplicaResponse;
  6: UpdateMetadataResponse;
  7: ControlledShutdownResponse;
  8: OffsetCommitResponse;
  9: OffsetFetchResponse;
  10: FindCoordinatorResponse;
  11: JoinGroupResponse;
  12: HeartbeatResponse;
  13: LeaveGroupResponse;
  14: SyncGroupResponse;
  15: DescribeGroupsResponse;
  16: ListGroupsResponse;
  17: SaslHandshakeResponse;
  18: ApiVersionsResponse;
  19: CreateTopicsResponse;
  20: DeleteTopicsResponse;
  21: DeleteRecordsResponse;
  22: InitProducerIdResponse;
  23: OffsetForLeaderEpochResponse;
  24: AddPartitionsToTxnResponse;
  25: AddOffsetsToTxnResponse;
  26: EndTxnResponse;
  27: WriteTxnMarkersResponse;
  28: TxnOffsetCommitResponse;
  29: DescribeAclsResponse;
  30: CreateAclsResponse;
  31: DeleteAclsResponse;
  32: DescribeConfigsResponse;
  33: AlterConfigsResponse;
  36: SaslAuthenticateResponse;
  37: CreatePartitionsResponse;
  42: DeleteGroupsResponse;
  43: ElectLeadersResponse;
  44: IncrementalAlterConfigsResponse;
  45: AlterPartitionReassignmentsResponse;
  46: ListPartitionReassignmentsResponse;
  47: OffsetDeleteResponse;
  50: DescribeUserScramCredentialsResponse;
  51: AlterUserScramCredentialsResponse;
  60: DescribeClusterResponse;
}
