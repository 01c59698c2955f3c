/**
 * KafkaPoller: what the dashboard learns from the brokers themselves, over the Kafka protocol
 * (src/kafka-client.ts), once per `pollIntervalMs`, as any admin client would:
 *
 *   ListOffsets(latest) on each partition's leader -> log end offsets -> messages per topic
 *                                                     and per leading broker
 *   ListGroups, then per group FindCoordinator, DescribeGroups, OffsetFetch and ListOffsets
 *     (src/kafka-admin/groups-admin.ts)            -> state, members, assignment, lag
 *   GET /metrics on each broker's admin port, when one is configured and answers
 *                                                  -> bytes in and out per topic and broker
 *
 * Messages are counted as Kafka's MessagesInPerSec counts them, once per record appended on
 * the partition's leader, and bytes as BytesInPerSec and BytesOutPerSec do: the record batch
 * bytes producers sent to a leader, and the record bytes fetches of consumers returned
 * (replication to followers is not in either). The bytes come from those very counters
 * (`kafka_server_brokertopicmetrics_bytesin_total{topic}` and `..._bytesout_total`); the
 * messages from log end offsets, so they show without /metrics too. Each figure is a total
 * since the dashboard started and a rate series (throughput.ts); the dashboard's test against
 * real brokers checks both against the brokers' own counters.
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
import {
  kafkaClientSecurity,
  liveBrokerAddresses,
  PLAINTEXT_ACCESS,
  type BrokerAccess,
} from './broker-access.js';
import type { ClusterView } from './cluster-model.js';
import {
  CounterDeltas,
  Meter,
  parseBrokerScrape,
  TOPIC_COUNTERS,
  type TopicCounter,
} from './throughput.js';
import { TimeSeries } from './time-series.js';

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

/** Messages, bytes in and bytes out: per topic (`topic...`) and per broker (`broker...`). */
export type Figure = 'messages' | 'bytesIn' | 'bytesOut';
const FIGURES: readonly Figure[] = ['messages', 'bytesIn', 'bytesOut'];
/** The counter of /metrics each byte figure is read from. */
const COUNTER_OF: Record<Exclude<Figure, 'messages'>, TopicCounter> = {
  bytesIn: 'bytesIn',
  bytesOut: 'bytesOut',
};

export interface RatesView {
  /** Per topic and per broker: [times s, messages/s]; the broker is the partition's leader. */
  topicMessages: Record<string, [number[], number[]]>;
  brokerMessages: Record<string, [number[], number[]]>;
  /** Per topic and per broker, from /metrics: [times s, bytes/s]. */
  topicBytesIn: Record<string, [number[], number[]]>;
  brokerBytesIn: Record<string, [number[], number[]]>;
  topicBytesOut: Record<string, [number[], number[]]>;
  brokerBytesOut: Record<string, [number[], number[]]>;
  /** What the rates add up to since `sinceMs`: per topic and per broker, each figure. */
  totals: {
    topics: Record<string, Record<Figure, number>>;
    brokers: Record<string, Record<Figure, number>>;
  };
  /** When the dashboard started counting (its first poll of a cluster with brokers). */
  sinceMs: number | null;
  /** Whether any broker's /metrics answered in the last poll. */
  metricsReachable: boolean;
}

/** Where broker N's admin HTTP port (/metrics) is: an explicit port, else base + N - 1. */
export interface BrokerAdminPorts {
  base: number | null;
  byBroker?: ReadonlyMap<number, number>;
}

export interface PollerEvents {
  groupRebalanced(groupId: string, text: string): void;
}

const series = (): TimeSeries => new TimeSeries({ maxAgeMs: HISTORY_MS, pointsMax: POINTS_MAX });

/** One Meter per figure, for topics or for brokers. */
const meters = (): Record<Figure, Meter> => ({
  messages: new Meter(series),
  bytesIn: new Meter(series),
  bytesOut: new Meter(series),
});

function seriesRecord(m: Map<string, TimeSeries>): Record<string, [number[], number[]]> {
  return Object.fromEntries(
    [...m].sort((a, b) => a[0].localeCompare(b[0])).map(([k, s]) => [k, s.toJSON()]),
  );
}

export class KafkaPoller {
  readonly #logger: Logger;
  readonly #adminPorts: BrokerAdminPorts;
  readonly #brokerAccess: BrokerAccess;
  readonly #events: PollerEvents;
  /** Log end offsets by "topic-partition"; counters of /metrics by "broker/counter/topic". */
  readonly #offsets = new CounterDeltas();
  readonly #counters = new CounterDeltas();
  readonly #topics = meters();
  readonly #brokers = meters();
  /**
   * Partitions in the view at the previous poll (undefined before the first): one that is not
   * had no records then, so its first log end offset is all new.
   */
  #knownPartitions: Set<string> | undefined;
  #previousPollMs: number | undefined;
  /** Partitions created since the dashboard started, not sampled yet: when they were 0. */
  readonly #zeroAtMs = new Map<string, number>();
  /** Each broker's last good scrape: when, its process start time, the series it had. */
  readonly #scrapes = new Map<
    number,
    { timeMs: number; startTimeSeconds: number | undefined; keys: Set<string> }
  >();
  #sinceMs: number | null = null;
  /** Lag history per group, per "topic-partition". */
  readonly #lag = new Map<string, Map<string, TimeSeries>>();
  #groups: GroupView[] = [];
  #metricsReachable = false;

  constructor(options: {
    logger: Logger;
    brokerAdminPorts?: BrokerAdminPorts;
    /** Which listener of each broker, and TLS for SSL (default PLAINTEXT). */
    brokerAccess?: BrokerAccess;
    events: PollerEvents;
  }) {
    this.#logger = options.logger;
    this.#brokerAccess = options.brokerAccess ?? PLAINTEXT_ACCESS;
    this.#adminPorts = options.brokerAdminPorts ?? { base: null };
    this.#events = options.events;
  }

  get groups(): GroupView[] {
    return this.#groups;
  }

  get rates(): RatesView {
    const totals = (m: Record<Figure, Meter>): Record<string, Record<Figure, number>> => {
      const out: Record<string, Record<Figure, number>> = {};
      for (const figure of FIGURES) {
        for (const [key, total] of Object.entries(m[figure].totals())) {
          out[key] ??= { messages: 0, bytesIn: 0, bytesOut: 0 };
          out[key][figure] = total;
        }
      }
      return out;
    };
    return {
      topicMessages: this.#topics.messages.series(),
      brokerMessages: this.#brokers.messages.series(),
      topicBytesIn: this.#topics.bytesIn.series(),
      brokerBytesIn: this.#brokers.bytesIn.series(),
      topicBytesOut: this.#topics.bytesOut.series(),
      brokerBytesOut: this.#brokers.bytesOut.series(),
      totals: { topics: totals(this.#topics), brokers: totals(this.#brokers) },
      sinceMs: this.#sinceMs,
      metricsReachable: this.#metricsReachable,
    };
  }

  /** Where broker `id` serves /metrics, or null when the dashboard was not told. */
  adminPort(id: number): number | null {
    const explicit = this.#adminPorts.byBroker?.get(id);
    if (explicit !== undefined) return explicit;
    return this.#adminPorts.base === null ? null : this.#adminPorts.base + id - 1;
  }

  /** Lag history of one group: partition -> [times s, lag]. */
  lagHistory(groupId: string): Record<string, [number[], number[]]> {
    return seriesRecord(this.#lag.get(groupId) ?? new Map<string, TimeSeries>());
  }

  async poll(view: ClusterView, nowMs: number): Promise<void> {
    const live: BrokerAddress[] = liveBrokerAddresses(view, this.#brokerAccess);
    if (live.length === 0) return;
    this.#sinceMs ??= nowMs;
    const client = new KafkaClient(live, {
      clientId: 'samsa-dashboard',
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      ...kafkaClientSecurity(this.#brokerAccess),
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
    // Forget what left the view (a deleted topic's partitions, series and counters).
    const topics = new Set(view.topics.map((t) => t.name));
    const partitions = new Set(
      view.topics.flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partition}`)),
    );
    this.#offsets.forget((key) => partitions.has(key));
    for (const key of [...this.#zeroAtMs.keys()]) {
      if (!partitions.has(key)) this.#zeroAtMs.delete(key);
    }
    for (const figure of FIGURES) this.#topics[figure].forget((key) => topics.has(key));
    this.#counters.forget((key) => topics.has(key.slice(key.lastIndexOf('/') + 1)));
    this.#knownPartitions = partitions;
    this.#previousPollMs = nowMs;
  }

  async #pollOffsets(client: KafkaClient, view: ClusterView, nowMs: number): Promise<void> {
    const byLeader = new Map<number, Map<string, number[]>>();
    const alive = new Set(view.brokers.filter((b) => b.alive).map((b) => b.id));
    for (const t of view.topics) {
      for (const p of t.partitions) {
        const key = `${t.name}-${p.partition}`;
        // Created since the previous poll: it held nothing then.
        const known = this.#knownPartitions;
        if (known !== undefined && !known.has(key) && !this.#offsets.has(key)) {
          if (!this.#zeroAtMs.has(key)) this.#zeroAtMs.set(key, this.#previousPollMs!);
        }
        if (!alive.has(p.leader)) continue;
        const topics = byLeader.get(p.leader) ?? new Map<string, number[]>();
        topics.set(t.name, [...(topics.get(t.name) ?? []), p.partition]);
        byLeader.set(p.leader, topics);
      }
    }
    const messages = { topics: this.#topics.messages, brokers: this.#brokers.messages };
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
            const key = `${t.name}-${p.partitionIndex}`;
            const delta = this.#offsets.sample(
              key,
              nowMs,
              Number(p.offset),
              this.#zeroAtMs.get(key),
            );
            this.#zeroAtMs.delete(key);
            messages.topics.start(t.name, nowMs);
            messages.brokers.start(String(leader), nowMs);
            if (delta === undefined) continue;
            messages.topics.add(t.name, delta);
            messages.brokers.add(String(leader), delta);
          }
        }
      }),
    );
    messages.topics.flush(
      view.topics.map((t) => t.name),
      nowMs,
    );
    messages.brokers.flush(
      view.brokers.map((b) => String(b.id)),
      nowMs,
    );
  }

  async #pollGroups(client: KafkaClient, nowMs: number): Promise<void> {
    // Each broker on its own: one that died but is still registered (its session has not
    // expired yet) must not hide the groups the others coordinate.
    const perBroker = await Promise.all(
      client.brokers.map(async (b) => {
        const one = new KafkaClient([b], {
          clientId: 'samsa-dashboard',
          requestTimeoutMs: REQUEST_TIMEOUT_MS,
          ...kafkaClientSecurity(this.#brokerAccess),
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
    // By group id, so the page lists them in the same order whichever broker coordinates each.
    const listed = perBroker
      .flat()
      .sort((a, b) => a.groupId.localeCompare(b.groupId))
      .slice(0, GROUPS_MAX);
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

  /**
   * Scrapes every live broker's /metrics. A broker's figure is the sum of its per-topic
   * counters; a topic's, the sum over brokers. A series absent from a broker's previous good
   * scrape, or every series after the broker restarted (a new process_start_time_seconds),
   * was 0 at that scrape.
   */
  async #pollMetrics(view: ClusterView, nowMs: number): Promise<void> {
    const scraped = await Promise.all(
      view.brokers
        .filter((b) => b.alive && b.host !== null && this.adminPort(b.id) !== null)
        .map(async (b) => {
          const url = `http://${b.host}:${this.adminPort(b.id)}/metrics`;
          try {
            const response = await fetch(url, { signal: AbortSignal.timeout(METRICS_TIMEOUT_MS) });
            if (!response.ok) return undefined;
            return { id: b.id, scrape: parseBrokerScrape(await response.text()) };
          } catch {
            return undefined;
          }
        }),
    );
    let reachable = false;
    for (const result of scraped) {
      if (result === undefined) continue;
      reachable = true;
      const { id, scrape } = result;
      const previous = this.#scrapes.get(id);
      const restarted =
        previous !== undefined && previous.startTimeSeconds !== scrape.startTimeSeconds;
      const keys = new Set<string>();
      for (const figure of ['bytesIn', 'bytesOut'] as const) {
        const broker = String(id);
        this.#brokers[figure].start(broker, nowMs);
        for (const [topic, value] of scrape.counters[COUNTER_OF[figure]]) {
          const key = `${id}/${TOPIC_COUNTERS[COUNTER_OF[figure]]}/${topic}`;
          keys.add(key);
          if (restarted) this.#counters.delete(key);
          const wasZero = previous !== undefined && (restarted || !previous.keys.has(key));
          const delta = this.#counters.sample(
            key,
            nowMs,
            value,
            wasZero ? previous.timeMs : undefined,
          );
          this.#topics[figure].start(topic, nowMs);
          if (delta === undefined) continue;
          this.#topics[figure].add(topic, delta);
          this.#brokers[figure].add(broker, delta);
        }
        this.#brokers[figure].flush([broker], nowMs);
      }
      this.#scrapes.set(id, { timeMs: nowMs, startTimeSeconds: scrape.startTimeSeconds, keys });
    }
    this.#metricsReachable = reachable;
    if (!reachable) return;
    const names = view.topics.map((t) => t.name);
    for (const figure of ['bytesIn', 'bytesOut'] as const) {
      // A topic no broker has counted bytes for yet had none: its chart starts at 0.
      for (const name of names) this.#topics[figure].start(name, nowMs);
      this.#topics[figure].flush(names, nowMs);
    }
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
