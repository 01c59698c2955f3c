/**
 * Replication quotas (KIP-73): a byte-rate limit on the replication traffic of *throttled*
 * replicas, so that copying a partition to a new broker (a reassignment, a replaced disk)
 * does not take all the bandwidth producers and consumers need. Kafka 2.8's
 * ReplicationQuotaManager, one instance per side:
 *
 *   leader   on the broker that leads a partition: a follower's Fetch gets no data for a
 *            throttled partition while this broker's leader quota is exceeded
 *            (leader.replication.throttled.rate, bytes/s);
 *   follower on the broker that copies: the replica fetcher leaves throttled partitions out
 *            of its Fetch while this broker's follower quota is exceeded
 *            (follower.replication.throttled.rate).
 *
 * Which partitions are throttled comes from two topic configs, lists of
 * `partition:brokerId` (or `*` for every partition), each broker keeping the entries that
 * name itself:
 *
 *   leader.replication.throttled.replicas=0:1,0:2     broker 1 and 2 throttle, as leaders of
 *                                                      partition 0, what they send followers
 *   follower.replication.throttled.replicas=0:3       broker 3 throttles what it fetches
 *
 * A replica in the ISR is never throttled, on either side (the callers check that: Kafka's
 * ReplicaManager.shouldLeaderThrottle, ReplicaFetcherThread.shouldFollowerThrottle): slowing
 * an in-sync follower down would only push it out of the ISR and back ("ISR thrashing").
 * Only a replica that is behind, the one being built, waits for the quota.
 *
 * The rate (`SampledRate`, Kafka's SimpleRate over a SampledStat): bytes are added to the
 * current sample; a sample covers `sampleWindowMs` (replication.quota.window.size.seconds,
 * 1 s) and `samples` of them are kept (replication.quota.window.num, 11). The rate is the
 * sum of the kept samples divided by the time since the oldest one started, but never by
 * less than one window (so the first bytes after a quiet spell do not look like an infinite
 * rate). The quota is exceeded while that rate is above the bound. Bytes are recorded after
 * they were sent or appended, never refused on their own account: a Fetch that is allowed
 * returns up to replica.fetch.max.bytes per partition, then the rate is above the bound for
 * a while and the next fetches wait. Over any long stretch the throttled traffic averages
 * to the bound; over a short one it can exceed it by one fetch's worth.
 *
 * Pure: time comes from the Clock passed in; no timers, no I/O.
 */
import type { Clock } from '../../src/clock.js';
import { invariant } from '../../src/assert.js';

/** Kafka's ReplicationQuotaManagerConfig defaults. */
export const DEFAULT_REPLICATION_QUOTA_SAMPLES = 11;
export const DEFAULT_REPLICATION_QUOTA_WINDOW_MS = 1000;

/** No bound (Kafka's Long.MAX_VALUE, the default of both throttled rates). */
export const UNBOUNDED_RATE = Number.POSITIVE_INFINITY;

export type ReplicationSide = 'leader' | 'follower';

interface Sample {
  startMs: number;
  bytes: number;
}

/**
 * A byte rate over a sliding set of samples (Kafka's SampledStat + SimpleRate). Each sample
 * holds the bytes recorded during its window; when the current one is full (its window has
 * passed) the oldest is reused.
 */
export class SampledRate {
  readonly #samples: Sample[] = [];
  readonly #samplesMax: number;
  readonly #windowMs: number;
  #current = 0;

  constructor(options: { samples: number; windowMs: number }) {
    invariant(options.samples >= 1, 'a rate needs at least one sample');
    invariant(options.windowMs >= 1, 'a sample window is at least 1 ms');
    this.#samplesMax = options.samples;
    this.#windowMs = options.windowMs;
  }

  record(bytes: number, nowMs: number): void {
    let sample = this.#currentSample(nowMs);
    if (nowMs - sample.startMs >= this.#windowMs) sample = this.#advance(nowMs);
    sample.bytes += bytes;
  }

  /** Bytes per second at `nowMs`. */
  measure(nowMs: number): number {
    this.#purgeObsolete(nowMs);
    const total = this.#samples.reduce((sum, s) => sum + s.bytes, 0);
    const oldestStartMs = Math.min(...this.#samples.map((s) => s.startMs), nowMs);
    // SimpleRate: the time since the oldest sample started, but at least one window.
    const elapsedMs = Math.max(nowMs - oldestStartMs, this.#windowMs);
    return (total * 1000) / elapsedMs;
  }

  #currentSample(nowMs: number): Sample {
    if (this.#samples.length === 0) this.#samples.push({ startMs: nowMs, bytes: 0 });
    return this.#samples[this.#current]!;
  }

  #advance(nowMs: number): Sample {
    this.#current = (this.#current + 1) % this.#samplesMax;
    const fresh = { startMs: nowMs, bytes: 0 };
    if (this.#current >= this.#samples.length) this.#samples.push(fresh);
    else this.#samples[this.#current] = fresh;
    return fresh;
  }

  /**
   * Samples that started longer ago than the span the rate covers (samples x window) are
   * restarted, empty, at `nowMs`: an old burst leaves the average, and a quiet spell does
   * not stretch the elapsed time. (Kafka 2.8 ages a sample by its start, as here; later
   * versions by its last event.)
   */
  #purgeObsolete(nowMs: number): void {
    const expireAgeMs = this.#samplesMax * this.#windowMs;
    for (let i = 0; i < this.#samples.length; i++) {
      if (nowMs - this.#samples[i]!.startMs >= expireAgeMs) {
        this.#samples[i] = { startMs: nowMs, bytes: 0 };
      }
    }
  }
}

/** Every partition of the topic (`*`), or these partition ids. */
export type ThrottledPartitions = 'all' | ReadonlySet<number>;

/** One side's quota: the bound, the measured rate, and the throttled partitions. */
export class ReplicationQuotaManager {
  readonly side: ReplicationSide;
  readonly #clock: Clock;
  readonly #rate: SampledRate;
  readonly #throttled = new Map<string, ThrottledPartitions>();
  readonly #onRecord: ((bytes: number) => void) | undefined;
  #boundBytesPerSec = UNBOUNDED_RATE;

  constructor(options: {
    side: ReplicationSide;
    clock: Clock;
    samples?: number;
    windowMs?: number;
    /** Called with every recorded amount (the throttled-bytes metric). */
    onRecord?: (bytes: number) => void;
  }) {
    this.side = options.side;
    this.#clock = options.clock;
    this.#rate = new SampledRate({
      samples: options.samples ?? DEFAULT_REPLICATION_QUOTA_SAMPLES,
      windowMs: options.windowMs ?? DEFAULT_REPLICATION_QUOTA_WINDOW_MS,
    });
    this.#onRecord = options.onRecord;
  }

  /** The throttled rate in bytes/s; UNBOUNDED_RATE removes the bound. */
  updateQuota(boundBytesPerSec: number): void {
    invariant(boundBytesPerSec >= 0, 'a throttled rate is not negative');
    this.#boundBytesPerSec = boundBytesPerSec;
  }

  get upperBound(): number {
    return this.#boundBytesPerSec;
  }

  /** The measured rate of throttled replication bytes, bytes/s. */
  byteRate(): number {
    return this.#rate.measure(this.#clock.nowMs());
  }

  /** Whether throttled replicas must wait now: the measured rate is above the bound. */
  isQuotaExceeded(): boolean {
    if (this.#boundBytesPerSec === UNBOUNDED_RATE) return false;
    return this.byteRate() > this.#boundBytesPerSec;
  }

  /** Adds bytes sent (leader) or appended (follower) for throttled partitions. */
  record(bytes: number): void {
    if (bytes <= 0) return;
    this.#rate.record(bytes, this.#clock.nowMs());
    this.#onRecord?.(bytes);
  }

  isThrottled(topic: string, partition: number): boolean {
    const partitions = this.#throttled.get(topic);
    if (partitions === undefined) return false;
    return partitions === 'all' || partitions.has(partition);
  }

  /** Replaces the throttled partitions of `topic`; an empty set removes its throttle. */
  markThrottled(topic: string, partitions: ThrottledPartitions): void {
    if (partitions !== 'all' && partitions.size === 0) this.#throttled.delete(topic);
    else this.#throttled.set(topic, partitions);
  }

  removeThrottle(topic: string): void {
    this.#throttled.delete(topic);
  }

  /** Topics with throttled partitions (logs, tests). */
  throttledTopics(): string[] {
    return [...this.#throttled.keys()].sort();
  }

  /** The throttled partitions of `topic` for logs: `*`, `0,2`, or `` (none). */
  describeThrottle(topic: string): string {
    const partitions = this.#throttled.get(topic);
    if (partitions === undefined) return '';
    if (partitions === 'all') return '*';
    return [...partitions].sort((a, b) => a - b).join(',');
  }
}

/** Both sides of this broker. */
export interface ReplicationQuotas {
  leader: ReplicationQuotaManager;
  follower: ReplicationQuotaManager;
}

export function createReplicationQuotas(options: {
  clock: Clock;
  samples?: number;
  windowMs?: number;
  onRecord?: (side: ReplicationSide, bytes: number) => void;
}): ReplicationQuotas {
  const make = (side: ReplicationSide) =>
    new ReplicationQuotaManager({
      side,
      clock: options.clock,
      samples: options.samples,
      windowMs: options.windowMs,
      onRecord: options.onRecord && ((bytes) => options.onRecord!(side, bytes)),
    });
  return { leader: make('leader'), follower: make('follower') };
}

/**
 * The partitions of a `*.replication.throttled.replicas` value that name `brokerId`
 * (Kafka's TopicConfigHandler.parseThrottledPartitions): `*` is every partition, `0:1,1:2`
 * on broker 1 is partition 0. The value was validated when written
 * (src/kafka-config/topic-configs.ts); entries that do not parse are skipped.
 */
export function throttledPartitionsFor(value: string, brokerId: number): ThrottledPartitions {
  const trimmed = value.trim();
  if (trimmed === '*') return 'all';
  const partitions = new Set<number>();
  for (const item of trimmed.split(',')) {
    const match = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(item);
    if (match !== null && Number(match[2]) === brokerId) partitions.add(Number(match[1]));
  }
  return partitions;
}

/**
 * Applies a topic's overrides to both quotas (Kafka's TopicConfigHandler): each side's list
 * replaces what the topic had; a missing or empty list removes the topic's throttle.
 */
export function applyTopicThrottles(
  quotas: ReplicationQuotas,
  options: { topic: string; overrides: Readonly<Record<string, string>>; brokerId: number },
): { changed: boolean; leader: string; follower: string } {
  const before = {
    leader: quotas.leader.describeThrottle(options.topic),
    follower: quotas.follower.describeThrottle(options.topic),
  };
  for (const side of ['leader', 'follower'] as const) {
    const value = options.overrides[`${side}.replication.throttled.replicas`] ?? '';
    const quota = quotas[side];
    if (value.trim() === '') quota.removeThrottle(options.topic);
    else quota.markThrottled(options.topic, throttledPartitionsFor(value, options.brokerId));
  }
  const leader = quotas.leader.describeThrottle(options.topic);
  const follower = quotas.follower.describeThrottle(options.topic);
  return { changed: leader !== before.leader || follower !== before.follower, leader, follower };
}
