/**
 * The prepare stage, after ZooKeeper's PrepRequestProcessor: a client's write becomes a txn
 * (ensemble/txn.ts) that can be applied on any server, at any later time, with the same
 * outcome. What depends on the connection is fixed here, because the apply stage only sees
 * the txn:
 *
 * - ACLs: repeated entries are dropped, and the `auth` scheme is replaced by every identity
 *   the connection has authenticated (ZooKeeper's fixupACL). `auth` with no identity fails
 *   here with INVALIDACL, before the write is proposed.
 * - The identities ACLs will be checked against (the client's `ip` and its digest ids).
 * - The session the write belongs to (ephemeral owner) and the time (ctime/mtime).
 * - The origin (server, run, sequence number), so the origin server can answer its client
 *   when the txn comes back committed.
 *
 * Deliberately NOT done here: the checks against the tree (NONODE, NODEEXISTS, BADVERSION,
 * NOAUTH, sequential names). ZooKeeper's PrepRequestProcessor runs them against the tree plus
 * its outstanding changes and proposes either a state change or an error txn; we propose the
 * request and let every server run the checks when it applies the txn (apply.ts). Since all
 * servers apply the same txns in the same order to the same tree, they reach the same outcome
 * everywhere; a client cannot tell the two designs apart. It keeps the prepare stage free of
 * a second, speculative copy of the tree.
 *
 * Pure functions: no clock, no I/O. KeeperError is thrown for a write that fails here.
 */
import { ErrorCode, KeeperError } from '../../src/protocol/coordinator/errors.js';
import type { Acl } from '../../src/protocol/coordinator/messages.js';
import { SUPER_IDENTITY, uniqueAcl, type Identity } from '../acl.js';
import type { CoordinatorTxn, TxnOrigin, WriteRequest } from '../ensemble/txn.js';

/** What the prepare stage knows of the connection a write came on. */
export interface Requester {
  /** `127.0.0.1:52344` */
  remoteAddress: string;
  /** Identities added by the connection's auth packets (`digest:user:hash`, `super:`). */
  authIds: readonly Acl[];
}

/**
 * The identities ACLs are checked against: the client's address (ZooKeeper gives every
 * connection an `ip` identity) and every digest identity its auth packets added.
 */
export function identitiesOf(requester: Requester): Identity[] {
  const ip = requester.remoteAddress.replace(/:\d+$/, '');
  return [{ scheme: 'ip', id: ip }, ...requester.authIds];
}

/**
 * Repeated entries are dropped first (ZooKeeper since 3.5); then the `auth` ACL scheme
 * stands for every identity the connection has authenticated.
 */
export function expandAcl(requester: Requester, requested: Acl[], path: string): Acl[] {
  const acl = requested.length > 1 ? uniqueAcl(requested) : requested;
  if (!acl.some((a) => a.scheme === 'auth')) return acl;
  // The super identity has no provider in ZooKeeper, so fixupACL never expands to it.
  const expandable = requester.authIds.filter((id) => id.scheme !== SUPER_IDENTITY.scheme);
  if (expandable.length === 0) {
    throw new KeeperError(
      ErrorCode.INVALIDACL,
      path,
      'auth scheme without an authenticated identity',
    );
  }
  return acl.flatMap((a) =>
    a.scheme === 'auth' ? expandable.map((id) => ({ ...id, perms: a.perms })) : [a],
  );
}

/** The request with every ACL in it expanded (create, setACL, and the creates of a multi). */
export function expandRequestAcls(requester: Requester, request: WriteRequest): WriteRequest {
  switch (request.op) {
    case 'create':
    case 'setACL':
      return { ...request, acl: expandAcl(requester, request.acl, request.path) };
    case 'multi':
      return {
        ...request,
        ops: request.ops.map((op) =>
          op.op === 'create' ? { ...op, acl: expandAcl(requester, op.acl, op.path) } : op,
        ),
      };
    case 'delete':
    case 'setData':
      return request;
  }
}

export interface PrepareOptions {
  requester: Requester;
  origin: TxnOrigin;
  sessionId: bigint;
  timeMs: number;
}

/** A client's write or `close` as a txn. Throws KeeperError (INVALIDACL) for a bad ACL. */
export function prepareWrite(
  request: WriteRequest | { op: 'close' },
  options: PrepareOptions,
): CoordinatorTxn {
  const { requester, origin, sessionId, timeMs } = options;
  if (request.op === 'close') {
    return { type: 'closeSession', origin, sessionId, reason: 'closed by client' };
  }
  return {
    type: 'write',
    origin,
    sessionId,
    request: expandRequestAcls(requester, request),
    ids: identitiesOf(requester),
    timeMs,
  };
}
