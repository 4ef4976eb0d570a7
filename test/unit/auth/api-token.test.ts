import t from 'tap';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureApiToken } from '../../../agent/auth/api-token.js';
import { silentLogger } from '../../../agent/log.js';

t.test('created 0600 at first start, then reused', async (t) => {
  const file = path.join(t.testdir(), 'state', 'api-token');
  const token = ensureApiToken(file, silentLogger());
  t.ok(token.length >= 32);
  t.equal(statSync(file).mode & 0o777, 0o600);
  t.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
  t.equal(ensureApiToken(file, silentLogger()), token);
});

t.test('a token file others could read is replaced; an empty one too', async (t) => {
  const dir = t.testdir();
  const file = path.join(dir, 'api-token');
  writeFileSync(file, 'known-to-everyone-1234567890\n');
  chmodSync(file, 0o644);
  const token = ensureApiToken(file, silentLogger());
  t.not(token, 'known-to-everyone-1234567890');
  t.equal(statSync(file).mode & 0o777, 0o600);
  t.equal(readFileSync(file, 'utf8').trim(), token);
  writeFileSync(file, '');
  chmodSync(file, 0o600);
  t.ok(ensureApiToken(file, silentLogger()).length >= 32);
});
