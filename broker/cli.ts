#!/usr/bin/env node
/**
 * The `broker` command: `broker start --id N --port P --coordinator HOST:PORT --data-dir D
 * [--admin-port A] [--config FILE] [--override k=v ...] [--log-level L]`. Builds the configuration
 * (config.ts), starts the broker (main.ts) and stops it cleanly on SIGINT/SIGTERM.
 *
 * Exit codes: 0 after a clean stop; 1 when the start fails (bad configuration, the broker id
 * is taken, the port is busy, the coordinator is unreachable), with one line on stderr
 * naming the problem.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { createRootLogger } from '../src/logger.js';
import { buildBrokerConfig, ConfigError } from './config.js';
import { startBroker } from './main.js';
import { jaasFileOfKafkaOpts } from './zk/zk-client-security.js';
import { isEntryPoint } from '../src/entry-point.js';
import { exitAfterFlush, exitOnBrokenPipe } from '../src/process-exit.js';

function integer(name: string) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value)) throw new ConfigError(name, `"${value}" is not an integer`);
    return Number(value);
  };
}

export function buildProgram(): Command {
  // exitOverride: commander throws instead of calling process.exit itself, so the help text
  // and usage errors are flushed like everything else (commands inherit the setting).
  const program = new Command('broker').description('Samsa Kafka broker').exitOverride();
  program
    .command('start')
    .description('start a broker')
    .option('--id <n>', 'broker.id', integer('--id'))
    .option(
      '--port <port>',
      'listen on PLAINTEXT://127.0.0.1:<port> (listeners)',
      integer('--port'),
    )
    .option('--host <host>', 'host for --port', '127.0.0.1')
    .option('--coordinator <host:port>', 'coordinator to use (zookeeper.connect)')
    .option('--data-dir <dir>', 'log directory (log.dirs)')
    .option(
      '--admin-port <port>',
      'HTTP /metrics, /healthz, /readyz on this port (admin.port; -1 = off)',
      integer('--admin-port'),
    )
    .option('--config <file>', 'server.properties-style file')
    .option(
      '--override <key=value>',
      'set a property (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
    .option(
      '--jaas-config <file>',
      'JAAS login file whose Client section logs in to the coordinator ' +
        '(java.security.auth.login.config; also read from KAFKA_OPTS)',
    )
    .action(
      async (opts: {
        id?: number;
        port?: number;
        host: string;
        coordinator?: string;
        dataDir?: string;
        adminPort?: number;
        config?: string;
        override: string[];
        logLevel?: string;
        jaasConfig?: string;
      }) => {
        let fileText: string | undefined;
        if (opts.config) {
          try {
            fileText = readFileSync(opts.config, 'utf8');
          } catch (err) {
            throw new ConfigError(
              '--config',
              `cannot read ${opts.config}: ${(err as Error).message}`,
            );
          }
        }
        const config = buildBrokerConfig({
          fileText,
          overrides: opts.override,
          cli: {
            id: opts.id,
            port: opts.port,
            host: opts.host,
            coordinator: opts.coordinator,
            dataDir: opts.dataDir,
            adminPort: opts.adminPort,
          },
        });
        const logger = createRootLogger({
          level: opts.logLevel,
          name: `broker-${config.brokerId}`,
        });
        const jaasConfigFile = opts.jaasConfig ?? jaasFileOfKafkaOpts(process.env.KAFKA_OPTS);
        const broker = await startBroker({ config, logger, jaasConfigFile });
        let stopping = false;
        const stop = (signal: string): void => {
          if (stopping) return;
          stopping = true;
          logger.info({ signal }, 'signal received; stopping');
          broker.shutdown().then(
            () => exitAfterFlush(0),
            (err: unknown) => {
              logger.error({ err }, 'unclean shutdown');
              return exitAfterFlush(1);
            },
          );
        };
        process.on('SIGINT', () => stop('SIGINT'));
        process.on('SIGTERM', () => stop('SIGTERM'));
      },
    );
  return program;
}

if (isEntryPoint(import.meta.url)) {
  exitOnBrokenPipe();
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      // commander has printed its own message (or the help text, with exit code 0).
      if (err instanceof CommanderError) return exitAfterFlush(err.exitCode === 0 ? 0 : 1);
      const e = err as Error & { code?: string };
      process.stderr.write(`broker: ${e.code ? `${e.code}: ` : ''}${e.message}\n`);
      return exitAfterFlush(1);
    });
}
