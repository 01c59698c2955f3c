// The producer state inside a partition's log: duplicates on the append path, snapshots on
// roll and close, rebuilding after clean and unclean restarts, followers, truncation.
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/logger.js';
import { Log } from '../../../broker/log/log.js';
import { logConfig, type LogConfig } from '../../../broker/log/log-config.js';
import {
  decodeProducerSnapshot,
  encodeProducerSnapshot,
  listProducerSnapshots,
  producerSnapshotPath,
} from '../../../broker/log/producer-snapshot-file.js';
import { buildRecordBatch, readBatches } from '../../../src/protocol/kafka/record-batch.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';

const logger = silentLogger();

function openLog(dir: string, more: { clean?: boolean; config?: Partial<LogConfig> } = {}) {
  return Log.open({
    dir,
    topicPartition: { topic: 'orders', partition: 0 },
    config: logConfig(more.config ?? {}),
    clock: new ManualClock(1_700_000_000_000),
    logger,
    recoveryPoint: 0,
    hadCleanShutdown: more.clean ?? true,
  });
}

/** What an idempotent producer sends: `count` records numbered from `seq`. */
function idempotent(seq: number, count = 1, producerId = 4000, epoch = 0): Buffer {
  return buildRecordBatch({
    baseTimestamp: 1_700_000_000_000,
    producerId,
    producerEpoch: epoch,
    baseSequence: seq,
    records: Array.from({ length: count }, (_, i) => ({ value: `v${seq + i}` })),
  });
}

function append(log: Log, records: Buffer) {
  const result = log.appendAsLeader(records, { leaderEpoch: 0 });
  if (!result.ok) throw new Error(result.error.message);
  return result.info;
}

t.test('a retried batch is acknowledged with its first offsets and not written', async (t) => {
  const log = openLog(t.testdir());
  append(log, idempotent(0, 3));
  append(log, idempotent(3, 2));
  const end = log.logEndOffset;
  const retry = append(log, idempotent(0, 3));
  t.match(retry, { firstOffset: 0, lastOffset: 2, duplicate: true, bytes: 0 });
  t.equal(log.logEndOffset, end, 'the log did not grow');
  const gap = log.appendAsLeader(idempotent(9), { leaderEpoch: 0 });
  t.equal(gap.ok, false);
  if (!gap.ok) t.equal(gap.error.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  t.equal(log.logEndOffset, end);
  log.close();
});

t.test('snapshots are written on roll and on close, in Kafka’s format', async (t) => {
  const dir = t.testdir();
  const log = openLog(dir);
  append(log, idempotent(0, 2));
  log.roll();
  t.same(listProducerSnapshots(dir), [2], 'one snapshot at the new segment’s base offset');
  append(log, idempotent(2, 2, 4000));
  append(log, idempotent(0, 1, 4001, 3));
  log.close();
  t.same(listProducerSnapshots(dir), [2, 5], 'and one at the log end offset');
  const bytes = fs.readFileSync(producerSnapshotPath(dir, 5));
  t.equal(bytes.readInt16BE(0), 1, 'version 1');
  t.equal(bytes.readInt32BE(6), 2, 'two producers');
  t.equal(bytes.length, 10 + 2 * 46, '46 bytes per producer');
  const entries = decodeProducerSnapshot(bytes);
  const byId = new Map(entries.map((e) => [e.producerId, e]));
  t.match(byId.get(4000), {
    producerEpoch: 0,
    batches: [{ lastSeq: 3, lastOffset: 3, offsetDelta: 1 }],
    currentTxnFirstOffset: undefined,
  });
  t.match(byId.get(4001), { producerEpoch: 3, batches: [{ lastSeq: 0, lastOffset: 4 }] });
  t.same(decodeProducerSnapshot(encodeProducerSnapshot(entries)), entries, 'round trip');
});

t.test('a clean restart reads the snapshot; the last batch is still a duplicate', async (t) => {
  const dir = t.testdir();
  const log = openLog(dir);
  append(log, idempotent(0, 2));
  append(log, idempotent(2, 2));
  log.close();
  const reopened = openLog(dir, { clean: true });
  t.equal(reopened.producerState.lastEntry(4000)?.batches.at(-1)?.lastSeq, 3);
  t.match(append(reopened, idempotent(2, 2)), { firstOffset: 2, duplicate: true });
  t.match(append(reopened, idempotent(4, 1)), { firstOffset: 4, duplicate: false });
  reopened.close();
});

t.test('an unclean restart replays the batches after the newest snapshot', async (t) => {
  const dir = t.testdir();
  const log = openLog(dir);
  append(log, idempotent(0, 2));
  log.roll(); // snapshot at 2
  append(log, idempotent(2, 2));
  append(log, idempotent(4, 2));
  log.flush(); // kill -9 now: no close, no snapshot at 6
  t.same(listProducerSnapshots(dir), [2]);
  const reopened = openLog(dir, { clean: false });
  const entry = reopened.producerState.lastEntry(4000)!;
  t.same(
    entry.batches.map((b) => b.lastSeq),
    [1, 3, 5],
    'the snapshot’s batch, then the replayed ones',
  );
  t.match(append(reopened, idempotent(2, 2)), { firstOffset: 2, duplicate: true });
  t.equal(reopened.producerState.mapEndOffset, 6);
  reopened.close();
});

t.test('a corrupt snapshot is deleted and the log replayed instead', async (t) => {
  const dir = t.testdir();
  const log = openLog(dir);
  append(log, idempotent(0, 2));
  log.close();
  const file = producerSnapshotPath(dir, 2);
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 1]! ^= 0xff;
  fs.writeFileSync(file, bytes);
  const reopened = openLog(dir, { clean: false });
  t.notOk(fs.existsSync(file), 'the corrupt snapshot is gone');
  t.equal(reopened.producerState.lastEntry(4000)?.batches.at(-1)?.lastSeq, 1, 'rebuilt');
  reopened.close();
});

t.test('a follower builds the state from the batches it copies', async (t) => {
  const dir = t.testdir();
  const leader = openLog(path.join(dir, 'leader'));
  const follower = openLog(path.join(dir, 'follower'));
  for (const records of [idempotent(0, 2), idempotent(2, 2), idempotent(4, 2)]) {
    append(leader, records);
  }
  const fetched = leader.read({ fetchOffset: 0, maxBytes: 1 << 20 });
  if (!fetched.ok) throw new Error(fetched.message);
  t.equal(readBatches(fetched.records).batches.length, 3);
  const copied = follower.appendAsFollower(Buffer.from(fetched.records));
  t.equal(copied.ok, true);
  t.same(
    follower.producerState.lastEntry(4000)?.batches.map((b) => b.lastSeq),
    [1, 3, 5],
  );
  // Now the follower leads: a retry sent to the old leader is recognised here.
  t.match(append(follower, idempotent(4, 2)), { firstOffset: 4, duplicate: true });

  // Truncation (a diverged follower) rebuilds the state from what is left.
  follower.truncateTo(4);
  t.same(
    follower.producerState.lastEntry(4000)?.batches.map((b) => b.lastSeq),
    [1, 3],
  );
  t.match(append(follower, idempotent(4, 2)), { firstOffset: 4, duplicate: false });
  follower.truncateFullyAndStartAt(10);
  t.equal(follower.producerState.producerCount, 0);
  t.same(listProducerSnapshots(follower.dir), []);
  leader.close();
  follower.close();
});

t.test('stray snapshots past the log end are removed at load', async (t) => {
  const dir = t.testdir();
  const log = openLog(dir);
  append(log, idempotent(0, 2));
  log.close();
  fs.copyFileSync(producerSnapshotPath(dir, 2), producerSnapshotPath(dir, 50));
  const reopened = openLog(dir);
  t.same(listProducerSnapshots(dir), [2]);
  reopened.close();
});
