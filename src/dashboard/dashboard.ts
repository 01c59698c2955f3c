/**
 * The dashboard process: a client of the cluster like any Kafka UI, never part of it. It
 * imports nothing from broker/ or coordinator/; it talks to the coordinator through the
 * client library (src/coordinator-client) and to the brokers through the Kafka protocol
 * (src/kafka-client.ts), so whatever goes wrong in it cannot take a daemon down.
 *
 *   coordinator --persistent recursive watch--> ZnodeMirror --deriveView/diffViews--> view,
 *                                                                                   timeline
 *   brokers --ListOffsets, groups, /metrics every pollIntervalMs--> KafkaPoller --> stats
 *   view, timeline, stats --WebSocket pushes--> the page (server.ts, public/)
 *
 * Changes are coalesced: a burst of znode events (a failover writes dozens) is turned into one
 * new view after CHANGE_COALESCE_MS, diffed against the previous one for the timeline, and
 * pushed once. The session: the coordinator client reconnects and resumes by itself; after a
 * resume the mirror reads the tree again; an expired session gets a new client and mirror.
 *
 * A locked cluster (docs/security.md): the page over HTTPS with a login (server.ts); the
 * coordinator over its secure client port (`coordinatorTls`) with digest credentials
 * (`coordinatorAuth`, sent before anything else on every connection, so ACLs that let only
 * an administrator read or write apply to the dashboard as to any client); the brokers over
 * their SSL listeners (`brokerAccess`, broker-access.ts).
 */
import type { TlsOptions } from 'node:tls';
import type { TlsConnectionOptions } from '../coordinator-client/connection.js';
import { CoordinatorClient } from '../coordinator-client/client.js';
import type { Logger } from '../logger.js';
import { ErrorCode, hasCode } from '../protocol/coordinator/errors.js';
import type { ResetSpec } from '../kafka-admin/groups-admin.js';
import { DashboardActions, type ActionResult } from './actions.js';
import type { BrokerAccess } from './broker-access.js';
import {
  deriveView,
  diffViews,
  formatSession,
  type ClusterView,
  type TimelineEvent,
} from './cluster-model.js';
import { KafkaPoller } from './kafka-poller.js';
import { DashboardServer } from './server.js';
import { ZnodeMirror } from './znode-mirror.js';

export const POLL_INTERVAL_MS_DEFAULT = 2000;
const CHANGE_COALESCE_MS = 50;
const TIMELINE_EVENTS_MAX = 1000;
const SESSION_TIMEOUT_MS = 30_000;

export interface DashboardOptions {
  /** Coordinator connect string, HOST:PORT[,HOST:PORT...]. */
  coordinator: string;
  host: string;
  port: number;
  readOnly: boolean;
  /** Broker N's admin HTTP port is base + N - 1 (npm start: 8091); null: do not scrape. */
  brokerAdminPortBase: number | null;
  /** Admin HTTP ports of given brokers, before the base (brokers started with --admin-port). */
  brokerAdminPorts?: ReadonlyMap<number, number>;
  pollIntervalMs?: number;
  /** Serve the page over HTTPS (and wss://): node's TLS options, key and cert at least. */
  tls?: TlsOptions;
  /** A digest id `user:base64(sha1(user:password))` every request must log in as. */
  login?: string;
  /** TLS to the coordinator (its secure client port): ca, and cert/key if it asks for one. */
  coordinatorTls?: TlsConnectionOptions;
  /** `user:password`: a digest auth sent on every coordinator connection before anything. */
  coordinatorAuth?: string;
  /** How the brokers are reached (default: their PLAINTEXT listeners). */
  brokerAccess?: BrokerAccess;
  logger: Logger;
}

export class Dashboard {
  readonly readOnly: boolean;
  readonly #options: DashboardOptions;
  readonly #logger: Logger;
  readonly #poller: KafkaPoller;
  readonly #actions: DashboardActions;
  readonly #server: DashboardServer;
  readonly #knownBrokers = new Set<number>();
  #client: CoordinatorClient | undefined;
  #mirror: ZnodeMirror | undefined;
  #view: ClusterView;
  #timeline: TimelineEvent[] = [];
  #changedPaths = new Set<string>();
  #coalesceTimer: NodeJS.Timeout | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: DashboardOptions) {
    this.#options = options;
    this.readOnly = options.readOnly;
    this.#logger = options.logger;
    this.#view = deriveView(new Map());
    this.#poller = new KafkaPoller({
      logger: this.#logger.child({ component: 'kafka-poller' }),
      brokerAdminPorts: {
        base: options.brokerAdminPortBase,
        byBroker: options.brokerAdminPorts,
      },
      brokerAccess: options.brokerAccess,
      events: {
        groupRebalanced: (groupId, text) =>
          this.#append([
            {
              timeMs: Date.now(),
              kind: 'group-rebalanced',
              text,
              znode: `(no znode: DescribeGroups ${groupId}; offsets live in __consumer_offsets)`,
              level: 'info',
            },
          ]),
      },
    });
    this.#actions = new DashboardActions({
      client: () => {
        if (this.#client === undefined) throw new Error('not connected to the coordinator');
        return this.#client;
      },
      view: () => this.#view,
      brokerAccess: options.brokerAccess,
    });
    this.#server = new DashboardServer({
      dashboard: this,
      logger: this.#logger.child({ component: 'dashboard-server' }),
      tls: options.tls,
      login: options.login,
    });
  }

  get timeline(): TimelineEvent[] {
    return this.#timeline;
  }

  async start(): Promise<{ url: string }> {
    const { host, port } = await this.#server.listen(this.#options.port, this.#options.host);
    // The page is served at once and shows "not connected" until the coordinator answers.
    void this.#connect();
    this.#schedulePoll(0);
    return { url: `${this.#options.tls ? 'https' : 'http'}://${host}:${port}/` };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#coalesceTimer);
    clearTimeout(this.#pollTimer);
    await this.#server.close();
    await this.#client?.close();
  }

  /** Connects (again, after an expiry) and mirrors the tree; retries until it works. */
  async #connect(): Promise<void> {
    for (let attempt = 1; !this.#closed; attempt++) {
      const client = new CoordinatorClient(this.#options.coordinator, {
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        logger: this.#logger.child({ component: 'coordinator-client' }),
        tls: this.#options.coordinatorTls,
        authInfo:
          this.#options.coordinatorAuth === undefined
            ? undefined
            : [{ scheme: 'digest', auth: this.#options.coordinatorAuth }],
      });
      try {
        await client.connect();
        const mirror = new ZnodeMirror({
          client,
          logger: this.#logger.child({ component: 'znode-mirror' }),
        });
        mirror.on('change', (path) => this.#onChange(path));
        client.on('connected', (info) => {
          if (info.resumed) void mirror.rescan().catch(() => undefined);
        });
        client.on('expired', () => {
          this.#logger.warn('coordinator session expired; connecting again');
          void this.#connect();
        });
        await mirror.start();
        this.#client = client;
        this.#mirror = mirror;
        this.#onChange('/');
        this.#logger.info({ coordinator: this.#options.coordinator }, 'mirroring the coordinator');
        return;
      } catch (err) {
        await client.close().catch(() => undefined);
        if (attempt === 1 || attempt % 10 === 0)
          this.#logger.warn({ err, attempt }, 'cannot reach the coordinator; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * attempt)));
      }
    }
  }

  #onChange(path: string): void {
    this.#changedPaths.add(path);
    this.#coalesceTimer ??= setTimeout(() => {
      this.#coalesceTimer = undefined;
      this.#recompute();
    }, CHANGE_COALESCE_MS);
  }

  #recompute(): void {
    const snapshot = this.#mirror?.snapshot ?? new Map();
    const next = deriveView(snapshot, this.#knownBrokers);
    for (const b of next.brokers) this.#knownBrokers.add(b.id);
    const events = diffViews(this.#view, next, Date.now());
    this.#view = next;
    const changed = [...this.#changedPaths];
    this.#changedPaths.clear();
    this.#server.broadcast({ type: 'state', ...this.statePayload() });
    this.#server.broadcast({ type: 'znodes', changed });
    this.#append(events);
  }

  #append(events: TimelineEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) this.#logger.info({ kind: e.kind, znode: e.znode }, e.text);
    this.#timeline.push(...events);
    if (this.#timeline.length > TIMELINE_EVENTS_MAX)
      this.#timeline.splice(0, this.#timeline.length - TIMELINE_EVENTS_MAX);
    this.#server.broadcast({ type: 'events', events });
  }

  #schedulePoll(delayMs: number): void {
    if (this.#closed) return;
    this.#pollTimer = setTimeout(() => {
      this.#poller
        .poll(this.#view, Date.now())
        .catch((err: unknown) => this.#logger.debug({ err }, 'poll failed'))
        .finally(() => {
          this.#server.broadcast({ type: 'stats', ...this.statsPayload() });
          this.#schedulePoll(this.#options.pollIntervalMs ?? POLL_INTERVAL_MS_DEFAULT);
        });
    }, delayMs);
  }

  statePayload(): Record<string, unknown> {
    return {
      readOnly: this.readOnly,
      coordinator: this.#options.coordinator,
      connected: this.#client?.state === 'connected',
      view: this.#view,
      znodePaths: [...(this.#mirror?.snapshot.keys() ?? [])].sort(),
      /** Znodes the coordinator refused to show (NOAUTH): give --auth to see them. */
      unreadableZnodes: this.#mirror?.unreadable ?? [],
    };
  }

  statsPayload(): Record<string, unknown> {
    return { rates: this.#poller.rates, groups: this.#poller.groups };
  }

  lagHistory(groupId: string): Record<string, [number[], number[]]> {
    return this.#poller.lagHistory(groupId);
  }

  /** One znode for the browser, with its owner broker when it is an ephemeral. */
  znode(path: string): Record<string, unknown> | null {
    const snapshot = this.#mirror?.snapshot;
    const node = snapshot?.get(path);
    if (snapshot === undefined || node === undefined) return null;
    let pretty = node.data;
    try {
      if (node.data !== null) pretty = JSON.stringify(JSON.parse(node.data), null, 2);
    } catch {
      // Not JSON (the controller epoch is plain text): shown as it is.
    }
    const owner = node.stat.ephemeralOwner;
    const ownerBroker = this.#view.brokers.find(
      (b) => owner !== 0n && b.session === formatSession(owner),
    );
    const prefix = path === '/' ? '/' : `${path}/`;
    const children = [...snapshot.keys()]
      .filter((p) => p.startsWith(prefix) && p !== path && !p.slice(prefix.length).includes('/'))
      .map((p) => p.slice(prefix.length))
      .sort();
    return {
      path,
      data: pretty,
      stat: { ...node.stat, ephemeralOwner: formatSession(owner) ?? '0x0' },
      ephemeral: owner !== 0n,
      ownerBroker: ownerBroker?.id ?? null,
      children,
    };
  }

  async act(name: string, body: unknown): Promise<ActionResult> {
    const b = (body ?? {}) as Record<string, unknown>;
    try {
      switch (name) {
        case 'create-topic':
          return await this.#actions.createTopic({
            topic: String(b.topic),
            partitions: Number(b.partitions),
            replicationFactor: Number(b.replicationFactor),
            config: (b.config ?? {}) as Record<string, string>,
          });
        case 'add-partitions':
          return await this.#actions.addPartitions({
            topic: String(b.topic),
            totalPartitions: Number(b.totalPartitions),
          });
        case 'alter-topic-config':
          return await this.#actions.alterTopicConfig({
            topic: String(b.topic),
            config: (b.config ?? {}) as Record<string, string>,
          });
        case 'reassign-partitions':
          return await this.#actions.reassign(
            (
              (b.partitions ?? []) as { topic: string; partition: number; replicas: number[] }[]
            ).map((p) => ({
              topic: String(p.topic),
              partition: Number(p.partition),
              replicas: (p.replicas ?? []).map(Number),
            })),
          );
        case 'preferred-election':
          return await this.#actions.preferredElection();
        case 'reset-offsets':
          return await this.#actions.resetOffsets({
            groupId: String(b.groupId),
            topic: String(b.topic),
            spec: b.spec as ResetSpec,
          });
        default:
          return { ok: false, message: `unknown action ${name}` };
      }
    } catch (err) {
      const message = hasCode(err, ErrorCode.CONNECTIONLOSS)
        ? 'lost the connection to the coordinator; try again'
        : (err as Error).message;
      return { ok: false, message };
    }
  }
}
