/**
 * The login of an HTTP port (the coordinator's admin port, the dashboard): one user, given as
 * a ZooKeeper digest id `user:base64(sha1(user:password))` (DigestAuthenticationProvider's
 * form, what `npx coordinator digest user:password` prints), so that no password is kept in a
 * flag or a config file. A request logs in with HTTP Basic credentials, or in ZooKeeper 3.9's
 * form `Authorization: digest user:password`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The `user:password` an Authorization header carries (Basic, or ZooKeeper 3.9's digest). */
export function credentialsOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (basic) return Buffer.from(basic[1]!, 'base64').toString('utf8');
  const digest = /^digest\s+(.+)$/i.exec(header);
  return digest ? digest[1]!.trim() : undefined;
}

/** The digest id of `user:password` (DigestAuthenticationProvider.generateDigest). */
export function digestId(userPassword: string): string {
  const colon = userPassword.indexOf(':');
  if (colon <= 0) throw new Error('a login is user:password');
  const hash = createHash('sha1').update(userPassword).digest('base64');
  return `${userPassword.slice(0, colon)}:${hash}`;
}

/** Does `userPassword` hash to the digest id `login` (DigestAuthenticationProvider's rule)? */
export function matchesLogin(userPassword: string, login: string): boolean {
  if (userPassword.indexOf(':') <= 0) return false;
  const given = Buffer.from(digestId(userPassword));
  const wanted = Buffer.from(login);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Is `login` a digest id, `user:` and a base64 SHA-1 (28 characters)? */
export function isDigestId(login: string): boolean {
  return /^[^:]+:[A-Za-z0-9+/]{27}=$/.test(login);
}

/**
 * Whether `req` has logged in as `login`: `missing` without credentials, `refused` with
 * wrong ones (the caller answers 401 with `LOGIN_CHALLENGE` and logs why).
 */
export function checkLogin(req: IncomingMessage, login: string): 'ok' | 'missing' | 'refused' {
  const given = credentialsOf(req);
  if (given === undefined) return 'missing';
  return matchesLogin(given, login) ? 'ok' : 'refused';
}

/** The WWW-Authenticate header of a 401, so that a browser asks for the password. */
export function loginChallenge(realm: string): string {
  return `Basic realm="${realm}", charset="UTF-8"`;
}
