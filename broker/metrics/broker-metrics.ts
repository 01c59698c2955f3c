/**
 * The broker's Prometheus metrics: what Kafka 2.8 reports over JMX, with the names the
 * Prometheus JMX exporter's usual Kafka rules give them (`kafka.server:type=BrokerTopicMetrics,
 * name=MessagesInPerSec,topic=t` becomes `kafka_server_brokertopicmetrics_messagesin_total
 * {topic="t"}`), so dashboards built for Kafka read them. docs/metrics.md lists every metric
 * with its Kafka MBean.
 *
 * Two kinds, kept apart on purpose:
 *   - events (messages in, bytes in and out, requests, ISR shrinks and expands, network bytes)
 *     are counted where they happen, through the small hook objects below (`topicHooks`,
 *     `networkHooks`, `isrHooks`) that the replica manager, the socket server and the ISR
 *     manager call. A hook is one function call; the parts know nothing of prom-client.
 *   - state (partition counts, under-replicated partitions, purgatory sizes, log sizes,
 *     consumer lag, the controller's view) is computed at scrape time from the broker's own
 *     objects (`BrokerMetricsSources`), so there is nothing to keep in step.
 *
 * Kafka's JMX meters are rates (OneMinuteRate...) that the JMX exporter exposes through
 * their Count attribute as a counter; Prometheus computes the rates (`rate(x[1m])`). So
 * every meter here is a counter, and request times are a histogram in seconds rather than
 * Kafka's percentile gauges in milliseconds.
 *
 * Memory: labels are topics, partitions, API names and groups this broker knows; a deleted
 * topic's series are dropped with `forgetTopic`.
 */
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
} from 'prom-client';
import { apiName } from '../../src/protocol/kafka/codec.js';
import type { TopicPartition } from '../log/log.js';
import { parseOffsetKey } from '../group/group-metadata.js';

/** Called by the replica manager for client traffic (not replication). */
export interface TopicMetricsHooks {
  /** A produce appended `messages` records of `bytes` bytes to `tp` on its leader. */
  recordsAppended(tp: TopicPartition, messages: number, bytes: number): void;
  /** A consumer fetch returned `bytes` bytes of records from `tp`. */
  recordsFetched(tp: TopicPartition, bytes: number): void;
}

/** Called by the socket server. */
export interface NetworkMetricsHooks {
  bytesReceived(bytes: number): void;
  bytesSent(bytes: number): void;
  /** One request answered (or dropped, acks=0): its API and the time it took. */
  requestCompleted(apiKey: number, seconds: number): void;
}

/** Called by the ISR manager when an ISR change it proposed has been written. */
export interface IsrMetricsHooks {
  isrChanged(kind: 'shrink' | 'expand'): void;
}

/** Called by the replication quotas (broker/replica/replication-quota.ts). */
export interface ReplicationMetricsHooks {
  /** `bytes` of throttled partitions were sent to followers (leader) or appended (follower). */
  throttledBytes(side: 'leader' | 'follower', bytes: number): void;
}

/** Called by one kind of inter-broker client's connections (broker-connector.ts). */
export interface InterBrokerClientHooks {
  connectionCreated(): void;
  reauthenticated(): void;
  reauthenticationFailed(): void;
}

/**
 * The inter-broker clients, with the JMX group whose selector metrics Kafka gives each
 * (connection-creation-total, successful-reauthentication-total, ...), as metric prefixes.
 */
export const INTER_BROKER_CLIENTS = {
  'replica-fetcher': 'kafka_server_replica_fetcher_metrics',
  'controller-channel': 'kafka_controller_controller_channel_metrics',
  'txn-marker-channel': 'kafka_coordinator_transaction_txn_marker_channel_metrics',
} as const;
export type InterBrokerClient = keyof typeof INTER_BROKER_CLIENTS;

/** What a scrape reads; every field is a function so nothing is cached between scrapes. */
export interface BrokerMetricsSources {
  /** Hosted partitions with their role, replicas, ISR and log. */
  partitions(): Iterable<{
    topicPartition: TopicPartition;
    isLeader: boolean;
    replicas: readonly number[];
    isr: readonly number[];
    highWatermark: number;
    logEndOffset: number;
    logStartOffset: number;
    log: { size: number };
  }>;
  minInsyncReplicas(topic: string): number;
  purgatorySizes(): { produce: number; fetch: number };
  /** The controller's figures; undefined while this broker is not the active controller. */
  controller(): { offlinePartitions: number; topics: number; partitions: number } | undefined;
  /** Committed offsets of the groups this broker coordinates: [group, offsetKey, offset]. */
  committedOffsets(): Iterable<{ group: string; offsets: ReadonlyMap<string, { offset: bigint }> }>;
  connections(): number;
  /** The replication quotas' measured rates of throttled bytes, bytes/s. */
  replicationByteRates?(): { leader: number; follower: number };
}

export interface BrokerMetricsOptions {
  brokerId: number;
  /** Listener name for the network metrics (PLAINTEXT). */
  listener: string;
  /** Off in unit tests that build many brokers in one process. */
  collectProcessMetrics?: boolean;
}

/** Buckets for request times, in seconds: 0.5 ms up to the longest long poll (~10 s). */
const REQUEST_SECONDS_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export class BrokerMetrics {
  readonly registry = new Registry();
  readonly topicHooks: TopicMetricsHooks;
  readonly networkHooks: NetworkMetricsHooks;
  readonly isrHooks: IsrMetricsHooks;
  readonly replicationHooks: ReplicationMetricsHooks;
  /** Per inter-broker client: its connections and re-authentications (KIP-368). */
  readonly interBrokerHooks: Record<InterBrokerClient, InterBrokerClientHooks>;
  #sources: BrokerMetricsSources | undefined;
  readonly #topicCounters: Counter<'topic'>[];
  /** Topics with counter series, so a deleted topic's series can be dropped. */
  readonly #countedTopics = new Set<string>();

  constructor(options: BrokerMetricsOptions) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ broker: String(options.brokerId) });
    if (options.collectProcessMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const counter = <L extends string>(c: Omit<CounterConfiguration<L>, 'registers'>) =>
      new Counter<L>({ ...c, registers });

    // kafka.server:type=BrokerTopicMetrics (per topic; the all-topics total is a sum()).
    const messagesIn = counter({
      name: 'kafka_server_brokertopicmetrics_messagesin_total',
      help: 'Records appended by producers (MessagesInPerSec)',
      labelNames: ['topic'],
    });
    const bytesIn = counter({
      name: 'kafka_server_brokertopicmetrics_bytesin_total',
      help: 'Bytes of records produced by clients (BytesInPerSec)',
      labelNames: ['topic'],
    });
    const bytesOut = counter({
      name: 'kafka_server_brokertopicmetrics_bytesout_total',
      help: 'Bytes of records fetched by consumers (BytesOutPerSec)',
      labelNames: ['topic'],
    });
    this.#topicCounters = [messagesIn, bytesIn, bytesOut];
    const counted = this.#countedTopics;
    this.topicHooks = {
      recordsAppended(tp, messages, bytes) {
        counted.add(tp.topic);
        messagesIn.inc({ topic: tp.topic }, messages);
        bytesIn.inc({ topic: tp.topic }, bytes);
      },
      recordsFetched(tp, bytes) {
        counted.add(tp.topic);
        bytesOut.inc({ topic: tp.topic }, bytes);
      },
    };

    // kafka.network:type=RequestMetrics and kafka.server:type=socket-server-metrics.
    const requests = counter({
      name: 'kafka_network_requestmetrics_requests_total',
      help: 'Requests answered, by API (RequestsPerSec)',
      labelNames: ['request'],
    });
    const totalTime = new Histogram({
      name: 'kafka_network_requestmetrics_totaltime_seconds',
      help: 'Time from a request being read to its response being written (TotalTimeMs)',
      labelNames: ['request'],
      buckets: REQUEST_SECONDS_BUCKETS,
      registers,
    });
    const incoming = counter({
      name: 'kafka_server_socket_server_metrics_incoming_byte_total',
      help: 'Bytes read from client connections (incoming-byte-total)',
      labelNames: ['listener'],
    });
    const outgoing = counter({
      name: 'kafka_server_socket_server_metrics_outgoing_byte_total',
      help: 'Bytes written to client connections (outgoing-byte-total)',
      labelNames: ['listener'],
    });
    const listener = { listener: options.listener };
    this.networkHooks = {
      bytesReceived: (bytes) => incoming.inc(listener, bytes),
      bytesSent: (bytes) => outgoing.inc(listener, bytes),
      requestCompleted(apiKey, seconds) {
        const request = apiName(apiKey);
        requests.inc({ request });
        totalTime.observe({ request }, seconds);
      },
    };
    this.#gauge('kafka_server_socket_server_metrics_connection_count', 'Open connections', (s) =>
      s.connections(),
    );

    // The selector metrics of the inter-broker clients.
    const clientHooks = (prefix: string): InterBrokerClientHooks => {
      const created = counter({
        name: `${prefix}_connection_creation_total`,
        help: 'Connections opened to other brokers (connection-creation-total)',
      });
      const reauthenticated = counter({
        name: `${prefix}_successful_reauthentication_total`,
        help: 'SASL re-authentications on open connections (successful-reauthentication-total)',
      });
      const failed = counter({
        name: `${prefix}_failed_reauthentication_total`,
        help: 'SASL re-authentications refused (failed-reauthentication-total)',
      });
      return {
        connectionCreated: () => created.inc(),
        reauthenticated: () => reauthenticated.inc(),
        reauthenticationFailed: () => failed.inc(),
      };
    };
    this.interBrokerHooks = {
      'replica-fetcher': clientHooks(INTER_BROKER_CLIENTS['replica-fetcher']),
      'controller-channel': clientHooks(INTER_BROKER_CLIENTS['controller-channel']),
      'txn-marker-channel': clientHooks(INTER_BROKER_CLIENTS['txn-marker-channel']),
    };

    // kafka.server:type=ReplicaManager.
    const isrShrinks = counter({
      name: 'kafka_server_replicamanager_isrshrinks_total',
      help: 'ISR shrinks written by this broker as leader (IsrShrinksPerSec)',
    });
    const isrExpands = counter({
      name: 'kafka_server_replicamanager_isrexpands_total',
      help: 'ISR expansions written by this broker as leader (IsrExpandsPerSec)',
    });
    this.isrHooks = {
      isrChanged: (kind) => (kind === 'shrink' ? isrShrinks.inc() : isrExpands.inc()),
    };
    this.#gauge('kafka_server_replicamanager_partitioncount', 'Partitions hosted here', (s) =>
      count(s.partitions(), () => true),
    );
    this.#gauge('kafka_server_replicamanager_leadercount', 'Partitions led by this broker', (s) =>
      count(s.partitions(), (p) => p.isLeader),
    );
    this.#gauge(
      'kafka_server_replicamanager_underreplicatedpartitions',
      'Partitions led here whose ISR is smaller than their replica list',
      (s) => count(s.partitions(), (p) => p.isLeader && p.isr.length < p.replicas.length),
    );
    this.#gauge(
      'kafka_server_replicamanager_underminisrpartitioncount',
      'Partitions led here whose ISR is smaller than min.insync.replicas',
      (s) =>
        count(
          s.partitions(),
          (p) => p.isLeader && p.isr.length < s.minInsyncReplicas(p.topicPartition.topic),
        ),
    );
    this.#gauge(
      'kafka_server_replicamanager_atminisrpartitioncount',
      'Partitions led here whose ISR is exactly min.insync.replicas',
      (s) =>
        count(
          s.partitions(),
          (p) => p.isLeader && p.isr.length === s.minInsyncReplicas(p.topicPartition.topic),
        ),
    );

    // Replication quotas (KIP-73). Kafka's quota sensors are kafka.server:type=LeaderReplication
    // and type=FollowerReplication, name=byte-rate (the measured rate the bound is checked
    // against); the byte counters are Samsa's, the meter those rates come from.
    const throttledBytes = counter({
      name: 'kafka_server_replication_throttled_bytes_total',
      help:
        'Bytes of throttled partitions sent to followers (replication="leader") or fetched ' +
        'from leaders (replication="follower"), counted against the replication quota',
      labelNames: ['replication'],
    });
    this.replicationHooks = {
      throttledBytes: (side, bytes) => throttledBytes.inc({ replication: side }, bytes),
    };
    this.#gauge(
      'kafka_server_leaderreplication_byte_rate',
      'Measured rate of throttled bytes sent to followers, bytes/s (leader quota)',
      (s) => s.replicationByteRates?.().leader ?? 0,
    );
    this.#gauge(
      'kafka_server_followerreplication_byte_rate',
      'Measured rate of throttled bytes fetched from leaders, bytes/s (follower quota)',
      (s) => s.replicationByteRates?.().follower ?? 0,
    );

    // kafka.server:type=DelayedOperationPurgatory,name=PurgatorySize,delayedOperation=...
    new Gauge({
      name: 'kafka_server_delayedoperationpurgatory_purgatorysize',
      help: 'Requests waiting in purgatory (acks=all produces, long-poll fetches)',
      labelNames: ['delayedOperation'],
      registers,
      collect: this.#collector((s, g: Gauge<'delayedOperation'>) => {
        const sizes = s.purgatorySizes();
        g.set({ delayedOperation: 'Produce' }, sizes.produce);
        g.set({ delayedOperation: 'Fetch' }, sizes.fetch);
      }),
    });

    // kafka.controller:type=KafkaController: 1/0 on every broker, the rest on the active one
    // (the others report 0, as Kafka's do).
    this.#gauge(
      'kafka_controller_kafkacontroller_activecontrollercount',
      '1 on the active controller, else 0',
      (s) => (s.controller() === undefined ? 0 : 1),
    );
    this.#gauge(
      'kafka_controller_kafkacontroller_offlinepartitionscount',
      'Partitions without a live leader (active controller only)',
      (s) => s.controller()?.offlinePartitions ?? 0,
    );
    this.#gauge(
      'kafka_controller_kafkacontroller_globaltopiccount',
      'Topics in the cluster (active controller only)',
      (s) => s.controller()?.topics ?? 0,
    );
    this.#gauge(
      'kafka_controller_kafkacontroller_globalpartitioncount',
      'Partitions in the cluster (active controller only)',
      (s) => s.controller()?.partitions ?? 0,
    );

    // kafka.log:type=Log,name=Size|LogEndOffset|LogStartOffset,topic=,partition=
    const perPartition = (
      name: string,
      help: string,
      read: (
        p: ReturnType<BrokerMetricsSources['partitions']> extends Iterable<infer P> ? P : never,
      ) => number,
    ): void => {
      new Gauge({
        name,
        help,
        labelNames: ['topic', 'partition'],
        registers,
        collect: this.#collector((s, g: Gauge<'topic' | 'partition'>) => {
          g.reset();
          for (const p of s.partitions()) {
            const { topic, partition } = p.topicPartition;
            g.set({ topic, partition: String(partition) }, read(p));
          }
        }),
      });
    };
    perPartition('kafka_log_log_size', 'Bytes of the partition log on disk', (p) => p.log.size);
    perPartition('kafka_log_log_logendoffset', 'Offset of the next record', (p) => p.logEndOffset);
    perPartition('kafka_log_log_logstartoffset', 'First offset kept', (p) => p.logStartOffset);
    perPartition(
      'kafka_cluster_partition_highwatermark',
      'High watermark (last committed offset + 1)',
      (p) => p.highWatermark,
    );

    // Consumer groups, with kafka_exporter's names (Kafka itself has no broker-side lag
    // metric; Burrow and kafka_exporter compute it the same way).
    new Gauge({
      name: 'kafka_consumergroup_current_offset',
      help: 'Committed offset of a group coordinated by this broker',
      labelNames: ['consumergroup', 'topic', 'partition'],
      registers,
      collect: this.#collector((s, g: Gauge<'consumergroup' | 'topic' | 'partition'>) => {
        g.reset();
        for (const row of groupOffsets(s)) g.set(row.labels, row.offset);
      }),
    });
    new Gauge({
      name: 'kafka_consumergroup_lag',
      help:
        'High watermark minus committed offset, for groups coordinated here on partitions ' +
        'hosted here',
      labelNames: ['consumergroup', 'topic', 'partition'],
      registers,
      collect: this.#collector((s, g: Gauge<'consumergroup' | 'topic' | 'partition'>) => {
        g.reset();
        const hw = new Map<string, number>();
        for (const p of s.partitions()) {
          hw.set(`${p.topicPartition.topic}/${p.topicPartition.partition}`, p.highWatermark);
        }
        for (const row of groupOffsets(s)) {
          const end = hw.get(`${row.labels.topic}/${row.labels.partition}`);
          if (end !== undefined) g.set(row.labels, Math.max(0, end - row.offset));
        }
      }),
    });
  }

  /** Connects the scrape-time gauges to the running broker (until then they read 0). */
  bind(sources: BrokerMetricsSources): void {
    this.#sources = sources;
  }

  /** The Prometheus text exposition of everything. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** Drops a deleted topic's counters. */
  forgetTopic(topic: string): void {
    this.#countedTopics.delete(topic);
    for (const c of this.#topicCounters) c.remove({ topic });
  }

  /** Drops the counters of every counted topic for which `exists` is false. */
  forgetDeletedTopics(exists: (topic: string) => boolean): void {
    for (const topic of [...this.#countedTopics]) if (!exists(topic)) this.forgetTopic(topic);
  }

  #gauge(name: string, help: string, read: (s: BrokerMetricsSources) => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect: this.#collector((s, g: Gauge) => g.set(read(s))),
    });
  }

  /** A prom-client collect callback that runs `fill` only once sources are bound. */
  #collector<G>(fill: (s: BrokerMetricsSources, gauge: G) => void): (this: G) => void {
    const bound = (): BrokerMetricsSources | undefined => this.#sources;
    // prom-client calls `collect` with the gauge as `this`.
    return function (this: G) {
      const sources = bound();
      if (sources !== undefined) fill(sources, this);
    };
  }
}

function count<T>(items: Iterable<T>, test: (item: T) => boolean): number {
  let n = 0;
  for (const item of items) if (test(item)) n++;
  return n;
}

function* groupOffsets(s: BrokerMetricsSources): Generator<{
  labels: { consumergroup: string; topic: string; partition: string };
  offset: number;
}> {
  for (const { group, offsets } of s.committedOffsets()) {
    for (const [key, committed] of offsets) {
      const { topic, partition } = parseOffsetKey(key);
      yield {
        labels: { consumergroup: group, topic, partition: String(partition) },
        offset: Number(committed.offset),
      };
    }
  }
}
