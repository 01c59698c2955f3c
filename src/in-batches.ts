/**
 * inBatches: run an asynchronous step for every item of a large list, at most `batchSize` at
 * a time, each batch finishing before the next starts.
 *
 * Why: the controller handles a topic of 32,767 partitions with a coordinator request or two
 * per partition. Started all at once, those requests fill the client's queue: its keep-alive
 * ping waits behind tens of thousands of writes, the coordinator hears nothing new from the
 * session for longer than its timeout and expires it (the broker loses its registration and
 * the controller role in the middle of the creation). In batches, at most `batchSize` requests
 * are ahead of the ping, and other work (client requests, timers) runs between batches.
 */
export async function inBatches<T>(
  items: readonly T[],
  batchSize: number,
  step: (item: T) => Promise<void>,
): Promise<void> {
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  }
  for (let from = 0; from < items.length; from += batchSize) {
    await Promise.all(items.slice(from, from + batchSize).map(step));
  }
}
