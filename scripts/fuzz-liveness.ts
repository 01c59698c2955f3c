/**
 * Liveness probes of the socket fuzzer: each opens a fresh connection, asks the daemon the
 * cheapest question its protocol has, and resolves with the milliseconds the answer took, or
 * rejects (refused, closed, wrong answer, or no answer within `timeoutMs`).
 *
 *   kafka      ApiVersions v0 (the request every Kafka client sends first); the answer must
 *              carry the same correlation id and error code NONE
 *   zookeeper  the four-letter word `ruok`; the answer must be `imok`
 *   ws         a WebSocket session: connect, then getData("/") which must answer err 0
 */
import { connect as tcpConnect } from 'node:net';
import WebSocket from 'ws';
import { decodeResponse, encodeRequestFrame } from '../src/protocol/kafka/codec.js';
import { ErrorCode } from '../src/protocol/kafka/errors.js';
import { ErrorCode as ZkErrorCode } from '../src/protocol/coordinator/errors.js';
import { ApiKey } from '../src/protocol/kafka/api-keys.js';
import { FrameReader } from '../src/protocol/kafka/frame-reader.js';
import {
  decodeServerFrame,
  encodeClientFrame,
  messageText,
} from '../src/protocol/coordinator/ws-codec.js';

export type FuzzProtocol = 'kafka' | 'zookeeper' | 'ws';

export interface Target {
  readonly host: string;
  readonly port: number;
}

/** Runs `body` with a deadline; `cleanup` runs whatever the outcome. */
function withDeadline<T>(
  timeoutMs: number,
  what: string,
  body: (resolve: (v: T) => void, reject: (e: Error) => void) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let cleanup: () => void = () => {};
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const settle =
      <A>(fn: (a: A) => void) =>
      (a: A) => {
        clearTimeout(timer);
        cleanup();
        fn(a);
      };
    cleanup = body(settle(resolve), settle(reject));
  });
}

function kafkaProbe(target: Target, timeoutMs: number, correlationId: number): Promise<void> {
  return withDeadline(timeoutMs, 'ApiVersions', (resolve, reject) => {
    const socket = tcpConnect(target.port, target.host);
    const reader = new FrameReader();
    socket.on('connect', () => {
      const header = { apiKey: ApiKey.ApiVersions, apiVersion: 0, correlationId, clientId: 'fuzz' };
      for (const chunk of encodeRequestFrame(header, {})) socket.write(chunk);
    });
    socket.on('data', (chunk) => {
      const { frames, error } = reader.push(chunk);
      if (error) return reject(new Error(`ApiVersions: bad frame: ${error.reason}`));
      const frame = frames[0];
      if (frame === undefined) return;
      const { correlationId: id, body } = decodeResponse(ApiKey.ApiVersions, 0, frame);
      if (id !== correlationId) return reject(new Error(`ApiVersions: correlation id ${id}`));
      if (body.errorCode !== ErrorCode.NONE) {
        return reject(new Error(`ApiVersions: error code ${body.errorCode}`));
      }
      resolve();
    });
    socket.on('error', (err) => reject(new Error(`ApiVersions: ${err.message}`)));
    socket.on('close', () => reject(new Error('ApiVersions: connection closed without answer')));
    return () => socket.destroy();
  });
}

function zookeeperProbe(target: Target, timeoutMs: number): Promise<void> {
  return withDeadline(timeoutMs, 'ruok', (resolve, reject) => {
    const socket = tcpConnect(target.port, target.host);
    let answer = '';
    socket.on('connect', () => socket.write('ruok'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer === 'imok') resolve();
    });
    socket.on('error', (err) => reject(new Error(`ruok: ${err.message}`)));
    socket.on('close', () => reject(new Error(`ruok: answered ${JSON.stringify(answer)}`)));
    return () => socket.destroy();
  });
}

function wsProbe(target: Target, timeoutMs: number): Promise<void> {
  return withDeadline(timeoutMs, 'ws getData', (resolve, reject) => {
    const ws = new WebSocket(`ws://${target.host}:${target.port}/`);
    ws.on('open', () => {
      ws.send(
        encodeClientFrame({
          type: 'connect',
          connect: {
            protocolVersion: 1,
            lastZxidSeen: 0,
            timeoutMs: 4000,
            sessionId: 0n,
            password: Buffer.alloc(16),
            readOnly: false,
          },
        }),
      );
    });
    ws.on('message', (data) => {
      const frame = decodeServerFrame(messageText(data));
      if (frame.type === 'connected') {
        const request = { op: 'getData' as const, path: '/', watch: false };
        ws.send(encodeClientFrame({ type: 'request', xid: 1, request }));
      } else if (frame.type === 'reply' && frame.xid === 1) {
        if (frame.err !== ZkErrorCode.OK) return reject(new Error(`ws getData: err ${frame.err}`));
        // Close the session too, so that probes leave nothing behind.
        ws.send(encodeClientFrame({ type: 'request', xid: 2, request: { op: 'close' } }));
        resolve();
      }
    });
    ws.on('error', (err) => reject(new Error(`ws getData: ${err.message}`)));
    ws.on('close', () => reject(new Error('ws getData: closed without answer')));
    return () => ws.terminate();
  });
}

/** One probe; resolves with its round-trip time in milliseconds. */
export async function probe(
  protocol: FuzzProtocol,
  target: Target,
  timeoutMs: number,
  sequence: number,
): Promise<number> {
  const started = performance.now();
  switch (protocol) {
    case 'kafka':
      await kafkaProbe(target, timeoutMs, sequence);
      break;
    case 'zookeeper':
      await zookeeperProbe(target, timeoutMs);
      break;
    case 'ws':
      await wsProbe(target, timeoutMs);
      break;
  }
  return performance.now() - started;
}
