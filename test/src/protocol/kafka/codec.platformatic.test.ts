/**
 * Our codec against a second, independent encoder: @platformatic/kafka 1.35 (a TypeScript
 * client written from Kafka's BNF, one hand-written file per API version). For every flexible
 * version the broker's own handlers serve, a request built with platformatic's encoder is
 * decoded by ours, and where platformatic can parse the response, ours is parsed by it.
 *
 * The header is written with platformatic's Writer the way its Connection.send writes it
 * (request header v2: api key, version, correlation id, classic client id, empty tags).
 * Versions platformatic has no file for are covered by a sibling version with the same body
 * layout (CreateTopics 5-7) or by bytes written out from Kafka's BNF (DeleteTopics 4-5).
 * The first test fails when the broker starts serving a flexible version nobody checks here.
 * The one gap (the controller's inter-broker requests) is listed in NO_INDEPENDENT_ENCODER.
 */
import t from 'tap';
import {
  Reader,
  Writer,
  apiVersionsV3,
  createTopicsV7,
  deleteTopicsV6,
  fetchV12,
  metadataV9,
  offsetForLeaderEpochV4,
} from '@platformatic/kafka';
import { ApiHandlerTable } from '../../../../broker/network/api-handler-table.js';
import { KafkaApis, type KafkaApisDeps } from '../../../../broker/server/kafka-apis.js';
import { silentLogger } from '../../../../src/logger.js';
import {
  decodeRequest,
  encodeResponse,
  isFlexibleVersion,
  type DecodedRequest,
} from '../../../../src/protocol/kafka/codec.js';
import { ApiKey } from '../../../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../../../src/protocol/kafka/errors.js';
import { buildRecordBatch } from '../../../../src/protocol/kafka/record-batch.js';

/** A request frame (no size prefix) as platformatic's Connection.send writes it. */
function platformaticRequest(apiKey: number, apiVersion: number, payload: Writer): Buffer {
  return Writer.create()
    .appendInt16(apiKey)
    .appendInt16(apiVersion)
    .appendInt32(42)
    .appendString('platformatic', false)
    .appendTaggedFields()
    .appendFrom(payload).buffer;
}

/** Strips our response header so platformatic's parser starts at the body. */
function responseBody(frame: Buffer, headerTags: boolean): Reader {
  return Reader.from(frame.subarray(headerTags ? 5 : 4));
}

function decoded<K extends DecodedRequest['apiKey']>(frame: Buffer, apiKey: K) {
  const request = decodeRequest(frame);
  if (request.apiKey !== apiKey) throw new Error(`decoded API ${request.apiKey}`);
  return request as Extract<DecodedRequest, { apiKey: K }>;
}

/** The (API, version) pairs checked below. */
const CHECKED = new Set([
  '18v3',
  '3v9',
  '1v12',
  '19v5',
  '19v6',
  '19v7',
  '20v4',
  '20v5',
  '20v6',
  '23v4',
]);

/**
 * Flexible versions of the controller's requests (LeaderAndIsr 4-7, StopReplica 2-4,
 * UpdateMetadata 6-8): no client library encodes inter-broker requests, so these are checked
 * only against our own encoder (test/broker/server/kafka-apis.test.ts). A known gap, listed
 * here so that it cannot grow unnoticed.
 */
const NO_INDEPENDENT_ENCODER = new Set([
  ...[4, 5, 6, 7].map((v) => `4v${v}`),
  ...[2, 3, 4].map((v) => `5v${v}`),
  ...[6, 7, 8].map((v) => `6v${v}`),
]);

t.test('every flexible version the broker serves is checked here, or a listed gap', async (t) => {
  // Only the rows are read (their API keys and ranges), so the handlers need no real deps.
  const apis = new KafkaApis({ logger: silentLogger() } as unknown as KafkaApisDeps);
  const table = new ApiHandlerTable().registerAll(apis.handlers());
  const seen = new Set<string>();
  for (const { apiKey, minVersion, maxVersion } of table.advertised()) {
    for (let v = minVersion; v <= maxVersion; v++) {
      if (!isFlexibleVersion(apiKey, v)) continue;
      const key = `${apiKey}v${v}`;
      seen.add(key);
      t.ok(CHECKED.has(key) || NO_INDEPENDENT_ENCODER.has(key), `API ${apiKey} v${v} is covered`);
    }
  }
  t.same(
    [...CHECKED].filter((k) => !seen.has(k)),
    [],
    'no check for a version not served',
  );
});

t.test('ApiVersions v3', async (t) => {
  const frame = platformaticRequest(18, 3, apiVersionsV3.createRequest('platformatic-kafka', '1'));
  const request = decoded(frame, ApiKey.ApiVersions);
  t.equal(request.trailingBytes, 0);
  t.match(request.body, { clientSoftwareName: 'platformatic-kafka', clientSoftwareVersion: '1' });
  const response = encodeResponse(18, 3, 42, {
    errorCode: ErrorCode.NONE,
    apiKeys: [
      { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 9 },
      { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 3 },
    ],
    throttleTimeMs: 7,
  });
  // ApiVersions answers with response header v0 even in v3.
  const parsed = apiVersionsV3.parseResponse(42, 18, 3, responseBody(response, false));
  t.equal(parsed.throttleTimeMs, 7);
  t.same(
    parsed.apiKeys.map((k) => [k.apiKey, k.minVersion, k.maxVersion]),
    [
      [3, 0, 9],
      [18, 0, 3],
    ],
  );
});

t.test('Metadata v9', async (t) => {
  const request = decoded(
    platformaticRequest(3, 9, metadataV9.createRequest(['a', 'b'], true, false)),
    ApiKey.Metadata,
  );
  t.equal(request.trailingBytes, 0);
  t.same(
    request.body.topics?.map((topic) => topic.name),
    ['a', 'b'],
  );
  t.equal(request.body.allowAutoTopicCreation, true);
  const response = encodeResponse(3, 9, 42, {
    throttleTimeMs: 0,
    brokers: [{ nodeId: 1, host: 'h', port: 9092, rack: null }],
    clusterId: 'cluster',
    controllerId: 1,
    topics: [
      {
        errorCode: ErrorCode.NONE,
        name: 'a',
        isInternal: false,
        partitions: [
          {
            errorCode: ErrorCode.NONE,
            partitionIndex: 0,
            leaderId: 1,
            leaderEpoch: 3,
            replicaNodes: [1, 2],
            isrNodes: [1],
            offlineReplicas: [2],
          },
        ],
      },
    ],
  });
  const parsed = metadataV9.parseResponse(42, 3, 9, responseBody(response, true));
  t.same(parsed.brokers, [{ nodeId: 1, host: 'h', port: 9092, rack: null }]);
  t.equal(parsed.clusterId, 'cluster');
  t.match(parsed.topics[0], {
    name: 'a',
    partitions: [{ leaderEpoch: 3, replicaNodes: [1, 2], isrNodes: [1], offlineReplicas: [2] }],
  });
});

t.test('Fetch v12', async (t) => {
  const payload = fetchV12.createRequest(
    500,
    1,
    1024,
    0,
    0,
    -1,
    [
      {
        topicId: 'orders',
        partitions: [
          {
            partition: 2,
            currentLeaderEpoch: 4,
            fetchOffset: 10n,
            lastFetchedEpoch: -1,
            partitionMaxBytes: 512,
          },
        ],
      },
    ],
    [],
    '',
  );
  const request = decoded(platformaticRequest(1, 12, payload), ApiKey.Fetch);
  t.equal(request.trailingBytes, 0);
  t.match(request.body, { maxWaitMs: 500, minBytes: 1, maxBytes: 1024, sessionEpoch: -1 });
  t.match(request.body.topics, [
    {
      topic: 'orders',
      partitions: [
        { partition: 2, currentLeaderEpoch: 4, fetchOffset: 10n, partitionMaxBytes: 512 },
      ],
    },
  ]);
  const records = buildRecordBatch({
    baseOffset: 10,
    baseTimestamp: 1_700_000_000_000,
    records: [{ key: 'k', value: 'v1' }, { value: 'v2' }],
  });
  const response = encodeResponse(1, 12, 42, {
    errorCode: ErrorCode.NONE,
    sessionId: 0,
    responses: [
      {
        topic: 'orders',
        partitions: [
          {
            partitionIndex: 2,
            errorCode: ErrorCode.NONE,
            highWatermark: 12n,
            lastStableOffset: 12n,
            logStartOffset: 0n,
            abortedTransactions: null,
            preferredReadReplica: -1,
            records,
          },
        ],
      },
    ],
  });
  const parsed = fetchV12.parseResponse(42, 1, 12, responseBody(response, true));
  const partition = parsed.responses[0]!.partitions[0]!;
  t.equal(partition.highWatermark, 12n);
  const batch = partition.records![0]!;
  t.equal(batch.firstOffset, 10n);
  t.same(
    batch.records.map((r) => [r.key?.toString() ?? null, r.value?.toString() ?? null]),
    [
      ['k', 'v1'],
      [null, 'v2'],
    ],
  );
});

t.test('CreateTopics v5-v7 (one body layout)', async (t) => {
  const payload = () =>
    createTopicsV7.createRequest(
      [
        {
          name: 'orders',
          numPartitions: 3,
          replicationFactor: 2,
          assignments: [],
          configs: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
      30_000,
      false,
    );
  for (const version of [5, 6, 7]) {
    const request = decoded(platformaticRequest(19, version, payload()), ApiKey.CreateTopics);
    t.equal(request.trailingBytes, 0, `v${version}`);
    t.match(request.body, {
      timeoutMs: 30_000,
      validateOnly: false,
      topics: [
        {
          name: 'orders',
          numPartitions: 3,
          replicationFactor: 2,
          configs: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
  }
  const response = encodeResponse(19, 7, 42, {
    topics: [
      {
        name: 'orders',
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        numPartitions: 3,
        replicationFactor: 2,
        configs: [],
      },
    ],
  });
  const parsed = createTopicsV7.parseResponse(42, 19, 7, responseBody(response, true));
  t.match(parsed.topics, [{ name: 'orders', numPartitions: 3, replicationFactor: 2 }]);
});

t.test('DeleteTopics v6, and v4-v5 from the BNF', async (t) => {
  const request = decoded(
    platformaticRequest(
      20,
      6,
      deleteTopicsV6.createRequest(
        [{ name: 'orders', topicId: '00000000-0000-0000-0000-000000000000' }],
        5000,
      ),
    ),
    ApiKey.DeleteTopics,
  );
  t.equal(request.trailingBytes, 0);
  t.equal(request.body.timeoutMs, 5000);
  t.same(
    request.body.topics.map((topic) => topic.name),
    ['orders'],
  );
  // DeleteTopics Request (Version: 4) => [topic_names] timeout_ms TAG_BUFFER, with compact
  // strings: array of 2+1, "a", "bc", timeout 5000, no tags.
  const body = Buffer.from('03' + '0261' + '036263' + '00001388' + '00', 'hex');
  for (const version of [4, 5]) {
    const frame = platformaticRequest(20, version, Writer.create().append(body));
    const old = decoded(frame, ApiKey.DeleteTopics);
    t.same(old.body.topicNames, ['a', 'bc'], `v${version}`);
    t.equal(old.body.timeoutMs, 5000);
    t.equal(old.trailingBytes, 0);
  }
  const response = encodeResponse(20, 6, 42, {
    responses: [{ name: 'orders', errorCode: ErrorCode.NONE, errorMessage: null }],
  });
  const parsed = deleteTopicsV6.parseResponse(42, 20, 6, responseBody(response, true));
  t.match(parsed.responses, [{ name: 'orders', errorCode: ErrorCode.NONE }]);
});

t.test('OffsetForLeaderEpoch v4 (what a follower asks after a leader change)', async (t) => {
  const request = decoded(
    platformaticRequest(
      23,
      4,
      offsetForLeaderEpochV4.createRequest(2, [
        {
          name: 'orders',
          partitions: [{ partitionIndex: 1, currentLeaderEpoch: 7, leaderEpoch: 6 }],
        },
      ]),
    ),
    ApiKey.OffsetForLeaderEpoch,
  );
  t.equal(request.trailingBytes, 0);
  t.equal(request.body.replicaId, 2);
  t.match(request.body.topics, [
    { topic: 'orders', partitions: [{ partition: 1, currentLeaderEpoch: 7, leaderEpoch: 6 }] },
  ]);
  const response = encodeResponse(23, 4, 42, {
    throttleTimeMs: 0,
    topics: [
      {
        topic: 'orders',
        partitions: [{ partition: 1, errorCode: ErrorCode.NONE, leaderEpoch: 6, endOffset: 1500n }],
      },
    ],
  });
  // @platformatic/kafka 1.35 reads Partition before ErrorCode here, against Kafka's schema
  // (ErrorCode, Partition, LeaderEpoch, EndOffset), so the response is checked byte by byte:
  // throttle 0, [1 topic "orders" [1 partition: error 0, partition 1, epoch 6, end 1500]].
  const expected =
    '00000000' +
    '02' +
    '076f7264657273' +
    '02' +
    '0000' +
    '00000001' +
    '00000006' +
    '00000000000005dc' +
    '00' +
    '00' +
    '00';
  t.equal(response.subarray(5).toString('hex'), expected, 'after correlation id and tags');
});
