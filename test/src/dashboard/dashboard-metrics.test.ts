/**
 * The dashboard's throughput figures against the brokers' own Prometheus counters, with real
 * processes: a coordinator, three brokers with admin ports, and `samsa dashboard` scraping them.
 *
 * A kafkajs producer writes a known number of records to two topics (replication factor 3, so
 * that followers' appends are there to be wrongly counted): `steady`, which existed before the
 * dashboard started, and `fresh`, created while it runs and written to at once (its first
 * records arrive before the dashboard has ever seen its offsets or its counters). Then one
 * plain Fetch per partition reads everything back. The test then checks, per topic and per
 * broker:
 *
 *   - messages in: the dashboard's totals = the records sent = the brokers'
 *     kafka_server_brokertopicmetrics_messagesin_total deltas (per broker: on the leaders);
 *   - bytes in: the dashboard's totals = the ..._bytesin_total deltas = the record batch bytes
 *     the leaders appended (their .log files);
 *   - bytes out: the dashboard's totals = the ..._bytesout_total deltas = the record bytes the
 *     fetches returned;
 *   - the rate series the charts draw integrate to those totals.
 *
 * The figures come from GET /api/state, the payload the page's WebSocket pushes.
 */
import t from 'tap';
import { KafkaClient } from '../../../src/kafka-client.js';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import {
  createTopic,
  kafka,
  partitionState,
  replicaBytes,
  startBroker,
  startCluster,
  waitFor,
} from '../../helpers/cluster.js';
import { freePort, spawnDaemon } from '../../helpers/processes.js';
import { httpGet, sample } from '../../helpers/prometheus.js';

t.setTimeout(180_000);

const BROKERS = [1, 2, 3];
const PARTITIONS = 3;
const FIGURES = ['messages', 'bytesIn', 'bytesOut'] as const;
type Figure = (typeof FIGURES)[number];
type Totals = Record<Figure, number>;
const COUNTER: Record<Figure, string> = {
  messages: 'kafka_server_brokertopicmetrics_messagesin_total',
  bytesIn: 'kafka_server_brokertopicmetrics_bytesin_total',
  bytesOut: 'kafka_server_brokertopicmetrics_bytesout_total',
};
const SERIES: Record<Figure, [string, string]> = {
  messages: ['topicMessages', 'brokerMessages'],
  bytesIn: ['topicBytesIn', 'brokerBytesIn'],
  bytesOut: ['topicBytesOut', 'brokerBytesOut'],
};

interface Rates {
  totals: { topics: Record<string, Totals>; brokers: Record<string, Totals> };
  metricsReachable: boolean;
  [series: string]: unknown;
}

/** Sum of each point's rate times the time since the point before it (from the 2nd point). */
function integral([times, values]: [number[], number[]]): number {
  let sum = 0;
  for (let i = 1; i < times.length; i++) sum += values[i]! * (times[i]! - times[i - 1]!);
  return sum;
}

t.test("the dashboard's rates and totals agree with the brokers' /metrics", async (t) => {
  const cluster = await startCluster(t, { brokers: [] });
  const adminPorts = new Map<number, number>();
  for (const id of BROKERS) {
    const port = await freePort();
    adminPorts.set(id, port);
    await startBroker(t, cluster, id, { overrides: [`admin.port=${port}`] });
  }
  await createTopic(cluster, 'steady', PARTITIONS);

  const port = await freePort();
  const args = ['dashboard', '--coordinator', cluster.connect, '--port', String(port)];
  args.push('--poll-interval', '250');
  for (const [id, p] of adminPorts) args.push('--broker-admin-port', `${id}=${p}`);
  const dashboard = await spawnDaemon('scripts/samsa.ts', args, 'dashboard listening');
  t.teardown(() => dashboard.kill('SIGKILL'));
  const rates = async (): Promise<Rates> =>
    ((await (await fetch(`http://127.0.0.1:${port}/api/state`)).json()) as { rates: Rates }).rates;
  const scrape = async (): Promise<Map<number, string>> =>
    new Map(
      await Promise.all(
        [...adminPorts].map(
          async ([id, p]) =>
            [id, (await httpGet(`http://127.0.0.1:${p}/metrics`)).body] as [number, string],
        ),
      ),
    );
  const counter = (text: string, figure: Figure, topic: string): number =>
    sample(text, COUNTER[figure], { topic }) ?? 0;

  // A baseline first: every series of `steady` and of each broker has a point, at 0.
  const before = await waitFor('the dashboard to chart steady and the brokers', async () => {
    const r = await rates();
    const charted = FIGURES.every(
      (f) =>
        (r[SERIES[f][0]] as Record<string, unknown>).steady !== undefined &&
        BROKERS.every((b) => (r[SERIES[f][1]] as Record<string, unknown>)[b] !== undefined),
    );
    return r.metricsReachable && charted && r;
  });
  t.same(before.totals.topics.steady, { messages: 0, bytesIn: 0, bytesOut: 0 }, 'nothing yet');
  const countersBefore = await scrape();

  // Records of varied sizes, keyed so that every partition gets some; acks=all.
  const producer = kafka(cluster).producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const sent = new Map<string, number>();
  const send = async (topic: string, batches: number, perBatch: number): Promise<void> => {
    for (let b = 0; b < batches; b++) {
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: perBatch }, (_, i) => ({
          key: `order-${b}-${i}`,
          value: 'x'.repeat(20 + ((b * 37 + i * 11) % 400)),
        })),
      });
      sent.set(topic, (sent.get(topic) ?? 0) + perBatch);
    }
  };
  await send('steady', 12, 25);
  // Created while the dashboard runs and written to at once.
  await createTopic(cluster, 'fresh', PARTITIONS);
  await send('fresh', 5, 40);

  // Everything read back once: one Fetch per partition from offset 0, on its leader.
  const client = new KafkaClient(
    [...cluster.brokers.values()].map((b) => ({ nodeId: b.id, host: '127.0.0.1', port: b.port })),
    { clientId: 'dashboard-metrics-test', requestTimeoutMs: 10_000 },
  );
  t.teardown(() => client.close());
  const leaders = new Map<string, number>();
  const appended = new Map<string, number>();
  const fetched = new Map<string, number>();
  for (const topic of ['steady', 'fresh']) {
    for (let p = 0; p < PARTITIONS; p++) {
      const { leader } = await partitionState(cluster, topic, p);
      leaders.set(`${topic}-${p}`, leader);
      const response = await client.send(leader, ApiKey.Fetch, 11, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 64 * 1024 * 1024,
        isolationLevel: 0,
        topics: [
          {
            topic,
            partitions: [
              {
                partition: p,
                fetchOffset: 0n,
                currentLeaderEpoch: -1,
                partitionMaxBytes: 64 * 1024 * 1024,
              },
            ],
          },
        ],
      });
      const data = response.responses[0]!.partitions[0]!;
      t.equal(data.errorCode, ErrorCode.NONE, `fetch of ${topic}-${p}`);
      fetched.set(`${topic}-${p}`, data.records?.length ?? 0);
      appended.set(`${topic}-${p}`, replicaBytes(cluster, topic, p).get(leader)!.length);
    }
  }
  const countersAfter = await scrape();

  // What each figure must be, per topic and per broker, from the counters' deltas.
  const expected = { topics: {} as Record<string, Totals>, brokers: {} as Record<string, Totals> };
  for (const topic of ['steady', 'fresh']) {
    for (const id of BROKERS) {
      const b = (expected.brokers[id] ??= { messages: 0, bytesIn: 0, bytesOut: 0 });
      const tt = (expected.topics[topic] ??= { messages: 0, bytesIn: 0, bytesOut: 0 });
      for (const f of FIGURES) {
        const delta =
          counter(countersAfter.get(id)!, f, topic) - counter(countersBefore.get(id)!, f, topic);
        b[f] += delta;
        tt[f] += delta;
      }
    }
  }
  for (const topic of ['steady', 'fresh']) {
    const keys = [...Array(PARTITIONS).keys()].map((p) => `${topic}-${p}`);
    const sum = (m: Map<string, number>): number => keys.reduce((s, k) => s + m.get(k)!, 0);
    t.equal(expected.topics[topic]!.messages, sent.get(topic), `${topic}: messages-in = sent`);
    t.equal(
      expected.topics[topic]!.bytesIn,
      sum(appended),
      `${topic}: bytes-in = the record batch bytes the leaders appended`,
    );
    t.equal(
      expected.topics[topic]!.bytesOut,
      sum(fetched),
      `${topic}: bytes-out = the record bytes the fetches returned`,
    );
  }
  for (const id of BROKERS) {
    const led = [...leaders].filter(([, leader]) => leader === id).map(([k]) => k);
    const sum = (m: Map<string, number>): number => led.reduce((s, k) => s + m.get(k)!, 0);
    t.equal(expected.brokers[id]!.bytesIn, sum(appended), `broker ${id}: bytes-in on its leaders`);
  }

  // The dashboard's totals, once its polls have caught up with everything.
  let last: Rates | undefined;
  const settled = await waitFor('the dashboard totals to reach the counters', async () => {
    last = await rates();
    const topics = ['steady', 'fresh'].every(
      (topic) =>
        JSON.stringify(last!.totals.topics[topic]) === JSON.stringify(expected.topics[topic]),
    );
    const brokers = BROKERS.every(
      (id) => JSON.stringify(last!.totals.brokers[id]) === JSON.stringify(expected.brokers[id]),
    );
    return topics && brokers && last;
  }).catch(() => last!);
  for (const topic of ['steady', 'fresh']) {
    t.same(settled.totals.topics[topic], expected.topics[topic], `${topic}: the dashboard agrees`);
  }
  for (const id of BROKERS) {
    t.same(settled.totals.brokers[id], expected.brokers[id], `broker ${id}: the dashboard agrees`);
  }

  // The charts of `steady` and of each broker draw the same amounts (its baseline point was
  // taken before any record, so the whole traffic is in the points after it).
  for (const f of FIGURES) {
    const [topicSeries, brokerSeries] = SERIES[f];
    const steady = (settled[topicSeries] as Record<string, [number[], number[]]>).steady!;
    t.ok(
      Math.abs(integral(steady) - expected.topics.steady![f]) <
        1e-6 * (1 + expected.topics.steady![f]),
      `${topicSeries}.steady integrates to ${expected.topics.steady![f]} (${integral(steady)})`,
    );
    for (const id of BROKERS) {
      const series = (settled[brokerSeries] as Record<string, [number[], number[]]>)[id]!;
      // Broker series also hold `fresh`, and a broker's first point came before any traffic.
      t.ok(
        Math.abs(integral(series) - expected.brokers[id]![f]) <
          1e-6 * (1 + expected.brokers[id]![f]),
        `${brokerSeries}[${id}] integrates to ${expected.brokers[id]![f]} (${integral(series)})`,
      );
    }
  }
});
