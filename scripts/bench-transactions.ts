/**
 * Transactions per second with small transactions (issue 13's benchmark): one coordinator
 * and BROKERS broker processes (default 3, replication factor min(3, BROKERS) for the topic
 * and __transaction_state), one kafkajs 2.2.4 transactional producer running transactions of
 * RECORDS 100-byte records (default 10) to one partition, one after another, for SECONDS
 * (default 20): begin, send, commit, each commit waiting for the markers. Then the same
 * records with a plain idempotent producer, one send per "transaction", for the comparison.
 *
 *   [RETRY_MS=N] node --import=tsx scripts/bench-transactions.ts [BROKERS] [RECORDS] [SECONDS]
 *
 * Loopback only, free ports, a temporary data dir removed at the end.
 */
import kafkajs from 'kafkajs';
import { BenchDaemons, freePort } from './bench-daemons.js';

const { Kafka, logLevel } = kafkajs;
const brokers = Number(process.argv[2] ?? 3);
const recordsPerTxn = Number(process.argv[3] ?? 10);
const seconds = Number(process.argv[4] ?? 20);
const rf = Math.min(3, brokers);

const daemons = new BenchDaemons('samsa-bench-txn-');
try {
  const coordinator = await daemons.startCoordinator();
  const ports: number[] = [];
  for (let id = 1; id <= brokers; id++) {
    const port = await freePort();
    ports.push(port);
    await daemons.start(
      'broker/cli.ts',
      [
        ...['start', '--id', String(id), '--port', String(port), '--coordinator', coordinator],
        ...['--data-dir', `${daemons.dir}/broker-${id}`, '--admin-port', String(await freePort())],
        ...['--override', `transaction.state.log.replication.factor=${rf}`],
        ...['--override', `transaction.state.log.min.isr=${Math.min(2, rf)}`],
        ...['--override', `offsets.topic.replication.factor=${rf}`],
      ],
      'broker listening',
    );
  }
  const kafka = new Kafka({
    clientId: 'bench-transactions',
    brokers: ports.map((p) => `127.0.0.1:${p}`),
    logLevel: logLevel.NOTHING,
    // RETRY_MS (default kafkajs's 300): the wait after CONCURRENT_TRANSACTIONS, which the
    // coordinator answers while the previous transaction's markers are still being written.
    retry: { initialRetryTime: Number(process.env.RETRY_MS ?? 300) },
  });
  const admin = kafka.admin();
  await admin.connect();
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.createTopics({
        topics: [{ topic: 'bench-txn', numPartitions: 1, replicationFactor: rf }],
        waitForLeaders: true,
      });
      break;
    } catch (err) {
      if (attempt > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await admin.disconnect();
  const value = 'x'.repeat(100);
  const messages = Array.from({ length: recordsPerTxn }, () => ({ value }));

  const run = async (label: string, transactional: boolean) => {
    const producer = kafka.producer(
      transactional
        ? { transactionalId: `bench-${Date.now()}`, idempotent: true, maxInFlightRequests: 1 }
        : { idempotent: true, maxInFlightRequests: 1 },
    );
    await producer.connect();
    // Warm-up: the first transaction finds the coordinator and creates __transaction_state.
    const once = async () => {
      if (!transactional)
        return void (await producer.send({ topic: 'bench-txn', acks: -1, messages }));
      const txn = await producer.transaction();
      await txn.send({ topic: 'bench-txn', messages });
      await txn.commit();
    };
    await once();
    const latencies: number[] = [];
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      const t0 = performance.now();
      await once();
      latencies.push(performance.now() - t0);
    }
    const elapsed = (performance.now() - start) / 1000;
    await producer.disconnect();
    latencies.sort((a, b) => a - b);
    const pct = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    const perSecond = latencies.length / elapsed;
    console.log(
      `${label}: ${latencies.length} in ${elapsed.toFixed(1)} s = ${perSecond.toFixed(1)}/s ` +
        `(${(perSecond * recordsPerTxn).toFixed(0)} records/s); ` +
        `p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms`,
    );
  };
  console.log(`${brokers} brokers, RF ${rf}, ${recordsPerTxn} records of 100 B per transaction`);
  await run('transactions (begin, send, commit)', true);
  await run('idempotent sends, acks=all (no transaction)', false);
} finally {
  daemons.stopAll();
}
