/**
 * Every broker's copy of the cluster's ACLs, kept in step with the coordinator as
 * ZooKeeper-mode Kafka's AclAuthorizer does: read all of /kafka-acl and
 * /kafka-acl-extended/prefixed at start-up, then watch the change notification paths
 * (/kafka-acl-changes, /kafka-acl-extended-changes) and re-read when a notification appears.
 * Kafka re-reads only the resource a notification names; we re-read everything, which is
 * simpler and still cheap for the number of ACLs a cluster has. Decisions are made by the
 * pure authorizer.ts on the current snapshot, so a request never waits for the coordinator.
 */
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
} from '../../src/security/acl.js';
import { readAllAcls } from '../../src/security/acl-store.js';
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

export class AclCache {
  readonly #zk: () => CoordinatorClient;
  readonly #settings: AuthorizerSettings;
  readonly #log: Logger;
  #acls: readonly Acl[] = [];
  #reloading: Promise<void> | undefined;
  #again = false;
  #closed = false;
  /**
   * This broker's own writes (replace), numbered. A reload that began before a write may have
   * read the pattern's old entries, so the write is laid over its result; a reload that began
   * after it has read it, and the write is forgotten.
   */
  #writes = new Map<
    string,
    { pattern: ResourcePattern; entries: readonly AclEntry[]; seq: number }
  >();
  #seq = 0;

  constructor(options: {
    zk: () => CoordinatorClient;
    settings: AuthorizerSettings;
    logger: Logger;
  }) {
    this.#zk = options.zk;
    this.#settings = options.settings;
    this.#log = options.logger.child({ component: 'acl-cache' });
  }

  get acls(): readonly Acl[] {
    return this.#acls;
  }

  /** Loads the ACLs and starts watching for changes. */
  async start(): Promise<void> {
    const zk = this.#zk();
    for (const path of [AclZNodes.literalChanges, AclZNodes.extendedChanges]) {
      await ensurePath(zk, path);
    }
    await this.#reload();
  }

  close(): void {
    this.#closed = true;
  }

  /**
   * Replaces the entries of one pattern after this broker changed them in the coordinator
   * (CreateAcls, DeleteAcls), so that its own next request sees the change, as Kafka's
   * AclAuthorizer updates its cache right after its write. The change notification then
   * reloads everything, here and on the other brokers.
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

  /** Re-reads everything; a change arriving meanwhile triggers one more read. */
  #reload(): Promise<void> {
    if (this.#reloading !== undefined) {
      this.#again = true;
      return this.#reloading;
    }
    this.#reloading = (async () => {
      do {
        this.#again = false;
        const zk = this.#zk();
        // Watches first (one-shot: set again on every read), then the data.
        const onChange = (): void => {
          if (!this.#closed) void this.#reload();
        };
        await zk.getChildren(AclZNodes.literalChanges, onChange);
        await zk.getChildren(AclZNodes.extendedChanges, onChange);
        const startedAt = this.#seq;
        let acls = await readAllAcls(zk);
        for (const [key, w] of this.#writes) {
          if (w.seq <= startedAt) this.#writes.delete(key);
          else acls = withEntries(acls, w.pattern, w.entries);
        }
        this.#acls = acls;
        this.#log.info({ acls: this.#acls.length }, 'ACLs loaded');
      } while (this.#again && !this.#closed);
    })()
      .catch((err: unknown) => this.#log.error({ err }, 'cannot read ACLs; keeping the old ones'))
      .finally(() => (this.#reloading = undefined));
    return this.#reloading;
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
