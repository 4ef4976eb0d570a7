// The web page in a real browser (Debian's chromium driven by playwright-core) against the built agent on
// the Slurm test cluster: nothing without a session; log in through the link `emb-client open` prints; a
// submission's tasks and a shard chart with points; a state change appears without a reload; hold and
// release from the page; no Content-Security-Policy violation on the way.
import { existsSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startAgent } from '../helpers/agent-process.js';
import { requireCluster } from '../helpers/cluster.js';
import { JOB, submitBuilder } from '../helpers/resume-harness.js';
import { browser, CHROMIUM } from '../helpers/web-page.js';

t.test('the web page in a browser', async (t) => {
  if (!existsSync(CHROMIUM)) {
    const why = `${CHROMIUM} is missing (apt-get install --no-install-recommends chromium)`;
    if (process.env.CI === 'true') t.fail(`CI=true but ${why}`);
    else t.plan(0, why);
    return;
  }
  if (!(await requireCluster(t))) return;
  const dir = t.testdir();
  const out = path.join(dir, 'out');
  const agent = await startAgent(dir, { watch: { pollSeconds: 1, shardDirs: [{ path: out, target: 8 }] } });
  t.teardown(() => agent.stop());
  const context = await browser(t.teardown.bind(t));
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });

  // Without a session: the login hint and nothing else, whatever the address.
  for (const url of ['/', '/ui/', '/ui/login?code=guess']) {
    await page.goto(agent.url + url);
    t.match(await page.textContent('body'), /emb-client open/, `${url}: the login hint`);
    t.equal(await page.locator('table').count(), 0, `${url}: no table`);
  }

  // One array of four tasks writing two shards each, a second apart: states and shards change as we watch.
  const jobId = await submitBuilder(agent, { array: '0-3%2', env: { SHARDS: '2', STEP: '2' } });
  // A second one kept back until the array is done: its job cell says so until it is sent.
  const kept = await agent.client(['submit', '--after', jobId, '--', '--array=0', '-t', '5', JOB], {
    env: { OUT_DIR: path.join(dir, 'out-after'), SHARDS: '0' },
  });
  t.match(kept.stdout, /kept back, waits for #/, kept.stderr);

  const open = await agent.client(['open', '--no-browser']);
  t.equal(open.code, 0, open.stderr);
  const link = /^ {2}(http:\/\/\S+\/ui\/login\?code=\S+)$/m.exec(open.stdout)?.[1];
  t.ok(link, 'emb-client open printed a link');
  const loads: number[] = [];
  page.on('response', (r) => {
    void r.body().then(
      (b) => loads.push(b.length),
      (err: unknown) => void err, // a redirect has no body to count
    );
  });
  await page.goto(link as string);
  t.equal(new URL(page.url()).pathname, '/ui/', 'the code left the address bar');
  const waitingRow = page.locator('#submissions tbody tr', { hasText: 'waiting' });
  await waitingRow.waitFor({ timeout: 30_000 });
  const badge = waitingRow.locator('td .badge', { hasText: 'waiting' });
  t.equal(await badge.count(), 1, 'the kept-back submission says it waits, in its job cell');
  t.ok(await badge.getAttribute('title'), 'and for what, in its title');
  await page.locator('#submissions tbody tr', { hasText: jobId }).click();
  await page.locator('#tasks tbody tr').first().waitFor({ timeout: 30_000 });
  t.match(await page.textContent('#submissions'), new RegExp(jobId), "the submission's row");
  t.equal(await page.locator('#tasks tbody tr').count(), 4, 'its four tasks');
  // Strings, not functions: this file is compiled without the DOM's types.
  await page.evaluate('window.stayed = true');

  // A state change without a reload: all four done, as the tracker sees them end.
  await page.locator('#tasks tbody tr[data-state="done"]').nth(3).waitFor({ timeout: 180_000 });
  t.equal(await page.evaluate('window.stayed === true'), true, 'the same page, not reloaded');
  const doneCell = await page.locator('#tasks tbody tr[data-state="done"]').first().textContent();
  t.match(doneCell, /done/);

  // The chart: a folder with eight shards and a line through stored samples.
  const card = page.locator(`.shard[data-dir="${out}"]`);
  await card.locator('svg.chart circle').nth(1).waitFor({ timeout: 90_000 });
  t.ok((await card.locator('svg.chart circle').count()) >= 2, 'points on the chart');
  await card.getByText('8 shards').waitFor({ timeout: 90_000 });
  t.match(await card.textContent(), /ETA reached/);

  // Hold one task from the page, then release it: the buttons go through the session with its CSRF header.
  const row = page.locator('#tasks tbody tr[data-key="1"]');
  await row.locator('button[data-action="hold"]').click();
  await row.locator('button[data-action="release"]').waitFor({ timeout: 15_000 });
  t.pass('held from the page');
  await page.locator('#tasks tbody tr[data-key="1"] button[data-action="release"]').click();
  await page.locator('#tasks tbody tr[data-key="1"] button[data-action="hold"]').waitFor({ timeout: 15_000 });
  t.pass('released from the page');
  const events = await agent.client(['events', '--limit', '1000']);
  t.match(events.stdout, /hold|held/i, 'the agent recorded the hold');

  t.same(cspViolations, [], 'no Content-Security-Policy violation');
  const total = loads.reduce((a, b) => a + b, 0);
  t.ok(total > 0, `bytes loaded since login (page and API): ${total}`);

  // Logged out: the same tab shows the hint again, and a new profile never saw anything.
  await page.locator('#logout').click();
  await page.waitForURL(/\/ui\/$/);
  await page.locator('.login').waitFor({ timeout: 10_000 });
  t.equal(await page.locator('table').count(), 0, 'after logout: no table');
  const again = await page.goto(link as string);
  t.equal(again?.status(), 401, 'the used link does not log in again');
});
