import t from 'tap';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import {
  BATCHES_RETAINED_PER_PRODUCER,
  ProducerStateManager,
  decrementSequence,
  incrementSequence,
  inSequence,
  type AppendOrigin,
  type ProducerAppendCheck,
  type ProducerBatch,
} from '../../../broker/log/producer-state-manager.js';

const INT32_MAX = 2_147_483_647;
const HOUR_MS = 3_600_000;

/** A partition's state with its own offset counter, as a leader would drive it. */
function partition(expirationMs = 24 * HOUR_MS) {
  const state = new ProducerStateManager({
    producerIdExpirationMs: expirationMs,
    partitionName: 'orders-0',
  });
  let logEndOffset = 0;
  const batch = (options: {
    producerId?: number;
    epoch?: number;
    seq: number;
    count?: number;
    timestampMs?: number;
    transactional?: boolean;
  }): ProducerBatch => {
    const count = options.count ?? 1;
    return {
      producerId: options.producerId ?? 7,
      producerEpoch: options.epoch ?? 0,
      baseSequence: options.seq,
      baseOffset: logEndOffset,
      lastOffset: logEndOffset + count - 1,
      maxTimestamp: options.timestampMs ?? 1000,
      isTransactional: options.transactional ?? false,
      isControl: false,
    };
  };
  /** Checks, and "writes" the batch when accepted (as log.ts does). */
  const append = (b: ProducerBatch, origin: AppendOrigin = 'client'): ProducerAppendCheck => {
    const check = state.prepareAppend([b], origin);
    if (check.kind === 'append') {
      state.completeAppend(check.updates);
      logEndOffset = b.lastOffset + 1;
    }
    return check;
  };
  return { state, batch, append, end: () => logEndOffset };
}

t.test('sequence arithmetic wraps at Int32.MAX as Kafka does', async (t) => {
  t.equal(incrementSequence(5, 3), 8);
  t.equal(incrementSequence(INT32_MAX, 1), 0);
  t.equal(incrementSequence(INT32_MAX - 1, 3), 1);
  t.equal(decrementSequence(1, 3), INT32_MAX - 1);
  t.ok(inSequence(INT32_MAX, 0));
  t.ok(inSequence(41, 42));
  t.notOk(inSequence(41, 43));
  t.notOk(inSequence(INT32_MAX, 1));
});

t.test('a new producer is appended and then tracked', async (t) => {
  const p = partition();
  t.equal(p.append(p.batch({ seq: 0, count: 3 })).kind, 'append');
  const entry = p.state.lastEntry(7)!;
  t.equal(entry.producerEpoch, 0);
  t.same(entry.batches, [{ lastSeq: 2, lastOffset: 2, offsetDelta: 2, timestampMs: 1000 }]);
  t.equal(p.state.mapEndOffset, 3);
});

t.test(
  'a retry of one of the last five batches is a duplicate with its first offsets',
  async (t) => {
    const p = partition();
    const sent: ProducerBatch[] = [];
    for (let i = 0; i < 6; i++) {
      const b = p.batch({ seq: i * 2, count: 2 });
      sent.push(b);
      t.equal(p.append(b).kind, 'append');
    }
    // The retry arrives later, when the leader would put it at the end of the log.
    const retry = { ...sent[3]!, baseOffset: p.end(), lastOffset: p.end() + 1 };
    const check = p.append(retry);
    t.equal(check.kind, 'duplicate');
    if (check.kind === 'duplicate') {
      t.equal(check.batch.lastOffset, 7, 'the offsets of the first append');
      t.equal(check.batch.lastOffset - check.batch.offsetDelta, 6);
    }
    t.equal(p.end(), 12, 'nothing was appended');
    t.equal(p.state.lastEntry(7)!.batches.length, BATCHES_RETAINED_PER_PRODUCER);
    // The oldest batch fell out of the five: its retry is out of order, not a duplicate.
    const tooOld = { ...sent[0]!, baseOffset: p.end(), lastOffset: p.end() + 1 };
    const old = p.append(tooOld);
    t.equal(old.kind, 'rejected');
    if (old.kind === 'rejected') t.equal(old.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  },
);

t.test('a gap in the sequence is OUT_OF_ORDER_SEQUENCE_NUMBER and changes nothing', async (t) => {
  const p = partition();
  p.append(p.batch({ seq: 0, count: 5 }));
  const check = p.append(p.batch({ seq: 6 }));
  t.equal(check.kind, 'rejected');
  if (check.kind === 'rejected') t.equal(check.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  t.equal(p.state.lastEntry(7)!.batches.length, 1);
  t.equal(p.append(p.batch({ seq: 5 })).kind, 'append', 'the next number is still accepted');
});

t.test('an older epoch is INVALID_PRODUCER_EPOCH (a zombie)', async (t) => {
  const p = partition();
  p.append(p.batch({ epoch: 3, seq: 0 }));
  const check = p.append(p.batch({ epoch: 2, seq: 1 }));
  t.equal(check.kind, 'rejected');
  if (check.kind === 'rejected') t.equal(check.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
});

t.test('a new epoch must start at sequence 0', async (t) => {
  const p = partition();
  p.append(p.batch({ epoch: 0, seq: 0, count: 10 }));
  const bad = p.append(p.batch({ epoch: 1, seq: 10 }));
  t.equal(bad.kind, 'rejected');
  if (bad.kind === 'rejected') t.equal(bad.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  t.equal(p.append(p.batch({ epoch: 1, seq: 0 })).kind, 'append');
  const entry = p.state.lastEntry(7)!;
  t.equal(entry.producerEpoch, 1);
  t.equal(entry.batches.length, 1, "the old epoch's batches are forgotten");
});

t.test('an unknown producer is accepted at any sequence (KIP-360, Kafka 2.5+)', async (t) => {
  const p = partition();
  t.equal(p.append(p.batch({ producerId: 99, seq: 1234 })).kind, 'append');
  t.equal(p.append(p.batch({ producerId: 99, seq: 1235 })).kind, 'append');
  const gap = p.append(p.batch({ producerId: 99, seq: 1237 }));
  t.equal(gap.kind, 'rejected', 'once known, the sequence is checked');
});

t.test('the sequence wraps from Int32.MAX to 0', async (t) => {
  const p = partition();
  p.append(p.batch({ producerId: 5, seq: INT32_MAX - 1, count: 2 }));
  t.equal(p.state.lastEntry(5)!.batches[0]!.lastSeq, INT32_MAX);
  t.equal(p.append(p.batch({ producerId: 5, seq: 0, count: 3 })).kind, 'append');
  // A batch whose numbers wrap inside it: MAX-1, MAX, 0, 1.
  const q = partition();
  q.append(q.batch({ seq: INT32_MAX - 1, count: 4 }));
  t.equal(q.state.lastEntry(7)!.batches[0]!.lastSeq, 1);
  t.equal(q.append(q.batch({ seq: 2 })).kind, 'append');
});

t.test('replicated batches are never refused, only recorded', async (t) => {
  const p = partition();
  p.append(p.batch({ epoch: 2, seq: 0 }), 'replication');
  t.equal(p.append(p.batch({ epoch: 1, seq: 17 }), 'replication').kind, 'append');
  t.equal(p.append(p.batch({ epoch: 2, seq: 40 }), 'replication').kind, 'append');
  t.equal(p.state.lastEntry(7)!.batches.at(-1)!.lastSeq, 40);
});

t.test('several batches of one request are checked in order and applied together', async (t) => {
  const p = partition();
  const first = p.batch({ seq: 0, count: 2 });
  const second = { ...p.batch({ seq: 2, count: 2 }), baseOffset: 2, lastOffset: 3 };
  const check = p.state.prepareAppend([first, second], 'client');
  t.equal(check.kind, 'append');
  t.equal(p.state.lastEntry(7), undefined, 'nothing changes before completeAppend');
  if (check.kind === 'append') p.state.completeAppend(check.updates);
  t.equal(p.state.lastEntry(7)!.batches.length, 2);
  t.equal(p.state.mapEndOffset, 4);
  const broken = p.state.prepareAppend(
    [
      { ...first, baseSequence: 4, baseOffset: 4, lastOffset: 5 },
      { ...first, baseSequence: 9, baseOffset: 6, lastOffset: 7 },
    ],
    'client',
  );
  t.equal(broken.kind, 'rejected', 'the second batch does not follow the first');
});

t.test('a transactional producer may not write outside its open transaction', async (t) => {
  const p = partition();
  p.append(p.batch({ seq: 0, transactional: true }));
  t.equal(p.state.lastEntry(7)!.currentTxnFirstOffset, 0);
  const check = p.append(p.batch({ seq: 1 }));
  t.equal(check.kind, 'rejected');
  if (check.kind === 'rejected') t.equal(check.errorCode, ErrorCode.INVALID_TXN_STATE);
});

t.test('idle producers expire after producer.id.expiration.ms (manual clock)', async (t) => {
  const p = partition(HOUR_MS);
  p.append(p.batch({ producerId: 1, seq: 0, timestampMs: 10_000 }));
  p.append(p.batch({ producerId: 2, seq: 0, timestampMs: 10_000 + HOUR_MS / 2 }));
  p.append(p.batch({ producerId: 3, seq: 0, timestampMs: 0, transactional: true }));
  t.same(p.state.removeExpiredProducers(10_000 + HOUR_MS - 1), [], 'not yet');
  t.same(p.state.removeExpiredProducers(10_000 + HOUR_MS), [1]);
  t.same([...p.state.activeProducers.keys()].sort(), [2, 3], 'an open transaction never expires');
  // An expired producer is unknown again: any sequence is accepted.
  t.equal(p.append(p.batch({ producerId: 1, seq: 500 })).kind, 'append');
});

t.test('a snapshot load drops producers that expired meanwhile', async (t) => {
  const p = partition(HOUR_MS);
  p.append(p.batch({ producerId: 1, seq: 0, timestampMs: 0 }));
  p.append(p.batch({ producerId: 2, seq: 0, timestampMs: HOUR_MS }));
  const entries = [...p.state.activeProducers.values()];
  const q = partition(HOUR_MS);
  q.state.loadSnapshot(entries, 2, HOUR_MS + 10);
  t.same([...q.state.activeProducers.keys()], [2]);
  t.equal(q.state.mapEndOffset, 2);
});
