/**
 * exitAfterFlush: a program's output reaches a reader that reads, and a reader that never
 * reads cannot keep a stopping process alive for ever.
 */
import { spawn } from 'node:child_process';
import t from 'tap';
import { FLUSH_WAIT_MS_MAX } from '../../src/process-exit.js';
import { ROOT } from '../helpers/processes.js';

/** A child that writes `bytes` bytes to stdout, then calls exitAfterFlush(3). */
function writer(bytes: number) {
  const script =
    "import { exitAfterFlush } from './src/process-exit.ts';" +
    `process.stdout.write(Buffer.alloc(${bytes}, 120)); void exitAfterFlush(3);`;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

const exitCode = (child: ReturnType<typeof spawn>) =>
  new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

t.test(
  'everything written reaches a reader that reads, then the code is the one asked',
  async (t) => {
    const child = writer(1_000_000);
    let received = 0;
    child.stdout!.on('data', (chunk: Buffer) => (received += chunk.length));
    t.equal(await exitCode(child), 3);
    t.equal(received, 1_000_000);
  },
);

t.test('a reader that never reads delays the exit by FLUSH_WAIT_MS_MAX at most', async (t) => {
  const child = writer(1_000_000); // far more than a pipe buffer holds
  child.stdout!.pause();
  t.equal(await exitCode(child), 3, `exited (after at most ${FLUSH_WAIT_MS_MAX} ms)`);
  child.stdout!.destroy();
});
