/**
 * The ZooKeeper transport byte for byte: a hand-written client on a raw socket against the
 * real core behind the shared client port. Real clients (node-zookeeper-client, kazoo, zkCli)
 * are in zk-clients.test.ts.
 */
import t from 'tap';
import { connect as netConnect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { CoordinatorServer } from '../../coordinator/coordinator-server.js';
import { createWsTransport } from '../../coordinator/ws-server.js';
import { listenClientPort } from '../../coordinator/client-port.js';
import { silentLogger } from '../../src/logger.js';
import { ErrorCode } from '../../src/protocol/coordinator/errors.js';
import { OPEN_ACL_UNSAFE, type Request } from '../../src/protocol/coordinator/messages.js';
import {
  decodeServerFrame,
  encodeClientFrame,
  messageText,
} from '../../src/protocol/coordinator/ws-codec.js';
import {
  encodeConnectRequestFrame,
  encodeRequestFrame,
} from '../../src/protocol/zookeeper/codec.js';
import { FrameReader } from '../../src/protocol/zookeeper/frame-reader.js';
import { JuteReader } from '../../src/protocol/zookeeper/jute.js';
import { OpCode } from '../../src/protocol/zookeeper/op-codes.js';
import * as R from '../../src/protocol/zookeeper/records.js';

const logger = silentLogger();
const core = await CoordinatorServer.open({ dataDir: t.testdir(), logger, tickMs: 100 });
const ws = createWsTransport(core, logger);
const port = await listenClientPort({ port: 0, core, ws, logger });
t.teardown(async () => {
  await port.close();
  await core.close();
});

/** A minimal ZooKeeper client: raw frames in, raw packets out. */
class RawClient {
  readonly socket: Socket;
  readonly #reader = new FrameReader();
  readonly #packets: Buffer[] = [];
  #waiters: ((p: Buffer | undefined) => void)[] = [];
  readonly closed: Promise<void>;
  text = '';

  constructor() {
    this.socket = netConnect(port.port, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => {
      this.text += chunk.toString('latin1');
      for (const out of this.#reader.push(chunk)) {
        if (out.kind !== 'frame') continue;
        const waiter = this.#waiters.shift();
        if (waiter) waiter(out.packet);
        else this.#packets.push(out.packet);
      }
    });
    this.closed = new Promise((resolve) =>
      this.socket.on('close', () => {
        for (const w of this.#waiters) w(undefined);
        this.#waiters = [];
        resolve();
      }),
    );
    this.socket.on('error', () => {});
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next packet, or undefined if the server closed the connection first. */
  next(): Promise<Buffer | undefined> {
    const p = this.#packets.shift();
    if (p) return Promise.resolve(p);
    if (this.socket.destroyed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async handshake(withReadOnly = true): Promise<R.ConnectResponseRecord> {
    this.write(connectFrame(withReadOnly));
    const packet = await this.next();
    if (!packet) throw new Error('closed during handshake');
    return R.readConnectResponse(new JuteReader(packet));
  }

  async reply(): Promise<{
    header: { xid: number; zxid: bigint; err: number };
    body: JuteReader;
    bytes: number;
  }> {
    const packet = await this.next();
    if (!packet) throw new Error('connection closed');
    const body = new JuteReader(packet);
    return { header: R.readRecord(body, R.ReplyHeader), body, bytes: packet.length };
  }
}

function connectFrame(withReadOnly: boolean, sessionId = 0n, password = Buffer.alloc(16)): Buffer {
  return encodeConnectRequestFrame(
    { protocolVersion: 0, lastZxidSeen: 0, timeoutMs: 4000, sessionId, password, readOnly: false },
    withReadOnly,
  );
}

function request(xid: number, req: Request, opCode?: number): Buffer {
  return encodeRequestFrame(xid, req, opCode);
}

t.test('handshake: the response mirrors the optional readOnly byte', async (t) => {
  const a = new RawClient();
  const withByte = await a.handshake(true);
  t.equal(withByte.readOnly, false, '37-byte response');
  t.ok(withByte.timeOut >= 200, 'a negotiated timeout');
  const b = new RawClient();
  const without = await b.handshake(false);
  t.equal(without.readOnly, undefined, '36-byte response');
  a.socket.destroy();
  b.socket.destroy();
});

t.test(
  'requests pipelined behind the ConnectRequest are answered after it, in order',
  async (t) => {
    const c = new RawClient();
    c.write(
      Buffer.concat([
        connectFrame(true),
        request(1, {
          op: 'create',
          path: '/pipe',
          data: Buffer.from('v'),
          acl: [...OPEN_ACL_UNSAFE],
          mode: 'persistent',
        }),
        request(2, { op: 'getData', path: '/pipe', watch: false }),
        request(3, { op: 'exists', path: '/nope', watch: false }),
      ]),
    );
    const response = R.readConnectResponse(new JuteReader((await c.next())!));
    t.not(response.sessionId, 0n);
    const create = await c.reply();
    t.match(create.header, { xid: 1, err: ErrorCode.OK });
    t.equal(
      R.readRecord(create.body, R.CreateResponse).path,
      '/pipe',
      'create (1) answers a path only',
    );
    t.equal(create.body.remaining, 0);
    const get = await c.reply();
    t.match(get.header, { xid: 2, err: ErrorCode.OK });
    t.same(R.readRecord(get.body, R.GetDataResponse).data, Buffer.from('v'));
    const exists = await c.reply();
    t.same(exists.header.err, ErrorCode.NONODE);
    t.equal(exists.bytes, 16, 'an error reply is the bare header');
    c.socket.destroy();
  },
);

t.test('reply shapes follow the opcode: create2, getChildren vs getChildren2', async (t) => {
  const c = new RawClient();
  await c.handshake();
  c.write(
    request(
      1,
      { op: 'create', path: '/shape', data: null, acl: [...OPEN_ACL_UNSAFE], mode: 'persistent' },
      OpCode.create2,
    ),
  );
  const created = await c.reply();
  const body = R.readRecord(created.body, R.Create2Response);
  t.equal(body.path, '/shape');
  t.equal(body.stat.czxid, created.header.zxid, 'the Stat of the new node');
  c.write(request(2, { op: 'getChildren', path: '/shape', watch: false }, OpCode.getChildren));
  const gc = await c.reply();
  R.readRecord(gc.body, R.GetChildrenResponse);
  t.equal(gc.body.remaining, 0, 'getChildren (8) has no Stat');
  c.write(request(3, { op: 'getChildren', path: '/shape', watch: false }, OpCode.getChildren2));
  const gc2 = await c.reply();
  t.equal(R.readRecord(gc2.body, R.GetChildren2Response).stat.numChildren, 0);
  c.socket.destroy();
});

t.test('special xids: ping -2, auth -4 with zxid 0, setWatches echoes -8', async (t) => {
  const c = new RawClient();
  await c.handshake();
  c.write(request(-2, { op: 'ping' }));
  t.match((await c.reply()).header, { xid: -2, err: ErrorCode.OK });
  c.write(request(-4, { op: 'auth', scheme: 'digest', auth: Buffer.from('user:secret') }));
  t.same((await c.reply()).header, { xid: -4, zxid: 0n, err: ErrorCode.OK });
  const sw: Request = {
    op: 'setWatches',
    relativeZxid: 0,
    dataWatches: [],
    existWatches: ['/later'],
    childWatches: [],
    persistentWatches: [],
    persistentRecursiveWatches: [],
  };
  c.write(request(-8, sw));
  t.match((await c.reply()).header, { xid: -8, err: ErrorCode.OK });
  c.socket.destroy();
});

t.test('auth with an unknown scheme: AuthFailed, then the connection closes', async (t) => {
  const c = new RawClient();
  await c.handshake();
  c.write(request(-4, { op: 'auth', scheme: 'kerberos-ish', auth: Buffer.from('x') }));
  t.match((await c.reply()).header, { xid: -4, err: ErrorCode.AUTHFAILED });
  await t.resolves(c.closed, 'the server closed the connection');
});

t.test('a notification has xid -1 and zxid -1 and arrives before the write reply', async (t) => {
  const watcher = new RawClient();
  await watcher.handshake();
  watcher.write(request(1, { op: 'exists', path: '/notify', watch: true }));
  t.equal((await watcher.reply()).header.err, ErrorCode.NONODE);
  watcher.write(
    request(2, {
      op: 'create',
      path: '/notify',
      data: null,
      acl: [...OPEN_ACL_UNSAFE],
      mode: 'persistent',
    }),
  );
  const event = await watcher.reply();
  t.same(event.header, { xid: -1, zxid: -1n, err: ErrorCode.OK });
  t.same(R.readRecord(event.body, R.WatcherEvent), { type: 1, state: 3, path: '/notify' });
  t.match((await watcher.reply()).header, { xid: 2, err: ErrorCode.OK });
  watcher.socket.destroy();
});

t.test('a failed multi: header err 0 and per-op error results', async (t) => {
  const c = new RawClient();
  await c.handshake();
  c.write(
    request(1, {
      op: 'multi',
      ops: [
        { op: 'create', path: '/m1', data: null, acl: [...OPEN_ACL_UNSAFE], mode: 'persistent' },
        { op: 'check', path: '/m1', version: 7 },
        { op: 'delete', path: '/m1', version: -1 },
      ],
    }),
  );
  const reply = await c.reply();
  t.equal(reply.header.err, ErrorCode.OK);
  const entries = [];
  for (;;) {
    const h = R.readRecord(reply.body, R.MultiHeader);
    if (h.done) break;
    entries.push([h.type, h.err, R.readRecord(reply.body, R.ErrorResponse).err]);
  }
  t.same(entries, [
    [-1, 0, 0],
    [-1, ErrorCode.BADVERSION, ErrorCode.BADVERSION],
    [-1, ErrorCode.RUNTIMEINCONSISTENCY, ErrorCode.RUNTIMEINCONSISTENCY],
  ]);
  c.write(request(2, { op: 'exists', path: '/m1', watch: false }));
  t.equal((await c.reply()).header.err, ErrorCode.NONODE, 'nothing was applied');
  c.socket.destroy();
});

t.test('check outside multi and bad create flags are refused without closing', async (t) => {
  const c = new RawClient();
  await c.handshake();
  c.write(request(1, { op: 'check', path: '/', version: 1 }));
  t.match((await c.reply()).header, { xid: 1, err: ErrorCode.UNIMPLEMENTED });
  c.write(
    request(
      2,
      {
        op: 'create',
        path: '/ttl',
        data: null,
        acl: [...OPEN_ACL_UNSAFE],
        mode: 'persistent_with_ttl',
        ttlMs: 10,
      },
      OpCode.create,
    ),
  );
  t.match((await c.reply()).header, { xid: 2, err: ErrorCode.BADARGUMENTS });
  c.write(request(3, { op: 'ping' }));
  t.match((await c.reply()).header, { xid: -2, err: ErrorCode.OK }, 'still serving');
  c.socket.destroy();
});

t.test('malformed input closes that connection only', async (t) => {
  const healthy = new RawClient();
  await healthy.handshake();

  const unknown = new RawClient();
  await unknown.handshake();
  unknown.write(Buffer.from([0, 0, 0, 8, 0, 0, 0, 5, 0, 0, 0, 99]));
  t.match(
    (await unknown.reply()).header,
    { xid: 5, err: ErrorCode.UNIMPLEMENTED },
    'unknown opcode answered',
  );
  await unknown.closed;

  const undecodable = new RawClient();
  await undecodable.handshake();
  // getData whose path length says 100 bytes but 2 follow.
  undecodable.write(Buffer.from([0, 0, 0, 14, 0, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0, 100, 0x2f, 0x61]));
  t.match((await undecodable.reply()).header, { xid: 6, err: ErrorCode.MARSHALLINGERROR });
  await undecodable.closed;

  const oversize = new RawClient();
  await oversize.handshake();
  oversize.write(Buffer.from([0, 0x10, 0, 0]));
  t.equal(await oversize.next(), undefined, 'oversize length: dropped without a reply');

  const negative = new RawClient();
  negative.write(Buffer.from([0xff, 0xff, 0xff, 0xf0]));
  t.equal(await negative.next(), undefined, 'negative length: dropped');

  const garbage = new RawClient();
  garbage.write(Buffer.from([0, 0, 0, 3, 1, 2, 3]));
  t.equal(await garbage.next(), undefined, 'undecodable ConnectRequest: dropped');

  const headerless = new RawClient();
  await headerless.handshake();
  headerless.write(Buffer.from([0, 0, 0, 2, 1, 2]));
  t.equal(await headerless.next(), undefined, 'a request without a header: dropped');

  healthy.write(request(-2, { op: 'ping' }));
  t.match(
    (await healthy.reply()).header,
    { xid: -2, err: ErrorCode.OK },
    'the server still serves others',
  );
  healthy.socket.destroy();
});

async function fourLetterWord(word: string): Promise<string> {
  const c = new RawClient();
  c.write(Buffer.from(word, 'latin1'));
  await c.closed;
  return c.text;
}

t.test('four-letter words on the client port', async (t) => {
  t.equal(await fourLetterWord('ruok'), 'imok');
  t.equal(await fourLetterWord('isro'), 'rw');
  t.match(
    await fourLetterWord('srvr'),
    /^Zookeeper version: .*\nLatency min\/avg\/max: .*Mode: standalone\n/s,
  );
  t.match(await fourLetterWord('mntr'), /zk_version\t.*\nzk_server_state\tstandalone/s);
  t.match(await fourLetterWord('stat'), /Clients:/);
  t.match(await fourLetterWord('cons'), /\/127\.0\.0\.1:\d+\[/);
  for (const word of ['wchs', 'dump', 'envi', 'conf']) t.not(await fourLetterWord(word), '', word);
});

t.test('the same port serves WebSocket clients', async (t) => {
  const socket = new WebSocket(`ws://127.0.0.1:${port.port}/`);
  const messages: string[] = [];
  const next = (): Promise<string> =>
    new Promise((resolve) => {
      const m = messages.shift();
      if (m) resolve(m);
      else socket.once('message', (d) => resolve(messages.shift() ?? messageText(d)));
    });
  socket.on('message', (d) => messages.push(messageText(d)));
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(encodeClientFrame({ type: 'command', command: 'ruok' }));
  const frame = decodeServerFrame(await next());
  t.match(frame, { type: 'command', output: 'imok' });
  socket.close();
});

t.test('addWatch recursive, multiRead, getEphemerals, getAllChildrenNumber, whoAmI', async (t) => {
  const c = new RawClient();
  await c.handshake();
  c.write(request(1, { op: 'addWatch', path: '/rec', mode: 'persistent_recursive' }));
  const added = await c.reply();
  t.match(added.header, { xid: 1, err: ErrorCode.OK });
  t.equal(
    R.readRecord(added.body, R.ErrorResponse).err,
    ErrorCode.OK,
    'addWatch answers ErrorResponse{0}',
  );

  c.write(
    request(2, {
      op: 'create',
      path: '/rec',
      data: null,
      acl: [...OPEN_ACL_UNSAFE],
      mode: 'persistent',
    }),
  );
  const created = await c.reply();
  t.equal(created.header.xid, -1);
  t.same(R.readRecord(created.body, R.WatcherEvent), { type: 1, state: 3, path: '/rec' });
  t.match((await c.reply()).header, { xid: 2, err: ErrorCode.OK });
  c.write(
    request(3, {
      op: 'create',
      path: '/rec/e',
      data: Buffer.from('d'),
      acl: [...OPEN_ACL_UNSAFE],
      mode: 'ephemeral',
    }),
  );
  const child = await c.reply();
  t.same(
    R.readRecord(child.body, R.WatcherEvent),
    { type: 1, state: 3, path: '/rec/e' },
    'a descendant, no ChildrenChanged',
  );
  t.match((await c.reply()).header, { xid: 3, err: ErrorCode.OK });

  c.write(
    request(4, {
      op: 'multiRead',
      ops: [
        { op: 'getData', path: '/rec/e', watch: false },
        { op: 'getChildren', path: '/rec', watch: false },
        { op: 'getData', path: '/missing', watch: false },
      ],
    }),
  );
  const read = await c.reply();
  t.equal(read.header.err, ErrorCode.OK);
  const h1 = R.readRecord(read.body, R.MultiHeader);
  t.same(
    [h1.type, R.readRecord(read.body, R.GetDataResponse).data],
    [OpCode.getData, Buffer.from('d')],
  );
  const h2 = R.readRecord(read.body, R.MultiHeader);
  t.same(
    [h2.type, R.readRecord(read.body, R.GetChildrenResponse).children],
    [OpCode.getChildren, ['e']],
  );
  const h3 = R.readRecord(read.body, R.MultiHeader);
  t.same(
    [h3.type, h3.err, R.readRecord(read.body, R.ErrorResponse).err],
    [-1, ErrorCode.NONODE, ErrorCode.NONODE],
  );
  t.ok(R.readRecord(read.body, R.MultiHeader).done);

  c.write(request(5, { op: 'getEphemerals', prefix: '/rec' }));
  t.same(R.readRecord((await c.reply()).body, R.GetChildrenResponse).children, ['/rec/e']);
  c.write(request(6, { op: 'getAllChildrenNumber', path: '/rec' }));
  t.equal(R.readRecord((await c.reply()).body, R.GetAllChildrenNumberResponse).totalNumber, 1);
  c.write(request(7, { op: 'whoAmI' }));
  t.match(R.readRecord((await c.reply()).body, R.WhoAmIResponse).clientInfo, [
    { authScheme: 'ip', user: '127.0.0.1' },
  ]);
  c.write(request(8, { op: 'close' }));
  // Closing deletes /rec/e, which our own recursive watch still reports before the reply.
  const deleted = await c.reply();
  t.same(R.readRecord(deleted.body, R.WatcherEvent), { type: 2, state: 3, path: '/rec/e' });
  t.match((await c.reply()).header, { xid: 8, err: ErrorCode.OK });
  await t.resolves(c.closed, 'closeSession: replied, then the server closed the connection');
});

t.test(
  'removeWatches data leaves the child half of a persistent watch (ZooKeeper 3.8)',
  async (t) => {
    const c = new RawClient();
    await c.handshake();
    const acl = [...OPEN_ACL_UNSAFE];
    c.write(request(1, { op: 'create', path: '/rmw', data: null, acl, mode: 'persistent' }));
    t.match((await c.reply()).header, { xid: 1, err: ErrorCode.OK });
    c.write(request(2, { op: 'addWatch', path: '/rmw', mode: 'persistent' }));
    t.match((await c.reply()).header, { xid: 2, err: ErrorCode.OK });
    c.write(request(3, { op: 'removeWatches', path: '/rmw', watcherType: 'data' }));
    t.match(
      (await c.reply()).header,
      { xid: 3, err: ErrorCode.OK },
      'the data half is a data watch',
    );
    // No NodeDataChanged: the next frame is the setData reply itself.
    c.write(request(4, { op: 'setData', path: '/rmw', data: Buffer.from('x'), version: -1 }));
    t.match((await c.reply()).header, { xid: 4, err: ErrorCode.OK });
    c.write(request(5, { op: 'create', path: '/rmw/c', data: null, acl, mode: 'persistent' }));
    const changed = await c.reply();
    t.equal(changed.header.xid, -1);
    t.same(R.readRecord(changed.body, R.WatcherEvent), { type: 4, state: 3, path: '/rmw' });
    t.match((await c.reply()).header, { xid: 5, err: ErrorCode.OK });
    c.write(request(6, { op: 'removeWatches', path: '/rmw', watcherType: 'data' }));
    t.match((await c.reply()).header, { xid: 6, err: ErrorCode.NOWATCHER });
    c.socket.destroy();
  },
);

/** mntr's lines as a map, without the zk_ prefix. */
function parseMntr(text: string): Map<string, string> {
  return new Map(
    text
      .trim()
      .split('\n')
      .map((line) => {
        const [key, value] = line.split('\t');
        return [key!.replace(/^zk_/, ''), value!] as [string, string];
      }),
  );
}

t.test('mntr serves ZooKeeper metrics with real values', async (t) => {
  const before = parseMntr(await fourLetterWord('mntr'));
  const c = new RawClient();
  await c.handshake();
  const acl = [...OPEN_ACL_UNSAFE];
  c.write(request(1, { op: 'create', path: '/mntr', data: null, acl, mode: 'persistent' }));
  await c.reply();
  c.write(request(2, { op: 'getData', path: '/mntr', watch: true }));
  await c.reply();
  c.write(request(3, { op: 'setData', path: '/mntr', data: Buffer.from('v'), version: -1 }));
  await c.reply(); // the NodeDataChanged event
  await c.reply();
  c.write(request(-4, { op: 'auth', scheme: 'nope', auth: Buffer.from('x') }));
  await c.reply();
  await c.closed; // AuthFailed closes the connection; the session lives on: a drop
  const after = parseMntr(await fourLetterWord('mntr'));
  const grew = (key: string, by: number): void => {
    t.ok(after.has(key), `${key} is served`);
    t.equal(Number(after.get(key)) - Number(before.get(key) ?? 0), by, key);
  };
  grew('proposal_count', 3); // createSession, create, setData
  grew('connection_request_count', 1);
  grew('connection_drop_count', 1);
  grew('auth_failed_count', 1);
  grew('cnt_updatelatency', 2);
  grew('cnt_readlatency', 1);
  grew('cnt_node_changed_watch_count', 1);
  t.ok(Number(after.get('max_client_response_size')) >= 36, 'a ConnectResponse at least');
  t.ok(Number(after.get('response_bytes')) > Number(before.get('response_bytes')));
  for (const key of ['p50_readlatency', 'p999_updatelatency', 'avg_fsynctime'])
    t.ok(after.has(key), key);
  if (process.platform === 'linux') {
    t.ok(Number(after.get('open_file_descriptor_count')) > 0, 'open descriptors counted');
    t.ok(Number(after.get('max_file_descriptor_count')) > 0, 'the descriptor limit');
  }
  t.ok(after.size > 60, `${after.size} keys`);
});

t.test('wchs counts data watches only; dirs and conf report the data dir size', async (t) => {
  const c = new RawClient();
  await c.handshake();
  c.write(request(1, { op: 'getChildren', path: '/', watch: true }));
  await c.reply();
  t.match(await fourLetterWord('wchs'), /^0 connections watching 0 paths\nTotal watches:0\n$/);
  c.write(request(2, { op: 'exists', path: '/wchs-missing', watch: true }));
  await c.reply();
  t.match(await fourLetterWord('wchs'), /^1 connections watching 1 paths\nTotal watches:1\n$/);
  t.match(await fourLetterWord('wchp'), /^\/wchs-missing\n\t0x[0-9a-f]+\n$/);
  c.socket.destroy();
  const dirs = /^datadir_size: (\d+)\nlogdir_size: (\d+)\n$/.exec(await fourLetterWord('dirs'));
  t.ok(dirs && Number(dirs[1]) > 0, 'the LevelDB files are counted');
  t.match(await fourLetterWord('conf'), new RegExp(`\\ndataDirSize=${dirs?.[1]}\\n`));
});
