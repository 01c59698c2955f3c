/**
 * ensurePath: make sure a node and all its ancestors exist (`mkdir -p`), like kazoo's
 * `ensure_path` and Curator's `ZKPaths.mkdirs`.
 *
 * How: one `exists` for the common case (the path is already there); otherwise a create for
 * every prefix, `/a`, `/a/b`, `/a/b/c`, all sent at once without waiting for each other. This
 * is safe only because the server applies one session's requests in the order they were sent
 * (ZooKeeper's FIFO client order): `/a` is created before the create of `/a/b` is looked at.
 * Each create may fail with NODEEXISTS (the node was there, or another client made it first),
 * which is success for us. Pipelining turns a depth-d path into one round trip instead of d.
 *
 * Connection loss: creating a persistent node is idempotent once NODEEXISTS counts as
 * success, so the whole thing is retried after a reconnect.
 */
import { ErrorCode, hasCode } from '../../protocol/coordinator/errors.js';
import type { Acl } from '../../protocol/coordinator/messages.js';
import type { CoordinatorClient, NodeData } from '../client.js';
import { retryOnConnectionLoss } from './retry.js';

export interface EnsurePathOptions {
  /** Data for nodes this call creates (every level); existing nodes are not touched. */
  data?: NodeData;
  acl?: readonly Acl[];
}

/** `/a/b/c` -> [`/a`, `/a/b`, `/a/b/c`]; `/` -> []. */
export function pathPrefixes(path: string): string[] {
  if (!path.startsWith('/')) throw new Error(`path must start with /: ${JSON.stringify(path)}`);
  const segments = path.split('/').filter((s) => s.length > 0);
  return segments.map((_, i) => '/' + segments.slice(0, i + 1).join('/'));
}

export async function ensurePath(
  client: CoordinatorClient,
  path: string,
  options: EnsurePathOptions = {},
): Promise<void> {
  const prefixes = pathPrefixes(path);
  if (prefixes.length === 0) return; // the root always exists
  await retryOnConnectionLoss(client, async () => {
    if ((await client.exists(path)) !== null) return;
    const creates = prefixes.map((prefix) =>
      client.create(prefix, options.data ?? null, { acl: options.acl }).catch((err: unknown) => {
        if (!hasCode(err, ErrorCode.NODEEXISTS)) throw err;
      }),
    );
    // allSettled first so no rejection is left unobserved, then report the first failure.
    const settled = await Promise.allSettled(creates);
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
  });
}
