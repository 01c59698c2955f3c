// Reads topics from the beginning to their end and counts, per topic, the records and the
// distinct order ids (record keys): how you check that every order got exactly one
// confirmation.   node docs/tutorial/count.mjs orders payments inventory order-confirmations
import process from 'node:process';
import { kafka } from './kafka.mjs';

const topics = process.argv.slice(2);
const client = kafka('count');
const admin = client.admin();
await admin.connect();
// The end of each partition now (its high watermark): reading stops there.
const ends = new Map();
for (const topic of topics) {
  for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
    if (Number(high) > 0) ends.set(`${topic}-${partition}`, Number(high));
  }
}
const keys = new Map(topics.map((topic) => [topic, []]));
const groupId = `count-${process.pid}-${Date.now()}`; // a group of its own, deleted at the end
const consumer = client.consumer({ groupId });
await consumer.connect();
await consumer.subscribe({ topics, fromBeginning: true });
const done = new Promise((resolve) => {
  if (ends.size === 0) resolve();
  void consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const end = ends.get(`${topic}-${partition}`);
      if (end === undefined || Number(message.offset) >= end) return;
      keys.get(topic).push(String(message.key));
      if (Number(message.offset) === end - 1) ends.delete(`${topic}-${partition}`);
      if (ends.size === 0) resolve();
    },
  });
});
await done;
await consumer.disconnect();
await admin.deleteGroups([groupId]);
await admin.disconnect();
for (const [topic, read] of keys) {
  const orders = new Set(read);
  process.stdout.write(`${topic}: ${read.length} records, ${orders.size} orders\n`);
}
