/**
 * A real Apache ZooKeeper 3.8 server for interop tests: Debian's `zookeeper` package (which
 * `.ci/run` installs) started standalone (ZooKeeperServerMain, as zkServer.sh does when
 * zoo.cfg names no peers) on a free loopback port with a temporary data dir, killed in
 * teardown. Missing Java or the package fails the test, as every interop tool does.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { connect } from 'node:net';
import { freePort } from './processes.js';
import { waitFor } from './wait-for.js';

export const ZOOKEEPER_CLASSPATH = '/usr/share/java/zookeeper.jar:/etc/zookeeper/conf';

/** Debian's zkCli.sh (the Java client's shell), and whether it and java are installed. */
export const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh';
export const zkCliAvailable = existsSync(ZKCLI) && existsSync('/usr/bin/java');

/**
 * One zkCli.sh command against `server` (`-server host:port[,...]`; more flags such as `-r`
 * go before the command in `args`); zkCli prints some results on stdout and others on stderr,
 * so both come back, in that order.
 */
export function zkCli(server: string, ...args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(ZKCLI, ['-server', server, ...args], { timeout: 60_000 }, (_err, out, err) =>
      resolve(out + err),
    );
  });
}

export interface ApacheZooKeeper {
  port: number;
  connectString: string;
}

/** A four-letter word over plain TCP, as `echo ruok | nc` sends it. */
function tcpFourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.end(word));
    // A server still starting (or whatever holds the port) may accept and never answer: the
    // probe then fails after 2 s and waitFor asks again, instead of one probe hanging forever.
    socket.setTimeout(2000, () => socket.destroy(new Error(`no answer to ${word} in 2 s`)));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

export async function startApacheZooKeeper(t: Test): Promise<ApacheZooKeeper> {
  const jar = ZOOKEEPER_CLASSPATH.split(':')[0]!;
  if (!existsSync(jar)) throw new Error(`${jar} not found: install Debian's zookeeper package`);
  const dir = t.testdir();
  const port = await freePort();
  const config = [
    'tickTime=500',
    `dataDir=${join(dir, 'data')}`,
    `clientPort=${port}`,
    'clientPortAddress=127.0.0.1',
    'admin.enableServer=false',
    '4lw.commands.whitelist=*',
  ];
  writeFileSync(join(dir, 'zoo.cfg'), config.join('\n') + '\n');
  const child = spawn(
    'java',
    ['-cp', ZOOKEEPER_CLASSPATH, 'org.apache.zookeeper.server.ZooKeeperServerMain', 'zoo.cfg'],
    { cwd: dir, stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  await waitFor(
    'ZooKeeper to answer ruok',
    async () => {
      if (child.exitCode !== null) throw new Error(`zookeeper exited with ${child.exitCode}`);
      return (await tcpFourLetterWord(port, 'ruok')) === 'imok';
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  return { port, connectString: `127.0.0.1:${port}` };
}
