// The built web page for tests: dist/web, built once when missing (npm test builds before tap; a lone
// `npx tap test/unit/web/...` may run before any build).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const PAGE_DIR = path.join(ROOT, 'dist/web');

export function builtPage(): string {
  if (!existsSync(path.join(PAGE_DIR, 'app.js'))) {
    execFileSync(process.execPath, [path.join(ROOT, 'web/build.mjs')], { stdio: 'inherit' });
  }
  return PAGE_DIR;
}
