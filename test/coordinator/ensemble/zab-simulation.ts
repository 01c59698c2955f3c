/**
 * A deterministic simulation of a Zab ensemble (coordinator/ensemble/zab.ts): N servers, a
 * network and disks, all in one process and driven by one seeded random generator, so a
 * failing seed replays exactly (`runSimulation({ seed })`).
 *
 * The network gives each ordered pair of servers a FIFO connection, as ZooKeeper's TCP
 * connections do: messages are delayed by a random time but never reordered; a connection can
 * break (everything in flight on it is lost and both ends are told), and a partition breaks
 * every connection across it. Election notifications travel apart, as datagrams that can be
 * lost, duplicated and reordered. Disks are each server's durable state; a crash can come in
 * the middle of a server's effects (a torn write: some entries of an append reach the disk,
 * later effects never happen; a snapshot still being written is lost), and a restart reads the
 * disk back: the newest snapshot, then the log after it. Snapshots come every `snapCount`
 * applies (a small number per seed, so logs are trimmed and SNAPs happen often), are written
 * in the background like the real shell's, and SNAPs travel in small chunks. A server's
 * finalizeWait (200 ms against a 2 s tick) ends 1 to 3 time units after it began. A crash in
 * the middle of a server's effects may come after some of the later PROPOSALs, REQUESTs and
 * PINGs left, and after some of the later ACKs, COMMITs and applies whose zxid was on its
 * disk, as the real shell lets them run ahead of queued appends.
 *
 * Checked after every step:
 * - no two servers ever apply different writes at the same position (or zxid): every
 *   server's applied sequence is a prefix of one global sequence;
 * - a write the leader commits is on the disks of a quorum of voters at that moment (an
 *   observer's disk does not count), and no observer ever leads;
 * Checked at the end, after healing every fault and letting the ensemble settle:
 * - one leader, every server in broadcast and following it;
 * - every server has applied the same sequence, which holds every acknowledged write (a write
 *   is acknowledged when the server the client sent it to has applied it).
 */
import {
  ZabInvariantError,
  ZabServer,
  type LogEntry,
  type ServerId,
  type Snapshot,
  type ZabEffect,
  type ZabMessage,
  type ZabPersistentState,
} from '../../../coordinator/ensemble/zab.js';

/** What the shell may send ahead of the effects queued before it (ensemble-node.ts). */
const EARLY: ReadonlySet<string> = new Set(['proposal', 'request', 'ping']);
const isAckOrCommit = (e: ZabEffect<string>): e is Extract<ZabEffect<string>, { type: 'send' }> =>
  e.type === 'send' && (e.message.type === 'ack' || e.message.type === 'commit');

/** mulberry32: small, fast and good enough to drive a schedule. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimulationOptions {
  seed: number;
  /** Voters. */
  servers?: number;
  /** Observers, besides the voters. */
  observers?: number;
  /** Time units with faults; a tick is 10 units. */
  faultUnits?: number;
  /** Time units after healing before the final checks. */
  settleUnits?: number;
  /** Probabilities per time unit. */
  crashRate?: number;
  partitionRate?: number;
  breakRate?: number;
  writeRate?: number;
  /** Per message: notification loss and duplication. */
  lossRate?: number;
  duplicateRate?: number;
  /** A crash lands in the middle of a server's effects with this probability. */
  tornRate?: number;
  /** Zab's snapCount; by default drawn per seed between 10 and 80. */
  snapCount?: number;
}

export interface SimulationResult {
  seed: number;
  violations: string[];
  /** Writes acknowledged to clients, and applied in the end. */
  acknowledged: number;
  applied: number;
  crashes: number;
  partitions: number;
  leaderChanges: number;
  snapshots: number;
  /** Syncs by mode, as the followers received them. */
  syncs: { diff: number; trunc: number; snap: number };
  /** INFORMs sent to observers (committed entries; observers get no PROPOSAL or COMMIT). */
  informs: number;
}

/** A server's disk: the epochs, the log after its base, snapshot files, and the snapshot a
 *  SNAP installed (written atomically with the log it starts, as the real shell's is). */
interface SimDisk {
  acceptedEpoch: number;
  currentEpoch: number;
  log: LogEntry<string>[];
  logBase: number;
  files: Snapshot[];
  installed: Snapshot | undefined;
}

/**
 * The simulation's data tree is the applied sequence itself; a snapshot is its JSON,
 * `[[zxid, txn], ...]`. A server snapshots every few dozen applies, each time the whole
 * sequence so far, so the JSON of what it has applied is kept and only the new entries are
 * added (see Node.encoded).
 */
interface EncodedApplied {
  /** The array encoded: node.applied is replaced by a SNAP or a restart, never cut. */
  of: LogEntry<string>[];
  count: number;
  /** The JSON of of[0..count) without the outer brackets. */
  text: string;
}
function encodeApplied(node: Node): Buffer {
  let encoded = node.encoded;
  if (encoded?.of !== node.applied)
    encoded = node.encoded = { of: node.applied, count: 0, text: '' };
  for (; encoded.count < node.applied.length; encoded.count++) {
    const e = node.applied[encoded.count]!;
    const piece = JSON.stringify([e.zxid, e.txn]);
    encoded.text = encoded.count === 0 ? piece : `${encoded.text},${piece}`;
  }
  return Buffer.from(`[${encoded.text}]`);
}
const decodeApplied = (data: Buffer): LogEntry<string>[] =>
  (JSON.parse(data.toString()) as [number, string][]).map(([zxid, txn]) => ({ zxid, txn }));

/** The newest snapshot on a disk that its log can follow. */
function newestSnapshot(disk: SimDisk): Snapshot | undefined {
  let newest: Snapshot | undefined;
  for (const s of disk.files) {
    if (s.zxid >= disk.logBase && (newest === undefined || s.zxid > newest.zxid)) newest = s;
  }
  const installed = disk.installed;
  if (installed && installed.zxid >= disk.logBase && !(newest && newest.zxid >= installed.zxid)) {
    newest = installed;
  }
  return newest;
}

/** What a restart reads: the newest snapshot the log can follow, and the log. */
function recover(disk: SimDisk): ZabPersistentState<string> {
  const snapshot = newestSnapshot(disk);
  return {
    acceptedEpoch: disk.acceptedEpoch,
    currentEpoch: disk.currentEpoch,
    log: [...disk.log],
    logBase: disk.logBase,
    ...(snapshot ? { snapshot } : {}),
  };
}

interface Node {
  id: ServerId;
  server: ZabServer<string> | undefined;
  disk: SimDisk;
  applied: LogEntry<string>[];
  /** The JSON of `applied` so far, for the next snapshot (encodeApplied). */
  encoded?: EncodedApplied;
  incarnation: number;
  restartAt: number;
  isolatedUntil: number;
}

interface InFlight {
  at: number;
  from: ServerId;
  to: ServerId;
  /** undefined: the sender crashed; its connection closes once what it sent has arrived. */
  message: ZabMessage<string> | undefined;
}

const TICK_UNITS = 10;

/** Whether a log holds this very entry; the log is in zxid order and the entry near its end. */
function onLog(log: LogEntry<string>[], entry: LogEntry<string>): boolean {
  for (let i = log.length - 1; i >= 0; i--) {
    const e = log[i]!;
    if (e.zxid === entry.zxid && e.txn === entry.txn) return true;
  }
  return false;
}

export function runSimulation(options: SimulationOptions): SimulationResult {
  const o = {
    servers: 3,
    observers: 0,
    faultUnits: 20_000,
    settleUnits: 6_000,
    crashRate: 0.0004,
    partitionRate: 0.0003,
    breakRate: 0.0005,
    writeRate: 0.05,
    lossRate: 0.1,
    duplicateRate: 0.05,
    tornRate: 0.3,
    ...options,
  };
  const random = rng(o.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const voters = Array.from({ length: o.servers }, (_, i) => i + 1);
  const observers = Array.from({ length: o.observers }, (_, i) => o.servers + i + 1);
  const ids = [...voters, ...observers];
  const quorum = Math.floor(o.servers / 2) + 1;
  const snapCount = o.snapCount ?? 10 + Math.floor(random() * 70);
  const config = (id: ServerId) => ({
    id,
    voters,
    observers,
    initLimit: 10,
    syncLimit: 5,
    snapCount,
    snapChunkBytes: 256,
    syncBatchEntries: 7,
  });
  const result: SimulationResult = {
    seed: o.seed,
    violations: [],
    acknowledged: 0,
    applied: 0,
    crashes: 0,
    partitions: 0,
    leaderChanges: 0,
    snapshots: 0,
    syncs: { diff: 0, trunc: 0, snap: 0 },
    informs: 0,
  };
  /** Snapshots being written in the background: durable at `at` unless the server crashes. */
  let snapshotWrites: { id: ServerId; incarnation: number; at: number; snapshot: Snapshot }[] = [];
  /** finalizeWait timers: the server is told when its wait is over (ZabEffect finalizeWait). */
  let finalizeWaits: { id: ServerId; incarnation: number; round: number; at: number }[] = [];
  const nodes = new Map<ServerId, Node>();
  const channels = new Map<string, InFlight[]>();
  const lastDelivery = new Map<string, number>();
  let datagrams: InFlight[] = [];
  const chosen: LogEntry<string>[] = [];
  const pending = new Map<string, { node: ServerId; incarnation: number }>();
  const acknowledged = new Set<string>();
  let now = 0;
  let faults = true;
  let writing = true;
  let writes = 0;
  let lastLeader: ServerId | undefined;

  const violation = (text: string): void => {
    if (result.violations.length < 10) result.violations.push(`t=${now}: ${text}`);
  };
  const key = (from: ServerId, to: ServerId): string => `${from}>${to}`;
  const alive = (id: ServerId): boolean => nodes.get(id)!.server !== undefined;
  const cut = (a: ServerId, b: ServerId): boolean => {
    const na = nodes.get(a)!;
    const nb = nodes.get(b)!;
    return na.isolatedUntil > now || nb.isolatedUntil > now;
  };

  /** Break the connection between a and b: drop what is in flight, tell both ends. */
  const breakConnection = (a: ServerId, b: ServerId): void => {
    channels.delete(key(a, b));
    channels.delete(key(b, a));
    for (const [end, peer] of [
      [a, b],
      [b, a],
    ] as const) {
      const server = nodes.get(end)!.server;
      if (server) carryOut(end, server.disconnected(peer));
    }
  };

  const send = (from: ServerId, to: ServerId, message: ZabMessage<string>): void => {
    if (message.type === 'notification') {
      if (!alive(to) || cut(from, to) || random() < o.lossRate) return;
      const copies = random() < o.duplicateRate ? 2 : 1;
      for (let i = 0; i < copies; i++) {
        datagrams.push({ at: now + 1 + Math.floor(random() * 30), from, to, message });
      }
      return;
    }
    if (!alive(to) || cut(from, to)) {
      // The connection cannot carry it: it breaks, as TCP would notice.
      deferBreak(from, to);
      return;
    }
    const k = key(from, to);
    const at = Math.max(lastDelivery.get(k) ?? 0, now + 1 + Math.floor(random() * 15));
    lastDelivery.set(k, at);
    let queue = channels.get(k);
    if (!queue) channels.set(k, (queue = []));
    queue.push({ at, from, to, message });
  };

  // Breaks found while carrying out effects run after them, not in the middle.
  const breaks: [ServerId, ServerId][] = [];
  const deferBreak = (a: ServerId, b: ServerId): void => void breaks.push([a, b]);

  const crash = (id: ServerId): void => {
    const node = nodes.get(id)!;
    if (!node.server) return;
    node.server = undefined;
    node.restartAt = now + 50 + Math.floor(random() * 500);
    result.crashes++;
    // What it sent is on the wire and still arrives; then its connections close. What was
    // on its way to it is lost.
    for (const peer of ids) {
      if (peer === id) continue;
      channels.delete(key(peer, id));
      const k = key(id, peer);
      const at = Math.max(lastDelivery.get(k) ?? 0, now + 1);
      lastDelivery.set(k, at);
      let queue = channels.get(k);
      if (!queue) channels.set(k, (queue = []));
      queue.push({ at, from: id, to: peer, message: undefined });
    }
  };

  const apply = (node: Node, entry: LogEntry<string>, server: ZabServer<string>): void => {
    const previous = node.applied[node.applied.length - 1];
    if (previous && previous.zxid >= entry.zxid) {
      violation(`server ${node.id} applied zxid ${entry.zxid} after ${previous.zxid}`);
    }
    const index = node.applied.length;
    node.applied.push(entry);
    const expected = chosen[index];
    if (expected === undefined) chosen.push(entry);
    else if (expected.zxid !== entry.zxid || expected.txn !== entry.txn) {
      violation(
        `server ${node.id} applied ${entry.txn}@${entry.zxid} at position ${index},` +
          ` others applied ${expected.txn}@${expected.zxid}`,
      );
    }
    if (server.role === 'leading') {
      let holders = 0;
      for (const n of nodes.values()) {
        if (observers.includes(n.id)) continue; // an observer's disk never counts
        if (onLog(n.disk.log, entry)) holders++;
        else if ((newestSnapshot(n.disk)?.zxid ?? 0) >= entry.zxid) holders++;
      }
      if (holders < quorum) violation(`leader ${node.id} committed ${entry.zxid} on ${holders}`);
    }
    const write = pending.get(entry.txn);
    if (write && write.node === node.id && write.incarnation === node.incarnation) {
      acknowledged.add(entry.txn);
      pending.delete(entry.txn);
    }
  };

  /** Carry out a server's effects in order; a torn crash may stop them part way. */
  function carryOut(id: ServerId, effects: ZabEffect<string>[]): void {
    const node = nodes.get(id)!;
    const server = node.server;
    if (!server || effects.length === 0) return;
    let crashAt = effects.length;
    if (faults && random() < o.crashRate * 20 * o.tornRate) {
      crashAt = Math.floor(random() * effects.length);
    }
    for (let i = 0; i < effects.length; i++) {
      const effect = effects[i]!;
      if (i === crashAt) {
        if (effect.type === 'appendLog' && effect.entries.length > 1) {
          const part = Math.floor(random() * effect.entries.length);
          node.disk.log.push(...effect.entries.slice(0, part));
        }
        // The shell sends PROPOSALs, REQUESTs and PINGs ahead of the appends, ACKs, COMMITs
        // and applies queued before them, and carries out an ACK, COMMIT or apply once its
        // zxid is durable, ahead of later appends (zab.ts, "What the caller must guarantee"):
        // some of those behind the crash point may have happened already.
        const durable = node.disk.log[node.disk.log.length - 1]?.zxid ?? node.disk.logBase;
        let gatedBlocked = false;
        for (const later of effects.slice(i)) {
          if (later.type === 'send' && EARLY.has(later.message.type)) {
            if (random() < 0.5) send(id, later.to, later.message);
          } else if (later.type === 'apply' || isAckOrCommit(later)) {
            const zxid =
              later.type === 'apply' ? later.entry.zxid : (later.message as { zxid: number }).zxid;
            gatedBlocked ||= zxid > durable || random() < 0.5;
            if (gatedBlocked) continue;
            if (later.type === 'apply') apply(node, later.entry, server);
            else send(id, later.to, later.message);
          } else if (later.type !== 'appendLog') {
            break;
          }
        }
        crash(id);
        return;
      }
      switch (effect.type) {
        case 'send':
          if (effect.message.type === 'sync') result.syncs[effect.message.mode]++;
          if (effect.message.type === 'inform') {
            result.informs++;
            if (!observers.includes(effect.to)) violation(`INFORM to voter ${effect.to}`);
          }
          if (
            (effect.message.type === 'proposal' || effect.message.type === 'commit') &&
            observers.includes(effect.to)
          ) {
            violation(`${effect.message.type} to observer ${effect.to}`);
          }
          send(id, effect.to, effect.message);
          break;
        case 'persistEpochs':
          node.disk.acceptedEpoch = effect.acceptedEpoch;
          node.disk.currentEpoch = effect.currentEpoch;
          break;
        case 'appendLog':
          node.disk.log.push(...effect.entries);
          break;
        case 'truncateLog':
          node.disk.log = node.disk.log.filter((e) => e.zxid <= effect.after);
          break;
        case 'installSnapshot': {
          const installed = decodeApplied(effect.snapshot.data);
          const last = installed[installed.length - 1]?.zxid ?? 0;
          if (last !== effect.snapshot.zxid) {
            violation(`server ${id} got a snapshot at ${effect.snapshot.zxid} holding ${last}`);
          }
          if (!node.applied.every((e, i) => installed[i]?.zxid === e.zxid)) {
            violation(`server ${id}: a SNAP disagrees with what it applied`);
          }
          installed.forEach((e, i) => {
            if (chosen[i]?.zxid !== e.zxid || chosen[i]?.txn !== e.txn) {
              violation(`server ${id}: SNAP holds ${e.txn}@${e.zxid} at position ${i}`);
            }
          });
          node.applied = installed;
          node.disk.log = [];
          node.disk.logBase = effect.snapshot.zxid;
          node.disk.installed = effect.snapshot;
          break;
        }
        case 'takeSnapshot': {
          const last = node.applied[node.applied.length - 1]?.zxid ?? 0;
          if (last !== effect.zxid) {
            violation(`server ${id} asked for a snapshot at ${effect.zxid}, applied ${last}`);
          }
          snapshotWrites.push({
            id,
            incarnation: node.incarnation,
            at: now + 1 + Math.floor(random() * 40),
            snapshot: { zxid: effect.zxid, data: encodeApplied(node) },
          });
          break;
        }
        case 'trimLog':
          if (!node.disk.files.some((f) => f.zxid > effect.upTo)) {
            violation(`server ${id} trimmed its log to ${effect.upTo} with no newer snapshot`);
          }
          {
            // The entries Zab hands over for the fresh log are exactly what the disk keeps.
            const kept = node.disk.log.filter((e) => e.zxid > effect.upTo);
            const same =
              kept.length === effect.entries.length &&
              kept.every(
                (e, i) => e.zxid === effect.entries[i]!.zxid && e.txn === effect.entries[i]!.txn,
              );
            if (!same) violation(`server ${id}: trimLog's entries differ from its log on disk`);
          }
          node.disk.log = node.disk.log.filter((e) => e.zxid > effect.upTo);
          node.disk.logBase = effect.upTo;
          // The snapshot files before the new base are deleted.
          node.disk.files = node.disk.files.filter((f) => f.zxid >= effect.upTo);
          break;
        case 'apply':
          apply(node, effect.entry, server);
          break;
        case 'closeConnection':
          deferBreak(id, effect.peer);
          break;
        case 'finalizeWait':
          // 200 ms against a tick of 2 s is one unit; vary it so both orders with the
          // messages around it happen.
          finalizeWaits.push({
            id,
            incarnation: node.incarnation,
            round: effect.round,
            at: now + 1 + Math.floor(random() * 3),
          });
          break;
        case 'role':
          if (effect.role === 'leading' && observers.includes(id)) {
            violation(`observer ${id} leads`);
          }
          if (effect.role === 'leading' && effect.serving && lastLeader !== id) {
            lastLeader = id;
            result.leaderChanges++;
          }
          break;
      }
    }
  }

  const guarded = (id: ServerId, step: (server: ZabServer<string>) => ZabEffect<string>[]) => {
    const server = nodes.get(id)!.server;
    if (!server) return;
    try {
      carryOut(id, step(server));
    } catch (err) {
      if (err instanceof ZabInvariantError) violation(`server ${id}: ${err.message}`);
      else throw err;
    }
    while (breaks.length > 0) {
      const [a, b] = breaks.shift()!;
      breakConnection(a, b);
    }
  };

  const start = (id: ServerId): void => {
    const node = nodes.get(id)!;
    // Whatever the previous incarnation sent and has not arrived yet is gone now.
    for (const peer of ids) {
      if (peer !== id && channels.has(key(id, peer))) breakConnection(id, peer);
    }
    node.incarnation++;
    const persisted = recover(node.disk);
    if (persisted.logBase! > 0 && !persisted.snapshot) {
      violation(`server ${id}: its log starts after ${persisted.logBase} and no snapshot is left`);
      return;
    }
    node.applied = persisted.snapshot ? decodeApplied(persisted.snapshot.data) : [];
    try {
      node.server = new ZabServer<string>(config(id), persisted);
    } catch (err) {
      if (err instanceof ZabInvariantError) return violation(`server ${id}: ${err.message}`);
      throw err;
    }
    guarded(id, (s) => s.start());
  };

  for (const id of ids) {
    nodes.set(id, {
      id,
      server: undefined,
      disk: {
        acceptedEpoch: 0,
        currentEpoch: 0,
        log: [],
        logBase: 0,
        files: [],
        installed: undefined,
      },
      applied: [],
      incarnation: 0,
      restartAt: 0,
      isolatedUntil: 0,
    });
  }
  for (const id of ids) start(id);

  const step = (): void => {
    now++;
    // Deliveries due now: datagrams (any order), then each connection's head in order.
    // (Most steps deliver nothing: look before copying the lists.)
    if (datagrams.some((d) => d.at <= now)) {
      const due = datagrams.filter((d) => d.at <= now);
      datagrams = datagrams.filter((d) => d.at > now);
      for (const d of due) guarded(d.to, (s) => s.receive(d.from, d.message!));
    }
    let headDue = false;
    for (const queue of channels.values()) {
      if ((queue[0]?.at ?? Infinity) <= now) {
        headDue = true;
        break;
      }
    }
    for (const [k, queue] of headDue ? [...channels] : []) {
      while (queue.length > 0 && queue[0]!.at <= now) {
        const m = queue.shift()!;
        if (m.message === undefined) {
          channels.delete(k);
          guarded(m.to, (s) => s.disconnected(m.from));
          break;
        }
        const message = m.message;
        guarded(m.to, (s) => s.receive(m.from, message));
        if (channels.get(k) !== queue) break; // the connection broke meanwhile
      }
    }
    if (snapshotWrites.some((w) => w.at <= now)) {
      const done = snapshotWrites.filter((w) => w.at <= now);
      snapshotWrites = snapshotWrites.filter((w) => w.at > now);
      for (const w of done) {
        const node = nodes.get(w.id)!;
        if (!node.server || node.incarnation !== w.incarnation) continue; // lost in a crash
        node.disk.files.push(w.snapshot);
        result.snapshots++;
        guarded(w.id, (s) => s.snapshotTaken(w.snapshot.zxid, w.snapshot.data));
      }
    }
    if (finalizeWaits.some((w) => w.at <= now)) {
      const done = finalizeWaits.filter((w) => w.at <= now);
      finalizeWaits = finalizeWaits.filter((w) => w.at > now);
      for (const w of done) {
        if (nodes.get(w.id)!.incarnation !== w.incarnation) continue; // it crashed meanwhile
        guarded(w.id, (s) => s.finalizeWaitOver(w.round));
      }
    }
    if (now % TICK_UNITS === 0) for (const id of ids) guarded(id, (s) => s.tick());
    for (const node of nodes.values()) {
      if (!node.server && node.restartAt <= now) start(node.id);
    }
    if (faults) {
      if (random() < o.crashRate) {
        const victim = pick(ids);
        if (alive(victim)) crash(victim);
      }
      if (random() < o.partitionRate) {
        const node = nodes.get(pick(ids))!;
        node.isolatedUntil = now + 100 + Math.floor(random() * 800);
        result.partitions++;
        for (const peer of ids) if (peer !== node.id) breakConnection(node.id, peer);
      }
      if (random() < o.breakRate) {
        const a = pick(ids);
        const b = pick(ids.filter((x) => x !== a));
        breakConnection(a, b);
      }
    }
    if (writing && random() < o.writeRate) {
      const id = pick(ids);
      const node = nodes.get(id)!;
      if (node.server) {
        const txn = `w${writes++}`;
        const { accepted, effects } = node.server.submit(txn);
        if (accepted) {
          pending.set(txn, { node: id, incarnation: node.incarnation });
          guarded(id, () => effects);
        }
      }
    }
  };

  while (now < o.faultUnits && result.violations.length === 0) step();
  // Heal: no more faults, partitions end, crashed servers come back.
  faults = false;
  for (const node of nodes.values()) {
    node.isolatedUntil = 0;
    node.restartAt = Math.min(node.restartAt, now + 1);
  }
  const end = now + o.settleUnits;
  while (now < end && result.violations.length === 0) {
    // The last stretch without writes, so every commit reaches every server.
    writing = now < end - 1_000;
    step();
  }

  if (result.violations.length > 0) return result;
  const servers = [...nodes.values()].map((n) => n.server!);
  const leaders = servers.filter((s) => s.role === 'leading');
  if (leaders.length !== 1 || !servers.every((s) => s.serving && s.leader === leaders[0]!.id)) {
    violation(
      'not settled: ' +
        servers.map((s) => `${s.id}:${s.role}${s.serving ? '+' : '-'}${s.leader}`).join(' '),
    );
  }
  const reference = [...nodes.values()][0]!.applied;
  for (const node of nodes.values()) {
    const same =
      node.applied.length === reference.length &&
      node.applied.every((e, i) => e.zxid === reference[i]!.zxid);
    if (!same) {
      violation(`server ${node.id} applied ${node.applied.length}, server 1 ${reference.length}`);
    }
  }
  const appliedTxns = new Set(reference.map((e) => e.txn));
  for (const txn of acknowledged) {
    if (!appliedTxns.has(txn)) violation(`acknowledged write ${txn} was lost`);
  }
  result.acknowledged = acknowledged.size;
  result.applied = reference.length;
  return result;
}
