/**
 * A daemon started from the TypeScript sources under the inspector (`--inspect` on a free
 * loopback port), for the scripts that measure memory (fuzz-memory.ts, bench-partitions.ts):
 * forced garbage collections, process.memoryUsage() with VmRSS, heap snapshots.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import * as path from 'node:path';
import WebSocket from 'ws';
import { freePort, ROOT, type BenchDaemons } from './bench-daemons.js';

export interface Measurement {
  label: string;
  framesSoFar: number;
  /** VmRSS as found, before the forced collections. */
  rssBeforeGcMiB: number;
  /** VmRSS after them, with the rest of the figures. */
  rssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
  arrayBuffersMiB: number;
  handles: number;
  /** The active resources by kind (TCPSocketWrap, Timeout, FSReqCallback, ...). */
  handleKinds: Record<string, number>;
}

const MiB = 1024 * 1024;

/** One daemon under the inspector: its process and a session on its inspector socket. */
export class Inspected {
  #nextId = 1;
  readonly #pending = new Map<number, (result: unknown) => void>();
  readonly #chunks: ((chunk: string) => void)[] = [];

  private constructor(
    readonly child: ChildProcess,
    readonly socket: WebSocket,
  ) {
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
        method?: string;
        params?: { chunk?: string };
      };
      if (message.method === 'HeapProfiler.addHeapSnapshotChunk') {
        for (const sink of this.#chunks) sink(message.params!.chunk!);
        return;
      }
      if (message.id === undefined) return;
      const resolve = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      resolve?.(message.error === undefined ? message.result : new Error(message.error.message));
    });
  }

  /** Starts `node --inspect=127.0.0.1:P --import tsx script args` and attaches to it. */
  static async start(
    daemons: BenchDaemons,
    script: string,
    args: string[],
    ready: string,
  ): Promise<Inspected> {
    const inspectPort = await freePort();
    const child = spawn(
      process.execPath,
      [`--inspect=127.0.0.1:${inspectPort}`, '--import', 'tsx', path.join(ROOT, script), ...args],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    daemons.track(child);
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      let inspector: string | undefined;
      child.stderr!.on('data', (chunk: Buffer) => {
        if (output.length < 1_000_000) output += chunk.toString();
        inspector ??= /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1];
        if (inspector !== undefined && output.includes(ready)) resolve(inspector);
      });
      child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
    });
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new Inspected(child, socket);
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.#nextId++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (result) =>
        result instanceof Error ? reject(result) : resolve(result),
      );
    });
  }

  rssMiB(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
  }

  async measure(label: string, framesSoFar: number): Promise<Measurement> {
    const rssBeforeGcMiB = this.rssMiB();
    // Twice: the first collection can leave objects that only the second frees (weak
    // callbacks, finalizers of Buffers).
    await this.call('HeapProfiler.collectGarbage');
    await this.call('HeapProfiler.collectGarbage');
    const evaluated = (await this.call('Runtime.evaluate', {
      expression:
        'JSON.stringify({ ...process.memoryUsage(), ' +
        'resources: process.getActiveResourcesInfo() })',
      returnByValue: true,
    })) as { result: { value: string } };
    const usage = JSON.parse(evaluated.result.value) as NodeJS.MemoryUsage & {
      resources: string[];
    };
    const handleKinds: Record<string, number> = {};
    for (const kind of usage.resources) handleKinds[kind] = (handleKinds[kind] ?? 0) + 1;
    return {
      label,
      framesSoFar,
      rssBeforeGcMiB,
      rssMiB: this.rssMiB(),
      heapUsedMiB: usage.heapUsed / MiB,
      heapTotalMiB: usage.heapTotal / MiB,
      externalMiB: usage.external / MiB,
      arrayBuffersMiB: usage.arrayBuffers / MiB,
      handles: usage.resources.length,
      handleKinds,
    };
  }

  async snapshot(file: string): Promise<void> {
    const out = createWriteStream(file);
    const sink = (chunk: string) => out.write(chunk);
    this.#chunks.push(sink);
    await this.call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    this.#chunks.splice(this.#chunks.indexOf(sink), 1);
    await new Promise<void>((resolve) => out.end(resolve));
  }

  async stop(): Promise<void> {
    this.socket.close();
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}
