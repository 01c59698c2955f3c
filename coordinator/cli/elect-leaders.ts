/**
 * `coordinator elect-leaders [--topic T [--partition P]]`: the preferred replica election, the
 * classic way (Kafka's `kafka-preferred-replica-election.sh --zookeeper`). It writes
 * `/admin/preferred_replica_election` with the partitions (every partition of the cluster, of
 * one topic, or one partition); the controller makes each partition's preferred replica (the
 * first of its assignment) the leader again if it is live and in the ISR, then deletes the
 * node. The command waits for that deletion (at most `--timeout` ms) and prints who leads.
 *
 * It refuses while the node exists, as Kafka's tool did: an election is already under way.
 */
import type { Command } from 'commander';
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { ErrorCode, KeeperError } from '../../src/protocol/coordinator/errors.js';
import {
  PreferredReplicaElectionZNode,
  TopicPartitionStateZNode,
  TopicsZNode,
} from '../../src/znodes.js';
import { parseIntOption, UsageError, type CliContext, type CommandModule } from './context.js';
import { getDataOrNull, readAssignment } from './reassign.js';

/** The partitions named by the options, checked against the topic znodes. */
async function partitionsToElect(
  client: CoordinatorClient,
  topic: string | undefined,
  partition: number | undefined,
): Promise<{ topic: string; partition: number }[]> {
  const topics =
    topic !== undefined ? [topic] : (await client.getChildren(TopicsZNode.path)).sort();
  const result: { topic: string; partition: number }[] = [];
  for (const t of topics) {
    const assignment = await readAssignment(client, t);
    if (!assignment) throw new UsageError(`topic ${t} does not exist`);
    const ids = [...assignment.partitions.keys()].sort((a, b) => a - b);
    if (partition !== undefined && !ids.includes(partition))
      throw new UsageError(`partition ${t}-${partition} does not exist`);
    for (const p of partition === undefined ? ids : [partition])
      result.push({ topic: t, partition: p });
  }
  return result;
}

export const electLeadersCommands: CommandModule = {
  register(program: Command, ctx: CliContext): void {
    program
      .command('elect-leaders')
      .description('move leadership back to preferred replicas (/admin/preferred_replica_election)')
      .option('--topic <topic>', 'only this topic')
      .option('--partition <n>', 'only this partition (with --topic)')
      .option('--timeout <ms>', 'wait this long for the controller', '30000')
      .action(async (o: { topic?: string; partition?: string; timeout: string }, cmd: Command) => {
        if (o.partition !== undefined && o.topic === undefined)
          throw new UsageError('--partition needs --topic');
        const partition =
          o.partition === undefined ? undefined : parseIntOption(o.partition, '--partition');
        const timeoutMs = parseIntOption(o.timeout, '--timeout');
        await ctx.withClient(cmd, async (client) => {
          const partitions = await partitionsToElect(client, o.topic, partition);
          try {
            await client.create(
              PreferredReplicaElectionZNode.path,
              PreferredReplicaElectionZNode.encode(partitions),
            );
          } catch (err) {
            if (err instanceof KeeperError && err.code === ErrorCode.NODEEXISTS)
              throw new Error('Preferred replica leader election is already in progress', {
                cause: err,
              });
            throw err;
          }
          ctx.out(
            `Created preferred replica election for ${partitions.length} partition(s); ` +
              'waiting for the controller',
          );
          await waitForDeletion(client, timeoutMs);
          for (const tp of partitions) {
            const data = await getDataOrNull(
              client,
              TopicPartitionStateZNode.path(tp.topic, tp.partition),
            );
            const leader =
              data === undefined
                ? -1
                : TopicPartitionStateZNode.decode(tp.topic, tp.partition, data).leader;
            const preferred =
              (await readAssignment(client, tp.topic))?.partitions.get(tp.partition)?.[0] ?? -1;
            ctx.out(
              `${tp.topic}-${tp.partition}: leader ${leader}` +
                (leader === preferred ? ' (preferred)' : ` (preferred ${preferred} not elected)`),
            );
          }
        });
      });
  },
};

/** Resolves once the controller deleted the election node; throws after `timeoutMs`. */
async function waitForDeletion(client: CoordinatorClient, timeoutMs: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the controller did not run the election within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const check = (): void => {
      client
        .exists(PreferredReplicaElectionZNode.path, check)
        .then((stat) => {
          if (stat === null) {
            clearTimeout(timer);
            resolve();
          }
        })
        .catch((err: unknown) => {
          clearTimeout(timer);
          reject(err as Error);
        });
    };
    check();
  });
}
