// The checkout: places orders on `orders`, keyed by order id, so that every event of one order
// lands in the same partition and is read in the order it was written.
//   node docs/tutorial/checkout.mjs [count] [--interval-ms N]
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { kafka, producer } from './kafka.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'interval-ms': { type: 'string', default: '50' } },
});
const count = Number(positionals[0] ?? 100);
const intervalMs = Number(values['interval-ms']);
const run = Date.now().toString(36); // order ids stay unique across runs

const orders = producer(kafka('checkout'));
await orders.connect();
for (let i = 1; i <= count; i++) {
  const order = { orderId: `order-${run}-${i}`, sku: `sku-${i % 7}`, quantity: 1 + (i % 3) };
  order.amount = order.quantity * 19.99;
  await orders.send({
    topic: 'orders',
    acks: -1, // every in-sync replica has it, and at least min.insync.replicas of them
    messages: [{ key: order.orderId, value: JSON.stringify(order) }],
  });
  process.stdout.write(`placed ${order.orderId}\n`);
  await sleep(intervalMs);
}
await orders.disconnect();
process.stdout.write(`checkout: ${count} orders placed\n`);
