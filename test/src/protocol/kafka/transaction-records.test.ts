import t from 'tap';
import {
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
  partitionForTransactionalId,
  type TransactionLogValue,
} from '../../../../src/protocol/kafka/transaction-records.js';

const value: TransactionLogValue = {
  producerId: 1000n,
  producerEpoch: 3,
  transactionTimeoutMs: 60_000,
  transactionStatus: 1,
  transactionPartitions: [{ topic: 'out', partitionIds: [0, 2] }],
  transactionLastUpdateTimestampMs: 1700000000123n,
  transactionStartTimestampMs: 1700000000000n,
};

t.test('key v0: int16 version, then the transactional id as an int16-length string', async (t) => {
  const bytes = encodeTransactionLogKey('txn-a');
  t.same([...bytes], [0, 0, 0, 5, ...Buffer.from('txn-a')]);
  t.equal(decodeTransactionLogKey(bytes), 'txn-a');
  t.throws(() => decodeTransactionLogKey(Buffer.from([0, 1, 0, 0])), /key version 1/);
});

t.test('value v0: the fields in schema order, classic encoding', async (t) => {
  const bytes = encodeTransactionLogValue(value);
  const expected = Buffer.alloc(2 + 8 + 2 + 4 + 1 + 4 + (2 + 3 + 4 + 8) + 8 + 8);
  let at = 0;
  at = expected.writeInt16BE(0, at);
  at = expected.writeBigInt64BE(1000n, at);
  at = expected.writeInt16BE(3, at);
  at = expected.writeInt32BE(60_000, at);
  at = expected.writeInt8(1, at);
  at = expected.writeInt32BE(1, at);
  at = expected.writeInt16BE(3, at);
  at += expected.write('out', at);
  at = expected.writeInt32BE(2, at);
  at = expected.writeInt32BE(0, at);
  at = expected.writeInt32BE(2, at);
  at = expected.writeBigInt64BE(1700000000123n, at);
  at = expected.writeBigInt64BE(1700000000000n, at);
  t.equal(at, expected.length);
  t.same(bytes, expected);
  t.same(decodeTransactionLogValue(bytes), value);
});

t.test('value v1 (flexible, Kafka 3.x) decodes to the same fields', async (t) => {
  const parts: number[] = [0, 1];
  const push = (b: Buffer) => parts.push(...b);
  const i64 = (n: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    return b;
  };
  push(i64(1000n));
  parts.push(0, 3, 0, 0, 0xea, 0x60, 1);
  parts.push(2); // compact array of 1
  parts.push(4, ...Buffer.from('out')); // compact string
  parts.push(3, 0, 0, 0, 0, 0, 0, 0, 2); // compact array of 2 int32
  parts.push(0); // no tagged fields in the element
  push(i64(1700000000123n));
  push(i64(1700000000000n));
  parts.push(0); // no tagged fields
  t.same(decodeTransactionLogValue(Buffer.from(parts)), value);
});

t.test('the partition of a transactional id is the group rule', async (t) => {
  // Java: "hello".hashCode() = 99162322; 99162322 % 50 = 22.
  t.equal(partitionForTransactionalId('hello', 50), 22);
  // Integer.MIN_VALUE maps to 0 (Kafka's Utils.abs).
  t.equal(partitionForTransactionalId('polygenelubricants', 50), 0);
});
