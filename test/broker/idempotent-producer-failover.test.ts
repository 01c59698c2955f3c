/**
 * The failover that breaks a plain producer, with an idempotent one: a librdkafka producer
 * (kcat -X enable.idempotence=true, acks=all) writes a numbered stream to a partition with
 * three replicas and min.insync.replicas=2, and the partition leader is killed with SIGKILL in
 * the middle. The producer retries its in-flight batches on the new leader; batches the old
 * leader had already replicated are recognised there by their producer id and sequence numbers
 * (the followers built the producer state from the batches they copied) and acknowledged
 * without being written again. Every record must be in the log exactly once, in order.
 *
 * kcat is a Debian package: without it the test skips with a message, except under CI=true.
 */
import { spawn } from 'node:child_process';
import t from 'tap';
import {
  consume,
  createTopic,
  kcatAvailable,
  kill9,
  partitionState,
  startCluster,
  waitFor,
} from './../helpers/replication-cluster.js';

t.setTimeout(300_000);

const RECORDS = 4000;
const CHUNK = 100;

if (!kcatAvailable) {
  if (process.env.CI === 'true') t.fail('kcat is not installed, and CI=true requires it');
  else t.comment('kcat is not installed: skipping (apt-get install kcat)');
} else {
  t.test('kill -9 of the leader: every record exactly once and in order', async (t) => {
    const cluster = await startCluster(t, ['min.insync.replicas=2']);
    const topic = 'exactly-once';
    await createTopic(cluster, topic, 1);
    const before = await partitionState(cluster, topic, 0);

    const producer = spawn('kcat', [
      '-b',
      cluster.bootstrap(),
      '-P',
      '-t',
      topic,
      '-p',
      '0',
      '-X',
      'enable.idempotence=true',
      '-X',
      'acks=all',
      '-X',
      'linger.ms=5',
      '-X',
      'batch.num.messages=50',
      '-X',
      'message.timeout.ms=120000',
    ]);
    t.teardown(() => producer.kill('SIGKILL'));
    let stderr = '';
    producer.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => producer.once('exit', resolve));

    // Feed the stream in chunks so that batches are in flight when the leader dies.
    const lines = Array.from({ length: RECORDS }, (_, i) => `record-${i}`);
    let written = 0;
    const writeChunk = () => {
      producer.stdin.write(lines.slice(written, written + CHUNK).join('\n') + '\n');
      written += CHUNK;
    };
    while (written < RECORDS / 4) {
      writeChunk();
      await new Promise((r) => setTimeout(r, 20));
    }
    await waitFor('the first records to be acknowledged and readable', async () => {
      const records = await consume(cluster.bootstrap(), topic, 0);
      return records.length >= CHUNK ? true : undefined;
    }).catch((err: unknown) => {
      t.comment(`kcat said: ${stderr}`);
      throw err;
    });
    await kill9(cluster, before.leader);
    while (written < RECORDS) {
      writeChunk();
      await new Promise((r) => setTimeout(r, 20));
    }
    producer.stdin.end();
    const code = await exited;
    t.equal(code, 0, 'kcat delivered everything');
    t.notMatch(stderr, /Delivery failed/, 'no delivery failures');

    const after = await waitFor('a new leader', async () => {
      const state = await partitionState(cluster, topic, 0);
      return state.leader >= 0 && state.leader !== before.leader ? state : undefined;
    });
    t.not(after.leader, before.leader, 'leadership moved');
    const consumed = await waitFor('every record to be readable', async () => {
      const records = await consume(cluster.bootstrap(), topic, 0);
      return records.length >= RECORDS ? records : undefined;
    });
    t.equal(consumed.length, RECORDS, 'no record twice');
    t.same(consumed, lines, 'every record once, in order');
  });
}
