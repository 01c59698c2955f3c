/**
 * A snapshot does not stop a server from serving (docs/ensemble.md, "Snapshots"), with real
 * processes: three servers with a small snapCount, a tree of 40,000 znodes, and a client that
 * reads from the leader one read after another while single writes bring the next snapshot.
 * The leader serializes that snapshot in slices (its `snapshot written` line says how many),
 * and reads sent after the snapshot started are answered before its serialization ended:
 * the event loop served them between slices. Before, the tree was serialized in one
 * synchronous stretch and no read could be answered meanwhile.
 */
import t from 'tap';
import { CoordinatorClient } from '../../../src/coordinator-client/client.js';
import { startEnsemble } from './ensemble-processes.js';

const TICK_MS = 500;
const SNAP_COUNT = 50;
const PARENTS = 40;
const PER_PARENT = 1000;
const OPEN = [{ perms: 31, scheme: 'world', id: 'anyone' }];

interface LogLine {
  time: number;
  msg: string;
  zxid?: string;
  nodes?: number;
  slices?: number;
  longestSliceMs?: number;
  serializeMs?: number;
}

t.test('reads are answered while a snapshot of 40,000 znodes is serialized', async (t) => {
  const ensemble = await startEnsemble(t, {
    tickMs: TICK_MS,
    memberArgs: () => ['--snap-count', String(SNAP_COUNT)],
  });
  const leader = await ensemble.waitForQuorum(undefined, { timeoutMs: 30_000, intervalMs: 100 });
  const address = `127.0.0.1:${leader.clientPort}`;
  const writer = new CoordinatorClient(address);
  const reader = new CoordinatorClient(address);
  await writer.connect();
  await reader.connect();
  t.teardown(async () => {
    await writer.close();
    await reader.close();
  });

  // The tree: one multi of 1,000 creates per parent (a few dozen txns, under snapCount).
  const data = Buffer.alloc(100, 7);
  await writer.create('/big', '');
  for (let p = 0; p < PARENTS; p++) {
    await writer.multi([
      { op: 'create', path: `/big/p${p}`, data: null, acl: OPEN, mode: 'persistent' },
      ...Array.from({ length: PER_PARENT - 1 }, (_, i) => ({
        op: 'create' as const,
        path: `/big/p${p}/n${i}`,
        data,
        acl: OPEN,
        mode: 'persistent' as const,
      })),
    ]);
  }

  const lines = (): LogLine[] =>
    leader
      .process!.log()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
  const bigSnapshot = (): LogLine | undefined =>
    lines().find((l) => l.msg === 'snapshot written' && (l.nodes ?? 0) >= PARENTS * PER_PARENT);

  // One read after another, each with the time it was sent and answered.
  const reads: { sentAt: number; answeredAt: number }[] = [];
  let reading = true;
  const readLoop = (async () => {
    while (reading) {
      const sentAt = Date.now();
      await reader.getData('/big/p0/n1');
      reads.push({ sentAt, answeredAt: Date.now() });
    }
  })();
  // Single writes until the leader has written a snapshot of the big tree.
  let writes = 0;
  while (!bigSnapshot() && writes < 10 * SNAP_COUNT) {
    await writer.setData('/big', `write ${writes++}`);
  }
  reading = false;
  await readLoop;

  const written = bigSnapshot();
  if (!written) throw new Error(`no snapshot of the big tree after ${writes} writes`);
  const started = lines().find((l) => l.msg === 'snapshot started' && l.zxid === written.zxid)!;
  t.ok(started, `the snapshot at ${written.zxid} started`);
  t.ok(
    written.slices! > 1,
    `serialized in ${written.slices} slices, the longest ${written.longestSliceMs} ms, ` +
      `${written.serializeMs} ms in all`,
  );
  const serializedAt = started.time + written.serializeMs!;
  const during = reads.filter((r) => r.sentAt > started.time && r.answeredAt < serializedAt);
  t.ok(
    during.length > 0,
    `${during.length} reads sent after the snapshot started were answered before its ` +
      `serialization ended (${reads.length} reads in all)`,
  );
  t.equal((await reader.getChildren('/big')).length, PARENTS);
});
