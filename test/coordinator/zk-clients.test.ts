/**
 * Real ZooKeeper clients against the coordinator's client port: node-zookeeper-client
 * in-process, kazoo (python3-kazoo) and zkCli.sh (Debian's `zookeeper` package) as
 * subprocesses, and our own WebSocket client on the same port watching the ZooKeeper
 * client's changes and vice versa.
 *
 * The server is a real coordinator process (`coordinator start --tick-ms 100
 * --extended-types`): a short tick for session expiry, TTL nodes for zkCli's `create -t`.
 *
 * Tools that are not installed make their tests skip with a message, except under CI=true,
 * where a missing tool is a failure.
 */
import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect as netConnect } from 'node:net';
import { startCoordinatorProcess } from '../helpers/processes.js';
import { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { silentLogger } from '../../src/logger.js';
import { OPEN_ACL_UNSAFE } from '../../src/protocol/coordinator/messages.js';
import {
  encodeConnectRequestFrame,
  encodeRequestFrame,
} from '../../src/protocol/zookeeper/codec.js';
import { FrameReader } from '../../src/protocol/zookeeper/frame-reader.js';
import { JuteReader } from '../../src/protocol/zookeeper/jute.js';
import * as R from '../../src/protocol/zookeeper/records.js';
import { ErrorCode } from '../../src/protocol/coordinator/errors.js';

const coordinator = await startCoordinatorProcess({
  dataDir: t.testdir(),
  tickMs: 100,
  extraArgs: ['--extended-types'],
});
const connectString = `127.0.0.1:${coordinator.port}`;
t.teardown(() => coordinator.kill('SIGKILL'));

const PYTHON = '/usr/bin/python3';
const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh';

function run(
  file: string,
  args: string[],
  timeoutMs = 60_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Test options for a test that needs an external tool: skip with a message when it is
 * missing, except under CI=true, where the test runs and fails (see `missingTool`).
 */
function toolTestOptions(available: boolean, what: string): { skip?: string } {
  if (available || process.env.CI === 'true') return {};
  return { skip: `${what} is not installed` };
}
function missingTool(t: Test, available: boolean, what: string): boolean {
  if (!available) t.fail(`${what} is required under CI=true but is not installed`);
  return !available;
}

const kazooAvailable = existsSync(PYTHON) && (await run(PYTHON, ['-c', 'import kazoo'])).code === 0;
const zkCliAvailable = existsSync(ZKCLI) && existsSync('/usr/bin/java');

// ---------------------------------------------------------------------------------------
// node-zookeeper-client (CommonJS, no type declarations): the slice of its API used here.

type Callback<T> = (err: (Error & { code?: number }) | null, value: T) => void;
interface NzkEvent {
  getName(): string;
  getPath(): string;
}
type NzkWatcher = (event: NzkEvent) => void;
interface NzkStat {
  version: number;
  ephemeralOwner: Buffer;
}
interface NzkTransaction {
  create(path: string, data?: Buffer): NzkTransaction;
  setData(path: string, data: Buffer, version: number): NzkTransaction;
  check(path: string, version: number): NzkTransaction;
  commit(cb: Callback<{ type: number; path?: string; err?: number }[]>): void;
}
interface Nzk {
  connect(): void;
  close(): void;
  once(event: 'connected', listener: () => void): void;
  on(event: 'state', listener: (state: { getName(): string }) => void): void;
  getSessionId(): Buffer;
  create(path: string, data: Buffer | null, mode: number, cb: Callback<string>): void;
  getData(path: string, cb: (err: Error | null, data: Buffer, stat: NzkStat) => void): void;
  getData(
    path: string,
    watcher: NzkWatcher,
    cb: (err: Error | null, data: Buffer, stat: NzkStat) => void,
  ): void;
  setData(path: string, data: Buffer, version: number, cb: Callback<NzkStat>): void;
  remove(path: string, version: number, cb: Callback<void>): void;
  exists(path: string, cb: Callback<NzkStat | null>): void;
  exists(path: string, watcher: NzkWatcher, cb: Callback<NzkStat | null>): void;
  getChildren(path: string, cb: Callback<string[]>): void;
  getChildren(path: string, watcher: NzkWatcher, cb: Callback<string[]>): void;
  transaction(): NzkTransaction;
}
interface NzkOptions {
  sessionTimeout?: number;
  spinDelay?: number;
  retries?: number;
  sessionId?: Buffer;
  sessionPassword?: Buffer;
}
const zookeeper = createRequire(import.meta.url)('node-zookeeper-client') as {
  createClient(connectString: string, options: NzkOptions): Nzk;
  CreateMode: Record<
    'PERSISTENT' | 'EPHEMERAL' | 'PERSISTENT_SEQUENTIAL' | 'EPHEMERAL_SEQUENTIAL' | 'CONTAINER',
    number
  >;
  Exception: Record<
    'BAD_VERSION' | 'NODE_EXISTS' | 'NO_NODE' | 'NO_CHILDREN_FOR_EPHEMERALS',
    number
  >;
};

async function nzkConnect(options: NzkOptions = {}): Promise<Nzk> {
  const client = zookeeper.createClient(connectString, {
    sessionTimeout: 4000,
    spinDelay: 50,
    retries: 1,
    ...options,
  });
  const connected = new Promise<void>((resolve) => client.once('connected', () => resolve()));
  client.connect();
  await connected;
  return client;
}

function call<T>(fn: (cb: (err: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

function nextEvent(): { watcher: (e: NzkEvent) => void; event: Promise<NzkEvent> } {
  let watcher!: (e: NzkEvent) => void;
  const event = new Promise<NzkEvent>((resolve) => (watcher = resolve));
  return { watcher, event };
}

const CODE = zookeeper.Exception;

t.test('node-zookeeper-client: CRUD with versions', async (t) => {
  const c = await nzkConnect();
  t.teardown(() => c.close());
  const path = await call<string>((cb) =>
    c.create('/crud', Buffer.from('one'), zookeeper.CreateMode.PERSISTENT, cb),
  );
  t.equal(path, '/crud');
  const [data, stat] = await new Promise<[Buffer, NzkStat]>((resolve, reject) =>
    c.getData('/crud', (err, d, s) => (err ? reject(err) : resolve([d, s]))),
  );
  t.equal(data.toString(), 'one');
  t.equal(stat.version, 0);
  const stat1 = await call<NzkStat>((cb) => c.setData('/crud', Buffer.from('two'), 0, cb));
  t.equal(stat1.version, 1);
  await t.rejects(
    call((cb) => c.setData('/crud', Buffer.from('x'), 0, cb)),
    { code: CODE.BAD_VERSION },
  );
  await t.rejects(
    call((cb) => c.create('/crud', null, zookeeper.CreateMode.PERSISTENT, cb)),
    { code: CODE.NODE_EXISTS },
  );
  await t.rejects(
    call((cb) => c.remove('/crud', 0, cb)),
    { code: CODE.BAD_VERSION },
  );
  await call((cb) => c.remove('/crud', 1, cb));
  t.equal(
    await call((cb) => c.exists('/crud', cb)),
    null,
    'exists on a missing node gives a null stat',
  );
  await t.rejects(
    call((cb) => c.getData('/crud', cb)),
    { code: CODE.NO_NODE },
  );
});

t.test('node-zookeeper-client: sequential and ephemeral nodes', async (t) => {
  const c = await nzkConnect();
  await call((cb) => c.create('/seq', null, zookeeper.CreateMode.PERSISTENT, cb));
  const a = await call<string>((cb) =>
    c.create('/seq/n-', null, zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, cb),
  );
  const b = await call<string>((cb) =>
    c.create('/seq/n-', null, zookeeper.CreateMode.PERSISTENT_SEQUENTIAL, cb),
  );
  t.equal(a, '/seq/n-0000000000');
  t.equal(b, '/seq/n-0000000001');
  const stat = await call<NzkStat | null>((cb) => c.exists(a, cb));
  t.same(stat?.ephemeralOwner, c.getSessionId(), 'ephemeralOwner is the session id');
  await t.rejects(
    call((cb) => c.create(`${a}/child`, null, zookeeper.CreateMode.PERSISTENT, cb)),
    {
      code: CODE.NO_CHILDREN_FOR_EPHEMERALS,
    },
  );
  // The Java client's createContainer (19) goes through the same path.
  t.equal(
    await call<string>((cb) => c.create('/seq/box', null, zookeeper.CreateMode.CONTAINER, cb)),
    '/seq/box',
  );
  // closeSession deletes the ephemeral; a second client, watching, sees it go.
  const d = await nzkConnect();
  t.teardown(() => d.close());
  const changed = nextEvent();
  await call<string[]>((cb) => d.getChildren('/seq', changed.watcher, cb));
  c.close();
  t.equal((await changed.event).getName(), 'NODE_CHILDREN_CHANGED', 'the ephemeral went');
  t.same((await call<string[]>((cb) => d.getChildren('/seq', cb))).sort(), ['box', 'n-0000000001']);
});

t.test('node-zookeeper-client: watches of each kind', async (t) => {
  const watcher = await nzkConnect();
  const writer = await nzkConnect();
  t.teardown(() => {
    watcher.close();
    writer.close();
  });
  const created = nextEvent();
  t.equal(await call((cb) => watcher.exists('/w', created.watcher, cb)), null);
  await call((cb) => writer.create('/w', Buffer.from('0'), zookeeper.CreateMode.PERSISTENT, cb));
  t.equal((await created.event).getName(), 'NODE_CREATED');

  const changed = nextEvent();
  await call((cb) => watcher.getData('/w', changed.watcher, cb));
  const children = nextEvent();
  await call((cb) => watcher.getChildren('/w', children.watcher, cb));
  await call((cb) => writer.setData('/w', Buffer.from('1'), -1, cb));
  t.equal((await changed.event).getName(), 'NODE_DATA_CHANGED');
  await call((cb) => writer.create('/w/c', null, zookeeper.CreateMode.PERSISTENT, cb));
  const childEvent = await children.event;
  t.equal(childEvent.getName(), 'NODE_CHILDREN_CHANGED');
  t.equal(childEvent.getPath(), '/w');

  const deleted = nextEvent();
  await call((cb) => watcher.getData('/w/c', deleted.watcher, cb));
  await call((cb) => writer.remove('/w/c', -1, cb));
  t.equal((await deleted.event).getName(), 'NODE_DELETED');
});

t.test('node-zookeeper-client: multi (transaction)', async (t) => {
  const c = await nzkConnect();
  t.teardown(() => c.close());
  const ok = await call<{ type: number; path?: string }[]>((cb) =>
    c
      .transaction()
      .create('/tx', Buffer.from('a'))
      .setData('/tx', Buffer.from('b'), 0)
      .check('/tx', 1)
      .commit(cb),
  );
  t.match(ok, [{ type: 1, path: '/tx' }, { type: 5 }, { type: 13 }]);
  // (A check version of 5, not 0: node-zookeeper-client turns version 0 into -1, "any".)
  const failed = await new Promise<{ err: (Error & { code?: number }) | null; results: unknown[] }>(
    (resolve) =>
      c
        .transaction()
        .create('/tx2')
        .check('/tx', 5)
        .commit((err, results) => resolve({ err, results })),
  );
  // node-zookeeper-client reads the per-op results and reports the failing op's code.
  t.equal(failed.err?.code, CODE.BAD_VERSION, 'the failed transaction reports BadVersion');
  t.same(failed.results, [
    { type: -1, err: ErrorCode.OK },
    { type: -1, err: CODE.BAD_VERSION },
  ]);
  t.equal(
    await call((cb) => c.exists('/tx2', cb)),
    null,
    'nothing of the failed multi was applied',
  );
});

/** Make a session over a raw socket, create an ephemeral, and drop the socket silently. */
async function orphanSession(
  timeoutMs: number,
  ephemeral: string,
): Promise<{ id: bigint; password: Buffer }> {
  const socket = netConnect(coordinator.port, '127.0.0.1');
  const reader = new FrameReader();
  const packets: Buffer[] = [];
  let wake: () => void = () => {};
  socket.on('data', (chunk: Buffer) => {
    for (const out of reader.push(chunk)) if (out.kind === 'frame') packets.push(out.packet);
    wake();
  });
  const next = async (): Promise<Buffer> => {
    while (packets.length === 0) await new Promise<void>((r) => (wake = r));
    return packets.shift()!;
  };
  socket.write(
    encodeConnectRequestFrame(
      {
        protocolVersion: 0,
        lastZxidSeen: 0,
        timeoutMs,
        sessionId: 0n,
        password: Buffer.alloc(16),
        readOnly: false,
      },
      true,
    ),
  );
  const response = R.readConnectResponse(new JuteReader(await next()));
  socket.write(
    encodeRequestFrame(1, {
      op: 'create',
      path: ephemeral,
      data: null,
      acl: [...OPEN_ACL_UNSAFE],
      mode: 'ephemeral',
    }),
  );
  const reply = R.readRecord(new JuteReader(await next()), R.ReplyHeader);
  if (reply.err !== ErrorCode.OK) throw new Error(`create failed: ${reply.err}`);
  socket.destroy();
  return { id: response.sessionId, password: response.passwd! };
}

function idBuffer(id: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(id);
  return b;
}

t.test('node-zookeeper-client: resuming a session keeps its ephemerals', async (t) => {
  const session = await orphanSession(4000, '/resumed');
  const c = await nzkConnect({
    sessionId: idBuffer(session.id),
    sessionPassword: session.password,
  });
  t.teardown(() => c.close());
  t.same(c.getSessionId(), idBuffer(session.id), 'same session');
  const stat = await call<NzkStat | null>((cb) => c.exists('/resumed', cb));
  t.same(stat?.ephemeralOwner, idBuffer(session.id));
});

t.test(
  'node-zookeeper-client: session expiry deletes ephemerals and a resume is refused',
  async (t) => {
    const observer = await nzkConnect();
    t.teardown(() => observer.close());
    const session = await orphanSession(300, '/doomed');
    const deleted = nextEvent();
    t.ok(await call((cb) => observer.exists('/doomed', deleted.watcher, cb)));
    t.equal((await deleted.event).getName(), 'NODE_DELETED', 'expiry fired NodeDeleted');

    const late = zookeeper.createClient(connectString, {
      sessionTimeout: 4000,
      spinDelay: 50,
      retries: 0,
      sessionId: idBuffer(session.id),
      sessionPassword: session.password,
    });
    const expired = new Promise<string>((resolve) => late.on('state', (s) => resolve(s.getName())));
    late.connect();
    t.equal(await expired, 'EXPIRED', 'the server answered timeout 0');
    late.close();
  },
);

// ---------------------------------------------------------------------------------------
// The WebSocket client and a ZooKeeper client on the same port.

t.test('a WebSocket client and a ZooKeeper client watch each other', async (t) => {
  const wsClient = new CoordinatorClient(connectString, {
    sessionTimeoutMs: 4000,
    logger: silentLogger(),
  });
  await wsClient.connect();
  const zk = await nzkConnect();
  t.teardown(async () => {
    zk.close();
    await wsClient.close();
  });

  // ZooKeeper client watches, WebSocket client writes.
  const zkSaw = nextEvent();
  t.equal(await call((cb) => zk.exists('/mixed', zkSaw.watcher, cb)), null);
  await wsClient.create('/mixed', 'from ws');
  t.equal((await zkSaw.event).getName(), 'NODE_CREATED');
  const [data] = await new Promise<[Buffer]>((resolve, reject) =>
    zk.getData('/mixed', (err, d) => (err ? reject(err) : resolve([d]))),
  );
  t.equal(data.toString(), 'from ws');

  // WebSocket client watches, ZooKeeper client writes.
  let seen: (event: { type: string; path: string }) => void = () => {};
  const wsSaw = new Promise<{ type: string; path: string }>((resolve) => (seen = resolve));
  // Awaiting the reply means the watch is armed before the other client writes.
  await wsClient.getData('/mixed', (event) => seen(event));
  await call((cb) => zk.setData('/mixed', Buffer.from('from zk'), -1, cb));
  t.match(await wsSaw, { type: 'NodeDataChanged', path: '/mixed' });
  t.equal((await wsClient.getData('/mixed')).data?.toString(), 'from zk');
});

// ---------------------------------------------------------------------------------------
// kazoo: CRUD, watches, and its election and lock recipes.

const KAZOO_SCRIPT = String.raw`
import json, sys, threading
from kazoo.client import KazooClient
from kazoo.recipe.election import Election
from kazoo.recipe.lock import Lock
from kazoo.recipe.watchers import ChildrenWatch

hosts = sys.argv[1]
def out(**kw):
    print(json.dumps(kw), flush=True)

zk = KazooClient(hosts=hosts, timeout=6)
zk.start(timeout=10)

# CRUD with versions
zk.ensure_path('/kz/crud')
zk.create('/kz/crud/a', b'one')
data, stat = zk.get('/kz/crud/a')
zk.set('/kz/crud/a', b'two', version=stat.version)
try:
    zk.set('/kz/crud/a', b'x', version=0)
    bad = 'none'
except Exception as e:
    bad = type(e).__name__
zk.delete('/kz/crud/a')
out(step='crud', first=data.decode(), badVersion=bad, exists=zk.exists('/kz/crud/a') is not None)

# watches
seen = []
ev = threading.Event()
def on_data(event):
    seen.append([event.type, event.path]); ev.set()
zk.create('/kz/w', b'0')
zk.get('/kz/w', watch=on_data)
zk.set('/kz/w', b'1')
ev.wait(5)
ev.clear()
zk.get_children('/kz', watch=on_data)
zk.create('/kz/c')
ev.wait(5)
out(step='watches', events=seen)

# transaction: a failed one is reported per op
t = zk.transaction()
t.create('/kz/tx', b'')
t.check('/kz/w', 99)
out(step='tx', results=[type(r).__name__ for r in t.commit()])

def children_reach(path, count):
    # An event set once 'path' has 'count' children (waits for the server, not for time).
    reached = threading.Event()
    def check(children):
        if len(children) >= count:
            reached.set()
            return False
    ChildrenWatch(zk, path, check)
    return reached

# election: two contenders, the first one leads until it leaves
leaders = []
first_led = threading.Event()
second_led = threading.Event()
zk2 = KazooClient(hosts=hosts, timeout=6)
zk2.start(timeout=10)
release = threading.Event()
def lead(name):
    leaders.append(name)
    if name == 'first':
        first_led.set()
        release.wait(10)
    else:
        second_led.set()
e1 = Election(zk, '/kz/election', 'first')
e2 = Election(zk2, '/kz/election', 'second')
t1 = threading.Thread(target=e1.run, args=(lead, 'first')); t1.start()
first_led.wait(10)
both_in = children_reach('/kz/election', 2)
t2 = threading.Thread(target=e2.run, args=(lead, 'second')); t2.start()
both_in.wait(10)
contenders = sorted(e1.contenders())
release.set()
second_led.wait(10)
t1.join(10); t2.join(10)
out(step='election', leaders=leaders, contenders=contenders)

# lock: the second locker waits for the first
order = []
l1 = Lock(zk, '/kz/lock', 'one')
l2 = Lock(zk2, '/kz/lock', 'two')
l1.acquire()
def take_second():
    l2.acquire(timeout=10); order.append('two'); l2.release()
second_waits = children_reach('/kz/lock', 2)
th = threading.Thread(target=take_second); th.start()
second_waits.wait(10)
order.append('one' if not l2.is_acquired else 'two acquired while one held it')
l1.release()
th.join(10)
out(step='lock', order=order)

zk2.stop()
zk.stop()
`;

const KAZOO = 'python3-kazoo';
t.test(
  'kazoo: CRUD, watches, transaction, election and lock recipes',
  toolTestOptions(kazooAvailable, KAZOO),
  async (t) => {
    if (missingTool(t, kazooAvailable, KAZOO)) return;
    const { code, stdout, stderr } = await run(PYTHON, ['-c', KAZOO_SCRIPT, connectString], 90_000);
    t.equal(code, 0, stderr.split('\n').slice(-5).join('\n'));
    const steps = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => {
          const o = JSON.parse(l) as { step: string } & Record<string, unknown>;
          return [o.step, o];
        }),
    );
    t.match(steps.crud, { first: 'one', badVersion: 'BadVersionError', exists: false });
    t.same(steps.watches?.events, [
      ['CHANGED', '/kz/w'],
      ['CHILD', '/kz'],
    ]);
    t.same(steps.tx?.results, ['RolledBackError', 'BadVersionError']);
    t.same(steps.election?.leaders, ['first', 'second']);
    t.same(steps.election?.contenders, ['first', 'second']);
    t.same(steps.lock?.order, ['one', 'two']);
  },
);

const KAZOO_DEVIATIONS_SCRIPT = String.raw`
import json, sys
from kazoo.client import KazooClient
from kazoo.security import ACL, Id, CREATOR_ALL_ACL
from kazoo.exceptions import InvalidACLError

zk = KazooClient(hosts=sys.argv[1], timeout=6)
zk.start(timeout=10)
def out(**kw):
    print(json.dumps(kw), flush=True)

config, _ = zk.get('/zookeeper/config')
out(step='config', data=repr(config))
zk.add_auth('digest', 'user:secret')
# kazoo sends CREATOR_ALL_ACL's empty id as a null string.
zk.create('/kzd', b'', acl=CREATOR_ALL_ACL)
out(step='creator', acl=[[a.perms, a.id.scheme, a.id.id] for a in zk.get_acls('/kzd')[0]])
everyone = Id('world', 'anyone')
zk.create('/kzd/dup', b'', acl=[ACL(31, everyone), ACL(31, everyone), ACL(1, everyone)])
out(step='dup', acl=[[a.perms, a.id.scheme, a.id.id] for a in zk.get_acls('/kzd/dup')[0]])
bad = []
for ident in ['999.1.1.1/99', '300.1.1.1']:
    try:
        zk.create('/kzd/ip', b'', acl=[ACL(31, Id('ip', ident))])
        bad.append('accepted')
    except InvalidACLError:
        bad.append('InvalidACL')
out(step='ip', results=bad)
long = '/kzd/' + 'a' * 5000
out(step='long', created=zk.create(long) == long)
zk.stop()
`;

t.test(
  'kazoo: null ACL ids, duplicate ACLs, ip ids, /zookeeper/config and long paths',
  toolTestOptions(kazooAvailable, KAZOO),
  async (t) => {
    if (missingTool(t, kazooAvailable, KAZOO)) return;
    const { code, stdout, stderr } = await run(PYTHON, [
      '-c',
      KAZOO_DEVIATIONS_SCRIPT,
      connectString,
    ]);
    t.equal(code, 0, stderr.split('\n').slice(-5).join('\n'));
    const steps = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => {
          const o = JSON.parse(l) as { step: string } & Record<string, unknown>;
          return [o.step, o];
        }),
    );
    t.equal(steps.config?.data, "b''", 'empty, not null, as getConfig() expects');
    t.same(steps.creator?.acl, [[31, 'digest', 'user:5w9W4eL3797Y4Wq8AcKUPPk8ha4=']]);
    t.same(steps.dup?.acl, [
      [31, 'world', 'anyone'],
      [1, 'world', 'anyone'],
    ]);
    t.same(steps.ip?.results, ['InvalidACL', 'InvalidACL']);
    t.equal(steps.long?.created, true);
  },
);

// ---------------------------------------------------------------------------------------
// zkCli.sh one-shot commands (the Java client).

const ZKCLI_TOOL = 'zkCli.sh (Debian zookeeper package) with java';
t.test('zkCli.sh one-shot commands', toolTestOptions(zkCliAvailable, ZKCLI_TOOL), async (t) => {
  if (missingTool(t, zkCliAvailable, ZKCLI_TOOL)) return;
  const zkCli = async (...args: string[]): Promise<string> => {
    // zkCli prints some results on stdout and others through its logger on stderr.
    const { stdout, stderr } = await run(ZKCLI, ['-server', connectString, ...args]);
    return stdout + stderr;
  };
  t.match(await zkCli('create', '/cli', 'hello'), /Created \/cli/);
  t.match(await zkCli('get', '/cli'), /^hello$/m);
  // `[^\]]*`, not `.*`: zkCli's watcher thread may print its SyncConnected event in the
  // middle of the list, across lines.
  t.match(await zkCli('ls', '/'), /\[[^\]]*cli[^\]]*zookeeper[^\]]*\]/);
  t.match(await zkCli('stat', '/cli'), /dataLength = 5/);
  t.match(await zkCli('create', '-c', '/cli-container'), /Created \/cli-container/);
  t.match(await zkCli('create', '-t', '60000', '/cli-ttl', 'x'), /Created \/cli-ttl/);
  t.match(await zkCli('getAllChildrenNumber', '/cli'), /^0$/m);
  t.match(await zkCli('whoami'), /ip: 127\.0\.0\.1/);
  await zkCli('delete', '/cli');
  const after = await zkCli('ls', '/');
  t.match(after, /\[cli-container, /, 'ls still works');
  t.notMatch(after, /[[ ]cli[,\]]/, '/cli is gone');
});

t.test(
  'zkCli.sh: quota statistics, and config prints the empty config',
  toolTestOptions(zkCliAvailable, ZKCLI_TOOL),
  async (t) => {
    if (missingTool(t, zkCliAvailable, ZKCLI_TOOL)) return;
    const zkCli = async (...args: string[]): Promise<string> => {
      const { stdout, stderr } = await run(ZKCLI, ['-server', connectString, ...args]);
      return stdout + stderr;
    };
    t.notMatch(await zkCli('config'), /^null$/m, 'empty data, not null');
    // The znodes are written in process (each zkCli.sh run starts a JVM, some 0.6 s; its
    // create and delete are tested above): what is checked here is zkCli's quota commands.
    const c = await nzkConnect();
    t.teardown(() => c.close());
    const create = (path: string, data: string) =>
      call<string>((cb) => c.create(path, Buffer.from(data), zookeeper.CreateMode.PERSISTENT, cb));
    await create('/q', 'x');
    await create('/q/a', 'yy');
    await create('/q/b', 'zzz');
    t.match(
      await zkCli('setquota', '-n', '2', '/q'),
      /count quota you create is less than the existing count:3/,
    );
    t.match(await zkCli('listquota', '/q'), /Output stat for \/q count=3,bytes=6/);
    await create('/q/c', '123456');
    await call((cb) => c.remove('/q/b', -1, cb));
    t.match(
      await zkCli('listquota', '/q'),
      /Output stat for \/q count=3,bytes=9/,
      'kept up to date; not enforced',
    );
  },
);
