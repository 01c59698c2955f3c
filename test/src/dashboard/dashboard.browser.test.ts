/**
 * The dashboard in a real headless browser (Debian's chromium driven by playwright-core),
 * against a real coordinator and three broker processes:
 *
 *   1. the page shows three brokers; a topic created from the page appears with its leaders
 *   2. a kafkajs group consumes, stops, more is produced: the group and its lag show up
 *   3. a broker killed with SIGKILL turns red and its partitions get a new leader on screen
 *   4. restarted, it rejoins the ISR; a reassignment started from the page completes
 *   5. the znode browser shows a broker's ephemeral registration and the broker owning it
 *
 * A screenshot of each state is written to the test's directory (SAMSA_SCREENSHOTS=dir writes
 * them there instead; docs/images/ holds the ones the guide uses). Under CI=true a missing
 * chromium fails the test instead of skipping it.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { haveChromium, openBrowser } from '../../helpers/browser.js';
import { freePort, spawnDaemon } from '../../helpers/processes.js';
import {
  kill9,
  partitionState,
  restart,
  startCluster,
  waitFor,
  cli,
} from '../../helpers/replication-cluster.js';

// A cluster, a browser, a failover and a reassignment: more than tap's default 120 s on a
// loaded machine.
t.setTimeout(300_000);

t.test(
  'the dashboard follows the cluster live',
  { skip: !haveChromium && 'no chromium' },
  async (t) => {
    const cluster = await startCluster(t, []);
    const port = await freePort();
    const dashboard = await spawnDaemon(
      'scripts/samsa.ts',
      ['dashboard', '--coordinator', cluster.connect, '--port', String(port)],
      'dashboard listening',
    );
    t.teardown(() => dashboard.kill('SIGKILL'));

    const { page, pageErrors, shot } = await openBrowser(t);
    await page.goto(`http://127.0.0.1:${port}/`);

    // 1. Three brokers, then a topic created through the page's dialog.
    await page.waitForFunction(() => document.querySelectorAll('.broker.alive').length === 3);
    t.equal(await page.locator('.broker').count(), 3, 'three broker boxes');
    t.equal(await page.locator('.broker.controller').count(), 1, 'one of them is the controller');
    await page.click('#create-topic');
    await page.fill('#f-topic', 'orders');
    await page.fill('#f-partitions', '3');
    await page.fill('#f-rf', '2');
    await page.fill('#f-config', 'min.insync.replicas=2');
    await page.click('#dialog-confirm');
    const shown1 = await page.waitForFunction(
      () =>
        document.querySelectorAll('tr[data-partition^="orders-"]').length === 3 &&
        [...document.querySelectorAll('tr[data-partition^="orders-"]')].every(
          (row) => Number((row as HTMLElement).dataset.leader) > 0,
        ),
    );
    t.equal(
      await shown1.jsonValue(),
      true,
      'the created topic shows with a leader for each partition',
    );
    await page.waitForSelector('.event[data-kind="topic-created"]');

    // 2. A consumer group with lag (kafkajs, the way an application would).
    const kafka = new Kafka({
      brokers: [...cluster.brokers.values()].map((b) => `127.0.0.1:${b.port}`),
      clientId: 'dashboard-test',
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const produce = async (n: number) => {
      for (let batch = 0; batch < n / 50; batch++) {
        // acks=all: the test kills a leader later and then counts every record (acks=1
        // records a follower had not fetched yet are lost with it, as in Kafka).
        await producer.send({
          topic: 'orders',
          acks: -1,
          messages: Array.from({ length: 50 }, (_, i) => ({
            key: `order-${batch * 50 + i}`,
            value: JSON.stringify({ amount: i }),
          })),
        });
      }
    };
    await produce(300);
    const consumer = kafka.consumer({ groupId: 'billing', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    let consumed = 0;
    await consumer.run({ eachMessage: async () => void consumed++ });
    await waitFor('billing to consume', async () => consumed >= 300 || undefined);
    await page.click('[data-tab="groups"]');
    await page.waitForSelector('.group[data-group="billing"] .pill.state-Stable', {
      timeout: 30_000,
    });
    await consumer.disconnect();
    await produce(200);
    const shown2 = await page.waitForFunction(
      () =>
        document.querySelector('.group[data-group="billing"] .pill.state-Empty') !== null &&
        document.querySelector('.group[data-group="billing"] td.lag') !== null &&
        document.querySelector('.group[data-group="billing"] .chart') !== null,
      undefined,
      { timeout: 30_000 },
    );
    t.equal(await shown2.jsonValue(), true, 'the group shows Empty with its lag and a lag chart');
    await shot('groups');
    await producer.disconnect();

    // 3. SIGKILL the leader of orders-0: its box turns red, its partitions get new leaders.
    await page.click('[data-tab="cluster"]');
    const victim = (await partitionState(cluster, 'orders', 0)).leader;
    const led = await page.$$eval(`tr[data-leader="${victim}"]`, (rows) =>
      rows.map((r) => (r as HTMLElement).dataset.partition!),
    );
    await shot('cluster');
    const killed = cluster.brokers.get(victim)!;
    await kill9(cluster, victim);
    await page.waitForSelector(`.broker.dead[data-broker="${victim}"]`, { timeout: 30_000 });
    const shown3 = await page.waitForFunction(
      ({ led, victim }) =>
        led.every((key) => {
          const row = document.querySelector(`tr[data-partition="${key}"]`) as HTMLElement | null;
          const leader = Number(row?.dataset.leader);
          return leader > 0 && leader !== victim;
        }),
      { led, victim },
      { timeout: 30_000 },
    );
    t.equal(
      await shown3.jsonValue(),
      true,
      `broker ${victim} is red and its ${led.length} partitions have other leaders`,
    );
    await page.waitForSelector('.event[data-kind="broker-lost"]');
    await page.waitForSelector('.event[data-kind="leader-changed"]');
    await shot('failover');

    // 4. Back again, the broker rejoins the ISR; then move orders-0 with the reassignment screen.
    await restart(t, cluster, killed);
    await page.waitForSelector(`.broker.alive[data-broker="${victim}"]`, { timeout: 30_000 });
    await page.waitForSelector('.event[data-kind="isr-expanded"]', { timeout: 60_000 });
    const before = await partitionState(cluster, 'orders', 0);
    const { stdout } = await cli(cluster, ['get', '/brokers/topics/orders']);
    const replicas: number[] = JSON.parse(stdout.slice(stdout.indexOf('{'))).partitions['0'];
    const outsider = [1, 2, 3].find((b) => !replicas.includes(b))!;
    const target = [outsider, replicas[0]!];
    t.ok(before.isr.length >= 1, 'orders-0 has an ISR before the move');
    await page.click('[data-tab="reassign"]');
    await page.selectOption('#reassign-topic', 'orders');
    await page.fill('.replicas-input[data-partition="0"]', target.join(','));
    const plan = JSON.parse((await page.textContent('#reassign-plan'))!);
    t.same(
      plan.partitions,
      [{ topic: 'orders', partition: 0, replicas: target, log_dirs: ['any', 'any'] }],
      "the plan is Kafka's reassignment JSON",
    );
    await page.click('#reassign-execute');
    await shot('reassign-confirm');
    await page.click('#dialog-confirm');
    await page.waitForSelector('.event[data-kind="reassignment-started"]', { timeout: 30_000 });
    await page.waitForSelector('.event[data-kind="reassignment-completed"]', { timeout: 60_000 });
    await page.click('[data-tab="cluster"]');
    const shown4 = await page.waitForFunction(
      (target) => {
        const row = document.querySelector('tr[data-partition="orders-0"]');
        return row?.querySelector('td.mono')?.textContent === `[${target.join(',')}]`;
      },
      target,
      { timeout: 30_000 },
    );
    t.equal(
      await shown4.jsonValue(),
      true,
      `orders-0 was moved to ${target.join(',')} from the page`,
    );
    await shot('after-reassignment');

    // The other actions, through the same API the page's dialogs post to.
    const api = `http://127.0.0.1:${port}/api`;
    const act = async (name: string, body: unknown) => {
      const response = await fetch(`${api}/action/${name}`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
      return (await response.json()) as { ok: boolean; message: string };
    };
    const state = async () => (await (await fetch(`${api}/state`)).json()) as any;
    const config = await act('alter-topic-config', {
      topic: 'orders',
      config: { 'min.insync.replicas': '1', 'retention.ms': '86400000' },
    });
    t.ok(config.ok, config.message);
    t.match(config.message, /\/config\/changes\/config_change_\d{10}/, 'a change notification');
    const added = await act('add-partitions', { topic: 'orders', totalPartitions: 4 });
    t.ok(added.ok, added.message);
    await page.waitForSelector('tr[data-partition="orders-3"]', { timeout: 30_000 });
    const orders = (await state()).view.topics.find((x: any) => x.name === 'orders');
    t.same(orders.config, { 'min.insync.replicas': '1', 'retention.ms': '86400000' });
    const election = await act('preferred-election', {});
    t.ok(election.ok, election.message);
    await waitFor('the controller to run the elections', async () =>
      (await state()).view.preferredElectionPending.length === 0 ? true : undefined,
    );
    const reset = await act('reset-offsets', {
      groupId: 'billing',
      topic: 'orders',
      spec: { kind: 'earliest' },
    });
    t.ok(reset.ok, reset.message);
    let billing: any;
    await waitFor('the reset to show as lag', async () => {
      billing = (await state()).groups.find((g: any) => g.groupId === 'billing');
      return billing?.totalLag === 500;
    }).catch(() => undefined);
    t.equal(billing?.totalLag, 500, 'everything is to be read again', { billing });

    // 5. The znode browser: a broker's registration is an ephemeral owned by its session.
    await page.click('[data-tab="znodes"]');
    await page.click('.zitem[data-path="/brokers/ids/1"]');
    await page.waitForSelector('#znode-detail .owner');
    t.match(await page.textContent('#znode-detail .owner'), /broker 1/, 'owner broker shown');
    t.match(await page.textContent('#znode-detail pre'), /"endpoints"/, 'data pretty-printed');
    await shot('znodes');

    t.same(pageErrors, [], 'no errors in the page');
  },
);
