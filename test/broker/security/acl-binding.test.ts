/**
 * Kafka's ACL binding filters (AclBindingFilter) and the validation of CreateAcls' bindings,
 * without a broker: the wire codes, ANY / MATCH / LITERAL / PREFIXED pattern filters, exact
 * principal and host filters, and the INVALID_REQUEST reasons.
 */
import t from 'tap';
import type { Acl } from '../../../src/security/acl.js';
import {
  aclOfCreation,
  bindingCodes,
  bindingMatches,
  filterOfCodes,
  OperationCode as Op,
  PatternTypeCode as Pat,
  PermissionTypeCode as Perm,
  ResourceTypeCode as Res,
  singlePatternOf,
  type AclBindingFilter,
  type AclCreationCodes,
  type AclFilterCodes,
} from '../../../broker/security/acl-binding.js';

const acl = (name: string, patternType: 'LITERAL' | 'PREFIXED', over: Partial<Acl> = {}): Acl => ({
  pattern: { resourceType: 'Topic', name, patternType },
  principal: 'User:alice',
  host: '*',
  operation: 'Read',
  permissionType: 'Allow',
  ...over,
});

const ACLS: Acl[] = [
  acl('orders', 'LITERAL'),
  acl('*', 'LITERAL', { principal: 'User:*', operation: 'Describe' }),
  acl('ord', 'PREFIXED', { operation: 'Write' }),
  acl('orders-new', 'LITERAL', { permissionType: 'Deny', host: '10.0.0.9' }),
  {
    ...acl('g1', 'LITERAL'),
    pattern: { resourceType: 'Group', name: 'g1', patternType: 'LITERAL' },
  },
];

function filter(over: Partial<AclFilterCodes>): AclBindingFilter {
  const parsed = filterOfCodes({
    resourceType: Res.ANY,
    resourceName: null,
    patternType: Pat.ANY,
    principal: null,
    host: null,
    operation: Op.ANY,
    permissionType: Perm.ANY,
    ...over,
  });
  if ('invalid' in parsed) throw new Error(parsed.invalid);
  return parsed.filter;
}

const names = (f: AclBindingFilter): string[] =>
  ACLS.filter((a) => bindingMatches(f, a)).map(
    (a) => `${a.pattern.resourceType}:${a.pattern.patternType}:${a.pattern.name}`,
  );

t.test('the ANY filter matches every binding', async (t) => {
  t.equal(names(filter({})).length, ACLS.length);
});

t.test('resource type and exact names', async (t) => {
  t.same(names(filter({ resourceType: Res.GROUP })), ['Group:LITERAL:g1']);
  t.same(
    names(filter({ resourceType: Res.TOPIC, resourceName: 'orders' })),
    ['Topic:LITERAL:orders'],
    'ANY pattern type with a name: only patterns of exactly that name',
  );
  t.same(names(filter({ resourceName: 'orders', patternType: Pat.PREFIXED })), []);
  t.same(names(filter({ resourceName: 'ord', patternType: Pat.PREFIXED })), ['Topic:PREFIXED:ord']);
  t.same(names(filter({ patternType: Pat.LITERAL, resourceType: Res.TOPIC })), [
    'Topic:LITERAL:orders',
    'Topic:LITERAL:*',
    'Topic:LITERAL:orders-new',
  ]);
});

t.test('MATCH: every pattern that applies to the named resource', async (t) => {
  t.same(
    names(filter({ resourceType: Res.TOPIC, resourceName: 'orders', patternType: Pat.MATCH })),
    ['Topic:LITERAL:orders', 'Topic:LITERAL:*', 'Topic:PREFIXED:ord'],
  );
  t.same(names(filter({ resourceType: Res.TOPIC, resourceName: 'x', patternType: Pat.MATCH })), [
    'Topic:LITERAL:*',
  ]);
  t.equal(
    singlePatternOf(filter({ resourceType: Res.TOPIC, resourceName: 'x', patternType: Pat.MATCH })),
    undefined,
    'MATCH can match several patterns',
  );
  t.same(
    singlePatternOf(
      filter({ resourceType: Res.TOPIC, resourceName: 'x', patternType: Pat.LITERAL }),
    ),
    { resourceType: 'Topic', name: 'x', patternType: 'LITERAL' },
  );
});

t.test('entry filters are exact', async (t) => {
  t.same(names(filter({ principal: 'User:*' })), ['Topic:LITERAL:*'], 'no wildcard expansion');
  t.same(names(filter({ host: '10.0.0.9' })), ['Topic:LITERAL:orders-new']);
  t.same(names(filter({ permissionType: Perm.DENY })), ['Topic:LITERAL:orders-new']);
  t.same(names(filter({ operation: Op.WRITE })), ['Topic:PREFIXED:ord']);
  t.same(names(filter({ operation: Op.ALL })), [], 'ALL is an operation, not a wildcard');
});

t.test('filters with UNKNOWN elements are refused', async (t) => {
  for (const over of [
    { resourceType: Res.UNKNOWN },
    { resourceType: 99 },
    { patternType: Pat.UNKNOWN },
    { operation: Op.UNKNOWN },
    { permissionType: 7 },
  ]) {
    const parsed = filterOfCodes({
      resourceType: Res.ANY,
      resourceName: null,
      patternType: Pat.ANY,
      principal: null,
      host: null,
      operation: Op.ANY,
      permissionType: Perm.ANY,
      ...over,
    });
    t.ok('invalid' in parsed, JSON.stringify(over));
  }
});

t.test('creations: a binding, or why not', async (t) => {
  const base: AclCreationCodes = {
    resourceType: Res.TOPIC,
    resourceName: 'orders',
    resourcePatternType: Pat.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: Op.WRITE,
    permissionType: Perm.ALLOW,
  };
  const made = aclOfCreation(base);
  t.same(made, {
    acl: {
      pattern: { resourceType: 'Topic', name: 'orders', patternType: 'LITERAL' },
      principal: 'User:alice',
      host: '*',
      operation: 'Write',
      permissionType: 'Allow',
    },
  });
  if ('acl' in made) {
    t.same(bindingCodes(made.acl), {
      resourceType: 2,
      patternType: 3,
      operation: 4,
      permissionType: 3,
    });
  }
  const invalid: [Partial<typeof base>, RegExp][] = [
    [{ resourceType: Res.ANY }, /resource type/],
    [{ resourcePatternType: Pat.MATCH }, /pattern type/],
    [{ resourcePatternType: Pat.ANY }, /pattern type/],
    [{ operation: Op.ANY }, /operation/],
    [{ permissionType: Perm.ANY }, /permission/],
    [{ resourceType: Res.CLUSTER, resourceName: 'my-cluster' }, /only valid name.*kafka-cluster/],
    [{ resourceName: '' }, /empty resource name/],
    [{ principal: 'alice' }, /principalType:principalName/],
    [{ principal: 'User:' }, /principalType:principalName/],
  ];
  for (const [over, reason] of invalid) {
    const r = aclOfCreation({ ...base, ...over });
    t.match('invalid' in r ? r.invalid : 'valid', reason, JSON.stringify(over));
  }
  t.ok(
    'acl' in aclOfCreation({ ...base, resourceType: Res.CLUSTER, resourceName: 'kafka-cluster' }),
  );
});
