/**
 * Commands about the coordinator process rather than its data:
 *   start       run the daemon in the foreground until SIGINT/SIGTERM;
 *   ruok, stat-server (srvr), mntr, and `4lw WORD`: four-letter words, which need no
 *               session (see src/coordinator-client/four-letter-words.ts). Each prints the
 *               server's text as is.
 */
import type { Command } from 'commander';
import { fourLetterWord } from '../../src/coordinator-client/four-letter-words.js';
import { startCoordinator } from '../main.js';
import { parseIntOption, UsageError, type CliContext, type CommandModule } from './context.js';

async function runStart(
  o: {
    port: string;
    dataDir: string;
    tickMs?: string;
    adminPort?: string;
    host: string;
    logLevel?: string;
    extendedTypes?: boolean;
    containerCheckIntervalMs?: string;
  },
  ctx: CliContext,
): Promise<void> {
  const coordinator = await startCoordinator({
    host: o.host,
    port: parseIntOption(o.port, '--port'),
    dataDir: o.dataDir,
    tickMs: o.tickMs === undefined ? undefined : parseIntOption(o.tickMs, '--tick-ms'),
    adminPort: o.adminPort === undefined ? undefined : parseIntOption(o.adminPort, '--admin-port'),
    logLevel: o.logLevel,
    extendedTypesEnabled: o.extendedTypes === true,
    containerCheckIntervalMs:
      o.containerCheckIntervalMs === undefined
        ? undefined
        : parseIntOption(o.containerCheckIntervalMs, '--container-check-interval-ms'),
  });
  // One line on stdout that scripts (and our tests) can wait for; logs go to stderr.
  ctx.out(
    `Coordinator listening on ${o.host}:${coordinator.port} (admin port ${coordinator.adminPort})`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      ctx.err(`Received ${signal}, stopping`);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await coordinator.close();
}

export const serverCommands: CommandModule = {
  register(program: Command, ctx: CliContext): void {
    program
      .command('start')
      .description('run a coordinator in the foreground (stop with Ctrl-C / SIGTERM)')
      .option('--port <port>', 'client port (0 = any free port)', '2181')
      .requiredOption('--data-dir <dir>', 'where the transaction log and snapshots live')
      .option('--tick-ms <ms>', 'tick length; session timeouts are clamped to [2, 20] ticks')
      .option('--admin-port <port>', 'admin HTTP port (0 = any free port, -1 = off; default 8080)')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
      .option('--extended-types', "allow TTL nodes (ZooKeeper's zookeeper.extendedTypesEnabled)")
      .option(
        '--container-check-interval-ms <ms>',
        'how often empty containers and expired TTL nodes are deleted (default 60000)',
      )
      .action((o: Parameters<typeof runStart>[0]) => runStart(o, ctx));

    const fourLetter = (word: string) => async (_o: unknown, cmd: Command) => {
      const g = ctx.globals(cmd);
      const output = await fourLetterWord(g.server, word, {
        timeoutMs: g.connectTimeoutMs,
        protocol: g.protocol,
      });
      ctx.out(output.replace(/\n$/, ''));
    };
    program
      .command('ruok')
      .description('is the server alive? prints imok')
      .action(fourLetter('ruok'));
    program
      .command('stat-server')
      .description('server summary (the srvr four-letter word)')
      .action(fourLetter('srvr'));
    program
      .command('mntr')
      .description('monitoring variables, one "zk_<key>\\t<value>" per line')
      .action(fourLetter('mntr'));
    program
      .command('4lw')
      .description('send any four-letter word (conf, cons, wchs, dump, envi, ...)')
      .argument('<word>')
      .action(async (word: string, o: unknown, cmd: Command) => {
        if (!/^[a-z]{4}$/.test(word))
          throw new UsageError(
            `a four-letter word is four lower-case letters, got ${JSON.stringify(word)}`,
          );
        await fourLetter(word)(o, cmd);
      });
  },
};
