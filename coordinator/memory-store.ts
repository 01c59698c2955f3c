/**
 * An in-memory `Store` (store.ts) for unit tests of the coordinator core: it keeps what the
 * LevelDB store would keep, nodes encoded with the same `encodeNode`, so a commit is a copy
 * (later changes to the tree cannot leak into it) and `load` decodes exactly as after a
 * restart. Nothing is durable beyond the object: a test "restarts" a coordinator by opening a
 * new `CoordinatorServer` on the same `MemoryStore` after closing the old one.
 *
 * A commit resolves on a later turn of the event loop (`setImmediate`), as a LevelDB write
 * does, so the core's group commit and its outbound queue behave as in production: a reply
 * is never delivered in the same synchronous step as the request that made it.
 */
import { invariant } from '../src/assert.js';
import {
  decodeNode,
  encodeNode,
  type CommitBatch,
  type LoadedState,
  type Store,
  type StoredNode,
  type StoredSession,
} from './store.js';

export class MemoryStore implements Store {
  readonly #nodes = new Map<string, Buffer>();
  readonly #sessions = new Map<bigint, StoredSession>();
  #lastZxid = 0;
  #committing = false;
  #open = true;
  #commits = 0;

  /** How many batches were committed since the store was made (for group-commit tests). */
  get commitCount(): number {
    return this.#commits;
  }

  /** Opens the store again after `close`, as a restarted process reopens its data dir. */
  reopen(): this {
    this.#open = true;
    return this;
  }

  /** Async, so that a broken invariant (load after close) is a rejection like any I/O error. */
  // eslint-disable-next-line @typescript-eslint/require-await -- async for the rejection above.
  async load(): Promise<LoadedState> {
    invariant(this.#open, 'load on a closed store');
    // LevelDB returns keys in order; a parent path is a prefix of its children's, so plain
    // string order also puts parents first.
    const nodes: [string, StoredNode][] = [...this.#nodes.keys()]
      .sort()
      .map((path) => [path, decodeNode(this.#nodes.get(path)!)]);
    const sessions = [...this.#sessions.values()].map((s) => ({
      ...s,
      password: Buffer.from(s.password),
    }));
    return { lastZxid: this.#lastZxid, nodes, sessions };
  }

  async commit(batch: CommitBatch): Promise<void> {
    invariant(this.#open, 'commit on a closed store');
    invariant(!this.#committing, 'commits must not overlap');
    // Encode synchronously, before yielding, as LevelStore does: the batch is the tree as of
    // the moment `commit` was called.
    const nodes = new Map<string, Buffer | null>();
    for (const [path, node] of batch.nodes) nodes.set(path, node && encodeNode(node));
    const sessions = new Map<bigint, StoredSession | null>();
    for (const [id, session] of batch.sessions)
      sessions.set(id, session && { ...session, password: Buffer.from(session.password) });
    this.#committing = true;
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        for (const [path, encoded] of nodes) {
          if (encoded === null) this.#nodes.delete(path);
          else this.#nodes.set(path, encoded);
        }
        for (const [id, session] of sessions) {
          if (session === null) this.#sessions.delete(id);
          else this.#sessions.set(id, session);
        }
        this.#lastZxid = batch.lastZxid;
        this.#commits++;
        this.#committing = false;
        resolve();
      }),
    );
  }

  close(): Promise<void> {
    this.#open = false;
    return Promise.resolve();
  }
}
