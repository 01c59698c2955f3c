/**
 * For the `samsa` tool tests: a coordinator and one broker as real processes on free ports,
 * and `samsa(args, stdin)` running scripts/samsa.ts against them.
 */
import { execFile } from 'node:child_process';
import {
  daemonDataDir,
  freePort,
  nodeArgsFor,
  ROOT,
  spawnDaemon,
  startCoordinatorProcess,
} from '../../helpers/processes.js';

export interface ToolCluster {
  bootstrap: string;
  samsa: (
    args: string[],
    stdin?: string,
  ) => Promise<{ code: number; stdout: string; stderr: string }>;
}

export async function startToolCluster(t: {
  teardown(fn: () => unknown): void;
}): Promise<ToolCluster> {
  const dir = daemonDataDir(t);
  const coordinator = await startCoordinatorProcess({ dataDir: `${dir}/coordinator` });
  t.teardown(() => coordinator.kill('SIGKILL'));
  const port = await freePort();
  const broker = await spawnDaemon(
    'broker/cli.ts',
    [
      ...['start', '--id', '1', '--port', String(port)],
      ...['--coordinator', `127.0.0.1:${coordinator.port}`, '--data-dir', `${dir}/broker-1`],
      ...['--override', 'offsets.topic.replication.factor=1'],
      ...['--override', 'offsets.topic.num.partitions=3'],
      ...['--override', 'group.initial.rebalance.delay.ms=0'],
    ],
    'broker listening',
  );
  t.teardown(() => broker.kill('SIGKILL'));
  const bootstrap = `127.0.0.1:${port}`;
  return {
    bootstrap,
    samsa: (args, stdin) =>
      new Promise((resolve) => {
        const child = execFile(
          process.execPath,
          [...nodeArgsFor('scripts/samsa.ts'), ...args, '--bootstrap-server', bootstrap],
          { cwd: ROOT, timeout: 30_000 },
          (err, stdout, stderr) => {
            const code = err ? ((err as { code?: number }).code ?? 1) : 0;
            resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
          },
        );
        child.stdin!.end(stdin ?? '');
      }),
  };
}
