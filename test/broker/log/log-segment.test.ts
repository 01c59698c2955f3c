import * as fs from 'node:fs';
import t from 'tap';
import { ManualClock } from '../../../src/clock.js';
import { LogSegment, segmentFileStem } from '../../../broker/log/log-segment.js';
import {
  buildRecordBatch,
  readBatches,
  type RecordBatch,
} from '../../../src/protocol/kafka/record-batch.js';

const clock = new ManualClock();

function options(dir: string, baseOffset = 0) {
  return { dir, baseOffset, indexIntervalBytes: 4096, maxIndexBytes: 64 * 1024, clock };
}

/** A batch of `count` 100-byte records at `baseOffset` with timestamps from `timestamp`. */
function batchAt(
  baseOffset: number,
  count: number,
  timestamp = 1_000_000,
): { records: Buffer; batches: RecordBatch[] } {
  const records = buildRecordBatch({
    baseOffset,
    baseTimestamp: timestamp,
    records: Array.from({ length: count }, (_, i) => ({
      value: 'v'.repeat(100),
      timestamp: timestamp + i,
    })),
  });
  return { records, batches: readBatches(records).batches };
}

/** Appends `n` batches of 10 records (offsets 0..10n-1), batch i with timestamps 1000*i. */
function fill(segment: LogSegment, n: number, base = 0): number[] {
  const positions: number[] = [];
  for (let i = 0; i < n; i++) {
    positions.push(segment.size);
    const { records, batches } = batchAt(base + i * 10, 10, 1000 * (i + 1));
    segment.append(records, batches);
  }
  return positions;
}

t.test('files are named by the 20-digit base offset', async (t) => {
  t.equal(segmentFileStem(368769), '00000000000000368769');
  const dir = t.testdir();
  LogSegment.create(options(dir, 368769));
  t.ok(fs.existsSync(`${dir}/00000000000000368769.log`));
  t.ok(fs.existsSync(`${dir}/00000000000000368769.index`));
  t.ok(fs.existsSync(`${dir}/00000000000000368769.timeindex`));
  t.throws(() => LogSegment.create(options(dir, 368769)), /EEXIST/, 'never clobbers');
});

t.test(
  'append then read back whole batches; an index entry every indexIntervalBytes',
  async (t) => {
    const segment = LogSegment.create(options(t.testdir()));
    const positions = fill(segment, 20); // ~1.2 KB per batch
    t.ok(segment.offsetIndex.entryCount >= 4, `${segment.offsetIndex.entryCount} index entries`);
    const first = segment.offsetIndex.entry(0);
    t.ok(positions.includes(first.position), 'entries point at batch starts');
    t.equal((first.offset + 1) % 10, 0, 'entry offset is the last offset of its batch');

    const result = segment.read({ startOffset: 57, maxBytes: 1 << 20, minOneBatch: true })!;
    t.equal(result.position, positions[5]);
    const batches = readBatches(result.records).batches;
    t.equal(batches[0]!.baseOffset, 50, 'starts with the batch holding offset 57');
    t.equal(batches.length, 15);
    t.equal(segment.readNextOffset(), 200);
    t.equal(segment.read({ startOffset: 200, maxBytes: 100, minOneBatch: true }), undefined);
  },
);

t.test('maxBytes cuts at whole batches but returns the first one whole', async (t) => {
  const segment = LogSegment.create(options(t.testdir()));
  fill(segment, 5);
  const batchBytes = segment.size / 5;
  const two = segment.read({
    startOffset: 0,
    maxBytes: Math.floor(batchBytes * 2.5),
    minOneBatch: true,
  })!;
  t.equal(two.records.length, batchBytes * 2, 'partial third batch dropped');
  const tiny = segment.read({ startOffset: 10, maxBytes: 5, minOneBatch: true })!;
  t.equal(tiny.records.length, batchBytes, 'first batch whole although larger than maxBytes');
  const none = segment.read({ startOffset: 10, maxBytes: 5, minOneBatch: false })!;
  t.equal(none.records.length, 0);
  const bounded = segment.read({
    startOffset: 0,
    maxBytes: 1 << 20,
    maxPosition: batchBytes * 3,
    minOneBatch: true,
  })!;
  t.equal(readBatches(bounded.records).batches.length, 3, 'maxPosition bound');
});

t.test('translateOffset and findOffsetByTimestamp', async (t) => {
  const segment = LogSegment.create(options(t.testdir(), 1000));
  fill(segment, 30, 1000);
  t.match(segment.translateOffset(1155), { baseOffset: 1150, lastOffset: 1159 });
  t.equal(segment.translateOffset(5000), undefined);
  // Batch i has timestamps 1000*(i+1) + 0..9.
  t.same(segment.findOffsetByTimestamp(5003, 1000), { timestamp: 5003, offset: 1043 });
  t.same(
    segment.findOffsetByTimestamp(5011, 1000),
    { timestamp: 6000, offset: 1050 },
    'next batch',
  );
  t.same(segment.findOffsetByTimestamp(0, 1000), { timestamp: 1000, offset: 1000 });
  t.same(
    segment.findOffsetByTimestamp(0, 1234),
    { timestamp: 24004, offset: 1234 },
    'respects start',
  );
  t.equal(segment.findOffsetByTimestamp(99_999, 1000), undefined);
  t.equal(segment.largestTimestamp, 30009);
});

t.test('findOffsetByTimestamp finds the exact record inside a batch of every codec', async (t) => {
  for (const compression of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    const segment = LogSegment.create(options(t.testdir(), 0));
    const records = buildRecordBatch({
      baseOffset: 0,
      baseTimestamp: 1000,
      compression,
      records: Array.from({ length: 10 }, (_, i) => ({
        value: 'v'.repeat(100),
        timestamp: 1000 + 10 * i,
      })),
    });
    segment.append(records, readBatches(records).batches);
    t.same(segment.findOffsetByTimestamp(1035, 0), { timestamp: 1040, offset: 4 }, compression);
    t.same(
      segment.findOffsetByTimestamp(0, 7),
      { timestamp: 1070, offset: 7 },
      `${compression}, from 7`,
    );
  }
});

t.test('recover rebuilds the indexes from the .log file', async (t) => {
  const dir = t.testdir();
  const segment = LogSegment.create(options(dir));
  fill(segment, 20);
  const entries = segment.offsetIndex.entryCount;
  segment.close();
  fs.truncateSync(`${dir}/00000000000000000000.index`, 0);
  const reopened = LogSegment.open(options(dir));
  t.notOk(reopened.offsetIndex.entryCount === entries, 'index lost');
  const result = reopened.recover();
  t.same(result, { nextOffset: 200, truncatedBytes: 0 });
  t.equal(reopened.offsetIndex.entryCount, entries, 'index rebuilt');
  t.equal(reopened.largestTimestamp, 20009);
});

t.test('recover truncates a torn tail, garbage, and a CRC failure', async (t) => {
  const cases: [string, (file: string, size: number) => void, number][] = [
    ['batch cut mid-way', (file, size) => fs.truncateSync(file, size - 50), 190],
    [
      'garbage appended',
      (file) => fs.appendFileSync(file, Buffer.from('not a record batch at all, just noise')),
      200,
    ],
    ['zeros appended (preallocation)', (file) => fs.appendFileSync(file, Buffer.alloc(4096)), 200],
    [
      'one byte flipped in batch 7',
      (file, size) => {
        const fd = fs.openSync(file, 'r+');
        const at = Math.floor((size / 20) * 7.5);
        const b = Buffer.alloc(1);
        fs.readSync(fd, b, 0, 1, at);
        b[0]! ^= 0x40;
        fs.writeSync(fd, b, 0, 1, at);
        fs.closeSync(fd);
      },
      70,
    ],
  ];
  for (const [name, damage, nextOffset] of cases) {
    const dir = t.testdir();
    const segment = LogSegment.create(options(dir));
    fill(segment, 20);
    const size = segment.size;
    segment.close();
    damage(`${dir}/00000000000000000000.log`, size);
    const reopened = LogSegment.open(options(dir));
    const result = reopened.recover();
    t.equal(result.nextOffset, nextOffset, `${name}: next offset`);
    t.equal(
      reopened.size,
      (size / 20) * (nextOffset / 10),
      `${name}: file cut at a batch boundary`,
    );
    t.equal(fs.statSync(`${dir}/00000000000000000000.log`).size, reopened.size);
    const all = reopened.read({ startOffset: 0, maxBytes: 1 << 20, minOneBatch: true })!;
    t.equal(readBatches(all.records).batches.length, nextOffset / 10, `${name}: readable after`);
    if (name.includes('flipped')) t.match(result.corruption, { error: 'CORRUPT_MESSAGE' });
  }
});

t.test('truncateTo removes the batch holding the offset and everything after', async (t) => {
  const segment = LogSegment.create(options(t.testdir()));
  fill(segment, 20);
  const batchBytes = segment.size / 20;
  t.equal(segment.truncateTo(120), batchBytes * 8);
  t.equal(segment.readNextOffset(), 120);
  t.ok(segment.offsetIndex.lastOffset < 120);
  t.ok(segment.timeIndex.lastEntry.offset < 120);
  t.equal(segment.largestTimestamp, 12009, 'max timestamp recomputed');
  const { records, batches } = batchAt(120, 10);
  segment.append(records, batches);
  t.equal(segment.readNextOffset(), 130);
  t.equal(segment.truncateTo(500), 0, 'beyond the end: nothing');
});

t.test('shouldRoll: size, record-time age, offset overflow', async (t) => {
  const segment = LogSegment.create(options(t.testdir()));
  const params = {
    bytes: 100,
    maxOffset: 10,
    maxTimestamp: 1000,
    segmentBytes: 10_000,
    segmentMs: 60_000,
    segmentJitterMs: 0,
  };
  t.notOk(
    segment.shouldRoll({ ...params, maxTimestamp: 10_000_000 }),
    'empty segments never roll by time',
  );
  fill(segment, 1); // first batch maxTimestamp 1009
  t.notOk(segment.shouldRoll(params));
  t.ok(segment.shouldRoll({ ...params, bytes: 9_000 }), 'would exceed segmentBytes');
  t.ok(
    segment.shouldRoll({ ...params, maxTimestamp: 1009 + 60_001 }),
    'record time older than segmentMs',
  );
  t.ok(segment.shouldRoll({ ...params, maxOffset: 2 ** 31 }), 'relative offset overflow');
});
