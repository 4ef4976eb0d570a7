// docs/architecture.md's layers, checked: an agent module imports from its own layer or below, never above,
// except the departures the document names.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const LAYERS: Record<string, number> = {
  errors: 0,
  clock: 0,
  log: 0,
  version: 0,
  text: 0,
  api: 0,
  shared: 0,
  config: 1,
  slurm: 1,
  fs: 1,
  db: 1,
  tokens: 1,
  auth: 1,
  recipe: 2,
  diagnose: 2,
  tasks: 2,
  tracker: 2,
  resume: 2,
  logs: 2,
  shards: 2,
  commands: 2,
  preflight: 2,
  pipeline: 2,
  notify: 2,
  views: 2,
  http: 3,
  web: 3,
  metrics: 3,
  health: 3,
  check: 4,
  'check-probes': 4,
  service: 4,
  compose: 4,
  main: 4,
  cli: 4,
  install: 4,
};

/** Upward imports the document names: types and schemas only. */
const DEPARTURES = new Set([
  'agent/logs/bridge.ts -> http',
  'agent/views/read-model.ts -> http',
  'agent/config/schema.ts -> preflight',
  'agent/api/schemas.ts -> preflight',
  'agent/db/repos/events.ts -> tasks',
  'agent/db/repos/rows.ts -> tasks',
]);

function files(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** The layer's key of a path under the repository: agent/<folder>/..., agent/<file>.ts or shared/... */
function unit(rel: string): string {
  const parts = rel.split('/');
  if (parts[0] === 'shared') return 'shared';
  return parts.length > 2 ? (parts[1] as string) : (parts[1] as string).replace(/\.(js|ts)$/, '');
}

t.test('every agent module imports from its own layer or below', async (t) => {
  const upward: string[] = [];
  const unknown = new Set<string>();
  for (const file of files('agent')) {
    const from = unit(file);
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), m[1] as string));
      if (!target.startsWith('agent/') && !target.startsWith('shared/')) continue;
      const to = unit(target);
      for (const u of [from, to]) if (LAYERS[u] === undefined) unknown.add(u);
      if (from === to || LAYERS[from] === undefined || LAYERS[to] === undefined) continue;
      if ((LAYERS[to] as number) > (LAYERS[from] as number) && !DEPARTURES.has(`${file} -> ${to}`)) {
        upward.push(`${file} -> ${to}`);
      }
    }
  }
  t.same([...unknown], [], 'every folder has a layer in docs/architecture.md (and here)');
  t.same(upward, [], 'no import reaches up a layer');
});
