/**
 * Reading and changing Kafka ACLs in the coordinator, the one code path behind both
 * `coordinator acls` (kafka-acls.sh --authorizer-properties zookeeper.connect=...) and the
 * broker's CreateAcls / DeleteAcls APIs (broker/security/acl-apis.ts). src/security/acl.ts has
 * the znode layout.
 *
 * A change, as Kafka 2.8's AclAuthorizer.updateResourceAcls makes it:
 *   1. read the pattern's znode (its entries and version; none if it does not exist);
 *   2. compute the new entries;
 *   3. unchanged: stop (no write, no notification);
 *      empty: delete the znode (conditional on the version read);
 *      else: create it, or set it conditional on the version read;
 *   4. on a conflict (BadVersion, NodeExists, NoNode: someone changed the pattern meanwhile)
 *      go back to 1, at most UPDATE_ATTEMPTS_MAX times;
 *   5. write the change notification every broker's ACL cache watches.
 */
import type { CoordinatorClient } from '../coordinator-client/client.js';
import { ensurePath } from '../coordinator-client/recipes/ensure-path.js';
import { ErrorCode, hasCode } from '../protocol/coordinator/errors.js';
import {
  AclZNodes,
  RESOURCE_TYPES,
  type Acl,
  type AclEntry,
  type PatternType,
  type ResourcePattern,
} from './acl.js';

/** How often a change is retried after a concurrent change of the same pattern. */
export const UPDATE_ATTEMPTS_MAX = 10;

export const sameAclEntry = (a: AclEntry, b: AclEntry): boolean =>
  a.principal === b.principal &&
  a.permissionType === b.permissionType &&
  a.operation === b.operation &&
  a.host === b.host;

/** The entries of one pattern and the znode version (undefined: no znode). */
export async function readResourceAcls(
  zk: CoordinatorClient,
  pattern: ResourcePattern,
): Promise<{ entries: AclEntry[]; version: number | undefined }> {
  try {
    const { data, stat } = await zk.getData(AclZNodes.path(pattern));
    return { entries: AclZNodes.decode(data), version: stat.version };
  } catch (err) {
    if (hasCode(err, ErrorCode.NONODE)) return { entries: [], version: undefined };
    throw err;
  }
}

async function childrenOrEmpty(zk: CoordinatorClient, path: string): Promise<string[]> {
  try {
    return await zk.getChildren(path);
  } catch (err) {
    if (hasCode(err, ErrorCode.NONODE)) return [];
    throw err;
  }
}

/** Every resource pattern that has a znode, literal ones first, by type, then name. */
export async function listResourcePatterns(zk: CoordinatorClient): Promise<ResourcePattern[]> {
  const patterns: ResourcePattern[] = [];
  const roots: [PatternType, string][] = [
    ['LITERAL', AclZNodes.literalRoot],
    ['PREFIXED', `${AclZNodes.extendedRoot}/prefixed`],
  ];
  for (const [patternType, root] of roots) {
    for (const resourceType of RESOURCE_TYPES) {
      const names = await childrenOrEmpty(zk, `${root}/${resourceType}`);
      for (const name of names.sort()) patterns.push({ resourceType, name, patternType });
    }
  }
  return patterns;
}

/** Reads every ACL from the coordinator. */
export async function readAllAcls(zk: CoordinatorClient): Promise<Acl[]> {
  const acls: Acl[] = [];
  for (const pattern of await listResourcePatterns(zk)) {
    const { entries } = await readResourceAcls(zk, pattern);
    for (const entry of entries) acls.push({ ...entry, pattern });
  }
  return acls;
}

/** What one change did: the entries before and after (equal when nothing changed). */
export interface AclUpdate {
  before: AclEntry[];
  after: AclEntry[];
  changed: boolean;
}

const CONFLICTS = [ErrorCode.BADVERSION, ErrorCode.NODEEXISTS, ErrorCode.NONODE] as const;

/** Steps 1-5 of the module comment, with `change` computing the new entries from the old. */
export async function updateResourceAcls(
  zk: CoordinatorClient,
  pattern: ResourcePattern,
  change: (current: readonly AclEntry[]) => AclEntry[],
): Promise<AclUpdate> {
  const path = AclZNodes.path(pattern);
  for (let attempt = 1; ; attempt++) {
    const { entries: before, version } = await readResourceAcls(zk, pattern);
    const after = change(before);
    const changed =
      after.length !== before.length || after.some((e, i) => !sameAclEntry(e, before[i]!));
    if (!changed) return { before, after, changed };
    try {
      if (version === undefined) {
        await ensurePath(zk, path.slice(0, path.lastIndexOf('/')));
        await zk.create(path, AclZNodes.encode(after));
      } else if (after.length === 0) {
        await zk.delete(path, version);
      } else {
        await zk.setData(path, AclZNodes.encode(after), version);
      }
    } catch (err) {
      const conflict = CONFLICTS.some((code) => hasCode(err, code));
      if (conflict && attempt < UPDATE_ATTEMPTS_MAX) continue;
      throw err;
    }
    const notification = AclZNodes.changeNotification(pattern);
    await ensurePath(zk, notification.path.slice(0, notification.path.lastIndexOf('/')));
    await zk.create(notification.path, notification.data, { mode: 'persistent_sequential' });
    return { before, after, changed };
  }
}

/** Adds and removes entries of one pattern (what `coordinator acls --add/--remove` does). */
export async function changeAcls(
  zk: CoordinatorClient,
  pattern: ResourcePattern,
  edit: { add: readonly AclEntry[]; remove: readonly AclEntry[] },
): Promise<AclEntry[]> {
  const { after } = await updateResourceAcls(zk, pattern, (current) => {
    let next = current.filter((e) => !edit.remove.some((r) => sameAclEntry(e, r)));
    for (const a of edit.add) if (!next.some((e) => sameAclEntry(e, a))) next = [...next, a];
    return next;
  });
  return after;
}
