// Bench: how long the web page takes to show a submission of 10,000 tasks in Debian's headless chromium,
// from navigation to its table (the first page of 500 rows, and the count of all 10,000); a page turn and a
// filter; then how a poll of the unchanged state costs (304s), and
// how soon one task's change shows in its row. The agent app runs in this process on a real SQLite file.
// Run `npx tsx bench/page-10k.ts [loads] [tasks]` (needs /usr/bin/chromium and a built page: npm run build).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock } from '../agent/clock.js';
import { buildApp } from '../agent/http/app.js';
import { listenApp } from '../agent/http/listen.js';
import { makeDeps, openRepos, seed, TOKEN } from '../test/helpers/http-fixtures.js';
import { browser, builtPage } from '../test/helpers/web-page.js';

/** web/src/tasks.ts PAGE_ROWS: the table shows this many rows at once. */
const PAGE_ROWS = 500;

const loads = Number(process.argv[2] ?? 3);
const tasks = Number(process.argv[3] ?? 10_000);

const dir = mkdtempSync(path.join(tmpdir(), 'emb-page-bench-'));
const cleanups: (() => unknown)[] = [];
try {
  const repos = openRepos(dir);
  seed(repos, { tasks: [tasks] });
  const app = buildApp(makeDeps(repos, { web: { clock: systemClock, pageDir: builtPage() } }));
  cleanups.push(() => app.close());
  const where = await listenApp(
    app,
    { kind: 'tcp', host: '127.0.0.1', port: 0 },
    { allowNonLoopback: false },
  );
  const base = `http://${where}`;
  const code = await app.inject({
    method: 'POST',
    url: '/ui/login-codes',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const context = await browser((fn) => cleanups.push(fn));
  const page = await context.newPage();
  await page.goto(base + code.json<{ path: string }>().path);

  const times: number[] = [];
  let listBytes = 0;
  page.on('response', (r) => {
    if (new URL(r.url()).pathname === '/submissions' && r.status() === 200) {
      // A reply whose page was navigated away from has no body left to read: that load is not counted.
      r.body().then(
        (b) => (listBytes = b.length),
        (err: unknown) => void err,
      );
    }
  });
  for (let i = 0; i < loads; i++) {
    const t0 = Date.now();
    await page.goto(`${base}/ui/`);
    // Locators, not waitForFunction: the page's CSP refuses the eval a string predicate needs.
    await page
      .locator('#tasks tbody tr')
      .nth(Math.min(tasks, PAGE_ROWS) - 1)
      .waitFor({ timeout: 120_000 });
    await page.locator('#task-count', { hasText: `of ${tasks}` }).waitFor({ timeout: 120_000 });
    times.push(Date.now() - t0);
  }
  times.sort((a, b) => a - b);

  // The next page of rows, and the filter down to the tasks that need a person.
  let t1 = Date.now();
  await page.locator('#page-next').click();
  await page.locator(`#tasks tbody tr[data-key="${PAGE_ROWS}"]`).waitFor({ timeout: 30_000 });
  const nextMs = Date.now() - t1;
  t1 = Date.now();
  await page.locator('#task-filter').selectOption('attention');
  await page.locator('#tasks tbody tr[data-state="failed"]').first().waitFor({ timeout: 30_000 });
  const filterMs = Date.now() - t1;
  await page.locator('#task-filter').selectOption('all');

  // Unchanged state for 10 s: every poll of the list should be a 304.
  const statuses = { 200: 0, 304: 0 };
  page.on('response', (r) => {
    if (new URL(r.url()).pathname !== '/submissions') return;
    if (r.status() === 200) statuses[200]++;
    if (r.status() === 304) statuses[304]++;
  });
  await page.waitForTimeout(10_000);

  // One task changes: time until its row shows it (the page polls every 2 s).
  const task = repos.tasks.bySubmission(1).find((x) => x.index === 0);
  if (!task) throw new Error('no task 0');
  const t0 = Date.now();
  repos.tasks.setState(task.id, 'stalled', 'bench: no progress', Date.now());
  await page.locator('#tasks tbody tr[data-key="0"][data-state="stalled"]').waitFor({ timeout: 30_000 });
  const changeMs = Date.now() - t0;

  console.log(`tasks: ${tasks}; GET /submissions body ${(listBytes / 1024 / 1024).toFixed(2)} MiB`);
  console.log(
    `next page of ${PAGE_ROWS} rows: ${nextMs} ms; filter to failed/stalled/exhausted: ${filterMs} ms`,
  );
  console.log(
    `navigation to the submission of ${tasks} tasks shown (its first ${PAGE_ROWS} rows and the count): min ${times[0]} ms, median ${times[Math.floor(times.length / 2)]} ms, max ${times.at(-1)} ms over ${loads} loads`,
  );
  console.log(
    `polls of the unchanged list in 10 s: ${statuses[304]} answered 304, ${statuses[200]} answered 200`,
  );
  console.log(`one task's change visible in its row after ${changeMs} ms (poll interval 2000 ms)`);
} finally {
  for (const fn of cleanups.reverse()) await fn();
  rmSync(dir, { recursive: true, force: true });
}
