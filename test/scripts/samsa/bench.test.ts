/**
 * `npx samsa bench produce|consume` against a real broker: both finish and print their
 * summaries (kafka-producer-perf-test's sentence, kafka-consumer-perf-test's CSV) with the
 * record counts asked for. No figure is asserted beyond the counts: speed is recorded in
 * docs/benchmarks.md, not tested.
 */
import t from 'tap';
import { startToolCluster } from './cluster.js';

t.test('samsa bench produce and consume print summaries', async (t) => {
  const cluster = await startToolCluster(t);
  const samsa = cluster.samsa;
  t.equal((await samsa(['topics', 'create', 'perf', '--partitions', '2'])).code, 0);
  const produced = await samsa([
    ...['bench', 'produce', 'perf', '--num-records', '3000', '--record-size', '50'],
  ]);
  t.equal(produced.code, 0, produced.stderr);
  t.match(
    produced.stdout,
    /^3000 records sent, [\d.]+ records\/sec \([\d.]+ MB\/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.\n$/,
  );
  const consumed = await samsa(['bench', 'consume', 'perf', '--messages', '3000']);
  t.equal(consumed.code, 0, consumed.stderr);
  const [header, row] = consumed.stdout.trim().split('\n');
  t.match(
    header,
    /^start\.time, end\.time, data\.consumed\.in\.MB, MB\.sec, data\.consumed\.in\.nMsg/,
  );
  const fields = row!.split(', ');
  t.equal(fields[4], '3000', 'all records read');
  t.equal(Number(fields[2]), Number(((3000 * 50) / 1024 / 1024).toFixed(4)), 'MB of values');
});
