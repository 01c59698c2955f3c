/**
 * Log management end to end, on three real broker processes and a real coordinator: topics
 * get their settings from CreateTopics configs (kafkajs admin) and the brokers theirs from
 * `--override`. Proves that
 *   - size and time retention delete whole segments and move the log start offset, and a
 *     consumer at the old start offset gets OFFSET_OUT_OF_RANGE and resets (kcat with
 *     auto.offset.reset=earliest starts at the new start offset);
 *   - DeleteRecords (kafkajs admin.deleteTopicRecords) moves the start offset on the leader and
 *     the followers: after the leader is killed, the new leader has the same start offset;
 *   - a compacted topic, while a producer keeps writing, ends up with exactly the latest value
 *     of every key at its original offset and without tombstones older than
 *     delete.retention.ms, and kcat reads it at every moment in between.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import {
  kcatAvailable,
  kill9,
  partitionState,
  run,
  startCluster,
  waitFor,
} from '../helpers/replication-cluster.js';

if (!kcatAvailable) {
  if (process.env.CI === 'true') t.fail('kcat is not installed, and CI=true requires it');
  else t.comment('kcat is not installed: skipping');
} else {
  t.test('retention, DeleteRecords and compaction on a three-broker cluster', async (t) => {
    const cluster = await startCluster(t, [
      'log.retention.check.interval.ms=300',
      'log.segment.delete.delay.ms=300',
      'log.cleaner.backoff.ms=200',
      'log.cleaner.io.buffer.size=4096',
    ]);
    const kafka = new Kafka({
      clientId: 'log-management',
      brokers: cluster.bootstrap().split(','),
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    t.teardown(() => producer.disconnect());
    const create = async (topic: string, configs: Record<string, string>) => {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: 1,
            replicationFactor: 3,
            configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
          },
        ],
      });
    };
    const low = async (topic: string) => {
      const [p] = await admin.fetchTopicOffsets(topic);
      return Number(p!.low);
    };
    const kcat = async (topic: string, args: string[], timeoutMs = 30_000) => {
      const { stdout } = await run(
        'kcat',
        ['-b', cluster.bootstrap(), '-C', '-t', topic, '-p', '0', '-e', '-q', ...args],
        { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      );
      return stdout.split('\n').filter((l) => l !== '');
    };
    const value = 'v'.repeat(100);

    await t.test('size retention deletes old segments; a consumer at 0 resets', async (t) => {
      await create('by-size', { 'segment.bytes': '1024', 'retention.bytes': '3072' });
      for (let i = 0; i < 10; i++) {
        await producer.send({
          topic: 'by-size',
          acks: -1,
          messages: Array.from({ length: 5 }, (_, j) => ({ key: `k${j}`, value })),
        });
      }
      const start = await waitFor('retention to move the start offset', async () => {
        const offset = await low('by-size');
        return offset > 0 ? offset : undefined;
      });
      t.ok(start > 0, `log start offset moved to ${start}`);
      const offsets = await kcat('by-size', [
        '-o',
        '0',
        '-X',
        'auto.offset.reset=earliest',
        '-f',
        '%o\n',
      ]);
      t.ok(
        Number(offsets[0]) >= start,
        `fetching offset 0 got OFFSET_OUT_OF_RANGE and kcat reset to ${offsets[0]}`,
      );
      t.equal(Number(offsets[offsets.length - 1]), 49, 'up to the last record');
      const leader = (await partitionState(cluster, 'by-size', 0)).leader;
      const dir = path.join(cluster.dir, `broker-${leader}`, 'by-size-0');
      await waitFor('the .deleted files to go after file.delete.delay.ms', async () =>
        fs.readdirSync(dir).some((n) => n.endsWith('.deleted')) ? undefined : true,
      );
      const size = fs
        .readdirSync(dir)
        .filter((n) => n.endsWith('.log'))
        .reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
      t.ok(size <= 3072 + 1024, `the leader keeps ${size} bytes, near retention.bytes`);
    });

    await t.test('time retention deletes segments whose records are too old', async (t) => {
      await create('by-time', { 'segment.bytes': '1024', 'retention.ms': '600000' });
      const old = Date.now() - 3_600_000;
      for (let i = 0; i < 6; i++) {
        await producer.send({
          topic: 'by-time',
          acks: -1,
          messages: Array.from({ length: 5 }, () => ({ value, timestamp: String(old) })),
        });
      }
      // Newer records: the segments holding them stay.
      await producer.send({ topic: 'by-time', acks: -1, messages: [{ value: 'fresh' }] });
      const start = await waitFor('time retention', async () => {
        const offset = await low('by-time');
        return offset > 0 ? offset : undefined;
      });
      const records = await kcat('by-time', ['-o', 'beginning', '-f', '%o %s\n']);
      t.ok(start > 0 && records.length < 31, `start offset ${start}, ${records.length} kept`);
      t.match(records[records.length - 1], /^30 fresh$/);
    });

    await t.test(
      'compaction keeps the latest value of every key while produce goes on',
      async (t) => {
        await create('compacted', {
          'cleanup.policy': 'compact',
          'segment.bytes': '2048',
          'min.cleanable.dirty.ratio': '0.01',
          // Kafka 2.8's delete horizon: a tombstone goes once its segment was last modified
          // more than delete.retention.ms before the newest clean segment. A cleaned segment
          // takes the modification time of the newest segment merged into it, so the
          // tombstones' segment, merged with filler segments, keeps looking new: the fillers
          // below cycle through 100 keys (about 17 KB once compacted, eight segments) so the
          // newest clean segment is always seconds newer, and 100 ms is soon passed. With 30
          // keys and 1000 ms this depended on how fast the fillers came in.
          'delete.retention.ms': '100',
        });
        // Ten rounds of k0..k19; in the last round k0..k4 are tombstones (deleted keys).
        const latest = new Map<string, { offset: number; value: string | null }>();
        for (let round = 0; round < 10; round++) {
          const messages = Array.from({ length: 20 }, (_, k) => ({
            key: `k${k}`,
            value: round === 9 && k < 5 ? null : `r${round}`,
          }));
          const [meta] = await producer.send({ topic: 'compacted', acks: -1, messages });
          messages.forEach((m, i) =>
            latest.set(m.key, { offset: Number(meta!.baseOffset) + i, value: m.value }),
          );
        }
        // Produce goes on during the cleaning: other keys, so the k-keys' final state is known.
        let producing = true;
        let fillers = 0;
        const background = (async () => {
          while (producing) {
            await producer.send({
              topic: 'compacted',
              acks: -1,
              messages: [{ key: `f${fillers++ % 100}`, value }],
            });
            await new Promise((r) => setTimeout(r, 20));
          }
        })();
        let reads = 0;
        const final = await waitFor(
          'the cleaner to leave one record per key and no tombstone',
          async () => {
            // While produce goes on, `kcat -e` never sees the end of the partition (librdkafka
            // needs an empty fetch at the high watermark for that), so each read is stopped
            // after 4 s (SIGTERM: kcat exits cleanly with what it read, the whole log here).
            const lines = await kcat(
              'compacted',
              ['-o', 'beginning', '-Z', '-f', '%o %k %s\n'],
              4_000,
            );
            reads++;
            const offsets = lines.map((l) => Number(l.split(' ')[0]));
            // Readable at every moment: offsets only go up.
            if (offsets.some((o, i) => i > 0 && o <= offsets[i - 1]!)) throw new Error('order');
            const kLines = lines.filter((l) => / k\d+ /.test(l) || / k\d+$/.test(l));
            return kLines.length === 15 ? kLines : undefined;
          },
          60_000,
        );
        producing = false;
        await background;
        const expected = [...latest]
          .filter(([, v]) => v.value !== null)
          .sort((a, b) => a[1].offset - b[1].offset)
          .map(([k, v]) => `${v.offset} ${k} ${v.value}`);
        t.same(final, expected, 'k5..k19 with r9 at their original offsets, k0..k4 gone');
        t.ok(reads > 1 && fillers > 0, `kcat read ${reads} times while ${fillers} records came in`);
      },
    );

    await t.test('DeleteRecords moves the start offset on the leader and followers', async (t) => {
      await create('deletable', {});
      for (let i = 0; i < 5; i++) {
        await producer.send({
          topic: 'deletable',
          acks: -1,
          messages: Array.from({ length: 10 }, () => ({ value })),
        });
      }
      // kafkajs looks the leader up in its cached metadata: load the new topic into it.
      await admin.fetchTopicMetadata({ topics: ['deletable'] });
      // Resolves only once the live followers report start offset 20 too (the low watermark).
      await admin.deleteTopicRecords({
        topic: 'deletable',
        partitions: [{ partition: 0, offset: '20' }],
      });
      t.equal(await low('deletable'), 20, 'the leader starts at 20');
      const offsets = await kcat('deletable', ['-o', 'beginning', '-f', '%o\n']);
      t.equal(offsets[0], '20', 'kcat from the beginning starts at 20');
      const leader = (await partitionState(cluster, 'deletable', 0)).leader;
      // Last: it leaves two brokers.
      await kill9(cluster, leader);
      const next = await waitFor('a new leader', async () => {
        const state = await partitionState(cluster, 'deletable', 0);
        return state.leader >= 0 && state.leader !== leader ? state.leader : undefined;
      });
      const again = await waitFor('the new leader to answer', async () => {
        const first = await kcat('deletable', ['-o', 'beginning', '-f', '%o\n']);
        return first.length > 0 ? first : undefined;
      });
      t.equal(again[0], '20', `the new leader ${next} (a follower before) starts at 20 as well`);
      t.equal(again.length, 30);
    });
  });
}
