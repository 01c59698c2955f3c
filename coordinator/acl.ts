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
 * Permission checks (ZooKeeper's checkACL, below) use the identities of the connection:
 * always `ip:<client address>`, plus one `digest:user:hash` per successful auth packet, plus
 * `super:` when a digest matched the configured super digest (which passes every check).
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

/** Who is asking: a connection's identities (`ip:127.0.0.1`, `digest:user:hash`, ...). */
export interface Identity {
  scheme: string;
  id: string;
}

/**
 * The identity a connection gets when its digest auth matches the configured super digest
 * (ZooKeeper's `Id("super", "")`): it passes every check, whatever the ACL says.
 */
export const SUPER_IDENTITY: Readonly<Identity> = Object.freeze({ scheme: 'super', id: '' });

/**
 * Does `acl` grant `perm` (one of Perms) to any of `ids`? ZooKeeper's checkACL: the super
 * identity is granted everything; an empty list grants everything; an entry grants its
 * perms to `world:anyone`, to an equal digest id, or to a client address inside its `ip` range.
 */
export function hasPermission(
  acl: readonly Acl[],
  perm: number,
  ids: readonly Identity[],
): boolean {
  if (ids.some((who) => who.scheme === SUPER_IDENTITY.scheme)) return true;
  if (acl.length === 0) return true;
  for (const entry of acl) {
    if ((entry.perms & perm) === 0) continue;
    if (entry.scheme === 'world' && entry.id === 'anyone') return true;
    for (const who of ids) {
      if (who.scheme !== entry.scheme) continue;
      if (entry.scheme === 'ip' ? ipMatches(who.id, entry.id) : who.id === entry.id) return true;
    }
  }
  return false;
}

/** Throws NoAuth unless `acl` grants `perm` to one of `ids`. */
export function requirePermission(
  acl: readonly Acl[],
  perm: number,
  ids: readonly Identity[],
  path: string,
): void {
  if (!hasPermission(acl, perm, ids)) throw new KeeperError(ErrorCode.NOAUTH, path);
}

/** IPAuthenticationProvider.matches: `address` inside `a.b.c.d[/bits]`. IPv4 only, as 3.8. */
export function ipMatches(address: string, aclExpr: string): boolean {
  if (!isValidIpId(aclExpr)) return false;
  const client = ipv4Bits(address.replace(/^::ffff:/, ''));
  if (client === undefined) return false;
  const slash = aclExpr.indexOf('/');
  const network = ipv4Bits(slash === -1 ? aclExpr : aclExpr.slice(0, slash))!;
  const bits = slash === -1 ? 32 : Number(aclExpr.slice(slash + 1));
  // Shifting by 32 is a no-op in JavaScript, so /0 needs its own case.
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (client & mask) >>> 0 === (network & mask) >>> 0;
}

function ipv4Bits(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^[+-]?\d+$/.test(p))) return undefined;
  const bytes = parts.map(Number);
  if (bytes.some((b) => b < 0 || b > 255)) return undefined;
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}
