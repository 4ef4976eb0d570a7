// The subscription key file: 0600 (or stricter), one key, owned by the user; errors name the file.
import { chmod } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { checkTokensConfig } from '../../../agent/tokens/check.js';
import { readSubscriptionKey } from '../../../agent/tokens/key-file.js';

t.test('0600 and 0400 are accepted; the key is trimmed', async (t) => {
  const dir = t.testdir({ a: '  abc123\n', b: 'def' });
  await chmod(path.join(dir, 'a'), 0o600);
  await chmod(path.join(dir, 'b'), 0o400);
  t.equal(await readSubscriptionKey(path.join(dir, 'a')), 'abc123');
  t.equal(await readSubscriptionKey(path.join(dir, 'b')), 'def');
});

t.test('group or world bits are refused with the file, its mode and the fix', async (t) => {
  const dir = t.testdir({ k: 'abc' });
  const file = path.join(dir, 'k');
  for (const mode of [0o644, 0o640, 0o604]) {
    await chmod(file, mode);
    await t.rejects(readSubscriptionKey(file), {
      code: 'AGENT_ERR_CONFIG',
      message: `tokens.subscriptionKeyFile ${file} has mode 0${mode.toString(8)}; it must be 0600 (run: chmod 600 ${file})`,
    });
  }
});

t.test('missing, empty, or not one key', async (t) => {
  const dir = t.testdir({ empty: '\n', two: 'a b\n', folder: {} });
  await chmod(path.join(dir, 'empty'), 0o600);
  await chmod(path.join(dir, 'two'), 0o600);
  await t.rejects(readSubscriptionKey(path.join(dir, 'nope')), {
    message: /nope: cannot read it \(ENOENT\)/,
  });
  await t.rejects(readSubscriptionKey(path.join(dir, 'empty')), { message: /expected one key on one line/ });
  await t.rejects(readSubscriptionKey(path.join(dir, 'two')), { message: /expected one key on one line/ });
  await t.rejects(readSubscriptionKey(path.join(dir, 'folder')), { message: /not a regular file/ });
});

t.test('checkTokensConfig lists every problem of the section', async (t) => {
  const dir = t.testdir({ k: 'abc' });
  await chmod(path.join(dir, 'k'), 0o666);
  const problems = await checkTokensConfig({
    apiBase: 'https://planetarycomputer.microsoft.com/api/sas/v1',
    collections: ['usda-cdl', 'usda-cdl'],
    outDir: path.join(dir, 'sas'),
    refreshMarginSeconds: 900,
    refreshCron: '*/10 * * *',
    requestTimeoutSeconds: 30,
    subscriptionKeyFile: path.join(dir, 'k'),
  });
  t.same(problems, [
    'tokens.collections.1: "usda-cdl" is listed twice',
    'tokens.refreshCron: "*/10 * * *" is not a valid cron expression (expected 5 or 6 fields but got 4)',
    `tokens.subscriptionKeyFile ${path.join(dir, 'k')} has mode 0666; it must be 0600 (run: chmod 600 ${path.join(dir, 'k')})`,
  ]);
});
