/**
 * The __consumer_offsets record formats: round trips, the exact bytes of a v1 key and a v3
 * value (as Kafka 2.8 writes them), and Java's String.hashCode for the partition choice.
 */
import t from 'tap';
import {
  decodeGroupMetadataValue,
  decodeGroupRecordKey,
  decodeOffsetCommitValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  javaStringHashCode,
  partitionForGroup,
} from '../../../../src/protocol/kafka/group-records.js';
import {
  decodeConsumerAssignment,
  decodeConsumerSubscription,
  encodeConsumerAssignment,
  encodeConsumerSubscription,
} from '../../../../src/protocol/kafka/consumer-protocol.js';

t.test('offset commit key v1: version, group, topic, partition', async (t) => {
  const bytes = encodeOffsetCommitKey({ group: 'g', topic: 't', partition: 7 });
  t.equal(bytes.toString('hex'), '0001' + '000167' + '000174' + '00000007');
  t.same(decodeGroupRecordKey(bytes), {
    type: 'offset',
    key: { group: 'g', topic: 't', partition: 7 },
  });
  t.same(decodeGroupRecordKey(encodeGroupMetadataKey('my-group')), {
    type: 'group',
    group: 'my-group',
  });
});

t.test('offset commit value: v3 normally, v1 when the commit has its own expiry', async (t) => {
  const v3 = encodeOffsetCommitValue({
    offset: 42n,
    leaderEpoch: 3,
    metadata: 'm',
    commitTimestampMs: 1000n,
    expireTimestampMs: -1n,
  });
  t.equal(
    v3.toString('hex'),
    '0003' + '000000000000002a' + '00000003' + '00016d' + '00000000000003e8',
  );
  t.same(decodeOffsetCommitValue(v3), {
    offset: 42n,
    leaderEpoch: 3,
    metadata: 'm',
    commitTimestampMs: 1000n,
    expireTimestampMs: -1n,
  });
  const v1 = encodeOffsetCommitValue({
    offset: 1n,
    leaderEpoch: 3,
    metadata: '',
    commitTimestampMs: 1000n,
    expireTimestampMs: 5000n,
  });
  t.equal(v1.readInt16BE(0), 1);
  const decoded = decodeOffsetCommitValue(v1);
  t.equal(decoded.expireTimestampMs, 5000n);
  t.equal(decoded.leaderEpoch, -1, 'v1 has no leader epoch');
});

t.test('group metadata value v3 round trip', async (t) => {
  const value = {
    protocolType: 'consumer',
    generation: 4,
    protocol: 'range',
    leader: 'm-1',
    currentStateTimestampMs: 123n,
    members: [
      {
        memberId: 'm-1',
        groupInstanceId: 'i-1',
        clientId: 'c',
        clientHost: '/127.0.0.1',
        rebalanceTimeoutMs: 60000,
        sessionTimeoutMs: 10000,
        subscription: encodeConsumerSubscription(['a', 'b']),
        assignment: encodeConsumerAssignment([{ topic: 'a', partitions: [0, 2] }]),
      },
    ],
  };
  const decoded = decodeGroupMetadataValue(encodeGroupMetadataValue(value));
  t.same(decoded, value);
  t.same(decodeConsumerSubscription(decoded.members[0]!.subscription).topics, ['a', 'b']);
  t.same(decodeConsumerAssignment(decoded.members[0]!.assignment).assignedPartitions, [
    { topic: 'a', partitions: [0, 2] },
  ]);
  const empty = decodeGroupMetadataValue(
    encodeGroupMetadataValue({ ...value, protocol: null, leader: null, members: [] }),
  );
  t.equal(empty.protocol, null);
});

t.test("the group's partition is abs(String.hashCode) % partitions, as in Java", async (t) => {
  t.equal(javaStringHashCode(''), 0);
  t.equal(javaStringHashCode('hello'), 99162322);
  // The well-known string whose hash code is Integer.MIN_VALUE: Kafka's Utils.abs gives 0.
  t.equal(javaStringHashCode('polygenelubricants'), -2147483648);
  t.equal(partitionForGroup('polygenelubricants', 50), 0);
  t.equal(partitionForGroup('hello', 50), 99162322 % 50);
});
