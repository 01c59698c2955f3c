// The log cleaner and transactions (Kafka 2.8): aborted records never shadow committed values
// and are removed, markers stay until the delete horizon and until their transaction's data
// is gone, the cleaned segment keeps the .txnindex entries of the ABORT markers it holds, and
// an open transaction bounds the cleanable part.
import * as path from 'node:path';
import t from 'tap';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/logger.js';
import { Log } from '../../../broker/log/log.js';
import { logConfig } from '../../../broker/log/log-config.js';
import { LogCleaner } from '../../../broker/log/log-cleaner.js';
import { CleanedTransactionMetadata } from '../../../broker/log/cleaned-transaction-metadata.js';
import { cleanableOffsets } from '../../../broker/log/log-cleaner-rules.js';
import {
  buildRecordBatch,
  decodeRecords,
  readBatches,
} from '../../../src/protocol/kafka/record-batch.js';
import {
  buildEndTxnMarkerBatch,
  decodeEndTxnMarker,
} from '../../../src/protocol/kafka/end-transaction-marker.js';
import type { AbortedTxn } from '../../../broker/log/transaction-index.js';

const logger = silentLogger();
const T0 = 1_700_000_000_000;

function openLog(dir: string, deleteRetentionMs = 60_000): Log {
  return Log.open({
    dir,
    topicPartition: { topic: 'compacted', partition: 0 },
    config: logConfig({
      segmentBytes: 100_000,
      cleanupPolicy: ['compact'],
      fileDeleteDelayMs: 0,
      deleteRetentionMs,
      minCleanableDirtyRatio: 0.01,
    }),
    clock: new ManualClock(T0),
    logger,
    recoveryPoint: 0,
    hadCleanShutdown: true,
  });
}

function cleanerFor(log: Log): LogCleaner {
  // The cleaner keeps its checkpoint in this map (where the clean part ends).
  const checkpoint = new Map<string, number>();
  return new LogCleaner({
    logs: {
      logs: () => [{ log, logDir: path.dirname(log.dir) }],
      highWatermarkOf: () => log.logEndOffset,
      readCheckpoint: () => checkpoint,
      writeCheckpoint: () => {},
    },
    config: { dedupeBufferBytes: 1 << 20, ioBufferBytes: 512, sliceMs: 1 },
    clock: new ManualClock(T0),
    logger,
  });
}

const sequences = new Map<number, number>();
function write(log: Log, key: string, value: string, producerId = -1): void {
  const seq = sequences.get(producerId) ?? 0;
  sequences.set(producerId, seq + 1);
  const batch = buildRecordBatch({
    records: [{ key, value, timestamp: T0 }],
    ...(producerId >= 0
      ? { producerId, producerEpoch: 0, baseSequence: seq, transactional: true }
      : {}),
  });
  const result = log.appendAsLeader(batch, { leaderEpoch: 0 });
  if (!result.ok) throw new Error(result.error.message);
}

function mark(log: Log, producerId: number, type: 'COMMIT' | 'ABORT'): void {
  const marker = { type, coordinatorEpoch: 0 };
  const batch = buildEndTxnMarkerBatch({ producerId, producerEpoch: 0, marker, timestampMs: T0 });
  const result = log.appendAsLeader(batch, { leaderEpoch: 0, origin: 'coordinator' });
  if (!result.ok) throw new Error(result.error.message);
  // As the partition does when the HW passes the marker (one replica).
  log.producerState.onHighWatermarkUpdated(log.logEndOffset);
}

/** Every batch as [offset, what]: `key=value` for records, `ABORT(p)`/`COMMIT(p)` markers. */
function contents(log: Log): [number, string][] {
  const out: [number, string][] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const result = log.read({ fetchOffset: offset, maxBytes: 1 << 20 });
    if (!result.ok) throw new Error(result.message);
    const batches = readBatches(result.records).batches;
    if (batches.length === 0) break;
    for (const batch of batches) {
      offset = batch.nextOffset;
      if (batch.isControl) {
        out.push([batch.baseOffset, `${decodeEndTxnMarker(batch)!.type}(${batch.producerId})`]);
        continue;
      }
      for (const r of decodeRecords(batch))
        out.push([r.offset, `${r.key?.toString()}=${r.value?.toString()}`]);
    }
  }
  return out;
}

t.test('aborted records go, committed ones stay, markers and index entries kept', async (t) => {
  const log = openLog(path.join(t.testdir(), 'compacted-0'));
  write(log, 'k0', 'c0'); // 0
  write(log, 'k0', 'aborted', 1); // 1
  mark(log, 1, 'ABORT'); // 2
  write(log, 'k1', 'c1', 2); // 3
  mark(log, 2, 'COMMIT'); // 4
  write(log, 'k2', 'x'); // 5
  write(log, 'k0', 'open', 3); // 6: an open transaction
  log.roll();
  write(log, 'k9', 'active'); // 7
  t.equal(log.producerState.firstUnstableOffset, 6);
  const stats = await cleanerFor(log).cleanFilthiestLog();
  t.match(stats, { completed: true, endOffset: 6 }, 'cleanable only below the open txn');
  t.same(contents(log), [
    [0, 'k0=c0'], // an aborted value does not shadow the committed one
    [2, 'ABORT(1)'],
    [3, 'k1=c1'],
    [4, 'COMMIT(2)'],
    [5, 'k2=x'],
    [6, 'k0=open'],
    [7, 'k9=active'],
  ]);
  const entries = log.segments()[0]!.txnIndex.entries;
  t.same(
    entries.map((e) => [e.producerId, e.firstOffset, e.lastOffset]),
    [[1, 1, 2]],
    'the cleaned segment keeps the entry of the ABORT marker it holds',
  );
  const read = log.read({
    fetchOffset: 0,
    maxBytes: 1 << 20,
    maxOffset: 6,
    includeAbortedTxns: true,
  });
  t.same(read.ok && read.abortedTransactions!.map((a) => a.producerId), [1]);
  log.close();
});

t.test('after the delete horizon a marker whose data is gone is removed', async (t) => {
  // delete.retention.ms=0: the horizon is the clean part's own modification time, so the
  // second cleaning is past it (the first never is: nothing was clean before it).
  const log = openLog(path.join(t.testdir(), 'compacted-0'), 0);
  write(log, 'k0', 'aborted', 1); // 0
  mark(log, 1, 'ABORT'); // 1
  write(log, 'k1', 'c1', 1); // 2: producer 1 goes on, so the marker is not its last batch
  mark(log, 1, 'COMMIT'); // 3
  write(log, 'k2', 'x'); // 4
  log.roll();
  const cleaner = cleanerFor(log);
  await cleaner.cleanFilthiestLog();
  t.same(contents(log), [
    [1, 'ABORT(1)'],
    [2, 'k1=c1'],
    [3, 'COMMIT(1)'],
    [4, 'k2=x'],
  ]);
  // New dirty data makes the log eligible again.
  write(log, 'k2', 'y'); // 5
  log.roll();
  t.equal((await cleaner.cleanFilthiestLog())?.completed, true);
  t.same(contents(log), [
    [2, 'k1=c1'],
    [3, 'COMMIT(1)'], // producer 1's last batch: it keeps the producer's epoch
    [5, 'k2=y'],
  ]);
  t.same(
    log.segments().flatMap((s) => s.txnIndex.entries),
    [],
    'no aborted data left, no entry',
  );
  log.close();
});

t.test('the rules: cleanable part, aborted batches and markers', (t) => {
  const segments = [
    { baseOffset: 0, endOffset: 100, sizeBytes: 1, largestTimestamp: T0, firstBatchTimestamp: T0 },
    {
      baseOffset: 100,
      endOffset: 120,
      sizeBytes: 1,
      largestTimestamp: T0,
      firstBatchTimestamp: T0,
    },
  ].map((s) => ({ ...s, lastModifiedMs: T0 }));
  const offsets = cleanableOffsets({
    segments,
    logStartOffset: 0,
    logEndOffset: 120,
    highWatermark: 120,
    firstUnstableOffset: 42,
    checkpointedDirtyOffset: undefined,
    config: { minCompactionLagMs: 0, maxCompactionLagMs: Infinity },
    nowMs: T0,
  });
  t.equal(offsets.firstUncleanableOffset, 42, 'the first unstable offset bounds it');

  const index: AbortedTxn[] = [];
  const txns = new CleanedTransactionMetadata({ append: (a) => index.push(a) });
  const aborted = { producerId: 1, firstOffset: 10, lastOffset: 20, lastStableOffset: 21 };
  txns.addAbortedTransactions([aborted]);
  txns.addAbortedTransactions([aborted]); // the next segment's lookup finds it again
  const data = (producerId: number, lastOffset: number) => ({
    producerId,
    lastOffset,
    isTransactional: true,
  });
  t.equal(txns.onBatchRead(data(1, 5)), false, 'before its first offset: not aborted');
  t.equal(txns.onBatchRead(data(1, 12)), true, 'inside: aborted');
  t.equal(txns.onBatchRead(data(2, 13)), false, 'another producer: committed data');
  t.equal(txns.onControlBatchRead(data(1, 20), 'ABORT'), false, 'ABORT kept: data was read');
  t.same(index, [aborted], 'and indexed in the cleaned segment');
  t.equal(txns.onControlBatchRead(data(2, 21), 'COMMIT'), false, 'COMMIT kept: data was read');
  t.equal(txns.onControlBatchRead(data(2, 22), 'COMMIT'), true, 'a COMMIT with no data: may go');
  t.equal(txns.onBatchRead(data(1, 30)), false, 'after its marker: producer 1 is not aborted');
  t.end();
});

/**
 * What a read_committed consumer ends up with, key by key: it reads to the LSO and drops the
 * records of aborted transactions as clients do (Kafka's consumer and librdkafka): from an
 * aborted transaction's first offset on, that producer's transactional batches are skipped
 * until its ABORT marker.
 */
function readCommittedView(log: Log): Map<string, string> {
  const view = new Map<string, string>();
  const lso = log.producerState.lastStableOffset(log.logEndOffset);
  const abortedProducers = new Set<number>();
  let offset = log.logStartOffset;
  while (offset < lso) {
    const result = log.read({
      fetchOffset: offset,
      maxBytes: 1 << 20,
      maxOffset: lso,
      includeAbortedTxns: true,
    });
    if (!result.ok) throw new Error(result.message);
    const batches = readBatches(result.records).batches;
    if (batches.length === 0) break;
    const aborted = [...result.abortedTransactions!].sort((a, b) => a.firstOffset - b.firstOffset);
    for (const batch of batches) {
      offset = batch.nextOffset;
      if (batch.isControl) {
        if (decodeEndTxnMarker(batch)?.type === 'ABORT') abortedProducers.delete(batch.producerId);
        continue;
      }
      if (batch.isTransactional) {
        while (aborted.length > 0 && aborted[0]!.firstOffset <= batch.lastOffset) {
          abortedProducers.add(aborted.shift()!.producerId);
        }
        if (abortedProducers.has(batch.producerId)) continue;
      }
      for (const r of decodeRecords(batch)) view.set(r.key!.toString(), r.value!.toString());
    }
  }
  return view;
}

t.test('random transactions: cleaning never changes what read_committed sees', async (t) => {
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  let removed = 0;
  for (let run = 0; run < 20; run++) {
    const log = Log.open({
      dir: path.join(t.testdir(), `run-${run}`, 'compacted-0'),
      topicPartition: { topic: 'compacted', partition: 0 },
      config: logConfig({
        segmentBytes: 300 + random(400),
        cleanupPolicy: ['compact'],
        fileDeleteDelayMs: 0,
        deleteRetentionMs: random(2) === 0 ? 0 : 60_000,
        minCleanableDirtyRatio: 0.01,
      }),
      clock: new ManualClock(T0),
      logger,
      recoveryPoint: 0,
      hadCleanShutdown: true,
    });
    const cleaner = cleanerFor(log);
    const open = new Set<number>();
    const end = (producerId: number) => {
      mark(log, producerId, random(2) === 0 ? 'COMMIT' : 'ABORT');
      open.delete(producerId);
    };
    for (let round = 0; round < 4; round++) {
      for (let step = 0; step < 25; step++) {
        const producerId = random(4); // 0: a plain producer
        if (random(10) < 7) {
          write(log, `k${random(20)}`, `v${round}-${step}`, producerId === 0 ? -1 : producerId);
          if (producerId > 0) open.add(producerId);
        } else if (producerId > 0) {
          end(producerId);
        }
      }
      for (const producerId of [...open]) end(producerId);
      log.roll();
      const before = readCommittedView(log);
      const stats = await cleaner.cleanFilthiestLog();
      removed += stats?.recordsRemoved ?? 0;
      const after = readCommittedView(log);
      t.same([...after].sort(), [...before].sort(), `run ${run}, round ${round}`);
    }
    log.close();
  }
  t.ok(removed > 1000, `the cleanings removed ${removed} records`);
});
