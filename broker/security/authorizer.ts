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
