/**
 * A raw Kafka client for tests that need exact requests: one socket, requests encoded with our
 * codec, answers decoded in order; `'closed'` once the broker closes the connection.
 *
 *   const client = await rawKafkaClient(t, port);
 *   await client.loginPlain('alice', 'alice-secret'); // SaslHandshake v1, SaslAuthenticate v1
 *   const answer = await client.request(ApiKey.Metadata, 1, { topics: [] });
 */
import * as net from 'node:net';
import { once } from 'node:events';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import {
  decodeResponse,
  encodeRequestFrame,
  type Encodable,
} from '../../src/protocol/kafka/codec.js';
import { FrameReader } from '../../src/protocol/kafka/frame-reader.js';
import type {
  GeneratedApiKey,
  RequestBodyByApiKey,
  ResponseBodyByApiKey,
} from '../../src/protocol/kafka/generated/index.js';

/** One connection; `request` sends and resolves with the decoded answer (in order). */
export async function rawKafkaClient(t: { teardown(fn: () => unknown): void }, port: number) {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  t.teardown(() => socket.destroy());
  const reader = new FrameReader({ frameBytesMax: 1 << 30 });
  const waiting: ((frame: Buffer | undefined) => void)[] = [];
  let closed = false;
  socket.on('data', (chunk) => {
    for (const frame of reader.push(chunk).frames) waiting.shift()?.(frame);
  });
  socket.on('close', () => {
    closed = true;
    for (const w of waiting.splice(0)) w(undefined);
  });
  socket.on('error', () => undefined);
  let correlationId = 0;
  async function request<K extends GeneratedApiKey>(
    apiKey: K,
    apiVersion: number,
    body: Encodable<RequestBodyByApiKey[K]>,
  ): Promise<ResponseBodyByApiKey[K] | 'closed'> {
    if (closed) return 'closed';
    const answered = new Promise<Buffer | undefined>((resolve) => waiting.push(resolve));
    const header = { apiKey, apiVersion, correlationId: correlationId++, clientId: 'reauth' };
    for (const chunk of encodeRequestFrame(header, body)) socket.write(chunk);
    const frame = await answered;
    return frame === undefined ? 'closed' : decodeResponse(apiKey, apiVersion, frame).body;
  }
  async function loginPlain(user: string, password: string) {
    const handshake = await request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' });
    if (handshake === 'closed') return 'closed';
    return request(ApiKey.SaslAuthenticate, 1, {
      authBytes: Buffer.from(`\u0000${user}\u0000${password}`),
    });
  }
  return { request, loginPlain, isClosed: () => closed };
}
