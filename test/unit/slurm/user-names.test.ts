// uid → login name through the system's user database (getent), as "CANCELLED by 1001" needs.
import t from 'tap';
import os from 'node:os';
import { silentLogger } from '../../../agent/log.js';
import { GetentUserNames } from '../../../agent/slurm/user-names.js';

t.test('names a known uid, null for an unknown one', async (t) => {
  const names = new GetentUserNames({ timeoutMs: 5000, logger: silentLogger() });
  const me = os.userInfo();
  t.equal(await names.nameOf(me.uid), me.username);
  t.equal(await names.nameOf(0), 'root');
  t.equal(await names.nameOf(3_999_999_999), null);
  t.equal(await names.nameOf(-1), null);
});
