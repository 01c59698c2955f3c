/**
 * What the benchmark scripts share: free loopback ports, daemons started from the
 * TypeScript source and waited for until they log that they are ready, and one clean-up that
 * kills them all and removes the temporary data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export class BenchDaemons {
  /** A fresh temporary directory for the daemons' data, removed by `stopAll`. */
  readonly dir: string;
  readonly #children = new Set<ChildProcess>();

  constructor(prefix: string) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  }

  /** Starts `node --import tsx script args`; resolves once its stderr shows `ready`. */
  start(script: string, args: string[], ready: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, script), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.track(child);
    return new Promise((resolve, reject) => {
      let output = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        if (output.length < 1_000_000) output += chunk.toString();
        if (output.includes(ready)) resolve(child);
      });
      child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
    });
  }

  /** Starts a coordinator on a free port with its data under `dir`; returns its address. */
  async startCoordinator(): Promise<string> {
    const port = await freePort();
    const args = ['start', '--port', String(port), '--admin-port', String(await freePort())];
    args.push('--data-dir', path.join(this.dir, 'coordinator'));
    await this.start('coordinator/cli.ts', args, 'coordinator listening');
    return `127.0.0.1:${port}`;
  }

  /** Another process to kill at the end (a client the script started itself). */
  track(child: ChildProcess): void {
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
  }

  /** Kills every process still running (SIGKILL) and removes the data directory. */
  stopAll(): void {
    for (const child of this.#children) child.kill('SIGKILL');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
