/**
 * The dashboard's throughput accounting (src/dashboard/throughput.ts) without a cluster:
 * counter deltas, totals that equal the counters' increase even across a missed sample, rate
 * points that integrate to the total, and the BrokerTopicMetrics counters read from
 * Prometheus text by their exact names.
 */
import t from 'tap';
import { CounterDeltas, Meter, parseBrokerScrape } from '../../../src/dashboard/throughput.js';
import { TimeSeries } from '../../../src/dashboard/time-series.js';

const series = (): TimeSeries => new TimeSeries({ maxAgeMs: 3_600_000, pointsMax: 3600 });

/** Sum of each point's rate times the time since the point before (the first has no span). */
function integral([times, values]: [number[], number[]], firstSpanS: number): number {
  let sum = 0;
  for (let i = 0; i < times.length; i++) {
    const span = i === 0 ? firstSpanS : times[i]! - times[i - 1]!;
    sum += values[i]! * span;
  }
  return sum;
}

t.test('counter deltas', async (t) => {
  const c = new CounterDeltas();
  t.equal(c.sample('t-0', 1000, 10), undefined, 'a first sample is a baseline');
  t.same(c.sample('t-0', 3000, 110), { fromMs: 1000, delta: 100 }, '100 since the baseline');
  t.equal(c.sample('t-0', 4000, 5), undefined, 'a counter going back gives nothing');
  t.same(c.sample('t-0', 5000, 7), { fromMs: 4000, delta: 2 }, 'and counts on from there');
  t.same(
    c.sample('t-1', 5000, 40, 2000),
    { fromMs: 2000, delta: 40 },
    'a counter known to be 0 at 2 s counts all of its first value',
  );
  c.delete('t-1');
  t.equal(c.sample('t-1', 6000, 50), undefined, 'a deleted key starts over');
});

t.test('a meter: totals and rates from deltas', async (t) => {
  const m = new Meter(series);
  m.start('orders', 0);
  m.flush(['orders'], 0);
  t.same(m.series(), {}, 'no point at the baseline itself');
  // Two brokers lead partitions of orders: their deltas add up.
  m.add('orders', { fromMs: 0, delta: 300 });
  m.add('orders', { fromMs: 0, delta: 100 });
  m.flush(['orders'], 2000);
  t.same(m.series().orders, [[2], [200]], '400 in 2 s: 200/s');
  // A missed sample: one broker's delta arrives a poll late, covering two intervals.
  m.add('orders', { fromMs: 2000, delta: 50 });
  m.flush(['orders'], 4000);
  m.add('orders', { fromMs: 2000, delta: 150 });
  m.add('orders', { fromMs: 4000, delta: 10 });
  m.flush(['orders'], 6000);
  t.same(m.totals(), { orders: 610 }, 'the total is every increase, the late one included');
  t.equal(integral(m.series().orders!, 2), 610, 'the rate points integrate to the total');
  m.flush(['orders', 'payments'], 8000);
  t.same(m.series().orders![1].at(-1), 0, 'a quiet span is a 0 point');
  t.notOk('payments' in m.series(), 'a key never started gets no points');
  m.forget((key) => key !== 'orders');
  t.same(m.totals(), {}, 'forgotten keys are gone');
});

t.test('a new key whose first delta reaches back before its start', async (t) => {
  const m = new Meter(series);
  // A partition created after the previous poll (at 1000) is sampled at 3000 with 60 records.
  m.start('new-topic', 3000);
  m.add('new-topic', { fromMs: 1000, delta: 60 });
  m.flush(['new-topic'], 3000);
  t.same(m.series()['new-topic'], [[3], [30]], '60 records over the 2 s since it was 0');
  t.same(m.totals(), { 'new-topic': 60 });
});

t.test('BrokerTopicMetrics counters from Prometheus text', async (t) => {
  const text = [
    '# HELP process_start_time_seconds Start time of the process',
    'process_start_time_seconds{broker="1"} 1700000000',
    '# TYPE kafka_server_brokertopicmetrics_bytesin_total counter',
    'kafka_server_brokertopicmetrics_bytesin_total{topic="orders",broker="1"} 1200',
    'kafka_server_brokertopicmetrics_bytesin_total{broker="1",topic="payments"} 300',
    'kafka_server_brokertopicmetrics_bytesout_total{topic="orders",broker="1"} 5000',
    'kafka_server_brokertopicmetrics_messagesin_total{topic="orders",broker="1"} 7',
    // Similar names that are not BytesInPerSec must not be added in.
    'kafka_server_brokertopicmetrics_bytesinx_total{topic="orders"} 999',
    'kafka_server_socket_server_metrics_incoming_byte_total{listener="PLAINTEXT"} 77',
    'samsa_bytes_in_total{topic="orders"} 999',
  ].join('\n');
  const scrape = parseBrokerScrape(text);
  t.equal(scrape.startTimeSeconds, 1700000000);
  t.same(
    [...scrape.counters.bytesIn],
    [
      ['orders', 1200],
      ['payments', 300],
    ],
  );
  t.same([...scrape.counters.bytesOut], [['orders', 5000]]);
  t.same([...scrape.counters.messagesIn], [['orders', 7]]);
});
