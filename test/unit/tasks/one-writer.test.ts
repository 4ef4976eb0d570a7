// agent/tasks/ is the one writer of tasks, attempts, intents, submit intents and events: no other part of the
// agent calls a repository's write methods on those tables (they read them freely).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const AGENT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../agent');

const WRITES: Record<string, string[]> = {
  tasks: ['ensure', 'setState', 'setHeld', 'recordAttempt', 'setDiagnosis'],
  attempts: ['insert', 'update', 'markDecided', 'setLogFacts'],
  intents: ['create', 'confirm', 'fail', 'retryLater'],
  submitIntents: ['create', 'confirm', 'fail'],
  events: ['add'],
  submissions: ['create', 'setHeld'],
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

t.test('only agent/tasks/ (and the repositories themselves) write the task tables', async (t) => {
  const offenders: string[] = [];
  for (const file of sources(AGENT)) {
    const rel = path.relative(AGENT, file);
    if (rel.startsWith(`tasks${path.sep}`) || rel.startsWith(`db${path.sep}`)) continue;
    const text = readFileSync(file, 'utf8');
    for (const [repo, methods] of Object.entries(WRITES)) {
      const re = new RegExp(`\\brepos\\s*\\.\\s*${repo}\\s*\\.\\s*(${methods.join('|')})\\s*\\(`, 'g');
      for (const m of text.matchAll(re)) {
        const line = text.slice(0, m.index).split('\n').length;
        offenders.push(`agent/${rel}:${line}: ${m[0]}`);
      }
    }
  }
  t.same(offenders, [], 'writes go through the named operations of agent/tasks/');
});
