/**
 * Every broker's copy of the cluster's ACLs, kept in step with the coordinator as
 * ZooKeeper-mode Kafka's AclAuthorizer does: read all of /kafka-acl and
 * /kafka-acl-extended/prefixed at start-up, then watch the change notification paths
 * (/kafka-acl-changes, /kafka-acl-extended-changes). Each new notification (a sequential
 * `acl_changes_NNNNNNNNNN` znode newer than the last one processed) names one resource
 * pattern, and only that pattern's znode is read again (Kafka's
 * ZkNodeChangeNotificationListener and AclChangedNotificationHandler). A notification that
 * cannot be parsed makes the cache read everything. Notifications older than 15 minutes are
 * deleted by whichever broker sees them (ZkNodeChangeNotificationListener's
 * changeExpirationMs), so the change paths do not grow forever. Decisions are made by the
 * pure authorizer.ts on the current snapshot, so a request never waits for the coordinator.
 */
import { systemClock, type Clock } from '../../src/clock.js';
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { ensurePath } from '../../src/coordinator-client/recipes/ensure-path.js';
import type { Logger } from '../../src/logger.js';
import {
  AclZNodes,
  CLUSTER_RESOURCE_NAME,
  type Acl,
  type AclEntry,
  type Operation,
  type ResourcePattern,
  type ResourceType,
  RESOURCE_TYPES,
} from '../../src/security/acl.js';
import { ErrorCode, hasCode } from '../../src/protocol/coordinator/errors.js';
import { readAllAcls, readResourceAcls } from '../../src/security/acl-store.js';
import { authorize, authorizeByResourceType, type AuthorizerSettings } from './authorizer.js';
import type { ConnectionSession } from './session.js';

/** What handlers ask: may this connection do `operation` on this resource? */
export interface AuthorizationCheck {
  (
    session: ConnectionSession,
    operation: Operation,
    resourceType: ResourceType,
    resourceName?: string,
  ): boolean;
}

/** May this connection do `operation` on some resource of the type (KIP-679)? */
export interface ResourceTypeCheck {
  (session: ConnectionSession, operation: Operation, resourceType: ResourceType): boolean;
}

/** The check when no authorizer is configured: everything is allowed (Kafka's default). */
export const ALLOW_ALL: AuthorizationCheck = () => true;

/** How long a change notification is kept (ZkNodeChangeNotificationListener: 15 minutes). */
export const ACL_CHANGE_EXPIRATION_MS = 15 * 60_000;

const CHANGE_PATHS = [AclZNodes.literalChanges, AclZNodes.extendedChanges] as const;

export class AclCache {
  readonly #zk: () => CoordinatorClient;
  readonly #settings: AuthorizerSettings;
  readonly #log: Logger;
  readonly #clock: Clock;
  #acls: readonly Acl[] = [];
  #processing: Promise<void> | undefined;
  #again = false;
  #closed = false;
  /** Per change path, the sequence number of the last notification applied (-1: none). */
  readonly #lastApplied = new Map<string, number>(CHANGE_PATHS.map((p) => [p, -1]));
  /**
   * This broker's own writes (replace), numbered. A read that began before a write may have
   * read the pattern's old entries, so the write is laid over its result; a read that began
   * after it has read it, and the write is forgotten.
   */
  #writes = new Map<
    string,
    { pattern: ResourcePattern; entries: readonly AclEntry[]; seq: number }
  >();
  #seq = 0;
  /** Reads of whole ACL sets and of single patterns, for tests and logs. */
  readonly reads = { all: 0, patterns: 0 };

  constructor(options: {
    zk: () => CoordinatorClient;
    settings: AuthorizerSettings;
    logger: Logger;
    /** For the age of notifications; the system clock by default. */
    clock?: Clock;
  }) {
    this.#zk = options.zk;
    this.#settings = options.settings;
    this.#log = options.logger.child({ component: 'acl-cache' });
    this.#clock = options.clock ?? systemClock;
  }

  get acls(): readonly Acl[] {
    return this.#acls;
  }

  /**
   * Loads every ACL and starts watching for changes: the notifications already there are
   * taken as applied (the full read includes them), later ones are applied one by one.
   */
  async start(): Promise<void> {
    const zk = this.#zk();
    for (const path of CHANGE_PATHS) await ensurePath(zk, path);
    await this.#process(true);
  }

  close(): void {
    this.#closed = true;
  }

  /**
   * Replaces the entries of one pattern after this broker changed them in the coordinator
   * (CreateAcls, DeleteAcls), so that its own next request sees the change, as Kafka's
   * AclAuthorizer updates its cache right after its write. The change notification then
   * re-reads the pattern, here and on the other brokers.
   */
  replace(pattern: ResourcePattern, entries: readonly AclEntry[]): void {
    this.#writes.set(patternKey(pattern), { pattern, entries, seq: ++this.#seq });
    this.#acls = withEntries(this.#acls, pattern, entries);
  }

  readonly check: AuthorizationCheck = (session, operation, resourceType, resourceName) =>
    authorize(this.#acls, this.#settings, {
      principal: session.principal,
      host: session.clientHost,
      operation,
      resourceType,
      resourceName: resourceName ?? CLUSTER_RESOURCE_NAME,
    });

  readonly checkByResourceType: ResourceTypeCheck = (session, operation, resourceType) =>
    authorizeByResourceType(this.#acls, this.#settings, {
      principal: session.principal,
      host: session.clientHost,
      operation,
      resourceType,
    });

  /**
   * Reads the notifications (setting the watches again) and applies the new ones, or, with
   * `everything`, reads every ACL. One pass at a time; a change arriving meanwhile makes one
   * more pass.
   */
  #process(everything = false): Promise<void> {
    if (this.#processing !== undefined) {
      this.#again = true;
      return this.#processing;
    }
    this.#processing = (async () => {
      let full = everything;
      do {
        this.#again = false;
        full = await this.#pass(full);
      } while ((this.#again || full) && !this.#closed);
    })()
      .catch((err: unknown) => this.#log.error({ err }, 'cannot read ACLs; keeping the old ones'))
      .finally(() => (this.#processing = undefined));
    return this.#processing;
  }

  /** One pass; returns true when a notification could not be read and a full read is due. */
  async #pass(full: boolean): Promise<boolean> {
    const zk = this.#zk();
    const onChange = (): void => {
      if (!this.#closed) void this.#process();
    };
    // Watches first (one-shot: set again on every read), then the data.
    const pending: { path: string; seq: number; child: string }[] = [];
    for (const path of CHANGE_PATHS) {
      for (const child of await zk.getChildren(path, onChange)) {
        const seq = Number(child.slice(AclZNodes.changePrefix.length));
        if (!child.startsWith(AclZNodes.changePrefix) || !Number.isInteger(seq)) continue;
        pending.push({ path, seq, child });
      }
    }
    pending.sort((a, b) => a.seq - b.seq);
    const startedAt = this.#seq;
    if (full) {
      this.reads.all++;
      this.#acls = this.#overlay(await readAllAcls(zk), startedAt);
      for (const n of pending) this.#lastApplied.set(n.path, Math.max(this.#last(n.path), n.seq));
      this.#log.info({ acls: this.#acls.length }, 'ACLs loaded');
    }
    let needFull = false;
    for (const n of pending) {
      const { path, seq, child } = n;
      const fresh = seq > this.#last(path);
      const notification = await getOrNull(zk, `${path}/${child}`);
      if (
        notification !== null &&
        this.#clock.nowMs() - notification.ctime > ACL_CHANGE_EXPIRATION_MS
      ) {
        await deleteOrGone(zk, `${path}/${child}`);
      }
      if (!fresh) continue;
      this.#lastApplied.set(path, seq);
      if (notification === null) continue; // purged by another broker; its change is older
      const pattern = parseNotification(path, notification.data);
      if (pattern === undefined) {
        this.#log.warn({ path, child }, 'unreadable ACL change notification: reading every ACL');
        needFull = true;
        continue;
      }
      this.reads.patterns++;
      const { entries } = await readResourceAcls(zk, pattern);
      this.#acls = this.#overlay(withEntries(this.#acls, pattern, entries), startedAt, pattern);
      this.#log.info(
        { acls: this.#acls.length, pattern: patternKey(pattern), entries: entries.length },
        'ACLs changed',
      );
    }
    return needFull;
  }

  #last(path: string): number {
    return this.#lastApplied.get(path) ?? -1;
  }

  /**
   * `acls` read from the coordinator with this broker's writes made after the read began laid
   * over them (of every pattern, or of `only`); writes the read saw are forgotten.
   */
  #overlay(acls: readonly Acl[], startedAt: number, only?: ResourcePattern): Acl[] {
    let result = [...acls];
    for (const [key, w] of this.#writes) {
      if (only !== undefined && key !== patternKey(only)) continue;
      if (w.seq <= startedAt) this.#writes.delete(key);
      else result = withEntries(result, w.pattern, w.entries);
    }
    return result;
  }
}

/** A notification's data and creation time, or null when it is gone. */
async function getOrNull(
  zk: CoordinatorClient,
  path: string,
): Promise<{ data: Buffer | null; ctime: number } | null> {
  try {
    const { data, stat } = await zk.getData(path);
    return { data, ctime: Number(stat.ctime) };
  } catch (err) {
    if (hasCode(err, ErrorCode.NONODE)) return null;
    throw err;
  }
}

async function deleteOrGone(zk: CoordinatorClient, path: string): Promise<void> {
  try {
    await zk.delete(path);
  } catch (err) {
    if (!hasCode(err, ErrorCode.NONODE)) throw err;
  }
}

/**
 * The pattern a notification names: `Type:name` under /kafka-acl-changes (literal), a JSON
 * object `{version, resourceType, name, patternType}` under /kafka-acl-extended-changes.
 */
export function parseNotification(path: string, data: Buffer | null): ResourcePattern | undefined {
  if (data === null) return undefined;
  const text = data.toString('utf8');
  const typeNamed = (t: unknown): ResourceType | undefined => RESOURCE_TYPES.find((r) => r === t);
  if (path === AclZNodes.literalChanges) {
    const colon = text.indexOf(':');
    const resourceType = typeNamed(text.slice(0, colon));
    if (colon < 0 || resourceType === undefined) return undefined;
    return { resourceType, name: text.slice(colon + 1), patternType: 'LITERAL' };
  }
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const resourceType = typeNamed(j.resourceType);
    const patternType =
      j.patternType === 'LITERAL' || j.patternType === 'PREFIXED' ? j.patternType : undefined;
    if (resourceType === undefined || patternType === undefined || typeof j.name !== 'string') {
      return undefined;
    }
    return { resourceType, name: j.name, patternType };
  } catch {
    return undefined;
  }
}

const patternKey = (p: ResourcePattern): string => `${p.patternType}:${p.resourceType}:${p.name}`;

/** `acls` with the entries of `pattern` replaced. */
function withEntries(
  acls: readonly Acl[],
  pattern: ResourcePattern,
  entries: readonly AclEntry[],
): Acl[] {
  const key = patternKey(pattern);
  return [
    ...acls.filter((a) => patternKey(a.pattern) !== key),
    ...entries.map((e) => ({ ...e, pattern })),
  ];
}
