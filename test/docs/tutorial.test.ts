/**
 * The tutorial (docs/tutorial/README.md), run from the page itself so that it cannot rot: every
 * `sh` block, in order, on a fresh three-broker cluster of real daemons, with the programs the
 * page runs (docs/tutorial/*.mjs) as child processes.
 *
 * The page is written for `npm start` (coordinator on 2181, brokers on 9092-9094). Here the
 * cluster is on free ports, so each command is carried out the way the page says it can be
 * pointed elsewhere: the programs get KAFKA_BOOTSTRAP, the `coordinator` commands `--server`.
 * Each line is one of a few kinds the interpreter below knows; an unknown line fails the test,
 * so a command added to the page must be taught here (and so is run) first:
 *
 *   npm install, npm start                 the cluster this test started stands in for them
 *   npx coordinator ARGS                   run in-process with --server <the cluster>
 *   node docs/tutorial/X.mjs ARGS [&]      a child process; with &, in the background
 *   kill -9 $(lsof -t -iTCP:PORT ...)      kill -9 of the broker npm start puts on PORT
 *   wait $!                                the last background program exits with 0
 *   npx broker start --id N ... [&]        broker N again, on its port and data directory
 *
 * What a reader would wait for by looking, the test waits for as events: `groups describe`
 * runs once the group has as many members as the page has started and each has partitions;
 * the kill comes once orders are flowing; a count runs once every order placed so far is
 * confirmed and every group has consumed everything. Then the checks the page promises:
 * every order placed gets exactly one confirmation (counted by order id, by a reader of the
 * test's own), also across the kill -9; the second member of payment-service gets partitions.
 *
 * The dashboard: as `npm start` does, the test runs `samsa dashboard` (with the brokers' admin
 * ports, so the byte charts show) and keeps it open in headless chromium (test/helpers/
 * browser.ts) while the page's commands run. After the commands the page pairs with a picture
 * of the dashboard, it checks that the dashboard shows what the page says there (`Screen`
 * below): the four topics with a leader and a full ISR per partition; the three services'
 * groups, Stable, with their lag and the orders counted in the throughput table; broker 2 red
 * and every partition it led on another leader, with the events that say so; broker 2 back and
 * in the ISRs again. It saves a screenshot of each (SAMSA_SCREENSHOTS=docs/images keeps them
 * for the page). Without chromium (and not under CI) only the dashboard checks are skipped.
 */
import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Consumer } from 'kafkajs';
import {
  cli,
  kafka,
  kill9,
  partitionState,
  restart,
  startBroker,
  startCluster,
  waitFor,
  waitForLeaders,
  type Broker,
  type Cluster,
} from '../helpers/cluster.js';
import { haveChromium, openBrowser, type Browser } from '../helpers/browser.js';
import { freePort, ROOT, spawnDaemon } from '../helpers/processes.js';

const README = 'docs/tutorial/README.md';
const TOPICS = ['orders', 'payments', 'inventory', 'order-confirmations'];
/** The group each service program joins (the page starts them by file name). */
const GROUP_OF: Record<string, string> = {
  'payment.mjs': 'payment-service',
  'inventory.mjs': 'inventory-service',
  'confirmation.mjs': 'confirmation-service',
};
/** `npm start` puts broker N on 9092 + N - 1. */
const NPM_START_FIRST_PORT = 9092;

/** The shell commands of the page's `sh` blocks, continuations joined, comments dropped. */
export function shellCommands(markdown: string): string[] {
  const commands: string[] = [];
  for (const [, body] of markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    const joined = body!.replace(/\\\n\s*/g, '');
    for (const line of joined.split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command !== '') commands.push(command);
    }
  }
  return commands;
}

/** The page's `js` blocks: each must be an excerpt, verbatim, of one of the programs. */
function jsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map(([, body]) => body!);
}

interface Program {
  file: string;
  child: ChildProcess;
  /** Everything it printed (its records to stdout, kafkajs's log to stderr). */
  output(): string;
  exited: Promise<number | null>;
}

interface Run {
  cluster: Cluster;
  programs: Program[];
  /** The last program started in the background (`$!`). */
  lastBackground?: Program;
  dead: Map<number, Broker>;
  /** Each group as it was when the page described it (`groups describe`). */
  described: Map<string, GroupJson>;
  /** When the test started, for the log's timestamps. */
  startedMs: number;
  /** Every `coordinator` command's output, by command. */
  outputs: { command: string; stdout: string }[];
  /**
   * The key of every record of order-confirmations, by position (`partition@offset`). By
   * position, because the test's reader is a consumer group too, and at least once: after a
   * rebalance it is handed records it has seen before.
   */
  confirmations: Map<string, string>;
  /** Each broker's admin (metrics) port, kept across its restart. */
  adminPorts: Map<number, number>;
  /** The dashboard in a browser; undefined without chromium. */
  screen?: Screen;
}

function startProgram(t: Test, run: Run, file: string, args: string[]): Program {
  const child = spawn(process.execPath, [join(ROOT, file), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Broker 1 only, as the page's default (127.0.0.1:9092) is broker 1 of npm start.
    env: { ...process.env, KAFKA_BOOTSTRAP: `127.0.0.1:${run.cluster.brokers.get(1)!.port}` },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const program = { file, child, output: () => output, exited };
  run.programs.push(program);
  return program;
}

/** The first and last lines of a program's output, for the test's log. */
function excerpt(output: string): string {
  const lines = output.trimEnd().split('\n');
  if (lines.length <= 8) return lines.join('\n');
  return [...lines.slice(0, 4), '...', ...lines.slice(-2)].join('\n');
}

/** Order ids the checkouts have printed as placed (acknowledged by acks=all). */
function placedOrders(run: Run): string[] {
  return run.programs
    .filter((p) => p.file.endsWith('checkout.mjs'))
    .flatMap((p) => [...p.output().matchAll(/^placed (\S+)$/gm)].map(([, id]) => id!));
}

interface GroupJson {
  state: string;
  members: { memberId: string; assignment: { topic: string; partitions: number[] }[] }[];
  partitions: { topic: string; partition: number; lag: number | undefined }[];
}

async function describeGroup(run: Run, group: string): Promise<GroupJson> {
  const { stdout } = await cli(run.cluster, ['groups', 'describe', group, '--json']);
  return JSON.parse(stdout) as GroupJson;
}

/** How many members of `group` the page has started and not stopped. */
function membersStarted(run: Run, group: string): number {
  return run.programs.filter((p) => {
    const file = p.file.split('/').pop()!;
    return GROUP_OF[file] === group && p.child.exitCode === null && p.child.signalCode === null;
  }).length;
}

/** Until `group` is Stable with every started member in it, each owning a partition. */
function waitForMembers(run: Run, group: string): Promise<GroupJson> {
  const expected = membersStarted(run, group);
  return waitFor(`${group} to be Stable with ${expected} members`, async () => {
    const d = await describeGroup(run, group);
    const everyOneWorks = d.members.every((m) => m.assignment.some((a) => a.partitions.length));
    return d.state === 'Stable' && d.members.length === expected && everyOneWorks && d;
  });
}

/** Until every placed order is confirmed and every service group has no lag left. */
async function waitForDrained(t: Test, run: Run): Promise<void> {
  // What is still awaited, logged when it changes: the test's log then tells where time went.
  let waitingFor = '';
  const waiting = (what: string): false => {
    if (what !== waitingFor) t.comment(`[${elapsed(run)}] waiting for ${what}`);
    waitingFor = what;
    return false;
  };
  await waitFor(
    'every placed order to be confirmed and every group to have caught up',
    async () => {
      const confirmed = new Set(run.confirmations.values());
      const missing = placedOrders(run).filter((id) => !confirmed.has(id)).length;
      if (missing > 0) return waiting(`confirmations (some missing)`);
      for (const group of Object.values(GROUP_OF)) {
        const d = await describeGroup(run, group);
        if (d.partitions.length === 0 || d.partitions.some((p) => p.lag !== 0)) {
          return waiting(`${group} to catch up (${d.state}, ${d.members.length} members)`);
        }
      }
      return true;
    },
  );
}

function elapsed(run: Run): string {
  return `${((Date.now() - run.startedMs) / 1000).toFixed(1)} s`;
}

async function runCommand(t: Test, run: Run, command: string): Promise<void> {
  t.comment(`[${elapsed(run)}] ${command}`);
  const words = command.split(/\s+/);
  const background = words.at(-1) === '&';
  if (background) words.pop();
  if (words[0] === 'npm' && ['install', 'start'].includes(words[1]!)) return;

  if (words[0] === 'npx' && words[1] === 'coordinator') {
    const args = words.slice(2);
    if (args[0] === 'groups' && args[1] === 'describe') {
      run.described.set(args[2]!, await waitForMembers(run, args[2]!));
    }
    if (args[0] === 'topics' && args[1] === 'create') {
      const { stdout } = await cli(run.cluster, args);
      run.outputs.push({ command, stdout });
      const partitions = Number(args[args.indexOf('--partitions') + 1]);
      await waitForLeaders(run.cluster, args[2]!, partitions);
      return;
    }
    const { stdout } = await cli(run.cluster, args);
    run.outputs.push({ command, stdout });
    t.comment(stdout);
    return;
  }

  const program = /^node (docs\/tutorial\/[a-z-]+\.mjs)$/.exec(words.slice(0, 2).join(' '));
  if (program) {
    // A count is read once the services have caught up, as the page says.
    if (program[1]!.endsWith('count.mjs')) await waitForDrained(t, run);
    const started = startProgram(t, run, program[1]!, words.slice(2));
    if (background) {
      run.lastBackground = started;
      return;
    }
    t.equal(await started.exited, 0, `${command} exits with 0`);
    t.comment(excerpt(started.output()));
    return;
  }

  const kill = /^kill -9 \$\(lsof -t -iTCP:(\d+) -sTCP:LISTEN\)$/.exec(command);
  if (kill) {
    const id = Number(kill[1]) - NPM_START_FIRST_PORT + 1;
    // "While they are being placed": once the checkout in the background is under way.
    const checkout = run.lastBackground;
    const placedByIt = () => (checkout?.output().match(/^placed /gm) ?? []).length;
    await waitFor('orders to be flowing', async () => placedByIt() >= 20);
    run.dead.set(id, await kill9(run.cluster, id));
    t.comment(`broker ${id} killed with SIGKILL after ${placedByIt()} orders of the checkout`);
    return;
  }

  if (command === 'wait $!') {
    t.ok(run.lastBackground, 'a program runs in the background');
    t.equal(await run.lastBackground!.exited, 0, `${run.lastBackground!.file} exits with 0`);
    return;
  }

  if (words[0] === 'npx' && words[1] === 'broker' && words[2] === 'start') {
    const id = Number(words[words.indexOf('--id') + 1]);
    const broker = run.dead.get(id);
    t.ok(broker, `broker ${id} is the one killed`);
    await restart(t, run.cluster, broker!, {
      overrides: [`admin.port=${run.adminPorts.get(id)!}`],
    });
    run.dead.delete(id);
    for (const topic of TOPICS) await waitForLeaders(run.cluster, topic, 3, 3);
    const isrs = await Promise.all(
      TOPICS.flatMap((topic) => [0, 1, 2].map((p) => partitionState(run.cluster, topic, p))),
    );
    t.ok(
      isrs.every((state) => state.isr.includes(id)),
      `broker ${id} is back in the ISR of every partition`,
    );
    return;
  }
  t.fail(`the test does not know how to run this line of ${README}: ${command}`);
}

/**
 * The dashboard as a reader of the page sees it, at the moments the page shows a picture of
 * it. Each check waits for the page to show the state (the dashboard pushes changes over its
 * WebSocket, groups and rates every poll), then asserts it and takes a screenshot.
 */
class Screen {
  readonly #browser: Browser;
  /** Partitions the killed broker led just before the kill. */
  #ledByVictim: string[] = [];
  #victim = -1;

  constructor(browser: Browser) {
    this.#browser = browser;
  }

  get #page() {
    return this.#browser.page;
  }

  async #tab(name: string): Promise<void> {
    await this.#page.click(`[data-tab="${name}"]`);
  }

  /** Step 2: the four topics, each partition with a leader and all three replicas in sync. */
  async topics(t: Test): Promise<void> {
    await this.#tab('cluster');
    const shown = await this.#page.waitForFunction(
      (topics) =>
        document.querySelectorAll('.broker.alive').length === 3 &&
        document.querySelectorAll('.broker.controller').length === 1 &&
        topics.every(
          (topic) =>
            document.querySelectorAll(`tr.partition.health-ok[data-partition^="${topic}-"]`)
              .length === 3,
        ),
      TOPICS,
      { timeout: 30_000 },
    );
    t.equal(await shown.jsonValue(), true, 'the dashboard: 3 brokers up, 4 topics, healthy');
    const isrs = await this.#page.$$eval('tr.partition[data-partition^="orders-"]', (rows) =>
      rows.map((r) => r.querySelectorAll('td.mono')[1]?.textContent?.split(',').length),
    );
    t.same(isrs, [3, 3, 3], 'each partition of orders shows three in-sync replicas');
    for (const kind of ['broker-registered', 'controller-elected']) {
      t.ok(await this.#page.locator(`.event[data-kind="${kind}"]`).count(), `a ${kind} event`);
    }
    const created = await this.#page.locator('.event[data-kind="topic-created"]').count();
    t.ok(created >= 4, `the events list the topics created (${created})`);
    await this.#browser.shot('tutorial-topics');
  }

  /** Step 4: the three services' groups, Stable, with lag per partition; orders counted. */
  async groups(t: Test, orders: number): Promise<void> {
    await this.#tab('groups');
    const groups = Object.values(GROUP_OF);
    const shown = await this.#page.waitForFunction(
      (groups) =>
        groups.every(
          (g) =>
            document.querySelector(`.group[data-group="${g}"] .pill.state-Stable`) !== null &&
            document.querySelectorAll(`.group[data-group="${g}"] tbody tr`).length >= 3,
        ),
      groups,
      { timeout: 30_000 },
    );
    t.equal(await shown.jsonValue(), true, 'the dashboard: the three groups, Stable, with lag');
    const order = await this.#page.$$eval('.group', (cards) =>
      cards.map((c) => (c as HTMLElement).dataset.group!),
    );
    t.same(order, [...order].sort(), `groups listed by id: ${order.join(', ')}`);
    await this.#browser.shot('tutorial-groups');
    await this.#tab('cluster');
    const counted = await this.#page.waitForFunction(
      (orders) =>
        document.querySelector('tr[data-totals="topic:orders"] td[data-figure="messages"]')
          ?.textContent === String(orders) &&
        document.querySelector('.chart[data-chart="topic-bytes-in"]') !== null,
      orders,
      { timeout: 30_000 },
    );
    t.equal(await counted.jsonValue(), true, `the throughput table counts ${orders} orders`);
  }

  /** Step 6, just before the kill: what the victim leads, as the page shows it. */
  async beforeKill(victim: number): Promise<void> {
    this.#victim = victim;
    await this.#tab('cluster');
    this.#ledByVictim = await this.#page.$$eval(`tr[data-leader="${victim}"]`, (rows) =>
      rows.map((r) => (r as HTMLElement).dataset.partition!),
    );
  }

  /** Step 6: the killed broker red, its partitions on other leaders, the events. */
  async failover(t: Test): Promise<void> {
    const victim = this.#victim;
    t.ok(
      this.#ledByVictim.length > 0,
      `broker ${victim} led ${this.#ledByVictim.length} partitions`,
    );
    const shown = await this.#page.waitForFunction(
      ({ led, victim }) =>
        document.querySelector(`.broker.dead[data-broker="${victim}"]`) !== null &&
        led.every((key) => {
          const row = document.querySelector(`tr[data-partition="${key}"]`) as HTMLElement | null;
          const leader = Number(row?.dataset.leader);
          return leader > 0 && leader !== victim;
        }) &&
        ['broker-lost', 'leader-changed', 'isr-shrank'].every(
          (kind) => document.querySelector(`.event[data-kind="${kind}"]`) !== null,
        ),
      { led: this.#ledByVictim, victim },
      { timeout: 60_000 },
    );
    t.equal(
      await shown.jsonValue(),
      true,
      `the dashboard: broker ${victim} red, its partitions led by others, the events listed`,
    );
    const under = await this.#page.locator('tr.partition.health-under-replicated').count();
    t.ok(under > 0, `partitions shown under-replicated (${under})`);
    await this.#browser.shot('tutorial-failover');
  }

  /** Step 6, broker back: up again, in every ISR; leadership stays where it moved. */
  async recovered(t: Test): Promise<void> {
    const victim = this.#victim;
    const shown = await this.#page.waitForFunction(
      ({ topics, victim }) =>
        document.querySelector(`.broker.alive[data-broker="${victim}"]`) !== null &&
        document.querySelector('.event[data-kind="isr-expanded"]') !== null &&
        topics.every(
          (topic) =>
            document.querySelectorAll(`tr.partition.health-ok[data-partition^="${topic}-"]`)
              .length === 3,
        ),
      { topics: TOPICS, victim },
      { timeout: 60_000 },
    );
    t.equal(await shown.jsonValue(), true, `the dashboard: broker ${victim} up, ISRs full again`);
    const leaders = await this.#page.$$eval(`tr[data-leader="${victim}"]`, (rows) =>
      rows.map((r) => (r as HTMLElement).dataset.partition!),
    );
    t.same(leaders, [], `broker ${victim} leads nothing: leadership stays where it moved`);
    await this.#browser.shot('tutorial-recovered');
  }

  errors(): string[] {
    return this.#browser.pageErrors;
  }
}

/** The checks of `Screen` that belong after `command` (and before, for the kill). */
async function checkScreen(t: Test, run: Run, command: string, when: 'before' | 'after') {
  const screen = run.screen;
  if (screen === undefined) return;
  const kill = /^kill -9 \$\(lsof -t -iTCP:(\d+) /.exec(command);
  if (when === 'before') {
    if (kill) await screen.beforeKill(Number(kill[1]) - NPM_START_FIRST_PORT + 1);
    return;
  }
  if (command === 'npx coordinator topics describe orders') await screen.topics(t);
  if (command === 'npx coordinator groups describe confirmation-service') {
    await screen.groups(t, placedOrders(run).length);
  }
  if (command === 'npx coordinator cluster describe') await screen.failover(t);
  if (command.startsWith('npx broker start')) await screen.recovered(t);
}

/** A reader of order-confirmations of the test's own: every key it sees, repeats included. */
async function readConfirmations(t: Test, run: Run): Promise<Consumer> {
  const consumer = kafka(run.cluster).consumer({ groupId: 'tutorial-test-reader' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'order-confirmations', fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      run.confirmations.set(`${partition}@${message.offset}`, String(message.key));
    },
  });
  return consumer;
}

/** Until the test's reader has read order-confirmations to its end. */
async function waitForReader(run: Run): Promise<void> {
  const admin = kafka(run.cluster).admin();
  await admin.connect();
  try {
    await waitFor('the reader to reach the end of order-confirmations', async () => {
      const offsets = await admin.fetchTopicOffsets('order-confirmations');
      const records = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
      return run.confirmations.size === records;
    });
  } finally {
    await admin.disconnect();
  }
}

/** Orders confirmed other than once, by order id (none: the page's promise). */
function notConfirmedOnce(run: Run): Record<string, number> {
  const counts = new Map<string, number>(placedOrders(run).map((id) => [id, 0]));
  for (const id of run.confirmations.values()) counts.set(id, (counts.get(id) ?? 0) + 1);
  return Object.fromEntries([...counts].filter(([, n]) => n !== 1));
}

// Usually under a minute; on a loaded machine kafkajs clients have been seen to keep retrying
// the killed broker for 20-40 s after its partitions moved (see the kafkajs error summary in
// the log), so the file gets more than tap's default 120 s.
t.setTimeout(240_000);

const markdown = readFileSync(join(ROOT, README), 'utf8');

t.test('every js block of the page is an excerpt of a tutorial program', async (t) => {
  const programs = ['payment', 'inventory', 'confirmation', 'checkout', 'kafka', 'count'].map(
    (name) => readFileSync(join(ROOT, 'docs/tutorial', `${name}.mjs`), 'utf8'),
  );
  const blocks = jsBlocks(markdown);
  t.ok(blocks.length > 0, 'the page shows code');
  for (const block of blocks) {
    t.ok(
      programs.some((p) => p.includes(block)),
      `found verbatim: ${block.split('\n')[0]}`,
    );
  }
});

t.test('every repository path the page names in backticks exists', async (t) => {
  const paths = [...markdown.matchAll(/`((?:docs|test|src|scripts)\/[A-Za-z0-9_./-]+)`/g)];
  t.ok(paths.length >= 6, `${paths.length} paths named`);
  for (const [, path] of paths) t.ok(existsSync(join(ROOT, path!)), `${path} exists`);
});

t.test('the tutorial, run from its page, confirms every order once', async (t) => {
  const commands = shellCommands(markdown);
  t.ok(commands.length >= 15, `${commands.length} commands on the page`);
  const startedMs = Date.now();
  const cluster = await startCluster(t, { brokers: [] });
  const adminPorts = new Map<number, number>();
  for (const id of [1, 2, 3]) {
    adminPorts.set(id, await freePort());
    await startBroker(t, cluster, id, { overrides: [`admin.port=${adminPorts.get(id)!}`] });
  }
  const run: Run = {
    startedMs,
    described: new Map(),
    cluster,
    programs: [],
    dead: new Map(),
    outputs: [],
    confirmations: new Map(),
    adminPorts,
  };
  if (haveChromium) {
    // npm start's dashboard, with the brokers' admin ports as npm start passes them.
    const port = await freePort();
    const args = ['dashboard', '--coordinator', cluster.connect, '--port', String(port)];
    for (const [id, p] of adminPorts) args.push('--broker-admin-port', `${id}=${p}`);
    const dashboard = await spawnDaemon('scripts/samsa.ts', args, 'dashboard listening');
    t.teardown(() => dashboard.kill('SIGKILL'));
    const browser = await openBrowser(t);
    await browser.page.goto(`http://127.0.0.1:${port}/`);
    run.screen = new Screen(browser);
  } else {
    t.comment('no chromium: the dashboard checks are skipped');
  }
  let reading = false;
  for (const command of commands) {
    // The topics exist once the page's creates have run: the test's reader can start.
    if (!reading && command.startsWith('node ')) {
      await readConfirmations(t, run);
      reading = true;
    }
    await checkScreen(t, run, command, 'before');
    await runCommand(t, run, command);
    await checkScreen(t, run, command, 'after');
  }
  if (run.screen) t.same(run.screen.errors(), [], 'no errors in the dashboard page');

  // What the services went through (kafkajs's error log), for whoever reads the test's log.
  for (const program of run.programs.filter((p) => GROUP_OF[p.file.split('/').pop()!])) {
    const errors = program
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => {
        const { timestamp, message, error } = JSON.parse(line) as Record<string, string>;
        return `${timestamp?.slice(11, 23)} ${message}${error ? `: ${error}` : ''}`;
      });
    t.comment(
      `${program.file}: ${errors.length} kafkajs errors\n${errors.slice(0, 12).join('\n')}`,
    );
  }

  const placed = placedOrders(run);
  t.equal(placed.length, 120, 'both checkouts placed all their orders (20 + 100)');
  t.equal(run.dead.size, 0, 'the killed broker is back');
  await waitForDrained(t, run);
  await waitForReader(run);
  t.same(notConfirmedOnce(run), {}, `each of ${placed.length} orders confirmed exactly once`);

  const described = run.outputs.filter((o) =>
    o.command.startsWith('npx coordinator groups describe payment-service'),
  );
  t.equal(described.length, 1, 'the page describes payment-service once, after scaling');
  const owners = new Set(described[0]?.stdout.match(/payment-service-[0-9a-f-]{36}/g));
  t.equal(owners.size, 2, 'its output shows both members owning partitions of orders');
  const payment = run.described.get('payment-service');
  t.equal(payment?.members.length, 2, 'payment-service had two members when described');
  for (const member of payment?.members ?? []) {
    const owned = member.assignment.flatMap((a) => a.partitions);
    t.ok(owned.length >= 1, `${member.memberId} owned partitions ${owned.join(', ')}`);
  }

  const counts = run.programs.filter((p) => p.file.endsWith('count.mjs')).map((p) => p.output());
  t.equal(counts.length, 2, 'the page counts twice');
  t.match(counts[1], /^order-confirmations: 120 records, 120 orders$/m, 'count.mjs agrees');
  t.match(counts[1], /^orders: 120 records, 120 orders$/m, 'orders: once each');

  const configs = run.outputs.find((o) => /configs .*--describe/.test(o.command));
  t.match(configs?.stdout, /retention\.ms=604800000/, 'the archive keeps orders for 7 days');
});
