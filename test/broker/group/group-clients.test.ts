/**
 * More clients in consumer groups against one in-process broker: kafka-python 2.0.2 (its
 * classic JoinGroup v2 / OffsetCommit v2 path) commits and a second run resumes from the
 * commits; librdkafka (kcat) with the cooperative-sticky assignor (incremental cooperative
 * rebalancing runs over the same JoinGroup/SyncGroup rounds) reads everything and commits.
 * Each part is skipped with a message when its client is missing, except under CI=true.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type TestBroker } from '../server/harness.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const pythonKafka = spawnSync(PYTHON, ['-c', 'import kafka']).status === 0;
const kcat = spawnSync('kcat', ['-V']).status === 0;

async function produce(broker: TestBroker, topic: string, from: number, n: number) {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: n }, (_, i) => ({ key: `k${from + i}`, value: `${from + i}` })),
  });
  await producer.disconnect();
}

/**
 * Consumes what the group has not consumed yet, commits, and prints the values. It stops once
 * it has the number of records the test produced since the last run (argv[2]): with as many
 * records as are new, any one read again (a group that did not resume from its commits) would
 * be among them. consumer_timeout_ms, 4 s without a record, only ends a run that gets fewer.
 */
const PY_CONSUMER = `
import sys
from kafka import KafkaConsumer
consumer = KafkaConsumer('py', bootstrap_servers=sys.argv[1], group_id='py-group',
                         auto_offset_reset='earliest', enable_auto_commit=False,
                         consumer_timeout_ms=4000)
values = []
for m in consumer:
    values.append(m.value.decode())
    if len(values) == int(sys.argv[2]):
        break
consumer.commit()
consumer.close()
print(' '.join(sorted(values, key=int)))
`;

const missing = (what: string) => {
  if (process.env.CI === 'true') t.fail(`${what} is not installed, and CI=true requires it`);
  else t.comment(`${what} is not installed: skipping its consumer group test`);
};

if (!pythonKafka) missing('python3-kafka');
else {
  t.test('kafka-python: a group commits, and the next run resumes from the commits', async (t) => {
    const broker = await startBroker(t);
    await broker.controller.createTopic('py', 2);
    await produce(broker, 'py', 0, 10);
    const first = await run(PYTHON, ['-c', PY_CONSUMER, broker.bootstrap, '10'], {
      timeout: 60_000,
    });
    t.equal(first.stdout.trim(), '0 1 2 3 4 5 6 7 8 9', 'the first run reads everything');
    await produce(broker, 'py', 10, 5);
    const second = await run(PYTHON, ['-c', PY_CONSUMER, broker.bootstrap, '5'], {
      timeout: 60_000,
    });
    t.equal(second.stdout.trim(), '10 11 12 13 14', 'the second run reads only what is new');
  });
}

if (!kcat) missing('kcat');
else {
  t.test('kcat -G with the cooperative-sticky assignor', async (t) => {
    const broker = await startBroker(t);
    await broker.controller.createTopic('coop', 4);
    await produce(broker, 'coop', 0, 12);
    const { stdout } = await run(
      'kcat',
      [
        '-b',
        broker.bootstrap,
        '-G',
        'coop-group',
        '-X',
        'partition.assignment.strategy=cooperative-sticky',
        '-o',
        'beginning',
        '-e',
        '-q',
        '-f',
        '%s\\n',
        'coop',
      ],
      { timeout: 60_000 },
    );
    t.same(
      stdout
        .trim()
        .split('\n')
        .map(Number)
        .sort((a, b) => a - b),
      Array.from({ length: 12 }, (_, i) => i),
    );
    const described = broker.groups.coordinator.describeGroup('coop-group').summary;
    t.equal(described.state, 'Empty', 'kcat left the group when it exited');
    t.equal(described.protocolType, 'consumer');
    const offsets = broker.groups.coordinator.fetchOffsets('coop-group', null).offsets;
    t.equal(
      [...offsets.values()].reduce((sum, o) => sum + Number(o!.offset), 0),
      12,
      'and committed the end of every partition',
    );
  });
}
