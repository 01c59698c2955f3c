/**
 * One member of a coordinator ensemble: the shells around the pure `ZabServer` (zab.ts). It
 * carries out Zab's effects in order — messages over `PeerTransport`, log and epoch writes
 * through `ZabDisk` (awaited: what follows a disk write waits for its fsync), committed txns
 * into the coordinator core (`CoordinatorServer.applyCommitted`) — and drives `tick()` every
 * tickTime. It is the core's `Replication`: the core hands it prepared txns to submit.
 *
 * With `readOnly` in its config it also runs read-only mode (../read-only.ts): Zab's role
 * changes go to a `ReadOnlyMode`, which tells the core when read-only clients may connect.
 *
 * Inputs reach the ZabServer synchronously as they arrive (socket data, ticks, client writes,
 * the finalizeWait timer); only the effects queue up. Appends go to a log writer that puts all
 * that is pending into one write and one fsync (group commit); proposals leave before they are
 * logged, and ACKs, COMMITs and applies wait only for their own zxid to be durable (#run).
 */
import type { Logger } from '../../src/logger.js';
import type { Scheduler, Timer } from '../../src/scheduler.js';
import type { CoordinatorServer, Replication } from '../coordinator-server.js';
import { ReadOnlyMode } from '../read-only.js';
import type { PeerFrame } from './codec.js';
import type { EnsembleConfig } from './config.js';
import { PeerTransport, type Channel } from './peer-transport.js';
import type { CoordinatorTxn } from './txn.js';
import {
  ZabServer,
  type LogEntry,
  type Role,
  type ZabEffect,
  type ZabMessage,
  type Snapshot,
  type ZabPersistentState,
} from './zab.js';
import { performance } from 'node:perf_hooks';
import { decodeSnapshot, encodeSnapshotInSlices, SnapshotAbortedError } from './snapshot.js';
import type { ZabDisk } from './zab-disk.js';

type Effect = ZabEffect<CoordinatorTxn>;

interface QueuedEffect {
  effect: Effect;
  /** For sends: the connection generation when Zab produced it. */
  generation?: number;
}

const hex = (zxid: number): string => '0x' + zxid.toString(16);

/** Snapshots serialized at the same time, at most (each holds a view of the tree). */
const MAX_SERIALIZING = 2;

/** Hand the event loop back (I/O and timers run) before going on. */
const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * FastLeaderElection's finalizeWait: once a quorum agrees on a vote, how long a server waits
 * for a better one before it decides (ZooKeeper's constant, 200 ms, whatever the tickTime).
 */
export const FINALIZE_WAIT_MS = 200;

/** Sends that depend on no disk write: they leave ahead of the appends queued before them. */
const EARLY_SENDS: ReadonlySet<string> = new Set(['proposal', 'request', 'ping']);

/**
 * The zxid an ACK, a COMMIT or an apply needs durable in this server's log before it may be
 * carried out; undefined for every other effect (barriers).
 */
function durableZxidNeeded(effect: Effect): number | undefined {
  if (effect.type === 'apply') return effect.entry.zxid;
  if (effect.type !== 'send') return undefined;
  const m = effect.message;
  return m.type === 'ack' || m.type === 'commit' ? m.zxid : undefined;
}

export interface EnsembleNodeOptions {
  config: EnsembleConfig;
  tickMs: number;
  disk: ZabDisk<CoordinatorTxn>;
  persisted: ZabPersistentState<CoordinatorTxn>;
  logger: Logger;
  scheduler: Scheduler;
}

export class EnsembleNode implements Replication {
  readonly #config: EnsembleConfig;
  readonly #tickMs: number;
  readonly #zab: ZabServer<CoordinatorTxn>;
  readonly #disk: ZabDisk<CoordinatorTxn>;
  readonly #transport: PeerTransport;
  readonly #log: Logger;
  readonly #scheduler: Scheduler;
  #core: CoordinatorServer | undefined;
  #initialSnapshot: Snapshot | undefined;
  #queue: QueuedEffect[] = [];
  /** Index of the next effect to carry out in #queue (shift() is linear in V8 for long queues). */
  #head = 0;
  #running = false;
  /** The log writer: entries waiting for the next write, and whether one is under way. */
  #pendingEntries: LogEntry<CoordinatorTxn>[] = [];
  #writing = false;
  /** The last zxid handed to the log writer, and the last one durable. */
  #appendedZxid: number;
  #durableZxid: number;
  /** ACKs, COMMITs and applies waiting for their zxid to be durable, in order. */
  #held: { queued: QueuedEffect; zxid: number }[] = [];
  /** #run, waiting before a barrier for the log writer and #held to be done. */
  #drainWaiters: (() => void)[] = [];
  /** Snapshots being serialized or written in the background. */
  #snapshotting = 0;
  /** Snapshots being serialized (each from its own view of the tree, in slices). */
  #serializing = 0;
  /** Trims of the log running in the background (one at a time, in ZabDisk). */
  #trimming = 0;
  #ticker: Timer | undefined;
  #finalizeTimer: Timer | undefined;
  #closed = false;
  #role: Role = 'looking';
  #serving = false;
  #leader: number | undefined;
  #lookingSinceMs: number;
  readonly #readOnly: ReadOnlyMode;
  /**
   * FOLLOWERINFO that came while we were still electing: the follower decided before we did.
   * ZooKeeper's learner connects to the leader's quorum port, which only accepts once its
   * server leads, and so its FOLLOWERINFO is read then; here the link is already up, so the
   * message waits for us to lead (if the link has not broken since), or is dropped if we
   * follow someone instead.
   */
  readonly #earlyFollowerInfo = new Map<
    number,
    { message: Extract<ZabMessage<CoordinatorTxn>, { type: 'followerInfo' }>; generation: number }
  >();
  #nextSyncId = 0;
  readonly #syncs = new Map<number, (zxid: number | undefined) => void>();
  /** Called if a disk write fails: memory and disk may disagree, the process must stop. */
  onFatal: (error: unknown) => void = () => {};

  constructor(options: EnsembleNodeOptions) {
    this.#config = options.config;
    this.#tickMs = options.tickMs;
    this.#disk = options.disk;
    this.#log = options.logger;
    this.#scheduler = options.scheduler;
    this.#lookingSinceMs = this.#scheduler.nowMs();
    this.#zab = new ZabServer<CoordinatorTxn>(
      {
        id: options.config.id,
        voters: options.config.members.filter((m) => !m.observer).map((m) => m.id),
        observers: options.config.members.filter((m) => m.observer).map((m) => m.id),
        initLimit: options.config.initLimit,
        syncLimit: options.config.syncLimit,
        snapCount: options.config.snapCount,
      },
      options.persisted,
    );
    this.#initialSnapshot = options.persisted.snapshot;
    this.#appendedZxid = this.#durableZxid = this.#zab.lastZxid;
    this.#readOnly = new ReadOnlyMode({
      enabled: options.config.readOnly === true,
      tickMs: options.tickMs,
      scheduler: options.scheduler,
      logger: options.logger,
      onChange: (active) => {
        if (!active) this.#core?.leaveReadOnly('read-only mode ended: a leader is decided');
      },
    });
    this.#transport = new PeerTransport({
      id: options.config.id,
      members: options.config.members,
      logger: options.logger,
      onFrame: (from, channel, frame) => this.#onFrame(from, channel, frame),
      onDisconnect: (peer, channel) => {
        if (channel === 'quorum') this.#push(this.#zab.disconnected(peer));
      },
    });
  }

  // Replication, for the core.
  get serving(): boolean {
    return this.#serving;
  }
  get leading(): boolean {
    return this.#role === 'leading';
  }
  /** Not serving, but taking read-only clients (read-only.ts). */
  get readOnly(): boolean {
    return !this.#serving && this.#readOnly.active;
  }
  /**
   * leader, follower or observer once in broadcast; until then (electing, syncing) looking,
   * or read-only (ZooKeeper's ReadOnlyZooKeeperServer state) in read-only mode.
   */
  get mode(): string {
    if (!this.#serving) return this.#readOnly.active ? 'read-only' : 'looking';
    if (this.#role === 'leading') return 'leader';
    if (this.#role === 'following') return this.#zab.observer ? 'observer' : 'follower';
    return 'looking';
  }
  get syncedFollowers(): number {
    return this.#zab.syncedFollowers;
  }
  get syncedObservers(): number {
    return this.#zab.syncedObservers;
  }
  get learners(): number {
    return this.#zab.learners;
  }
  get zab(): ZabServer<CoordinatorTxn> {
    return this.#zab;
  }

  submit(txn: CoordinatorTxn): boolean {
    if (this.#closed) return false;
    const { accepted, effects } = this.#zab.submit(txn);
    this.#push(effects);
    return accepted;
  }

  syncWithLeader(done: (zxid: number | undefined) => void): void {
    const leader = this.#leader;
    if (this.#closed || !this.#serving || this.#role !== 'following' || leader === undefined) {
      done(undefined);
      return;
    }
    const id = ++this.#nextSyncId;
    this.#syncs.set(id, done);
    if (!this.#transport.send(leader, 'quorum', { t: 'sync', id })) {
      this.#syncs.delete(id);
      done(undefined);
    }
  }

  /** Listen on the quorum and election ports, start ticking and look for a leader. */
  async start(core: CoordinatorServer): Promise<void> {
    this.#core = core;
    // The tree starts as the newest snapshot; Zab applies the log after it once committed.
    if (this.#initialSnapshot) core.installState(decodeSnapshot(this.#initialSnapshot.data));
    this.#initialSnapshot = undefined;
    await this.#transport.listen();
    this.#log.info(
      {
        id: this.#config.id,
        members: this.#config.members.map(
          (m) => `${m.id}=${m.host}:${m.quorumPort}:${m.electionPort}`,
        ),
        tickMs: this.#tickMs,
        initLimit: this.#config.initLimit,
        syncLimit: this.#config.syncLimit,
        lastZxid: hex(this.#zab.lastZxid),
        currentEpoch: this.#zab.currentEpoch,
        snapshotZxid: hex(this.#zab.snapshotZxid),
        logEntries: this.#zab.logLength,
        snapCount: this.#config.snapCount,
        readOnlyMode: this.#config.readOnly === true,
      },
      'ensemble member starting',
    );
    this.#ticker = this.#scheduler.repeat(this.#tickMs, () => this.#tick());
    this.#readOnly.roleChanged('looking');
    this.#push(this.#zab.start());
  }

  #tick(): void {
    if (this.#closed) return;
    this.#push(this.#zab.tick());
    const core = this.#core;
    if (core && this.#role === 'following' && this.#serving && this.#leader !== undefined) {
      const sessions = core.takeTouchedSessions();
      if (sessions.length > 0)
        this.#transport.send(this.#leader, 'quorum', { t: 'touch', sessions });
    }
  }

  #onFrame(from: number, channel: Channel, frame: PeerFrame): void {
    if (this.#closed) return;
    switch (frame.t) {
      case 'zab':
        // Notifications belong on the election port, everything else on the quorum port.
        if ((frame.m.type === 'notification') !== (channel === 'election')) return;
        if (frame.m.type === 'followerInfo' && this.#zab.role === 'looking') {
          const generation = this.#transport.generation(from, 'quorum');
          this.#earlyFollowerInfo.set(from, { message: frame.m, generation });
          return;
        }
        if (frame.m.type === 'sync') {
          this.#log.info(
            {
              leader: from,
              mode: frame.m.mode,
              lastZxid: hex(this.#zab.lastZxid),
              ...(frame.m.mode === 'trunc' ? { truncateTo: hex(frame.m.truncateTo) } : {}),
              ...(frame.m.mode === 'snap'
                ? { snapshotZxid: hex(frame.m.snapshotZxid ?? 0), bytes: frame.m.snapshotBytes }
                : {}),
            },
            `sync from the leader: ${frame.m.mode.toUpperCase()}`,
          );
        }
        this.#push(this.#zab.receive(from, frame.m));
        return;
      case 'touch':
        if (this.#role === 'leading') this.#core?.touchSessions(frame.sessions);
        return;
      case 'sync':
        if (this.#role === 'leading' && this.#serving) {
          this.#transport.send(from, 'quorum', {
            t: 'synced',
            id: frame.id,
            zxid: this.#zab.lastZxid,
          });
        }
        return;
      case 'synced': {
        const done = this.#syncs.get(frame.id);
        this.#syncs.delete(frame.id);
        if (done && from === this.#leader) done(frame.zxid);
        return;
      }
      default:
        return;
    }
  }

  #push(effects: Effect[]): void {
    for (const effect of effects) {
      let generation: number | undefined;
      if (effect.type === 'send' && effect.message.type !== 'notification') {
        generation = this.#transport.generation(effect.to, 'quorum');
      }
      this.#queue.push({ effect, generation });
    }
    if (this.#earlyFollowerInfo.size > 0 && this.#zab.role !== 'looking') {
      const early = [...this.#earlyFollowerInfo];
      this.#earlyFollowerInfo.clear();
      if (this.#zab.role === 'leading') {
        for (const [peer, { message, generation }] of early) {
          if (generation === this.#transport.generation(peer, 'quorum')) {
            this.#push(this.#zab.receive(peer, message));
          }
        }
      }
    }
    if (!this.#running && this.#head < this.#queue.length) void this.#run();
  }

  /**
   * Carries out the queued effects in order, with three exceptions that keep the disk out of
   * the way (ZooKeeper's leader, too, sends a proposal while it logs it, and its commit
   * processor does not wait for the sync processor's later txns):
   *
   * - appends go to the log writer (#writeLog), which batches all that is pending into one
   *   write and one fsync (group commit, ZooKeeper's SyncRequestProcessor), and the queue
   *   moves on at once;
   * - a PROPOSAL (leader), a forwarded `request` (follower) or a PING is sent at once: it
   *   depends on no disk write (see zab.ts, "What the caller must guarantee");
   * - an ACK, COMMIT or apply of zxid z waits only until the log is durable through z (not
   *   for later appends), in its order among the other ACKs, COMMITs and applies (#held).
   *
   * Every other effect (role changes, epochs, TRUNC, SNAP, sync messages, notifications...)
   * is a barrier: it runs once every append before it is durable and everything held ran.
   */
  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#head < this.#queue.length && !this.#closed) {
        const queued = this.#queue[this.#head]!;
        const effect = queued.effect;
        if (effect.type === 'appendLog') {
          this.#take();
          this.#appendToLog(effect.entries);
          continue;
        }
        if (effect.type === 'send' && EARLY_SENDS.has(effect.message.type)) {
          this.#take();
          this.#send(queued);
          continue;
        }
        const zxid = durableZxidNeeded(effect);
        if (zxid !== undefined && zxid <= this.#appendedZxid) {
          this.#take();
          if (this.#held.length === 0 && zxid <= this.#durableZxid) this.#carryOutHeld(queued);
          else this.#held.push({ queued, zxid });
          continue;
        }
        // A barrier (or, defensively, an ACK/COMMIT/apply beyond what was appended).
        if (!this.#drained()) {
          await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
          continue;
        }
        this.#take();
        await this.#carryOutBarrier(queued);
      }
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#running = false;
    }
  }

  #fail(error: unknown): void {
    if (this.#closed) return;
    this.#log.fatal({ err: error }, 'ensemble member failed (disk write or apply); stopping');
    this.#closed = true;
    this.onFatal(error);
    for (const wake of this.#drainWaiters.splice(0)) wake();
  }

  /** Nothing appended is still to be made durable, nothing held is still to be done. */
  #drained(): boolean {
    return !this.#writing && this.#pendingEntries.length === 0 && this.#held.length === 0;
  }

  #appendToLog(entries: readonly LogEntry<CoordinatorTxn>[]): void {
    if (entries.length === 0) return;
    for (const entry of entries) this.#pendingEntries.push(entry);
    this.#appendedZxid = entries[entries.length - 1]!.zxid;
    if (!this.#writing) void this.#writeLog();
  }

  /** The log writer: everything appended meanwhile goes in the next write and fsync. */
  async #writeLog(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#pendingEntries.length > 0 && !this.#closed) {
        const batch = this.#pendingEntries;
        this.#pendingEntries = [];
        await this.#disk.append(batch);
        this.#durableZxid = batch[batch.length - 1]!.zxid;
        while (this.#held.length > 0 && this.#held[0]!.zxid <= this.#durableZxid) {
          if (this.#closed) break;
          this.#carryOutHeld(this.#held.shift()!.queued);
        }
      }
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#writing = false;
    }
    if (this.#drained() || this.#closed) {
      for (const wake of this.#drainWaiters.splice(0)) wake();
    }
  }

  /** An ACK, COMMIT or apply whose zxid is durable here. */
  #carryOutHeld(queued: QueuedEffect): void {
    const effect = queued.effect;
    if (effect.type === 'apply') this.#core?.applyCommitted(effect.entry.zxid, effect.entry.txn);
    else this.#send(queued);
  }

  async #carryOutBarrier(queued: QueuedEffect): Promise<void> {
    const effect = queued.effect;
    switch (effect.type) {
      case 'send':
        this.#send(queued);
        // A SNAP is many chunks of 512 KiB: encoding and writing them all in one go would
        // stall the event loop (and every client) for the whole snapshot.
        if (effect.message.type === 'snapChunk') await pause();
        return;
      case 'apply':
        this.#core?.applyCommitted(effect.entry.zxid, effect.entry.txn);
        return;
      case 'truncateLog':
        await this.#disk.truncate(effect.after);
        this.#appendedZxid = this.#durableZxid = effect.after;
        this.#log.info({ after: hex(effect.after) }, 'zab log truncated (TRUNC)');
        return;
      case 'installSnapshot':
        await this.#disk.installSnapshot(effect.snapshot);
        this.#appendedZxid = this.#durableZxid = effect.snapshot.zxid;
        this.#core?.installState(decodeSnapshot(effect.snapshot.data));
        return;
      case 'takeSnapshot':
        this.#takeSnapshot(effect.zxid);
        return;
      case 'trimLog':
        this.#trimLog(effect.upTo, effect.entries);
        return;
      case 'persistEpochs':
        await this.#disk.persistEpochs(effect.acceptedEpoch, effect.currentEpoch);
        return;
      case 'closeConnection':
        this.#transport.disconnect(effect.peer, 'quorum');
        return;
      case 'finalizeWait': {
        // A newer round replaces an older one, which Zab would ignore anyway.
        this.#finalizeTimer?.cancel();
        const round = effect.round;
        this.#finalizeTimer = this.#scheduler.schedule(FINALIZE_WAIT_MS, () => {
          this.#finalizeTimer = undefined;
          if (!this.#closed) this.#push(this.#zab.finalizeWaitOver(round));
        });
        return;
      }
      case 'role':
        this.#onRole(effect);
        return;
      case 'appendLog':
        return;
    }
  }

  /**
   * The tree is exactly at `zxid` now (every apply before this effect is done, none after):
   * open a copy-on-write view of it (its nodes as of now, whatever is applied next), then
   * serialize the view in slices of a few ms, between which the server goes on serving and
   * applying, write it in the background (appends go on meanwhile), and tell Zab, which trims
   * the log up to the snapshot before. A second may start while one is being serialized (a
   * group commit can apply two snapCounts at once when snapCount is small); beyond that the
   * next is skipped, as ZooKeeper skips a snapshot while its snapshot thread is busy: the log
   * then holds more until the next one.
   */
  #takeSnapshot(zxid: number): void {
    const core = this.#core;
    if (!core) return;
    if (core.lastZxid !== zxid) {
      throw new Error(`snapshot at ${hex(zxid)} but the tree is at ${hex(core.lastZxid)}`);
    }
    if (this.#serializing >= MAX_SERIALIZING) {
      this.#log.warn({ zxid: hex(zxid) }, 'snapshots are still being serialized: skipped');
      return;
    }
    const started = performance.now();
    const view = core.tree.openView();
    const sessions = [...core.sessions.all()].map((s) => ({
      id: s.id,
      timeoutMs: s.timeoutMs,
      password: s.password,
    }));
    const openedMs = performance.now() - started;
    this.#serializing++;
    this.#snapshotting++;
    this.#log.info({ zxid: hex(zxid), nodes: view.paths.length }, 'snapshot started');
    const write = async (): Promise<void> => {
      let encoding;
      let copied: number;
      try {
        encoding = await encodeSnapshotInSlices(
          { lastZxid: zxid, paths: view.paths, node: (path) => view.get(path), sessions },
          { pause, nowMs: () => performance.now(), aborted: () => this.#closed },
        );
      } finally {
        copied = view.copied;
        this.#serializing--;
        view.close();
      }
      const { data, slices, longestSliceMs } = encoding;
      const serializedMs = performance.now() - started;
      await this.#disk.writeSnapshot({ zxid, data });
      this.#log.info(
        {
          zxid: hex(zxid),
          bytes: data.length,
          nodes: view.paths.length,
          viewMs: Math.round(openedMs * 10) / 10,
          slices,
          longestSliceMs: Math.round(longestSliceMs * 10) / 10,
          copiedNodes: copied,
          serializeMs: Math.round(serializedMs),
          ms: Math.round(performance.now() - started),
        },
        'snapshot written',
      );
      if (!this.#closed) this.#push(this.#zab.snapshotTaken(zxid, data));
    };
    write()
      .catch((error: unknown) => {
        if (this.#closed || error instanceof SnapshotAbortedError) return;
        this.#log.fatal({ err: error, zxid: hex(zxid) }, 'could not write a snapshot; stopping');
        this.#closed = true;
        this.onFatal(error);
      })
      .finally(() => this.#snapshotting--);
  }

  /**
   * Trim the log in the background: ZabDisk writes the retained entries to a fresh log while
   * appends go on to the old one (and are copied over before the swap), so neither the
   * event loop nor the writes behind it wait for the rewrite.
   */
  #trimLog(upTo: number, entries: LogEntry<CoordinatorTxn>[]): void {
    const started = performance.now();
    this.#trimming++;
    this.#disk
      .trim(upTo, entries)
      .then(
        ({ kept, bytes, superseded }) => {
          if (superseded) return; // a later trim, queued behind the same one, does its work
          this.#log.info(
            {
              upTo: hex(upTo),
              keptEntries: kept,
              bytes,
              ms: Math.round(performance.now() - started),
            },
            'zab log trimmed',
          );
        },
        (error: unknown) => {
          if (this.#closed) return;
          this.#log.fatal({ err: error, upTo: hex(upTo) }, 'could not trim the log; stopping');
          this.#closed = true;
          this.onFatal(error);
        },
      )
      .finally(() => this.#trimming--);
  }

  #take(): QueuedEffect {
    const queued = this.#queue[this.#head++]!;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return queued;
  }

  #send({ effect, generation }: QueuedEffect): void {
    if (effect.type !== 'send') return;
    const channel: Channel = effect.message.type === 'notification' ? 'election' : 'quorum';
    this.#transport.send(effect.to, channel, { t: 'zab', m: effect.message }, generation);
  }

  #onRole(effect: Extract<Effect, { type: 'role' }>): void {
    const wasServing = this.#serving;
    const wasLeading = this.#role === 'leading';
    this.#role = effect.role;
    this.#leader = effect.leader;
    this.#serving = effect.serving;
    const now = this.#scheduler.nowMs();
    if (effect.role === 'looking') this.#lookingSinceMs = now;
    const fields = {
      role: effect.role,
      leader: effect.leader,
      epoch: effect.epoch,
      serving: effect.serving,
      lastZxid: hex(this.#zab.lastZxid),
      ...(effect.serving ? { msSinceLooking: now - this.#lookingSinceMs } : {}),
    };
    if (effect.serving) this.#log.info(fields, `serving as ${this.mode}`);
    else this.#log.info(fields, `zab role: ${effect.role}`);
    if (wasServing && !effect.serving) {
      const syncs = [...this.#syncs.values()];
      this.#syncs.clear();
      for (const done of syncs) done(undefined);
      this.#core?.closeAllConnections(`server is not serving (${this.mode})`);
    }
    if (effect.role === 'leading' && effect.serving && !(wasLeading && wasServing)) {
      this.#core?.leadershipChanged(true);
    }
    this.#readOnly.roleChanged(effect.role);
  }

  async close(): Promise<void> {
    if (this.#closed && this.#ticker === undefined) return;
    this.#closed = true;
    this.#ticker?.cancel();
    this.#ticker = undefined;
    this.#finalizeTimer?.cancel();
    this.#finalizeTimer = undefined;
    this.#readOnly.stop();
    await this.#transport.close();
    for (const wake of this.#drainWaiters.splice(0)) wake();
    // Let a disk write in progress finish before the file is closed.
    while (this.#running || this.#writing || this.#snapshotting > 0 || this.#trimming > 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    await this.#disk.close();
  }
}
