import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/logger.js';
import { LogManager, CLEAN_SHUTDOWN_FILE, deleteDirName } from '../../../broker/log/log-manager.js';
import { logConfig, type LogConfig } from '../../../broker/log/log-config.js';
import { buildRecordBatch } from '../../../src/protocol/kafka/record-batch.js';

const logger = silentLogger();

function start(logDirs: string[], overrides: Partial<LogConfig> = {}, clock = new ManualClock()) {
  return LogManager.startup({ logDirs, defaultConfig: logConfig(overrides), clock, logger });
}

function produce(count: number, timestamp = 1_700_000_000_000): Buffer {
  return buildRecordBatch({
    baseTimestamp: timestamp,
    records: Array.from({ length: count }, (_, i) => ({
      value: 'x'.repeat(100),
      timestamp: timestamp + i,
    })),
  });
}

const orders0 = { topic: 'orders', partition: 0 };
const orders1 = { topic: 'orders', partition: 1 };

t.test('logs are spread over log.dirs and found again after a clean restart', async (t) => {
  const root = t.testdir();
  const dirs = [path.join(root, 'a'), path.join(root, 'b')];
  const manager = start(dirs, { segmentBytes: 5000 });
  const first = manager.getOrCreateLog(orders0);
  for (let i = 0; i < 10; i++) t.ok(first.appendAsLeader(produce(10), { leaderEpoch: 0 }).ok);
  t.ok(first.segmentCount > 1, 'rolled');
  manager.getOrCreateLog(orders1).appendAsLeader(produce(10), { leaderEpoch: 0 });
  t.ok(fs.existsSync(path.join(dirs[0]!, 'orders-0')));
  t.ok(fs.existsSync(path.join(dirs[1]!, 'orders-1')), 'second log goes to the emptier dir');
  await manager.shutdown();
  for (const dir of dirs) {
    t.ok(fs.existsSync(path.join(dir, CLEAN_SHUTDOWN_FILE)), 'clean shutdown marker written');
  }
  t.equal(
    fs.readFileSync(path.join(dirs[0]!, 'recovery-point-offset-checkpoint'), 'utf8'),
    '0\n1\norders 0 100\n',
  );
  t.equal(
    fs.readFileSync(path.join(dirs[1]!, 'log-start-offset-checkpoint'), 'utf8'),
    '0\n1\norders 1 0\n',
  );

  const again = start(dirs, { segmentBytes: 5000 });
  t.equal(again.getLog(orders0)?.logEndOffset, 100);
  t.equal(again.getLog(orders1)?.logEndOffset, 10);
  for (const dir of dirs)
    t.notOk(fs.existsSync(path.join(dir, CLEAN_SHUTDOWN_FILE)), 'marker consumed at start-up');
  await again.shutdown();
});

t.test('without the marker, segments after the recovery point are recovered', async (t) => {
  const dir = t.testdir();
  const manager = start([dir]);
  const log = manager.getOrCreateLog(orders0);
  log.appendAsLeader(produce(10), { leaderEpoch: 0 });
  log.flush();
  manager.checkpointRecoveryPoints();
  log.appendAsLeader(produce(10), { leaderEpoch: 0 });
  // kill -9: no shutdown. The last write was torn.
  fs.appendFileSync(
    path.join(dir, 'orders-0', '00000000000000000000.log'),
    produce(10).subarray(0, 300),
  );
  const restarted = start([dir]);
  const recovered = restarted.getLog(orders0)!;
  t.equal(recovered.logEndOffset, 20, 'both complete batches kept (a write(2) survives kill -9)');
  t.match(recovered.appendAsLeader(produce(1), { leaderEpoch: 1 }), {
    ok: true,
    info: { firstOffset: 20 },
  });
  await restarted.shutdown();
});

t.test('retention runs over every log and checkpoints the new log start offsets', async (t) => {
  const dir = t.testdir();
  const clock = new ManualClock(1_700_000_000_000);
  const manager = start([dir], { segmentBytes: 3000, retentionMs: 60_000 }, clock);
  const log = manager.getOrCreateLog(orders0);
  for (let i = 0; i < 10; i++) log.appendAsLeader(produce(10, clock.nowMs()), { leaderEpoch: 0 });
  t.equal(manager.runRetention(), 0, 'nothing old yet');
  clock.advance(120_000);
  log.appendAsLeader(produce(10, clock.nowMs()), { leaderEpoch: 0 });
  t.ok(manager.runRetention() > 0);
  t.equal(log.logStartOffset, 100);
  t.equal(
    fs.readFileSync(path.join(dir, 'log-start-offset-checkpoint'), 'utf8'),
    '0\n1\norders 0 100\n',
  );
  await manager.shutdown();
  const again = start([dir], { segmentBytes: 3000, retentionMs: 60_000 }, clock);
  t.equal(again.getLog(orders0)?.logStartOffset, 100);
  await again.shutdown();
});

t.test(
  'deleteLog removes the partition; a half-done deletion is finished at start-up',
  async (t) => {
    const dir = t.testdir();
    const manager = start([dir]);
    manager.getOrCreateLog(orders0).appendAsLeader(produce(5), { leaderEpoch: 0 });
    t.ok(manager.deleteLog(orders0));
    t.notOk(manager.deleteLog(orders0));
    t.same(
      fs.readdirSync(dir).filter((n) => n.startsWith('orders')),
      [],
    );
    fs.mkdirSync(path.join(dir, 'orders-3.0123abcd-delete'));
    await manager.shutdown();
    start([dir]);
    t.notOk(fs.existsSync(path.join(dir, 'orders-3.0123abcd-delete')));
  },
);

t.test('a topic with a 249-character name is deleted whole and re-created empty', async (t) => {
  const dir = t.testdir();
  const manager = start([dir]);
  const longest = { topic: 't'.repeat(249), partition: 0 };
  manager.getOrCreateLog(longest).appendAsLeader(produce(5), { leaderEpoch: 0 });
  t.ok(manager.deleteLog(longest));
  t.same(
    fs.readdirSync(dir).filter((n) => n.startsWith('t')),
    [],
    'nothing of it is left',
  );
  const again = manager.getOrCreateLog(longest);
  t.equal(again.logEndOffset, 0, 'the re-created topic serves none of the deleted records');
  await manager.shutdown();
});

t.test('delete-directory names stay within 255 bytes and are finished at start-up', async (t) => {
  for (const topic of ['orders', 'x'.repeat(249), 'y'.repeat(213), 'z'.repeat(214)]) {
    const name = deleteDirName({ topic, partition: 2_147_483_647 });
    t.ok(name.length <= 255, `${name.length} bytes for a ${topic.length}-character topic`);
    t.match(name, /-2147483647\.[0-9a-f]{32}-delete$/);
    t.ok(name.startsWith(topic.slice(0, 20)), 'starts with the topic');
  }
  t.equal(deleteDirName({ topic: 'orders', partition: 3 }).slice(0, 9), 'orders-3.');
  const dir = t.testdir();
  const leftover = deleteDirName({ topic: 'q'.repeat(249), partition: 0 });
  fs.mkdirSync(path.join(dir, leftover));
  fs.writeFileSync(path.join(dir, leftover, '00000000000000000000.log'), 'old');
  const manager = start([dir]);
  t.notOk(fs.existsSync(path.join(dir, leftover)), 'start-up removed the half-done deletion');
  await manager.shutdown();
});

t.test('an unmanaged partition directory is never reopened as a new log', async (t) => {
  const dir = t.testdir();
  const manager = start([dir]);
  // As if a deletion had failed after the log left the manager.
  fs.mkdirSync(path.join(dir, 'orders-0'));
  t.throws(() => manager.getOrCreateLog(orders0), /left over from a failed deletion/);
  await manager.shutdown();
});

t.test('high watermarks round-trip through replication-offset-checkpoint', async (t) => {
  const dir = t.testdir();
  const manager = start([dir]);
  manager.getOrCreateLog(orders0);
  manager.getOrCreateLog(orders1);
  manager.checkpointHighWatermarks(
    new Map([
      ['orders 0', 42],
      ['orders 1', 7],
    ]),
  );
  t.equal(
    fs.readFileSync(path.join(dir, 'replication-offset-checkpoint'), 'utf8').split('\n')[1],
    '2',
  );
  t.same([...manager.readHighWatermarks()].sort(), [
    ['orders 0', 42],
    ['orders 1', 7],
  ]);
  await manager.shutdown();
});

t.test('flushDirtyLogs honours flushIntervalMs', async (t) => {
  const clock = new ManualClock();
  const manager = start([t.testdir()], { flushIntervalMs: 1000 }, clock);
  const log = manager.getOrCreateLog(orders0);
  log.appendAsLeader(produce(3), { leaderEpoch: 0 });
  manager.flushDirtyLogs();
  t.equal(log.recoveryPoint, 0);
  clock.advance(1000);
  manager.flushDirtyLogs();
  t.equal(log.recoveryPoint, 3);
  await manager.shutdown();
});

t.test('updateTopicConfig gives every open log of the topic the new config', async (t) => {
  const manager = start([t.testdir()], { segmentBytes: 5000 });
  const zero = manager.getOrCreateLog(orders0);
  const one = manager.getOrCreateLog(orders1);
  const other = manager.getOrCreateLog({ topic: 'payments', partition: 0 });
  manager.updateTopicConfig('orders', logConfig({ segmentBytes: 2000, retentionMs: 60_000 }));
  t.same([zero.config.segmentBytes, zero.config.retentionMs], [2000, 60_000]);
  t.equal(one.config.segmentBytes, 2000);
  t.equal(other.config.segmentBytes, 5000, 'another topic keeps its config');
  for (let i = 0; i < 4; i++) zero.appendAsLeader(produce(10), { leaderEpoch: 0 });
  t.ok(zero.segmentCount > 1, 'the new segment.bytes rolls the log');
  await manager.shutdown();
});
