/**
 * Coordinator benchmark (not a test): create, setData, getData and exists throughput with 1, 4
 * and 16 sessions, each keeping `--outstanding` requests in flight (pipelined), plus the
 * latency of watch notifications. The coordinator runs as its own process with a fresh data
 * directory and durable (fsynced) group commits, exactly as users run it.
 *
 *   node --import tsx scripts/bench-coordinator.ts [--ops 40000] [--outstanding 100]
 *        [--sessions 1,4,16] [--server host:port]   (an already-running server instead)
 *
 * The load generator is deliberately lean (pre-built JSON, replies counted without a full
 * decode) so that on a 2-core machine it leaves the server as much CPU as possible.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { messageText } from '../src/protocol/coordinator/ws-codec.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    ops: { type: 'string', default: '40000' },
    outstanding: { type: 'string', default: '100' },
    sessions: { type: 'string', default: '1,4,16' },
    server: { type: 'string' },
  },
});
const OPS = Number(values.ops);
const OUTSTANDING = Number(values.outstanding);
const SESSION_COUNTS = values.sessions!.split(',').map(Number);

interface Session {
  ws: WebSocket;
  onMessage: (text: string) => void;
}

async function openSession(port: number): Promise<Session> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const session: Session = { ws, onMessage: () => {} };
  const connected = new Promise<void>((resolve) => {
    session.onMessage = () => resolve();
  });
  ws.on('message', (data) => session.onMessage(messageText(data)));
  ws.send(JSON.stringify({ type: 'connect', timeoutMs: 30000 }));
  await connected;
  return session;
}

type Op = 'create' | 'setData' | 'getData' | 'exists';
const DATA = Buffer.from('x'.repeat(100)).toString('base64');

function request(op: Op, session: number, i: number, xid: number): string {
  const path = `/bench/s${session}-${i}`;
  switch (op) {
    case 'create':
      return `{"type":"request","xid":${xid},"op":"create","path":"${path}","data":"${DATA}"}`;
    case 'setData':
      return (
        `{"type":"request","xid":${xid},"op":"setData",` +
        `"path":"${path}","data":"${DATA}","version":-1}`
      );
    case 'getData':
      return `{"type":"request","xid":${xid},"op":"getData","path":"${path}"}`;
    case 'exists':
      return `{"type":"request","xid":${xid},"op":"exists","path":"${path}"}`;
  }
}

/** Run `OPS` requests of one kind spread over the sessions; returns ops/s. */
async function runPhase(sessions: Session[], op: Op, keysPerSession: number): Promise<number> {
  const perSession = Math.floor(OPS / sessions.length);
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    sessions.map(
      (s, si) =>
        new Promise<void>((resolve) => {
          let sent = 0;
          let done = 0;
          let xid = 1;
          const sendOne = (): void => {
            s.ws.send(request(op, si, sent % keysPerSession, xid++));
            sent++;
          };
          s.onMessage = (text) => {
            if (!text.includes('"err":0')) errors++;
            done++;
            if (sent < perSession) sendOne();
            if (done === perSession) resolve();
          };
          while (sent < Math.min(OUTSTANDING, perSession)) sendOne();
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  if (errors > 0) throw new Error(`${op}: ${errors} requests failed`);
  return Math.round((perSession * sessions.length) / seconds);
}

/** One client sets data, another holds a watch: time from the write to the event. */
async function watchLatency(port: number, rounds = 200): Promise<{ p50: number; p99: number }> {
  const writer = await openSession(port);
  const watcher = await openSession(port);
  const samples: number[] = [];
  let xid = 1;
  const call = (s: Session, body: string): Promise<string> =>
    new Promise((resolve) => {
      s.onMessage = resolve;
      s.ws.send(body);
    });
  await call(writer, `{"type":"request","xid":${xid++},"op":"create","path":"/watched"}`);
  for (let i = 0; i < rounds; i++) {
    await call(
      watcher,
      `{"type":"request","xid":${xid++},"op":"getData","path":"/watched","watch":true}`,
    );
    const fired = new Promise<number>((resolve) => {
      watcher.onMessage = () => resolve(performance.now());
    });
    const t0 = performance.now();
    writer.onMessage = () => {};
    writer.ws.send(
      `{"type":"request","xid":${xid++},"op":"setData","path":"/watched","data":"${DATA}"}`,
    );
    samples.push((await fired) - t0);
  }
  writer.ws.close();
  watcher.ws.close();
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(rounds * 0.5)]!, p99: samples[Math.floor(rounds * 0.99)]! };
}

async function main(): Promise<void> {
  let port: number;
  let stop = async (): Promise<void> => {};
  if (values.server) {
    port = Number(values.server.split(':')[1]);
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), 'bench-coordinator-'));
    port = 21810 + Math.floor(Math.random() * 1000);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'coordinator/cli.ts'),
        'start',
        '--port',
        String(port),
        '--admin-port',
        '0',
        '--data-dir',
        dataDir,
        '--log-level',
        'warn',
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    stop = async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    };
    for (let i = 0; ; i++) {
      try {
        (await openSession(port)).ws.close();
        break;
      } catch {
        if (i > 100) throw new Error('coordinator did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  const setup = await openSession(port);
  await new Promise<void>((resolve) => {
    setup.onMessage = () => resolve();
    setup.ws.send('{"type":"request","xid":1,"op":"create","path":"/bench"}');
  });
  console.log(
    `# coordinator benchmark: ${OPS} ops per cell, ${OUTSTANDING} outstanding per session, ` +
      `${cpus().length} cores`,
  );
  console.log('| sessions | create/s | setData/s | getData/s | exists/s |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const count of SESSION_COUNTS) {
    const sessions = await Promise.all(Array.from({ length: count }, () => openSession(port)));
    const keys = Math.floor(OPS / count);
    // Fresh names per round: delete nothing, use a new prefix per session count.
    const results: number[] = [];
    for (const op of ['create', 'setData', 'getData', 'exists'] as Op[]) {
      const prefixed = sessions.map((s) => s);
      results.push(await runPhase(prefixed, op, keys));
    }
    console.log(`| ${count} | ${results.join(' | ')} |`);
    for (const s of sessions) s.ws.close();
    // The next round creates new paths under a fresh parent.
    await new Promise<void>((resolve) => {
      setup.onMessage = () => resolve();
      setup.ws.send(
        `{"type":"request","xid":${count + 10},"op":"create","path":"/bench-${count}-done"}`,
      );
    });
    await renameBench(setup, count);
  }
  const latency = await watchLatency(port);
  console.log(
    '\nwatch notification latency (setData -> event at another session): ' +
      `p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms`,
  );
  setup.ws.close();
  await stop();
}

/** Creates under /bench are per (session index, key); move on to a new parent per round. */
async function renameBench(setup: Session, count: number): Promise<void> {
  // Simplest: delete nothing and start the next round's keys under a different session index
  // range by recreating /bench as /bench-N. The request() paths use /bench/, so clear it.
  const list = await new Promise<string>((resolve) => {
    setup.onMessage = resolve;
    setup.ws.send(`{"type":"request","xid":${1000 + count},"op":"getChildren","path":"/bench"}`);
  });
  const children = (JSON.parse(list) as { children: string[] }).children;
  let pending = children.length;
  if (pending === 0) return;
  await new Promise<void>((resolve) => {
    setup.onMessage = () => {
      if (--pending === 0) resolve();
    };
    let xid = 100000;
    for (const child of children)
      setup.ws.send(`{"type":"request","xid":${xid++},"op":"delete","path":"/bench/${child}"}`);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
