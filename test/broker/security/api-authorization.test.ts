/**
 * The authorizer's wrapper of handler rows (broker/security/api-authorization.ts) with a fake
 * check and fake handlers: whole requests refused (the controller's requests without
 * CLUSTER_ACTION, InitProducerId), requests split per resource (DeleteTopics by name and by
 * topic state, DescribeConfigs with topic and broker resources, OffsetForLeaderEpoch for a
 * follower), ListGroups filtered, and rows it does not check left as they are.
 */
import t from 'tap';
import { authorizeApi } from '../../../broker/security/api-authorization.js';
import {
  apiHandler,
  type AnyApiHandler,
  type ConnectionInfo,
} from '../../../broker/network/api-handler-table.js';
import type { AuthorizationCheck } from '../../../broker/security/acl-cache.js';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import type { DecodedRequest } from '../../../src/protocol/kafka/codec.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { newConnectionSession } from '../../../broker/security/session.js';

const session = newConnectionSession({
  listenerName: 'SASL_PLAINTEXT',
  securityProtocol: 'SASL_PLAINTEXT',
  principal: 'User:alice',
  clientHost: '127.0.0.1',
  authenticated: true,
});
const connection: ConnectionInfo = { connectionId: 1, remoteAddress: '127.0.0.1:1', session };

/** Allows exactly the `Operation Type:name` strings given (the cluster is Cluster:). */
function allowing(...grants: string[]): { check: AuthorizationCheck; asked: string[] } {
  const asked: string[] = [];
  const check: AuthorizationCheck = (_s, operation, type, name) => {
    const line = `${operation} ${type}:${name ?? ''}`;
    asked.push(line);
    return grants.includes(line);
  };
  return { check, asked };
}

function request(apiKey: number, apiVersion: number, body: unknown): DecodedRequest {
  return { apiKey, apiVersion, correlationId: 7, clientId: 'c', body, trailingBytes: 0 } as never;
}

async function call(row: AnyApiHandler, r: DecodedRequest): Promise<Record<string, unknown>> {
  const handle = row.handle as (r: DecodedRequest, c: ConnectionInfo) => unknown;
  return (await handle(r, connection)) as Record<string, unknown>;
}

t.test('the controller requests need CLUSTER_ACTION', async (t) => {
  let served = 0;
  const row = apiHandler(ApiKey.StopReplica, { minVersion: 0, maxVersion: 3 }, () => {
    served++;
    return { errorCode: ErrorCode.NONE, partitionErrors: [] };
  });
  const body = { controllerId: 1, controllerEpoch: 1, brokerEpoch: 1n, topicStates: [] };
  const denied = await call(authorizeApi(row, allowing().check), request(5, 3, body));
  t.equal(denied.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  t.equal(served, 0, 'the replica manager never saw it');
  const allowed = allowing('ClusterAction Cluster:');
  t.equal(
    (await call(authorizeApi(row, allowed.check), request(5, 3, body))).errorCode,
    ErrorCode.NONE,
  );
  t.equal(served, 1);
});

t.test('InitProducerId: WRITE on the transactional id, IDEMPOTENT_WRITE without one', async (t) => {
  const row = apiHandler(ApiKey.InitProducerId, { minVersion: 0, maxVersion: 3 }, () => ({
    errorCode: ErrorCode.NONE,
    producerId: 5n,
    producerEpoch: 0,
    throttleTimeMs: 0,
  }));
  const body = (transactionalId: string | null) => ({
    transactionalId,
    transactionTimeoutMs: 60000,
    producerId: -1n,
    producerEpoch: -1,
  });
  const { check } = allowing('Write TransactionalId:tx-ok');
  const guarded = authorizeApi(row, check);
  t.equal((await call(guarded, request(22, 3, body('tx-ok')))).errorCode, ErrorCode.NONE);
  t.equal(
    (await call(guarded, request(22, 3, body('tx-other')))).errorCode,
    ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  );
  t.equal(
    (await call(guarded, request(22, 3, body(null)))).errorCode,
    ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  );
  const idempotent = authorizeApi(row, allowing('IdempotentWrite Cluster:').check);
  t.equal((await call(idempotent, request(22, 3, body(null)))).errorCode, ErrorCode.NONE);
  const writer = authorizeApi(row, allowing().check, (_s, operation, type) => {
    return operation === 'Write' && type === 'Topic';
  });
  t.equal(
    (await call(writer, request(22, 3, body(null)))).errorCode,
    ErrorCode.NONE,
    'WRITE on some topic is enough for idempotence (KIP-679)',
  );
});

t.test('DeleteTopics: the handler sees only the topics the client may delete', async (t) => {
  const seen: string[][] = [];
  const row = apiHandler(ApiKey.DeleteTopics, { minVersion: 0, maxVersion: 6 }, (r) => {
    const names =
      r.apiVersion >= 6 ? r.body.topics.map((x) => x.name ?? '') : [...r.body.topicNames];
    seen.push(names);
    return {
      throttleTimeMs: 0,
      responses: names.map((name) => ({ name, errorCode: ErrorCode.NONE })),
    };
  });
  const guarded = authorizeApi(row, allowing('Delete Topic:b').check);
  const v1 = await call(guarded, request(20, 1, { topicNames: ['a', 'b', 'c'], timeoutMs: 1 }));
  t.same(seen.pop(), ['b']);
  t.match(v1.responses, [
    { name: 'a', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
    { name: 'b', errorCode: ErrorCode.NONE },
    { name: 'c', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
  ]);
  const topics = ['b', 'a'].map((name) => ({ name, topicId: Buffer.alloc(16) }));
  const v6 = await call(guarded, request(20, 6, { topics, topicNames: [], timeoutMs: 1 }));
  t.same(seen.pop(), ['b']);
  t.match(v6.responses, [
    { name: 'b', errorCode: ErrorCode.NONE },
    { name: 'a', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
  ]);
  const none = await call(guarded, request(20, 1, { topicNames: ['a'], timeoutMs: 1 }));
  t.equal(seen.length, 0, 'nothing allowed: the handler is not called');
  t.match(none.responses, [{ name: 'a', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }]);
});

t.test(
  'DescribeConfigs: topics need DESCRIBE_CONFIGS on the topic, brokers on the cluster',
  async (t) => {
    const row = apiHandler(ApiKey.DescribeConfigs, { minVersion: 0, maxVersion: 2 }, (r) => ({
      throttleTimeMs: 0,
      results: r.body.resources.map((res) => ({
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        resourceType: res.resourceType,
        resourceName: res.resourceName,
        configs: [],
      })),
    }));
    const resources = [
      { resourceType: 4, resourceName: '1', configurationKeys: null },
      { resourceType: 2, resourceName: 'orders', configurationKeys: null },
      { resourceType: 2, resourceName: 'secret', configurationKeys: null },
    ];
    const body = { resources, includeSynonyms: false, includeDocumentation: false };
    const users = allowing('DescribeConfigs Topic:orders');
    const answer = await call(authorizeApi(row, users.check), request(32, 2, body));
    t.match(answer.results, [
      { resourceType: 4, resourceName: '1', errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED },
      { resourceType: 2, resourceName: 'orders', errorCode: ErrorCode.NONE },
      { resourceType: 2, resourceName: 'secret', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED },
    ]);
  },
);

t.test('OffsetForLeaderEpoch: CLUSTER_ACTION (followers) or DESCRIBE on the topic', async (t) => {
  let served = 0;
  const row = apiHandler(ApiKey.OffsetForLeaderEpoch, { minVersion: 0, maxVersion: 4 }, (r) => {
    served++;
    return {
      throttleTimeMs: 0,
      topics: r.body.topics.map((x) => ({
        topic: x.topic,
        partitions: x.partitions.map((p) => ({
          partition: p.partition,
          errorCode: ErrorCode.NONE,
          leaderEpoch: 3,
          endOffset: 10n,
        })),
      })),
    };
  });
  const partitions = [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 3 }];
  const body = { replicaId: 2, topics: [{ topic: 'x', partitions }] };
  const follower = await call(
    authorizeApi(row, allowing('ClusterAction Cluster:').check),
    request(23, 3, body),
  );
  t.match(follower.topics, [{ topic: 'x', partitions: [{ errorCode: ErrorCode.NONE }] }]);
  t.equal(served, 1);
  const stranger = await call(authorizeApi(row, allowing().check), request(23, 3, body));
  t.equal(served, 1);
  t.match(stranger.topics, [
    { topic: 'x', partitions: [{ partition: 0, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }] },
  ]);
});

t.test(
  'ListGroups: all groups with DESCRIBE on the cluster, else the describable ones',
  async (t) => {
    const row = apiHandler(ApiKey.ListGroups, { minVersion: 0, maxVersion: 4 }, () => ({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      groups: ['g1', 'g2'].map((groupId) => ({ groupId, protocolType: 'consumer' })),
    }));
    const body = { statesFilter: [] };
    const some = await call(
      authorizeApi(row, allowing('Describe Group:g2').check),
      request(16, 4, body),
    );
    t.match(some.groups, [{ groupId: 'g2' }]);
    t.equal((some.groups as unknown[]).length, 1);
    const all = await call(
      authorizeApi(row, allowing('Describe Cluster:').check),
      request(16, 4, body),
    );
    t.equal((all.groups as unknown[]).length, 2);
  },
);

t.test('APIs it does not check keep their row', async (t) => {
  const row = apiHandler(ApiKey.Metadata, { minVersion: 0, maxVersion: 9 }, () => ({
    brokers: [],
    topics: [],
  }));
  t.equal(authorizeApi(row, allowing().check), row, 'Metadata checks inside kafka-apis.ts');
});

t.test('OffsetFetch: DESCRIBE on each topic, after DESCRIBE on the group', async (t) => {
  const asked: unknown[] = [];
  const partition = (partitionIndex: number) => ({
    partitionIndex,
    committedOffset: 5n,
    committedLeaderEpoch: -1,
    metadata: '',
    errorCode: ErrorCode.NONE,
  });
  const row = apiHandler(ApiKey.OffsetFetch, { minVersion: 1, maxVersion: 8 }, (r) => {
    asked.push(r.body.topics);
    const names = r.body.topics?.map((x) => x.name) ?? ['mine', 'theirs'];
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      topics: names.map((name) => ({ name, partitions: [partition(0)] })),
    };
  });
  const { check } = allowing('Describe Group:g', 'Describe Topic:mine');
  const guarded = authorizeApi(row, check);
  const named = await call(
    guarded,
    request(9, 7, {
      groupId: 'g',
      topics: ['mine', 'theirs'].map((name) => ({ name, partitionIndexes: [0] })),
      groups: [],
      requireStable: false,
    }),
  );
  t.same(asked.pop(), [{ name: 'mine', partitionIndexes: [0] }], 'the handler sees "mine" only');
  t.match(named.topics, [
    { name: 'mine', partitions: [{ errorCode: ErrorCode.NONE, committedOffset: 5n }] },
    {
      name: 'theirs',
      partitions: [{ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, committedOffset: -1n }],
    },
  ]);
  const all = await call(
    guarded,
    request(9, 7, { groupId: 'g', topics: null, groups: [], requireStable: false }),
  );
  t.same(
    (all.topics as { name: string }[]).map((x) => x.name),
    ['mine'],
    'all topics: the undescribable one is left out',
  );
  const otherGroup = await call(
    guarded,
    request(9, 7, { groupId: 'h', topics: null, groups: [], requireStable: false }),
  );
  t.equal(otherGroup.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
});

t.test('OffsetDelete: DELETE on the group, READ on each topic', async (t) => {
  const row = apiHandler(ApiKey.OffsetDelete, { minVersion: 0, maxVersion: 0 }, (r) => ({
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    topics: r.body.topics.map((x) => ({
      name: x.name,
      partitions: x.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: ErrorCode.NONE,
      })),
    })),
  }));
  const body = (groupId: string) => ({
    groupId,
    topics: ['a', 'b'].map((name) => ({ name, partitions: [{ partitionIndex: 1 }] })),
  });
  const guarded = authorizeApi(row, allowing('Delete Group:g', 'Read Topic:b').check);
  const answer = await call(guarded, request(47, 0, body('g')));
  t.match(answer.topics, [
    {
      name: 'a',
      partitions: [{ partitionIndex: 1, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }],
    },
    { name: 'b', partitions: [{ partitionIndex: 1, errorCode: ErrorCode.NONE }] },
  ]);
  const denied = await call(guarded, request(47, 0, body('other')));
  t.equal(denied.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
});

t.test('transactions: WRITE on the transactional id, and on the topics added', async (t) => {
  let served = 0;
  const add = apiHandler(ApiKey.AddPartitionsToTxn, { minVersion: 0, maxVersion: 3 }, (r) => {
    served++;
    return {
      throttleTimeMs: 0,
      resultsByTopicV3AndBelow: r.body.v3AndBelowTopics.map((x) => ({
        name: x.name,
        resultsByPartition: x.partitions.map((partitionIndex) => ({
          partitionIndex,
          partitionErrorCode: ErrorCode.NONE,
        })),
      })),
    };
  });
  const body = (id: string, topics: string[]) => ({
    transactions: [],
    v3AndBelowTransactionalId: id,
    v3AndBelowProducerId: 1n,
    v3AndBelowProducerEpoch: 0,
    v3AndBelowTopics: topics.map((name) => ({ name, partitions: [0] })),
  });
  const guarded = authorizeApi(add, allowing('Write TransactionalId:tx', 'Write Topic:a').check);
  const wrongId = await call(guarded, request(24, 3, body('other', ['a'])));
  t.match(wrongId.resultsByTopicV3AndBelow, [
    {
      resultsByPartition: [{ partitionErrorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED }],
    },
  ]);
  const oneTopicDenied = await call(guarded, request(24, 3, body('tx', ['a', 'b'])));
  t.equal(served, 0, 'nothing is added when a topic is refused');
  t.match(oneTopicDenied.resultsByTopicV3AndBelow, [
    { name: 'a', resultsByPartition: [{ partitionErrorCode: ErrorCode.OPERATION_NOT_ATTEMPTED }] },
    {
      name: 'b',
      resultsByPartition: [{ partitionErrorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }],
    },
  ]);
  await call(guarded, request(24, 3, body('tx', ['a'])));
  t.equal(served, 1);

  const produce = apiHandler(ApiKey.Produce, { minVersion: 3, maxVersion: 7 }, () => ({
    throttleTimeMs: 0,
    responses: [],
  }));
  const produceBody = (acks: number) => ({
    transactionalId: 'other',
    acks,
    timeoutMs: 1000,
    topicData: [{ name: 'a', partitionData: [{ index: 0, records: null }] }],
  });
  const guardedProduce = authorizeApi(produce, allowing('Write TransactionalId:tx').check);
  const refused = await call(guardedProduce, request(0, 7, produceBody(1)));
  t.match(refused.responses, [
    { partitionResponses: [{ errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED }] },
  ]);
  await t.rejects(call(guardedProduce, request(0, 7, produceBody(0))), /acks=0 transactional/);
});

t.test('batched OffsetFetch v8 and FindCoordinator v4 are answered per group', async (t) => {
  const fetchRow = apiHandler(ApiKey.OffsetFetch, { minVersion: 1, maxVersion: 8 }, (r) => ({
    throttleTimeMs: 0,
    groups: r.body.groups.map((g) => ({
      groupId: g.groupId,
      errorCode: ErrorCode.NONE,
      topics: (g.topics ?? []).map((x) => ({ name: x.name, partitions: [] })),
    })),
  }));
  const { check } = allowing('Describe Group:g', 'Describe Topic:mine');
  const groups = ['g', 'h'].map((groupId) => ({
    groupId,
    memberId: null,
    memberEpoch: -1,
    topics: [{ name: 'mine', partitionIndexes: [] }],
  }));
  const fetched = await call(
    authorizeApi(fetchRow, check),
    request(9, 8, { groupId: '', topics: null, groups, requireStable: false }),
  );
  t.match(fetched.groups, [
    { groupId: 'g', errorCode: ErrorCode.NONE, topics: [{ name: 'mine' }] },
    { groupId: 'h', errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED },
  ]);

  const findRow = apiHandler(ApiKey.FindCoordinator, { minVersion: 0, maxVersion: 4 }, (r) => ({
    throttleTimeMs: 0,
    coordinators: r.body.coordinatorKeys.map((key) => ({
      key,
      nodeId: 1,
      host: 'h',
      port: 1,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
    })),
  }));
  const found = await call(
    authorizeApi(findRow, check),
    request(10, 4, { key: '', keyType: 0, coordinatorKeys: ['h', 'g'] }),
  );
  t.match(found.coordinators, [
    { key: 'h', errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED },
    { key: 'g', errorCode: ErrorCode.NONE, nodeId: 1 },
  ]);
  const transactions = await call(
    authorizeApi(findRow, allowing('Describe TransactionalId:tx').check),
    request(10, 4, { key: '', keyType: 1, coordinatorKeys: ['tx', 'other'] }),
  );
  t.match(transactions.coordinators, [
    { key: 'tx', errorCode: ErrorCode.NONE },
    { key: 'other', errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED },
  ]);
});
