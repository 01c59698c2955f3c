/**
 * The log manager's periodic tasks on a ManualScheduler: retention and the checkpoints run at
 * their configured intervals of (manual) time and not before, and shutdown cancels them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { LogManager } from '../../../broker/log/log-manager.js';
import { logConfig } from '../../../broker/log/log-config.js';
import { silentLogger } from '../../../src/logger.js';
import { buildRecordBatch } from '../../../src/protocol/kafka/record-batch.js';
import { ManualScheduler } from '../../../src/scheduler.js';

const orders0 = { topic: 'orders', partition: 0 };

function produce(count: number, timestamp: number): Buffer {
  return buildRecordBatch({
    baseTimestamp: timestamp,
    records: Array.from({ length: count }, (_, i) => ({
      value: 'x'.repeat(100),
      timestamp: timestamp + i,
    })),
  });
}

t.test('retention and checkpoints run on the scheduler at their intervals', async (t) => {
  const dir = t.testdir();
  const scheduler = new ManualScheduler();
  const manager = LogManager.startup({
    logDirs: [dir],
    defaultConfig: logConfig({ segmentBytes: 3000, retentionMs: 60_000 }),
    clock: scheduler,
    scheduler,
    logger: silentLogger(),
    retentionCheckIntervalMs: 10_000,
    recoveryPointCheckpointIntervalMs: 30_000,
    logStartOffsetCheckpointIntervalMs: 45_000,
  });
  const log = manager.getOrCreateLog(orders0);
  for (let i = 0; i < 10; i++)
    log.appendAsLeader(produce(10, scheduler.nowMs()), { leaderEpoch: 0 });
  manager.startPeriodicTasks();
  t.equal(
    scheduler.pendingCount,
    5,
    'retention, two checkpoints, producer id expiration and the log cleaner (no flush)',
  );

  const recoveryCheckpoint = path.join(dir, 'recovery-point-offset-checkpoint');
  fs.rmSync(recoveryCheckpoint, { force: true });
  scheduler.advance(29_999);
  t.notOk(fs.existsSync(recoveryCheckpoint), 'no recovery-point checkpoint before 30 s');
  scheduler.advance(1);
  t.ok(fs.existsSync(recoveryCheckpoint), 'recovery points checkpointed at 30 s');

  // The first batches are 60 s old at 60 s, past retention.ms only just after; the retention
  // check at 70 s is the first to delete their segments.
  scheduler.advance(30_000);
  log.appendAsLeader(produce(10, scheduler.nowMs()), { leaderEpoch: 0 });
  t.equal(log.logStartOffset, 0, 'nothing deleted up to the check at 60 s');
  scheduler.advance(9_999);
  t.equal(log.logStartOffset, 0, 'retention waits for its next check');
  scheduler.advance(1);
  t.ok(log.logStartOffset > 0, 'the check at 70 s deleted the old segments');

  await manager.shutdown();
  t.equal(scheduler.pendingCount, 0, 'shutdown cancelled every periodic task');
});
