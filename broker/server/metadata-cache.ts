/**
 * The broker's view of the cluster, as the controller last described it: which brokers are
 * alive (and where to reach them), which topics exist, and for every partition its leader,
 * leader epoch, ISR, replicas and offline replicas. Modelled on Kafka's `ZkMetadataCache`
 * (kafka.server.MetadataCache in 2.8).
 *
 * Where the data comes from: ONLY from UpdateMetadata requests (API key 6) sent by the
 * controller. A broker never reads topic state from the coordinator to answer clients; that
 * is the classic design, and it is why a client can briefly see stale metadata on one broker
 * (the controller sends UpdateMetadata to every broker, one at a time). The cluster id is the
 * exception: the controller does not send it, the broker reads it once at start-up (Kafka
 * reads `/cluster/id`) and passes it to the constructor.
 *
 * How an UpdateMetadata request is applied (as Kafka's `updateMetadata`):
 *   - `liveBrokers` REPLACES the set of alive brokers: the controller always sends all of them;
 *   - each partition state REPLACES that partition's entry, except that a state whose leader is
 *     -2 (`LEADER_DURING_DELETE`) removes the partition: the topic is being deleted;
 *   - partitions the request does not mention are kept (the controller sends only what changed).
 *
 * Snapshots: every update builds a new immutable `MetadataSnapshot` and swaps it in. A request
 * handler takes `cache.snapshot` once and reads only from it, so a Metadata response never mixes
 * two versions of the cluster even if an UpdateMetadata arrives while the handler awaits.
 *
 * Pure: no I/O and no clock. The controller-epoch check that guards updates lives in the
 * replica manager (as in Kafka), which calls `update` only for requests it accepted.
 */
import type {
  UpdateMetadataBroker,
  UpdateMetadataPartitionState,
  UpdateMetadataRequest,
} from '../../src/protocol/kafka/generated/update-metadata.js';
import type { TopicPartition } from '../log/log.js';

/** The leader id the controller uses in UpdateMetadata for partitions of a deleted topic. */
export const LEADER_DURING_DELETE = -2;
/** "No leader" in partition states (all replicas offline, or not yet elected). */
export const NO_LEADER = -1;

export interface BrokerEndpoint {
  readonly id: number;
  /** host and port of the cache's default listener (the inter-broker one). */
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
  /** Every listener of the broker by name (UpdateMetadata v1+), including the default. */
  readonly listeners?: ReadonlyMap<string, { readonly host: string; readonly port: number }>;
}

export interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  /** Broker id of the leader, or -1. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly replicas: readonly number[];
  readonly offlineReplicas: readonly number[];
  /** The controller epoch that wrote this state. */
  readonly controllerEpoch: number;
}

/** One consistent picture of the cluster. Never mutated after construction. */
export class MetadataSnapshot {
  constructor(
    /** Alive brokers by id. */
    readonly brokers: ReadonlyMap<number, BrokerEndpoint>,
    /** Topic -> partition index -> state. */
    readonly topics: ReadonlyMap<string, ReadonlyMap<number, PartitionState>>,
    /** The active controller's id, or -1 before the first UpdateMetadata. */
    readonly controllerId: number,
    readonly clusterId: string | null,
  ) {}

  static empty(clusterId: string | null): MetadataSnapshot {
    return new MetadataSnapshot(new Map(), new Map(), -1, clusterId);
  }

  hasTopic(topic: string): boolean {
    return this.topics.has(topic);
  }

  partition(tp: TopicPartition): PartitionState | undefined {
    return this.topics.get(tp.topic)?.get(tp.partition);
  }

  /**
   * A live broker as a client of `listenerName` must reach it (Kafka answers each client with
   * the endpoints of the listener it connected to); undefined if the broker is not alive or
   * has no such listener. Without a listener name: the default endpoint.
   */
  brokerOn(brokerId: number, listenerName: string | undefined): BrokerEndpoint | undefined {
    const broker = this.brokers.get(brokerId);
    if (broker === undefined || listenerName === undefined) return broker;
    const endpoint = broker.listeners?.get(listenerName);
    if (endpoint === undefined) return broker.listeners === undefined ? broker : undefined;
    return { id: broker.id, host: endpoint.host, port: endpoint.port, rack: broker.rack };
  }

  /** Every live broker with an endpoint on `listenerName`, by id (see brokerOn). */
  brokersOn(listenerName: string | undefined): BrokerEndpoint[] {
    return [...this.brokers.keys()]
      .sort((a, b) => a - b)
      .flatMap((id) => this.brokerOn(id, listenerName) ?? []);
  }

  isBrokerAlive(brokerId: number): boolean {
    return this.brokers.has(brokerId);
  }

  /** Topic names in sorted order, so responses and logs are deterministic. */
  topicNames(): string[] {
    return [...this.topics.keys()].sort();
  }
}

export interface MetadataCacheOptions {
  /** Read from the coordinator at start-up (Kafka: `/cluster/id`). */
  clusterId: string | null;
  /**
   * The listener whose endpoint clients are given (Kafka: the listener the request came in
   * on). If a broker has no endpoint by that name, its first endpoint is used.
   */
  listenerName?: string;
}

/** A callback run after every applied update (e.g. to complete a waiting CreateTopics). */
export type MetadataListener = (snapshot: MetadataSnapshot) => void;

export class MetadataCache {
  readonly #listenerName: string;
  #snapshot: MetadataSnapshot;
  readonly #listeners = new Set<MetadataListener>();

  constructor(options: MetadataCacheOptions) {
    this.#listenerName = options.listenerName ?? 'PLAINTEXT';
    this.#snapshot = MetadataSnapshot.empty(options.clusterId);
  }

  get snapshot(): MetadataSnapshot {
    return this.#snapshot;
  }

  /** The cluster id can also arrive after construction (read from the coordinator later). */
  setClusterId(clusterId: string): void {
    const s = this.#snapshot;
    this.#snapshot = new MetadataSnapshot(s.brokers, s.topics, s.controllerId, clusterId);
  }

  /**
   * Applies an accepted UpdateMetadata request of any version (0-8) and returns the
   * partitions it removed (deleted topics), which the caller may want to forget elsewhere.
   */
  update(request: UpdateMetadataRequest, apiVersion: number): TopicPartition[] {
    const previous = this.#snapshot;
    const brokers = new Map<number, BrokerEndpoint>();
    for (const broker of request.liveBrokers) {
      brokers.set(broker.id, this.#endpointOf(broker, apiVersion));
    }
    // Copy-on-write per topic: only topics the request touches get a new partition map.
    const topics = new Map<string, ReadonlyMap<number, PartitionState>>(previous.topics);
    const touched = new Map<string, Map<number, PartitionState>>();
    const deleted: TopicPartition[] = [];
    for (const state of partitionStatesOf(request, apiVersion)) {
      let partitions = touched.get(state.topicName);
      if (partitions === undefined) {
        partitions = new Map(previous.topics.get(state.topicName) ?? []);
        touched.set(state.topicName, partitions);
      }
      if (state.leader === LEADER_DURING_DELETE) {
        partitions.delete(state.partitionIndex);
        deleted.push({ topic: state.topicName, partition: state.partitionIndex });
        continue;
      }
      partitions.set(state.partitionIndex, {
        topic: state.topicName,
        partition: state.partitionIndex,
        leader: state.leader,
        leaderEpoch: state.leaderEpoch,
        isr: state.isr,
        replicas: state.replicas,
        // Offline replicas arrived in v4; before that, every replica counts as online.
        offlineReplicas: apiVersion >= 4 ? state.offlineReplicas : [],
        controllerEpoch: state.controllerEpoch,
      });
    }
    for (const [topic, partitions] of touched) {
      if (partitions.size === 0) topics.delete(topic);
      else topics.set(topic, partitions);
    }
    this.#snapshot = new MetadataSnapshot(
      brokers,
      topics,
      request.controllerId,
      previous.clusterId,
    );
    for (const listener of this.#listeners) listener(this.#snapshot);
    return deleted;
  }

  /** Registers `listener` to run after each update; returns the function that removes it. */
  onUpdate(listener: MetadataListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #endpointOf(broker: UpdateMetadataBroker, apiVersion: number): BrokerEndpoint {
    // v0 carried a single host/port; v1+ carry one endpoint per listener (and v2+ a rack).
    if (apiVersion === 0) {
      return { id: broker.id, host: broker.v0Host, port: broker.v0Port, rack: null };
    }
    const endpoint =
      broker.endpoints.find((e) => e.listener === this.#listenerName) ?? broker.endpoints[0];
    return {
      id: broker.id,
      host: endpoint?.host ?? '',
      port: endpoint?.port ?? -1,
      rack: apiVersion >= 2 ? broker.rack : null,
      listeners: new Map(broker.endpoints.map((e) => [e.listener, { host: e.host, port: e.port }])),
    };
  }
}

/**
 * The partition states of an UpdateMetadata request, whatever its version: v0-4 list them
 * flat (each carrying its topic name), v5+ group them by topic.
 */
export function partitionStatesOf(
  request: UpdateMetadataRequest,
  apiVersion: number,
): UpdateMetadataPartitionState[] {
  if (apiVersion <= 4) return request.ungroupedPartitionStates;
  const states: UpdateMetadataPartitionState[] = [];
  for (const topic of request.topicStates) {
    for (const state of topic.partitionStates)
      states.push({ ...state, topicName: topic.topicName });
  }
  return states;
}
