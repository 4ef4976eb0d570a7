// Builds the web page into dist/web: the TypeScript under web/src compiled by tsc (no bundler: the browser
// loads the ES modules as they are), and the HTML, CSS and icon copied beside them. Run by `npm run build`
// and by `prepare` (so `npm ci` on a fresh clone serves the page); typescript is a runtime dependency.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const here = import.meta.dirname;
const out = path.join(here, '..', 'dist', 'web');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(here, 'tsconfig.json')], { stdio: 'inherit' });
for (const name of readdirSync(here)) {
  if (/\.(html|css|svg)$/.test(name)) copyFileSync(path.join(here, name), path.join(out, name));
}
