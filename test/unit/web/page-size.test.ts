// The page's first load stays under 200 KB and loads nothing from outside the agent (no CDN): every file the
// page fetches at start, found by following the HTML's links and the modules' imports in the built files.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { builtPage } from '../../helpers/web-page.js';

const LIMIT = 200 * 1024;

function firstLoad(dir: string): Map<string, number> {
  const files = new Map<string, number>();
  const queue = ['index.html'];
  while (queue.length) {
    const name = queue.shift() as string;
    if (files.has(name)) continue;
    const text = readFileSync(path.join(dir, name), 'utf8');
    files.set(name, Buffer.byteLength(text));
    const refs = name.endsWith('.html')
      ? [...text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string)
      : [...text.matchAll(/(?:import|from)\s*['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
    for (const ref of refs) {
      t.notMatch(ref, /^(https?:)?\/\//, `${name} loads ${ref} from this agent only`);
      queue.push(path.posix.basename(ref));
    }
  }
  return files;
}

t.test('the first load is small and local', async (t) => {
  const dir = builtPage();
  const files = firstLoad(dir);
  for (const want of ['index.html', 'app.css', 'app.js', 'tasks.js', 'panels.js', 'favicon.svg']) {
    t.ok(files.has(want), `${want} is part of it`);
  }
  const total = [...files.values()].reduce((a, b) => a + b, 0);
  t.ok(total < LIMIT, `first load ${total} bytes in ${files.size} files (limit ${LIMIT})`);
  const css = readFileSync(path.join(dir, 'app.css'), 'utf8');
  t.notMatch(css, /url\(|@import/, 'the stylesheet loads nothing');
});
