/**
 * KafkaPoller: what the dashboard learns from the brokers themselves, over the Kafka protocol
 * (src/kafka-client.ts), once per `pollIntervalMs`, as any admin client would:
 *
 *   ListOffsets(latest) on each partition's leader -> log end offsets -> messages per second
 *                                                     per topic and per leading broker
 *   ListGroups, then per group FindCoordinator, DescribeGroups, OffsetFetch and ListOffsets
 *     (src/kafka-admin/groups-admin.ts)            -> state, members, assignment, lag
 *   GET /metrics on each broker's admin port, when one is configured and answers
 *                                                  -> bytes in per second per topic and broker
 *
 * The broker list and the leaders come from the znode view (cluster-model.ts): the poller asks
 * only live brokers, each poll on fresh connections, so a dead broker costs one refused
 * connection. Every failure is caught and logged at debug: a poll that fails leaves the last
 * figures in place, and the dashboard keeps running whatever the brokers do.
 *
 * History: each rate and each group partition's lag is a TimeSeries of the last hour.
 */
import { KafkaClient, type BrokerAddress } from '../kafka-client.js';
import { ApiKey } from '../protocol/kafka/api-keys.js';
import { ErrorCode } from '../protocol/kafka/errors.js';
import { describeGroup, listGroups } from '../kafka-admin/groups-admin.js';
import type { Logger } from '../logger.js';
import type { ClusterView } from './cluster-model.js';
import { CounterRates, TimeSeries } from './time-series.js';

export const HISTORY_MS = 60 * 60 * 1000;
const POINTS_MAX = 3600;
const REQUEST_TIMEOUT_MS = 3000;
const METRICS_TIMEOUT_MS = 1000;
/** Partitions per group whose lag history is kept (the chart shows one line each). */
const LAG_PARTITIONS_MAX = 64;
const GROUPS_MAX = 200;

export interface GroupView {
  groupId: string;
  state: string;
  protocol: string;
  coordinator: number;
  members: {
    memberId: string;
    clientId: string;
    host: string;
    assignment: { topic: string; partitions: number[] }[];
  }[];
  partitions: {
    topic: string;
    partition: number;
    currentOffset: number;
    logEndOffset: number;
    lag: number | null;
    consumerId: string | null;
  }[];
  totalLag: number;
}

export interface RatesView {
  /** Per topic and per broker: [times s, messages/s] and [times s, bytes/s]. */
  topicMessages: Record<string, [number[], number[]]>;
  brokerMessages: Record<string, [number[], number[]]>;
  topicBytes: Record<string, [number[], number[]]>;
  brokerBytes: Record<string, [number[], number[]]>;
  /** Whether any broker's /metrics answered in the last poll. */
  metricsReachable: boolean;
}

export interface PollerEvents {
  groupRebalanced(groupId: string, text: string): void;
}

const series = (): TimeSeries => new TimeSeries({ maxAgeMs: HISTORY_MS, pointsMax: POINTS_MAX });

function seriesRecord(m: Map<string, TimeSeries>): Record<string, [number[], number[]]> {
  return Object.fromEntries(
    [...m].sort((a, b) => a[0].localeCompare(b[0])).map(([k, s]) => [k, s.toJSON()]),
  );
}

/** Sums of `<name>{...topic="t"...} value` lines of Prometheus text whose name says bytes in. */
export function bytesInByTopic(text: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!m || !/bytes_?in/i.test(m[1]!) || /bucket|_sum|_count/.test(m[1]!)) continue;
    const topic = /(?:^|,)\s*topic="([^"]*)"/.exec(m[2]!)?.[1];
    const value = Number(m[3]);
    if (topic === undefined || !Number.isFinite(value)) continue;
    sums.set(topic, (sums.get(topic) ?? 0) + value);
  }
  return sums;
}

export class KafkaPoller {
  readonly #logger: Logger;
  readonly #brokerAdminPortBase: number | null;
  readonly #events: PollerEvents;
  readonly #offsetRates = new CounterRates();
  readonly #byteRates = new CounterRates();
  readonly #topicMessages = new Map<string, TimeSeries>();
  readonly #brokerMessages = new Map<string, TimeSeries>();
  readonly #topicBytes = new Map<string, TimeSeries>();
  readonly #brokerBytes = new Map<string, TimeSeries>();
  /** Lag history per group, per "topic-partition". */
  readonly #lag = new Map<string, Map<string, TimeSeries>>();
  #groups: GroupView[] = [];
  #metricsReachable = false;

  constructor(options: {
    logger: Logger;
    brokerAdminPortBase?: number | null;
    events: PollerEvents;
  }) {
    this.#logger = options.logger;
    this.#brokerAdminPortBase = options.brokerAdminPortBase ?? null;
    this.#events = options.events;
  }

  get groups(): GroupView[] {
    return this.#groups;
  }

  get rates(): RatesView {
    return {
      topicMessages: seriesRecord(this.#topicMessages),
      brokerMessages: seriesRecord(this.#brokerMessages),
      topicBytes: seriesRecord(this.#topicBytes),
      brokerBytes: seriesRecord(this.#brokerBytes),
      metricsReachable: this.#metricsReachable,
    };
  }

  /** Lag history of one group: partition -> [times s, lag]. */
  lagHistory(groupId: string): Record<string, [number[], number[]]> {
    return seriesRecord(this.#lag.get(groupId) ?? new Map<string, TimeSeries>());
  }

  async poll(view: ClusterView, nowMs: number): Promise<void> {
    const live: BrokerAddress[] = view.brokers
      .filter((b) => b.alive && b.host !== null && b.port !== null)
      .map((b) => ({ nodeId: b.id, host: b.host!, port: b.port! }));
    if (live.length === 0) return;
    const client = new KafkaClient(live, {
      clientId: 'samsa-dashboard',
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    try {
      await Promise.all([
        this.#pollOffsets(client, view, nowMs).catch((err: unknown) =>
          this.#logger.debug({ err }, 'log end offsets poll failed'),
        ),
        this.#pollGroups(client, nowMs).catch((err: unknown) =>
          this.#logger.debug({ err }, 'groups poll failed'),
        ),
        this.#pollMetrics(view, nowMs).catch((err: unknown) =>
          this.#logger.debug({ err }, 'metrics poll failed'),
        ),
      ]);
    } finally {
      client.close();
    }
  }

  async #pollOffsets(client: KafkaClient, view: ClusterView, nowMs: number): Promise<void> {
    const byLeader = new Map<number, Map<string, number[]>>();
    const alive = new Set(view.brokers.filter((b) => b.alive).map((b) => b.id));
    for (const t of view.topics) {
      for (const p of t.partitions) {
        if (!alive.has(p.leader)) continue;
        const topics = byLeader.get(p.leader) ?? new Map<string, number[]>();
        topics.set(t.name, [...(topics.get(t.name) ?? []), p.partition]);
        byLeader.set(p.leader, topics);
      }
    }
    const topicRate = new Map<string, number>();
    const brokerRate = new Map<string, number>();
    await Promise.all(
      [...byLeader].map(async ([leader, topics]) => {
        const response = await client.send(leader, ApiKey.ListOffsets, 5, {
          replicaId: -1,
          isolationLevel: 0,
          topics: [...topics].map(([name, partitions]) => ({
            name,
            partitions: partitions.map((p) => ({
              partitionIndex: p,
              currentLeaderEpoch: -1,
              timestamp: -1n,
            })),
          })),
        });
        for (const t of response.topics) {
          for (const p of t.partitions) {
            if (p.errorCode !== ErrorCode.NONE) continue;
            const rate = this.#offsetRates.sample(
              `${t.name}-${p.partitionIndex}`,
              nowMs,
              Number(p.offset),
            );
            if (rate === undefined) continue;
            topicRate.set(t.name, (topicRate.get(t.name) ?? 0) + rate);
            brokerRate.set(String(leader), (brokerRate.get(String(leader)) ?? 0) + rate);
          }
        }
      }),
    );
    for (const t of view.topics) record(this.#topicMessages, t.name, nowMs, topicRate.get(t.name));
    for (const b of view.brokers) {
      record(
        this.#brokerMessages,
        String(b.id),
        nowMs,
        b.alive ? (brokerRate.get(String(b.id)) ?? 0) : 0,
      );
    }
    const names = new Set(view.topics.map((t) => t.name));
    for (const name of [...this.#topicMessages.keys()]) {
      if (!names.has(name)) this.#topicMessages.delete(name);
    }
  }

  async #pollGroups(client: KafkaClient, nowMs: number): Promise<void> {
    // Each broker on its own: one that died but is still registered (its session has not
    // expired yet) must not hide the groups the others coordinate.
    const perBroker = await Promise.all(
      client.brokers.map(async (b) => {
        const one = new KafkaClient([b], {
          clientId: 'samsa-dashboard',
          requestTimeoutMs: REQUEST_TIMEOUT_MS,
        });
        try {
          return await listGroups(one);
        } catch {
          return [];
        } finally {
          one.close();
        }
      }),
    );
    const listed = perBroker.flat().slice(0, GROUPS_MAX);
    const groups: GroupView[] = [];
    for (const g of listed) {
      try {
        const d = await describeGroup(client, g.groupId);
        const partitions = d.partitions.map((p) => ({
          topic: p.topic,
          partition: p.partition,
          currentOffset: p.currentOffset,
          logEndOffset: p.logEndOffset,
          lag: p.lag ?? null,
          consumerId: p.consumerId,
        }));
        groups.push({
          groupId: d.groupId,
          state: d.state,
          protocol: d.protocol,
          coordinator: d.coordinator,
          members: d.members.map((m) => ({
            memberId: m.memberId,
            clientId: m.clientId,
            host: m.host,
            assignment: m.assignment,
          })),
          partitions,
          totalLag: partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0),
        });
        const history = this.#lag.get(d.groupId) ?? new Map<string, TimeSeries>();
        this.#lag.set(d.groupId, history);
        for (const p of partitions) {
          const key = `${p.topic}-${p.partition}`;
          if (p.lag === null || (!history.has(key) && history.size >= LAG_PARTITIONS_MAX)) continue;
          record(history, key, nowMs, p.lag);
        }
      } catch (err) {
        this.#logger.debug({ err, groupId: g.groupId }, 'describing a group failed');
      }
    }
    for (const g of groups) {
      const before = this.#groups.find((x) => x.groupId === g.groupId);
      const members = (v: GroupView): string =>
        v.members
          .map((m) => m.memberId)
          .sort()
          .join(',');
      if (before !== undefined && (before.state !== g.state || members(before) !== members(g))) {
        this.#events.groupRebalanced(
          g.groupId,
          `group ${g.groupId}: ${before.state} → ${g.state}, ` +
            `${before.members.length} → ${g.members.length} members`,
        );
      }
    }
    this.#groups = groups;
  }

  async #pollMetrics(view: ClusterView, nowMs: number): Promise<void> {
    const base = this.#brokerAdminPortBase;
    if (base === null) return;
    let reachable = false;
    const topicRate = new Map<string, number>();
    await Promise.all(
      view.brokers
        .filter((b) => b.alive && b.host !== null)
        .map(async (b) => {
          const url = `http://${b.host}:${base + b.id - 1}/metrics`;
          let text: string;
          try {
            const response = await fetch(url, { signal: AbortSignal.timeout(METRICS_TIMEOUT_MS) });
            if (!response.ok) return;
            text = await response.text();
          } catch {
            return;
          }
          reachable = true;
          let brokerRate = 0;
          for (const [topic, total] of bytesInByTopic(text)) {
            const rate = this.#byteRates.sample(`${b.id}/${topic}`, nowMs, total) ?? 0;
            brokerRate += rate;
            topicRate.set(topic, (topicRate.get(topic) ?? 0) + rate);
          }
          record(this.#brokerBytes, String(b.id), nowMs, brokerRate);
        }),
    );
    this.#metricsReachable = reachable;
    if (!reachable) return;
    for (const t of view.topics)
      record(this.#topicBytes, t.name, nowMs, topicRate.get(t.name) ?? 0);
  }
}

function record(
  m: Map<string, TimeSeries>,
  key: string,
  nowMs: number,
  value: number | undefined,
): void {
  if (value === undefined) return;
  let s = m.get(key);
  if (s === undefined) {
    s = series();
    m.set(key, s);
  }
  s.push(nowMs, value);
}
