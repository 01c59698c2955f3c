/**
 * ControllerFailover: what a broker does when it becomes the controller and when it stops
 * being it (Kafka's `onControllerFailover` and `onControllerResignation` in KafkaController).
 * Winning /controller itself (the election and its fencing) is controller.ts's business; this
 * module starts from "we won, the context is empty".
 *
 * Becoming controller (every step re-reads the coordinator, so a controller may die at any
 * point and the next one simply does the remaining work):
 *
 *   1. arm the watches on everything the controller reacts to (/brokers/ids, /brokers/topics,
 *      /admin/delete_topics, /isr_change_notification) by reading them, and drop pending ISR
 *      change notifications: the context is about to be read fresh anyway;
 *   2. load the context: brokers (with their epochs), topics and assignments (with the
 *      adding/removing replicas of reassignments in progress), partition states; open a
 *      channel to every live broker; replicas are Online on live brokers, else Offline;
 *   3. partitions without a state znode get one; replicas on brokers that are not registered
 *      leave the ISRs, and partitions they led get a leader (the `offline` election: a broker
 *      that died while there was no controller is noticed here and nowhere else);
 *      LeaderAndIsr for every partition to its replicas, UpdateMetadata to every broker;
 *   4. finish what the previous controller left: reassignments, a pending preferred replica
 *      election, topic deletions; start the leader imbalance check.
 *
 * Resigning forgets everything the term built (the controller closes its broker channels).
 */
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import type { Logger } from '../../src/logger.js';
import type { ReplicaAssignment } from '../../src/znodes.js';
import {
  getAllBrokers,
  getAllTopics,
  getTopicsToDelete,
} from '../../src/kafka-zk/kafka-zk-client.js';
import type { BrokerChannels } from './broker-change-handler.js';
import type { ControllerContext } from './controller-context.js';
import type { ControllerRequestBatch } from './controller-request-batch.js';
import type { IsrChangeNotificationHandler } from './isr-change-notification-handler.js';
import type { PartitionStateMachine } from './partition-state-machine.js';
import type { ReassignmentManager } from './reassignment-manager.js';
import type { ReplicaLeaderElectionHandler } from './replica-leader-election-handler.js';
import type { ReplicaStateMachine } from './replica-state-machine.js';
import type { TopicChangeHandler } from './topic-change-handler.js';
import type { TopicDeletionManager } from './topic-deletion-manager.js';

export interface ControllerFailoverOptions {
  ctx: ControllerContext;
  zk: () => CoordinatorClient;
  partitionStateMachine: PartitionStateMachine;
  replicaStateMachine: ReplicaStateMachine;
  topicDeletionManager: TopicDeletionManager;
  reassignmentManager: ReassignmentManager;
  topicChangeHandler: TopicChangeHandler;
  isrChangeNotificationHandler: IsrChangeNotificationHandler;
  replicaLeaderElectionHandler: ReplicaLeaderElectionHandler;
  batch: () => ControllerRequestBatch;
  channels: Pick<BrokerChannels, 'add'>;
  /** Stable watchers of the children of /brokers/ids, /brokers/topics, /admin/delete_topics. */
  watchers: { onBrokerChange: () => void; onTopicChange: () => void; onTopicDeletion: () => void };
  log: Logger;
}

export class ControllerFailover {
  readonly #o: ControllerFailoverOptions;

  constructor(options: ControllerFailoverOptions) {
    this.#o = options;
  }

  /** This broker has just won /controller (the context holds only the new epoch). */
  async onControllerFailover(): Promise<void> {
    const { ctx, watchers } = this.#o;
    const zk = this.#o.zk();
    // 1. Watches on everything the controller reacts to (reading arms them).
    const brokerIds = await zk.getChildren('/brokers/ids', watchers.onBrokerChange);
    const topics = await getAllTopics(zk, watchers.onTopicChange);
    const toDelete = await getTopicsToDelete(zk, watchers.onTopicDeletion);
    // Pending ISR notifications: the context is about to be read fresh anyway.
    await this.#o.isrChangeNotificationHandler.dropPending();

    // 2. The context: brokers, assignments (with reassignments in progress), partition states.
    for (const broker of await getAllBrokers(zk, brokerIds))
      ctx.liveBrokers.set(broker.info.id, broker);
    const moving = new Map<string, { adding: ReplicaAssignment; removing: ReplicaAssignment }>();
    for (const topic of topics) {
      const loaded = await this.#o.topicChangeHandler.loadTopic(topic);
      if (loaded && (loaded.adding.size > 0 || loaded.removing.size > 0)) moving.set(topic, loaded);
    }
    for (const topic of toDelete) if (ctx.assignments.has(topic)) ctx.topicsToBeDeleted.add(topic);
    for (const id of ctx.liveBrokers.keys()) this.#o.channels.add(id);
    this.#o.replicaStateMachine.initialize();
    this.#o.log.info(
      {
        liveBrokers: [...ctx.liveBrokers.keys()],
        topics: ctx.assignments.size,
        partitions: ctx.partitionStates.size,
        topicsToBeDeleted: [...ctx.topicsToBeDeleted],
      },
      'controller context loaded',
    );

    // 3. Tell every live broker everything, elect leaders where there is none (or a dead
    // one). Replicas on brokers that are not registered leave the ISRs: a broker that died
    // while there was no controller is noticed here and nowhere else.
    const psm = this.#o.partitionStateMachine;
    const all = ctx.activePartitions();
    await psm.initialize(all.filter((tp) => !ctx.stateOf(tp)));
    await psm.elect(
      all.filter((tp) => ctx.stateOf(tp)),
      { kind: 'offline' },
      'controller failover',
    );
    const batch = this.#o.batch();
    for (const tp of all) if (ctx.stateOf(tp)) batch.leaderAndIsrToReplicas(ctx, tp, false);
    batch.updateMetadataToAll(ctx.allPartitions());

    // 4. Finish what the previous controller left: reassignments, preferred elections,
    // deletions; then the periodic leader balance check.
    await this.#o.reassignmentManager.resumeOnFailover(moving);
    await this.#o.replicaLeaderElectionHandler.processReplicaLeaderElection();
    await this.#o.topicDeletionManager.resume();
    this.#o.replicaLeaderElectionHandler.scheduleAutoRebalance();
  }

  /**
   * The term is over: stop the periodic check, forget the deletion manager's and the replica
   * state machine's bookkeeping, and empty the context (the next term reads it afresh).
   */
  onControllerResignation(): void {
    this.#o.replicaLeaderElectionHandler.cancelAutoRebalance();
    this.#o.topicDeletionManager.clear();
    this.#o.replicaStateMachine.clear();
    this.#o.ctx.clear();
  }
}
