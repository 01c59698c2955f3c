/**
 * The leader's side of ISR maintenance on this broker (Kafka 2.8's ReplicaManager tasks
 * "isr-expiration" and "isr-change-propagation", ZooKeeper mode):
 *
 *   - every replica.lag.time.max.ms / 2, ask each partition this broker leads whether a
 *     follower fell behind for longer than replica.lag.time.max.ms (`Partition.maybeShrinkIsr`,
 *     rules in isr-rules.ts);
 *   - write each proposal (a shrink from that check, an expansion from a follower's fetch) to
 *     the partition's state znode, conditional on its version, and hand the result back to
 *     the partition (`completeIsrUpdate`), which adopts the new ISR only once it is written;
 *   - remember which partitions changed and, every 2.5 s, write one
 *     /isr_change_notification/isr_change_N naming them, once no change has happened for 5 s
 *     or the last notification is 60 s old (Kafka's constants: they batch a storm of ISR
 *     changes, e.g. after a broker restart, into a few notifications for the controller).
 *
 * Time comes from the Scheduler; tests drive it with a ManualScheduler and a fake store.
 * Ordering: one write per partition at a time (the partition refuses a second proposal while
 * one is pending), results applied on the event loop as they arrive.
 */
import type { Logger } from '../../src/logger.js';
import type { Scheduler, Timer } from '../../src/scheduler.js';
import { partitionDirName, type TopicPartition } from '../log/log.js';
import { topicPartitionKey } from '../log/log-manager.js';
import type { IsrProposal, Partition } from '../server/partition.js';
import type { IsrMetricsHooks } from '../metrics/broker-metrics.js';
import type { PartitionStateStore } from './partition-state-store.js';

/** Kafka's ReplicaManager.IsrChangePropagationBlackOut / IsrChangePropagationInterval. */
export const ISR_CHANGE_PROPAGATION_BLACKOUT_MS = 5_000;
export const ISR_CHANGE_PROPAGATION_INTERVAL_MS = 60_000;
export const ISR_CHANGE_CHECK_INTERVAL_MS = 2_500;

export interface IsrManagerOptions {
  scheduler: Scheduler;
  store: PartitionStateStore;
  /** replica.lag.time.max.ms (30000). */
  replicaLagTimeMaxMs: number;
  /** The partitions this broker hosts (the manager only acts on those it leads). */
  partitions: () => Iterable<Partition>;
  /** Called when an ISR change moved a partition's HW (waiting requests may complete). */
  onHighWatermarkIncreased: (tp: TopicPartition) => void;
  logger: Logger;
  /** Counts written shrinks and expansions (broker/metrics/). */
  metrics?: IsrMetricsHooks;
  propagationBlackoutMs?: number;
  propagationIntervalMs?: number;
  propagationCheckIntervalMs?: number;
}

export class IsrManager {
  readonly #options: IsrManagerOptions;
  readonly #logger: Logger;
  readonly #changed = new Map<string, TopicPartition>();
  #lastIsrChangeMs: number;
  #lastPropagationMs: number;
  #timers: Timer[] = [];
  #propagating = false;

  constructor(options: IsrManagerOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'isr-manager' });
    this.#lastIsrChangeMs = options.scheduler.nowMs();
    this.#lastPropagationMs = options.scheduler.nowMs();
  }

  startup(): void {
    const { scheduler } = this.#options;
    this.#timers.push(
      scheduler.repeat(Math.max(1, Math.floor(this.#options.replicaLagTimeMaxMs / 2)), () =>
        this.maybeShrinkIsrs(),
      ),
      scheduler.repeat(
        this.#options.propagationCheckIntervalMs ?? ISR_CHANGE_CHECK_INTERVAL_MS,
        () => void this.maybePropagateIsrChanges(),
      ),
    );
  }

  shutdown(): void {
    for (const timer of this.#timers) timer.cancel();
    this.#timers = [];
  }

  /** The periodic shrink check over every partition this broker leads. */
  maybeShrinkIsrs(): void {
    const nowMs = this.#options.scheduler.nowMs();
    for (const partition of this.#options.partitions()) {
      const proposal = partition.maybeShrinkIsr(nowMs, this.#options.replicaLagTimeMaxMs);
      if (proposal !== undefined) void this.submit(partition, proposal);
    }
  }

  /** Writes `proposal` and applies the result to `partition`. Resolves when done. */
  async submit(partition: Partition, proposal: IsrProposal): Promise<void> {
    const tp = proposal.topicPartition;
    this.#logger.info(
      {
        partition: partitionDirName(tp),
        kind: proposal.kind,
        isr: proposal.leaderAndIsr.isr,
        changed: proposal.changed,
        zkVersion: proposal.zkVersion,
      },
      `writing ISR ${proposal.kind} of ${partitionDirName(tp)}`,
    );
    const result = await this.#options.store.updateLeaderAndIsr(
      tp,
      proposal.leaderAndIsr,
      proposal.zkVersion,
    );
    const highWatermarkIncreased = partition.completeIsrUpdate(proposal, result);
    if (result.outcome === 'written') {
      this.#recordIsrChange(tp);
      this.#options.metrics?.isrChanged(proposal.kind);
    }
    if (highWatermarkIncreased) this.#options.onHighWatermarkIncreased(tp);
  }

  #recordIsrChange(tp: TopicPartition): void {
    this.#changed.set(topicPartitionKey(tp), tp);
    this.#lastIsrChangeMs = this.#options.scheduler.nowMs();
  }

  /** Partitions whose ISR change the controller has not been told about yet (tests). */
  get pendingNotifications(): TopicPartition[] {
    return [...this.#changed.values()];
  }

  /** Writes one notification for the changes so far, when Kafka's timing allows. */
  async maybePropagateIsrChanges(): Promise<void> {
    if (this.#changed.size === 0 || this.#propagating) return;
    const nowMs = this.#options.scheduler.nowMs();
    const blackoutMs = this.#options.propagationBlackoutMs ?? ISR_CHANGE_PROPAGATION_BLACKOUT_MS;
    const intervalMs = this.#options.propagationIntervalMs ?? ISR_CHANGE_PROPAGATION_INTERVAL_MS;
    const quiet = this.#lastIsrChangeMs + blackoutMs < nowMs;
    const overdue = this.#lastPropagationMs + intervalMs < nowMs;
    if (!quiet && !overdue) return;
    const partitions = [...this.#changed.values()];
    this.#changed.clear();
    this.#propagating = true;
    try {
      await this.#options.store.writeIsrChangeNotification(partitions);
      this.#lastPropagationMs = nowMs;
      this.#logger.info(
        { partitions: partitions.map(partitionDirName) },
        'wrote ISR change notification',
      );
    } catch (err) {
      // Keep them for the next round (unless newer changes re-added them already).
      for (const tp of partitions) this.#changed.set(topicPartitionKey(tp), tp);
      this.#logger.warn({ err }, 'could not write the ISR change notification; will retry');
    } finally {
      this.#propagating = false;
    }
  }
}
