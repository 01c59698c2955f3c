/**
 * What the coordinator puts through Zab: one `CoordinatorTxn` per log entry. Every server
 * applies committed txns in zxid order to its own data tree (CoordinatorServer.applyCommitted).
 *
 * A write txn carries the client's request as the origin server prepared it (ACLs expanded
 * from the connection's identities, the identities themselves, the session and the time), and
 * every server re-executes it against its tree at the txn's zxid. The checks (NodeExists,
 * BadVersion, NoAuth...) run at apply time; since every server applies the same txns in the
 * same order to the same tree, they give the same outcome everywhere, including the same
 * failure. (ZooKeeper's leader instead turns the request into a state-change txn or an error
 * txn in its PrepRequestProcessor; the outcome for clients is the same.)
 *
 * `origin` says which server and which of its requests the txn answers: that server replies
 * to its client when it applies the txn. `run` tells a server's runs apart, so a restarted
 * server replaying its old txns never mistakes them for requests of its current run.
 */
import type { Request } from '../../src/protocol/coordinator/messages.js';
import type { Identity } from '../acl.js';

export interface TxnOrigin {
  server: number;
  run: number;
  seq: number;
}

export type WriteRequest = Extract<
  Request,
  { op: 'create' | 'delete' | 'setData' | 'setACL' | 'multi' }
>;

export type CoordinatorTxn =
  | {
      type: 'createSession';
      origin: TxnOrigin;
      sessionId: bigint;
      timeoutMs: number;
      password: Buffer;
    }
  | { type: 'closeSession'; origin?: TxnOrigin; sessionId: bigint; reason: string }
  | {
      type: 'write';
      origin?: TxnOrigin;
      /** 0n for the server's own writes (container and TTL clean-up). */
      sessionId: bigint;
      request: WriteRequest;
      /** The connection's identities for ACL checks; absent for the server's own writes. */
      ids?: Identity[];
      timeMs: number;
    };
