/**
 * The ACLs Kafka gives the znodes it creates when `zookeeper.set.acl=true` (Kafka 2.8's
 * ZkData.defaultAcls): every node is CREATOR_ALL_ACL (all permissions for the identities
 * that created it, the ACL scheme `auth`, which the server expands to the creator's
 * authenticated ids), plus READ_ACL_UNSAFE (world may read) unless the path is sensitive:
 * /config/users (SCRAM credentials), /config/brokers and /delegation_token are readable by
 * the creator only. The old consumers' /consumers stays open to all, as in Kafka 2.8, since
 * old consumers wrote under it themselves.
 *
 * All brokers must authenticate as the same identity: a node one broker created (a
 * partition's state, /controller_epoch) is later changed by another.
 */
import { Perms, OPEN_ACL_UNSAFE, type Acl } from '../protocol/coordinator/messages.js';

/** ZooDefs.Ids.CREATOR_ALL_ACL: the `auth` scheme, all permissions. */
export const CREATOR_ALL_ACL: readonly Acl[] = Object.freeze([
  { perms: Perms.ALL, scheme: 'auth', id: '' },
]);
/** ZooDefs.Ids.READ_ACL_UNSAFE: anyone may read. */
export const READ_ACL_UNSAFE: readonly Acl[] = Object.freeze([
  { perms: Perms.READ, scheme: 'world', id: 'anyone' },
]);

/** ZkData.SensitiveRootPaths: what only the brokers may read. */
export const SENSITIVE_ROOT_PATHS: readonly string[] = [
  '/config/users',
  '/config/brokers',
  '/delegation_token',
];

/** ConsumerPathZNode.path: left open (see the module comment). */
const CONSUMERS_PATH = '/consumers';

/** ZkData.sensitivePath: a prefix match, as Kafka's `path.startsWith`. */
export function isSensitivePath(path: string): boolean {
  return SENSITIVE_ROOT_PATHS.some((root) => path.startsWith(root));
}

/** ZkData.defaultAcls(isSecure, path). */
export function kafkaDefaultAcls(secure: boolean, path: string): readonly Acl[] {
  if (!secure || path === CONSUMERS_PATH) return OPEN_ACL_UNSAFE;
  return isSensitivePath(path) ? CREATOR_ALL_ACL : [...CREATOR_ALL_ACL, ...READ_ACL_UNSAFE];
}
