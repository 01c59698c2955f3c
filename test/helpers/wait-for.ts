/**
 * waitFor: the one poll-until helper of the tests. It asks `probe` again and again until the
 * answer is ready and returns that answer, or fails with `what` once `timeoutMs` has passed.
 *
 * For integration tests that watch something outside their own control reach a state: a
 * daemon's znode, a socket's close, a watch event's effect. "Not ready yet" is `undefined` or
 * `false`, so a probe can return a value (`await waitFor('the leader', async () => leaderOf(p))`)
 * or a condition (`await waitFor('closed', () => closed)`). A probe that throws counts as not
 * ready (the coordinator may still be starting); the last error is quoted if time runs out.
 *
 * The deadline only keeps a broken test from hanging until tap's timeout: nothing is asserted
 * about how long the wait took.
 */
export interface WaitForOptions {
  /** How long to keep asking before failing (default 10 s). */
  timeoutMs?: number;
  /** The pause between two probes (default 20 ms). */
  intervalMs?: number;
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitForOptions = {},
): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const cause =
        lastError === undefined
          ? ''
          : ` (last error: ${lastError instanceof Error ? lastError.message : 'a non-Error'})`;
      throw new Error(`timed out waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
