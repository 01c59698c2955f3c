/**
 * Container and TTL nodes are cleaned up by the server's periodic task through the normal
 * write path, so watchers see NodeDeleted (ZooKeeper's ContainerManager).
 */
import t from 'tap';
import { startCoordinator } from '../../coordinator/main.js';
import { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { silentLogger } from '../../src/logger.js';

t.test(
  'an emptied container and an expired TTL node are deleted, with NodeDeleted events',
  async (t) => {
    const coord = await startCoordinator({
      port: 0,
      adminPort: -1,
      dataDir: t.testdir(),
      containerCheckIntervalMs: 100,
      extendedTypesEnabled: true,
      logger: silentLogger(),
    });
    t.teardown(() => coord.close());
    const client = new CoordinatorClient(`127.0.0.1:${coord.port}`);
    await client.connect();
    t.teardown(() => client.close());

    await client.create('/box', null, { mode: 'container' });
    t.equal(
      (await client.exists('/box'))!.ephemeralOwner,
      0n,
      'containers report ephemeralOwner 0',
    );
    await new Promise((r) => setTimeout(r, 300));
    t.ok(await client.exists('/box'), 'a container that never had a child stays');
    await client.create('/box/item');
    const deleted = new Promise<string>(
      (resolve) => void client.exists('/box', (e) => resolve(e.type)),
    );
    await client.delete('/box/item');
    t.equal(await deleted, 'NodeDeleted', 'the empty container went away');

    await client.create('/short-lived', 'x', { mode: 'persistent_with_ttl', ttlMs: 200 });
    t.ok(await client.exists('/short-lived'));
    const expired = new Promise<string>(
      (resolve) => void client.exists('/short-lived', (e) => resolve(e.type)),
    );
    t.equal(await expired, 'NodeDeleted', 'the TTL node was deleted after its TTL');
  },
);
