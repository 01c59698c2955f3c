#!/usr/bin/env node
/**
 * The `coordinator` command: run the daemon (`coordinator start ...`), talk to it like
 * ZooKeeper's zkCli.sh (`coordinator ls /`, `coordinator create -e /x`), and send
 * four-letter words (`coordinator ruok`). docs/coordinator-cli.md is the manual.
 *
 * Structure: this file only builds the commander program, adds the global options and runs
 * it. The commands live in modules under ./cli/, each a `CommandModule` listed in
 * COMMAND_MODULES; Kafka views (`coordinator topics ...`, `coordinator cluster ...`) are
 * added by appending their module to that list.
 *
 * Exit codes: 0 success; 1 any failure, reported as ONE line on stderr such as
 * `Error: KeeperErrorCode = NoNode for /x` (the ZooKeeper error name, as zkCli and the Java
 * client spell it); commander's usage errors also exit 1 with its own message.
 */
import { Command, CommanderError } from 'commander';
import { createContext, describeFailure, type CommandModule } from './cli/context.js';
import { serverCommands } from './cli/server-commands.js';
import { znodeCommands } from './cli/znode-commands.js';
import { topicsCommands } from './cli/topics.js';
import { clusterCommands } from './cli/cluster.js';
import { electLeadersCommands } from './cli/elect-leaders.js';
import { reassignCommands } from './cli/reassign.js';
import { groupsCommands } from './cli/groups.js';
import { transactionsCommands } from './cli/transactions.js';
import { configsCommands } from './cli/configs.js';
import { aclsCommands } from './cli/acls.js';
import { isEntryPoint } from '../src/entry-point.js';
import { exitAfterFlush, exitOnBrokenPipe } from '../src/process-exit.js';

export const COMMAND_MODULES: readonly CommandModule[] = [
  serverCommands,
  znodeCommands,
  topicsCommands,
  clusterCommands,
  electLeadersCommands,
  reassignCommands,
  groupsCommands,
  transactionsCommands,
  configsCommands,
  aclsCommands,
];

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export function buildProgram(
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Command {
  const ctx = createContext(io);
  const program = new Command('coordinator')
    .description(
      'Samsa coordinator: a ZooKeeper-style coordination service and its command-line client',
    )
    .option(
      '--server <list>',
      'servers to talk to, host:port[,host:port...][/chroot] (ours or Apache ZooKeeper)',
      '127.0.0.1:2181',
    )
    .option(
      '--protocol <name>',
      "wire protocol: zookeeper (ZooKeeper's binary protocol, both servers speak it) or websocket",
      'zookeeper',
    )
    .option('--session-timeout <ms>', 'session timeout requested by one-shot commands', '30000')
    .option('--connect-timeout <ms>', 'give up connecting after this long', '5000')
    .option('--tls', "connect with TLS (the server's secure client port)")
    .option(
      '--tls-ca <file>',
      "PEM CA certificates to check the server's certificate (implies --tls)",
    )
    .option('--tls-cert <file>', 'PEM client certificate, with --tls-key (implies --tls)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--auth <user:password>', "authenticate with the digest scheme first (zkCli's addauth)")
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
    })
    // Throw instead of calling process.exit, so main() decides the exit code (and tests can
    // run the program in-process).
    .exitOverride();
  for (const module of COMMAND_MODULES) module.register(program, ctx);
  return program;
}

/** Run the CLI on `argv` (node-style: [node, script, ...args]); resolves with the exit code. */
export async function main(argv: readonly string[] = process.argv, io?: CliIo): Promise<number> {
  const streams = io ?? { stdout: process.stdout, stderr: process.stderr };
  const program = buildProgram(streams);
  program.commands.forEach((c) => c.exitOverride());
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (or the help text, for exit code 0).
      return err.exitCode === 0 ? 0 : 1;
    }
    streams.stderr.write(describeFailure(err) + '\n');
    return 1;
  }
}

if (isEntryPoint(import.meta.url)) {
  exitOnBrokenPipe();
  main().then(
    // Exit explicitly: a closed client or server leaves nothing that should keep us alive,
    // and a one-shot command must not hang on a stray timer. But first let stdout drain: a
    // pipe takes 64 KiB at a time, and exiting at once cut long output short.
    (code) => exitAfterFlush(code),
    (err: unknown) => {
      process.stderr.write(describeFailure(err) + '\n');
      return exitAfterFlush(1);
    },
  );
}
