/**
 * The dashboard process on its own: it serves the page and its charting library from the
 * package (no CDN), answers while the coordinator is unreachable, and refuses every action
 * under --read-only.
 */
import t from 'tap';
import { freePort, spawnDaemon } from '../../helpers/processes.js';

t.test('the page is served offline; --read-only refuses actions', async (t) => {
  const port = await freePort();
  const nobody = await freePort(); // no coordinator listens here
  const dashboard = await spawnDaemon(
    'scripts/samsa.ts',
    ['dashboard', '--coordinator', `127.0.0.1:${nobody}`, '--port', String(port), '--read-only'],
    'dashboard listening',
  );
  t.teardown(() => dashboard.kill('SIGKILL'));
  const base = `http://127.0.0.1:${port}`;
  const page = await (await fetch(`${base}/`)).text();
  t.match(page, /<script src="\/vendor\/uPlot.iife.min.js"><\/script>/);
  t.notMatch(page, /https?:\/\//, 'the page loads nothing from elsewhere');
  const uplot = await fetch(`${base}/vendor/uPlot.iife.min.js`);
  t.equal(uplot.status, 200);
  t.match(await uplot.text(), /uPlot/);
  const state = (await (await fetch(`${base}/api/state`)).json()) as Record<string, unknown>;
  t.equal(state.readOnly, true);
  t.equal(state.connected, false, 'no coordinator yet, and the dashboard still answers');
  const refused = await fetch(`${base}/api/action/create-topic`, {
    method: 'POST',
    body: JSON.stringify({ topic: 'x', partitions: 1, replicationFactor: 1 }),
  });
  t.equal(refused.status, 403);
  t.match(((await refused.json()) as { message: string }).message, /read-only/);
  t.equal((await fetch(`${base}/../etc/passwd`)).status, 404, 'only the listed files');
});
