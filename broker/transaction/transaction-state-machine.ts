/**
 * The rules of one transactional id, as Kafka 2.8's TransactionMetadata and the decision half
 * of its TransactionCoordinator: given the stored metadata and a request, which error to
 * answer, or which new metadata to write to `__transaction_state` before answering. Pure: no
 * log, no network, no timers; time comes in as `nowMs`. The transaction coordinator
 * (transaction-coordinator.ts) carries the decisions out.
 *
 * A transactional id is one logical producer that survives restarts. Its metadata is the
 * current producer id and epoch, the transaction timeout, the state and the partitions of the
 * open transaction. The states (Kafka's TransactionState, with the id written in the log):
 *
 *   state              id  meaning                                      valid previous states
 *   Empty               0  no transaction open                          Empty, CompleteCommit,
 *                                                                       CompleteAbort
 *   Ongoing             1  partitions were added; data is being sent    Ongoing, Empty,
 *                                                                       CompleteCommit,
 *                                                                       CompleteAbort
 *   PrepareCommit       2  EndTxn(commit) accepted; markers to write     Ongoing
 *   PrepareAbort        3  EndTxn(abort), a timeout or a fence;         Ongoing,
 *                          markers to write                             PrepareEpochFence
 *   CompleteCommit      4  every COMMIT marker written                  PrepareCommit
 *   CompleteAbort       5  every ABORT marker written                   PrepareAbort
 *   Dead                6  the id expired and is being removed          Empty, CompleteCommit,
 *                                                                       CompleteAbort
 *   PrepareEpochFence   7  a newer producer fences an open transaction  Ongoing
 *                          (never written; becomes PrepareAbort)
 *
 * Fencing. A new producer instance with the same transactional id calls InitProducerId: the
 * epoch goes up by one, and every request carrying the old epoch is refused from then on
 * (PRODUCER_FENCED, or INVALID_PRODUCER_EPOCH for request versions that predate KIP-588). If
 * the old instance left a transaction open, it is aborted first, under a bumped epoch that the
 * new instance never sees: that answer is CONCURRENT_TRANSACTIONS, the producer retries, and
 * the retry bumps the epoch once more (Kafka's prepareFenceProducerEpoch). A transaction left
 * open longer than its timeout is aborted the same way, which also fences its producer.
 *
 * A change is applied in two steps, as in Kafka: the decision names the next metadata and the
 * coordinator marks the id with that pending state while the write is in flight. Any request
 * arriving meanwhile gets CONCURRENT_TRANSACTIONS, so decisions never race.
 */
import { InvariantError, invariant, unreachable } from '../../src/assert.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';

export type TransactionState =
  | 'Empty'
  | 'Ongoing'
  | 'PrepareCommit'
  | 'PrepareAbort'
  | 'CompleteCommit'
  | 'CompleteAbort'
  | 'Dead'
  | 'PrepareEpochFence';

/** The byte written as `transactionStatus` in `__transaction_state`. */
export const TRANSACTION_STATE_IDS: Readonly<Record<TransactionState, number>> = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
};

export function transactionStateOfId(id: number): TransactionState {
  const found = (Object.keys(TRANSACTION_STATE_IDS) as TransactionState[]).find(
    (s) => TRANSACTION_STATE_IDS[s] === id,
  );
  if (found === undefined) throw new RangeError(`unknown transaction state id ${id}`);
  return found;
}

export const VALID_PREVIOUS_STATES: Readonly<
  Record<TransactionState, readonly TransactionState[]>
> = {
  Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareCommit: ['Ongoing'],
  PrepareAbort: ['Ongoing', 'PrepareEpochFence'],
  CompleteCommit: ['PrepareCommit'],
  CompleteAbort: ['PrepareAbort'],
  Dead: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareEpochFence: ['Ongoing'],
};

/** Kafka's RecordBatch.NO_PRODUCER_ID and NO_PRODUCER_EPOCH. */
export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
/** Epochs are int16; at Short.MaxValue - 1 a producer gets a new id instead of a new epoch. */
const PRODUCER_EPOCH_MAX = 32767;

export interface TxnTopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface TransactionMetadata {
  readonly transactionalId: string;
  readonly producerId: bigint;
  /** The id before the last rotation (epoch exhausted), for a retried InitProducerId. */
  readonly lastProducerId: bigint;
  readonly producerEpoch: number;
  /** The epoch before the last bump, so that a retried InitProducerId gets the same answer. */
  readonly lastProducerEpoch: number;
  readonly txnTimeoutMs: number;
  readonly state: TransactionState;
  /** The partitions of the open transaction, sorted, each once. */
  readonly partitions: readonly TxnTopicPartition[];
  /** When the transaction began (its first AddPartitions), -1 outside a transaction. */
  readonly txnStartTimestampMs: number;
  readonly txnLastUpdateTimestampMs: number;
}

/** What to do with a request: answer an error (or NONE) now, or write `next` first. */
export type TransactionDecision =
  | { readonly kind: 'answer'; readonly errorCode: number }
  | { readonly kind: 'write'; readonly next: TransactionMetadata }
  /**
   * Abort the open transaction under a bumped epoch (write `next`, a PrepareAbort, then the
   * markers), and answer the request with `errorCode` (CONCURRENT_TRANSACTIONS for
   * InitProducerId, which the producer retries).
   */
  | { readonly kind: 'fence'; readonly next: TransactionMetadata; readonly errorCode: number };

const answer = (errorCode: number): TransactionDecision => ({ kind: 'answer', errorCode });

export function isEpochExhausted(epoch: number): boolean {
  return epoch >= PRODUCER_EPOCH_MAX - 1;
}

/** The metadata of `current` moved to `state`, checked against the valid previous states. */
function transit(
  current: TransactionMetadata,
  changes: Partial<TransactionMetadata> & { state: TransactionState; nowMs: number },
): TransactionMetadata {
  const { nowMs, ...rest } = changes;
  invariant(
    VALID_PREVIOUS_STATES[changes.state].includes(current.state),
    `transaction ${current.transactionalId}: ${current.state} -> ${changes.state} is not a ` +
      'valid transition',
  );
  return { ...current, ...rest, txnLastUpdateTimestampMs: nowMs };
}

/** The metadata of a transactional id seen for the first time (not yet written). */
export function newTransactionMetadata(options: {
  transactionalId: string;
  producerId: bigint;
  txnTimeoutMs: number;
  nowMs: number;
}): TransactionMetadata {
  return {
    transactionalId: options.transactionalId,
    producerId: options.producerId,
    lastProducerId: NO_PRODUCER_ID,
    producerEpoch: NO_PRODUCER_EPOCH,
    lastProducerEpoch: NO_PRODUCER_EPOCH,
    txnTimeoutMs: options.txnTimeoutMs,
    state: 'Empty',
    partitions: [],
    txnStartTimestampMs: -1,
    txnLastUpdateTimestampMs: options.nowMs,
  };
}

/** Whether InitProducerId needs a fresh producer id before `decideInitProducerId`. */
export function initProducerIdNeedsNewId(current: TransactionMetadata | undefined): boolean {
  return current === undefined || isEpochExhausted(current.producerEpoch);
}

/**
 * InitProducerId with a transactional id (Kafka's handleInitProducerId and
 * prepareInitProducerIdTransit). `current` is undefined for a new id; `freshProducerId` must
 * then be given (and when the epoch is exhausted). `expected` is the producer id and epoch a
 * v3+ producer sends to have its own epoch bumped (KIP-360), else undefined.
 */
export function decideInitProducerId(options: {
  current: TransactionMetadata | undefined;
  pendingState: TransactionState | undefined;
  transactionalId: string;
  transactionTimeoutMs: number;
  transactionMaxTimeoutMs: number;
  expected: { producerId: bigint; producerEpoch: number } | undefined;
  freshProducerId: bigint | undefined;
  nowMs: number;
}): TransactionDecision {
  const { expected, nowMs, transactionTimeoutMs: timeoutMs } = options;
  if (options.transactionalId === '') return answer(ErrorCode.INVALID_REQUEST);
  if (timeoutMs <= 0 || timeoutMs > options.transactionMaxTimeoutMs) {
    return answer(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  }
  let current = options.current;
  if (current === undefined) {
    invariant(options.freshProducerId !== undefined, 'a new transactional id needs a producer id');
    current = newTransactionMetadata({
      transactionalId: options.transactionalId,
      producerId: options.freshProducerId,
      txnTimeoutMs: timeoutMs,
      nowMs,
    });
  }
  if (options.pendingState !== undefined) return answer(ErrorCode.CONCURRENT_TRANSACTIONS);
  if (expected !== undefined && !isValidExpectedProducer(current, expected)) {
    return answer(ErrorCode.PRODUCER_FENCED);
  }
  switch (current.state) {
    case 'PrepareCommit':
    case 'PrepareAbort':
      // The markers of the last transaction are still being written: retry shortly.
      return answer(ErrorCode.CONCURRENT_TRANSACTIONS);
    case 'Empty':
    case 'CompleteCommit':
    case 'CompleteAbort':
      if (isEpochExhausted(current.producerEpoch)) {
        invariant(options.freshProducerId !== undefined, 'an exhausted epoch needs a new id');
        return {
          kind: 'write',
          next: transit(current, {
            state: 'Empty',
            producerId: options.freshProducerId,
            lastProducerId: current.producerId,
            producerEpoch: 0,
            lastProducerEpoch: expected !== undefined ? current.producerEpoch : NO_PRODUCER_EPOCH,
            txnTimeoutMs: timeoutMs,
            partitions: [],
            txnStartTimestampMs: -1,
            nowMs,
          }),
        };
      }
      return incrementProducerEpoch(current, timeoutMs, expected?.producerEpoch, nowMs);
    case 'Ongoing':
      // Abort the old instance's transaction first; the epoch it is aborted under is never
      // handed out, and the producer's retry bumps it again.
      return {
        kind: 'fence',
        next: fencedAbort(current, nowMs),
        errorCode: ErrorCode.CONCURRENT_TRANSACTIONS,
      };
    case 'Dead':
    case 'PrepareEpochFence':
      // Dead ids are removed from memory and PrepareEpochFence is never stored.
      throw new InvariantError(`transaction ${current.transactionalId} in state ${current.state}`);
    default:
      return unreachable(current.state, 'transaction state');
  }
}

/**
 * Kafka's isValidProducerId: a producer that names its id and epoch is fenced unless the
 * metadata was just created, or the id is the current one (the epoch is checked next), or it
 * is the previous id with an exhausted epoch (a retry after a rotation it never heard of).
 */
function isValidExpectedProducer(
  current: TransactionMetadata,
  expected: { producerId: bigint; producerEpoch: number },
): boolean {
  return (
    current.producerEpoch === NO_PRODUCER_EPOCH ||
    expected.producerId === current.producerId ||
    (expected.producerId === current.lastProducerId && isEpochExhausted(expected.producerEpoch))
  );
}

/** Kafka's prepareIncrementProducerEpoch. */
function incrementProducerEpoch(
  current: TransactionMetadata,
  timeoutMs: number,
  expectedEpoch: number | undefined,
  nowMs: number,
): TransactionDecision {
  const bumped = current.producerEpoch + 1;
  let nextEpoch: number;
  let lastEpoch: number;
  if (expectedEpoch === undefined) {
    nextEpoch = bumped;
    lastEpoch = NO_PRODUCER_EPOCH;
  } else if (
    current.producerEpoch === NO_PRODUCER_EPOCH ||
    expectedEpoch === current.producerEpoch
  ) {
    nextEpoch = bumped;
    lastEpoch = current.producerEpoch;
  } else if (expectedEpoch === current.lastProducerEpoch) {
    // A retry of a bump whose answer was lost: the same answer again.
    nextEpoch = current.producerEpoch;
    lastEpoch = current.lastProducerEpoch;
  } else {
    return answer(ErrorCode.PRODUCER_FENCED);
  }
  return {
    kind: 'write',
    next: transit(current, {
      state: 'Empty',
      producerEpoch: nextEpoch,
      lastProducerEpoch: lastEpoch,
      txnTimeoutMs: timeoutMs,
      partitions: [],
      txnStartTimestampMs: -1,
      nowMs,
    }),
  };
}

/**
 * Kafka's prepareFenceProducerEpoch followed by the abort: the open transaction becomes
 * PrepareAbort under epoch + 1, so that the old producer's late writes are refused by the
 * partitions once the markers (which carry the new epoch) are written.
 */
function fencedAbort(current: TransactionMetadata, nowMs: number): TransactionMetadata {
  invariant(current.state === 'Ongoing', 'only an open transaction is fenced');
  invariant(current.producerEpoch < PRODUCER_EPOCH_MAX, 'no epoch left to fence with');
  return transit(current, {
    state: 'PrepareAbort',
    producerEpoch: current.producerEpoch + 1,
    lastProducerEpoch: NO_PRODUCER_EPOCH,
    nowMs,
  });
}

/** Checks shared by AddPartitionsToTxn, AddOffsetsToTxn and EndTxn from a client. */
function checkProducer(
  current: TransactionMetadata | undefined,
  producerId: bigint,
  producerEpoch: number,
): number {
  if (current === undefined || current.producerId !== producerId) {
    return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  }
  // Strict equality: a client never bumps its own epoch with these requests.
  if (current.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
  return ErrorCode.NONE;
}

/**
 * AddPartitionsToTxn (and AddOffsetsToTxn, which adds the group's `__consumer_offsets`
 * partition): the first one opens the transaction.
 */
export function decideAddPartitions(options: {
  current: TransactionMetadata | undefined;
  pendingState: TransactionState | undefined;
  producerId: bigint;
  producerEpoch: number;
  partitions: readonly TxnTopicPartition[];
  nowMs: number;
}): TransactionDecision {
  const { current, nowMs } = options;
  const error = checkProducer(current, options.producerId, options.producerEpoch);
  if (error !== ErrorCode.NONE) return answer(error);
  invariant(current !== undefined, 'checked above');
  if (options.pendingState !== undefined) return answer(ErrorCode.CONCURRENT_TRANSACTIONS);
  if (current.state === 'PrepareCommit' || current.state === 'PrepareAbort') {
    return answer(ErrorCode.CONCURRENT_TRANSACTIONS);
  }
  const merged = mergePartitions(current.partitions, options.partitions);
  if (current.state === 'Ongoing' && merged.length === current.partitions.length) {
    return answer(ErrorCode.NONE);
  }
  const opening = current.state !== 'Ongoing';
  return {
    kind: 'write',
    next: transit(current, {
      state: 'Ongoing',
      partitions: merged,
      txnStartTimestampMs: opening ? nowMs : current.txnStartTimestampMs,
      nowMs,
    }),
  };
}

/**
 * EndTxn from a client (Kafka's endTransaction with isFromClient = true). A retry after the
 * transaction completed the same way is answered NONE; the opposite outcome is
 * INVALID_TXN_STATE, and so is ending a transaction that was never begun.
 */
export function decideEndTxn(options: {
  current: TransactionMetadata | undefined;
  pendingState: TransactionState | undefined;
  producerId: bigint;
  producerEpoch: number;
  committed: boolean;
  nowMs: number;
}): TransactionDecision {
  const { current, committed, nowMs } = options;
  const error = checkProducer(current, options.producerId, options.producerEpoch);
  if (error !== ErrorCode.NONE) return answer(error);
  invariant(current !== undefined, 'checked above');
  if (options.pendingState !== undefined) return answer(ErrorCode.CONCURRENT_TRANSACTIONS);
  switch (current.state) {
    case 'Ongoing':
      return {
        kind: 'write',
        next: transit(current, { state: committed ? 'PrepareCommit' : 'PrepareAbort', nowMs }),
      };
    case 'CompleteCommit':
      return answer(committed ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE);
    case 'CompleteAbort':
      return answer(committed ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE);
    case 'PrepareCommit':
      return answer(committed ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE);
    case 'PrepareAbort':
      return answer(committed ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS);
    case 'Empty':
      return answer(ErrorCode.INVALID_TXN_STATE);
    case 'Dead':
    case 'PrepareEpochFence':
      // Dead ids are removed from memory and PrepareEpochFence is never stored.
      throw new InvariantError(`transaction ${current.transactionalId} in state ${current.state}`);
    default:
      return unreachable(current.state, 'transaction state');
  }
}

/**
 * transaction.timeout.ms: an Ongoing transaction older than its timeout, with nothing in
 * flight, is aborted by the coordinator (Kafka's timedOutTransactions).
 */
export function isTimedOut(
  current: TransactionMetadata,
  pendingState: TransactionState | undefined,
  nowMs: number,
): boolean {
  return (
    current.state === 'Ongoing' &&
    pendingState === undefined &&
    current.txnStartTimestampMs + current.txnTimeoutMs < nowMs
  );
}

/** The abort of a timed-out transaction: the same fenced abort as InitProducerId's. */
export function decideTimeoutAbort(
  current: TransactionMetadata,
  nowMs: number,
): TransactionDecision {
  return { kind: 'fence', next: fencedAbort(current, nowMs), errorCode: ErrorCode.NONE };
}

/** Once every marker is written: CompleteCommit or CompleteAbort, with no partitions left. */
export function completeTransaction(
  current: TransactionMetadata,
  nowMs: number,
): TransactionMetadata {
  invariant(
    current.state === 'PrepareCommit' || current.state === 'PrepareAbort',
    `complete from ${current.state}`,
  );
  return transit(current, {
    state: current.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort',
    partitions: [],
    nowMs,
  });
}

/**
 * transactional.id.expiration.ms: an id with no transaction open and no update for that long
 * may be removed (Kafka writes a tombstone and the id is Dead).
 */
export function isExpired(
  current: TransactionMetadata,
  pendingState: TransactionState | undefined,
  nowMs: number,
  expirationMs: number,
): boolean {
  return (
    (current.state === 'Empty' ||
      current.state === 'CompleteCommit' ||
      current.state === 'CompleteAbort') &&
    pendingState === undefined &&
    current.txnLastUpdateTimestampMs + expirationMs <= nowMs
  );
}

/** `a` and `b` together, sorted by topic then partition, each once. */
export function mergePartitions(
  a: readonly TxnTopicPartition[],
  b: readonly TxnTopicPartition[],
): TxnTopicPartition[] {
  const byKey = new Map<string, TxnTopicPartition>();
  for (const tp of [...a, ...b]) byKey.set(`${tp.topic}\u0000${tp.partition}`, tp);
  return [...byKey.values()].sort((x, y) =>
    x.topic === y.topic ? x.partition - y.partition : x.topic < y.topic ? -1 : 1,
  );
}
