/** The pure parts of the samsa tools: record formats, line parsing, the banner, port owners. */
import t from 'tap';
import type { KafkaMessage } from 'kafkajs';
import { createServer } from 'node:net';
import { formatRecord } from '../../../scripts/samsa/consume.js';
import { lineToMessage, parseAcks } from '../../../scripts/samsa/produce.js';
import { banner } from '../../../scripts/samsa/banner.js';
import { describePortOwner, portOwner } from '../../../scripts/samsa/port-owner.js';
import { describeError } from '../../../scripts/samsa/kafka.js';
import { LatencyRecorder } from '../../../scripts/samsa/bench.js';

t.test('formatRecord: kcat-like tokens', async (t) => {
  const record = {
    topic: 'orders',
    partition: 2,
    message: {
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      offset: '7',
      timestamp: '1700000000000',
      headers: { a: Buffer.from('1'), b: [Buffer.from('2'), Buffer.from('3')] },
      attributes: 0,
    } as KafkaMessage,
  };
  t.equal(
    formatRecord('%T/%p@%o %k=%v %t [%h] 100%%\\n', record),
    'orders/2@7 k=v 1700000000000 [a=1,b=2,b=3] 100%\n',
  );
  t.equal(formatRecord('%k|%v', { ...record, message: { ...record.message, key: null } }), '|v');
});

t.test('lineToMessage and acks', async (t) => {
  t.same(lineToMessage('k:v:w', { keySeparator: ':', headers: {} }), { key: 'k', value: 'v:w' });
  t.same(lineToMessage('plain', { headers: { h: 'x' }, partition: 1 }), {
    key: null,
    value: 'plain',
    headers: { h: 'x' },
    partition: 1,
  });
  t.throws(() => lineToMessage('nokey', { keySeparator: ':', headers: {} }), /no key separator/);
  t.equal(parseAcks('all'), -1);
  t.equal(parseAcks('1'), 1);
  t.throws(() => parseAcks('2'));
});

t.test('describeError names the Kafka error inside kafkajs wrappers', async (t) => {
  const inner = { name: 'KafkaJSProtocolError', type: 'NOT_ENOUGH_REPLICAS', message: 'few' };
  t.equal(
    describeError({ name: 'KafkaJSNumberOfRetriesExceeded', message: 'x', cause: inner }),
    'NOT_ENOUGH_REPLICAS: few',
  );
  t.equal(
    describeError({ name: 'KafkaJSAggregateError', errors: [{ ...inner, topic: 't' }] }),
    'NOT_ENOUGH_REPLICAS: few (topic t)',
  );
  t.equal(describeError(new Error('plain')), 'plain');
});

t.test('latency percentiles', async (t) => {
  const l = new LatencyRecorder();
  for (let i = 1; i <= 100; i++) l.add(i);
  t.equal(l.percentile(0.5), 50);
  t.equal(l.percentile(0.99), 99);
  t.equal(l.max, 100);
  t.equal(l.avg, 50.5);
});

t.test('banner: what runs where and three commands', async (t) => {
  const text = banner({
    coordinatorPort: 2181,
    coordinatorAdminPort: 8080,
    brokers: [
      { id: 1, port: 9092, adminPort: 8091 },
      { id: 2, port: 9093, adminPort: 8092 },
    ],
    dashboardUrl: 'http://127.0.0.1:9000/',
  });
  t.match(text, /coordinator +127\.0\.0\.1:2181 +http:\/\/127\.0\.0\.1:8080\/metrics/);
  t.match(text, /broker 2 +127\.0\.0\.1:9093 +http:\/\/127\.0\.0\.1:8092\/metrics/);
  t.match(text, /dashboard +http:\/\/127\.0\.0\.1:9000\//);
  t.match(text, /bootstrap servers: 127\.0\.0\.1:9092,127\.0\.0\.1:9093/);
  t.equal(
    text.split('\n').filter((l) => l.startsWith('    npx samsa') || l.includes('| npx samsa'))
      .length,
    3,
  );
});

t.test('portOwner finds the process listening on a port', async (t) => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => server.close());
  const { port } = server.address() as { port: number };
  const owner = portOwner(port);
  if (process.platform !== 'linux') {
    t.equal(owner, undefined, 'no /proc: unknown');
    return;
  }
  t.equal(owner?.pid, process.pid);
  t.match(describePortOwner(port), new RegExp(`^ by pid ${process.pid} \\(.*node`));
});
