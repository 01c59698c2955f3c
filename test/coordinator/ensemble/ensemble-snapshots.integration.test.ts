/**
 * Snapshots with real processes (docs/ensemble.md, "Snapshots"): three servers with a small
 * snapCount. A follower killed with SIGKILL and restarted after missing a few writes catches
 * up by DIFF; one that missed more than the leader's log still holds catches up by SNAP (the
 * snapshot plus the log after it); under a long write run every server's log on disk stays
 * bounded (one to two snapCounts of entries and what came while a snapshot was written, a few
 * snapshot files); and a server
 * restarted after that loads its newest snapshot, then the log after it.
 */
import t from 'tap';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { daemonDataDir } from '../../helpers/processes.js';
import { waitFor } from '../../helpers/wait-for.js';
import { silentLogger } from '../../../src/logger.js';
import { CoordinatorClient } from '../../../src/coordinator-client/client.js';
import { ZabDisk } from '../../../coordinator/ensemble/zab-disk.js';
import { coordinatorTxnCodec } from '../../../coordinator/ensemble/txn.js';
import { startEnsemble, type Member } from './ensemble-processes.js';

const TICK_MS = 500;
const SNAP_COUNT = 50;

t.test('DIFF, SNAP, a bounded log and a restart from a snapshot', async (t) => {
  const root = daemonDataDir(t);
  const ensemble = await startEnsemble(t, {
    tickMs: TICK_MS,
    memberArgs: () => ['--snap-count', String(SNAP_COUNT)],
  });
  const { members, mode, start, kill9: kill } = ensemble;
  await waitFor(
    'one leader and two followers',
    async () => (await ensemble.modes()) === 'follower,follower,leader',
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  const modes = await Promise.all(members.map(mode));
  const follower = members.find((_, i) => modes[i] === 'follower')!;
  const others = members.filter((m) => m !== follower);

  const writer = new CoordinatorClient(others.map((m) => `127.0.0.1:${m.clientPort}`).join(','));
  await writer.connect();
  t.teardown(() => writer.close());
  let written = 0;
  const write = async (count: number): Promise<void> => {
    for (let done = 0; done < count; ) {
      const batch: Promise<string>[] = [];
      for (; batch.length < 100 && done < count; done++) {
        batch.push(writer.create(`/snap/n${String(written++).padStart(5, '0')}`, 'x'.repeat(50)));
      }
      await Promise.all(batch);
    }
  };
  /** The children of /snap as `m` has them once it has caught up with the leader. */
  const childrenOn = async (m: Member): Promise<number> => {
    const reader = new CoordinatorClient(`127.0.0.1:${m.clientPort}`);
    await reader.connect();
    try {
      await reader.sync('/snap');
      return (await reader.getChildren('/snap')).length;
    } finally {
      await reader.close();
    }
  };
  const rejoin = async (m: Member): Promise<void> => {
    await start(m);
    await waitFor(`server ${m.id} following`, async () => (await mode(m)) === 'follower', {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
  };

  await writer.create('/snap');
  await write(20);

  // A few writes missed: DIFF.
  await kill(follower);
  await write(10);
  await rejoin(follower);
  t.match(follower.process!.log(), /sync from the leader: DIFF/, 'a few writes behind: DIFF');
  t.notMatch(follower.process!.log(), /sync from the leader: SNAP/);
  t.equal(await childrenOn(follower), written, `server ${follower.id} has all ${written} znodes`);

  // More missed than the leader's log holds (it keeps the writes since its snapshot before
  // the newest, one to two snapCounts): SNAP.
  await kill(follower);
  await write(6 * SNAP_COUNT);
  await rejoin(follower);
  const snapLog = follower.process!.log();
  t.match(snapLog, /sync from the leader: SNAP/, 'far behind: SNAP');
  t.match(snapLog, /state loaded from a snapshot/, 'the snapshot replaced its tree');
  t.equal(await childrenOn(follower), written, `server ${follower.id} has all ${written} znodes`);

  // A long write run: the logs on disk stay bounded.
  await write(30 * SNAP_COUNT);
  for (const m of members) {
    t.equal(await childrenOn(m), written, `server ${m.id} has all ${written} znodes`);
    // Read a copy of the data directory the way a restart would.
    const copy = join(root, `copy${m.id}`);
    copyLiveDirectory(join(m.dataDir, 'zab'), join(copy, 'zab'));
    const { disk, recovered } = await ZabDisk.open(copy, silentLogger(), coordinatorTxnCodec);
    await disk.close();
    const entries = recovered.state.log.length;
    const snapshots = readdirSync(join(copy, 'zab')).filter((n) => /^snapshot\.\w+$/.test(n));
    // The log holds what came after the snapshot before the newest (one to two snapCounts),
    // plus what was logged while the newest was being written: bounded, whatever the run.
    t.ok(
      entries <= 4 * SNAP_COUNT,
      `server ${m.id}: ${entries} log entries on disk after ${written + 1} writes`,
    );
    t.ok(snapshots.length >= 1 && snapshots.length <= 4, `${snapshots.length} snapshot files`);
    t.ok(recovered.state.snapshot, 'a snapshot to start from');
  }

  // A restart loads the newest snapshot, then the log after it, and catches up by DIFF.
  await kill(follower);
  await write(10);
  await rejoin(follower);
  const restartLog = follower.process!.log();
  const starting = restartLog.split('\n').find((l) => l.includes('ensemble member starting'))!;
  const { snapshotZxid } = JSON.parse(starting) as { snapshotZxid: string };
  t.not(snapshotZxid, '0x0', `restarted from its snapshot at ${snapshotZxid}`);
  t.match(restartLog, /state loaded from a snapshot/);
  t.match(restartLog, /sync from the leader: DIFF/);
  t.equal(await childrenOn(follower), written, `server ${follower.id} has all ${written} znodes`);
});

/**
 * Copy a directory the server is still writing: a background trim may delete a file between
 * the listing and its copy (ENOENT), then copy again; the copy is what a restart at some
 * moment of the run would have found.
 */
function copyLiveDirectory(from: string, to: string): void {
  for (let attempt = 1; ; attempt++) {
    try {
      cpSync(from, to, { recursive: true });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 5) throw error;
      rmSync(to, { recursive: true, force: true });
    }
  }
}
