/**
 * The group APIs on the wire, version by version, against one in-process broker: raw
 * requests (test/broker/server/harness.ts RawClient), so that every version difference the
 * handlers make is exercised, and the records they leave in __consumer_offsets are decoded
 * back with Kafka's formats.
 */
import t, { type Test } from 'tap';
import { RawClient, startBroker } from '../server/harness.js';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { decodeRecords, readBatches } from '../../../src/protocol/kafka/record-batch.js';
import {
  decodeGroupMetadataValue,
  decodeGroupRecordKey,
  decodeOffsetCommitValue,
  partitionForGroup,
} from '../../../src/protocol/kafka/group-records.js';

/** FindCoordinator until the coordinator is ready (the first call creates the topic). */
async function coordinatorReady(client: RawClient, groupId: string): Promise<void> {
  for (;;) {
    const found = await client.send(ApiKey.FindCoordinator, 1, { key: groupId, keyType: 0 });
    if (found.errorCode === ErrorCode.NONE) {
      // The partition may still be loading: JoinGroup-free probe with OffsetFetch.
      const probe = await client.send(ApiKey.OffsetFetch, 2, {
        groupId,
        topics: null,
        requireStable: false,
      });
      if (probe.errorCode === ErrorCode.NONE) return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function setup(t: Test, options: Parameters<typeof startBroker>[1] = {}) {
  const broker = await startBroker(t, options);
  await broker.controller.createTopic('t', 2);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  return { broker, client };
}

const protocols = [
  { name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]) },
];

t.test(
  'FindCoordinator: created on first use, v4 batches keys, transactions refused',
  async (t) => {
    const { broker, client } = await setup(t);
    const first = await client.send(ApiKey.FindCoordinator, 0, { key: 'g', keyType: 0 });
    t.equal(first.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE, 'while the topic is created');
    await coordinatorReady(client, 'g');
    t.equal(broker.metadataCache.snapshot.topics.get('__consumer_offsets')!.size, 50);
    const batch = await client.send(ApiKey.FindCoordinator, 4, {
      keyType: 0,
      coordinatorKeys: ['a', 'b'],
    });
    t.same(
      batch.coordinators.map((c) => [c.key, c.errorCode, c.nodeId, c.port]),
      [
        ['a', 0, 1, broker.port],
        ['b', 0, 1, broker.port],
      ],
    );
    const txn = await client.send(ApiKey.FindCoordinator, 2, { key: 'tx', keyType: 1 });
    t.equal(txn.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  },
);

t.test(
  'FindCoordinator: COORDINATOR_NOT_AVAILABLE while too few brokers for the factor',
  async (t) => {
    const { broker, client } = await setup(t, { groups: { offsetsTopicReplicationFactor: 3 } });
    const found = await client.send(ApiKey.FindCoordinator, 2, { key: 'g', keyType: 0 });
    t.equal(found.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    t.match(found.errorMessage, /needs 3 alive brokers/);
    t.notOk(broker.metadataCache.snapshot.hasTopic('__consumer_offsets'), 'nothing was created');
  },
);

t.test('JoinGroup v0 joins at once; v4 asks for the member id first; v6 is flexible', async (t) => {
  const { client } = await setup(t);
  await coordinatorReady(client, 'g0');
  const v0 = await client.send(ApiKey.JoinGroup, 0, {
    groupId: 'g0',
    sessionTimeoutMs: 10_000,
    memberId: '',
    protocolType: 'consumer',
    protocols,
  });
  t.equal(v0.errorCode, ErrorCode.NONE);
  t.equal(v0.generationId, 1);
  t.equal(v0.leader, v0.memberId);
  t.match(v0.memberId, /^raw-test-/, 'member ids are clientId-UUID');

  await coordinatorReady(client, 'g6');
  const join = (memberId: string) =>
    client.send(ApiKey.JoinGroup, 6, {
      groupId: 'g6',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols,
    });
  const required = await join('');
  t.equal(required.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  t.equal(required.protocolName, '', 'an error reply before v7 has an empty protocol name');
  const joined = await join(required.memberId);
  t.equal(joined.errorCode, ErrorCode.NONE);
  t.equal(joined.protocolName, 'range');
  t.equal(joined.members.length, 1);

  const synced = await client.send(ApiKey.SyncGroup, 4, {
    groupId: 'g6',
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupInstanceId: null,
    assignments: [{ memberId: joined.memberId, assignment: Buffer.from('a') }],
  });
  t.equal(synced.assignment.toString(), 'a');
  const beat = await client.send(ApiKey.Heartbeat, 4, {
    groupId: 'g6',
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupInstanceId: null,
  });
  t.equal(beat.errorCode, ErrorCode.NONE);

  const described = await client.send(ApiKey.DescribeGroups, 0, {
    groups: ['g6', 'nope'],
    includeAuthorizedOperations: false,
  });
  t.same(
    described.groups.map((g) => [g.groupId, g.groupState, g.protocolData, g.members.length]),
    [
      ['g6', 'Stable', 'range', 1],
      ['nope', 'Dead', '', 0],
    ],
  );
  t.equal(described.groups[0]!.members[0]!.clientHost, '/127.0.0.1');

  const leaveV3 = await client.send(ApiKey.LeaveGroup, 3, {
    groupId: 'g6',
    members: [
      { memberId: joined.memberId, groupInstanceId: null },
      { memberId: 'ghost', groupInstanceId: null },
    ],
  });
  t.same(
    leaveV3.members.map((m) => m.errorCode),
    [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID],
  );
  const leaveV1 = await client.send(ApiKey.LeaveGroup, 1, { groupId: 'g0', memberId: 'ghost' });
  t.equal(leaveV1.errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'v0-2: the member error is the reply');

  const listed = await client.send(ApiKey.ListGroups, 4, { statesFilter: ['Empty'] });
  t.same(
    listed.groups.map((g) => [g.groupId, g.groupState]),
    [['g6', 'Empty']],
  );
});

t.test('offsets: commit v2..v8, fetch v1 / v8, unknown partitions, delete', async (t) => {
  const { broker, client } = await setup(t);
  await coordinatorReady(client, 'simple');
  await coordinatorReady(client, 'other');
  const commit = await client.send(ApiKey.OffsetCommit, 2, {
    groupId: 'simple',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    retentionTimeMs: -1n,
    topics: [
      {
        name: 't',
        partitions: [
          { partitionIndex: 0, committedOffset: 7n, committedMetadata: 'seven' },
          { partitionIndex: 9, committedOffset: 1n, committedMetadata: '' },
        ],
      },
    ],
  });
  t.same(
    commit.topics[0]!.partitions.map((p) => p.errorCode),
    [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
  );
  const commitV8 = await client.send(ApiKey.OffsetCommit, 8, {
    groupId: 'other',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [
      {
        name: 't',
        partitions: [
          {
            partitionIndex: 1,
            committedOffset: 3n,
            committedLeaderEpoch: 4,
            committedMetadata: null,
          },
        ],
      },
    ],
  });
  t.equal(commitV8.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);

  const v1 = await client.send(ApiKey.OffsetFetch, 1, {
    groupId: 'simple',
    topics: [{ name: 't', partitionIndexes: [0, 1] }],
  });
  t.same(
    v1.topics[0]!.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata]),
    [
      [0, 7n, 'seven'],
      [1, -1n, ''],
    ],
  );
  const v8 = await client.send(ApiKey.OffsetFetch, 8, {
    groups: [
      { groupId: 'simple', topics: null },
      { groupId: 'other', topics: [{ name: 't', partitionIndexes: [1] }] },
    ],
    requireStable: false,
  });
  t.same(
    v8.groups.map((g) => [
      g.groupId,
      g.errorCode,
      g.topics.flatMap((x) =>
        x.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.committedLeaderEpoch]),
      ),
    ]),
    [
      ['simple', 0, [[0, 7n, -1]]],
      ['other', 0, [[1, 3n, 4]]],
    ],
  );

  // What the coordinator wrote, read back from __consumer_offsets as any tool could.
  const partition = partitionForGroup('other', 50);
  const fetched = await client.send(ApiKey.Fetch, 4, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [
      {
        topic: '__consumer_offsets',
        partitions: [{ partition, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }],
      },
    ],
  });
  const records = readBatches(fetched.responses[0]!.partitions[0]!.records!).batches.flatMap((b) =>
    decodeRecords(b),
  );
  // ('simple' happens to live in the same partition: pick 'other's record.)
  const offsetRecord = records.find((r) => {
    const key = decodeGroupRecordKey(r.key!);
    return key.type === 'offset' && key.key.group === 'other';
  })!;
  t.same(decodeGroupRecordKey(offsetRecord.key!), {
    type: 'offset',
    key: { group: 'other', topic: 't', partition: 1 },
  });
  t.equal(decodeOffsetCommitValue(offsetRecord.value!).offset, 3n);
  t.equal(decodeOffsetCommitValue(offsetRecord.value!).leaderEpoch, 4);

  const deleted = await client.send(ApiKey.OffsetDelete, 0, {
    groupId: 'other',
    topics: [{ name: 't', partitions: [{ partitionIndex: 1 }] }],
  });
  t.equal(deleted.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
  const gone = await client.send(ApiKey.OffsetFetch, 5, {
    groupId: 'other',
    topics: null,
    requireStable: false,
  });
  t.same(gone.topics, [], 'no offsets left');
  const groups = await client.send(ApiKey.DeleteGroups, 1, { groupsNames: ['simple', 'nope'] });
  t.same(
    groups.results.map((r) => [r.groupId, r.errorCode]),
    [
      ['simple', ErrorCode.NONE],
      ['nope', ErrorCode.GROUP_ID_NOT_FOUND],
    ],
  );
  void broker;
});

t.test('a group record is written at every new generation', async (t) => {
  const { client } = await setup(t);
  await coordinatorReady(client, 'w');
  const joined = await client.send(ApiKey.JoinGroup, 2, {
    groupId: 'w',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId: '',
    protocolType: 'consumer',
    protocols,
  });
  await client.send(ApiKey.SyncGroup, 1, {
    groupId: 'w',
    generationId: joined.generationId,
    memberId: joined.memberId,
    assignments: [{ memberId: joined.memberId, assignment: Buffer.from('x') }],
  });
  const fetched = await client.send(ApiKey.Fetch, 4, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [
      {
        topic: '__consumer_offsets',
        partitions: [
          { partition: partitionForGroup('w', 50), fetchOffset: 0n, partitionMaxBytes: 1 << 20 },
        ],
      },
    ],
  });
  const records = readBatches(fetched.responses[0]!.partitions[0]!.records!).batches.flatMap((b) =>
    decodeRecords(b),
  );
  const value = decodeGroupMetadataValue(records.at(-1)!.value!);
  t.equal(value.generation, 1);
  t.equal(value.protocol, 'range');
  t.equal(value.leader, joined.memberId);
  t.equal(value.members[0]!.assignment.toString(), 'x');
});

t.test(
  'a new leader epoch reloads the partition: newest record per key, tombstones win',
  async (t) => {
    const { broker, client } = await setup(t);
    await coordinatorReady(client, 'keep');
    await coordinatorReady(client, 'drop');
    const commit = (groupId: string, offset: bigint) =>
      client.send(ApiKey.OffsetCommit, 7, {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: offset }] }],
      });
    await commit('keep', 1n);
    await commit('keep', 2n);
    await commit('drop', 5n);
    await client.send(ApiKey.DeleteGroups, 2, { groupsNames: ['drop'] });

    // The controller makes this broker leader again at a newer epoch (as after a failover):
    // the coordinator forgets what it had and reads the partitions back from the log.
    const before = broker.groups.coordinator.group('keep');
    await broker.controller.publish(['__consumer_offsets'], { bumpEpoch: true });
    await coordinatorReady(client, 'keep');
    t.not(broker.groups.coordinator.group('keep'), before, 'the group was read back, not kept');
    const fetched = await client.send(ApiKey.OffsetFetch, 8, {
      groups: [
        { groupId: 'keep', topics: null },
        { groupId: 'drop', topics: null },
      ],
      requireStable: false,
    });
    t.same(
      fetched.groups.map((g) => [
        g.groupId,
        g.topics.flatMap((x) => x.partitions.map((p) => p.committedOffset)),
      ]),
      [
        ['keep', [2n]],
        ['drop', []],
      ],
      'the newest commit of "keep" is back, the deleted group stays deleted',
    );
  },
);
