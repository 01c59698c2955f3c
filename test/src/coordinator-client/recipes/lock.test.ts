/**
 * The lock recipe against the real coordinator: mutual exclusion under contention, FIFO
 * hand-over, timeouts that leave no node behind, and release by session end.
 */
import t from 'tap';
import { Lock } from '../../../../src/coordinator-client/recipes/lock.js';
import { connectedClient, sleep, startTestCoordinator } from '../real-server.js';

t.test('at most one holder at a time among many contenders', async (t) => {
  const { connectString } = await startTestCoordinator(t);
  const clients = await Promise.all([1, 2, 3, 4].map(() => connectedClient(t, connectString)));
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
        await sleep(5); // hold it across a few event-loop turns
        holders--;
        await lock.release();
      }
    }),
  );
  t.equal(maxHolders, 1, 'never two holders');
  t.equal(order.length, 12, 'every acquisition completed');
  t.same(await clients[0].getChildren('/locks/l'), [], 'no lock nodes left behind');
});

t.test('a waiter gets the lock when the holder releases, or when its session ends', async (t) => {
  const { connectString } = await startTestCoordinator(t);
  const a = await connectedClient(t, connectString);
  const b = await connectedClient(t, connectString);
  const la = new Lock(a, '/locks/m', { data: 'a' });
  const lb = new Lock(b, '/locks/m', { data: 'b' });
  t.equal(await la.acquire(), true);
  t.match(la.nodePath, /^\/locks\/m\/[0-9a-f-]{36}-lock-0000000000$/);
  let bHolds = false;
  const bAcquire = lb.acquire().then((ok) => (bHolds = ok));
  await sleep(100);
  t.equal(bHolds, false, 'b waits while a holds');
  await a.close(); // a's session ends: its ephemeral lock node goes with it
  await bAcquire;
  t.equal(bHolds, true);
  t.ok(lb.isAcquired);
  await lb.release();
});

t.test('acquire with a timeout gives up and removes its node', async (t) => {
  const { connectString } = await startTestCoordinator(t);
  const a = await connectedClient(t, connectString);
  const b = await connectedClient(t, connectString);
  const la = new Lock(a, '/locks/n');
  await la.acquire();
  const lb = new Lock(b, '/locks/n');
  const started = Date.now();
  t.equal(await lb.acquire({ timeoutMs: 150 }), false);
  t.ok(Date.now() - started >= 140, 'waited about the timeout');
  t.equal(lb.nodePath, undefined);
  t.equal((await a.getChildren('/locks/n')).length, 1, "only the holder's node is left");
  await la.release();
  t.equal(await lb.acquire({ timeoutMs: 1000 }), true, 'the same Lock object can try again');
  await lb.release();
});
