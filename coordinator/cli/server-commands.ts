/**
 * Commands about the coordinator process rather than its data:
 *   start       run the daemon in the foreground until SIGINT/SIGTERM;
 *   ruok, stat-server (srvr), mntr, and `4lw WORD`: four-letter words, which need no
 *               session (see src/coordinator-client/four-letter-words.ts). Each prints the
 *               server's text as is.
 */
import type { Command } from 'commander';
import { fourLetterWord } from '../../src/coordinator-client/four-letter-words.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startCoordinator } from '../main.js';
import {
  ensembleConfig,
  parseEnsembleList,
  parseZooCfg,
  resolveServerId,
  type EnsembleConfig,
  type EnsembleMember,
} from '../ensemble/config.js';
import { parseIntOption, UsageError, type CliContext, type CommandModule } from './context.js';
import {
  buildSecurityConfig,
  securitySettingsOfZooCfg,
  type CoordinatorSecurity,
  type SecuritySettings,
} from '../security-config.js';

interface StartOptions {
  port: string;
  dataDir?: string;
  tickMs?: string;
  adminPort?: string;
  host: string;
  logLevel?: string;
  extendedTypes?: boolean;
  containerCheckIntervalMs?: string;
  id?: string;
  ensemble?: string;
  config?: string;
  initLimit?: string;
  syncLimit?: string;
  snapCount?: string;
  readOnly?: boolean;
  superDigest?: string;
  secureClientPort?: string;
  sslKeystore?: string;
  sslTruststore?: string;
  sslClientAuth?: string;
  adminHttps?: boolean;
  adminLogin?: string;
}

/** The flags' zoo.cfg names: a flag wins over the file's key. */
const SECURITY_FLAGS: readonly [keyof StartOptions, keyof SecuritySettings][] = [
  ['superDigest', 'DigestAuthenticationProvider.superDigest'],
  ['secureClientPort', 'secureClientPort'],
  ['sslKeystore', 'ssl.keyStore.location'],
  ['sslTruststore', 'ssl.trustStore.location'],
  ['sslClientAuth', 'ssl.clientAuth'],
  ['adminLogin', 'admin.login'],
];

function resolveSecurity(o: StartOptions, zooCfgText: string | undefined): CoordinatorSecurity {
  const settings: SecuritySettings =
    zooCfgText === undefined ? {} : securitySettingsOfZooCfg(zooCfgText);
  for (const [flag, key] of SECURITY_FLAGS) {
    const value = o[flag];
    if (typeof value !== 'string') continue;
    if (key === 'DigestAuthenticationProvider.superDigest')
      delete settings['zookeeper.DigestAuthenticationProvider.superDigest'];
    settings[key] = value;
  }
  if (o.adminHttps === true) settings['admin.forceHttps'] = 'true';
  try {
    return buildSecurityConfig(settings);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * `--config zoo.cfg` supplies tickTime, initLimit, syncLimit, dataDir, clientPort and the
 * server.N lines; a flag given on the command line wins over the file. With servers from either
 * place the coordinator runs as an ensemble member, otherwise standalone as always.
 */
function resolveStart(
  o: StartOptions,
  cmd: Command,
): StartOptions & { ensembleConfig?: EnsembleConfig; security: CoordinatorSecurity } {
  const fromCli = (name: string): boolean => cmd.getOptionValueSource(name) === 'cli';
  const zooCfgText = o.config === undefined ? undefined : readFileSync(o.config, 'utf8');
  const resolved: StartOptions & {
    ensembleConfig?: EnsembleConfig;
    security: CoordinatorSecurity;
  } = { ...o, security: resolveSecurity(o, zooCfgText) };
  let members: EnsembleMember[] = [];
  if (zooCfgText !== undefined) {
    const cfg = parseZooCfg(zooCfgText);
    if (cfg.dataDir !== undefined && o.dataDir === undefined) resolved.dataDir = cfg.dataDir;
    if (cfg.clientPort !== undefined && !fromCli('port')) resolved.port = String(cfg.clientPort);
    if (cfg.tickTime !== undefined && o.tickMs === undefined)
      resolved.tickMs = String(cfg.tickTime);
    if (cfg.initLimit !== undefined && o.initLimit === undefined)
      resolved.initLimit = String(cfg.initLimit);
    if (cfg.syncLimit !== undefined && o.syncLimit === undefined)
      resolved.syncLimit = String(cfg.syncLimit);
    if (cfg.snapCount !== undefined && o.snapCount === undefined)
      resolved.snapCount = String(cfg.snapCount);
    if (cfg.readOnly !== undefined && o.readOnly === undefined) resolved.readOnly = cfg.readOnly;
    members = cfg.members;
  }
  if (o.ensemble !== undefined) members = parseEnsembleList(o.ensemble);
  if (resolved.dataDir === undefined) {
    throw new UsageError('--data-dir (or dataDir in --config) is required');
  }
  if (members.length > 0) {
    const id = resolveServerId(
      o.id === undefined ? undefined : parseIntOption(o.id, '--id'),
      resolved.dataDir,
    );
    resolved.ensembleConfig = ensembleConfig(id, members, {
      initLimit:
        resolved.initLimit === undefined
          ? undefined
          : parseIntOption(resolved.initLimit, '--init-limit'),
      syncLimit:
        resolved.syncLimit === undefined
          ? undefined
          : parseIntOption(resolved.syncLimit, '--sync-limit'),
      snapCount:
        resolved.snapCount === undefined
          ? undefined
          : parseIntOption(resolved.snapCount, '--snap-count'),
      readOnly: resolved.readOnly === true,
    });
  } else if (o.id !== undefined) {
    throw new UsageError('--id needs --ensemble (or server.N lines in --config)');
  } else if (o.readOnly === true) {
    // A standalone server always has its quorum (ZooKeeper ignores the setting there).
    throw new UsageError('--read-only needs --ensemble (or server.N lines in --config)');
  }
  return resolved;
}

async function runStart(
  o: {
    port: string;
    dataDir: string;
    ensembleConfig?: EnsembleConfig;
    tickMs?: string;
    adminPort?: string;
    host: string;
    logLevel?: string;
    extendedTypes?: boolean;
    containerCheckIntervalMs?: string;
    security: CoordinatorSecurity;
  },
  ctx: CliContext,
): Promise<void> {
  const coordinator = await startCoordinator({
    host: o.host,
    port: parseIntOption(o.port, '--port'),
    dataDir: o.dataDir,
    ensemble: o.ensembleConfig,
    tickMs: o.tickMs === undefined ? undefined : parseIntOption(o.tickMs, '--tick-ms'),
    adminPort: o.adminPort === undefined ? undefined : parseIntOption(o.adminPort, '--admin-port'),
    logLevel: o.logLevel,
    extendedTypesEnabled: o.extendedTypes === true,
    containerCheckIntervalMs:
      o.containerCheckIntervalMs === undefined
        ? undefined
        : parseIntOption(o.containerCheckIntervalMs, '--container-check-interval-ms'),
    security: o.security,
  });
  // One line on stdout that scripts (and our tests) can wait for; logs go to stderr.
  const secure = coordinator.securePort === -1 ? '' : `, secure port ${coordinator.securePort}`;
  ctx.out(
    `Coordinator listening on ${o.host}:${coordinator.port} ` +
      `(admin port ${coordinator.adminPort}${secure})`,
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
      .option('--data-dir <dir>', 'where the transaction log and snapshots live (required)')
      .option('--tick-ms <ms>', 'tick length; session timeouts are clamped to [2, 20] ticks')
      .option('--admin-port <port>', 'admin HTTP port (0 = any free port, -1 = off; default 8080)')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
      .option('--extended-types', "allow TTL nodes (ZooKeeper's zookeeper.extendedTypesEnabled)")
      .option(
        '--container-check-interval-ms <ms>',
        'how often empty containers and expired TTL nodes are deleted (default 60000)',
      )
      .option(
        '--id <n>',
        "this server's id in the ensemble (default: the myid file in the data dir)",
      )
      .option(
        '--ensemble <list>',
        'run as an ensemble member: 1=host:quorumPort:electionPort,2=...,3=...',
      )
      .option(
        '--config <file>',
        'a zoo.cfg: tickTime, initLimit, syncLimit, snapCount, dataDir, clientPort, server.N, ' +
          'readonlymode.enabled',
      )
      .option(
        '--init-limit <ticks>',
        'ticks a follower may take to sync with its leader (default 10)',
      )
      .option('--sync-limit <ticks>', 'ticks a peer may go unheard in broadcast (default 5)')
      .option(
        '--super-digest <user:digest>',
        'the super user, user:base64(sha1(user:password)) ' +
          '(DigestAuthenticationProvider.superDigest)',
      )
      .option(
        '--secure-client-port <port>',
        'a second client port with TLS, both protocols (secureClientPort; 0 = any free port)',
      )
      .option(
        '--ssl-keystore <file>',
        "PEM file: the server's private key and certificate chain (ssl.keyStore.location)",
      )
      .option(
        '--ssl-truststore <file>',
        'PEM file: CAs that sign client certificates (ssl.trustStore.location)',
      )
      .option(
        '--ssl-client-auth <mode>',
        'client certificates on the secure port: none, want or need (ssl.clientAuth; default need)',
      )
      .option('--admin-https', 'the admin port speaks HTTPS only (admin.forceHttps)')
      .option(
        '--admin-login <user:digest>',
        'every admin request must log in as this user (admin.login; HTTP Basic)',
      )
      .option(
        '--read-only',
        'ensemble: without a quorum for max(2 s, tickTime), serve reads to read-only clients ' +
          '(readonlymode.enabled)',
      )
      .option(
        '--snap-count <txns>',
        'ensemble: snapshot the tree and trim the log every this many txns (default 100000)',
      )
      .action((o: StartOptions, cmd: Command) => {
        const resolved = resolveStart(o, cmd);
        return runStart({ ...resolved, dataDir: resolved.dataDir! }, ctx);
      });

    program
      .command('digest')
      .description(
        'print the digest id of user:password for ACLs, --super-digest and --admin-login ' +
          "(ZooKeeper's DigestAuthenticationProvider main)",
      )
      .argument('<user:password>')
      .action((userPassword: string) => {
        const colon = userPassword.indexOf(':');
        if (colon <= 0) throw new UsageError('give user:password');
        const hash = createHash('sha1').update(userPassword).digest('base64');
        ctx.out(`${userPassword}->${userPassword.slice(0, colon)}:${hash}`);
      });

    const fourLetter = (word: string) => async (_o: unknown, cmd: Command) => {
      const g = ctx.globals(cmd);
      const output = await fourLetterWord(g.server, word, {
        timeoutMs: g.connectTimeoutMs,
        protocol: g.protocol,
        tls: g.tls,
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
