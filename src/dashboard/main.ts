/**
 * `samsa dashboard`: runs the dashboard as a process of its own (scripts/samsa.ts parses the
 * options and calls `runDashboard`). Logs `dashboard listening {url}` once the page is served,
 * then mirrors the coordinator; SIGINT or SIGTERM closes it.
 */
import { createRootLogger } from '../logger.js';
import { exitAfterFlush } from '../process-exit.js';
import { Dashboard } from './dashboard.js';

export interface DashboardCommandOptions {
  coordinator: string;
  host: string;
  port: number;
  readOnly: boolean;
  brokerAdminPortBase: number | null;
  brokerAdminPorts: Map<number, number>;
  pollIntervalMs: number;
}

/** `--broker-admin-port 1=8091 --broker-admin-port 2=8092` -> {1 -> 8091, 2 -> 8092}. */
export function parseBrokerAdminPorts(values: readonly string[]): Map<number, number> {
  const ports = new Map<number, number>();
  for (const value of values) {
    const m = /^(\d+)=(\d+)$/.exec(value);
    const port = Number(m?.[2]);
    if (!m || port < 1 || port > 65535)
      throw new Error(`--broker-admin-port ${value}: expected BROKER_ID=PORT, as 1=8091`);
    ports.set(Number(m[1]), port);
  }
  return ports;
}

export async function runDashboard(options: DashboardCommandOptions): Promise<void> {
  const logger = createRootLogger({ name: 'dashboard' }).child({ component: 'dashboard' });
  const dashboard = new Dashboard({ ...options, logger });
  const stop = (): void => {
    void dashboard.close().finally(() => exitAfterFlush(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const { url } = await dashboard.start();
  logger.info({ url, readOnly: options.readOnly }, 'dashboard listening');
}
