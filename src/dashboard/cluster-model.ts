/**
 * The dashboard's picture of the cluster, derived from the coordinator's znodes alone: a pure
 * core with no sockets or timers (the znode mirror feeds it; server.ts sends what it derives).
 *
 * Input: a `ZnodeSnapshot`, every znode the dashboard mirrors, by path, with its data as text
 * and its Stat. Output: a `ClusterView` (brokers, controller, topics and partitions,
 * reassignments) by `deriveView`, and the changes between two views as timeline events by
 * `diffViews`. Everything a classic Kafka operator read with `zookeeper-shell` is here:
 *
 *   /brokers/ids/<id>                           live brokers (ephemeral: gone = broker lost)
 *   /controller, /controller_epoch              who is controller, elected how many times
 *   /brokers/topics/<t>                         replicas per partition; adding/removing while
 *                                               a reassignment runs (KIP-455)
 *   /brokers/topics/<t>/partitions/<p>/state    leader, leader_epoch, isr
 *   /config/topics/<t>                          min.insync.replicas (for under-min-ISR)
 *   /admin/reassign_partitions                  reassignments asked for and not yet done
 *   /admin/preferred_replica_election           an election asked for and not yet run
 *
 * A partition's health, in Kafka's terms (the kafka-topics.sh --describe flags):
 *   offline           no leader (leader -1), or the leader is not a live broker
 *   under-min-isr     fewer ISR members than min.insync.replicas: acks=all produce fails
 *                     with NOT_ENOUGH_REPLICAS
 *   under-replicated  fewer ISR members than replicas
 *   ok                every replica in sync
 *
 * Brokers once seen (or named in an assignment) stay in the view as dead when their
 * registration goes, so the picture can show a red box where a broker was.
 */
import type { Stat } from '../protocol/coordinator/messages.js';
import {
  BrokerIdZNode,
  ControllerEpochZNode,
  ControllerZNode,
  PreferredReplicaElectionZNode,
  ReassignPartitionsZNode,
  TopicConfigZNode,
  TopicPartitionStateZNode,
  TopicZNode,
  type EndPoint,
} from '../znodes.js';

/** One mirrored znode: data as UTF-8 text (null when the node has none). */
export interface MirroredZnode {
  data: string | null;
  stat: Stat;
}

export type ZnodeSnapshot = ReadonlyMap<string, MirroredZnode>;

export type PartitionHealth = 'ok' | 'under-replicated' | 'under-min-isr' | 'offline';

export interface BrokerView {
  id: number;
  alive: boolean;
  /** The first listener's address (what the page shows); null when not registered. */
  host: string | null;
  port: number | null;
  /** Every listener it registered, with its security protocol (PLAINTEXT, SSL, ...). */
  endpoints: EndPoint[];
  rack: string | null;
  /** Session owning /brokers/ids/<id>, as 0x-hex; null when not registered. */
  session: string | null;
  /** Partitions this broker leads and replicates (counted over all topics). */
  leaderCount: number;
  replicaCount: number;
}

export interface PartitionView {
  partition: number;
  replicas: number[];
  leader: number;
  leaderEpoch: number;
  isr: number[];
  controllerEpoch: number;
  addingReplicas: number[];
  removingReplicas: number[];
  health: PartitionHealth;
  /** The state znode's version: how many times leader or ISR changed. */
  stateVersion: number;
}

export interface TopicView {
  name: string;
  partitions: PartitionView[];
  config: Record<string, string>;
  minInsyncReplicas: number;
}

export interface ReassignmentView {
  topic: string;
  partition: number;
  /** The replicas asked for. */
  target: number[];
  /** What the assignment holds now (target plus the replicas not yet removed). */
  current: number[];
  addingReplicas: number[];
  removingReplicas: number[];
  /** Target replicas already in the ISR, out of target.length. */
  targetInSync: number;
}

export interface ClusterView {
  clusterId: string | null;
  controller: { brokerId: number; epoch: number; session: string | null } | null;
  brokers: BrokerView[];
  topics: TopicView[];
  reassignments: ReassignmentView[];
  preferredElectionPending: { topic: string; partition: number }[];
}

/** The broker-wide default of min.insync.replicas when a topic sets none (Kafka's is 1). */
export const MIN_INSYNC_REPLICAS_DEFAULT = 1;

const SESSION_NONE = 0n;

export function formatSession(owner: bigint): string | null {
  return owner === SESSION_NONE ? null : `0x${owner.toString(16)}`;
}

/** Decodes with `fn`, or undefined when the znode is missing or unreadable. */
function read<T>(snapshot: ZnodeSnapshot, path: string, fn: (b: Buffer) => T): T | undefined {
  const node = snapshot.get(path);
  if (node === undefined || node.data === null) return undefined;
  try {
    return fn(Buffer.from(node.data, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The direct children of `path` among the mirrored paths. */
export function childrenOf(snapshot: ZnodeSnapshot, path: string): string[] {
  const prefix = path === '/' ? '/' : `${path}/`;
  const names: string[] = [];
  for (const p of snapshot.keys()) {
    if (p.startsWith(prefix) && p.length > prefix.length && !p.includes('/', prefix.length)) {
      names.push(p.slice(prefix.length));
    }
  }
  return names.sort();
}

const numericChildren = (snapshot: ZnodeSnapshot, path: string): number[] =>
  childrenOf(snapshot, path)
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);

function partitionHealth(options: {
  replicas: number[];
  leader: number;
  isr: number[];
  alive: ReadonlySet<number>;
  minInsyncReplicas: number;
}): PartitionHealth {
  const { replicas, leader, isr, alive, minInsyncReplicas } = options;
  if (leader < 0 || !alive.has(leader)) return 'offline';
  if (isr.length < minInsyncReplicas) return 'under-min-isr';
  if (isr.length < replicas.length) return 'under-replicated';
  return 'ok';
}

function deriveTopic(
  snapshot: ZnodeSnapshot,
  name: string,
  alive: ReadonlySet<number>,
): TopicView | undefined {
  const assignment = read(snapshot, TopicZNode.path(name), (b) => TopicZNode.decode(name, b));
  if (assignment === undefined) return undefined;
  const config =
    read(snapshot, TopicConfigZNode.path(name), (b) => TopicConfigZNode.decode(name, b)) ?? {};
  const minIsr = Number(config['min.insync.replicas'] ?? MIN_INSYNC_REPLICAS_DEFAULT);
  const minInsyncReplicas = Number.isInteger(minIsr) && minIsr > 0 ? minIsr : 1;
  const partitions: PartitionView[] = [];
  for (const [partition, replicas] of [...assignment.partitions].sort((a, b) => a[0] - b[0])) {
    const statePath = TopicPartitionStateZNode.path(name, partition);
    const state = read(snapshot, statePath, (b) =>
      TopicPartitionStateZNode.decode(name, partition, b),
    );
    const leader = state?.leader ?? -1;
    const isr = state?.isr ?? [];
    partitions.push({
      partition,
      replicas,
      leader,
      leaderEpoch: state?.leaderEpoch ?? -1,
      isr,
      controllerEpoch: state?.controllerEpoch ?? -1,
      addingReplicas: assignment.addingReplicas.get(partition) ?? [],
      removingReplicas: assignment.removingReplicas.get(partition) ?? [],
      health: partitionHealth({ replicas, leader, isr, alive, minInsyncReplicas }),
      stateVersion: snapshot.get(statePath)?.stat.version ?? -1,
    });
  }
  return { name, partitions, config, minInsyncReplicas };
}

export function deriveView(
  snapshot: ZnodeSnapshot,
  knownBrokerIds: Iterable<number> = [],
): ClusterView {
  const registered = numericChildren(snapshot, '/brokers/ids');
  const alive = new Set(registered);
  const topics = childrenOf(snapshot, '/brokers/topics')
    .map((name) => deriveTopic(snapshot, name, alive))
    .filter((t): t is TopicView => t !== undefined);

  const ids = new Set<number>([...registered, ...knownBrokerIds]);
  for (const t of topics) for (const p of t.partitions) for (const r of p.replicas) ids.add(r);
  const brokers = [...ids]
    .sort((a, b) => a - b)
    .map((id): BrokerView => {
      const path = BrokerIdZNode.path(id);
      const info = alive.has(id) ? read(snapshot, path, (b) => BrokerIdZNode.decode(id, b)) : null;
      const endpoint = info?.endpoints[0];
      let leaderCount = 0;
      let replicaCount = 0;
      for (const t of topics) {
        for (const p of t.partitions) {
          if (p.leader === id) leaderCount += 1;
          if (p.replicas.includes(id)) replicaCount += 1;
        }
      }
      const owner = snapshot.get(path)?.stat.ephemeralOwner;
      return {
        id,
        alive: alive.has(id),
        host: endpoint?.host ?? null,
        port: endpoint?.port ?? null,
        endpoints: info?.endpoints ?? [],
        rack: info?.rack ?? null,
        session: alive.has(id) && owner !== undefined ? formatSession(owner) : null,
        leaderCount,
        replicaCount,
      };
    });

  const controllerId = read(snapshot, ControllerZNode.path, (b) => ControllerZNode.decode(b));
  const epoch = read(snapshot, ControllerEpochZNode.path, (b) => ControllerEpochZNode.decode(b));
  const controllerOwner = snapshot.get(ControllerZNode.path)?.stat.ephemeralOwner;
  const controller =
    controllerId === undefined
      ? null
      : {
          brokerId: controllerId.brokerId,
          epoch: epoch ?? -1,
          session: controllerOwner === undefined ? null : formatSession(controllerOwner),
        };

  const requested =
    read(snapshot, ReassignPartitionsZNode.path, (b) => ReassignPartitionsZNode.decode(b)) ?? [];
  const reassignments = deriveReassignments(topics, requested);
  const preferredElectionPending =
    read(snapshot, PreferredReplicaElectionZNode.path, (b) =>
      PreferredReplicaElectionZNode.decode(b),
    ) ?? [];
  const clusterId =
    read(snapshot, '/cluster/id', (b) => (JSON.parse(b.toString()) as { id: string }).id) ?? null;
  return { clusterId, controller, brokers, topics, reassignments, preferredElectionPending };
}

/**
 * Reassignments in progress: those asked for in /admin/reassign_partitions plus any partition
 * whose assignment still lists adding or removing replicas (a reassignment started through
 * AlterPartitionReassignments, or one the controller is finishing). The target of the latter
 * is the assignment without the replicas being removed.
 */
function deriveReassignments(
  topics: TopicView[],
  requested: { topic: string; partition: number; replicas: number[] }[],
): ReassignmentView[] {
  const byKey = new Map<string, ReassignmentView>();
  const partitionOf = (topic: string, partition: number): PartitionView | undefined =>
    topics.find((t) => t.name === topic)?.partitions.find((p) => p.partition === partition);
  const add = (topic: string, partition: number, target: number[]): void => {
    const p = partitionOf(topic, partition);
    byKey.set(`${topic}-${partition}`, {
      topic,
      partition,
      target,
      current: p?.replicas ?? [],
      addingReplicas: p?.addingReplicas ?? [],
      removingReplicas: p?.removingReplicas ?? [],
      targetInSync: target.filter((r) => p?.isr.includes(r)).length,
    });
  };
  for (const r of requested) add(r.topic, r.partition, r.replicas);
  for (const t of topics) {
    for (const p of t.partitions) {
      const key = `${t.name}-${p.partition}`;
      if (byKey.has(key)) continue;
      if (p.addingReplicas.length === 0 && p.removingReplicas.length === 0) continue;
      add(
        t.name,
        p.partition,
        p.replicas.filter((r) => !p.removingReplicas.includes(r)),
      );
    }
  }
  return [...byKey.values()].sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition,
  );
}

// ---------------------------------------------------------------------------------------------
// The timeline: what changed between two views, each change with the znode that recorded it.

export type TimelineKind =
  | 'broker-registered'
  | 'broker-lost'
  | 'controller-elected'
  | 'topic-created'
  | 'topic-deleted'
  | 'partitions-added'
  | 'leader-changed'
  | 'isr-shrank'
  | 'isr-expanded'
  | 'reassignment-started'
  | 'reassignment-step'
  | 'reassignment-completed'
  | 'config-changed'
  | 'group-rebalanced';

export interface TimelineEvent {
  timeMs: number;
  kind: TimelineKind;
  text: string;
  /** The znode whose change recorded this (or the Kafka API that showed it, for groups). */
  znode: string;
  /** Severity for colouring: a lost broker or an offline partition is bad news. */
  level: 'info' | 'warn' | 'bad' | 'good';
}

const list = (ids: readonly number[]): string => `[${ids.join(',')}]`;

export function diffViews(prev: ClusterView, next: ClusterView, timeMs: number): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const push = (e: Omit<TimelineEvent, 'timeMs'>): void => void events.push({ timeMs, ...e });

  const wasAlive = new Set(prev.brokers.filter((b) => b.alive).map((b) => b.id));
  const isAlive = new Set(next.brokers.filter((b) => b.alive).map((b) => b.id));
  for (const b of next.brokers) {
    const znode = BrokerIdZNode.path(b.id);
    if (b.alive && !wasAlive.has(b.id)) {
      push({
        kind: 'broker-registered',
        text: `broker ${b.id} registered (${b.host}:${b.port}, session ${b.session})`,
        znode,
        level: 'good',
      });
    }
  }
  for (const id of wasAlive) {
    if (!isAlive.has(id)) {
      push({
        kind: 'broker-lost',
        text: `broker ${id} lost: its session ended and its ephemeral registration went`,
        znode: BrokerIdZNode.path(id),
        level: 'bad',
      });
    }
  }

  if (
    next.controller !== null &&
    (prev.controller === null ||
      prev.controller.brokerId !== next.controller.brokerId ||
      prev.controller.epoch !== next.controller.epoch)
  ) {
    push({
      kind: 'controller-elected',
      text:
        `broker ${next.controller.brokerId} elected controller ` +
        `(controller epoch ${next.controller.epoch})`,
      znode: ControllerZNode.path,
      level: 'info',
    });
  }

  const prevTopics = new Map(prev.topics.map((t) => [t.name, t]));
  const nextNames = new Set(next.topics.map((t) => t.name));
  for (const t of next.topics) {
    const before = prevTopics.get(t.name);
    if (before === undefined) {
      push({
        kind: 'topic-created',
        text: `topic ${t.name} created with ${t.partitions.length} partitions`,
        znode: TopicZNode.path(t.name),
        level: 'info',
      });
      continue;
    }
    if (t.partitions.length > before.partitions.length) {
      push({
        kind: 'partitions-added',
        text: `topic ${t.name}: ${before.partitions.length} → ${t.partitions.length} partitions`,
        znode: TopicZNode.path(t.name),
        level: 'info',
      });
    }
    if (JSON.stringify(t.config) !== JSON.stringify(before.config)) {
      push({
        kind: 'config-changed',
        text: `topic ${t.name} config: ${JSON.stringify(t.config)}`,
        znode: TopicConfigZNode.path(t.name),
        level: 'info',
      });
    }
    diffPartitions(before, t, push);
  }
  for (const name of prevTopics.keys()) {
    if (!nextNames.has(name)) {
      push({
        kind: 'topic-deleted',
        text: `topic ${name} deleted`,
        znode: TopicZNode.path(name),
        level: 'warn',
      });
    }
  }
  diffReassignments(prev, next, push);
  return summarizeBursts(events, timeMs);
}

/** Above this many partition events of one kind and topic in one change, one line says it. */
export const PARTITION_EVENTS_PER_TOPIC_MAX = 4;

/**
 * A failover of a broker that held fifty partitions of __consumer_offsets changes fifty state
 * znodes at once: such a burst becomes one line per kind and topic ("leader changed for 17
 * partitions of __consumer_offsets: 0, 3, 6, ..."), so the timeline stays readable.
 */
function summarizeBursts(events: TimelineEvent[], timeMs: number): TimelineEvent[] {
  const partitionEvent = /^\/brokers\/topics\/([^/]+)\/partitions\/(\d+)\/state$/;
  const groups = new Map<string, TimelineEvent[]>();
  for (const e of events) {
    const m = partitionEvent.exec(e.znode);
    if (m === null) continue;
    const key = `${e.kind}\u0000${m[1]}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const result: TimelineEvent[] = [];
  const summarized = new Set<string>();
  for (const e of events) {
    const m = partitionEvent.exec(e.znode);
    const key = m === null ? '' : `${e.kind}\u0000${m[1]}`;
    const group = groups.get(key);
    if (m === null || group === undefined || group.length <= PARTITION_EVENTS_PER_TOPIC_MAX) {
      result.push(e);
      continue;
    }
    if (summarized.has(key)) continue;
    summarized.add(key);
    const ids = group.map((g) => Number(partitionEvent.exec(g.znode)![2]));
    const firstLeaders = group.every((g) => g.text.includes(' online: '));
    const what = firstLeaders ? 'first leader elected' : e.kind.replace('-', ' ');
    result.push({
      timeMs,
      kind: e.kind,
      text:
        `${what} for ${ids.length} partitions of ${m[1]}: ` +
        `${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ', …' : ''}`,
      znode: `/brokers/topics/${m[1]}/partitions/*/state`,
      level: group.some((g) => g.level === 'bad') ? 'bad' : e.level,
    });
  }
  return result;
}

function diffPartitions(
  before: TopicView,
  after: TopicView,
  push: (e: Omit<TimelineEvent, 'timeMs'>) => void,
): void {
  for (const p of after.partitions) {
    const q = before.partitions.find((x) => x.partition === p.partition);
    if (q === undefined) continue;
    const name = `${after.name}-${p.partition}`;
    const znode = TopicPartitionStateZNode.path(after.name, p.partition);
    if (q.stateVersion < 0) {
      // The partition's first state: the controller elected its first leader.
      if (p.stateVersion >= 0) {
        push({
          kind: 'leader-changed',
          text:
            `${name} online: leader ${p.leader}, ISR ${list(p.isr)} ` +
            `(leader epoch ${p.leaderEpoch})`,
          znode,
          level: 'info',
        });
      }
      continue;
    }
    if (p.leader !== q.leader || p.leaderEpoch !== q.leaderEpoch) {
      const offline = p.leader < 0;
      let text = `${name} leader ${q.leader} → ${p.leader} (leader epoch ${p.leaderEpoch})`;
      if (offline) text = `${name} offline: no replica could lead (leader epoch ${p.leaderEpoch})`;
      else if (p.leader === q.leader)
        text = `${name} leader ${p.leader} stays, new leader epoch ${p.leaderEpoch}`;
      push({ kind: 'leader-changed', text, znode, level: offline ? 'bad' : 'warn' });
    }
    const shrank = q.isr.filter((r) => !p.isr.includes(r));
    const expanded = p.isr.filter((r) => !q.isr.includes(r));
    if (shrank.length > 0) {
      push({
        kind: 'isr-shrank',
        text: `${name} ISR shrank ${list(q.isr)} → ${list(p.isr)}`,
        znode,
        level: 'warn',
      });
    }
    if (expanded.length > 0) {
      push({
        kind: 'isr-expanded',
        text: `${name} ISR expanded ${list(q.isr)} → ${list(p.isr)}`,
        znode,
        level: 'good',
      });
    }
  }
}

function diffReassignments(
  prev: ClusterView,
  next: ClusterView,
  push: (e: Omit<TimelineEvent, 'timeMs'>) => void,
): void {
  const key = (r: ReassignmentView): string => `${r.topic}-${r.partition}`;
  const before = new Map(prev.reassignments.map((r) => [key(r), r]));
  const after = new Map(next.reassignments.map((r) => [key(r), r]));
  for (const [k, r] of after) {
    const q = before.get(k);
    if (q === undefined) {
      push({
        kind: 'reassignment-started',
        text: `${k} reassignment to ${list(r.target)} started (replicas ${list(r.current)})`,
        znode: ReassignPartitionsZNode.path,
        level: 'info',
      });
    } else if (
      list(q.current) !== list(r.current) ||
      list(q.addingReplicas) !== list(r.addingReplicas) ||
      list(q.removingReplicas) !== list(r.removingReplicas) ||
      q.targetInSync !== r.targetInSync
    ) {
      push({
        kind: 'reassignment-step',
        text:
          `${k} reassignment: replicas ${list(r.current)}, adding ${list(r.addingReplicas)}, ` +
          `removing ${list(r.removingReplicas)}, ${r.targetInSync}/${r.target.length} in sync`,
        znode: TopicZNode.path(r.topic),
        level: 'info',
      });
    }
  }
  for (const [k, q] of before) {
    if (after.has(k)) continue;
    const p = next.topics
      .find((t) => t.name === q.topic)
      ?.partitions.find((x) => x.partition === q.partition);
    push({
      kind: 'reassignment-completed',
      text: `${k} reassignment done: replicas ${list(p?.replicas ?? q.target)}`,
      znode: TopicZNode.path(q.topic),
      level: 'good',
    });
  }
}
