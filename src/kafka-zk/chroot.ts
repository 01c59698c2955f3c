/**
 * A broker's `zookeeper.connect` may end in a chroot (`zk1:2181,zk2:2181/cluster-a`) so that
 * several Kafka clusters share one ZooKeeper ensemble. The client roots every path there
 * (src/coordinator-client/chroot.ts) but, as in ZooKeeper, the chroot node must exist. Kafka
 * 2.8's broker creates it at start-up (KafkaServer.initZkClient: makeSurePersistentPathExists
 * through a client without the chroot); this does the same.
 */
import { CoordinatorClient, type CoordinatorClientOptions } from '../coordinator-client/client.js';
import { parseChroot } from '../coordinator-client/connect-string.js';
import { ensurePath } from '../coordinator-client/recipes/ensure-path.js';

/** Creates the chroot of `connectString` (and its parents) if it names one and it is missing. */
export async function ensureChroot(
  connectString: string,
  options: CoordinatorClientOptions,
): Promise<void> {
  const chroot = parseChroot(connectString);
  if (chroot === undefined) return;
  const bare = connectString.slice(0, connectString.indexOf('/'));
  const client = new CoordinatorClient(bare, options);
  try {
    await client.connect();
    await ensurePath(client, chroot);
  } finally {
    await client.close();
  }
}
