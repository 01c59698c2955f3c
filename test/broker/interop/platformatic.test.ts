/**
 * @platformatic/kafka 1.35 (a current pure-TypeScript client that picks the newest versions
 * it knows: Metadata 9, Fetch 12, CreateTopics 7, ApiVersions 3, mostly flexible) against a
 * real coordinator and broker process: metadata, create a topic, produce with keys and
 * headers, fetch by partition and offset (no consumer group), and list offsets.
 */
import t from 'tap';
import {
  Admin,
  Consumer,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { startCluster } from '../../helpers/cluster.js';

t.test('platformatic: metadata, create topic, produce, fetch, list offsets', async (t) => {
  const cluster = await startCluster(t, { brokers: [1] });
  const bootstrapBrokers = [cluster.bootstrap()];
  const clientId = 'platformatic-interop';
  const retry = { retries: 20, retryDelay: 100 };

  const admin = new Admin({ clientId, bootstrapBrokers, ...retry });
  t.teardown(() => admin.close());
  await admin.createTopics({ topics: ['pl'], partitions: 2, replicas: 1 });
  // The controller elects leaders just after the assignment is written: ask until they exist.
  let leaders: number[] = [];
  for (let i = 0; i < 100 && leaders.length < 2; i++) {
    const metadata = await admin.metadata({ topics: ['pl'], forceUpdate: true });
    leaders = [...(metadata.topics.get('pl')?.partitions ?? [])]
      .map((p) => p.leader)
      .filter((leader) => leader >= 0);
    if (leaders.length < 2) await new Promise((r) => setTimeout(r, 50));
  }
  t.same(leaders, [1, 1], 'both partitions led by broker 1');
  const metadata = await admin.metadata({ topics: ['pl'] });
  t.same([...metadata.brokers.keys()], [1]);
  const port = cluster.brokers.get(1)!.port;
  t.same(metadata.brokers.get(1), { host: '127.0.0.1', port, rack: null });
  t.same(await admin.listTopics(), ['pl']);

  const producer = new Producer({
    clientId,
    bootstrapBrokers,
    serializers: stringSerializers,
    ...retry,
  });
  t.teardown(() => producer.close());
  const messages = Array.from({ length: 20 }, (_, i) => ({
    topic: 'pl',
    partition: i % 2,
    key: `k${i}`,
    value: `v${i}`,
    headers: { h: `${i}` },
    timestamp: BigInt(1_700_000_000_000 + i),
  }));
  const sent = await producer.send({ messages, acks: 1 });
  t.ok(sent.offsets && sent.offsets.length > 0, 'produce acknowledged');

  const consumer = new Consumer({
    clientId,
    bootstrapBrokers,
    groupId: 'unused-no-group-apis',
    deserializers: stringDeserializers,
    ...retry,
  });
  t.teardown(() => consumer.close(true));
  const offsets = await consumer.listOffsets({ topics: ['pl'] });
  t.same(offsets.get('pl'), [10n, 10n], 'latest offsets: 10 records in each partition');
  const earliest = await consumer.listOffsets({ topics: ['pl'], timestamp: -2n });
  t.same(earliest.get('pl'), [0n, 0n]);

  const fetched = await consumer.fetch({
    node: 1,
    maxWaitTime: 100,
    topics: [
      {
        topicId: 'pl',
        partitions: [
          {
            partition: 1,
            fetchOffset: 3n,
            partitionMaxBytes: 1 << 20,
            currentLeaderEpoch: -1,
            lastFetchedEpoch: -1,
          },
        ],
      },
    ],
  });
  const partition = fetched.responses[0]!.partitions[0]!;
  t.equal(partition.highWatermark, 10n);
  const records = (partition.records ?? []).flatMap((batch) =>
    batch.records.map((r) => ({
      offset: batch.firstOffset + BigInt(r.offsetDelta),
      key: r.key?.toString(),
      value: r.value?.toString(),
      timestamp: batch.firstTimestamp + r.timestampDelta,
      header: r.headers.map(([k, v]) => `${k?.toString()}=${v?.toString()}`).join(','),
    })),
  );
  const fromThree = records.filter((r) => r.offset >= 3n);
  t.same(
    fromThree.map((r) => r.value),
    ['v7', 'v9', 'v11', 'v13', 'v15', 'v17', 'v19'],
    'partition 1 from offset 3, in order',
  );
  t.same(fromThree[0], {
    offset: 3n,
    key: 'k7',
    value: 'v7',
    timestamp: 1_700_000_000_007n,
    header: 'h=7',
  });
});
