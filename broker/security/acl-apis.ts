/**
 * DescribeAcls (29), CreateAcls (30) and DeleteAcls (31), as Kafka 2.8's KafkaApis and
 * AclAuthorizer serve them, versions 0-2 (v2 is flexible; v1 added pattern types, before that
 * every pattern is LITERAL).
 *
 *   API           needs (authorizer on)   without an authorizer
 *   DescribeAcls  DESCRIBE on CLUSTER     SECURITY_DISABLED
 *   CreateAcls    ALTER on CLUSTER        SECURITY_DISABLED, on every creation
 *   DeleteAcls    ALTER on CLUSTER        SECURITY_DISABLED, on every filter
 * A client without the cluster permission gets CLUSTER_AUTHORIZATION_FAILED in the same places.
 *
 * Describe answers from this broker's ACL cache. Create and Delete write through
 * src/security/acl-store.ts, the code `coordinator acls` uses, so the znodes and the change
 * notification are the ones every broker's cache watches; then this broker's cache takes the
 * new entries at once (a client's describe after its create sees it), and the others follow
 * the notification. Changes made by this broker run one at a time (Kafka's lock).
 *
 * Errors: an ANY/MATCH/UNKNOWN element in a creation, a cluster resource not named
 * `kafka-cluster`, an empty name, a principal not in `Type:name` form: INVALID_REQUEST for that
 * creation; a filter with an UNKNOWN element: INVALID_REQUEST for that filter (DescribeAcls:
 * for the response). A coordinator failure: UNKNOWN_SERVER_ERROR for the ACLs concerned.
 *
 * DeleteAcls looks at every pattern in the cache plus the one pattern of each filter that
 * names exactly one, so a pattern just written by another broker is deleted by a filter that
 * names it; a MATCH/ANY filter sees only the patterns this broker has loaded (as in Kafka).
 * Each deleted ACL is reported under the first filter that matched it.
 */
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import type { Logger } from '../../src/logger.js';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import { ErrorCode, errorForCode } from '../../src/protocol/kafka/errors.js';
import type {
  CreateAclsRequest,
  CreateAclsResponse,
  DeleteAclsRequest,
  DeleteAclsResponse,
  DescribeAclsRequest,
  DescribeAclsResponse,
} from '../../src/protocol/kafka/generated/index.js';
import type { DeleteAclsMatchingAcl } from '../../src/protocol/kafka/generated/delete-acls.js';
import type { Acl, AclEntry, ResourcePattern } from '../../src/security/acl.js';
import { sameAclEntry, updateResourceAcls } from '../../src/security/acl-store.js';
import { apiHandler, type AnyApiHandler } from '../network/api-handler-table.js';
import type { AclCache, AuthorizationCheck } from './acl-cache.js';
import {
  aclOfCreation,
  bindingCodes,
  bindingMatches,
  entryMatches,
  filterOfCodes,
  patternMatches,
  samePattern,
  singlePatternOf,
  type AclBindingFilter,
} from './acl-binding.js';
import type { ConnectionSession } from './session.js';

/** Kafka 2.8 serves 0-2 of each ACL API. */
export const ACL_API_VERSIONS = { minVersion: 0, maxVersion: 2 } as const;

export interface AclApisDeps {
  zk: () => CoordinatorClient;
  /** The broker's ACL cache; undefined when no authorizer is configured. */
  cache: AclCache | undefined;
  logger: Logger;
}

const NO_AUTHORIZER_DESCRIBE = 'No Authorizer is configured on the broker';
const NO_AUTHORIZER = 'No Authorizer is configured.';

export class AclApis {
  readonly #zk: () => CoordinatorClient;
  readonly #cache: AclCache | undefined;
  readonly #log: Logger;
  /** The tail of this broker's ACL changes: each waits for the one before. */
  #changes: Promise<unknown> = Promise.resolve();

  constructor(deps: AclApisDeps) {
    this.#zk = deps.zk;
    this.#cache = deps.cache;
    this.#log = deps.logger.child({ component: 'acl-apis' });
  }

  handlers(): AnyApiHandler[] {
    return [
      apiHandler(ApiKey.DescribeAcls, ACL_API_VERSIONS, (r, c) =>
        this.describeAcls(r.body, c.session),
      ),
      apiHandler(ApiKey.CreateAcls, ACL_API_VERSIONS, (r, c) => this.createAcls(r.body, c.session)),
      apiHandler(ApiKey.DeleteAcls, ACL_API_VERSIONS, (r, c) => this.deleteAcls(r.body, c.session)),
    ];
  }

  /** Without an authorizer every check passes (and the APIs answer SECURITY_DISABLED). */
  #clusterAllowed(session: ConnectionSession, operation: 'Describe' | 'Alter'): boolean {
    const check: AuthorizationCheck | undefined = this.#cache?.check;
    return check === undefined || check(session, operation, 'Cluster');
  }

  describeAcls(
    request: DescribeAclsRequest,
    session: ConnectionSession,
  ): Encodable<DescribeAclsResponse> {
    const fail = (errorCode: number, errorMessage: string) => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      resources: [],
    });
    if (!this.#clusterAllowed(session, 'Describe')) {
      return fail(
        ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorForCode(ErrorCode.CLUSTER_AUTHORIZATION_FAILED).message,
      );
    }
    if (this.#cache === undefined) return fail(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER_DESCRIBE);
    const parsed = filterOfCodes({
      resourceType: request.resourceTypeFilter,
      resourceName: request.resourceNameFilter,
      patternType: request.patternTypeFilter,
      principal: request.principalFilter,
      host: request.hostFilter,
      operation: request.operation,
      permissionType: request.permissionType,
    });
    if ('invalid' in parsed) return fail(ErrorCode.INVALID_REQUEST, parsed.invalid);
    const byPattern = new Map<string, { pattern: ResourcePattern; acls: Acl[] }>();
    for (const acl of this.#cache.acls) {
      if (!bindingMatches(parsed.filter, acl)) continue;
      const key = JSON.stringify(acl.pattern);
      const group = byPattern.get(key) ?? { pattern: acl.pattern, acls: [] };
      group.acls.push(acl);
      byPattern.set(key, group);
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      resources: [...byPattern.values()].map(({ pattern, acls }) => {
        const codes = bindingCodes(acls[0]!);
        return {
          resourceType: codes.resourceType,
          resourceName: pattern.name,
          patternType: codes.patternType,
          acls: acls.map((a) => {
            const c = bindingCodes(a);
            return {
              principal: a.principal,
              host: a.host,
              operation: c.operation,
              permissionType: c.permissionType,
            };
          }),
        };
      }),
    };
  }

  async createAcls(
    request: CreateAclsRequest,
    session: ConnectionSession,
  ): Promise<Encodable<CreateAclsResponse>> {
    const all = (errorCode: number, errorMessage: string) => ({
      throttleTimeMs: 0,
      results: request.creations.map(() => ({ errorCode, errorMessage })),
    });
    if (!this.#clusterAllowed(session, 'Alter')) {
      return all(
        ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorForCode(ErrorCode.CLUSTER_AUTHORIZATION_FAILED).message,
      );
    }
    const cache = this.#cache;
    if (cache === undefined) return all(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER);
    const results: { errorCode: number; errorMessage: string | null }[] = [];
    // Valid creations by pattern, with their indexes in the request.
    const byPattern = new Map<string, { pattern: ResourcePattern; items: [number, Acl][] }>();
    request.creations.forEach((creation, i) => {
      const made = aclOfCreation(creation);
      if ('invalid' in made) {
        results[i] = { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: made.invalid };
        return;
      }
      const key = JSON.stringify(made.acl.pattern);
      const group = byPattern.get(key) ?? { pattern: made.acl.pattern, items: [] };
      group.items.push([i, made.acl]);
      byPattern.set(key, group);
    });
    await this.#serially(async () => {
      for (const { pattern, items } of byPattern.values()) {
        try {
          const { after } = await updateResourceAcls(this.#zk(), pattern, (current) => {
            const next = [...current];
            for (const [, acl] of items) {
              const entry = entryOf(acl);
              if (!next.some((e) => sameAclEntry(e, entry))) next.push(entry);
            }
            return next;
          });
          cache.replace(pattern, after);
          for (const [i] of items) results[i] = { errorCode: ErrorCode.NONE, errorMessage: null };
          this.#log.info(
            { pattern, principal: session.principal, added: items.map(([, a]) => entryOf(a)) },
            'ACLs created',
          );
        } catch (err) {
          this.#log.error({ err, pattern }, 'cannot create ACLs');
          for (const [i] of items) {
            results[i] = {
              errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
              errorMessage: `cannot store the ACL: ${(err as Error).message}`,
            };
          }
        }
      }
    });
    return { throttleTimeMs: 0, results };
  }

  async deleteAcls(
    request: DeleteAclsRequest,
    session: ConnectionSession,
  ): Promise<Encodable<DeleteAclsResponse>> {
    const all = (errorCode: number, errorMessage: string) => ({
      throttleTimeMs: 0,
      filterResults: request.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
    });
    if (!this.#clusterAllowed(session, 'Alter')) {
      return all(
        ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorForCode(ErrorCode.CLUSTER_AUTHORIZATION_FAILED).message,
      );
    }
    const cache = this.#cache;
    if (cache === undefined) return all(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER);
    const filters: (AclBindingFilter | string)[] = request.filters.map((f) => {
      const parsed = filterOfCodes({
        resourceType: f.resourceTypeFilter,
        resourceName: f.resourceNameFilter,
        patternType: f.patternTypeFilter,
        principal: f.principalFilter,
        host: f.hostFilter,
        operation: f.operation,
        permissionType: f.permissionType,
      });
      return 'invalid' in parsed ? parsed.invalid : parsed.filter;
    });
    const matching: Encodable<DeleteAclsMatchingAcl>[][] = filters.map(() => []);
    await this.#serially(async () => {
      const candidates: ResourcePattern[] = [];
      const consider = (p: ResourcePattern): void => {
        if (!candidates.some((c) => samePattern(c, p))) candidates.push(p);
      };
      for (const acl of cache.acls) consider(acl.pattern);
      for (const f of filters) {
        const single = typeof f === 'string' ? undefined : singlePatternOf(f);
        if (single !== undefined) consider(single);
      }
      for (const pattern of candidates) {
        const applying = filters.flatMap((f, index) =>
          typeof f !== 'string' && patternMatches(f, pattern) ? [{ f, index }] : [],
        );
        if (applying.length === 0) continue;
        // Which filter each removed entry is reported under; recomputed on every attempt.
        let removed: { entry: AclEntry; index: number }[] = [];
        try {
          const { after } = await updateResourceAcls(this.#zk(), pattern, (current) => {
            removed = [];
            return current.filter((entry) => {
              const first = applying.find(({ f }) => entryMatches(f, entry));
              if (first !== undefined) removed.push({ entry, index: first.index });
              return first === undefined;
            });
          });
          cache.replace(pattern, after);
          if (removed.length > 0) {
            this.#log.info(
              { pattern, principal: session.principal, removed: removed.map((r) => r.entry) },
              'ACLs deleted',
            );
          }
          for (const { entry, index } of removed) {
            matching[index]!.push(matchingAcl(pattern, entry, ErrorCode.NONE, null));
          }
        } catch (err) {
          this.#log.error({ err, pattern }, 'cannot delete ACLs');
          const message = `cannot delete the ACL: ${(err as Error).message}`;
          for (const { entry, index } of removed) {
            matching[index]!.push(
              matchingAcl(pattern, entry, ErrorCode.UNKNOWN_SERVER_ERROR, message),
            );
          }
        }
      }
    });
    return {
      throttleTimeMs: 0,
      filterResults: filters.map((f, i) =>
        typeof f === 'string'
          ? { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: f, matchingAcls: [] }
          : { errorCode: ErrorCode.NONE, errorMessage: null, matchingAcls: matching[i]! },
      ),
    };
  }

  /** Runs `work` after every change this broker started before it. */
  #serially(work: () => Promise<void>): Promise<void> {
    const run = this.#changes.then(work);
    this.#changes = run.catch(() => undefined);
    return run;
  }
}

function entryOf(acl: Acl): AclEntry {
  return {
    principal: acl.principal,
    permissionType: acl.permissionType,
    operation: acl.operation,
    host: acl.host,
  };
}

function matchingAcl(
  pattern: ResourcePattern,
  entry: AclEntry,
  errorCode: number,
  errorMessage: string | null,
): Encodable<DeleteAclsMatchingAcl> {
  const codes = bindingCodes({ ...entry, pattern });
  return {
    errorCode,
    errorMessage,
    resourceType: codes.resourceType,
    resourceName: pattern.name,
    patternType: codes.patternType,
    principal: entry.principal,
    host: entry.host,
    operation: codes.operation,
    permissionType: codes.permissionType,
  };
}
