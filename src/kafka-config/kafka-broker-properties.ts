/**
 * Every broker property Kafka 2.8 knows: the names, types and validators of `KafkaConfig`'s
 * ConfigDef (Kafka 2.8.2, core/src/main/scala/kafka/server/KafkaConfig.scala, transcribed
 * one line per `.define`), and which of them Kafka 2.8 lets an operator change at run time
 * (`DynamicBrokerConfig.AllDynamicConfigs`, KIP-226):
 *
 *   dynamic: 'cluster-wide'  may be set in /config/brokers/<default> (every broker) or
 *                            /config/brokers/<id> (one broker)
 *   dynamic: 'per-broker'    only in /config/brokers/<id> (listeners, keystores)
 *   (absent)                 read-only: only server.properties sets it, a restart applies it
 *   internal: true           KRaft's not-yet-public properties (defineInternal in 2.8)
 *
 * This table answers "does Kafka have this name?" and "is this value valid?". Which of these
 * Samsa *honours* is broker/config.ts's BROKER_PROPERTIES; a name here but not there is
 * accepted with a warning at start (Kafka users' server.properties files start unchanged).
 *
 * Besides these, Kafka accepts `listener.name.<listener>.<property>` for the listener and
 * security properties (per-listener overrides); `isKnownBrokerProperty` does too.
 */
import type { ConfigDef } from './config-def.js';

export type DynamicScope = 'cluster-wide' | 'per-broker';

export interface KafkaBrokerPropertyDef extends ConfigDef {
  dynamic?: DynamicScope;
  internal?: boolean;
}

export const KAFKA_BROKER_PROPERTIES: Readonly<Record<string, KafkaBrokerPropertyDef>> = {
  'advertised.host.name': { type: 'string' },
  'advertised.listeners': { type: 'string', dynamic: 'per-broker' },
  'advertised.port': { type: 'int' },
  'alter.config.policy.class.name': { type: 'class' },
  'alter.log.dirs.replication.quota.window.num': { type: 'int', min: 1 },
  'alter.log.dirs.replication.quota.window.size.seconds': { type: 'int', min: 1 },
  'authorizer.class.name': { type: 'string' },
  'auto.create.topics.enable': { type: 'boolean' },
  'auto.leader.rebalance.enable': { type: 'boolean' },
  'background.threads': { type: 'int', min: 1, dynamic: 'cluster-wide' },
  'broker.heartbeat.interval.ms': { type: 'int', internal: true },
  'broker.id': { type: 'int' },
  'broker.id.generation.enable': { type: 'boolean' },
  'broker.rack': { type: 'string' },
  'broker.session.timeout.ms': { type: 'int', internal: true },
  'client.quota.callback.class': { type: 'class' },
  'compression.type': {
    type: 'string',
    oneOf: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'],
    dynamic: 'cluster-wide',
  },
  'connection.failed.authentication.delay.ms': { type: 'int', min: 0 },
  'connections.max.idle.ms': { type: 'long' },
  'connections.max.reauth.ms': { type: 'long' },
  'control.plane.listener.name': { type: 'string' },
  'controlled.shutdown.enable': { type: 'boolean' },
  'controlled.shutdown.max.retries': { type: 'int' },
  'controlled.shutdown.retry.backoff.ms': { type: 'long' },
  'controller.listener.names': { type: 'string', internal: true },
  'controller.quorum.append.linger.ms': { type: 'int', internal: true },
  'controller.quorum.election.backoff.max.ms': { type: 'int', internal: true },
  'controller.quorum.election.timeout.ms': { type: 'int', internal: true },
  'controller.quorum.fetch.timeout.ms': { type: 'int', internal: true },
  'controller.quorum.request.timeout.ms': { type: 'int', internal: true },
  'controller.quorum.retry.backoff.ms': { type: 'int', internal: true },
  'controller.quorum.voters': { type: 'list', internal: true },
  'controller.quota.window.num': { type: 'int', min: 1 },
  'controller.quota.window.size.seconds': { type: 'int', min: 1 },
  'controller.socket.timeout.ms': { type: 'int' },
  'create.topic.policy.class.name': { type: 'class' },
  'default.replication.factor': { type: 'int' },
  'delegation.token.expiry.check.interval.ms': { type: 'long', min: 1 },
  'delegation.token.expiry.time.ms': { type: 'long', min: 1 },
  'delegation.token.master.key': { type: 'password' },
  'delegation.token.max.lifetime.ms': { type: 'long', min: 1 },
  'delegation.token.secret.key': { type: 'password' },
  'delete.records.purgatory.purge.interval.requests': { type: 'int' },
  'delete.topic.enable': { type: 'boolean' },
  'fetch.max.bytes': { type: 'int', min: 1024 },
  'fetch.purgatory.purge.interval.requests': { type: 'int' },
  'group.initial.rebalance.delay.ms': { type: 'int' },
  'group.max.session.timeout.ms': { type: 'int' },
  'group.max.size': { type: 'int', min: 1 },
  'group.min.session.timeout.ms': { type: 'int' },
  'host.name': { type: 'string' },
  'initial.broker.registration.timeout.ms': { type: 'int', internal: true },
  'inter.broker.listener.name': { type: 'string' },
  'inter.broker.protocol.version': { type: 'string' },
  'kafka.metrics.polling.interval.secs': { type: 'int', min: 1 },
  'kafka.metrics.reporters': { type: 'list' },
  'leader.imbalance.check.interval.seconds': { type: 'long' },
  'leader.imbalance.per.broker.percentage': { type: 'int' },
  'listener.security.protocol.map': { type: 'string', dynamic: 'per-broker' },
  listeners: { type: 'string', dynamic: 'per-broker' },
  'log.cleaner.backoff.ms': { type: 'long', min: 0, dynamic: 'cluster-wide' },
  'log.cleaner.dedupe.buffer.size': { type: 'long', dynamic: 'cluster-wide' },
  'log.cleaner.delete.retention.ms': { type: 'long', dynamic: 'cluster-wide' },
  'log.cleaner.enable': { type: 'boolean' },
  'log.cleaner.io.buffer.load.factor': { type: 'double', dynamic: 'cluster-wide' },
  'log.cleaner.io.buffer.size': { type: 'int', min: 0, dynamic: 'cluster-wide' },
  'log.cleaner.io.max.bytes.per.second': { type: 'double', dynamic: 'cluster-wide' },
  'log.cleaner.max.compaction.lag.ms': { type: 'long', dynamic: 'cluster-wide' },
  'log.cleaner.min.cleanable.ratio': { type: 'double', dynamic: 'cluster-wide' },
  'log.cleaner.min.compaction.lag.ms': { type: 'long', dynamic: 'cluster-wide' },
  'log.cleaner.threads': { type: 'int', min: 0, dynamic: 'cluster-wide' },
  'log.cleanup.policy': { type: 'list', oneOf: ['compact', 'delete'], dynamic: 'cluster-wide' },
  'log.dir': { type: 'string' },
  'log.dirs': { type: 'string' },
  'log.flush.interval.messages': { type: 'long', min: 1, dynamic: 'cluster-wide' },
  'log.flush.interval.ms': { type: 'long', dynamic: 'cluster-wide' },
  'log.flush.offset.checkpoint.interval.ms': { type: 'int', min: 0 },
  'log.flush.scheduler.interval.ms': { type: 'long' },
  'log.flush.start.offset.checkpoint.interval.ms': { type: 'int', min: 0 },
  'log.index.interval.bytes': { type: 'int', min: 0, dynamic: 'cluster-wide' },
  'log.index.size.max.bytes': { type: 'int', min: 4, dynamic: 'cluster-wide' },
  'log.message.downconversion.enable': { type: 'boolean', dynamic: 'cluster-wide' },
  'log.message.format.version': { type: 'string' },
  'log.message.timestamp.difference.max.ms': { type: 'long', dynamic: 'cluster-wide' },
  'log.message.timestamp.type': {
    type: 'string',
    oneOf: ['CreateTime', 'LogAppendTime'],
    dynamic: 'cluster-wide',
  },
  'log.preallocate': { type: 'boolean', dynamic: 'cluster-wide' },
  'log.retention.bytes': { type: 'long', dynamic: 'cluster-wide' },
  'log.retention.check.interval.ms': { type: 'long', min: 1 },
  'log.retention.hours': { type: 'int' },
  'log.retention.minutes': { type: 'int' },
  'log.retention.ms': { type: 'long', dynamic: 'cluster-wide' },
  'log.roll.hours': { type: 'int', min: 1 },
  'log.roll.jitter.hours': { type: 'int', min: 0 },
  'log.roll.jitter.ms': { type: 'long', dynamic: 'cluster-wide' },
  'log.roll.ms': { type: 'long', dynamic: 'cluster-wide' },
  'log.segment.bytes': { type: 'int', min: 14, dynamic: 'cluster-wide' },
  'log.segment.delete.delay.ms': { type: 'long', min: 0, dynamic: 'cluster-wide' },
  'max.connection.creation.rate': { type: 'int', min: 0, dynamic: 'cluster-wide' },
  'max.connections': { type: 'int', min: 0, dynamic: 'cluster-wide' },
  'max.connections.per.ip': { type: 'int', min: 0, dynamic: 'cluster-wide' },
  'max.connections.per.ip.overrides': { type: 'string', dynamic: 'cluster-wide' },
  'max.incremental.fetch.session.cache.slots': { type: 'int', min: 0 },
  'message.max.bytes': { type: 'int', min: 0, dynamic: 'cluster-wide' },
  'metadata.log.dir': { type: 'string', internal: true },
  'metric.reporters': { type: 'list', dynamic: 'cluster-wide' },
  'metrics.num.samples': { type: 'int', min: 1 },
  'metrics.recording.level': { type: 'string' },
  'metrics.sample.window.ms': { type: 'long', min: 1 },
  'min.insync.replicas': { type: 'int', min: 1, dynamic: 'cluster-wide' },
  'node.id': { type: 'int', internal: true },
  'num.io.threads': { type: 'int', min: 1, dynamic: 'cluster-wide' },
  'num.network.threads': { type: 'int', min: 1, dynamic: 'cluster-wide' },
  'num.partitions': { type: 'int', min: 1 },
  'num.recovery.threads.per.data.dir': { type: 'int', min: 1, dynamic: 'cluster-wide' },
  'num.replica.alter.log.dirs.threads': { type: 'int' },
  'num.replica.fetchers': { type: 'int', dynamic: 'cluster-wide' },
  'offset.metadata.max.bytes': { type: 'int' },
  'offsets.commit.required.acks': { type: 'short' },
  'offsets.commit.timeout.ms': { type: 'int', min: 1 },
  'offsets.load.buffer.size': { type: 'int', min: 1 },
  'offsets.retention.check.interval.ms': { type: 'long', min: 1 },
  'offsets.retention.minutes': { type: 'int', min: 1 },
  'offsets.topic.compression.codec': { type: 'int' },
  'offsets.topic.num.partitions': { type: 'int', min: 1 },
  'offsets.topic.replication.factor': { type: 'short', min: 1 },
  'offsets.topic.segment.bytes': { type: 'int', min: 1 },
  'password.encoder.cipher.algorithm': { type: 'string' },
  'password.encoder.iterations': { type: 'int', min: 1024 },
  'password.encoder.key.length': { type: 'int', min: 8 },
  'password.encoder.keyfactory.algorithm': { type: 'string' },
  'password.encoder.old.secret': { type: 'password' },
  'password.encoder.secret': { type: 'password' },
  port: { type: 'int' },
  'principal.builder.class': { type: 'class', dynamic: 'per-broker' },
  'process.roles': { type: 'list', oneOf: ['broker', 'controller'], internal: true },
  'producer.purgatory.purge.interval.requests': { type: 'int' },
  'queued.max.request.bytes': { type: 'long' },
  'queued.max.requests': { type: 'int', min: 1 },
  'quota.consumer.default': { type: 'long', min: 1 },
  'quota.producer.default': { type: 'long', min: 1 },
  'quota.window.num': { type: 'int', min: 1 },
  'quota.window.size.seconds': { type: 'int', min: 1 },
  'replica.fetch.backoff.ms': { type: 'int', min: 0 },
  'replica.fetch.max.bytes': { type: 'int', min: 0 },
  'replica.fetch.min.bytes': { type: 'int' },
  'replica.fetch.response.max.bytes': { type: 'int', min: 0 },
  'replica.fetch.wait.max.ms': { type: 'int' },
  'replica.high.watermark.checkpoint.interval.ms': { type: 'long' },
  'replica.lag.time.max.ms': { type: 'long' },
  'replica.selector.class': { type: 'string' },
  'replica.socket.receive.buffer.bytes': { type: 'int' },
  'replica.socket.timeout.ms': { type: 'int' },
  'replication.quota.window.num': { type: 'int', min: 1 },
  'replication.quota.window.size.seconds': { type: 'int', min: 1 },
  'request.timeout.ms': { type: 'int' },
  'reserved.broker.max.id': { type: 'int', min: 0 },
  'sasl.client.callback.handler.class': { type: 'class' },
  'sasl.enabled.mechanisms': { type: 'list', dynamic: 'per-broker' },
  'sasl.jaas.config': { type: 'password', dynamic: 'per-broker' },
  'sasl.kerberos.kinit.cmd': { type: 'string', dynamic: 'per-broker' },
  'sasl.kerberos.min.time.before.relogin': { type: 'long', dynamic: 'per-broker' },
  'sasl.kerberos.principal.to.local.rules': { type: 'list', dynamic: 'per-broker' },
  'sasl.kerberos.service.name': { type: 'string', dynamic: 'per-broker' },
  'sasl.kerberos.ticket.renew.jitter': { type: 'double', dynamic: 'per-broker' },
  'sasl.kerberos.ticket.renew.window.factor': { type: 'double', dynamic: 'per-broker' },
  'sasl.login.callback.handler.class': { type: 'class' },
  'sasl.login.class': { type: 'class' },
  'sasl.login.refresh.buffer.seconds': { type: 'short', dynamic: 'per-broker' },
  'sasl.login.refresh.min.period.seconds': { type: 'short', dynamic: 'per-broker' },
  'sasl.login.refresh.window.factor': { type: 'double', dynamic: 'per-broker' },
  'sasl.login.refresh.window.jitter': { type: 'double', dynamic: 'per-broker' },
  'sasl.mechanism.controller.protocol': { type: 'string', internal: true },
  'sasl.mechanism.inter.broker.protocol': { type: 'string', dynamic: 'per-broker' },
  'sasl.server.callback.handler.class': { type: 'class' },
  'sasl.server.max.receive.size': { type: 'int' },
  'security.inter.broker.protocol': { type: 'string' },
  'security.providers': { type: 'string' },
  'socket.connection.setup.timeout.max.ms': { type: 'long' },
  'socket.connection.setup.timeout.ms': { type: 'long' },
  'socket.receive.buffer.bytes': { type: 'int' },
  'socket.request.max.bytes': { type: 'int', min: 1 },
  'socket.send.buffer.bytes': { type: 'int' },
  'ssl.cipher.suites': { type: 'list', dynamic: 'per-broker' },
  'ssl.client.auth': {
    type: 'string',
    oneOf: ['required', 'requested', 'none'],
    dynamic: 'per-broker',
  },
  'ssl.enabled.protocols': { type: 'list', dynamic: 'per-broker' },
  'ssl.endpoint.identification.algorithm': { type: 'string', dynamic: 'per-broker' },
  'ssl.engine.factory.class': { type: 'class', dynamic: 'per-broker' },
  'ssl.key.password': { type: 'password', dynamic: 'per-broker' },
  'ssl.keymanager.algorithm': { type: 'string', dynamic: 'per-broker' },
  'ssl.keystore.certificate.chain': { type: 'password', dynamic: 'per-broker' },
  'ssl.keystore.key': { type: 'password', dynamic: 'per-broker' },
  'ssl.keystore.location': { type: 'string', dynamic: 'per-broker' },
  'ssl.keystore.password': { type: 'password', dynamic: 'per-broker' },
  'ssl.keystore.type': { type: 'string', dynamic: 'per-broker' },
  'ssl.principal.mapping.rules': { type: 'string' },
  'ssl.protocol': { type: 'string', dynamic: 'per-broker' },
  'ssl.provider': { type: 'string', dynamic: 'per-broker' },
  'ssl.secure.random.implementation': { type: 'string', dynamic: 'per-broker' },
  'ssl.trustmanager.algorithm': { type: 'string', dynamic: 'per-broker' },
  'ssl.truststore.certificates': { type: 'password', dynamic: 'per-broker' },
  'ssl.truststore.location': { type: 'string', dynamic: 'per-broker' },
  'ssl.truststore.password': { type: 'password', dynamic: 'per-broker' },
  'ssl.truststore.type': { type: 'string', dynamic: 'per-broker' },
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': { type: 'int', min: 1 },
  'transaction.max.timeout.ms': { type: 'int', min: 1 },
  'transaction.remove.expired.transaction.cleanup.interval.ms': { type: 'int', min: 1 },
  'transaction.state.log.load.buffer.size': { type: 'int', min: 1 },
  'transaction.state.log.min.isr': { type: 'int', min: 1 },
  'transaction.state.log.num.partitions': { type: 'int', min: 1 },
  'transaction.state.log.replication.factor': { type: 'short', min: 1 },
  'transaction.state.log.segment.bytes': { type: 'int', min: 1 },
  'transactional.id.expiration.ms': { type: 'int', min: 1 },
  'unclean.leader.election.enable': { type: 'boolean', dynamic: 'cluster-wide' },
  'zookeeper.clientCnxnSocket': { type: 'string' },
  'zookeeper.connect': { type: 'string' },
  'zookeeper.connection.timeout.ms': { type: 'int' },
  'zookeeper.max.in.flight.requests': { type: 'int', min: 1 },
  'zookeeper.session.timeout.ms': { type: 'int' },
  'zookeeper.set.acl': { type: 'boolean' },
  'zookeeper.ssl.cipher.suites': { type: 'list' },
  'zookeeper.ssl.client.enable': { type: 'boolean' },
  'zookeeper.ssl.crl.enable': { type: 'boolean' },
  'zookeeper.ssl.enabled.protocols': { type: 'list' },
  'zookeeper.ssl.endpoint.identification.algorithm': { type: 'string' },
  'zookeeper.ssl.keystore.location': { type: 'string' },
  'zookeeper.ssl.keystore.password': { type: 'password' },
  'zookeeper.ssl.keystore.type': { type: 'string' },
  'zookeeper.ssl.ocsp.enable': { type: 'boolean' },
  'zookeeper.ssl.protocol': { type: 'string' },
  'zookeeper.ssl.truststore.location': { type: 'string' },
  'zookeeper.ssl.truststore.password': { type: 'password' },
  'zookeeper.ssl.truststore.type': { type: 'string' },
  'zookeeper.sync.time.ms': { type: 'int' },
};

/**
 * Broker settings that exist only as dynamic configs, in /config/brokers (Kafka 2.8's
 * DynamicConfig.Broker, not KafkaConfig): the replication quotas of KIP-73, bytes/s, whose
 * default (Long.MAX_VALUE) means no bound. Kafka ignores them in server.properties (with an
 * "unknown config" warning); here server.properties refuses them, as it refuses any name
 * KafkaConfig does not have.
 */
export const DYNAMIC_ONLY_BROKER_CONFIGS: Readonly<Record<string, KafkaBrokerPropertyDef>> = {
  'leader.replication.throttled.rate': { type: 'long', min: 0, dynamic: 'cluster-wide' },
  'follower.replication.throttled.rate': { type: 'long', min: 0, dynamic: 'cluster-wide' },
  'replica.alter.log.dirs.io.max.bytes.per.second': {
    type: 'long',
    min: 0,
    dynamic: 'cluster-wide',
  },
};

/**
 * A name an operator may set in /config/brokers: a KafkaConfig property (kafkaBrokerProperty)
 * or one of DYNAMIC_ONLY_BROKER_CONFIGS.
 */
export function dynamicBrokerConfigDef(name: string): KafkaBrokerPropertyDef | undefined {
  return DYNAMIC_ONLY_BROKER_CONFIGS[name] ?? kafkaBrokerProperty(name);
}

/** `listener.name.<name>.<property>` (KIP-103), as DynamicBrokerConfig.ListenerConfigRegex. */
const LISTENER_PREFIX = /^listener\.name\.[^.]+\.(.+)$/;

/**
 * The definition of a broker property name, `listener.name.x.` prefixes resolved to their
 * base property (only the listener and security ones may be prefixed); undefined if Kafka
 * 2.8 has no such property.
 */
export function kafkaBrokerProperty(name: string): KafkaBrokerPropertyDef | undefined {
  const own = KAFKA_BROKER_PROPERTIES[name];
  if (own !== undefined) return own;
  const base = LISTENER_PREFIX.exec(name)?.[1];
  if (base === undefined) return undefined;
  // sasl.jaas.config may also carry a mechanism: listener.name.x.scram-sha-256.sasl.jaas.config
  const unprefixed = base.replace(/^[a-z0-9-]+\.(?=sasl\.)/, '');
  const def = KAFKA_BROKER_PROPERTIES[unprefixed];
  const prefixable = /^(ssl|sasl|connections)\.|^(max\.connections|max\.connection\.|principal)/;
  return def !== undefined && prefixable.test(unprefixed) ? def : undefined;
}
