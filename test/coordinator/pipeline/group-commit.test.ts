/**
 * The durability stage (coordinator/pipeline/group-commit.ts) on a MemoryStore: what is
 * applied in one turn of the event loop shares one batch, and the reply queue is released
 * only up to what the store holds.
 */
import t from 'tap';
import { MemoryStore } from '../../../coordinator/memory-store.js';
import { GroupCommit, type CommitSource } from '../../../coordinator/pipeline/group-commit.js';
import { ServerMetrics } from '../../../coordinator/server-metrics.js';
import type { StoredNode } from '../../../coordinator/store.js';
import type { CommitBatch, LoadedState, Store } from '../../../coordinator/store.js';
import { silentLogger } from '../../../src/logger.js';

/** A tree stand-in: a zxid counter and a set of changed paths. */
class Source implements CommitSource {
  zxid = 0;
  changed = new Map<string, StoredNode | null>();
  lastZxid(): number {
    return this.zxid;
  }
  hasChangedNodes(): boolean {
    return this.changed.size > 0;
  }
  takeChangedNodes(): Map<string, StoredNode | null> {
    const nodes = this.changed;
    this.changed = new Map();
    return nodes;
  }
}

function groupCommit(store: Store, source: Source) {
  const durable: number[] = [];
  const fatal: unknown[] = [];
  const commit = new GroupCommit({
    store,
    source,
    durableZxid: 0,
    metrics: new ServerMetrics(),
    logger: silentLogger(),
    onDurable: (zxid) => durable.push(zxid),
    onFatal: (error) => fatal.push(error),
  });
  return { commit, durable, fatal };
}

t.test('writes applied in one turn share one batch', async (t) => {
  const store = new MemoryStore();
  const source = new Source();
  const { commit, durable } = groupCommit(store, source);
  for (let i = 1; i <= 5; i++) {
    source.zxid = i;
    source.changed.set(`/n${i}`, null);
    commit.sessionChanged(BigInt(i), { id: BigInt(i), timeoutMs: 400, password: Buffer.alloc(16) });
    commit.schedule();
  }
  await commit.flush();
  t.equal(store.commitCount, 1);
  t.same(durable, [5]);
  t.equal(commit.durableZxid, 5);
  t.equal((await store.load()).sessions.length, 5);
  t.equal((await store.load()).lastZxid, 5);
});

t.test('what is applied while a commit runs waits for the next one', async (t) => {
  const store = new MemoryStore();
  const source = new Source();
  const { commit, durable } = groupCommit(store, source);
  source.zxid = 1;
  commit.schedule();
  // Let the first commit start (setImmediate), then apply more while it runs.
  await new Promise<void>((resolve) => setImmediate(resolve));
  source.zxid = 2;
  commit.schedule();
  await commit.flush();
  t.same(durable, [1, 2]);
  t.equal(store.commitCount, 2);
});

t.test('nothing to write: no batch', async (t) => {
  const store = new MemoryStore();
  const { commit, durable } = groupCommit(store, new Source());
  commit.schedule();
  await commit.flush();
  t.equal(store.commitCount, 0);
  t.same(durable, []);
});

t.test('a failed write is fatal and stops the group commit', async (t) => {
  const failing: Store = {
    load: (): Promise<LoadedState> => Promise.resolve({ lastZxid: 0, nodes: [], sessions: [] }),
    commit: (_batch: CommitBatch): Promise<void> => Promise.reject(new Error('disk full')),
    close: (): Promise<void> => Promise.resolve(),
  };
  const source = new Source();
  const { commit, durable, fatal } = groupCommit(failing, source);
  source.zxid = 1;
  commit.schedule();
  await commit.flush();
  t.equal(fatal.length, 1);
  t.same(durable, [], 'nothing was released');
  source.zxid = 2;
  commit.schedule();
  await commit.flush();
  t.equal(fatal.length, 1, 'no further commit is attempted');
});
