/**
 * Four-letter words ("4lw": ruok, srvr, mntr, ...) over the WebSocket protocol, or over
 * plain TCP as ZooKeeper takes them (`protocol: 'zookeeper'`: `echo ruok | nc host 2181`),
 * which both Apache ZooKeeper and our coordinator answer.
 *
 * ZooKeeper recognises a 4lw when the first four bytes of a fresh TCP connection spell a
 * command; it writes plain text and closes. Our WebSocket protocol keeps the idea: instead of
 * a `connect` message the client sends `{"type":"command","command":"ruok"}`, the server
 * answers `{"type":"command","command":"ruok","output":"imok"}` and closes the connection.
 * No session is created, so a 4lw works even when the server cannot serve sessions.
 */
import { connect, type Socket } from 'node:net';
import * as tls from 'node:tls';
import WebSocket from 'ws';
import {
  decodeServerFrame,
  encodeClientFrame,
  messageText,
} from '../protocol/coordinator/ws-codec.js';
import { systemScheduler, type Scheduler } from '../scheduler.js';
import { parseConnectString, serverUrl, type ServerAddress } from './connect-string.js';
import type { ConnectionProtocol, TlsConnectionOptions } from './connection.js';

export interface FourLetterWordOptions {
  /** Give up (reject) after this long. */
  timeoutMs?: number;
  /** Runs the timeout; the system scheduler by default. */
  scheduler?: Scheduler;
  /** `websocket` (the default) or `zookeeper`: the word alone on a fresh TCP connection. */
  protocol?: ConnectionProtocol;
  /** TLS, for the secure client port (wss, or ZooKeeper's protocol over TLS). */
  tls?: TlsConnectionOptions;
}

/**
 * Send one four-letter word to the first server of `connectString` and resolve with its
 * text output. Rejects when the connection fails, times out, or the server answers anything
 * but a command output.
 */
export function fourLetterWord(
  connectString: string,
  command: string,
  options: FourLetterWordOptions = {},
): Promise<string> {
  const server = parseConnectString(connectString)[0];
  const timeoutMs = options.timeoutMs ?? 5_000;
  if (options.protocol === 'zookeeper') return overTcp(server, command, timeoutMs, options);
  return new Promise<string>((resolve, reject) => {
    const ws = new WebSocket(serverUrl(server, options.tls !== undefined), {
      ...options.tls,
      perMessageDeflate: false,
    });
    let done = false;
    const finish = (err: Error | undefined, output?: string): void => {
      if (done) return;
      done = true;
      timer.cancel();
      ws.terminate();
      if (err) reject(err);
      else resolve(output ?? '');
    };
    const timer = (options.scheduler ?? systemScheduler).schedule(timeoutMs, () =>
      finish(
        new Error(`no answer to ${command} from ${server.host}:${server.port} in ${timeoutMs} ms`),
      ),
    );
    ws.on('open', () => ws.send(encodeClientFrame({ type: 'command', command })));
    ws.on('message', (data) => {
      try {
        const frame = decodeServerFrame(messageText(data));
        if (frame.type !== 'command') throw new Error(`expected command output, got ${frame.type}`);
        finish(undefined, frame.output);
      } catch (err) {
        finish(err as Error);
      }
    });
    ws.on('error', (err) => finish(err));
    ws.on('close', () =>
      finish(
        new Error(
          `${server.host}:${server.port} closed the connection without answering ${command}`,
        ),
      ),
    );
  });
}

/** ZooKeeper's way: the four bytes on a fresh connection; the text comes back, then FIN. */
function overTcp(
  server: ServerAddress,
  command: string,
  timeoutMs: number,
  options: FourLetterWordOptions,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const socket: Socket = options.tls
      ? tls.connect({ ...options.tls, host: server.host, port: server.port }, () =>
          socket.end(command),
        )
      : connect({ host: server.host, port: server.port }, () => socket.end(command));
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (err: Error | undefined, output?: string): void => {
      if (done) return;
      done = true;
      timer.cancel();
      socket.destroy();
      if (err) reject(err);
      else resolve(output ?? '');
    };
    const timer = (options.scheduler ?? systemScheduler).schedule(timeoutMs, () =>
      finish(
        new Error(`no answer to ${command} from ${server.host}:${server.port} in ${timeoutMs} ms`),
      ),
    );
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (err) => finish(err));
    socket.on('close', () => {
      const output = Buffer.concat(chunks).toString('utf8');
      if (output.length > 0) finish(undefined, output);
      else {
        finish(
          new Error(
            `${server.host}:${server.port} closed the connection without answering ${command}`,
          ),
        );
      }
    });
  });
}
