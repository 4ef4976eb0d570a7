import t from 'tap';
import { scrubSecrets } from '../../agent/log.js';
import { capturedLogger } from '../helpers/captured-log.js';

const TOKEN = 'st=2026-11-28T12%3A00Z&se=2026-11-28T13%3A00Z&sp=rl&sv=2024-05-04&sr=c&sig=AbCdEf%2Bsecret%3D';

t.test('scrubSecrets removes SAS signatures and bearer tokens', async (t) => {
  t.notMatch(scrubSecrets(`https://x/y.tif?${TOKEN}`), /AbCdEf/);
  t.match(scrubSecrets(`https://x/y.tif?${TOKEN}`), /sig=REDACTED/);
  t.equal(scrubSecrets('Authorization: Bearer abc.def-123'), 'Authorization: Bearer REDACTED');
  t.equal(scrubSecrets('nothing secret here'), 'nothing secret here');
});

t.test('no log line carries a secret, however it is logged; errors keep their message', async (t) => {
  const log = capturedLogger();
  log.logger.info(`fetched ${TOKEN}`);
  log.logger.info({ url: `https://x/?${TOKEN}`, nested: { text: `sig=abc123` } }, 'request');
  log.logger.error({ err: new Error(`GDAL said 403 for ${TOKEN}`) }, 'read failed');
  log.logger.info({ token: 'plain-secret-token' }, 'redacted by path');
  t.notMatch(log.text(), /AbCdEf|abc123|plain-secret-token/);
  t.match(log.text(), /GDAL said 403/, 'the error message survives');
});
