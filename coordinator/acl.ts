/**
 * ACL rules of a create or setACL, as ZooKeeper 3.8 applies them (PrepRequestProcessor's
 * fixupACL and the authentication providers' `isValid`):
 *
 *   1. duplicates go: an entry equal to an earlier one (same perms, scheme and id) is dropped,
 *      keeping the first occurrence's place (ZOOKEEPER-1877, since 3.5);
 *   2. an empty list is InvalidACL;
 *   3. each entry must name a scheme the server knows, with an id that scheme accepts:
 *        world   only `anyone`
 *        auth    any id (ignored): stands for the identities the connection authenticated,
 *                and is expanded by the server before the node is written
 *        digest  `user:hash`, exactly one colon with text after it (Java's split(":") drops
 *                trailing empty parts, so `user:` is refused and `:hash` is accepted)
 *        ip      an IPv4 address `a.b.c.d` with each part 0..255, optionally `/bits` with
 *                bits 0..32 (ZooKeeper 3.8 has no IPv6 ACLs)
 *      anything else is InvalidACL.
 *
 * Pure functions on values; the data tree calls them before it changes anything.
 */
import { ErrorCode, KeeperError } from '../src/protocol/coordinator/errors.js';
import type { Acl } from '../src/protocol/coordinator/messages.js';

/** The entries of `acl` without repeats, in their first order (ZooKeeper's removeDuplicates). */
export function uniqueAcl(acl: readonly Acl[]): Acl[] {
  const seen = new Set<string>();
  const unique: Acl[] = [];
  for (const entry of acl) {
    // JSON keeps the three parts apart whatever characters the scheme and id contain.
    const key = JSON.stringify([entry.perms, entry.scheme, entry.id]);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(entry);
  }
  return unique;
}

/** Throws InvalidACL unless `acl` is a list ZooKeeper would accept (see the module comment). */
export function validateAcl(acl: readonly Acl[], path: string): void {
  if (acl.length === 0) throw new KeeperError(ErrorCode.INVALIDACL, path, 'empty ACL');
  for (const entry of acl) {
    const problem = aclEntryProblem(entry);
    if (problem !== undefined) {
      throw new KeeperError(ErrorCode.INVALIDACL, path, `${entry.scheme}:${entry.id}: ${problem}`);
    }
  }
}

function aclEntryProblem(entry: Acl): string | undefined {
  // ZooKeeper does not check perms; we keep the five defined bits, as a bitmask must be.
  if (!Number.isInteger(entry.perms) || entry.perms < 0 || entry.perms > 31)
    return `perms ${entry.perms} outside 0..31`;
  switch (entry.scheme) {
    case 'world':
      return entry.id === 'anyone' ? undefined : 'the world scheme has only the id anyone';
    case 'auth':
      return undefined;
    case 'digest':
      return isValidDigestId(entry.id) ? undefined : 'a digest id is user:base64(sha1)';
    case 'ip':
      return isValidIpId(entry.id) ? undefined : 'an ip id is a.b.c.d or a.b.c.d/bits';
    default:
      return 'unknown scheme';
  }
}

/** DigestAuthenticationProvider.isValid: `id.split(":").length == 2` in Java. */
export function isValidDigestId(id: string): boolean {
  const parts = id.split(':');
  // Java's split drops trailing empty strings ("a:" splits into ["a"]).
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.length === 2;
}

/** IPAuthenticationProvider.isValid in ZooKeeper 3.8: IPv4 with an optional prefix length. */
export function isValidIpId(id: string): boolean {
  const slash = id.indexOf('/');
  const address = slash === -1 ? id : id.slice(0, slash);
  const parts = address.split('.');
  if (parts.length !== 4) return false;
  if (!parts.every((part) => isJavaInt(part) && Number(part) >= 0 && Number(part) <= 255))
    return false;
  if (slash === -1) return true;
  const bits = id.slice(slash + 1);
  return isJavaInt(bits) && Number(bits) >= 0 && Number(bits) <= 32;
}

/** What Java's Integer.parseInt accepts: an optional sign and decimal digits, in int range. */
function isJavaInt(text: string): boolean {
  if (!/^[+-]?\d+$/.test(text)) return false;
  const value = Number(text);
  return value >= -(2 ** 31) && value <= 2 ** 31 - 1;
}
