/**
 * KafkaController: the classic (ZooKeeper-mode) controller. Every broker runs one; the one
 * that owns the ephemeral `/controller` znode is *active* and manages partition leadership
 * for the whole cluster. docs/controller.md walks through it.
 *
 * This file is the event loop (Kafka's ControllerEventManager and `KafkaController.process`),
 * the election of the controller, and the wiring. What each event does is in a module named
 * after it; the work is done by modules named after Kafka's classes:
 *
 *   controller-failover.ts               becoming controller, resigning
 *                                        (onControllerFailover, onControllerResignation)
 *   broker-change-handler.ts             BrokerChange: onBrokerFailure, onBrokerStartup
 *   topic-change-handler.ts              TopicChange, PartitionModifications
 *   isr-change-notification-handler.ts   IsrChangeNotification
 *   replica-leader-election-handler.ts   elections on request: /admin/preferred_replica_election,
 *                                        ElectLeaders, the automatic rebalance
 *   controlled-shutdown-handler.ts       ControlledShutdown
 *   topic-deletion-manager.ts            TopicDeletion: /admin/delete_topics
 *   reassignment-manager.ts              /admin/reassign_partitions and the reassignment APIs
 *                                        (decisions in reassignment.ts)
 *   partition-state-machine.ts           leaders and ISRs: writes the state znodes (every
 *                                        election's decision is in leader-election.ts)
 *   replica-state-machine.ts             which brokers host, stop and delete the replicas
 *   controller-request-batch.ts          the LeaderAndIsr/UpdateMetadata/StopReplica of one
 *                                        event
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
import type { Logger } from '../../src/logger.js';
import { ErrorCode, hasCode } from '../../src/protocol/coordinator/errors.js';
import { ErrorCode as KafkaErrorCode } from '../../src/protocol/kafka/errors.js';
import { systemScheduler, type Scheduler } from '../../src/scheduler.js';
import { unreachable } from '../../src/assert.js';
import { ControllerZNode } from '../../src/znodes.js';
import {
  ControllerMovedError,
  getControllerId,
  getTopicsToDelete,
  tryRegisterController,
} from '../../src/kafka-zk/kafka-zk-client.js';
import { BrokerChangeHandler, type BrokerChannels } from './broker-change-handler.js';
import { ControlledShutdownHandler } from './controlled-shutdown-handler.js';
import {
  ControllerContext,
  interBrokerEndpoint,
  partitionKey,
  type TopicPartitionId,
} from './controller-context.js';
import type {
  ControlledShutdownResult,
  ControllerEvent,
  OngoingReassignment,
  PartitionApiResult,
} from './controller-events.js';
import { ControllerFailover } from './controller-failover.js';
import { ControllerRequestBatch, type BrokerRequestSender } from './controller-request-batch.js';
import { IsrChangeNotificationHandler } from './isr-change-notification-handler.js';
import { PartitionStateMachine } from './partition-state-machine.js';
import { ReassignmentManager } from './reassignment-manager.js';
import { ReplicaLeaderElectionHandler } from './replica-leader-election-handler.js';
import { ReplicaStateMachine } from './replica-state-machine.js';
import { TopicChangeHandler } from './topic-change-handler.js';
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
  readonly #partitionStateMachine: PartitionStateMachine;
  readonly #replicaStateMachine: ReplicaStateMachine;
  readonly #topicDeletionManager: TopicDeletionManager;
  readonly #reassignmentManager: ReassignmentManager;
  readonly #topicChangeHandler: TopicChangeHandler;
  readonly #isrChangeNotificationHandler: IsrChangeNotificationHandler;
  readonly #replicaLeaderElectionHandler: ReplicaLeaderElectionHandler;
  readonly #brokerChangeHandler: BrokerChangeHandler;
  readonly #controlledShutdownHandler: ControlledShutdownHandler;
  readonly #failover: ControllerFailover;

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
  readonly #stateWatchers = new Map<string, () => void>();

  /** This term's connections to the brokers (the sender is replaced at every election). */
  readonly #channels: BrokerChannels = {
    add: (brokerId) => this.#addBrokerChannel(brokerId),
    remove: (brokerId) => this.#sender?.removeBroker(brokerId),
  };

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
        this.#topicChangeHandler.forgetTopic(topic);
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
    const common = {
      ctx: this.#ctx,
      zk,
      batch,
      partitionStateMachine: this.#partitionStateMachine,
      replicaStateMachine: this.#replicaStateMachine,
      log: this.#log,
    };
    this.#topicChangeHandler = new TopicChangeHandler({
      ...common,
      onTopicChange: this.#onTopicChange,
      onPartitionModifications: (topic) => this.#enqueue({ type: 'PartitionModifications', topic }),
    });
    this.#isrChangeNotificationHandler = new IsrChangeNotificationHandler({
      ...common,
      reassignmentManager: this.#reassignmentManager,
      onIsrChange: this.#onIsrChange,
    });
    this.#replicaLeaderElectionHandler = new ReplicaLeaderElectionHandler({
      ...common,
      onPreferredElectionNode: this.#onPreferredElectionNode,
      scheduler: this.#scheduler,
      onImbalanceCheckDue: () => this.#enqueue({ type: 'AutoPreferredReplicaLeaderElection' }),
      autoLeaderRebalanceEnable: options.autoLeaderRebalanceEnable,
      leaderImbalanceCheckIntervalMs: options.leaderImbalanceCheckIntervalMs,
      leaderImbalancePerBrokerPercentage: options.leaderImbalancePerBrokerPercentage,
    });
    this.#brokerChangeHandler = new BrokerChangeHandler({
      ...common,
      reassignmentManager: this.#reassignmentManager,
      topicDeletionManager: this.#topicDeletionManager,
      channels: this.#channels,
      onBrokerChange: this.#onBrokerChange,
    });
    this.#controlledShutdownHandler = new ControlledShutdownHandler(common);
    this.#failover = new ControllerFailover({
      ...common,
      topicDeletionManager: this.#topicDeletionManager,
      reassignmentManager: this.#reassignmentManager,
      topicChangeHandler: this.#topicChangeHandler,
      isrChangeNotificationHandler: this.#isrChangeNotificationHandler,
      replicaLeaderElectionHandler: this.#replicaLeaderElectionHandler,
      channels: this.#channels,
      watchers: {
        onBrokerChange: this.#onBrokerChange,
        onTopicChange: this.#onTopicChange,
        onTopicDeletion: this.#onTopicDeletion,
      },
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
    let offlinePartitions = 0;
    let partitions = 0;
    for (const tp of ctx.activePartitions()) {
      partitions++;
      // New (no state yet) or Offline (leader -1 or dead): without a leader either way.
      if (this.#partitionStateMachine.stateOf(tp) !== 'OnlinePartition') offlinePartitions++;
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
      // Everything below is work of the active controller only; an event that was queued
      // before a resignation is dropped here (API events are answered "not controller").
      case 'BrokerChange':
        if (!this.#active) return;
        return this.#brokerChangeHandler.processBrokerChange();
      case 'TopicChange':
        if (!this.#active) return;
        return this.#topicChangeHandler.processTopicChange();
      case 'PartitionModifications':
        if (!this.#active) return;
        return this.#topicChangeHandler.processPartitionModifications(event.topic);
      case 'TopicDeletion':
        if (!this.#active) return;
        await this.#topicDeletionManager.markForDeletion(
          await getTopicsToDelete(this.#zk, this.#onTopicDeletion),
        );
        return this.#topicDeletionManager.resume();
      case 'IsrChangeNotification':
        if (!this.#active) return;
        return this.#isrChangeNotificationHandler.processIsrChangeNotification();
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
        if (!this.#active) return;
        return this.#replicaLeaderElectionHandler.processReplicaLeaderElection();
      case 'AutoPreferredReplicaLeaderElection':
        if (!this.#active) return;
        return this.#replicaLeaderElectionHandler.processAutoPreferredReplicaLeaderElection();
      case 'ControlledShutdown':
        if (!this.#active)
          return event.reply({ errorCode: KafkaErrorCode.NOT_CONTROLLER, remainingPartitions: [] });
        return event.reply(
          await this.#controlledShutdownHandler.processControlledShutdown(
            event.brokerId,
            event.brokerEpoch,
          ),
        );
      case 'ApiElectLeaders':
        if (!this.#active) return;
        return event.reply(
          await this.#replicaLeaderElectionHandler.processApiElectLeaders(
            event.electionType,
            event.partitions,
          ),
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
    await this.#failover.onControllerFailover();
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
    this.#batch = new ControllerRequestBatch();
    this.#log.info(
      { controllerEpoch: this.#ctx.epoch, reason },
      'resigned as controller (active -> inactive)',
    );
    this.#failover.onControllerResignation();
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
  // Wiring: watchers of partition states, broker channels, sending

  /** The data watcher of a reassigning partition's state znode, one stable function each. */
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
    const endpoint = interBrokerEndpoint(broker.info, this.#options.interBrokerListenerName);
    if (!endpoint) {
      this.#log.warn(
        { targetBrokerId: brokerId },
        'broker registered no endpoint; cannot send to it',
      );
      return;
    }
    this.#sender.addBroker({ id: brokerId, host: endpoint.host, port: endpoint.port });
  }

  #sendBatch(): void {
    const sender = this.#sender;
    const batch = this.#batch;
    this.#batch = new ControllerRequestBatch();
    if (!this.#active || !sender || batch.isEmpty) return;
    batch.send({ ctx: this.#ctx, sender, controllerId: this.#options.brokerId, log: this.#log });
  }
}
