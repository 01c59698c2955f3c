/**
 * Helpers for tests that run the client and its recipes against the real coordinator,
 * in-process: `startTestCoordinator` (temporary data dir, free ports, silent logs, stopped in
 * teardown) and `TcpProxy`, a cuttable TCP relay put between a client and the server to
 * simulate a network failure (cut) and its repair (restore) on the same address.
 */
import { createServer, connect, type Server, type Socket, type AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { startCoordinator } from '../../../coordinator/main.js';
import { silentLogger } from '../../../src/logger.js';
import type { Scheduler } from '../../../src/scheduler.js';
import {
  CoordinatorClient,
  type CoordinatorClientOptions,
} from '../../../src/coordinator-client/client.js';

/**
 * `scheduler` (a ManualScheduler) runs the server on manual time: its sessions then expire
 * only when the test advances it, however slow the machine is.
 */
export async function startTestCoordinator(
  t: Test,
  tickMs = 100,
  scheduler?: Scheduler,
): Promise<{ port: number; connectString: string }> {
  const running = await startCoordinator({
    port: 0,
    adminPort: -1,
    dataDir: t.testdir(),
    tickMs,
    logger: silentLogger(),
    scheduler,
  });
  t.teardown(() => running.close());
  return { port: running.port, connectString: `127.0.0.1:${running.port}` };
}

/** A connected client, closed in teardown. */
export async function connectedClient(
  t: Test,
  connectString: string,
  options: CoordinatorClientOptions = {},
): Promise<CoordinatorClient> {
  const client = new CoordinatorClient(connectString, {
    reconnectBackoffMinMs: 10,
    reconnectBackoffMaxMs: 50,
    ...options,
  });
  t.teardown(() => client.close());
  await client.connect();
  return client;
}

export class TcpProxy {
  #server: Server | undefined;
  #sockets = new Set<Socket>();
  #port = 0;

  private constructor(readonly targetPort: number) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort);
    await proxy.restore();
    return proxy;
  }

  get connectString(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** Listen (again, on the same port after a cut) and relay connections to the target. */
  async restore(): Promise<void> {
    const server = createServer((downstream) => {
      const upstream = connect(this.targetPort, '127.0.0.1');
      for (const s of [downstream, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      downstream.pipe(upstream);
      upstream.pipe(downstream);
      downstream.on('close', () => upstream.destroy());
      upstream.on('close', () => downstream.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.#port, '127.0.0.1', resolve));
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Drop every relayed connection and stop accepting new ones. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
