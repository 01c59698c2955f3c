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
  fails({ ...base, overrides: ['log.retention.hour=1'] }, 'log.retention.hour', /unknown property/);
  fails({ ...base, overrides: ['num.partitions=abc'] }, 'num.partitions', /not an integer/);
  fails({ ...base, overrides: ['num.partitions=0'] }, 'num.partitions', /smaller than 1/);
  fails(
    { ...base, overrides: ['log.segment.bytes=99999999999'] },
    'log.segment.bytes',
    /larger than/,
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
    { ...base, overrides: ['log.cleanup.policy=compact'] },
    'log.cleanup.policy',
    /only "delete"/,
  );
  fails({}, 'zookeeper.connect', /required/);
  t.throws(() => parseOverrides(['novalue']), /key=value/);
  t.throws(() => parseProperties('just-a-key-without-value-and-no-separator\n='), ConfigError);
});
