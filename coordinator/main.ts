/**
 * Starting and stopping a coordinator: the only module that opens ports and the data
 * directory and wires the pieces together (core, client port, admin endpoint). The
 * `coordinator start` command (cli.ts) and the tests call `startCoordinator`.
 */
import { mkdir } from 'node:fs/promises';
import type { Server as NetServer, AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { createRootLogger, type Logger } from '../src/logger.js';
import { systemScheduler, type Scheduler } from '../src/scheduler.js';
import { CoordinatorServer } from './coordinator-server.js';
import { createWsTransport } from './ws-server.js';
import { createAdminServer } from './admin-server.js';
import { listenClientPort, type ClientPort } from './client-port.js';
import { MemoryStore } from './memory-store.js';
import type { EnsembleConfig } from './ensemble/config.js';
import { EnsembleNode } from './ensemble/ensemble-node.js';
import { ZabDisk } from './ensemble/zab-disk.js';
import { coordinatorTxnCodec, type CoordinatorTxn } from './ensemble/txn.js';
import { loadTlsMaterial, type CoordinatorSecurity } from './security-config.js';

export interface CoordinatorOptions {
  host?: string;
  /** Client port (default 2181); 0 picks a free one. */
  port: number;
  /** Admin HTTP port (default 8080); 0 picks a free one; -1 disables it. */
  adminPort?: number;
  dataDir: string;
  tickMs?: number;
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  extendedTypesEnabled?: boolean;
  containerCheckIntervalMs?: number;
  logLevel?: string;
  logger?: Logger;
  /** Time and timers for the whole coordinator; the system scheduler unless a test gives one. */
  scheduler?: Scheduler;
  /**
   * Run as a member of an ensemble (coordinator/ensemble/, docs/ensemble.md) instead of
   * standalone. The Zab log in `<dataDir>/zab` is then the durable state; the tree is rebuilt
   * from it on start.
   */
  ensemble?: EnsembleConfig;
  /**
   * The super digest, the secure client port and its TLS stores, HTTPS and a login on the
   * admin port (coordinator/security-config.ts, docs/security.md). Absent: none of them.
   */
  security?: CoordinatorSecurity;
}

export interface RunningCoordinator {
  port: number;
  /** The secure (TLS) client port, -1 when there is none. */
  securePort: number;
  adminPort: number;
  core: CoordinatorServer;
  close(): Promise<void>;
}

/** A port that is taken gets a message a person can act on. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
  readonly code = 'KC_ERR_PORT_IN_USE';
}

function listen(
  server: NetServer | HttpServer | HttpsServer,
  port: number,
  host: string,
  what: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        err.code === 'EADDRINUSE'
          ? new PortInUseError(
              `${what} port ${host}:${port} is already in use (is another coordinator running?)`,
            )
          : err,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startCoordinator(options: CoordinatorOptions): Promise<RunningCoordinator> {
  const logger =
    options.logger ?? createRootLogger({ level: options.logLevel, name: 'coordinator' });
  const host = options.host ?? '127.0.0.1';
  await mkdir(options.dataDir, { recursive: true });
  const scheduler = options.scheduler ?? systemScheduler;
  let node: EnsembleNode | undefined;
  if (options.ensemble) {
    const zabLogger = logger.child({ component: 'zab' });
    const { disk, recovered } = await ZabDisk.open<CoordinatorTxn>(
      options.dataDir,
      zabLogger,
      coordinatorTxnCodec,
    );
    node = new EnsembleNode({
      config: options.ensemble,
      tickMs: options.tickMs ?? 2000,
      disk,
      persisted: recovered.state,
      logger: zabLogger,
      scheduler,
    });
    node.onFatal = () => process.exit(1);
  }
  const core = await CoordinatorServer.open({
    ...(node
      ? {
          replication: node,
          // The Zab log is the durable state; the tree lives in memory, rebuilt from the log.
          store: new MemoryStore(),
          serverId: options.ensemble!.id,
        }
      : {}),
    dataDir: options.dataDir,
    tickMs: options.tickMs,
    minSessionTimeoutMs: options.minSessionTimeoutMs,
    maxSessionTimeoutMs: options.maxSessionTimeoutMs,
    extendedTypesEnabled: options.extendedTypesEnabled,
    containerCheckIntervalMs: options.containerCheckIntervalMs,
    clientPort: options.port,
    superDigest: options.security?.superDigest,
    logger: logger.child({ component: 'coordinator' }),
    scheduler,
  });
  if (node) {
    try {
      await node.start(core);
    } catch (err) {
      await node.close();
      await core.close();
      throw (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
        ? new PortInUseError(`ensemble port is already in use: ${(err as Error).message}`)
        : err;
    }
  }
  const ws = createWsTransport(core, logger);
  // The client port serves both protocols: an HTTP upgrade becomes a WebSocket connection,
  // anything else is ZooKeeper's binary protocol (client-port.ts sniffs the first bytes).
  let clientPort: ClientPort;
  try {
    clientPort = await listenClientPort({ host, port: options.port, core, ws, logger });
  } catch (err) {
    await node?.close();
    await core.close();
    throw (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? new PortInUseError(
          `client port ${host}:${options.port} is already in use (is another coordinator running?)`,
        )
      : err;
  }
  const port = clientPort.port;
  // `conf` reports the port actually bound (with --port 0 the system picked it).
  core.options.clientPort = port;
  const security = options.security;
  let securePort: ClientPort | undefined;
  if (security?.secureClientPort !== undefined && security.clientTls !== undefined) {
    try {
      securePort = await listenClientPort({
        host,
        port: security.secureClientPort,
        core,
        ws,
        logger,
        tls: loadTlsMaterial(security.clientTls),
      });
    } catch (err) {
      await clientPort.close();
      await node?.close();
      await core.close();
      throw (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
        ? new PortInUseError(`secure client port ${host}:${security.secureClientPort} is in use`)
        : err;
    }
  }
  if (securePort) core.options.secureClientPort = securePort.port;
  let adminPort = -1;
  let admin: HttpServer | HttpsServer | undefined;
  if (options.adminPort !== -1) {
    admin = createAdminServer(core, logger, {
      tls: security?.adminTls === undefined ? undefined : loadTlsMaterial(security.adminTls),
      login: security?.adminLogin,
    });
    try {
      adminPort = await listen(admin, options.adminPort ?? 8080, host, 'admin');
    } catch (err) {
      await securePort?.close();
      await clientPort.close();
      await node?.close();
      await core.close();
      throw err;
    }
  }
  logger.info(
    {
      host,
      port,
      securePort: securePort?.port ?? -1,
      adminPort,
      adminHttps: security?.adminTls !== undefined,
      superUser: security?.superDigest !== undefined,
      dataDir: options.dataDir,
      tickMs: core.options.tickMs,
      mode: node ? `ensemble member ${options.ensemble!.id}` : 'standalone',
    },
    'coordinator listening',
  );

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await clientPort.close();
      await securePort?.close();
      admin?.close();
      for (const client of ws.wss.clients) client.terminate();
      await node?.close();
      await core.close();
      admin?.closeAllConnections();
      logger.info('coordinator stopped');
    })());
  core.on('fatal', () => {
    // The disk failed under us: memory and disk may disagree, so stop at once.
    process.exit(1);
  });
  return { port, securePort: securePort?.port ?? -1, adminPort, core, close };
}
