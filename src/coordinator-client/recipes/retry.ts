/**
 * Helpers the recipes share for living with connection loss.
 *
 * ZooKeeper's contract: CONNECTIONLOSS means "the outcome is unknown" (the request may or may
 * not have been applied), while the session, its ephemerals and its watches survive if the
 * client reconnects within the session timeout. SESSIONEXPIRED means everything the session
 * owned is gone. So recipes retry an operation after a CONNECTIONLOSS once the client is
 * connected again, provided the operation is safe to repeat (reads, creates whose node name
 * identifies the caller, deletes that tolerate NONODE), and give up on SESSIONEXPIRED.
 */
import { ErrorCode, hasCode, KeeperError } from '../../protocol/coordinator/errors.js';
import type { CoordinatorClient, NodeData } from '../client.js';

/** Resolves when the client is connected; rejects with SESSIONEXPIRED if it never will be. */
export function waitForConnected(client: CoordinatorClient): Promise<void> {
  if (client.state === 'connected') return Promise.resolve();
  if (client.state === 'expired' || client.state === 'closed' || client.state === 'idle') {
    return Promise.reject(
      new KeeperError(ErrorCode.SESSIONEXPIRED, undefined, `client is ${client.state}`),
    );
  }
  return new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      client.off('connected', onConnected);
      client.off('expired', onGone);
      client.off('closed', onGone);
    };
    const onConnected = (): void => {
      cleanup();
      resolve();
    };
    const onGone = (): void => {
      cleanup();
      reject(new KeeperError(ErrorCode.SESSIONEXPIRED, undefined, `client is ${client.state}`));
    };
    client.on('connected', onConnected);
    client.on('expired', onGone);
    client.on('closed', onGone);
  });
}

export function isConnectionLoss(err: unknown): boolean {
  return hasCode(err, ErrorCode.CONNECTIONLOSS);
}

/**
 * Run `operation`; on CONNECTIONLOSS wait for the reconnect and run it again, at most
 * `attemptsMax` times. Only for operations that are safe to repeat (see the header).
 */
export async function retryOnConnectionLoss<T>(
  client: CoordinatorClient,
  operation: () => Promise<T>,
  attemptsMax = 10,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (err) {
      if (!isConnectionLoss(err) || attempt >= attemptsMax) throw err;
      await waitForConnected(client);
    }
  }
}

/**
 * Creates the EPHEMERAL_SEQUENTIAL node `<parentPath>/<prefix><sequence>` and returns its name
 * (without the parent). `prefix` must be unique to the caller (the recipes put a GUID in it),
 * because a create can be applied by the server while its reply is lost to a CONNECTIONLOSS: a
 * blind retry would leave the first node behind, alive as long as our session, ahead of every
 * other contender. So after reconnecting we first look for a child with our prefix and only
 * create again if there is none. (Curator calls this a "protected" create.)
 */
export async function createProtectedSequential(
  client: CoordinatorClient,
  parentPath: string,
  prefix: string,
  data: NodeData,
): Promise<string> {
  for (;;) {
    try {
      const path = await client.create(`${parentPath}/${prefix}`, data, {
        mode: 'ephemeral_sequential',
      });
      return path.slice(parentPath.length + 1);
    } catch (err) {
      if (!isConnectionLoss(err)) throw err;
      await waitForConnected(client);
      const mine = (await client.getChildren(parentPath)).find((n) => n.startsWith(prefix));
      if (mine !== undefined) return mine;
    }
  }
}

/**
 * The sequence number ZooKeeper appended to a sequential node's name: its last 10 digits
 * (`%010d`). Recipes sort by it, never by the whole name, because their prefixes contain
 * GUIDs. Careful: the separator before the digits is often `-` (`...-lock-0000000001`), so it
 * must not be read as a minus sign. The parent's counter would only turn negative after 2^31
 * creates under one node, which these recipes do not handle (nor do kazoo's).
 */
export function sequenceOf(name: string): number {
  const match = /(\d{10})$/.exec(name);
  if (!match) return Number.NaN;
  return Number(match[1]);
}

/** Names that end in a sequence number, ordered by it (lowest first). */
export function sortBySequence(names: readonly string[]): string[] {
  return names
    .filter((n) => !Number.isNaN(sequenceOf(n)))
    .sort((a, b) => sequenceOf(a) - sequenceOf(b));
}
