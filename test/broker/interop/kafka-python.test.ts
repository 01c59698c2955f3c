/**
 * kafka-python 2.0.2 (Debian's python3-kafka) against a real coordinator + broker process:
 * its start-up probe (ApiVersions v0 pipelined with Metadata v0), admin CreateTopics, a
 * producer with acks=1 and a group-less consumer reading everything back.
 * Skipped with a message when python3-kafka is missing, except under CI=true.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { startCluster } from '../../helpers/cluster.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const available = spawnSync(PYTHON, ['-c', 'import kafka']).status === 0;

const SCRIPT = `
import sys, time
from kafka import KafkaProducer, KafkaConsumer, KafkaAdminClient, TopicPartition
from kafka.admin import NewTopic
bootstrap = sys.argv[1]
admin = KafkaAdminClient(bootstrap_servers=bootstrap)
print('brokers', sorted(b['node_id'] for b in admin.describe_cluster()['brokers']))
admin.create_topics([NewTopic('py', 2, 1)])
time.sleep(0.5)
producer = KafkaProducer(bootstrap_servers=bootstrap, acks=1)
for i in range(200):
    producer.send('py', key=b'k%d' % i, value=b'v%d' % i)
producer.flush()
consumer = KafkaConsumer(
    bootstrap_servers=bootstrap, consumer_timeout_ms=3000, enable_auto_commit=False
)
consumer.assign([TopicPartition('py', 0), TopicPartition('py', 1)])
consumer.seek_to_beginning()
values = sorted(m.value.decode() for m in consumer)
print('consumed', len(values), values[0], values[-1])
`;

if (!available) {
  if (process.env.CI === 'true') t.fail('python3-kafka is not installed, and CI=true requires it');
  else
    t.comment(
      'python3-kafka is not installed: skipping the kafka-python interop test ' +
        '(apt-get install python3-kafka)',
    );
} else {
  t.test('kafka-python: admin, produce, consume', async (t) => {
    const cluster = await startCluster(t, { brokers: [1] });
    const { stdout } = await run(PYTHON, ['-c', SCRIPT, cluster.bootstrap()], { timeout: 60_000 });
    t.match(stdout, /^brokers \[1\]$/m);
    t.match(stdout, /^consumed 200 v0 v99$/m, 'every record produced by kafka-python came back');
  });
}
