/**
 * The broker's configuration: Kafka's property names, types and defaults (Kafka 2.8.2's
 * KafkaConfig), read from a `server.properties`-style file plus `--override k=v`
 * pairs, checked, and turned into one typed `BrokerConfig`. Pure: no file I/O here (the CLI
 * reads the file and passes its text), so every rule is unit-tested.
 *
 * Precedence, lowest to highest (as `kafka-server-start.sh --override` works):
 *   defaults  <  properties file  <  --override pairs  <  the dedicated CLI flags
 *   (--id, --port, --coordinator, --data-dir are shorthands for broker.id, listeners,
 *   zookeeper.connect and log.dirs).
 *
 * File format (java.util.Properties, the subset people use): one `key=value` (or `key:value`)
 * per line; `#` and `!` start comment lines; blank lines are skipped; whitespace around key
 * and value is trimmed; a trailing `\` continues the value on the next line.
 *
 * Three kinds of names (a real Kafka 2.8 server.properties starts unchanged):
 *   - honoured: listed in BROKER_PROPERTIES below, read into BrokerConfig and acted on;
 *   - known but not implemented: every other Kafka 2.8 broker property
 *     (src/kafka-config/kafka-broker-properties.ts). Its value is checked like Kafka checks it
 *     and then has no effect; main.ts logs ONE warning at start listing all such keys given;
 *   - unknown: a name Kafka 2.8 does not have stops the start, with the closest known name as
 *     a suggestion. Kafka itself only warns; we refuse because a typo (`log.retention.hour`)
 *     silently doing nothing is the most common configuration bug, and this broker has no
 *     plugins that could own extra keys.
 * A bad value (wrong type, out of range, not one of the allowed values) stops the start with
 * a message naming the key and what is allowed (ConfigError, code KB_ERR_CONFIG).
 *
 * Adding a property Samsa honours is a one-place change: its row in BROKER_PROPERTIES (name,
 * type and validator as in Kafka, default, doc) plus the line of buildBrokerConfig that reads
 * it into BrokerConfig. Which honoured ones may change at run time (KIP-226, /config/brokers)
 * is decided in broker/server/config-repository.ts.
 *
 * Derived settings follow Kafka's precedence: `log.roll.ms` wins over `log.roll.hours`;
 * `log.retention.ms` over `.minutes` over `.hours`; `log.dirs` over `log.dir`;
 * `advertised.listeners` defaults to `listeners`.
 */
import { DEFAULT_LOG_CONFIG, type CompressionType, type LogConfig } from './log/log-config.js';
import {
  configValueError,
  parseConfigList,
  parseConfigNumber,
  unknownConfigMessage,
  type ConfigDef,
} from '../src/kafka-config/config-def.js';
import {
  KAFKA_BROKER_PROPERTIES,
  kafkaBrokerProperty,
} from '../src/kafka-config/kafka-broker-properties.js';
import {
  buildSecurityConfig,
  isListenerPrefixedProperty,
  parseProtocolMap,
  type SecurityConfig,
} from './security/security-config.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'KB_ERR_CONFIG';
  constructor(
    readonly key: string,
    detail: string,
  ) {
    super(`invalid configuration ${key}: ${detail}`);
  }
}

/** A property Samsa honours: Kafka's type and validator (ConfigDef), default and a doc line. */
export interface PropertyDef extends ConfigDef {
  /** As Kafka's ConfigDef: the default in its string form; undefined = no default. */
  default: string | undefined;
  doc: string;
}

const HOURS_168 = String(168);

/**
 * Every property this broker honours. Names, types, validators and defaults are Kafka 2.8's;
 * a property is here only if something reads it. (Kafka's other properties are known to
 * src/kafka-config/kafka-broker-properties.ts and accepted with a warning.)
 */
export const BROKER_PROPERTIES: Readonly<Record<string, PropertyDef>> = {
  'broker.id': { type: 'int', default: '-1', min: -1, doc: "this broker's id; -1 = generate one" },
  'broker.id.generation.enable': {
    type: 'boolean',
    default: 'true',
    doc: 'generate ids from /brokers/seqid',
  },
  'reserved.broker.max.id': {
    type: 'int',
    default: '1000',
    min: 0,
    doc: 'generated ids start above this',
  },
  'broker.rack': {
    type: 'string',
    default: undefined,
    doc: 'rack of this broker (registration JSON)',
  },
  listeners: { type: 'list', default: 'PLAINTEXT://127.0.0.1:9092', doc: 'listener URIs to bind' },
  'advertised.listeners': {
    type: 'list',
    default: undefined,
    doc: 'listener URIs to register; default listeners',
  },
  'listener.security.protocol.map': {
    type: 'list',
    default: 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    doc: 'listener name to security protocol',
  },
  'inter.broker.listener.name': {
    type: 'string',
    default: undefined,
    doc: 'listener brokers use to reach each other; default: security.inter.broker.protocol',
  },
  'security.inter.broker.protocol': {
    type: 'string',
    default: 'PLAINTEXT',
    oneOf: ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'],
    doc: 'the inter-broker listener, by protocol (when inter.broker.listener.name is unset)',
  },
  'log.dir': {
    type: 'string',
    default: '/tmp/kafka-logs',
    doc: 'log directory, used when log.dirs is unset',
  },
  'log.dirs': { type: 'list', default: undefined, doc: 'log directories' },
  'num.partitions': { type: 'int', default: '1', min: 1, doc: 'partitions of auto-created topics' },
  'default.replication.factor': {
    type: 'int',
    default: '1',
    min: 1,
    doc: 'replication factor of auto-created topics',
  },
  'auto.create.topics.enable': {
    type: 'boolean',
    default: 'true',
    doc: 'create unknown topics on Metadata',
  },
  'delete.topic.enable': { type: 'boolean', default: 'true', doc: 'allow DeleteTopics' },
  'min.insync.replicas': {
    type: 'int',
    default: '1',
    min: 1,
    doc: 'acks=all needs this many in sync',
  },
  'unclean.leader.election.enable': {
    type: 'boolean',
    default: 'false',
    doc: 'elect out-of-sync replicas',
  },
  'log.segment.bytes': {
    type: 'int',
    default: String(DEFAULT_LOG_CONFIG.segmentBytes),
    min: 14,
    doc: 'segment size',
  },
  'log.roll.ms': { type: 'long', default: undefined, min: 1, doc: 'roll segments this old' },
  'log.roll.hours': {
    type: 'int',
    default: HOURS_168,
    min: 1,
    doc: 'roll segments this old, in hours',
  },
  'log.roll.jitter.ms': {
    type: 'long',
    default: undefined,
    min: 0,
    doc: 'jitter subtracted from roll time',
  },
  'log.roll.jitter.hours': { type: 'int', default: '0', min: 0, doc: 'jitter in hours' },
  'log.retention.ms': {
    type: 'long',
    default: undefined,
    min: -1,
    doc: 'delete segments older than this',
  },
  'log.retention.minutes': {
    type: 'int',
    default: undefined,
    min: -1,
    doc: 'retention in minutes',
  },
  'log.retention.hours': { type: 'int', default: HOURS_168, min: -1, doc: 'retention in hours' },
  'log.retention.bytes': { type: 'long', default: '-1', min: -1, doc: 'per-partition size limit' },
  'log.retention.check.interval.ms': {
    type: 'long',
    default: '300000',
    min: 1,
    doc: 'retention period',
  },
  'log.index.size.max.bytes': {
    type: 'int',
    default: String(DEFAULT_LOG_CONFIG.maxIndexBytes),
    min: 4,
    doc: 'index size',
  },
  'log.index.interval.bytes': {
    type: 'int',
    default: '4096',
    min: 0,
    doc: 'bytes between index entries',
  },
  'log.flush.interval.messages': {
    type: 'long',
    default: String(Number.MAX_SAFE_INTEGER),
    min: 1,
    doc: 'fsync every N messages',
  },
  'log.flush.interval.ms': { type: 'long', default: undefined, min: 0, doc: 'fsync logs this old' },
  'log.flush.scheduler.interval.ms': {
    type: 'long',
    default: String(Number.MAX_SAFE_INTEGER),
    min: 0,
    doc: 'flush check period',
  },
  'log.flush.offset.checkpoint.interval.ms': {
    type: 'int',
    default: '60000',
    min: 0,
    doc: 'recovery-point checkpoint period',
  },
  'log.message.timestamp.type': {
    type: 'string',
    default: 'CreateTime',
    oneOf: ['CreateTime', 'LogAppendTime'],
    doc: 'timestamp type',
  },
  'log.cleanup.policy': {
    type: 'list',
    default: 'delete',
    doc: 'delete (retention), compact (the log cleaner), or both',
  },
  // The log cleaner (broker/log/log-cleaner.ts) and delayed segment deletion.
  'log.cleaner.enable': { type: 'boolean', default: 'true', doc: 'run the log cleaner' },
  'log.cleaner.backoff.ms': {
    type: 'long',
    default: '15000',
    min: 0,
    doc: 'pause when no log needs cleaning',
  },
  'log.cleaner.dedupe.buffer.size': {
    type: 'long',
    default: String(128 * 1024 * 1024),
    min: 48,
    doc: 'memory for the key -> offset map',
  },
  'log.cleaner.io.buffer.size': {
    type: 'int',
    default: String(512 * 1024),
    min: 0,
    doc: 'bytes read or written at a time',
  },
  'log.cleaner.io.buffer.load.factor': {
    type: 'string',
    default: '0.9',
    doc: 'how full the offset map may get',
  },
  'log.cleaner.threads': { type: 'int', default: '1', min: 0, doc: 'accepted; one cleaner runs' },
  'log.cleaner.io.max.bytes.per.second': {
    type: 'string',
    default: '1.7976931348623157E308',
    doc: 'bytes the cleaner reads plus writes per second (Double.MaxValue: unlimited)',
  },
  'log.cleaner.min.cleanable.ratio': {
    type: 'string',
    default: '0.5',
    doc: 'clean a log once this share of it is dirty (0..1)',
  },
  'log.cleaner.delete.retention.ms': {
    type: 'long',
    default: '86400000',
    min: 0,
    doc: 'how long tombstones stay after cleaning',
  },
  'log.cleaner.min.compaction.lag.ms': {
    type: 'long',
    default: '0',
    min: 0,
    doc: 'records stay uncompacted at least this long',
  },
  'log.cleaner.max.compaction.lag.ms': {
    type: 'long',
    default: String(Number.MAX_SAFE_INTEGER),
    min: 1,
    doc: 'dirty records are compacted at the latest this long after',
  },
  'log.segment.delete.delay.ms': {
    type: 'long',
    default: '60000',
    min: 0,
    doc: 'delay before a deleted segment leaves the disk',
  },
  'log.message.timestamp.difference.max.ms': {
    type: 'long',
    default: '9223372036854775807',
    min: 0,
    doc: 'CreateTime batches further than this from the broker clock are refused',
  },
  'compression.type': {
    type: 'string',
    default: 'producer',
    oneOf: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'],
    doc: 'codec batches are stored with; producer = as the producer sent them',
  },
  'message.max.bytes': {
    type: 'int',
    default: String(DEFAULT_LOG_CONFIG.maxMessageBytes),
    min: 0,
    doc: 'largest batch',
  },
  'socket.request.max.bytes': {
    type: 'int',
    default: '104857600',
    min: 1,
    doc: 'largest request frame',
  },
  'replica.lag.time.max.ms': {
    type: 'long',
    default: '30000',
    min: 0,
    doc: 'followers slower than this leave the ISR',
  },
  'replica.fetch.wait.max.ms': {
    type: 'int',
    default: '500',
    min: 0,
    doc: 'follower fetch max wait',
  },
  'replica.fetch.max.bytes': {
    type: 'int',
    default: '1048576',
    min: 0,
    doc: 'follower fetch size',
  },
  'replication.quota.window.num': {
    type: 'int',
    default: '11',
    min: 1,
    doc: 'samples kept by the replication quotas',
  },
  'replication.quota.window.size.seconds': {
    type: 'int',
    default: '1',
    min: 1,
    doc: 'time span of one replication quota sample',
  },
  'replica.high.watermark.checkpoint.interval.ms': {
    type: 'long',
    default: '5000',
    min: 1,
    doc: 'HW checkpoint period',
  },
  'offsets.topic.num.partitions': {
    type: 'int',
    default: '50',
    min: 1,
    doc: '__consumer_offsets partitions',
  },
  'offsets.topic.replication.factor': {
    type: 'int',
    default: '3',
    min: 1,
    doc: '__consumer_offsets replicas',
  },
  'offsets.topic.segment.bytes': {
    type: 'int',
    default: '104857600',
    min: 1,
    doc: '__consumer_offsets segment size (compaction cleans closed segments)',
  },
  'group.initial.rebalance.delay.ms': {
    type: 'int',
    default: '3000',
    min: 0,
    doc: 'first rebalance delay',
  },
  'group.min.session.timeout.ms': {
    type: 'int',
    default: '6000',
    min: 0,
    doc: 'shortest session.timeout.ms a member may ask for',
  },
  'group.max.session.timeout.ms': {
    type: 'int',
    default: '1800000',
    min: 0,
    doc: 'longest session.timeout.ms a member may ask for',
  },
  'group.max.size': { type: 'int', default: '2147483647', min: 1, doc: 'members per group' },
  'offsets.retention.minutes': {
    type: 'int',
    default: '10080',
    min: 1,
    doc: 'how long an empty group keeps its offsets',
  },
  'offsets.retention.check.interval.ms': {
    type: 'long',
    default: '600000',
    min: 1,
    doc: 'how often expired offsets are removed',
  },
  'offsets.commit.timeout.ms': {
    type: 'int',
    default: '5000',
    min: 1,
    doc: 'how long an offset commit waits for the replicas',
  },
  'offset.metadata.max.bytes': {
    type: 'int',
    default: '4096',
    min: 0,
    doc: 'longest metadata string of a commit',
  },
  'producer.id.expiration.ms': {
    type: 'int',
    default: '86400000',
    min: 1,
    doc: 'how long a partition keeps the state of an idle idempotent producer (KIP-854)',
  },
  'producer.id.expiration.check.interval.ms': {
    type: 'int',
    default: '600000',
    min: 1,
    doc: 'how often idle producers are looked for',
  },
  'transactional.id.expiration.ms': {
    type: 'int',
    default: '604800000',
    min: 1,
    doc: 'how long the transaction coordinator keeps an idle transactional id',
  },
  'transaction.state.log.num.partitions': {
    type: 'int',
    default: '50',
    min: 1,
    doc: '__transaction_state partitions',
  },
  'transaction.state.log.replication.factor': {
    type: 'int',
    default: '3',
    min: 1,
    doc: '__transaction_state replicas',
  },
  'transaction.state.log.min.isr': {
    type: 'int',
    default: '2',
    min: 1,
    doc: 'min.insync.replicas of __transaction_state',
  },
  'transaction.state.log.segment.bytes': {
    type: 'int',
    default: '104857600',
    min: 1,
    doc: 'segment.bytes of __transaction_state',
  },
  'transaction.max.timeout.ms': {
    type: 'int',
    default: '900000',
    min: 1,
    doc: 'the longest transaction.timeout.ms a producer may ask for',
  },
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': {
    type: 'int',
    default: '10000',
    min: 1,
    doc: 'how often the transaction coordinator looks for timed-out transactions',
  },
  'transaction.remove.expired.transaction.cleanup.interval.ms': {
    type: 'int',
    default: '3600000',
    min: 1,
    doc: 'how often the transaction coordinator removes expired transactional ids',
  },
  'zookeeper.connect': {
    type: 'string',
    default: undefined,
    doc: 'coordinator host:port[,host:port...]',
  },
  'zookeeper.session.timeout.ms': {
    type: 'int',
    default: '18000',
    min: 1,
    doc: 'coordinator session timeout',
  },
  'zookeeper.connection.timeout.ms': {
    type: 'int',
    default: undefined,
    min: 1,
    doc: 'first connect timeout',
  },
  // The coordinator session's security (broker/zk/zk-client-security.ts).
  'zookeeper.set.acl': {
    type: 'boolean',
    default: 'false',
    doc: "create znodes with Kafka's secure ACLs (creator-only writes)",
  },
  'zookeeper.ssl.client.enable': {
    type: 'boolean',
    default: 'false',
    doc: "TLS to the coordinator's secure client port",
  },
  'zookeeper.clientCnxnSocket': {
    type: 'string',
    default: undefined,
    doc: 'org.apache.zookeeper.ClientCnxnSocketNetty (the TLS-capable socket) or nothing',
  },
  'zookeeper.ssl.keystore.location': {
    type: 'string',
    default: undefined,
    doc: 'client certificate and key for the coordinator (PEM or PKCS12)',
  },
  'zookeeper.ssl.keystore.type': {
    type: 'string',
    default: undefined,
    doc: 'PEM or PKCS12; default from the file name',
  },
  'zookeeper.ssl.keystore.password': {
    type: 'password',
    default: undefined,
    doc: 'the key store (or PEM key) password',
  },
  'zookeeper.ssl.truststore.location': {
    type: 'string',
    default: undefined,
    doc: "the CA of the coordinator's certificate (PEM)",
  },
  'zookeeper.ssl.truststore.type': {
    type: 'string',
    default: undefined,
    doc: 'PEM; default from the file name',
  },
  'zookeeper.ssl.endpoint.identification.algorithm': {
    type: 'string',
    default: 'HTTPS',
    doc: "HTTPS: the coordinator's certificate must name its host; empty: not checked",
  },
  'controller.socket.timeout.ms': {
    type: 'int',
    default: '30000',
    min: 1,
    doc: 'controller request timeout',
  },
  'request.timeout.ms': { type: 'int', default: '30000', min: 1, doc: 'request timeout' },
  // Not Kafka's (Kafka has JMX and the Prometheus JMX exporter): broker/metrics/admin-server.ts.
  'admin.port': {
    type: 'int',
    default: '-1',
    min: -1,
    doc: 'HTTP port for /metrics, /healthz and /readyz on the listener host; -1 = off',
  },
  'auto.leader.rebalance.enable': {
    type: 'boolean',
    default: 'true',
    doc: 'move leaders back to preferred replicas',
  },
  'leader.imbalance.check.interval.seconds': {
    type: 'long',
    default: '300',
    min: 1,
    doc: 'how often the controller checks leader balance',
  },
  'leader.imbalance.per.broker.percentage': {
    type: 'int',
    default: '10',
    min: 0,
    doc: 'imbalance allowed per broker before rebalancing',
  },
  'controlled.shutdown.enable': {
    type: 'boolean',
    default: 'true',
    doc: 'move leadership away before stopping',
  },
  'controlled.shutdown.max.retries': {
    type: 'int',
    default: '3',
    min: 1,
    doc: 'controlled shutdown attempts',
  },
  'controlled.shutdown.retry.backoff.ms': {
    type: 'long',
    default: '5000',
    min: 0,
    doc: 'wait between controlled shutdown attempts',
  },
  // Security (broker/security/security-config.ts reads these, per listener: each ssl.* and
  // sasl.* property may also be given as listener.name.<listener>.<property>).
  'ssl.keystore.type': { type: 'string', default: 'JKS', doc: 'PEM or PKCS12 (JKS is refused)' },
  'ssl.keystore.location': { type: 'string', default: undefined, doc: 'key and certificate file' },
  'ssl.keystore.password': { type: 'password', default: undefined, doc: 'PKCS12 password' },
  'ssl.key.password': { type: 'password', default: undefined, doc: 'encrypted PEM key password' },
  'ssl.keystore.key': { type: 'password', default: undefined, doc: 'inline PEM private key' },
  'ssl.keystore.certificate.chain': {
    type: 'string',
    default: undefined,
    doc: 'inline PEM certificate chain',
  },
  'ssl.truststore.type': { type: 'string', default: 'JKS', doc: 'PEM (JKS is refused)' },
  'ssl.truststore.location': { type: 'string', default: undefined, doc: 'CA certificates file' },
  'ssl.truststore.password': { type: 'password', default: undefined, doc: 'accepted, unused' },
  'ssl.truststore.certificates': {
    type: 'string',
    default: undefined,
    doc: 'inline PEM CA certificates',
  },
  'ssl.client.auth': {
    type: 'string',
    default: 'none',
    oneOf: ['none', 'requested', 'required'],
    doc: 'ask clients for certificates (mutual TLS)',
  },
  'ssl.endpoint.identification.algorithm': {
    type: 'string',
    default: 'https',
    doc: 'https: inter-broker clients check host names; empty: they do not',
  },
  'ssl.enabled.protocols': { type: 'list', default: 'TLSv1.2,TLSv1.3', doc: 'TLS versions' },
  'sasl.enabled.mechanisms': {
    type: 'list',
    default: 'GSSAPI',
    doc: 'SASL mechanisms offered: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512',
  },
  'sasl.mechanism.inter.broker.protocol': {
    type: 'string',
    default: 'GSSAPI',
    doc: 'mechanism brokers log in to each other with',
  },
  'sasl.jaas.config': {
    type: 'password',
    default: undefined,
    doc: 'JAAS login module with PLAIN users (user_alice="...") and our own username/password',
  },
  'connections.max.reauth.ms': {
    type: 'long',
    default: '0',
    min: 0,
    doc: 'SASL sessions expire after this (KIP-368); 0 = never',
  },
  'authorizer.class.name': {
    type: 'string',
    default: '',
    doc: 'kafka.security.authorizer.AclAuthorizer turns ACL checks on',
  },
  'super.users': { type: 'string', default: undefined, doc: 'principals allowed everything' },
  'allow.everyone.if.no.acl.found': {
    type: 'boolean',
    default: 'false',
    doc: 'a resource without ACLs is open to all',
  },
};

/** One listener parsed from `NAME://host:port`. */
export interface ListenerConfig {
  listenerName: string;
  host: string;
  port: number;
  securityProtocol: string;
}

/** The typed configuration the rest of the broker reads. */
export interface BrokerConfig {
  brokerId: number;
  brokerIdGenerationEnable: boolean;
  reservedBrokerMaxId: number;
  rack: string | null;
  listeners: ListenerConfig[];
  advertisedListeners: ListenerConfig[];
  interBrokerListenerName: string;
  logDirs: string[];
  numPartitions: number;
  defaultReplicationFactor: number;
  autoCreateTopicsEnable: boolean;
  deleteTopicEnable: boolean;
  minInsyncReplicas: number;
  uncleanLeaderElectionEnable: boolean;
  autoLeaderRebalanceEnable: boolean;
  leaderImbalanceCheckIntervalMs: number;
  leaderImbalancePerBrokerPercentage: number;
  controlledShutdownEnable: boolean;
  controlledShutdownMaxRetries: number;
  controlledShutdownRetryBackoffMs: number;
  /** The `log.*` defaults as the log layer wants them. */
  log: LogConfig;
  /** log.cleaner.enable and the cleaner's own settings (broker/log/log-cleaner.ts). */
  logCleanerEnable: boolean;
  logCleaner: {
    backoffMs: number;
    dedupeBufferBytes: number;
    ioBufferBytes: number;
    loadFactor: number;
    ioMaxBytesPerSecond: number;
  };
  logRetentionCheckIntervalMs: number;
  logFlushOffsetCheckpointIntervalMs: number;
  messageMaxBytes: number;
  socketRequestMaxBytes: number;
  replicaLagTimeMaxMs: number;
  replicaFetchWaitMaxMs: number;
  replicaFetchMaxBytes: number;
  replicaHighWatermarkCheckpointIntervalMs: number;
  /** replication.quota.window.num (11) and .size.seconds (1): the quotas' samples. */
  replicationQuotaWindowNum: number;
  replicationQuotaWindowSizeSeconds: number;
  offsetsTopicNumPartitions: number;
  offsetsTopicReplicationFactor: number;
  offsetsTopicSegmentBytes: number;
  groupInitialRebalanceDelayMs: number;
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  groupMaxSize: number;
  offsetsRetentionMinutes: number;
  offsetsRetentionCheckIntervalMs: number;
  offsetsCommitTimeoutMs: number;
  offsetMetadataMaxBytes: number;
  producerIdExpirationMs: number;
  producerIdExpirationCheckIntervalMs: number;
  transactionalIdExpirationMs: number;
  transactionStateLogNumPartitions: number;
  transactionStateLogReplicationFactor: number;
  transactionStateLogMinIsr: number;
  transactionStateLogSegmentBytes: number;
  transactionMaxTimeoutMs: number;
  transactionAbortTimedOutTransactionCleanupIntervalMs: number;
  transactionRemoveExpiredTransactionCleanupIntervalMs: number;
  zookeeperConnect: string;
  zookeeperSessionTimeoutMs: number;
  zookeeperConnectionTimeoutMs: number;
  controllerSocketTimeoutMs: number;
  requestTimeoutMs: number;
  /** admin.port: the HTTP metrics and health endpoint; -1 = none, 0 = any free port. */
  adminPort: number;
  /** Listeners' TLS and SASL, the inter-broker client, the authorizer. */
  security: SecurityConfig;
  /** Every honoured property with its final string value (given, else Kafka's default). */
  properties: ReadonlyMap<string, string>;
  /** Only the properties the operator gave (file, --override, flags): DescribeConfigs shows
   *  these as STATIC_BROKER_CONFIG, the rest as DEFAULT_CONFIG. */
  staticProperties: ReadonlyMap<string, string>;
  /** Kafka properties that were given but that Samsa does not implement (no effect). */
  unhonouredProperties: readonly string[];
}

/** Parse the text of a `.properties` file into key/value pairs, in file order. */
export function parseProperties(text: string, source = 'config file'): Map<string, string> {
  const result = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] as string).trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // A trailing backslash continues the logical line (java.util.Properties).
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = line.slice(0, -1) + (lines[++i] as string).trim();
    }
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (!m) throw new ConfigError(line, `${source} line ${i + 1} is not "key=value"`);
    result.set(m[1] as string, (m[2] as string).trim());
  }
  return result;
}

/** Parse `--override key=value` arguments. */
export function parseOverrides(overrides: readonly string[]): Map<string, string> {
  const result = new Map<string, string>();
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new ConfigError(o, '--override expects key=value');
    result.set(o.slice(0, eq).trim(), o.slice(eq + 1).trim());
  }
  return result;
}

/** The shorthand flags of `broker start`. */
export interface CliShorthands {
  id?: number;
  port?: number;
  /** host for the listener made from `port`; default 127.0.0.1 (loopback only). */
  host?: string;
  coordinator?: string;
  dataDir?: string;
  /** admin.port */
  adminPort?: number;
}

export interface BuildConfigInput {
  /** Contents of the `--config` file, if any. */
  fileText?: string;
  overrides?: readonly string[];
  cli?: CliShorthands;
}

/** Merge the layers, check every value and build the typed config. */
export function buildBrokerConfig(input: BuildConfigInput = {}): BrokerConfig {
  const raw = new Map<string, string>();
  const layer = (entries: Map<string, string>): void => {
    for (const [k, v] of entries) raw.set(k, v);
  };
  if (input.fileText !== undefined) layer(parseProperties(input.fileText));
  layer(parseOverrides(input.overrides ?? []));
  const cli = input.cli ?? {};
  if (cli.id !== undefined) raw.set('broker.id', String(cli.id));
  if (cli.port !== undefined)
    raw.set('listeners', `PLAINTEXT://${cli.host ?? '127.0.0.1'}:${cli.port}`);
  if (cli.coordinator !== undefined) raw.set('zookeeper.connect', cli.coordinator);
  if (cli.adminPort !== undefined) raw.set('admin.port', String(cli.adminPort));
  // The dedicated flags win over the file, as the precedence above says: a stock
  // server.properties names log.dirs=/tmp/kafka-logs, and --data-dir must replace it.
  if (cli.dataDir !== undefined) raw.set('log.dirs', cli.dataDir);

  const known = (key: string): boolean => key in BROKER_PROPERTIES;
  const unhonouredProperties = checkProperties(raw, known);
  const values = new Map<string, string>();
  for (const [key, def] of Object.entries(BROKER_PROPERTIES)) {
    const value = raw.get(key) ?? def.default;
    if (value !== undefined) values.set(key, value);
  }
  // Per-listener security settings (listener.name.<l>.ssl.*, sasl.*) are honoured too.
  for (const [key, value] of raw) {
    if (!known(key) && isListenerPrefixedProperty(key, known)) values.set(key, value);
  }
  const r = new Reader(values);

  const brokerId = r.int('broker.id');
  const zookeeperConnect = r.optionalString('zookeeper.connect');
  if (zookeeperConnect === undefined || zookeeperConnect === '') {
    throw new ConfigError('zookeeper.connect', 'is required (or pass --coordinator host:port)');
  }
  const protocolMap = parseProtocolMap(r.list('listener.security.protocol.map'));
  const listeners = parseListeners('listeners', r.list('listeners'), protocolMap);
  const advertisedListeners = values.has('advertised.listeners')
    ? parseListeners('advertised.listeners', r.list('advertised.listeners'), protocolMap)
    : listeners;
  // Kafka: inter.broker.listener.name, or the listener named after
  // security.inter.broker.protocol; never both.
  const explicitInterBroker = r.optionalString('inter.broker.listener.name');
  if (explicitInterBroker !== undefined && raw.has('security.inter.broker.protocol')) {
    throw new ConfigError(
      'inter.broker.listener.name',
      'set either inter.broker.listener.name or security.inter.broker.protocol, not both',
    );
  }
  const interBrokerListenerName = explicitInterBroker ?? r.string('security.inter.broker.protocol');
  if (!advertisedListeners.some((l) => l.listenerName === interBrokerListenerName)) {
    throw new ConfigError(
      'inter.broker.listener.name',
      `no advertised listener is named ${interBrokerListenerName}`,
    );
  }
  const logDirs = values.has('log.dirs') ? r.list('log.dirs') : [r.string('log.dir')];
  if (logDirs.length === 0) throw new ConfigError('log.dirs', 'is empty');

  const hourMs = 3_600_000;
  const segmentMs = r.optionalNumber('log.roll.ms') ?? r.int('log.roll.hours') * hourMs;
  const jitterMs =
    r.optionalNumber('log.roll.jitter.ms') ?? r.int('log.roll.jitter.hours') * hourMs;
  const retentionMs =
    r.optionalNumber('log.retention.ms') ??
    minutesToMs(r.optionalNumber('log.retention.minutes')) ??
    hoursToMs(r.int('log.retention.hours'));
  const flushMessages = r.long('log.flush.interval.messages');
  const flushMs =
    r.optionalNumber('log.flush.interval.ms') ?? r.long('log.flush.scheduler.interval.ms');
  const neverOver = (n: number): number => (n >= Number.MAX_SAFE_INTEGER ? Infinity : n);
  const cleanupPolicy = r.list('log.cleanup.policy');
  if (cleanupPolicy.length === 0 || cleanupPolicy.some((p) => p !== 'delete' && p !== 'compact')) {
    throw new ConfigError('log.cleanup.policy', 'must be delete, compact or both');
  }
  const ratio = (key: string): number => {
    const value = Number(r.string(key));
    if (!(value >= 0 && value <= 1)) throw new ConfigError(key, 'must be between 0 and 1');
    return value;
  };
  /** A rate; Kafka's Double.MaxValue default means unlimited (Infinity here). */
  const positiveDouble = (key: string): number => {
    const value = Number(r.string(key));
    if (!(value > 0)) throw new ConfigError(key, 'must be a positive number');
    return value >= Number.MAX_VALUE ? Infinity : value;
  };
  const messageMaxBytes = r.int('message.max.bytes');

  const log: LogConfig = {
    ...DEFAULT_LOG_CONFIG,
    segmentBytes: r.int('log.segment.bytes'),
    segmentMs,
    segmentJitterMs: jitterMs,
    indexIntervalBytes: r.int('log.index.interval.bytes'),
    maxIndexBytes: r.int('log.index.size.max.bytes'),
    maxMessageBytes: messageMaxBytes,
    flushIntervalMessages: neverOver(flushMessages),
    flushIntervalMs: neverOver(flushMs),
    // A negative retention means "keep forever" in Kafka; the log layer uses -1 for that.
    retentionMs: retentionMs < 0 ? -1 : retentionMs,
    retentionBytes: r.long('log.retention.bytes'),
    messageTimestampType: r.string(
      'log.message.timestamp.type',
    ) as LogConfig['messageTimestampType'],
    cleanupPolicy: cleanupPolicy as LogConfig['cleanupPolicy'],
    minCompactionLagMs: r.long('log.cleaner.min.compaction.lag.ms'),
    maxCompactionLagMs: neverOver(r.long('log.cleaner.max.compaction.lag.ms')),
    deleteRetentionMs: r.long('log.cleaner.delete.retention.ms'),
    minCleanableDirtyRatio: ratio('log.cleaner.min.cleanable.ratio'),
    fileDeleteDelayMs: r.long('log.segment.delete.delay.ms'),
    messageTimestampDifferenceMaxMs: r.long('log.message.timestamp.difference.max.ms'),
    compressionType: r.string('compression.type') as CompressionType,
  };

  const sessionTimeoutMs = r.int('zookeeper.session.timeout.ms');
  return {
    brokerId,
    brokerIdGenerationEnable: r.boolean('broker.id.generation.enable'),
    reservedBrokerMaxId: r.int('reserved.broker.max.id'),
    rack: r.optionalString('broker.rack') ?? null,
    listeners,
    advertisedListeners,
    interBrokerListenerName,
    logDirs,
    numPartitions: r.int('num.partitions'),
    defaultReplicationFactor: r.int('default.replication.factor'),
    autoCreateTopicsEnable: r.boolean('auto.create.topics.enable'),
    deleteTopicEnable: r.boolean('delete.topic.enable'),
    minInsyncReplicas: r.int('min.insync.replicas'),
    uncleanLeaderElectionEnable: r.boolean('unclean.leader.election.enable'),
    autoLeaderRebalanceEnable: r.boolean('auto.leader.rebalance.enable'),
    leaderImbalanceCheckIntervalMs: r.long('leader.imbalance.check.interval.seconds') * 1_000,
    leaderImbalancePerBrokerPercentage: r.int('leader.imbalance.per.broker.percentage'),
    controlledShutdownEnable: r.boolean('controlled.shutdown.enable'),
    controlledShutdownMaxRetries: r.int('controlled.shutdown.max.retries'),
    controlledShutdownRetryBackoffMs: r.long('controlled.shutdown.retry.backoff.ms'),
    log,
    logCleanerEnable: r.boolean('log.cleaner.enable'),
    logCleaner: {
      backoffMs: r.long('log.cleaner.backoff.ms'),
      dedupeBufferBytes: r.long('log.cleaner.dedupe.buffer.size'),
      ioBufferBytes: r.int('log.cleaner.io.buffer.size'),
      loadFactor: ratio('log.cleaner.io.buffer.load.factor'),
      ioMaxBytesPerSecond: positiveDouble('log.cleaner.io.max.bytes.per.second'),
    },
    logRetentionCheckIntervalMs: r.long('log.retention.check.interval.ms'),
    logFlushOffsetCheckpointIntervalMs: r.int('log.flush.offset.checkpoint.interval.ms'),
    messageMaxBytes,
    socketRequestMaxBytes: r.int('socket.request.max.bytes'),
    replicaLagTimeMaxMs: r.long('replica.lag.time.max.ms'),
    replicaFetchWaitMaxMs: r.int('replica.fetch.wait.max.ms'),
    replicaFetchMaxBytes: r.int('replica.fetch.max.bytes'),
    replicationQuotaWindowNum: r.int('replication.quota.window.num'),
    replicationQuotaWindowSizeSeconds: r.int('replication.quota.window.size.seconds'),
    replicaHighWatermarkCheckpointIntervalMs: r.long(
      'replica.high.watermark.checkpoint.interval.ms',
    ),
    offsetsTopicNumPartitions: r.int('offsets.topic.num.partitions'),
    offsetsTopicReplicationFactor: r.int('offsets.topic.replication.factor'),
    offsetsTopicSegmentBytes: r.int('offsets.topic.segment.bytes'),
    groupInitialRebalanceDelayMs: r.int('group.initial.rebalance.delay.ms'),
    groupMinSessionTimeoutMs: r.int('group.min.session.timeout.ms'),
    groupMaxSessionTimeoutMs: r.int('group.max.session.timeout.ms'),
    groupMaxSize: r.int('group.max.size'),
    offsetsRetentionMinutes: r.int('offsets.retention.minutes'),
    offsetsRetentionCheckIntervalMs: r.long('offsets.retention.check.interval.ms'),
    offsetsCommitTimeoutMs: r.int('offsets.commit.timeout.ms'),
    offsetMetadataMaxBytes: r.int('offset.metadata.max.bytes'),
    producerIdExpirationMs: r.int('producer.id.expiration.ms'),
    producerIdExpirationCheckIntervalMs: r.int('producer.id.expiration.check.interval.ms'),
    transactionalIdExpirationMs: r.int('transactional.id.expiration.ms'),
    transactionStateLogNumPartitions: r.int('transaction.state.log.num.partitions'),
    transactionStateLogReplicationFactor: r.int('transaction.state.log.replication.factor'),
    transactionStateLogMinIsr: r.int('transaction.state.log.min.isr'),
    transactionStateLogSegmentBytes: r.int('transaction.state.log.segment.bytes'),
    transactionMaxTimeoutMs: r.int('transaction.max.timeout.ms'),
    transactionAbortTimedOutTransactionCleanupIntervalMs: r.int(
      'transaction.abort.timed.out.transaction.cleanup.interval.ms',
    ),
    transactionRemoveExpiredTransactionCleanupIntervalMs: r.int(
      'transaction.remove.expired.transaction.cleanup.interval.ms',
    ),
    zookeeperConnect,
    zookeeperSessionTimeoutMs: sessionTimeoutMs,
    // Kafka: zookeeper.connection.timeout.ms defaults to the session timeout.
    zookeeperConnectionTimeoutMs:
      r.optionalNumber('zookeeper.connection.timeout.ms') ?? sessionTimeoutMs,
    controllerSocketTimeoutMs: r.int('controller.socket.timeout.ms'),
    requestTimeoutMs: r.int('request.timeout.ms'),
    adminPort: r.int('admin.port'),
    security: buildSecurityConfig({
      listeners,
      interBrokerListenerName,
      value: (key) => values.get(key),
    }),
    properties: values,
    staticProperties: raw,
    unhonouredProperties,
  };
}

/**
 * Checks every given key and value: a name Kafka 2.8 does not have is refused with a
 * suggestion, a bad value is refused naming the key and what is allowed. Returns the keys
 * that are Kafka's but not honoured here (for the one start-up warning), sorted.
 */
function checkProperties(
  raw: ReadonlyMap<string, string>,
  known: (key: string) => boolean,
): string[] {
  const unhonoured: string[] = [];
  for (const [key, value] of raw) {
    // listener.name.<l>.<setting>: read by the security config for that listener.
    if (!known(key) && isListenerPrefixedProperty(key, known)) continue;
    const honoured = BROKER_PROPERTIES[key];
    const def = honoured ?? kafkaBrokerProperty(key);
    if (def === undefined) {
      const known = new Set([
        ...Object.keys(KAFKA_BROKER_PROPERTIES),
        ...Object.keys(BROKER_PROPERTIES),
      ]);
      throw new ConfigError(key, unknownConfigMessage(key, known));
    }
    const error = configValueError(key, def, value);
    if (error !== undefined) throw new ConfigError(key, error);
    if (honoured === undefined) unhonoured.push(key);
  }
  return unhonoured.sort();
}

function minutesToMs(minutes: number | undefined): number | undefined {
  if (minutes === undefined) return undefined;
  return minutes < 0 ? -1 : minutes * 60_000;
}

function hoursToMs(hours: number): number {
  return hours < 0 ? -1 : hours * 3_600_000;
}

function parseListeners(
  key: string,
  entries: string[],
  protocolMap: ReadonlyMap<string, string>,
): ListenerConfig[] {
  if (entries.length === 0) throw new ConfigError(key, 'no listener given');
  const seen = new Set<string>();
  return entries.map((entry) => {
    const m = /^([A-Za-z0-9_]+):\/\/([^:]*):(\d+)$/.exec(entry);
    if (!m) throw new ConfigError(key, `"${entry}" is not NAME://host:port`);
    const listenerName = m[1] as string;
    const port = Number(m[3]);
    if (port > 65535) throw new ConfigError(key, `port ${port} is out of range`);
    const securityProtocol = protocolMap.get(listenerName);
    if (securityProtocol === undefined) {
      throw new ConfigError(
        key,
        `listener ${listenerName} is not in listener.security.protocol.map`,
      );
    }
    if (seen.has(listenerName))
      throw new ConfigError(key, `listener ${listenerName} is listed twice`);
    seen.add(listenerName);
    // An empty host means "all interfaces" in Kafka; we stay on loopback by default.
    return { listenerName, host: m[2] || '127.0.0.1', port, securityProtocol };
  });
}

/** Typed access to the merged values, already checked by checkProperties (or defaults). */
class Reader {
  constructor(readonly values: Map<string, string>) {}

  #get(key: string): string {
    const v = this.values.get(key);
    if (v === undefined) throw new ConfigError(key, 'has no value and no default');
    return v;
  }

  int(key: string): number {
    return Number(this.#get(key).trim());
  }
  /** Kafka's Long.MAX_VALUE ("never") becomes Infinity. */
  long(key: string): number {
    return parseConfigNumber(this.#get(key));
  }
  optionalNumber(key: string): number | undefined {
    const v = this.values.get(key);
    return v === undefined ? undefined : parseConfigNumber(v);
  }
  boolean(key: string): boolean {
    return this.#get(key).trim().toLowerCase() === 'true';
  }
  string(key: string): string {
    return this.#get(key).trim();
  }
  optionalString(key: string): string | undefined {
    return this.values.get(key);
  }
  list(key: string): string[] {
    return parseConfigList(this.#get(key));
  }
}
