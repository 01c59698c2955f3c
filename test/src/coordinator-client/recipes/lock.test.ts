/**
 * The lock recipe against the real coordinator: mutual exclusion under contention, FIFO
 * hand-over, timeouts that leave no node behind, and release by session end. Server and
 * clients share one ManualScheduler, so no session expires and no lock times out unless the
 * test moves time, and "b is waiting" is known (its timeout timer is pending), not guessed.
 */
import t, { type Test } from 'tap';
import { Lock } from '../../../../src/coordinator-client/recipes/lock.js';
import { ManualScheduler } from '../../../../src/scheduler.js';
import { connectedClient, startTestCoordinator } from '../real-server.js';

/** Lets every callback already queued run (I/O included), a few times over. */
async function yieldTurns(turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function setup(t: Test) {
  const scheduler = new ManualScheduler();
  const { connectString } = await startTestCoordinator(t, 100, scheduler);
  const client = () => connectedClient(t, connectString, { scheduler });
  return { scheduler, client };
}

t.test('at most one holder at a time among many contenders', async (t) => {
  const { client } = await setup(t);
  const clients = await Promise.all([1, 2, 3, 4].map(() => client()));
  let holders = 0;
  let maxHolders = 0;
  const order: number[] = [];
  await Promise.all(
    clients.map(async (client, i) => {
      for (let round = 0; round < 3; round++) {
        const lock = new Lock(client, '/locks/l');
        t.equal(await lock.acquire(), true);
        holders++;
        maxHolders = Math.max(maxHolders, holders);
        order.push(i);
        await yieldTurns(3); // hold it while other contenders' replies come in
        holders--;
        await lock.release();
      }
    }),
  );
  t.equal(maxHolders, 1, 'never two holders');
  t.equal(order.length, 12, 'every acquisition completed');
  t.same(await clients[0]!.getChildren('/locks/l'), [], 'no lock nodes left behind');
});

t.test('a waiter gets the lock when the holder releases, or when its session ends', async (t) => {
  const { scheduler, client } = await setup(t);
  const a = await client();
  const b = await client();
  const la = new Lock(a, '/locks/m', { data: 'a' });
  const lb = new Lock(b, '/locks/m', { data: 'b' });
  t.equal(await la.acquire(), true);
  t.match(la.nodePath, /^\/locks\/m\/[0-9a-f-]{36}-lock-0000000000$/);
  let bHolds = false;
  const timersBefore = scheduler.pendingCount;
  const bAcquire = lb.acquire({ timeoutMs: 60_000 }).then((ok) => (bHolds = ok));
  await scheduler.untilPending(timersBefore + 1);
  t.equal(bHolds, false, 'b waits on a watch of the node before its own while a holds');
  await a.close(); // a's session ends: its ephemeral lock node goes with it
  await bAcquire;
  t.equal(bHolds, true);
  t.ok(lb.isAcquired);
  await lb.release();
});

t.test('acquire with a timeout gives up at the timeout and removes its node', async (t) => {
  const { scheduler, client } = await setup(t);
  const a = await client();
  const b = await client();
  const la = new Lock(a, '/locks/n');
  await la.acquire();
  const lb = new Lock(b, '/locks/n');
  const timersBefore = scheduler.pendingCount;
  let outcome: boolean | undefined;
  const acquiring = lb.acquire({ timeoutMs: 150 }).then((ok) => (outcome = ok));
  await scheduler.untilPending(timersBefore + 1);
  scheduler.advance(149);
  await yieldTurns(3);
  t.equal(outcome, undefined, 'still waiting 1 ms before the timeout');
  scheduler.advance(1);
  await acquiring;
  t.equal(outcome, false, 'gave up at the timeout');
  t.equal(lb.nodePath, undefined);
  t.equal((await a.getChildren('/locks/n')).length, 1, "only the holder's node is left");
  await la.release();
  t.equal(await lb.acquire({ timeoutMs: 1000 }), true, 'the same Lock object can try again');
  await lb.release();
});
