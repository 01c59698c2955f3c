/**
 * End-to-end tests of the `coordinator` command: a real daemon started with
 * `coordinator start --port 0` in a temporary data dir, and every verb run as a separate
 * process, checking stdout, stderr and the exit code as a user would see them.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { waitFor } from '../helpers/wait-for.js';
import { coordinatorCommand } from '../helpers/cluster.js';
import { nodeArgsFor } from '../helpers/processes.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cliArgs = nodeArgsFor('coordinator/cli.ts');
const cliCommand = ['node', ...cliArgs].map((a) => `'${a}'`).join(' ');

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnCli(args: string[], stdin: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
  return spawn(process.execPath, [...cliArgs, ...args], {
    cwd: repoRoot,
    stdio: [stdin, 'pipe', 'pipe'],
    env: { ...process.env, SAMSA_LOG_LEVEL: 'warn' },
  });
}

/** Run one command; its stdout and stderr are pipes, as in `coordinator get /x | wc -c`. */
function run(args: string[], input?: Buffer): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, input === undefined ? 'ignore' : 'pipe');
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Run a bash command line (for real pipelines between processes). */
function shell(command: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SAMSA_LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Wait until `text` (a stream's accumulated output) matches. */
function waitForOutput(
  stream: NodeJS.ReadableStream,
  pattern: RegExp,
  // Generous: a process's start-up alone has taken over 13 s on a loaded 2-core machine.
  timeoutMs = 60_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; saw ${JSON.stringify(seen)}`)),
      timeoutMs,
    );
    const onData = (d: Buffer): void => {
      seen += d.toString();
      const m = pattern.exec(seen);
      if (m) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolve(m);
      }
    };
    stream.on('data', onData);
  });
}

// Some commands are processes of their own (about a second of start-up each, ten on a loaded
// machine): more than tap's default per-file time on a busy machine.
t.setTimeout(300_000);

const dataDir = t.testdir();
const daemon = spawnCli([
  'start',
  '--port',
  '0',
  '--admin-port',
  '0',
  '--data-dir',
  dataDir,
  '--tick-ms',
  '200',
]);
t.teardown(async () => {
  if (daemon.exitCode === null) {
    const exited = new Promise((resolve) => daemon.once('exit', resolve));
    daemon.kill('SIGTERM');
    await exited;
  }
});
const [, port] = await waitForOutput(daemon.stdout!, /Coordinator listening on 127\.0\.0\.1:(\d+)/);
const server = ['--server', `127.0.0.1:${port}`];
/**
 * Most verbs run in-process: `main` of coordinator/cli.ts is what the binary runs, with the
 * same output and exit codes, without a second of process start-up each (on a loaded 2-core
 * machine ten). What only a process shows (exit flushing into a pipe, SIGPIPE, SIGINT,
 * standard input, the ephemeral of a command that exits) runs as a process: `asProcess`.
 */
const cli = (...args: string[]): Promise<RunResult> => coordinatorCommand([...args, ...server]);
const asProcess = (...args: string[]): Promise<RunResult> => run([...args, ...server]);

t.test('ruok answers imok', async (t) => {
  const r = await asProcess('ruok');
  t.equal(r.code, 0);
  t.equal(r.stdout, 'imok\n');
});

t.test('create, get, set, ls and stat behave like zkCli', async (t) => {
  t.same(await cli('create', '/app', 'hello'), { code: 0, stdout: 'Created /app\n', stderr: '' });
  const seq = await cli('create', '-s', '/app/n-', 'x');
  t.match(seq.stdout, /^Created \/app\/n-0000000000\n$/);
  t.equal((await cli('get', '/app')).stdout, 'hello\n');
  t.equal((await cli('ls', '/app')).stdout, '[n-0000000000]\n');
  t.equal((await cli('set', '/app', 'v2')).code, 0);
  const stat = await cli('stat', '/app');
  t.equal(stat.code, 0);
  t.match(
    stat.stdout,
    /^cZxid = 0x[0-9a-f]+\nctime = .+\nmZxid = 0x[0-9a-f]+\nmtime = .+\npZxid = 0x[0-9a-f]+\n/,
  );
  t.match(
    stat.stdout,
    /\ncversion = 1\ndataVersion = 1\naclVersion = 0\nephemeralOwner = 0x0\ndataLength = 2\nnumChildren = 1\n$/,
  );
  const json = JSON.parse((await cli('stat', '/app', '--json')).stdout) as Record<string, unknown>;
  t.match(json, {
    version: 1,
    cversion: 1,
    aversion: 0,
    ephemeralOwner: '0x0',
    dataLength: 2,
    numChildren: 1,
  });
  t.same(Object.keys(json).sort(), [
    'aversion',
    'ctime',
    'cversion',
    'czxid',
    'dataLength',
    'ephemeralOwner',
    'mtime',
    'mzxid',
    'numChildren',
    'pzxid',
    'version',
  ]);
  const get = JSON.parse((await cli('get', '/app', '--json')).stdout) as {
    data: string;
    stat: { version: number };
  };
  t.equal(get.data, 'v2');
  t.equal(get.stat.version, 1);
});

t.test('an ephemeral created by a one-shot command is gone once the command exits', async (t) => {
  const created = await asProcess('create', '-e', '/eph', 'x');
  t.equal(created.stdout, 'Created /eph\n');
  const after = await cli('stat', '/eph');
  t.equal(after.code, 1);
  t.equal(after.stderr, 'Error: KeeperErrorCode = NoNode for /eph\n');
  t.equal(after.stdout, '');
});

t.test('a version conflict prints BadVersion and exits 1', async (t) => {
  await cli('create', '/v', 'a');
  const r = await cli('set', '/v', 'b', '-v', '7');
  t.equal(r.code, 1);
  t.equal(r.stderr, 'Error: KeeperErrorCode = BadVersion for /v\n');
  const d = await cli('delete', '/v', '-v', '3');
  t.equal(d.code, 1);
  t.match(d.stderr, /BadVersion for \/v/);
  t.equal((await cli('delete', '/v', '-v', '0')).code, 0);
});

t.test('errors name the ZooKeeper code: NoNode, NodeExists, NotEmpty', async (t) => {
  t.same(await cli('get', '/missing'), {
    code: 1,
    stdout: '',
    stderr: 'Error: KeeperErrorCode = NoNode for /missing\n',
  });
  await cli('create', '/dup');
  t.equal((await cli('create', '/dup')).stderr, 'Error: KeeperErrorCode = NodeExists for /dup\n');
  await cli('create', '/dup/child');
  t.equal((await cli('delete', '/dup')).stderr, 'Error: KeeperErrorCode = NotEmpty for /dup\n');
});

t.test('deleteall removes a subtree; tree prints one', async (t) => {
  for (const p of ['/t', '/t/a', '/t/a/x', '/t/b']) t.equal((await cli('create', p)).code, 0);
  t.equal((await cli('tree', '/t')).stdout, '/t\n├── a\n│   └── x\n└── b\n');
  t.equal((await cli('deleteall', '/t')).code, 0);
  t.equal((await cli('stat', '/t')).code, 1);
});

t.test('watch prints one line per event until interrupted', async (t) => {
  const watcher = spawnCli(['watch', '/w', ...server]);
  // If the test fails midway, the watcher must not outlive it (its pipes keep this file alive).
  t.teardown(() => {
    if (watcher.exitCode === null) watcher.kill('SIGKILL');
  });
  let stdout = '';
  watcher.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  await waitForOutput(watcher.stderr!, /Watching \/w/);
  await cli('create', '/w', '1');
  await cli('set', '/w', '2');
  await cli('create', '/w/c');
  const exited = new Promise<number | null>((resolve) =>
    watcher.once('exit', (code) => resolve(code)),
  );
  // The events were written before the writes' replies, but the pipe may deliver them after:
  // wait on everything read so far (a listener added now would miss what already arrived).
  await waitFor('the third event', () => stdout.includes('NodeCreated /w/c\n'));
  watcher.kill('SIGINT');
  t.equal(await exited, 0, 'exits 0 on SIGINT');
  t.equal(stdout, 'NodeCreated /w\nNodeDataChanged /w\nNodeCreated /w/c\n');
});

t.test('stat-server, mntr and 4lw print the server text', async (t) => {
  t.match((await cli('stat-server')).stdout, /Mode: standalone/);
  t.match((await cli('mntr')).stdout, /zk_server_state\tstandalone/);
  t.match((await cli('4lw', 'conf')).stdout, new RegExp(`^clientPort=${port}\n`), 'the bound port');
  const bad = await cli('4lw', 'RUOK!');
  t.equal(bad.code, 1);
});

t.test('an unreachable server is one clear error line', async (t) => {
  const r = await coordinatorCommand([
    'ls',
    '/',
    '--server',
    '127.0.0.1:1',
    '--connect-timeout',
    '300',
  ]);
  t.equal(r.code, 1);
  t.match(r.stderr, /^Error: KeeperErrorCode = ConnectionLoss.*127\.0\.0\.1:1\n$/);
});

t.test('long output reaches a pipe whole before the command exits', async (t) => {
  // A pipe takes 64 KiB at a time; exiting without flushing cut `get` to 65,536 bytes.
  // Just under ZooKeeper's jute.maxbuffer (1 MiB - 1 for the whole packet), which the binary
  // protocol the CLI speaks by default cannot exceed.
  const value = Buffer.alloc(1_000_000, 'v');
  const file = join(dataDir, '..', 'value-1m');
  writeFileSync(file, value);
  t.same(await cli('create', '/big', '--data-file', file), {
    code: 0,
    stdout: 'Created /big\n',
    stderr: '',
  });
  const got = await asProcess('get', '/big');
  t.equal(got.code, 0);
  t.equal(got.stdout.length, value.length + 1, 'every byte and the newline');
  t.ok(got.stdout === value.toString() + '\n');

  // The same through a shell pipeline into a real reader.
  const piped = await shell(`${cliCommand} get /big --server 127.0.0.1:${port} | wc -c`);
  t.equal(piped.stdout.trim(), String(value.length + 1));
});

t.test('a reader that stops early ends the command quietly, as SIGPIPE would', async (t) => {
  const r = await shell(
    `${cliCommand} get /big --server 127.0.0.1:${port} | head -c 5; ` + 'echo " ${PIPESTATUS[0]}"',
  );
  t.equal(r.stdout, 'vvvvv 141\n', '128 + SIGPIPE, like a C program');
  t.equal(r.stderr, '', 'no stack trace');
});

t.test('create and set take the data from a file or standard input', async (t) => {
  const binary = Buffer.from([0, 1, 2, 255, 10, 0]);
  const file = join(dataDir, '..', 'binary');
  writeFileSync(file, binary);
  t.equal((await cli('create', '/df', '-d', file)).code, 0);
  t.match((await cli('stat', '/df', '--json')).stdout, /"dataLength":6/, 'byte for byte');
  t.equal((await run(['set', '/df', '--data-file', '-', ...server], Buffer.from('piped'))).code, 0);
  t.equal((await cli('get', '/df')).stdout, 'piped\n');
  const both = await cli('set', '/df', 'x', '-d', file);
  t.equal(both.code, 1);
  t.match(both.stderr, /either as an argument or with --data-file, not both/);
  const missing = await cli('create', '/df3', '-d', join(dataDir, 'no-such-file'));
  t.equal(missing.code, 1);
  t.match(missing.stderr, /^Error: cannot read --data-file .*no-such-file: ENOENT/);
  const tooBig = await run(['set', '/df', '-d', '-', ...server], Buffer.alloc(1024 * 1024 + 1));
  t.equal(tooBig.code, 1);
  t.match(tooBig.stderr, /standard input holds more than 1048576 bytes/);
  t.equal((await cli('get', '/df')).stdout, 'piped\n', 'a refused set changes nothing');
});

t.test('the daemon stops cleanly on SIGTERM', async (t) => {
  const exited = new Promise<number | null>((resolve) =>
    daemon.once('exit', (code) => resolve(code)),
  );
  daemon.kill('SIGTERM');
  t.equal(await exited, 0);
});
