/**
 * The Kafka listener end to end on loopback: kafkajs's admin client completes its ApiVersions
 * handshake and a Metadata round trip; pipelined requests are answered in order even when
 * handlers finish out of order; ApiVersions lists exactly the handler table; requests the
 * table does not serve get UNSUPPORTED_VERSION; undecodable ones close the connection; a
 * client that never reads is muted with bounded buffers while another is served.
 */
import t, { type Test } from 'tap';
import net from 'node:net';
import { once } from 'node:events';
import { Kafka, logLevel } from 'kafkajs';
import {
  ApiHandlerTable,
  apiHandler,
  type AnyApiHandler,
} from '../../../broker/network/api-handler-table.js';
import { SocketServer } from '../../../broker/network/socket-server.js';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import {
  decodeResponse,
  encodeRequestFrame,
  type ApiKey as GeneratedApiKey,
  type Encodable,
} from '../../../src/protocol/kafka/codec.js';
import { ErrorCode, KafkaError } from '../../../src/protocol/kafka/errors.js';
import { FrameReader } from '../../../src/protocol/kafka/frame-reader.js';
import type { RequestBodyByApiKey } from '../../../src/protocol/kafka/generated/index.js';
import { silentLogger } from '../../../src/logger.js';

async function startServer(
  t: Test,
  rows: AnyApiHandler[],
  options: { frameBytesMax?: number } = {},
): Promise<{ port: number; server: SocketServer }> {
  const server = new SocketServer({
    host: '127.0.0.1',
    port: 0,
    handlers: new ApiHandlerTable().registerAll(rows),
    logger: silentLogger(),
    frameBytesMax: options.frameBytesMax,
  });
  const port = await server.listen();
  t.teardown(() => server.close());
  return { port, server };
}

/** Polls `check` until it holds (an event we cannot subscribe to), for at most ~10 s. */
async function until(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  return check();
}

/** A raw client: send frames, collect response frames, notice the close. */
async function rawClient(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const reader = new FrameReader({ frameBytesMax: 1 << 30 });
  const frames: Buffer[] = [];
  let closed = false;
  socket.on('data', (chunk) => frames.push(...reader.push(chunk).frames));
  socket.on('close', () => {
    closed = true;
  });
  let correlationId = 0;
  const send = <K extends GeneratedApiKey>(
    apiKey: K,
    apiVersion: number,
    body: Encodable<RequestBodyByApiKey[K]>,
    id = correlationId++,
  ): void => {
    for (const chunk of encodeRequestFrame(
      { apiKey, apiVersion, correlationId: id, clientId: 'c' },
      body,
    )) {
      socket.write(chunk);
    }
  };
  return { socket, frames, send, isClosed: () => closed };
}

const heartbeat = { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null };

t.test('kafkajs admin connects: ApiVersions handshake and Metadata', async (t) => {
  let port = 0;
  const seen: string[] = [];
  ({ port } = await startServer(t, [
    apiHandler(ApiKey.Metadata, { minVersion: 0, maxVersion: 9 }, (request) => {
      seen.push(`3v${request.apiVersion}`);
      return {
        brokers: [{ nodeId: 1, host: '127.0.0.1', port, rack: null }],
        clusterId: 'test-cluster',
        controllerId: 1,
        topics: [],
      };
    }),
  ]));
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

t.test('ApiVersions lists exactly the handler table, ApiVersions included', async (t) => {
  const { port } = await startServer(t, [
    apiHandler(ApiKey.Heartbeat, { minVersion: 1, maxVersion: 3 }, () => ({
      errorCode: ErrorCode.NONE,
    })),
    apiHandler(ApiKey.Metadata, { minVersion: 0, maxVersion: 9 }, () => ({})),
  ]);
  const client = await rawClient(port);
  client.send(ApiKey.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
  await until(() => client.frames.length === 1);
  const { body } = decodeResponse(ApiKey.ApiVersions, 3, client.frames[0]!);
  t.equal(body.errorCode, ErrorCode.NONE);
  t.same(
    body.apiKeys.map((k) => [k.apiKey, k.minVersion, k.maxVersion]),
    [
      [ApiKey.Metadata, 0, 9],
      [ApiKey.Heartbeat, 1, 3],
      [ApiKey.ApiVersions, 0, 3],
    ],
  );
  client.socket.destroy();
});

t.test('the table refuses duplicates and ranges the codec cannot decode', async (t) => {
  const table = new ApiHandlerTable();
  const row = apiHandler(ApiKey.Heartbeat, { minVersion: 0, maxVersion: 4 }, () => null);
  table.register(row);
  t.throws(() => table.register(row), /registered twice/);
  t.throws(
    () =>
      table.register(apiHandler(ApiKey.Metadata, { minVersion: 0, maxVersion: 99 }, () => null)),
    /outside the schema/,
  );
  t.same(table.lookup(ApiKey.Heartbeat, 5), { kind: 'unsupported-version', handler: row });
  t.same(table.lookup(ApiKey.JoinGroup, 0), { kind: 'unknown-api' });
});

t.test('pipelined requests are answered in order', async (t) => {
  const delays = [50, 0, 20];
  const { port } = await startServer(t, [
    apiHandler(ApiKey.Heartbeat, { minVersion: 0, maxVersion: 4 }, async (request) => {
      await new Promise((r) => setTimeout(r, delays[request.correlationId] ?? 0));
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE };
    }),
  ]);
  const client = await rawClient(port);
  for (let i = 0; i < 3; i++) client.send(ApiKey.Heartbeat, 3, heartbeat);
  await until(() => client.frames.length === 3);
  t.same(
    client.frames.map((f) => decodeResponse(ApiKey.Heartbeat, 3, f).correlationId),
    [0, 1, 2],
  );
  client.socket.destroy();
});

t.test('ApiVersions from the future gets the v0 fallback', async (t) => {
  const { port } = await startServer(t, []);
  const client = await rawClient(port);
  // ApiVersions v9, correlation 5, client id "a", a body we cannot know.
  client.socket.write(Buffer.from('0000000e' + '0012000900000005000161' + '00' + 'ffee', 'hex'));
  await until(() => client.frames.length === 1);
  t.equal(client.frames[0]?.toString('hex'), '00000005' + '0023' + '00000001' + '001200000003');
  t.notOk(client.isClosed(), 'connection stays open');
  client.socket.destroy();
});

t.test('an API or version outside the table gets UNSUPPORTED_VERSION, not a close', async (t) => {
  const { port } = await startServer(t, [
    apiHandler(ApiKey.Metadata, { minVersion: 0, maxVersion: 9 }, () => ({})),
  ]);
  const client = await rawClient(port);
  // JoinGroup is not in the table at all: its own top-level error code.
  client.send(ApiKey.JoinGroup, 5, {
    groupId: 'g',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId: '',
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
  });
  // Metadata v12 is above the table's range: an error for each topic asked for.
  client.send(ApiKey.Metadata, 12, { topics: [{ name: 'a' }, { name: 'b' }] });
  // Produce (not in the table): an error for every partition, so each batch fails at once.
  client.send(ApiKey.Produce, 7, {
    acks: 1,
    timeoutMs: 1000,
    topicData: [{ name: 't', partitionData: [{ index: 0 }, { index: 3 }] }],
  });
  client.send(ApiKey.Metadata, 9, { topics: null });
  await until(() => client.frames.length === 4);
  t.equal(
    decodeResponse(ApiKey.JoinGroup, 5, client.frames[0]!).body.errorCode,
    ErrorCode.UNSUPPORTED_VERSION,
  );
  const metadata = decodeResponse(ApiKey.Metadata, 12, client.frames[1]!).body;
  t.same(
    metadata.topics.map((topic) => [topic.name, topic.errorCode]),
    [
      ['a', ErrorCode.UNSUPPORTED_VERSION],
      ['b', ErrorCode.UNSUPPORTED_VERSION],
    ],
  );
  const produce = decodeResponse(ApiKey.Produce, 7, client.frames[2]!).body;
  t.same(
    produce.responses[0]!.partitionResponses.map((p) => [p.index, p.errorCode]),
    [
      [0, ErrorCode.UNSUPPORTED_VERSION],
      [3, ErrorCode.UNSUPPORTED_VERSION],
    ],
  );
  t.equal(decodeResponse(ApiKey.Metadata, 9, client.frames[3]!).correlationId, 3, 'still served');
  t.notOk(client.isClosed());
  client.socket.destroy();
});

t.test('a handler that throws gets its error code back, not a close', async (t) => {
  const { port } = await startServer(t, [
    apiHandler(ApiKey.Heartbeat, { minVersion: 0, maxVersion: 4 }, () => {
      throw new KafkaError('REBALANCE_IN_PROGRESS');
    }),
    apiHandler(ApiKey.SyncGroup, { minVersion: 0, maxVersion: 4 }, () => {
      throw new Error('a bug');
    }),
  ]);
  const client = await rawClient(port);
  client.send(ApiKey.Heartbeat, 3, heartbeat);
  client.send(ApiKey.SyncGroup, 3, { ...heartbeat, assignments: [] });
  await until(() => client.frames.length === 2);
  t.equal(
    decodeResponse(ApiKey.Heartbeat, 3, client.frames[0]!).body.errorCode,
    ErrorCode.REBALANCE_IN_PROGRESS,
  );
  t.equal(
    decodeResponse(ApiKey.SyncGroup, 3, client.frames[1]!).body.errorCode,
    ErrorCode.UNKNOWN_SERVER_ERROR,
  );
  client.socket.destroy();
});

t.test('librdkafka 2.x Metadata v9 frames are answered', async (t) => {
  const asked: (string[] | null)[] = [];
  const { port } = await startServer(t, [
    apiHandler(ApiKey.Metadata, { minVersion: 0, maxVersion: 9 }, (request) => {
      asked.push(request.body.topics?.map((topic) => topic.name ?? '') ?? null);
      return { clusterId: 'c', topics: [] };
    }),
  ]);
  const client = await rawClient(port);
  const frame = (body: string) => {
    const bytes = Buffer.from(body.replace(/[ |]/g, ''), 'hex');
    const size = Buffer.alloc(4);
    size.writeInt32BE(bytes.length);
    return Buffer.concat([size, bytes]);
  };
  // Topic "mt", as captured from librdkafka 2.15 (header v2 with its tag byte).
  client.socket.write(
    frame('0003 0009 00000002 0007 72646b61666b61 00 | 02 03 6d74 00 01 00 00 00'),
  );
  // "All topics": librdkafka leaves its 4-byte count placeholder (00000000) in place.
  client.socket.write(frame('0003 0009 00000003 0007 72646b61666b61 00 | 00000000 01 00 00 00'));
  await until(() => client.frames.length === 2);
  t.same(asked, [['mt'], null]);
  t.same(
    client.frames.map((f) => decodeResponse(ApiKey.Metadata, 9, f).correlationId),
    [2, 3],
  );
  t.notOk(client.isClosed());
  client.socket.destroy();
});

t.test('undecodable requests close the connection', async (t) => {
  const { port } = await startServer(
    t,
    [
      apiHandler(ApiKey.Heartbeat, { minVersion: 0, maxVersion: 4 }, () => ({
        errorCode: ErrorCode.NONE,
      })),
    ],
    { frameBytesMax: 1000 },
  );
  const cases: [string, Buffer][] = [
    ['API key without a schema', Buffer.from('0000000a03e8000000000001ffff', 'hex')],
    ['version beyond every schema', Buffer.from('0000000a000c00ff0000000100ff', 'hex')],
    ['oversize frame', Buffer.from('000003e9', 'hex')],
    ['malformed body', Buffer.from('0000000c000c0000000000010001630000', 'hex')],
  ];
  for (const [name, bytes] of cases) {
    const client = await rawClient(port);
    client.socket.write(bytes);
    await until(client.isClosed);
    t.ok(client.isClosed(), name);
    t.equal(client.frames.length, 0, `${name}: no reply`);
  }
});

t.test('a client that never reads is muted with bounded buffers; others are served', async (t) => {
  const recordBytes = 512 * 1024;
  const records = Buffer.alloc(recordBytes, 1);
  const { port, server } = await startServer(t, [
    apiHandler(ApiKey.Fetch, { minVersion: 4, maxVersion: 12 }, (request) => ({
      responses: request.body.topics.map((topic) => ({
        topic: topic.topic,
        partitions: [{ partitionIndex: 0, highWatermark: 1n, records }],
      })),
    })),
    apiHandler(ApiKey.Metadata, { minVersion: 0, maxVersion: 9 }, () => ({ clusterId: 'c' })),
  ]);
  const fetch = {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: recordBytes * 2,
    topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: 0n }] }],
  };

  // The bad client pipelines 200 Fetches (100 MiB of answers) and never reads.
  const requests = 200;
  const bad = await rawClient(port);
  bad.socket.pause();
  for (let i = 0; i < requests; i++) bad.send(ApiKey.Fetch, 11, fetch);

  // Until the kernel's buffers are full and the connection stays muted, check after every
  // step that the server holds at most one response beyond the socket's high-water mark.
  const responseBytesMax = recordBytes + 16 * 1024 + 1024;
  let worst = 0;
  const stats = () => server.connections().find((c) => c.requestsServed > 0)!;
  const stuck = await until(() => {
    const s = server.connections().find((c) => c.requestsServed > 0);
    if (s === undefined) return false;
    worst = Math.max(worst, s.unsentResponseBytes);
    return s.state === 'MUTED' && s.unsentResponseBytes > recordBytes;
  });
  t.ok(stuck, 'the never-reading connection ends up muted with a response pending');
  t.ok(worst <= responseBytesMax, `unsent bytes never above one response (${worst})`);
  const before = stats();
  t.ok(before.requestsServed < requests, `not every request was served (${before.requestsServed})`);
  t.ok(before.queuedRequests + before.requestsServed <= requests);

  // A normal client on another connection is served meanwhile.
  const good = await rawClient(port);
  good.send(ApiKey.Metadata, 9, { topics: [] });
  await until(() => good.frames.length === 1);
  t.equal(decodeResponse(ApiKey.Metadata, 9, good.frames[0]!).body.clusterId, 'c');
  const after = stats();
  t.equal(after.requestsServed, before.requestsServed, 'the bad connection is still muted');
  t.ok(after.unsentResponseBytes <= responseBytesMax);
  good.socket.destroy();

  // Once the bad client reads, every answer arrives, in order: nothing was dropped.
  bad.socket.resume();
  await until(() => bad.frames.length === requests);
  t.equal(bad.frames.length, requests);
  t.same(
    bad.frames.map((f, i) => decodeResponse(ApiKey.Fetch, 11, f).correlationId === i),
    bad.frames.map(() => true),
  );
  bad.socket.destroy();
});

t.test(
  'a client that floods requests while one is in progress is muted at the bound',
  async (t) => {
    let release = (): void => {};
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const { port, server } = await startServer(t, [
      // The first request waits (like a Fetch long poll) until the test releases it.
      apiHandler(ApiKey.Heartbeat, { minVersion: 0, maxVersion: 4 }, async () => {
        await blocked;
        return { errorCode: ErrorCode.NONE };
      }),
      apiHandler(ApiKey.Produce, { minVersion: 3, maxVersion: 7 }, (request) => ({
        responses: request.body.topicData.map((topic) => ({
          name: topic.name,
          partitionResponses: topic.partitionData.map((p) => ({
            index: p.index,
            errorCode: ErrorCode.NONE,
          })),
        })),
      })),
    ]);
    const client = await rawClient(port);
    client.send(ApiKey.Heartbeat, 3, heartbeat);
    // 8 MiB of requests behind it, 64 KiB each.
    const records = Buffer.alloc(64 * 1024, 2);
    const floods = 128;
    for (let i = 0; i < floods; i++) {
      client.send(ApiKey.Produce, 7, {
        acks: 1,
        timeoutMs: 1000,
        topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
      });
    }
    const stats = () => server.connections()[0]!;
    const queueBytesMax = 1024 * 1024 + 2 * (64 * 1024 + 100);
    let worst = 0;
    const muted = await until(() => {
      const s = server.connections()[0];
      if (s === undefined) return false;
      worst = Math.max(worst, s.queuedRequestBytes);
      return s.state === 'MUTED' && s.queuedRequestBytes > 1024 * 1024;
    });
    t.ok(muted, 'muted once the queue is over queuedRequestBytesMax');
    t.ok(worst <= queueBytesMax, `queued request bytes stay bounded (${worst})`);
    t.ok(stats().queuedRequests < floods, 'the rest waits in the kernel and in the client');
    release();
    await until(() => client.frames.length === floods + 1);
    t.equal(client.frames.length, floods + 1, 'every request answered once released');
    t.same(
      client.frames.map((f, i) => f.readInt32BE(0) === i),
      client.frames.map(() => true),
      'in order',
    );
    client.socket.destroy();
  },
);
