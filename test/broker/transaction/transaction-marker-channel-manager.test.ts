/**
 * The marker channel against a scripted transport: which leader gets which partitions, and
 * what each per-partition answer of WriteTxnMarkers leads to (Kafka's
 * TransactionMarkerRequestCompletionHandler). Time is a ManualScheduler.
 */
import t from 'tap';
import { MetadataCache } from '../../../broker/server/metadata-cache.js';
import {
  TransactionMarkerChannelManager,
  markerErrorAction,
  type WriteTxnMarkersTransport,
} from '../../../broker/transaction/transaction-marker-channel-manager.js';
import { silentLogger } from '../../../src/logger.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import type {
  UpdateMetadataRequest,
  WriteTxnMarkersRequest,
} from '../../../src/protocol/kafka/generated/index.js';
import type { Encodable } from '../../../src/protocol/kafka/codec.js';
import { ManualScheduler } from '../../../src/scheduler.js';

const broker = (id: number) => ({
  id,
  v0Host: '',
  v0Port: 0,
  rack: null,
  endpoints: [{ port: 9000 + id, host: '127.0.0.1', listener: 'PLAINTEXT', securityProtocol: 0 }],
});

function metadata(leaders: Record<string, number[]>): UpdateMetadataRequest {
  return {
    controllerId: 1,
    isKRaftController: false,
    type: 0,
    controllerEpoch: 1,
    brokerEpoch: -1n,
    ungroupedPartitionStates: [],
    topicStates: Object.entries(leaders).map(([topicName, byPartition]) => ({
      topicName,
      topicId: '',
      partitionStates: byPartition.map((leader, partitionIndex) => ({
        topicName,
        partitionIndex,
        controllerEpoch: 1,
        leader,
        leaderEpoch: 0,
        isr: [leader],
        zkVersion: 0,
        replicas: [leader],
        offlineReplicas: [],
      })),
    })),
    liveBrokers: [broker(1), broker(2)],
  };
}

interface Sent {
  brokerId: number;
  partitions: string[];
  request: Encodable<WriteTxnMarkersRequest>;
}

/** A transport that answers each partition with the next scripted error (NONE when out). */
function scripted(script: Record<string, number[]>) {
  const sent: Sent[] = [];
  const transport: WriteTxnMarkersTransport = async (target, request) => {
    const marker = request.markers![0]!;
    const partitions = marker.topics!.flatMap((tp) =>
      tp.partitionIndexes!.map((p) => `${tp.name}-${p}`),
    );
    sent.push({ brokerId: target.id, partitions, request });
    return {
      markers: [
        {
          producerId: marker.producerId!,
          topics: marker.topics!.map((tp) => ({
            name: tp.name!,
            partitions: tp.partitionIndexes!.map((p) => ({
              partitionIndex: p,
              errorCode: script[`${tp.name}-${p}`]?.shift() ?? ErrorCode.NONE,
            })),
          })),
        },
      ],
    };
  };
  return { sent, transport };
}

function setup(script: Record<string, number[]> = {}) {
  const cache = new MetadataCache({ clusterId: 'c' });
  cache.update(metadata({ out: [1, 2], __consumer_offsets: [2] }), 5);
  const scheduler = new ManualScheduler();
  const { sent, transport } = scripted(script);
  const channel = new TransactionMarkerChannelManager({
    metadataCache: cache,
    transport,
    scheduler,
    logger: silentLogger(),
    retryBackoffMs: 100,
  });
  return { cache, scheduler, sent, channel };
}

const entry = {
  transactionalId: 'tx',
  producerId: 5n,
  producerEpoch: 2,
  committed: true,
  coordinatorEpoch: 7,
  partitions: [
    { topic: 'out', partition: 0 },
    { topic: 'out', partition: 1 },
    { topic: '__consumer_offsets', partition: 0 },
  ],
};

/** Lets the channel's promises run, then fires due timers, until `done` is settled. */
async function drive(scheduler: ManualScheduler, done: Promise<unknown>) {
  let settled = false;
  void done.then(() => (settled = true));
  for (let i = 0; i < 100 && !settled; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    scheduler.advance(100);
  }
  return done;
}

t.test('each leader gets one request with its partitions, the producer and epochs', async (t) => {
  const { sent, channel, scheduler } = setup();
  const outcome = await drive(
    scheduler,
    channel.writeMarkers(entry, () => true),
  );
  t.equal(outcome, 'written');
  t.same(
    sent.map((s) => [s.brokerId, s.partitions]),
    [
      [1, ['out-0']],
      [2, ['out-1', '__consumer_offsets-0']],
    ],
  );
  const marker = sent[0]!.request.markers![0]!;
  t.equal(marker.producerId, 5n);
  t.equal(marker.producerEpoch, 2);
  t.equal(marker.transactionResult, true);
  t.equal(marker.coordinatorEpoch, 7);
});

t.test('NOT_LEADER_OR_FOLLOWER is retried at the new leader', async (t) => {
  const { sent, channel, scheduler, cache } = setup({
    'out-0': [ErrorCode.NOT_LEADER_OR_FOLLOWER],
  });
  const done = channel.writeMarkers(entry, () => true);
  await new Promise((resolve) => setImmediate(resolve));
  cache.update(metadata({ out: [2, 2], __consumer_offsets: [2] }), 5);
  t.equal(await drive(scheduler, done), 'written');
  t.same(sent.at(-1)!.partitions, ['out-0'], 'only the failed partition again');
  t.equal(sent.at(-1)!.brokerId, 2, 'to the new leader');
});

t.test('a fenced answer abandons the markers; a lost ownership stops them', async (t) => {
  const fenced = setup({ 'out-1': [ErrorCode.TRANSACTION_COORDINATOR_FENCED] });
  t.equal(
    await drive(
      fenced.scheduler,
      fenced.channel.writeMarkers(entry, () => true),
    ),
    'fenced',
  );
  const lost = setup({ 'out-0': [ErrorCode.REQUEST_TIMED_OUT] });
  let owned = true;
  const done = lost.channel.writeMarkers(entry, () => owned);
  await new Promise((resolve) => setImmediate(resolve));
  owned = false;
  t.equal(await drive(lost.scheduler, done), 'not-owned');
});

t.test('a deleted topic needs no marker', async (t) => {
  const { channel, scheduler, cache, sent } = setup();
  cache.update(metadata({ out: [-2, -2], __consumer_offsets: [2] }), 5);
  t.equal(
    await drive(
      scheduler,
      channel.writeMarkers(entry, () => true),
    ),
    'written',
  );
  t.same(
    sent.map((s) => s.partitions),
    [['__consumer_offsets-0']],
  );
});

t.test('a request that fails as a whole is sent again', async (t) => {
  const { channel, scheduler } = setup();
  const cache = new MetadataCache({ clusterId: 'c' });
  cache.update(metadata({ out: [1] }), 5);
  let calls = 0;
  const flaky = new TransactionMarkerChannelManager({
    metadataCache: cache,
    scheduler,
    logger: silentLogger(),
    transport: async (_target, request) => {
      calls++;
      if (calls === 1) throw new Error('connection refused');
      const marker = request.markers![0]!;
      return {
        markers: [
          {
            producerId: marker.producerId!,
            topics: [
              { name: 'out', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE }] },
            ],
          },
        ],
      };
    },
  });
  channel.shutdown();
  const one = { ...entry, partitions: [{ topic: 'out', partition: 0 }] };
  t.equal(
    await drive(
      scheduler,
      flaky.writeMarkers(one, () => true),
    ),
    'written',
  );
  t.equal(calls, 2);
});

t.test('the per-partition error table', async (t) => {
  t.equal(markerErrorAction(ErrorCode.NONE), 'done');
  for (const code of [
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ErrorCode.NOT_LEADER_OR_FOLLOWER,
    ErrorCode.NOT_ENOUGH_REPLICAS,
    ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
    ErrorCode.REQUEST_TIMED_OUT,
    ErrorCode.KAFKA_STORAGE_ERROR,
  ]) {
    t.equal(markerErrorAction(code), 'retry', `retry ${code}`);
  }
  t.equal(markerErrorAction(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT), 'drop');
  t.equal(markerErrorAction(ErrorCode.INVALID_PRODUCER_EPOCH), 'fenced');
  t.equal(markerErrorAction(ErrorCode.TRANSACTION_COORDINATOR_FENCED), 'fenced');
});
