/**
 * The transaction rules of the producer state (producer-state-manager.ts), driven directly:
 * open transactions, COMMIT/ABORT markers, the first unstable offset and the last stable
 * offset, the LSO recorded for the transaction index, and Kafka 2.8's refusals.
 */
import t from 'tap';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import {
  ProducerStateManager,
  type AppendOrigin,
  type CompletedTxnWithLso,
  type ProducerAppendCheck,
  type ProducerBatch,
} from '../../../broker/log/producer-state-manager.js';
import type { ControlRecordType } from '../../../src/protocol/kafka/end-transaction-marker.js';

/** A partition's producer state with its own log end offset, as a leader drives it. */
function partition() {
  const state = new ProducerStateManager({
    producerIdExpirationMs: 3_600_000,
    partitionName: 'p-0',
  });
  let end = 0;
  const data = (producerId: number, seq: number, count = 1, epoch = 0): ProducerBatch => ({
    producerId,
    producerEpoch: epoch,
    baseSequence: seq,
    baseOffset: end,
    lastOffset: end + count - 1,
    maxTimestamp: 1000,
    isTransactional: true,
    isControl: false,
  });
  const marker = (
    producerId: number,
    type: ControlRecordType,
    options: { epoch?: number; coordinatorEpoch?: number } = {},
  ): ProducerBatch => ({
    producerId,
    producerEpoch: options.epoch ?? 0,
    baseSequence: -1,
    baseOffset: end,
    lastOffset: end,
    maxTimestamp: 2000,
    isTransactional: true,
    isControl: true,
    endTxnMarker: { type, coordinatorEpoch: options.coordinatorEpoch ?? 0 },
  });
  let completed: CompletedTxnWithLso[] = [];
  /** Checks and, when accepted, "writes" the batches in one append. */
  const append = (
    batches: ProducerBatch[],
    origin: AppendOrigin = 'client',
  ): ProducerAppendCheck => {
    const check = state.prepareAppend(batches, origin);
    if (check.kind === 'append') {
      completed = state.completeAppend(check.updates);
      end = batches[batches.length - 1]!.lastOffset + 1;
    }
    return check;
  };
  /** Appends one batch at a time, each a request of its own (offsets follow on). */
  const write = (make: () => ProducerBatch, origin: AppendOrigin = 'client') => {
    const check = append([make()], origin);
    return check;
  };
  return { state, data, marker, append, write, end: () => end, completed: () => completed };
}

t.test('the first transactional batch opens a transaction that bounds the LSO', async (t) => {
  const p = partition();
  p.write(() => p.data(1, 0, 3)); // offsets 0-2
  p.write(() => p.data(1, 3, 2)); // 3-4, same transaction
  t.same(p.state.ongoingTxns, [{ producerId: 1, firstOffset: 0 }]);
  t.equal(p.state.lastEntry(1)!.currentTxnFirstOffset, 0);
  t.equal(p.state.firstUnstableOffset, 0);
  t.equal(p.state.lastStableOffset(5), 0, 'read_committed readers stop at the open transaction');
});

t.test('a marker closes the transaction; the HW passing it makes it stable', async (t) => {
  const p = partition();
  p.write(() => p.data(1, 0, 3)); // 0-2
  t.equal(p.write(() => p.marker(1, 'COMMIT')).kind, 'append'); // marker at 3
  t.same(p.completed(), [
    { producerId: 1, firstOffset: 0, lastOffset: 3, isAborted: false, lastStableOffset: 4 },
  ]);
  t.same(p.state.ongoingTxns, [], 'no longer open');
  t.equal(p.state.lastEntry(1)!.currentTxnFirstOffset, undefined);
  // The marker is in the log but not yet committed: the transaction is not stable yet.
  t.equal(p.state.firstUnstableOffset, 0);
  t.equal(p.state.lastStableOffset(3), 0);
  p.state.onHighWatermarkUpdated(3);
  t.equal(p.state.firstUnstableOffset, 0, 'HW at the marker: still unstable');
  p.state.onHighWatermarkUpdated(4);
  t.equal(p.state.firstUnstableOffset, undefined, 'HW past the marker: stable');
  t.equal(p.state.lastStableOffset(4), 4, 'the LSO is the HW again');
});

t.test('an ABORT records the LSO of the oldest other open transaction', async (t) => {
  const p = partition();
  p.write(() => p.data(1, 0)); // 0: producer 1 opens
  p.write(() => p.data(2, 0)); // 1: producer 2 opens
  p.write(() => p.marker(1, 'ABORT')); // 2
  t.same(p.completed(), [
    { producerId: 1, firstOffset: 0, lastOffset: 2, isAborted: true, lastStableOffset: 1 },
  ]);
  p.state.onHighWatermarkUpdated(3);
  t.equal(p.state.lastStableOffset(3), 1, 'producer 2 still holds the LSO back');
  p.write(() => p.marker(2, 'COMMIT')); // 3
  t.same(p.completed(), [
    { producerId: 2, firstOffset: 1, lastOffset: 3, isAborted: false, lastStableOffset: 4 },
  ]);
  p.state.onHighWatermarkUpdated(4);
  t.equal(p.state.lastStableOffset(4), 4);
});

t.test('a marker for a producer with no data here completes nothing', async (t) => {
  const p = partition();
  t.equal(p.write(() => p.marker(9, 'ABORT', { coordinatorEpoch: 4 })).kind, 'append');
  t.same(p.completed(), [], 'no transaction index entry, no LSO change');
  t.equal(p.state.lastEntry(9)!.coordinatorEpoch, 4, 'but the coordinator epoch is kept');
});

t.test('a non-transactional write inside an open transaction is INVALID_TXN_STATE', async (t) => {
  const p = partition();
  p.write(() => p.data(1, 0));
  const plain = { ...p.data(1, 1), isTransactional: false };
  const refused = p.append([plain]);
  t.match(refused, { kind: 'rejected', errorCode: ErrorCode.INVALID_TXN_STATE });
  t.equal(p.end(), 1, 'nothing written');
  p.write(() => p.marker(1, 'COMMIT'));
  t.equal(p.append([{ ...p.data(1, 1), isTransactional: false }]).kind, 'append', 'after it: ok');
});

t.test('markers from zombies are refused, replicated ones are only noted', async (t) => {
  const p = partition();
  p.write(() => p.data(1, 0, 1, 3)); // producer epoch 3
  p.write(() => p.marker(1, 'COMMIT', { epoch: 3, coordinatorEpoch: 5 }));
  p.write(() => p.data(1, 1, 1, 3));
  t.match(
    p.write(() => p.marker(1, 'ABORT', { epoch: 2, coordinatorEpoch: 5 })),
    {
      kind: 'rejected',
      errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
    },
  );
  t.match(
    p.write(() => p.marker(1, 'ABORT', { epoch: 3, coordinatorEpoch: 4 })),
    {
      kind: 'rejected',
      errorCode: ErrorCode.TRANSACTION_COORDINATOR_FENCED,
    },
  );
  t.same(p.state.ongoingTxns, [{ producerId: 1, firstOffset: 2 }], 'still open');
  t.equal(
    p.write(() => p.marker(1, 'ABORT', { epoch: 3, coordinatorEpoch: 4 }), 'replication').kind,
    'append',
    'a follower copies what its leader wrote',
  );
  t.same(p.state.ongoingTxns, []);
  // A marker with a newer producer epoch (the coordinator fencing a producer) is accepted.
  p.write(() => p.data(1, 0, 1, 4));
  t.equal(p.write(() => p.marker(1, 'ABORT', { epoch: 5, coordinatorEpoch: 6 })).kind, 'append');
  t.equal(p.state.lastEntry(1)!.producerEpoch, 5);
});

t.test('data, marker and a new transaction in one replicated append', async (t) => {
  const p = partition();
  const first = p.data(1, 0, 2); // 0-1
  const marker = { ...p.marker(1, 'ABORT'), baseOffset: 2, lastOffset: 2 };
  const next = { ...p.data(1, 2, 1), baseOffset: 3, lastOffset: 3 };
  t.equal(p.append([first, marker, next], 'replication').kind, 'append');
  t.same(p.completed(), [
    // The transaction opened by the same append's last batch counts as open (Kafka's order).
    { producerId: 1, firstOffset: 0, lastOffset: 2, isAborted: true, lastStableOffset: 3 },
  ]);
  t.same(p.state.ongoingTxns, [{ producerId: 1, firstOffset: 3 }]);
});

t.test('a snapshot brings open transactions back; expiry keeps them', async (t) => {
  const p = partition();
  p.write(() => p.data(2, 0)); // 0
  p.write(() => p.data(1, 0)); // 1
  const entries = [...p.state.activeProducers.values()].map((e) => ({ ...e }));
  const restored = new ProducerStateManager({ producerIdExpirationMs: 10, partitionName: 'p-0' });
  restored.loadSnapshot(entries.reverse(), 2, 1005);
  t.same(restored.ongoingTxns, [
    { producerId: 2, firstOffset: 0 },
    { producerId: 1, firstOffset: 1 },
  ]);
  t.equal(restored.firstUnstableOffset, 0);
  t.same(restored.removeExpiredProducers(1_000_000), [], 'open transactions never expire');
  restored.truncateFullyAndStartAt(2);
  t.equal(restored.firstUnstableOffset, undefined);
});
