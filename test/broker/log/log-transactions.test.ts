// Transactions inside a partition's log: markers appended by the coordinator, the `.txnindex`
// of aborted transactions (Kafka's 34-byte entries), read_committed reads with their aborted
// list, and the index surviving restarts (rebuilt after an unclean one), truncation and
// retention.
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/logger.js';
import { Log } from '../../../broker/log/log.js';
import { logConfig, type LogConfig } from '../../../broker/log/log-config.js';
import {
  buildRecordBatch,
  decodeRecords,
  readBatches,
} from '../../../src/protocol/kafka/record-batch.js';
import {
  buildEndTxnMarkerBatch,
  decodeEndTxnMarker,
  type ControlRecordType,
} from '../../../src/protocol/kafka/end-transaction-marker.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { ABORTED_TXN_ENTRY_BYTES } from '../../../broker/log/transaction-index.js';

const logger = silentLogger();
const NOW_MS = 1_700_000_000_000;

function openLog(
  dir: string,
  more: { clean?: boolean; recoveryPoint?: number; config?: Partial<LogConfig> } = {},
) {
  return Log.open({
    dir,
    topicPartition: { topic: 'orders', partition: 0 },
    config: logConfig(more.config ?? {}),
    clock: new ManualClock(NOW_MS),
    logger,
    recoveryPoint: more.recoveryPoint ?? 0,
    hadCleanShutdown: more.clean ?? true,
  });
}

/** A transactional producer's batch of `count` records numbered from `seq`. */
function txnBatch(producerId: number, seq: number, count = 1, epoch = 0): Buffer {
  return buildRecordBatch({
    baseTimestamp: NOW_MS,
    producerId,
    producerEpoch: epoch,
    baseSequence: seq,
    transactional: true,
    records: Array.from({ length: count }, (_, i) => ({ value: `p${producerId}-${seq + i}` })),
  });
}

function marker(producerId: number, type: ControlRecordType, coordinatorEpoch = 0, epoch = 0) {
  return buildEndTxnMarkerBatch({
    producerId,
    producerEpoch: epoch,
    marker: { type, coordinatorEpoch },
    timestampMs: NOW_MS,
  });
}

function append(log: Log, records: Buffer, origin: 'client' | 'coordinator' = 'client') {
  const result = log.appendAsLeader(records, { leaderEpoch: 0, origin });
  if (!result.ok) throw new Error(result.error.message);
  return result.info;
}

/** p1 aborts [0,2) at 2, p2 commits [3,5) at 5, p3 aborts [6,7) at 7 after p2... */
function writeScenario(log: Log) {
  append(log, txnBatch(1, 0, 2)); // 0-1
  append(log, marker(1, 'ABORT'), 'coordinator'); // 2
  append(log, txnBatch(2, 0, 2)); // 3-4
  append(log, marker(2, 'COMMIT'), 'coordinator'); // 5
  append(log, txnBatch(3, 0, 1)); // 6
  append(log, marker(3, 'ABORT', 7), 'coordinator'); // 7
}

t.test('markers are control batches in Kafka’s EndTransactionMarker format', async (t) => {
  const bytes = marker(42, 'COMMIT', 9, 3);
  const [batch] = readBatches(bytes).batches;
  t.ok(batch!.isControl && batch!.isTransactional);
  t.match(batch, { producerId: 42, producerEpoch: 3, baseSequence: -1, recordsCount: 1 });
  const [record] = decodeRecords(batch!);
  t.equal(record!.key!.toString('hex'), '00000001', 'key: version 0, type 1 COMMIT');
  t.equal(record!.value!.toString('hex'), '000000000009', 'value: version 0, coordinator epoch');
  t.same(decodeEndTxnMarker(batch!), { type: 'COMMIT', coordinatorEpoch: 9 });
  t.same(decodeEndTxnMarker(readBatches(marker(1, 'ABORT')).batches[0]!), {
    type: 'ABORT',
    coordinatorEpoch: 0,
  });
});

t.test('clients may not write markers; the coordinator may', async (t) => {
  const log = openLog(t.testdir());
  const refused = log.appendAsLeader(marker(1, 'ABORT'), { leaderEpoch: 0 });
  t.match(refused, { ok: false, error: { errorCode: ErrorCode.INVALID_RECORD } });
  t.equal(
    log.appendAsLeader(marker(1, 'ABORT'), { leaderEpoch: 0, origin: 'coordinator' }).ok,
    true,
  );
});

t.test('an ABORT writes one 34-byte .txnindex entry; a COMMIT none', async (t) => {
  const dir = t.testdir();
  const log = openLog(dir);
  writeScenario(log);
  const file = path.join(dir, '00000000000000000000.txnindex');
  const bytes = fs.readFileSync(file);
  t.equal(bytes.length, 2 * ABORTED_TXN_ENTRY_BYTES);
  // version 0, producer 1, first 0, last (marker) 2, LSO 3.
  t.equal(
    bytes.subarray(0, ABORTED_TXN_ENTRY_BYTES).toString('hex'),
    '0000' + '0000000000000001' + '0000000000000000' + '0000000000000002' + '0000000000000003',
  );
  t.same(log.activeSegment.txnIndex.entries, [
    { producerId: 1, firstOffset: 0, lastOffset: 2, lastStableOffset: 3 },
    { producerId: 3, firstOffset: 6, lastOffset: 7, lastStableOffset: 8 },
  ]);
  t.equal(log.producerState.firstUnstableOffset, 0, 'markers not yet below the HW');
  log.producerState.onHighWatermarkUpdated(8);
  t.equal(log.producerState.firstUnstableOffset, undefined);
});

t.test('a read_committed read returns the aborted transactions of its range', async (t) => {
  const log = openLog(t.testdir());
  writeScenario(log);
  const read = (fetchOffset: number, maxOffset: number) => {
    const result = log.read({
      fetchOffset,
      maxBytes: 1 << 20,
      maxOffset,
      includeAbortedTxns: true,
    });
    if (!result.ok) throw new Error(result.message);
    return result.abortedTransactions!.map((a) => [a.producerId, a.firstOffset]);
  };
  t.same(read(0, 8), [
    [1, 0],
    [3, 6],
  ]);
  t.same(read(3, 6), [], 'only the committed transaction in [3, 6)');
  t.same(read(6, 8), [[3, 6]]);
  t.same(read(8, 8), [], 'nothing read, nothing aborted');
  const plain = log.read({ fetchOffset: 0, maxBytes: 1 << 20 });
  t.equal(plain.ok && plain.abortedTransactions, undefined, 'read_uncommitted: no list');
});

t.test('the open transactions and the index survive a clean restart', async (t) => {
  const dir = t.testdir();
  const log = openLog(dir);
  writeScenario(log);
  append(log, txnBatch(4, 0, 1)); // 8, still open
  log.close();
  const again = openLog(dir);
  t.same(again.producerState.ongoingTxns, [{ producerId: 4, firstOffset: 8 }]);
  t.equal(again.activeSegment.txnIndex.entries.length, 2);
  again.close();
});

t.test('after kill -9 the index of every recovered segment is rebuilt', async (t) => {
  const dir = t.testdir();
  // Small segments: the scenario spans several, the markers land in later ones.
  const config = { segmentBytes: 200 };
  const log = openLog(dir, { config });
  writeScenario(log);
  append(log, txnBatch(4, 0, 1)); // 8, still open
  t.ok(log.segmentCount > 2, `${log.segmentCount} segments`);
  const expected = log.segments().map((s) => s.txnIndex.entries);
  // No close: as after kill -9. Remove the index files too, as a power loss might.
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith('.txnindex')) fs.rmSync(path.join(dir, name));
  }
  const again = openLog(dir, { clean: false, recoveryPoint: 0, config });
  t.same(
    again.segments().map((s) => s.txnIndex.entries),
    expected,
  );
  t.same(again.producerState.ongoingTxns, [{ producerId: 4, firstOffset: 8 }]);
  again.close();
});

t.test('after kill -9 only the segments past the recovery point are re-indexed', async (t) => {
  const dir = t.testdir();
  const config = { segmentBytes: 200 };
  const log = openLog(dir, { config });
  writeScenario(log);
  append(log, txnBatch(4, 0, 1)); // 8, still open
  append(log, marker(4, 'ABORT'), 'coordinator'); // 9
  const segments = log.segments();
  t.ok(segments.length >= 3, `${segments.length} segments`);
  const expected = segments.map((s) => s.txnIndex.entries);
  const lastBase = segments[segments.length - 1]!.baseOffset;
  t.equal(expected[expected.length - 1]!.length, 1, 'the active segment holds an ABORT');
  // Lose the active segment's index (as after a power loss); the older ones were flushed.
  fs.rmSync(path.join(dir, `${String(lastBase).padStart(20, '0')}.txnindex`), { force: true });
  const again = openLog(dir, { clean: false, recoveryPoint: lastBase, config });
  t.same(
    again.segments().map((s) => s.txnIndex.entries),
    expected,
  );
  t.same(again.producerState.ongoingTxns, []);
  again.close();
});

t.test('truncation drops the entries of removed markers; retention their files', async (t) => {
  const dir = t.testdir();
  const log = openLog(dir, { config: { segmentBytes: 200, retentionMs: -1 } });
  writeScenario(log);
  log.truncateTo(7); // removes p3's ABORT marker: p3's transaction is open again
  const all = log.segments().flatMap((s) => s.txnIndex.entries);
  t.same(
    all.map((e) => e.lastOffset),
    [2],
  );
  t.same(log.producerState.ongoingTxns, [{ producerId: 3, firstOffset: 6 }]);
  const indexes = () => fs.readdirSync(dir).filter((n) => n.endsWith('.txnindex'));
  t.equal(indexes().length, 1);
  append(log, marker(3, 'COMMIT', 7), 'coordinator');
  log.roll();
  log.maybeIncrementLogStartOffset(log.logEndOffset);
  log.deleteOldSegments({ nowMs: NOW_MS });
  t.same(indexes(), [], 'the segments went, with their .txnindex files');
  log.close();
});
