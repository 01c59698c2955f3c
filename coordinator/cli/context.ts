/**
 * What every `coordinator` subcommand module shares: where output goes, the global options,
 * how to open a short-lived session, and how failures become one line on stderr plus exit
 * code 1.
 *
 * A subcommand module is an object with `register(program, ctx)` that adds its commands to
 * the commander program (see ../cli.ts for the list). Kafka views (`coordinator topics ...`,
 * `coordinator cluster ...`) are meant to be added the same way, as further modules.
 *
 * One-shot session rule: a command opens a session, does its work and closes the session
 * before exiting (zkCli's one-shot mode does not; we do, so an ephemeral node made by
 * `create -e` disappears as soon as the command returns instead of lingering for the session
 * timeout).
 */
import { readFileSync } from 'node:fs';
import type {
  ConnectionProtocol,
  TlsConnectionOptions,
} from '../../src/coordinator-client/connection.js';
import type { Command } from 'commander';
import { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { KeeperError } from '../../src/protocol/coordinator/errors.js';

export interface GlobalOptions {
  /** Connect string: `host:port[,host:port...][/chroot]`. */
  server: string;
  /** The client's wire protocol (ZooKeeper's binary one unless --protocol websocket). */
  protocol: ConnectionProtocol;
  /** Requested session timeout for one-shot commands. */
  sessionTimeoutMs: number;
  /** Give up connecting after this long. */
  connectTimeoutMs: number;
  /** TLS (the secure client port): --tls, or any of --tls-ca/--tls-cert/--tls-key. */
  tls: TlsConnectionOptions | undefined;
  /** --auth user:password: a digest auth sent before anything else (zkCli's addauth). */
  auth: string | undefined;
}

export interface CliContext {
  /** Write one line (or several, already joined) to stdout. */
  out(text: string): void;
  /** Write one line to stderr. */
  err(text: string): void;
  /** The global options as seen from a subcommand. */
  globals(command: Command): GlobalOptions;
  /** Open a session, run `work`, always close the session. */
  withClient<T>(command: Command, work: (client: CoordinatorClient) => Promise<T>): Promise<T>;
}

export interface CommandModule {
  register(program: Command, ctx: CliContext): void;
}

/** A usage problem found by a command itself (commander reports its own). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function createContext(io: {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}): CliContext {
  const ctx: CliContext = {
    out: (text) => void io.stdout.write(text + '\n'),
    err: (text) => void io.stderr.write(text + '\n'),
    globals(command) {
      const o = command.optsWithGlobals<{
        server: string;
        protocol: string;
        sessionTimeout: string;
        connectTimeout: string;
        tls?: boolean;
        tlsCa?: string;
        tlsCert?: string;
        tlsKey?: string;
        auth?: string;
      }>();
      if (o.protocol !== 'zookeeper' && o.protocol !== 'websocket') {
        throw new Error(`--protocol must be zookeeper or websocket, not ${o.protocol}`);
      }
      return {
        server: o.server,
        protocol: o.protocol,
        sessionTimeoutMs: parseIntOption(o.sessionTimeout, '--session-timeout'),
        connectTimeoutMs: parseIntOption(o.connectTimeout, '--connect-timeout'),
        tls: tlsOptions(o),
        auth: o.auth,
      };
    },
    async withClient(command, work) {
      const g = ctx.globals(command);
      const client = new CoordinatorClient(g.server, {
        protocol: g.protocol,
        sessionTimeoutMs: g.sessionTimeoutMs,
        initialConnectTimeoutMs: g.connectTimeoutMs,
        tls: g.tls,
        authInfo: g.auth === undefined ? undefined : [{ scheme: 'digest', auth: g.auth }],
      });
      try {
        await client.connect();
      } catch (err) {
        if (err instanceof KeeperError) {
          throw new Error(`${err.message}: could not connect to ${g.server}`, { cause: err });
        }
        throw err;
      }
      try {
        return await work(client);
      } finally {
        await client.close();
      }
    },
  };
  return ctx;
}

function tlsOptions(o: {
  tls?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}): TlsConnectionOptions | undefined {
  if (o.tls !== true && o.tlsCa === undefined && o.tlsCert === undefined && o.tlsKey === undefined)
    return undefined;
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined))
    throw new UsageError('--tls-cert and --tls-key go together');
  const read = (file: string, flag: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new UsageError(`${flag}: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  const options: TlsConnectionOptions = {};
  if (o.tlsCa !== undefined) options.ca = read(o.tlsCa, '--tls-ca');
  if (o.tlsCert !== undefined) options.cert = read(o.tlsCert, '--tls-cert');
  if (o.tlsKey !== undefined) options.key = read(o.tlsKey, '--tls-key');
  return options;
}

export function parseIntOption(text: string, name: string): number {
  if (!/^-?\d+$/.test(text))
    throw new UsageError(`${name} must be an integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** The one line a failure prints: `Error: KeeperErrorCode = NoNode for /x`. */
export function describeFailure(err: unknown): string {
  if (err instanceof Error) return `Error: ${err.message}`;
  return `Error: ${String(err)}`;
}
