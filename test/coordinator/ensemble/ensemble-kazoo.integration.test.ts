/**
 * kazoo (python3-kazoo, a ZooKeeper client that is not ours) with a three-host connect string
 * against a 3-process ensemble: create, get and a data watch work; when the server it is
 * connected to is killed with SIGKILL, kazoo moves to another one with the same session
 * (never LOST) and keeps its ephemeral. kazoo 2.8 sends no setWatches: on a lost connection it
 * calls every watch with a NONE event and forgets it, as it does with Apache ZooKeeper, so the
 * test checks that event and a watch set again after the move (ensemble-sessions checks that
 * our client's watches survive a move, through setWatches).
 */
import t from 'tap';
import { waitFor } from '../../helpers/wait-for.js';
import { CoordinatorClient } from '../../../src/coordinator-client/client.js';
import { kazooAvailable, kazooSteps, startEnsemble } from './ensemble-processes.js';

// Prints one JSON line per step; waits for "setdata-done" on stdin before it expects the
// watch event, so the test controls when the watched node changes.
const SCRIPT = String.raw`
import json, sys, threading
from kazoo.client import KazooClient, KazooState

zk = KazooClient(hosts=sys.argv[1], timeout=8)
states = []
zk.add_listener(lambda s: states.append(str(s)))
zk.start(timeout=20)
def out(**kw):
    print(json.dumps(kw), flush=True)
def peer():
    return '%s:%d' % zk._connection._socket.getpeername()[:2]

zk.create('/kz', b'')
zk.create('/kz/eph', b'mine', ephemeral=True)
zk.create('/kz/w', b'v1')
before = []
def watcher(event):
    before.append([event.type, event.path])
data, stat = zk.get('/kz/w', watch=watcher)
out(step='ready', server=peer(), session=str(zk.client_id[0]), data=data.decode())

# The test kills our server now; wait until kazoo is connected again (to another one).
moved = threading.Event()
def on_state(s):
    if s == KazooState.CONNECTED:
        moved.set()
zk.add_listener(on_state)
moved.wait(30)
zk.create('/kz/after-move', b'')
events = []
fired = threading.Event()
def rearmed(event):
    events.append([event.type, event.path])
    fired.set()
data, stat = zk.get('/kz/w', watch=rearmed)
out(step='moved', server=peer(), session=str(zk.client_id[0]), states=states,
    ephemeral=zk.exists('/kz/eph') is not None, before=before)

sys.stdin.readline()
fired.wait(15)
out(step='watch', events=events)
zk.stop()
`;

t.test('kazoo: three-host connect string, session moves when its server is killed', async (t) => {
  if (!kazooAvailable) {
    if (process.env.CI === 'true') t.fail('python3-kazoo is not installed, CI=true needs it');
    else t.comment('python3-kazoo is not installed: skipping');
    return;
  }
  const ensemble = await startEnsemble(t, { tickMs: 250 });
  await ensemble.waitForQuorum();

  const { step, send, exited, stderr } = kazooSteps(t, SCRIPT, ensemble.connectString, 40_000);

  const ready = await step('ready');
  t.equal(ready.data, 'v1', 'kazoo created and read back /kz/w');
  const server = ensemble.members.find((m) => ready.server === `127.0.0.1:${m.clientPort}`)!;
  t.ok(server, `kazoo is connected to server ${server.id} (${String(ready.server)})`);
  const survivors = ensemble.members.filter((m) => m !== server);
  const killedMode = (await ensemble.srvr(server)).mode;

  await ensemble.kill9(server);
  const moved = await step('moved').catch((error: unknown) => {
    // What the survivors and kazoo saw, for a failure that does not repeat.
    for (const m of survivors) t.comment(`server ${m.id}:\n${m.process!.log().slice(-3000)}`);
    t.comment(`kazoo:\n${stderr().slice(-3000)}`);
    throw error;
  });
  t.not(
    moved.server,
    ready.server,
    `kazoo moved from ${String(ready.server)} to ${String(moved.server)}`,
  );
  t.ok(
    survivors.some((m) => moved.server === `127.0.0.1:${m.clientPort}`),
    'to a surviving server',
  );
  t.equal(moved.session, ready.session, 'with the same session id');
  t.notOk((moved.states as string[]).includes('LOST'), 'the session was never lost');
  t.equal(moved.ephemeral, true, 'kazoo still sees its ephemeral');
  t.same(moved.before, [['NONE', null]], 'kazoo told its watch of the lost connection');
  t.comment(`killed server ${server.id} (${killedMode}); kazoo states: ${String(moved.states)}`);

  // Our client, on each survivor: the ephemeral is still kazoo's session's; a write after the
  // move is there; a change of the watched node reaches the watch kazoo set on its new server.
  for (const m of survivors) {
    const reader = new CoordinatorClient(`127.0.0.1:${m.clientPort}`, { protocol: 'zookeeper' });
    await reader.connect();
    await reader.sync('/kz');
    const stat = await reader.exists('/kz/eph');
    t.equal(
      stat && BigInt.asUintN(64, stat.ephemeralOwner),
      BigInt.asUintN(64, BigInt(String(ready.session))),
      `server ${m.id}: /kz/eph is still owned by kazoo's session`,
    );
    t.ok(await reader.exists('/kz/after-move'), `server ${m.id}: the write after the move`);
    await reader.close();
  }
  const writer = new CoordinatorClient(`127.0.0.1:${survivors[0]!.clientPort}`);
  await writer.connect();
  await writer.setData('/kz/w', 'v2');
  send('setdata-done');
  const watch = await step('watch');
  t.same(watch.events, [['CHANGED', '/kz/w']], 'the watch set after the move fired');
  t.equal(await exited, 0, 'kazoo ended cleanly');
  await waitFor('kazoo closed its session: /kz/eph gone', async () => {
    return (await writer.exists('/kz/eph')) === null;
  });
  await writer.close();
});
