// The token folder and files: modes, open folders reported or refused (never chmod-ed), unusable files treated as missing.
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { parseCollection } from '../../../agent/tokens/names.js';
import { TokenStore } from '../../../agent/tokens/token-store.js';
import type { TokenEvent, TokenFile } from '../../../agent/tokens/types.js';
import { captureLog } from '../../helpers/tokens-harness.js';

const spec = parseCollection('landcoverdata/usda-cdl');
const record: TokenFile = {
  collection: 'landcoverdata/usda-cdl',
  account: 'landcoverdata',
  container: 'usda-cdl',
  token: 'st=a&se=b&sp=rl&sv=2024-05-04&sr=c&sig=c2lnbmF0dXJl',
  expiry: '2026-01-01T12:45:30Z',
  expiryEpoch: 1767271530,
  fetchedAt: '2026-01-01T12:00:30Z',
};

function store(outDir: string) {
  const log = captureLog();
  const events: TokenEvent[] = [];
  return { s: new TokenStore(outDir, log.logger, (e) => events.push(e)), log, events };
}

t.test('prepare creates the folder (and its parents) 0700', async (t) => {
  const outDir = path.join(t.testdir(), 'work', 'tmp', 'sas');
  const { s, events } = store(outDir);
  await s.prepare();
  t.equal((await stat(outDir)).mode & 0o777, 0o700);
  t.same(events, []);
});

t.test('an existing folder others can list is left as it is (not ours to chmod), and said', async (t) => {
  const outDir = path.join(t.testdir(), 'sas');
  await mkdir(outDir);
  await chmod(outDir, 0o755);
  const { s, log, events } = store(outDir);
  await s.prepare();
  t.equal((await stat(outDir)).mode & 0o777, 0o755, 'the agent did not create it, so it does not chmod it');
  t.match(log.text(), /has mode 0755: others can list it \(the files stay 0600\); consider chmod 700/);
  t.match(events, [{ level: 'warn', kind: 'token-dir-open', data: { dir: outDir, mode: '0755' } }]);
});

t.test('an existing folder others can write is refused, naming the fix', async (t) => {
  const outDir = path.join(t.testdir(), 'sas');
  await mkdir(outDir);
  await chmod(outDir, 0o777);
  const { s } = store(outDir);
  await t.rejects(s.prepare(), { code: 'AGENT_ERR_CONFIG', message: `chmod go-w ${outDir}` });
  t.equal((await stat(outDir)).mode & 0o777, 0o777, 'left as it was');
});

t.test('an outDir that is a file is a config error naming it', async (t) => {
  const dir = t.testdir({ sas: 'not a folder' });
  const { s } = store(path.join(dir, 'sas'));
  await t.rejects(s.prepare(), {
    code: 'AGENT_ERR_CONFIG',
    message: /tokens.outDir .*sas exists and is not a folder/,
  });
});

t.test('write then read; the .token file holds the token and nothing else', async (t) => {
  const outDir = path.join(t.testdir(), 'sas');
  const { s } = store(outDir);
  await s.prepare();
  t.equal(await s.read(spec), null, 'missing');
  await s.write(spec, record);
  t.same(await s.read(spec), record);
  t.equal(await readFile(path.join(outDir, 'landcoverdata__usda-cdl.token'), 'utf8'), record.token);
  t.equal(s.jsonPath(spec), path.join(outDir, 'landcoverdata__usda-cdl.json'));
});

t.test('unusable files count as missing, with a warning; loose file modes are tightened', async (t) => {
  const outDir = path.join(t.testdir(), 'sas');
  const { s, log } = store(outDir);
  await s.prepare();
  const json = s.jsonPath(spec);
  await writeFile(json, '{"collection": "landcoverdata/usda-cdl", "tok');
  t.equal(await s.read(spec), null);
  await writeFile(json, JSON.stringify({ ...record, collection: 'other' }));
  t.equal(await s.read(spec), null);
  await writeFile(json, JSON.stringify({ ...record, token: 'st=a&se=b' }));
  t.equal(await s.read(spec), null);
  t.match(log.text(), /not JSON; treating it as missing/);
  t.match(log.text(), /does not hold a token record for landcoverdata\/usda-cdl/);
  await writeFile(json, JSON.stringify(record));
  await chmod(json, 0o644);
  t.same(await s.read(spec), record);
  t.equal((await stat(json)).mode & 0o777, 0o600);
});
