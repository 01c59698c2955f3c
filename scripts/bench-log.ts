/**
 * Micro-benchmark of the broker's log layer (not a test): appends N batches of 100 records
 * of 100 bytes each through Log.appendAsLeader (validation, offset assignment, write(2),
 * indexing, rolling), then reads everything back through Log.read as a consumer would
 * (one segment per fetch, 1 MiB per fetch). Prints records/s and MB/s for both.
 *
 *   node --import=tsx scripts/bench-log.ts [batches=20000] [dir=<tmp>]
 *
 * The same request buffer is appended over and over: the leader rewrites only baseOffset
 * and partitionLeaderEpoch, which lie outside the CRC, so this measures the broker's cost
 * and not the producer's. Data goes to the page cache (Kafka's default flush policy).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { systemClock } from '../src/clock.js';
import { silentLogger } from '../src/logger.js';
import { Log } from '../broker/log/log.js';
import { logConfig } from '../broker/log/log-config.js';
import { buildRecordBatch, readBatches } from '../src/protocol/kafka/record-batch.js';

const RECORDS_PER_BATCH = 100;
const RECORD_VALUE_BYTES = 100;

const batchCount = Number(process.argv[2] ?? 20_000);
const dir = process.argv[3] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-bench-log-'));

const request = buildRecordBatch({
  records: Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({
    key: null,
    value: Buffer.alloc(RECORD_VALUE_BYTES, i),
  })),
});

const log = Log.open({
  dir: path.join(dir, 'bench-0'),
  topicPartition: { topic: 'bench', partition: 0 },
  // Smaller segments than the 1 GiB default so that rolling is part of what we measure.
  config: logConfig({ segmentBytes: 128 * 1024 * 1024 }),
  clock: systemClock,
  logger: silentLogger(),
  recoveryPoint: 0,
  hadCleanShutdown: true,
});

const totalRecords = batchCount * RECORDS_PER_BATCH;
const totalMb = (batchCount * request.length) / 1e6;

let started = process.hrtime.bigint();
for (let i = 0; i < batchCount; i++) {
  const result = log.appendAsLeader(request, { leaderEpoch: 0 });
  if (!result.ok) throw new Error(result.error.message);
}
let seconds = Number(process.hrtime.bigint() - started) / 1e9;
report('append', seconds);

started = process.hrtime.bigint();
let offset = 0;
let recordsRead = 0;
while (offset < log.logEndOffset) {
  const fetched = log.read({ fetchOffset: offset, maxBytes: 1024 * 1024 });
  if (!fetched.ok) throw new Error(fetched.message);
  const { batches } = readBatches(fetched.records);
  for (const batch of batches) recordsRead += batch.recordsCount;
  offset = batches[batches.length - 1]!.nextOffset;
}
seconds = Number(process.hrtime.bigint() - started) / 1e9;
if (recordsRead !== totalRecords) throw new Error(`read ${recordsRead} of ${totalRecords} records`);
report('read', seconds);

await log.flushedRolledSegments();
log.close();
if (process.argv[3] === undefined) fs.rmSync(dir, { recursive: true, force: true });

function report(what: string, secs: number): void {
  const recordsPerSec = Math.round(totalRecords / secs).toLocaleString('en');
  const mbPerSec = (totalMb / secs).toFixed(1);
  console.log(
    `${what.padEnd(6)} ${totalRecords.toLocaleString('en')} records (${batchCount} batches of ` +
      `${RECORDS_PER_BATCH} x ${RECORD_VALUE_BYTES} B) in ${secs.toFixed(2)} s: ` +
      `${recordsPerSec} records/s, ${mbPerSec} MB/s`,
  );
}
