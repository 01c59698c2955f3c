/**
 * Wire compatibility with a real client: kafkajs 2.2.4's own request encoders produce the bytes
 * our codec must decode, and kafkajs's response decoders must read what our codec encodes.
 * The versions are the ones kafkajs actually uses against our advertised ranges:
 * ApiVersions 2, Metadata 6, Produce 7, Fetch 11, ListOffsets 3, CreateTopics 3, JoinGroup 5,
 * FindCoordinator 2, OffsetCommit 5.
 */
import t from 'tap';
import { createRequire } from 'node:module';
import {
  decodeRequest,
  encodeResponse,
  type DecodedRequest,
} from '../../../../src/protocol/kafka/codec.js';
import { ErrorCode } from '../../../../src/protocol/kafka/errors.js';
import { ApiKey } from '../../../../src/protocol/kafka/api-keys.js';

const require = createRequire(import.meta.url);
const kafkajs = (path: string): any => require(`kafkajs/src/protocol/${path}`);
const frameRequest = kafkajs('request');

/** Encodes a kafkajs request object exactly as kafkajs would send it, minus the size prefix. */
async function kafkajsRequestBytes(request: unknown, correlationId = 42): Promise<Buffer> {
  const encoder = await frameRequest({ correlationId, clientId: 'kafkajs-test', request });
  const bytes: Buffer = encoder.buffer;
  t.equal(bytes.readInt32BE(0), bytes.length - 4, 'kafkajs size prefix');
  return bytes.subarray(4);
}

async function decodeKafkajs(path: string, args: unknown): Promise<DecodedRequest> {
  const decoded = decodeRequest(await kafkajsRequestBytes(kafkajs(`requests/${path}`)(args)));
  t.equal(decoded.correlationId, 42);
  t.equal(decoded.clientId, 'kafkajs-test');
  return decoded;
}

/** What kafkajs's connection hands to a response decoder: the body after the correlation id. */
async function kafkajsDecodeResponse(path: string, frame: Buffer): Promise<any> {
  const { decode, parse } = kafkajs(`requests/${path}`);
  return parse(await decode(frame.subarray(4)));
}

t.test('ApiVersions v2: kafkajs request, our response', async (t) => {
  const request = await decodeKafkajs('apiVersions/v2/request', {});
  t.equal(request.apiKey, ApiKey.ApiVersions);
  t.equal(request.apiVersion, 2);
  const response = encodeResponse(18, 2, 42, {
    errorCode: ErrorCode.NONE,
    apiKeys: [
      { apiKey: ApiKey.Produce, minVersion: 3, maxVersion: 7 },
      { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 3 },
    ],
    throttleTimeMs: 0,
  });
  const parsed = await kafkajsDecodeResponse('apiVersions/v2/response', response);
  t.same(parsed.apiVersions, [
    { apiKey: ApiKey.Produce, minVersion: 3, maxVersion: 7 },
    { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 3 },
  ]);
});

t.test('Metadata v6: kafkajs request, our response', async (t) => {
  const request = await decodeKafkajs('metadata/v6/request', {
    topics: ['orders', 'payments'],
    allowAutoTopicCreation: false,
  });
  if (request.apiKey !== ApiKey.Metadata) return t.fail('not metadata');
  t.equal(request.apiVersion, 6);
  t.same(
    request.body.topics?.map((topic) => topic.name),
    ['orders', 'payments'],
  );
  t.equal(request.body.allowAutoTopicCreation, false);

  const response = encodeResponse(3, 6, 42, {
    throttleTimeMs: 0,
    brokers: [
      { nodeId: 1, host: '127.0.0.1', port: 9092, rack: null },
      { nodeId: 2, host: '127.0.0.1', port: 9093, rack: 'r2' },
    ],
    clusterId: 'samsa-cluster',
    controllerId: 1,
    topics: [
      {
        errorCode: ErrorCode.NONE,
        name: 'orders',
        isInternal: false,
        partitions: [
          {
            errorCode: ErrorCode.NONE,
            partitionIndex: 0,
            leaderId: 1,
            replicaNodes: [1, 2],
            isrNodes: [1],
            offlineReplicas: [],
          },
        ],
      },
    ],
  });
  const parsed = await kafkajsDecodeResponse('metadata/v6/response', response);
  t.equal(parsed.clusterId, 'samsa-cluster');
  t.equal(parsed.controllerId, 1);
  t.same(parsed.brokers, [
    { nodeId: 1, host: '127.0.0.1', port: 9092, rack: null },
    { nodeId: 2, host: '127.0.0.1', port: 9093, rack: 'r2' },
  ]);
  t.match(parsed.topicMetadata[0], {
    topicErrorCode: 0,
    topic: 'orders',
    isInternal: false,
    partitionMetadata: [
      { partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1, 2], isr: [1] },
    ],
  });
});

t.test('Produce v7 and Fetch v11: records pass through untouched', async (t) => {
  const request = await decodeKafkajs('produce/v7/request', {
    acks: -1,
    timeout: 30000,
    topicData: [
      {
        topic: 'orders',
        partitions: [
          {
            partition: 3,
            messages: [
              { key: 'k1', value: 'v1', timestamp: 1_700_000_000_000 },
              { key: 'k2', value: 'v2', timestamp: 1_700_000_000_001, headers: { h: 'x' } },
            ],
          },
        ],
      },
    ],
  });
  if (request.apiKey !== ApiKey.Produce) return t.fail('not produce');
  t.equal(request.apiVersion, 7);
  t.equal(request.body.acks, -1);
  t.equal(request.body.timeoutMs, 30000);
  t.equal(request.body.transactionalId, null);
  const partition = request.body.topicData[0]?.partitionData[0];
  t.equal(request.body.topicData[0]?.name, 'orders');
  t.equal(partition?.index, 3);
  const records = partition?.records;
  if (!records) return t.fail('no records');
  t.equal(records.readInt8(16), 2, 'a magic v2 record batch');
  t.equal(records.readInt32BE(57), 2, 'holding two records');

  const produceResponse = encodeResponse(0, 7, 42, {
    responses: [
      {
        name: 'orders',
        partitionResponses: [
          {
            index: 3,
            errorCode: ErrorCode.NONE,
            baseOffset: 100n,
            logAppendTimeMs: -1n,
            logStartOffset: 0n,
          },
        ],
      },
    ],
    throttleTimeMs: 0,
  });
  const produced = await kafkajsDecodeResponse('produce/v7/response', produceResponse);
  t.match(produced.topics[0], {
    topicName: 'orders',
    partitions: [
      { partition: 3, errorCode: ErrorCode.NONE, baseOffset: '100', logStartOffset: '0' },
    ],
  });

  const fetchRequest = await decodeKafkajs('fetch/v11/request', {
    replicaId: -1,
    maxWaitTime: 500,
    minBytes: 1,
    maxBytes: 10485760,
    isolationLevel: 1,
    topics: [
      {
        topic: 'orders',
        partitions: [
          {
            partition: 3,
            currentLeaderEpoch: -1,
            fetchOffset: '100',
            logStartOffset: '-1',
            maxBytes: 1048576,
          },
        ],
      },
    ],
    rackId: '',
  });
  if (fetchRequest.apiKey !== ApiKey.Fetch) return t.fail('not fetch');
  t.equal(fetchRequest.apiVersion, 11);
  const fetchPartition = fetchRequest.body.topics[0]?.partitions[0];
  t.equal(fetchPartition?.fetchOffset, 100n);
  t.equal(fetchPartition?.logStartOffset, -1n);
  t.equal(fetchPartition?.partitionMaxBytes, 1048576);
  t.equal(fetchRequest.body.isolationLevel, 1);

  // Serve the produced batch back, at base offset 100.
  const batch = Buffer.from(records);
  batch.writeBigInt64BE(100n, 0);
  const fetchResponse = encodeResponse(1, 11, 42, {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    sessionId: 0,
    responses: [
      {
        topic: 'orders',
        partitions: [
          {
            partitionIndex: 3,
            errorCode: ErrorCode.NONE,
            highWatermark: 102n,
            lastStableOffset: 102n,
            logStartOffset: 0n,
            abortedTransactions: [],
            preferredReadReplica: -1,
            records: batch,
          },
        ],
      },
    ],
  });
  const fetched = await kafkajsDecodeResponse('fetch/v11/response', fetchResponse);
  const messages = fetched.responses[0].partitions[0].messages;
  t.same(
    messages.map((m: any) => [m.offset, m.key.toString(), m.value.toString()]),
    [
      ['100', 'k1', 'v1'],
      ['101', 'k2', 'v2'],
    ],
  );
  t.equal(messages[1].headers.h.toString(), 'x');
  t.equal(fetched.responses[0].partitions[0].highWatermark, '102');
});

t.test('ListOffsets v3: kafkajs request, our response', async (t) => {
  const request = await decodeKafkajs('listOffsets/v3/request', {
    replicaId: -1,
    isolationLevel: 1,
    topics: [{ topic: 'orders', partitions: [{ partition: 0, timestamp: -2 }] }],
  });
  if (request.apiKey !== ApiKey.ListOffsets) return t.fail('not list offsets');
  t.equal(request.body.topics[0]?.partitions[0]?.timestamp, -2n, 'earliest');
  const response = encodeResponse(2, 3, 42, {
    throttleTimeMs: 0,
    topics: [
      {
        name: 'orders',
        partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE, timestamp: -1n, offset: 5n }],
      },
    ],
  });
  const parsed = await kafkajsDecodeResponse('listOffsets/v3/response', response);
  t.match(parsed.responses[0], {
    topic: 'orders',
    partitions: [{ partition: 0, errorCode: ErrorCode.NONE, offset: '5' }],
  });
});

t.test('CreateTopics v3: kafkajs request, our response', async (t) => {
  const request = await decodeKafkajs('createTopics/v3/request', {
    topics: [
      {
        topic: 'a',
        numPartitions: 3,
        replicationFactor: 2,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
      { topic: 'b', replicaAssignment: [{ partition: 0, replicas: [1, 2] }] },
    ],
    validateOnly: false,
    timeout: 5000,
  });
  if (request.apiKey !== ApiKey.CreateTopics) return t.fail('not create topics');
  t.equal(request.apiVersion, 3);
  t.match(request.body.topics, [
    {
      name: 'a',
      numPartitions: 3,
      replicationFactor: 2,
      assignments: [],
      configs: [{ name: 'cleanup.policy', value: 'compact' }],
    },
    {
      name: 'b',
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }],
    },
  ]);
  t.equal(request.body.timeoutMs, 5000);
  const response = encodeResponse(19, 3, 42, {
    throttleTimeMs: 0,
    topics: [
      { name: 'a', errorCode: ErrorCode.NONE, errorMessage: null },
      {
        name: 'b',
        errorCode: ErrorCode.TOPIC_ALREADY_EXISTS,
        errorMessage: 'Topic already exists',
      },
    ],
  });
  // kafkajs's parse throws for a topic with an error: decode only.
  const { decode } = kafkajs('requests/createTopics/v3/response');
  const decoded = await decode(response.subarray(4));
  t.match(decoded.topicErrors, [
    { topic: 'a', errorCode: ErrorCode.NONE },
    { topic: 'b', errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: 'Topic already exists' },
  ]);
});

t.test('group APIs: FindCoordinator v2, JoinGroup v5, OffsetCommit v5', async (t) => {
  const find = await decodeKafkajs('findCoordinator/v2/request', {
    coordinatorKey: 'my-group',
    coordinatorType: 0,
  });
  if (find.apiKey !== ApiKey.FindCoordinator) return t.fail('not find coordinator');
  t.equal(find.body.key, 'my-group');
  const found = await kafkajsDecodeResponse(
    'findCoordinator/v2/response',
    encodeResponse(10, 2, 42, {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      nodeId: 2,
      host: '127.0.0.1',
      port: 9093,
    }),
  );
  t.match(found.coordinator, { nodeId: 2, host: '127.0.0.1', port: 9093 });

  const join = await decodeKafkajs('joinGroup/v5/request', {
    groupId: 'my-group',
    sessionTimeout: 30000,
    rebalanceTimeout: 60000,
    memberId: '',
    protocolType: 'consumer',
    groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 2]) }],
  });
  if (join.apiKey !== ApiKey.JoinGroup) return t.fail('not join group');
  t.match(join.body, {
    groupId: 'my-group',
    sessionTimeoutMs: 30000,
    rebalanceTimeoutMs: 60000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([0, 1, 2]) }],
  });
  // MEMBER_ID_REQUIRED (79): kafkajs decodes it and its parse raises the error.
  const joinResponse = encodeResponse(11, 5, 42, {
    throttleTimeMs: 0,
    errorCode: ErrorCode.MEMBER_ID_REQUIRED,
    generationId: -1,
    protocolName: '',
    leader: '',
    memberId: 'member-1',
    members: [],
  });
  const { decode } = kafkajs('requests/joinGroup/v5/response');
  const decodedJoin = await decode(joinResponse.subarray(4));
  t.match(decodedJoin, { errorCode: ErrorCode.MEMBER_ID_REQUIRED, memberId: 'member-1' });

  const commit = await decodeKafkajs('offsetCommit/v5/request', {
    groupId: 'my-group',
    groupGenerationId: 4,
    memberId: 'member-1',
    topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '9007199254740993' }] }],
  });
  if (commit.apiKey !== ApiKey.OffsetCommit) return t.fail('not offset commit');
  t.equal(commit.body.generationIdOrMemberEpoch, 4);
  t.equal(
    commit.body.topics[0]?.partitions[0]?.committedOffset,
    9007199254740993n,
    'int64 beyond 2^53 is exact',
  );
  t.equal(commit.body.topics[0]?.partitions[0]?.committedMetadata, null);
});
