/**
 * kafkajs 2.2.4 against one in-process broker: admin (create topics, metadata, offsets,
 * configs), producer (murmur2 key partitioning as Java does it, headers, timestamps) and a
 * consumer that reads everything back through Fetch v11 long polls, in a group run by the
 * real group coordinator (which creates __consumer_offsets on first use).
 */
import t from 'tap';
import { Kafka, logLevel, Partitioners, type EachMessagePayload } from 'kafkajs';
import { startBroker } from '../server/harness.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';

/** Key -> partition of 6, as Java's DefaultPartitioner picks it (murmur2 & 0x7fffffff % 6). */
const JAVA_PARTITION_OF_6: Record<string, number> = {
  '0': 2,
  '1': 3,
  '128': 5,
  '16384': 2,
  abc: 3,
  kafka: 4,
  '100:48069': 3,
  '': 3,
};

t.test('kafkajs: create, produce with keys/headers/timestamps, consume, offsets', async (t) => {
  const broker = await startBroker(t);
  const kafka = new Kafka({
    brokers: [broker.bootstrap],
    clientId: 'interop',
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 50 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());

  t.ok(
    await admin.createTopics({
      topics: [{ topic: 'keyed', numPartitions: 6 }],
      waitForLeaders: true,
    }),
  );
  const metadata = await admin.fetchTopicMetadata({ topics: ['keyed'] });
  t.equal(metadata.topics[0]!.partitions.length, 6);
  const cluster = await admin.describeCluster();
  t.equal(cluster.controller, 1);
  t.equal(cluster.clusterId, 'test-cluster-id');

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const keys = Object.keys(JAVA_PARTITION_OF_6);
  const baseTimestamp = 1_700_000_000_000;
  const results = await producer.send({
    topic: 'keyed',
    acks: -1,
    messages: keys.map((key, i) => ({
      key,
      value: `value-${key}`,
      timestamp: String(baseTimestamp + i),
      headers: { h: `header-${i}`, second: 'x' },
    })),
  });
  t.ok(results.every((r) => r.errorCode === ErrorCode.NONE));

  const received: EachMessagePayload[] = [];
  const consumer = kafka.consumer({ groupId: 'g', maxWaitTimeInMs: 500 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'keyed', fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async (payload) => {
        received.push(payload);
        if (received.length === keys.length) resolve();
      },
    });
  });
  await done;
  await consumer.stop();

  for (const payload of received) {
    const key = payload.message.key!.toString();
    const i = keys.indexOf(key);
    t.equal(payload.partition, JAVA_PARTITION_OF_6[key], `key "${key}" on Java's partition`);
    t.equal(payload.message.value!.toString(), `value-${key}`);
    t.equal(payload.message.timestamp, String(baseTimestamp + i));
    t.equal(payload.message.headers!.h!.toString(), `header-${i}`);
    t.equal(payload.message.headers!.second!.toString(), 'x');
  }

  const offsets = await admin.fetchTopicOffsets('keyed');
  const total = offsets.reduce((sum, o) => sum + Number(o.high), 0);
  t.equal(total, keys.length, 'high watermarks add up to what was produced');
  t.ok(offsets.every((o) => o.low === '0'));
  const byTime = await admin.fetchTopicOffsetsByTimestamp('keyed', baseTimestamp + 5);
  const p3 = byTime.find((o) => o.partition === 3)!;
  t.equal(p3.offset, '2', 'partition 3: first record at or after the timestamp');

  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: 2, name: 'keyed', configNames: ['cleanup.policy'] }],
  });
  t.same(
    configs.resources[0]!.configEntries.map((c) => [c.configName, c.configValue]),
    [['cleanup.policy', 'delete']],
  );

  await admin.createPartitions({ topicPartitions: [{ topic: 'keyed', count: 8 }] });
  t.equal((await admin.fetchTopicMetadata({ topics: ['keyed'] })).topics[0]!.partitions.length, 8);
  await admin.deleteTopics({ topics: ['keyed'] });
  t.same(await admin.listTopics(), ['__consumer_offsets'], 'only the internal topic is left');
});

t.test('kafkajs: producing to a missing topic auto-creates it', async (t) => {
  const broker = await startBroker(t);
  const kafka = new Kafka({
    brokers: [broker.bootstrap],
    clientId: 'auto',
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 50 },
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const [result] = await producer.send({ topic: 'fresh', messages: [{ value: 'first' }] });
  t.equal(result!.errorCode, ErrorCode.NONE);
  t.equal(result!.baseOffset, '0');
});
