/**
 * The events of the controller's queue (Kafka's `ControllerEvent` subclasses in
 * ControllerState.scala / KafkaController.scala). Watch callbacks, timers and request
 * handlers only *create* these and enqueue them; `KafkaController.#process` is the one place
 * that takes them off the queue, one at a time, and hands each to the module that reacts to it
 * (docs/controller.md has the table). Most carry no data on purpose: a watch says only
 * "something changed", and the handler re-reads the coordinator (which also re-arms the
 * one-shot watch).
 */
import type { TopicPartitionId } from './controller-context.js';

/** The controller's answer to a ControlledShutdown request. */
export interface ControlledShutdownResult {
  errorCode: number;
  /** Partitions the broker still leads (the broker retries while this is not empty). */
  remainingPartitions: TopicPartitionId[];
}

/** One partition's answer to an admin API call (ElectLeaders, AlterPartitionReassignments). */
export interface PartitionApiResult {
  tp: TopicPartitionId;
  errorCode: number;
  errorMessage: string | null;
}

/** A reassignment in progress as ListPartitionReassignments shows it. */
export interface OngoingReassignment {
  tp: TopicPartitionId;
  replicas: number[];
  adding: number[];
  removing: number[];
}

export type ControllerEvent =
  /** This broker started: watch /controller and try to become controller. */
  | { type: 'Startup' }
  /** /controller was created or changed: learn the controller; resign if it is not us. */
  | { type: 'ControllerChange' }
  /** /controller was deleted: resign if we were controller, then race to become it. */
  | { type: 'Reelect' }
  /** The broker's coordinator session expired and a new one was made: re-run the election. */
  | { type: 'RegisterBrokerAndReelect' }
  /** Children of /brokers/ids changed: brokers joined, left or restarted. */
  | { type: 'BrokerChange' }
  /** Children of /brokers/topics changed: topics were created or removed. */
  | { type: 'TopicChange' }
  /** /brokers/topics/<topic> changed: partitions may have been added. */
  | { type: 'PartitionModifications'; topic: string }
  /** Children of /admin/delete_topics changed: topics to delete. */
  | { type: 'TopicDeletion' }
  /** Children of /isr_change_notification changed: leaders changed ISRs. */
  | { type: 'IsrChangeNotification' }
  /** A broker answered StopReplica(delete=true) for a replica of a topic being deleted. */
  | {
      type: 'TopicDeletionStopReplicaResponse';
      topic: string;
      partition: number;
      brokerId: number;
      errorCode: number;
    }
  /** /admin/reassign_partitions was created or changed. */
  | { type: 'ZkPartitionReassignment' }
  /** The state znode of a partition being reassigned changed (its ISR may have grown). */
  | { type: 'PartitionReassignmentIsrChange'; partition: TopicPartitionId }
  /** /admin/preferred_replica_election was created. */
  | { type: 'ReplicaLeaderElection' }
  /** The leader.imbalance.check.interval timer fired. */
  | { type: 'AutoPreferredReplicaLeaderElection' }
  /** A broker asked to shut down in a controlled way (the ControlledShutdown API). */
  | {
      type: 'ControlledShutdown';
      brokerId: number;
      brokerEpoch: bigint;
      reply: (result: ControlledShutdownResult) => void;
    }
  /** The ElectLeaders API (KIP-460): preferred or unclean elections; null = all partitions. */
  | {
      type: 'ApiElectLeaders';
      electionType: 'preferred' | 'unclean';
      partitions: TopicPartitionId[] | null;
      reply: (results: PartitionApiResult[]) => void;
    }
  /** The AlterPartitionReassignments API (KIP-455): start, or cancel with null replicas. */
  | {
      type: 'ApiPartitionReassignment';
      requests: { tp: TopicPartitionId; replicas: number[] | null }[];
      reply: (results: PartitionApiResult[]) => void;
    }
  /** The ListPartitionReassignments API (KIP-455); null = all. */
  | {
      type: 'ListPartitionReassignments';
      partitions: TopicPartitionId[] | null;
      reply: (ongoing: OngoingReassignment[]) => void;
    }
  /** The broker is shutting down: resign and stop processing. */
  | { type: 'Shutdown' };

export type ControllerEventType = ControllerEvent['type'];
