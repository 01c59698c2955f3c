/**
 * Read-only mode with real processes (coordinator/read-only.ts, docs/ensemble.md): three
 * servers from zoo.cfg files, read-only mode on for 2 (`--read-only`) and 3
 * (`readonlymode.enabled=true` in its zoo.cfg), off for server 1. Servers 1 and 2 are killed
 * with SIGKILL, so server 3 is alone: after the grace period (max(2 s, tickTime)) it serves
 * read-only clients. kazoo (python3-kazoo) with `read_only=True` and all three hosts connects
 * to it, reads, and gets NotReadOnlyCallError on a write; our client with `readOnly` (over the
 * WebSocket protocol) reads and gets NOTREADONLY; clients that did not ask for read-only are
 * refused; zkCli.sh -r reads and is refused a write; `isro` says `ro`, srvr `Mode: read-only`,
 * mntr `zk_server_state read-only`. When 1 and 2 come back, server 3 leaves read-only mode and
 * closes its read-only sessions, `isro` says `rw`, and kazoo and our client write (on new
 * sessions: the read-only ones were local; our client's watch carries over). Last, server 1,
 * started without `--read-only`, is left alone: it stays looking and refuses every client.
 */
import t from 'tap';
import { waitFor } from '../../helpers/wait-for.js';
import { CoordinatorClient } from '../../../src/coordinator-client/client.js';
import { fourLetterWord } from '../../../src/coordinator-client/four-letter-words.js';
import { ErrorCode, KeeperError } from '../../../src/protocol/coordinator/errors.js';
import { readOnlyGraceMs } from '../../../coordinator/read-only.js';
import { zkCli, zkCliAvailable } from '../../helpers/apache-zookeeper.js';
import { kazooAvailable, kazooSteps, startEnsemble, type Member } from './ensemble-processes.js';

const TICK_MS = 250;

// One JSON line per step. After "ro" it waits for a line on stdin (the quorum is back), then
// until kazoo is connected read/write, and writes.
const SCRIPT = String.raw`
import json, sys, time
from kazoo.client import KazooClient
from kazoo.exceptions import NotReadOnlyCallError

def out(**kw):
    print(json.dumps(kw), flush=True)
zk = KazooClient(hosts=sys.argv[1], timeout=4, read_only=True)
states = []
zk.add_listener(lambda s: states.append(str(s)))
zk.start(timeout=30)
def peer():
    return '%s:%d' % zk._connection._socket.getpeername()[:2]
data, stat = zk.get('/ro')
try:
    zk.create('/ro/kazoo', b'')
    write = 'accepted'
except NotReadOnlyCallError:
    write = 'NotReadOnlyCallError'
out(step='ro', state=str(zk.client_state), server=peer(), session=str(zk.client_id[0]),
    data=data.decode(), write=write)

sys.stdin.readline()
deadline = time.time() + 40
while str(zk.client_state) != 'CONNECTED' and time.time() < deadline:
    time.sleep(0.05)
zk.create('/ro/kazoo', b'rw')
out(step='rw', state=str(zk.client_state), server=peer(), session=str(zk.client_id[0]),
    states=states)
zk.stop()
`;

function address(m: Member): string {
  return `127.0.0.1:${m.clientPort}`;
}

/** A member's log has a line matching `pattern` (its log reaches us a little later). */
async function logged(m: Member, pattern: RegExp): Promise<void> {
  await waitFor(`server ${m.id} logs ${String(pattern)}`, () => pattern.test(m.process!.log()));
}

t.test('alone, a server serves read-only clients until the quorum is back', async (t) => {
  if (!kazooAvailable) {
    if (process.env.CI === 'true') t.fail('python3-kazoo is not installed, CI=true needs it');
    else t.comment('python3-kazoo is not installed: skipping');
    return;
  }
  const ensemble = await startEnsemble(t, {
    tickMs: TICK_MS,
    zooCfg: true,
    memberArgs: (m) => (m.id === 2 ? ['--read-only'] : []),
    zooCfgLines: (m) => (m.id === 3 ? ['readonlymode.enabled=true'] : []),
  });
  await ensemble.waitForQuorum();
  const [one, two, three] = ensemble.members as [Member, Member, Member];
  for (const [m, on] of [
    [one, false],
    [two, true],
    [three, true],
  ] as const) {
    t.match(m.process!.log(), `"readOnlyMode":${on}`, `server ${m.id}: read-only mode ${on}`);
  }
  const isro = (m: Member): Promise<string> =>
    fourLetterWord(address(m), 'isro', { timeoutMs: 2000 });
  t.equal(await isro(three), 'rw', 'in broadcast: rw');

  const writer = new CoordinatorClient(ensemble.connectString);
  await writer.connect();
  await writer.create('/ro', 'before');
  await writer.close();
  await waitFor('/ro on server 3', async () => {
    const reader = new CoordinatorClient(address(three));
    await reader.connect();
    try {
      return (await reader.exists('/ro')) !== null;
    } finally {
      await reader.close();
    }
  });

  // Servers 1 and 2 die: server 3 has no quorum.
  const killedAt = Date.now();
  await Promise.all([ensemble.kill9(one), ensemble.kill9(two)]);
  await waitFor(
    'server 3 in read-only mode',
    async () => (await ensemble.mode(three)) === 'read-only',
    {
      timeoutMs: 20_000,
      intervalMs: 50,
    },
  );
  const readOnlyAfterMs = Date.now() - killedAt;
  t.ok(
    readOnlyAfterMs >= readOnlyGraceMs(TICK_MS),
    `read-only ${readOnlyAfterMs} ms after the kill (grace ${readOnlyGraceMs(TICK_MS)} ms)`,
  );
  await logged(three, /read-only mode: no quorum, serving read-only clients/);
  t.equal(await isro(three), 'ro', 'isro: ro');
  t.match(await fourLetterWord(address(three), 'mntr'), /zk_server_state\tread-only\n/);

  // A client that did not ask for read-only is refused (on both protocols).
  for (const protocol of ['zookeeper', 'websocket'] as const) {
    const plain = new CoordinatorClient(address(three), {
      protocol,
      initialConnectTimeoutMs: 1500,
    });
    await t.rejects(plain.connect(), { code: ErrorCode.CONNECTIONLOSS }, `${protocol}: refused`);
  }
  await logged(three, /did not ask for read-only/);

  // Our client with readOnly, over the WebSocket protocol.
  const ours = new CoordinatorClient(address(three), { readOnly: true });
  await ours.connect();
  t.equal(ours.connectedReadOnly, true, 'connected read-only');
  const events: string[] = [];
  const read = await ours.getData('/ro', (e) => events.push(`${e.type} ${e.path}`));
  t.equal(String(read.data), 'before', 'it reads (and sets a watch)');
  await t.rejects(ours.create('/ro/ours', 'x'), new KeeperError(ErrorCode.NOTREADONLY, '/ro/ours'));
  const oursSession = ours.sessionId;

  // The Java client (Debian's zkCli.sh) with -r (canBeReadOnly).
  if (zkCliAvailable) {
    t.match(await zkCli(address(three), '-r', 'get', '/ro'), /^before$/m, 'zkCli.sh -r reads');
    t.match(
      await zkCli(address(three), '-r', 'create', '/ro/java', 'x'),
      /NotReadOnly|Not a read-only call/,
      'zkCli.sh -r: a write is refused with NotReadOnly',
    );
  } else if (process.env.CI === 'true') {
    t.fail('zkCli.sh (Debian zookeeper package) with java is required under CI=true');
  } else {
    t.comment('zkCli.sh is not installed: the Java client part was not run');
  }

  // kazoo, with all three hosts (two of them down).
  const { step, send, exited } = kazooSteps(t, SCRIPT, ensemble.connectString, 60_000);
  const ro = await step('ro');
  t.equal(ro.state, 'CONNECTED_RO', 'kazoo is connected read-only');
  t.equal(ro.server, address(three), 'to server 3');
  t.equal(ro.data, 'before', 'kazoo reads /ro');
  t.equal(ro.write, 'NotReadOnlyCallError', 'a write: NotReadOnlyCallError');

  // The quorum comes back.
  await Promise.all([ensemble.start(one), ensemble.start(two)]);
  await ensemble.waitForQuorum();
  t.equal(await isro(three), 'rw', 'isro: rw again');
  await logged(three, /read-only mode ends: a leader is decided/);
  await logged(three, /read-only sessions closed/);
  // Our client asks server 3 for a new session (its read-only one was local), as the Java
  // client does when it has not seen a read/write server before, and keeps its watch.
  await waitFor(
    'our client connected read/write',
    () => ours.state === 'connected' && !ours.connectedReadOnly,
    { timeoutMs: 20_000 },
  );
  t.not(ours.sessionId, oursSession, 'our client: a new session');
  t.equal(await ours.create('/ro/ours', 'x'), '/ro/ours', 'our client writes');

  send('quorum-back');
  const rw = await step('rw');
  t.equal(rw.state, 'CONNECTED', 'kazoo is connected read/write');
  t.not(rw.session, ro.session, 'on a new session: the read-only one was local to server 3');
  t.ok((rw.states as string[]).includes('LOST'), `kazoo states: ${String(rw.states)}`);
  t.equal(await exited, 0, 'kazoo ended cleanly');
  const check = new CoordinatorClient(ensemble.connectString);
  await check.connect();
  t.equal(String((await check.getData('/ro/kazoo')).data), 'rw', "kazoo's write is there");
  await check.setData('/ro', 'after');
  await check.close();
  await waitFor('the watch our client set read-only fires', () => events.length > 0);
  t.same(events, ['NodeDataChanged /ro'], 'the watch carried over to the new session');
  await ours.close();
  t.comment(
    `read-only after ${readOnlyAfterMs} ms; our session 0x${oursSession.toString(16)}; ` +
      `kazoo states ${String(rw.states)}`,
  );

  // Server 1 has no --read-only: alone, it stays looking and takes no client at all.
  await Promise.all([ensemble.kill9(two), ensemble.kill9(three)]);
  await waitFor('server 1 looking', async () => (await ensemble.mode(one)) === 'looking', {
    timeoutMs: 20_000,
  });
  // An absence needs a window: twice the grace period after it turned looking, asking isro.
  const until = Date.now() + 2 * readOnlyGraceMs(TICK_MS);
  const answers = new Set<string>();
  await waitFor(
    'twice the grace period',
    async () => {
      answers.add(await isro(one));
      return Date.now() >= until;
    },
    { timeoutMs: 4 * readOnlyGraceMs(TICK_MS), intervalMs: 200 },
  );
  t.same([...answers], ['null'], 'isro said null all along (serving nothing)');
  t.equal(await ensemble.mode(one), 'looking');
  const refused = new CoordinatorClient(address(one), {
    readOnly: true,
    initialConnectTimeoutMs: 1500,
  });
  await t.rejects(
    refused.connect(),
    { code: ErrorCode.CONNECTIONLOSS },
    'read-only client refused',
  );
  t.notMatch(one.process!.log(), /read-only mode/, 'server 1 never went read-only');
});
