/**
 * `coordinator acls`: Kafka's kafka-acls.sh --authorizer-properties zookeeper.connect=...,
 * editing the ACL znodes directly (src/security/acl.ts has the layout) and writing the change
 * notification every broker's ACL cache watches, so a change is live at once. The edit itself
 * is src/security/acl-store.ts, shared with the broker's CreateAcls / DeleteAcls.
 *
 *   acls --add --allow-principal User:alice --operation Read --topic orders
 *   acls --add --deny-principal User:mallory --operation Write --topic orders --host 10.0.0.9
 *   acls --add --allow-principal User:svc --operation All --topic orders- \
 *        --resource-pattern-type prefixed
 *   acls --add --allow-principal User:svc --operation Read --group order-processing
 *   acls --remove ... (the same options)      acls --list [--topic T | --group G | --cluster]
 */
import type { Command } from 'commander';
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import {
  CLUSTER_RESOURCE_NAME,
  operationNamed,
  type AclEntry,
  type Operation,
  type ResourcePattern,
} from '../../src/security/acl.js';
import {
  changeAcls,
  listResourcePatterns,
  readResourceAcls,
} from '../../src/security/acl-store.js';
import { UsageError, type CliContext, type CommandModule } from './context.js';

interface AclOptions {
  add?: boolean;
  remove?: boolean;
  list?: boolean;
  allowPrincipal?: string[];
  denyPrincipal?: string[];
  operation?: string[];
  host?: string;
  topic?: string;
  group?: string;
  transactionalId?: string;
  cluster?: boolean;
  resourcePatternType?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function patternOf(o: AclOptions): ResourcePattern | undefined {
  const patternType = (o.resourcePatternType ?? 'literal').toUpperCase();
  if (patternType !== 'LITERAL' && patternType !== 'PREFIXED') {
    throw new UsageError('--resource-pattern-type is literal or prefixed');
  }
  const given: ResourcePattern[] = [];
  if (o.topic !== undefined) given.push({ resourceType: 'Topic', name: o.topic, patternType });
  if (o.group !== undefined) given.push({ resourceType: 'Group', name: o.group, patternType });
  if (o.transactionalId !== undefined) {
    given.push({ resourceType: 'TransactionalId', name: o.transactionalId, patternType });
  }
  if (o.cluster) {
    given.push({ resourceType: 'Cluster', name: CLUSTER_RESOURCE_NAME, patternType: 'LITERAL' });
  }
  if (given.length > 1)
    throw new UsageError('give one of --topic, --group, --transactional-id, --cluster');
  return given[0];
}

function entriesOf(o: AclOptions): AclEntry[] {
  const operations: Operation[] = (o.operation ?? []).map((name) => {
    const op = operationNamed(name);
    if (op === undefined) throw new UsageError(`unknown operation ${name}`);
    return op;
  });
  if (operations.length === 0) throw new UsageError('--operation is required');
  const host = o.host ?? '*';
  const entries: AclEntry[] = [];
  for (const [principals, permissionType] of [
    [o.allowPrincipal ?? [], 'Allow'],
    [o.denyPrincipal ?? [], 'Deny'],
  ] as const) {
    for (const principal of principals) {
      if (!/^[A-Za-z]+:.+$/.test(principal)) {
        throw new UsageError(`${principal} is not a principal like User:alice`);
      }
      for (const operation of operations) {
        entries.push({ principal, permissionType, operation, host });
      }
    }
  }
  if (entries.length === 0)
    throw new UsageError('--allow-principal or --deny-principal is required');
  return entries;
}

function describe(pattern: ResourcePattern, entries: readonly AclEntry[]): string[] {
  const type = pattern.resourceType.toUpperCase();
  const head =
    `Current ACLs for resource \`ResourcePattern(resourceType=${type}, ` +
    `name=${pattern.name}, patternType=${pattern.patternType})\`: `;
  return [
    head,
    ...entries.map(
      (e) =>
        `\t(principal=${e.principal}, host=${e.host}, operation=${e.operation.toUpperCase()}, ` +
        `permissionType=${e.permissionType.toUpperCase()})`,
    ),
    '',
  ];
}

async function listAll(
  zk: CoordinatorClient,
  only: ResourcePattern | undefined,
): Promise<string[]> {
  const lines: string[] = [];
  for (const pattern of await listResourcePatterns(zk)) {
    if (only && (only.resourceType !== pattern.resourceType || only.name !== pattern.name))
      continue;
    lines.push(...describe(pattern, (await readResourceAcls(zk, pattern)).entries));
  }
  return lines;
}

export const aclsCommands: CommandModule = {
  register(program: Command, ctx: CliContext) {
    program
      .command('acls')
      .description('add, remove or list Kafka ACLs (kafka-acls.sh with zookeeper.connect)')
      .option('--add', 'add ACLs')
      .option('--remove', 'remove ACLs')
      .option('--list', 'list ACLs')
      .option('--allow-principal <principal>', 'User:name to allow (repeatable)', collect)
      .option('--deny-principal <principal>', 'User:name to deny (repeatable)', collect)
      .option('--operation <op>', 'Read, Write, Create, Describe, All, ... (repeatable)', collect)
      .option('--host <host>', 'client address the ACL applies to (default *)')
      .option('--topic <topic>', 'topic name (or prefix)')
      .option('--group <group>', 'consumer group name (or prefix)')
      .option('--transactional-id <id>', 'transactional id')
      .option('--cluster', 'the cluster resource')
      .option('--resource-pattern-type <type>', 'literal (default) or prefixed')
      .action(async (o: AclOptions, cmd: Command) => {
        const modes = [o.add, o.remove, o.list].filter(Boolean).length;
        if (modes !== 1) throw new UsageError('give exactly one of --add, --remove, --list');
        const pattern = patternOf(o);
        const lines = await ctx.withClient(cmd, async (zk) => {
          if (o.list) return listAll(zk, pattern);
          if (pattern === undefined) throw new UsageError('name a resource (--topic, --group...)');
          const entries = entriesOf(o);
          const next = await changeAcls(zk, pattern, {
            add: o.add ? entries : [],
            remove: o.remove ? entries : [],
          });
          return describe(pattern, next);
        });
        for (const line of lines) ctx.out(line);
      });
  },
};
