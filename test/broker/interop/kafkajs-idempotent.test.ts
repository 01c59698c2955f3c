/**
 * Idempotent producers against one in-process broker: kafkajs with `idempotent: true`
 * (InitProducerId, then sequence-numbered batches) writes every message once; and a raw
 * Produce repeating an idempotent batch, as a producer does after a lost response, gets the
 * first append's offset back while the log does not grow; a gap is OUT_OF_ORDER_SEQUENCE_NUMBER.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, RawClient } from '../server/harness.js';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { buildRecordBatch } from '../../../src/protocol/kafka/record-batch.js';

t.test('kafkajs idempotent producer: every message exactly once, in order', async (t) => {
  const broker = await startBroker(t);
  const kafka = new Kafka({
    brokers: [broker.bootstrap],
    clientId: 'idempotent',
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 50 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'idem', numPartitions: 1 }], waitForLeaders: true });

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const sent: string[] = [];
  for (let round = 0; round < 5; round++) {
    const values = Array.from({ length: 20 }, (_, i) => `m-${round * 20 + i}`);
    const [result] = await producer.send({
      topic: 'idem',
      acks: -1,
      messages: values.map((value) => ({ value })),
    });
    t.equal(result!.errorCode, ErrorCode.NONE);
    t.equal(result!.baseOffset, String(round * 20), `send ${round} at offset ${round * 20}`);
    sent.push(...values);
  }
  const log = broker.logManager.getLog({ topic: 'idem', partition: 0 })!;
  const producers = [...log.producerState.activeProducers.values()];
  t.equal(producers.length, 1, 'one producer id');
  t.equal(producers[0]!.batches.at(-1)!.lastSeq, 99, 'its sequence numbers reached 99');

  const received: string[] = [];
  const consumer = kafka.consumer({ groupId: 'idem-readers', maxWaitTimeInMs: 200 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'idem', fromBeginning: true });
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        received.push(message.value!.toString());
        if (received.length === sent.length) resolve();
      },
    });
  });
  t.same(received, sent);
});

t.test('a repeated idempotent batch gets its first offset back and is not written', async (t) => {
  const broker = await startBroker(t);
  await broker.controller.createTopic('raw', 1);
  const client = await RawClient.connect(broker.port);
  t.teardown(() => client.close());
  const init = await client.send(ApiKey.InitProducerId, 4, {
    transactionalId: null,
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
  });
  t.equal(init.errorCode, ErrorCode.NONE);
  t.equal(init.producerEpoch, 0);
  const producerId = Number(init.producerId);
  const produce = (baseSequence: number, count: number) =>
    client.send(ApiKey.Produce, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [
        {
          name: 'raw',
          partitionData: [
            {
              index: 0,
              records: buildRecordBatch({
                producerId,
                producerEpoch: 0,
                baseSequence,
                records: Array.from({ length: count }, (_, i) => ({
                  value: `s${baseSequence + i}`,
                })),
              }),
            },
          ],
        },
      ],
    });
  const first = (await produce(0, 3)).responses[0]!.partitionResponses[0]!;
  const second = (await produce(3, 2)).responses[0]!.partitionResponses[0]!;
  t.match([first.errorCode, first.baseOffset, second.baseOffset], [ErrorCode.NONE, 0n, 3n]);
  const retry = (await produce(0, 3)).responses[0]!.partitionResponses[0]!;
  t.equal(retry.errorCode, ErrorCode.NONE, 'a duplicate is a success');
  t.equal(retry.baseOffset, 0n, 'with the offset of the first append');
  const log = broker.logManager.getLog({ topic: 'raw', partition: 0 })!;
  t.equal(log.logEndOffset, 5, 'and nothing was appended');
  const gap = (await produce(9, 1)).responses[0]!.partitionResponses[0]!;
  t.equal(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  const another = await client.send(ApiKey.InitProducerId, 4, {
    transactionalId: null,
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
  });
  t.not(another.producerId, init.producerId, 'each InitProducerId gets a new id');
});
