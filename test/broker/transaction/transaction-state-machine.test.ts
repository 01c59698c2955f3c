/**
 * The transaction rules driven directly: each test names the behaviour of Kafka 2.8's
 * TransactionCoordinator it checks. Time is a number passed in, as the coordinator's
 * ManualScheduler would give it.
 */
import t from 'tap';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import {
  TRANSACTION_STATE_IDS,
  VALID_PREVIOUS_STATES,
  completeTransaction,
  decideAddPartitions,
  decideEndTxn,
  decideInitProducerId,
  decideTimeoutAbort,
  initProducerIdNeedsNewId,
  isExpired,
  isTimedOut,
  transactionStateOfId,
  type TransactionDecision,
  type TransactionMetadata,
} from '../../../broker/transaction/transaction-state-machine.js';

const MAX_TIMEOUT_MS = 900_000;

function init(
  current: TransactionMetadata | undefined,
  extra: Partial<Parameters<typeof decideInitProducerId>[0]> = {},
): TransactionDecision {
  return decideInitProducerId({
    current,
    pendingState: undefined,
    transactionalId: 'txn-a',
    transactionTimeoutMs: 60_000,
    transactionMaxTimeoutMs: MAX_TIMEOUT_MS,
    expected: undefined,
    freshProducerId: initProducerIdNeedsNewId(current) ? 1000n : undefined,
    nowMs: 1_000,
    ...extra,
  });
}

function written(decision: TransactionDecision): TransactionMetadata {
  if (decision.kind === 'answer') throw new Error(`expected a write, got ${decision.errorCode}`);
  return decision.next;
}

function answered(decision: TransactionDecision): number {
  if (decision.kind !== 'answer') throw new Error(`expected an answer, got ${decision.kind}`);
  return decision.errorCode;
}

/** A transactional id initialised and with one partition added (Ongoing). */
function ongoing(): TransactionMetadata {
  const empty = written(init(undefined));
  return written(
    decideAddPartitions({
      current: empty,
      pendingState: undefined,
      producerId: empty.producerId,
      producerEpoch: empty.producerEpoch,
      partitions: [{ topic: 'out', partition: 0 }],
      nowMs: 2_000,
    }),
  );
}

t.test('state ids are those Kafka writes to __transaction_state', async (t) => {
  t.same(TRANSACTION_STATE_IDS, {
    Empty: 0,
    Ongoing: 1,
    PrepareCommit: 2,
    PrepareAbort: 3,
    CompleteCommit: 4,
    CompleteAbort: 5,
    Dead: 6,
    PrepareEpochFence: 7,
  });
  t.equal(transactionStateOfId(3), 'PrepareAbort');
  t.throws(() => transactionStateOfId(8));
  t.same(VALID_PREVIOUS_STATES.PrepareAbort, ['Ongoing', 'PrepareEpochFence']);
});

t.test('a new transactional id gets a fresh producer id at epoch 0', async (t) => {
  const next = written(init(undefined));
  t.equal(next.producerId, 1000n);
  t.equal(next.producerEpoch, 0);
  t.equal(next.state, 'Empty');
  t.equal(next.txnTimeoutMs, 60_000);
});

t.test('transaction timeouts outside 1..transaction.max.timeout.ms are refused', async (t) => {
  t.equal(
    answered(init(undefined, { transactionTimeoutMs: 0 })),
    ErrorCode.INVALID_TRANSACTION_TIMEOUT,
  );
  t.equal(
    answered(init(undefined, { transactionTimeoutMs: MAX_TIMEOUT_MS + 1 })),
    ErrorCode.INVALID_TRANSACTION_TIMEOUT,
  );
  t.equal(answered(init(undefined, { transactionalId: '' })), ErrorCode.INVALID_REQUEST);
});

t.test('InitProducerId again bumps the epoch and keeps the id', async (t) => {
  const first = written(init(undefined));
  const second = written(init(first));
  t.equal(second.producerId, first.producerId);
  t.equal(second.producerEpoch, 1);
  t.equal(second.lastProducerEpoch, -1, 'no expected epoch was sent');
});

t.test(
  'KIP-360: a producer naming its id and epoch is bumped; a stale one is fenced',
  async (t) => {
    const first = written(init(undefined));
    const expected = { producerId: first.producerId, producerEpoch: 0 };
    const bumped = written(init(first, { expected }));
    t.equal(bumped.producerEpoch, 1);
    t.equal(bumped.lastProducerEpoch, 0);
    // The answer was lost and the producer sends the same request again: same answer.
    const retried = written(init(bumped, { expected }));
    t.equal(retried.producerEpoch, 1);
    // Another producer id entirely: fenced.
    t.equal(
      answered(init(bumped, { expected: { producerId: 7n, producerEpoch: 0 } })),
      ErrorCode.PRODUCER_FENCED,
    );
    t.equal(
      answered(init(bumped, { expected: { producerId: first.producerId, producerEpoch: 5 } })),
      ErrorCode.PRODUCER_FENCED,
    );
  },
);

t.test('an exhausted epoch rotates to a new producer id', async (t) => {
  const first = written(init(undefined));
  const old = { ...first, producerEpoch: 32766 };
  t.ok(initProducerIdNeedsNewId(old));
  const next = written(init(old, { freshProducerId: 2000n }));
  t.equal(next.producerId, 2000n);
  t.equal(next.lastProducerId, first.producerId);
  t.equal(next.producerEpoch, 0);
});

t.test(
  'InitProducerId during an open transaction fences it: abort first, then retry',
  async (t) => {
    const open = ongoing();
    const decision = init(open);
    t.equal(decision.kind, 'fence');
    if (decision.kind !== 'fence') return;
    t.equal(decision.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS, 'the producer must retry');
    t.equal(decision.next.state, 'PrepareAbort');
    t.equal(decision.next.producerEpoch, open.producerEpoch + 1, 'aborted under a bumped epoch');
    t.same(decision.next.partitions, open.partitions, 'the markers go to every partition');
    // While the markers are written, the retry is told to wait.
    t.equal(answered(init(decision.next)), ErrorCode.CONCURRENT_TRANSACTIONS);
    const aborted = completeTransaction(decision.next, 3_000);
    t.equal(aborted.state, 'CompleteAbort');
    t.same(aborted.partitions, []);
    const retried = written(init(aborted));
    t.equal(retried.producerEpoch, open.producerEpoch + 2, 'the new instance gets the epoch after');
  },
);

t.test('a pending write makes every request CONCURRENT_TRANSACTIONS', async (t) => {
  const open = ongoing();
  t.equal(answered(init(open, { pendingState: 'Ongoing' })), ErrorCode.CONCURRENT_TRANSACTIONS);
  const base = { producerId: open.producerId, producerEpoch: open.producerEpoch, nowMs: 5 };
  t.equal(
    answered(decideEndTxn({ current: open, pendingState: 'Ongoing', committed: true, ...base })),
    ErrorCode.CONCURRENT_TRANSACTIONS,
  );
  t.equal(
    answered(
      decideAddPartitions({ current: open, pendingState: 'Ongoing', partitions: [], ...base }),
    ),
    ErrorCode.CONCURRENT_TRANSACTIONS,
  );
});

t.test(
  'AddPartitions opens the transaction, adds, and is a no-op when nothing is new',
  async (t) => {
    const open = ongoing();
    t.equal(open.state, 'Ongoing');
    t.equal(open.txnStartTimestampMs, 2_000);
    const base = {
      current: open,
      pendingState: undefined,
      producerId: open.producerId,
      producerEpoch: open.producerEpoch,
    };
    t.equal(
      answered(
        decideAddPartitions({ ...base, partitions: [{ topic: 'out', partition: 0 }], nowMs: 3 }),
      ),
      ErrorCode.NONE,
    );
    const more = written(
      decideAddPartitions({
        ...base,
        partitions: [
          { topic: 'b', partition: 1 },
          { topic: 'out', partition: 0 },
        ],
        nowMs: 3_000,
      }),
    );
    t.same(more.partitions, [
      { topic: 'b', partition: 1 },
      { topic: 'out', partition: 0 },
    ]);
    t.equal(more.txnStartTimestampMs, 2_000, 'the transaction began with its first partition');
  },
);

t.test('AddPartitions and EndTxn check the producer id and epoch', async (t) => {
  const open = ongoing();
  const add = (producerId: bigint, producerEpoch: number) =>
    answered(
      decideAddPartitions({
        current: open,
        pendingState: undefined,
        producerId,
        producerEpoch,
        partitions: [{ topic: 'x', partition: 0 }],
        nowMs: 1,
      }),
    );
  t.equal(add(open.producerId + 1n, open.producerEpoch), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  t.equal(add(open.producerId, open.producerEpoch - 1), ErrorCode.PRODUCER_FENCED);
  t.equal(add(open.producerId, open.producerEpoch + 1), ErrorCode.PRODUCER_FENCED);
  t.equal(
    answered(
      decideEndTxn({
        current: undefined,
        pendingState: undefined,
        producerId: 1n,
        producerEpoch: 0,
        committed: true,
        nowMs: 1,
      }),
    ),
    ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    'an unknown transactional id',
  );
});

t.test('EndTxn: commit and abort from Ongoing, retries, and the wrong outcome', async (t) => {
  const open = ongoing();
  const end = (current: TransactionMetadata, committed: boolean) =>
    decideEndTxn({
      current,
      pendingState: undefined,
      producerId: open.producerId,
      producerEpoch: open.producerEpoch,
      committed,
      nowMs: 4_000,
    });
  const preparing = written(end(open, true));
  t.equal(preparing.state, 'PrepareCommit');
  t.equal(answered(end(preparing, true)), ErrorCode.CONCURRENT_TRANSACTIONS, 'retry while marking');
  t.equal(answered(end(preparing, false)), ErrorCode.INVALID_TXN_STATE);
  const done = completeTransaction(preparing, 5_000);
  t.equal(done.state, 'CompleteCommit');
  t.equal(answered(end(done, true)), ErrorCode.NONE, 'a retry after the commit succeeds');
  t.equal(answered(end(done, false)), ErrorCode.INVALID_TXN_STATE);
  t.equal(written(end(open, false)).state, 'PrepareAbort');
  const empty = written(init(undefined));
  t.equal(
    answered(
      decideEndTxn({
        current: empty,
        pendingState: undefined,
        producerId: empty.producerId,
        producerEpoch: empty.producerEpoch,
        committed: true,
        nowMs: 1,
      }),
    ),
    ErrorCode.INVALID_TXN_STATE,
    'nothing to end',
  );
  // After a commit, the next AddPartitions opens a new transaction.
  const reopened = written(
    decideAddPartitions({
      current: done,
      pendingState: undefined,
      producerId: done.producerId,
      producerEpoch: done.producerEpoch,
      partitions: [{ topic: 'out', partition: 1 }],
      nowMs: 6_000,
    }),
  );
  t.equal(reopened.txnStartTimestampMs, 6_000);
  t.same(reopened.partitions, [{ topic: 'out', partition: 1 }]);
});

t.test(
  'transaction.timeout.ms: an open transaction past its timeout is aborted, fenced',
  async (t) => {
    const open = ongoing(); // began at 2_000 with a 60 s timeout
    t.notOk(isTimedOut(open, undefined, 62_000), 'not before the timeout');
    t.ok(isTimedOut(open, undefined, 62_001));
    t.notOk(isTimedOut(open, 'PrepareCommit', 62_001), 'not while a write is in flight');
    const decision = decideTimeoutAbort(open, 62_001);
    t.equal(decision.kind, 'fence');
    if (decision.kind !== 'fence') return;
    t.equal(decision.next.state, 'PrepareAbort');
    t.equal(decision.next.producerEpoch, open.producerEpoch + 1);
    // The fenced producer's EndTxn is refused.
    t.equal(
      answered(
        decideEndTxn({
          current: decision.next,
          pendingState: undefined,
          producerId: open.producerId,
          producerEpoch: open.producerEpoch,
          committed: true,
          nowMs: 62_002,
        }),
      ),
      ErrorCode.PRODUCER_FENCED,
    );
  },
);

t.test('transactional.id.expiration.ms applies only outside a transaction', async (t) => {
  const empty = written(init(undefined));
  t.notOk(isExpired(empty, undefined, 1_000 + 9, 10));
  t.ok(isExpired(empty, undefined, 1_000 + 10, 10));
  t.notOk(isExpired(ongoing(), undefined, 10_000_000, 10));
});

t.test('an invalid transition is a programmer error', async (t) => {
  const empty = written(init(undefined));
  t.throws(() => completeTransaction(empty, 1), /complete from Empty/);
});
