/**
 * The edges of the Produce range (0-8), through the broker's socket: v0-2 carry magic 0/1
 * message sets, which are stored as v2 batches; v3+ must carry v2 batches; v8 answers a batch
 * refused record by record with record_errors and error_message.
 */
import { crc32 } from '@node-rs/crc32';
import t from 'tap';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { buildRecordBatch, readBatches } from '../../../src/protocol/kafka/record-batch.js';
import { RawClient, startBroker } from './harness.js';

/** A magic 0 message set of uncompressed messages (the format's own layout). */
function magic0Set(values: string[]): Buffer {
  return Buffer.concat(
    values.map((value, i) => {
      const v = Buffer.from(value);
      const body = Buffer.alloc(2 + 4 + 4 + v.length);
      body.writeInt8(0, 0); // magic
      body.writeInt8(0, 1); // attributes
      body.writeInt32BE(-1, 2); // null key
      body.writeInt32BE(v.length, 6);
      v.copy(body, 10);
      const head = Buffer.alloc(16);
      head.writeBigInt64BE(BigInt(i), 0);
      head.writeInt32BE(body.length + 4, 8);
      head.writeUInt32BE(crc32(body), 12);
      return Buffer.concat([head, body]);
    }),
  );
}

t.test('Produce v0: a magic 0 message set is stored as one v2 batch', async (t) => {
  const broker = await startBroker(t);
  await broker.controller.createTopic('old', 1);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  const produce = (version: number, records: Buffer) =>
    client.send(0, version, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: 'old', partitionData: [{ index: 0, records }] }],
    });
  const v0 = await produce(0, magic0Set(['a', 'b', 'c']));
  t.equal(v0.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
  t.equal(v0.responses[0]!.partitionResponses[0]!.baseOffset, 0n);
  const v2 = await produce(2, magic0Set(['d']));
  t.equal(v2.responses[0]!.partitionResponses[0]!.baseOffset, 3n, 'v2 too');
  // Kafka accepts any magic in v0-2, so a v2 batch in Produce v1 is fine.
  const v1 = await produce(1, buildRecordBatch({ records: [{ value: 'e' }] }));
  t.equal(v1.responses[0]!.partitionResponses[0]!.baseOffset, 4n, 'a v2 batch in v1');
  // From v3 on only v2 batches are allowed.
  const v3 = await produce(3, magic0Set(['f']));
  t.equal(v3.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.INVALID_RECORD);
  // A damaged set is refused whole.
  const damaged = magic0Set(['g']);
  damaged[damaged.length - 1] ^= 1;
  const bad = await produce(0, damaged);
  t.equal(bad.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.CORRUPT_MESSAGE);

  const fetched = await client.send(1, 4, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [
      {
        topic: 'old',
        partitions: [
          { partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 },
        ],
      },
    ],
  });
  const batches = readBatches(fetched.responses[0]!.partitions[0]!.records!).batches;
  t.same(
    batches.map((b) => [b.magic, b.baseOffset, b.recordsCount]),
    [
      [2, 0, 3],
      [2, 3, 1],
      [2, 4, 1],
    ],
  );
});

t.test('Produce v8: record_errors name each keyless record on a compacted topic', async (t) => {
  const broker = await startBroker(t, { logConfig: { cleanupPolicy: ['compact'] } });
  await broker.controller.createTopic('compacted', 1);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  const records = buildRecordBatch({
    records: [
      { key: 'k', value: '1' },
      { value: 'no key' },
      { key: 'k2', value: '2' },
      { value: 'x' },
    ],
  });
  const send = (version: number) =>
    client.send(0, version, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: 'compacted', partitionData: [{ index: 0, records }] }],
    });
  const v8 = (await send(8)).responses[0]!.partitionResponses[0]!;
  t.equal(v8.errorCode, ErrorCode.INVALID_RECORD);
  t.equal(v8.errorMessage, 'One or more records have been rejected');
  t.same(
    v8.recordErrors.map((e) => e.batchIndex),
    [1, 3],
    'the keyless records, by index',
  );
  t.match(
    v8.recordErrors[0]!.batchIndexErrorMessage,
    /Compacted topic cannot accept message without key/,
  );
  const v7 = (await send(7)).responses[0]!.partitionResponses[0]!;
  t.equal(v7.errorCode, ErrorCode.INVALID_RECORD, 'v7: the same error');
  t.same(v7.recordErrors, [], 'v7 has no record_errors');
});
