// The inventory service: group inventory-service reads `orders` too (a group of its own, so it
// gets every order, independently of the payment service) and reserves stock on `inventory`.
import process from 'node:process';
import { json, kafka, membership, producer, stopOn } from './kafka.mjs';

const client = kafka('inventory-service');
const inventory = producer(client);
const consumer = client.consumer({ groupId: 'inventory-service', ...membership });
await Promise.all([inventory.connect(), consumer.connect()]);
await consumer.subscribe({ topic: 'orders', fromBeginning: true });
await consumer.run({
  eachMessage: async ({ partition, message }) => {
    const order = json(message);
    const reservation = { orderId: order.orderId, sku: order.sku, reserved: order.quantity };
    await inventory.send({
      topic: 'inventory',
      acks: -1,
      messages: [{ key: order.orderId, value: JSON.stringify(reservation) }],
    });
    const at = `orders-${partition} at ${message.offset}`;
    process.stdout.write(`reserved ${order.orderId} (${at})\n`);
  },
});
stopOn(consumer, inventory);
