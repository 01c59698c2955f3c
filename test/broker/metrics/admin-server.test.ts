/**
 * The broker's admin endpoint against real processes (a coordinator and one broker started
 * with --admin-port): /healthz, /readyz, and /metrics moving with real kafkajs traffic —
 * messages and bytes in for the produced topic, bytes out for the consumed one, requests by
 * API, partition and leader counts, the controller's gauges and a group's committed offset.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import {
  daemonDataDir,
  freePort,
  spawnDaemon,
  startCoordinatorProcess,
} from '../../helpers/processes.js';
import { httpGet, sample } from '../../helpers/prometheus.js';
import { waitFor } from '../../helpers/wait-for.js';

t.test('a broker serves /healthz, /readyz and /metrics that follow its traffic', async (t) => {
  const dir = daemonDataDir(t);
  const coordinator = await startCoordinatorProcess({ dataDir: `${dir}/coordinator` });
  t.teardown(() => coordinator.kill('SIGKILL'));
  const [port, adminPort] = [await freePort(), await freePort()];
  const broker = await spawnDaemon(
    'broker/cli.ts',
    [
      'start',
      ...['--id', '1', '--port', String(port), '--admin-port', String(adminPort)],
      ...['--coordinator', `127.0.0.1:${coordinator.port}`, '--data-dir', `${dir}/broker-1`],
      ...['--override', 'offsets.topic.replication.factor=1'],
      ...['--override', 'group.initial.rebalance.delay.ms=0'],
    ],
    'broker listening',
  );
  t.teardown(() => broker.kill('SIGKILL'));
  const admin = `http://127.0.0.1:${adminPort}`;

  t.equal((await httpGet(`${admin}/healthz`)).status, 200, 'alive');
  const ready = await waitFor('readiness', async () => {
    const r = await httpGet(`${admin}/readyz`);
    return r.status === 200 ? r : undefined;
  });
  t.same(JSON.parse(ready.body), { ready: true, registered: true, metadataLoaded: true });
  t.equal((await httpGet(`${admin}/nope`)).status, 404);

  const kafka = new Kafka({
    brokers: [`127.0.0.1:${port}`],
    clientId: 'metrics-test',
    logLevel: logLevel.NOTHING,
  });
  const kadmin = kafka.admin();
  await kadmin.connect();
  t.teardown(() => kadmin.disconnect());
  await kadmin.createTopics({ topics: [{ topic: 'metered', numPartitions: 2 }] });
  await waitFor('leaders of metered', async () => {
    const m = await kadmin.fetchTopicMetadata({ topics: ['metered'] });
    return m.topics[0]!.partitions.every((p) => p.leader === 1) || undefined;
  });

  const before = (await httpGet(`${admin}/metrics`)).body;
  t.equal(
    sample(before, 'kafka_server_brokertopicmetrics_messagesin_total', { topic: 'metered' }) ?? 0,
    0,
  );

  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const messages = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: 'x'.repeat(100) }));
  await producer.send({ topic: 'metered', acks: -1, messages });

  const consumer = kafka.consumer({ groupId: 'metered-readers', maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'metered', fromBeginning: true });
  let seen = 0;
  await consumer.run({ autoCommitThreshold: 1, eachMessage: async () => void seen++ });
  await waitFor('all 10 messages consumed', () => seen === 10);
  await consumer.commitOffsets([]).catch(() => undefined);

  const text = await waitFor('the committed offsets in /metrics', async () => {
    const body = (await httpGet(`${admin}/metrics`)).body;
    let committed = 0;
    for (const partition of ['0', '1']) {
      committed +=
        sample(body, 'kafka_consumergroup_current_offset', {
          consumergroup: 'metered-readers',
          topic: 'metered',
          partition,
        }) ?? 0;
    }
    return committed === 10 ? body : undefined;
  });
  const topic = { topic: 'metered' };
  t.equal(sample(text, 'kafka_server_brokertopicmetrics_messagesin_total', topic), 10);
  const bytesIn = sample(text, 'kafka_server_brokertopicmetrics_bytesin_total', topic)!;
  t.ok(bytesIn > 10 * 100, `bytes in (${bytesIn}) cover the 10 values of 100 bytes`);
  const bytesOut = sample(text, 'kafka_server_brokertopicmetrics_bytesout_total', topic)!;
  t.ok(bytesOut >= 10 * 100, `bytes out (${bytesOut}) cover what was consumed`);
  t.ok(sample(text, 'kafka_network_requestmetrics_requests_total', { request: 'Produce' })! >= 1);
  t.ok(
    sample(text, 'kafka_network_requestmetrics_totaltime_seconds_count', { request: 'Fetch' })! >=
      1,
  );
  t.ok(sample(text, 'kafka_server_socket_server_metrics_incoming_byte_total')! > bytesIn);
  t.ok(sample(text, 'kafka_server_socket_server_metrics_outgoing_byte_total')! > bytesOut);
  t.equal(sample(text, 'kafka_controller_kafkacontroller_activecontrollercount'), 1);
  t.equal(sample(text, 'kafka_controller_kafkacontroller_offlinepartitionscount'), 0);
  t.equal(sample(text, 'kafka_server_replicamanager_underreplicatedpartitions'), 0);
  // metered (2) + __consumer_offsets (50 by default), all led here.
  t.equal(sample(text, 'kafka_server_replicamanager_partitioncount'), 52);
  t.equal(sample(text, 'kafka_server_replicamanager_leadercount'), 52);
  const leo = [0, 1].map(
    (p) => sample(text, 'kafka_log_log_logendoffset', { topic: 'metered', partition: String(p) })!,
  );
  t.equal(leo[0]! + leo[1]!, 10, 'log end offsets add up to the records produced');
  t.ok(sample(text, 'kafka_log_log_size', { topic: 'metered', partition: '0' })! > 0);
  for (const p of ['0', '1']) {
    const labels = { consumergroup: 'metered-readers', topic: 'metered', partition: p };
    t.equal(sample(text, 'kafka_consumergroup_lag', labels), 0, `no lag on partition ${p}`);
  }
  t.ok(
    sample(text, 'kafka_server_delayedoperationpurgatory_purgatorysize', {
      delayedOperation: 'Fetch',
    }) !== undefined,
  );
  t.ok(sample(text, 'process_cpu_seconds_total', { broker: '1' }) !== undefined);
});
