/**
 * KafkaController: the classic (ZooKeeper-mode) controller. Every broker runs one; the one
 * that owns the ephemeral `/controller` znode is *active* and manages partition leadership
 * for the whole cluster. docs/controller.md walks through it.
 *
 * This file is the event loop and the reactions to events; the work is done by modules named
 * after Kafka's classes:
 *
 *   partition-state-machine.ts   leaders and ISRs: writes the state znodes (decisions in
 *                                leader-election.ts)
 *   replica-state-machine.ts     which brokers host, stop and delete a partition's replicas
 *   topic-deletion-manager.ts    /admin/delete_topics
 *   reassignment-manager.ts      /admin/reassign_partitions (decisions in reassignment.ts)
 *   controller-request-batch.ts  the LeaderAndIsr/UpdateMetadata/StopReplica of one event
 *   leader-imbalance.ts          when the automatic preferred-leader election runs
 *
 * Concurrency model (Kafka's ControllerEventManager): ONE serial event queue. Watch callbacks,
 * timers and request handlers only enqueue a `ControllerEvent`; `#process` handles one event
 * at a time to completion (including its awaits) before the next starts, so no two handlers
 * ever interleave on the controller's state. Handlers re-read the coordinator, which also
 * re-arms the one-shot watches. The requests an event produced are sent when it is done.
 *
 * Election and fencing: on startup and whenever /controller disappears, every broker tries
 * one multi { create /controller (ephemeral), setData /controller_epoch = epoch+1 at the
 * version just read }. The winner keeps /controller_epoch's new znode version
 * (`epochZkVersion`), and every later write is `multi(check(/controller_epoch,
 * epochZkVersion), ...)`, so a controller that was replaced without noticing (a long pause, a
 * partition from the coordinator) cannot overwrite its successor's decisions: its writes fail
 * and it resigns.
 *
 * States of this broker's controller:
 *
 *     inactive --elect() wins--> active       (onControllerFailover: rebuild the context,
 *                                              elect leaders, resume reassignments, preferred
 *                                              elections and deletions, tell every broker)
 *     active --/controller now names another broker, a fenced write fails, the session
 *              expires, or shutdown--> inactive   (onControllerResignation: drop the context
 *                                              and the broker channels)
 */
import type { Clock } from '../../src/clock.js';
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { Op } from '../../src/coordinator-client/client.js';
import type { Logger } from '../../src/logger.js';
import { ErrorCode, hasCode } from '../../src/protocol/coordinator/errors.js';
import { ErrorCode as KafkaErrorCode } from '../../src/protocol/kafka/errors.js';
import { systemScheduler, type Scheduler, type Timer } from '../../src/scheduler.js';
import { unreachable } from '../../src/assert.js';
import { inBatches } from '../../src/in-batches.js';
import {
  ControllerZNode,
  IsrChangeNotificationZNode,
  PreferredReplicaElectionZNode,
  type ReplicaAssignment,
} from '../../src/znodes.js';
import {
  ControllerMovedError,
  fencedMulti,
  getAllBrokers,
  getAllTopics,
  getControllerId,
  getPartitionState,
  getTopicAssignment,
  getTopicsToDelete,
  tryRegisterController,
} from '../../src/kafka-zk/kafka-zk-client.js';
import { ControllerContext, partitionKey, type TopicPartitionId } from './controller-context.js';
import type {
  ControlledShutdownResult,
  ControllerEvent,
  OngoingReassignment,
  PartitionApiResult,
} from './controller-events.js';
import { ControllerRequestBatch, type BrokerRequestSender } from './controller-request-batch.js';
import { leaderImbalance } from './leader-imbalance.js';
import { needsLeaderElection } from './leader-election.js';
import { PARTITIONS_PER_ZK_BATCH, PartitionStateMachine } from './partition-state-machine.js';
import { ReassignmentManager } from './reassignment-manager.js';
import { ReplicaStateMachine } from './replica-state-machine.js';
import { TopicDeletionManager } from './topic-deletion-manager.js';

export type { BrokerRequestSender } from './controller-request-batch.js';
export type {
  ControlledShutdownResult,
  OngoingReassignment,
  PartitionApiResult,
} from './controller-events.js';

export interface ControllerOptions {
  brokerId: number;
  /** The broker's current coordinator session (replaced after an expiry). */
  zk: () => CoordinatorClient;
  /** Makes the request sender for one term as controller (channels die on resignation). */
  createSender: () => BrokerRequestSender;
  /** Listener the controller uses to reach brokers (inter.broker.listener.name). */
  interBrokerListenerName: string;
  /** unclean.leader.election.enable (false); a topic's config may override it. */
  uncleanLeaderElectionEnable: boolean | (() => boolean);
  deleteTopicEnable: boolean;
  clock: Clock;
  /** Timers (retry backoff, the leader imbalance check); the system scheduler by default. */
  scheduler?: Scheduler;
  logger: Logger;
  /** Retry an event that failed on a lost coordinator connection after this long. */
  retryBackoffMs?: number;
  /** auto.leader.rebalance.enable (true). */
  autoLeaderRebalanceEnable?: boolean;
  /** leader.imbalance.check.interval.seconds (300), in ms. */
  leaderImbalanceCheckIntervalMs?: number;
  /** leader.imbalance.per.broker.percentage (10). */
  leaderImbalancePerBrokerPercentage?: number;
}

/** Bound on queued events; watches coalesce naturally, so this is never near in practice. */
const QUEUED_EVENTS_MAX = 100_000;
const DEFAULT_RETRY_BACKOFF_MS = 500;
const DEFAULT_LEADER_IMBALANCE_CHECK_INTERVAL_MS = 300_000;
const DEFAULT_LEADER_IMBALANCE_PER_BROKER_PERCENTAGE = 10;

export class KafkaController {
  readonly #options: ControllerOptions;
  readonly #log: Logger;
  readonly #scheduler: Scheduler;
  readonly #ctx = new ControllerContext();
  readonly #queue: ControllerEvent[] = [];
  #running = false;
  #stopped = false;
  #activeControllerId = -1;
  #active = false;
  #sender: BrokerRequestSender | undefined;
  /** Requests accumulated while processing one event, sent at its end. */
  #batch = new ControllerRequestBatch();
  #idleWaiters: (() => void)[] = [];
  /** API events waiting for an answer: how to answer "not controller" if they never run. */
  readonly #pendingReplies = new Map<ControllerEvent, () => void>();
  #imbalanceTimer: Timer | undefined;
  readonly #partitionStateMachine: PartitionStateMachine;
  readonly #replicaStateMachine: ReplicaStateMachine;
  readonly #topicDeletionManager: TopicDeletionManager;
  readonly #reassignmentManager: ReassignmentManager;

  // Stable watcher functions: the client keeps watchers in sets, so re-arming a watch with
  // the same function never registers it twice.
  readonly #onControllerNode = (event: { type: string }): void =>
    this.#enqueue(
      event.type === 'NodeDeleted' ? { type: 'Reelect' } : { type: 'ControllerChange' },
    );
  readonly #onBrokerChange = (): void => this.#enqueue({ type: 'BrokerChange' });
  readonly #onTopicChange = (): void => this.#enqueue({ type: 'TopicChange' });
  readonly #onTopicDeletion = (): void => this.#enqueue({ type: 'TopicDeletion' });
  readonly #onIsrChange = (): void => this.#enqueue({ type: 'IsrChangeNotification' });
  readonly #onReassignNode = (): void => this.#enqueue({ type: 'ZkPartitionReassignment' });
  readonly #onPreferredElectionNode = (): void => this.#enqueue({ type: 'ReplicaLeaderElection' });
  readonly #topicWatchers = new Map<string, () => void>();
  readonly #stateWatchers = new Map<string, () => void>();

  constructor(options: ControllerOptions) {
    this.#ctx.interBrokerListenerName = options.interBrokerListenerName;
    this.#options = options;
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#log = options.logger.child({ component: 'controller', brokerId: options.brokerId });
    const batch = (): ControllerRequestBatch => this.#batch;
    const zk = (): CoordinatorClient => this.#zk;
    this.#partitionStateMachine = new PartitionStateMachine({
      ctx: this.#ctx,
      zk,
      batch,
      uncleanLeaderElectionEnable: options.uncleanLeaderElectionEnable,
      log: this.#log,
    });
    this.#replicaStateMachine = new ReplicaStateMachine({
      ctx: this.#ctx,
      partitionStateMachine: this.#partitionStateMachine,
      batch,
      log: this.#log,
    });
    this.#topicDeletionManager = new TopicDeletionManager({
      ctx: this.#ctx,
      zk,
      replicaStateMachine: this.#replicaStateMachine,
      batch,
      deleteTopicEnable: options.deleteTopicEnable,
      onDeletionResult: (r, errorCode) =>
        this.#enqueue({
          type: 'TopicDeletionStopReplicaResponse',
          topic: r.topic,
          partition: r.partition,
          brokerId: r.replica,
          errorCode,
        }),
      onTopicDeleted: (topic) => {
        this.#ctx.removeTopic(topic);
        this.#topicWatchers.delete(topic);
      },
      log: this.#log,
    });
    this.#reassignmentManager = new ReassignmentManager({
      ctx: this.#ctx,
      zk,
      partitionStateMachine: this.#partitionStateMachine,
      replicaStateMachine: this.#replicaStateMachine,
      batch,
      onRequestNode: this.#onReassignNode,
      stateWatcher: (tp) => this.#stateWatcher(tp),
      log: this.#log,
    });
  }

  /** Is this broker the active controller? (what KafkaApis asks before CreateTopics) */
  isActive(): boolean {
    return this.#active;
  }

  /** The active controller's id as last seen, -1 if none. */
  get activeControllerId(): number {
    return this.#activeControllerId;
  }

  /** The current controller epoch while active. */
  get epoch(): number {
    return this.#ctx.epoch;
  }

  /**
   * Kafka's controller gauges (OfflinePartitionsCount, GlobalTopicCount,
   * GlobalPartitionCount), read by broker/metrics/ at scrape time; undefined unless active.
   * Topics being deleted are left out, as in Kafka.
   */
  metricsSnapshot(): { offlinePartitions: number; topics: number; partitions: number } | undefined {
    if (!this.#active) return undefined;
    const ctx = this.#ctx;
    const live = ctx.liveBrokerIds();
    let offlinePartitions = 0;
    let partitions = 0;
    for (const tp of ctx.allPartitions()) {
      if (ctx.topicsToBeDeleted.has(tp.topic)) continue;
      partitions++;
      const leader = ctx.stateOf(tp)?.leaderAndIsr.leader;
      if (leader === undefined || !live.has(leader)) offlinePartitions++;
    }
    const topics = [...ctx.assignments.keys()].filter((t) => !ctx.topicsToBeDeleted.has(t));
    return { offlinePartitions, topics: topics.length, partitions };
  }

  startup(): void {
    this.#enqueue({ type: 'Startup' });
  }

  /** The broker made a new coordinator session (the old one expired). */
  onNewSession(): void {
    this.#enqueue({ type: 'RegisterBrokerAndReelect' });
  }

  /**
   * The ControlledShutdown API on the controller's side: move leadership away from
   * `brokerId` and take it out of the ISRs. Resolves with the partitions it still leads.
   */
  controlledShutdown(brokerId: number, brokerEpoch: bigint): Promise<ControlledShutdownResult> {
    return new Promise((reply) => {
      if (!this.#active || this.#stopped) {
        reply({ errorCode: KafkaErrorCode.NOT_CONTROLLER, remainingPartitions: [] });
        return;
      }
      this.#enqueue({ type: 'ControlledShutdown', brokerId, brokerEpoch, reply });
    });
  }

  /** The ElectLeaders API; null when this broker is not the controller. */
  electLeaders(
    electionType: 'preferred' | 'unclean',
    partitions: TopicPartitionId[] | null,
  ): Promise<PartitionApiResult[] | null> {
    return this.#ask((reply) => ({ type: 'ApiElectLeaders', electionType, partitions, reply }));
  }

  /** The AlterPartitionReassignments API; null when this broker is not the controller. */
  alterPartitionReassignments(
    requests: { tp: TopicPartitionId; replicas: number[] | null }[],
  ): Promise<PartitionApiResult[] | null> {
    return this.#ask((reply) => ({ type: 'ApiPartitionReassignment', requests, reply }));
  }

  /** The ListPartitionReassignments API; null when this broker is not the controller. */
  listPartitionReassignments(
    partitions: TopicPartitionId[] | null,
  ): Promise<OngoingReassignment[] | null> {
    return this.#ask((reply) => ({ type: 'ListPartitionReassignments', partitions, reply }));
  }

  /** Enqueue an API event and wait for its reply; null if not (or no longer) controller. */
  #ask<T>(event: (reply: (value: T) => void) => ControllerEvent): Promise<T | null> {
    return new Promise((resolve) => {
      if (!this.#active || this.#stopped) return resolve(null);
      const e = event(resolve as (value: T) => void);
      this.#pendingReplies.set(e, () => resolve(null));
      this.#enqueue(e);
    });
  }

  /** Resign (deleting /controller if we own it) and stop; resolves when done. */
  async shutdown(): Promise<void> {
    this.#enqueue({ type: 'Shutdown' });
    await this.whenIdle();
  }

  /** Resolves once the queue is empty (tests and shutdown use it). */
  whenIdle(): Promise<void> {
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  // -------------------------------------------------------------------------------------------
  // The event queue

  #enqueue(event: ControllerEvent): void {
    if (this.#stopped) {
      if (event.type === 'ControlledShutdown')
        event.reply({ errorCode: KafkaErrorCode.NOT_CONTROLLER, remainingPartitions: [] });
      return;
    }
    if (this.#queue.length >= QUEUED_EVENTS_MAX) {
      this.#log.error({ event: event.type }, 'controller event queue full; event dropped');
      return;
    }
    this.#queue.push(event);
    if (!this.#running) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#running = true;
    while (this.#queue.length > 0 && !this.#stopped) {
      const event = this.#queue.shift() as ControllerEvent;
      this.#log.debug({ event: event.type }, 'processing event');
      this.#batch = new ControllerRequestBatch();
      try {
        await this.#process(event);
        this.#sendBatch();
      } catch (err) {
        await this.#handleFailure(event, err);
      }
      // An API event that failed (or found us inactive) still gets an answer; resolving a
      // promise twice does nothing, so those that were answered are not affected.
      this.#pendingReplies.get(event)?.();
      this.#pendingReplies.delete(event);
    }
    // Anyone still waiting for an answer gets one.
    for (const event of this.#queue.splice(0)) this.#answerNotController(event);
    this.#running = false;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  #answerNotController(event: ControllerEvent): void {
    if (event.type === 'ControlledShutdown')
      event.reply({ errorCode: KafkaErrorCode.NOT_CONTROLLER, remainingPartitions: [] });
    this.#pendingReplies.get(event)?.();
    this.#pendingReplies.delete(event);
  }

  async #handleFailure(event: ControllerEvent, err: unknown): Promise<void> {
    if (event.type === 'ControlledShutdown') {
      // The broker retries (controlled.shutdown.max.retries); say something it can act on.
      event.reply({
        errorCode: this.#active
          ? KafkaErrorCode.UNKNOWN_SERVER_ERROR
          : KafkaErrorCode.NOT_CONTROLLER,
        remainingPartitions: [],
      });
    }
    if (err instanceof ControllerMovedError) {
      // A newer epoch exists, so our term is over whatever /controller says. If /controller
      // still names us (our node survived while someone bumped the epoch), give it up too:
      // its deletion starts a fresh election in which every broker, us included, may run.
      this.#log.warn(
        { event: event.type, reason: err.message },
        'fenced by a newer controller epoch',
      );
      this.#resign('fenced: /controller_epoch moved on');
      try {
        if ((await getControllerId(this.#zk)) === this.#options.brokerId)
          await this.#zk.delete(ControllerZNode.path);
      } catch (deleteErr) {
        this.#log.warn({ err: deleteErr }, 'could not give up /controller after being fenced');
      }
      return;
    }
    if (hasCode(err, ErrorCode.CONNECTIONLOSS)) {
      // The write may or may not have happened; handlers re-read before acting, so running
      // the event again is safe. Wait a little so a reconnect can happen.
      this.#log.warn({ event: event.type }, 'coordinator connection lost; retrying the event');
      if (event.type !== 'ControlledShutdown')
        this.#scheduler.schedule(this.#options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS, () =>
          this.#enqueue(event),
        );
      return;
    }
    if (hasCode(err, ErrorCode.SESSIONEXPIRED)) {
      // The broker will make a new session and send RegisterBrokerAndReelect.
      this.#log.warn(
        { event: event.type },
        'coordinator session expired while processing an event',
      );
      this.#resign('session expired');
      return;
    }
    this.#log.error({ err, event: event.type }, 'failed to process controller event');
  }

  async #process(event: ControllerEvent): Promise<void> {
    switch (event.type) {
      case 'Startup':
        await this.#watchControllerNode();
        return this.#elect();
      case 'ControllerChange':
        await this.#watchControllerNode();
        return this.#maybeResign();
      case 'Reelect':
        await this.#watchControllerNode();
        await this.#maybeResign();
        return this.#elect();
      case 'RegisterBrokerAndReelect':
        this.#resign('coordinator session expired');
        await this.#watchControllerNode();
        return this.#elect();
      case 'BrokerChange':
        return this.#processBrokerChange();
      case 'TopicChange':
        return this.#processTopicChange();
      case 'PartitionModifications':
        return this.#processPartitionModifications(event.topic);
      case 'TopicDeletion':
        return this.#processTopicDeletion();
      case 'IsrChangeNotification':
        return this.#processIsrChangeNotification();
      case 'TopicDeletionStopReplicaResponse':
        if (!this.#active) return;
        return this.#topicDeletionManager.onDeletionResult(
          { topic: event.topic, partition: event.partition, replica: event.brokerId },
          event.errorCode,
        );
      case 'ZkPartitionReassignment':
        if (!this.#active) return;
        return this.#reassignmentManager.onRequestNodeChange();
      case 'PartitionReassignmentIsrChange':
        if (!this.#active) return;
        return this.#reassignmentManager.advance([event.partition]);
      case 'ReplicaLeaderElection':
        return this.#processReplicaLeaderElection();
      case 'AutoPreferredReplicaLeaderElection':
        return this.#processAutoPreferredReplicaLeaderElection();
      case 'ControlledShutdown':
        return event.reply(
          await this.#processControlledShutdown(event.brokerId, event.brokerEpoch),
        );
      case 'ApiElectLeaders':
        if (!this.#active) return;
        return event.reply(
          await this.#processApiElectLeaders(event.electionType, event.partitions),
        );
      case 'ApiPartitionReassignment':
        if (!this.#active) return;
        return event.reply(await this.#reassignmentManager.alter(event.requests));
      case 'ListPartitionReassignments':
        if (!this.#active) return;
        return event.reply(this.#reassignmentManager.list(event.partitions));
      case 'Shutdown':
        return this.#processShutdown();
      default:
        return unreachable(event, 'controller event');
    }
  }

  // -------------------------------------------------------------------------------------------
  // Election

  get #zk(): CoordinatorClient {
    return this.#options.zk();
  }

  /** Arm the exists watch on /controller and learn the current controller id. */
  async #watchControllerNode(): Promise<void> {
    await this.#zk.exists(ControllerZNode.path, this.#onControllerNode);
    this.#activeControllerId = await getControllerId(this.#zk);
  }

  async #elect(): Promise<void> {
    if (this.#active) return;
    const current = await getControllerId(this.#zk);
    if (current !== -1) {
      this.#activeControllerId = current;
      this.#log.debug({ controllerId: current }, 'a controller exists; not competing');
      return;
    }
    const attempt = await tryRegisterController(
      this.#zk,
      this.#options.brokerId,
      this.#options.clock.nowMs(),
    );
    if (!attempt.won) {
      this.#activeControllerId = await getControllerId(this.#zk);
      this.#log.info({ controllerId: this.#activeControllerId }, 'lost the controller election');
      return;
    }
    this.#activeControllerId = this.#options.brokerId;
    this.#ctx.clear();
    this.#ctx.epoch = attempt.epoch;
    this.#ctx.epochZkVersion = attempt.epochZkVersion;
    this.#active = true;
    this.#sender = this.#options.createSender();
    this.#log.info(
      { controllerEpoch: attempt.epoch, epochZkVersion: attempt.epochZkVersion },
      'became controller (inactive -> active)',
    );
    await this.#onControllerFailover();
  }

  /** If /controller no longer names us, stop acting as controller. */
  async #maybeResign(): Promise<void> {
    const current = await getControllerId(this.#zk);
    this.#activeControllerId = current;
    if (this.#active && current !== this.#options.brokerId) {
      this.#resign(`controller is now broker ${current}`);
    }
  }

  #resign(reason: string): void {
    if (!this.#active) return;
    this.#active = false;
    this.#sender?.shutdown();
    this.#sender = undefined;
    this.#imbalanceTimer?.cancel();
    this.#imbalanceTimer = undefined;
    this.#topicDeletionManager.clear();
    this.#replicaStateMachine.clear();
    this.#batch = new ControllerRequestBatch();
    this.#log.info(
      { controllerEpoch: this.#ctx.epoch, reason },
      'resigned as controller (active -> inactive)',
    );
    this.#ctx.clear();
  }

  async #processShutdown(): Promise<void> {
    // Nothing after this event runs: /controller's deletion below fires our own watch, and a
    // Reelect processed now would make a stopping broker controller again.
    this.#stopped = true;
    for (const event of this.#queue.splice(0)) this.#answerNotController(event);
    if (!this.#active) return;
    const epoch = this.#ctx.epoch;
    this.#resign('broker shutting down');
    // Delete /controller so the others need not wait for our session to end. Only if it is
    // still ours: a newer controller's node must not be touched.
    try {
      const { data, stat } = await this.#zk.getData(ControllerZNode.path);
      if (ControllerZNode.decode(data).brokerId === this.#options.brokerId) {
        await this.#zk.delete(ControllerZNode.path, stat.version);
        this.#log.info({ controllerEpoch: epoch }, 'deleted /controller');
      }
    } catch (err) {
      if (!hasCode(err, ErrorCode.NONODE) && !hasCode(err, ErrorCode.BADVERSION)) throw err;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Becoming controller (Kafka's onControllerFailover)

  async #onControllerFailover(): Promise<void> {
    const zk = this.#zk;
    // 1. Watches on everything the controller reacts to (reading arms them).
    const brokerIds = await zk.getChildren('/brokers/ids', this.#onBrokerChange);
    const topics = await getAllTopics(zk, this.#onTopicChange);
    const toDelete = await getTopicsToDelete(zk, this.#onTopicDeletion);
    // 2. Pending ISR notifications: the context is about to be read fresh anyway.
    await this.#deleteIsrChangeNotifications(
      await zk.getChildren(IsrChangeNotificationZNode.path, this.#onIsrChange),
    );

    // 3. The context: brokers, assignments (with reassignments in progress), partition states.
    for (const broker of await getAllBrokers(zk, brokerIds))
      this.#ctx.liveBrokers.set(broker.info.id, broker);
    const moving = new Map<string, { adding: ReplicaAssignment; removing: ReplicaAssignment }>();
    for (const topic of topics) {
      const loaded = await this.#loadTopic(topic);
      if (loaded && (loaded.adding.size > 0 || loaded.removing.size > 0)) moving.set(topic, loaded);
    }
    for (const topic of toDelete)
      if (this.#ctx.assignments.has(topic)) this.#ctx.topicsToBeDeleted.add(topic);
    for (const id of this.#ctx.liveBrokers.keys()) this.#addBrokerChannel(id);
    this.#replicaStateMachine.initialize();
    this.#log.info(
      {
        liveBrokers: [...this.#ctx.liveBrokers.keys()],
        topics: this.#ctx.assignments.size,
        partitions: this.#ctx.partitionStates.size,
        topicsToBeDeleted: [...this.#ctx.topicsToBeDeleted],
      },
      'controller context loaded',
    );

    // 4. Tell every live broker everything, elect leaders where there is none (or a dead
    // one). Replicas on brokers that are not registered leave the ISRs: a broker that died
    // while there was no controller is noticed here and nowhere else.
    const all = this.#activePartitions();
    await this.#partitionStateMachine.initialize(all.filter((tp) => !this.#ctx.stateOf(tp)));
    await this.#partitionStateMachine.elect(
      all.filter((tp) => this.#ctx.stateOf(tp)),
      { kind: 'offline' },
      'controller failover',
    );
    for (const tp of all)
      if (this.#ctx.stateOf(tp)) this.#batch.leaderAndIsrToReplicas(this.#ctx, tp, false);
    this.#batch.updateMetadataToAll(this.#ctx.allPartitions());

    // 5. Finish what the previous controller left: reassignments, preferred elections,
    // deletions; then the periodic leader balance check.
    await this.#reassignmentManager.resumeOnFailover(moving);
    await this.#processReplicaLeaderElection();
    await this.#topicDeletionManager.resume();
    this.#scheduleLeaderImbalanceCheck();
  }

  /** Partitions of topics that are not being deleted. */
  #activePartitions(): TopicPartitionId[] {
    return this.#ctx.allPartitions().filter((tp) => !this.#ctx.topicsToBeDeleted.has(tp.topic));
  }

  #scheduleLeaderImbalanceCheck(): void {
    if (this.#options.autoLeaderRebalanceEnable === false) return;
    this.#imbalanceTimer?.cancel();
    this.#imbalanceTimer = this.#scheduler.repeat(
      this.#options.leaderImbalanceCheckIntervalMs ?? DEFAULT_LEADER_IMBALANCE_CHECK_INTERVAL_MS,
      () => this.#enqueue({ type: 'AutoPreferredReplicaLeaderElection' }),
    );
  }

  /**
   * Read a topic's assignment (arming its data watch) and its partition states. Returns the
   * replicas being added and removed, when a reassignment is in progress.
   */
  async #loadTopic(
    topic: string,
  ): Promise<{ adding: ReplicaAssignment; removing: ReplicaAssignment } | undefined> {
    const assignment = await getTopicAssignment(this.#zk, topic, this.#topicWatcher(topic));
    if (!assignment) return undefined;
    this.#ctx.assignments.set(topic, new Map(assignment.partitions));
    await inBatches([...assignment.partitions.keys()], PARTITIONS_PER_ZK_BATCH, async (p) => {
      const state = await getPartitionState(this.#zk, topic, p);
      if (state) this.#ctx.setState({ topic, partition: p }, state);
    });
    return { adding: assignment.addingReplicas, removing: assignment.removingReplicas };
  }

  #topicWatcher(topic: string): () => void {
    let watcher = this.#topicWatchers.get(topic);
    if (!watcher) {
      watcher = () => this.#enqueue({ type: 'PartitionModifications', topic });
      this.#topicWatchers.set(topic, watcher);
    }
    return watcher;
  }

  #stateWatcher(tp: TopicPartitionId): () => void {
    const key = partitionKey(tp.topic, tp.partition);
    let watcher = this.#stateWatchers.get(key);
    if (!watcher) {
      watcher = () => this.#enqueue({ type: 'PartitionReassignmentIsrChange', partition: tp });
      this.#stateWatchers.set(key, watcher);
    }
    return watcher;
  }

  #addBrokerChannel(brokerId: number): void {
    const broker = this.#ctx.liveBrokers.get(brokerId);
    if (!broker || !this.#sender) return;
    const endpoint =
      broker.info.endpoints.find((e) => e.listenerName === this.#options.interBrokerListenerName) ??
      broker.info.endpoints[0];
    if (!endpoint) {
      this.#log.warn(
        { targetBrokerId: brokerId },
        'broker registered no endpoint; cannot send to it',
      );
      return;
    }
    this.#sender.addBroker({ id: brokerId, host: endpoint.host, port: endpoint.port });
  }

  // -------------------------------------------------------------------------------------------
  // Brokers coming and going (Kafka's onBrokerStartup / onBrokerFailure)

  async #processBrokerChange(): Promise<void> {
    if (!this.#active) return;
    const ids = await this.#zk.getChildren('/brokers/ids', this.#onBrokerChange);
    const current = await getAllBrokers(this.#zk, ids);
    const currentById = new Map(current.map((b) => [b.info.id, b]));
    const dead: number[] = [];
    const bounced: number[] = [];
    for (const [id, known] of this.#ctx.liveBrokers) {
      const now = currentById.get(id);
      if (!now) dead.push(id);
      else if (now.epoch !== known.epoch) bounced.push(id);
    }
    const added = current
      .filter((b) => !this.#ctx.liveBrokers.has(b.info.id))
      .map((b) => b.info.id);
    if (dead.length + bounced.length + added.length === 0) return;
    this.#log.info({ added, dead, bounced, live: [...currentById.keys()] }, 'broker change');

    // A bounced broker lost all its state: handle it as a failure followed by a start.
    for (const id of [...dead, ...bounced]) {
      this.#ctx.liveBrokers.delete(id);
      this.#ctx.shuttingDownBrokerIds.delete(id);
      this.#sender?.removeBroker(id);
    }
    if (dead.length + bounced.length > 0) await this.#onBrokerFailure([...dead, ...bounced]);
    const starting = [...added, ...bounced];
    for (const id of starting) {
      this.#ctx.liveBrokers.set(id, currentById.get(id) as (typeof current)[number]);
      this.#addBrokerChannel(id);
    }
    if (starting.length > 0) await this.#onBrokerStartup(starting);
    // The broker list changed either way: everyone gets it (with the partitions that moved,
    // added by the steps above).
    this.#batch.updateMetadataToAll([]);
  }

  /**
   * Partitions led by a dead broker get a new leader and the broker leaves every ISR: one
   * decision per partition (leader-election.ts `partitionAfterBrokerChange`), one write.
   */
  async #onBrokerFailure(deadIds: readonly number[]): Promise<void> {
    const dead = new Set(deadIds);
    const affected = this.#activePartitions().filter((tp) => {
      const s = this.#ctx.stateOf(tp)?.leaderAndIsr;
      return s !== undefined && (dead.has(s.leader) || s.isr.some((b) => dead.has(b)));
    });
    await this.#partitionStateMachine.elect(
      affected,
      { kind: 'offline' },
      `broker(s) ${deadIds.join(',')} failed`,
    );
    for (const id of deadIds)
      this.#replicaStateMachine.markOffline(
        this.#replicaStateMachine
          .replicasOn(id, this.#ctx.allPartitions())
          .filter((r) => this.#replicaStateMachine.stateOf(r) !== 'NonExistentReplica'),
      );
  }

  /** New or restarted brokers: tell them everything, then elect where they make it possible. */
  async #onBrokerStartup(ids: readonly number[]): Promise<void> {
    for (const id of ids) {
      this.#batch.updateMetadataTo(id, this.#ctx.allPartitions());
      const hosted = this.#replicaStateMachine.replicasOn(id, this.#activePartitions());
      await this.#replicaStateMachine.handleStateChanges(
        hosted.filter((r) => this.#replicaStateMachine.stateOf(r) !== 'NonExistentReplica'),
        'OnlineReplica',
        { reason: `broker ${id} started` },
      );
    }
    const all = this.#activePartitions();
    await this.#partitionStateMachine.initialize(all.filter((tp) => !this.#ctx.stateOf(tp)));
    await this.#partitionStateMachine.elect(
      all.filter((tp) => {
        const state = this.#ctx.stateOf(tp);
        return state && needsLeaderElection(state.leaderAndIsr, this.#ctx.liveBrokerIds());
      }),
      { kind: 'offline' },
      `broker(s) ${ids.join(',')} started`,
    );
    // Reassignments waiting for these brokers can go on.
    for (const id of ids)
      await this.#reassignmentManager.advance(
        this.#reassignmentManager.partitionsWithReplicaOn(id),
      );
    await this.#topicDeletionManager.resume();
  }

  // -------------------------------------------------------------------------------------------
  // Topics and partitions

  async #processTopicChange(): Promise<void> {
    if (!this.#active) return;
    const topics = await getAllTopics(this.#zk, this.#onTopicChange);
    const known = new Set(this.#ctx.assignments.keys());
    const added = topics.filter((t) => !known.has(t));
    const removed = [...known].filter((t) => !topics.includes(t));
    for (const topic of removed) {
      this.#ctx.removeTopic(topic);
      this.#replicaStateMachine.removeTopic(topic);
      this.#topicWatchers.delete(topic);
    }
    if (added.length === 0) return;
    this.#log.info({ added, removed }, 'topic change');
    for (const topic of added) await this.#loadTopic(topic);
    const fresh = added.flatMap((topic) =>
      [...(this.#ctx.assignments.get(topic)?.keys() ?? [])].map((partition) => ({
        topic,
        partition,
      })),
    );
    await this.#startReplicas(fresh);
    await this.#partitionStateMachine.initialize(fresh.filter((tp) => !this.#ctx.stateOf(tp)));
    // Partitions that already had state (created by an earlier controller) still need an
    // up-to-date leader and to be announced.
    await this.#partitionStateMachine.elect(
      fresh.filter((tp) => this.#ctx.stateOf(tp)),
      { kind: 'offline' },
      'topic change',
    );
    this.#batch.updateMetadataToAll(fresh);
  }

  /** New partitions' replicas: NonExistent -> New -> Online (no requests until they lead). */
  async #startReplicas(partitions: readonly TopicPartitionId[]): Promise<void> {
    const live = this.#ctx.liveBrokerIds();
    const replicas = partitions.flatMap((tp) =>
      this.#ctx.replicasOf(tp).map((replica) => ({ ...tp, replica })),
    );
    const rsm = this.#replicaStateMachine;
    const fresh = replicas.filter((r) => rsm.stateOf(r) === 'NonExistentReplica');
    await rsm.handleStateChanges(fresh, 'NewReplica', { reason: 'new partition' });
    await rsm.handleStateChanges(
      fresh.filter((r) => live.has(r.replica)),
      'OnlineReplica',
      { reason: 'new partition' },
    );
    rsm.markOffline(fresh.filter((r) => !live.has(r.replica)));
  }

  async #processPartitionModifications(topic: string): Promise<void> {
    if (!this.#active || !this.#ctx.assignments.has(topic)) return;
    const assignment = await getTopicAssignment(this.#zk, topic, this.#topicWatcher(topic));
    if (!assignment) return; // deleted; TopicChange will clean up
    if (this.#ctx.topicsToBeDeleted.has(topic)) {
      this.#log.warn({ topic }, 'ignoring partition changes of a topic being deleted');
      return;
    }
    const known = this.#ctx.assignments.get(topic) as Map<number, number[]>;
    const added = [...assignment.partitions.keys()]
      .filter((p) => !known.has(p))
      .sort((a, b) => a - b);
    if (added.length === 0) return;
    for (const p of added) known.set(p, assignment.partitions.get(p) as number[]);
    this.#log.info({ topic, added }, 'partitions added');
    const fresh = added.map((partition) => ({ topic, partition }));
    await this.#startReplicas(fresh);
    await this.#partitionStateMachine.initialize(fresh);
  }

  async #processTopicDeletion(): Promise<void> {
    if (!this.#active) return;
    await this.#topicDeletionManager.markForDeletion(
      await getTopicsToDelete(this.#zk, this.#onTopicDeletion),
    );
    await this.#topicDeletionManager.resume();
  }

  /**
   * Leaders write /isr_change_notification/isr_change_N when they change an ISR (Kafka 2.x);
   * the controller re-reads those partitions' states, tells every broker (UpdateMetadata),
   * deletes the notifications, and lets waiting reassignments see the grown ISRs.
   */
  async #processIsrChangeNotification(): Promise<void> {
    if (!this.#active) return;
    const children = await this.#zk.getChildren(IsrChangeNotificationZNode.path, this.#onIsrChange);
    const changed = new Map<string, TopicPartitionId>();
    for (const child of children) {
      const path = `${IsrChangeNotificationZNode.path}/${child}`;
      try {
        const { data } = await this.#zk.getData(path);
        for (const tp of IsrChangeNotificationZNode.decode(path, data))
          changed.set(partitionKey(tp.topic, tp.partition), tp);
      } catch (err) {
        if (!hasCode(err, ErrorCode.NONODE))
          this.#log.warn({ err, path }, 'unreadable ISR change notification');
      }
    }
    const partitions = [...changed.values()].filter((tp) =>
      this.#ctx.assignments.get(tp.topic)?.has(tp.partition),
    );
    await Promise.all(
      partitions.map(async (tp) => {
        const state = await getPartitionState(this.#zk, tp.topic, tp.partition);
        if (state) this.#ctx.setState(tp, state);
      }),
    );
    await this.#deleteIsrChangeNotifications(children);
    if (partitions.length > 0) {
      this.#log.info(
        { partitions: partitions.map((tp) => `${tp.topic}-${tp.partition}`) },
        'ISR changes propagated',
      );
      this.#batch.updateMetadataToAll(partitions);
      await this.#reassignmentManager.advance(partitions);
    }
  }

  async #deleteIsrChangeNotifications(children: readonly string[]): Promise<void> {
    await Promise.all(
      children.map((c) =>
        this.#zk.delete(`${IsrChangeNotificationZNode.path}/${c}`).catch((err: unknown) => {
          if (!hasCode(err, ErrorCode.NONODE)) throw err;
        }),
      ),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Preferred leaders

  /**
   * /admin/preferred_replica_election (written by `npx coordinator elect-leaders` or the
   * ElectLeaders API): run the preferred election for the listed partitions, then delete it.
   */
  async #processReplicaLeaderElection(): Promise<void> {
    if (!this.#active) return;
    const zk = this.#zk;
    const stat = await zk.exists(PreferredReplicaElectionZNode.path, this.#onPreferredElectionNode);
    if (!stat) return;
    let requested: TopicPartitionId[] = [];
    try {
      const { data } = await zk.getData(PreferredReplicaElectionZNode.path);
      requested = PreferredReplicaElectionZNode.decode(data);
    } catch (err) {
      if (hasCode(err, ErrorCode.NONODE)) return;
      this.#log.warn({ err }, 'unreadable /admin/preferred_replica_election; deleting it');
    }
    const { elected, failed } = await this.electPreferredLeaders(requested, 'admin request');
    this.#log.info(
      { elected: elected.length, notElected: failed },
      'preferred replica election requested through the coordinator done',
    );
    await fencedMulti(zk, this.#ctx.epochZkVersion, [
      Op.delete(PreferredReplicaElectionZNode.path),
    ]).catch((err: unknown) => {
      if (!hasCode(err, ErrorCode.NONODE)) throw err;
    });
  }

  /** The preferred election for `partitions`; the ones it could not do, with the reason. */
  async electPreferredLeaders(
    partitions: readonly TopicPartitionId[],
    reason: string,
  ): Promise<{ elected: TopicPartitionId[]; failed: { partition: string; reason: string }[] }> {
    const failed: { partition: string; reason: string }[] = [];
    const eligible: TopicPartitionId[] = [];
    for (const tp of partitions) {
      const name = `${tp.topic}-${tp.partition}`;
      if (!this.#ctx.stateOf(tp)) failed.push({ partition: name, reason: 'unknown partition' });
      else if (this.#ctx.topicsToBeDeleted.has(tp.topic))
        failed.push({ partition: name, reason: 'the topic is being deleted' });
      else if (this.#ctx.reassignmentOf(tp))
        failed.push({ partition: name, reason: 'the partition is being reassigned' });
      else eligible.push(tp);
    }
    const notElected = await this.#partitionStateMachine.elect(
      eligible,
      { kind: 'preferred' },
      `preferred replica election (${reason})`,
    );
    for (const f of notElected)
      failed.push({ partition: `${f.tp.topic}-${f.tp.partition}`, reason: f.reason });
    const elected = eligible.filter(
      (tp) => !notElected.some((f) => f.tp.topic === tp.topic && f.tp.partition === tp.partition),
    );
    return { elected, failed };
  }

  /**
   * The ElectLeaders API (KIP-460). Preferred: ELECTION_NOT_NEEDED when the preferred replica
   * already leads, PREFERRED_LEADER_NOT_AVAILABLE when it is not live and in the ISR.
   * Unclean: only for partitions without a live leader; ELIGIBLE_LEADERS_NOT_AVAILABLE when
   * no replica at all is live.
   */
  async #processApiElectLeaders(
    electionType: 'preferred' | 'unclean',
    requested: TopicPartitionId[] | null,
  ): Promise<PartitionApiResult[]> {
    const ctx = this.#ctx;
    const partitions = requested ?? this.#activePartitions();
    const results: PartitionApiResult[] = [];
    const toElect: TopicPartitionId[] = [];
    const result = (tp: TopicPartitionId, errorCode: number, errorMessage: string | null = null) =>
      results.push({ tp, errorCode, errorMessage });
    for (const tp of partitions) {
      const state = ctx.stateOf(tp);
      if (!state || ctx.topicsToBeDeleted.has(tp.topic)) {
        result(tp, KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      } else if (
        electionType === 'preferred'
          ? state.leaderAndIsr.leader === ctx.replicasOf(tp)[0]
          : !needsLeaderElection(state.leaderAndIsr, ctx.liveBrokerIds())
      ) {
        result(tp, KafkaErrorCode.ELECTION_NOT_NEEDED, 'the partition has the right leader');
      } else if (ctx.reassignmentOf(tp)) {
        result(
          tp,
          KafkaErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
          'the partition is being reassigned',
        );
      } else {
        toElect.push(tp);
      }
    }
    if (electionType === 'preferred') {
      const { failed } = await this.electPreferredLeaders(toElect, 'ElectLeaders');
      for (const tp of toElect) {
        const failure = failed.find((f) => f.partition === `${tp.topic}-${tp.partition}`);
        if (failure) result(tp, KafkaErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, failure.reason);
        else result(tp, KafkaErrorCode.NONE);
      }
    } else {
      await this.#partitionStateMachine.elect(
        toElect,
        { kind: 'offline', forceUnclean: true },
        'unclean election (ElectLeaders)',
      );
      for (const tp of toElect) {
        const leader = ctx.stateOf(tp)?.leaderAndIsr.leader ?? -1;
        if (leader < 0) result(tp, KafkaErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE);
        else result(tp, KafkaErrorCode.NONE);
      }
    }
    return results;
  }

  /** auto.leader.rebalance.enable: every leader.imbalance.check.interval. */
  async #processAutoPreferredReplicaLeaderElection(): Promise<void> {
    if (!this.#active) return;
    const ctx = this.#ctx;
    const report = leaderImbalance({
      partitions: ctx.allPartitions().flatMap((tp) => {
        const state = ctx.stateOf(tp);
        if (!state) return [];
        const busy = ctx.topicsToBeDeleted.has(tp.topic) || ctx.reassignmentOf(tp) !== undefined;
        return [{ ...tp, replicas: ctx.replicasOf(tp), state: state.leaderAndIsr, busy }];
      }),
      liveBrokerIds: ctx.electableBrokerIds(),
      imbalancePerBrokerPercentage:
        this.#options.leaderImbalancePerBrokerPercentage ??
        DEFAULT_LEADER_IMBALANCE_PER_BROKER_PERCENTAGE,
    });
    this.#log.debug(
      { ratioByBroker: Object.fromEntries(report.ratioByBroker) },
      'leader imbalance check',
    );
    if (report.toElect.length === 0) return;
    const { elected } = await this.electPreferredLeaders(report.toElect, 'auto leader rebalance');
    this.#log.info(
      { elected: elected.map((tp) => `${tp.topic}-${tp.partition}`) },
      'auto leader rebalance moved leaders back to their preferred replicas',
    );
  }

  // -------------------------------------------------------------------------------------------
  // Controlled shutdown (Kafka's doControlledShutdown)

  /**
   * The broker is about to stop: every partition it leads (with another replica) gets a new
   * leader from the rest of the ISR, and it leaves the ISR of every partition it follows
   * (StopReplica without delete). The answer lists what it still leads; the broker retries
   * until that is empty or it runs out of retries.
   */
  async #processControlledShutdown(
    brokerId: number,
    brokerEpoch: bigint,
  ): Promise<ControlledShutdownResult> {
    const ctx = this.#ctx;
    if (!this.#active) return { errorCode: KafkaErrorCode.NOT_CONTROLLER, remainingPartitions: [] };
    const broker = ctx.liveBrokers.get(brokerId);
    if (!broker) {
      return { errorCode: KafkaErrorCode.BROKER_NOT_AVAILABLE, remainingPartitions: [] };
    }
    if (brokerEpoch !== -1n && brokerEpoch < BigInt(broker.epoch)) {
      return { errorCode: KafkaErrorCode.STALE_BROKER_EPOCH, remainingPartitions: [] };
    }
    ctx.shuttingDownBrokerIds.add(brokerId);
    this.#log.info({ shuttingDownBrokerId: brokerId }, 'controlled shutdown requested');
    // Single-replica partitions cannot move: nothing to do for them (Kafka's rule).
    const hosted = this.#activePartitions().filter(
      (tp) => ctx.replicasOf(tp).includes(brokerId) && ctx.replicasOf(tp).length > 1,
    );
    const led = hosted.filter((tp) => ctx.stateOf(tp)?.leaderAndIsr.leader === brokerId);
    const followed = hosted.filter((tp) => {
      const state = ctx.stateOf(tp)?.leaderAndIsr;
      return state !== undefined && state.leader !== brokerId;
    });
    await this.#partitionStateMachine.elect(
      led,
      { kind: 'controlledShutdown' },
      `controlled shutdown of broker ${brokerId}`,
    );
    await this.#replicaStateMachine.handleStateChanges(
      followed
        .map((tp) => ({ ...tp, replica: brokerId }))
        .filter((r) => this.#replicaStateMachine.stateOf(r) !== 'NonExistentReplica'),
      'OfflineReplica',
      { reason: `controlled shutdown of broker ${brokerId}` },
    );
    // What it still leads. Kafka lists every such partition, so the broker retries even when
    // no other replica could ever take over; we leave out partitions whose other replicas are
    // all dead or shutting down too (retrying cannot help them), so that stopping a whole
    // cluster at once (Ctrl-C on `npm start`) does not wait out every retry.
    const electable = ctx.electableBrokerIds();
    const remainingPartitions = hosted.filter(
      (tp) =>
        ctx.stateOf(tp)?.leaderAndIsr.leader === brokerId &&
        ctx.replicasOf(tp).some((b) => b !== brokerId && electable.has(b)),
    );
    this.#log.info(
      {
        shuttingDownBrokerId: brokerId,
        moved: led.filter((tp) => ctx.stateOf(tp)?.leaderAndIsr.leader !== brokerId).length,
        remaining: remainingPartitions.map((tp) => `${tp.topic}-${tp.partition}`),
      },
      'controlled shutdown: leadership moved',
    );
    return { errorCode: KafkaErrorCode.NONE, remainingPartitions };
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  #sendBatch(): void {
    const sender = this.#sender;
    const batch = this.#batch;
    this.#batch = new ControllerRequestBatch();
    if (!this.#active || !sender || batch.isEmpty) return;
    batch.send({ ctx: this.#ctx, sender, controllerId: this.#options.brokerId, log: this.#log });
  }
}
