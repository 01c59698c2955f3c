/**
 * Kafka ACLs and how ZooKeeper-mode Kafka (2.8, AclAuthorizer) stores them, shared by the
 * broker (which enforces them) and `coordinator acls` (which edits them, as kafka-acls.sh
 * --authorizer-properties zookeeper.connect=... does).
 *
 * Storage, one znode per resource pattern, holding every ACL of that pattern:
 *   /kafka-acl/<ResourceType>/<name>                      literal patterns
 *   /kafka-acl-extended/prefixed/<ResourceType>/<prefix>  prefixed patterns
 *   data: {"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow",
 *                               "operation":"Read","host":"*"}]}
 * Change notifications, one sequential znode per changed pattern, which brokers watch:
 *   /kafka-acl-changes/acl_changes_<seq>           data "Topic:orders" (literal)
 *   /kafka-acl-extended-changes/acl_changes_<seq>  data {"version":1,"resourceType":"Topic",
 *                                                   "name":"orders-","patternType":"PREFIXED"}
 */

export const RESOURCE_TYPES = [
  'Topic',
  'Group',
  'Cluster',
  'TransactionalId',
  'DelegationToken',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** Kafka's AclOperation names as the ZooKeeper JSON writes them. */
export const OPERATIONS = [
  'All',
  'Read',
  'Write',
  'Create',
  'Delete',
  'Alter',
  'Describe',
  'ClusterAction',
  'DescribeConfigs',
  'AlterConfigs',
  'IdempotentWrite',
] as const;
export type Operation = (typeof OPERATIONS)[number];

export type PatternType = 'LITERAL' | 'PREFIXED';
export type PermissionType = 'Allow' | 'Deny';

/** The name of the cluster resource (Kafka's Resource.ClusterResourceName). */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';
/** A literal pattern named `*` matches every resource of its type. */
export const WILDCARD_RESOURCE = '*';

export interface ResourcePattern {
  resourceType: ResourceType;
  name: string;
  patternType: PatternType;
}

export interface AclEntry {
  /** `User:alice`, or `User:*` for everyone. */
  principal: string;
  permissionType: PermissionType;
  operation: Operation;
  /** A client address, or `*`. */
  host: string;
}

export interface Acl extends AclEntry {
  pattern: ResourcePattern;
}

export const AclZNodes = {
  literalRoot: '/kafka-acl',
  extendedRoot: '/kafka-acl-extended',
  literalChanges: '/kafka-acl-changes',
  extendedChanges: '/kafka-acl-extended-changes',
  changePrefix: 'acl_changes_',
  path(p: ResourcePattern): string {
    const tail = `${p.resourceType}/${p.name}`;
    return p.patternType === 'LITERAL'
      ? `/kafka-acl/${tail}`
      : `/kafka-acl-extended/prefixed/${tail}`;
  },
  /** Where a change of `p` is announced, and what the notification holds. */
  changeNotification(p: ResourcePattern): { path: string; data: Buffer } {
    if (p.patternType === 'LITERAL') {
      return {
        path: `/kafka-acl-changes/acl_changes_`,
        data: Buffer.from(`${p.resourceType}:${p.name}`),
      };
    }
    return {
      path: `/kafka-acl-extended-changes/acl_changes_`,
      data: Buffer.from(
        JSON.stringify({
          version: 1,
          resourceType: p.resourceType,
          name: p.name,
          patternType: p.patternType,
        }),
      ),
    };
  },
  encode(entries: readonly AclEntry[]): Buffer {
    return Buffer.from(JSON.stringify({ version: 1, acls: entries }));
  },
  decode(bytes: Buffer | null): AclEntry[] {
    if (bytes === null || bytes.length === 0) return [];
    const j = JSON.parse(bytes.toString('utf8')) as { acls?: unknown };
    if (!Array.isArray(j.acls)) return [];
    return j.acls.flatMap((a: Record<string, unknown>) => {
      const op = OPERATIONS.find((o) => o === a.operation);
      const perm = a.permissionType === 'Allow' || a.permissionType === 'Deny';
      if (op === undefined || !perm || typeof a.principal !== 'string') return [];
      return [
        {
          principal: a.principal,
          permissionType: a.permissionType as PermissionType,
          operation: op,
          host: typeof a.host === 'string' ? a.host : '*',
        },
      ];
    });
  },
};

/** Case-insensitive lookup of an operation name (`read`, `READ`, `Read`). */
export function operationNamed(name: string): Operation | undefined {
  const n = name.replace(/_/g, '').toLowerCase();
  return OPERATIONS.find((o) => o.toLowerCase() === n);
}
