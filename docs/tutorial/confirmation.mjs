// The confirmation service: group confirmation-service reads `payments` and `inventory` and,
// once an order is both paid and reserved, writes one record to `order-confirmations`.
// Consumers are at least once (records after the last committed offset come again after a
// rebalance or a restart), so it remembers which orders it has confirmed and confirms each
// once. That memory is in this process: run one member (see the README, "Scaling").
import process from 'node:process';
import { json, kafka, membership, producer, stopOn } from './kafka.mjs';

const client = kafka('confirmation-service');
const confirmations = producer(client);
const consumer = client.consumer({ groupId: 'confirmation-service', ...membership });
const pending = new Map(); // orderId -> the topics it has been seen on
const confirmed = new Set();
await Promise.all([confirmations.connect(), consumer.connect()]);
await consumer.subscribe({ topics: ['payments', 'inventory'], fromBeginning: true });
await consumer.run({
  eachMessage: async ({ topic, message }) => {
    const { orderId } = json(message);
    if (confirmed.has(orderId)) return; // a record read again
    const seen = pending.get(orderId) ?? new Set();
    pending.set(orderId, seen.add(topic));
    if (seen.size < 2) return; // paid but not reserved yet, or the other way round
    await confirmations.send({
      topic: 'order-confirmations',
      acks: -1,
      messages: [{ key: orderId, value: JSON.stringify({ orderId, confirmed: true }) }],
    });
    confirmed.add(orderId);
    pending.delete(orderId);
    process.stdout.write(`confirmed ${orderId}\n`);
  },
});
stopOn(consumer, confirmations);
