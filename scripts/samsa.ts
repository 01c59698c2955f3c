#!/usr/bin/env node
/**
 * `samsa`: the project's console tool. `samsa start` is here; the Kafka client commands
 * live in scripts/samsa/, one module per command (produce, consume, topics, bench).
 *
 * `samsa start`: a whole development cluster on this machine, as separate processes:
 *
 *   [coordinator]  127.0.0.1:2181 (admin HTTP 8080: /commands, /metrics), ./data/coordinator
 *   [broker-1]     127.0.0.1:9092 (admin HTTP 8091: /metrics, /healthz, /readyz), ./data/broker-1
 *   [broker-2]     127.0.0.1:9093 (admin HTTP 8092), data in ./data/broker-2
 *   [broker-3]     127.0.0.1:9094 (admin HTTP 8093), data in ./data/broker-3
 *   [dashboard]    http://127.0.0.1:9000/ (started after the brokers; src/dashboard/); with
 *                  --secure https:// with the login admin/adminadmin, brokers over SASL_SSL
 *
 * Every child gets glibc's MALLOC_MMAP_THRESHOLD_=16384 unless the environment sets it
 * (src/malloc-settings.ts: why, and how much RSS it saves).
 * Data is kept across restarts (delete ./data for a fresh cluster). Each child runs the
 * compiled program from dist/ when dist/ is a current build (`npm run build`), otherwise the
 * TypeScript source through tsx. Every line a child writes is printed with its name in front;
 * pino's JSON lines are shortened to `LEVEL component: message {fields}` so the story of the
 * cluster (elections, leader changes) can be read as it happens.
 *
 * Order: all ports are checked first (a busy port stops everything with a message naming it
 * and, where /proc shows it, the process holding it); the coordinator starts and must log
 * `coordinator listening`; then the brokers start; then a banner (scripts/samsa/banner.ts)
 * says what runs where and what to try.
 * Ctrl-C (SIGINT) or SIGTERM stops the brokers first (each resigns and closes its session
 * cleanly), then the coordinator; a second Ctrl-C kills whatever is left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { isEntryPoint } from '../src/entry-point.js';
import { daemonEnvironment } from '../src/malloc-settings.js';
import { exitAfterFlush, exitOnBrokenPipe } from '../src/process-exit.js';
import { compiledProgramsAreCurrent } from './compiled-programs.js';
import { banner } from './samsa/banner.js';
import { registerBench } from './samsa/bench.js';
import { registerConsume } from './samsa/consume.js';
import { describeError } from './samsa/kafka.js';
import { describePortOwner } from './samsa/port-owner.js';
import { registerProduce } from './samsa/produce.js';
import { registerTopics } from './samsa/topics.js';
import type { DashboardSecurityFlags } from '../src/dashboard/main.js';
import { digestId } from '../src/security/http-login.js';
import {
  SECURE_BROKER_USER,
  SECURE_SCRAM_USERS,
  createSecureScramUsers,
  ensureSecureFiles,
  secureBrokerProperties,
  securePorts,
  writeSecureBrokerConfig,
} from './samsa/secure.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The dashboard's login under --secure: kafkajs's admin user, well known, as all of it. */
const SECURE_DASHBOARD_LOGIN = 'admin:adminadmin';
/** The repository root, from scripts/ or from dist/scripts/. */
const ROOT = existsSync(join(HERE, '..', 'package.json'))
  ? resolve(HERE, '..')
  : resolve(HERE, '..', '..');

interface ChildSpec {
  name: string;
  /** Path of the program relative to the root, without extension (coordinator/cli). */
  program: string;
  args: string[];
  readyText: string;
}

let distIsCurrent: boolean | undefined;
let warnedStale = false;

/**
 * How to run a program: the compiled JS when dist/ is a current build of the sources
 * (scripts/compiled-programs.ts), else the TypeScript source through tsx, with a warning
 * once, so that an edit without `npm run build` never starts yesterday's daemons.
 */
export function commandFor(program: string, root = ROOT): string[] {
  const built = join(root, 'dist', `${program}.js`);
  const source = join(root, `${program}.ts`);
  if (existsSync(built) && !existsSync(source)) return [built];
  if (existsSync(built)) {
    distIsCurrent ??= compiledProgramsAreCurrent(root);
    if (distIsCurrent) return [built];
  }
  if (!warnedStale) {
    warnedStale = true;
    process.stderr.write(
      existsSync(built)
        ? 'samsa: dist/ is older than the sources; running them through tsx ' +
            '(npm run build to use the compiled programs)\n'
        : 'samsa: no build in dist/; running the sources through tsx (npm run build)\n',
    );
  }
  return ['--import', 'tsx', source];
}
const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const OMITTED = new Set(['level', 'time', 'pid', 'hostname', 'name', 'component', 'msg']);

/** One log line for people: `INFO controller: became controller {"controllerEpoch":2}`. */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const level = LEVELS[Number(entry.level)] ?? String(entry.level);
    const rest = Object.fromEntries(Object.entries(entry).filter(([k]) => !OMITTED.has(k)));
    const fields = Object.keys(rest).length > 0 ? ' ' + JSON.stringify(rest) : '';
    const text = (value: unknown): string =>
      typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
    const component = entry.component ? `${text(entry.component)}: ` : '';
    return `${level} ${component}${text(entry.msg)}${fields}`;
  } catch {
    return line;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

interface Running {
  spec: ChildSpec;
  child: ChildProcess;
  exited: Promise<number | null>;
}

function startChild(spec: ChildSpec): Promise<Running> {
  const child = spawn(process.execPath, [...commandFor(spec.program), ...spec.args], {
    cwd: ROOT,
    // Our allocator default (MALLOC_MMAP_THRESHOLD_), unless the environment sets its own.
    env: daemonEnvironment(process.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolveReady, rejectReady) => {
    let ready = false;
    let idTaken = false;
    const onLine = (line: string): void => {
      if (line.includes('KB_ERR_BROKER_ID_TAKEN')) idTaken = true;
      process.stdout.write(`[${spec.name}] ${formatLogLine(line)}\n`);
      if (!ready && line.includes(spec.readyText)) {
        ready = true;
        resolveReady({ spec, child, exited });
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    void exited.then((code) => {
      process.stdout.write(`[${spec.name}] exited with code ${code}\n`);
      if (!ready) {
        rejectReady(
          Object.assign(new Error(`${spec.name} exited (code ${code}) before it was ready`), {
            idTaken,
          }),
        );
      }
    });
  });
}

/** How long a broker start is retried while its old registration is still live. */
const ID_TAKEN_RETRY_MS_MAX = 60_000;
const ID_TAKEN_RETRY_DELAY_MS = 3_000;

/**
 * With fewer than three brokers the internal topics' defaults (replication factor 3 for
 * __consumer_offsets and __transaction_state) can never be met, so groups and transactions
 * would wait for a coordinator forever (COORDINATOR_NOT_AVAILABLE). Like Kafka's sample
 * config/server.properties for a one-broker development setup, lower them to what exists.
 */
function smallClusterOverrides(brokers: number): string[] {
  if (brokers >= 3) return [];
  return [
    `offsets.topic.replication.factor=${brokers}`,
    `transaction.state.log.replication.factor=${brokers}`,
    `transaction.state.log.min.isr=${Math.min(2, brokers)}`,
  ].flatMap((o) => ['--override', o]);
}

/**
 * After an unclean stop (a crash, a second Ctrl-C), the coordinator brings back the old
 * brokers' sessions and their ephemeral /brokers/ids/N until those sessions time out
 * (zookeeper.session.timeout.ms, 18 s by default). A broker refuses to start while its id
 * is registered by another session, as Kafka does; the launcher waits and tries again.
 */
async function startBrokerChild(spec: ChildSpec, isStopping: () => boolean): Promise<Running> {
  const deadline = Date.now() + ID_TAKEN_RETRY_MS_MAX;
  for (;;) {
    try {
      return await startChild(spec);
    } catch (err) {
      if (!(err as { idTaken?: boolean }).idTaken || Date.now() > deadline || isStopping())
        throw err;
      process.stdout.write(
        `[samsa] ${spec.name}: its registration from before an unclean stop is still ` +
          `live; trying again in ${ID_TAKEN_RETRY_DELAY_MS / 1000} s ` +
          '(it goes once that session times out)\n',
      );
      await new Promise((r) => setTimeout(r, ID_TAKEN_RETRY_DELAY_MS));
    }
  }
}

export async function startCluster(options: {
  dataDir: string;
  brokers: number;
  dashboardReadOnly?: boolean;
  /** kafkajs's test layout with TLS, SASL and ACLs (scripts/samsa/secure.ts). */
  secure?: boolean;
}): Promise<void> {
  const dataDir = resolve(options.dataDir);
  const secure = options.secure === true;
  const coordinatorPort = 2181;
  const adminPort = 8080;
  const brokerIndexes = Array.from({ length: options.brokers }, (_, i) => i);
  /** Each broker's plaintext port: 9092, 9093, ...; with --secure 9092, 9095, 9098 ... */
  const brokerPorts = brokerIndexes.map((i) => (secure ? securePorts(i).PLAINTEXT : 9092 + i));
  const securePortsOf = secure ? brokerIndexes.map(securePorts) : [];
  /** Broker admin (metrics) ports: 8091 + id - 1. */
  const brokerAdminPorts = brokerPorts.map((_, i) => 8091 + i);
  const dashboardPort = 9000;
  let dashboardUrl: string | undefined;
  for (const [what, port] of [
    ['coordinator', coordinatorPort],
    ['coordinator admin', adminPort],
    ['dashboard', dashboardPort],
    ...brokerPorts.map((p, i) => [`broker-${i + 1}`, p] as const),
    ...securePortsOf.flatMap((p, i) => [
      [`broker-${i + 1} SSL`, p.SSL] as const,
      [`broker-${i + 1} SASL_SSL`, p.SASL_SSL] as const,
    ]),
    ...brokerAdminPorts.map((p, i) => [`broker-${i + 1} admin`, p] as const),
  ] as const) {
    if (!(await portFree(port))) {
      throw new Error(
        `port ${port} (${what}) is already in use on 127.0.0.1${describePortOwner(port)}: ` +
          'stop whatever uses it (another `samsa start`?) and try again',
      );
    }
  }
  mkdirSync(dataDir, { recursive: true });
  const secureFiles = secure ? ensureSecureFiles(join(dataDir, 'secure')) : undefined;

  const running: Running[] = [];
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    if (stopping) {
      for (const r of running) r.child.kill('SIGKILL');
      return;
    }
    stopping = true;
    process.stdout.write('[samsa] stopping: brokers first, then the coordinator\n');
    const brokers = running.filter((r) => r.spec.name !== 'coordinator');
    for (const r of brokers) r.child.kill('SIGTERM');
    await Promise.all(brokers.map((r) => r.exited));
    for (const r of running.filter((r) => r.spec.name === 'coordinator')) {
      r.child.kill('SIGTERM');
      await r.exited;
    }
    // The children's last lines were copied to our stdout: let them reach a pipe (`npm start |
    // tee log`) before exiting.
    await exitAfterFlush(0);
  };
  process.on('SIGINT', () => void stopAll());
  process.on('SIGTERM', () => void stopAll());

  try {
    running.push(
      await startChild({
        name: 'coordinator',
        program: 'coordinator/cli',
        args: [
          'start',
          '--port',
          String(coordinatorPort),
          '--admin-port',
          String(adminPort),
          '--data-dir',
          join(dataDir, 'coordinator'),
        ],
        readyText: 'coordinator listening',
      }),
    );
    const coordinator = `127.0.0.1:${coordinatorPort}`;
    if (secure) {
      await createSecureScramUsers(coordinator);
      process.stdout.write('[samsa] SCRAM users created in /config/users\n');
    }
    const brokerArgs = (port: number, i: number): string[] => {
      const id = i + 1;
      const logDir = join(dataDir, `broker-${id}`);
      const where =
        secureFiles === undefined
          ? ['--id', String(id), '--port', String(port), '--coordinator', coordinator]
          : [
              '--config',
              writeSecureBrokerConfig(
                secureFiles,
                secureBrokerProperties({ id, index: i, coordinator, logDir, files: secureFiles }),
                id,
              ),
            ];
      return [
        'start',
        ...where,
        '--data-dir',
        logDir,
        '--admin-port',
        String(brokerAdminPorts[i]),
        ...smallClusterOverrides(options.brokers),
      ];
    };
    const brokers = await Promise.all(
      brokerPorts.map((port, i) =>
        startBrokerChild(
          {
            name: `broker-${i + 1}`,
            program: 'broker/cli',
            args: brokerArgs(port, i),
            readyText: 'broker listening',
          },
          () => stopping,
        ),
      ),
    );
    running.push(...brokers);
    // The dashboard is a client like any other: if it fails, the cluster runs on without it.
    const dashboardArgs = ['dashboard', '--coordinator', `127.0.0.1:${coordinatorPort}`];
    dashboardArgs.push('--port', String(dashboardPort), '--broker-admin-port-base', '8091');
    if (options.dashboardReadOnly === true) dashboardArgs.push('--read-only');
    if (secureFiles !== undefined) {
      const secureAdmin = SECURE_SCRAM_USERS.find((u) => u.user === SECURE_BROKER_USER)!;
      // Locked like the rest: HTTPS with the brokers' certificate (it names localhost and
      // 127.0.0.1) and a login.
      dashboardArgs.push('--https', '--ssl-keystore', secureFiles.keystore);
      dashboardArgs.push('--login', digestId(SECURE_DASHBOARD_LOGIN));
      // As User:admin (a super user, so ACLs hide nothing) over SASL_SSL with SCRAM-SHA-512.
      dashboardArgs.push(
        '--broker-security-protocol',
        'SASL_SSL',
        '--broker-tls-ca',
        secureFiles.ca,
      );
      dashboardArgs.push('--broker-sasl-mechanism', 'SCRAM-SHA-512');
      dashboardArgs.push('--broker-auth', `${SECURE_BROKER_USER}:${secureAdmin.sha512}`);
    }
    const dashboard = await startChild({
      name: 'dashboard',
      program: 'scripts/samsa',
      args: dashboardArgs,
      readyText: 'dashboard listening',
    }).catch(() => undefined);
    if (dashboard) {
      running.push(dashboard);
      dashboardUrl = `${secureFiles ? 'https' : 'http'}://127.0.0.1:${dashboardPort}/`;
      if (secureFiles !== undefined) {
        process.stdout.write(
          `[samsa] dashboard: log in as ${SECURE_DASHBOARD_LOGIN.replace(':', ' / ')}; ` +
            `its certificate is signed by ${secureFiles.ca}\n`,
        );
      }
    }
  } catch (err) {
    process.stdout.write(`[samsa] ${(err as Error).message}; stopping the rest\n`);
    await stopAll();
    return;
  }
  process.stdout.write(
    `[samsa] cluster up: bootstrap servers ${brokerPorts.map((p) => `127.0.0.1:${p}`).join(',')}` +
      ' (Ctrl-C stops it)\n',
  );
  process.stdout.write(
    banner({
      coordinatorPort,
      coordinatorAdminPort: adminPort,
      brokers: brokerPorts.map((port, i) => ({
        id: i + 1,
        port,
        adminPort: brokerAdminPorts[i]!,
      })),
      dashboardUrl,
      secure:
        secureFiles === undefined
          ? undefined
          : { ca: secureFiles.ca, configDir: secureFiles.dir, ports: securePortsOf },
    }) + '\n',
  );
}

if (isEntryPoint(import.meta.url)) {
  exitOnBrokenPipe();
  // exitOverride: commander throws instead of exiting, so its help text is flushed too.
  const program = new Command('samsa')
    .description('run a Samsa development cluster, and Kafka console tools for it')
    .exitOverride();
  program
    .command('start')
    .description('coordinator on 2181 (admin 8080) and brokers on 9092, 9093, 9094 (see --secure)')
    .option('--data-dir <dir>', 'where every process keeps its data', './data')
    .option('--brokers <n>', 'how many brokers', '3')
    .option('--dashboard-read-only', 'the dashboard on 9000 without actions', false)
    .option(
      '--secure',
      "kafkajs's test layout: PLAINTEXT 9092/9095/9098, SSL 9093/9096/9099, SASL_SSL " +
        '9094/9097/9100 (PLAIN, SCRAM), ACLs; certificates under <data-dir>/secure',
      false,
    )
    .action(
      async (o: {
        dataDir: string;
        brokers: string;
        dashboardReadOnly: boolean;
        secure: boolean;
      }) => {
        const brokers = Number(o.brokers);
        if (!Number.isInteger(brokers) || brokers < 1 || brokers > 9)
          throw new Error('--brokers must be 1..9');
        await startCluster({
          dataDir: o.dataDir,
          brokers,
          dashboardReadOnly: o.dashboardReadOnly,
          secure: o.secure,
        });
      },
    );
  program
    .command('dashboard')
    .description('the live dashboard, a client of the cluster (http://127.0.0.1:9000/)')
    .requiredOption('--coordinator <host:port>', 'the coordinator to watch')
    .option('--port <n>', 'HTTP port of the page', '9000')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--read-only', 'no actions: for shared screens', false)
    .option('--broker-admin-port-base <n>', "scrape broker N's /metrics on port n + N - 1")
    .option(
      '--broker-admin-port <id=port>',
      "scrape broker id's /metrics on port (repeatable; before the base)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--poll-interval <ms>', 'how often the brokers are polled', '2000')
    .option('--https', 'serve the page, its API and WebSocket over TLS only (https://, wss://)')
    .option('--ssl-keystore <file>', 'PEM file: the private key and certificate chain, for --https')
    .option('--ssl-key <file>', 'PEM file: the private key, for --https (with --ssl-cert)')
    .option('--ssl-cert <file>', 'PEM file: the certificate chain, for --https (with --ssl-key)')
    .option(
      '--login <user:digest>',
      'every request must log in as this user (HTTP Basic); the digest as ' +
        '`npx coordinator digest user:password` prints it',
    )
    .option('--tls', "connect to the coordinator's secure client port (TLS)")
    .option(
      '--tls-ca <file>',
      "PEM: CAs to trust for the coordinator's certificate (implies --tls)",
    )
    .option('--tls-cert <file>', 'PEM: a client certificate for the coordinator (with --tls-key)')
    .option('--tls-key <file>', "PEM: the client certificate's private key")
    .option(
      '--auth <user:password>',
      'authenticate to the coordinator with the digest scheme first',
    )
    .option(
      '--broker-security-protocol <protocol>',
      "the brokers' listener: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (security.protocol)",
      'PLAINTEXT',
    )
    .option('--broker-tls-ca <file>', "PEM: CAs to trust for the brokers' certificates")
    .option('--broker-tls-cert <file>', 'PEM: a client certificate for the brokers (mutual TLS)')
    .option('--broker-tls-key <file>', "PEM: that certificate's private key")
    .option(
      '--broker-sasl-mechanism <name>',
      'SASL_PLAINTEXT, SASL_SSL: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (default PLAIN)',
    )
    .option('--broker-auth <user:password>', 'SASL_PLAINTEXT, SASL_SSL: the SASL login')
    .action(async (o: Record<string, string | string[] | boolean | undefined>) => {
      const { runDashboard, parseBrokerAdminPorts, resolveDashboardSecurity } = await import(
        '../src/dashboard/main.js'
      );
      const base = o.brokerAdminPortBase === undefined ? null : Number(o.brokerAdminPortBase);
      const pollIntervalMs = Number(o.pollInterval);
      if (!Number.isInteger(pollIntervalMs) || pollIntervalMs < 100)
        throw new Error(`--poll-interval ${String(o.pollInterval)}: an integer of 100 ms or more`);
      await runDashboard({
        coordinator: String(o.coordinator),
        host: String(o.host),
        port: Number(o.port),
        readOnly: o.readOnly === true,
        brokerAdminPortBase: base,
        brokerAdminPorts: parseBrokerAdminPorts(o.brokerAdminPort as string[]),
        pollIntervalMs,
        ...resolveDashboardSecurity(o as DashboardSecurityFlags),
      });
    });
  registerProduce(program);
  registerConsume(program);
  registerTopics(program);
  registerBench(program);
  program.parseAsync(process.argv).catch((err: unknown) => {
    // commander has printed its own message (or the help text, with exit code 0).
    if (err instanceof CommanderError) return exitAfterFlush(err.exitCode === 0 ? 0 : 1);
    process.stderr.write(`samsa: ${describeError(err)}\n`);
    return exitAfterFlush(1);
  });
}
