/**
 * The event-loop stall of an ensemble member's snapshot, before and after snapshots were
 * serialized from a copy-on-write view in slices (docs/ensemble.md, "Snapshots").
 *
 *   npx tsx scripts/bench-snapshot.ts [znodes=100000] [dataBytes=100] [runs=3]
 *
 * Builds a data tree of `znodes` znodes of `dataBytes` bytes (under 100 parents) and, per
 * run, snapshots it two ways, each written to a temporary directory with the real ZabDisk:
 *
 * - before: what the shell did until then, all in one synchronous stretch: every path sorted,
 *   every node encoded (`snapshotState()` + `encodeSnapshot`), then the file written;
 * - after: `openView()` and `encodeSnapshotInSlices` (5 ms slices, setImmediate between), the
 *   shell's path today, while a "client" applies one setData per event-loop turn (the view
 *   copies each node before its first change).
 *
 * A timer every millisecond measures the event loop: the longest gap between two of its
 * callbacks is the longest time the server could not have answered anything (measured too
 * for one second with nothing running: what the machine's load alone causes). Prints, per
 * way, the longest stall, the time to a durable file, and (after) the slices (the longest in
 * wall time and in CPU time: on a loaded machine a slice's wall time is mostly waiting for a
 * core) and the writes applied while the snapshot was serialized. Results go to
 * docs/benchmarks.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DataTree } from '../coordinator/data-tree.js';
import { encodeSnapshot, encodeSnapshotInSlices } from '../coordinator/ensemble/snapshot.js';
import { coordinatorTxnCodec, type CoordinatorTxn } from '../coordinator/ensemble/txn.js';
import { ZabDisk } from '../coordinator/ensemble/zab-disk.js';
import type { StoredNode } from '../coordinator/store.js';
import { silentLogger } from '../src/logger.js';

const znodes = Number(process.argv[2] ?? 100_000);
const dataBytes = Number(process.argv[3] ?? 100);
const runs = Number(process.argv[4] ?? 3);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-snapshot-'));

const tree = new DataTree();
const acl = [{ perms: 31, scheme: 'world', id: 'anyone' }];
let zxid = 0;
const parents = 100;
for (let p = 0; p < parents; p++) {
  const parent = `/p${p}`;
  tree.create({
    path: parent,
    data: null,
    acl,
    mode: 'persistent',
    sessionId: 0n,
    zxid: ++zxid,
    timeMs: 0,
  });
}
for (let i = 0; i < znodes; i++) {
  tree.create({
    path: `/p${i % parents}/n${i}`,
    data: Buffer.alloc(dataBytes, i % 251),
    acl,
    mode: 'persistent',
    sessionId: 0n,
    zxid: ++zxid,
    timeMs: 0,
  });
}

/** Watches the event loop: the longest gap between two 1 ms timer callbacks. */
function watchLoop(): { stop: () => number } {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(longest, performance.now() - last);
    },
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));
const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

const { disk } = await ZabDisk.open<CoordinatorTxn>(root, silentLogger(), coordinatorTxnCodec);
const rows: string[] = [];
for (let run = 1; run <= runs; run++) {
  // Nothing running: what the machine's load alone does to a 1 ms timer over one second.
  let loop = watchLoop();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const idleStall = loop.stop();
  // Before: one synchronous stretch (sort, encode), then the write.
  await settle();
  loop = watchLoop();
  let started = performance.now();
  const beforeCpu = process.cpuUsage();
  const paths = [...tree.paths()].sort();
  const state = {
    lastZxid: zxid,
    nodes: paths.map((p): [string, StoredNode] => [p, tree.get(p)!]),
    sessions: [],
  };
  const before = encodeSnapshot(state);
  const beforeSerializedMs = performance.now() - started;
  const beforeCpuMs = cpuMs(beforeCpu);
  await disk.writeSnapshot({ zxid: zxid * 10 + run, data: before });
  const beforeMs = performance.now() - started;
  const beforeStall = loop.stop();

  // After: a view, slices, and a client writing meanwhile.
  await settle();
  loop = watchLoop();
  started = performance.now();
  const view = tree.openView();
  const viewMs = performance.now() - started;
  let writing = true;
  let writes = 0;
  const writer = (async () => {
    while (writing) {
      tree.setData(
        `/p${writes % parents}/n${writes % znodes}`,
        Buffer.from('x'),
        -1,
        zxid + 1 + writes,
        0,
      );
      writes++;
      await pause();
    }
  })();
  // The CPU time of each slice (the writer's turns in between are counted in the next one's
  // wait, not in it): on a loaded machine the wall time of a slice is mostly waiting for a core.
  let sliceCpu = process.cpuUsage();
  let longestSliceCpuMs = 0;
  const after = await encodeSnapshotInSlices(
    { lastZxid: zxid, paths: view.paths, node: (p) => view.get(p), sessions: [] },
    {
      pause: async () => {
        longestSliceCpuMs = Math.max(longestSliceCpuMs, cpuMs(sliceCpu));
        await pause();
        sliceCpu = process.cpuUsage();
      },
      nowMs: () => performance.now(),
    },
  );
  longestSliceCpuMs = Math.max(longestSliceCpuMs, cpuMs(sliceCpu));
  writing = false;
  await writer;
  const copied = view.copied;
  view.close();
  const afterSerializedMs = performance.now() - started;
  await disk.writeSnapshot({ zxid: zxid * 10 + run + 5, data: after.data });
  const afterMs = performance.now() - started;
  const afterStall = loop.stop();
  if (after.data.length !== before.length) throw new Error('the two snapshots differ in size');

  const f = (n: number, digits = 0): string => n.toFixed(digits);
  rows.push(
    [
      `run ${run}: ${tree.nodeCount} znodes, ${f(before.length / 1e6, 1)} MB;` +
        ` longest stall with nothing running (1 s): ${f(idleStall, 1)} ms`,
      `  before: longest stall ${f(beforeStall)} ms (serialize ${f(beforeSerializedMs)} ms,` +
        ` ${f(beforeCpuMs)} ms of CPU),` +
        ` durable after ${f(beforeMs)} ms`,
      `  after:  longest stall ${f(afterStall, 1)} ms (view ${f(viewMs, 1)} ms,` +
        ` ${after.slices} slices, longest ${f(after.longestSliceMs, 1)} ms,` +
        ` longest CPU ${f(longestSliceCpuMs, 1)} ms),` +
        ` serialized in ${f(afterSerializedMs)} ms while ${writes} writes were applied` +
        ` (${copied} nodes copied), durable after ${f(afterMs)} ms`,
    ].join('\n'),
  );
  console.log(rows[rows.length - 1]);
}
await disk.close();
fs.rmSync(root, { recursive: true, force: true });
console.log(
  `load average: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}, ${os.cpus().length} cores`,
);
