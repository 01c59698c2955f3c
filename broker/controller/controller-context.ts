/**
 * ControllerContext: the active controller's in-memory copy of the cluster, rebuilt from the
 * coordinator every time a broker becomes controller (docs/controller.md) and then kept in
 * step with its own writes and with watch events. Only the controller's event queue touches
 * it, so there is no locking (Kafka's ControllerContext has the same rule).
 *
 * Contents:
 *   epoch / epochZkVersion   the controller epoch and the znode version of /controller_epoch
 *                            that fences every write (docs/controller.md)
 *   liveBrokers              registered brokers with their epoch (= czxid of /brokers/ids/N)
 *   assignments              topic -> partition -> replicas (from /brokers/topics/<t>)
 *   partitionStates          "topic/partition" -> leader, ISR, epochs + the state znode's
 *                            version (the "zkVersion"/partition epoch used for conditional writes)
 *   topicsToBeDeleted        topics listed under /admin/delete_topics
 *   shuttingDownBrokerIds    brokers in a controlled shutdown: live, but never elected
 *   reassignments            "topic/partition" -> the replicas before and the target replicas
 *                            of a reassignment in progress (reassignment.ts)
 *
 * Also here: building the bodies of the control-plane requests from this state, because
 * that is a pure function of it (Kafka's ControllerBrokerRequestBatch). The versions sent are
 * chosen in `CONTROL_REQUEST_VERSIONS`; see docs/controller.md for why.
 */
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import type {
  LeaderAndIsrRequest,
  StopReplicaRequest,
  UpdateMetadataRequest,
} from '../../src/protocol/kafka/generated/index.js';
import {
  LEADER_DURING_DELETE,
  type BrokerInfo,
  type EndPoint,
  type LeaderAndIsr,
} from '../../src/znodes.js';

/**
 * The versions the controller sends. All are non-flexible and need no topic ids (our topic
 * znodes are version 2, without `topic_id`), yet carry what a broker needs:
 *   LeaderAndIsr v2   partitions grouped by topic, broker epoch (KIP-380), `isNew`
 *   UpdateMetadata v5 topic grouping, broker epoch, endpoints with listener names,
 *                     rack, offline replicas
 *   StopReplica v1    broker epoch, partitions grouped by topic, one delete flag per
 *                     request (v3's per-partition flag is not needed: we send deletions and
 *                     plain stops as separate requests)
 * These are the lowest versions with broker epochs (KIP-380).
 */
export const CONTROL_REQUEST_VERSIONS = {
  leaderAndIsr: 2,
  updateMetadata: 5,
  stopReplica: 1,
} as const;

/** SecurityProtocol ids in UpdateMetadata endpoints (Kafka's SecurityProtocol enum). */
const SECURITY_PROTOCOL_IDS: Record<string, number> = {
  PLAINTEXT: 0,
  SSL: 1,
  SASL_PLAINTEXT: 2,
  SASL_SSL: 3,
};

export interface LiveBroker {
  info: BrokerInfo;
  /** czxid of the registration znode: changes when the broker restarts (a "bounce"). */
  epoch: number;
}

export interface PartitionStateWithVersion {
  leaderAndIsr: LeaderAndIsr;
  /** The state znode's stat version: the expected version of the next conditional write. */
  zkVersion: number;
}

export interface TopicPartitionId {
  topic: string;
  partition: number;
}

export const partitionKey = (topic: string, partition: number): string => `${topic}/${partition}`;

/**
 * Where the controller and the followers reach a broker: its endpoint on
 * inter.broker.listener.name, else its first one; undefined when it registered none.
 */
export function interBrokerEndpoint(
  info: BrokerInfo,
  interBrokerListenerName: string | undefined,
): EndPoint | undefined {
  return (
    info.endpoints.find((e) => e.listenerName === interBrokerListenerName) ?? info.endpoints[0]
  );
}

/** A reassignment in progress: where the partition came from and where it goes. */
export interface ReassignmentInProgress {
  /** The replicas before the reassignment started (ORS). */
  originalReplicas: number[];
  /** The replicas it ends with (TRS); the first is the new preferred leader. */
  targetReplicas: number[];
}

export class ControllerContext {
  epoch = 0;
  epochZkVersion = -1;
  readonly liveBrokers = new Map<number, LiveBroker>();
  readonly assignments = new Map<string, Map<number, number[]>>();
  readonly partitionStates = new Map<string, PartitionStateWithVersion>();
  readonly topicsToBeDeleted = new Set<string>();
  readonly shuttingDownBrokerIds = new Set<number>();
  readonly reassignments = new Map<string, ReassignmentInProgress>();
  /** inter.broker.listener.name: followers reach their leaders on this listener. */
  interBrokerListenerName: string | undefined;

  clear(): void {
    this.epoch = 0;
    this.epochZkVersion = -1;
    this.liveBrokers.clear();
    this.assignments.clear();
    this.partitionStates.clear();
    this.topicsToBeDeleted.clear();
    this.shuttingDownBrokerIds.clear();
    this.reassignments.clear();
  }

  liveBrokerIds(): Set<number> {
    return new Set(this.liveBrokers.keys());
  }

  allPartitions(): TopicPartitionId[] {
    const result: TopicPartitionId[] = [];
    for (const [topic, partitions] of this.assignments) {
      for (const partition of [...partitions.keys()].sort((a, b) => a - b))
        result.push({ topic, partition });
    }
    return result;
  }

  /** Partitions of the topics that are not being deleted. */
  activePartitions(): TopicPartitionId[] {
    return this.allPartitions().filter((tp) => !this.topicsToBeDeleted.has(tp.topic));
  }

  replicasOf(tp: TopicPartitionId): number[] {
    return this.assignments.get(tp.topic)?.get(tp.partition) ?? [];
  }

  stateOf(tp: TopicPartitionId): PartitionStateWithVersion | undefined {
    return this.partitionStates.get(partitionKey(tp.topic, tp.partition));
  }

  setState(tp: TopicPartitionId, state: PartitionStateWithVersion): void {
    this.partitionStates.set(partitionKey(tp.topic, tp.partition), state);
  }

  setReplicas(tp: TopicPartitionId, replicas: number[]): void {
    this.assignments.get(tp.topic)?.set(tp.partition, replicas);
  }

  reassignmentOf(tp: TopicPartitionId): ReassignmentInProgress | undefined {
    return this.reassignments.get(partitionKey(tp.topic, tp.partition));
  }

  /** Live brokers that may lead: registered and not in a controlled shutdown. */
  electableBrokerIds(): Set<number> {
    const ids = this.liveBrokerIds();
    for (const id of this.shuttingDownBrokerIds) ids.delete(id);
    return ids;
  }

  removeTopic(topic: string): void {
    for (const partition of this.assignments.get(topic)?.keys() ?? []) {
      this.partitionStates.delete(partitionKey(topic, partition));
      this.reassignments.delete(partitionKey(topic, partition));
    }
    this.assignments.delete(topic);
    this.topicsToBeDeleted.delete(topic);
  }

  /** Partitions that have at least one replica on `brokerId`. */
  partitionsOnBroker(brokerId: number): TopicPartitionId[] {
    return this.allPartitions().filter((tp) => this.replicasOf(tp).includes(brokerId));
  }

  // -------------------------------------------------------------------------------------------
  // Request bodies (ControllerBrokerRequestBatch)

  /** LeaderAndIsr for `partitions` (all must have a state), addressed to `brokerId`. */
  leaderAndIsrRequest(
    controllerId: number,
    brokerId: number,
    partitions: readonly TopicPartitionId[],
    isNew: boolean,
  ): Encodable<LeaderAndIsrRequest> {
    const byTopic = new Map<string, TopicPartitionId[]>();
    for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp]);
    const leaderIds = new Set<number>();
    const topicStates = [...byTopic].map(([topicName, tps]) => ({
      topicName,
      partitionStates: tps.map((tp) => {
        const state = this.stateOf(tp);
        if (!state) throw new Error(`no state for ${tp.topic}-${tp.partition}`);
        const { leaderAndIsr } = state;
        leaderIds.add(leaderAndIsr.leader);
        return {
          topicName,
          partitionIndex: tp.partition,
          controllerEpoch: leaderAndIsr.controllerEpoch,
          leader: leaderAndIsr.leader,
          leaderEpoch: leaderAndIsr.leaderEpoch,
          isr: leaderAndIsr.isr,
          partitionEpoch: state.zkVersion,
          replicas: this.replicasOf(tp),
          isNew,
        };
      }),
    }));
    // liveLeaders: where the leaders named above can be reached (followers fetch from them).
    const liveLeaders = [...leaderIds].flatMap((id) => {
      const broker = this.liveBrokers.get(id);
      const endpoint = broker && interBrokerEndpoint(broker.info, this.interBrokerListenerName);
      return endpoint ? [{ brokerId: id, hostName: endpoint.host, port: endpoint.port }] : [];
    });
    return {
      controllerId,
      controllerEpoch: this.epoch,
      brokerEpoch: BigInt(this.liveBrokers.get(brokerId)?.epoch ?? -1),
      topicStates,
      liveLeaders,
    };
  }

  /**
   * UpdateMetadata with every live broker and the given partitions. Partitions of topics
   * being deleted are sent with leader -2, which tells brokers to drop them from their cache.
   */
  updateMetadataRequest(
    controllerId: number,
    brokerId: number,
    partitions: readonly TopicPartitionId[],
  ): Encodable<UpdateMetadataRequest> {
    const live = this.liveBrokerIds();
    const byTopic = new Map<string, TopicPartitionId[]>();
    for (const tp of partitions) {
      if (!this.stateOf(tp)) continue; // not yet initialised: nothing to say about it
      byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp]);
    }
    const topicStates = [...byTopic].map(([topicName, tps]) => ({
      topicName,
      partitionStates: tps.map((tp) => {
        const state = this.stateOf(tp) as PartitionStateWithVersion;
        const deleting = this.topicsToBeDeleted.has(tp.topic);
        const replicas = this.replicasOf(tp);
        return {
          topicName,
          partitionIndex: tp.partition,
          controllerEpoch: state.leaderAndIsr.controllerEpoch,
          leader: deleting ? LEADER_DURING_DELETE : state.leaderAndIsr.leader,
          leaderEpoch: deleting ? LEADER_DURING_DELETE : state.leaderAndIsr.leaderEpoch,
          isr: state.leaderAndIsr.isr,
          zkVersion: state.zkVersion,
          replicas,
          offlineReplicas: replicas.filter((r) => !live.has(r)),
        };
      }),
    }));
    const liveBrokers = [...this.liveBrokers.values()]
      .sort((a, b) => a.info.id - b.info.id)
      .map(({ info }) => ({
        id: info.id,
        endpoints: info.endpoints.map((e) => ({
          port: e.port,
          host: e.host,
          listener: e.listenerName,
          securityProtocol: SECURITY_PROTOCOL_IDS[e.securityProtocol] ?? 0,
        })),
        rack: info.rack,
      }));
    return {
      controllerId,
      controllerEpoch: this.epoch,
      brokerEpoch: BigInt(this.liveBrokers.get(brokerId)?.epoch ?? -1),
      topicStates,
      liveBrokers,
    };
  }

  stopReplicaRequest(
    controllerId: number,
    brokerId: number,
    partitions: readonly TopicPartitionId[],
    deletePartitions: boolean,
  ): Encodable<StopReplicaRequest> {
    const byTopic = new Map<string, number[]>();
    for (const tp of partitions)
      byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    return {
      controllerId,
      controllerEpoch: this.epoch,
      brokerEpoch: BigInt(this.liveBrokers.get(brokerId)?.epoch ?? -1),
      deletePartitions,
      topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
    };
  }
}
