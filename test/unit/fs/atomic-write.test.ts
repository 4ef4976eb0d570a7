// Atomic replacement: a reader never sees a partial file, a crash before the rename leaves the old one,
// and files are created 0600.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { removeStaleTemps, writeFileAtomic, writeTemp } from '../../../agent/fs/atomic-write.js';
import { startReader } from '../../helpers/tokens-harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const doc = (version: number) => {
  const size = 1000 + ((version * 7919) % 200_000);
  return JSON.stringify({ version, size, padding: 'x'.repeat(size) });
};

t.test('a reader on another thread only ever sees complete files', async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, 'usda-cdl.json');
  await writeFileAtomic(file, doc(0));
  const reader = startReader(file);
  for (let v = 1; v <= 300; v++) await writeFileAtomic(file, doc(v));
  const seen = await reader.stop();
  t.equal(seen.broken, 0, `no partial read in ${seen.reads} reads`);
  t.ok(seen.versions > 1, `the reader saw ${seen.versions} versions`);
  t.equal(JSON.parse(readFileSync(file, 'utf8')).version, 300);
  t.same(await readdir(dir), ['usda-cdl.json'], 'no temp file left');
});

t.test('files are created 0600 whatever the umask', async (t) => {
  const dir = t.testdir();
  const old = process.umask(0o000);
  try {
    await writeFileAtomic(path.join(dir, 'a.token'), 'x');
  } finally {
    process.umask(old);
  }
  t.equal(statSync(path.join(dir, 'a.token')).mode & 0o777, 0o600);
});

t.test('a crash between write and rename leaves the old file; the next start clears the temp', async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, 'usda-cdl.json');
  await writeFile(file, '{"version":"old"}', { mode: 0o600 });
  // The writer runs in a child that writes the temp file of a replacement and then dies by SIGKILL before
  // the rename, as a crash or an OOM kill at the worst moment would.
  const writer = pathToFileURL(path.join(ROOT, 'agent/fs/atomic-write.ts')).href;
  const script = `
    import { writeTemp } from ${JSON.stringify(writer)};
    const temp = await writeTemp(process.argv[1], process.argv[2]);
    process.stdout.write(temp + '\\n', () => process.kill(process.pid, 'SIGKILL'));
  `;
  const run = promisify(execFile);
  const child = run(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script, file, '{"version":"new"}'],
    { cwd: ROOT },
  );
  const err = (await child.then(
    () => null,
    (e: unknown) => e,
  )) as { signal?: string; stdout?: string } | null;
  t.equal(err?.signal, 'SIGKILL', 'the writer died before renaming');
  const temp = err?.stdout?.trim() ?? '';
  t.ok(existsSync(temp), 'its temp file, complete, is there');
  t.equal(readFileSync(temp, 'utf8'), '{"version":"new"}');
  t.equal(readFileSync(file, 'utf8'), '{"version":"old"}', 'the target still holds the old content');
  t.same(await removeStaleTemps(dir), [path.basename(temp)]);
  t.same(await readdir(dir), ['usda-cdl.json']);
});

t.test('removeStaleTemps touches only names writeTemp makes', async (t) => {
  const dir = t.testdir({ 'usda-cdl.json': '{}', '.hidden': 'keep', 'x.tmp': 'keep' });
  const temp = await writeTemp(path.join(dir, 'usda-cdl.json'), 'partial');
  t.same(await removeStaleTemps(dir), [path.basename(temp)]);
  t.same((await readdir(dir)).sort(), ['.hidden', 'usda-cdl.json', 'x.tmp']);
});

t.test('a failed rename leaves no temp file and the target untouched', async (t) => {
  const dir = t.testdir({ target: { inner: 'a folder in the way' } });
  await t.rejects(writeFileAtomic(path.join(dir, 'target'), 'data'));
  t.same((await readdir(dir)).sort(), ['target']);
});
