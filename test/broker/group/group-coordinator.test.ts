/**
 * The group coordinator's state machine, driven directly: requests in, held replies out, time
 * moved by a ManualScheduler, storage in memory. Each test follows one rule of Kafka's classic
 * group protocol (2.8).
 */
import t from 'tap';
import { ManualScheduler } from '../../../src/scheduler.js';
import { silentLogger } from '../../../src/logger.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import {
  DEFAULT_GROUP_COORDINATOR_CONFIG,
  GroupCoordinator,
  type GroupCoordinatorConfig,
  type GroupStore,
  type JoinGroupParams,
} from '../../../broker/group/group-coordinator.js';
import {
  offsetKey,
  type CommittedOffset,
  type GroupMetadata,
  type JoinGroupResult,
  type SyncGroupResult,
} from '../../../broker/group/group-metadata.js';

const SESSION_MS = 10_000;
const REBALANCE_MS = 20_000;

class MemoryStore implements GroupStore {
  coordinatorErrorCode: number = ErrorCode.NONE;
  storeErrorCode: number = ErrorCode.NONE;
  readonly groupWrites: { groupId: string; generation: number; assignment: Map<string, Buffer> }[] =
    [];
  readonly offsetWrites: Map<string, CommittedOffset>[] = [];
  readonly tombstones: { groupId: string; offsets: readonly string[]; group: boolean }[] = [];

  coordinatorError(): number {
    return this.coordinatorErrorCode;
  }
  async storeGroup(group: GroupMetadata, assignment: ReadonlyMap<string, Buffer>) {
    this.groupWrites.push({
      groupId: group.groupId,
      generation: group.generationId,
      assignment: new Map(assignment),
    });
    return this.storeErrorCode;
  }
  readonly txnOffsetWrites: { producerId: bigint; offsets: Map<string, CommittedOffset> }[] = [];
  async storeOffsets(
    _groupId: string,
    offsets: ReadonlyMap<string, CommittedOffset>,
    producer?: { producerId: bigint; producerEpoch: number },
  ) {
    if (producer !== undefined) {
      this.txnOffsetWrites.push({ producerId: producer.producerId, offsets: new Map(offsets) });
    } else {
      this.offsetWrites.push(new Map(offsets));
    }
    return this.storeErrorCode;
  }
  /** Every group in partition 0, except those named "elsewhere-*" (partition 1). */
  partitionFor(groupId: string): number {
    return groupId.startsWith('elsewhere-') ? 1 : 0;
  }
  async deleteRecords(groupId: string, offsets: readonly string[], group: boolean) {
    this.tombstones.push({ groupId, offsets, group });
    return ErrorCode.NONE;
  }
}

function setup(config: Partial<GroupCoordinatorConfig> = {}) {
  const scheduler = new ManualScheduler();
  const store = new MemoryStore();
  let next = 0;
  const coordinator = new GroupCoordinator({
    config: { ...DEFAULT_GROUP_COORDINATOR_CONFIG, groupInitialRebalanceDelayMs: 0, ...config },
    store,
    scheduler,
    logger: silentLogger(),
    newMemberId: (clientId) => `${clientId}-${++next}`,
  });
  return { scheduler, store, coordinator };
}

type Setup = ReturnType<typeof setup>;

/** A held reply: `value` once answered. */
function held<T>() {
  const reply: { value: T | undefined; respond: (v: T) => void } = {
    value: undefined,
    respond: (v) => {
      if (reply.value !== undefined) throw new Error('answered twice');
      reply.value = v;
    },
  };
  return reply;
}

function joinParams(overrides: Partial<JoinGroupParams> = {}): JoinGroupParams {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    requireKnownMemberId: false,
    clientId: 'c',
    clientHost: '/127.0.0.1',
    rebalanceTimeoutMs: REBALANCE_MS,
    sessionTimeoutMs: SESSION_MS,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('m') }],
    ...overrides,
  };
}

function join(s: Setup, overrides: Partial<JoinGroupParams> = {}) {
  const reply = held<JoinGroupResult>();
  s.coordinator.joinGroup(joinParams(overrides), reply.respond);
  return reply;
}

function sync(
  s: Setup,
  memberId: string,
  generationId: number,
  assignments: { memberId: string; assignment: Buffer }[] = [],
  groupInstanceId: string | null = null,
) {
  const reply = held<SyncGroupResult>();
  s.coordinator.syncGroup(
    {
      groupId: 'g',
      generationId,
      memberId,
      groupInstanceId,
      protocolType: null,
      protocolName: null,
      assignments,
    },
    reply.respond,
  );
  return reply;
}

const heartbeat = (s: Setup, memberId: string, generationId: number, instance?: string) =>
  s.coordinator.heartbeat({
    groupId: 'g',
    memberId,
    groupInstanceId: instance ?? null,
    generationId,
  });

/** Lets the store's promise callbacks run. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

/** One member, joined and synced: a Stable group at generation 1. */
async function stableGroupOfOne(s: Setup) {
  const a = join(s);
  const memberId = a.value!.memberId;
  const synced = sync(s, memberId, 1, [{ memberId, assignment: Buffer.from('all') }]);
  await flush();
  return { memberId, synced };
}

t.test(
  'a JoinGroup v4+ from a new member gets MEMBER_ID_REQUIRED, then joins with it',
  async (t) => {
    const s = setup();
    const first = join(s, { requireKnownMemberId: true });
    t.equal(first.value!.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    t.equal(first.value!.memberId, 'c-1');
    t.equal(s.coordinator.group('g')!.state, 'Empty', 'a pending member is not a member yet');
    const second = join(s, { requireKnownMemberId: true, memberId: 'c-1' });
    t.equal(second.value!.errorCode, ErrorCode.NONE);
    t.equal(second.value!.generationId, 1);
    t.equal(second.value!.leaderId, 'c-1');
    t.same(
      second.value!.members.map((m) => m.memberId),
      ['c-1'],
      'the leader gets the member list',
    );
    t.equal(s.coordinator.group('g')!.state, 'CompletingRebalance');
  },
);

t.test('a pending member id that is never used expires after the session timeout', async (t) => {
  const s = setup();
  join(s, { requireKnownMemberId: true });
  s.scheduler.advance(SESSION_MS);
  t.equal(s.coordinator.group('g')!.pendingMembers.size, 0);
  const late = join(s, { requireKnownMemberId: true, memberId: 'c-1' });
  t.equal(late.value!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

t.test("the leader's SyncGroup is stored, then every member gets its assignment", async (t) => {
  const s = setup();
  const { memberId, synced } = await stableGroupOfOne(s);
  t.equal(synced.value!.errorCode, ErrorCode.NONE);
  t.equal(synced.value!.assignment.toString(), 'all');
  t.equal(s.coordinator.group('g')!.state, 'Stable');
  t.equal(s.store.groupWrites.length, 1, 'the group was written before the reply');
  t.equal(s.store.groupWrites[0]!.assignment.get(memberId)!.toString(), 'all');
  t.equal(heartbeat(s, memberId, 1), ErrorCode.NONE);
});

t.test('a second member makes everybody rejoin; the leader assigns to both', async (t) => {
  const s = setup();
  const { memberId: a } = await stableGroupOfOne(s);
  const bJoin = join(s, { clientId: 'd' });
  t.equal(bJoin.value, undefined, 'the newcomer waits for the others to rejoin');
  t.equal(s.coordinator.group('g')!.state, 'PreparingRebalance');
  t.equal(heartbeat(s, a, 1), ErrorCode.REBALANCE_IN_PROGRESS, 'heartbeats say: rejoin');
  const aJoin = join(s, { memberId: a });
  t.equal(aJoin.value!.generationId, 2);
  t.equal(bJoin.value!.generationId, 2);
  t.equal(aJoin.value!.leaderId, a, 'the old leader leads again');
  t.equal(aJoin.value!.members.length, 2);
  t.equal(bJoin.value!.members.length, 0, 'followers do not get the member list');
  const b = bJoin.value!.memberId;
  const bSync = sync(s, b, 2);
  t.equal(bSync.value, undefined, 'a follower waits for the leader');
  sync(s, a, 2, [
    { memberId: a, assignment: Buffer.from('p0') },
    { memberId: b, assignment: Buffer.from('p1') },
  ]);
  await flush();
  t.equal(bSync.value!.assignment.toString(), 'p1');
  t.equal(s.coordinator.group('g')!.state, 'Stable');
  t.equal(heartbeat(s, b, 1), ErrorCode.ILLEGAL_GENERATION, 'an old generation is refused');
});

t.test('a member that stops heartbeating is removed after its session timeout', async (t) => {
  const s = setup();
  const { memberId: a } = await stableGroupOfOne(s);
  const bJoin = join(s, { clientId: 'd' });
  join(s, { memberId: a });
  const b = bJoin.value!.memberId;
  sync(s, b, 2);
  sync(s, a, 2, []);
  await flush();
  // a keeps heartbeating, b falls silent.
  for (let i = 0; i < 4; i++) {
    s.scheduler.advance(SESSION_MS / 2);
    t.equal(heartbeat(s, a, 2), i < 1 ? ErrorCode.NONE : ErrorCode.REBALANCE_IN_PROGRESS);
    if (i === 1) {
      t.notOk(s.coordinator.group('g')!.has(b), 'b was removed at its session timeout');
      const rejoin = join(s, { memberId: a });
      t.equal(rejoin.value!.generationId, 3, 'the group goes on with a alone');
      t.same(
        rejoin.value!.members.map((m) => m.memberId),
        [a],
      );
      break;
    }
  }
});

t.test('a member that does not rejoin within the rebalance timeout is removed', async (t) => {
  const s = setup();
  const { memberId: a } = await stableGroupOfOne(s);
  const bJoin = join(s, { clientId: 'd' });
  s.scheduler.advance(SESSION_MS - 1);
  // a heartbeats (learning of the rebalance) but never sends JoinGroup.
  t.equal(heartbeat(s, a, 1), ErrorCode.REBALANCE_IN_PROGRESS);
  s.scheduler.advance(REBALANCE_MS - SESSION_MS + 1);
  t.equal(bJoin.value!.errorCode, ErrorCode.NONE);
  t.equal(bJoin.value!.generationId, 2);
  t.equal(bJoin.value!.leaderId, bJoin.value!.memberId, 'the newcomer leads now');
  t.notOk(s.coordinator.group('g')!.has(a));
});

t.test(
  'group.initial.rebalance.delay.ms: an empty group waits, longer while members arrive',
  async (t) => {
    const s = setup({ groupInitialRebalanceDelayMs: 3000 });
    const a = join(s);
    s.scheduler.advance(2000);
    const b = join(s, { clientId: 'd' });
    s.scheduler.advance(1000);
    t.equal(a.value, undefined, 'a member arrived during the delay: wait once more');
    s.scheduler.advance(3000);
    t.equal(a.value!.generationId, 1, 'one generation for both');
    t.equal(b.value!.generationId, 1);
    t.equal(a.value!.members.length, 2);
  },
);

t.test('static membership: a restart within the session timeout does not rebalance', async (t) => {
  const s = setup();
  const first = join(s, { groupInstanceId: 'i-1' });
  const oldId = first.value!.memberId;
  sync(s, oldId, 1, [{ memberId: oldId, assignment: Buffer.from('mine') }], 'i-1');
  await flush();
  const writes = s.store.groupWrites.length;
  const again = join(s, { groupInstanceId: 'i-1' });
  await flush();
  t.equal(again.value!.errorCode, ErrorCode.NONE);
  t.equal(again.value!.generationId, 1, 'same generation: no rebalance');
  t.not(again.value!.memberId, oldId, 'a new member id');
  t.equal(s.coordinator.group('g')!.state, 'Stable');
  t.equal(s.store.groupWrites.length, writes + 1, 'the new member id is written down');
  t.equal(heartbeat(s, oldId, 1, 'i-1'), ErrorCode.FENCED_INSTANCE_ID, 'the old one is fenced');
  const resync = sync(s, again.value!.memberId, 1, [], 'i-1');
  t.equal(resync.value!.assignment.toString(), 'mine', 'and it keeps its assignment');
});

t.test(
  'LeaveGroup: the group rebalances without the member; the last one leaves it Empty',
  async (t) => {
    const s = setup();
    const { memberId: a } = await stableGroupOfOne(s);
    const left = s.coordinator.leaveGroup('g', [
      { memberId: a, groupInstanceId: null },
      { memberId: 'nobody', groupInstanceId: null },
    ]);
    t.same(
      left.members.map((m) => m.errorCode),
      [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID],
    );
    t.equal(s.coordinator.group('g')!.state, 'Empty');
    t.equal(s.coordinator.group('g')!.generationId, 2, 'an empty generation');
  },
);

t.test('JoinGroup validation: session timeout bounds, protocols, unknown members', async (t) => {
  const s = setup();
  t.equal(join(s, { sessionTimeoutMs: 10 }).value!.errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  t.equal(join(s, { groupId: '' }).value!.errorCode, ErrorCode.INVALID_GROUP_ID);
  t.equal(join(s, { memberId: 'x' }).value!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  await stableGroupOfOne(s);
  const other = join(s, { protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] });
  t.equal(other.value!.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  s.store.coordinatorErrorCode = ErrorCode.NOT_COORDINATOR;
  t.equal(join(s).value!.errorCode, ErrorCode.NOT_COORDINATOR);
});

t.test('the most preferred protocol that everybody supports is chosen', async (t) => {
  const s = setup({ groupInitialRebalanceDelayMs: 100 });
  const p = (name: string) => ({ name, metadata: Buffer.from(name) });
  const a = join(s, { protocols: [p('sticky'), p('range')] });
  const b = join(s, { clientId: 'd', protocols: [p('range'), p('roundrobin')] });
  // b arrived during the initial delay, which therefore runs once more.
  s.scheduler.advance(200);
  t.equal(a.value!.protocolName, 'range');
  t.equal(b.value!.protocolName, 'range');
  t.same(
    a.value!.members.map((m) => m.metadata.toString()),
    ['range', 'range'],
  );
});

t.test('OffsetCommit checks the generation and the member', async (t) => {
  const s = setup();
  const commit = (memberId: string, generationId: number, groupId = 'g') =>
    s.coordinator.commitOffsets({
      groupId,
      memberId,
      groupInstanceId: null,
      generationId,
      retentionTimeMs: -1,
      offsets: [{ topic: 't', partition: 0, offset: 5n, leaderEpoch: 2, metadata: 'md' }],
    });
  const key = offsetKey('t', 0);
  t.equal((await commit('x', 1, 'none')).get(key), ErrorCode.ILLEGAL_GENERATION);
  t.equal((await commit('', -1, 'simple')).get(key), ErrorCode.NONE, 'generation -1: no group');
  const a = join(s);
  const memberId = a.value!.memberId;
  t.equal((await commit(memberId, 1)).get(key), ErrorCode.REBALANCE_IN_PROGRESS);
  sync(s, memberId, 1, []);
  await flush();
  t.equal((await commit('stranger', 1)).get(key), ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal((await commit(memberId, 7)).get(key), ErrorCode.ILLEGAL_GENERATION);
  t.equal((await commit(memberId, 1)).get(key), ErrorCode.NONE);
  const fetched = s.coordinator.fetchOffsets('g', [
    { topic: 't', partition: 0 },
    { topic: 't', partition: 1 },
  ]);
  t.equal(fetched.offsets.get(key)!.offset, 5n);
  t.equal(fetched.offsets.get(key)!.leaderEpoch, 2);
  t.equal(fetched.offsets.get(key)!.metadata, 'md');
  t.equal(fetched.offsets.get(offsetKey('t', 1)), undefined, 'no commit: no offset');
  t.equal(s.coordinator.fetchOffsets('simple', null).offsets.get(key)!.offset, 5n);
  s.store.storeErrorCode = ErrorCode.NOT_COORDINATOR;
  t.equal((await commit(memberId, 1)).get(key), ErrorCode.NOT_COORDINATOR);
});

t.test('DeleteGroups removes only empty groups, with tombstones', async (t) => {
  const s = setup();
  const { memberId } = await stableGroupOfOne(s);
  await s.coordinator.commitOffsets({
    groupId: 'g',
    memberId,
    groupInstanceId: null,
    generationId: 1,
    retentionTimeMs: -1,
    offsets: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }],
  });
  let results = await s.coordinator.deleteGroups(['g', 'missing']);
  t.equal(results.get('g'), ErrorCode.NON_EMPTY_GROUP);
  t.equal(results.get('missing'), ErrorCode.GROUP_ID_NOT_FOUND);
  s.coordinator.leaveGroup('g', [{ memberId, groupInstanceId: null }]);
  results = await s.coordinator.deleteGroups(['g']);
  t.equal(results.get('g'), ErrorCode.NONE);
  t.same(s.store.tombstones, [{ groupId: 'g', offsets: [offsetKey('t', 0)], group: true }]);
  t.equal(s.coordinator.group('g'), undefined);
});

t.test('offsets.retention.minutes: an empty group loses its offsets, then itself', async (t) => {
  const s = setup({ offsetsRetentionMs: 60_000 });
  const { memberId } = await stableGroupOfOne(s);
  await s.coordinator.commitOffsets({
    groupId: 'g',
    memberId,
    groupInstanceId: null,
    generationId: 1,
    retentionTimeMs: -1,
    offsets: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }],
  });
  for (let i = 0; i < 24; i++) {
    s.scheduler.advance(5_000);
    heartbeat(s, memberId, 1);
  }
  t.equal(await s.coordinator.cleanupExpiredOffsets(), 0, 'an active group keeps its offsets');
  s.coordinator.leaveGroup('g', [{ memberId, groupInstanceId: null }]);
  s.scheduler.advance(59_000);
  t.equal(await s.coordinator.cleanupExpiredOffsets(), 0, 'not empty for long enough yet');
  s.scheduler.advance(1_000);
  t.equal(await s.coordinator.cleanupExpiredOffsets(), 1);
  t.equal(s.coordinator.group('g'), undefined, 'the group is gone too');
  t.same(s.store.tombstones.at(-1), { groupId: 'g', offsets: [offsetKey('t', 0)], group: true });
});

t.test('ListGroups filters by state; DescribeGroups shows members once Stable', async (t) => {
  const s = setup();
  await stableGroupOfOne(s);
  s.coordinator.joinGroup(joinParams({ groupId: 'other' }), () => {});
  t.same(
    s.coordinator.listGroups([]).map((g) => [g.groupId, g.state]),
    [
      ['g', 'Stable'],
      ['other', 'CompletingRebalance'],
    ],
  );
  t.same(
    s.coordinator.listGroups(['stable']).map((g) => g.groupId),
    ['g'],
  );
  const described = s.coordinator.describeGroup('g').summary;
  t.equal(described.protocolName, 'range');
  t.equal(described.members[0]!.assignment.toString(), 'all');
  t.equal(s.coordinator.describeGroup('missing').summary.state, 'Dead');
});

t.test('unloading a group answers its held replies with NOT_COORDINATOR', async (t) => {
  const s = setup({ groupInitialRebalanceDelayMs: 1000 });
  const a = join(s);
  s.coordinator.unloadGroups(() => true);
  t.equal(a.value!.errorCode, ErrorCode.NOT_COORDINATOR);
  t.equal(s.coordinator.group('g'), undefined);
});

t.test('TxnOffsetCommit: offsets stay pending until the COMMIT marker, per producer', async (t) => {
  const { coordinator, store } = setup();
  const commit = (producerId: bigint, offset: bigint, groupId = 'txn-group') =>
    coordinator.commitTransactionalOffsets({
      transactionalId: 'tx',
      groupId,
      producerId,
      producerEpoch: 0,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      offsets: [{ topic: 'in', partition: 0, offset, leaderEpoch: -1, metadata: null }],
    });
  const results = await commit(7n, 42n);
  t.equal(results.get(offsetKey('in', 0)), ErrorCode.NONE);
  t.equal(store.txnOffsetWrites.length, 1, 'written as a transactional batch');
  t.equal(store.txnOffsetWrites[0]!.producerId, 7n);
  t.equal(store.offsetWrites.length, 0, 'not as a plain commit');
  const fetched = () => coordinator.fetchOffsets('txn-group', null).offsets.get(offsetKey('in', 0));
  t.equal(fetched(), undefined, 'invisible before the marker');
  const stable = () =>
    coordinator.fetchOffsets('txn-group', [{ topic: 'in', partition: 0 }], true).unstable;
  t.same([...stable()], [offsetKey('in', 0)], 'require_stable (KIP-447): UNSTABLE_OFFSET_COMMIT');
  // A marker of another producer, or on another partition, changes nothing.
  coordinator.onTxnCompleted(8n, [0], true);
  coordinator.onTxnCompleted(7n, [1], true);
  t.equal(fetched(), undefined);
  coordinator.onTxnCompleted(7n, [0], true);
  t.equal(fetched()?.offset, 42n, 'visible after COMMIT');
  t.same([...stable()], [], 'stable once the transaction ended');
  t.equal(coordinator.group('txn-group')!.pendingTxnOffsets.size, 0);
  // An aborted transaction's offsets never become visible.
  await commit(7n, 99n);
  coordinator.onTxnCompleted(7n, [0], false);
  t.equal(fetched()?.offset, 42n, 'ABORT dropped 99');
  t.equal(coordinator.group('txn-group')!.pendingTxnOffsets.size, 0);
});

t.test('TxnOffsetCommit checks the member and generation only when given (v3)', async (t) => {
  const { coordinator } = setup();
  const base = {
    transactionalId: 'tx',
    groupId: 'g2',
    producerId: 1n,
    producerEpoch: 0,
    groupInstanceId: null,
    offsets: [{ topic: 'in', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }],
  };
  const unknownMember = await coordinator.commitTransactionalOffsets({
    ...base,
    generationId: -1,
    memberId: 'nobody',
  });
  t.equal(unknownMember.get(offsetKey('in', 0)), ErrorCode.UNKNOWN_MEMBER_ID);
  const badGeneration = await coordinator.commitTransactionalOffsets({
    ...base,
    generationId: 5,
    memberId: '',
  });
  t.equal(badGeneration.get(offsetKey('in', 0)), ErrorCode.ILLEGAL_GENERATION);
});

t.test(
  'offset retention keeps a group whose only offsets are pending in a transaction',
  async (t) => {
    const { coordinator, scheduler } = setup({ offsetsRetentionMs: 1_000 });
    await coordinator.commitTransactionalOffsets({
      transactionalId: 'tx',
      groupId: 'only-pending',
      producerId: 3n,
      producerEpoch: 0,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      offsets: [{ topic: 'in', partition: 0, offset: 5n, leaderEpoch: -1, metadata: null }],
    });
    scheduler.advance(2_000);
    await coordinator.cleanupExpiredOffsets();
    t.ok(coordinator.group('only-pending'), 'not removed');
    coordinator.onTxnCompleted(3n, [0], true);
    t.equal(
      coordinator.fetchOffsets('only-pending', null).offsets.get(offsetKey('in', 0))?.offset,
      5n,
    );
  },
);
