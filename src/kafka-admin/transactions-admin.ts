/**
 * What the transaction coordinators know, read the ZooKeeper-era way: from the internal topic
 * `__transaction_state` itself. Kafka 2.8 had no API to list transactions (ListTransactions
 * and DescribeTransactions came with Kafka 3.0, KIP-664); its coordinators keep every
 * transactional id's latest metadata as a record keyed by the id in that compacted topic
 * (src/protocol/kafka/transaction-records.ts). So a tool can read each partition from its
 * log start to its end, keep the last record of each key (a tombstone removes the id) and
 * report what `kafka-transactions.sh list|describe` shows: the state, producer id and epoch,
 * the partitions of the open transaction and how long it has been open.
 *
 * The coordinator of an id is the leader of its partition. What is read is what the
 * coordinator has written (acks=-1); a transaction whose state change is being written right
 * now shows its previous state.
 */
import type { KafkaClient } from '../kafka-client.js';
import { ApiKey } from '../protocol/kafka/api-keys.js';
import { ErrorCode, errorForCode } from '../protocol/kafka/errors.js';
import { decodeRecords, readBatches } from '../protocol/kafka/record-batch.js';
import {
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  type TransactionLogValue,
} from '../protocol/kafka/transaction-records.js';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

/** Kafka's TransactionState names by their id in the log. */
export const TRANSACTION_STATE_NAMES = [
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
  'Dead',
  'PrepareEpochFence',
] as const;

export interface TransactionDescription {
  transactionalId: string;
  /** The broker leading the id's __transaction_state partition. */
  coordinatorId: number;
  producerId: bigint;
  producerEpoch: number;
  state: string;
  transactionTimeoutMs: number;
  /** When the open transaction started (-1 when none is open). */
  transactionStartTimeMs: number;
  lastUpdateTimeMs: number;
  topicPartitions: { topic: string; partition: number }[];
}

export class TransactionCommandError extends Error {}

/** Bytes asked per Fetch: the topic is compacted and small; a bigger record still comes whole. */
const FETCH_MAX_BYTES = 4 * 1024 * 1024;

/** Every transactional id the coordinators hold, sorted by id. */
export async function listTransactions(client: KafkaClient): Promise<TransactionDescription[]> {
  const any = client.brokers[0];
  if (any === undefined) throw new TransactionCommandError('no brokers are registered');
  const metadata = await client.send(any.nodeId, ApiKey.Metadata, 9, {
    topics: [{ name: TRANSACTION_STATE_TOPIC }],
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  });
  client.learn(metadata.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })));
  const topic = metadata.topics[0];
  // No transactional producer has asked for a coordinator yet: the topic does not exist.
  if (topic === undefined || topic.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return [];
  check(topic.errorCode, `metadata of ${TRANSACTION_STATE_TOPIC}`);
  const latest = new Map<string, { value: TransactionLogValue | null; coordinatorId: number }>();
  for (const p of [...topic.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex)) {
    if (p.leaderId < 0) {
      throw new TransactionCommandError(
        `${TRANSACTION_STATE_TOPIC}-${p.partitionIndex} has no leader (offline)`,
      );
    }
    for (const [id, value] of await readPartition(client, p.leaderId, p.partitionIndex)) {
      latest.set(id, { value, coordinatorId: p.leaderId });
    }
  }
  const result: TransactionDescription[] = [];
  for (const [transactionalId, { value, coordinatorId }] of latest) {
    if (value === null) continue;
    result.push({
      transactionalId,
      coordinatorId,
      producerId: value.producerId,
      producerEpoch: value.producerEpoch,
      state:
        TRANSACTION_STATE_NAMES[value.transactionStatus] ?? `Unknown(${value.transactionStatus})`,
      transactionTimeoutMs: value.transactionTimeoutMs,
      transactionStartTimeMs: Number(value.transactionStartTimestampMs),
      lastUpdateTimeMs: Number(value.transactionLastUpdateTimestampMs),
      topicPartitions: value.transactionPartitions.flatMap((t) =>
        t.partitionIds.map((partition) => ({ topic: t.topic, partition })),
      ),
    });
  }
  return result.sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : 1));
}

/** One transactional id, or undefined when no coordinator holds it. */
export async function describeTransaction(
  client: KafkaClient,
  transactionalId: string,
): Promise<TransactionDescription | undefined> {
  return (await listTransactions(client)).find((t) => t.transactionalId === transactionalId);
}

/** transactional id -> its last value in one partition (null: a tombstone). */
async function readPartition(
  client: KafkaClient,
  leader: number,
  partition: number,
): Promise<Map<string, TransactionLogValue | null>> {
  const latest = new Map<string, TransactionLogValue | null>();
  const offsets = await client.send(leader, ApiKey.ListOffsets, 5, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [
      {
        name: TRANSACTION_STATE_TOPIC,
        partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -1n }],
      },
    ],
  });
  const end = offsets.topics[0]!.partitions[0]!;
  check(end.errorCode, `ListOffsets of ${TRANSACTION_STATE_TOPIC}-${partition}`);
  let offset = 0n;
  while (offset < end.offset) {
    const response = await client.send(leader, ApiKey.Fetch, 11, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: FETCH_MAX_BYTES,
      isolationLevel: 0,
      topics: [
        {
          topic: TRANSACTION_STATE_TOPIC,
          partitions: [
            {
              partition,
              fetchOffset: offset,
              currentLeaderEpoch: -1,
              partitionMaxBytes: FETCH_MAX_BYTES,
            },
          ],
        },
      ],
    });
    const data = response.responses[0]!.partitions[0]!;
    if (data.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE && offset === 0n) {
      // Retention or compaction moved the log start: start there.
      offset = data.logStartOffset;
      continue;
    }
    check(data.errorCode, `Fetch of ${TRANSACTION_STATE_TOPIC}-${partition}`);
    const batches = data.records === null ? [] : readBatches(data.records).batches;
    if (batches.length === 0) break;
    for (const batch of batches) {
      if (batch.isControl) continue;
      for (const record of decodeRecords(batch)) {
        if (record.offset < Number(offset) || record.key === null) continue;
        const id = decodeTransactionLogKey(record.key);
        latest.set(id, record.value === null ? null : decodeTransactionLogValue(record.value));
      }
    }
    offset = BigInt(batches[batches.length - 1]!.nextOffset);
  }
  return latest;
}

function check(errorCode: number, what: string): void {
  if (errorCode !== ErrorCode.NONE) {
    throw new TransactionCommandError(`${what}: ${errorForCode(errorCode).name}`);
  }
}
