import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/logger.js';
import { systemScheduler } from '../../../src/scheduler.js';
import { Log } from '../../../broker/log/log.js';
import { logConfig, type LogConfig } from '../../../broker/log/log-config.js';
import { LogCleaner } from '../../../broker/log/log-cleaner.js';
import {
  chooseFilthiestLog,
  cleanableOffsets,
  deleteHorizonMs,
  logToClean,
  maxCompactionDelayMs,
  shouldRetainRecord,
  type SegmentSummary,
} from '../../../broker/log/log-cleaner-rules.js';
import { OffsetMap } from '../../../broker/log/offset-map.js';
import { filterBatch } from '../../../broker/log/batch-filter.js';
import {
  RecordBatch,
  buildRecordBatch,
  checkBatchIntegrity,
  decodeRecords,
  readBatches,
} from '../../../src/protocol/kafka/record-batch.js';

const logger = silentLogger();
const T0 = 1_700_000_000_000;

function seg(baseOffset: number, endOffset: number, extra: Partial<SegmentSummary> = {}) {
  return {
    baseOffset,
    endOffset,
    sizeBytes: (endOffset - baseOffset) * 100,
    largestTimestamp: T0,
    firstBatchTimestamp: T0,
    lastModifiedMs: T0,
    ...extra,
  };
}
const lag = { minCompactionLagMs: 0, maxCompactionLagMs: Infinity };

t.test('the cleanable part ends at the active segment, the HW and min.compaction.lag.ms', (t) => {
  const segments = [seg(0, 100), seg(100, 200, { largestTimestamp: T0 + 50_000 }), seg(200, 250)];
  const base = { segments, logStartOffset: 0, logEndOffset: 250, nowMs: T0 + 60_000 };
  const all = cleanableOffsets({
    ...base,
    highWatermark: 250,
    checkpointedDirtyOffset: undefined,
    config: lag,
  });
  t.same(all, { firstDirtyOffset: 0, firstUncleanableOffset: 200, forceUpdateCheckpoint: false });
  const hw = cleanableOffsets({
    ...base,
    highWatermark: 150,
    checkpointedDirtyOffset: 0,
    config: lag,
  });
  t.equal(hw.firstUncleanableOffset, 150, 'never past the high watermark');
  const young = cleanableOffsets({
    ...base,
    highWatermark: 250,
    checkpointedDirtyOffset: 0,
    config: { ...lag, minCompactionLagMs: 30_000 },
  });
  t.equal(young.firstUncleanableOffset, 100, 'a segment with a record < 30 s old stops it');
  const outside = cleanableOffsets({
    ...base,
    logStartOffset: 120,
    highWatermark: 250,
    checkpointedDirtyOffset: 50,
    config: lag,
  });
  t.same([outside.firstDirtyOffset, outside.forceUpdateCheckpoint], [120, true]);
  t.end();
});

t.test('the filthiest log wins; max.compaction.lag.ms forces a clean below the ratio', (t) => {
  const segments = [seg(0, 100), seg(100, 200), seg(200, 300), seg(300, 301)];
  const offsets = (firstDirtyOffset: number) => ({
    firstDirtyOffset,
    firstUncleanableOffset: 300,
    forceUpdateCheckpoint: false,
  });
  const make = (key: string, dirty: number, delayMs = 0) =>
    logToClean({
      key,
      segments,
      offsets: offsets(dirty),
      maxCompactionDelayMs: delayMs,
      minCleanableDirtyRatio: 0.5,
    });
  const a = make('a', 200); // 1/3 dirty
  const b = make('b', 100); // 2/3 dirty
  t.equal(chooseFilthiestLog([a, b])?.key, 'b');
  t.equal(chooseFilthiestLog([a]), undefined, '1/3 is below min.cleanable.dirty.ratio 0.5');
  t.equal(chooseFilthiestLog([make('a', 200, 1)])?.key, 'a', 'a lag overdue forces it');
  const delay = maxCompactionDelayMs({
    segments,
    firstDirtyOffset: 200,
    config: { minCompactionLagMs: 0, maxCompactionLagMs: 1000 },
    nowMs: T0 + 5000,
  });
  t.equal(delay, 4000, 'overdue by 4 s');
  t.end();
});

t.test('which records stay: latest per key, tombstones until the horizon, no keyless', (t) => {
  const keep = (o: Partial<Parameters<typeof shouldRetainRecord>[0]>) =>
    shouldRetainRecord({
      offset: 5,
      hasKey: true,
      hasValue: true,
      latestOffsetForKey: 5,
      mapLatestOffset: 10,
      retainDeletes: true,
      ...o,
    });
  t.equal(keep({}), true, 'the latest value of its key');
  t.equal(keep({ latestOffsetForKey: 7 }), false, 'superseded');
  t.equal(keep({ latestOffsetForKey: -1 }), true, 'key not in the dirty part');
  t.equal(keep({ hasValue: false }), true, 'a tombstone before the horizon');
  t.equal(keep({ hasValue: false, retainDeletes: false }), false, 'a tombstone past it');
  t.equal(keep({ hasKey: false }), false, 'no key in a compacted topic');
  t.equal(keep({ offset: 11, latestOffsetForKey: 20 }), true, 'past the end of the map');
  const horizon = deleteHorizonMs({
    segments: [seg(0, 100, { lastModifiedMs: T0 }), seg(100, 200)],
    firstDirtyOffset: 100,
    deleteRetentionMs: 1000,
  });
  t.equal(horizon, T0 - 1000);
  t.equal(
    deleteHorizonMs({ segments: [seg(0, 100)], firstDirtyOffset: 0, deleteRetentionMs: 1 }),
    0,
  );
  t.end();
});

t.test('the offset map holds slots x load factor keys and refuses more', (t) => {
  const map = new OffsetMap({ slots: OffsetMap.slotsFor(24 * 10), loadFactor: 0.9 });
  t.equal(map.slots, 10);
  t.equal(map.maxEntries, 9);
  for (let i = 0; i < 9; i++) t.ok(map.put(Buffer.from(`k${i}`), i));
  t.ok(map.isFull);
  t.equal(map.put(Buffer.from('new'), 9), false, 'a new key does not fit');
  t.ok(map.put(Buffer.from('k3'), 10), 'an existing key is updated');
  t.equal(map.get(Buffer.from('k3')), 10);
  t.equal(map.get(Buffer.from('absent')), -1);
  t.equal(map.latestOffset, 10);
  t.end();
});

t.test('a rebuilt batch keeps offsets and producer metadata; an empty one its header', (t) => {
  const bytes = buildRecordBatch({
    baseOffset: 100,
    baseTimestamp: T0,
    producerId: 42,
    producerEpoch: 3,
    baseSequence: 7,
    partitionLeaderEpoch: 5,
    records: ['a', 'b', 'c', 'd'].map((k, i) => ({ key: k, value: `v${i}`, timestamp: T0 + i })),
  });
  const batch = new RecordBatch(bytes, 0);
  const out = filterBatch(batch, (r) => r.key?.toString() === 'b', 'delete-empty');
  t.equal(out.kind, 'rewritten');
  if (out.kind !== 'rewritten') return t.end();
  const rebuilt = new RecordBatch(out.bytes, 0);
  t.equal(checkBatchIntegrity(rebuilt), undefined, 'valid CRC');
  t.same(
    [rebuilt.baseOffset, rebuilt.lastOffset, rebuilt.producerId, rebuilt.producerEpoch],
    [100, 103, 42, 3],
  );
  t.same([rebuilt.baseSequence, rebuilt.partitionLeaderEpoch], [7, 5]);
  const records = decodeRecords(rebuilt);
  t.same(
    records.map((r) => [r.offset, r.key?.toString(), r.value?.toString(), r.timestamp]),
    [[101, 'b', 'v1', T0 + 1]],
  );
  t.equal(rebuilt.maxTimestamp, T0 + 1);
  t.equal(filterBatch(batch, () => false, 'delete-empty').kind, 'removed');
  const empty = filterBatch(batch, () => false, 'retain-empty');
  if (empty.kind !== 'rewritten') return t.fail('expected a header');
  const header = new RecordBatch(empty.bytes, 0);
  t.same([header.recordsCount, header.lastOffset, header.baseSequence], [0, 103, 7]);
  t.equal(checkBatchIntegrity(header), undefined);
  t.equal(filterBatch(batch, () => true, 'delete-empty').kind, 'unchanged');
  t.end();
});

// ---------------------------------------------------------------------------------------
// Cleaning a real log
// ---------------------------------------------------------------------------------------

function openLog(dir: string, config: Partial<LogConfig> = {}, clean = true): Log {
  return Log.open({
    dir,
    topicPartition: { topic: 'compacted', partition: 0 },
    config: logConfig({
      segmentBytes: 2000,
      cleanupPolicy: ['compact'],
      fileDeleteDelayMs: 0,
      ...config,
    }),
    clock: new ManualClock(T0),
    logger,
    recoveryPoint: 0,
    hadCleanShutdown: clean,
  });
}

/** Writes `rounds` values for keys k0..k9 (value `r<round>`), one record per batch. */
function writeRounds(log: Log, rounds: number, from = 0): void {
  for (let round = from; round < from + rounds; round++) {
    for (let k = 0; k < 10; k++) {
      const batch = buildRecordBatch({
        records: [{ key: `k${k}`, value: `r${round}`, timestamp: T0 + round }],
      });
      log.appendAsLeader(batch, { leaderEpoch: 0 });
    }
  }
}

function contents(log: Log): [number, string, string | null][] {
  const out: [number, string, string | null][] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const result = log.read({ fetchOffset: offset, maxBytes: 1 << 20 });
    if (!result.ok) throw new Error(result.message);
    const batches = readBatches(result.records).batches;
    if (batches.length === 0) break;
    for (const record of batches.flatMap((b) => decodeRecords(b))) {
      if (record.offset < offset) continue;
      out.push([record.offset, record.key!.toString(), record.value?.toString() ?? null]);
    }
    offset = batches[batches.length - 1]!.nextOffset;
  }
  return out;
}

function cleanerFor(log: Log): LogCleaner {
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

t.test('cleaning keeps exactly the latest value of every key, at its offset', async (t) => {
  const dir = path.join(t.testdir(), 'compacted-0');
  const log = openLog(dir);
  writeRounds(log, 5);
  log.roll();
  const before = contents(log);
  t.equal(before.length, 50);
  const stats = await cleanerFor(log).cleanFilthiestLog();
  t.equal(stats?.completed, true);
  t.equal(stats?.recordsRemoved, 40);
  const after = contents(log);
  t.same(
    after,
    before.filter(([offset]) => offset >= 40),
    'the last round, offsets 40..49, unchanged',
  );
  t.equal(log.logEndOffset, 50);
  t.notOk(
    fs.readdirSync(dir).some((n) => /\.(cleaned|swap|deleted)$/.test(n)),
    'no temporary files',
  );
  log.close();
  const reopened = openLog(dir, {}, false);
  t.same(contents(reopened), after, 'the same after recovery');
  reopened.close();
});

t.test('every codec: a cleaned batch keeps its codec, offsets and producer metadata', async (t) => {
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
    const dir = path.join(t.testdir(), codec, 'compacted-0');
    const log = openLog(dir, { segmentBytes: 1 << 20 });
    // An idempotent producer's two batches: k0..k4 = old, then k0..k2 = new.
    const batch = (value: string, keys: number, baseSequence: number) =>
      buildRecordBatch({
        records: Array.from({ length: keys }, (_, k) => ({
          key: `k${k}`,
          value: `${value}-${k}-${'x'.repeat(200)}`,
          timestamp: T0 + baseSequence + k,
        })),
        compression: codec,
        producerId: 11,
        producerEpoch: 2,
        baseSequence,
      });
    t.ok(log.appendAsLeader(batch('old', 5, 0), { leaderEpoch: 4 }).ok);
    t.ok(log.appendAsLeader(batch('new', 3, 5), { leaderEpoch: 4 }).ok);
    log.roll();
    const before = contents(log);
    const stats = await cleanerFor(log).cleanFilthiestLog();
    t.match(stats, { completed: true, recordsRemoved: 3 }, `${codec}: k0..k2 old removed`);
    const stored = readBatches(fs.readFileSync(path.join(dir, '00000000000000000000.log'))).batches;
    t.same(
      stored.map((b) => [b.baseOffset, b.lastOffset, b.recordsCount, b.compression]),
      [
        [0, 4, 2, codec],
        [5, 7, 3, codec],
      ],
      `${codec}: the first batch rewritten around offsets 3 and 4, in ${codec}`,
    );
    for (const b of stored) {
      t.equal(checkBatchIntegrity(b), undefined, `${codec}: valid CRC`);
      t.same(
        [b.producerId, b.producerEpoch, b.partitionLeaderEpoch],
        [11, 2, 4],
        `${codec}: producer id, epoch and leader epoch kept`,
      );
    }
    t.same(
      stored.map((b) => b.baseSequence),
      [0, 5],
      `${codec}: base sequences kept`,
    );
    t.equal(stored[0]!.maxTimestamp, T0 + 4, `${codec}: maxTimestamp of the kept records`);
    t.same(
      contents(log),
      before.filter(([offset]) => offset >= 3),
      `${codec}: the latest value of each key, at its offset`,
    );
    log.close();
  }
});

t.test('tombstones survive the first cleaning and go after delete.retention.ms', async (t) => {
  const dir = path.join(t.testdir(), 'compacted-0');
  const log = openLog(dir, { deleteRetentionMs: 60_000, minCleanableDirtyRatio: 0.01 });
  writeRounds(log, 2);
  log.appendAsLeader(buildRecordBatch({ records: [{ key: 'k0', value: null }] }), {
    leaderEpoch: 0,
  });
  log.roll();
  const cleaner = cleanerFor(log);
  t.equal((await cleaner.cleanFilthiestLog())?.completed, true);
  const once = contents(log);
  t.same(
    once.find(([, k]) => k === 'k0'),
    [20, 'k0', null],
    'the tombstone stays at first',
  );
  // The cleaned segments are an hour old now; a newer dirty segment makes the log eligible.
  for (const segment of log.segments().slice(0, -1)) segment.setLastModifiedMs(T0 - 3_600_000);
  writeRounds(log, 1, 2);
  log.roll();
  const second = await cleaner.cleanFilthiestLog();
  t.match(second, { completed: true, firstDirtyOffset: 21 });
  const twice = contents(log);
  t.equal(
    twice.filter(([, k]) => k === 'k0').length,
    1,
    'k0 has one record (round 2), no tombstone',
  );
  t.same(
    twice.map(([o]) => o),
    [21, 22, 23, 24, 25, 26, 27, 28, 29, 30],
  );
  log.close();
});

t.test('a full offset map cleans only up to the offsets that fitted', async (t) => {
  const dir = path.join(t.testdir(), 'compacted-0');
  const log = openLog(dir);
  writeRounds(log, 3);
  log.roll();
  const cleaner = new LogCleaner({
    logs: {
      logs: () => [{ log, logDir: path.dirname(dir) }],
      highWatermarkOf: () => log.logEndOffset,
      readCheckpoint: () => new Map(),
      writeCheckpoint: () => {},
    },
    // 8 slots -> 7 keys: the map fills inside the first round.
    config: { dedupeBufferBytes: 24 * 8, ioBufferBytes: 512 },
    clock: new ManualClock(T0),
    logger,
  });
  const stats = await cleaner.cleanFilthiestLog();
  t.equal(stats?.endOffset, 7, 'the next cleaning starts at offset 7');
  t.equal(contents(log).length, 30, 'nothing is superseded within the first 7 offsets');
  log.close();
});

// ---------------------------------------------------------------------------------------
// Crash during the swap: files as a kill -9 at each step leaves them, then Log.open
// ---------------------------------------------------------------------------------------

t.test('a crash at each step of the swap recovers to a consistent log', async (t) => {
  const root = t.testdir();
  const original = path.join(root, 'original', 'compacted-0');
  const log = openLog(original);
  writeRounds(log, 5);
  log.roll();
  const before = contents(log);
  log.close();
  // Clean a copy; its first segment is what the cleaner's .cleaned file would have held.
  const cleanedDir = path.join(root, 'cleaned', 'compacted-0');
  fs.cpSync(original, cleanedDir, { recursive: true });
  // A large segment.bytes lets the cleaner merge every old segment into one group.
  const cleanedLog = openLog(cleanedDir, { segmentBytes: 1 << 20 });
  await cleanerFor(cleanedLog).cleanFilthiestLog();
  const after = contents(cleanedLog);
  t.equal(cleanedLog.segmentBaseOffsets[0], 0, 'one cleaned segment from offset 0');
  cleanedLog.close();
  const oldSegments = fs.readdirSync(original).filter((n) => /^\d{20}\.log$/.test(n));
  t.ok(oldSegments.length > 2, 'several old segments were cleaned into one');
  const activeBase = oldSegments.sort().at(-1)!;
  const cleanedFiles = (suffix: string) => {
    return (dir: string) => {
      for (const ext of ['log', 'index', 'timeindex']) {
        const name = `${'0'.padStart(20, '0')}.${ext}`;
        fs.copyFileSync(path.join(cleanedDir, name), path.join(dir, name + suffix));
      }
    };
  };
  const renameOld = (dir: string, count: number) => {
    for (const name of oldSegments.filter((n) => n !== activeBase).slice(0, count)) {
      for (const ext of ['log', 'index', 'timeindex']) {
        const file = path.join(dir, name.replace('.log', `.${ext}`));
        fs.renameSync(file, file + '.deleted');
      }
    }
  };
  const steps: [string, (dir: string) => void, typeof before][] = [
    ['while writing .cleaned', cleanedFiles('.cleaned'), before],
    ['after .cleaned -> .swap', cleanedFiles('.swap'), after],
    [
      'while renaming the old segments to .deleted',
      (dir) => {
        cleanedFiles('.swap')(dir);
        renameOld(dir, 2);
      },
      after,
    ],
    [
      'after .swap -> live, before the .deleted files went',
      (dir) => {
        renameOld(dir, oldSegments.length);
        cleanedFiles('')(dir);
      },
      after,
    ],
  ];
  for (const [i, [step, crash, expected]] of steps.entries()) {
    const dir = path.join(root, `crash${i}`, 'compacted-0');
    fs.cpSync(original, dir, { recursive: true });
    crash(dir);
    const recovered = openLog(dir, {}, false);
    t.same(contents(recovered), expected, `crash ${step}: the log reads as expected`);
    t.equal(recovered.logEndOffset, 50, `crash ${step}: the log end offset is unchanged`);
    t.notOk(
      fs.readdirSync(dir).some((n) => /\.(cleaned|swap|deleted)$/.test(n)),
      `crash ${step}: no temporary file left`,
    );
    recovered.close();
  }
});

t.test('log.cleaner.io.max.bytes.per.second: the cleaner pauses to keep to the rate', async (t) => {
  const rate = 50_000;
  const cleanWith = async (ioMaxBytesPerSecond: number) => {
    const log = openLog(path.join(t.testdir(), 'compacted-0'));
    writeRounds(log, 40);
    log.roll();
    const cleaner = new LogCleaner({
      logs: {
        logs: () => [{ log, logDir: path.dirname(log.dir) }],
        highWatermarkOf: () => log.logEndOffset,
        readCheckpoint: () => new Map(),
        writeCheckpoint: () => {},
      },
      config: {
        dedupeBufferBytes: 1 << 20,
        ioBufferBytes: 512,
        ioMaxBytesPerSecond,
        throttleCheckIntervalMs: 20,
      },
      clock: systemScheduler,
      scheduler: systemScheduler,
      logger,
    });
    const stats = await cleaner.cleanFilthiestLog();
    t.equal(stats?.completed, true);
    t.same(
      contents(log).map(([offset]) => offset),
      Array.from({ length: 10 }, (_, i) => 390 + i),
      'the latest value of each key is kept either way',
    );
    return stats!;
  };
  const throttled = await cleanWith(rate);
  const bytes = throttled.bytesRead + throttled.bytesWritten;
  // The throttle decides once per check interval (20 ms here, 300 ms in a broker), so the
  // last interval may run free.
  const floorMs = (bytes / rate) * 1000 - 20;
  t.ok(
    throttled.durationMs >= floorMs,
    `${bytes} bytes in ${throttled.durationMs.toFixed(0)} ms (at most ${rate} B/s: ` +
      `at least ${floorMs.toFixed(0)} ms)`,
  );
  const free = await cleanWith(Infinity);
  t.comment(`unthrottled: ${free.durationMs.toFixed(0)} ms`);
});
