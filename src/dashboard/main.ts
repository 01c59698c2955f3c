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
