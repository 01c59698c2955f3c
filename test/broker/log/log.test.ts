import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/logger.js';
import {
  Log,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  parsePartitionDirName,
  partitionDirName,
} from '../../../broker/log/log.js';
import { logConfig, type LogConfig } from '../../../broker/log/log-config.js';
import {
  buildRecordBatch,
  decodeRecords,
  readBatches,
} from '../../../src/protocol/kafka/record-batch.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';

const logger = silentLogger();

function openLog(
  dir: string,
  overrides: Partial<LogConfig> = {},
  more: { clock?: ManualClock; clean?: boolean; recoveryPoint?: number } = {},
) {
  return Log.open({
    dir,
    topicPartition: { topic: 'orders', partition: 0 },
    config: logConfig(overrides),
    clock: more.clock ?? new ManualClock(),
    logger,
    recoveryPoint: more.recoveryPoint ?? 0,
    hadCleanShutdown: more.clean ?? true,
  });
}

/** What a producer sends: baseOffset 0, leader epoch -1, `count` records of 100 bytes. */
function produce(count: number, timestamp = 1_700_000_000_000, tag = 'r'): Buffer {
  return buildRecordBatch({
    baseTimestamp: timestamp,
    records: Array.from({ length: count }, (_, i) => ({
      key: `${tag}${i}`,
      value: 'x'.repeat(100),
      timestamp: timestamp + i,
    })),
  });
}

/** Fetches like a consumer: one segment per read, continuing from the next offset. */
function readAll(log: Log, from = log.logStartOffset) {
  const records = [];
  let offset = from;
  while (offset < log.logEndOffset) {
    const result = log.read({ fetchOffset: offset, maxBytes: 1 << 24 });
    if (!result.ok) throw new Error(result.message);
    const batches = readBatches(result.records).batches;
    if (batches.length === 0) throw new Error(`no progress at ${offset}`);
    records.push(...batches.flatMap((b) => decodeRecords(b)).filter((r) => r.offset >= offset));
    offset = batches[batches.length - 1]!.nextOffset;
  }
  return records;
}

t.test('partition directory names', async (t) => {
  t.equal(partitionDirName({ topic: 'my-topic', partition: 12 }), 'my-topic-12');
  t.same(parsePartitionDirName('my-topic-12'), { topic: 'my-topic', partition: 12 });
  t.equal(parsePartitionDirName('my-topic-12.abc-delete'), undefined);
  t.equal(parsePartitionDirName('lost+found'), undefined);
});

t.test(
  'appendAsLeader assigns offsets from the log end offset and stamps the leader epoch',
  async (t) => {
    const log = openLog(t.testdir());
    const first = log.appendAsLeader(produce(3), { leaderEpoch: 4 });
    t.match(first, {
      ok: true,
      info: { firstOffset: 0, lastOffset: 2, batchCount: 1, logAppendTimeMs: -1 },
    });
    const two = Buffer.concat([produce(2), produce(5)]); // one request, two batches
    const second = log.appendAsLeader(two, { leaderEpoch: 4 });
    t.match(second, { ok: true, info: { firstOffset: 3, lastOffset: 9, batchCount: 2 } });
    t.equal(log.logEndOffset, 10);
    const read = log.read({ fetchOffset: 0, maxBytes: 1 << 20 });
    const batches = read.ok ? readBatches(read.records).batches : [];
    t.same(
      batches.map((b) => [b.baseOffset, b.lastOffset, b.partitionLeaderEpoch]),
      [
        [0, 2, 4],
        [3, 4, 4],
        [5, 9, 4],
      ],
    );
    t.same(
      readAll(log).map((r) => r.offset),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
  },
);

t.test('appendAsLeader rejects bad input with Kafka error codes and writes nothing', async (t) => {
  const log = openLog(t.testdir(), { maxMessageBytes: 2000 });
  const corrupt = produce(1);
  corrupt[corrupt.length - 1]! ^= 1;
  t.match(log.appendAsLeader(corrupt, { leaderEpoch: 0 }), {
    ok: false,
    error: { error: 'CORRUPT_MESSAGE', errorCode: ErrorCode.CORRUPT_MESSAGE },
  });
  t.match(log.appendAsLeader(produce(30), { leaderEpoch: 0 }), {
    ok: false,
    error: { error: 'MESSAGE_TOO_LARGE', errorCode: ErrorCode.MESSAGE_TOO_LARGE },
  });
  const good = produce(1);
  t.match(log.appendAsLeader(Buffer.concat([good, good.subarray(0, 20)]), { leaderEpoch: 0 }), {
    ok: false,
    error: { error: 'CORRUPT_MESSAGE' },
  });
  t.equal(log.logEndOffset, 0);
  t.equal(log.size, 0);
  t.match(log.appendAsLeader(Buffer.alloc(0), { leaderEpoch: 0 }), {
    ok: true,
    info: { firstOffset: -1, batchCount: 0 },
  });
});

t.test('LogAppendTime topics get the broker time', async (t) => {
  const clock = new ManualClock(1_800_000_000_000);
  const log = openLog(t.testdir(), { messageTimestampType: 'LogAppendTime' }, { clock });
  t.match(log.appendAsLeader(produce(2), { leaderEpoch: 0 }), {
    ok: true,
    info: { logAppendTimeMs: 1_800_000_000_000 },
  });
  t.ok(readAll(log).every((r) => r.timestamp === 1_800_000_000_000));
});

t.test('read: fetch offsets, maxOffset bound and OFFSET_OUT_OF_RANGE', async (t) => {
  const log = openLog(t.testdir());
  for (let i = 0; i < 10; i++) log.appendAsLeader(produce(10), { leaderEpoch: 0 });
  const bounded = log.read({ fetchOffset: 25, maxBytes: 1 << 20, maxOffset: 60 });
  t.ok(bounded.ok);
  if (bounded.ok) {
    const batches = readBatches(bounded.records).batches;
    t.same(
      [batches[0]!.baseOffset, batches[batches.length - 1]!.lastOffset],
      [20, 59],
      'stops below the high watermark',
    );
    t.equal(bounded.logEndOffset, 100);
  }
  const atEnd = log.read({ fetchOffset: 100, maxBytes: 1000 });
  t.ok(atEnd.ok && atEnd.records.length === 0, 'fetch at the end: empty');
  const atBound = log.read({ fetchOffset: 60, maxBytes: 1000, maxOffset: 60 });
  t.ok(atBound.ok && atBound.records.length === 0, 'fetch at the high watermark: empty');
  t.match(log.read({ fetchOffset: 101, maxBytes: 1000 }), {
    ok: false,
    error: 'OFFSET_OUT_OF_RANGE',
    errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
  });
  t.match(log.read({ fetchOffset: -1, maxBytes: 1000 }), {
    ok: false,
    error: 'OFFSET_OUT_OF_RANGE',
  });
});

t.test('rolls by segment size; reads span segments', async (t) => {
  const dir = t.testdir();
  const log = openLog(dir, { segmentBytes: 5000 });
  for (let i = 0; i < 20; i++) log.appendAsLeader(produce(10), { leaderEpoch: 0 }); // ~1.3 KB each
  t.ok(log.segmentCount >= 5, `${log.segmentCount} segments`);
  const bases = log.segmentBaseOffsets;
  t.equal(bases[0], 0);
  t.ok(
    bases.every((b) => b % 10 === 0),
    'segments start at batch boundaries',
  );
  for (const base of bases)
    t.ok(fs.existsSync(path.join(dir, `${String(base).padStart(20, '0')}.log`)));
  t.same(
    readAll(log).map((r) => r.offset),
    Array.from({ length: 200 }, (_, i) => i),
  );
  // A read at a segment's last batch continues into the next segment on the next fetch.
  const r = log.read({ fetchOffset: bases[1]!, maxBytes: 1 << 20 });
  t.ok(r.ok && readBatches(r.records).batches[0]!.baseOffset === bases[1]);
  await log.flushedRolledSegments();
  t.equal(
    log.recoveryPoint,
    bases[bases.length - 1],
    'rolled segments are fsynced; recovery point follows',
  );
});

t.test('rolls by time (record timestamps, as Kafka; the clock when there are none)', async (t) => {
  const clock = new ManualClock(1_700_000_000_000);
  const log = openLog(t.testdir(), { segmentMs: 60_000 }, { clock });
  log.appendAsLeader(produce(5, clock.nowMs()), { leaderEpoch: 0 });
  clock.advance(30_000);
  log.appendAsLeader(produce(5, clock.nowMs()), { leaderEpoch: 0 });
  t.equal(log.segmentCount, 1);
  clock.advance(31_000);
  log.appendAsLeader(produce(5, clock.nowMs()), { leaderEpoch: 0 });
  t.same(log.segmentBaseOffsets, [0, 10], 'rolled once the segment spans more than segmentMs');
});

t.test('flushIntervalMessages moves the recovery point', async (t) => {
  const log = openLog(t.testdir(), { flushIntervalMessages: 25 });
  log.appendAsLeader(produce(10), { leaderEpoch: 0 });
  log.appendAsLeader(produce(10), { leaderEpoch: 0 });
  t.equal(log.recoveryPoint, 0, 'not yet');
  log.appendAsLeader(produce(10), { leaderEpoch: 0 });
  t.equal(log.recoveryPoint, 30, 'flushed after 25+ unflushed messages');
  t.equal(log.unflushedMessages, 0);
});

t.test('reopens after a clean close without rescanning', async (t) => {
  const dir = t.testdir();
  const log = openLog(dir, { segmentBytes: 20_000 });
  for (let i = 0; i < 40; i++) log.appendAsLeader(produce(10), { leaderEpoch: 0 });
  const bases = log.segmentBaseOffsets;
  log.flush();
  log.close();
  const index = path.join(dir, `${String(bases[bases.length - 1]).padStart(20, '0')}.index`);
  t.equal(fs.statSync(index).size % 8, 0, 'index trimmed on close');
  t.ok(fs.statSync(index).size < 1024);
  const reopened = openLog(dir, { segmentBytes: 20_000 });
  t.equal(reopened.logEndOffset, 400);
  t.same(reopened.segmentBaseOffsets, bases);
  t.equal(reopened.recoveryPoint, 400);
  t.match(reopened.appendAsLeader(produce(1), { leaderEpoch: 1 }), {
    ok: true,
    info: { firstOffset: 400 },
  });
  t.equal(readAll(reopened).length, 401);
});

t.test('after an unclean shutdown, recovery truncates a torn tail', async (t) => {
  const dir = t.testdir();
  const log = openLog(dir, { segmentBytes: 20_000 });
  for (let i = 0; i < 40; i++) log.appendAsLeader(produce(10), { leaderEpoch: 0 });
  const bases = log.segmentBaseOffsets;
  // Simulate kill -9 mid-write: no close, a partial batch at the end of the active segment.
  const active = path.join(dir, `${String(bases[bases.length - 1]).padStart(20, '0')}.log`);
  fs.appendFileSync(active, produce(10).subarray(0, 700));
  const recovered = openLog(
    dir,
    { segmentBytes: 20_000 },
    { clean: false, recoveryPoint: bases[bases.length - 1]! },
  );
  t.equal(recovered.logEndOffset, 400);
  t.equal(readAll(recovered).length, 400);
  t.match(recovered.appendAsLeader(produce(1), { leaderEpoch: 1 }), {
    ok: true,
    info: { firstOffset: 400 },
  });
});

t.test('recovery of a corrupt segment deletes the segments after it', async (t) => {
  const dir = t.testdir();
  const log = openLog(dir, { segmentBytes: 20_000 });
  for (let i = 0; i < 40; i++) log.appendAsLeader(produce(10), { leaderEpoch: 0 });
  const bases = log.segmentBaseOffsets;
  t.ok(bases.length >= 3);
  const second = path.join(dir, `${String(bases[1]).padStart(20, '0')}.log`);
  const fd = fs.openSync(second, 'r+');
  fs.writeSync(fd, Buffer.from([0xff, 0xee]), 0, 2, 3000); // flip bytes inside a batch
  fs.closeSync(fd);
  const recovered = openLog(
    dir,
    { segmentBytes: 20_000 },
    { clean: false, recoveryPoint: bases[1]! },
  );
  t.same(recovered.segmentBaseOffsets, [bases[0], bases[1]]);
  t.ok(recovered.logEndOffset > bases[1]! && recovered.logEndOffset < bases[2]!);
  t.equal(readAll(recovered).length, recovered.logEndOffset);
});

t.test('offsetForTimestamp: earliest, latest and by time', async (t) => {
  const log = openLog(t.testdir(), { segmentBytes: 5000 });
  for (let i = 0; i < 20; i++)
    log.appendAsLeader(produce(10, 1_000_000 + i * 1000), { leaderEpoch: 0 });
  t.same(log.offsetForTimestamp(EARLIEST_TIMESTAMP), { offset: 0, timestamp: -1 });
  t.same(log.offsetForTimestamp(LATEST_TIMESTAMP), { offset: 200, timestamp: -1 });
  t.same(log.offsetForTimestamp(1_007_005), { offset: 75, timestamp: 1_007_005 });
  t.same(log.offsetForTimestamp(1_007_500), { offset: 80, timestamp: 1_008_000 });
  t.same(log.offsetForTimestamp(0), { offset: 0, timestamp: 1_000_000 });
  t.equal(log.offsetForTimestamp(2_000_000), undefined);
});

t.test('truncateTo drops later offsets, across segments', async (t) => {
  const log = openLog(t.testdir(), { segmentBytes: 5000 });
  for (let i = 0; i < 20; i++) log.appendAsLeader(produce(10), { leaderEpoch: 0 });
  log.truncateTo(70);
  t.equal(log.logEndOffset, 70);
  t.ok(log.segmentBaseOffsets.every((b) => b <= 70));
  t.same(
    readAll(log).map((r) => r.offset),
    Array.from({ length: 70 }, (_, i) => i),
  );
  t.match(log.appendAsLeader(produce(10, 1_700_000_000_000, 'new'), { leaderEpoch: 1 }), {
    ok: true,
    info: { firstOffset: 70 },
  });
  t.equal(readAll(log, 70)[0]!.key!.toString(), 'new0');
  log.truncateFullyAndStartAt(500);
  t.same([log.logStartOffset, log.logEndOffset, log.segmentCount], [500, 500, 1]);
});

t.test('appendAsFollower keeps the leader offsets and epochs', async (t) => {
  const leader = openLog(t.testdir());
  leader.appendAsLeader(produce(5), { leaderEpoch: 3 });
  leader.appendAsLeader(produce(5), { leaderEpoch: 4 });
  const fetched = leader.read({ fetchOffset: 0, maxBytes: 1 << 20 });
  t.ok(fetched.ok);
  if (!fetched.ok) return;
  const follower = openLog(t.testdir());
  t.match(follower.appendAsFollower(Buffer.from(fetched.records)), {
    ok: true,
    info: { firstOffset: 0, lastOffset: 9 },
  });
  const batches = readBatches(
    (follower.read({ fetchOffset: 0, maxBytes: 1 << 20 }) as { records: Buffer }).records,
  ).batches;
  t.same(
    batches.map((b) => b.partitionLeaderEpoch),
    [3, 4],
  );
  t.match(follower.appendAsFollower(Buffer.from(fetched.records)), {
    ok: false,
    error: { error: 'UNEXPECTED_APPEND_OFFSET' },
  });
});

t.test('retention by time and by size, bounded by the high watermark', async (t) => {
  const clock = new ManualClock(1_700_000_000_000);
  const log = openLog(t.testdir(), { segmentBytes: 5000, retentionMs: 60_000 }, { clock });
  for (let i = 0; i < 20; i++)
    log.appendAsLeader(produce(10, clock.nowMs() + i * 10_000), { leaderEpoch: 0 });
  const before = log.segmentBaseOffsets;
  const now = clock.nowMs() + 200_000; // last batch is 10 s old; batch i is 200-10i s old
  t.equal(log.deleteOldSegments({ nowMs: now, highWatermark: 0 }), 0, 'nothing below HW 0');
  const deleted = log.deleteOldSegments({ nowMs: now });
  t.ok(deleted > 0);
  t.equal(log.logStartOffset, log.segmentBaseOffsets[0]);
  t.ok(
    log.segmentBaseOffsets[0]! > 0 && log.segmentBaseOffsets[0]! <= 140,
    'kept segments with records < 60 s old',
  );
  t.same(log.segmentBaseOffsets, before.slice(deleted));
  t.match(log.read({ fetchOffset: 0, maxBytes: 100 }), { ok: false, error: 'OFFSET_OUT_OF_RANGE' });

  log.config = { ...log.config, retentionMs: -1, retentionBytes: 5000 };
  log.deleteOldSegments({ nowMs: now });
  t.ok(
    log.size - log.activeSegment.size <= 5000 && log.size > 0,
    `size ${log.size} near retention.bytes`,
  );

  // Everything expired: a fresh active segment is rolled so the log is never segment-less.
  log.config = { ...log.config, retentionMs: 1, retentionBytes: -1 };
  log.deleteOldSegments({ nowMs: now + 10_000_000 });
  t.equal(log.segmentCount, 1);
  t.same([log.logStartOffset, log.logEndOffset, log.activeSegment.size], [200, 200, 0]);
});
