// How long CronSchedule.nextAfter takes (it runs once per collection per refresh): node-cron's match() is
// ~10 µs, so the search must skip months and hours without calling it. Run: npx tsx bench/tokens-cron.ts
import { CronSchedule } from '../agent/tokens/schedule.js';

const from = Date.UTC(2026, 0, 1, 12, 0, 30);
const cases = [
  '*/10 * * * *',
  '*/30 * * * * *',
  '0 3 * * *',
  '0 9 * * 1',
  '0 0 1 1 *',
  '0 0 29 2 *',
  '* * 13 * 5',
];
new CronSchedule('* * * * *').nextAfter(from); // warm up Intl and the JIT
for (const expr of cases) {
  const s = new CronSchedule(expr);
  const runs = 20;
  let next: number | null = null;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) next = s.nextAfter(from + i * 1000);
  const ms = (performance.now() - t0) / runs;
  s.dispose();
  const when = next === null ? 'none' : new Date(next).toISOString();
  process.stdout.write(`${expr.padEnd(16)} ${ms.toFixed(3).padStart(9)} ms per call   next: ${when}\n`);
}
