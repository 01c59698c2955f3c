/**
 * The events of the controller's queue (Kafka's `ControllerEvent` subclasses in
 * ControllerState.scala / KafkaController.scala). Watch callbacks and request callbacks only
 * *create* these and enqueue them; `KafkaController.#process` is the one place that acts on
 * them, one at a time. Most carry no data on purpose: a watch says only "something changed",
 * and the handler re-reads the coordinator (which also re-arms the one-shot watch).
 */
export type ControllerEvent =
  /** This broker started: watch /controller and try to become controller. */
  | { type: 'Startup' }
  /** /controller was created or changed: learn who the controller is; resign if it is not us. */
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
  /** A broker answered StopReplica(delete=true) for a topic being deleted. */
  | { type: 'TopicDeletionStopReplicaResponse'; topic: string; brokerId: number; errorCode: number }
  /** The broker is shutting down: resign and stop processing. */
  | { type: 'Shutdown' };

export type ControllerEventType = ControllerEvent['type'];
