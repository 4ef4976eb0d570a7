// The built web page for tests: dist/web, built once when missing (npm test builds before tap; a lone
// `npx tap test/unit/web/...` may run before any build); and the headless browser that tests and benches drive.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const PAGE_DIR = path.join(ROOT, 'dist/web');

export function builtPage(): string {
  if (!existsSync(path.join(PAGE_DIR, 'app.js'))) {
    execFileSync(process.execPath, [path.join(ROOT, 'web/build.mjs')], { stdio: 'inherit' });
  }
  return PAGE_DIR;
}

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's chromium with a fresh profile (playwright takes the --user-data-dir as its own argument). */
export async function browser(teardown: (fn: () => unknown) => void): Promise<BrowserContext> {
  const profile = mkdtempSync(path.join(tmpdir(), 'emb-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  teardown(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return context;
}
