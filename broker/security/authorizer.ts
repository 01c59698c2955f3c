/**
 * The authorization decision of Kafka 2.8's AclAuthorizer, as a pure function of the ACLs
 * known (a cache the broker keeps in step with the coordinator, acl-cache.ts) and the request
 * (principal, client host, operation, resource). No I/O: tests call `authorize` directly.
 *
 * The rules, in order:
 *   1. a super user (super.users) may do everything;
 *   2. the ACLs that apply to the resource are those of its literal name, of the literal
 *      wildcard `*`, and of every prefixed pattern its name starts with;
 *   3. a DENY that matches (principal or User:*, host or *, operation or All) wins;
 *   4. an ALLOW that matches allows; Describe is also allowed by an ALLOW of Read, Write,
 *      Delete or Alter, and DescribeConfigs by AlterConfigs (Kafka's implied operations);
 *   5. no ACL at all applies to the resource: allow.everyone.if.no.acl.found decides;
 *   6. otherwise: denied.
 *
 * `authorizeByResourceType` answers "may the principal do `operation` on *some* resource of
 * this type?" (Kafka 2.8's Authorizer.authorizeByResourceType, KIP-679; an idempotent
 * producer needs IDEMPOTENT_WRITE on the cluster or WRITE on some topic):
 *   1. a super user may;
 *   2. a DENY of the operation (or All) on the literal wildcard `*` forbids it;
 *   3. allow.everyone.if.no.acl.found allows it;
 *   4. it is allowed by an ALLOW of the operation (or All) on a literal name or a prefix that
 *      no DENY covers: not the same literal, and no denied prefix of it (the literal `*` is
 *      allowed whatever the denies).
 */
import {
  WILDCARD_RESOURCE,
  type Acl,
  type Operation,
  type ResourceType,
} from '../../src/security/acl.js';

export interface AuthorizerSettings {
  superUsers: readonly string[];
  allowEveryoneIfNoAclFound: boolean;
}

export interface AuthorizationRequest {
  principal: string;
  host: string;
  operation: Operation;
  resourceType: ResourceType;
  resourceName: string;
}

/** Operations an ALLOW of the key also grants (AclAuthorizer's implicit allows). */
const IMPLIED_BY: Partial<Record<Operation, readonly Operation[]>> = {
  Describe: ['Describe', 'Read', 'Write', 'Delete', 'Alter'],
  DescribeConfigs: ['DescribeConfigs', 'AlterConfigs'],
};

/** The ACLs that apply to one resource (rule 2). */
export function aclsFor(acls: Iterable<Acl>, type: ResourceType, name: string): Acl[] {
  const result: Acl[] = [];
  for (const acl of acls) {
    const p = acl.pattern;
    if (p.resourceType !== type) continue;
    const applies =
      p.patternType === 'LITERAL'
        ? p.name === name || p.name === WILDCARD_RESOURCE
        : name.startsWith(p.name);
    if (applies) result.push(acl);
  }
  return result;
}

function matches(acl: Acl, request: AuthorizationRequest, operations: readonly Operation[]) {
  return (
    (acl.principal === request.principal || acl.principal === 'User:*') &&
    (acl.host === '*' || acl.host === request.host) &&
    (acl.operation === 'All' || operations.includes(acl.operation))
  );
}

export function authorize(
  acls: Iterable<Acl>,
  settings: AuthorizerSettings,
  request: AuthorizationRequest,
): boolean {
  if (settings.superUsers.includes(request.principal)) return true;
  const applicable = aclsFor(acls, request.resourceType, request.resourceName);
  if (applicable.length === 0) return settings.allowEveryoneIfNoAclFound;
  const denied = applicable.some(
    (a) => a.permissionType === 'Deny' && matches(a, request, [request.operation]),
  );
  if (denied) return false;
  const allowing = IMPLIED_BY[request.operation] ?? [request.operation];
  return applicable.some((a) => a.permissionType === 'Allow' && matches(a, request, allowing));
}

/** Kafka's authorizeByResourceType (see the module comment). */
export function authorizeByResourceType(
  acls: Iterable<Acl>,
  settings: AuthorizerSettings,
  request: Omit<AuthorizationRequest, 'resourceName'>,
): boolean {
  if (settings.superUsers.includes(request.principal)) return true;
  const relevant = [...acls].filter(
    (a) =>
      a.pattern.resourceType === request.resourceType &&
      (a.principal === request.principal || a.principal === 'User:*') &&
      (a.host === '*' || a.host === request.host) &&
      (a.operation === 'All' || a.operation === request.operation),
  );
  const denies = relevant.filter((a) => a.permissionType === 'Deny');
  const deniedLiterals = new Set(
    denies.filter((a) => a.pattern.patternType === 'LITERAL').map((a) => a.pattern.name),
  );
  if (deniedLiterals.has(WILDCARD_RESOURCE)) return false;
  if (settings.allowEveryoneIfNoAclFound) return true;
  const deniedPrefixes = denies
    .filter((a) => a.pattern.patternType === 'PREFIXED')
    .map((a) => a.pattern.name);
  const prefixDenied = (name: string): boolean => deniedPrefixes.some((p) => name.startsWith(p));
  return relevant.some((a) => {
    if (a.permissionType !== 'Allow') return false;
    const name = a.pattern.name;
    if (a.pattern.patternType === 'PREFIXED') return !prefixDenied(name);
    return name === WILDCARD_RESOURCE || (!deniedLiterals.has(name) && !prefixDenied(name));
  });
}
