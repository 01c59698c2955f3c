// The payment service: group payment-service reads `orders` and writes one event per order to
// `payments`, under the same key. Start it twice and the group's partitions are shared out.
import process from 'node:process';
import { json, kafka, membership, producer, stopOn } from './kafka.mjs';

const client = kafka('payment-service');
const payments = producer(client);
const consumer = client.consumer({ groupId: 'payment-service', ...membership });
await Promise.all([payments.connect(), consumer.connect()]);
await consumer.subscribe({ topic: 'orders', fromBeginning: true });
await consumer.run({
  eachMessage: async ({ partition, message }) => {
    const order = json(message);
    // A real service charges the card here, with the order id as the idempotency key: after a
    // rebalance or a crash, the records after the last committed offset are read again.
    await payments.send({
      topic: 'payments',
      acks: -1,
      messages: [{ key: order.orderId, value: JSON.stringify({ ...order, paid: true }) }],
    });
    process.stdout.write(`paid ${order.orderId} (orders-${partition} at ${message.offset})\n`);
  },
});
stopOn(consumer, payments);
