/**
 * `coordinator configs`: Kafka's kafka-configs.sh with --zookeeper. Only the users entity
 * (SCRAM credentials, user-configs.ts) is implemented here.
 */
import type { Command } from 'commander';
import { UsageError, type CliContext, type CommandModule } from './context.js';
import { runUserConfigs } from './user-configs.js';

export const configsCommands: CommandModule = {
  register(program: Command, ctx: CliContext) {
    program
      .command('configs')
      .description('alter or describe entity configs (kafka-configs.sh); users: SCRAM credentials')
      .requiredOption('--entity-type <type>', 'users')
      .requiredOption('--entity-name <name>', 'the entity, e.g. the user name')
      .option('--alter', 'change the entity config')
      .option('--describe', 'print the entity config')
      .option('--add-config <list>', "e.g. 'SCRAM-SHA-256=[password=secret]'")
      .option('--delete-config <list>', 'e.g. SCRAM-SHA-512')
      .action(async (opts: Record<string, string | boolean | undefined>, cmd: Command) => {
        if (opts.entityType !== 'users') {
          throw new UsageError(`--entity-type ${String(opts.entityType)} is not supported (users)`);
        }
        if (Boolean(opts.alter) === Boolean(opts.describe)) {
          throw new UsageError('give exactly one of --alter and --describe');
        }
        const lines = await ctx.withClient(cmd, (zk) =>
          runUserConfigs(zk, {
            entityName: String(opts.entityName),
            alter: Boolean(opts.alter),
            describe: Boolean(opts.describe),
            addConfig: opts.addConfig as string | undefined,
            deleteConfig: opts.deleteConfig as string | undefined,
          }),
        );
        for (const line of lines) ctx.out(line);
      });
  },
};
