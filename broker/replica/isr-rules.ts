/**
 * The in-sync replica (ISR) rules a partition leader applies, as pure functions of numbers
 * and a time: no log, no coordinator, no timers. Modelled on Kafka 2.8's `kafka.cluster.Replica`
 * (`updateFetchState`) and `Partition` (`getOutOfSyncReplicas`, `isFollowerInSync`,
 * `maybeIncrementLeaderHW`). partition.ts calls them; tests call them directly.
 *
 * What the leader knows about each follower comes only from the follower's Fetch requests:
 * a fetch at offset N says "I have everything below N", so N is the follower's log end offset
 * (LEO). From that the leader keeps one more fact, the last time the follower was caught up:
 *
 *   - a fetch at or past the leader's current LEO: caught up *now*;
 *   - a fetch at or past the LEO the leader had at the follower's *previous* fetch: the
 *     follower was caught up at the time of that previous fetch (it has since read everything
 *     that existed then), so `lastCaughtUpTimeMs` becomes the previous fetch's time.
 *
 * The second case is what keeps a follower in the ISR under steady load, when the leader's
 * LEO moves on between every two fetches and a follower is never exactly at the end.
 *
 * Leaving the ISR (`outOfSyncReplicas`): a follower whose last caught-up time is more than
 * replica.lag.time.max.ms (30000) ago. That covers both a dead follower (no fetches at all)
 * and a live one too slow to keep up. The leader itself never leaves its own ISR.
 *
 * Joining the ISR (`isCaughtUpForIsr`): a follower not in the ISR whose LEO has reached the
 * high watermark *and* the first offset of the leader's current epoch. The second condition
 * (Kafka's, from KIP-101) makes sure the follower has truncated away anything it wrote under
 * an older leader: only records of the current epoch are known to agree with the leader.
 *
 * The high watermark (`highWatermarkFor`): the smallest LEO over the ISR (leader included).
 * partition.ts explains why, and keeps it from moving backwards.
 */

/** What a leader remembers about one follower, from its fetches. */
export interface FollowerFetchState {
  /** The follower's LEO (its last fetch offset), or -1 before its first fetch. */
  logEndOffset: number;
  /** When its last fetch arrived. */
  lastFetchTimeMs: number;
  /** The leader's LEO when that fetch arrived. */
  lastFetchLeaderLogEndOffset: number;
  /** The last time it was known to have everything the leader had. */
  lastCaughtUpTimeMs: number;
}

/**
 * The state a new leader starts each follower with (Kafka's resetReplicaState). An ISR member
 * gets a full replica.lag.time.max.ms from now to prove itself; any other replica starts as
 * never caught up.
 */
export function initialFollowerState(options: {
  inIsr: boolean;
  nowMs: number;
}): FollowerFetchState {
  return {
    logEndOffset: -1,
    lastFetchTimeMs: options.nowMs,
    lastFetchLeaderLogEndOffset: -1,
    lastCaughtUpTimeMs: options.inIsr ? options.nowMs : 0,
  };
}

/** The follower's state after a fetch at `fetchOffset` when the leader's LEO is as given. */
export function afterFollowerFetch(
  state: FollowerFetchState,
  fetch: { fetchOffset: number; leaderLogEndOffset: number; nowMs: number },
): FollowerFetchState {
  let lastCaughtUpTimeMs = state.lastCaughtUpTimeMs;
  if (fetch.fetchOffset >= fetch.leaderLogEndOffset) {
    lastCaughtUpTimeMs = Math.max(lastCaughtUpTimeMs, fetch.nowMs);
  } else if (fetch.fetchOffset >= state.lastFetchLeaderLogEndOffset) {
    lastCaughtUpTimeMs = Math.max(lastCaughtUpTimeMs, state.lastFetchTimeMs);
  }
  return {
    logEndOffset: fetch.fetchOffset,
    lastFetchTimeMs: fetch.nowMs,
    lastFetchLeaderLogEndOffset: fetch.leaderLogEndOffset,
    lastCaughtUpTimeMs,
  };
}

/** The ISR members (never the leader) that have lagged for more than `replicaLagTimeMaxMs`. */
export function outOfSyncReplicas(options: {
  leaderId: number;
  isr: readonly number[];
  followers: ReadonlyMap<number, FollowerFetchState>;
  nowMs: number;
  replicaLagTimeMaxMs: number;
}): number[] {
  return options.isr.filter((replica) => {
    if (replica === options.leaderId) return false;
    const state = options.followers.get(replica);
    // An ISR member we have no state for is not a replica of ours any more: out.
    if (state === undefined) return true;
    return options.nowMs - state.lastCaughtUpTimeMs > options.replicaLagTimeMaxMs;
  });
}

/** Whether a follower outside the ISR may join it (see the header). */
export function isCaughtUpForIsr(options: {
  followerLogEndOffset: number;
  highWatermark: number;
  leaderEpochStartOffset: number;
}): boolean {
  return (
    options.followerLogEndOffset >= options.highWatermark &&
    options.followerLogEndOffset >= options.leaderEpochStartOffset
  );
}

/**
 * The smallest LEO over the ISR, the leader's own included. A member with no known LEO (it
 * has not fetched since this broker became leader) counts as -1, which holds the HW where it
 * is until it fetches.
 */
export function highWatermarkFor(options: {
  leaderId: number;
  leaderLogEndOffset: number;
  isr: readonly number[];
  followers: ReadonlyMap<number, FollowerFetchState>;
}): number {
  let highWatermark = options.leaderLogEndOffset;
  for (const replica of options.isr) {
    if (replica === options.leaderId) continue;
    const leo = options.followers.get(replica)?.logEndOffset ?? -1;
    highWatermark = Math.min(highWatermark, leo);
  }
  return highWatermark;
}
