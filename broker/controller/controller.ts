/**
 * KafkaController: the classic (ZooKeeper-mode) controller. Every broker runs one; the one
 * that owns the ephemeral `/controller` znode is *active* and manages partition leadership
 * for the whole cluster. docs/controller.md walks through it.
 *
 * Concurrency model (Kafka's ControllerEventManager): ONE serial event queue. Watch callbacks
 * and request callbacks only enqueue a `ControllerEvent`; `#process` handles one event at a
 * time to completion (including its awaits) before the next starts, so no two handlers ever
 * interleave on the controller's state. Handlers re-read the coordinator, which also re-arms
 * the one-shot watches.
 *
 * Election and fencing: on startup and whenever /controller disappears, every
 * broker tries one multi { create /controller (ephemeral), setData /controller_epoch = epoch+1
 * at the version just read }. The winner keeps /controller_epoch's new znode version
 * (`epochZkVersion`), and every later write is `multi(check(/controller_epoch, epochZkVersion),
 * ...)`, so a controller that was replaced without noticing (a long pause, a partition from
 * the coordinator) cannot overwrite its successor's decisions: its writes fail and it resigns.
 *
 * States of this broker's controller:
 *
 *     inactive --elect() wins--> active       (onControllerFailover: rebuild the context,
 *                                              elect leaders, send LeaderAndIsr/UpdateMetadata)
 *     active --/controller now names another broker, a fenced write fails, the session
 *              expires, or shutdown--> inactive   (onControllerResignation: drop the context
 *                                              and the broker channels)
 *
 * Partition states (Kafka's PartitionStateMachine, kept implicit in the context):
 *   NonExistent -> New (assignment known, no state znode) -> Online (state znode with a live
 *   leader) <-> Offline (leader -1 or dead) -> NonExistent (topic deleted).
 * Every transition that writes a state znode is logged once at info with old and new state.
 *
 * Requests to brokers go through a `BrokerRequestSender` (the ControllerChannelManager in
 * production, a recorder in tests). After each event the accumulated requests are sent in
 * Kafka's order: LeaderAndIsr, then UpdateMetadata, then StopReplica.
 */
import type { Clock } from '../../src/clock.js';
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { Op } from '../../src/coordinator-client/client.js';
import { ensurePath } from '../../src/coordinator-client/recipes/ensure-path.js';
import type { Logger } from '../../src/logger.js';
import { ErrorCode, hasCode } from '../../src/protocol/coordinator/errors.js';
import type { MultiOp } from '../../src/protocol/coordinator/messages.js';
import {
  ControllerZNode,
  DeleteTopicZNode,
  IsrChangeNotificationZNode,
  NO_LEADER,
  TopicConfigZNode,
  TopicPartitionStateZNode,
  TopicPartitionsZNode,
  TopicPartitionZNode,
  TopicZNode,
  type LeaderAndIsr,
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
import type { BrokerAddress, ControlApiKey, QueuedRequest } from './controller-channel-manager.js';
import {
  CONTROL_REQUEST_VERSIONS,
  ControllerContext,
  partitionKey,
  type TopicPartitionId,
} from './controller-context.js';
import type { ControllerEvent } from './controller-events.js';
import {
  initialLeaderAndIsr,
  needsLeaderElection,
  offlinePartitionLeaderElection,
  removeReplicaFromIsr,
} from './leader-election.js';
import { ErrorCode as KafkaErrorCode } from '../../src/protocol/kafka/errors.js';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';

/** Where the controller's requests go (ControllerChannelManager, or a fake in tests). */
export interface BrokerRequestSender {
  addBroker(broker: BrokerAddress): void;
  removeBroker(brokerId: number): void;
  send<K extends ControlApiKey>(brokerId: number, request: QueuedRequest<K>): void;
  shutdown(): void;
}

export interface ControllerOptions {
  brokerId: number;
  /** The broker's current coordinator session (replaced after an expiry). */
  zk: () => CoordinatorClient;
  /** Makes the request sender for one term as controller (channels die on resignation). */
  createSender: () => BrokerRequestSender;
  /** Listener the controller uses to reach brokers (inter.broker.listener.name). */
  interBrokerListenerName: string;
  uncleanLeaderElectionEnable: boolean;
  deleteTopicEnable: boolean;
  clock: Clock;
  logger: Logger;
  /** Retry an event that failed on a lost coordinator connection after this long. */
  retryBackoffMs?: number;
}

/** Bound on queued events; watches coalesce naturally, so this is never near in practice. */
const QUEUED_EVENTS_MAX = 100_000;
const DEFAULT_RETRY_BACKOFF_MS = 500;
/** Attempts of a conditional partition-state write before giving up until the next event. */
const STATE_WRITE_ATTEMPTS_MAX = 5;

export class KafkaController {
  readonly #options: ControllerOptions;
  readonly #log: Logger;
  readonly #ctx = new ControllerContext();
  readonly #queue: ControllerEvent[] = [];
  #running = false;
  #stopped = false;
  #activeControllerId = -1;
  #active = false;
  #sender: BrokerRequestSender | undefined;
  /** Requests accumulated while processing one event, sent at its end. */
  #batch = new RequestBatch();
  /** Topics whose StopReplica(delete) is out: broker ids that have not answered yet. */
  readonly #deletionsInFlight = new Map<string, Set<number>>();
  #idleWaiters: (() => void)[] = [];

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
  readonly #topicWatchers = new Map<string, () => void>();

  constructor(options: ControllerOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'controller', brokerId: options.brokerId });
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

  startup(): void {
    this.#enqueue({ type: 'Startup' });
  }

  /** The broker made a new coordinator session (the old one expired). */
  onNewSession(): void {
    this.#enqueue({ type: 'RegisterBrokerAndReelect' });
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
    if (this.#stopped) return;
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
      this.#batch = new RequestBatch();
      try {
        await this.#process(event);
        this.#sendBatch();
      } catch (err) {
        await this.#handleFailure(event, err);
      }
    }
    this.#running = false;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  async #handleFailure(event: ControllerEvent, err: unknown): Promise<void> {
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
      setTimeout(
        () => this.#enqueue(event),
        this.#options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS,
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
        return this.#processStopReplicaResponse(event.topic, event.brokerId, event.errorCode);
      case 'Shutdown':
        return this.#processShutdown();
      default: {
        const never: never = event;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
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
    this.#deletionsInFlight.clear();
    this.#batch = new RequestBatch();
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
    this.#queue.length = 0;
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
  // Becoming controller (docs/controller.md, "Becoming controller")

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

    // 3. The context: brokers, assignments, partition states.
    for (const broker of await getAllBrokers(zk, brokerIds))
      this.#ctx.liveBrokers.set(broker.info.id, broker);
    for (const topic of topics) await this.#loadTopic(topic);
    for (const topic of toDelete)
      if (this.#ctx.assignments.has(topic)) this.#ctx.topicsToBeDeleted.add(topic);
    for (const id of this.#ctx.liveBrokers.keys()) this.#addBrokerChannel(id);
    this.#log.info(
      {
        liveBrokers: [...this.#ctx.liveBrokers.keys()],
        topics: this.#ctx.assignments.size,
        partitions: this.#ctx.partitionStates.size,
        topicsToBeDeleted: [...this.#ctx.topicsToBeDeleted],
      },
      'controller context loaded',
    );

    // 4-6. Tell every live broker everything: UpdateMetadata to all, LeaderAndIsr for every
    // partition to its live replicas; elect leaders where there is none (or a dead one).
    const all = this.#ctx
      .allPartitions()
      .filter((tp) => !this.#ctx.topicsToBeDeleted.has(tp.topic));
    const fresh = all.filter((tp) => !this.#ctx.stateOf(tp));
    await this.#initializePartitions(fresh);
    // Replicas on brokers that are not registered go Offline (Kafka's ReplicaStateMachine
    // startup): they leave the ISRs, and partitions they led get new leaders. A broker that
    // died while there was no controller is noticed here and nowhere else.
    const live = this.#ctx.liveBrokerIds();
    const deadReplicas = [...new Set(all.flatMap((tp) => this.#ctx.replicasOf(tp)))].filter(
      (b) => !live.has(b),
    );
    if (deadReplicas.length > 0) await this.#onBrokerFailure(deadReplicas);
    await this.#electOfflinePartitions(
      all.filter((tp) => this.#ctx.stateOf(tp)),
      'controller failover',
    );
    for (const tp of all)
      if (this.#ctx.stateOf(tp)) this.#batch.leaderAndIsrToReplicas(this.#ctx, tp, false);
    this.#batch.updateMetadataToAll(this.#ctx.allPartitions());
    // 7. Resume topic deletions.
    this.#resumeDeletions();
  }

  /** Read a topic's assignment (arming its data watch) and its partition states. */
  async #loadTopic(topic: string): Promise<void> {
    const assignment = await getTopicAssignment(this.#zk, topic, this.#topicWatcher(topic));
    if (!assignment) return;
    this.#ctx.assignments.set(topic, new Map(assignment.partitions));
    await Promise.all(
      [...assignment.partitions.keys()].map(async (partition) => {
        const state = await getPartitionState(this.#zk, topic, partition);
        if (state) this.#ctx.setState({ topic, partition }, state);
      }),
    );
  }

  #topicWatcher(topic: string): () => void {
    let watcher = this.#topicWatchers.get(topic);
    if (!watcher) {
      watcher = () => this.#enqueue({ type: 'PartitionModifications', topic });
      this.#topicWatchers.set(topic, watcher);
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
  // Partition state machine

  /** New -> Online: create the state znodes (fenced) for partitions that have none. */
  async #initializePartitions(partitions: readonly TopicPartitionId[]): Promise<void> {
    if (partitions.length === 0) return;
    const live = this.#ctx.liveBrokerIds();
    // Parent paths are plain persistent nodes; creating them unfenced is harmless (Kafka
    // does the same) and idempotent.
    await Promise.all(
      partitions.map((tp) =>
        ensurePath(this.#zk, TopicPartitionZNode.path(tp.topic, tp.partition)),
      ),
    );
    await Promise.all(
      partitions.map(async (tp) => {
        const replicas = this.#ctx.replicasOf(tp);
        const decision = initialLeaderAndIsr({
          assignment: replicas,
          liveBrokerIds: live,
          controllerEpoch: this.#ctx.epoch,
        });
        if (!decision.ok) {
          this.#log.warn(
            { topic: tp.topic, partition: tp.partition, reason: decision.reason },
            'partition stays New: no live replica to lead it',
          );
          return;
        }
        const path = TopicPartitionStateZNode.path(tp.topic, tp.partition);
        try {
          await fencedMulti(this.#zk, this.#ctx.epochZkVersion, [
            Op.create(path, TopicPartitionStateZNode.encode(decision.leaderAndIsr)),
          ]);
          this.#ctx.setState(tp, { leaderAndIsr: decision.leaderAndIsr, zkVersion: 0 });
          this.#logTransition(
            tp,
            'NewPartition',
            'OnlinePartition',
            decision.leaderAndIsr,
            'new partition',
          );
        } catch (err) {
          // A previous controller created it before dying: adopt what is there.
          if (!hasCode(err, ErrorCode.NODEEXISTS)) throw err;
          const existing = await getPartitionState(this.#zk, tp.topic, tp.partition);
          if (existing) this.#ctx.setState(tp, existing);
        }
        this.#batch.leaderAndIsrToReplicas(this.#ctx, tp, true);
      }),
    );
    this.#batch.updateMetadataToAll(partitions);
  }

  /**
   * Offline -> Online for partitions whose leader is missing or dead: the offline election
   * (leader-election.ts), written conditionally on the state's zkVersion. On BADVERSION (a
   * leader changed the ISR meanwhile) the state is re-read and the election re-run.
   */
  async #electOfflinePartitions(
    partitions: readonly TopicPartitionId[],
    reason: string,
  ): Promise<void> {
    await Promise.all(
      partitions.map((tp) =>
        this.#updatePartitionState(tp, reason, (current, live) => {
          if (!needsLeaderElection(current, live)) return null;
          const result = offlinePartitionLeaderElection({
            assignment: this.#ctx.replicasOf(tp),
            current,
            liveBrokerIds: live,
            uncleanLeaderElectionEnable: this.#options.uncleanLeaderElectionEnable,
            controllerEpoch: this.#ctx.epoch,
          });
          if (!result.ok) {
            // Still record that the leader is gone, so Metadata shows -1 rather than a dead
            // broker; the ISR stays as it is (it never becomes empty).
            if (current.leader === NO_LEADER) {
              this.#log.warn(
                { topic: tp.topic, partition: tp.partition, reason: result.reason },
                'partition stays offline',
              );
              return null;
            }
            return {
              leaderAndIsr: {
                ...current,
                leader: NO_LEADER,
                leaderEpoch: current.leaderEpoch + 1,
                controllerEpoch: this.#ctx.epoch,
              },
              to: 'OfflinePartition',
            };
          }
          if (result.unclean)
            this.#log.warn({ topic: tp.topic, partition: tp.partition }, 'unclean leader election');
          return { leaderAndIsr: result.leaderAndIsr, to: 'OnlinePartition' };
        }),
      ),
    );
  }

  /**
   * The read-decide-write loop for one partition's state. `decide` gets the current state
   * and live brokers and returns the new state (or null: nothing to do). The write is
   * fenced and conditional; LeaderAndIsr goes to the live replicas and UpdateMetadata to all.
   */
  async #updatePartitionState(
    tp: TopicPartitionId,
    reason: string,
    decide: (
      current: LeaderAndIsr,
      live: Set<number>,
    ) => { leaderAndIsr: LeaderAndIsr; to: string } | null,
  ): Promise<void> {
    for (let attempt = 1; attempt <= STATE_WRITE_ATTEMPTS_MAX; attempt++) {
      const state = this.#ctx.stateOf(tp);
      if (!state) return;
      const decision = decide(state.leaderAndIsr, this.#ctx.liveBrokerIds());
      if (!decision) return;
      try {
        const results = await fencedMulti(this.#zk, this.#ctx.epochZkVersion, [
          Op.setData(
            TopicPartitionStateZNode.path(tp.topic, tp.partition),
            TopicPartitionStateZNode.encode(decision.leaderAndIsr),
            state.zkVersion,
          ),
        ]);
        const zkVersion = results[0]?.stat?.version ?? state.zkVersion + 1;
        this.#ctx.setState(tp, { leaderAndIsr: decision.leaderAndIsr, zkVersion });
        const from = needsLeaderElection(state.leaderAndIsr, this.#ctx.liveBrokerIds())
          ? 'OfflinePartition'
          : 'OnlinePartition';
        this.#logTransition(
          tp,
          from,
          decision.to,
          decision.leaderAndIsr,
          reason,
          state.leaderAndIsr,
        );
        this.#batch.leaderAndIsrToReplicas(this.#ctx, tp, false);
        this.#batch.updateMetadataToAll([tp]);
        return;
      } catch (err) {
        if (!hasCode(err, ErrorCode.BADVERSION)) throw err;
        const fresh = await getPartitionState(this.#zk, tp.topic, tp.partition);
        if (!fresh) return;
        this.#ctx.setState(tp, fresh);
        this.#log.info(
          { topic: tp.topic, partition: tp.partition, attempt },
          'partition state changed underneath us (BADVERSION); re-reading and retrying',
        );
      }
    }
    this.#log.warn(
      { topic: tp.topic, partition: tp.partition },
      'gave up updating partition state for now',
    );
  }

  #logTransition(
    tp: TopicPartitionId,
    from: string,
    to: string,
    state: LeaderAndIsr,
    reason: string,
    previous?: LeaderAndIsr,
  ): void {
    this.#log.info(
      {
        topic: tp.topic,
        partition: tp.partition,
        from,
        to,
        leader: state.leader,
        leaderEpoch: state.leaderEpoch,
        isr: state.isr,
        previousLeader: previous?.leader,
        previousIsr: previous?.isr,
        reason,
      },
      `partition ${tp.topic}-${tp.partition} ${from} -> ${to}`,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Reactions to broker, topic and partition changes

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

  /** Partitions led by a dead broker get a new leader; it leaves every ISR it was in. */
  async #onBrokerFailure(deadIds: readonly number[]): Promise<void> {
    const dead = new Set(deadIds);
    const affected = this.#ctx
      .allPartitions()
      .filter((tp) => !this.#ctx.topicsToBeDeleted.has(tp.topic))
      .filter((tp) => {
        const s = this.#ctx.stateOf(tp)?.leaderAndIsr;
        return s !== undefined && (dead.has(s.leader) || s.isr.some((b) => dead.has(b)));
      });
    await Promise.all(
      affected.map((tp) =>
        this.#updatePartitionState(tp, `broker(s) ${deadIds.join(',')} failed`, (current, live) => {
          if (needsLeaderElection(current, live)) {
            const result = offlinePartitionLeaderElection({
              assignment: this.#ctx.replicasOf(tp),
              current,
              liveBrokerIds: live,
              uncleanLeaderElectionEnable: this.#options.uncleanLeaderElectionEnable,
              controllerEpoch: this.#ctx.epoch,
            });
            if (result.ok) return { leaderAndIsr: result.leaderAndIsr, to: 'OnlinePartition' };
          }
          // No election possible (or needed): shrink the ISR of the dead replicas.
          let next: LeaderAndIsr | null = null;
          for (const id of deadIds) {
            next =
              removeReplicaFromIsr({
                current: next ?? current,
                replica: id,
                controllerEpoch: this.#ctx.epoch,
              }) ?? next;
          }
          if (!next) return null;
          // Collapse multiple removals into one epoch bump.
          next = { ...next, leaderEpoch: current.leaderEpoch + 1 };
          return {
            leaderAndIsr: next,
            to: next.leader === NO_LEADER ? 'OfflinePartition' : 'OnlinePartition',
          };
        }),
      ),
    );
  }

  /** New or restarted brokers: tell them everything, then elect where they make it possible. */
  async #onBrokerStartup(ids: readonly number[]): Promise<void> {
    for (const id of ids) {
      this.#batch.updateMetadataTo(id, this.#ctx.allPartitions());
      const hosted = this.#ctx.partitionsOnBroker(id).filter((tp) => this.#ctx.stateOf(tp));
      for (const tp of hosted) this.#batch.leaderAndIsrTo(id, tp, false);
    }
    const all = this.#ctx
      .allPartitions()
      .filter((tp) => !this.#ctx.topicsToBeDeleted.has(tp.topic));
    await this.#initializePartitions(all.filter((tp) => !this.#ctx.stateOf(tp)));
    await this.#electOfflinePartitions(
      all.filter((tp) => this.#ctx.stateOf(tp)),
      `broker(s) ${ids.join(',')} started`,
    );
    this.#resumeDeletions();
  }

  async #processTopicChange(): Promise<void> {
    if (!this.#active) return;
    const topics = await getAllTopics(this.#zk, this.#onTopicChange);
    const known = new Set(this.#ctx.assignments.keys());
    const added = topics.filter((t) => !known.has(t));
    const removed = [...known].filter((t) => !topics.includes(t));
    for (const topic of removed) {
      this.#ctx.removeTopic(topic);
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
    await this.#initializePartitions(fresh.filter((tp) => !this.#ctx.stateOf(tp)));
    // Partitions that already had state (created by an earlier controller) still need an
    // up-to-date leader and to be announced.
    await this.#electOfflinePartitions(
      fresh.filter((tp) => this.#ctx.stateOf(tp)),
      'topic change',
    );
    this.#batch.updateMetadataToAll(fresh);
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
    await this.#initializePartitions(added.map((partition) => ({ topic, partition })));
  }

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
  // Topic deletion (Kafka's TopicDeletionManager, simplified)
  //
  //   marked (/admin/delete_topics/<t>) -> UpdateMetadata with leader -2 to all brokers and
  //   StopReplica(delete=true) to every replica -> all answered without error -> delete the
  //   topic's znodes (fenced) -> removed. While a replica's broker is down, deletion waits
  //   (the topic is "ineligible") and resumes on the next broker change.

  async #processTopicDeletion(): Promise<void> {
    if (!this.#active) return;
    const marked = await getTopicsToDelete(this.#zk, this.#onTopicDeletion);
    for (const topic of marked) {
      if (!this.#options.deleteTopicEnable) {
        this.#log.warn({ topic }, 'delete.topic.enable=false: removing the deletion request');
        await fencedMulti(this.#zk, this.#ctx.epochZkVersion, [
          Op.delete(DeleteTopicZNode.path(topic)),
        ]);
        continue;
      }
      if (!this.#ctx.assignments.has(topic)) {
        this.#log.info({ topic }, 'deletion requested for an unknown topic; removing the request');
        await fencedMulti(this.#zk, this.#ctx.epochZkVersion, [
          Op.delete(DeleteTopicZNode.path(topic)),
        ]).catch((err: unknown) => {
          if (!hasCode(err, ErrorCode.NONODE)) throw err;
        });
        continue;
      }
      if (!this.#ctx.topicsToBeDeleted.has(topic)) {
        this.#ctx.topicsToBeDeleted.add(topic);
        this.#log.info({ topic }, 'topic marked for deletion');
      }
    }
    this.#resumeDeletions();
  }

  #resumeDeletions(): void {
    const live = this.#ctx.liveBrokerIds();
    for (const topic of this.#ctx.topicsToBeDeleted) {
      if (this.#deletionsInFlight.has(topic)) continue;
      const partitions = [...(this.#ctx.assignments.get(topic)?.keys() ?? [])].map((partition) => ({
        topic,
        partition,
      }));
      const replicaBrokers = new Set(partitions.flatMap((tp) => this.#ctx.replicasOf(tp)));
      const down = [...replicaBrokers].filter((b) => !live.has(b));
      if (down.length > 0) {
        this.#log.info({ topic, down }, 'topic deletion waits: replicas on brokers that are down');
        continue;
      }
      this.#deletionsInFlight.set(topic, new Set(replicaBrokers));
      // Brokers drop the topic from their metadata first, then delete the replicas.
      this.#batch.updateMetadataToAll(partitions);
      for (const brokerId of replicaBrokers) {
        const hosted = partitions.filter((tp) => this.#ctx.replicasOf(tp).includes(brokerId));
        this.#batch.stopReplica(brokerId, hosted, true, (errorCode) =>
          this.#enqueue({ type: 'TopicDeletionStopReplicaResponse', topic, brokerId, errorCode }),
        );
      }
      this.#log.info({ topic, replicaBrokers: [...replicaBrokers] }, 'topic deletion started');
      if (replicaBrokers.size === 0)
        void this.#enqueue({
          type: 'TopicDeletionStopReplicaResponse',
          topic,
          brokerId: -1,
          errorCode: KafkaErrorCode.NONE,
        });
    }
  }

  async #processStopReplicaResponse(
    topic: string,
    brokerId: number,
    errorCode: number,
  ): Promise<void> {
    if (!this.#active) return;
    const pending = this.#deletionsInFlight.get(topic);
    if (!pending) return;
    if (errorCode !== KafkaErrorCode.NONE) {
      this.#log.warn(
        { topic, targetBrokerId: brokerId, errorCode },
        'replica deletion failed; will retry later',
      );
      this.#deletionsInFlight.delete(topic);
      return;
    }
    pending.delete(brokerId);
    if (pending.size > 0) return;
    this.#deletionsInFlight.delete(topic);
    await this.#completeDeletion(topic);
  }

  async #completeDeletion(topic: string): Promise<void> {
    // Children first: states, partition nodes, /partitions, the topic, its config, the marker.
    const ops: MultiOp[] = [];
    const partitionsPath = TopicPartitionsZNode.path(topic);
    const partitionIds = await this.#zk.getChildren(partitionsPath).catch((err: unknown) => {
      if (hasCode(err, ErrorCode.NONODE)) return [] as string[];
      throw err;
    });
    for (const p of partitionIds) {
      const partitionPath = `${partitionsPath}/${p}`;
      for (const child of await this.#zk.getChildren(partitionPath))
        ops.push(Op.delete(`${partitionPath}/${child}`));
      ops.push(Op.delete(partitionPath));
    }
    if (partitionIds.length > 0 || (await this.#zk.exists(partitionsPath)))
      ops.push(Op.delete(partitionsPath));
    ops.push(Op.delete(TopicZNode.path(topic)));
    if (await this.#zk.exists(TopicConfigZNode.path(topic)))
      ops.push(Op.delete(TopicConfigZNode.path(topic)));
    ops.push(Op.delete(DeleteTopicZNode.path(topic)));
    await fencedMulti(this.#zk, this.#ctx.epochZkVersion, ops);
    this.#ctx.removeTopic(topic);
    this.#topicWatchers.delete(topic);
    this.#log.info({ topic }, 'topic deleted');
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  #sendBatch(): void {
    const sender = this.#sender;
    if (!this.#active || !sender) return;
    const controllerId = this.#options.brokerId;
    const live = this.#ctx.liveBrokerIds();
    const batch = this.#batch;
    this.#batch = new RequestBatch();
    for (const [brokerId, entries] of batch.leaderAndIsr) {
      if (!live.has(brokerId)) continue;
      for (const isNew of [true, false]) {
        const tps = [...entries.values()].filter((e) => e.isNew === isNew).map((e) => e.tp);
        if (tps.length === 0) continue;
        sender.send(brokerId, {
          apiKey: ApiKey.LeaderAndIsr,
          apiVersion: CONTROL_REQUEST_VERSIONS.leaderAndIsr,
          body: this.#ctx.leaderAndIsrRequest(controllerId, brokerId, tps, isNew),
          onResponse: (response) => {
            const failed = response.partitionErrors.filter(
              (p) => p.errorCode !== KafkaErrorCode.NONE,
            );
            if (response.errorCode !== KafkaErrorCode.NONE || failed.length > 0) {
              this.#log.warn(
                { targetBrokerId: brokerId, errorCode: response.errorCode, failed },
                'LeaderAndIsr errors',
              );
            }
          },
        });
      }
    }
    const umTargets = new Map(batch.updateMetadata);
    if (batch.updateMetadataAll) {
      for (const id of live)
        umTargets.set(id, new Map([...(umTargets.get(id) ?? []), ...batch.updateMetadataAll]));
    }
    for (const [brokerId, tps] of umTargets) {
      if (!live.has(brokerId)) continue;
      sender.send(brokerId, {
        apiKey: ApiKey.UpdateMetadata,
        apiVersion: CONTROL_REQUEST_VERSIONS.updateMetadata,
        body: this.#ctx.updateMetadataRequest(controllerId, brokerId, [...tps.values()]),
        onResponse: (response) => {
          if (response.errorCode !== KafkaErrorCode.NONE) {
            this.#log.warn(
              { targetBrokerId: brokerId, errorCode: response.errorCode },
              'UpdateMetadata error',
            );
          }
        },
      });
    }
    for (const stop of batch.stopReplicas) {
      if (!live.has(stop.brokerId)) continue;
      sender.send(stop.brokerId, {
        apiKey: ApiKey.StopReplica,
        apiVersion: CONTROL_REQUEST_VERSIONS.stopReplica,
        body: this.#ctx.stopReplicaRequest(
          controllerId,
          stop.brokerId,
          stop.partitions,
          stop.deletePartitions,
        ),
        onResponse: (response) => {
          const failed = response.partitionErrors.find((p) => p.errorCode !== KafkaErrorCode.NONE);
          stop.onResult?.(
            response.errorCode !== KafkaErrorCode.NONE
              ? response.errorCode
              : (failed?.errorCode ?? KafkaErrorCode.NONE),
          );
        },
      });
    }
  }
}

/**
 * The requests one event produced, merged per broker (Kafka's ControllerBrokerRequestBatch).
 * Partition states are read from the context when the batch is *sent*, so a partition
 * changed twice within one event is sent once, with its final state.
 */
class RequestBatch {
  readonly leaderAndIsr = new Map<number, Map<string, { tp: TopicPartitionId; isNew: boolean }>>();
  readonly updateMetadata = new Map<number, Map<string, TopicPartitionId>>();
  /** Partitions for an UpdateMetadata to every live broker; undefined = none needed. */
  updateMetadataAll: Map<string, TopicPartitionId> | undefined;
  readonly stopReplicas: {
    brokerId: number;
    partitions: TopicPartitionId[];
    deletePartitions: boolean;
    onResult?: (errorCode: number) => void;
  }[] = [];

  leaderAndIsrTo(brokerId: number, tp: TopicPartitionId, isNew: boolean): void {
    let entries = this.leaderAndIsr.get(brokerId);
    if (!entries) {
      entries = new Map<string, { tp: TopicPartitionId; isNew: boolean }>();
      this.leaderAndIsr.set(brokerId, entries);
    }
    const key = partitionKey(tp.topic, tp.partition);
    entries.set(key, { tp, isNew: isNew || (entries.get(key)?.isNew ?? false) });
  }

  leaderAndIsrToReplicas(ctx: ControllerContext, tp: TopicPartitionId, isNew: boolean): void {
    const live = ctx.liveBrokerIds();
    for (const replica of ctx.replicasOf(tp))
      if (live.has(replica)) this.leaderAndIsrTo(replica, tp, isNew);
  }

  updateMetadataTo(brokerId: number, partitions: readonly TopicPartitionId[]): void {
    let entries = this.updateMetadata.get(brokerId);
    if (!entries) {
      entries = new Map<string, TopicPartitionId>();
      this.updateMetadata.set(brokerId, entries);
    }
    for (const tp of partitions) entries.set(partitionKey(tp.topic, tp.partition), tp);
  }

  updateMetadataToAll(partitions: readonly TopicPartitionId[]): void {
    this.updateMetadataAll ??= new Map();
    for (const tp of partitions)
      this.updateMetadataAll.set(partitionKey(tp.topic, tp.partition), tp);
  }

  stopReplica(
    brokerId: number,
    partitions: TopicPartitionId[],
    deletePartitions: boolean,
    onResult?: (errorCode: number) => void,
  ): void {
    this.stopReplicas.push({ brokerId, partitions, deletePartitions, onResult });
  }
}
