/**
 * broker/security/acl-cache.ts against a real coordinator process: the cache loads every ACL
 * once, then applies each change notification by reading only the pattern it names (a second
 * broker's cache sees the first one's writes), falls back to a full read for a notification it
 * cannot parse, and deletes notifications older than 15 minutes.
 */
import t from 'tap';
import { join } from 'node:path';
import {
  AclCache,
  ACL_CHANGE_EXPIRATION_MS,
  parseNotification,
} from '../../../broker/security/acl-cache.js';
import { ManualClock } from '../../../src/clock.js';
import { CoordinatorClient } from '../../../src/coordinator-client/client.js';
import { silentLogger } from '../../../src/logger.js';
import { AclZNodes, type AclEntry, type ResourcePattern } from '../../../src/security/acl.js';
import { changeAcls } from '../../../src/security/acl-store.js';
import { daemonDataDir, startCoordinatorProcess } from '../../helpers/processes.js';
import { waitFor } from '../../helpers/wait-for.js';

const settings = { superUsers: [], allowEveryoneIfNoAclFound: false };
const alice: AclEntry = {
  principal: 'User:alice',
  permissionType: 'Allow',
  operation: 'Read',
  host: '*',
};
const topic = (name: string): ResourcePattern => ({
  resourceType: 'Topic',
  name,
  patternType: 'LITERAL',
});
const session = (principal: string) => ({
  listenerName: 'PLAINTEXT',
  securityProtocol: 'PLAINTEXT' as const,
  principal,
  clientHost: '127.0.0.1',
  authenticated: true,
  sasl: undefined,
  closeAfterResponse: undefined,
});

t.test('notifications name one pattern: parsed as Kafka 2.8 writes them', async (t) => {
  t.same(parseNotification(AclZNodes.literalChanges, Buffer.from('Topic:a:b')), topic('a:b'));
  const prefixed: ResourcePattern = { resourceType: 'Group', name: 'g-', patternType: 'PREFIXED' };
  t.same(
    parseNotification(AclZNodes.extendedChanges, AclZNodes.changeNotification(prefixed).data),
    prefixed,
  );
  t.equal(parseNotification(AclZNodes.literalChanges, Buffer.from('Nothing:x')), undefined);
  t.equal(parseNotification(AclZNodes.extendedChanges, Buffer.from('{')), undefined);
  t.equal(parseNotification(AclZNodes.literalChanges, null), undefined);
});

t.test('two caches on a coordinator process', async (t) => {
  const coordinator = await startCoordinatorProcess({ dataDir: join(daemonDataDir(t), 'c') });
  t.teardown(() => coordinator.kill('SIGKILL'));
  const connect = async (): Promise<CoordinatorClient> => {
    const zk = new CoordinatorClient(`127.0.0.1:${coordinator.port}`);
    await zk.connect();
    t.teardown(() => zk.close());
    return zk;
  };
  const admin = await connect();
  await changeAcls(admin, topic('before'), { add: [alice], remove: [] });

  const clock = new ManualClock(Date.now());
  const caches = [await connect(), await connect()].map(
    (zk) => new AclCache({ zk: () => zk, settings, logger: silentLogger(), clock }),
  );
  for (const cache of caches) await cache.start();
  t.teardown(() => caches.forEach((c) => c.close()));
  const [one, two] = caches as [AclCache, AclCache];
  t.same(one.reads, { all: 1, patterns: 0 }, 'start: one full read, the old notification skipped');
  t.ok(one.check(session('User:alice'), 'Read', 'Topic', 'before'), 'loaded at start');

  const changedAt = Date.now();
  await changeAcls(admin, topic('t1'), { add: [alice], remove: [] });
  await waitFor('both caches see the new ACL', () =>
    caches.every((c) => c.check(session('User:alice'), 'Read', 'Topic', 't1')),
  );
  t.comment(`the change reached both caches ${Date.now() - changedAt} ms after changeAcls began`);
  t.same(two.reads, { all: 1, patterns: 1 }, 'a change is one read of its pattern');
  t.notOk(two.check(session('User:bob'), 'Read', 'Topic', 't1'), 'only the principal named');

  await changeAcls(admin, topic('t1'), { add: [], remove: [alice] });
  await waitFor('the removal reaches both', () =>
    caches.every((c) => !c.check(session('User:alice'), 'Read', 'Topic', 't1')),
  );
  t.ok(two.check(session('User:alice'), 'Read', 'Topic', 'before'), 'other patterns are kept');
  t.equal(two.reads.all, 1, 'still no full read');

  // A notification nobody can parse: the cache reads everything again.
  await admin.create(`${AclZNodes.literalChanges}/${AclZNodes.changePrefix}`, 'garbage', {
    mode: 'persistent_sequential',
  });
  await waitFor('a full read after the unreadable notification', () => two.reads.all === 2);

  // Fifteen minutes after the newest notification so far, the next pass deletes it and every
  // older one, and keeps its own (created later).
  let newest = 0;
  for (const child of await admin.getChildren(AclZNodes.literalChanges)) {
    const { stat } = await admin.getData(`${AclZNodes.literalChanges}/${child}`);
    newest = Math.max(newest, Number(stat.ctime));
  }
  clock.advance(newest + ACL_CHANGE_EXPIRATION_MS + 1 - clock.nowMs());
  await changeAcls(admin, topic('t2'), { add: [alice], remove: [] });
  await waitFor('t2 reaches both', () =>
    caches.every((c) => c.check(session('User:alice'), 'Read', 'Topic', 't2')),
  );
  const left = await waitFor('the expired notifications are deleted', async () => {
    const children = await admin.getChildren(AclZNodes.literalChanges);
    return children.length === 1 ? children : undefined;
  });
  const { data } = await admin.getData(`${AclZNodes.literalChanges}/${left[0]!}`);
  t.equal(data?.toString(), 'Topic:t2', 'only the newest notification is left');
});
