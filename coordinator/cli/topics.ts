/**
 * `coordinator topics ...`: Kafka's `kafka-topics.sh --zookeeper` views, working directly on
 * the znodes (src/znodes.ts) the classic way:
 *
 *   topics create T --partitions N --replication-factor R [--config k=v ...]
 *        assigns replicas over the registered brokers with Kafka's algorithm (rack-unaware)
 *        and writes /config/topics/T then /brokers/topics/T; the controller does the rest
 *   topics list                      the children of /brokers/topics (marked ones noted)
 *   topics describe [T] [--json]     per partition: leader, replicas, isr, like
 *        `Topic: t  Partition: 0  Leader: 1  Replicas: 1,2  Isr: 1,2`
 *   topics delete T                  creates /admin/delete_topics/T
 *
 * Failures (unknown topic, bad factor...) exit 1 with Kafka's error name in the message.
 */
import type { Command } from 'commander';
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { errorForCode, ErrorCode as KafkaErrorCode } from '../../src/protocol/kafka/errors.js';
import {
  BrokerIdsZNode,
  DeleteTopicsZNode,
  TopicConfigZNode,
  type LeaderAndIsr,
} from '../../src/znodes.js';
import { addPartitions, createTopic, deleteTopic } from '../../src/kafka-zk/admin-zk-client.js';
import {
  getAllTopics,
  getPartitionState,
  getTopicAssignment,
} from '../../src/kafka-zk/kafka-zk-client.js';
import { ErrorCode, hasCode } from '../../src/protocol/coordinator/errors.js';
import { parseIntOption, UsageError, type CliContext, type CommandModule } from './context.js';

export interface PartitionDescription {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}

export interface TopicDescription {
  topic: string;
  markedForDeletion: boolean;
  config: Record<string, string>;
  partitions: PartitionDescription[];
}

export async function describeTopic(
  client: CoordinatorClient,
  topic: string,
): Promise<TopicDescription | undefined> {
  const assignment = await getTopicAssignment(client, topic);
  if (!assignment) return undefined;
  const ids = [...assignment.partitions.keys()].sort((a, b) => a - b);
  const states = await Promise.all(ids.map((p) => getPartitionState(client, topic, p)));
  let config: Record<string, string> = {};
  try {
    config = TopicConfigZNode.decode(
      topic,
      (await client.getData(TopicConfigZNode.path(topic))).data,
    );
  } catch (err) {
    if (!hasCode(err, ErrorCode.NONODE)) throw err;
  }
  const marked = (await client.exists(`${DeleteTopicsZNode.path}/${topic}`)) !== null;
  return {
    topic,
    markedForDeletion: marked,
    config,
    partitions: ids.map((partition, i) => {
      const state: LeaderAndIsr | undefined = states[i]?.leaderAndIsr;
      return {
        partition,
        leader: state?.leader ?? -1,
        leaderEpoch: state?.leaderEpoch ?? -1,
        replicas: assignment.partitions.get(partition) ?? [],
        isr: state?.isr ?? [],
      };
    }),
  };
}

/** kafka-topics --describe's text layout. */
export function formatTopicDescription(d: TopicDescription): string {
  const configs = Object.entries(d.config)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const lines = [
    `Topic: ${d.topic}\tPartitionCount: ${d.partitions.length}\t` +
      `ReplicationFactor: ${d.partitions[0]?.replicas.length ?? 0}\tConfigs: ${configs}` +
      (d.markedForDeletion ? '\tMarkedForDeletion: true' : ''),
  ];
  for (const p of d.partitions) {
    lines.push(
      `\tTopic: ${d.topic}\tPartition: ${p.partition}\t` +
        `Leader: ${p.leader === -1 ? 'none' : p.leader}\t` +
        `Replicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}`,
    );
  }
  return lines.join('\n');
}

async function registeredBrokerIds(client: CoordinatorClient): Promise<number[]> {
  return (await client.getChildren(BrokerIdsZNode.path)).filter((c) => /^\d+$/.test(c)).map(Number);
}

function failure(code: number, message: string | null): Error {
  return new Error(`${errorForCode(code).name}: ${message ?? errorForCode(code).message}`);
}

function parseConfigs(pairs: string[]): Record<string, string> {
  const config: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--config expects key=value, got "${pair}"`);
    config[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return config;
}

export const topicsCommands: CommandModule = {
  register(program: Command, ctx: CliContext): void {
    const topics = program
      .command('topics')
      .description('Kafka topics, read and written as znodes');

    topics
      .command('create')
      .description('create a topic: assign replicas and write /brokers/topics/<topic>')
      .argument('<topic>')
      .requiredOption('--partitions <n>', 'number of partitions')
      .requiredOption('--replication-factor <n>', 'replicas per partition')
      .option(
        '--config <key=value>',
        'topic config override (repeatable)',
        (v: string, acc: string[]) => [...acc, v],
        [],
      )
      .action(
        async (
          topic: string,
          o: { partitions: string; replicationFactor: string; config: string[] },
          cmd: Command,
        ) => {
          const partitions = parseIntOption(o.partitions, '--partitions');
          const replicationFactor = parseIntOption(o.replicationFactor, '--replication-factor');
          const config = parseConfigs(o.config);
          await ctx.withClient(cmd, async (client) => {
            const result = await createTopic(client, {
              topic,
              partitions,
              replicationFactor,
              config,
              brokerIds: await registeredBrokerIds(client),
            });
            if (result.errorCode !== KafkaErrorCode.NONE)
              throw failure(result.errorCode, result.errorMessage);
            ctx.out(`Created topic ${topic}.`);
          });
        },
      );

    topics
      .command('alter')
      .description('add partitions to a topic (rewrites /brokers/topics/<topic>)')
      .argument('<topic>')
      .requiredOption('--partitions <n>', 'the new total number of partitions')
      .action(async (topic: string, o: { partitions: string }, cmd: Command) => {
        const totalPartitions = parseIntOption(o.partitions, '--partitions');
        await ctx.withClient(cmd, async (client) => {
          const result = await addPartitions(client, {
            topic,
            totalPartitions,
            brokerIds: await registeredBrokerIds(client),
          });
          if (result.errorCode !== KafkaErrorCode.NONE)
            throw failure(result.errorCode, result.errorMessage);
          ctx.out(`Topic ${topic} now has ${totalPartitions} partitions.`);
        });
      });

    topics
      .command('list')
      .description('list topics (children of /brokers/topics)')
      .action(async (_o: unknown, cmd: Command) => {
        const names = await ctx.withClient(cmd, async (client) => {
          const all = await getAllTopics(client);
          const marked = new Set(await client.getChildren(DeleteTopicsZNode.path));
          return all.map((t) => (marked.has(t) ? `${t} - marked for deletion` : t));
        });
        if (names.length > 0) ctx.out(names.join('\n'));
      });

    topics
      .command('describe')
      .description('partitions with leader, replicas and ISR (all topics when none is given)')
      .argument('[topic]')
      .option('--json', 'print JSON')
      .action(async (topic: string | undefined, o: { json?: boolean }, cmd: Command) => {
        const descriptions = await ctx.withClient(cmd, async (client) => {
          const names = topic ? [topic] : await getAllTopics(client);
          const result: TopicDescription[] = [];
          for (const name of names) {
            const d = await describeTopic(client, name);
            if (!d) throw new Error(`UNKNOWN_TOPIC_OR_PARTITION: Topic '${name}' does not exist.`);
            result.push(d);
          }
          return result;
        });
        if (o.json) ctx.out(JSON.stringify(topic ? descriptions[0] : descriptions));
        else if (descriptions.length > 0)
          ctx.out(descriptions.map(formatTopicDescription).join('\n'));
      });

    topics
      .command('delete')
      .description('mark a topic for deletion (/admin/delete_topics/<topic>)')
      .argument('<topic>')
      .action(async (topic: string, _o: unknown, cmd: Command) => {
        await ctx.withClient(cmd, async (client) => {
          const result = await deleteTopic(client, topic);
          if (result.errorCode !== KafkaErrorCode.NONE)
            throw failure(result.errorCode, result.errorMessage);
          ctx.out(`Topic ${topic} is marked for deletion.`);
        });
      });
  },
};

/** For cli.ts wiring by function, as the brief names it. */
export function registerTopicsCommands(program: Command, ctx: CliContext): void {
  topicsCommands.register(program, ctx);
}
