/**
 * The partition side of transactions with real broker processes. A test plays the producer
 * and the transaction coordinator over the Kafka protocol with our own codec: transactional
 * batches with Produce, COMMIT/ABORT markers with WriteTxnMarkers. Then:
 *
 *   - kill -9 of a single broker: after the restart the last stable offset (held back by a
 *     transaction still open) and the aborted-transaction index are as before, and kcat with
 *     isolation.level=read_committed sees the committed records only;
 *   - three replicas, kill -9 of the leader: the new leader built the same producer state
 *     and `.txnindex` from the batches and markers it copied, answers read_committed fetches
 *     the same way, and can close the open transaction itself.
 *
 * kcat is a Debian package: without it the kcat checks skip with a message, except under CI.
 */
import t, { type Test } from 'tap';
import { RawClient } from './server/harness.js';
import {
  createTopic,
  kcatInstalled,
  kill9,
  partitionState,
  restart,
  run,
  startCluster,
  waitFor,
  type Cluster,
} from '../helpers/cluster.js';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import { buildRecordBatch } from '../../src/protocol/kafka/record-batch.js';

t.setTimeout(240_000);

const TOPIC = 'txn';
const COMMITTED = ['c1', 'c2', 'c3'];
const OPEN = 'o1';
const EVERYTHING = ['a1', 'a2', 'c1', 'a3', 'c2', 'c3', OPEN];

async function connectTo(t: Tap, cluster: Cluster, brokerId: number): Promise<RawClient> {
  const broker = cluster.brokers.get(brokerId);
  if (broker === undefined) throw new Error(`broker ${brokerId} is not running`);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  return client;
}

type Tap = { teardown(fn: () => unknown): void };

async function produce(client: RawClient, producerId: number, seq: number, values: string[]) {
  const response = await client.send(ApiKey.Produce, 7, {
    transactionalId: `tx-${producerId}`,
    acks: -1,
    timeoutMs: 10_000,
    topicData: [
      {
        name: TOPIC,
        partitionData: [
          {
            index: 0,
            records: buildRecordBatch({
              producerId,
              producerEpoch: 0,
              baseSequence: seq,
              transactional: true,
              records: values.map((value) => ({ value })),
            }),
          },
        ],
      },
    ],
  });
  return response.responses[0]!.partitionResponses[0]!.errorCode;
}

async function writeMarker(client: RawClient, producerId: number, commit: boolean) {
  const response = await client.send(ApiKey.WriteTxnMarkers, 0, {
    markers: [
      {
        producerId: BigInt(producerId),
        producerEpoch: 0,
        transactionResult: commit,
        coordinatorEpoch: 1,
        topics: [{ name: TOPIC, partitionIndexes: [0] }],
      },
    ],
  });
  return response.markers[0]!.topics[0]!.partitions[0]!.errorCode;
}

async function readCommitted(client: RawClient) {
  const response = await client.send(ApiKey.Fetch, 11, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: TOPIC,
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: 0n,
            logStartOffset: -1n,
            partitionMaxBytes: 1 << 20,
          },
        ],
      },
    ],
  });
  const p = response.responses[0]!.partitions[0]!;
  return {
    errorCode: p.errorCode,
    highWatermark: Number(p.highWatermark),
    lastStableOffset: Number(p.lastStableOffset),
    aborted: (p.abortedTransactions ?? []).map((a) => [
      Number(a.producerId),
      Number(a.firstOffset),
    ]),
  };
}

/**
 * Producer 1 aborts (offsets 0-1, 3; marker 6), producer 2 commits (2, 4-5; marker 7), and
 * producer 3 leaves its transaction open at offset 8.
 */
async function writeTransactions(t: Test, client: RawClient) {
  // The leader's znode is written before the broker hears of its leadership.
  await waitFor('the leader to serve the partition', async () => {
    return (await readCommitted(client)).errorCode === ErrorCode.NONE;
  });
  t.equal(await produce(client, 1, 0, ['a1', 'a2']), ErrorCode.NONE);
  t.equal(await produce(client, 2, 0, ['c1']), ErrorCode.NONE);
  t.equal(await produce(client, 1, 2, ['a3']), ErrorCode.NONE);
  t.equal(await produce(client, 2, 1, ['c2', 'c3']), ErrorCode.NONE);
  t.equal(await writeMarker(client, 1, false), ErrorCode.NONE, 'ABORT marker written');
  t.equal(await writeMarker(client, 2, true), ErrorCode.NONE, 'COMMIT marker written');
  t.equal(await produce(client, 3, 0, [OPEN]), ErrorCode.NONE);
}

const EXPECTED_WITH_OPEN_TXN = {
  errorCode: ErrorCode.NONE,
  highWatermark: 9,
  lastStableOffset: 8,
  aborted: [[1, 0]],
};

async function kcatRead(bootstrap: string, isolation: string): Promise<string[]> {
  const { stdout } = await run(
    'kcat',
    ['-C', '-b', bootstrap, '-t', TOPIC, '-p', '0', '-o', 'beginning', '-e', '-q'].concat([
      '-X',
      `isolation.level=${isolation}`,
    ]),
    { timeout: 30_000 },
  );
  return stdout.split('\n').filter((line) => line !== '');
}

t.test('kill -9 and restart: the LSO and the aborted index survive', async (t) => {
  const cluster = await startCluster(t, { brokers: [1] });
  await createTopic(cluster, TOPIC, 1, { replicationFactor: 1 });
  const client = await connectTo(t, cluster, 1);
  await writeTransactions(t, client);
  t.same(await readCommitted(client), EXPECTED_WITH_OPEN_TXN, 'before the kill');

  const killed = await kill9(cluster, 1);
  client.close();
  await restart(t, cluster, killed);
  await waitFor(
    'the partition led again',
    async () => (await partitionState(cluster, TOPIC, 0)).leader === 1,
  );
  const again = await connectTo(t, cluster, 1);
  const after = await waitFor('a readable partition', async () => {
    const answer = await readCommitted(again);
    return answer.errorCode === ErrorCode.NONE ? answer : undefined;
  });
  t.same(after, EXPECTED_WITH_OPEN_TXN, 'after kill -9 and restart');
  if (kcatInstalled(t)) {
    t.same(await kcatRead(cluster.bootstrap(), 'read_committed'), COMMITTED);
    t.same(await kcatRead(cluster.bootstrap(), 'read_uncommitted'), EVERYTHING);
  }
  // The open transaction survived as open: committing it now moves the LSO to the end.
  t.equal(await writeMarker(again, 3, true), ErrorCode.NONE);
  t.match(await readCommitted(again), { highWatermark: 10, lastStableOffset: 10 });
  if (kcatInstalled(t)) {
    t.same(await kcatRead(cluster.bootstrap(), 'read_committed'), [...COMMITTED, OPEN]);
  }
});

t.test('kill -9 of the leader: the new leader has the same transactions', async (t) => {
  const cluster = await startCluster(t, { overrides: ['min.insync.replicas=2'] });
  await createTopic(cluster, TOPIC, 1, { replicationFactor: 3 });
  await waitFor(
    'a full ISR',
    async () => (await partitionState(cluster, TOPIC, 0)).isr.length === 3,
  );
  const before = await partitionState(cluster, TOPIC, 0);
  const client = await connectTo(t, cluster, before.leader);
  await writeTransactions(t, client);
  t.same(await readCommitted(client), EXPECTED_WITH_OPEN_TXN, 'on the first leader');

  await kill9(cluster, before.leader);
  client.close();
  const state = await waitFor('a new leader', async () => {
    const s = await partitionState(cluster, TOPIC, 0);
    return s.leader >= 0 && s.leader !== before.leader ? s : undefined;
  });
  const next = await connectTo(t, cluster, state.leader);
  // The new leader's HW catches up once the other follower fetches from it.
  let last: unknown;
  const answer = await waitFor('the new leader to serve up to its HW', async () => {
    const a = await readCommitted(next);
    last = a;
    return a.errorCode === ErrorCode.NONE && a.highWatermark === 9 ? a : undefined;
  }).catch((err: unknown) => {
    t.comment(`last answer of broker ${state.leader}: ${JSON.stringify(last)}`);
    throw err;
  });
  t.same(answer, EXPECTED_WITH_OPEN_TXN, `on the new leader ${state.leader}`);
  if (kcatInstalled(t)) {
    t.same(await kcatRead(cluster.bootstrap(), 'read_committed'), COMMITTED);
  }
  t.equal(await writeMarker(next, 3, false), ErrorCode.NONE, 'the open transaction aborted');
  t.same(await readCommitted(next), {
    errorCode: ErrorCode.NONE,
    highWatermark: 10,
    lastStableOffset: 10,
    aborted: [
      [1, 0],
      [3, 8],
    ],
  });
  if (kcatInstalled(t)) {
    t.same(await kcatRead(cluster.bootstrap(), 'read_committed'), COMMITTED);
  }
});
