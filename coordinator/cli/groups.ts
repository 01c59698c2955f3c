/**
 * `coordinator groups ...`: Kafka's kafka-consumer-groups.sh, talking the Kafka protocol to
 * the brokers registered under /brokers/ids (so it works on any cluster this coordinator
 * runs):
 *
 *   groups list [--json]                  every group with its state and coordinator
 *   groups describe GROUP [--json]        state, members, and per partition the committed
 *        offset, log end offset and lag (`GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET
 *        LAG CONSUMER-ID HOST CLIENT-ID`, as Kafka's --describe prints)
 *   groups reset-offsets GROUP --topic T (--to-earliest | --to-latest | --to-offset N |
 *        --to-datetime ISO | --shift-by N) [--dry-run | --execute]
 *        plans (and with --execute commits) new offsets for an inactive group
 *   groups delete GROUP                   removes an empty group and its offsets
 *
 * The logic is in src/kafka-admin/groups-admin.ts (shared with the dashboard); this module
 * parses options and prints.
 */
import type { Command } from 'commander';
import type { BrokerAddress, KafkaClient } from '../../src/kafka-client.js';
import { BrokerIdsZNode, BrokerIdZNode } from '../../src/znodes.js';
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { parseIntOption, UsageError, type CliContext, type CommandModule } from './context.js';
import type { GroupDescription, ResetSpec } from '../../src/kafka-admin/groups-admin.js';

/**
 * The Kafka client and the protocol codecs are loaded only when a groups command runs: they
 * are large, and every other `coordinator` command (each a short-lived process) would pay
 * for them at start-up otherwise.
 */
const admin = () => import('../../src/kafka-admin/groups-admin.js');

/** The brokers' addresses from /brokers/ids (the PLAINTEXT endpoint, else the first). */
export async function registeredBrokers(client: CoordinatorClient): Promise<BrokerAddress[]> {
  const ids = (await client.getChildren(BrokerIdsZNode.path)).filter((c) => /^\d+$/.test(c));
  const brokers: BrokerAddress[] = [];
  for (const id of ids.map(Number).sort((a, b) => a - b)) {
    const info = BrokerIdZNode.decode(id, (await client.getData(BrokerIdZNode.path(id))).data);
    const endpoint =
      info.endpoints.find((e) => e.listenerName === 'PLAINTEXT') ?? info.endpoints[0];
    if (endpoint !== undefined)
      brokers.push({ nodeId: id, host: endpoint.host, port: endpoint.port });
  }
  return brokers;
}

export async function withKafka<T>(
  ctx: CliContext,
  cmd: Command,
  work: (kafka: KafkaClient) => Promise<T>,
): Promise<T> {
  const brokers = await ctx.withClient(cmd, registeredBrokers);
  if (brokers.length === 0) throw new Error('no brokers are registered in /brokers/ids');
  const { KafkaClient } = await import('../../src/kafka-client.js');
  const kafka = new KafkaClient(brokers, { clientId: 'coordinator-groups' });
  try {
    return await work(kafka);
  } finally {
    kafka.close();
  }
}

/** Columns padded to their widest cell, like Kafka's tool. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join(' ')
        .trimEnd(),
    )
    .join('\n');
}

function describeText(d: GroupDescription): string {
  const lines = [
    `Group ${d.groupId}: ${d.state}` +
      (d.protocol ? `, protocol ${d.protocol}` : '') +
      `, coordinator broker ${d.coordinator}, ${d.members.length} member(s)`,
  ];
  if (d.partitions.length === 0) {
    lines.push('(no committed offsets and no assigned partitions)');
    return lines.join('\n');
  }
  const dash = (v: number | string | null | undefined) =>
    v === null || v === undefined || v === -1 ? '-' : String(v);
  lines.push(
    '',
    table([
      [
        'GROUP',
        'TOPIC',
        'PARTITION',
        'CURRENT-OFFSET',
        'LOG-END-OFFSET',
        'LAG',
        'CONSUMER-ID',
        'HOST',
        'CLIENT-ID',
      ],
      ...d.partitions.map((p) => [
        d.groupId,
        p.topic,
        String(p.partition),
        dash(p.currentOffset),
        dash(p.logEndOffset),
        dash(p.lag),
        dash(p.consumerId),
        dash(p.host),
        dash(p.clientId),
      ]),
    ]),
  );
  return lines.join('\n');
}

function resetSpec(o: {
  toEarliest?: boolean;
  toLatest?: boolean;
  toOffset?: string;
  toDatetime?: string;
  shiftBy?: string;
}): ResetSpec {
  const specs: ResetSpec[] = [];
  if (o.toEarliest) specs.push({ kind: 'earliest' });
  if (o.toLatest) specs.push({ kind: 'latest' });
  if (o.toOffset !== undefined) {
    specs.push({ kind: 'offset', offset: parseIntOption(o.toOffset, '--to-offset') });
  }
  if (o.shiftBy !== undefined) {
    specs.push({ kind: 'shift', by: parseIntOption(o.shiftBy, '--shift-by') });
  }
  if (o.toDatetime !== undefined) {
    const timestampMs = Date.parse(o.toDatetime);
    if (Number.isNaN(timestampMs)) {
      throw new UsageError(
        `--to-datetime must be an ISO date, got ${JSON.stringify(o.toDatetime)}`,
      );
    }
    specs.push({ kind: 'datetime', timestampMs });
  }
  if (specs.length !== 1) {
    throw new UsageError(
      'give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by',
    );
  }
  return specs[0]!;
}

export const groupsCommands: CommandModule = {
  register(program: Command, ctx: CliContext): void {
    const groups = program
      .command('groups')
      .description('consumer groups, over the Kafka protocol (like kafka-consumer-groups.sh)');

    groups
      .command('list')
      .description('every group, with its state and coordinator')
      .option('--json', 'print JSON')
      .action(async (o: { json?: boolean }, cmd: Command) => {
        const { listGroups } = await admin();
        const all = await withKafka(ctx, cmd, listGroups);
        if (o.json) ctx.out(JSON.stringify(all));
        else if (all.length === 0) ctx.out('no groups');
        else
          ctx.out(
            table([
              ['GROUP', 'STATE', 'PROTOCOL-TYPE', 'COORDINATOR'],
              ...all.map((g) => [g.groupId, g.state, g.protocolType || '-', String(g.coordinator)]),
            ]),
          );
      });

    groups
      .command('describe')
      .description('members, committed offsets, log end offsets and lag of a group')
      .argument('<group>')
      .option('--json', 'print JSON')
      .action(async (groupId: string, o: { json?: boolean }, cmd: Command) => {
        const { describeGroup } = await admin();
        const d = await withKafka(ctx, cmd, (kafka) => describeGroup(kafka, groupId));
        ctx.out(o.json ? JSON.stringify(d) : describeText(d));
      });

    groups
      .command('reset-offsets')
      .description("move an inactive group's committed offsets of a topic")
      .argument('<group>')
      .requiredOption('--topic <topic>', 'the topic whose partitions are reset')
      .option('--to-earliest', 'to the log start offset')
      .option('--to-latest', 'to the log end offset')
      .option('--to-offset <n>', 'to offset n (clamped to the log)')
      .option('--to-datetime <iso>', 'to the first record at or after this time')
      .option('--shift-by <n>', 'by n from the committed offset (negative: back)')
      .option('--dry-run', 'only print the plan (the default)')
      .option('--execute', 'commit the new offsets')
      .option('--json', 'print JSON')
      .action(
        async (
          groupId: string,
          o: {
            topic: string;
            toEarliest?: boolean;
            toLatest?: boolean;
            toOffset?: string;
            toDatetime?: string;
            shiftBy?: string;
            dryRun?: boolean;
            execute?: boolean;
            json?: boolean;
          },
          cmd: Command,
        ) => {
          if (o.dryRun && o.execute) throw new UsageError('give --dry-run or --execute, not both');
          const spec = resetSpec(o);
          const { planOffsetReset, commitOffsets } = await admin();
          const plan = await withKafka(ctx, cmd, async (kafka) => {
            const planned = await planOffsetReset(kafka, groupId, o.topic, spec);
            if (o.execute) await commitOffsets(kafka, groupId, planned);
            return planned;
          });
          if (o.json) {
            ctx.out(JSON.stringify({ executed: o.execute === true, partitions: plan }));
            return;
          }
          ctx.out(
            table([
              ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'],
              ...plan.map((p) => [groupId, p.topic, String(p.partition), String(p.newOffset)]),
            ]),
          );
          if (!o.execute) ctx.out('(dry run: add --execute to commit these offsets)');
        },
      );

    groups
      .command('delete')
      .description('delete an empty group and its committed offsets')
      .argument('<group>')
      .action(async (groupId: string, _o: unknown, cmd: Command) => {
        const { deleteGroup } = await admin();
        await withKafka(ctx, cmd, (kafka) => deleteGroup(kafka, groupId));
        ctx.out(`Deleted group ${groupId}`);
      });
  },
};
