/**
 * The Kafka listener end to end on loopback: kafkajs's admin client completes its ApiVersions
 * handshake and a Metadata round trip; pipelined requests are answered in order even when
 * handlers finish out of order; refused requests close the connection.
 */
import t, { type Test } from 'tap';
import net from 'node:net';
import { once } from 'node:events';
import { Kafka, logLevel } from 'kafkajs';
import { SocketServer, type RequestHandler } from '../../../broker/network/socket-server.js';
import { advertisedApiVersions, ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import { decodeResponse, encodeRequestFrame } from '../../../src/protocol/kafka/codec.js';
import { FrameReader } from '../../../src/protocol/kafka/frame-reader.js';
import { silentLogger } from '../../../src/logger.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { waitFor } from '../../helpers/wait-for.js';

async function startServer(
  t: Test,
  handler: RequestHandler,
  frameBytesMax?: number,
): Promise<number> {
  const server = new SocketServer({
    host: '127.0.0.1',
    port: 0,
    advertised: advertisedApiVersions(),
    handler,
    logger: silentLogger(),
    frameBytesMax,
  });
  const port = await server.listen();
  t.teardown(() => server.close());
  return port;
}

/** A raw client: send frames, collect response frames, notice the close. */
async function rawClient(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const reader = new FrameReader();
  const frames: Buffer[] = [];
  let closed = false;
  socket.on('data', (chunk) => frames.push(...reader.push(chunk).frames));
  socket.on('close', () => {
    closed = true;
  });
  return { socket, frames, isClosed: () => closed };
}

t.test('kafkajs admin connects: ApiVersions handshake and Metadata', async (t) => {
  let port = 0;
  const seen: string[] = [];
  port = await startServer(t, (request) => {
    seen.push(`${request.apiKey}v${request.apiVersion}`);
    if (request.apiKey !== ApiKey.Metadata) return null;
    return {
      brokers: [{ nodeId: 1, host: '127.0.0.1', port, rack: null }],
      clusterId: 'test-cluster',
      controllerId: 1,
      topics: [],
    };
  });
  const kafka = new Kafka({
    brokers: [`127.0.0.1:${port}`],
    clientId: 'socket-test',
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  await admin.connect();
  const cluster = await admin.describeCluster();
  t.equal(cluster.clusterId, 'test-cluster');
  t.same(cluster.brokers, [{ nodeId: 1, host: '127.0.0.1', port }]);
  await admin.disconnect();
  t.ok(seen.includes('3v6'), 'kafkajs used Metadata v6 after ApiVersions');
});

t.test('pipelined requests are answered in order', async (t) => {
  const delays = [50, 0, 20];
  const port = await startServer(t, async (request) => {
    await new Promise((r) => setTimeout(r, delays[request.correlationId] ?? 0));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE };
  });
  const client = await rawClient(port);
  for (const correlationId of [0, 1, 2]) {
    for (const chunk of encodeRequestFrame(
      { apiKey: ApiKey.Heartbeat, apiVersion: 3, correlationId, clientId: 'c' },
      { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null },
    ))
      client.socket.write(chunk);
  }
  await waitFor('three responses', () => client.frames.length === 3);
  t.same(
    client.frames.map((f) => decodeResponse(12, 3, f).correlationId),
    [0, 1, 2],
  );
  client.socket.destroy();
});

t.test('ApiVersions from the future gets the v0 fallback', async (t) => {
  const port = await startServer(t, () => null);
  const client = await rawClient(port);
  // ApiVersions v9, correlation 5, client id "a", a body we cannot know.
  client.socket.write(Buffer.from('0000000e' + '0012000900000005000161' + '00' + 'ffee', 'hex'));
  await waitFor('one response', () => client.frames.length === 1);
  t.equal(client.frames[0]?.toString('hex'), '00000005' + '0023' + '00000001' + '001200000003');
  t.notOk(client.isClosed(), 'connection stays open');
  client.socket.destroy();
});

t.test('refused requests close the connection', async (t) => {
  const port = await startServer(t, () => null, 1000);
  const cases: [string, Buffer][] = [
    ['unknown API key', Buffer.from('0000000a03e8000000000001ffff', 'hex')],
    ['version outside the advertised range', Buffer.from('0000000a000000020000000100ff', 'hex')],
    ['oversize frame', Buffer.from('000003e9', 'hex')],
    ['malformed body', Buffer.from('0000000c000c0000000000010001630000', 'hex')],
  ];
  for (const [name, bytes] of cases) {
    const client = await rawClient(port);
    client.socket.write(bytes);
    t.ok(await waitFor(`the close after ${name}`, client.isClosed), name);
    t.equal(client.frames.length, 0, `${name}: no reply`);
  }
});
