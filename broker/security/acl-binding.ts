/**
 * ACL bindings and binding filters as the ACL APIs (DescribeAcls 29, CreateAcls 30,
 * DeleteAcls 31) carry them: Kafka's wire codes for resource types, pattern types, operations
 * and permissions, and the matching rules of Kafka 2.8's AclBindingFilter. Pure: no I/O.
 *
 * Codes (org.apache.kafka.common.{resource,acl} in 2.8):
 *   resource type   0 UNKNOWN 1 ANY 2 TOPIC 3 GROUP 4 CLUSTER 5 TRANSACTIONAL_ID 6 DELEGATION_TOKEN
 *   pattern type    0 UNKNOWN 1 ANY 2 MATCH 3 LITERAL 4 PREFIXED
 *   operation       0 UNKNOWN 1 ANY 2 ALL 3 READ 4 WRITE 5 CREATE 6 DELETE 7 ALTER 8 DESCRIBE
 *                   9 CLUSTER_ACTION 10 DESCRIBE_CONFIGS 11 ALTER_CONFIGS 12 IDEMPOTENT_WRITE
 *   permission      0 UNKNOWN 1 ANY 2 DENY 3 ALLOW
 * A code we do not know is UNKNOWN, as Kafka's fromCode makes it.
 *
 * A binding (what CreateAcls makes) names one resource pattern and one entry, with no ANY or
 * MATCH in it. A filter (DescribeAcls, DeleteAcls) matches bindings:
 *   resource type   ANY, or equal;
 *   pattern type    ANY or MATCH, or equal;
 *   name            null matches all; with ANY or the binding's own pattern type it must be
 *                   equal; with MATCH it matches what would apply to a resource of that name:
 *                   the literal name, the literal wildcard `*`, and every prefix of it;
 *   principal, host null, or equal (no wildcard expansion: the filter User:* matches only
 *                   entries for User:*);
 *   operation       ANY, or equal;   permission  ANY, or equal.
 * A filter "matches at most one" pattern when it names a type, a name and a LITERAL or
 * PREFIXED pattern type (Kafka's matchesAtMostOne).
 */
import {
  CLUSTER_RESOURCE_NAME,
  WILDCARD_RESOURCE,
  type Acl,
  type AclEntry,
  type Operation,
  type PatternType,
  type PermissionType,
  type ResourcePattern,
  type ResourceType,
} from '../../src/security/acl.js';

export const ResourceTypeCode = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
} as const;

export const PatternTypeCode = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;

export const OperationCode = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
} as const;

export const PermissionTypeCode = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

const RESOURCE_TYPE_BY_CODE: ReadonlyMap<number, ResourceType> = new Map([
  [ResourceTypeCode.TOPIC, 'Topic'],
  [ResourceTypeCode.GROUP, 'Group'],
  [ResourceTypeCode.CLUSTER, 'Cluster'],
  [ResourceTypeCode.TRANSACTIONAL_ID, 'TransactionalId'],
  [ResourceTypeCode.DELEGATION_TOKEN, 'DelegationToken'],
]);
const PATTERN_TYPE_BY_CODE: ReadonlyMap<number, PatternType> = new Map([
  [PatternTypeCode.LITERAL, 'LITERAL'],
  [PatternTypeCode.PREFIXED, 'PREFIXED'],
]);
const OPERATION_BY_CODE: ReadonlyMap<number, Operation> = new Map([
  [OperationCode.ALL, 'All'],
  [OperationCode.READ, 'Read'],
  [OperationCode.WRITE, 'Write'],
  [OperationCode.CREATE, 'Create'],
  [OperationCode.DELETE, 'Delete'],
  [OperationCode.ALTER, 'Alter'],
  [OperationCode.DESCRIBE, 'Describe'],
  [OperationCode.CLUSTER_ACTION, 'ClusterAction'],
  [OperationCode.DESCRIBE_CONFIGS, 'DescribeConfigs'],
  [OperationCode.ALTER_CONFIGS, 'AlterConfigs'],
  [OperationCode.IDEMPOTENT_WRITE, 'IdempotentWrite'],
]);
const PERMISSION_BY_CODE: ReadonlyMap<number, PermissionType> = new Map([
  [PermissionTypeCode.DENY, 'Deny'],
  [PermissionTypeCode.ALLOW, 'Allow'],
]);

function codeOf<T>(table: ReadonlyMap<number, T>, value: T): number {
  for (const [code, v] of table) if (v === value) return code;
  throw new Error(`no wire code for ${String(value)}`);
}

/** The wire codes of a binding (DescribeAcls and DeleteAcls answers). */
export function bindingCodes(acl: Acl): {
  resourceType: number;
  patternType: number;
  operation: number;
  permissionType: number;
} {
  return {
    resourceType: codeOf(RESOURCE_TYPE_BY_CODE, acl.pattern.resourceType),
    patternType: codeOf(PATTERN_TYPE_BY_CODE, acl.pattern.patternType),
    operation: codeOf(OPERATION_BY_CODE, acl.operation),
    permissionType: codeOf(PERMISSION_BY_CODE, acl.permissionType),
  };
}

/** Kafka's KafkaPrincipal string: `Type:name` with both parts present. */
export function isPrincipal(text: string): boolean {
  const colon = text.indexOf(':');
  return colon > 0 && colon < text.length - 1;
}

/** What CreateAcls asks for, in wire codes. */
export interface AclCreationCodes {
  resourceType: number;
  resourceName: string;
  resourcePatternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/**
 * A creation as an ACL, or why it cannot be one (the message of Kafka's
 * InvalidRequestException; the API answers INVALID_REQUEST).
 */
export function aclOfCreation(c: AclCreationCodes): { acl: Acl } | { invalid: string } {
  const resourceType = RESOURCE_TYPE_BY_CODE.get(c.resourceType);
  const patternType = PATTERN_TYPE_BY_CODE.get(c.resourcePatternType);
  const operation = OPERATION_BY_CODE.get(c.operation);
  const permissionType = PERMISSION_BY_CODE.get(c.permissionType);
  if (resourceType === undefined) {
    return { invalid: `Invalid resource type ${c.resourceType} for an ACL` };
  }
  if (patternType === undefined) {
    return { invalid: `Invalid resource pattern type ${c.resourcePatternType} for an ACL` };
  }
  if (operation === undefined) return { invalid: `Invalid operation ${c.operation} for an ACL` };
  if (permissionType === undefined) {
    return { invalid: `Invalid permission type ${c.permissionType} for an ACL` };
  }
  if (resourceType === 'Cluster' && c.resourceName !== CLUSTER_RESOURCE_NAME) {
    return {
      invalid: `The only valid name for the CLUSTER resource is ${CLUSTER_RESOURCE_NAME}`,
    };
  }
  if (c.resourceName === '') return { invalid: 'Invalid empty resource name' };
  if (!isPrincipal(c.principal)) {
    return {
      invalid:
        `Failed to create ACL: expected a principal in format principalType:principalName ` +
        `but got ${c.principal}`,
    };
  }
  if (c.host === '') return { invalid: 'Failed to create ACL: empty host' };
  return {
    acl: {
      pattern: { resourceType, name: c.resourceName, patternType },
      principal: c.principal,
      host: c.host,
      operation,
      permissionType,
    },
  };
}

/** A binding filter (Kafka's AclBindingFilter), from the codes of a request. */
export interface AclBindingFilter {
  resourceType: ResourceType | 'ANY';
  name: string | null;
  patternType: PatternType | 'ANY' | 'MATCH';
  principal: string | null;
  host: string | null;
  operation: Operation | 'ANY';
  permissionType: PermissionType | 'ANY';
}

/** What DescribeAcls and DeleteAcls filter with, in wire codes. */
export interface AclFilterCodes {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

/** A filter from its codes, or why not (an UNKNOWN element: Kafka refuses the filter). */
export function filterOfCodes(
  c: AclFilterCodes,
): { filter: AclBindingFilter } | { invalid: string } {
  const resourceType =
    c.resourceType === ResourceTypeCode.ANY ? 'ANY' : RESOURCE_TYPE_BY_CODE.get(c.resourceType);
  const patternType =
    c.patternType === PatternTypeCode.ANY
      ? 'ANY'
      : c.patternType === PatternTypeCode.MATCH
        ? 'MATCH'
        : PATTERN_TYPE_BY_CODE.get(c.patternType);
  const operation = c.operation === OperationCode.ANY ? 'ANY' : OPERATION_BY_CODE.get(c.operation);
  const permissionType =
    c.permissionType === PermissionTypeCode.ANY ? 'ANY' : PERMISSION_BY_CODE.get(c.permissionType);
  if (
    resourceType === undefined ||
    patternType === undefined ||
    operation === undefined ||
    permissionType === undefined
  ) {
    return { invalid: 'The filter contains UNKNOWN elements' };
  }
  return {
    filter: {
      resourceType,
      name: c.resourceName,
      patternType,
      principal: c.principal,
      host: c.host,
      operation,
      permissionType,
    },
  };
}

/** Kafka's ResourcePatternFilter.matches. */
export function patternMatches(f: AclBindingFilter, p: ResourcePattern): boolean {
  if (f.resourceType !== 'ANY' && f.resourceType !== p.resourceType) return false;
  if (f.patternType !== 'ANY' && f.patternType !== 'MATCH' && f.patternType !== p.patternType) {
    return false;
  }
  if (f.name === null) return true;
  if (f.patternType === 'ANY' || f.patternType === p.patternType) return f.name === p.name;
  // MATCH: the patterns that would apply to a resource named f.name.
  return p.patternType === 'LITERAL'
    ? f.name === p.name || p.name === WILDCARD_RESOURCE
    : f.name.startsWith(p.name);
}

/** Kafka's AccessControlEntryFilter.matches. */
export function entryMatches(f: AclBindingFilter, e: AclEntry): boolean {
  return (
    (f.principal === null || f.principal === e.principal) &&
    (f.host === null || f.host === e.host) &&
    (f.operation === 'ANY' || f.operation === e.operation) &&
    (f.permissionType === 'ANY' || f.permissionType === e.permissionType)
  );
}

export function bindingMatches(f: AclBindingFilter, acl: Acl): boolean {
  return patternMatches(f, acl.pattern) && entryMatches(f, acl);
}

/** The one pattern a filter can match, if it can match only one (matchesAtMostOne). */
export function singlePatternOf(f: AclBindingFilter): ResourcePattern | undefined {
  if (f.resourceType === 'ANY' || f.name === null) return undefined;
  if (f.patternType !== 'LITERAL' && f.patternType !== 'PREFIXED') return undefined;
  return { resourceType: f.resourceType, name: f.name, patternType: f.patternType };
}

export function samePattern(a: ResourcePattern, b: ResourcePattern): boolean {
  return a.resourceType === b.resourceType && a.name === b.name && a.patternType === b.patternType;
}
