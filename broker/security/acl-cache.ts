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
import { ErrorCode, hasCode } from '../../src/protocol/coordinator/errors.js';
import {
  AclZNodes,
  CLUSTER_RESOURCE_NAME,
  RESOURCE_TYPES,
  type Acl,
  type Operation,
  type PatternType,
  type ResourceType,
} from '../../src/security/acl.js';
import { authorize, type AuthorizerSettings } from './authorizer.js';
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

/** The check when no authorizer is configured: everything is allowed (Kafka's default). */
export const ALLOW_ALL: AuthorizationCheck = () => true;

async function childrenOrEmpty(zk: CoordinatorClient, path: string): Promise<string[]> {
  try {
    return await zk.getChildren(path);
  } catch (err) {
    if (hasCode(err, ErrorCode.NONODE)) return [];
    throw err;
  }
}

/** Reads every ACL from the coordinator. */
export async function readAllAcls(zk: CoordinatorClient): Promise<Acl[]> {
  const acls: Acl[] = [];
  const roots: [PatternType, string][] = [
    ['LITERAL', AclZNodes.literalRoot],
    ['PREFIXED', `${AclZNodes.extendedRoot}/prefixed`],
  ];
  for (const [patternType, root] of roots) {
    for (const resourceType of RESOURCE_TYPES) {
      for (const name of await childrenOrEmpty(zk, `${root}/${resourceType}`)) {
        const pattern = { resourceType, name, patternType };
        let data: Buffer | null;
        try {
          data = (await zk.getData(AclZNodes.path(pattern))).data;
        } catch (err) {
          if (hasCode(err, ErrorCode.NONODE)) continue;
          throw err;
        }
        for (const entry of AclZNodes.decode(data)) acls.push({ ...entry, pattern });
      }
    }
  }
  return acls;
}

export class AclCache {
  readonly #zk: () => CoordinatorClient;
  readonly #settings: AuthorizerSettings;
  readonly #log: Logger;
  #acls: readonly Acl[] = [];
  #reloading: Promise<void> | undefined;
  #again = false;
  #closed = false;

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

  readonly check: AuthorizationCheck = (session, operation, resourceType, resourceName) =>
    authorize(this.#acls, this.#settings, {
      principal: session.principal,
      host: session.clientHost,
      operation,
      resourceType,
      resourceName: resourceName ?? CLUSTER_RESOURCE_NAME,
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
        this.#acls = await readAllAcls(zk);
        this.#log.info({ acls: this.#acls.length }, 'ACLs loaded');
      } while (this.#again && !this.#closed);
    })()
      .catch((err: unknown) => this.#log.error({ err }, 'cannot read ACLs; keeping the old ones'))
      .finally(() => (this.#reloading = undefined));
    return this.#reloading;
  }
}
