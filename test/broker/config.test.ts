import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import {
  buildBrokerConfig,
  ConfigError,
  parseOverrides,
  parseProperties,
} from '../../broker/config.js';

const base = { cli: { coordinator: '127.0.0.1:2181' } };

t.test('defaults are Kafka 2.8 defaults', async (t) => {
  const c = buildBrokerConfig(base);
  t.equal(c.brokerId, -1);
  t.equal(c.numPartitions, 1);
  t.equal(c.defaultReplicationFactor, 1);
  t.equal(c.autoCreateTopicsEnable, true);
  t.equal(c.deleteTopicEnable, true);
  t.equal(c.uncleanLeaderElectionEnable, false);
  t.equal(c.log.segmentBytes, 1073741824);
  t.equal(c.log.segmentMs, 168 * 3600_000);
  t.equal(c.log.retentionMs, 168 * 3600_000);
  t.equal(c.log.retentionBytes, -1);
  t.equal(c.log.flushIntervalMessages, Infinity);
  t.equal(c.log.flushIntervalMs, Infinity);
  t.equal(c.messageMaxBytes, 1048588);
  t.equal(c.socketRequestMaxBytes, 104857600);
  t.equal(c.zookeeperSessionTimeoutMs, 18000);
  t.equal(c.zookeeperConnectionTimeoutMs, 18000, 'defaults to the session timeout');
  t.same(c.logDirs, ['/tmp/kafka-logs']);
  t.same(c.listeners, [
    { listenerName: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 'PLAINTEXT' },
  ]);
  t.same(c.advertisedListeners, c.listeners, 'advertised.listeners defaults to listeners');
});

t.test('properties file format: comments, separators, continuation lines', async (t) => {
  const props = parseProperties(
    [
      '# a comment',
      '! another',
      '',
      'broker.id = 7',
      'num.partitions:3',
      'log.dirs=/a,\\',
      '   /b',
    ].join('\n'),
  );
  t.same(
    [...props],
    [
      ['broker.id', '7'],
      ['num.partitions', '3'],
      ['log.dirs', '/a,/b'],
    ],
  );
});

t.test('precedence: file < --override < CLI flags', async (t) => {
  const c = buildBrokerConfig({
    fileText:
      'broker.id=1\nnum.partitions=2\nzookeeper.connect=file:1\nlisteners=PLAINTEXT://127.0.0.1:1111\n',
    overrides: ['num.partitions=5', 'broker.id=2'],
    cli: { id: 3, port: 9093, coordinator: 'cli:2', dataDir: '/data/b3' },
  });
  t.equal(c.brokerId, 3);
  t.equal(c.numPartitions, 5);
  t.equal(c.zookeeperConnect, 'cli:2');
  t.equal(c.listeners[0]?.port, 9093);
  t.same(c.logDirs, ['/data/b3']);
});

t.test('derived settings follow Kafka precedence', async (t) => {
  t.equal(buildBrokerConfig({ ...base, overrides: ['log.roll.hours=1'] }).log.segmentMs, 3600_000);
  t.equal(
    buildBrokerConfig({ ...base, overrides: ['log.roll.hours=1', 'log.roll.ms=5'] }).log.segmentMs,
    5,
  );
  t.equal(
    buildBrokerConfig({ ...base, overrides: ['log.retention.minutes=2'] }).log.retentionMs,
    120_000,
  );
  t.equal(
    buildBrokerConfig({ ...base, overrides: ['log.retention.minutes=2', 'log.retention.ms=9'] }).log
      .retentionMs,
    9,
  );
  t.equal(
    buildBrokerConfig({ ...base, overrides: ['log.retention.hours=-1'] }).log.retentionMs,
    -1,
  );
  t.same(buildBrokerConfig({ ...base, overrides: ['log.dir=/x'] }).logDirs, ['/x']);
  t.same(buildBrokerConfig({ ...base, overrides: ['log.dir=/x', 'log.dirs=/y,/z'] }).logDirs, [
    '/y',
    '/z',
  ]);
  t.equal(
    buildBrokerConfig({ ...base, overrides: ['log.flush.interval.messages=10'] }).log
      .flushIntervalMessages,
    10,
  );
  const adv = buildBrokerConfig({
    ...base,
    overrides: ['advertised.listeners=PLAINTEXT://localhost:19092'],
  });
  t.equal(adv.advertisedListeners[0]?.host, 'localhost');
  t.equal(adv.listeners[0]?.port, 9092);
});

t.test('unknown or invalid settings stop the start, naming the key', async (t) => {
  const fails = (
    input: Parameters<typeof buildBrokerConfig>[0],
    key: string,
    pattern: RegExp,
  ): void => {
    let caught: unknown;
    try {
      buildBrokerConfig(input);
    } catch (err) {
      caught = err;
    }
    t.ok(caught instanceof ConfigError, `${key}: a ConfigError`);
    t.equal((caught as ConfigError).key, key);
    t.equal((caught as ConfigError).code, 'KB_ERR_CONFIG');
    t.match((caught as Error).message, pattern);
  };
  fails(
    { ...base, overrides: ['log.retention.hour=1'] },
    'log.retention.hour',
    /unknown property log.retention.hour \(did you mean log.retention.hours\?\)/,
  );
  fails({ ...base, overrides: ['no.such.thing=1'] }, 'no.such.thing', /unknown property/);
  fails({ ...base, overrides: ['num.partitions=abc'] }, 'num.partitions', /not an integer/);
  fails({ ...base, overrides: ['num.partitions=0'] }, 'num.partitions', /less than the minimum 1/);
  fails(
    { ...base, overrides: ['log.segment.bytes=99999999999'] },
    'log.segment.bytes',
    /out of the int range/,
  );
  // Known to Kafka but not implemented here: the value is still checked.
  fails(
    { ...base, overrides: ['log.cleaner.backoff.ms=-5'] },
    'log.cleaner.backoff.ms',
    /less than the minimum 0/,
  );
  fails(
    { ...base, overrides: ['ssl.client.auth=maybe'] },
    'ssl.client.auth',
    /not one of none, requested, required/,
  );
  fails(
    { ...base, overrides: ['compression.type=brotli'] },
    'compression.type',
    /one of uncompressed, zstd, lz4, snappy, gzip, producer/,
  );
  fails(
    { ...base, overrides: ['auto.create.topics.enable=yes'] },
    'auto.create.topics.enable',
    /true or false/,
  );
  fails({ ...base, overrides: ['listeners=localhost:9092'] }, 'listeners', /NAME:\/\/host:port/);
  fails(
    { ...base, overrides: ['listeners=INTERNAL://h:1'] },
    'listeners',
    /not in listener.security.protocol.map/,
  );
  fails(
    { ...base, overrides: ['log.message.timestamp.type=Now'] },
    'log.message.timestamp.type',
    /one of/,
  );
  fails(
    { ...base, overrides: ['log.cleanup.policy=shred'] },
    'log.cleanup.policy',
    /delete, compact or both/,
  );
  fails({}, 'zookeeper.connect', /required/);
  t.throws(() => parseOverrides(['novalue']), /key=value/);
  t.throws(() => parseProperties('just-a-key-without-value-and-no-separator\n='), ConfigError);
});

t.test('log cleaner and cleanup policy settings reach the log config', (t) => {
  const config = buildBrokerConfig({
    ...base,
    overrides: [
      'log.cleanup.policy=compact,delete',
      'log.cleaner.backoff.ms=500',
      'log.cleaner.min.cleanable.ratio=0.2',
      'log.cleaner.delete.retention.ms=1000',
      'log.segment.delete.delay.ms=0',
      'log.cleaner.dedupe.buffer.size=1048576',
    ],
  });
  t.same(config.log.cleanupPolicy, ['compact', 'delete']);
  t.equal(config.log.minCleanableDirtyRatio, 0.2);
  t.equal(config.log.deleteRetentionMs, 1000);
  t.equal(config.log.fileDeleteDelayMs, 0);
  t.equal(config.log.maxCompactionLagMs, Infinity);
  t.match(config.logCleaner, { backoffMs: 500, dedupeBufferBytes: 1048576 });
  t.end();
});

t.test('Kafka properties Samsa does not implement are accepted and listed', async (t) => {
  const c = buildBrokerConfig({
    ...base,
    overrides: [
      'num.network.threads=3',
      'background.threads=5',
      'listener.name.plaintext.ssl.keystore.location=/x',
      'num.partitions=2',
    ],
  });
  t.equal(c.numPartitions, 2);
  // listener.name.<l>.ssl.* is honoured: the listener's TLS settings read it.
  t.same(c.unhonouredProperties, ['background.threads', 'num.network.threads']);
  t.equal(c.staticProperties.get('num.partitions'), '2');
  t.notOk(c.staticProperties.has('num.io.threads'), 'defaults are not static settings');
});

t.test("Kafka 2.8's sample config/server.properties is accepted unchanged", async (t) => {
  const fileText = readFileSync(
    fileURLToPath(new URL('../fixtures/kafka/server.properties', import.meta.url)),
    'utf8',
  );
  const c = buildBrokerConfig({ fileText, cli: { dataDir: '/data/x', port: 0 } });
  t.equal(c.brokerId, 0);
  t.equal(c.zookeeperConnect, 'localhost:2181');
  t.same(c.logDirs, ['/data/x'], "--data-dir replaces the file's log.dirs");
  t.equal(c.log.retentionMs, 168 * 3600_000);
  t.equal(c.groupInitialRebalanceDelayMs, 0);
  t.same(c.unhonouredProperties, [
    'num.io.threads',
    'num.network.threads',
    'num.recovery.threads.per.data.dir',
    'socket.receive.buffer.bytes',
    'socket.send.buffer.bytes',
  ]);
  // The sample's one-broker transaction settings are honoured now.
  t.equal(c.transactionStateLogReplicationFactor, 1);
  t.equal(c.transactionStateLogMinIsr, 1);
});

t.test('broker-level compression and timestamp settings reach the log defaults', async (t) => {
  const c = buildBrokerConfig({
    ...base,
    overrides: ['compression.type=zstd', 'log.message.timestamp.difference.max.ms=1000'],
  });
  t.equal(c.log.compressionType, 'zstd');
  t.equal(c.log.messageTimestampDifferenceMaxMs, 1000);
  t.equal(buildBrokerConfig(base).log.messageTimestampDifferenceMaxMs, Infinity);
});
