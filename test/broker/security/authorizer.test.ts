import t from 'tap';
import {
  authorize,
  authorizeByResourceType,
  type AuthorizerSettings,
} from '../../../broker/security/authorizer.js';
import type { Acl, AclEntry, ResourcePattern } from '../../../src/security/acl.js';
import { AclZNodes } from '../../../src/security/acl.js';

const settings: AuthorizerSettings = {
  superUsers: ['User:admin'],
  allowEveryoneIfNoAclFound: false,
};
const topic = (name: string, patternType: 'LITERAL' | 'PREFIXED' = 'LITERAL'): ResourcePattern => ({
  resourceType: 'Topic',
  name,
  patternType,
});
const acl = (pattern: ResourcePattern, e: Partial<AclEntry>): Acl => ({
  pattern,
  principal: 'User:alice',
  permissionType: 'Allow',
  operation: 'Read',
  host: '*',
  ...e,
});
const ask = (
  acls: Acl[],
  principal: string,
  operation: Acl['operation'],
  name: string,
  host = '10.0.0.1',
) =>
  authorize(acls, settings, {
    principal,
    host,
    operation,
    resourceType: 'Topic',
    resourceName: name,
  });

t.test('literal, wildcard and prefixed patterns; deny wins; implied Describe', async (t) => {
  const acls = [
    acl(topic('orders'), { operation: 'Write' }),
    acl(topic('orders-', 'PREFIXED'), { principal: 'User:svc', operation: 'All' }),
    acl(topic('*'), { principal: 'User:*', operation: 'Describe' }),
    acl(topic('orders'), {
      principal: 'User:alice',
      permissionType: 'Deny',
      operation: 'Write',
      host: '10.0.0.9',
    }),
  ];
  t.equal(ask(acls, 'User:alice', 'Write', 'orders'), true, 'literal allow');
  t.equal(ask(acls, 'User:alice', 'Write', 'orders', '10.0.0.9'), false, 'a matching deny wins');
  t.equal(ask(acls, 'User:alice', 'Read', 'orders'), false, 'Write does not give Read');
  t.equal(ask(acls, 'User:bob', 'Describe', 'orders'), true, 'wildcard resource and principal');
  t.equal(ask(acls, 'User:svc', 'Read', 'orders-eu'), true, 'prefixed pattern, operation All');
  t.equal(ask(acls, 'User:svc', 'Read', 'orders'), false, '"orders" does not start with "orders-"');
  t.equal(ask(acls, 'User:admin', 'Delete', 'anything'), true, 'super users may do everything');
  const implied = [acl(topic('payments'), { operation: 'Read' })];
  t.equal(ask(implied, 'User:alice', 'Describe', 'payments'), true, 'Read implies Describe');
});

t.test('no ACL on a resource: allow.everyone.if.no.acl.found decides', async (t) => {
  t.equal(ask([], 'User:alice', 'Read', 'open'), false);
  t.equal(
    authorize(
      [],
      { ...settings, allowEveryoneIfNoAclFound: true },
      {
        principal: 'User:alice',
        host: 'h',
        operation: 'Read',
        resourceType: 'Topic',
        resourceName: 'open',
      },
    ),
    true,
  );
});

t.test("ZooKeeper-mode Kafka's znode layout", async (t) => {
  t.equal(AclZNodes.path(topic('orders')), '/kafka-acl/Topic/orders');
  t.equal(
    AclZNodes.path(topic('orders-', 'PREFIXED')),
    '/kafka-acl-extended/prefixed/Topic/orders-',
  );
  t.same(AclZNodes.changeNotification(topic('orders')), {
    path: '/kafka-acl-changes/acl_changes_',
    data: Buffer.from('Topic:orders'),
  });
  const entry: AclEntry = {
    principal: 'User:alice',
    permissionType: 'Allow',
    operation: 'Read',
    host: '*',
  };
  t.same(JSON.parse(AclZNodes.encode([entry]).toString()), { version: 1, acls: [entry] });
  t.same(AclZNodes.decode(AclZNodes.encode([entry])), [entry]);
});

t.test('authorizeByResourceType: WRITE on some topic (KIP-679)', async (t) => {
  const some = (acls: Acl[], principal = 'User:alice', everyone = false) =>
    authorizeByResourceType(
      acls,
      { ...settings, allowEveryoneIfNoAclFound: everyone },
      { principal, host: '10.0.0.1', operation: 'Write', resourceType: 'Topic' },
    );
  t.equal(some([]), false, 'no ACL at all');
  t.equal(some([], 'User:admin'), true, 'super user');
  t.equal(some([], 'User:alice', true), true, 'allow.everyone.if.no.acl.found');
  t.equal(some([acl(topic('orders'), { operation: 'Write' })]), true, 'one literal topic');
  t.equal(some([acl(topic('orders'), { operation: 'Read' })]), false, 'Read is not Write');
  t.equal(some([acl(topic('o', 'PREFIXED'), { operation: 'All' })]), true, 'a prefix, All');
  t.equal(
    some([
      acl(topic('orders'), { operation: 'Write' }),
      acl(topic('orders'), { operation: 'Write', permissionType: 'Deny' }),
    ]),
    false,
    'the only allowed topic is denied',
  );
  t.equal(
    some([
      acl(topic('orders'), { operation: 'Write' }),
      acl(topic('ord', 'PREFIXED'), { operation: 'Write', permissionType: 'Deny' }),
    ]),
    false,
    'a denied prefix covers it',
  );
  t.equal(
    some([
      acl(topic('orders'), { operation: 'Write' }),
      acl(topic('*'), { principal: 'User:*', operation: 'Write', permissionType: 'Deny' }),
    ]),
    false,
    'a DENY on the literal wildcard forbids every topic',
  );
  t.equal(
    some([acl({ ...topic('orders'), resourceType: 'Group' }, { operation: 'Write' })]),
    false,
  );
});
