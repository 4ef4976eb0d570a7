// `npm ci --omit=dev` on a fresh clone: `prepare` must build dist/ with production dependencies alone.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';

const root = path.resolve(import.meta.dirname, '../../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

t.test('prepare runs only what production dependencies provide', async (t) => {
  const prepare = pkg.scripts.prepare ?? '';
  t.match(
    prepare,
    /^tsc -p tsconfig\.install\.json && node web\/build\.mjs$/,
    'prepare builds with the install config, then the web page',
  );
  // The page's build runs tsc too: it may import node's own modules and typescript, nothing else.
  const pageBuild = readFileSync(path.join(root, 'web', 'build.mjs'), 'utf8');
  const imports = [...pageBuild.matchAll(/from '([^']+)'|resolve\('([^'/]+)\//g)].map((m) => m[1] ?? m[2]);
  t.same(
    imports.filter((m) => !m?.startsWith('node:') && m !== 'typescript'),
    [],
    'web/build.mjs needs only node and typescript',
  );
  t.ok(pkg.dependencies.typescript, 'typescript (tsc) is a production dependency');
  t.notOk(pkg.devDependencies.typescript, 'and not also a dev one');
});

t.test('the install build emits dist/ with no @types and no dev dependency at hand', async (t) => {
  const dir = t.testdir({});
  for (const f of ['agent', 'client', 'shared', 'package.json']) {
    if (existsSync(path.join(root, f))) cpSync(path.join(root, f), path.join(dir, f), { recursive: true });
  }
  for (const f of ['tsconfig.json', 'tsconfig.build.json', 'tsconfig.install.json']) {
    cpSync(path.join(root, f), path.join(dir, f));
  }
  // node_modules as `npm ci --omit=dev` leaves it, as far as the build can tell: no @types, no dev tools.
  mkdirSync(path.join(dir, 'node_modules', '@fastify'), { recursive: true });
  for (const name of Object.keys(pkg.dependencies)) {
    symlinkSync(path.join(root, 'node_modules', name), path.join(dir, 'node_modules', name));
  }
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.install.json'], {
    cwd: dir,
    encoding: 'utf8',
  });
  t.equal(r.status, 0, `tsc: ${r.stdout}${r.stderr}`);
  t.ok(existsSync(path.join(dir, 'dist', 'agent', 'cli.js')), 'dist/agent/cli.js');
  t.ok(existsSync(path.join(dir, 'dist', 'client', 'cli.js')), 'dist/client/cli.js');
  t.notOk(existsSync(path.join(dir, 'node_modules', '@types')), 'built without @types');
});
